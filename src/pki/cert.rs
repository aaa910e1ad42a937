//! A parsed X.509 certificate with the fields talmint inspects (x509-parser does the parsing).

use std::net::IpAddr;

use time::OffsetDateTime;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{pem as pemx, PkiError};

/// OID of the clientAuth extended key usage.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// OID of the serverAuth extended key usage.
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";

/// The parts of a certificate talmint reads. Owned; parse once, use many times.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The whole certificate, DER.
    pub der: Vec<u8>,
    /// Subject Name, DER as it appears in the certificate.
    pub subject_der: Vec<u8>,
    /// Issuer Name, DER as it appears in the certificate.
    pub issuer_der: Vec<u8>,
    /// Subject in RFC 4514-ish text (`O=os:admin`).
    pub subject: String,
    /// Issuer in text.
    pub issuer: String,
    /// Serial number, lowercase hex of the DER INTEGER's content bytes (a leading `00` sign byte
    /// is kept when the top bit of the magnitude is set).
    pub serial_hex: String,
    /// NotBefore.
    pub not_before: OffsetDateTime,
    /// NotAfter.
    pub not_after: OffsetDateTime,
    /// Basic constraints `cA`.
    pub is_ca: bool,
    /// Whether the basic constraints extension is present (Go's `BasicConstraintsValid`).
    pub basic_constraints: bool,
    /// Basic constraints `pathLenConstraint` (Go's `MaxPathLen` when not -1).
    pub max_path_len: Option<u32>,
    /// The X.509 version: 1, 2 or 3.
    pub version: u32,
    /// Subject key identifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// Authority key identifier (key id).
    pub authority_key_id: Option<Vec<u8>>,
    /// Every Organization value, in certificate order.
    pub organizations: Vec<String>,
    /// Common name, if any.
    pub common_name: Option<String>,
    /// Extended key usage OIDs in certificate order (`None`: no EKU extension).
    pub ext_key_usage: Option<Vec<String>>,
    /// Key usage names (`digitalSignature`, `keyCertSign`, ...), `None` when absent.
    pub key_usage: Option<Vec<&'static str>>,
    /// Whether key usage is marked critical.
    pub key_usage_critical: bool,
    /// SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// Public key algorithm name (`Ed25519`, `ECDSA P-256`, `RSA-4096`, ...).
    pub key_algorithm: String,
    /// Signature algorithm OID.
    pub signature_oid: String,
    /// Extensions marked critical that Go's x509 does not handle (dotted OIDs): Go's verifier
    /// refuses such a certificate anywhere in a chain (`x509: unhandled critical extension`).
    pub unhandled_critical: Vec<String>,
    /// Why Go's `x509.ParseCertificate` (Go 1.23 and later, as Talos builds it) refuses this
    /// certificate although it is valid DER, in Go's words; `None` when Go parses it.
    pub go_refuses: Option<&'static str>,
    /// IP address SANs.
    pub ip_sans: Vec<IpAddr>,
    /// DNS SANs.
    pub dns_sans: Vec<String>,
}

/// Why a signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// It does not verify with the key (or the certificates do not parse).
    #[error("{0}")]
    Invalid(String),
    /// Go refuses the algorithm or its parameters; in Go's words.
    #[error("{0}")]
    RefusedByGo(String),
    /// talmint cannot check this algorithm (Go may).
    #[error("{0}")]
    Unchecked(String),
}

fn to_time(t: x509_parser::time::ASN1Time) -> OffsetDateTime {
    t.to_datetime()
}

impl Certificate {
    /// Parse the first `CERTIFICATE` block of `pem`.
    ///
    /// # Errors
    /// [`PkiError::NoPem`], [`PkiError::WrongPemType`] or [`PkiError::BadCertificate`].
    pub fn from_pem(pem: &[u8]) -> Result<Self, PkiError> {
        let (label, der) = pemx::decode_first(pem)?;
        if label != pemx::CERTIFICATE {
            return Err(PkiError::WrongPemType {
                expected: pemx::CERTIFICATE,
                found: super::describe_label(&label),
            });
        }
        Self::from_der(&der)
    }

