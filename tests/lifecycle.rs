//! Issue 5, issuing side: role policy, back-dating, roster issuance, the ledger, `-o -`.

mod common;

use base64::Engine;
use common::Env;
use talmint::pki::{CaKeyPair, Certificate};
use talmint::talosconfig::Config;

const NOW: &str = "2026-06-01T12:00:00Z";

fn setup(env: &Env) {
    env.ok(&["--now", "2026-01-01T00:00:00Z", "gen", "secrets"]);
}

fn cert_of(config: &Config, name: &str) -> Certificate {
    let ctx = config
        .get(name)
        .unwrap_or_else(|| panic!("context {name} missing"));
    let pem = base64::engine::general_purpose::STANDARD
        .decode(&ctx.crt)
        .unwrap();
    Certificate::from_pem(&pem).unwrap()
}

fn os_ca(env: &Env) -> CaKeyPair {
    let text = String::from_utf8(env.read("secrets.yaml")).unwrap();
    talmint::bundle::SecretsBundle::parse(&text)
        .unwrap()
        .os_ca()
        .unwrap()
}

#[test]
fn policy_allows_and_refuses_by_role_ttl_and_endpoint() {
    let env = Env::new();
    setup(&env);
    env.write(
        "policy.yaml",
        "roles:\n  os:admin:\n    maxTTL: 8h\n  os:reader:\n    maxTTL: 30d\nendpoints: ['10.5.0.*']\n",
    );
    let base = [
        "--now",
        NOW,
        "config",
        "new",
        "--with-secrets",
        "secrets.yaml",
        "--policy",
        "policy.yaml",
    ];
    let run = |extra: &[&str]| env.run(&[&base[..], extra].concat());

    let out = run(&[
        "ok.talosconfig",
        "--roles",
        "os:reader",
        "--crt-ttl",
        "30d",
        "-e",
        "10.5.0.2",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));

    let cases: [(&[&str], &str); 3] = [
        (
            &["--roles", "os:operator"],
            "rule roles: role os:operator may not be issued",
        ),
        (
            &["--roles", "os:admin", "--crt-ttl", "9h"],
            "rule roles.os:admin.maxTTL: TTL 9h0m0s is longer than 8h0m0s",
        ),
        (
            &[
                "--roles",
                "os:reader",
                "--crt-ttl",
                "1h",
                "-e",
                "192.168.1.1",
            ],
            "rule endpoints: 192.168.1.1 is not allowed",
        ),
    ];
    for (extra, expect) in cases {
        let before = env.tree_digest();
        let out = run(&[&["refused.talosconfig"][..], extra].concat());
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("refused by policy policy.yaml") && err.contains(expect),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1);
        assert_eq!(env.tree_digest(), before, "nothing written when refused");
    }
}

