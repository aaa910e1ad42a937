//! The only code that builds and signs certificates.
//!
//! Built with x509-cert's typed structures (rcgen 0.14 cannot put several Organization values in one
//! RDN, rustls/rcgen#81), DER-encoded by `der`, signed by the key's own crate. The issuer Name is
//! the CA certificate's subject bytes, decoded and re-encoded only after checking the round trip is
//! byte-identical: Go rejects a re-encoded issuer (e.g. UTF8String where the CA has
//! PrintableString).

use std::fmt;
use std::net::IpAddr;

use der::asn1::{BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode, Tag, Tagged};
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate as X509, TbsCertificate, Version};
use zeroize::Zeroizing;

use super::cert::Certificate;
use super::key::{KeyAlgorithm, PrivateKey};
use super::profile::Profile;
use super::ttl::Ttl;
use super::PkiError;

const OID_O: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_KU: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_EKU: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_BC: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_SKI: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_AKI: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.35");
const OID_SAN: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_SERVER_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const OID_CLIENT_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// A CA certificate with its private key, parsed once and reused for every issue.
pub struct CaKeyPair {
    cert: Certificate,
    cert_pem: String,
    /// The CA subject as a Name, checked to re-encode to the same bytes (the issuer of every
    /// certificate this CA signs).
    issuer_name: Name,
    key: PrivateKey,
}

/// When an issued certificate is valid: NotBefore = `now - backdate`, NotAfter = `now + ttl`.
/// talosctl does not back-date (`backdate` 0); a back-dated NotBefore helps nodes whose clock is slow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The issuing time.
    pub now: OffsetDateTime,
    /// How long from `now` the certificate stays valid.
    pub ttl: Ttl,
    /// Seconds NotBefore is set before `now`.
    pub backdate_secs: u64,
}

impl Window {
    /// Valid from `now` for `ttl`, no back-dating.
    pub fn new(now: OffsetDateTime, ttl: Ttl) -> Self {
        Window {
            now: now.replace_nanosecond(0).unwrap_or(now),
            ttl,
            backdate_secs: 0,
        }
    }

    /// The same window with NotBefore `secs` earlier.
    pub fn backdated(self, secs: u64) -> Self {
        Window {
            backdate_secs: secs,
            ..self
        }
    }

    /// NotBefore (the earliest time representable when the back-dating reaches past it; see
    /// [`Self::check_range`]).
    pub fn not_before(&self) -> OffsetDateTime {
        self.now
            .checked_sub(Ttl::from_secs(self.backdate_secs).duration())
            .unwrap_or(time::PrimitiveDateTime::MIN.assume_utc())
    }

    /// NotAfter (the latest time representable when the TTL reaches past it; see
    /// [`Self::check_range`]).
    pub fn not_after(&self) -> OffsetDateTime {
        self.now
            .checked_add(self.ttl.duration())
            .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
    }

    /// Whether a certificate can hold this window: X.509 times are encoded here from 1970 (the
    /// UNIX epoch) to 9999-12-31T23:59:59Z (RFC 5280's latest time).
    ///
    /// # Errors
    /// [`PkiError::WindowOutOfRange`], saying which flag to change.
    pub fn check_range(&self) -> Result<(), PkiError> {
        let latest = time::macros::datetime!(9999-12-31 23:59:59 UTC);
        if self.not_before() < OffsetDateTime::UNIX_EPOCH {
            return Err(PkiError::WindowOutOfRange(format!(
                "back-dating by {} puts NotBefore before 1970-01-01T00:00:00Z, the earliest time a certificate can start: use a smaller --backdate",
                Ttl::from_secs(self.backdate_secs)
            )));
        }
        if self.not_after() > latest {
            return Err(PkiError::WindowOutOfRange(format!(
                "TTL {} puts NotAfter past 9999-12-31T23:59:59Z, the latest time a certificate can hold: use a shorter TTL",
                self.ttl
            )));
        }
        Ok(())
    }
}

