//! Will a Talos node accept this credential? Every check apid makes on a client certificate
//! (`spec/roles-authz.md` §3–§4), plus what talosctl and the roles need, each named with what to
//! do when it fails.
//!
//! apid: Go's `crypto/tls` `RequireAndVerifyClientCert` against the accepted CAs, i.e.
//! `x509.Certificate.Verify` with `KeyUsages = [ClientAuth]` (go `src/crypto/x509/verify.go`,
//! `isValid`/`buildChains`: issuer bytes equal a CA's subject bytes, the CA's signature, every
//! certificate of the chain valid at the node's clock, EKUs compatible with clientAuth along the
//! chain), then talos `internal/app/apid/service.go` `verifyExtKeyUsage` (every non-CA
//! certificate of the chain has exactly `[ClientAuth]` among the EKUs Go knows), and the TLS
//! handshake proves the key matches. Beyond apid: the leaf must not be a CA, its roles must be
//! built-in (a node denies every call otherwise), optionally exactly the expected ones, and the
//! client's own `ca` must hold the node's CA (or talosctl refuses the node's server certificate).
//!
//! The credential is read as talosctl reads it (talos `pkg/machinery/client/connection.go` →
//! go `crypto/tls` `X509KeyPair`): every `CERTIFICATE` block of `crt` in order, the first being
//! the leaf and the others sent as intermediates; the key is the first block labelled
//! `PRIVATE KEY` or `… PRIVATE KEY`; other blocks (`EC PARAMETERS`) are skipped. The chain is
//! built as Go's `buildChains` builds it: a trusted certificate is an anchor, yet it signs only
//! when `CheckSignatureFrom` allows it (a v3 certificate needs basic constraints `cA`, key usage
//! if present needs `keyCertSign`), and an intermediate must be a CA within its path length.

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::bundle::SecretsBundle;
use crate::pki::cert::{SignatureError, EKU_CLIENT_AUTH, EKU_SERVER_AUTH};
use crate::pki::pem as pemx;
use crate::pki::{Certificate, PkiError, PrivateKey};
use crate::report::{relative_time, rfc3339, serial_number};
use crate::roles::{RoleSet, BUILT_IN};
use crate::talosconfig::Context;

/// OID of anyExtendedKeyUsage.
const EKU_ANY: &str = "2.5.29.37.0";

/// The extended key usages Go's `crypto/x509` knows (`x509.go` `extKeyUsageOIDs`); any other OID
/// lands in `UnknownExtKeyUsage`, which Talos's exact-EKU rule does not look at.
const GO_KNOWN_EKUS: [&str; 14] = [
    EKU_ANY,
    EKU_SERVER_AUTH,
    EKU_CLIENT_AUTH,
    "1.3.6.1.5.5.7.3.3",
    "1.3.6.1.5.5.7.3.4",
    "1.3.6.1.5.5.7.3.5",
    "1.3.6.1.5.5.7.3.6",
    "1.3.6.1.5.5.7.3.7",
    "1.3.6.1.5.5.7.3.8",
    "1.3.6.1.5.5.7.3.9",
    "1.3.6.1.4.1.311.10.3.3",
    "2.16.840.1.113730.4.1",
    "1.3.6.1.4.1.311.2.1.22",
    "1.3.6.1.4.1.311.61.1.1",
];

/// What to check and against what.
pub struct Request<'a> {
    /// The CA certificates a node accepts (`machine.ca.crt` plus `machine.acceptedCAs`).
    pub trusted: &'a [Certificate],
    /// The client certificate PEM: its first `CERTIFICATE` block is the leaf, any others are
    /// sent as intermediates (as talosctl does); empty when none.
    pub crt_pem: &'a [u8],
    /// The client private key PEM; empty when none. Read, never shown.
    pub key_pem: &'a [u8],
    /// The client's own CA PEM (a talosconfig context's `ca`), to check it holds the node's CA;
    /// `None` skips that check (e.g. when `trusted` came from that very `ca`).
    pub client_ca_pem: Option<&'a [u8]>,
    /// The node's clock.
    pub at: OffsetDateTime,
    /// With `--roles`: the exact roles the credential must carry.
    pub expected_roles: Option<&'a RoleSet>,
}

/// One check, in the order [`verify`] runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckId {
    /// The credential has a certificate and it parses.
    Certificate,
    /// The credential has a private key and it parses.
    PrivateKey,
    /// The private key belongs to the certificate (the TLS handshake proves it).
    KeyMatches,
    /// The certificate's issuer bytes equal the subject bytes of a trusted CA or of an
    /// intermediate sent along (Go finds parents by raw subject).
    Issuer,
    /// A chain to a trusted CA as Go builds it: every issuer may sign certificates (basic
    /// constraints `cA`, `keyCertSign`), its signature verifies, it is valid at the time, within
    /// its path length, and allows clientAuth.
    Chain,
    /// The certificate is valid at the time (NotBefore ≤ t ≤ NotAfter).
    Validity,
    /// The certificate is not a CA.
    NotCa,
    /// The EKUs are exactly `[clientAuth]` (apid's `verifyExtKeyUsage`).
    ExtKeyUsage,
    /// The client's own `ca` holds the node's CA (talosctl verifies the node with it).
    ClientCa,
    /// Every role is built in and there is at least one.
    RolesKnown,
    /// The roles are exactly the expected ones (`--roles`).
    RolesExpected,
}

/// How a check went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Passed; what was seen.
    Pass(String),
    /// Failed: what is wrong and what to do.
    Fail {
        /// What is wrong.
        problem: String,
        /// What to do about it.
        fix: String,
    },
    /// Not run; why.
    Skip(String),
}

/// One check's result.
#[derive(Clone, Debug)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// How it went.
    pub outcome: Outcome,
}

/// The answer: every check, the leaf and its roles.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The time the node's clock was assumed to read.
    pub at: OffsetDateTime,
    /// The client certificate, when it parsed.
    pub leaf: Option<Certificate>,
    /// The roles read from the leaf as apid reads them (trimmed, empty dropped, unknown kept).
    pub roles: RoleSet,
    /// Every check in order.
    pub checks: Vec<Check>,
    /// Things worth knowing that do not reject the credential.
    pub notes: Vec<String>,
}

/// Why a credential could not be checked at all (nothing to trust).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Nothing to check against.
    #[error("the context has no ca: pass the cluster's CA with --with-secrets secrets.yaml or --ca FILE")]
    NoCa,
    /// The CA given does not parse.
    #[error("the CA does not parse: {0}")]
    BadCa(String),
}

/// Why a certificate does not chain to a set of CAs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No CA certificate to chain to.
    #[error("there is no CA certificate to check against")]
    NoCa,
    /// No CA's subject equals the certificate's issuer.
    #[error("issued by {issuer:?}, but the CA is {cas}")]
    IssuerMismatch {
        /// The certificate's issuer.
        issuer: String,
        /// The CAs' subjects, joined.
        cas: String,
    },
    /// A CA's subject reads as the certificate's issuer, but its bytes differ (another string
    /// type, say): Go matches names byte for byte.
    #[error("issued by {issuer:?}, which reads as the CA's name but is encoded differently (other string types or bytes): Go matches names byte for byte, so a node finds no issuer")]
    IssuerEncoding {
        /// The certificate's issuer.
        issuer: String,
    },
    /// The issuer name matches but no such CA's signature verifies.
    #[error("issuer {issuer:?} matches the CA's name, but the signature does not verify with its key ({pin})")]
    BadSignature {
        /// The issuer name.
        issuer: String,
        /// SPKI pin of the CA tried.
        pin: String,
    },
}