    /// Parse DER.
    ///
    /// # Errors
    /// [`PkiError::BadCertificate`].
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let (rest, c) =
            X509Certificate::from_der(der).map_err(|e| PkiError::BadCertificate(e.to_string()))?;
        if !rest.is_empty() {
            return Err(PkiError::BadCertificate(
                "trailing data after the certificate".into(),
            ));
        }
        let tbs = &c.tbs_certificate;
        let mut is_ca = false;
        let mut basic_constraints = false;
        let mut max_path_len = None;
        let mut ski = None;
        let mut aki = None;
        let mut eku = None;
        let mut ku = None;
        let mut ku_critical = false;
        let mut ips = Vec::new();
        let mut dns = Vec::new();
        let mut unhandled_critical = Vec::new();
        let mut go_refuses = None;
        // Go refuses a negative serial since Go 1.23 (GODEBUG x509negativeserial, which Talos
        // does not set).
        if tbs.raw_serial().first().is_some_and(|b| b & 0x80 != 0) {
            go_refuses = Some("x509: negative serial number");
        }
        let mut seen: Vec<&x509_parser::der_parser::oid::Oid<'_>> = Vec::new();
        for ext in tbs.extensions() {
            if seen.contains(&&ext.oid) {
                go_refuses = Some("x509: certificate contains duplicate extensions");
            }
            seen.push(&ext.oid);
            if ext.critical && !go_handles(ext) {
                unhandled_critical.push(ext.oid.to_id_string());
            }
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => {
                    is_ca = bc.ca;
                    basic_constraints = true;
                    max_path_len = bc.path_len_constraint;
                }
                ParsedExtension::SubjectKeyIdentifier(id) => ski = Some(id.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                }
                ParsedExtension::ExtendedKeyUsage(_) => {
                    // In certificate order and with repeats, as Go keeps them (apid compares
                    // the whole list); x509-parser's own view folds them into flags. Read with
                    // der-parser, which, like Go, takes OIDs of any length.
                    use x509_parser::der_parser::der::parse_der_sequence;
                    let bad = || PkiError::BadCertificate("malformed extended key usage".into());
                    let (_, list) = parse_der_sequence(ext.value).map_err(|_| bad())?;
                    let oids = list.as_sequence().map_err(|_| bad())?;
                    eku = Some(
                        oids.iter()
                            .map(|o| o.as_oid().map(|o| o.to_id_string()).map_err(|_| bad()))
                            .collect::<Result<_, _>>()?,
                    );
                }
                ParsedExtension::KeyUsage(k) => {
                    ku_critical = ext.critical;
                    let names = [
                        (k.digital_signature(), "digitalSignature"),
                        (k.non_repudiation(), "contentCommitment"),
                        (k.key_encipherment(), "keyEncipherment"),
                        (k.data_encipherment(), "dataEncipherment"),
                        (k.key_agreement(), "keyAgreement"),
                        (k.key_cert_sign(), "keyCertSign"),
                        (k.crl_sign(), "cRLSign"),
                        (k.encipher_only(), "encipherOnly"),
                        (k.decipher_only(), "decipherOnly"),
                    ];
                    ku = Some(
                        names
                            .iter()
                            .filter(|(on, _)| *on)
                            .map(|(_, n)| *n)
                            .collect(),
                    );
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        match name {
                            GeneralName::IPAddress(b) => {
                                if let Some(ip) = ip_from_bytes(b) {
                                    ips.push(ip);
                                }
                            }
                            GeneralName::DNSName(d) => dns.push((*d).to_string()),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let organizations = tbs
            .subject()
            .iter_organization()
            .filter_map(|a| a.as_str().ok().map(str::to_string))
            .collect();
        let common_name = tbs
            .subject()
            .iter_common_name()
            .next()
            .and_then(|a| a.as_str().ok().map(str::to_string));
        let spki = tbs.public_key();
        Ok(Certificate {
            der: der.to_vec(),
            subject_der: tbs.subject().as_raw().to_vec(),
            issuer_der: tbs.issuer().as_raw().to_vec(),
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial_hex: tbs.raw_serial_as_string().replace(':', ""),
            not_before: to_time(tbs.validity().not_before),
            not_after: to_time(tbs.validity().not_after),
            is_ca,
            basic_constraints,
            max_path_len,
            version: tbs.version.0.saturating_add(1),
            subject_key_id: ski,
            authority_key_id: aki,
            organizations,
            common_name,
            ext_key_usage: eku,
            key_usage: ku,
            key_usage_critical: ku_critical,
            spki_der: spki.raw.to_vec(),
            key_algorithm: key_algorithm_name(spki),
            signature_oid: c.signature_algorithm.algorithm.to_id_string(),
            unhandled_critical,
            go_refuses,
            ip_sans: ips,
            dns_sans: dns,
        })
    }

    /// PEM text of this certificate.
    pub fn to_pem(&self) -> String {
        pemx::encode(pemx::CERTIFICATE, &self.der)
    }

    /// `sha256:<hex>` of the SubjectPublicKeyInfo: the SPKI pin `gen ca` writes.
    pub fn spki_pin(&self) -> String {
        format!("sha256:{}", super::sha256_hex(&self.spki_der))
    }

    /// SHA-256 fingerprint of the DER certificate, lowercase hex.
    pub fn fingerprint(&self) -> String {
        super::sha256_hex(&self.der)
    }

    /// Whether the EKU list is exactly `[clientAuth]`, the rule apid enforces on leaves.
    pub fn eku_is_exactly_client_auth(&self) -> bool {
        matches!(self.ext_key_usage.as_deref(), Some([only]) if only == EKU_CLIENT_AUTH)
    }

    /// Whether `now` falls inside the validity window.
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Verify this certificate's signature with `issuer`'s public key (see [`verify_signature`]).
    ///
    /// # Errors
    /// [`SignatureError`] when the signature is not accepted.
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), SignatureError> {
        let bad = |e: x509_parser::nom::Err<x509_parser::error::X509Error>| {
            SignatureError::Invalid(e.to_string())
        };
        let (_, c) = X509Certificate::from_der(&self.der).map_err(bad)?;
        let (_, i) = X509Certificate::from_der(&issuer.der).map_err(bad)?;
        verify_signature(
            i.public_key(),
            &c.signature_algorithm,
            &c.signature_value,
            c.tbs_certificate.as_ref(),
        )
    }

    /// Go's refusal, in its words, of the algorithm this certificate is signed with
    /// (`checkSignature`): MD2, MD5 and SHA-1 are insecure (SHA-1 for good since Go 1.24); DSA
    /// and SHA-224 have no verifier there. (Go still takes SHA-1 on a CSR.)
    pub fn go_refuses_signature(&self) -> Option<String> {
        let insecure = match self.signature_oid.as_str() {
            "1.2.840.113549.1.1.2" => "MD2-RSA",
            "1.2.840.113549.1.1.4" => "MD5-RSA",
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "SHA1-RSA",
            "1.2.840.10045.4.1" => "ECDSA-SHA1",
            "1.2.840.10040.4.3"
            | "2.16.840.1.101.3.4.3.2"
            | "1.2.840.113549.1.1.14"
            | "1.2.840.10045.4.3.1" => {
                return Some("x509: cannot verify signature: algorithm unimplemented".into())
            }
            _ => return None,
        };
        Some(format!(
            "x509: cannot verify signature: insecure algorithm {insecure}"
        ))
    }
}

/// The named curve (dotted OID) of an EC public key; `None` for other keys.
fn named_curve(spki: &x509_parser::x509::SubjectPublicKeyInfo) -> Option<String> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string())
}

