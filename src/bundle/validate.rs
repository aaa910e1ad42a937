//! Bundle validation as `Bundle.Validate` does it (`bundle.go:432-521`, `spec/pki.md` §1.6): every
//! problem is collected, in Talos's order, and printed in hashicorp multierror's format.

use std::fmt;

use super::{CertAndKey, SecretsBundle};
use crate::pki::{CaKeyPair, Certificate, PkiError, PrivateKey};

/// Every problem a bundle has, in Talos's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<String>);

impl fmt::Display for ValidationErrors {
    /// hashicorp/go-multierror's text: `N errors occurred:\n\t* e1\n\t* e2\n\n`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        if n == 1 {
            writeln!(f, "1 error occurred:")?;
        } else {
            writeln!(f, "{n} errors occurred:")?;
        }
        for e in &self.0 {
            writeln!(f, "\t* {e}")?;
        }
        writeln!(f)
    }
}

impl std::error::Error for ValidationErrors {}

/// Key first, then certificate: only parseability, as Talos.
fn check_cert_and_key(ck: &CertAndKey) -> Result<(), PkiError> {
    PrivateKey::from_pem(&ck.key)?;
    Certificate::from_pem(&ck.crt)?;
    Ok(())
}

/// The OS CA, parsed in [`check_cert_and_key`]'s order, its key checked against its certificate.
pub(super) fn os_ca(ck: &CertAndKey) -> Result<CaKeyPair, PkiError> {
    let key = PrivateKey::from_pem(&ck.key)?;
    CaKeyPair::new(Certificate::from_pem(&ck.crt)?, key)
}

/// How far [`SecretsBundle::problems`] looks into the keys and certificates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Depth {
    /// Parse every key and certificate, as Talos does.
    Full,
    /// Only check that each is present: for commands that use none of them but the OS CA, which
    /// they parse and check themselves.
    Presence,
}

impl SecretsBundle {
    /// Validate as Talos does for a contract with Kubernetes and etcd enabled.
    ///
    /// # Errors
    /// [`ValidationErrors`] listing every problem.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let errs = self.problems(Depth::Full);
        if errs.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errs))
        }
    }

    /// Every problem, in Talos's order.
    pub(super) fn problems(&self, depth: Depth) -> Vec<String> {
        let full = depth == Depth::Full;
        let mut errs = Vec::new();
        match &self.cluster {
            None => errs.push("cluster is required".to_string()),
            Some(c) => {
                if c.id.is_empty() {
                    errs.push("cluster.id is required".into());
                }
                if c.secret.is_empty() {
                    errs.push("cluster.secret is required".into());
                }
            }
        }
        match &self.secrets {
            None => errs.push("secrets is required".into()),
            Some(s) => {
                if s.bootstrap_token.is_empty() {
                    errs.push("secrets.bootstraptoken is required".into());
                }
                let list = "[secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret]";
                match (
                    s.secretbox_encryption_secret.is_empty(),
                    s.aescbc_encryption_secret.is_empty(),
                ) {
                    (true, true) => errs.push(format!("one of {list} is required")),
                    (false, false) => errs.push(format!("only one of {list} is allowed")),
                    _ => {}
                }
            }
        }
        match &self.trustd_info {
            None => errs.push("trustdinfo is required".into()),
            Some(t) if t.token.is_empty() => errs.push("trustdinfo.token is required".into()),
            Some(_) => {}
        }
        match &self.certs {
            None => errs.push("certs is required".into()),
            Some(c) => {
                for (name, ck) in [
                    ("etcd", &c.etcd),
                    ("k8s", &c.k8s),
                    ("k8saggregator", &c.k8s_aggregator),
                ] {
                    match ck {
                        None => errs.push(format!("certs.{name} is required")),
                        Some(ck) if full => {
                            if let Err(e) = check_cert_and_key(ck) {
                                errs.push(format!("certs.{name} is invalid: {e}"));
                            }
                        }
                        Some(_) => {}
                    }
                }
                match &c.k8s_service_account {
                    None => errs.push("certs.k8sserviceaccount is required".into()),
                    Some(k) if full => {
                        if let Err(e) = PrivateKey::from_pem(&k.key) {
                            errs.push(format!("certs.k8sserviceaccount.key is invalid: {e}"));
                        }
                    }
                    Some(_) => {}
                }
                match &c.os {
                    None => errs.push("certs.os is required".into()),
                    Some(ck) if full => {
                        if let Err(e) = check_cert_and_key(ck) {
                            errs.push(format!("certs.os is invalid: {e}"));
                        }
                    }
                    Some(_) => {}
                }
            }
        }
        errs
    }
}
