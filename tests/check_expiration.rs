//! Issue 5: `talmint check-expiration`: the bundle's four CAs and every context's certificate,
//! exit codes exactly at `--fail-within` and one second either side, with the injectable clock.

mod common;

use base64::Engine;
use common::{stderr, stdout, Env};
use serde_json::Value;
use talmint::bundle::SecretsBundle;
use talmint::pki::{CaKeyPair, Ttl};
use talmint::report::rfc3339;
use talmint::roles::RoleSet;
use talmint::talosconfig::{Config, Context};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Issue time of the test credentials: inside both fixture bundles' CA windows (2023–2033).
const ISSUED: OffsetDateTime = datetime!(2025-01-01 00:00:00 UTC);

/// A talosconfig with one context per (name, roles, ttl), all issued at [`ISSUED`], emitted as
/// talosctl writes it.
fn talosconfig(ca: &CaKeyPair, contexts: &[(&str, &str, Ttl)]) -> String {
    let mut cfg = Config::empty();
    cfg.context = contexts[0].0.to_string();
    for (name, roles, ttl) in contexts {
        let roles = RoleSet::parse_lenient(roles.split(','));
        let issued = ca.issue_client(&roles, ISSUED, *ttl).unwrap();
        let key = issued.key.unwrap().to_pem().unwrap();
        cfg.upsert(
            name,
            Context {
                endpoints: vec!["10.5.0.2".into()],
                ca: B64.encode(ca.cert_pem()),
                crt: B64.encode(&issued.cert_pem),
                key: Zeroizing::new(B64.encode(key.as_bytes())),
                ..Context::default()
            },
        );
    }
    talmint::yaml::emit(&cfg.to_node())
}

