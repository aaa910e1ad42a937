//! Importing existing Kubernetes PKI into a bundle (`gen secrets --from-kubernetes-pki`,
//! `bundle.go:65-152`): the files' bytes are stored verbatim after checking they parse.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::validate::Depth;
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

/// Why an unquoted number or boolean in a text field is refused (never the value: a secret).
fn unquoted(path: &[&str], v: &serde_yaml::Value) -> String {
    format!(
        "{}: {} where text belongs: put it in quotes, so that it is read exactly as written \
         (unquoted, YAML may rewrite it: 1.50 as 1.5)",
        path.join("."),
        kind_of(v)
    )
}

/// What a YAML value is, for messages (never the value: it may be a key).
fn kind_of(v: &serde_yaml::Value) -> &'static str {
    use serde_yaml::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Rebuild a bundle from a control-plane machine config (`gen secrets --from-controlplane-config`,
/// `bundle.go:177-255`). Works on both layouts: v1alpha1 only (≤ v1.13) and the multi-document one
/// (≥ v1.14). Like talosctl, nothing is generated and nothing is validated: what is missing stays
/// empty. The cluster id and secret come from a `DiscoveryIdentityConfig` document, or from
/// `cluster.id`/`cluster.secret` in configs that have none (older Talos read them there).
///
/// # Errors
/// [`ImportError`] when the text is not YAML or a base64 field does not decode.
pub fn from_controlplane_config(text: &str, source: &str) -> Result<SecretsBundle, ImportError> {
    use serde::Deserialize;
    use serde_yaml::Value;

    let fail = |reason: String| ImportError {
        path: source.to_string(),
        reason,
    };
    crate::yaml::check_nesting(text).map_err(fail)?;
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let v = Value::deserialize(doc).map_err(|e| fail(format!("not a machine config: {e}")))?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    // A field's text; missing or null is `None` (left empty, as talosctl does). A list or a
    // mapping is an error (talosctl fails to decode it; dropping it would lose a key silently),
    // and so is a number or a boolean where talosctl decodes base64 or PEM. In a plain text field
    // (`text`: a token, an id, a secret) go-yaml keeps an unquoted scalar's text as written;
    // serde_yaml keeps only its value (`1.50` is 1.5, `0x1F` is 31), so rather than change a
    // secret silently, talmint asks for quotes.
    let field = |v: &Value, path: &[&str], text: bool| -> Result<Option<String>, ImportError> {
        let mut cur = v;
        for (i, p) in path.iter().enumerate() {
            cur = match cur {
                Value::Mapping(m) => match m.get(*p) {
                    Some(next) => next,
                    None => return Ok(None),
                },
                Value::Null => return Ok(None),
                other => {
                    let at = path.get(..i).unwrap_or_default().join(".");
                    return Err(fail(format!(
                        "{at}: expected a mapping, found {}",
                        kind_of(other)
                    )));
                }
            };
        }
        match cur {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(_) | Value::Bool(_) if text => Err(fail(unquoted(path, cur))),
            other => Err(fail(format!(
                "{}: expected a string, found {}",
                path.join("."),
                kind_of(other)
            ))),
        }
    };
    let get = |v: &Value, path: &[&str]| field(v, path, false);
    let text = |v: &Value, path: &[&str]| field(v, path, true);
    let b64 = |field: &str, value: Option<String>| -> Result<Vec<u8>, ImportError> {
        match value {
            None => Ok(Vec::new()),
            Some(s) => base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s.trim())
                .map_err(|e| fail(format!("{field}: {e}"))),
        }
    };
    let kind = |v: &Value| v.get("kind").and_then(Value::as_str).map(str::to_string);
    let v1 = docs
        .iter()
        .find(|d| d.get("version").and_then(Value::as_str) == Some("v1alpha1"))
        .ok_or_else(|| fail("no v1alpha1 document: not a Talos machine config".into()))?;
    let doc = |k: &str| docs.iter().find(|d| kind(d).as_deref() == Some(k));

    let pair = |field: &str,
                crt: Option<String>,
                key: Option<String>,
                base64: bool|
     -> Result<Option<CertAndKey>, ImportError> {
        if crt.is_none() && key.is_none() {
            return Ok(None);
        }
        let (crt, key) = if base64 {
            (
                b64(&format!("{field}.crt"), crt)?,
                b64(&format!("{field}.key"), key)?,
            )
        } else {
            (
                crt.unwrap_or_default().into_bytes(),
                key.unwrap_or_default().into_bytes(),
            )
        };
        Ok(Some(CertAndKey {
            crt,
            key: Zeroizing::new(key),
        }))
    };

    let os = pair(
        "machine.ca",
        get(v1, &["machine", "ca", "crt"])?,
        get(v1, &["machine", "ca", "key"])?,
        true,
    )?;
    let etcd = pair(
        "cluster.etcd.ca",
        get(v1, &["cluster", "etcd", "ca", "crt"])?,
        get(v1, &["cluster", "etcd", "ca", "key"])?,
        true,
    )?;
    // A Kubernetes CA lives in its multi-document `issuingCA` (raw PEM, ≥ v1.14) or in the
    // v1alpha1 `cluster.<field>` (base64, ≤ v1.13).
    let issuing_ca = |kind: &str, field: &str| match doc(kind) {
        Some(d) => pair(
            "issuingCA",
            get(d, &["issuingCA", "cert"])?,
            get(d, &["issuingCA", "key"])?,
            false,
        ),
        None => pair(
            &format!("cluster.{field}"),
            get(v1, &["cluster", field, "crt"])?,
            get(v1, &["cluster", field, "key"])?,
            true,
        ),
    };
    let k8s = issuing_ca("KubeAPIServerCAConfig", "ca")?;
    let aggregator = issuing_ca("KubeAggregatorCAConfig", "aggregatorCA")?;
    let sa = match doc("KubeServiceAccountConfig") {
        Some(d) => get(d, &["issuer", "privateKey"])?.map(String::into_bytes),
        None => match get(v1, &["cluster", "serviceAccount", "key"])? {
            Some(k) => Some(b64("cluster.serviceAccount.key", Some(k))?),
            None => None,
        },
    };
    let mut secretbox = text(v1, &["cluster", "secretboxEncryptionSecret"])?.unwrap_or_default();
    let aescbc = text(v1, &["cluster", "aescbcEncryptionSecret"])?.unwrap_or_default();
    if let Some(enc) = doc("KubeEtcdEncryptionConfig") {
        // Talos compat: the first key of the first provider of the first resource block that
        // lists `secrets`, when that provider is secretbox (`bundle.go:177-255`).
        let block = enc
            .get("config")
            .and_then(|c| c.get("resources"))
            .and_then(Value::as_sequence)
            .and_then(|blocks| {
                blocks.iter().find(|b| {
                    b.get("resources")
                        .and_then(Value::as_sequence)
                        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some("secrets")))
                })
            });
        let key = block
            .and_then(|b| b.get("providers"))
            .and_then(Value::as_sequence)
            .and_then(|p| p.first())
            .and_then(|p| p.get("secretbox"))
            .and_then(|s| s.get("keys"))
            .and_then(Value::as_sequence)
            .and_then(|k| k.first())
            .and_then(|k| k.get("secret"));
        let path = ["KubeEtcdEncryptionConfig", "secretbox", "secret"];
        match key {
            Some(Value::String(k)) => secretbox = k.clone(),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => return Err(fail(unquoted(&path, v))),
            Some(v) if !v.is_null() => {
                return Err(fail(format!(
                    "{}: expected a string, found {}",
                    path.join("."),
                    kind_of(v)
                )))
            }
            _ => {}
        }
    }
    let (id, secret) = match doc("DiscoveryIdentityConfig") {
        Some(d) => (text(d, &["clusterID"])?, text(d, &["clusterSecret"])?),
        None => (
            text(v1, &["cluster", "id"])?,
            text(v1, &["cluster", "secret"])?,
        ),
    };
    Ok(SecretsBundle {
        cluster: Some(super::Cluster {
            id: id.unwrap_or_default(),
            secret: Zeroizing::new(secret.unwrap_or_default()),
        }),
        secrets: Some(Secrets {
            bootstrap_token: Zeroizing::new(text(v1, &["cluster", "token"])?.unwrap_or_default()),
            aescbc_encryption_secret: Zeroizing::new(aescbc),
            secretbox_encryption_secret: Zeroizing::new(secretbox),
        }),
        trustd_info: Some(super::TrustdInfo {
            token: Zeroizing::new(text(v1, &["machine", "token"])?.unwrap_or_default()),
        }),
        certs: Some(Certs {
            etcd,
            k8s,
            k8s_aggregator: aggregator,
            k8s_service_account: sa.map(|k| KeyOnly {
                key: Zeroizing::new(k),
            }),
            os,
        }),
    })
}

impl SecretsBundle {
    /// What a bundle rebuilt by [`from_controlplane_config`] lacks that Talos requires, in
    /// [`SecretsBundle::validate`]'s words (`certs.etcd is required`), without parsing any key or
    /// certificate: validation's presence checks, plus every empty certificate or key (a worker
    /// config carries `machine.ca.key: ""`). Empty when nothing is missing.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = self.problems(Depth::Presence);
        let Some(c) = &self.certs else {
            return missing;
        };
        let pairs = [
            ("etcd", &c.etcd),
            ("k8s", &c.k8s),
            ("k8saggregator", &c.k8s_aggregator),
            ("os", &c.os),
        ];
        for (name, pair) in pairs {
            let Some(pair) = pair else { continue };
            for (field, empty) in [("crt", pair.crt.is_empty()), ("key", pair.key.is_empty())] {
                if empty {
                    missing.push(format!("certs.{name}.{field} is required"));
                }
            }
        }
        if c.k8s_service_account
            .as_ref()
            .is_some_and(|k| k.key.is_empty())
        {
            missing.push("certs.k8sserviceaccount.key is required".into());
        }
        missing
    }
}
