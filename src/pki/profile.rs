//! The certificate profiles Talos uses (`spec/pki.md` §1.5, §2, §2.4). Each profile fixes the
//! subject shape and the extensions, in Go's order; [`super::issue`] is the only code that signs.

use std::net::IpAddr;

use crate::roles::RoleSet;

/// What kind of certificate to build.
#[derive(Clone, Debug)]
pub enum Profile {
    /// A self-signed CA as `NewSelfSignedCertificateAuthority` (`C:x509/certificate_authority.go`):
    /// subject `O=<organization>` (empty subject when `None`, as the aggregator CA), KU critical
    /// digitalSignature|keyCertSign, EKU serverAuth+clientAuth, BC critical cA, random 20-byte SKI,
    /// optional IP SANs (`gen keypair --ip`).
    Ca {
        /// The single Organization value, or none.
        organization: Option<String>,
        /// IP SANs.
        ips: Vec<IpAddr>,
    },
    /// A Talos API client certificate (`ca.go:66-86`): one multi-valued RDN of `O=<role>` values,
    /// DER-sorted; no CN; KU critical digitalSignature; EKU exactly clientAuth; AKI = CA's SKI.
    ApiClient {
        /// The roles, one Organization value each.
        roles: RoleSet,
    },
    /// A node's apid server certificate (`api.go:292-351`): CN = the node's name, DNS/IP SANs,
    /// KU critical digitalSignature, EKU exactly serverAuth, AKI.
    NodeServer {
        /// Common name (the node's FQDN).
        common_name: String,
        /// IP SANs.
        ips: Vec<IpAddr>,
        /// DNS SANs.
        dns: Vec<String>,
    },
    /// A certificate from a CSR (`talosctl gen crt`, `C:x509/certificate.go:27-84`): the CSR's
    /// subject bytes and SANs copied; KU digitalSignature; EKU clientAuth; AKI.
    FromCsr {
        /// The CSR's subject Name, DER.
        subject_der: Vec<u8>,
        /// IP SANs from the CSR.
        ips: Vec<IpAddr>,
        /// DNS SANs from the CSR.
        dns: Vec<String>,
    },
}

impl Profile {
    /// A CA with `O=<organization>`.
    pub fn ca(organization: &str) -> Self {
        Profile::Ca {
            organization: Some(organization.to_string()),
            ips: Vec::new(),
        }
    }

    /// A Talos API client certificate for `roles`.
    pub fn api_client(roles: &RoleSet) -> Self {
        Profile::ApiClient {
            roles: roles.clone(),
        }
    }

    /// Whether the profile is a CA.
    pub fn is_ca(&self) -> bool {
        matches!(self, Profile::Ca { .. })
    }
}
