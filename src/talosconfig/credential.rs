//! A talosconfig holding one freshly issued credential: what `config new` and roster issuance
//! write.

use base64::Engine;
use zeroize::Zeroizing;

use super::{Config, Context};
use crate::pki::{IssuedCert, PkiError};

/// Where the credential points and what it is called.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// The context name.
    pub context: String,
    /// API endpoints.
    pub endpoints: Vec<String>,
    /// Default nodes.
    pub nodes: Vec<String>,
}

/// A one-context talosconfig (current context set) for `issued`, trusting `ca_pem`.
///
/// # Errors
/// [`PkiError`] when the issued certificate carries no key or the key cannot be encoded.
pub fn single(ca_pem: &[u8], issued: &IssuedCert, target: &Target) -> Result<Config, PkiError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = issued
        .key
        .as_ref()
        .ok_or_else(|| PkiError::Encoding("the certificate was issued without a key".into()))?;
    let context = Context {
        endpoints: target.endpoints.clone(),
        nodes: target.nodes.clone(),
        ca: b64.encode(ca_pem),
        crt: b64.encode(issued.cert_pem.as_bytes()),
        key: Zeroizing::new(b64.encode(key.to_pem()?.as_bytes())),
        ..Context::default()
    };
    Ok(Config {
        context: target.context.clone(),
        contexts: vec![(target.context.clone(), context)],
    })
}

/// [`single`] rendered as the YAML talosctl writes (zeroized on drop).
///
/// # Errors
/// As [`single`].
pub fn single_yaml(
    ca_pem: &[u8],
    issued: &IssuedCert,
    target: &Target,
) -> Result<Zeroizing<String>, PkiError> {
    let config = single(ca_pem, issued, target)?;
    Ok(crate::yaml::emit_secret(config.to_node()))
}
