//! Certificate signing requests as `talosctl gen csr` writes and `gen crt` reads them
//! (`spec/pki.md` §2.4, talos `cmd/talosctl/cmd/mgmt/gen/csr.go`, `crt.go`).

use std::net::IpAddr;

use der::asn1::{BitString, SetOfVec};
use der::{Decode, Encode};
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq, Version};
use x509_parser::prelude::FromDer;

use super::key::PrivateKey;
use super::{pem as pemx, PkiError};
use crate::roles::RoleSet;

/// A parsed, signature-checked CSR.
#[derive(Clone, Debug)]
pub struct Csr {
    /// Subject Name DER, copied as is into the certificate.
    pub subject_der: Vec<u8>,
    /// Organization values of the subject (the roles).
    pub organizations: Vec<String>,
    /// SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// Requested IP SANs.
    pub ip_sans: Vec<IpAddr>,
    /// Requested DNS SANs.
    pub dns_sans: Vec<String>,
}

/// Build a CSR PEM: subject `O=<roles>` (one RDN, no CN), SAN IP address `ip`, signed by `key`.
///
/// # Errors
/// Encoding or signing failures.
pub fn create(key: &PrivateKey, roles: &RoleSet, ip: IpAddr) -> Result<String, PkiError> {
    let subject = super::issue::organization_name(roles.iter().map(|r| r.as_str()))?;
    let san = super::issue::san(&[ip], &[])?;
    let mut attributes = SetOfVec::new();
    if let Some(san) = san {
        attributes.insert(x509_cert::attr::Attribute::try_from(ExtensionReq(vec![
            san,
        ]))?)?;
    }
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: spki::SubjectPublicKeyInfoOwned::from_der(&key.public_key_der()?)?,
        attributes,
    };
    let signature = key.sign(&info.to_der()?)?;
    let req = CertReq {
        info,
        algorithm: key.signature_algorithm(),
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(pemx::encode(pemx::CERTIFICATE_REQUEST, &req.to_der()?))
}

impl Csr {
    /// Parse a CSR PEM and verify its signature (`gen crt` refuses unverifiable CSRs).
    ///
    /// # Errors
    /// [`PkiError::NoPem`], [`PkiError::WrongPemType`], [`PkiError::BadCsr`].
    pub fn from_pem(text: &[u8]) -> Result<Self, PkiError> {
        let (label, der) = pemx::decode_first(text)?;
        if label != pemx::CERTIFICATE_REQUEST {
            return Err(PkiError::WrongPemType {
                expected: pemx::CERTIFICATE_REQUEST,
                found: super::describe_label(&label),
            });
        }
        let bad = |e: String| PkiError::BadCsr(e);
        let (_, req) = x509_parser::certification_request::X509CertificationRequest::from_der(&der)
            .map_err(|e| bad(e.to_string()))?;
        super::cert::verify_signature(
            &req.certification_request_info.subject_pki,
            &req.signature_algorithm,
            &req.signature_value,
            req.certification_request_info.raw,
        )
        .map_err(|e| bad(format!("signature does not verify: {e}")))?;
        let info = &req.certification_request_info;
        let mut ip_sans = Vec::new();
        let mut dns_sans = Vec::new();
        if let Some(exts) = req.requested_extensions() {
            for ext in exts {
                if let x509_parser::extensions::ParsedExtension::SubjectAlternativeName(san) = ext {
                    for n in &san.general_names {
                        match n {
                            x509_parser::extensions::GeneralName::IPAddress(b) => match b.len() {
                                4 => ip_sans.extend(<[u8; 4]>::try_from(*b).ok().map(IpAddr::from)),
                                16 => {
                                    ip_sans.extend(<[u8; 16]>::try_from(*b).ok().map(IpAddr::from))
                                }
                                _ => {}
                            },
                            x509_parser::extensions::GeneralName::DNSName(d) => {
                                dns_sans.push((*d).to_string());
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(Csr {
            subject_der: info.subject.as_raw().to_vec(),
            organizations: info
                .subject
                .iter_organization()
                .filter_map(|a| a.as_str().ok().map(str::to_string))
                .collect(),
            spki_der: info.subject_pki.raw.to_vec(),
            ip_sans,
            dns_sans,
        })
    }
}
