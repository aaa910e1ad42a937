//! Issue 5: `talmint inspect` and `talmint verify` on the Talos fixtures (both bundles, the
//! talosconfig samples, machine configs) and on credentials that are accepted, expired, not yet
//! valid, from another CA, with serverAuth+clientAuth EKU, with a mismatched key, with unknown
//! roles. Every verify case is also run through the apid-equivalent mTLS server of
//! `common::apid`, and verify must agree with it.

mod common;

use std::collections::BTreeSet;

use base64::Engine;
use common::apid::{Credential, Node, Version};
use common::{stderr, stdout, Env};
use serde_json::Value;
use talmint::bundle::SecretsBundle;
use talmint::pki::{CaKeyPair, KeyAlgorithm, Profile, Ttl};
use talmint::roles::RoleSet;
use talmint::talosconfig::{Config, Context};
use talmint::verify::{self, Request};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The clock of the `config info` goldens (`spec/README.md` C5).
const INFO_NOW: &str = "2021-07-05T22:06:42Z";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::minutes(1)
}

fn os_ca(now: OffsetDateTime) -> CaKeyPair {
    CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        now,
        Ttl::from_hours(87600),
    )
    .unwrap()
}

fn credential(ca: &CaKeyPair, roles: &RoleSet, start: OffsetDateTime, ttl: Ttl) -> Credential {
    let issued = ca.issue_client(roles, start, ttl).unwrap();
    Credential {
        ca_pem: ca.cert_pem().as_bytes().to_vec(),
        crt_pem: issued.cert_pem.into_bytes(),
        key_pem: issued.key.unwrap().to_pem().unwrap().as_bytes().to_vec(),
    }
}

fn roles(s: &str) -> RoleSet {
    RoleSet::parse_lenient(s.split(','))
}

/// A one-context talosconfig as talosctl writes it (the model, emitted by the go-yaml emitter).
fn talosconfig(name: &str, cred: &Credential) -> String {
    let mut cfg = Config::empty();
    cfg.context = name.to_string();
    cfg.upsert(
        name,
        Context {
            endpoints: vec!["10.5.0.2".into()],
            ca: B64.encode(&cred.ca_pem),
            crt: B64.encode(&cred.crt_pem),
            key: Zeroizing::new(B64.encode(&cred.key_pem)),
            ..Context::default()
        },
    );
    talmint::yaml::emit(&cfg.to_node())
}