/// Verify `signature` over `message` by `key` as Go's x509 does. ECDSA (SHA-256, -384 or -512
/// on P-256, P-384 or P-521, the pairs Go accepts) goes through aws-lc: x509-parser's ring has
/// neither P-521 nor ecdsa-with-SHA512, which Go uses for P-521 keys. Everything else goes
/// through x509-parser.
///
/// # Errors
/// [`SignatureError`]: why it is not accepted.
pub(crate) fn verify_signature(
    key: &x509_parser::x509::SubjectPublicKeyInfo,
    algorithm: &x509_parser::x509::AlgorithmIdentifier,
    signature: &x509_parser::der_parser::asn1_rs::BitString,
    message: &[u8],
) -> Result<(), SignatureError> {
    use aws_lc_rs::signature as sig;
    let curve = named_curve(key);
    let ecdsa: Option<&'static sig::EcdsaVerificationAlgorithm> = match (
        algorithm.algorithm.to_id_string().as_str(),
        curve.as_deref(),
    ) {
        ("1.2.840.10045.4.3.2", Some("1.2.840.10045.3.1.7")) => Some(&sig::ECDSA_P256_SHA256_ASN1),
        ("1.2.840.10045.4.3.3", Some("1.2.840.10045.3.1.7")) => Some(&sig::ECDSA_P256_SHA384_ASN1),
        ("1.2.840.10045.4.3.4", Some("1.2.840.10045.3.1.7")) => Some(&sig::ECDSA_P256_SHA512_ASN1),
        ("1.2.840.10045.4.3.2", Some("1.3.132.0.34")) => Some(&sig::ECDSA_P384_SHA256_ASN1),
        ("1.2.840.10045.4.3.3", Some("1.3.132.0.34")) => Some(&sig::ECDSA_P384_SHA384_ASN1),
        ("1.2.840.10045.4.3.4", Some("1.3.132.0.34")) => Some(&sig::ECDSA_P384_SHA512_ASN1),
        ("1.2.840.10045.4.3.2", Some("1.3.132.0.35")) => Some(&sig::ECDSA_P521_SHA256_ASN1),
        ("1.2.840.10045.4.3.3", Some("1.3.132.0.35")) => Some(&sig::ECDSA_P521_SHA384_ASN1),
        ("1.2.840.10045.4.3.4", Some("1.3.132.0.35")) => Some(&sig::ECDSA_P521_SHA512_ASN1),
        _ => None,
    };
    if let Some(alg) = ecdsa {
        return sig::UnparsedPublicKey::new(alg, &key.subject_public_key.data)
            .verify(message, &signature.data)
            .map_err(|_| SignatureError::Invalid("the ECDSA signature does not verify".into()));
    }
    if let Some((alg, min_bits)) = rsa_algorithm(algorithm)? {
        if rsa_bits(key).is_some_and(|bits| bits < min_bits) {
            return Err(SignatureError::Unchecked(
                "signature unsupported: talmint checks SHA-384 and PSS RSA signatures only from 2,048-bit keys"
                    .into(),
            ));
        }
        return sig::UnparsedPublicKey::new(alg, &key.subject_public_key.data)
            .verify(message, &signature.data)
            .map_err(|_| SignatureError::Invalid("the RSA signature does not verify".into()));
    }
    x509_parser::verify::verify_signature(key, algorithm, signature, message).map_err(|e| match e {
        x509_parser::error::X509Error::SignatureUnsupportedAlgorithm => {
            SignatureError::Unchecked(e.to_string())
        }
        e => SignatureError::Invalid(e.to_string()),
    })
}