#[test]
fn backdate_moves_not_before_and_keeps_not_after() {
    let env = Env::new();
    setup(&env);
    env.ok(&[
        "--now",
        NOW,
        "config",
        "new",
        "--with-secrets",
        "secrets.yaml",
        "--backdate",
        "5m",
        "--crt-ttl",
        "1h",
    ]);
    let cfg = Config::parse(&String::from_utf8(env.read("talosconfig")).unwrap()).unwrap();
    let c = cert_of(&cfg, "admin@talos");
    let now =
        time::OffsetDateTime::parse(NOW, &time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(c.not_before, now - time::Duration::minutes(5));
    assert_eq!(c.not_after, now + time::Duration::hours(1));

    // The default, 0, in any spelling; never negative.
    for zero in ["0", "0s", "0m0s"] {
        let out = env.ok(&[
            "--now",
            NOW,
            "config",
            "new",
            "-o",
            "-",
            "--with-secrets",
            "secrets.yaml",
            "--backdate",
            zero,
        ]);
        let cfg = Config::parse(&common::stdout(&out)).unwrap();
        assert_eq!(cert_of(&cfg, "admin@talos").not_before, now, "{zero}");
    }
    let out = env.run(&[
        "config",
        "new",
        "-o",
        "-",
        "--with-secrets",
        "secrets.yaml",
        "--backdate=-5m",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("it must not be negative"));
}

#[test]
fn config_new_to_stdout_writes_only_the_ledger() {
    let env = Env::new();
    setup(&env);
    let before: Vec<_> = env.tree_digest().into_keys().collect();
    let out = env.ok(&[
        "config",
        "new",
        "-",
        "--with-secrets",
        "secrets.yaml",
        "--roles",
        "os:reader",
    ]);
    let cfg = Config::parse(&common::stdout(&out)).unwrap();
    assert_eq!(cfg.context, "reader@talos");
    let after: Vec<_> = env.tree_digest().into_keys().collect();
    let new: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    assert_eq!(new.len(), 1);
    assert!(new[0].ends_with("talmint-ledger.jsonl"));
}

/// `talmint issue` of the roster `team.yaml` into `out/`.
const ISSUE_TEAM: &[&str] = &[
    "issue",
    "--roster",
    "team.yaml",
    "--with-secrets",
    "secrets.yaml",
    "-o",
    "out",
];

fn roster(n: usize) -> String {
    let roles = [
        "os:reader",
        "os:operator",
        "os:etcd:backup",
        "os:reader,os:etcd:backup",
    ];
    let mut s = String::from("entries:\n");
    for i in 0..n {
        let r = roles[i % roles.len()];
        s.push_str(&format!(
            "  - name: user-{i}\n    roles: [{r}]\n    ttl: 8h\n    endpoints: [10.5.0.2]\n"
        ));
    }
    s
}

#[test]
fn roster_of_1000_issues_every_credential_and_ledgers_each_once() {
    let env = Env::new();
    setup(&env);
    env.write("team.yaml", roster(1000));
    let out = env.ok(ISSUE_TEAM);
    let stderr = common::stderr(&out);
    assert!(
        stderr.contains("issued 1000 credentials into out"),
        "{stderr}"
    );
    // Piped: a summary, no progress bar.
    assert!(
        !stderr.contains("issuing [") && !stderr.contains('\r'),
        "{stderr}"
    );
    let ca = os_ca(&env);
    let mut fingerprints = std::collections::HashSet::new();
    for i in 0..1000 {
        let path = env.path(&format!("out/user-{i}.talosconfig"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let cfg = Config::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let ctx_name = cfg.context.clone();
        let c = cert_of(&cfg, &ctx_name);
        // `talmint verify`'s checks (apid's), with the node's OS CA as the trust anchor.
        let context = cfg.get(&ctx_name).unwrap();
        let d = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
        let (crt, key, client_ca) = (d(&context.crt), d(&context.key), d(&context.ca));
        let verdict = talmint::verify::verify(&talmint::verify::Request {
            trusted: std::slice::from_ref(ca.cert()),
            crt_pem: &crt,
            key_pem: &key,
            client_ca_pem: Some(&client_ca),
            at: time::OffsetDateTime::now_utc(),
            expected_roles: None,
        });
        assert!(verdict.accepted(), "user-{i}: {}", verdict.summary());
        assert!(c.eku_is_exactly_client_auth());
        assert_eq!(c.issuer_der, ca.cert().subject_der);
        assert_eq!(cfg.get(&ctx_name).unwrap().endpoints, ["10.5.0.2"]);
        let want: &[&str] = match i % 4 {
            0 => &["os:reader"],
            1 => &["os:operator"],
            2 => &["os:etcd:backup"],
            _ => &["os:etcd:backup", "os:reader"],
        };
        let mut roles = c.organizations.clone();
        roles.sort();
        assert_eq!(roles, want, "user-{i}");
        fingerprints.insert(c.fingerprint());
    }
    assert_eq!(fingerprints.len(), 1000);
    // Ledger: exactly one line per certificate, never a key.
    let ledger = String::from_utf8(env.read("talmint-ledger.jsonl")).unwrap();
    assert_eq!(ledger.lines().count(), 1000);
    assert!(!ledger.contains("PRIVATE KEY"));
    let entries = talmint::ledger::read(&env.path("talmint-ledger.jsonl")).unwrap();
    let ledgered: std::collections::HashSet<String> =
        entries.iter().map(|e| e.fingerprint.clone()).collect();
    assert_eq!(ledgered, fingerprints);
    assert!(entries
        .iter()
        .all(|e| e.command == "issue" && e.issuer == ca.cert().spki_pin()));
    // A sample passes the node handshake.
    let node = common::apid::Node::new(&ca);
    for i in [0usize, 3, 999] {
        let cfg = Config::parse(
            &String::from_utf8(env.read(&format!("out/user-{i}.talosconfig"))).unwrap(),
        )
        .unwrap();
        let ctx = cfg.get(&cfg.context).unwrap();
        let d = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
        let cred = common::apid::Credential {
            ca_pem: d(&ctx.ca),
            crt_pem: d(&ctx.crt),
            key_pem: d(&ctx.key),
        };
        let out = node.handshake(&cred, common::apid::Version::Tls13);
        assert!(out.roles.is_ok(), "user-{i}: {out:?}");
    }
}

/// The ledger names each certificate by the serial number openssl (and `talmint inspect`) print,
/// so that a serial found in one can be looked up in the other: a serial with its top bit set
/// is written without the DER sign byte (`00`) its encoding carries. 64 certificates: the chance
/// that none has the top bit set is 2^-64.
#[test]
fn ledger_serials_are_the_ones_openssl_prints() {
    if !common::openssl::available() {
        return;
    }
    let env = Env::new();
    setup(&env);
    env.write("team.yaml", roster(64));
    env.ok(ISSUE_TEAM);
    let entries = talmint::ledger::read(&env.path("talmint-ledger.jsonl")).unwrap();
    let mut top_bit_set = 0;
    for i in 0..64 {
        let cfg = Config::parse(
            &String::from_utf8(env.read(&format!("out/user-{i}.talosconfig"))).unwrap(),
        )
        .unwrap();
        let ctx = cfg.get(&cfg.context).unwrap();
        let pem = base64::engine::general_purpose::STANDARD
            .decode(&ctx.crt)
            .unwrap();
        env.write("c.crt", &pem);
        let (ok, text) = common::openssl::run(
            &["x509", "-in", "c.crt", "-noout", "-serial"],
            env.dir.path(),
        );
        assert!(ok, "{text}");
        let serial = text.trim().strip_prefix("serial=").unwrap().to_lowercase();
        if serial.len() == 32 && serial.as_bytes()[0] >= b'8' {
            top_bit_set += 1;
        }
        let fingerprint = Certificate::from_pem(&pem).unwrap().fingerprint();
        let entry = entries
            .iter()
            .find(|e| e.fingerprint == fingerprint)
            .unwrap_or_else(|| panic!("user-{i}: not in the ledger"));
        assert_eq!(entry.serial, serial, "user-{i}");
    }
    assert!(top_bit_set > 0, "no serial with its top bit set among 64");
}

/// On a terminal the roster shows a progress bar, ending full. The terminal is a pseudo-terminal
/// made by util-linux's `script` (Debian's essential `bsdutils`; `.ci/run` installs it if missing).
#[test]
fn roster_shows_a_progress_bar_on_a_terminal() {
    let env = Env::new();
    setup(&env);
    env.write("team.yaml", roster(200));
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let command = std::iter::once(env!("CARGO_BIN_EXE_talmint"))
        .chain(ISSUE_TEAM.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let mut script = std::process::Command::new("script");
    script.current_dir(env.dir.path()).env_clear();
    for (k, v) in &env.vars {
        script.env(k, v);
    }
    let out = match script.args(["-qec", &command, "/dev/null"]).output() {
        Ok(out) => out,
        Err(e) => {
            panic!("cannot run util-linux `script` to make a terminal ({e}): install bsdutils")
        }
    };
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    let full = format!("\rissuing [{}] 200/200", "#".repeat(30));
    assert!(shown.contains(&full), "no full progress bar in {shown:?}");
    assert!(shown.contains("issuing ["), "{shown:?}");
    assert!(
        shown.contains("issued 200 credentials into out"),
        "{shown:?}"
    );
    assert!(env.path("out/user-199.talosconfig").exists());
}
#[test]
fn roster_with_one_bad_entry_writes_nothing_and_lists_every_problem() {
    let env = Env::new();
    setup(&env);
    let mut text = roster(20);
    text.push_str("  - name: mallory\n    roles: [os:admn]\n  - name: eve\n    roles: [os:reader]\n    ttl: -1h\n");
    // Found with the others, not on a second run: a TTL the CA cannot sign, an empty context.
    text.push_str("  - name: late\n    roles: [os:reader]\n    ttl: 100000h\n");
    text.push_str("  - name: blank\n    roles: [os:reader]\n    context: ''\n");
    env.write("team.yaml", text);
    let before = env.tree_digest();
    let out = env.run(ISSUE_TEAM);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("4 invalid entries"), "{err}");
    assert!(
        err.contains("entries[20] (mallory): unknown roles: os:admn"),
        "{err}"
    );
    assert!(err.contains("entries[21] (eve)"), "{err}");
    assert!(
        err.contains("entries[22] (late): TTL 100000h0m0s runs past the CA's expiry"),
        "{err}"
    );
    assert!(
        err.contains("entries[23] (blank): context must not be empty"),
        "{err}"
    );
    assert_eq!(env.tree_digest(), before);
    assert!(!env.path("out").exists());
}

#[test]
fn roster_without_entries_is_refused_before_anything_is_written() {
    let env = Env::new();
    setup(&env);
    for text in ["entries: []\n", "entries:\n"] {
        env.write("team.yaml", text);
        let before = env.tree_digest();
        let out = env.run(ISSUE_TEAM);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            common::stderr(&out),
            "error: roster team.yaml: no entries: add at least one under `entries:`, each with a \
             name and roles (see `talmint issue --help`)\n"
        );
        assert_eq!(env.tree_digest(), before, "no directory, no ledger");
        assert!(!env.path("out").exists());
    }
}

#[test]
fn roster_failing_while_issuing_leaves_no_directory_and_keeps_an_existing_one_untouched() {
    let env = Env::new();
    setup(&env);
    // A valid roster, but the ledger cannot be opened (it is a directory): the failure comes
    // in the writing thread, after the output has been prepared and signing has begun.
    env.write("team.yaml", roster(50));
    std::fs::create_dir(env.path("ledger-dir")).unwrap();
    // ISSUE_TEAM at NOW into `out`.
    let issue = |out: &str| {
        env.run(
            &[
                &["--now", NOW],
                &ISSUE_TEAM[..5],
                &["-o", out, "--ledger", "ledger-dir"],
            ]
            .concat(),
        )
    };
    let before = env.tree_digest();
    let out = issue("new/out");
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("error:"));
    assert_eq!(
        env.tree_digest(),
        before,
        "no directory, file or temporary left"
    );

    env.write("existing/keep.txt", "mine");
    let before = env.tree_digest();
    let out = issue("existing");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.tree_digest(), before);
}

#[test]
fn twenty_concurrent_processes_append_to_one_ledger() {
    let env = Env::new();
    setup(&env);
    let children: Vec<_> = (0..20)
        .map(|i| {
            env.talmint()
                .args([
                    "config",
                    "new",
                    &format!("c{i}.talosconfig"),
                    "--with-secrets",
                    "secrets.yaml",
                ])
                .args(["--roles", "os:reader", "--label", &format!("job-{i}")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let text = String::from_utf8(env.read("talmint-ledger.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 20);
    let mut labels: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["label"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    labels.sort();
    let mut want: Vec<String> = (0..20).map(|i| format!("job-{i}")).collect();
    want.sort();
    assert_eq!(labels, want);
}

/// Every issuing command records its certificate by default, also without a secrets bundle: the
/// ledger goes beside the file holding the CA's key (`--ca-key`, `<ca>.key` for `gen crt`), or
/// for `gen config` with a fresh bundle, into the output directory that gets the CA.
#[test]
fn ledger_defaults_beside_the_ca_key_when_there_is_no_bundle() {
    let env = Env::new();
    env.ok(&["gen", "ca", "--organization", "talos"]);
    std::fs::create_dir(env.path("pki")).unwrap();
    for f in ["talos.crt", "talos.key"] {
        std::fs::rename(env.path(f), env.path(&format!("pki/{f}"))).unwrap();
    }
    let ca_files = ["--ca-crt", "pki/talos.crt", "--ca-key", "pki/talos.key"];
    env.write("team.yaml", roster(2));
    let talosconfig_cert = |rel: &str| {
        let cfg = Config::parse(&String::from_utf8(env.read(rel)).unwrap()).unwrap();
        cert_of(&cfg, &cfg.context.clone())
    };
    let cases: [(&[&str], &str, &str, &str); 4] = [
        (
            &[&["config", "new", "a.talosconfig"][..], &ca_files[..]].concat(),
            "a.talosconfig",
            "pki/talmint-ledger.jsonl",
            "config new",
        ),
        (
            &[&ISSUE_TEAM[..3], &ca_files[..], &["-o", "team"][..]].concat(),
            "team/user-1.talosconfig",
            "pki/talmint-ledger.jsonl",
            "issue",
        ),
        (
            &[
                "gen",
                "crt",
                "--name",
                "u",
                "--ca",
                "pki/talos",
                "--csr",
                "u.csr",
            ],
            "u.crt",
            "pki/talmint-ledger.jsonl",
            "gen crt",
        ),
        (
            &[
                "gen",
                "config",
                "demo",
                "https://10.5.0.2:6443",
                "-o",
                "out",
                "--no-save-secrets",
            ],
            "out/talosconfig",
            "out/talmint-ledger.jsonl",
            "gen config",
        ),
    ];
    env.ok(&["gen", "key", "--name", "u"]);
    env.ok(&[
        "gen",
        "csr",
        "--key",
        "u.key",
        "--ip",
        "10.0.0.1",
        "--roles",
        "os:reader",
    ]);
    for (args, issued, ledger, command) in cases {
        env.ok(args);
        let cert = if issued.ends_with(".crt") {
            Certificate::from_pem(&env.read(issued)).unwrap()
        } else {
            talosconfig_cert(issued)
        };
        let entries = talmint::ledger::read(&env.path(ledger))
            .unwrap_or_else(|e| panic!("{command}: no ledger at {ledger}: {e}"));
        assert!(
            entries
                .iter()
                .any(|e| e.fingerprint == cert.fingerprint() && e.command == command),
            "{command}: {issued} is not in {ledger}"
        );
    }
    assert!(!env.path("talmint-ledger.jsonl").exists());
}

#[test]
fn ledger_list_filters_active_and_expired() {
    let env = Env::new();
    setup(&env);
    env.ok(&[
        "--now",
        NOW,
        "config",
        "new",
        "short",
        "--with-secrets",
        "secrets.yaml",
        "--crt-ttl",
        "1h",
        "--label",
        "short",
    ]);
    env.ok(&[
        "--now",
        NOW,
        "config",
        "new",
        "long",
        "--with-secrets",
        "secrets.yaml",
        "--crt-ttl",
        "30d",
        "--label",
        "long",
    ]);
    let later = "2026-06-02T12:00:00Z";
    let active = common::stdout(&env.ok(&["--now", later, "ledger", "list", "--active"]));
    assert!(
        active.contains("long") && !active.contains("short"),
        "{active}"
    );
    let expired =
        common::stdout(&env.ok(&["--now", later, "ledger", "list", "--expired", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&expired).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["label"], "short");
}

fn context_block(text: &str, name: &str) -> String {
    // The lines of one context in a 4-space talosconfig.
    let head = format!("    {name}:");
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line == head {
            inside = true;
        } else if inside && !line.starts_with("        ") {
            break;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.is_empty(), "context {name} not found");
    out
}

#[test]
fn renew_keeps_roles_changes_serial_and_key_and_leaves_other_contexts_byte_identical() {
    let env = Env::new();
    setup(&env);
    let tc = ["--talosconfig", "tc"];
    for (file, roles) in [
        ("a", "os:reader"),
        ("b", "os:operator,os:etcd:backup"),
        ("c", "os:admin"),
    ] {
        env.ok(&[
            "config",
            "new",
            file,
            "--with-secrets",
            "secrets.yaml",
            "--roles",
            roles,
            "--crt-ttl",
            "2h",
            "--context",
            file,
        ]);
        env.ok(&[&["config", "merge", file][..], &tc[..]].concat());
    }
    let before = String::from_utf8(env.read("tc")).unwrap();
    let old = Config::parse(&before).unwrap();
    env.ok(&[
        &[
            "config",
            "renew",
            "--context",
            "b",
            "--with-secrets",
            "secrets.yaml",
            "--crt-ttl",
            "8h",
        ][..],
        &tc[..],
    ]
    .concat());
    let after = String::from_utf8(env.read("tc")).unwrap();
    let new = Config::parse(&after).unwrap();
    for other in ["a", "c"] {
        assert_eq!(
            context_block(&before, other),
            context_block(&after, other),
            "{other} changed"
        );
    }
    let (o, n) = (cert_of(&old, "b"), cert_of(&new, "b"));
    let mut roles = n.organizations.clone();
    roles.sort();
    assert_eq!(roles, ["os:etcd:backup", "os:operator"]);
    assert_ne!(o.serial_hex, n.serial_hex);
    assert_ne!(o.spki_der, n.spki_der, "new key");
    assert_ne!(
        old.get("b").unwrap().key.as_str(),
        new.get("b").unwrap().key.as_str()
    );
    assert_eq!(n.not_after - n.not_before, time::Duration::hours(8));
    n.verify_signed_by(os_ca(&env).cert()).unwrap();
    assert_eq!(new.context, old.context, "current context unchanged");
    // The ledger has the renewal.
    let entries = talmint::ledger::read(&env.path("talmint-ledger.jsonl")).unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.command == "config renew")
            .count(),
        1
    );
}

#[test]
fn renew_all_skips_contexts_from_another_ca_and_keeps_the_old_lifetime() {
    let env = Env::new();
    setup(&env);
    env.ok(&["gen", "ca", "--organization", "other"]);
    env.ok(&[
        "config",
        "new",
        "mine",
        "--with-secrets",
        "secrets.yaml",
        "--roles",
        "os:reader",
        "--crt-ttl",
        "3h",
        "--context",
        "mine",
    ]);
    env.ok(&[
        "config",
        "new",
        "theirs",
        "--ca-crt",
        "other.crt",
        "--ca-key",
        "other.key",
        "--context",
        "theirs",
    ]);
    for f in ["mine", "theirs"] {
        env.ok(&["config", "merge", f, "--talosconfig", "tc"]);
    }
    let before = String::from_utf8(env.read("tc")).unwrap();
    let out = env.ok(&[
        "config",
        "renew",
        "--all",
        "--with-secrets",
        "secrets.yaml",
        "--talosconfig",
        "tc",
    ]);
    let err = common::stderr(&out);
    assert!(err.contains("skipping context \"theirs\""), "{err}");
    assert!(err.contains("renewed context \"mine\""), "{err}");
    let after = String::from_utf8(env.read("tc")).unwrap();
    assert_eq!(
        context_block(&before, "theirs"),
        context_block(&after, "theirs")
    );
    let n = cert_of(&Config::parse(&after).unwrap(), "mine");
    assert_eq!(n.not_after - n.not_before, time::Duration::hours(3));
    // Renewing only a foreign context is refused, file unchanged.
    let digest = env.tree_digest();
    let out = env.run(&[
        "config",
        "renew",
        "--context",
        "theirs",
        "--with-secrets",
        "secrets.yaml",
        "--talosconfig",
        "tc",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains("was not issued by"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(env.tree_digest(), digest);
}

#[test]
fn renew_all_with_context_is_a_usage_error_and_renews_nothing() {
    let env = Env::new();
    setup(&env);
    for name in ["reader", "admin"] {
        let role = format!("os:{name}");
        env.ok(&[
            "config",
            "new",
            name,
            "--with-secrets",
            "secrets.yaml",
            "--roles",
            &role,
            "--context",
            name,
        ]);
        env.ok(&["config", "merge", name, "--talosconfig", "tc"]);
    }
    let digest = env.tree_digest();
    for flags in [
        ["--all", "--context", "reader"],
        ["--context", "reader", "--all"],
    ] {
        let out = env.run(
            &[
                &["config", "renew"][..],
                &flags,
                &["--with-secrets", "secrets.yaml", "--talosconfig", "tc"],
            ]
            .concat(),
        );
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("cannot be used with"), "{err}");
        assert_eq!(
            env.tree_digest(),
            digest,
            "nothing renewed, nothing recorded"
        );
    }
}

/// The `label` of every ledger line, in order.
fn ledger_labels(env: &Env) -> Vec<String> {
    String::from_utf8(env.read("talmint-ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["label"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn label_is_recorded_by_every_issuing_command() {
    let env = Env::new();
    setup(&env);
    let bundle = ["--with-secrets", "secrets.yaml"];
    env.ok(&[&["config", "new", "tc", "--context", "ops"][..], &bundle].concat());
    env.ok(&[&["config", "new", "t2", "--label", "TICKET-1"][..], &bundle].concat());
    env.write(
        "team.yaml",
        "entries:\n  - {name: alice, roles: [os:reader]}\n  - {name: bob, roles: [os:reader]}\n",
    );
    env.ok(&[
        &["issue", "--roster", "team.yaml", "-o", "out"][..],
        &bundle,
    ]
    .concat());
    env.ok(&[
        &[
            "issue",
            "--roster",
            "team.yaml",
            "-o",
            "out2",
            "--label",
            "TICKET-2",
        ][..],
        &bundle,
    ]
    .concat());
    let renew = [
        "config",
        "renew",
        "--talosconfig",
        "tc",
        "--label",
        "TICKET-3",
    ];
    env.ok(&[&renew[..], &bundle].concat());
    assert_eq!(
        ledger_labels(&env),
        [
            "ops",
            "TICKET-1",
            "alice",
            "bob",
            "TICKET-2/alice",
            "TICKET-2/bob",
            "TICKET-3/ops"
        ]
    );
}

/// NotAfter − NotBefore of the current context's certificate in `file`, in seconds.
fn lifetime(env: &Env, file: &str, context: &str) -> i64 {
    let config = Config::parse(std::str::from_utf8(&env.read(file)).unwrap()).unwrap();
    let cert = cert_of(&config, context);
    (cert.not_after - cert.not_before).whole_seconds()
}

#[test]
fn renew_keeps_the_ttl_asked_for_not_the_backdated_lifetime() {
    let env = Env::new();
    setup(&env);
    let new = |file: &str, extra: &[&str]| {
        let base = [
            "--now",
            NOW,
            "config",
            "new",
            file,
            "--with-secrets",
            "secrets.yaml",
        ];
        env.ok(&[&base[..], &["--crt-ttl", "1h", "--backdate", "720h"], extra].concat());
    };
    let renew = |file: &str, extra: &[&str]| {
        let base = ["--now", NOW, "config", "renew", "--talosconfig", file];
        env.ok(&[&base[..], &["--with-secrets", "secrets.yaml"], extra].concat());
    };
    // Recorded in the ledger: the TTL comes from it, so a one-hour credential stays one hour,
    // however often it is renewed.
    new("a", &[]);
    assert_eq!(lifetime(&env, "a", "admin@talos"), 721 * 3600);
    renew("a", &[]);
    assert_eq!(lifetime(&env, "a", "admin@talos"), 3600);
    renew("a", &[]);
    assert_eq!(lifetime(&env, "a", "admin@talos"), 3600);

    // Not in this ledger: its lifetime less the --backdate of the renewal, so renewing with the
    // flags it was issued with keeps it, and a policy allowing the TTL allows the renewal.
    new("b", &["--ledger", "elsewhere.jsonl"]);
    env.write("policy.yaml", "roles:\n  os:admin:\n    maxTTL: 1h\n");
    renew("b", &["--backdate", "720h", "--policy", "policy.yaml"]);
    assert_eq!(lifetime(&env, "b", "admin@talos"), 721 * 3600);
}

/// Run `sh -c script` in a private mount namespace where `ro/` is a read-only bind mount of
/// itself; `None` when this machine cannot (no root, no mount namespaces).
fn with_read_only_dir(env: &Env, script: &str) -> Option<std::process::Output> {
    let script = format!("mount --bind ro ro && mount -o remount,bind,ro ro || exit 97; {script}");
    let out = std::process::Command::new("unshare")
        .args(["--mount", "sh", "-c", &script])
        .env("T", env!("CARGO_BIN_EXE_talmint"))
        .current_dir(env.path(""))
        .output()
        .ok()?;
    if out.status.code() == Some(97) {
        eprintln!("skipped: no read-only bind mounts here");
        return None;
    }
    Some(out)
}

#[test]
fn gen_config_with_a_bundle_on_a_read_only_mount_works_as_talosctl_with_a_warning() {
    let env = Env::new();
    std::fs::create_dir(env.path("ro")).unwrap();
    env.ok(&["gen", "secrets", "-o", "ro/secrets.yaml"]);
    let gen = "\"$T\" gen config c https://c:6443 --with-secrets ro/secrets.yaml";
    let Some(out) = with_read_only_dir(&env, &format!("{gen} -o out")) else {
        return;
    };
    // talosctl only reads the bundle: so does talmint, saying the ledger could not be written.
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("warning: the certificate is not recorded"));
    assert!(env.path("out/talosconfig").exists());
    assert!(!env.path("ro/talmint-ledger.jsonl").exists());

    // A ledger asked for by name must be written: nothing is delivered, and nothing is left.
    let out = with_read_only_dir(&env, &format!("{gen} -o a/b --ledger ro/l.jsonl")).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("cannot write the issuance ledger"));
    assert!(
        !env.path("a").exists(),
        "the output directory made for it is removed"
    );
}

/// `config new -` (to stdout: only the ledger is written) with `--label label`.
fn config_new_labelled(env: &Env, label: &str) {
    env.ok(&[
        "--now",
        NOW,
        "config",
        "new",
        "-",
        "--with-secrets",
        "secrets.yaml",
        "--label",
        label,
    ]);
}

/// Append `bytes` to a file as a crash or a full disk mid-append would leave them.
fn append_raw(path: &std::path::Path, bytes: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

/// Review r11: a ledger whose last line was cut short (no final newline). The next append, one
/// line or a roster's, starts on a line of its own instead of gluing its first record onto the
/// fragment; `ledger list` names the unreadable line on stderr and lists every readable entry.
#[test]
fn ledger_append_after_a_torn_line_starts_a_new_line_and_list_skips_it() {
    let env = Env::new();
    setup(&env);
    config_new_labelled(&env, "first");
    let ledger = env.path("talmint-ledger.jsonl");
    let fragment = r#"{"time":"2026-12-02T07:57:29Z","serial":"ab"#;
    append_raw(&ledger, fragment.as_bytes());
    config_new_labelled(&env, "second");
    env.write("team.yaml", roster(2));
    append_raw(&ledger, b"{\"ti");
    env.ok(ISSUE_TEAM);
    let text = String::from_utf8(env.read("talmint-ledger.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert_eq!(lines[1], fragment, "the fragment is left as it was");
    assert_eq!(lines[3], "{\"ti");
    assert!(text.ends_with("}\n"));
    let listing = talmint::ledger::read_listing(&ledger).unwrap();
    let labels: Vec<&str> = listing.entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["first", "second", "user-0", "user-1"]);
    let bad: Vec<usize> = listing.unreadable.iter().map(|b| b.line).collect();
    assert_eq!(bad, [2, 4]);
    // Strict reading still names the first bad line.
    let err = talmint::ledger::read(&ledger).unwrap_err().to_string();
    assert!(err.starts_with("ledger "), "{err}");
    assert!(
        err.ends_with(": line 2: EOF while parsing a string at column 43"),
        "{err}"
    );

    let warnings = "warning: ledger talmint-ledger.jsonl: line 2: EOF while parsing a string at \
                    column 43; skipped\n\
                    warning: ledger talmint-ledger.jsonl: line 4: EOF while parsing a string at \
                    column 4; skipped\n";
    let run = env.run(&["--now", NOW, "ledger", "list"]);
    assert_eq!(run.status.code(), Some(0), "{}", common::stderr(&run));
    assert_eq!(common::stderr(&run), warnings);
    let rows: Vec<String> = common::stdout(&run)
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(4).unwrap().to_string())
        .collect();
    assert_eq!(rows, ["first", "second", "user-0", "user-1"]);
    let run = env.run(&["--now", NOW, "ledger", "list", "-o", "json"]);
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(common::stderr(&run), warnings);
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
}

/// Review r11: the text view of `ledger list` shows a label (or any field) holding a control
/// character Go-quoted: a newline cannot make a fake row, an escape sequence never reaches the
/// terminal. JSON keeps the label exactly.
#[test]
fn ledger_list_text_view_quotes_control_characters() {
    let env = Env::new();
    setup(&env);
    let label = "x\n2026-01-01T00:00:00Z   deadbeef   os:reader   2026-01-02T00:00:00Z   bob   \
                 issue\u{1b}[8m";
    for label in [label, "plain label"] {
        config_new_labelled(&env, label);
    }
    let out = common::stdout(&env.ok(&["--now", NOW, "ledger", "list"]));
    assert_eq!(out.lines().count(), 3, "a header and two rows:\n{out}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        out.contains(
            r#"   "x\n2026-01-01T00:00:00Z   deadbeef   os:reader   2026-01-02T00:00:00Z   bob   issue\x1b[8m"   config new"#
        ),
        "{out}"
    );
    let plain = out.lines().nth(2).unwrap();
    assert!(
        plain.contains("   plain label   ") && plain.ends_with("   config new"),
        "{out}"
    );
    let json = common::stdout(&env.ok(&["--now", NOW, "ledger", "list", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["label"], label);
    assert_eq!(v[1]["label"], "plain label");
}

#[test]
fn a_new_ledger_is_0600_whatever_the_umask() {
    // Under umask 777 a ledger created with the umask applied would have no permissions at all,
    // and the next issuance by its owner would fail on it.
    let env = Env::new();
    setup(&env);
    let issue = format!(
        "umask 777; exec \"{}\" config new -o - --with-secrets secrets.yaml >/dev/null",
        env!("CARGO_BIN_EXE_talmint")
    );
    for _ in 0..2 {
        let out = std::process::Command::new("sh")
            .args(["-c", &issue])
            .current_dir(env.path(""))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", common::stderr(&out));
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.path("talmint-ledger.jsonl"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(ledger_labels(&env).len(), 2);
}

#[test]
fn an_interrupted_roster_leaves_no_talosconfig_behind() {
    // Ctrl-C mid-run: the staged talosconfigs hold private keys, so none may stay behind,
    // neither in a new output directory nor in an existing one.
    let env = Env::new();
    setup(&env);
    // Large enough to be mid-run after 300 ms on any machine (3,000 take 1.7 s in a debug build).
    env.write("team.yaml", roster(10_000));
    std::fs::create_dir(env.path("existing")).unwrap();
    for out in ["new", "existing"] {
        let child = env
            .talmint()
            .args([
                "issue",
                "--roster",
                "team.yaml",
                "--with-secrets",
                "secrets.yaml",
            ])
            .args(["-o", out])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let kill = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let done = child.wait_with_output().unwrap();
        assert_eq!(done.status.code(), Some(130), "{}", common::stderr(&done));
        assert!(common::stderr(&done).contains("interrupted: no talosconfig was delivered"));
    }
    let staged: Vec<String> = std::fs::read_dir(env.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".talmint-"))
        .collect();
    assert!(staged.is_empty(), "{staged:?}");
    assert!(!env.path("new").exists());
    assert_eq!(std::fs::read_dir(env.path("existing")).unwrap().count(), 0);
}

/// `talmint args…` in `env` with its files limited to `bytes` (a full disk, as far as the writes
/// go: a write past the limit fails with "File too large" instead of ending the process).
fn with_file_limit(env: &Env, bytes: u64, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new("sh");
    c.current_dir(env.dir.path()).env_clear();
    for (k, v) in &env.vars {
        c.env(k, v);
    }
    c.args([
        "-c",
        r#"trap '' XFSZ; n=$1; shift; exec prlimit --fsize="$n" -- "$@""#,
        "sh",
        &bytes.to_string(),
        env!("CARGO_BIN_EXE_talmint"),
    ])
    .args(args);
    c
}

/// A ledger append that fails part-way (here: a roster's lines meet a file size limit after the
/// first few) leaves the ledger exactly as it was, not with a torn line or with lines for
/// credentials that were never delivered; nothing is delivered.
#[test]
fn a_ledger_append_that_fails_leaves_the_ledger_as_it_was() {
    let env = Env::new();
    setup(&env);
    env.write("two.yaml", roster(2));
    env.ok(&[
        "issue",
        "--roster",
        "two.yaml",
        "--with-secrets",
        "secrets.yaml",
        "-o",
        "first",
    ]);
    let before = env.read("talmint-ledger.jsonl");
    assert_eq!(before.iter().filter(|&&b| b == b'\n').count(), 2);
    env.write("team.yaml", roster(40));
    // Room for about 20 more lines: the first batches are appended, a later one fails.
    let limit = before.len() as u64 + 8000;
    let out = with_file_limit(&env, limit, ISSUE_TEAM).output().unwrap();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot write the issuance ledger") && err.contains("File too large"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(env.read("talmint-ledger.jsonl"), before, "ledger restored");
    assert!(!env.path("out").exists(), "nothing delivered");
}

/// A ledger that a failing command created is not left behind, empty or torn.
#[test]
fn a_new_ledger_that_cannot_be_written_is_not_left_behind() {
    let env = Env::new();
    setup(&env);
    let args = [
        "config",
        "new",
        "a.talosconfig",
        "--with-secrets",
        "secrets.yaml",
    ];
    let out = with_file_limit(&env, 100, &args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert!(!env.path("talmint-ledger.jsonl").exists(), "no ledger left");
    assert!(!env.path("a.talosconfig").exists(), "nothing delivered");
}

/// Appenders that fail and appenders that succeed, all at once on a new ledger: a failing one
/// removes the ledger it created, and those waiting for its lock then append to the ledger the
/// name leads to, so every delivered credential has its line.
#[test]
fn failing_and_succeeding_appenders_at_once_lose_no_line() {
    let env = Env::new();
    setup(&env);
    let children: Vec<_> = (0..20)
        .map(|i| {
            let name = format!("c{i}.talosconfig");
            let label = format!("job-{i}");
            let args = [
                "config",
                "new",
                &name,
                "--with-secrets",
                "secrets.yaml",
                "--label",
                &label,
            ];
            let mut c = if i % 2 == 0 {
                with_file_limit(&env, 100, &args)
            } else {
                let mut c = env.talmint();
                c.args(args);
                c
            };
            c.stderr(std::process::Stdio::null()).spawn().unwrap()
        })
        .collect();
    for (i, mut c) in children.into_iter().enumerate() {
        assert_eq!(c.wait().unwrap().success(), i % 2 == 1, "process {i}");
    }
    let text = String::from_utf8(env.read("talmint-ledger.jsonl")).unwrap();
    let mut labels: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["label"].to_string())
        .collect();
    labels.sort();
    let mut want: Vec<String> = (1..20).step_by(2).map(|i| format!("\"job-{i}\"")).collect();
    want.sort();
    assert_eq!(labels, want);
    for i in 0..20 {
        assert_eq!(env.path(&format!("c{i}.talosconfig")).exists(), i % 2 == 1);
    }
}

/// `--ledger /dev/null` keeps no ledger: the device is written into, keeps its mode (it was
/// made 0600, locking every other user out of /dev/null) and the command succeeds (it failed:
/// a device cannot be flushed). The test makes its own null device.
#[test]
fn a_device_as_the_ledger_is_written_into_and_keeps_its_mode() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let env = Env::new();
    setup(&env);
    let made = std::process::Command::new("mknod")
        .args([
            "-m",
            "666",
            env.path("null").to_str().unwrap(),
            "c",
            "1",
            "3",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: cannot make a device node here (not root)");
        return;
    }
    env.ok(&[
        "config",
        "new",
        "a.talosconfig",
        "--with-secrets",
        "secrets.yaml",
        "--ledger",
        "null",
    ]);
    env.write("team.yaml", roster(3));
    env.ok(&[ISSUE_TEAM, &["--ledger", "null"]].concat());
    let meta = std::fs::symlink_metadata(env.path("null")).unwrap();
    assert!(meta.file_type().is_char_device(), "still a device");
    assert_eq!(meta.permissions().mode() & 0o777, 0o666, "mode kept");
    assert!(env.path("a.talosconfig").exists() && env.path("out/user-2.talosconfig").exists());
}

/// Run `command` and wait at most `secs` for it: a regression that spins or blocks fails the
/// test instead of hanging the suite.
fn output_within(mut command: std::process::Command, secs: u64) -> std::process::Output {
    use std::process::Stdio;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after {secs} s: {command:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Review r14: a ledger that is a dangling symlink (a dotfile manager's, or a log path not made
/// yet) made the appender spin for ever; its target is created, as any file written through a
/// link.
#[test]
fn a_dangling_symlink_as_the_ledger_has_its_target_created() {
    let env = Env::new();
    setup(&env);
    std::os::unix::fs::symlink("ledgers/main.jsonl", env.path("ledger.jsonl")).unwrap();
    std::fs::create_dir(env.path("ledgers")).unwrap();
    let mut c = env.talmint();
    c.args(["config", "new", "a.tc", "--with-secrets", "secrets.yaml"])
        .args(["--ledger", "ledger.jsonl"]);
    let out = output_within(c, 20);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = String::from_utf8(env.read("ledgers/main.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 1);
}

/// Review r14: a named pipe as the ledger was opened for reading too, so talmint was its own
/// reader: with no one else reading, a roster filled the pipe and blocked for ever (a short one
/// lost its lines). Now a pipe nobody reads is refused at once, and one that is read gets every
/// line.
#[test]
fn a_named_pipe_as_the_ledger_needs_a_reader_and_gets_every_line() {
    let env = Env::new();
    setup(&env);
    let made = std::process::Command::new("mkfifo")
        .arg(env.path("ledger.fifo"))
        .status()
        .unwrap()
        .success();
    assert!(made);
    env.write("team.yaml", roster(300));
    let issue = || {
        let mut c = env.talmint();
        c.args(ISSUE_TEAM).args(["--ledger", "ledger.fifo"]);
        c
    };
    let out = output_within(issue(), 20);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("ledger.fifo: it is a named pipe that no process is reading"),
        "{err}"
    );
    assert!(!env.path("out").exists());

    let fifo = env.path("ledger.fifo");
    let reader = std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap());
    // Until the reader has the pipe open (as a log collector would), talmint refuses it and
    // writes nothing: try again.
    let mut out = output_within(issue(), 60);
    for _ in 0..100 {
        if out.status.success() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        out = output_within(issue(), 60);
    }
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(reader.join().unwrap().lines().count(), 300);
}
