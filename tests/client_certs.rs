//! C1–C3, C9 at the library level: the client certificate profile of `spec/pki.md` §2, checked
//! field by field with x509-parser and against the `openssl` CLI.

mod common;

use der::Decode;
use proptest::prelude::*;
use talmint::pki::{csr, CaKeyPair, Certificate, KeyAlgorithm, PrivateKey, Profile, Ttl};
use talmint::roles::{RoleSet, BUILT_IN};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - Duration::minutes(1)
}

fn os_ca() -> CaKeyPair {
    CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        now(),
        Ttl::from_hours(87600),
    )
    .unwrap()
}

#[test]
fn c1_admin_certificate_profile() {
    let ca = os_ca();
    let t0 = now();
    let issued = ca
        .issue_client(&"os:admin".parse().unwrap(), t0, Ttl::from_hours(8760))
        .unwrap();
    let c = &issued.cert;
    assert_eq!(
        issued.key.as_ref().unwrap().algorithm(),
        KeyAlgorithm::Ed25519
    );
    assert_eq!(c.key_algorithm, "Ed25519");
    assert_eq!(c.organizations, ["os:admin"]);
    assert_eq!(c.common_name, None);
    assert_eq!(c.key_usage.as_deref(), Some(&["digitalSignature"][..]));
    assert!(c.key_usage_critical);
    assert!(c.eku_is_exactly_client_auth());
    assert_eq!(c.authority_key_id, ca.cert().subject_key_id);
    assert_eq!(c.subject_key_id, None);
    assert!(!c.is_ca);
    assert!(c.ip_sans.is_empty() && c.dns_sans.is_empty());
    assert_eq!(c.not_before, t0);
    assert_eq!(c.not_after - c.not_before, Duration::hours(8760));
    assert_eq!(
        c.issuer_der,
        ca.cert().subject_der,
        "issuer copied byte for byte"
    );
    c.verify_signed_by(ca.cert()).unwrap();

    // Extension order and criticality exactly as Go writes them: KU (critical), EKU, AKI; no BC.
    let (_, x) = X509Certificate::from_der(&c.der).unwrap();
    let exts: Vec<(String, bool)> = x
        .extensions()
        .iter()
        .map(|e| (e.oid.to_id_string(), e.critical))
        .collect();
    assert_eq!(
        exts,
        [
            ("2.5.29.15".into(), true),
            ("2.5.29.37".into(), false),
            ("2.5.29.35".into(), false)
        ]
    );
    // KU bit string exactly 03 02 07 80 (digitalSignature).
    let ku = x
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.15")
        .unwrap();
    assert_eq!(ku.value, [0x03, 0x02, 0x07, 0x80]);
}

#[test]
fn c1_serial_is_random_positive_and_at_most_128_bits() {
    let ca = os_ca();
    let roles: RoleSet = "os:reader".parse().unwrap();
    let mut serials = std::collections::HashSet::new();
    for _ in 0..50 {
        let c = ca
            .issue_client(&roles, now(), Ttl::from_hours(1))
            .unwrap()
            .cert;
        let (_, x) = X509Certificate::from_der(&c.der).unwrap();
        let raw = x.raw_serial();
        let magnitude = raw.iter().skip_while(|b| **b == 0).count();
        assert!(magnitude <= 16 && magnitude > 0, "{raw:02x?}");
        assert!(raw[0] & 0x80 == 0, "DER INTEGER must be positive");
        serials.insert(c.serial_hex);
    }
    assert_eq!(serials.len(), 50);
}

