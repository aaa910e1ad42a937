//! Private keys in the forms Talos writes and reads (`spec/pki.md` §1.2).
//!
//! - Ed25519: PKCS#8 **v1** (as Go writes; OpenSSL 3.0 refuses ring's v2), label `ED25519 PRIVATE KEY`.
//! - ECDSA P-256: SEC1 `ECPrivateKey` with curve and public key, label `EC PRIVATE KEY`. P-384 and
//!   P-521 keys are read and used to sign (a key made with openssl for `gen csr`, a CA of one's
//!   own for `gen crt`), as Go's x509 does; Talos itself makes none.
//! - RSA: PKCS#1, label `RSA PRIVATE KEY` (4096 bits when generated).
//!
//! Key bytes live in `Zeroizing` buffers and are reached through `secret_*` accessors. The
//! signing object of each key is built on first use and kept with it (see [`PrivateKey`]).

use std::fmt;
use std::sync::OnceLock;

use der::{Decode, Encode};
use ed25519_dalek::pkcs8::KeypairBytes;
use pkcs8::{EncodePrivateKey, EncodePublicKey, PrivateKeyInfo};
use zeroize::Zeroizing;

use super::pem as pemx;
use super::PkiError;

/// Key algorithms Talos uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// Ed25519 (the OS CA and API client certificates).
    Ed25519,
    /// ECDSA over P-256 (etcd, Kubernetes and aggregator CAs; old service-account keys).
    EcdsaP256,
    /// ECDSA over P-384 (read, not made by Talos).
    EcdsaP384,
    /// ECDSA over P-521 (read, not made by Talos).
    EcdsaP521,
    /// RSA (the service-account key from v1.7 on; `gen ca --rsa`).
    Rsa,
}

/// A private key. The key material is zeroized on drop and never shown by `Debug`.
pub struct PrivateKey {
    alg: KeyAlgorithm,
    /// Ed25519: the 32-byte seed; ECDSA: SEC1 DER with the curve; RSA: PKCS#1 DER.
    der: Zeroizing<Vec<u8>>,
    /// The signing object, built from `der` on first use and kept: building it derives the public
    /// key (a scalar multiplication) or checks the whole RSA key, which a CA signing thousands of
    /// certificates must pay once, not per certificate. Each crate wipes its secret on drop.
    signer: OnceLock<Signer>,
}

/// A key in its crate's signing form.
enum Signer {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    /// P-384 and P-521.
    Ecdsa(aws_lc_rs::signature::EcdsaKeyPair),
    Rsa(aws_lc_rs::rsa::KeyPair),
}

const OID_ED25519: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_EC: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_RSA: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_P256: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// aws-lc's signing algorithm for a P-384 or P-521 key (the hash Go pairs with the curve).
fn aws_lc_ecdsa(alg: KeyAlgorithm) -> Option<&'static aws_lc_rs::signature::EcdsaSigningAlgorithm> {
    match alg {
        KeyAlgorithm::EcdsaP384 => Some(&aws_lc_rs::signature::ECDSA_P384_SHA384_ASN1_SIGNING),
        KeyAlgorithm::EcdsaP521 => Some(&aws_lc_rs::signature::ECDSA_P521_SHA512_ASN1_SIGNING),
        _ => None,
    }
}

/// A P-384 or P-521 key pair from SEC1 DER (with or without the curve) or PKCS#8.
fn aws_lc_pair(
    alg: KeyAlgorithm,
    der: &[u8],
) -> Result<aws_lc_rs::signature::EcdsaKeyPair, PkiError> {
    let signing = aws_lc_ecdsa(alg).ok_or_else(|| crypto("not a P-384 or P-521 key"))?;
    aws_lc_rs::signature::EcdsaKeyPair::from_private_key_der(signing, der)
        .map_err(|e| bad("EC")(e.to_string()))
}

/// The SubjectPublicKeyInfo DER of an aws-lc key pair (ECDSA or RSA).
fn aws_lc_spki<P>(pair: &P) -> Result<Vec<u8>, PkiError>
where
    P: aws_lc_rs::signature::KeyPair,
    P::PublicKey: aws_lc_rs::encoding::AsDer<aws_lc_rs::encoding::PublicKeyX509Der<'static>>,
{
    use aws_lc_rs::encoding::AsDer;
    let spki = pair.public_key().as_der().map_err(crypto)?;
    Ok(spki.as_ref().to_vec())
}