/// The names of the failed checks in a verify report (`FAIL  <name>  …` lines).
fn failed_checks(report: &str) -> BTreeSet<String> {
    report
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn inspect_json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["inspect", "-o", "json"];
    all.extend_from_slice(args);
    let out = env.ok(&all);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Nothing of a private key may reach the output: no PEM label, no base64 of the key bytes.
fn assert_no_key_material(text: &str, key_pems: &[&[u8]]) {
    assert!(!text.contains("PRIVATE KEY"), "a PEM key label leaked");
    for pem in key_pems {
        let (_, der) = talmint::pki::pem::decode_first(pem).unwrap();
        let body = B64.encode(&*der);
        // Any 16-character run of the key's base64 (or of the PEM's base64) would be a leak.
        for window in [body.as_str(), &B64.encode(pem)] {
            for start in (0..window.len().saturating_sub(16)).step_by(8) {
                let piece = &window[start..start + 16];
                assert!(!text.contains(piece), "key material leaked: {piece}");
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// verify ⇔ the apid-equivalent handshake
// ------------------------------------------------------------------------------------------------

/// One credential case: what the node says, what verify must say.
struct Case {
    name: &'static str,
    cred: Credential,
    /// The checks verify must fail, exactly.
    failed: &'static [&'static str],
    /// Text the report must contain.
    message: &'static str,
    /// Whether the node completes the handshake.
    node_accepts: bool,
    /// The handshake's error, when it refuses.
    node_error: fn(&rustls::Error) -> bool,
}

/// Run `case` against `node` (the node trusts `node.os_ca_pem`), verify as a library and as the
/// CLI with `--ca` of the node's CAs, and compare.
fn run_case(env: &Env, node: &Node, case: &Case) {
    // The node.
    let out = node.handshake(&case.cred, Version::Tls13);
    let handshake_ok = out.roles.is_ok() && out.client.is_ok();
    assert_eq!(
        handshake_ok, case.node_accepts,
        "{}: node: {out:?}",
        case.name
    );
    if !handshake_ok {
        let err = out
            .roles
            .as_ref()
            .err()
            .or(out.client.as_ref().err())
            .unwrap();
        assert!((case.node_error)(err), "{}: node error {err:?}", case.name);
    }

    // The library: the checks apid enforces agree with the handshake.
    let trusted = verify::trusted_from_pem(&node.os_ca_pem).unwrap();
    let verdict = verify::verify(&Request {
        trusted: &trusted,
        crt_pem: &case.cred.crt_pem,
        key_pem: &case.cred.key_pem,
        client_ca_pem: Some(&case.cred.ca_pem),
        at: OffsetDateTime::now_utc(),
        expected_roles: None,
    });
    assert_eq!(
        verdict.handshake_accepted(),
        handshake_ok,
        "{}: verify disagrees with the node: {}",
        case.name,
        verdict.summary()
    );
    let lib_failed: BTreeSet<String> = verdict.failed().map(|c| c.id.name().to_string()).collect();
    assert_eq!(
        lib_failed,
        set(case.failed),
        "{}: library verdict",
        case.name
    );
    if let Ok(node_roles) = &out.roles {
        assert_eq!(&verdict.roles.strings(), node_roles, "{}: roles", case.name);
    }

    // The CLI: exit code, the failed checks named, the message, one stderr line.
    env.write(
        &format!("{}.talosconfig", case.name),
        talosconfig(case.name, &case.cred),
    );
    env.write("node-ca.crt", &node.os_ca_pem);
    let tc = format!("{}.talosconfig", case.name);
    let run = env.run(&["verify", &tc, "--ca", "node-ca.crt"]);
    let report = stdout(&run);
    let expected_code = if case.failed.is_empty() { 0 } else { 1 };
    assert_eq!(
        run.status.code(),
        Some(expected_code),
        "{}:\n{report}",
        case.name
    );
    assert_eq!(
        failed_checks(&report),
        set(case.failed),
        "{}:\n{report}",
        case.name
    );
    assert!(
        report.contains(case.message),
        "{}: missing {:?} in\n{report}",
        case.name,
        case.message
    );
    if expected_code == 1 {
        let err = stderr(&run);
        assert_eq!(err.lines().count(), 1, "{}: {err}", case.name);
        assert!(err.contains("rejected:"), "{err}");
        for check in case.failed {
            assert!(err.contains(check), "{}: stderr {err}", case.name);
            // Each failed check says what to do.
            let fail_line = report
                .lines()
                .position(|l| l.starts_with(&format!("FAIL  {check}")))
                .unwrap();
            let next = report.lines().nth(fail_line + 1).unwrap();
            assert!(
                next.trim_start().starts_with("fix: "),
                "{}: {next}",
                case.name
            );
        }
    } else {
        assert!(report.contains("verdict: accepted"), "{report}");
    }
}

#[test]
fn i5_verify_agrees_with_the_node_on_every_credential_case() {
    let env = Env::new();
    let ca = os_ca(now() - Duration::days(20));
    let node = Node::new(&ca);
    let one_hour = Ttl::from_hours(1);

    let mut cases = vec![
        Case {
            name: "accepted",
            cred: credential(
                &ca,
                &roles("os:reader,os:etcd:backup"),
                now(),
                Ttl::from_hours(8),
            ),
            failed: &[],
            message: "ok    ext-key-usage  exactly clientAuth",
            node_accepts: true,
            node_error: |_| false,
        },
        Case {
            name: "expired",
            cred: credential(
                &ca,
                &roles("os:admin"),
                now() - Duration::days(10),
                one_hour,
            ),
            failed: &["validity"],
            message: "expired 1 week ago",
            node_accepts: false,
            node_error: |e| {
                matches!(
                    e,
                    rustls::Error::InvalidCertificate(
                        rustls::CertificateError::Expired
                            | rustls::CertificateError::ExpiredContext { .. }
                    )
                )
            },
        },
        Case {
            name: "not-yet-valid",
            cred: credential(
                &ca,
                &roles("os:admin"),
                now() + Duration::hours(2),
                one_hour,
            ),
            failed: &["validity"],
            message: "not valid yet",
            node_accepts: false,
            node_error: |e| {
                matches!(
                    e,
                    rustls::Error::InvalidCertificate(
                        rustls::CertificateError::NotValidYet
                            | rustls::CertificateError::NotValidYetContext { .. }
                    )
                )
            },
        },
        Case {
            name: "another-cluster",
            cred: {
                // Same subject O=talos, another key: found by name, fails the signature.
                let other = os_ca(now());
                let mut c = credential(&other, &roles("os:admin"), now(), one_hour);
                c.ca_pem = ca.cert_pem().as_bytes().to_vec();
                c
            },
            failed: &["chain"],
            message: "the signature does not verify with the CA's key",
            node_accepts: false,
            node_error: |e| {
                *e == rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
            },
        },
        Case {
            name: "foreign-ca",
            cred: {
                let foreign = CaKeyPair::generate(
                    &Profile::ca("acme"),
                    KeyAlgorithm::Ed25519,
                    now(),
                    Ttl::from_hours(100),
                )
                .unwrap();
                let mut c = credential(&foreign, &roles("os:admin"), now(), one_hour);
                c.ca_pem = ca.cert_pem().as_bytes().to_vec();
                c
            },
            failed: &["issuer"],
            message: "issued by \"O=acme\", but the CA is O=talos",
            node_accepts: false,
            node_error: |e| {
                *e == rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
            },
        },
        Case {
            name: "mismatched-key",
            cred: {
                let mut c = credential(&ca, &roles("os:admin"), now(), one_hour);
                c.key_pem = credential(&ca, &roles("os:admin"), now(), one_hour).key_pem;
                c
            },
            failed: &["key-matches"],
            message: "the private key belongs to another certificate",
            node_accepts: false,
            node_error: |e| {
                matches!(
                    e,
                    rustls::Error::InconsistentKeys(_)
                        | rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
                )
            },
        },
        Case {
            // The node completes the handshake (apid does not look at roles) but no rule grants
            // an unknown role: verify accepts the TLS part and rejects the credential.
            name: "unknown-roles",
            cred: credential(&ca, &roles("os:future"), now(), one_hour),
            failed: &["roles-known"],
            message: "unknown roles: os:future",
            node_accepts: true,
            node_error: |_| false,
        },
    ];
    if common::openssl::available() {
        let dir = tempfile::tempdir().unwrap();
        cases.push(Case {
            name: "server-and-client-auth",
            cred: common::openssl::leaf_with_eku(&ca, dir.path(), "serverAuth,clientAuth", "os:admin"),
            failed: &["ext-key-usage"],
            message: "certificate \"O=os:admin\" is missing the client auth extended key usage",
            node_accepts: false,
            node_error: |e| {
                matches!(e, rustls::Error::General(m) if m.contains("is missing the client auth extended key usage"))
            },
        });
        // Review r17: each of these was accepted, and a node refuses it.
        let dir = |name: &str| {
            let d = env.path(name);
            std::fs::create_dir_all(&d).unwrap();
            d
        };
        cases.push(Case {
            // apid compares the whole list: [clientAuth, clientAuth] is not [clientAuth].
            name: "client-auth-twice",
            cred: common::openssl::leaf_with_eku(&ca, &dir("twice"), "clientAuth,clientAuth", "os:admin"),
            failed: &["ext-key-usage"],
            message: "its EKUs are [clientAuth, clientAuth]",
            node_accepts: false,
            node_error: |e| {
                matches!(e, rustls::Error::General(m) if m.contains("is missing the client auth extended key usage"))
            },
        });
        cases.push(Case {
            name: "unknown-critical-extension",
            cred: common::openssl::leaf(
                &ca,
                &dir("critical"),
                "extendedKeyUsage=clientAuth\n1.2.3.4=critical,ASN1:NULL",
                "os:admin",
                "4242",
            ),
            failed: &["chain"],
            message: "marks critical an extension Go does not handle (1.2.3.4): a node refuses it (x509: unhandled critical extension)",
            node_accepts: false,
            node_error: |e| matches!(e, rustls::Error::InvalidCertificate(_)),
        });
        cases.push(Case {
            // Go refuses negative serials since 1.23; Talos does not turn that back on.
            name: "negative-serial",
            cred: common::openssl::leaf(
                &ca,
                &dir("negative"),
                "extendedKeyUsage=clientAuth",
                "os:admin",
                "-5",
            ),
            failed: &["certificate"],
            message: "x509: negative serial number",
            node_accepts: false,
            node_error: |e| {
                *e == rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
            },
        });
        // The OS CA's key, but an issuer name in UTF8String where the CA's subject has a
        // PrintableString: the same text, other bytes.
        let utf8 = dir("utf8");
        common::openssl::write_ca(&ca, &utf8, "ca");
        let (ok, text) = common::openssl::run(
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/O=talos",
                "-days",
                "2",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-out",
                "ca2.crt",
            ],
            &utf8,
        );
        assert!(ok, "{text}");
        std::fs::copy(utf8.join("ca.key"), utf8.join("ca2.key")).unwrap();
        cases.push(Case {
            name: "issuer-encoded-differently",
            cred: Credential {
                ca_pem: ca.cert_pem().as_bytes().to_vec(),
                crt_pem: common::openssl::make_cert(
                    &utf8,
                    "leaf",
                    "/O=os:admin",
                    LEAF_EXT,
                    Some("ca2"),
                    1,
                ),
                key_pem: std::fs::read(utf8.join("leaf.key")).unwrap(),
            },
            failed: &["issuer"],
            message: "reads as the CA's name but is encoded differently",
            node_accepts: false,
            node_error: is_unknown_issuer,
        });
        let twice = dir("repeated");
        let cred = common::openssl::leaf(
            &ca,
            &twice,
            "extendedKeyUsage=clientAuth",
            "os:admin",
            "4242",
        );
        cases.push(Case {
            name: "extension-repeated",
            cred: common::openssl::repeat_extension(&cred, &twice, "2.5.29.37"),
            failed: &["certificate"],
            message: "x509: certificate contains duplicate extensions",
            node_accepts: false,
            node_error: |e| matches!(e, rustls::Error::InvalidCertificate(_)),
        });
    }
    for case in &cases {
        run_case(&env, &node, case);
    }
}

/// The leaf extensions of a Talos client certificate, for openssl.
const LEAF_EXT: &str = "keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth";

/// `openssl verify -purpose sslclient` of `leaf` (file names in `dir`) against `ca`, with
/// `untrusted` intermediates when not empty; `attime` in seconds since the epoch when given.
fn openssl_verify(
    dir: &std::path::Path,
    ca: &str,
    untrusted: &str,
    leaf: &str,
    at: Option<i64>,
) -> bool {
    let at = at.map(|t| t.to_string());
    let mut args = vec!["verify", "-purpose", "sslclient", "-CAfile", ca];
    if !untrusted.is_empty() {
        args.extend(["-untrusted", untrusted]);
    }
    if let Some(at) = &at {
        args.extend(["-attime", at]);
    }
    args.push(leaf);
    common::openssl::run(&args, dir).0
}

fn is_unknown_issuer(e: &rustls::Error) -> bool {
    *e == rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
}

// Review issue 1: a trusted certificate that is not a CA. Go's chain building uses the roots
// pool as anchors, but CheckSignatureFrom lets an anchor sign only with basic constraints cA (v3)
// and keyCertSign (if key usage is present); a v1 anchor may sign, and then apid's exact-EKU rule
// rejects it as a non-CA certificate of the chain.
#[test]
fn i5_verify_refuses_a_trusted_certificate_that_is_not_a_ca_as_a_node_does() {
    if !common::openssl::available() {
        return;
    }
    let env = Env::new();
    let ca = os_ca(now() - Duration::days(20));
    struct Root {
        name: &'static str,
        ext: &'static str,
        failed: &'static [&'static str],
        message: &'static str,
        node_error: fn(&rustls::Error) -> bool,
        openssl_accepts: bool,
    }
    let roots = [
        Root {
            name: "root-is-a-ca",
            ext: "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=serverAuth,clientAuth",
            failed: &[],
            message: "ok    chain          signed by O=talos",
            node_error: |_| false,
            openssl_accepts: true,
        },
        Root {
            name: "root-ca-false",
            ext: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=serverAuth,clientAuth",
            failed: &["chain"],
            message: "the trusted CA O=talos is not a CA (basic constraints cA is not set): a node refuses it as an issuer (x509: invalid signature: parent certificate cannot sign this kind of certificate)",
            node_error: is_unknown_issuer,
            openssl_accepts: false,
        },
        Root {
            // openssl takes a self-signed certificate with keyCertSign as a CA; Go does not.
            name: "root-without-basic-constraints",
            ext: "keyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=serverAuth,clientAuth",
            failed: &["chain"],
            message: "the trusted CA O=talos is not a CA (no basic constraints extension)",
            node_error: is_unknown_issuer,
            openssl_accepts: true,
        },
        Root {
            name: "root-without-keycertsign",
            ext: "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth",
            failed: &["chain"],
            message: "the trusted CA O=talos has key usage digitalSignature without keyCertSign",
            node_error: is_unknown_issuer,
            openssl_accepts: false,
        },
        Root {
            // openssl takes a self-signed v1 certificate as a CA; Go chains to it too, and then
            // apid refuses the chain, whose v1 root is a non-CA without clientAuth.
            name: "root-version-1",
            ext: "",
            failed: &["ext-key-usage"],
            message: "certificate \"O=talos\" is missing the client auth extended key usage: the trusted certificate is version 1",
            node_error: |e| {
                matches!(e, rustls::Error::General(m) if m == "certificate \"O=talos\" is missing the client auth extended key usage")
            },
            openssl_accepts: true,
        },
    ];
    for root in &roots {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let root_pem = common::openssl::make_cert(d, "root", "/O=talos", root.ext, None, 30);
        let crt_pem =
            common::openssl::make_cert(d, "leaf", "/O=os:reader", LEAF_EXT, Some("root"), 1);
        assert_eq!(
            openssl_verify(d, "root.crt", "", "leaf.crt", None),
            root.openssl_accepts,
            "{}: openssl verify",
            root.name
        );
        // The node trusts only this root; its server certificate comes from the OS CA, which the
        // client's ca also holds.
        let mut node = Node::new(&ca);
        node.os_ca_pem = root_pem.clone();
        let mut ca_pem = root_pem;
        ca_pem.extend_from_slice(ca.cert_pem().as_bytes());
        let case = Case {
            name: root.name,
            cred: Credential {
                ca_pem,
                crt_pem,
                key_pem: std::fs::read(d.join("leaf.key")).unwrap(),
            },
            failed: root.failed,
            message: root.message,
            node_accepts: root.failed.is_empty(),
            node_error: root.node_error,
        };
        run_case(&env, &node, &case);
    }
}

// Review issue 2: talosctl sends every CERTIFICATE block of crt (tls.X509KeyPair), and a node
// verifies the leaf with the others as intermediates.
#[test]
fn i5_verify_accepts_a_leaf_sent_with_its_intermediate_ca_as_a_node_does() {
    if !common::openssl::available() {
        return;
    }
    let env = Env::new();
    let ca = os_ca(now() - Duration::days(20));
    let node = Node::new(&ca);
    let int_ext = |bc: &str, eku: &str| {
        format!("basicConstraints=critical,{bc}\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage={eku}")
    };
    let good = int_ext("CA:TRUE", "serverAuth,clientAuth");
    struct Chain {
        name: &'static str,
        /// (name, extensions, issuer) of each intermediate, top first.
        ints: Vec<(&'static str, String, &'static str)>,
        /// The intermediates sent after the leaf, in order.
        sent: &'static [&'static str],
        failed: &'static [&'static str],
        message: &'static str,
        node_error: fn(&rustls::Error) -> bool,
    }
    let chains = vec![
        Chain {
            name: "intermediate",
            ints: vec![("int", good.clone(), "os")],
            sent: &["int"],
            failed: &[],
            message: "ok    chain          via O=int (until",
            node_error: |_| false,
        },
        Chain {
            name: "intermediate-not-sent",
            ints: vec![("int", good.clone(), "os")],
            sent: &[],
            failed: &["issuer"],
            message: "issued by \"O=int\", but the CA is O=talos",
            node_error: is_unknown_issuer,
        },
        Chain {
            name: "intermediate-not-a-ca",
            ints: vec![("int", int_ext("CA:FALSE", "serverAuth,clientAuth"), "os")],
            sent: &["int"],
            failed: &["chain"],
            message: "the intermediate O=int is not a CA (basic constraints cA is not set): a node refuses it as an issuer",
            node_error: |e| {
                matches!(e, rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer | rustls::CertificateError::Other(_)))
            },
        },
        Chain {
            name: "intermediate-server-auth-only",
            ints: vec![("int", int_ext("CA:TRUE", "serverAuth"), "os")],
            sent: &["int"],
            failed: &["chain"],
            message: "the CA O=int restricts its extended key usages to serverAuth, without clientAuth",
            node_error: |e| {
                matches!(e, rustls::Error::InvalidCertificate(rustls::CertificateError::InvalidPurpose | rustls::CertificateError::InvalidPurposeContext { .. } | rustls::CertificateError::UnknownIssuer))
            },
        },
        Chain {
            name: "intermediate-of-another-ca",
            ints: vec![("int", good.clone(), "acme")],
            sent: &["int"],
            failed: &["chain"],
            message: "the intermediate O=int was issued by O=acme, which is neither a trusted CA nor sent along",
            node_error: is_unknown_issuer,
        },
        Chain {
            name: "intermediate-path-length",
            ints: vec![
                ("top", format!("{}\nbasicConstraints=critical,CA:TRUE,pathlen:0", int_ext("CA:TRUE", "serverAuth,clientAuth").replace("basicConstraints=critical,CA:TRUE\n", "")), "os"),
                ("int", good.clone(), "top"),
            ],
            sent: &["int", "top"],
            failed: &["chain"],
            message: "the intermediate O=top allows 0 intermediate(s) below it (pathLenConstraint), the chain has 1",
            node_error: |e| {
                matches!(e, rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer | rustls::CertificateError::Other(_)))
            },
        },
    ];
    for chain in &chains {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        common::openssl::write_ca(&ca, d, "os");
        let acme = CaKeyPair::generate(
            &Profile::ca("acme"),
            KeyAlgorithm::Ed25519,
            now(),
            Ttl::from_hours(100),
        )
        .unwrap();
        common::openssl::write_ca(&acme, d, "acme");
        let mut pems = std::collections::BTreeMap::new();
        for (name, ext, issuer) in &chain.ints {
            let pem =
                common::openssl::make_cert(d, name, &format!("/O={name}"), ext, Some(issuer), 30);
            pems.insert(*name, pem);
        }
        let mut crt_pem =
            common::openssl::make_cert(d, "leaf", "/O=os:reader", LEAF_EXT, Some("int"), 1);
        let mut untrusted = Vec::new();
        for name in chain.sent {
            crt_pem.extend_from_slice(&pems[name]);
            untrusted.extend_from_slice(&pems[name]);
        }
        env.write("untrusted.pem", &untrusted);
        #[allow(clippy::disallowed_methods)]
        std::fs::write(d.join("untrusted.pem"), &untrusted).unwrap();
        let untrusted_arg = if chain.sent.is_empty() {
            ""
        } else {
            "untrusted.pem"
        };
        assert_eq!(
            openssl_verify(d, "os.crt", untrusted_arg, "leaf.crt", None),
            chain.failed.is_empty(),
            "{}: openssl verify",
            chain.name
        );
        let case = Case {
            name: chain.name,
            cred: Credential {
                ca_pem: ca.cert_pem().as_bytes().to_vec(),
                crt_pem,
                key_pem: std::fs::read(d.join("leaf.key")).unwrap(),
            },
            failed: chain.failed,
            message: chain.message,
            node_accepts: chain.failed.is_empty(),
            node_error: chain.node_error,
        };
        run_case(&env, &node, &case);
    }

    // An expired intermediate (the node's clock is --at; openssl's is -attime).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::openssl::write_ca(&ca, d, "os");
    let int = common::openssl::make_cert(d, "int", "/O=int", &good, Some("os"), 1);
    let mut crt = common::openssl::make_cert(d, "leaf", "/O=os:reader", LEAF_EXT, Some("int"), 30);
    crt.extend_from_slice(&int);
    let later = OffsetDateTime::now_utc() + Duration::days(3);
    assert!(openssl_verify(d, "os.crt", "int.crt", "leaf.crt", None));
    assert!(!openssl_verify(
        d,
        "os.crt",
        "int.crt",
        "leaf.crt",
        Some(later.unix_timestamp())
    ));
    let cred = Credential {
        ca_pem: ca.cert_pem().as_bytes().to_vec(),
        crt_pem: crt,
        key_pem: std::fs::read(d.join("leaf.key")).unwrap(),
    };
    env.write("expired-int.talosconfig", talosconfig("expired-int", &cred));
    env.write("os.crt", ca.cert_pem());
    let at = later
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let run = env.run(&[
        "verify",
        "expired-int.talosconfig",
        "--ca",
        "os.crt",
        "--at",
        &at,
    ]);
    let report = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{report}");
    assert_eq!(failed_checks(&report), set(&["chain"]), "{report}");
    assert!(
        report.contains("FAIL  chain          the intermediate O=int is expired 2 days ago"),
        "{report}"
    );
    env.ok(&["verify", "expired-int.talosconfig", "--ca", "os.crt"]);
}