/// The size of an RSA public key in bits; `None` for other keys.
fn rsa_bits(key: &x509_parser::x509::SubjectPublicKeyInfo) -> Option<usize> {
    match key.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Some(rsa.key_size()),
        _ => None,
    }
}

/// The aws-lc algorithm for an RSA signature Go checks: PKCS #1 v1.5 with SHA-256, -384 or
/// -512 (keys from 1,024 bits, as Go, where aws-lc allows it), or PSS with one of those hashes,
/// MGF1 of the same hash and a salt as long as the hash (the only PSS parameters Go accepts).
/// With it, the smallest key aws-lc checks it for: 1,024 bits (as Go) only for PKCS #1 with
/// SHA-256 and SHA-512, 2,048 otherwise. `Ok(None)` for anything that is not one of those.
///
/// # Errors
/// [`SignatureError::RefusedByGo`] for PSS parameters Go does not accept.
fn rsa_algorithm(
    algorithm: &x509_parser::x509::AlgorithmIdentifier,
) -> Result<Option<(&'static aws_lc_rs::signature::RsaParameters, usize)>, SignatureError> {
    use aws_lc_rs::signature as sig;
    use x509_parser::signature_algorithm::SignatureAlgorithm;
    Ok(Some(match algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.11" => (&sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, 1024),
        "1.2.840.113549.1.1.12" => (&sig::RSA_PKCS1_2048_8192_SHA384, 2048),
        "1.2.840.113549.1.1.13" => (&sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY, 1024),
        "1.2.840.113549.1.1.10" => {
            let unimplemented = || {
                SignatureError::RefusedByGo("x509: cannot verify signature: algorithm unimplemented (RSA-PSS parameters Go does not accept)".into())
            };
            let Ok(SignatureAlgorithm::RSASSA_PSS(params)) =
                SignatureAlgorithm::try_from(algorithm)
            else {
                return Err(unimplemented());
            };
            let hash = params.hash_algorithm_oid().to_id_string();
            let mgf = params.mask_gen_algorithm().map_err(|_| unimplemented())?;
            let (alg, salt): (&'static sig::RsaParameters, u32) = match hash.as_str() {
                "2.16.840.1.101.3.4.2.1" => (&sig::RSA_PSS_2048_8192_SHA256, 32),
                "2.16.840.1.101.3.4.2.2" => (&sig::RSA_PSS_2048_8192_SHA384, 48),
                "2.16.840.1.101.3.4.2.3" => (&sig::RSA_PSS_2048_8192_SHA512, 64),
                _ => return Err(unimplemented()),
            };
            if mgf.mgf.to_id_string() != "1.2.840.113549.1.1.8"
                || mgf.hash.to_id_string() != hash
                || params.salt_length() != salt
                || params.trailer_field() != 1
            {
                return Err(unimplemented());
            }
            (alg, 2048)
        }
        _ => return Ok(None),
    }))
}