/// SEC1 DER with the curve and the public key, as Go's `MarshalECPrivateKey` writes it.
fn aws_lc_sec1(pair: &aws_lc_rs::signature::EcdsaKeyPair) -> Result<Zeroizing<Vec<u8>>, PkiError> {
    use aws_lc_rs::encoding::AsDer;
    let der = pair.private_key().as_der().map_err(crypto)?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}

fn crypto(e: impl fmt::Display) -> PkiError {
    PkiError::Crypto(e.to_string())
}

/// SEC1 `ECPrivateKey` with the named curve and the public key, as Go's `MarshalECPrivateKey`.
fn sec1_der(key: &p256::SecretKey) -> Result<Zeroizing<Vec<u8>>, PkiError> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let secret = Zeroizing::new(key.to_bytes().to_vec());
    let public = key.public_key().to_encoded_point(false);
    let ec = sec1::EcPrivateKey {
        private_key: &secret,
        parameters: Some(sec1::EcParameters::NamedCurve(OID_P256)),
        public_key: Some(public.as_bytes()),
    };
    Ok(Zeroizing::new(ec.to_der()?))
}

fn bad(kind: &'static str) -> impl Fn(String) -> PkiError {
    move |reason| PkiError::BadKey { kind, reason }
}

impl PrivateKey {
    /// Generate a key of `alg` (RSA: 4096 bits, as Talos).
    ///
    /// # Errors
    /// [`PkiError::Crypto`] if the random source or key generation fails.
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, PkiError> {
        let der = match alg {
            KeyAlgorithm::Ed25519 => {
                let mut seed = Zeroizing::new(vec![0u8; 32]);
                super::random_bytes(&mut seed)?;
                seed
            }
            KeyAlgorithm::EcdsaP256 => {
                let key = p256::SecretKey::random(&mut rand_core::OsRng);
                sec1_der(&key)?
            }
            KeyAlgorithm::EcdsaP384 | KeyAlgorithm::EcdsaP521 => {
                let signing = aws_lc_ecdsa(alg).ok_or_else(|| crypto("no such curve"))?;
                let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(signing).map_err(crypto)?;
                aws_lc_sec1(&pair)?
            }
            KeyAlgorithm::Rsa => {
                use aws_lc_rs::encoding::AsDer;
                let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa4096)
                    .map_err(crypto)?;
                let pkcs8 = pair.as_der().map_err(crypto)?;
                let info = PrivateKeyInfo::from_der(pkcs8.as_ref()).map_err(crypto)?;
                Zeroizing::new(info.private_key.to_vec())
            }
        };
        Ok(Self::new(alg, der))
    }

    fn new(alg: KeyAlgorithm, der: Zeroizing<Vec<u8>>) -> Self {
        PrivateKey {
            alg,
            der,
            signer: OnceLock::new(),
        }
    }

    /// Read a key from PEM as Talos's bundle loader does (`C:x509/certificate_key.go:201-218`): the
    /// first block; `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1), `ED25519 PRIVATE KEY`
    /// (PKCS#8 Ed25519) or `PRIVATE KEY` (PKCS#8 of any of the three).
    ///
    /// # Errors
    /// [`PkiError::NoPem`], [`PkiError::UnsupportedKeyType`] or [`PkiError::BadKey`].
    pub fn from_pem(text: &[u8]) -> Result<Self, PkiError> {
        let (label, der) = pemx::decode_first(text)?;
        Self::from_labelled_der(&label, &der)
    }

    /// Read the contents of one PEM block labelled `label`, as [`PrivateKey::from_pem`] does.
    ///
    /// # Errors
    /// [`PkiError::UnsupportedKeyType`] or [`PkiError::BadKey`].
    pub fn from_labelled_der(label: &str, der: &[u8]) -> Result<Self, PkiError> {
        match label {
            pemx::RSA_PRIVATE_KEY => Self::from_pkcs1_der(der),
            pemx::EC_PRIVATE_KEY => Self::from_sec1_der(der, None),
            pemx::ED25519_PRIVATE_KEY => {
                let key = Self::from_pkcs8_der(der)?;
                if key.alg != KeyAlgorithm::Ed25519 {
                    return Err(PkiError::BadKey {
                        kind: "Ed25519",
                        reason: "the PKCS#8 key is not an Ed25519 key".into(),
                    });
                }
                Ok(key)
            }
            pemx::PRIVATE_KEY => Self::from_pkcs8_der(der),
            other => Err(PkiError::UnsupportedKeyType(other.to_string())),
        }
    }

    /// Read key bytes whatever the PEM label said, as Go's `tls.X509KeyPair` (`parsePrivateKey`):
    /// PKCS#1, then PKCS#8, then SEC1. `None` when none of the three parses.
    pub fn from_der_like_go(der: &[u8]) -> Option<Self> {
        Self::from_pkcs1_der(der)
            .or_else(|_| Self::from_pkcs8_der(der))
            .or_else(|_| Self::from_sec1_der(der, None))
            .ok()
    }

    /// Read a PKCS#8 key whatever its PEM label, as `talosctl gen csr`/`gen crt` do.
    ///
    /// # Errors
    /// [`PkiError::NoPem`] or [`PkiError::BadKey`].
    pub fn from_pkcs8_pem_any_label(text: &[u8]) -> Result<Self, PkiError> {
        let (label, der) = pemx::decode_first(text)?;
        Self::from_pkcs8_der(&der).map_err(|e| match label.ends_with("PRIVATE KEY") {
            true => e,
            // A certificate or CSR given as the key: say so, not what the DER parser met.
            false => PkiError::WrongPemType {
                expected: pemx::PRIVATE_KEY,
                found: super::describe_label(&label),
            },
        })
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self, PkiError> {
        // A structural parse: aws-lc's full key check (which costs as much as the rest of
        // `config new` together) runs only when the key is used to sign.
        pkcs1::RsaPrivateKey::from_der(der).map_err(|e| bad("RSA")(e.to_string()))?;
        Ok(Self::new(KeyAlgorithm::Rsa, Zeroizing::new(der.to_vec())))
    }

    /// SEC1 `ECPrivateKey`; `outer_curve` is the curve a PKCS#8 wrapper names (the inner key may
    /// then leave it out). Without either, P-256.
    fn from_sec1_der(
        der: &[u8],
        outer_curve: Option<pkcs8::ObjectIdentifier>,
    ) -> Result<Self, PkiError> {
        let parsed = sec1::EcPrivateKey::from_der(der).map_err(|e| bad("EC")(e.to_string()))?;
        let inner_curve = parsed.parameters.and_then(|p| p.named_curve());
        let curve = inner_curve.or(outer_curve);
        let other = match curve {
            Some(c) if c == OID_P384 => Some(KeyAlgorithm::EcdsaP384),
            Some(c) if c == OID_P521 => Some(KeyAlgorithm::EcdsaP521),
            Some(c) if c != OID_P256 => {
                return Err(bad("EC")(format!(
                    "unsupported curve {c}: use P-256, P-384 or P-521"
                )))
            }
            _ => None,
        };
        if let Some(alg) = other {
            // Checked (and the public key derived when missing) by aws-lc; kept as Go writes it.
            let pair = aws_lc_pair(alg, der)?;
            let der = match inner_curve.is_some() && parsed.public_key.is_some() {
                true => Zeroizing::new(der.to_vec()),
                false => aws_lc_sec1(&pair)?,
            };
            return Ok(Self::new(alg, der));
        }
        let key = p256::SecretKey::from_slice(parsed.private_key)
            .map_err(|e| bad("EC")(e.to_string()))?;
        // Keep Go's complete form as it is; re-encode (deriving the public key, a scalar
        // multiplication) only when the curve or the public key is missing.
        let der = if curve.is_some() && parsed.public_key.is_some() {
            Zeroizing::new(der.to_vec())
        } else {
            sec1_der(&key)?
        };
        Ok(Self::new(KeyAlgorithm::EcdsaP256, der))
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, PkiError> {
        let info = PrivateKeyInfo::from_der(der).map_err(|e| bad("PKCS#8")(e.to_string()))?;
        let oid = info.algorithm.oid;
        if oid == OID_ED25519 {
            let kp = KeypairBytes::try_from(info).map_err(|e| bad("Ed25519")(e.to_string()))?;
            Ok(Self::new(
                KeyAlgorithm::Ed25519,
                Zeroizing::new(kp.secret_key.to_vec()),
            ))
        } else if oid == OID_EC {
            // A named curve, or none (the inner key names it); explicit parameters would be
            // taken for P-256 below, so they are refused, as Go refuses them.
            let curve = match info.algorithm.parameters {
                None => None,
                Some(_) => Some(info.algorithm.parameters_oid().map_err(|_| {
                    bad("EC")(
                        "explicit curve parameters are not supported: use a named curve \
                         (P-256, P-384 or P-521)"
                            .into(),
                    )
                })?),
            };
            Self::from_sec1_der(info.private_key, curve)
        } else if oid == OID_RSA {
            Self::from_pkcs1_der(info.private_key)
        } else {
            Err(bad("PKCS#8")(format!("unsupported algorithm {oid}")))
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }

    /// Derive the public half now (the costly part of making an Ed25519 or P-256 key), for keys
    /// made ahead of use on a spare core.
    ///
    /// # Errors
    /// [`PkiError::Crypto`] (internal).
    pub fn prepare(&self) -> Result<(), PkiError> {
        self.signer().map(|_| ())
    }

    /// Ed25519 seed / SEC1 DER / PKCS#1 DER. Callers must not let it escape into logs or errors.
    pub fn secret_raw(&self) -> &[u8] {
        &self.der
    }

    /// PEM in Talos's form (see the module docs); zeroized on drop.
    ///
    /// # Errors
    /// [`PkiError::Encoding`] (internal).
    pub fn to_pem(&self) -> Result<Zeroizing<String>, PkiError> {
        Ok(match self.alg {
            KeyAlgorithm::Ed25519 => {
                pemx::encode_secret(pemx::ED25519_PRIVATE_KEY, &self.secret_pkcs8_der()?)
            }
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::EcdsaP521 => {
                pemx::encode_secret(pemx::EC_PRIVATE_KEY, &self.der)
            }
            KeyAlgorithm::Rsa => pemx::encode_secret(pemx::RSA_PRIVATE_KEY, &self.der),
        })
    }

    /// PKCS#8 v1 DER (OpenSSL 3.0 reads v1 only for Ed25519).
    ///
    /// # Errors
    /// [`PkiError::Encoding`] (internal).
    pub fn secret_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        match self.alg {
            KeyAlgorithm::Ed25519 => {
                let seed: [u8; 32] = self
                    .der
                    .as_slice()
                    .try_into()
                    .map_err(|_| PkiError::Encoding("Ed25519 seed is not 32 bytes".into()))?;
                let kp = KeypairBytes {
                    secret_key: seed,
                    public_key: None,
                };
                let doc = kp.to_pkcs8_der().map_err(crypto)?;
                Ok(Zeroizing::new(doc.as_bytes().to_vec()))
            }
            KeyAlgorithm::EcdsaP256 => {
                let key = self.p256()?;
                Ok(Zeroizing::new(
                    key.to_pkcs8_der().map_err(crypto)?.as_bytes().to_vec(),
                ))
            }
            KeyAlgorithm::EcdsaP384 | KeyAlgorithm::EcdsaP521 => {
                let Signer::Ecdsa(pair) = self.signer()? else {
                    return Err(crypto("not a P-384 or P-521 key"));
                };
                let doc = pair.to_pkcs8v1().map_err(crypto)?;
                Ok(Zeroizing::new(doc.as_ref().to_vec()))
            }
            KeyAlgorithm::Rsa => {
                let algorithm = pkcs8::AlgorithmIdentifierRef {
                    oid: OID_RSA,
                    parameters: Some(der::asn1::AnyRef::NULL),
                };
                let info = PrivateKeyInfo::new(algorithm, &self.der);
                Ok(Zeroizing::new(info.to_der()?))
            }
        }
    }

    fn p256(&self) -> Result<p256::SecretKey, PkiError> {
        p256::SecretKey::from_sec1_der(&self.der).map_err(crypto)
    }

    /// The signing object, built on the first call.
    fn signer(&self) -> Result<&Signer, PkiError> {
        if let Some(signer) = self.signer.get() {
            return Ok(signer);
        }
        let built = match self.alg {
            KeyAlgorithm::Ed25519 => {
                let seed: &[u8; 32] = self
                    .der
                    .as_slice()
                    .try_into()
                    .map_err(|_| PkiError::Encoding("Ed25519 seed is not 32 bytes".into()))?;
                Signer::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed))
            }
            KeyAlgorithm::EcdsaP256 => Signer::P256(p256::ecdsa::SigningKey::from(self.p256()?)),
            KeyAlgorithm::EcdsaP384 | KeyAlgorithm::EcdsaP521 => {
                Signer::Ecdsa(aws_lc_pair(self.alg, &self.der)?)
            }
            KeyAlgorithm::Rsa => {
                Signer::Rsa(aws_lc_rs::rsa::KeyPair::from_der(&self.der).map_err(crypto)?)
            }
        };
        // Two threads may both build it; the one not kept is dropped (and wiped).
        Ok(self.signer.get_or_init(|| built))
    }

    /// The SubjectPublicKeyInfo DER of the public half.
    ///
    /// # Errors
    /// [`PkiError::Crypto`] (internal).
    pub fn public_key_der(&self) -> Result<Vec<u8>, PkiError> {
        match self.signer()? {
            Signer::Ed25519(key) => Ok(key
                .verifying_key()
                .to_public_key_der()
                .map_err(crypto)?
                .into_vec()),
            Signer::P256(key) => Ok(key
                .verifying_key()
                .to_public_key_der()
                .map_err(crypto)?
                .into_vec()),
            Signer::Ecdsa(pair) => aws_lc_spki(pair),
            Signer::Rsa(pair) => aws_lc_spki(pair),
        }
    }

    /// The signature algorithm Go pairs with this key: Ed25519, ecdsa-with-SHA256 (P-256),
    /// -SHA384 (P-384), -SHA512 (P-521), sha512WithRSAEncryption (`C:x509/csr.go`).
    pub fn signature_algorithm(&self) -> spki::AlgorithmIdentifierOwned {
        let (oid, null) = match self.alg {
            KeyAlgorithm::Ed25519 => ("1.3.101.112", false),
            KeyAlgorithm::EcdsaP256 => ("1.2.840.10045.4.3.2", false),
            KeyAlgorithm::EcdsaP384 => ("1.2.840.10045.4.3.3", false),
            KeyAlgorithm::EcdsaP521 => ("1.2.840.10045.4.3.4", false),
            KeyAlgorithm::Rsa => ("1.2.840.113549.1.1.13", true),
        };
        spki::AlgorithmIdentifierOwned {
            oid: spki::ObjectIdentifier::new_unwrap(oid),
            parameters: null.then_some(der::Any::null()),
        }
    }

    /// Sign `message` with [`Self::signature_algorithm`]; returns the signature as it goes in a
    /// certificate's BIT STRING (ECDSA: DER `Ecdsa-Sig-Value`).
    ///
    /// # Errors
    /// [`PkiError::Crypto`] if signing fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        use ed25519_dalek::Signer as _;
        match self.signer()? {
            Signer::Ed25519(key) => Ok(key.sign(message).to_bytes().to_vec()),
            Signer::P256(key) => {
                let sig: p256::ecdsa::Signature = key.sign(message);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Signer::Ecdsa(pair) => {
                let sig = pair
                    .sign(&aws_lc_rs::rand::SystemRandom::new(), message)
                    .map_err(crypto)?;
                Ok(sig.as_ref().to_vec())
            }
            Signer::Rsa(pair) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA512,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(crypto)?;
                Ok(sig)
            }
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CA signs thousands of certificates: its signing object (and so its public key) is derived
    /// once, on first use, and the same one signs every time after.
    #[test]
    fn signing_object_is_built_once_per_key() {
        for alg in [KeyAlgorithm::Ed25519, KeyAlgorithm::EcdsaP256] {
            let key = PrivateKey::generate(alg).unwrap();
            let spki = key.public_key_der().unwrap();
            let first: *const Signer = key.signer().unwrap();
            key.sign(b"tbs").unwrap();
            assert!(std::ptr::eq(first, key.signer().unwrap()), "{alg:?}");
            assert_eq!(key.public_key_der().unwrap(), spki, "{alg:?}");
        }
    }

    #[test]
    fn ed25519_pem_is_pkcs8_v1_with_talos_label() {
        let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN ED25519 PRIVATE KEY-----\n"));
        let der = key.secret_pkcs8_der().unwrap();
        assert_eq!(der.len(), 48, "PKCS#8 v1 Ed25519 is 48 bytes, as Go writes");
        let back = PrivateKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(back.secret_raw(), key.secret_raw());
    }

    #[test]
    fn ec_pem_is_sec1_121_bytes() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        assert_eq!(key.secret_raw().len(), 121);
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let back = PrivateKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(
            back.public_key_der().unwrap(),
            key.public_key_der().unwrap()
        );
    }

    #[test]
    fn unsupported_label_uses_go_message() {
        let text = pemx::encode(pemx::CERTIFICATE, b"x");
        let err = PrivateKey::from_pem(text.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "unsupported key type: \"CERTIFICATE\"");
    }

    #[test]
    fn debug_never_shows_key_material() {
        let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let dbg = format!("{key:?}");
        assert_eq!(dbg, "PrivateKey { alg: Ed25519, .. }");
    }
}