// Review issue 3: talosctl reads crt and key with tls.X509KeyPair, which skips PEM blocks of
// other types: the EC PARAMETERS block `openssl ecparam -genkey` writes before the key, or any
// block before the certificate.
#[test]
fn i5_verify_reads_crt_and_key_as_tls_x509_key_pair_does() {
    if !common::openssl::available() {
        return;
    }
    let env = Env::new();
    let ca = os_ca(now() - Duration::days(20));
    let node = Node::new(&ca);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::openssl::write_ca(&ca, d, "os");
    let run_ok = |args: &[&str]| {
        let (ok, text) = common::openssl::run(args, d);
        assert!(ok, "openssl {args:?}: {text}");
    };
    run_ok(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-out",
        "leaf.key",
    ]);
    let key_pem = std::fs::read(d.join("leaf.key")).unwrap();
    assert!(key_pem.starts_with(b"-----BEGIN EC PARAMETERS-----\n"));
    common::openssl::make_cert(d, "leaf", "/O=os:reader", LEAF_EXT, Some("os"), 1);
    assert!(openssl_verify(d, "os.crt", "", "leaf.crt", None));
    let leaf = std::fs::read(d.join("leaf.crt")).unwrap();
    let ec_parameters = key_pem
        .split(|&b| b == b'\n')
        .take(3)
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect::<Vec<u8>>();
    assert!(ec_parameters.ends_with(b"-----END EC PARAMETERS-----\n"));
    let mut crt_after_block = ec_parameters.clone();
    crt_after_block.extend_from_slice(&leaf);
    let mut crt_with_bad_second = leaf.clone();
    crt_with_bad_second
        .extend_from_slice(talmint::pki::pem::encode("CERTIFICATE", b"not DER").as_bytes());
    let cred = |crt_pem: Vec<u8>| Credential {
        ca_pem: ca.cert_pem().as_bytes().to_vec(),
        crt_pem,
        key_pem: key_pem.clone(),
    };
    let cases = [
        Case {
            name: "ec-parameters-before-the-key",
            cred: cred(leaf.clone()),
            failed: &[],
            message: "ok    private-key    EcdsaP256",
            node_accepts: true,
            node_error: |_| false,
        },
        Case {
            name: "a-block-before-the-certificate",
            cred: cred(crt_after_block),
            failed: &[],
            message: "ok    certificate    O=os:reader, serial 4d",
            node_accepts: true,
            node_error: |_| false,
        },
        Case {
            // talosctl sends the second block; the node cannot parse it.
            name: "an-intermediate-that-does-not-parse",
            cred: cred(crt_with_bad_second),
            failed: &["certificate"],
            message: "the client certificate does not parse: CERTIFICATE block 2: failed to parse certificate",
            node_accepts: false,
            node_error: |e| {
                matches!(e, rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding))
            },
        },
    ];
    for case in &cases {
        run_case(&env, &node, case);
    }
    // Nothing of the key reaches the report, though it sat beside other blocks.
    env.write("ec.talosconfig", talosconfig("ec", &cred(leaf)));
    let run = env.run(&["verify", "ec.talosconfig", "--ca", "os.crt"]);
    assert_no_key_material(&stdout(&run), &[]);
}