/// Why a credential's `crt` and `key` do not make a TLS key pair; the texts are Go's
/// (`crypto/tls` `X509KeyPair`), which talosctl prints.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyPairError {
    /// The certificate input holds no PEM block.
    #[error("tls: failed to find any PEM data in certificate input")]
    NoCertificatePem,
    /// The certificate input holds only a private key.
    #[error("tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched")]
    KeyInCertificateInput,
    /// The certificate input holds PEM blocks, none a `CERTIFICATE`.
    #[error("tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]", .0.join(" "))]
    NoCertificateBlock(Vec<String>),
    /// A `CERTIFICATE` block does not parse (1 is the leaf).
    #[error("CERTIFICATE block {index}: {reason}")]
    BadCertificate {
        /// Which block, counting `CERTIFICATE` blocks from 1.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The key input holds no PEM block.
    #[error("tls: failed to find any PEM data in key input")]
    NoKeyPem,
    /// The key input holds only a certificate.
    #[error("tls: found a certificate rather than a key in the PEM for the private key")]
    CertificateInKeyInput,
    /// The key input holds PEM blocks, none labelled as a private key.
    #[error("tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [{}]", .0.join(" "))]
    NoKeyBlock(Vec<String>),
    /// The key block does not parse (never the key's content).
    #[error("{0}")]
    BadKey(String),
}

/// What is wrong with the files a context was made from (`config add --ca --crt --key`, which
/// talosctl stores as they are): each makes the context unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContextFileProblem {
    /// `ca` holds no certificate that parses.
    #[error("ca is not a certificate ({0})")]
    CaNotCertificate(String),
    /// `crt` holds no certificate that parses, as talosctl reads it.
    #[error("crt is not a certificate ({0})")]
    CrtNotCertificate(String),
    /// `key` holds no private key that parses, as talosctl reads it.
    #[error("key is not a private key ({0})")]
    KeyNotPrivateKey(String),
    /// `key` is not the private half of `crt`'s certificate.
    #[error("key does not match the certificate in crt")]
    KeyMismatch,
}

impl CheckId {
    /// The check's name in reports (`ext-key-usage`).
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Certificate => "certificate",
            CheckId::PrivateKey => "private-key",
            CheckId::KeyMatches => "key-matches",
            CheckId::Issuer => "issuer",
            CheckId::Chain => "chain",
            CheckId::Validity => "validity",
            CheckId::NotCa => "not-ca",
            CheckId::ExtKeyUsage => "ext-key-usage",
            CheckId::ClientCa => "client-ca",
            CheckId::RolesKnown => "roles-known",
            CheckId::RolesExpected => "roles-expected",
        }
    }

    /// Whether a node's TLS handshake (apid) enforces this check. The others are talmint's:
    /// Go accepts a CA as client leaf (Talos's EKU rule skips CAs), apid does not look at roles,
    /// and the client's `ca` only matters to talosctl.
    pub fn enforced_by_node(self) -> bool {
        !matches!(
            self,
            CheckId::NotCa | CheckId::ClientCa | CheckId::RolesKnown | CheckId::RolesExpected
        )
    }
}

impl Verdict {
    /// Whether every check that ran passed.
    pub fn accepted(&self) -> bool {
        self.failed().next().is_none()
    }

    /// Whether a node's TLS handshake would succeed (only the checks apid enforces).
    pub fn handshake_accepted(&self) -> bool {
        self.failed().all(|c| !c.id.enforced_by_node())
    }

    /// The failed checks, in order.
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail { .. }))
    }

    /// The outcome of `id`, when it was part of the run.
    pub fn outcome(&self, id: CheckId) -> Option<&Outcome> {
        self.checks.iter().find(|c| c.id == id).map(|c| &c.outcome)
    }

    /// One line: `accepted` or `rejected: validity, ext-key-usage`.
    pub fn summary(&self) -> String {
        let failed: Vec<&str> = self.failed().map(|c| c.id.name()).collect();
        if failed.is_empty() {
            "accepted".to_string()
        } else {
            format!("rejected: {} failed", failed.join(", "))
        }
    }

    /// The report: a header naming the credential and the trusted CA, one line per check (with
    /// the fix under each failure), notes, and the verdict.
    pub fn to_text(&self, credential: &str, trust: &str) -> String {
        let mut out = String::new();
        out.push_str(&format!("credential:  {credential}\n"));
        if let Some(leaf) = &self.leaf {
            out.push_str(&format!(
                "certificate: {} (serial {}, {})\n",
                display_name(&leaf.subject),
                serial_number(&leaf.serial_hex),
                leaf.key_algorithm
            ));
        }
        out.push_str(&format!("trusted CA:  {trust}\n"));
        out.push_str(&format!("checked at:  {}\n\n", rfc3339(self.at)));
        let width = self
            .checks
            .iter()
            .map(|c| c.id.name().len())
            .max()
            .unwrap_or(0);
        for check in &self.checks {
            let name = check.id.name();
            let pad = " ".repeat(width - name.len());
            match &check.outcome {
                Outcome::Pass(what) => out.push_str(&format!("ok    {name}{pad}  {what}\n")),
                Outcome::Skip(why) => out.push_str(&format!("skip  {name}{pad}  {why}\n")),
                Outcome::Fail { problem, fix } => {
                    out.push_str(&format!("FAIL  {name}{pad}  {problem}\n"));
                    let indent = " ".repeat(6 + width + 2);
                    out.push_str(&format!("{indent}fix: {fix}\n"));
                }
            }
        }
        for note in &self.notes {
            out.push_str(&format!("\nnote: {note}\n"));
        }
        out.push_str(&format!("\nverdict: {}\n", self.summary()));
        out
    }
}

/// A subject for people: the text, or `(empty subject)`.
pub fn display_name(subject: &str) -> String {
    if subject.is_empty() {
        "(empty subject)".to_string()
    } else {
        subject.to_string()
    }
}

/// The subject as Go's `pkix.Name.String()` writes it for a roles-only subject
/// (`O=os:reader+O=os:etcd:backup`: one multi-valued RDN joined by `+`), so that apid's message
/// reads the same; any other subject in x509-parser's text.
fn go_subject(cert: &Certificate) -> String {
    let parts: Vec<String> = cert
        .organizations
        .iter()
        .map(|o| format!("O={o}"))
        .collect();
    if !parts.is_empty() && parts.join(" + ") == cert.subject {
        parts.join("+")
    } else {
        cert.subject.clone()
    }
}

/// The CA among `cas` that signed `leaf`, as Go's verifier finds it: by raw subject bytes equal
/// to the leaf's raw issuer bytes, then by signature.
///
/// # Errors
/// [`ChainError`] saying why none fits.
pub fn find_issuer<'a>(
    leaf: &Certificate,
    cas: &'a [Certificate],
) -> Result<&'a Certificate, ChainError> {
    if cas.is_empty() {
        return Err(ChainError::NoCa);
    }
    let mut named = cas.iter().filter(|ca| ca.subject_der == leaf.issuer_der);
    let Some(first) = named.next() else {
        if cas.iter().any(|c| c.subject == leaf.issuer) {
            return Err(ChainError::IssuerEncoding {
                issuer: leaf.issuer.clone(),
            });
        }
        let subjects: Vec<String> = cas.iter().map(|c| display_name(&c.subject)).collect();
        return Err(ChainError::IssuerMismatch {
            issuer: leaf.issuer.clone(),
            cas: subjects.join(", "),
        });
    };
    std::iter::once(first)
        .chain(named)
        .find(|ca| leaf.verify_signed_by(ca).is_ok())
        .ok_or_else(|| ChainError::BadSignature {
            issuer: leaf.issuer.clone(),
            pin: first.spki_pin(),
        })
}

