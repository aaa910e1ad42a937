//! The roles a talosconfig credential carries, read as apid reads them
//! (`spec/roles-authz.md` §3.1, talos `pkg/grpc/middleware/authz/injector.go:121-133`): the
//! Organization values of the leaf certificate (the first `CERTIFICATE` block of the context's
//! `crt`, base64 of PEM, as talosctl's `tls.X509KeyPair` finds it), trimmed,
//! empty ones dropped, unknown ones kept.

use time::OffsetDateTime;

use super::AuthzError;
use crate::roles::RoleSet;

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
    /// Read the roles from the `crt` of context `context` (base64 of PEM, as talosconfig stores
    /// it).
    ///
    /// # Errors
    /// [`AuthzError::Certificate`] when `crt` is empty, not base64 or not a PEM certificate.
    pub fn from_crt(context: &str, crt: &str) -> Result<Self, AuthzError> {
        let problem = |problem: String| AuthzError::Certificate {
            context: context.to_string(),
            field: format!("contexts.{context}.crt"),
            problem,
        };
        if crt.trim().is_empty() {
            return Err(problem(
                "no client certificate: the context has no crt".into(),
            ));
        }
        let pem = crate::gobase64::decode(crt).map_err(|e| problem(format!("not base64: {e}")))?;
        // The leaf, found as talosctl's `tls.X509KeyPair` finds it (other blocks skipped).
        let (cert, _) =
            crate::verify::client_certificates(&pem).map_err(|e| problem(e.to_string()))?;
        Ok(Credential {
            context: context.to_string(),
            roles: RoleSet::parse_lenient(cert.organizations.iter().map(String::as_str)),
            not_before: cert.not_before,
            not_after: cert.not_after,
        })
    }
}
