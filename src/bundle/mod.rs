//! The Talos secrets bundle, `secrets.yaml` (`spec/pki.md` §1; talos
//! `pkg/machinery/config/generate/secrets/{secrets,bundle}.go`).
//!
//! - [`SecretsBundle::parse`] reads any bundle talosctl wrote (unknown keys ignored);
//! - [`SecretsBundle::validate`] checks it as `Bundle.Validate` does and reports every problem in
//!   talosctl's multierror text;
//! - [`SecretsBundle::generate`] makes a fresh one for a version contract;
//! - [`SecretsBundle::to_yaml`] writes it exactly as `talosctl gen secrets` does.
//!
//! PEM values are kept as the bytes the file holds (base64-decoded), so a loaded bundle re-serializes
//! byte for byte.

mod generate;
mod import;
mod validate;

use std::fmt;

use base64::Engine;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::pki::{CaKeyPair, PkiError};
use crate::yaml::Node;

pub use import::{from_controlplane_config, KubernetesPki};
pub use validate::ValidationErrors;

/// The ten years every bundle CA is valid for (`CAValidityTime`, `secrets.go:15`).
pub const CA_VALIDITY_HOURS: u64 = 87600;

/// A secrets bundle. Every field mirrors `secrets.Bundle`; `None` is Go's nil pointer.
#[derive(Default)]
pub struct SecretsBundle {
    /// `cluster:`.
    pub cluster: Option<Cluster>,
    /// `secrets:`.
    pub secrets: Option<Secrets>,
    /// `trustdinfo:`.
    pub trustd_info: Option<TrustdInfo>,
    /// `certs:`.
    pub certs: Option<Certs>,
}

/// `cluster:` — the discovery identity.
#[derive(Default)]
pub struct Cluster {
    /// `id` (base64 of 32 random bytes; std, as talosctl writes it today; Talos releases before
    /// 1.14 wrote URL-safe ids, which load as they are).
    pub id: String,
    /// `secret` (std base64 of 32 random bytes).
    pub secret: Zeroizing<String>,
}

/// `secrets:` — Kubernetes secrets.
#[derive(Default)]
pub struct Secrets {
    /// `bootstraptoken` (`[0-9a-z]{6}.[0-9a-z]{16}`).
    pub bootstrap_token: Zeroizing<String>,
    /// `aescbcencryptionsecret` (contracts ≤ v1.2), omitted when empty.
    pub aescbc_encryption_secret: Zeroizing<String>,
    /// `secretboxencryptionsecret` (contracts > v1.2), omitted when empty.
    pub secretbox_encryption_secret: Zeroizing<String>,
}

/// `trustdinfo:`.
#[derive(Default)]
pub struct TrustdInfo {
    /// `token` (`[0-9a-z]{6}.[0-9a-z]{16}`).
    pub token: Zeroizing<String>,
}

/// `certs:` — the CAs and the service-account key, as PEM bytes.
#[derive(Default)]
pub struct Certs {
    /// `etcd` CA.
    pub etcd: Option<CertAndKey>,
    /// `k8s` (Kubernetes) CA.
    pub k8s: Option<CertAndKey>,
    /// `k8saggregator` (front-proxy) CA.
    pub k8s_aggregator: Option<CertAndKey>,
    /// `k8sserviceaccount` key.
    pub k8s_service_account: Option<KeyOnly>,
    /// `os` (Talos API) CA.
    pub os: Option<CertAndKey>,
}

/// A certificate and its key, PEM bytes as stored in the bundle.
#[derive(Default, Clone)]
pub struct CertAndKey {
    /// Certificate PEM.
    pub crt: Vec<u8>,
    /// Private key PEM; secret.
    pub key: Zeroizing<Vec<u8>>,
}

