//! The secrets bundle fields machine configurations carry, as the documents write them:
//! base64 of the PEM in v1alpha1 (`x509.PEMEncodedCertificateAndKey` marshals its bytes as
//! base64), raw PEM text in the multi-documents.

use base64::Engine;

use super::s;
use crate::bundle::{CertAndKey, SecretsBundle};
use crate::machineconfig::Error;
use crate::yaml::Node;

/// base64 (standard, padded) of bytes.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// PEM bytes as text.
pub(crate) fn pem_text(bytes: &[u8], field: &'static str) -> Result<String, Error> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::BadValue {
        what: field,
        value: "(not UTF-8 PEM)".into(),
    })
}

fn certs(b: &SecretsBundle) -> Result<&crate::bundle::Certs, Error> {
    b.certs.as_ref().ok_or(Error::MissingSecret("certs"))
}

/// The OS (Talos API) CA.
pub(crate) fn os(b: &SecretsBundle) -> Result<&CertAndKey, Error> {
    certs(b)?
        .os
        .as_ref()
        .ok_or(Error::MissingSecret("certs.os"))
}

/// The etcd CA.
pub(crate) fn etcd(b: &SecretsBundle) -> Result<&CertAndKey, Error> {
    certs(b)?
        .etcd
        .as_ref()
        .ok_or(Error::MissingSecret("certs.etcd"))
}

/// The Kubernetes CA.
pub(crate) fn k8s(b: &SecretsBundle) -> Result<&CertAndKey, Error> {
    certs(b)?
        .k8s
        .as_ref()
        .ok_or(Error::MissingSecret("certs.k8s"))
}

/// The aggregator (front-proxy) CA.
pub(crate) fn aggregator(b: &SecretsBundle) -> Result<&CertAndKey, Error> {
    certs(b)?
        .k8s_aggregator
        .as_ref()
        .ok_or(Error::MissingSecret("certs.k8saggregator"))
}

/// The service-account key PEM.
pub(crate) fn service_account_key(b: &SecretsBundle) -> Result<&[u8], Error> {
    certs(b)?
        .k8s_service_account
        .as_ref()
        .map(|k| k.key.as_slice())
        .ok_or(Error::MissingSecret("certs.k8sserviceaccount"))
}

/// `cluster.id` and `cluster.secret`.
pub(crate) fn cluster(b: &SecretsBundle) -> Result<(&str, &str), Error> {
    let c = b.cluster.as_ref().ok_or(Error::MissingSecret("cluster"))?;
    Ok((c.id.as_str(), c.secret.as_str()))
}

/// The Kubernetes bootstrap token.
pub(crate) fn bootstrap_token(b: &SecretsBundle) -> Result<&str, Error> {
    Ok(b.secrets
        .as_ref()
        .ok_or(Error::MissingSecret("secrets"))?
        .bootstrap_token
        .as_str())
}

/// The secretbox and AES-CBC encryption secrets (either may be empty).
pub(crate) fn encryption_secrets(b: &SecretsBundle) -> Result<(&str, &str), Error> {
    let x = b.secrets.as_ref().ok_or(Error::MissingSecret("secrets"))?;
    Ok((
        x.secretbox_encryption_secret.as_str(),
        x.aescbc_encryption_secret.as_str(),
    ))
}

/// The trustd token.
pub(crate) fn trustd_token(b: &SecretsBundle) -> Result<&str, Error> {
    Ok(b.trustd_info
        .as_ref()
        .ok_or(Error::MissingSecret("trustdinfo"))?
        .token
        .as_str())
}

/// `{crt, key}` as base64, `key: ""` when stripped (worker).
pub(crate) fn cert_and_key_b64(ck: &CertAndKey, with_key: bool) -> Node {
    let key = if with_key {
        b64(&ck.key)
    } else {
        String::new()
    };
    Node::map([("crt", s(b64(&ck.crt))), ("key", s(key))])
}