#[test]
fn c2_several_roles_are_one_multi_valued_rdn_in_der_order() {
    let ca = os_ca();
    let roles: RoleSet = "os:etcd:backup,os:operator".parse().unwrap();
    let c = ca
        .issue_client(&roles, now(), Ttl::from_hours(1))
        .unwrap()
        .cert;
    let name = x509_cert::name::Name::from_der(&c.subject_der).unwrap();
    assert_eq!(name.0.len(), 1, "one RDN");
    let values: Vec<String> = name.0[0]
        .0
        .iter()
        .map(|atv| String::from_utf8(atv.value.value().to_vec()).unwrap())
        .collect();
    // DER SET OF sorts by encoding: the shorter string (length byte) first, as Go does.
    assert_eq!(values, ["os:operator", "os:etcd:backup"]);
    // PrintableString (tag 0x13), as Go picks for printable values.
    assert!(name.0[0]
        .0
        .iter()
        .all(|atv| der::Tagged::tag(&atv.value) == der::Tag::PrintableString));
    // A Go-compatible reader returns the role set.
    let mut orgs = c.organizations.clone();
    orgs.sort();
    assert_eq!(orgs, ["os:etcd:backup", "os:operator"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn c2_any_role_subset_encodes_as_der_sorted_set(mask in 1u8..128) {
        let chosen: Vec<&str> = BUILT_IN.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
        let roles = RoleSet::parse_for_issue(chosen.iter().copied(), false).unwrap();
        let c = os_ca_cached().issue_client(&roles, now(), Ttl::from_hours(1)).unwrap().cert;
        let name = x509_cert::name::Name::from_der(&c.subject_der).unwrap();
        prop_assert_eq!(name.0.len(), 1);
        // Oracle: der's own SetOfVec ordering of the same values.
        let encoded: Vec<Vec<u8>> = name.0[0].0.iter().map(|a| der::Encode::to_der(a).unwrap()).collect();
        let mut sorted = encoded.clone();
        sorted.sort_by(|a, b| der::DerOrd::der_cmp(&der::asn1::AnyRef::from_der(a).unwrap(), &der::asn1::AnyRef::from_der(b).unwrap()).unwrap());
        prop_assert_eq!(&encoded, &sorted);
        let mut orgs = c.organizations.clone();
        orgs.sort();
        prop_assert_eq!(orgs, roles.strings());
    }
}

fn os_ca_cached() -> &'static CaKeyPair {
    static CA: std::sync::OnceLock<CaKeyPair> = std::sync::OnceLock::new();
    CA.get_or_init(os_ca)
}

#[test]
fn c3_unknown_role_refused_with_talosctl_message_and_all_built_ins_accepted() {
    // talosctl's message, then the built-in role meant (review r14).
    let err = "os:admn".parse::<RoleSet>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown roles: os:admn (did you mean os:admin?)"
    );
    let all: RoleSet = BUILT_IN.join(",").parse().unwrap();
    let c = os_ca()
        .issue_client(&all, now(), Ttl::from_hours(1))
        .unwrap()
        .cert;
    assert_eq!(c.organizations.len(), 7);
}

#[test]
fn ttl_past_the_ca_expiry_is_refused_naming_the_expiry() {
    let ca = CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        now(),
        Ttl::from_hours(10),
    )
    .unwrap();
    let err = ca
        .issue_client(&"os:admin".parse().unwrap(), now(), Ttl::from_hours(11))
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("runs past the CA's expiry at"), "{msg}");
    assert!(
        msg.contains("use a TTL of at most 10h0m0s") || msg.contains("at most 9h59m"),
        "{msg}"
    );
}

#[test]
fn expired_ca_is_refused() {
    let long_ago = now() - Duration::days(30);
    let ca = CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        long_ago,
        Ttl::from_hours(24),
    )
    .unwrap();
    let err = ca
        .issue_client(&"os:admin".parse().unwrap(), now(), Ttl::from_hours(1))
        .unwrap_err();
    assert!(err.to_string().contains("is not valid at"), "{err}");
}

#[test]
fn ca_profile_matches_talos_section_1_5() {
    let ca = os_ca();
    let c = ca.cert();
    assert!(c.is_ca);
    assert_eq!(c.subject_der, c.issuer_der);
    assert_eq!(
        c.subject_der,
        [
            0x30, 0x10, 0x31, 0x0e, 0x30, 0x0c, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x05, b't',
            b'a', b'l', b'o', b's'
        ]
    );
    let (_, x) = X509Certificate::from_der(&c.der).unwrap();
    let exts: Vec<(String, bool)> = x
        .extensions()
        .iter()
        .map(|e| (e.oid.to_id_string(), e.critical))
        .collect();
    assert_eq!(
        exts,
        [
            ("2.5.29.15".into(), true),
            ("2.5.29.37".into(), false),
            ("2.5.29.19".into(), true),
            ("2.5.29.14".into(), false)
        ]
    );
    let ku = x
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.15")
        .unwrap();
    assert_eq!(ku.value, [0x03, 0x02, 0x02, 0x84]);
    assert_eq!(c.subject_key_id.as_ref().unwrap().len(), 20);
    assert_eq!(
        c.ext_key_usage.as_deref().unwrap(),
        ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
    );
    assert_eq!(c.not_after - c.not_before, Duration::hours(87600));
}

