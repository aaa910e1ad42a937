//! An apid-equivalent mTLS server (`spec/roles-authz.md` §3): rustls on 127.0.0.1, TLS 1.2 minimum,
//! client certificates required and verified against the OS CA, plus Talos's extra rule that every
//! non-CA certificate's EKU list is exactly `[clientAuth]`. The server reads the roles from the
//! leaf's Organization values, as apid's injector does.
//!
//! Where webpki and Go's `crypto/x509` differ, the server follows Go: a trust anchor is used
//! only if Go's `CheckSignatureFrom` lets it sign (a v3 certificate needs basic constraints cA,
//! key usage if present needs keyCertSign; webpki keeps only an anchor's name and key), and
//! apid's exact-EKU rule also reads the anchor, as Go's verified chain ends with it. The client
//! reads its `crt` and `key` as Go's `tls.X509KeyPair` does.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::ring as provider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme};
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

/// TLS versions to test.
#[derive(Clone, Copy, Debug)]
pub enum Version {
    Tls12,
    Tls13,
}

impl Version {
    fn versions(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        match self {
            Version::Tls12 => &TLS12,
            Version::Tls13 => &TLS13,
        }
    }
}

/// A client credential as a talosconfig context holds it (PEM text).
pub struct Credential {
    pub ca_pem: Vec<u8>,
    pub crt_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

/// apid's verifier: WebPKI chain + validity + EKU clientAuth, then "EKU exactly [clientAuth]".
#[derive(Debug)]
struct ApidVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    /// The trust anchors in use (DER), for apid's rule on the chain's last certificate.
    anchors: Vec<Vec<u8>>,
}

/// Whether Go's `CheckSignatureFrom` lets `cert` sign certificates.
fn go_may_sign(cert: &X509Certificate<'_>) -> bool {
    let bc = cert.basic_constraints().ok().flatten().map(|b| b.value.ca);
    let bc_ok = match bc {
        Some(ca) => ca,
        None => cert.version().0 != 2,
    };
    let ku_ok = match cert.key_usage().ok().flatten() {
        Some(ku) => ku.value.flags == 0 || ku.value.key_cert_sign(),
        None => true,
    };
    bc_ok && ku_ok
}

/// apid's exact-EKU rule on one certificate of the verified chain: Go's `ExtKeyUsage` list, in
/// certificate order and with repeats, equals `[clientAuth]` (`slices.Equal`). Stricter than Go
/// on EKUs Go does not know (it sets them aside): no case here uses one.
fn apid_eku_ok(cert: &X509Certificate<'_>) -> bool {
    if cert.is_ca() {
        return true;
    }
    cert.tbs_certificate
        .extensions()
        .iter()
        .filter(|e| matches!(e.parsed_extension(), ParsedExtension::ExtendedKeyUsage(_)))
        .any(|e| {
            <x509_cert::ext::pkix::ExtendedKeyUsage as der::Decode>::from_der(e.value).is_ok_and(
                |list| {
                    list.0.iter().map(ToString::to_string).collect::<Vec<_>>()
                        == ["1.3.6.1.5.5.7.3.2"]
                },
            )
        })
}

/// What Go's `x509.ParseCertificate` refuses although webpki reads it: a negative serial (Go
/// 1.23 and later) and the same extension twice.
fn go_parses(cert: &X509Certificate<'_>) -> bool {
    let negative = cert
        .tbs_certificate
        .raw_serial()
        .first()
        .is_some_and(|b| b & 0x80 != 0);
    let oids: Vec<_> = cert.extensions().iter().map(|e| &e.oid).collect();
    let repeated = oids.iter().enumerate().any(|(i, o)| oids[..i].contains(o));
    !negative && !repeated
}