/// Whether `key` is the private half of `cert`.
///
/// # Errors
/// [`PkiError`] when the public key cannot be derived (internal).
pub fn key_matches(key: &PrivateKey, cert: &Certificate) -> Result<bool, PkiError> {
    Ok(key.public_key_der()? == cert.spki_der)
}

/// Read a client key as Go's `tls.X509KeyPair` does: the first PEM block labelled
/// `PRIVATE KEY` or ending in ` PRIVATE KEY` (others, such as the `EC PARAMETERS` block
/// `openssl ecparam -genkey` writes first, are skipped); its bytes as the label says, else as
/// PKCS#1, PKCS#8 or SEC1 whatever the label (Go's `parsePrivateKey`).
///
/// # Errors
/// [`KeyPairError`] in Go's words when there is no key block, or the key does not parse.
pub fn parse_client_key(pem: &[u8]) -> Result<PrivateKey, KeyPairError> {
    let blocks = pemx::decode_all_like_go(pem);
    let Some((label, der)) = blocks
        .iter()
        .find(|(label, _)| label == pemx::PRIVATE_KEY || label.ends_with(" PRIVATE KEY"))
    else {
        let skipped: Vec<String> = blocks.into_iter().map(|(label, _)| label).collect();
        return Err(match skipped.as_slice() {
            [] => KeyPairError::NoKeyPem,
            [only] if only == pemx::CERTIFICATE => KeyPairError::CertificateInKeyInput,
            _ => KeyPairError::NoKeyBlock(skipped),
        });
    };
    PrivateKey::from_labelled_der(label, der).or_else(|e| {
        PrivateKey::from_der_like_go(der).ok_or_else(|| KeyPairError::BadKey(e.to_string()))
    })
}

/// Read a client `crt` as Go's `tls.X509KeyPair` does: every `CERTIFICATE` block in order, other
/// blocks skipped. The first is the leaf; talosctl sends the others along as intermediates, and
/// a node refuses the handshake when any of them does not parse. Returns the leaf and the
/// intermediates.
///
/// # Errors
/// [`KeyPairError`] in Go's words when there is no certificate block, or one does not parse.
pub fn client_certificates(pem: &[u8]) -> Result<(Certificate, Vec<Certificate>), KeyPairError> {
    read_certificates(pem, true)
}

/// [`client_certificates`] for describing a `crt` rather than judging it (inspect,
/// check-expiration): certificates Go's parser refuses are kept, and blocks after the leaf that
/// do not parse at all are left out.
///
/// # Errors
/// As [`client_certificates`], for the leaf only.
pub fn described_certificates(pem: &[u8]) -> Result<(Certificate, Vec<Certificate>), KeyPairError> {
    read_certificates(pem, false)
}

fn read_certificates(
    pem: &[u8],
    as_go: bool,
) -> Result<(Certificate, Vec<Certificate>), KeyPairError> {
    let mut certs = Vec::new();
    let mut skipped = Vec::new();
    for (label, der) in pemx::decode_all_like_go(pem) {
        if label == pemx::CERTIFICATE {
            let bad = |reason: String| KeyPairError::BadCertificate {
                index: certs.len() + 1,
                reason,
            };
            let cert = match Certificate::from_der(&der) {
                Ok(cert) => cert,
                Err(_) if !as_go && !certs.is_empty() => continue,
                Err(e) => return Err(bad(e.to_string())),
            };
            if let (true, Some(reason)) = (as_go, cert.go_refuses) {
                return Err(bad(reason.to_string()));
            }
            certs.push(cert);
        } else {
            skipped.push(label);
        }
    }
    let mut certs = certs.into_iter();
    match certs.next() {
        Some(leaf) => Ok((leaf, certs.collect())),
        None => Err(match skipped.as_slice() {
            [] => KeyPairError::NoCertificatePem,
            [only] if only.ends_with("PRIVATE KEY") => KeyPairError::KeyInCertificateInput,
            _ => KeyPairError::NoCertificateBlock(skipped),
        }),
    }
}

/// The EKU names for people: `clientAuth`, `serverAuth`, … or the OID.
pub fn eku_name(oid: &str) -> String {
    match oid {
        EKU_ANY => "any",
        EKU_SERVER_AUTH => "serverAuth",
        EKU_CLIENT_AUTH => "clientAuth",
        "1.3.6.1.5.5.7.3.3" => "codeSigning",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.8" => "timeStamping",
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning",
        other => other,
    }
    .to_string()
}