#[test]
fn c9_certificate_from_csr_carries_the_csr_roles_and_ip() {
    let ca = os_ca();
    let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let roles: RoleSet = "os:reader,os:etcd:backup".parse().unwrap();
    let pem = csr::create(&key, &roles, "10.5.0.2".parse().unwrap()).unwrap();
    let parsed = csr::Csr::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(
        parsed.ip_sans,
        ["10.5.0.2".parse::<std::net::IpAddr>().unwrap()]
    );
    let issued = ca
        .issue_from_csr(
            &parsed,
            &talmint::pki::Window::new(now(), Ttl::from_hours(24)),
        )
        .unwrap();
    let mut orgs = issued.cert.organizations.clone();
    orgs.sort();
    assert_eq!(orgs, ["os:etcd:backup", "os:reader"]);
    assert_eq!(issued.cert.ip_sans, parsed.ip_sans);
    assert!(issued.cert.eku_is_exactly_client_auth());
    assert_eq!(issued.cert.spki_der, key.public_key_der().unwrap());
    // And the node accepts it.
    let node = common::apid::Node::new(&ca);
    let cred = common::apid::Credential {
        ca_pem: ca.cert_pem().as_bytes().to_vec(),
        crt_pem: issued.cert_pem.into_bytes(),
        key_pem: key.to_pem().unwrap().as_bytes().to_vec(),
    };
    let out = node.handshake(&cred, common::apid::Version::Tls13);
    assert_eq!(out.roles.unwrap(), ["os:etcd:backup", "os:reader"]);
}

#[test]
fn tampered_csr_is_refused() {
    let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let pem = csr::create(
        &key,
        &"os:reader".parse().unwrap(),
        "10.5.0.2".parse().unwrap(),
    )
    .unwrap();
    let block = pem::parse(pem.as_bytes()).unwrap();
    let mut der = block.into_contents();
    let i = der.windows(9).position(|w| w == b"os:reader").unwrap();
    der[i + 3] = b'a'; // os:aeader
    let bad = talmint::pki::pem::encode("CERTIFICATE REQUEST", &der);
    let err = csr::Csr::from_pem(bad.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("signature does not verify"),
        "{err}"
    );
}

#[test]
fn interop_openssl_verifies_client_certificates_and_shows_each_role() {
    if !common::openssl::available() {
        return;
    }
    let ca = os_ca();
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    #[allow(clippy::disallowed_methods)]
    std::fs::write(&ca_path, ca.cert_pem()).unwrap();
    for roles in ["os:admin", "os:reader,os:etcd:backup", &BUILT_IN.join(",")] {
        let set: RoleSet = roles.parse().unwrap();
        let issued = ca.issue_client(&set, now(), Ttl::from_hours(8)).unwrap();
        let leaf = dir.path().join("leaf.pem");
        #[allow(clippy::disallowed_methods)]
        std::fs::write(&leaf, &issued.cert_pem).unwrap();
        let (ok, text) = common::openssl::run(
            &[
                "verify",
                "-CAfile",
                "ca.pem",
                "-purpose",
                "sslclient",
                "leaf.pem",
            ],
            dir.path(),
        );
        assert!(ok && text.contains("leaf.pem: OK"), "{roles}: {text}");
        let (ok, text) =
            common::openssl::run(&["x509", "-in", "leaf.pem", "-noout", "-text"], dir.path());
        assert!(ok, "{text}");
        let subject = text
            .lines()
            .find(|l| l.trim_start().starts_with("Subject:"))
            .unwrap();
        for r in set.iter() {
            assert!(subject.contains(&format!("O = {r}")), "{subject}");
        }
        assert!(text.contains("TLS Web Client Authentication"), "{text}");
        assert!(!text.contains("TLS Web Server Authentication"), "{text}");
        // openssl also reads the private key (PKCS#8 v1 re-labelled).
        let key = issued.key.unwrap().to_pem().unwrap();
        #[allow(clippy::disallowed_methods)]
        std::fs::write(
            dir.path().join("leaf.key"),
            common::openssl::relabel_pkcs8(&key),
        )
        .unwrap();
        let (ok, text) =
            common::openssl::run(&["pkey", "-in", "leaf.key", "-noout", "-text"], dir.path());
        assert!(ok && text.contains("ED25519 Private-Key"), "{text}");
    }
    let _ = Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap();
}
