//! The README's policy and roster examples (in `fixtures/`) work as documented.

mod common;

use common::Env;

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn example_roster_issues_under_the_example_policy() {
    let env = Env::new();
    env.ok(&["gen", "secrets", "--talos-version", "v1.6"]);
    let (roster, policy) = (
        fixture("roster-example.yaml"),
        fixture("policy-example.yaml"),
    );
    env.ok(&[
        "issue",
        "--roster",
        &roster,
        "--policy",
        &policy,
        "--with-secrets",
        "secrets.yaml",
        "-o",
        "out",
    ]);
    for (file, context) in [
        ("alice", "reader@talos"),
        ("ci-backup", "etcd:backup@talos"),
        ("oncall", "oncall@prod"),
    ] {
        let text = String::from_utf8(env.read(&format!("out/{file}.talosconfig"))).unwrap();
        let cfg = talmint::talosconfig::Config::parse(&text).unwrap();
        assert_eq!(cfg.context, context);
    }
    // The policy refuses what the roster would need beyond it.
    let out = env.run(&[
        "config",
        "new",
        "x",
        "--with-secrets",
        "secrets.yaml",
        "--policy",
        &policy,
        "--roles",
        "os:admin",
        "--crt-ttl",
        "9h",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("rule roles.os:admin.maxTTL"));
}