#[test]
fn i5_verify_roles_exactly() {
    let env = Env::new();
    let ca = os_ca(now());
    let cred = credential(
        &ca,
        &roles("os:reader,os:etcd:backup"),
        now(),
        Ttl::from_hours(1),
    );
    env.write("tc", talosconfig("ci", &cred));
    env.write("ca.crt", ca.cert_pem());
    env.ok(&[
        "verify",
        "tc",
        "--ca",
        "ca.crt",
        "--roles",
        "os:etcd:backup,os:reader",
    ]);
    let run = env.run(&["verify", "tc", "--ca", "ca.crt", "--roles", "os:reader"]);
    assert_eq!(run.status.code(), Some(1));
    let report = stdout(&run);
    assert_eq!(failed_checks(&report), set(&["roles-expected"]));
    assert!(
        report.contains(
            "the certificate's roles are os:etcd:backup, os:reader, expected exactly os:reader"
        ),
        "{report}"
    );
}

#[test]
fn i5_verify_against_the_bundle_checks_the_contexts_ca_too() {
    let Some(path) = common::talos("stability/secrets.yaml") else {
        return;
    };
    let env = Env::new();
    let bundle = SecretsBundle::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ca = bundle.os_ca().unwrap();
    let mut cred = credential(&ca, &roles("os:operator"), now(), Ttl::from_hours(8));
    // A context whose ca is some other CA: the node accepts the client, talosctl would refuse
    // the node.
    cred.ca_pem = os_ca(now()).cert_pem().as_bytes().to_vec();
    env.write("tc", talosconfig("ops", &cred));
    let run = env.run(&["verify", "tc", "--with-secrets", path.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let report = stdout(&run);
    assert_eq!(failed_checks(&report), set(&["client-ca"]), "{report}");
    assert!(report.contains("is not the node's CA"), "{report}");
}

#[test]
fn i5_verify_usage_errors_exit_2() {
    let env = Env::new();
    let ca = os_ca(now());
    let cred = credential(&ca, &roles("os:reader"), now(), Ttl::from_hours(1));
    env.write("tc", talosconfig("ci", &cred));
    env.write("ca.crt", ca.cert_pem());
    let cases: [(&[&str], &str); 7] = [
        (
            &["verify", "missing.yaml"],
            "reading talosconfig missing.yaml",
        ),
        (
            &["verify"],
            "no talosconfig given, and none at the default path",
        ),
        (
            &["verify", "tc", "--ca", "ca.crt", "--with-secrets", "s.yaml"],
            "cannot be used with",
        ),
        (&["verify", "tc", "--at", "tomorrow"], "use RFC 3339"),
        (
            &["verify", "tc", "--context", "nope"],
            "context \"nope\" is not defined",
        ),
        (&["verify", "tc", "--ca", "tc"], "CA file tc"),
        (&["verify", "tc", "--roles", ""], "--roles is empty"),
    ];
    for (args, text) in cases {
        let before = env.tree_digest();
        let run = env.run(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        let err = stderr(&run);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: {err}");
        assert!(stdout(&run).is_empty(), "{args:?}");
        assert_eq!(before, env.tree_digest(), "{args:?} changed files");
    }
}

#[test]
fn i5_verify_at_a_given_time() {
    let env = Env::new();
    let ca = os_ca(now());
    let cred = credential(&ca, &roles("os:reader"), now(), Ttl::from_hours(8));
    env.write("tc", talosconfig("ci", &cred));
    env.ok(&["verify", "tc"]);
    let later = talmint::report::rfc3339(now() + Duration::hours(9));
    let run = env.run(&["verify", "tc", "--at", &later]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(failed_checks(&stdout(&run)), set(&["validity"]));
}

/// `-` reads stdin, for credentials kept in a secret store: `vault kv get … | talmint verify -`.
#[test]
fn i5_verify_inspect_and_check_expiration_read_stdin_for_dash() {
    let env = Env::new();
    let ca = os_ca(now() - Duration::days(1));
    let good = credential(&ca, &roles("os:reader"), now(), Ttl::from_hours(8));
    let expired = credential(
        &ca,
        &roles("os:reader"),
        now() - Duration::hours(9),
        Ttl::from_hours(8),
    );
    let piped = |args: &[&str], input: &str| env.run_with_stdin(args, input.as_bytes());
    let (good, expired) = (talosconfig("ci", &good), talosconfig("ci", &expired));
    // verify: the verdict follows what came in.
    assert_eq!(piped(&["verify", "-"], &good).status.code(), Some(0));
    let run = piped(&["verify", "-"], &expired);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(failed_checks(&stdout(&run)), set(&["validity"]));
    // inspect: recognised and described.
    let run = piped(&["inspect", "-", "-o", "json"], &good);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let json: Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(json["files"][0]["path"], "-");
    assert_eq!(json["files"][0]["kind"], "talosconfig");
    // check-expiration: the exit code follows the certificate.
    assert_eq!(
        piped(&["check-expiration", "-", "--fail-within", "1h"], &good)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        piped(&["check-expiration", "-"], &expired).status.code(),
        Some(1)
    );
}

// ------------------------------------------------------------------------------------------------
// The Talos fixtures
// ------------------------------------------------------------------------------------------------

const BUNDLES: [&str; 2] = ["secrets/secrets.yaml", "stability/secrets.yaml"];

#[test]
fn i5_inspect_every_fixture_bundle() {
    for rel in BUNDLES {
        let Some(path) = common::talos(rel) else {
            return;
        };
        let env = Env::new();
        let p = path.to_str().unwrap();
        let json = inspect_json(&env, &[p, "--now", "2024-01-01T00:00:00Z"]);
        let file = &json["files"][0];
        assert_eq!(file["kind"], "secrets-bundle", "{rel}");
        assert_eq!(file["error"], Value::Null);
        let entries = file["entries"].as_array().unwrap();
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "certs.etcd",
                "certs.k8s",
                "certs.k8saggregator",
                "certs.k8sserviceaccount.key",
                "certs.os"
            ],
            "{rel}"
        );
        let subjects = ["O=etcd", "O=kubernetes", "", "", "O=talos"];
        for (entry, subject) in entries.iter().zip(subjects) {
            if entry["type"] == "private-key" {
                assert_eq!(entry["key"]["status"], "present");
                assert!(entry["key"]["spkiPin"]
                    .as_str()
                    .unwrap()
                    .starts_with("sha256:"));
                continue;
            }
            let cert = &entry["certificate"];
            assert_eq!(cert["subject"], subject, "{rel} {}", entry["name"]);
            assert_eq!(cert["isCA"], true);
            assert_eq!(cert["selfSigned"], true);
            assert_eq!(cert["validity"], "valid");
            assert_eq!(
                cert["extKeyUsage"],
                serde_json::json!(["serverAuth", "clientAuth"])
            );
            assert_eq!(
                cert["keyUsage"],
                serde_json::json!(["digitalSignature", "keyCertSign"])
            );
            assert_eq!(
                cert["roles"],
                serde_json::json!([]),
                "a CA's O is not a role"
            );
            assert_eq!(cert["rolesSummary"], Value::Null);
            assert_eq!(entry["key"]["status"], "present");
            assert_eq!(
                entry["key"]["matchesCertificate"], true,
                "{rel} {}",
                entry["name"]
            );
            assert_eq!(entry["key"]["spkiPin"], cert["spkiPin"]);
            // Ten years from one NotBefore (CAValidityTime).
            let secs = |k: &str| {
                OffsetDateTime::parse(
                    cert[k].as_str().unwrap(),
                    &time::format_description::well_known::Rfc3339,
                )
                .unwrap()
                .unix_timestamp()
            };
            assert_eq!(secs("notAfter") - secs("notBefore"), 87600 * 3600);
        }
        let os = &entries[4]["certificate"];
        assert_eq!(os["keyAlgorithm"], "Ed25519");
        for e in &entries[..3] {
            assert_eq!(e["certificate"]["keyAlgorithm"], "ECDSA P-256");
        }
        // Independent oracle: openssl's SHA-256 fingerprint and SPKI hash of certs.os.
        if common::openssl::available() {
            let bundle = SecretsBundle::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let os_pem = bundle
                .certs
                .as_ref()
                .unwrap()
                .os
                .as_ref()
                .unwrap()
                .crt
                .clone();
            env.write("os.crt", &os_pem);
            let (ok, text) = common::openssl::run(
                &[
                    "x509",
                    "-in",
                    "os.crt",
                    "-noout",
                    "-fingerprint",
                    "-sha256",
                    "-serial",
                ],
                env.dir.path(),
            );
            assert!(ok, "{text}");
            let fp = text
                .lines()
                .find_map(|l| l.split_once("Fingerprint=").map(|(_, fp)| fp))
                .unwrap()
                .replace(':', "")
                .to_lowercase();
            assert_eq!(os["sha256Fingerprint"], fp.as_str(), "{rel}");
            let serial = text
                .lines()
                .find_map(|l| l.strip_prefix("serial="))
                .unwrap()
                .to_lowercase();
            assert_eq!(
                os["serial"],
                serial.as_str(),
                "{rel}: serial as openssl prints it"
            );
            let (ok, _) = common::openssl::run(
                &[
                    "x509", "-in", "os.crt", "-noout", "-pubkey", "-out", "os.pub",
                ],
                env.dir.path(),
            );
            assert!(ok);
            let (ok, _) = common::openssl::run(
                &[
                    "pkey", "-pubin", "-in", "os.pub", "-outform", "DER", "-out", "os.spki",
                ],
                env.dir.path(),
            );
            assert!(ok);
            let pin = format!("sha256:{}", talmint::pki::sha256_hex(&env.read("os.spki")));
            assert_eq!(os["spkiPin"], pin.as_str(), "{rel}");
        }
        // Text form, and no key material in either form.
        let text = stdout(&env.ok(&["inspect", p, "--now", "2024-01-01T00:00:00Z"]));
        assert!(text.contains("certs.os: Talos API (OS) CA\n"), "{text}");
        assert!(text.contains("not after:      2033-"), "{text}");
        let bundle = SecretsBundle::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let certs = bundle.certs.as_ref().unwrap();
        let keys: Vec<&[u8]> = [&certs.etcd, &certs.k8s, &certs.k8s_aggregator, &certs.os]
            .iter()
            .map(|c| &c.as_ref().unwrap().key[..])
            .chain(std::iter::once(
                &certs.k8s_service_account.as_ref().unwrap().key[..],
            ))
            .collect();
        assert_no_key_material(&text, &keys);
        assert_no_key_material(&json.to_string(), &keys);
    }
}

#[test]
fn i5_verify_accepts_credentials_from_every_fixture_bundle_and_the_node_agrees() {
    for rel in BUNDLES {
        let Some(path) = common::talos(rel) else {
            return;
        };
        let env = Env::new();
        let bundle = SecretsBundle::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let ca = bundle.os_ca().unwrap();
        let cred = credential(&ca, &roles("os:admin"), now(), Ttl::from_hours(8));
        env.write("tc", talosconfig("admin", &cred));
        let out = env.ok(&["verify", "tc", "--with-secrets", path.to_str().unwrap()]);
        let report = stdout(&out);
        assert!(report.contains("verdict: accepted"), "{rel}: {report}");
        assert!(report.contains("ok    client-ca"), "{report}");
        let node = Node::new(&ca);
        assert_eq!(
            node.handshake(&cred, Version::Tls13).roles.unwrap(),
            ["os:admin"]
        );
        // The other fixture bundle's OS CA has the same name but another key.
        let other = BUNDLES.iter().find(|o| **o != rel).unwrap();
        let other = common::talos(other).unwrap();
        let run = env.run(&["verify", "tc", "--with-secrets", other.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(1));
        assert_eq!(
            failed_checks(&stdout(&run)),
            set(&["chain", "client-ca"]),
            "{rel}"
        );
    }
}

/// `config info`'s expected text for a sample: (roles line, endpoints, nodes, expires words).
fn info_fields(info: &str) -> (Option<String>, String, String, String) {
    let field = |label: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|v| v.trim().to_string())
    };
    let expires = field("Certificate expires:").unwrap();
    let words = expires.split(" (").next().unwrap().to_string();
    (
        field("Roles:"),
        field("Endpoints:").unwrap(),
        field("Nodes:").unwrap(),
        words,
    )
}

#[test]
fn i5_inspect_talosconfig_samples_agree_with_talosctl_config_info() {
    for sample in ["default", "futurerole", "noroles"] {
        let Some(path) = common::talos(&format!(
            "talosconfig/config-info/{sample}.talosconfig.yaml"
        )) else {
            return;
        };
        let info = std::fs::read_to_string(
            common::talos(&format!("talosconfig/config-info/{sample}.info.txt")).unwrap(),
        )
        .unwrap();
        let (roles_line, endpoints, nodes, expires) = info_fields(&info);
        let env = Env::new();
        let json = inspect_json(&env, &[path.to_str().unwrap(), "--now", INFO_NOW]);
        let file = &json["files"][0];
        assert_eq!(file["kind"], "talosconfig");
        let ctx = &file["entries"][0];
        assert_eq!(ctx["type"], "context");
        assert_eq!(ctx["current"], true);
        assert_eq!(
            file["currentContext"],
            ctx["name"]
                .as_str()
                .unwrap()
                .trim_start_matches("contexts.")
        );
        let list = |v: &Value| {
            let items: Vec<&str> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            if items.is_empty() {
                "not defined".to_string()
            } else {
                items.join(", ")
            }
        };
        assert_eq!(list(&ctx["endpoints"]), endpoints, "{sample}");
        assert_eq!(list(&ctx["nodes"]), nodes, "{sample}");
        let cert = &ctx["certificate"];
        let roles: Vec<&str> = cert["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(
            roles_line.as_deref(),
            (!roles.is_empty()).then(|| roles.join(", ")).as_deref(),
            "{sample}"
        );
        // talosctl's words round the 9.99 years left up (go-humanize's 360-day years); inspect
        // rounds them down, as check-expiration's 9y.
        assert_eq!(
            expires, "10 years from now",
            "{sample}: talosctl config info"
        );
        assert_eq!(
            cert["expires"], "9 years from now",
            "{sample}: time left, rounded down"
        );
        assert!(cert["notAfter"].as_str().unwrap().starts_with("2031-07-03"));
        assert_eq!(cert["validity"], "valid");
        assert_eq!(ctx["chainsToCA"], true, "{sample}");
        assert_eq!(ctx["key"]["matchesCertificate"], true, "{sample}");
        assert_eq!(ctx["key"]["algorithm"], "Ed25519");
        assert_eq!(ctx["ca"][0]["subject"], "O=talos");
        // 2021 certificates: the old serverAuth+clientAuth EKU.
        assert_eq!(
            cert["extKeyUsage"],
            serde_json::json!(["serverAuth", "clientAuth"])
        );
        let unknown: Vec<&str> = cert["unknownRoles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(
            unknown,
            if sample == "futurerole" {
                vec!["os:future"]
            } else {
                vec![]
            }
        );
        let text = stdout(&env.ok(&["inspect", path.to_str().unwrap(), "--now", INFO_NOW]));
        assert!(
            text.contains("chains to ca:   yes, signed by O=talos"),
            "{text}"
        );
        assert!(text.contains("(9 years from now)"), "{text}");
        assert!(!text.contains("PRIVATE KEY"));
    }
}

#[test]
fn i5_verify_talosconfig_samples_rejects_their_2021_eku_and_names_it() {
    let expected: [(&str, &[&str], &str); 3] = [
        (
            "default",
            &["ext-key-usage"],
            "certificate \"O=os:admin\" is missing the client auth extended key usage",
        ),
        (
            "futurerole",
            &["ext-key-usage", "roles-known"],
            "unknown roles: os:future",
        ),
        (
            "noroles",
            &["ext-key-usage", "roles-known"],
            "the certificate carries no roles",
        ),
    ];
    for (sample, failed, message) in expected {
        let Some(path) = common::talos(&format!(
            "talosconfig/config-info/{sample}.talosconfig.yaml"
        )) else {
            return;
        };
        let env = Env::new();
        let run = env.run(&["verify", path.to_str().unwrap(), "--now", INFO_NOW]);
        assert_eq!(run.status.code(), Some(1), "{sample}");
        let report = stdout(&run);
        assert_eq!(failed_checks(&report), set(failed), "{sample}:\n{report}");
        assert!(report.contains(message), "{sample}:\n{report}");
        assert!(
            report.contains("ok    chain"),
            "{sample}: chains to its own ca"
        );
        // Against a fixture bundle: another cluster's CA of the same name.
        if let Some(bundle) = common::talos("secrets/secrets.yaml") {
            let run = env.run(&[
                "verify",
                path.to_str().unwrap(),
                "--with-secrets",
                bundle.to_str().unwrap(),
                "--now",
                INFO_NOW,
            ]);
            let failed_now = failed_checks(&stdout(&run));
            assert!(
                failed_now.contains("chain") && failed_now.contains("client-ca"),
                "{sample}: {failed_now:?}"
            );
        }
    }
}

#[test]
fn i5_inspect_machine_configs_reports_their_cas() {
    let Some(bundle_path) = common::talos("stability/secrets.yaml") else {
        return;
    };
    let env = Env::new();
    let bundle = inspect_json(&env, &[bundle_path.to_str().unwrap()]);
    let pin_of = |name: &str| {
        bundle["files"][0]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["certificate"]["spkiPin"]
            .clone()
    };
    // v1.5: everything in the v1alpha1 document. v1.14: machine.ca and etcd there, the
    // Kubernetes CAs in their own documents.
    let cases: [(&str, &[(&str, &str)]); 2] = [
        (
            "stability/v1.5/base-controlplane.yaml",
            &[
                ("machine.ca", "certs.os"),
                ("cluster.ca", "certs.k8s"),
                ("cluster.aggregatorCA", "certs.k8saggregator"),
                ("cluster.etcd.ca", "certs.etcd"),
            ],
        ),
        (
            "stability/v1.14/base-controlplane.yaml",
            &[
                ("machine.ca", "certs.os"),
                ("cluster.etcd.ca", "certs.etcd"),
                ("KubeAPIServerCAConfig.issuingCA", "certs.k8s"),
                ("KubeAggregatorCAConfig.issuingCA", "certs.k8saggregator"),
            ],
        ),
    ];
    for (rel, expected) in cases {
        let path = common::talos(rel).unwrap();
        let json = inspect_json(&env, &[path.to_str().unwrap()]);
        let file = &json["files"][0];
        assert_eq!(file["kind"], "machine-config", "{rel}");
        let entries = file["entries"].as_array().unwrap();
        for (name, bundle_name) in expected {
            let e = entries
                .iter()
                .find(|e| e["name"] == *name)
                .unwrap_or_else(|| panic!("{rel}: no {name}"));
            assert_eq!(
                e["certificate"]["spkiPin"],
                pin_of(bundle_name),
                "{rel} {name}"
            );
            assert_eq!(
                e["key"]["matchesCertificate"], true,
                "{rel} {name}: control plane has the keys"
            );
        }
        assert!(
            entries.iter().any(|e| e["type"] == "private-key"
                && e["description"] == "Kubernetes service account key"),
            "{rel}"
        );
        // The worker has the OS CA certificate but not its key.
        let worker = common::talos(&rel.replace("controlplane", "worker")).unwrap();
        let json = inspect_json(&env, &[worker.to_str().unwrap()]);
        let os = json["files"][0]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "machine.ca")
            .unwrap()
            .clone();
        assert_eq!(os["certificate"]["spkiPin"], pin_of("certs.os"));
        assert_eq!(os["key"]["status"], "absent", "{rel} worker");
    }
}