/// A CA that could not be read from files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file cannot be read.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// The file's content is wrong.
    #[error("{path}: {source}")]
    Pki {
        /// The file.
        path: String,
        /// What is wrong.
        #[source]
        source: Box<PkiError>,
    },
    /// The certificate and key do not form a CA pair.
    #[error("CA {crt} with key {key}: {source}")]
    Pair {
        /// Certificate file.
        crt: String,
        /// Key file.
        key: String,
        /// What is wrong.
        #[source]
        source: Box<PkiError>,
    },
}

/// A freshly issued certificate and, when talmint generated it, its key.
pub struct IssuedCert {
    /// The certificate, parsed.
    pub cert: Certificate,
    /// The certificate as PEM.
    pub cert_pem: String,
    /// The subject's private key (absent for CSR-based issues).
    pub key: Option<PrivateKey>,
}

impl CaKeyPair {
    /// Load a CA from PEM: the certificate must be a CA and the key must match it.
    ///
    /// # Errors
    /// Parse errors, [`PkiError::NotCa`], [`PkiError::KeyMismatch`].
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, PkiError> {
        let key = PrivateKey::from_pem(key_pem)?;
        let cert = Certificate::from_pem(cert_pem)?;
        Self::new(cert, key)
    }

    /// Read a CA from a certificate file and a key file; returns the pair and the certificate
    /// file's bytes. Errors name the file.
    ///
    /// # Errors
    /// [`LoadError`] naming the file that is unreadable or wrong.
    pub fn load(
        crt: &std::path::Path,
        key: &std::path::Path,
    ) -> Result<(Self, Vec<u8>), LoadError> {
        let err = |path: &std::path::Path, source: PkiError| LoadError::Pki {
            path: path.display().to_string(),
            source: Box::new(source),
        };
        let io = |path: &std::path::Path, e: std::io::Error| LoadError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let crt_bytes = std::fs::read(crt).map_err(|e| io(crt, e))?;
        let key_bytes = std::fs::read(key)
            .map(Zeroizing::new)
            .map_err(|e| io(key, e))?;
        let cert = Certificate::from_pem(&crt_bytes).map_err(|e| err(crt, e))?;
        let private = PrivateKey::from_pem(&key_bytes).map_err(|e| err(key, e))?;
        let pair = Self::new(cert, private).map_err(|source| LoadError::Pair {
            crt: crt.display().to_string(),
            key: key.display().to_string(),
            source: Box::new(source),
        })?;
        Ok((pair, crt_bytes))
    }

    /// Pair a parsed CA certificate with its key.
    ///
    /// # Errors
    /// [`PkiError::NotCa`], [`PkiError::KeyMismatch`].
    pub fn new(cert: Certificate, key: PrivateKey) -> Result<Self, PkiError> {
        if !cert.is_ca {
            return Err(PkiError::NotCa);
        }
        if key.public_key_der()? != cert.spki_der {
            return Err(PkiError::KeyMismatch);
        }
        let cert_pem = cert.to_pem();
        let issuer_name = exact_name(&cert.subject_der)?;
        Ok(CaKeyPair {
            cert,
            cert_pem,
            issuer_name,
            key,
        })
    }

    /// Generate a self-signed CA of `profile` (a [`Profile::Ca`]) valid for `ttl` from `now`.
    ///
    /// # Errors
    /// Crypto or encoding failures.
    pub fn generate(
        profile: &Profile,
        alg: KeyAlgorithm,
        now: OffsetDateTime,
        ttl: Ttl,
    ) -> Result<Self, PkiError> {
        let key = PrivateKey::generate(alg)?;
        let spki = key.public_key_der()?;
        let der = build(
            profile,
            &spki,
            Signer::SelfSigned(&key),
            &Window::new(now, ttl),
        )?;
        Self::new(Certificate::from_der(&der)?, key)
    }

    /// The CA certificate.
    pub fn cert(&self) -> &Certificate {
        &self.cert
    }

    /// The CA certificate PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// The CA key PEM (zeroized on drop).
    ///
    /// # Errors
    /// Encoding failures.
    pub fn secret_key_pem(&self) -> Result<Zeroizing<String>, PkiError> {
        self.key.to_pem()
    }

