//! Keys, PEM and X.509 certificates and CSRs; knows nothing about Talos files or YAML.
//!
//! - [`key`]: private keys (Ed25519, ECDSA P-256, RSA) in the PEM forms Talos writes and reads.
//! - [`pem`]: PEM blocks with `\n` line ends and 64-column bodies, as Go writes them.
//! - [`cert`]: a parsed certificate with the fields talmint looks at.
//! - [`ttl`]: Go duration syntax (`8h`, `1h30m`) plus days (`7d`).
//! - [`profile`]: the certificate profiles Talos uses (CAs, API clients, CSR-based certificates).
//! - [`issue`]: the only code that builds and signs certificates.
//! - [`csr`]: certificate signing requests (`gen csr`, `gen crt`).

pub mod cert;
pub mod csr;
pub mod issue;
pub mod key;
pub mod pem;
pub mod profile;
pub mod ttl;

pub use cert::Certificate;
pub use issue::{CaKeyPair, IssuedCert, Window};
pub use key::{KeyAlgorithm, PrivateKey};
pub use profile::Profile;
pub use ttl::Ttl;

/// Anything that can go wrong reading or producing keys and certificates.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// No PEM block could be decoded (Go's message).
    #[error("failed to parse PEM block")]
    NoPem,
    /// A PEM block of a type that is not a supported private key (Go's message).
    #[error("unsupported key type: {0:?}")]
    UnsupportedKeyType(String),
    /// A PEM block of an unexpected type.
    #[error("expected a PEM block of type {expected:?}, found {found}")]
    WrongPemType {
        /// What was expected.
        expected: &'static str,
        /// What was found, described (see [`describe_label`]).
        found: String,
    },
    /// The key bytes inside a PEM block do not parse.
    #[error("failed to parse {kind} key: {reason}")]
    BadKey {
        /// Which encoding was attempted.
        kind: &'static str,
        /// Why it failed (never key material).
        reason: String,
    },
    /// The certificate DER does not parse (Go's message prefix).
    #[error("failed to parse certificate: {0}")]
    BadCertificate(String),
    /// The CSR does not parse or its signature does not verify.
    #[error("failed to parse certificate request: {0}")]
    BadCsr(String),
    /// The private key does not belong to the certificate.
    #[error("the private key does not match the certificate's public key")]
    KeyMismatch,
    /// The CA certificate is not a CA.
    #[error("the certificate is not a CA (basic constraints cA is not set)")]
    NotCa,
    /// The CA has expired or is not yet valid.
    #[error("the CA certificate is not valid at {now}: valid from {not_before} to {not_after}")]
    CaNotValid {
        /// The issuing time.
        now: String,
        /// CA NotBefore.
        not_before: String,
        /// CA NotAfter.
        not_after: String,
    },
    /// The requested validity would outlive the CA.
    #[error("TTL {ttl} runs past the CA's expiry at {ca_not_after}: use a TTL of at most {max}")]
    TtlBeyondCa {
        /// Requested TTL.
        ttl: String,
        /// CA NotAfter.
        ca_not_after: String,
        /// Largest TTL that fits.
        max: String,
    },
    /// NotBefore or NotAfter falls outside the times a certificate can hold here (1970 to the
    /// end of 9999).
    #[error("{0}")]
    WindowOutOfRange(String),
    /// Encoding failed (an internal error; carries no key material).
    #[error("encoding failed: {0}")]
    Encoding(String),
    /// Key generation or signing failed in the crypto library.
    #[error("crypto failure: {0}")]
    Crypto(String),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Encoding(e.to_string())
    }
}

/// A PEM label for messages; private-key labels are described, not quoted, so that error text never
/// carries the words of a key block.
pub fn describe_label(label: &str) -> String {
    if label.ends_with("PRIVATE KEY") {
        "a private key".to_string()
    } else {
        format!("{label:?}")
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    lower_hex(digest.as_ref())
}

/// `bytes` as lowercase hex.
pub fn lower_hex(bytes: &[u8]) -> String {
    // Not through `fmt`: every ledger line has a fingerprint, and formatting each byte took
    // longer than hashing the certificate.
    bytes
        .iter()
        .flat_map(|b| [b >> 4, b & 15])
        .filter_map(|nibble| char::from_digit(u32::from(nibble), 16))
        .collect()
}

/// Fill `buf` from the operating system's CSPRNG.
///
/// # Errors
/// [`PkiError::Crypto`] if the OS random source fails.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), PkiError> {
    use ring::rand::SecureRandom;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| PkiError::Crypto("the OS random number generator failed".into()))
}