/// The `name` of every row of a `check-expiration -o json` report, in order.
fn row_names(json: &Value) -> Vec<&str> {
    json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// The NAME column of a `check-expiration` table, in order.
fn table_names(table: &str) -> Vec<&str> {
    table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect()
}

/// A CA row of a `check-expiration -o json` report: `(source, caKind, subject)` and
/// `(notAfter, secondsLeft, status)`, no roles, and the same ten keys as every row.
fn assert_ca_row(row: &Value, (source, kind, subject): (&str, &str, &str), due: (&str, i64, &str)) {
    let (not_after, seconds_left, status) = due;
    assert_eq!(row["source"], source);
    assert_eq!(row["type"], "ca");
    assert_eq!(row["caKind"], kind);
    assert_eq!(row["roles"], Value::Null);
    assert_eq!(row["subject"], subject);
    assert_eq!(row["notAfter"], not_after);
    assert_eq!(row["secondsLeft"], seconds_left);
    assert_eq!(row["status"], status);
    assert_eq!(
        row.as_object().unwrap().len(),
        10,
        "the same keys as every row"
    );
}

fn bundle_ca() -> Option<(std::path::PathBuf, CaKeyPair)> {
    let path = common::talos("stability/secrets.yaml")?;
    let bundle = SecretsBundle::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ca = bundle.os_ca().unwrap();
    Some((path, ca))
}

#[test]
fn i5_check_expiration_exit_codes_at_the_fail_within_boundary() {
    let Some((bundle, ca)) = bundle_ca() else {
        return;
    };
    let env = Env::new();
    env.write(
        "tc",
        talosconfig(&ca, &[("ci", "os:reader", Ttl::from_hours(24 * 30))]),
    );
    let not_after = ISSUED + Duration::days(30);
    let b = bundle.to_str().unwrap();
    // (clock, expected exit code, STATUS of the context's row)
    let cases = [
        (
            not_after - Duration::days(7) - Duration::seconds(1),
            0,
            "warning",
        ),
        (not_after - Duration::days(7), 1, "FAILING"),
        (
            not_after - Duration::days(7) + Duration::seconds(1),
            1,
            "FAILING",
        ),
        (not_after, 1, "FAILING"),
        (not_after + Duration::seconds(1), 1, "EXPIRED"),
    ];
    for (clock, code, status) in cases {
        let now = rfc3339(clock);
        let run = env.run(&[
            "check-expiration",
            "--with-secrets",
            b,
            "tc",
            "--fail-within",
            "7d",
            "--now",
            &now,
        ]);
        assert_eq!(run.status.code(), Some(code), "at {now}: {}", stderr(&run));
        let table = stdout(&run);
        let row = table
            .lines()
            .find(|l| l.starts_with("contexts.ci "))
            .unwrap_or_else(|| panic!("{table}"));
        assert!(row.trim_end().ends_with(status), "at {now}: {row}");
        let err = stderr(&run);
        if code == 1 {
            let line = err.lines().find(|l| l.starts_with("error: ")).unwrap();
            assert!(
                line.contains("1 certificate expired or expiring within 7d: contexts.ci (tc)"),
                "{line}"
            );
            assert_eq!(err.lines().filter(|l| l.starts_with("error: ")).count(), 1);
        } else {
            assert!(
                err.contains("warning: contexts.ci (tc) expires in 7d (within 30d)"),
                "{err}"
            );
        }
        // The bundle's CAs (2033) are fine throughout.
        for ca in ["certs.os", "certs.etcd", "certs.k8s", "certs.k8saggregator"] {
            let row = table
                .lines()
                .find(|l| l.starts_with(&format!("{ca} ")))
                .unwrap();
            assert!(row.trim_end().ends_with(" ok"), "{row}");
        }
    }
    // The same boundary through a custom threshold and the JSON form.
    let clock = rfc3339(not_after - Duration::hours(36));
    for (window, code) in [("36h", 1), ("35h59m59s", 0), ("1d12h", 1), ("0s", 0)] {
        let run = env.run(&[
            "check-expiration",
            "tc",
            "--fail-within",
            window,
            "--warn",
            "0",
            "-o",
            "json",
            "--now",
            &clock,
        ]);
        assert_eq!(run.status.code(), Some(code), "--fail-within {window}");
        let json: Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(json["passed"], code == 0);
        assert_eq!(json["certificates"][0]["secondsLeft"], 36 * 3600);
        if window == "1d12h" {
            // The threshold is shown as given, not rounded down to 1d.
            assert!(
                stderr(&run).contains("expiring within 1d12h"),
                "{}",
                stderr(&run)
            );
        }
    }
}

#[test]
fn i5_check_expiration_table_lists_the_four_cas_and_every_context() {
    let Some((bundle, ca)) = bundle_ca() else {
        return;
    };
    let env = Env::new();
    env.write(
        "team.talosconfig",
        talosconfig(
            &ca,
            &[
                ("admin@prod", "os:admin", Ttl::from_hours(8760)),
                ("ci", "os:etcd:backup,os:reader", Ttl::from_hours(48)),
            ],
        ),
    );
    let out = env.ok(&[
        "check-expiration",
        "--with-secrets",
        bundle.to_str().unwrap(),
        "team.talosconfig",
        "--fail-within",
        "1d",
        "--now",
        "2025-01-01T12:00:00Z",
    ]);
    let table = stdout(&out);
    assert!(
        stderr(&out).contains("warning: contexts.ci (team.talosconfig) expires in 1d (within 30d)"),
        "{}",
        stderr(&out)
    );
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0]
            .split("   ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>(),
        [
            "NAME",
            "SOURCE",
            "EXPIRES",
            "RESIDUAL TIME",
            "ROLES/CA KIND",
            "STATUS"
        ]
    );
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "certs.os",
            "certs.etcd",
            "certs.k8s",
            "certs.k8saggregator",
            "contexts.admin@prod",
            "contexts.ci"
        ]
    );
    let row = |name: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap()
    };
    assert!(
        row("certs.os").contains("Oct 09, 2033 10:46 UTC"),
        "{}",
        row("certs.os")
    );
    assert!(row("certs.os").contains("   8y   "), "{}", row("certs.os"));
    assert!(row("certs.os").contains("Talos API (OS) CA"));
    assert!(row("certs.etcd").contains("etcd CA"));
    assert!(row("contexts.admin@prod").contains("Jan 01, 2026 00:00 UTC"));
    assert!(
        row("contexts.admin@prod").contains("   364d   "),
        "{}",
        row("contexts.admin@prod")
    );
    assert!(row("contexts.admin@prod").contains("   os:admin   "));
    assert!(
        row("contexts.ci").contains("   1d   "),
        "{}",
        row("contexts.ci")
    );
    assert!(row("contexts.ci").contains("os:etcd:backup,os:reader"));
    // 1.5 days left: within the default --fail-within 7d.
    let run = env.run(&[
        "check-expiration",
        "team.talosconfig",
        "--now",
        "2025-01-01T12:00:00Z",
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("contexts.ci (team.talosconfig) expires in 1d"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn i5_check_expiration_json_for_ci() {
    let Some((bundle, ca)) = bundle_ca() else {
        return;
    };
    let env = Env::new();
    env.write(
        "tc",
        talosconfig(&ca, &[("ci", "os:reader", Ttl::from_hours(1))]),
    );
    let run = env.run(&[
        "check-expiration",
        "--with-secrets",
        bundle.to_str().unwrap(),
        "tc",
        "-o",
        "json",
        "--now",
        "2025-01-01T02:00:00Z",
    ]);
    assert_eq!(run.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["now"], "2025-01-01T02:00:00Z");
    assert_eq!(json["warnWithinSeconds"], 30 * 86400);
    assert_eq!(json["failWithinSeconds"], 7 * 86400);
    assert_eq!(json["passed"], false);
    assert_eq!(json["skipped"], serde_json::json!([]));
    let certs = json["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 5);
    let os = &certs[0];
    assert_eq!(os["name"], "certs.os");
    assert_eq!(os["type"], "ca");
    assert_eq!(os["caKind"], "Talos API (OS) CA");
    assert_eq!(os["roles"], Value::Null);
    assert_eq!(os["subject"], "O=talos");
    assert_eq!(os["status"], "ok");
    let ci = &certs[4];
    assert_eq!(ci["name"], "contexts.ci");
    assert_eq!(ci["source"], "tc");
    assert_eq!(ci["type"], "client");
    assert_eq!(ci["caKind"], Value::Null);
    assert_eq!(ci["roles"], serde_json::json!(["os:reader"]));
    assert_eq!(ci["notAfter"], "2025-01-01T01:00:00Z");
    assert_eq!(ci["secondsLeft"], -3600);
    assert_eq!(ci["residualTime"], "expired");
    assert_eq!(ci["status"], "expired");
    let keys: Vec<&str> = ci.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys.len(),
        10,
        "name source type caKind roles subject notAfter secondsLeft residualTime status: {keys:?}"
    );
}

/// Given nothing to check, check-expiration (and verify) use the talosconfig talosctl would:
/// $TALOSCONFIG, else ~/.talos/config.
#[test]
fn with_no_input_the_default_talosconfig_is_checked_as_talosctl_finds_it() {
    let mut env = Env::new();
    let ca = SecretsBundle::generate(talmint::contract::VersionContract::CURRENT, ISSUED)
        .unwrap()
        .os_ca()
        .unwrap();
    env.write(
        "home/.talos/config",
        talosconfig(&ca, &[("home-ctx", "os:reader", Ttl::from_hours(8))]),
    );
    env.write(
        "elsewhere.talosconfig",
        talosconfig(&ca, &[("env-ctx", "os:operator", Ttl::from_hours(8))]),
    );
    let at = ["--now", "2025-01-01T01:00:00Z"];
    let check = ["check-expiration", "--fail-within", "1h", "-o", "json"];
    let run = env.run(&[&at[..], &check[..]].concat());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let json: Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(json["certificates"][0]["name"], "contexts.home-ctx");
    let run = env.run(&[&at[..], &["verify"]].concat());
    assert!(
        stdout(&run).contains("context \"home-ctx\""),
        "{}",
        stdout(&run)
    );
    env.vars
        .push(("TALOSCONFIG".into(), "elsewhere.talosconfig".into()));
    let run = env.run(&[&at[..], &check[..]].concat());
    let json: Value = serde_json::from_str(&stdout(&run)).unwrap();
    let names = row_names(&json);
    assert_eq!(names, ["contexts.env-ctx", "contexts.env-ctx.ca"]);
}

#[test]
fn i5_check_expiration_usage_errors_exit_2() {
    let env = Env::new();
    env.write("broken", "contexts:\n    x:\n        crt: \"@@@\"\n");
    let cases: [(&[&str], &str); 5] = [
        (
            &["check-expiration"],
            "no talosconfig given, and none at the default path",
        ),
        (
            &["check-expiration", "missing"],
            "reading talosconfig missing",
        ),
        (
            &["check-expiration", "broken"],
            "contexts.x.crt: invalid base64",
        ),
        (
            &["check-expiration", "broken", "--warn", "soon"],
            "invalid duration \"soon\"",
        ),
        (
            &["check-expiration", "broken", "--fail-within", "-1h"],
            "invalid duration \"-1h\"",
        ),
    ];
    for (args, text) in cases {
        let before = env.tree_digest();
        let run = env.run(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        let err = stderr(&run);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: {err}");
        assert_eq!(before, env.tree_digest());
    }
}

/// Review r6 (a): a secrets bundle given where a talosconfig goes (`--with-secrets` forgotten), or
/// any YAML without contexts, is an error naming the file, never a pass with nothing checked;
/// the same for the default talosconfig.
#[test]
fn i5_check_expiration_refuses_a_file_that_is_not_a_talosconfig() {
    let mut env = Env::new();
    env.ok(&["gen", "secrets"]);
    env.write("x.yaml", "foo: bar\n");
    env.write("home/.talos/config", "foo: bar\n");
    let not_a_talosconfig = |f: &str| {
        format!(
            "error: {f}: not a talosconfig (no contexts); for a secrets bundle use --with-secrets"
        )
    };
    let cases: [(&[&str], String); 5] = [
        (
            &["check-expiration", "secrets.yaml"],
            not_a_talosconfig("secrets.yaml"),
        ),
        (
            &[
                "check-expiration",
                "secrets.yaml",
                "--fail-within",
                "90d",
                "-o",
                "json",
            ],
            not_a_talosconfig("secrets.yaml"),
        ),
        (&["check-expiration", "x.yaml"], not_a_talosconfig("x.yaml")),
        (
            &[
                "check-expiration",
                "--with-secrets",
                "secrets.yaml",
                "x.yaml",
            ],
            not_a_talosconfig("x.yaml"),
        ),
        (
            &["check-expiration"],
            not_a_talosconfig(env.path("home/.talos/config").to_str().unwrap()),
        ),
    ];
    for (args, line) in &cases {
        let before = env.tree_digest();
        let run = env.run(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        assert_eq!(stderr(&run), format!("{line}\n"), "{args:?}");
        assert_eq!(
            stdout(&run),
            "",
            "{args:?}: nothing on stdout, no \"passed\""
        );
        assert_eq!(before, env.tree_digest());
    }
    // With the bundle where it belongs, its CAs are checked.
    let run = env.run(&["check-expiration", "--with-secrets", "secrets.yaml"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    // A talosconfig whose contexts hold neither a certificate nor a CA (an Omni one, say):
    // nothing to check is exit 2 with the reason, not a pass.
    env.write(
        "omni.talosconfig",
        "context: omni\ncontexts:\n    omni:\n        endpoints:\n            - omni.example.com\n",
    );
    env.vars
        .push(("TALOSCONFIG".into(), "omni.talosconfig".into()));
    for args in [
        &["check-expiration"][..],
        &["check-expiration", "-o", "json"],
    ] {
        let run = env.run(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        assert_eq!(
            stderr(&run),
            "error: nothing to check: contexts.omni (omni.talosconfig): no certificate, \
             contexts.omni.ca (omni.talosconfig): absent\n"
        );
        assert_eq!(stdout(&run), "");
    }
}

/// Review r6 (b): talosctl verifies the node with the context's `ca`, so a CA expiring in 2 days
/// makes the context unusable in 2 days however long its own certificate runs. Each distinct
/// context CA is a row, named after the first context holding it, under the same thresholds.
#[test]
fn i5_check_expiration_checks_each_context_ca_once() {
    let env = Env::new();
    let t0 = "2026-01-01T00:00:00Z";
    // A 48h CA and a one-year certificate from it (gen crt, as talosctl, does not cap the
    // certificate at the CA's expiry); two contexts hold that CA.
    env.ok(&[
        "--now",
        t0,
        "gen",
        "ca",
        "--organization",
        "talos",
        "--hours",
        "48",
    ]);
    env.ok(&["--now", t0, "gen", "key", "--name", "u"]);
    env.ok(&[
        "gen",
        "csr",
        "--key",
        "u.key",
        "--ip",
        "10.5.0.2",
        "--roles",
        "os:reader",
    ]);
    env.ok(&[
        "--now", t0, "gen", "crt", "--name", "u", "--ca", "talos", "--csr", "u.csr", "--hours",
        "8760",
    ]);
    for ctx in ["c", "d"] {
        env.ok(&[
            "config",
            "add",
            ctx,
            "--ca",
            "talos.crt",
            "--crt",
            "u.crt",
            "--key",
            "u.key",
            "--talosconfig",
            "c.tc",
        ]);
    }
    let at = "2026-01-02T00:00:00Z"; // the CA has 1d left, the certificates 364d
    let run = env.run(&["--now", at, "check-expiration", "c.tc"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let table = stdout(&run);
    assert_eq!(
        table_names(&table),
        ["contexts.c", "contexts.d", "contexts.c.ca"],
        "{table}"
    );
    let ca_row = table
        .lines()
        .find(|l| l.starts_with("contexts.c.ca "))
        .unwrap();
    assert!(ca_row.contains("Jan 03, 2026 00:00 UTC"), "{ca_row}");
    assert!(
        ca_row.contains("   talosconfig CA of 2 contexts   "),
        "{ca_row}"
    );
    assert!(ca_row.ends_with(" FAILING"), "{ca_row}");
    assert!(table
        .lines()
        .find(|l| l.starts_with("contexts.c "))
        .unwrap()
        .ends_with(" ok"));
    assert_eq!(
        stderr(&run),
        "error: 1 certificate expired or expiring within 7d: contexts.c.ca (c.tc) expires in 1d\n"
    );
    // The same thresholds as every row: only a warning when --fail-within is shorter.
    let run = env.run(&[
        "--now",
        at,
        "check-expiration",
        "c.tc",
        "--fail-within",
        "12h",
        "-o",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        stderr(&run),
        "warning: contexts.c.ca (c.tc) expires in 1d (within 30d)\n"
    );
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["passed"], true);
    let certs = json["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[2]["name"], "contexts.c.ca");
    assert_ca_row(
        &certs[2],
        ("c.tc", "talosconfig CA of 2 contexts", "O=talos"),
        ("2026-01-03T00:00:00Z", 86400, "warning"),
    );
    // Once past its NotAfter the CA row is expired, though the certificates are not.
    let run = env.run(&["--now", "2026-01-04T00:00:00Z", "check-expiration", "c.tc"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("contexts.c.ca (c.tc) expired 1 day ago"),
        "{}",
        stderr(&run)
    );
    // A second file holding the same CA adds no row; neither does a context CA that is one of
    // the bundle's (i5_check_expiration_json_for_ci: five rows, not six).
    env.ok(&[
        "config",
        "add",
        "e",
        "--ca",
        "talos.crt",
        "--crt",
        "u.crt",
        "--key",
        "u.key",
        "--talosconfig",
        "e.tc",
    ]);
    let run = env.run(&[
        "--now",
        at,
        "check-expiration",
        "c.tc",
        "e.tc",
        "-o",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    let names = row_names(&json);
    assert_eq!(
        names,
        ["contexts.c", "contexts.d", "contexts.c.ca", "contexts.e"]
    );
    assert_eq!(
        json["certificates"][2]["caKind"],
        "talosconfig CA of 3 contexts"
    );
}

/// Review: a context's `crt` holding the leaf and the intermediate CA that signed it (talosctl
/// sends both; a node refuses the chain once the intermediate expires). The intermediate is a
/// row of its own, named after the context and its block, under the same thresholds and exit
/// code, though the leaf outlives it.
#[test]
fn i5_check_expiration_lists_the_intermediates_a_context_sends() {
    let env = Env::new();
    let t0 = datetime!(2026-01-01 00:00:00 UTC);
    // The intermediate runs 2 days, the leaf it signed 60 days.
    common::intermediate_talosconfig(&env, t0, "x.tc", 48, 60 * 24);
    let at = "2026-01-01T00:00:00Z";
    let run = env.run(&["--now", at, "check-expiration", "x.tc"]);
    let table = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{table}{}", stderr(&run));
    assert_eq!(
        table_names(&table),
        ["contexts.x", "contexts.x.crt[1]", "contexts.x.ca"],
        "{table}"
    );
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap()
            .to_string()
    };
    assert!(row("contexts.x").ends_with(" ok"), "{table}");
    let int_row = row("contexts.x.crt[1]");
    assert!(int_row.contains("Jan 03, 2026 00:00 UTC"), "{int_row}");
    assert!(int_row.contains("   intermediate CA   "), "{int_row}");
    assert!(int_row.ends_with(" FAILING"), "{int_row}");
    assert_eq!(
        stderr(&run),
        "error: 1 certificate expired or expiring within 7d: contexts.x.crt[1] (x.tc) expires \
         in 2d\n"
    );
    // Below --fail-within only a warning; in JSON a CA row like the others.
    let run = env.run(&[
        "--now",
        at,
        "check-expiration",
        "x.tc",
        "--fail-within",
        "1d",
        "-o",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        stderr(&run),
        "warning: contexts.x.crt[1] (x.tc) expires in 2d (within 30d)\n"
    );
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        row_names(&json),
        ["contexts.x", "contexts.x.crt[1]", "contexts.x.ca"]
    );
    assert_ca_row(
        &json["certificates"][1],
        ("x.tc", "intermediate CA", "O=int"),
        ("2026-01-03T00:00:00Z", 2 * 86400, "warning"),
    );
    // Past its NotAfter the intermediate is expired, though the leaf is not.
    let run = env.run(&["--now", "2026-01-04T00:00:00Z", "check-expiration", "x.tc"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("contexts.x.crt[1] (x.tc) expired 1 day ago"),
        "{}",
        stderr(&run)
    );
    // A second context sending the same intermediate joins its row.
    common::add_intermediate_context(&env, "y", "x.tc");
    let run = env.run(&["--now", at, "check-expiration", "x.tc", "-o", "json"]);
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        row_names(&json),
        [
            "contexts.x",
            "contexts.x.crt[1]",
            "contexts.y",
            "contexts.x.ca"
        ]
    );
    assert_eq!(
        json["certificates"][1]["caKind"],
        "intermediate CA of 2 contexts"
    );
}
