//! D1–D2: a node (the apid-equivalent rustls server of `common::apid`) accepts the client
//! certificates talmint issues, reads back exactly their roles, and rejects the bad ones.

mod common;

use common::apid::{Credential, Node, Version};
use talmint::pki::{CaKeyPair, KeyAlgorithm, Profile, Ttl};
use talmint::roles::RoleSet;
use time::{Duration, OffsetDateTime};

fn os_ca(now: OffsetDateTime) -> CaKeyPair {
    CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        now,
        Ttl::from_hours(87600),
    )
    .unwrap()
}

fn credential(ca: &CaKeyPair, roles: &str, now: OffsetDateTime, ttl: Ttl) -> Credential {
    let roles: RoleSet = roles.parse().unwrap();
    let issued = ca.issue_client(&roles, now, ttl).unwrap();
    Credential {
        ca_pem: ca.cert_pem().as_bytes().to_vec(),
        crt_pem: issued.cert_pem.into_bytes(),
        key_pem: issued.key.unwrap().to_pem().unwrap().as_bytes().to_vec(),
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::minutes(1)
}

#[test]
fn d1_d2_node_accepts_issued_credential_and_reads_roles_tls12_and_tls13() {
    let ca = os_ca(now());
    let node = Node::new(&ca);
    let cred = credential(&ca, "os:reader,os:etcd:backup", now(), Ttl::from_hours(8));
    for v in [Version::Tls12, Version::Tls13] {
        let out = node.handshake(&cred, v);
        assert_eq!(out.client, Ok(()), "{v:?}");
        assert_eq!(out.roles.unwrap(), ["os:etcd:backup", "os:reader"], "{v:?}");
    }
}

#[test]
fn d1_every_built_in_role_is_accepted_alone() {
    let ca = os_ca(now());
    let node = Node::new(&ca);
    for role in talmint::roles::BUILT_IN {
        let cred = credential(&ca, role, now(), Ttl::from_hours(1));
        let out = node.handshake(&cred, Version::Tls13);
        assert_eq!(out.roles.unwrap(), [role]);
    }
}

#[test]
fn d1_credential_from_another_ca_is_rejected() {
    let ca = os_ca(now());
    let node = Node::new(&ca);
    // Another cluster's OS CA has the same subject (O=talos): the chain is found by name and its
    // signature fails.
    let other_cluster = os_ca(now());
    let mut cred = credential(&other_cluster, "os:admin", now(), Ttl::from_hours(1));
    cred.ca_pem = ca.cert_pem().as_bytes().to_vec();
    assert_eq!(
        node.handshake(&cred, Version::Tls13).roles.unwrap_err(),
        rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
    );
    // A CA with another name: no issuer found at all.
    let foreign = CaKeyPair::generate(
        &Profile::ca("acme"),
        KeyAlgorithm::Ed25519,
        now(),
        Ttl::from_hours(100),
    )
    .unwrap();
    let mut cred = credential(&foreign, "os:admin", now(), Ttl::from_hours(1));
    cred.ca_pem = ca.cert_pem().as_bytes().to_vec();
    assert_eq!(
        node.handshake(&cred, Version::Tls12).roles.unwrap_err(),
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
    );
}

#[test]
fn d1_expired_credential_is_rejected_as_expired() {
    let ten_days_ago = OffsetDateTime::now_utc() - Duration::days(10);
    let ca = os_ca(ten_days_ago);
    let node = Node::new(&ca);
    let cred = credential(&ca, "os:admin", ten_days_ago, Ttl::from_hours(1));
    let err = node.handshake(&cred, Version::Tls12).roles.unwrap_err();
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(rustls::CertificateError::ExpiredContext { .. })
                | rustls::Error::InvalidCertificate(rustls::CertificateError::Expired)
        ),
        "{err:?}"
    );
}

#[test]
fn d1_key_that_does_not_match_the_certificate_fails() {
    let ca = os_ca(now());
    let node = Node::new(&ca);
    let mut cred = credential(&ca, "os:admin", now(), Ttl::from_hours(1));
    let other = credential(&ca, "os:admin", now(), Ttl::from_hours(1));
    cred.key_pem = other.key_pem;
    let out = node.handshake(&cred, Version::Tls13);
    let err = out.client.unwrap_err();
    assert!(
        matches!(
            err,
            rustls::Error::InconsistentKeys(_)
                | rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
        ),
        "{err:?}"
    );
}

#[test]
fn d1_server_and_client_auth_eku_is_rejected_by_the_exact_eku_rule() {
    if !common::openssl::available() {
        return;
    }
    let ca = os_ca(now());
    let node = Node::new(&ca);
    let dir = tempfile::tempdir().unwrap();
    let cred = common::openssl::leaf_with_eku(&ca, dir.path(), "serverAuth,clientAuth", "os:admin");
    let err = node.handshake(&cred, Version::Tls13).roles.unwrap_err();
    assert!(
        matches!(&err, rustls::Error::General(m) if m.contains("is missing the client auth extended key usage")),
        "{err:?}"
    );
    // The same openssl-made leaf with clientAuth only passes: the rule, not openssl, rejected it.
    let ok = common::openssl::leaf_with_eku(&ca, dir.path(), "clientAuth", "os:admin");
    assert_eq!(
        node.handshake(&ok, Version::Tls13).roles.unwrap(),
        ["os:admin"]
    );
}

#[test]
fn d1_talos_fixture_bundle_os_ca_issues_accepted_credentials() {
    let Some(path) = common::talos("stability/secrets.yaml") else {
        return;
    };
    let bundle =
        talmint::bundle::SecretsBundle::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ca = bundle.os_ca().unwrap();
    let node = Node::new(&ca);
    let cred = credential(&ca, "os:operator", now(), Ttl::from_hours(8));
    let out = node.handshake(&cred, Version::Tls13);
    assert_eq!(out.roles.unwrap(), ["os:operator"]);
}