/// A key alone, PEM bytes.
#[derive(Default, Clone)]
pub struct KeyOnly {
    /// Private key PEM; secret.
    pub key: Zeroizing<Vec<u8>>,
}

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The file could not be read (missing, unreadable); the OS's reason.
    #[error("cannot read the file: {0}")]
    Read(String),
    /// Not YAML, or not shaped like a bundle.
    #[error("not a secrets bundle: {0}: expected the YAML that `talmint gen secrets` writes")]
    Parse(String),
    /// A base64 field does not decode (the field is named, never its content).
    #[error("field {field}: {reason}: the value must be the base64 of a PEM block")]
    Base64 {
        /// Dotted field path, e.g. `certs.os.key`.
        field: String,
        /// What the decoder said.
        reason: String,
    },
    /// Validation found problems (talosctl's multierror text).
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// A key or certificate problem in a named field.
    #[error("{field}: {source}")]
    Pki {
        /// Dotted field path.
        field: String,
        /// The PKI error.
        #[source]
        source: PkiError,
    },
}

#[derive(Deserialize, Default)]
#[serde(
    default,
    expecting = "a secrets bundle mapping (cluster, secrets, trustdinfo, certs)"
)]
struct RawBundle {
    cluster: Option<RawCluster>,
    secrets: Option<RawSecrets>,
    trustdinfo: Option<RawTrustd>,
    certs: Option<RawCerts>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a mapping with id and secret")]
struct RawCluster {
    id: Option<String>,
    secret: Option<Zeroizing<String>>,
}

#[derive(Deserialize, Default)]
#[serde(
    default,
    expecting = "a mapping of the cluster's tokens and encryption secrets"
)]
struct RawSecrets {
    bootstraptoken: Option<Zeroizing<String>>,
    aescbcencryptionsecret: Option<Zeroizing<String>>,
    secretboxencryptionsecret: Option<Zeroizing<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a mapping with token")]
struct RawTrustd {
    token: Option<Zeroizing<String>>,
}

#[derive(Deserialize, Default)]
#[serde(
    default,
    expecting = "a mapping of the CAs (etcd, k8s, k8saggregator, k8sserviceaccount, os)"
)]
struct RawCerts {
    etcd: Option<RawCertKey>,
    k8s: Option<RawCertKey>,
    k8saggregator: Option<RawCertKey>,
    k8sserviceaccount: Option<RawCertKey>,
    os: Option<RawCertKey>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a mapping with crt and key")]
struct RawCertKey {
    crt: Option<String>,
    key: Option<Zeroizing<String>>,
}

/// Talos keeps the literal `******` (a redacted value) instead of decoding it (`C:x509/x509.go:20`).
const REDACTED: &str = "******";

fn decode_b64(field: &str, value: Option<&str>) -> Result<Zeroizing<Vec<u8>>, BundleError> {
    let value = value.unwrap_or_default();
    if value == REDACTED {
        return Ok(Zeroizing::new(value.as_bytes().to_vec()));
    }
    crate::gobase64::decode(value).map_err(|e| BundleError::Base64 {
        field: field.to_string(),
        reason: e.to_string(),
    })
}

fn encode_b64(bytes: &[u8]) -> Zeroizing<String> {
    if bytes == REDACTED.as_bytes() {
        return Zeroizing::new(REDACTED.to_string());
    }
    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(bytes))
}

