//! Fresh bundles (`bundle.go:260-412`, `spec/pki.md` §1.3–§1.5): only empty fields are generated, so
//! imported values survive.

use base64::Engine;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::{
    CertAndKey, Certs, Cluster, KeyOnly, Secrets, SecretsBundle, TrustdInfo, CA_VALIDITY_HOURS,
};
use crate::contract::VersionContract;
use crate::pki::{self, CaKeyPair, KeyAlgorithm, PkiError, PrivateKey, Profile, Ttl};

const TOKEN_ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A `[0-9a-z]{6}.[0-9a-z]{16}` token (`utils.go:44-96`): random bytes, those ≥ 252 discarded,
/// the rest mapped `b % 36` (unbiased).
///
/// # Errors
/// [`PkiError::Crypto`] when the OS random source fails.
pub fn token() -> Result<Zeroizing<String>, PkiError> {
    let mut out = Zeroizing::new(String::with_capacity(23));
    let mut buf = Zeroizing::new([0u8; 64]);
    let mut need = 22usize;
    while need > 0 {
        pki::random_bytes(buf.as_mut())?;
        for b in buf.iter().filter(|b| **b < 252) {
            if need == 0 {
                break;
            }
            if let Some(c) = TOKEN_ALPHABET.get(usize::from(*b % 36)) {
                out.push(char::from(*c));
                need -= 1;
                if need == 16 {
                    out.push('.');
                }
            }
        }
    }
    Ok(out)
}

fn random_b64(engine: &base64::engine::GeneralPurpose) -> Result<Zeroizing<String>, PkiError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    pki::random_bytes(bytes.as_mut())?;
    Ok(Zeroizing::new(engine.encode(bytes.as_ref())))
}

fn ca(org: Option<&str>, alg: KeyAlgorithm, now: OffsetDateTime) -> Result<CertAndKey, PkiError> {
    let profile = Profile::Ca {
        organization: org.map(str::to_string),
        ips: Vec::new(),
    };
    let pair = CaKeyPair::generate(&profile, alg, now, Ttl::from_hours(CA_VALIDITY_HOURS))?;
    Ok(CertAndKey {
        crt: pair.cert_pem().as_bytes().to_vec(),
        key: Zeroizing::new(pair.secret_key_pem()?.as_bytes().to_vec()),
    })
}

impl SecretsBundle {
    /// A fresh bundle for `contract`, every CA valid 87600h from `now` (one shared NotBefore).
    ///
    /// # Errors
    /// [`PkiError`] when key generation or the random source fails.
    pub fn generate(contract: VersionContract, now: OffsetDateTime) -> Result<Self, PkiError> {
        let mut bundle = SecretsBundle::default();
        bundle.populate(contract, now)?;
        Ok(bundle)
    }

    /// Fill every empty field for `contract` (`populate`, `bundle.go:260-412`).
    ///
    /// # Errors
    /// As [`Self::generate`].
    pub fn populate(
        &mut self,
        contract: VersionContract,
        now: OffsetDateTime,
    ) -> Result<(), PkiError> {
        let std = &base64::engine::general_purpose::STANDARD;
        let certs = self.certs.get_or_insert_with(Certs::default);
        if certs.etcd.is_none() {
            certs.etcd = Some(ca(Some("etcd"), KeyAlgorithm::EcdsaP256, now)?);
        }
        if certs.k8s.is_none() {
            certs.k8s = Some(ca(Some("kubernetes"), KeyAlgorithm::EcdsaP256, now)?);
        }
        if certs.k8s_aggregator.is_none() {
            // Talos compat: the aggregator CA's subject is empty; the template's CommonName
            // "front-proxy" is ignored for CAs (`certificate_authority.go:40-42`).
            certs.k8s_aggregator = Some(ca(None, KeyAlgorithm::EcdsaP256, now)?);
        }
        if certs.k8s_service_account.is_none() {
            let alg = if contract.use_rsa_service_account_key() {
                KeyAlgorithm::Rsa
            } else {
                KeyAlgorithm::EcdsaP256
            };
            let key = PrivateKey::generate(alg)?;
            certs.k8s_service_account = Some(KeyOnly {
                key: Zeroizing::new(key.to_pem()?.as_bytes().to_vec()),
            });
        }
        if certs.os.is_none() {
            certs.os = Some(ca(Some("talos"), KeyAlgorithm::Ed25519, now)?);
        }
        let secrets = self.secrets.get_or_insert_with(Secrets::default);
        if secrets.bootstrap_token.is_empty() {
            secrets.bootstrap_token = token()?;
        }
        if secrets.secretbox_encryption_secret.is_empty()
            && secrets.aescbc_encryption_secret.is_empty()
        {
            if contract.secretbox_encryption_supported() {
                secrets.secretbox_encryption_secret = random_b64(std)?;
            } else {
                secrets.aescbc_encryption_secret = random_b64(std)?;
            }
        }
        let trustd = self.trustd_info.get_or_insert_with(TrustdInfo::default);
        if trustd.token.is_empty() {
            trustd.token = token()?;
        }
        let cluster = self.cluster.get_or_insert_with(Cluster::default);
        if cluster.id.is_empty() {
            // Std base64 for every contract, as talosctl does today (`cluster.ClusterIDEncoding`,
            // `discovery_identity.go:29`; `bundle.go:393-400` does not consult the contract).
            // Talos releases before 1.14 wrote URL-safe ids; the id is never decoded.
            cluster.id = random_b64(std)?.to_string();
        }
        if cluster.secret.is_empty() {
            cluster.secret = random_b64(std)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b4_tokens_have_talos_format() {
        for _ in 0..200 {
            let t = token().unwrap();
            let (a, b) = t.split_once('.').unwrap();
            assert_eq!((a.len(), b.len()), (6, 16), "{}", t.as_str());
            assert!(t
                .bytes()
                .all(|c| c == b'.' || c.is_ascii_digit() || c.is_ascii_lowercase()));
        }
    }
}