fn eku_list(cert: &Certificate) -> String {
    match &cert.ext_key_usage {
        None => "none (no extension)".to_string(),
        Some(list) if list.is_empty() => "none".to_string(),
        Some(list) => list
            .iter()
            .map(|o| eku_name(o))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// apid's rule on one non-CA certificate: the EKUs Go knows are exactly `[clientAuth]`.
fn apid_eku_exact(cert: &Certificate) -> bool {
    let known: Vec<&String> = cert
        .ext_key_usage
        .iter()
        .flatten()
        .filter(|o| GO_KNOWN_EKUS.contains(&o.as_str()))
        .collect();
    matches!(known.as_slice(), [only] if only.as_str() == EKU_CLIENT_AUTH)
}

/// Go's chain rule on a certificate of the chain (`checkChainForKeyUsage`): no EKU list, or
/// one holding clientAuth or any.
fn allows_client_auth(ca: &Certificate) -> bool {
    match &ca.ext_key_usage {
        None => true,
        Some(list) if list.is_empty() => true,
        Some(list) => list.iter().any(|o| o == EKU_CLIENT_AUTH || o == EKU_ANY),
    }
}

/// Where an issuer sits in a chain: a trusted CA (an anchor) or an intermediate sent along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Intermediate,
    Trusted,
}

/// Why a candidate issuer did not complete a chain (Go keeps the first as `hintErr`).
#[derive(Clone, Debug)]
enum LinkProblem<'a> {
    /// `CheckSignatureFrom`: the issuer's basic constraints forbid signing, or (isValid) an
    /// intermediate is not a CA.
    NotCa(&'a Certificate, Place),
    /// `CheckSignatureFrom`: key usage present without `keyCertSign`.
    NoCertSign(&'a Certificate, Place),
    /// The signature of `child` does not verify with the issuer's key.
    BadSignature {
        child: &'a Certificate,
        issuer: &'a Certificate,
        place: Place,
    },
    /// The issuer is outside its validity window.
    NotValid(&'a Certificate, Place, String),
    /// More intermediates below the issuer than its `pathLenConstraint` allows.
    PathLen {
        issuer: &'a Certificate,
        place: Place,
        max: u32,
        below: usize,
    },
    /// An intermediate's issuer is neither trusted nor sent along.
    NoIssuer(&'a Certificate),
    /// A chain was built, but a certificate of it does not allow clientAuth.
    ClientAuth(&'a Certificate),
    /// `child` is signed with an algorithm Go refuses (MD5, SHA-1, unusual PSS parameters) or
    /// talmint cannot check.
    WeakSignature {
        child: &'a Certificate,
        issuer: &'a Certificate,
        place: Place,
        /// How it is signed and what follows, Go's words included.
        why: String,
    },
    /// (isValid) The issuer marks critical an extension Go does not handle.
    UnhandledCritical(&'a Certificate, Place),
}

/// Go's chain search (`verify.go` `buildChains`), depth first: trusted candidates, then
/// intermediates, each found by raw subject, checked by `CheckSignatureFrom` and `isValid`.
struct ChainSearch<'a> {
    trusted: &'a [Certificate],
    intermediates: &'a [Certificate],
    at: OffsetDateTime,
    hint: Option<LinkProblem<'a>>,
    signature_checks: usize,
    chains: Vec<Vec<&'a Certificate>>,
}

/// Go's bound on signature checks while building chains (`maxChainSignatureChecks`).
const MAX_SIGNATURE_CHECKS: usize = 100;

impl<'a> ChainSearch<'a> {
    /// Every chain from `leaf` to a trusted certificate, or the first reason a link failed.
    fn run(
        leaf: &'a Certificate,
        trusted: &'a [Certificate],
        intermediates: &'a [Certificate],
        at: OffsetDateTime,
    ) -> Result<Vec<Vec<&'a Certificate>>, Option<LinkProblem<'a>>> {
        // Go: a leaf that is itself in the roots pool is a chain of one.
        if trusted.iter().any(|t| t.der == leaf.der) {
            return Ok(vec![vec![leaf]]);
        }
        let mut search = ChainSearch {
            trusted,
            intermediates,
            at,
            hint: None,
            signature_checks: 0,
            chains: Vec::new(),
        };
        search.extend(&mut vec![leaf]);
        if search.chains.is_empty() {
            Err(search.hint)
        } else {
            Ok(search.chains)
        }
    }

    fn extend(&mut self, chain: &mut Vec<&'a Certificate>) {
        let Some(&child) = chain.last() else {
            return;
        };
        let trusted = self.trusted.iter().map(|c| (c, Place::Trusted));
        let intermediates = self.intermediates.iter().map(|c| (c, Place::Intermediate));
        let mut found = false;
        for (issuer, place) in trusted.chain(intermediates) {
            if issuer.subject_der != child.issuer_der
                || chain
                    .iter()
                    .any(|c| c.subject_der == issuer.subject_der && c.spki_der == issuer.spki_der)
            {
                continue;
            }
            found = true;
            self.signature_checks += 1;
            if self.signature_checks > MAX_SIGNATURE_CHECKS {
                return;
            }
            match link_problem(child, issuer, place, chain.len(), self.at) {
                Some(problem) => {
                    self.hint.get_or_insert(problem);
                }
                None => {
                    chain.push(issuer);
                    match place {
                        Place::Trusted => self.chains.push(chain.clone()),
                        Place::Intermediate => self.extend(chain),
                    }
                    chain.pop();
                }
            }
        }
        if !found && chain.len() > 1 {
            self.hint.get_or_insert(LinkProblem::NoIssuer(child));
        }
    }
}

/// Go's `CheckSignatureFrom(issuer)` on `child`, then `issuer.isValid` with `chain_len`
/// certificates below it.
fn link_problem<'a>(
    child: &'a Certificate,
    issuer: &'a Certificate,
    place: Place,
    chain_len: usize,
    at: OffsetDateTime,
) -> Option<LinkProblem<'a>> {
    // RFC 5280 4.2.1.9 as Go reads it: a v3 certificate signs only with basic constraints cA; a
    // v1 certificate (no extensions) may sign, except as an intermediate (isValid).
    if (issuer.version == 3 && !issuer.basic_constraints)
        || (issuer.basic_constraints && !issuer.is_ca)
    {
        return Some(LinkProblem::NotCa(issuer, place));
    }
    if issuer
        .key_usage
        .as_ref()
        .is_some_and(|ku| !ku.is_empty() && !ku.contains(&"keyCertSign"))
    {
        return Some(LinkProblem::NoCertSign(issuer, place));
    }
    let checked = match child.go_refuses_signature() {
        Some(why) => Err(SignatureError::RefusedByGo(why)),
        None => child.verify_signed_by(issuer),
    };
    let weak = |why: String| {
        Some(LinkProblem::WeakSignature {
            child,
            issuer,
            place,
            why,
        })
    };
    match checked {
        Ok(()) => {}
        Err(SignatureError::Invalid(_)) => {
            return Some(LinkProblem::BadSignature {
                child,
                issuer,
                place,
            })
        }
        Err(SignatureError::RefusedByGo(why)) => {
            return weak(format!("with an algorithm a node refuses ({why})"))
        }
        // Not a wrong key but an algorithm talmint cannot check: say so rather than blame
        // another CA.
        Err(_) => {
            return weak(format!(
                "with an algorithm talmint cannot check ({}): a node may accept it, check with talosctl",
                child.signature_oid
            ))
        }
    }
    if !issuer.unhandled_critical.is_empty() {
        return Some(LinkProblem::UnhandledCritical(issuer, place));
    }
    if let Some(problem) = validity_problem(issuer, at) {
        return Some(LinkProblem::NotValid(issuer, place, problem));
    }
    if place == Place::Intermediate && !(issuer.basic_constraints && issuer.is_ca) {
        return Some(LinkProblem::NotCa(issuer, place));
    }
    let below = chain_len.saturating_sub(1);
    match issuer.max_path_len {
        Some(max) if issuer.basic_constraints && below > max as usize => {
            Some(LinkProblem::PathLen {
                issuer,
                place,
                max,
                below,
            })
        }
        _ => None,
    }
}

/// The leaf's critical extensions Go does not handle, as the chain check's problem and fix.
fn unhandled_critical_problem(
    cert: &Certificate,
    whose: String,
    roles: &RoleSet,
) -> (String, String) {
    (
        format!(
            "{whose} marks critical an extension Go does not handle ({}): a node refuses it (x509: unhandled critical extension)",
            cert.unhandled_critical.join(", ")
        ),
        reissue(roles),
    )
}

fn validity_problem(cert: &Certificate, at: OffsetDateTime) -> Option<String> {
    if at < cert.not_before {
        Some(format!(
            "not valid yet: valid from {} ({}), the clock reads {}",
            rfc3339(cert.not_before),
            relative_time(cert.not_before, at),
            rfc3339(at)
        ))
    } else if at > cert.not_after {
        Some(format!(
            "expired {} (NotAfter {})",
            relative_time(cert.not_after, at),
            rfc3339(cert.not_after)
        ))
    } else {
        None
    }
}

fn pass(id: CheckId, what: impl Into<String>) -> Check {
    Check {
        id,
        outcome: Outcome::Pass(what.into()),
    }
}

fn fail(id: CheckId, problem: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        id,
        outcome: Outcome::Fail {
            problem: problem.into(),
            fix: fix.into(),
        },
    }
}

fn skip(id: CheckId, why: impl Into<String>) -> Check {
    Check {
        id,
        outcome: Outcome::Skip(why.into()),
    }
}

/// The command that issues a replacement credential with `roles`.
fn reissue(roles: &RoleSet) -> String {
    let known: Vec<String> = roles
        .iter()
        .filter(|r| r.is_built_in())
        .map(|r| r.as_str().to_string())
        .collect();
    let roles = if known.is_empty() {
        "<built-in roles>".to_string()
    } else {
        known.join(",")
    };
    format!("issue a new credential from the cluster's secrets: talmint config new --with-secrets secrets.yaml --roles {roles}")
}

/// How to replace a credential issued by the right CA: renew keeps its roles.
fn renew() -> &'static str {
    "renew it (same roles, new key): talmint config renew --with-secrets secrets.yaml [--talosconfig FILE] [--context NAME]"
}

/// Run every check on the credential in `req`.
pub fn verify(req: &Request<'_>) -> Verdict {
    verify_inner(req, None, None)
}

/// Check a talosconfig context's credential (`crt`/`key`/`ca` are base64 of PEM there).
/// `trusted` is the node's CA set; `None` trusts the context's own `ca` (then the client-ca
/// check is skipped, as it would compare `ca` with itself).
///
/// # Errors
/// [`VerifyError`] when there is nothing to trust: no `trusted` and no usable `ca`.
pub fn verify_context(
    context: &Context,
    trusted: Option<&[Certificate]>,
    at: OffsetDateTime,
    expected_roles: Option<&RoleSet>,
) -> Result<Verdict, VerifyError> {
    let own_ca;
    let (trusted, client_ca) = match trusted {
        Some(t) => (t, Some(decode_b64(&context.ca).unwrap_or_default())),
        None => {
            if context.ca.trim().is_empty() {
                return Err(VerifyError::NoCa);
            }
            let pem =
                decode_b64(&context.ca).map_err(|e| VerifyError::BadCa(format!("ca: {e}")))?;
            own_ca = trusted_from_pem(&pem)?;
            (own_ca.as_slice(), None)
        }
    };
    let (crt, crt_problem) = match decode_b64(&context.crt) {
        Ok(b) => (b, None),
        Err(e) => (Zeroizing::new(Vec::new()), Some(format!("crt: {e}"))),
    };
    let (key, key_problem) = match decode_b64(&context.key) {
        Ok(b) => (b, None),
        Err(e) => (Zeroizing::new(Vec::new()), Some(format!("key: {e}"))),
    };
    let req = Request {
        trusted,
        crt_pem: &crt,
        key_pem: &key,
        client_ca_pem: client_ca.as_deref().map(|v| v.as_slice()),
        at,
        expected_roles,
    };
    Ok(verify_inner(&req, crt_problem, key_problem))
}

/// The CA certificates of a PEM (every `CERTIFICATE` block) or DER file.
///
/// # Errors
/// [`VerifyError::BadCa`] when there is no certificate or one does not parse.
pub fn trusted_from_pem(bytes: &[u8]) -> Result<Vec<Certificate>, VerifyError> {
    let ders = match pemx::decode_all_certificates(bytes) {
        Ok(d) => d,
        Err(_) if !bytes.is_empty() && Certificate::from_der(bytes).is_ok() => vec![bytes.to_vec()],
        Err(_) => {
            return Err(VerifyError::BadCa(
                "no CERTIFICATE PEM block and not a DER certificate".into(),
            ))
        }
    };
    ders.iter()
        .map(|d| Certificate::from_der(d).map_err(|e| VerifyError::BadCa(e.to_string())))
        .collect()
}

/// The node's CA from a secrets bundle: `certs.os.crt`.
///
/// # Errors
/// [`VerifyError::BadCa`] when the bundle has no readable `certs.os.crt`.
pub fn trusted_from_bundle(bundle: &SecretsBundle) -> Result<Vec<Certificate>, VerifyError> {
    let os = bundle
        .certs
        .as_ref()
        .and_then(|c| c.os.as_ref())
        .ok_or_else(|| VerifyError::BadCa("certs.os is required".into()))?;
    trusted_from_pem(&os.crt).map_err(|e| VerifyError::BadCa(format!("certs.os.crt: {e}")))
}

/// The problems of `context`'s `ca`, `crt` and `key` as files: not a certificate, not a
/// private key, or a key that is not the certificate's; read as [`verify_context`] reads them.
/// Empty fields are not looked at; the key is matched only when both parse.
pub fn context_file_problems(context: &Context) -> Vec<ContextFileProblem> {
    let given = |b64: &str| (!b64.trim().is_empty()).then(|| decode_b64(b64));
    let mut problems = Vec::new();
    if let Some(ca) = given(&context.ca) {
        let parsed = ca.and_then(|pem| {
            trusted_from_pem(&pem).map_err(|e| match e {
                VerifyError::BadCa(why) => why,
                other => other.to_string(),
            })
        });
        if let Err(e) = parsed {
            problems.push(ContextFileProblem::CaNotCertificate(e));
        }
    }
    let mut leaf = None;
    if let Some(crt) = given(&context.crt) {
        match crt.and_then(|pem| client_certificates(&pem).map_err(|e| e.to_string())) {
            Ok((cert, _)) => leaf = Some(cert),
            Err(e) => problems.push(ContextFileProblem::CrtNotCertificate(e)),
        }
    }
    let mut key = None;
    if let Some(pem) = given(&context.key) {
        match pem.and_then(|pem| parse_client_key(&pem).map_err(|e| e.to_string())) {
            Ok(k) => key = Some(k),
            Err(e) => problems.push(ContextFileProblem::KeyNotPrivateKey(e)),
        }
    }
    if let (Some(leaf), Some(key)) = (leaf, key) {
        if !key_matches(&key, &leaf).unwrap_or(false) {
            problems.push(ContextFileProblem::KeyMismatch);
        }
    }
    problems
}

fn decode_b64(value: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    crate::gobase64::decode(value).map_err(|e| format!("invalid base64: {e}"))
}

fn verify_inner(
    req: &Request<'_>,
    crt_problem: Option<String>,
    key_problem: Option<String>,
) -> Verdict {
    let mut checks = Vec::new();
    let mut notes = Vec::new();
    let at = req.at;
    let mut intermediates = Vec::new();
    // A node loads its CAs with Go's `AppendCertsFromPEM`, which skips what Go's parser refuses.
    let usable: Vec<Certificate> = req
        .trusted
        .iter()
        .filter(|ca| match ca.go_refuses {
            None => true,
            Some(why) => {
                notes.push(format!(
                    "the CA {} is left out: a node's Go does not parse it ({why}), so it trusts nothing through it",
                    display_name(&ca.subject)
                ));
                false
            }
        })
        .cloned()
        .collect();
    let req = &Request {
        trusted: &usable,
        ..*req
    };

    let leaf = if let Some(problem) = crt_problem {
        checks.push(fail(
            CheckId::Certificate,
            format!("the client certificate does not decode: {problem}"),
            reissue(&RoleSet::default()),
        ));
        None
    } else if req.crt_pem.iter().all(u8::is_ascii_whitespace) {
        checks.push(fail(
            CheckId::Certificate,
            "the credential has no client certificate (crt)",
            reissue(&RoleSet::default()),
        ));
        None
    } else {
        match client_certificates(req.crt_pem) {
            Ok((leaf, certs)) => {
                let along = match certs.len() {
                    0 => String::new(),
                    1 => ", with 1 intermediate".to_string(),
                    n => format!(", with {n} intermediates"),
                };
                checks.push(pass(
                    CheckId::Certificate,
                    format!(
                        "{}, serial {}{along}",
                        display_name(&leaf.subject),
                        serial_number(&leaf.serial_hex)
                    ),
                ));
                intermediates = certs;
                Some(leaf)
            }
            Err(e) => {
                checks.push(fail(
                    CheckId::Certificate,
                    format!("the client certificate does not parse: {e}"),
                    reissue(&RoleSet::default()),
                ));
                None
            }
        }
    };
    let roles = leaf
        .as_ref()
        .map(|c| RoleSet::parse_lenient(c.organizations.iter().map(String::as_str)))
        .unwrap_or_default();

    let key = if let Some(problem) = key_problem {
        checks.push(fail(
            CheckId::PrivateKey,
            format!("the private key does not decode: {problem}"),
            format!(
                "restore the key issued with this certificate, or {}",
                renew()
            ),
        ));
        None
    } else if req.key_pem.iter().all(u8::is_ascii_whitespace) {
        checks.push(fail(
            CheckId::PrivateKey,
            "the credential has no private key (key): the TLS handshake needs it",
            format!(
                "restore the key issued with this certificate, or {}",
                renew()
            ),
        ));
        None
    } else {
        match parse_client_key(req.key_pem) {
            Ok(k) => {
                checks.push(pass(CheckId::PrivateKey, format!("{:?}", k.algorithm())));
                Some(k)
            }
            Err(e) => {
                checks.push(fail(
                    CheckId::PrivateKey,
                    format!("the private key does not parse: {e}"),
                    format!(
                        "restore the key issued with this certificate, or {}",
                        renew()
                    ),
                ));
                None
            }
        }
    };

    match (&leaf, &key) {
        (Some(cert), Some(key)) => match key_matches(key, cert) {
            Ok(true) => checks.push(pass(
                CheckId::KeyMatches,
                format!(
                    "the key's public half is the certificate's ({})",
                    cert.spki_pin()
                ),
            )),
            Ok(false) => checks.push(fail(
                CheckId::KeyMatches,
                format!(
                    "the private key belongs to another certificate (key {}, certificate {})",
                    key.public_key_der()
                        .map(|d| format!("sha256:{}", crate::pki::sha256_hex(&d)))
                        .unwrap_or_default(),
                    cert.spki_pin()
                ),
                format!(
                    "put the key issued with this certificate back, or {}",
                    renew()
                ),
            )),
            Err(e) => checks.push(fail(
                CheckId::KeyMatches,
                format!("the key's public half cannot be derived: {e}"),
                reissue(&roles),
            )),
        },
        _ => checks.push(skip(
            CheckId::KeyMatches,
            "needs both the certificate and the key",
        )),
    }

    let Some(cert) = leaf else {
        for id in [
            CheckId::Issuer,
            CheckId::Chain,
            CheckId::Validity,
            CheckId::NotCa,
            CheckId::ExtKeyUsage,
        ] {
            checks.push(skip(id, "no certificate"));
        }
        push_client_ca(&mut checks, req);
        for id in [CheckId::RolesKnown, CheckId::RolesExpected] {
            if id == CheckId::RolesKnown || req.expected_roles.is_some() {
                checks.push(skip(id, "no certificate"));
            }
        }
        return Verdict {
            at,
            leaf: None,
            roles,
            checks,
            notes,
        };
    };

    // Issuer and chain.
    let chain = push_issuer_and_chain(&mut checks, &cert, &intermediates, req, &roles);
    match validity_problem(&cert, at) {
        None => checks.push(pass(
            CheckId::Validity,
            format!(
                "valid from {} until {} ({})",
                rfc3339(cert.not_before),
                rfc3339(cert.not_after),
                relative_time(cert.not_after, at)
            ),
        )),
        Some(problem) if at < cert.not_before => checks.push(fail(
            CheckId::Validity,
            problem,
            "a node whose clock reads earlier rejects it: wait until NotBefore, or issue it again with a NotBefore in the past",
        )),
        Some(problem) => checks.push(fail(CheckId::Validity, problem, renew())),
    }

    if cert.is_ca {
        checks.push(fail(
            CheckId::NotCa,
            "the certificate is a CA (basic constraints cA=true): whoever holds its key can mint credentials",
            reissue(&roles),
        ));
    } else {
        checks.push(pass(CheckId::NotCa, "a leaf (no cA flag)"));
    }

    let above = chain.filter(|c| !apid_eku_exact(c));
    if let (Some(anchor), true) = (&above, cert.is_ca || apid_eku_exact(&cert)) {
        // Talos compat: apid's own message (service.go verifyExtKeyUsage), on the first
        // non-CA certificate of the verified chain: here a version 1 trusted certificate.
        checks.push(fail(
            CheckId::ExtKeyUsage,
            format!(
                "certificate {:?} is missing the client auth extended key usage: the trusted certificate is version {}, without basic constraints, so not a CA, and apid requires every non-CA certificate of the chain to have exactly [clientAuth]",
                go_subject(anchor),
                anchor.version
            ),
            "trust the cluster's OS CA certificate, which is a CA (basic constraints cA, keyCertSign): --with-secrets secrets.yaml or --ca FILE",
        ));
    } else if cert.is_ca {
        checks.push(skip(
            CheckId::ExtKeyUsage,
            "apid skips CA certificates in its exact-EKU rule",
        ));
    } else if apid_eku_exact(&cert) {
        checks.push(pass(CheckId::ExtKeyUsage, "exactly clientAuth"));
    } else {
        // Talos compat: apid's own message (service.go verifyExtKeyUsage).
        checks.push(fail(
            CheckId::ExtKeyUsage,
            format!(
                "certificate {:?} is missing the client auth extended key usage: its EKUs are [{}]; Talos requires exactly [clientAuth]",
                go_subject(&cert),
                eku_list(&cert)
            ),
            renew(),
        ));
    }

    push_client_ca(&mut checks, req);

    let unknown: Vec<String> = roles.unknown().map(|r| r.as_str().to_string()).collect();
    if roles.is_empty() {
        checks.push(fail(
            CheckId::RolesKnown,
            "the certificate carries no roles (no Organization values): a node denies every call",
            reissue(&roles),
        ));
    } else if !unknown.is_empty() {
        checks.push(fail(
            CheckId::RolesKnown,
            format!(
                "unknown roles: {}: a node keeps them but no API rule grants them",
                unknown.join(", ")
            ),
            format!(
                "{} (built-in roles: {})",
                reissue(&roles),
                BUILT_IN.join(", ")
            ),
        ));
    } else {
        checks.push(pass(CheckId::RolesKnown, roles.to_string()));
    }

    if let Some(expected) = req.expected_roles {
        if &roles == expected {
            checks.push(pass(CheckId::RolesExpected, format!("exactly {expected}")));
        } else {
            let has = if roles.is_empty() {
                "none".to_string()
            } else {
                roles.to_string()
            };
            checks.push(fail(
                CheckId::RolesExpected,
                format!("the certificate's roles are {has}, expected exactly {expected}"),
                format!(
                    "issue a credential with the roles you need: talmint config new --with-secrets secrets.yaml --roles {}",
                    expected.strings().join(",")
                ),
            ));
        }
    }

    if roles.contains("os:impersonator") {
        notes.push(
            "os:impersonator lets this credential claim any roles through talos-role metadata (roles-authz.md §3.2)"
                .to_string(),
        );
    }

    Verdict {
        at,
        leaf: Some(cert),
        roles,
        checks,
        notes,
    }
}

/// The issuer and chain checks. Returns the first non-CA certificate above the leaf in the chain
/// Go would hand to apid (a version 1 trusted certificate), for apid's EKU rule.
fn push_issuer_and_chain(
    checks: &mut Vec<Check>,
    cert: &Certificate,
    intermediates: &[Certificate],
    req: &Request<'_>,
    roles: &RoleSet,
) -> Option<Certificate> {
    let in_trusted = req.trusted.iter().any(|t| t.der == cert.der);
    let named = in_trusted
        || req
            .trusted
            .iter()
            .chain(intermediates)
            .any(|c| c.subject_der == cert.issuer_der);
    if !named {
        let (e, why) = match find_issuer(cert, req.trusted) {
            Err(e @ ChainError::IssuerEncoding { .. }) => (e.to_string(), ""),
            Err(e) => (e.to_string(), ": the certificate was issued by another CA"),
            Ok(_) => ("no issuer".to_string(), ""),
        };
        let along = if intermediates.is_empty() {
            ""
        } else {
            " (nor an intermediate sent along)"
        };
        checks.push(fail(
            CheckId::Issuer,
            format!("{e}{along}{why}"),
            format!(
                "{}; or check against the right CA with --with-secrets or --ca",
                reissue(roles)
            ),
        ));
        checks.push(skip(CheckId::Chain, "no trusted CA with the issuer's name"));
        return None;
    }
    checks.push(pass(
        CheckId::Issuer,
        if in_trusted {
            "the certificate itself is a trusted certificate".to_string()
        } else if req.trusted.iter().any(|c| c.subject_der == cert.issuer_der) {
            format!("{} is a trusted CA's subject", display_name(&cert.issuer))
        } else {
            format!(
                "{} is the subject of an intermediate sent along",
                display_name(&cert.issuer)
            )
        },
    ));

    // Go's Verify refuses such a leaf before it looks for a chain.
    if !cert.unhandled_critical.is_empty() {
        let (problem, fix) = unhandled_critical_problem(
            cert,
            format!("the certificate {}", display_name(&cert.subject)),
            roles,
        );
        checks.push(fail(CheckId::Chain, problem, fix));
        return None;
    }
    let chains = match ChainSearch::run(cert, req.trusted, intermediates, req.at) {
        Ok(chains) => chains,
        Err(hint) => {
            let (problem, fix) = describe_link_problem(hint, roles);
            checks.push(fail(CheckId::Chain, problem, fix));
            return None;
        }
    };
    // Go's checkChainForKeyUsage on every chain; apid reads the first chain that passes.
    let Some(chain) = chains.iter().find(|c| client_auth_offender(c).is_none()) else {
        let first = chains.first().and_then(|c| client_auth_offender(c));
        let (problem, fix) = describe_link_problem(first.map(LinkProblem::ClientAuth), roles);
        checks.push(fail(CheckId::Chain, problem, fix));
        return None;
    };
    let (anchor, via) = chain.split_last()?;
    let via: Vec<String> = via
        .iter()
        .skip(1)
        .map(|c| {
            format!(
                "{} (until {})",
                display_name(&c.subject),
                rfc3339(c.not_after)
            )
        })
        .collect();
    let what = if in_trusted {
        format!(
            "the certificate is itself trusted ({}), valid until {}",
            anchor.spki_pin(),
            rfc3339(anchor.not_after)
        )
    } else if via.is_empty() {
        format!(
            "signed by {} ({}), valid until {}",
            display_name(&anchor.subject),
            anchor.spki_pin(),
            rfc3339(anchor.not_after)
        )
    } else {
        format!(
            "via {} to {} ({}), valid until {}",
            via.join(", "),
            display_name(&anchor.subject),
            anchor.spki_pin(),
            rfc3339(anchor.not_after)
        )
    };
    checks.push(pass(CheckId::Chain, what));
    chain
        .iter()
        .skip(1)
        .find(|c| !c.is_ca)
        .map(|c| (*c).clone())
}

/// The first certificate of `chain` that Go's `checkChainForKeyUsage` objects to: its EKUs
/// exclude clientAuth. A non-CA leaf is left to ext-key-usage, whose exact rule is stricter.
fn client_auth_offender<'a>(chain: &[&'a Certificate]) -> Option<&'a Certificate> {
    chain
        .iter()
        .enumerate()
        .find(|(i, c)| (*i > 0 || c.is_ca) && !allows_client_auth(c))
        .map(|(_, c)| *c)
}