    /// Check that a certificate valid for `window` can be issued: the CA is valid at `window.now`
    /// and the certificate does not outlive the CA.
    ///
    /// # Errors
    /// [`PkiError::CaNotValid`] or [`PkiError::TtlBeyondCa`].
    pub fn check_window(&self, window: &Window) -> Result<(), PkiError> {
        let fmt_t = |t: OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| t.to_string())
        };
        window.check_range()?;
        let now = window.now;
        if !self.cert.is_valid_at(now) {
            return Err(PkiError::CaNotValid {
                now: fmt_t(now),
                not_before: fmt_t(self.cert.not_before),
                not_after: fmt_t(self.cert.not_after),
            });
        }
        if window.not_after() > self.cert.not_after {
            let left = (self.cert.not_after - now).whole_seconds().max(0);
            return Err(PkiError::TtlBeyondCa {
                ttl: window.ttl.to_string(),
                ca_not_after: fmt_t(self.cert.not_after),
                max: Ttl::from_secs(u64::try_from(left).unwrap_or(0)).to_string(),
            });
        }
        Ok(())
    }

    /// Issue a certificate of `profile` for a fresh key of the CA's family (Ed25519 for the
    /// standard OS CA), valid for `window`, which must fit inside the CA's validity.
    ///
    /// # Errors
    /// [`PkiError::CaNotValid`], [`PkiError::TtlBeyondCa`], crypto or encoding failures.
    pub fn issue_in(&self, profile: &Profile, window: &Window) -> Result<IssuedCert, PkiError> {
        self.check_window(window)?;
        self.sign_for(profile, window, PrivateKey::generate(self.key_algorithm())?)
    }

    /// [`Self::issue_in`] for a key made beforehand, of [`Self::key_algorithm`].
    ///
    /// # Errors
    /// As [`Self::issue_in`]; [`PkiError::Crypto`] for a key of another family.
    pub fn issue_in_with(
        &self,
        profile: &Profile,
        window: &Window,
        key: PrivateKey,
    ) -> Result<IssuedCert, PkiError> {
        self.check_window(window)?;
        if key.algorithm() != self.key_algorithm() {
            return Err(PkiError::Crypto("the key is not of the CA's family".into()));
        }
        self.sign_for(profile, window, key)
    }

    /// The algorithm of the keys this CA issues for: its own family, and for any ECDSA CA a
    /// P-256 key, as Talos's `NewKeyPair` makes (a P-384 or P-521 CA of one's own included).
    pub fn key_algorithm(&self) -> crate::pki::KeyAlgorithm {
        use crate::pki::KeyAlgorithm;
        match self.key.algorithm() {
            KeyAlgorithm::EcdsaP384 | KeyAlgorithm::EcdsaP521 => KeyAlgorithm::EcdsaP256,
            own => own,
        }
    }

    fn sign_for(
        &self,
        profile: &Profile,
        window: &Window,
        key: PrivateKey,
    ) -> Result<IssuedCert, PkiError> {
        let spki = key.public_key_der()?;
        let der = build(profile, &spki, Signer::Ca(self), window)?;
        let cert = Certificate::from_der(&der)?;
        Ok(IssuedCert {
            cert_pem: cert.to_pem(),
            cert,
            key: Some(key),
        })
    }

    /// [`Self::issue_in`] from `now` for `ttl`.
    ///
    /// # Errors
    /// As [`Self::issue_in`].
    pub fn issue(
        &self,
        profile: &Profile,
        now: OffsetDateTime,
        ttl: Ttl,
    ) -> Result<IssuedCert, PkiError> {
        self.issue_in(profile, &Window::new(now, ttl))
    }

    /// Issue a Talos API client certificate with `roles`, valid for `window`.
    ///
    /// # Errors
    /// As [`Self::issue_in`].
    pub fn issue_client_in(
        &self,
        roles: &crate::roles::RoleSet,
        window: &Window,
    ) -> Result<IssuedCert, PkiError> {
        self.issue_in(&Profile::api_client(roles), window)
    }

    /// [`Self::issue_client_in`] without checking `window` against the CA's validity, as talosctl's
    /// `gen config` issues its talosconfig certificate (siderolabs/crypto `NewKeyPair` checks
    /// nothing): the caller may run [`Self::check_window`] first to warn.
    ///
    /// # Errors
    /// Crypto or encoding failures.
    pub fn issue_client_unchecked(
        &self,
        roles: &crate::roles::RoleSet,
        window: &Window,
    ) -> Result<IssuedCert, PkiError> {
        let key = PrivateKey::generate(self.key_algorithm())?;
        self.sign_for(&Profile::api_client(roles), window, key)
    }

    /// [`Self::issue_client_in`] for a key made beforehand (see [`Self::issue_in_with`]).
    ///
    /// # Errors
    /// As [`Self::issue_in_with`].
    pub fn issue_client_with(
        &self,
        roles: &crate::roles::RoleSet,
        window: &Window,
        key: PrivateKey,
    ) -> Result<IssuedCert, PkiError> {
        self.issue_in_with(&Profile::api_client(roles), window, key)
    }

    /// Issue a Talos API client certificate with `roles`, valid from `now` for `ttl`.
    ///
    /// # Errors
    /// As [`Self::issue_in`].
    pub fn issue_client(
        &self,
        roles: &crate::roles::RoleSet,
        now: OffsetDateTime,
        ttl: Ttl,
    ) -> Result<IssuedCert, PkiError> {
        self.issue_client_in(roles, &Window::new(now, ttl))
    }

    /// Issue a certificate for a verified CSR's subject and SANs (`gen crt`). Like talosctl, the
    /// validity is not checked against the CA's.
    ///
    /// # Errors
    /// Encoding or signing failures.
    pub fn issue_from_csr(
        &self,
        csr: &super::csr::Csr,
        window: &Window,
    ) -> Result<IssuedCert, PkiError> {
        let profile = Profile::FromCsr {
            subject_der: csr.subject_der.clone(),
            ips: csr.ip_sans.clone(),
            dns: csr.dns_sans.clone(),
        };
        let der = build(&profile, &csr.spki_der, Signer::Ca(self), window)?;
        let cert = Certificate::from_der(&der)?;
        Ok(IssuedCert {
            cert_pem: cert.to_pem(),
            cert,
            key: None,
        })
    }
}

