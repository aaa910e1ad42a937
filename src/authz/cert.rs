//! The roles a talosconfig credential carries, read as apid reads them
//! (`spec/roles-authz.md` §3.1, talos `pkg/grpc/middleware/authz/injector.go:121-133`): the
//! Organization values of the leaf certificate (the first `CERTIFICATE` block of the context's
//! `crt`), trimmed, empty ones dropped, unknown ones kept.
//!
//! Small on purpose: only what `auth can-i` needs. Certificate handling proper lives in `pki`.

use std::path::Path;

use base64::Engine as _;
use time::OffsetDateTime;

use super::AuthzError;
use crate::roles::RoleSet;
use crate::talosconfig::Config;

/// A client certificate's roles and validity.
#[derive(Clone, Debug)]
pub struct Credential {
    /// The context the certificate came from.
    pub context: String,
    /// Roles from the Organization values.
    pub roles: RoleSet,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

impl Credential {
    /// Read the roles from a context's `crt` (base64 of PEM, as talosconfig stores it).
    ///
    /// # Errors
    /// [`AuthzError::Certificate`] when `crt` is empty, not base64, not PEM or not X.509.
    pub fn from_crt(context: &str, crt: &str) -> Result<Self, AuthzError> {
        let problem = |problem: &str| AuthzError::Certificate {
            context: context.to_string(),
            field: format!("contexts.{context}.crt"),
            problem: problem.to_string(),
        };
        if crt.trim().is_empty() {
            return Err(problem("no client certificate: the context has no crt"));
        }
        let pem_text = base64::engine::general_purpose::STANDARD
            .decode(crt.trim())
            .map_err(|e| problem(&format!("not base64: {e}")))?;
        let blocks = pem::parse_many(&pem_text).map_err(|e| problem(&format!("not PEM: {e}")))?;
        let leaf = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .ok_or_else(|| problem("no CERTIFICATE block"))?;
        let (_, cert) = x509_parser::parse_x509_certificate(leaf.contents())
            .map_err(|e| problem(&format!("not an X.509 certificate: {e}")))?;
        // Talos compat: Go's pkix keeps string-typed values only; x509-parser reads the same
        // string types Talos's certificates use (UTF8String, PrintableString).
        let organization: Vec<&str> = cert
            .subject()
            .iter_organization()
            .filter_map(|a| a.as_str().ok())
            .collect();
        let time =
            |t: i64| OffsetDateTime::from_unix_timestamp(t).map_err(|e| problem(&e.to_string()));
        Ok(Credential {
            context: context.to_string(),
            roles: RoleSet::parse_lenient(organization),
            not_before: time(cert.validity().not_before.timestamp())?,
            not_after: time(cert.validity().not_after.timestamp())?,
        })
    }
}

/// The credential of context `context` (or the current one) in the talosconfig at `path`.
///
/// # Errors
/// [`AuthzError::Talosconfig`] when the file cannot be read or parsed or the context is missing;
/// [`AuthzError::Certificate`] as [`Credential::from_crt`].
pub fn credential(path: &Path, context: Option<&str>) -> Result<Credential, AuthzError> {
    let fail = |problem: String| AuthzError::Talosconfig {
        path: path.display().to_string(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let config = Config::parse(&text).map_err(|e| fail(e.to_string()))?;
    let (name, ctx) = config.selected(context).map_err(|e| fail(e.to_string()))?;
    Credential::from_crt(name, &ctx.crt)
}