/// Whether Go's x509 parser handles `ext` (`parser.go` `processExtensions`): the extensions it
/// reads (key usage, basic constraints, a subject alternative name with a name Go keeps, name
/// constraints, CRL distribution points, key identifiers, EKU, certificate policies, authority
/// information access). Anything else, when critical, makes Go's verifier refuse the certificate.
fn go_handles(ext: &x509_parser::extensions::X509Extension<'_>) -> bool {
    match ext.oid.to_id_string().as_str() {
        // Policy mappings, policy constraints and inhibitAnyPolicy too since Go 1.24.
        "2.5.29.15" | "2.5.29.19" | "2.5.29.31" | "2.5.29.35" | "2.5.29.37" | "2.5.29.14"
        | "2.5.29.32" | "2.5.29.33" | "2.5.29.36" | "2.5.29.54" | "1.3.6.1.5.5.7.1.1" => true,
        // Name constraints only of the forms Go enforces (DNS, IP, email, URI).
        "2.5.29.30" => match ext.parsed_extension() {
            ParsedExtension::NameConstraints(nc) => [&nc.permitted_subtrees, &nc.excluded_subtrees]
                .into_iter()
                .flatten()
                .flatten()
                .all(|t| {
                    matches!(
                        t.base,
                        GeneralName::DNSName(_)
                            | GeneralName::RFC822Name(_)
                            | GeneralName::IPAddress(_)
                            | GeneralName::URI(_)
                    )
                }),
            _ => false,
        },
        // Go leaves a SAN with no DNS name, email, IP or URI for the critical check.
        "2.5.29.17" => match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => san.general_names.iter().any(|n| {
                matches!(
                    n,
                    GeneralName::DNSName(_)
                        | GeneralName::RFC822Name(_)
                        | GeneralName::IPAddress(_)
                        | GeneralName::URI(_)
                )
            }),
            _ => false,
        },
        _ => false,
    }
}

fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}

/// The algorithm name of a SubjectPublicKeyInfo DER, as [`Certificate::key_algorithm`] names it
/// (`Ed25519`, `ECDSA P-256`, `RSA-4096`); `None` when the DER does not parse.
pub fn spki_algorithm_name(spki_der: &[u8]) -> Option<String> {
    x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der)
        .ok()
        .map(|(_, spki)| key_algorithm_name(&spki))
}

fn key_algorithm_name(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> String {
    use x509_parser::public_key::PublicKey;
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA-{}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = named_curve(spki);
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA P-256".into(),
                Some("1.3.132.0.34") => "ECDSA P-384".into(),
                Some("1.3.132.0.35") => "ECDSA P-521".into(),
                Some(other) => format!("ECDSA {other}"),
                None => "ECDSA".into(),
            }
        }
        _ if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => "Ed25519".into(),
        _ => spki.algorithm.algorithm.to_id_string(),
    }
}