impl fmt::Debug for CaKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaKeyPair")
            .field("subject", &self.cert.subject)
            .field("key", &self.key)
            .finish()
    }
}

impl fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCert")
            .field("subject", &self.cert.subject)
            .field("serial", &self.cert.serial_hex)
            .finish_non_exhaustive()
    }
}

/// Who signs: the subject's own key (self-signed CA) or a CA.
enum Signer<'a> {
    SelfSigned(&'a PrivateKey),
    Ca(&'a CaKeyPair),
}

/// A Name with one multi-valued RDN holding every value of `O`, DER-sorted (as Go's
/// `pkix.Name.ToRDNSequence` and `encoding/asn1` SET sorting do); empty values give an empty Name.
pub(crate) fn organization_name<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Name, PkiError> {
    let mut set = SetOfVec::new();
    for v in values {
        let value = match der::asn1::PrintableStringRef::new(v) {
            Ok(p) => Any::encode_from(&p)?,
            Err(_) => Any::new(Tag::Utf8String, v.as_bytes())?,
        };
        let atv = AttributeTypeAndValue { oid: OID_O, value };
        if !set.iter().any(|x| x == &atv) {
            set.insert(atv)?;
        }
    }
    if set.is_empty() {
        return Ok(RdnSequence(Vec::new()));
    }
    Ok(RdnSequence(vec![RelativeDistinguishedName(set)]))
}

const OID_CN: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");

/// A string attribute value as Go's `encoding/asn1` writes one: PrintableString when every
/// character allows it, else UTF8String.
fn go_string(v: &str) -> Result<Any, PkiError> {
    Ok(match der::asn1::PrintableStringRef::new(v) {
        Ok(p) => Any::encode_from(&p)?,
        Err(_) => Any::new(Tag::Utf8String, v.as_bytes())?,
    })
}

/// A Name with only `CN=<name>` (UTF8String unless printable, as Go).
fn common_name_only(cn: &str) -> Result<Name, PkiError> {
    let set = SetOfVec::try_from(vec![AttributeTypeAndValue {
        oid: OID_CN,
        value: go_string(cn)?,
    }])?;
    Ok(RdnSequence(vec![RelativeDistinguishedName(set)]))
}

/// A CSR's subject as Go's `x509.CreateCertificate` writes it from the parsed `pkix.Name`
/// (`FillFromRDNSequence`, then `ToRDNSequence`): C, ST, L, street, postalCode, O and OU each as
/// one RDN holding all their values (DER-sorted), then CN and serialNumber (the last of each);
/// other attributes (emailAddress, ...) are dropped, as Go drops them.
fn go_name(der_bytes: &[u8]) -> Result<Name, PkiError> {
    const MULTI: [&str; 7] = [
        "2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11",
    ];
    const SERIAL: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.5");
    let name = Name::from_der(der_bytes)?;
    let mut values: Vec<(der::oid::ObjectIdentifier, String)> = Vec::new();
    for atv in name.0.iter().flat_map(|rdn| rdn.0.iter()) {
        if let Some(v) = attribute_string(&atv.value)? {
            values.push((atv.oid, v));
        }
    }
    let mut rdns = Vec::new();
    for oid in MULTI.map(der::oid::ObjectIdentifier::new_unwrap) {
        let mut set = SetOfVec::new();
        for (_, v) in values.iter().filter(|(o, _)| *o == oid) {
            let atv = AttributeTypeAndValue {
                oid,
                value: go_string(v)?,
            };
            if !set.iter().any(|x| x == &atv) {
                set.insert(atv)?;
            }
        }
        if !set.is_empty() {
            rdns.push(RelativeDistinguishedName(set));
        }
    }
    for oid in [OID_CN, SERIAL] {
        if let Some((_, v)) = values.iter().rev().find(|(o, _)| *o == oid) {
            if !v.is_empty() {
                let atv = AttributeTypeAndValue {
                    oid,
                    value: go_string(v)?,
                };
                rdns.push(RelativeDistinguishedName(SetOfVec::try_from(vec![atv])?));
            }
        }
    }
    Ok(RdnSequence(rdns))
}

/// The text of a string-typed attribute value, as Go's `encoding/asn1` reads one; `None` for
/// other types (Go keeps those out of `pkix.Name`'s fields).
fn attribute_string(value: &Any) -> Result<Option<String>, PkiError> {
    let bytes = value.value();
    let text = match value.tag() {
        Tag::PrintableString
        | Tag::Ia5String
        | Tag::Utf8String
        | Tag::TeletexString
        | Tag::NumericString => String::from_utf8(bytes.to_vec()).ok(),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .filter_map(|c| <[u8; 2]>::try_from(c).ok().map(u16::from_be_bytes))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => return Ok(None),
    };
    text.map(Some).ok_or_else(|| {
        PkiError::Encoding("a subject attribute of the CSR is not valid text".into())
    })
}

/// Decode a Name and insist that re-encoding gives the same bytes.
fn exact_name(der_bytes: &[u8]) -> Result<Name, PkiError> {
    let name = Name::from_der(der_bytes)?;
    if name.to_der()? != der_bytes {
        return Err(PkiError::Encoding(
            "the name is not in canonical DER and cannot be copied byte for byte".into(),
        ));
    }
    Ok(name)
}

fn x509_time(t: OffsetDateTime) -> Result<Time, PkiError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| PkiError::Encoding("time before 1970".into()))?;
    let d = std::time::Duration::from_secs(secs);
    // Go (RFC 5280): UTCTime through 2049, GeneralizedTime from 2050.
    if t.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(d)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(d)?))
    }
}

