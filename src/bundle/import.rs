//! Importing existing Kubernetes PKI into a bundle (`gen secrets --from-kubernetes-pki`,
//! `bundle.go:65-152`): the files' bytes are stored verbatim after checking they parse.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{BundleError, CertAndKey, Certs, KeyOnly, Secrets, SecretsBundle};
use crate::pki::{Certificate, PrivateKey};

/// A kubeadm-style PKI directory.
#[derive(Debug, Clone)]
pub struct KubernetesPki {
    /// The directory (`ca.crt`, `ca.key`, `etcd/ca.{crt,key}`, `front-proxy-ca.{crt,key}`, `sa.key`).
    pub dir: PathBuf,
}

/// A file of the PKI directory could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ImportError {
    /// The file.
    pub path: String,
    /// What is wrong and what to do.
    pub reason: String,
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| ImportError {
            path: path.display().to_string(),
            reason: format!("{e}: a kubeadm PKI directory needs this file"),
        })
}

fn cert_and_key(dir: &Path, crt: &str, key: &str) -> Result<CertAndKey, ImportError> {
    let (crt_path, key_path) = (dir.join(crt), dir.join(key));
    let crt = read(&crt_path)?;
    let key = read(&key_path)?;
    Certificate::from_pem(&crt).map_err(|e| ImportError {
        path: crt_path.display().to_string(),
        reason: e.to_string(),
    })?;
    PrivateKey::from_pem(&key).map_err(|e| ImportError {
        path: key_path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(CertAndKey {
        crt: crt.to_vec(),
        key,
    })
}

impl KubernetesPki {
    /// Read the directory into a partial bundle (the caller then populates the rest).
    ///
    /// # Errors
    /// [`ImportError`] naming the file that is missing or does not parse.
    pub fn read(&self, bootstrap_token: Option<&str>) -> Result<SecretsBundle, ImportError> {
        let dir = &self.dir;
        let sa_path = dir.join("sa.key");
        let sa = read(&sa_path)?;
        PrivateKey::from_pem(&sa).map_err(|e| ImportError {
            path: sa_path.display().to_string(),
            reason: e.to_string(),
        })?;
        let certs = Certs {
            k8s: Some(cert_and_key(dir, "ca.crt", "ca.key")?),
            etcd: Some(cert_and_key(dir, "etcd/ca.crt", "etcd/ca.key")?),
            k8s_aggregator: Some(cert_and_key(
                dir,
                "front-proxy-ca.crt",
                "front-proxy-ca.key",
            )?),
            k8s_service_account: Some(KeyOnly { key: sa }),
            os: None,
        };
        let secrets = Secrets {
            bootstrap_token: Zeroizing::new(bootstrap_token.unwrap_or_default().to_string()),
            ..Secrets::default()
        };
        Ok(SecretsBundle {
            certs: Some(certs),
            secrets: Some(secrets),
            ..SecretsBundle::default()
        })
    }
}

impl From<ImportError> for BundleError {
    fn from(e: ImportError) -> Self {
        BundleError::Parse(e.to_string())
    }
}