impl ClientCertVerifier for ApidVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let bad = |_| rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding);
        // Go parses every certificate the client sends before it verifies any.
        for der in std::iter::once(end_entity).chain(intermediates) {
            let (_, cert) = X509Certificate::from_der(der).map_err(bad)?;
            if !go_parses(&cert) {
                return Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::BadEncoding,
                ));
            }
        }
        let ok = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        let mut top_issuer = Vec::new();
        for der in std::iter::once(end_entity).chain(intermediates) {
            let (_, cert) = X509Certificate::from_der(der).map_err(bad)?;
            if top_issuer.is_empty() || cert.subject().as_raw() == top_issuer.as_slice() {
                top_issuer = cert.issuer().as_raw().to_vec();
            }
            if !apid_eku_ok(&cert) {
                return Err(missing_client_auth(&cert));
            }
        }
        // The chain ends with the anchor that issued its top certificate.
        for der in &self.anchors {
            let (_, anchor) = X509Certificate::from_der(der).map_err(bad)?;
            if anchor.subject().as_raw() == top_issuer.as_slice() && !apid_eku_ok(&anchor) {
                return Err(missing_client_auth(&anchor));
            }
        }
        Ok(ok)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn missing_client_auth(cert: &X509Certificate<'_>) -> rustls::Error {
    rustls::Error::General(format!(
        "certificate {:?} is missing the client auth extended key usage",
        cert.subject().to_string()
    ))
}

fn certs(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    pem::parse_many(pem)
        .unwrap()
        .into_iter()
        .filter(|p| p.tag() == "CERTIFICATE")
        .map(|p| CertificateDer::from(p.into_contents()))
        .collect()
}

/// The key as Go's `tls.X509KeyPair` picks it: the first block labelled `PRIVATE KEY` or
/// ending in ` PRIVATE KEY` (an `EC PARAMETERS` block before it is skipped).
fn key(pem: &[u8]) -> PrivateKeyDer<'static> {
    let block = pem::parse_many(pem)
        .unwrap()
        .into_iter()
        .find(|b| b.tag() == "PRIVATE KEY" || b.tag().ends_with(" PRIVATE KEY"))
        .unwrap();
    match block.tag() {
        "EC PRIVATE KEY" => PrivateKeyDer::Sec1(block.into_contents().into()),
        "RSA PRIVATE KEY" => PrivateKeyDer::Pkcs1(block.into_contents().into()),
        // Talos labels its PKCS#8 Ed25519 keys "ED25519 PRIVATE KEY".
        _ => PrivateKeyDer::Pkcs8(block.into_contents().into()),
    }
}

/// The outcome of one handshake as the server saw it.
#[derive(Debug)]
pub struct Outcome {
    /// Roles read from the client leaf's Organization values (sorted), when accepted.
    pub roles: Result<Vec<String>, rustls::Error>,
    /// What the client saw.
    pub client: Result<(), rustls::Error>,
}

/// The node side: a server certificate from the OS CA (EKU serverAuth, SAN 127.0.0.1).
pub struct Node {
    pub os_ca_pem: Vec<u8>,
    pub server_crt_pem: Vec<u8>,
    pub server_key_pem: Vec<u8>,
}

impl Node {
    /// A node trusting `os_ca` whose server certificate is issued by `os_ca` now for 24h.
    pub fn new(os_ca: &talmint::pki::CaKeyPair) -> Self {
        let profile = talmint::pki::Profile::NodeServer {
            common_name: "node-1".into(),
            ips: vec!["127.0.0.1".parse().unwrap()],
            dns: vec![],
        };
        let start = (time::OffsetDateTime::now_utc() - time::Duration::minutes(1))
            .max(os_ca.cert().not_before);
        let issued = os_ca
            .issue(&profile, start, talmint::pki::Ttl::from_hours(24))
            .unwrap();
        Node {
            os_ca_pem: os_ca.cert_pem().as_bytes().to_vec(),
            server_crt_pem: issued.cert_pem.into_bytes(),
            server_key_pem: issued.key.unwrap().to_pem().unwrap().as_bytes().to_vec(),
        }
    }

