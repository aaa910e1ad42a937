//! C9: `gen key`, `gen csr`, `gen crt`, `gen ca`, `gen keypair` through the CLI: file names, modes,
//! PEM types, CSR subject and SAN, the `.sha256` pin, and node acceptance of the result.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::Env;
use talmint::pki::{csr::Csr, CaKeyPair, Certificate, KeyAlgorithm, PrivateKey};

fn mode(env: &Env, rel: &str) -> u32 {
    std::fs::metadata(env.path(rel))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn label(bytes: &[u8]) -> String {
    pem::parse(bytes).unwrap().tag().to_string()
}

#[test]
fn c9_key_csr_crt_chain_carries_roles_and_is_accepted_by_a_node() {
    let env = Env::new();
    env.ok(&["gen", "ca", "--organization", "talos"]);
    env.ok(&["gen", "key", "--name", "admin"]);
    env.ok(&[
        "gen",
        "csr",
        "--key",
        "admin.key",
        "--ip",
        "10.5.0.2",
        "--roles",
        "os:reader,os:etcd:backup",
    ]);
    env.ok(&[
        "gen",
        "crt",
        "--name",
        "admin",
        "--ca",
        "talos",
        "--csr",
        "admin.csr",
        "--hours",
        "8",
    ]);
    for f in [
        "talos.crt",
        "talos.key",
        "talos.sha256",
        "admin.key",
        "admin.csr",
        "admin.crt",
    ] {
        assert_eq!(mode(&env, f), 0o600, "{f}");
    }
    assert_eq!(label(&env.read("admin.key")), "ED25519 PRIVATE KEY");
    assert_eq!(label(&env.read("admin.csr")), "CERTIFICATE REQUEST");
    assert_eq!(label(&env.read("admin.crt")), "CERTIFICATE");
    assert_eq!(label(&env.read("talos.key")), "ED25519 PRIVATE KEY");

    let csr = Csr::from_pem(&env.read("admin.csr")).unwrap();
    let mut orgs = csr.organizations.clone();
    orgs.sort();
    assert_eq!(orgs, ["os:etcd:backup", "os:reader"]);
    assert_eq!(
        csr.ip_sans,
        ["10.5.0.2".parse::<std::net::IpAddr>().unwrap()]
    );

    let crt = Certificate::from_pem(&env.read("admin.crt")).unwrap();
    assert_eq!(
        crt.subject_der, csr.subject_der,
        "subject copied from the CSR"
    );
    assert_eq!(crt.ip_sans, csr.ip_sans);
    assert!(crt.eku_is_exactly_client_auth() && !crt.is_ca);
    assert_eq!(crt.not_after - crt.not_before, time::Duration::hours(8));

    let ca = CaKeyPair::from_pem(&env.read("talos.crt"), &env.read("talos.key")).unwrap();
    // `.sha256`: sha256:<hex of SPKI>, no trailing newline.
    assert_eq!(
        String::from_utf8(env.read("talos.sha256")).unwrap(),
        ca.cert().spki_pin()
    );
    assert!(!env.read("talos.sha256").ends_with(b"\n"));

    let node = common::apid::Node::new(&ca);
    let cred = common::apid::Credential {
        ca_pem: env.read("talos.crt"),
        crt_pem: env.read("admin.crt"),
        key_pem: env.read("admin.key"),
    };
    let out = node.handshake(&cred, common::apid::Version::Tls13);
    assert_eq!(out.roles.unwrap(), ["os:etcd:backup", "os:reader"]);
}

#[test]
fn c9_csr_default_role_is_admin_and_csr_path_replaces_the_extension() {
    let env = Env::new();
    env.ok(&["gen", "key", "--name", "ops.user"]);
    env.ok(&["gen", "csr", "--key", "ops.user.key", "--ip", "fd00::1"]);
    let csr = Csr::from_pem(&env.read("ops.user.csr")).unwrap();
    assert_eq!(csr.organizations, ["os:admin"]);
    assert_eq!(
        csr.ip_sans,
        ["fd00::1".parse::<std::net::IpAddr>().unwrap()]
    );
}

#[test]
fn c9_gen_ca_rsa_writes_pkcs1_key_and_sha512_signature() {
    let env = Env::new();
    env.ok(&[
        "gen",
        "ca",
        "--organization",
        "corp",
        "--rsa",
        "--hours",
        "24",
    ]);
    assert_eq!(label(&env.read("corp.key")), "RSA PRIVATE KEY");
    let key = PrivateKey::from_pem(&env.read("corp.key")).unwrap();
    assert_eq!(key.algorithm(), KeyAlgorithm::Rsa);
    let crt = Certificate::from_pem(&env.read("corp.crt")).unwrap();
    assert_eq!(crt.key_algorithm, "RSA-4096");
    assert_eq!(
        crt.signature_oid, "1.2.840.113549.1.1.13",
        "sha512WithRSAEncryption"
    );
    assert_eq!(crt.subject, "O=corp");
    crt.verify_signed_by(&crt).unwrap();
    if common::openssl::available() {
        let (ok, text) = common::openssl::run(
            &["verify", "-CAfile", "corp.crt", "corp.crt"],
            env.dir.path(),
        );
        assert!(ok, "{text}");
    }
}

#[test]
fn c9_gen_keypair_is_a_24h_self_signed_ca_with_ip_san() {
    let env = Env::new();
    env.ok(&[
        "gen",
        "keypair",
        "--organization",
        "test",
        "--ip",
        "10.5.0.9",
    ]);
    let crt = Certificate::from_pem(&env.read("test.crt")).unwrap();
    assert!(crt.is_ca);
    assert_eq!(crt.subject, "O=test");
    assert_eq!(
        crt.ip_sans,
        ["10.5.0.9".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(crt.not_after - crt.not_before, time::Duration::hours(24));
    assert_eq!(mode(&env, "test.key"), 0o600);
    assert!(!env.path("test.sha256").exists());
}

#[test]
fn gen_commands_refuse_to_overwrite_without_force_and_replace_with_it() {
    let env = Env::new();
    env.ok(&["gen", "key", "--name", "a"]);
    let first = env.read("a.key");
    let out = env.run(&["gen", "key", "--name", "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.read("a.key"), first);
    env.ok(&["gen", "--force", "key", "--name", "a"]);
    assert_ne!(env.read("a.key"), first);
    env.ok(&["gen", "key", "--name", "a", "-f"]);
}

#[test]
fn gen_crt_writes_a_third_party_csr_subject_as_go_does() {
    // An openssl CSR: CN first, each role its own RDN, UTF8String values, an emailAddress, and an
    // IPv4-mapped IPv6 SAN. talosctl's gen crt (Go's CreateCertificate from the parsed pkix.Name)
    // writes one O RDN with both roles, then CN, as PrintableString; drops the email; and writes
    // the IP as 4 bytes.
    if !common::openssl::available() {
        return;
    }
    use x509_parser::prelude::*;
    let env = Env::new();
    env.ok(&["gen", "ca", "--organization", "talos"]);
    let (ok, text) = common::openssl::run(
        &["genpkey", "-algorithm", "ed25519", "-out", "u.key"],
        &env.path(""),
    );
    assert!(ok, "{text}");
    let (ok, text) = common::openssl::run(
        &[
            "req",
            "-new",
            "-key",
            "u.key",
            "-utf8",
            "-subj",
            "/CN=alice/O=os:reader/O=os:admin/emailAddress=a@example.com",
            "-addext",
            "subjectAltName=IP:::ffff:10.0.0.1",
            "-out",
            "u.csr",
        ],
        &env.path(""),
    );
    assert!(ok, "{text}");
    env.ok(&[
        "gen", "crt", "--name", "u", "--ca", "talos", "--csr", "u.csr",
    ]);
    let pem = env.read("u.crt");
    let (_, pem) = parse_x509_pem(&pem).unwrap();
    let cert = pem.parse_x509().unwrap();
    let rdns: Vec<Vec<(String, u8, String)>> = cert
        .subject()
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    (
                        atv.attr_type().to_id_string(),
                        atv.attr_value().header.tag().0 as u8,
                        atv.as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect();
    const PRINTABLE: u8 = 19;
    assert_eq!(
        rdns,
        [
            vec![
                ("2.5.4.10".to_string(), PRINTABLE, "os:admin".to_string()),
                ("2.5.4.10".to_string(), PRINTABLE, "os:reader".to_string()),
            ],
            vec![("2.5.4.3".to_string(), PRINTABLE, "alice".to_string())],
        ]
    );
    let san = cert.subject_alternative_name().unwrap().unwrap().value;
    assert_eq!(
        san.general_names,
        [GeneralName::IPAddress(&[10, 0, 0, 1][..])]
    );
}

/// ECDSA P-384 and P-521 keys, made by openssl, as Go's x509 takes them (review r14: `gen csr`
/// failed with "failed to parse EC key: crypto error"): a CSR signed with the curve's hash as Go
/// pairs them, a CA of that curve signing `gen crt` and `config new`, and `verify`, which checks
/// P-521 signatures itself (x509-parser's ring lacks them).
#[test]
fn p384_and_p521_keys_sign_csrs_and_certificates_that_openssl_verifies() {
    if !common::openssl::available() {
        return;
    }
    for (curve, hash) in [("P-384", "SHA384"), ("P-521", "SHA512")] {
        let env = Env::new();
        let ssl = |args: &[&str]| {
            let (ok, text) = common::openssl::run(args, env.dir.path());
            assert!(ok, "openssl {args:?}: {text}");
            text
        };
        let curve_opt = format!("ec_paramgen_curve:{curve}");
        for key in ["ca.key", "client.key"] {
            ssl(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                &curve_opt,
                "-out",
                key,
            ]);
        }
        ssl(&[
            "req", "-x509", "-key", "ca.key", "-subj", "/O=corp", "-days", "30", "-out", "ca.crt",
        ]);
        ssl(&["ec", "-in", "ca.key", "-out", "ca-sec1.key"]);

        env.ok(&[
            "gen",
            "csr",
            "--key",
            "client.key",
            "--ip",
            "10.5.0.2",
            "--roles",
            "os:reader",
        ]);
        let csr = ssl(&["req", "-in", "client.csr", "-noout", "-verify", "-text"]);
        assert!(
            csr.contains(&format!("ecdsa-with-{hash}")),
            "{curve}: {csr}"
        );

        env.ok(&[
            "gen",
            "crt",
            "--name",
            "client",
            "--ca",
            "ca",
            "--csr",
            "client.csr",
        ]);
        let verified = ssl(&["verify", "-CAfile", "ca.crt", "client.crt"]);
        assert!(verified.contains("client.crt: OK"), "{curve}: {verified}");

        env.ok(&[
            "config",
            "new",
            "t.tc",
            "--ca-crt",
            "ca.crt",
            "--ca-key",
            "ca-sec1.key",
            "--crt-ttl",
            "1h",
        ]);
        let report = common::stdout(&env.ok(&["verify", "t.tc", "--ca", "ca.crt"]));
        assert!(report.contains("verdict: accepted"), "{curve}: {report}");
        // The client key is P-256 whatever the ECDSA CA's curve, as Talos's NewKeyPair makes.
        let shown = common::stdout(&env.ok(&["inspect", "t.tc"]));
        assert!(
            shown.contains("key algorithm:  ECDSA P-256"),
            "{curve}: {shown}"
        );
        let shown = common::stdout(&env.ok(&["inspect", "ca.key"]));
        assert!(
            shown.contains(&format!("ECDSA {curve}")),
            "{curve}: {shown}"
        );
    }
}