impl SecretsBundle {
    /// Parse a bundle. Only shape and base64 are checked here; see [`Self::validate`].
    ///
    /// # Errors
    /// [`BundleError::Parse`] or [`BundleError::Base64`] naming the field.
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        crate::yaml::check_nesting(text).map_err(BundleError::Parse)?;
        let raw: Option<RawBundle> = serde_yaml::from_str(text).map_err(|e| {
            // The values are secrets: say where and what kind, never what.
            BundleError::Parse(crate::yaml::parse::without_values(&e.to_string()))
        })?;
        let raw = raw.ok_or_else(|| BundleError::Parse("the file is empty".into()))?;
        if raw.cluster.is_none()
            && raw.secrets.is_none()
            && raw.trustdinfo.is_none()
            && raw.certs.is_none()
        {
            return Err(BundleError::Parse(
                "none of cluster, secrets, trustdinfo, certs is present".into(),
            ));
        }
        let cert_key =
            |name: &str, v: Option<RawCertKey>| -> Result<Option<CertAndKey>, BundleError> {
                v.map(|ck| {
                    Ok(CertAndKey {
                        crt: decode_b64(&format!("certs.{name}.crt"), ck.crt.as_deref())?.to_vec(),
                        key: decode_b64(
                            &format!("certs.{name}.key"),
                            ck.key.as_deref().map(String::as_str),
                        )?,
                    })
                })
                .transpose()
            };
        let certs = raw
            .certs
            .map(|c| -> Result<Certs, BundleError> {
                Ok(Certs {
                    etcd: cert_key("etcd", c.etcd)?,
                    k8s: cert_key("k8s", c.k8s)?,
                    k8s_aggregator: cert_key("k8saggregator", c.k8saggregator)?,
                    k8s_service_account: c
                        .k8sserviceaccount
                        .map(|k| -> Result<KeyOnly, BundleError> {
                            Ok(KeyOnly {
                                key: decode_b64(
                                    "certs.k8sserviceaccount.key",
                                    k.key.as_deref().map(String::as_str),
                                )?,
                            })
                        })
                        .transpose()?,
                    os: cert_key("os", c.os)?,
                })
            })
            .transpose()?;
        let z = |s: Option<Zeroizing<String>>| s.unwrap_or_else(|| Zeroizing::new(String::new()));
        Ok(SecretsBundle {
            cluster: raw.cluster.map(|c| Cluster {
                id: c.id.unwrap_or_default(),
                secret: z(c.secret),
            }),
            secrets: raw.secrets.map(|s| Secrets {
                bootstrap_token: z(s.bootstraptoken),
                aescbc_encryption_secret: z(s.aescbcencryptionsecret),
                secretbox_encryption_secret: z(s.secretboxencryptionsecret),
            }),
            trustd_info: raw.trustdinfo.map(|t| TrustdInfo { token: z(t.token) }),
            certs,
        })
    }

    /// Read and validate the bundle at `path` (the file is read into a zeroized buffer).
    ///
    /// # Errors
    /// [`BundleError`] for unreadable, unparsable or invalid bundles; the caller adds the path.
    pub fn load(path: &std::path::Path) -> Result<Self, BundleError> {
        let bundle = Self::parse(&read_text(path)?)?;
        bundle.validate().map_err(BundleError::Invalid)?;
        Ok(bundle)
    }

    /// Read the bundle at `path` to issue OS credentials from it: validated as [`Self::load`]
    /// does, except that of the keys and certificates only the OS CA's are parsed (and checked to
    /// belong together). The Kubernetes and etcd ones are left to the commands that use them.
    ///
    /// # Errors
    /// As [`Self::load`].
    pub fn load_os_ca(path: &std::path::Path) -> Result<(Self, CaKeyPair), BundleError> {
        let bundle = Self::parse(&read_text(path)?)?;
        let mut errs = bundle.problems(validate::Depth::Presence);
        let os = bundle.certs.as_ref().and_then(|c| c.os.as_ref());
        match os.map(validate::os_ca) {
            Some(Ok(ca)) if errs.is_empty() => return Ok((bundle, ca)),
            Some(Err(e)) => errs.push(format!("certs.os is invalid: {e}")),
            _ => {}
        }
        Err(BundleError::Invalid(ValidationErrors(errs)))
    }

    /// The YAML tree `talosctl gen secrets` marshals (struct order, nil pointers as `null`).
    /// Holds secrets: emit it into a `Zeroizing` buffer (see [`Self::to_yaml`]).
    pub fn to_node(&self) -> Node {
        let s = |v: &str| Node::str(v.to_string());
        let cert_key = |ck: &Option<CertAndKey>| match ck {
            None => Node::Null,
            Some(ck) => Node::map([
                ("crt", Node::str(encode_b64(&ck.crt).to_string())),
                ("key", Node::str(encode_b64(&ck.key).to_string())),
            ]),
        };
        let cluster = match &self.cluster {
            None => Node::Null,
            Some(c) => Node::map([("id", s(&c.id)), ("secret", s(&c.secret))]),
        };
        let secrets = match &self.secrets {
            None => Node::Null,
            Some(x) => {
                let mut m = vec![("bootstraptoken".to_string(), s(&x.bootstrap_token))];
                if !x.aescbc_encryption_secret.is_empty() {
                    m.push((
                        "aescbcencryptionsecret".into(),
                        s(&x.aescbc_encryption_secret),
                    ));
                }
                if !x.secretbox_encryption_secret.is_empty() {
                    m.push((
                        "secretboxencryptionsecret".into(),
                        s(&x.secretbox_encryption_secret),
                    ));
                }
                Node::Map(m)
            }
        };
        let trustd = match &self.trustd_info {
            None => Node::Null,
            Some(t) => Node::map([("token", s(&t.token))]),
        };
        let certs = match &self.certs {
            None => Node::Null,
            Some(c) => Node::map([
                ("etcd", cert_key(&c.etcd)),
                ("k8s", cert_key(&c.k8s)),
                ("k8saggregator", cert_key(&c.k8s_aggregator)),
                (
                    "k8sserviceaccount",
                    match &c.k8s_service_account {
                        None => Node::Null,
                        Some(k) => Node::map([("key", Node::str(encode_b64(&k.key).to_string()))]),
                    },
                ),
                ("os", cert_key(&c.os)),
            ]),
        };
        Node::map([
            ("cluster", cluster),
            ("secrets", secrets),
            ("trustdinfo", trustd),
            ("certs", certs),
        ])
    }

    /// The bundle as `talosctl gen secrets` writes it (go-yaml, 4-space indent).
    pub fn to_yaml(&self) -> Zeroizing<String> {
        crate::yaml::emit_secret(self.to_node())
    }

    /// The OS CA certificate's PEM as the bundle holds it (empty without one): the `ca` of the
    /// talosconfigs issued from it.
    pub fn os_ca_pem(&self) -> &[u8] {
        self.certs
            .as_ref()
            .and_then(|c| c.os.as_ref())
            .map_or(&[], |os| os.crt.as_slice())
    }

    /// The OS (Talos API) CA with its key, ready to issue client certificates.
    ///
    /// # Errors
    /// [`BundleError::Pki`] naming `certs.os` when it is missing, unparsable, not a CA or its key
    /// does not match.
    pub fn os_ca(&self) -> Result<CaKeyPair, BundleError> {
        let os = self
            .certs
            .as_ref()
            .and_then(|c| c.os.as_ref())
            .ok_or_else(|| BundleError::Parse("certs.os is required".into()))?;
        let key = crate::pki::PrivateKey::from_pem(&os.key).map_err(|source| BundleError::Pki {
            field: "certs.os.key".into(),
            source,
        })?;
        let cert =
            crate::pki::Certificate::from_pem(&os.crt).map_err(|source| BundleError::Pki {
                field: "certs.os.crt".into(),
                source,
            })?;
        CaKeyPair::new(cert, key).map_err(|source| BundleError::Pki {
            field: "certs.os".into(),
            source,
        })
    }
}

/// The bundle file's text, in a zeroized buffer.
fn read_text(path: &std::path::Path) -> Result<Zeroizing<String>, BundleError> {
    let text = std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| BundleError::Read(e.to_string()))?;
    if text.trim().is_empty() {
        return Err(BundleError::Parse("the file is empty".into()));
    }
    Ok(text)
}

impl fmt::Debug for SecretsBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretsBundle")
            .field("cluster_id", &self.cluster.as_ref().map(|c| c.id.as_str()))
            .finish_non_exhaustive()
    }
}