    /// Run one mTLS handshake with `cred` over loopback TCP.
    pub fn handshake(&self, cred: &Credential, version: Version) -> Outcome {
        let provider = Arc::new(provider::default_provider());
        let mut roots = RootCertStore::empty();
        let mut anchors = Vec::new();
        for c in certs(&self.os_ca_pem) {
            let (_, parsed) = X509Certificate::from_der(&c).unwrap();
            if go_may_sign(&parsed) {
                anchors.push(c.to_vec());
                roots.add(c).unwrap();
            }
        }
        // A node whose every CA is refused keeps an empty pool (Go: unknown authority); webpki
        // refuses to build a verifier on none, so hand it one nothing chains to.
        if roots.is_empty() {
            let spare = talmint::pki::CaKeyPair::generate(
                &talmint::pki::Profile::ca("no usable CA"),
                talmint::pki::KeyAlgorithm::Ed25519,
                time::OffsetDateTime::now_utc(),
                talmint::pki::Ttl::from_hours(1),
            )
            .unwrap();
            roots
                .add(certs(spare.cert_pem().as_bytes()).remove(0))
                .unwrap();
        }
        let inner = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .unwrap();
        let server_cfg = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
            .unwrap()
            .with_client_cert_verifier(Arc::new(ApidVerifier { inner, anchors }))
            .with_single_cert(certs(&self.server_crt_pem), key(&self.server_key_pem))
            .unwrap();

        let mut client_roots = RootCertStore::empty();
        for c in certs(&cred.ca_pem) {
            client_roots.add(c).unwrap();
        }
        let client_builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(version.versions())
            .unwrap()
            .with_root_certificates(client_roots);
        let client_cfg =
            match client_builder.with_client_auth_cert(certs(&cred.crt_pem), key(&cred.key_pem)) {
                Ok(c) => c,
                Err(e) => {
                    return Outcome {
                        roles: Err(e.clone()),
                        client: Err(e),
                    }
                }
            };

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || -> Result<Vec<String>, rustls::Error> {
            let (mut sock, _) = listener.accept().unwrap();
            sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut conn = rustls::ServerConnection::new(Arc::new(server_cfg)).unwrap();
            while conn.is_handshaking() {
                if let Err(e) = conn.complete_io(&mut sock) {
                    return Err(unwrap_tls(e));
                }
            }
            let mut buf = [0u8; 4];
            let mut stream = rustls::Stream::new(&mut conn, &mut sock);
            stream.read_exact(&mut buf).map_err(unwrap_tls)?;
            stream.write_all(b"pong").map_err(unwrap_tls)?;
            stream.flush().map_err(unwrap_tls)?;
            let leaf = conn
                .peer_certificates()
                .and_then(|c| c.first().cloned())
                .unwrap();
            let (_, cert) = X509Certificate::from_der(&leaf).unwrap();
            let mut roles: Vec<String> = cert
                .subject()
                .iter_organization()
                .map(|o| o.as_str().unwrap().trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            roles.sort();
            Ok(roles)
        });

        let mut sock = TcpStream::connect(addr).unwrap();
        sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut conn = rustls::ClientConnection::new(
            Arc::new(client_cfg),
            ServerName::IpAddress("127.0.0.1".parse::<std::net::IpAddr>().unwrap().into()),
        )
        .unwrap();
        let client = (|| -> Result<(), rustls::Error> {
            let mut stream = rustls::Stream::new(&mut conn, &mut sock);
            stream.write_all(b"ping").map_err(unwrap_tls)?;
            let mut buf = [0u8; 4];
            stream.read_exact(&mut buf).map_err(unwrap_tls)?;
            assert_eq!(&buf, b"pong");
            Ok(())
        })();
        drop(sock);
        let roles = server.join().unwrap();
        Outcome { roles, client }
    }
}

fn unwrap_tls(e: std::io::Error) -> rustls::Error {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => tls.clone(),
        None => rustls::Error::General(format!("io: {e}")),
    }
}