fn extension(
    oid: der::oid::ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

pub(crate) fn san(ips: &[IpAddr], dns: &[String]) -> Result<Option<Extension>, PkiError> {
    if ips.is_empty() && dns.is_empty() {
        return Ok(None);
    }
    let mut names = Vec::new();
    for d in dns {
        names.push(GeneralName::DnsName(der::asn1::Ia5String::new(d)?));
    }
    for ip in ips {
        // An IPv4-mapped IPv6 address is written as the IPv4 address, as Go's `ip.To4()` does.
        let bytes = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.octets().to_vec(),
                None => v6.octets().to_vec(),
            },
        };
        names.push(GeneralName::IpAddress(OctetString::new(bytes)?));
    }
    Ok(Some(extension(OID_SAN, false, &SubjectAltName(names))?))
}

fn random_serial() -> Result<SerialNumber, PkiError> {
    // Uniform in [1, 2^128), as Go's `rand.Int(rand.Reader, 2^128)` (zero excluded: RFC 5280
    // wants a positive serial).
    let mut bytes = [0u8; 16];
    loop {
        super::random_bytes(&mut bytes)?;
        if bytes.iter().any(|b| *b != 0) {
            return Ok(SerialNumber::new(&bytes)?);
        }
    }
}

/// Build and sign one certificate; returns its DER.
fn build(
    profile: &Profile,
    subject_spki: &[u8],
    signer: Signer<'_>,
    window: &Window,
) -> Result<Vec<u8>, PkiError> {
    window.check_range()?;
    let not_before = window.not_before();
    let not_after = window.not_after();
    let subject = match profile {
        Profile::Ca { organization, .. } => organization_name(organization.as_deref())?,
        Profile::ApiClient { roles } => organization_name(roles.iter().map(|r| r.as_str()))?,
        Profile::FromCsr { subject_der, .. } => go_name(subject_der)?,
        Profile::NodeServer { common_name, .. } => common_name_only(common_name)?,
    };
    let (issuer, signing_key, issuer_ski) = match &signer {
        Signer::SelfSigned(key) => (subject.clone(), *key, None),
        Signer::Ca(ca) => (
            ca.issuer_name.clone(),
            &ca.key,
            ca.cert.subject_key_id.clone(),
        ),
    };

    let mut exts = Vec::new();
    match profile {
        Profile::Ca { ips, .. } => {
            let ku = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyCertSign);
            exts.push(extension(OID_KU, true, &ku)?);
            let eku = ExtendedKeyUsage(vec![OID_SERVER_AUTH, OID_CLIENT_AUTH]);
            exts.push(extension(OID_EKU, false, &eku)?);
            let bc = BasicConstraints {
                ca: true,
                path_len_constraint: None,
            };
            exts.push(extension(OID_BC, true, &bc)?);
            // crypto v0.6.4: a random 20-byte SKI (`C:x509/x509.go:35-53`).
            let mut ski = [0u8; 20];
            super::random_bytes(&mut ski)?;
            exts.push(extension(
                OID_SKI,
                false,
                &SubjectKeyIdentifier(OctetString::new(ski.to_vec())?),
            )?);
            exts.extend(san(ips, &[])?);
        }
        Profile::ApiClient { .. } | Profile::FromCsr { .. } | Profile::NodeServer { .. } => {
            let ku = KeyUsage(KeyUsages::DigitalSignature.into());
            exts.push(extension(OID_KU, true, &ku)?);
            let usage = if matches!(profile, Profile::NodeServer { .. }) {
                OID_SERVER_AUTH
            } else {
                OID_CLIENT_AUTH
            };
            exts.push(extension(OID_EKU, false, &ExtendedKeyUsage(vec![usage]))?);
            if let Some(ski) = issuer_ski {
                let aki = AuthorityKeyIdentifier {
                    key_identifier: Some(OctetString::new(ski)?),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                };
                exts.push(extension(OID_AKI, false, &aki)?);
            }
            if let Profile::FromCsr { ips, dns, .. } | Profile::NodeServer { ips, dns, .. } =
                profile
            {
                exts.extend(san(ips, dns)?);
            }
        }
    }

    let signature_algorithm = signing_key.signature_algorithm();
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: random_serial()?,
        signature: signature_algorithm.clone(),
        issuer,
        validity: Validity {
            not_before: x509_time(not_before)?,
            not_after: x509_time(not_after)?,
        },
        subject,
        subject_public_key_info: spki::SubjectPublicKeyInfoOwned::from_der(subject_spki)?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    };
    let tbs_der = tbs.to_der()?;
    let signature = signing_key.sign(&tbs_der)?;
    let cert = X509 {
        tbs_certificate: tbs,
        signature_algorithm,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(cert.to_der()?)
}