/// The chain check's problem and fix for the first failed link (`None`: no candidate at all).
fn describe_link_problem(problem: Option<LinkProblem<'_>>, roles: &RoleSet) -> (String, String) {
    let whose = |place: Place, c: &Certificate| match place {
        Place::Trusted => format!("the trusted CA {}", display_name(&c.subject)),
        Place::Intermediate => format!("the intermediate {}", display_name(&c.subject)),
    };
    let not_a_ca_fix = |place: Place| {
        match place {
        Place::Trusted => "trust the cluster's OS CA certificate, which is a CA (basic constraints cA, keyCertSign): --with-secrets secrets.yaml or --ca FILE; a node whose machine.ca.crt is not a CA accepts no client certificate".to_string(),
        Place::Intermediate => format!("send only CA intermediates in crt, or {}", reissue(roles)),
    }
    };
    // Talos compat: Go's own words, which a node logs (x509 ConstraintViolationError).
    const GO_CANNOT_SIGN: &str =
        "x509: invalid signature: parent certificate cannot sign this kind of certificate";
    match problem {
        None => (
            "no chain to a trusted CA".to_string(),
            format!(
                "{}; or check against the right CA with --with-secrets or --ca",
                reissue(roles)
            ),
        ),
        Some(LinkProblem::NotCa(c, place)) => {
            let why = if c.basic_constraints {
                "basic constraints cA is not set"
            } else if c.version == 3 {
                "no basic constraints extension"
            } else {
                "a version 1 certificate cannot be an intermediate"
            };
            (
                format!(
                    "{} is not a CA ({why}): a node refuses it as an issuer ({GO_CANNOT_SIGN})",
                    whose(place, c)
                ),
                not_a_ca_fix(place),
            )
        }
        Some(LinkProblem::NoCertSign(c, place)) => (
            format!(
                "{} has key usage {} without keyCertSign: a node refuses it as an issuer ({GO_CANNOT_SIGN})",
                whose(place, c),
                c.key_usage.as_deref().unwrap_or_default().join(", ")
            ),
            not_a_ca_fix(place),
        ),
        Some(LinkProblem::BadSignature {
            child,
            issuer,
            place: Place::Trusted,
        }) if child.issuer_der == issuer.subject_der && !child.is_ca && issuer.is_ca => (
            format!(
                "the issuer name matches the CA's, but the signature does not verify with the CA's key ({}): it was issued by another CA of the same name, e.g. another cluster's",
                issuer.spki_pin()
            ),
            reissue(roles),
        ),
        Some(LinkProblem::BadSignature {
            child,
            issuer,
            place,
        }) => (
            format!(
                "{} names {} as its issuer, but the signature does not verify with its key ({})",
                display_name(&child.subject),
                whose(place, issuer),
                issuer.spki_pin()
            ),
            reissue(roles),
        ),
        Some(LinkProblem::WeakSignature {
            child,
            issuer,
            place,
            why,
        }) => (
            format!(
                "{} is signed by {} {why}",
                display_name(&child.subject),
                whose(place, issuer)
            ),
            reissue(roles),
        ),
        Some(LinkProblem::UnhandledCritical(c, place)) => {
            let fix = match place {
                Place::Trusted => "trust the cluster's OS CA certificate: --with-secrets secrets.yaml or --ca FILE".to_string(),
                Place::Intermediate => format!("send only intermediates a node can use, or {}", reissue(roles)),
            };
            (unhandled_critical_problem(c, whose(place, c), roles).0, fix)
        }
        Some(LinkProblem::NotValid(c, Place::Trusted, problem)) => (
            format!("the CA {} is {problem}", display_name(&c.subject)),
            "the OS CA itself is out of its validity window: rotate the cluster's OS CA (talosctl rotate-ca) and issue new credentials".to_string(),
        ),
        Some(LinkProblem::NotValid(c, Place::Intermediate, problem)) => (
            format!("the intermediate {} is {problem}", display_name(&c.subject)),
            reissue(roles),
        ),
        Some(LinkProblem::PathLen {
            issuer,
            place,
            max,
            below,
        }) => (
            format!(
                "{} allows {max} intermediate(s) below it (pathLenConstraint), the chain has {below}",
                whose(place, issuer)
            ),
            reissue(roles),
        ),
        Some(LinkProblem::NoIssuer(c)) => (
            format!(
                "the intermediate {} was issued by {}, which is neither a trusted CA nor sent along",
                display_name(&c.subject),
                display_name(&c.issuer)
            ),
            format!(
                "{}; or check against the right CA with --with-secrets or --ca",
                reissue(roles)
            ),
        ),
        Some(LinkProblem::ClientAuth(c)) => (
            format!(
                "{} restricts its extended key usages to {}, without clientAuth",
                if c.is_ca {
                    format!("the CA {}", display_name(&c.subject))
                } else {
                    format!("the certificate {}", display_name(&c.subject))
                },
                eku_list(c)
            ),
            "use an OS CA whose EKUs include clientAuth (Talos CAs carry serverAuth, clientAuth)"
                .to_string(),
        ),
    }
}