// ------------------------------------------------------------------------------------------------
// PEM/DER certificates, CSRs and keys; time left; errors
// ------------------------------------------------------------------------------------------------

#[test]
fn i5_inspect_pem_der_csr_and_key_files() {
    let env = Env::new();
    let start = now();
    let ca = os_ca(start);
    let issued = ca
        .issue_client(
            &roles("os:reader,os:etcd:backup"),
            start,
            Ttl::from_hours(8),
        )
        .unwrap();
    let key = issued.key.unwrap();
    let key_pem = key.to_pem().unwrap();
    env.write("admin.crt", &issued.cert_pem);
    env.write("admin.key", key_pem.as_bytes());
    env.write(
        "both.pem",
        format!("{}{}", issued.cert_pem, key_pem.as_str()),
    );
    env.write("admin.der", &issued.cert.der);
    let csr =
        talmint::pki::csr::create(&key, &roles("os:reader"), "10.5.0.2".parse().unwrap()).unwrap();
    env.write("admin.csr", &csr);
    let other_key = talmint::pki::PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let other_pem = other_key.to_pem().unwrap();
    env.write(
        "wrong.pem",
        format!("{}{}", issued.cert_pem, other_pem.as_str()),
    );

    let json = inspect_json(
        &env,
        &[
            "admin.crt",
            "admin.key",
            "both.pem",
            "admin.der",
            "admin.csr",
            "wrong.pem",
        ],
    );
    let files = json["files"].as_array().unwrap();
    let kinds: Vec<&str> = files.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "certificate",
            "private-key",
            "certificate",
            "certificate",
            "csr",
            "certificate"
        ]
    );
    let pin = issued.cert.spki_pin();
    let cert = &files[0]["entries"][0]["certificate"];
    assert_eq!(
        cert["roles"],
        serde_json::json!(["os:etcd:backup", "os:reader"])
    );
    assert_eq!(cert["extKeyUsage"], serde_json::json!(["clientAuth"]));
    assert_eq!(cert["keyUsage"], serde_json::json!(["digitalSignature"]));
    assert_eq!(cert["keyUsageCritical"], true);
    assert_eq!(cert["isCA"], false);
    assert_eq!(cert["issuer"], "O=talos");
    assert_eq!(cert["spkiPin"], pin.as_str());
    assert_eq!(
        cert["sha256Fingerprint"],
        issued.cert.fingerprint().as_str()
    );
    assert!(cert["secondsLeft"].as_i64().unwrap() > 7 * 3600);
    // Its key is not in the file, but in another one given too (and so for the DER copy).
    for f in [0, 3] {
        let k = &files[f]["entries"][0]["key"];
        assert_eq!(k["status"], "in-file", "{k}");
        assert_eq!(k["file"], "admin.key");
        assert_eq!(k["spkiPin"], pin.as_str());
        assert_eq!(k["matchesCertificate"], true);
    }
    // Alone, or with an unrelated key, the certificate has no key.
    env.write("other.key", other_pem.as_bytes());
    for alone in [&["admin.crt"][..], &["admin.crt", "other.key"][..]] {
        let json = inspect_json(&env, alone);
        let k = &json["files"][0]["entries"][0]["key"];
        assert_eq!(k["status"], "absent", "{alone:?}");
        assert_eq!(k["file"], Value::Null);
    }
    // A key alone: algorithm and public SPKI pin only.
    let k = &files[1]["entries"][0]["key"];
    assert_eq!(k["algorithm"], "Ed25519");
    assert_eq!(k["spkiPin"], pin.as_str());
    assert_eq!(k["matchesCertificate"], Value::Null);
    // Certificate and key in one file: the key is checked against it.
    assert_eq!(files[2]["entries"][0]["key"]["matchesCertificate"], true);
    assert_eq!(files[5]["entries"][0]["key"]["matchesCertificate"], false);
    // DER.
    assert_eq!(
        files[3]["entries"][0]["certificate"]["spkiPin"],
        pin.as_str()
    );
    // CSR.
    let c = &files[4]["entries"][0]["csr"];
    assert_eq!(c["roles"], serde_json::json!(["os:reader"]));
    assert_eq!(c["ipAddresses"], serde_json::json!(["10.5.0.2"]));
    assert_eq!(c["spkiPin"], pin.as_str());

    let text = stdout(&env.ok(&[
        "inspect",
        "admin.crt",
        "both.pem",
        "admin.key",
        "admin.csr",
        "wrong.pem",
    ]));
    assert!(
        text.contains("roles:          os:etcd:backup, os:reader\n"),
        "{text}"
    );
    assert!(text.contains("ext key usage:  clientAuth\n"), "{text}");
    // The authz summary of the roles, one line per credential (CAs have none).
    let summary = talmint::authz::summary(&roles("os:reader,os:etcd:backup"));
    assert!(
        text.contains(&format!("access:         {summary}\n")),
        "{text}"
    );
    assert_eq!(cert["rolesSummary"], summary.as_str());
    assert!(text.contains(", matches the certificate"), "{text}");
    assert!(text.contains("DOES NOT match the certificate"), "{text}");
    assert!(
        text.contains(&format!(
            "private key:    in admin.key (Ed25519, public key {pin}), matches the certificate\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("(8 hours from now)") || text.contains("(7 hours from now)"),
        "{text}"
    );
    assert_no_key_material(&text, &[key_pem.as_bytes(), other_pem.as_bytes()]);
    assert_no_key_material(
        &json.to_string(),
        &[key_pem.as_bytes(), other_pem.as_bytes()],
    );
}

#[test]
fn i5_inspect_states_expired_and_not_yet_valid() {
    let env = Env::new();
    let ca = os_ca(now() - Duration::days(30));
    let old = ca
        .issue_client(
            &roles("os:admin"),
            now() - Duration::days(3),
            Ttl::from_hours(1),
        )
        .unwrap();
    let early = ca
        .issue_client(
            &roles("os:admin"),
            now() + Duration::days(3),
            Ttl::from_hours(1),
        )
        .unwrap();
    env.write("old.crt", &old.cert_pem);
    env.write("early.crt", &early.cert_pem);
    let json = inspect_json(&env, &["old.crt", "early.crt"]);
    let old_j = &json["files"][0]["entries"][0]["certificate"];
    assert_eq!(old_j["validity"], "expired");
    assert!(old_j["secondsLeft"].as_i64().unwrap() < 0);
    assert_eq!(old_j["expires"], "2 days ago");
    assert_eq!(
        json["files"][1]["entries"][0]["certificate"]["validity"],
        "not-yet-valid"
    );
    let text = stdout(&env.ok(&["inspect", "old.crt", "early.crt"]));
    assert!(text.contains("(expired 2 days ago)"), "{text}");
    assert!(text.contains("(not valid yet: 2 days from now)"), "{text}");
}

#[test]
fn i5_inspect_reports_unrecognised_files_and_still_shows_the_others() {
    let env = Env::new();
    let ca = os_ca(now());
    env.write("ca.crt", ca.cert_pem());
    env.write("notes.txt", "hello: world\n");
    let run = env.run(&["inspect", "ca.crt", "notes.txt", "missing.pem"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(stdout(&run).contains("ca.crt: certificate\n"));
    let err = stderr(&run);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("error: notes.txt: not a talosconfig, secrets bundle, machine config"),
        "{err}"
    );
    assert!(
        err.contains("error: missing.pem: cannot read the file"),
        "{err}"
    );
    let run = env.run(&["inspect", "-o", "json", "ca.crt", "notes.txt"]);
    assert_eq!(run.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["files"][1]["kind"], Value::Null);
    assert!(json["files"][1]["error"]
        .as_str()
        .unwrap()
        .starts_with("not a talosconfig"));
    assert_eq!(
        env.run(&["inspect"]).status.code(),
        Some(2),
        "no FILE is a usage error"
    );
    assert_eq!(
        env.run(&["inspect", "-o", "table", "ca.crt"]).status.code(),
        Some(2)
    );
}

#[test]
fn i5_inspect_yaml_is_the_json_tree() {
    let env = Env::new();
    let ca = os_ca(now());
    let cred = credential(&ca, &roles("os:reader"), now(), Ttl::from_hours(1));
    env.write("tc", talosconfig("ci", &cred));
    env.write("ca.crt", ca.cert_pem());
    let mut files = vec!["tc".to_string(), "ca.crt".to_string()];
    for rel in BUNDLES {
        if let Some(p) = common::talos(rel) {
            files.push(p.to_str().unwrap().to_string());
        }
    }
    let mut args: Vec<&str> = vec!["--now", "2025-01-01T00:00:00Z"];
    args.extend(files.iter().map(String::as_str));
    let json = inspect_json(&env, &args);
    let mut yaml_args = vec!["inspect", "-o", "yaml"];
    yaml_args.extend_from_slice(&args);
    let yaml = stdout(&env.ok(&yaml_args));
    assert!(yaml.starts_with("files:\n"), "{yaml}");
    let from_yaml: Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(from_yaml, json);
}

#[test]
fn i5_inspect_never_quotes_a_private_key_block_even_when_it_is_broken() {
    let env = Env::new();
    let key = talmint::pki::PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let pem = key.to_pem().unwrap();
    let body: Vec<&str> = pem.lines().collect();
    let cases = [
        ("mismatched.pem", pem.replace("END ED25519", "END EC")),
        ("garbled.pem", pem.replace(body[1], "AAAA")),
        (
            "encrypted.pem",
            pem.replace("ED25519 PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
        ),
        (
            "openssh.pem",
            pem.replace("ED25519 PRIVATE KEY", "OPENSSH PRIVATE KEY"),
        ),
    ];
    for (name, text) in &cases {
        env.write(name, text);
        for format in ["text", "json"] {
            let run = env.run(&["inspect", "-o", format, name]);
            let all = format!("{}{}", stdout(&run), stderr(&run));
            assert_no_key_material(&all, &[pem.as_bytes()]);
        }
    }
}

#[test]
fn i5_verify_fix_for_an_expired_credential_works() {
    let Some(bundle) = common::talos("stability/secrets.yaml") else {
        return;
    };
    let env = Env::new();
    // A copy: `config renew` writes its ledger beside the bundle, never into the fixtures.
    let local = env.write("secrets.yaml", std::fs::read(&bundle).unwrap());
    let b = local.to_str().unwrap();
    let ca = SecretsBundle::parse(&std::fs::read_to_string(&bundle).unwrap())
        .unwrap()
        .os_ca()
        .unwrap();
    let cred = credential(
        &ca,
        &roles("os:operator"),
        now() - Duration::days(2),
        Ttl::from_hours(24),
    );
    env.write("tc", talosconfig("ops", &cred));
    let run = env.run(&["verify", "tc", "--with-secrets", b]);
    assert_eq!(run.status.code(), Some(1));
    let report = stdout(&run);
    assert_eq!(failed_checks(&report), set(&["validity"]));
    assert!(
        report.contains(
            "fix: renew it (same roles, new key): talmint config renew --with-secrets secrets.yaml"
        ),
        "{report}"
    );
    // The fix as printed, with this file's names filled in.
    env.ok(&[
        "config",
        "renew",
        "--with-secrets",
        b,
        "--talosconfig",
        "tc",
        "--context",
        "ops",
    ]);
    let out = env.ok(&[
        "verify",
        "tc",
        "--with-secrets",
        b,
        "--roles",
        "os:operator",
    ]);
    assert!(stdout(&out).contains("verdict: accepted"));
}

/// `talmint verify` of a one-context talosconfig holding `<leaf>.crt` and `<leaf>.key` from
/// `sub/`, against `--ca sub/<ca>.crt` (its `ca` too): the exit code and the report.
fn verify_openssl_leaf(env: &Env, sub: &str, ca: &str, leaf: &str) -> (Option<i32>, String) {
    let read = |file: String| std::fs::read(env.path(&format!("{sub}/{file}"))).unwrap();
    let cred = Credential {
        ca_pem: read(format!("{ca}.crt")),
        crt_pem: read(format!("{leaf}.crt")),
        key_pem: read(format!("{leaf}.key")),
    };
    env.write("t.talosconfig", talosconfig("t", &cred));
    let out = env.run(&[
        "verify",
        "t.talosconfig",
        "--ca",
        &format!("{sub}/{ca}.crt"),
    ]);
    (out.status.code(), stdout(&out))
}

#[test]
fn i5_verify_judges_rsa_signatures_as_go_does() {
    // Go refuses SHA-1 and MD5 signatures (`x509: cannot verify signature: insecure algorithm`;
    // SHA-1 for good since Go 1.24), and takes RSA-PSS only with the hash's own MGF1 and salt
    // length. A leaf signed with SHA-256 by the same RSA CA is accepted, so each refusal is the
    // algorithm's, not the CA's.
    if !common::openssl::available() {
        return;
    }
    let env = Env::new();
    let dir = env.path("rsa");
    std::fs::create_dir_all(&dir).unwrap();
    common::openssl::run_ok(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "rca.key",
            "-subj",
            "/O=rca",
            "-days",
            "30",
            "-addext",
            "keyUsage=critical,keyCertSign",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "rca.crt",
        ],
        &dir,
    );
    // RSA-PSS as Go accepts it (SHA-256, salt as long as the hash), and with a salt Go does not.
    let pss: &[&str] = &["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt"];
    for (name, how, accepted, message) in [
        ("sha256", &["-sha256"][..], true, "verdict: accepted"),
        (
            "sha1",
            &["-sha1"][..],
            false,
            "with an algorithm a node refuses (x509: cannot verify signature: insecure algorithm SHA1-RSA)",
        ),
        ("md5", &["-md5"][..], false, "insecure algorithm MD5-RSA"),
        ("pss", &[pss, &["rsa_pss_saltlen:digest"]].concat()[..], true, "verdict: accepted"),
        (
            "pss-salt-20",
            &[pss, &["rsa_pss_saltlen:20"]].concat()[..],
            false,
            "algorithm unimplemented (RSA-PSS parameters Go does not accept)",
        ),
    ] {
        let leaf = format!("leaf-{name}");
        common::openssl::make_cert_signed(&dir, &leaf, "/O=os:reader", LEAF_EXT, Some("rca"), 1, how);
        let (code, report) = verify_openssl_leaf(&env, "rsa", "rca", &leaf);
        assert_eq!(code, Some(if accepted { 0 } else { 1 }), "{name}:\n{report}");
        if !accepted {
            assert_eq!(failed_checks(&report), set(&["chain"]), "{name}:\n{report}");
        }
        assert!(report.contains(message), "{name}: {message:?} not in\n{report}");
    }
}

/// Review: a context whose `crt` is the leaf and the intermediate CA that signed it. inspect
/// lists the intermediate and, as verify builds the chain, says the leaf chains to `ca` through
/// it; once the intermediate has expired, neither does.
#[test]
fn i5_inspect_chains_a_context_through_the_intermediates_it_sends() {
    let env = Env::new();
    let t0 = time::macros::datetime!(2026-01-01 00:00:00 UTC);
    common::intermediate_talosconfig(&env, t0, "x.tc", 48, 60 * 24);
    let at = "2026-01-01T00:00:00Z";
    env.ok(&["--now", at, "verify", "x.tc", "--context", "x"]);
    let json = inspect_json(&env, &["--now", at, "x.tc"]);
    let ctx = &json["files"][0]["entries"][0];
    assert_eq!(ctx["chainsToCA"], true, "{ctx}");
    assert_eq!(ctx["chainError"], Value::Null, "{ctx}");
    assert_eq!(ctx["certificate"]["subject"], "O=os:admin");
    let ints = ctx["intermediates"].as_array().unwrap();
    assert_eq!(ints.len(), 1, "{ctx}");
    assert_eq!(ints[0]["subject"], "O=int");
    assert_eq!(ints[0]["issuer"], "O=talos");
    assert_eq!(ints[0]["isCA"], true);
    assert_eq!(ints[0]["notAfter"], "2026-01-03T00:00:00Z");
    let text = stdout(&env.ok(&["--now", at, "inspect", "x.tc"]));
    assert!(
        text.contains("\n    intermediate:   O=int, serial "),
        "{text}"
    );
    assert!(
        text.contains(
            "\n    chains to ca:   yes, via O=int (until 2026-01-03T00:00:00Z) to O=talos"
        ),
        "{text}"
    );
    // Three days on the intermediate has expired: verify rejects the chain, and so does inspect.
    let later = "2026-01-04T00:00:00Z";
    let run = env.run(&["--now", later, "verify", "x.tc", "--context", "x"]);
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    let json = inspect_json(&env, &["--now", later, "x.tc"]);
    let ctx = &json["files"][0]["entries"][0];
    assert_eq!(ctx["chainsToCA"], false, "{ctx}");
    let error = ctx["chainError"].as_str().unwrap();
    assert!(
        error.starts_with("the intermediate O=int is expired 1 day ago"),
        "{error}"
    );
}

#[test]
fn i5_verify_reads_extensions_serials_and_keys_as_go_does() {
    // Review r18, each against Go 1.26's rules: the policy extensions are handled since Go
    // 1.24, name constraints only of the DNS/IP/email/URI forms; a CA Go cannot parse is skipped
    // by the node's AppendCertsFromPEM; an EKU OID longer than 39 bytes is only unknown to Go.
    if !common::openssl::available() {
        return;
    }
    let env = Env::new();
    let dir = env.path("go");
    std::fs::create_dir_all(&dir).unwrap();
    let run_ok = |args: &[&str]| common::openssl::run_ok(args, &dir);
    let ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign";
    let long_oid = format!("1.2.3.{}", vec!["4"; 60].join("."));
    // (name, CA extensions, CA serial, leaf extensions, accepted, text in the report)
    let cases: Vec<(&str, String, &str, String, bool, &str)> = vec![
        (
            "policy",
            format!("{ca_ext}\ninhibitAnyPolicy=critical,0"),
            "7",
            LEAF_EXT.to_string(),
            true,
            "verdict: accepted",
        ),
        (
            "dirname",
            format!("{ca_ext}\nnameConstraints=critical,permitted;dirName:dn_sect\n[dn_sect]\nO=os:admin"),
            "7",
            LEAF_EXT.to_string(),
            false,
            "marks critical an extension Go does not handle (2.5.29.30)",
        ),
        (
            "negative",
            ca_ext.to_string(),
            "-5",
            LEAF_EXT.to_string(),
            false,
            "is left out: a node's Go does not parse it (x509: negative serial number)",
        ),
        (
            "long-oid",
            ca_ext.to_string(),
            "7",
            format!("keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,{long_oid}"),
            true,
            "verdict: accepted",
        ),
    ];
    for (name, ca_ext, serial, leaf_ext, accepted, message) in cases {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(
            dir.join(format!("{name}-ca.ext")),
            format!("[v3]\n{ca_ext}\n"),
        )
        .unwrap();
        let ca_key = format!("{name}-ca.key");
        let ca_crt = format!("{name}-ca.crt");
        run_ok(&["genpkey", "-algorithm", "ed25519", "-out", &ca_key]);
        run_ok(&[
            "req",
            "-x509",
            "-new",
            "-key",
            &ca_key,
            "-subj",
            "/O=talos",
            "-days",
            "2",
            "-set_serial",
            serial,
            "-config",
            &format!("{name}-ca.ext"),
            "-extensions",
            "v3",
            "-out",
            &ca_crt,
        ]);
        let leaf = format!("{name}-leaf");
        let ca = format!("{name}-ca");
        common::openssl::make_cert(&dir, &leaf, "/O=os:admin", &leaf_ext, Some(&ca), 1);
        let (code, report) = verify_openssl_leaf(&env, "go", &ca, &leaf);
        assert_eq!(code, Some(i32::from(!accepted)), "{name}:\n{report}");
        assert!(
            report.contains(message),
            "{name}: {message:?} not in\n{report}"
        );
        // inspect and check-expiration describe what verify refuses, rather than fail on it.
        env.ok(&["inspect", "t.talosconfig"]);
        let table = env.ok(&["check-expiration", "t.talosconfig", "--fail-within", "1h"]);
        assert!(
            stdout(&table).contains("contexts.t "),
            "{name}: {}",
            stdout(&table)
        );
    }

    // An RSA CA under 2,048 bits signing with SHA-384: Go checks it, aws-lc cannot, and the
    // report says so rather than blame another CA.
    run_ok(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        "small.key",
        "-subj",
        "/O=talos",
        "-days",
        "2",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
        "-out",
        "small.crt",
    ]);
    common::openssl::make_cert_signed(
        &dir,
        "s-leaf",
        "/O=os:admin",
        LEAF_EXT,
        Some("small"),
        1,
        &["-sha384"],
    );
    let (code, report) = verify_openssl_leaf(&env, "go", "small", "s-leaf");
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("with an algorithm talmint cannot check (1.2.840.113549.1.1.12)"),
        "{report}"
    );
    assert!(!report.contains("another CA"), "{report}");
}