fn push_client_ca(checks: &mut Vec<Check>, req: &Request<'_>) {
    let Some(pem) = req.client_ca_pem else {
        return;
    };
    if pem.iter().all(u8::is_ascii_whitespace) {
        checks.push(fail(
            CheckId::ClientCa,
            "the credential has no ca: talosctl cannot verify the node's server certificate",
            "set the context's ca to the base64 of the cluster's OS CA certificate (certs.os.crt)",
        ));
        return;
    }
    let cas: Vec<Certificate> = match pemx::decode_all_certificates(pem) {
        Ok(ders) => ders
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect(),
        Err(_) => Vec::new(),
    };
    if cas.is_empty() {
        checks.push(fail(
            CheckId::ClientCa,
            "the credential's ca holds no certificate that parses",
            "set the context's ca to the base64 of the cluster's OS CA certificate (certs.os.crt)",
        ));
    } else if let Some(ca) = cas
        .iter()
        .find(|ca| req.trusted.iter().any(|t| t.der == ca.der))
    {
        checks.push(pass(
            CheckId::ClientCa,
            format!(
                "holds the node's CA {} ({})",
                display_name(&ca.subject),
                ca.spki_pin()
            ),
        ));
    } else {
        let pins: Vec<String> = cas.iter().map(Certificate::spki_pin).collect();
        checks.push(fail(
            CheckId::ClientCa,
            format!(
                "the credential's ca ({}) is not the node's CA: talosctl would refuse the node's server certificate",
                pins.join(", ")
            ),
            "set the context's ca to the base64 of the cluster's OS CA certificate (certs.os.crt)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::{CaKeyPair, KeyAlgorithm, Profile, Ttl};
    use time::macros::datetime;

    fn ca(now: OffsetDateTime) -> CaKeyPair {
        CaKeyPair::generate(
            &Profile::ca("talos"),
            KeyAlgorithm::Ed25519,
            now,
            Ttl::from_hours(87600),
        )
        .unwrap()
    }

    #[test]
    fn eku_rule_ignores_eku_oids_go_does_not_know() {
        let now = datetime!(2024-01-01 00:00:00 UTC);
        let ca = ca(now);
        let roles: RoleSet = "os:reader".parse().unwrap();
        let mut leaf = ca
            .issue_client(&roles, now, Ttl::from_hours(1))
            .unwrap()
            .cert;
        assert!(apid_eku_exact(&leaf));
        leaf.ext_key_usage = Some(vec![EKU_CLIENT_AUTH.into(), "1.2.3.4".into()]);
        assert!(
            apid_eku_exact(&leaf),
            "Go files 1.2.3.4 under UnknownExtKeyUsage"
        );
        leaf.ext_key_usage = Some(vec![EKU_SERVER_AUTH.into(), EKU_CLIENT_AUTH.into()]);
        assert!(!apid_eku_exact(&leaf));
        leaf.ext_key_usage = None;
        assert!(
            !apid_eku_exact(&leaf),
            "no EKU extension is not exactly clientAuth"
        );
    }

    #[test]
    fn eku_message_names_the_subject_as_go_does() {
        let now = datetime!(2024-01-01 00:00:00 UTC);
        let ca = ca(now);
        let roles: RoleSet = "os:reader,os:etcd:backup".parse().unwrap();
        let leaf = ca
            .issue_client(&roles, now, Ttl::from_hours(1))
            .unwrap()
            .cert;
        // DER-sorted SET: the shorter value first.
        assert_eq!(go_subject(&leaf), "O=os:reader+O=os:etcd:backup");
        assert_eq!(go_subject(ca.cert()), "O=talos");
    }

    #[test]
    fn client_key_is_read_as_tls_x509_key_pair_reads_it() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let key_pem = key.to_pem().unwrap();
        let params = pemx::encode("EC PARAMETERS", &[6, 8, 42, 134, 72, 206, 61, 3, 1, 7]);
        let cert = pemx::encode(pemx::CERTIFICATE, b"x");
        let spki = key.public_key_der().unwrap();
        let read = |text: String| parse_client_key(text.as_bytes());
        // Go skips blocks until one labelled "PRIVATE KEY" or "… PRIVATE KEY".
        let got = read(format!("{params}{cert}{}", *key_pem)).unwrap();
        assert_eq!(got.public_key_der().unwrap(), spki);
        // Go's parsePrivateKey ignores the label: PKCS#8 under "RSA PRIVATE KEY" reads.
        let pkcs8 = key.secret_pkcs8_der().unwrap();
        let relabelled = pemx::encode_secret(pemx::RSA_PRIVATE_KEY, &pkcs8);
        let got = read(relabelled.to_string()).unwrap();
        assert_eq!(got.public_key_der().unwrap(), spki);
        // Go's messages when there is no key block.
        let message = |text: String| read(text).unwrap_err().to_string();
        assert_eq!(
            message(String::new()),
            "tls: failed to find any PEM data in key input"
        );
        assert_eq!(
            message(cert.clone()),
            "tls: found a certificate rather than a key in the PEM for the private key"
        );
        assert_eq!(
            message(format!("{params}{cert}")),
            "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [EC PARAMETERS CERTIFICATE]"
        );
        // "PRIVATE KEYS" is not a key label; the key bytes of a bad key are never quoted.
        let err = message(pemx::encode("RSA PRIVATE KEY", b"junk"));
        assert!(err.starts_with("failed to parse RSA key"), "{err}");
        assert!(read(pemx::encode("PRIVATE KEYS", &pkcs8)).is_err());
    }

    #[test]
    fn client_crt_is_read_as_tls_x509_key_pair_reads_it() {
        let now = datetime!(2024-01-01 00:00:00 UTC);
        let ca = ca(now);
        let roles: RoleSet = "os:reader".parse().unwrap();
        let issued = ca.issue_client(&roles, now, Ttl::from_hours(1)).unwrap();
        let params = pemx::encode("EC PARAMETERS", &[6, 8, 42, 134, 72, 206, 61, 3, 1, 7]);
        let key_pem = issued.key.unwrap().to_pem().unwrap();
        let text = format!("{params}{}{}{}", *key_pem, issued.cert_pem, ca.cert_pem());
        let (leaf, rest) = client_certificates(text.as_bytes()).unwrap();
        assert_eq!(leaf.der, issued.cert.der);
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].der, ca.cert().der);
        let message = |text: String| {
            client_certificates(text.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message("no pem".into()),
            "tls: failed to find any PEM data in certificate input"
        );
        assert_eq!(
            message(key_pem.to_string()),
            "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched"
        );
        let both = message(format!("{params}{}", *key_pem));
        assert_eq!(
            both,
            "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [EC PARAMETERS ED25519 PRIVATE KEY]"
        );
        let bad = format!(
            "{}{}",
            issued.cert_pem,
            pemx::encode(pemx::CERTIFICATE, b"x")
        );
        assert!(message(bad).starts_with("CERTIFICATE block 2: failed to parse certificate"));
    }

    #[test]
    fn validity_window_is_inclusive_at_both_ends_as_go() {
        let now = datetime!(2024-01-01 00:00:00 UTC);
        let ca = ca(now);
        let roles: RoleSet = "os:reader".parse().unwrap();
        let leaf = ca
            .issue_client(&roles, now, Ttl::from_hours(1))
            .unwrap()
            .cert;
        assert_eq!(validity_problem(&leaf, leaf.not_before), None);
        assert_eq!(validity_problem(&leaf, leaf.not_after), None);
        let one = time::Duration::seconds(1);
        assert!(validity_problem(&leaf, leaf.not_after + one)
            .unwrap()
            .starts_with("expired 1 second ago"));
        assert!(validity_problem(&leaf, leaf.not_before - one)
            .unwrap()
            .starts_with("not valid yet"));
    }
}
