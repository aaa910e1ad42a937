//! Issue 6, "Roles made visible": `talmint auth can-i`, `talmint auth roles`, least privilege,
//! against Talos's method → roles table (`spec/roles-authz.md` §2).

mod common;

use std::process::Output;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::apid::{Node, Version};
use common::{stderr, stdout, Env};
use talmint::authz;
use talmint::pki::{CaKeyPair, KeyAlgorithm, Profile, Ttl};
use talmint::talosconfig::Config;
use time::{Duration, OffsetDateTime};

/// The seven built-in roles.
const ROLES: [&str; 7] = talmint::roles::BUILT_IN;

/// `(method, roles allowed on a configured node in the spec's letters, §2 row)`, transcribed from
/// `spec/roles-authz.md` §2 (A admin, O operator, R reader, E etcd:backup, I image:verifier,
/// M meta:writer). Maintenance-only readers are not allowed on a configured node.
const SAMPLE: &[(&str, &str, u8)] = &[
    ("/cluster.ClusterService/HealthCheck", "AOR", 1),
    (
        "/inspect.InspectService/ControllerRuntimeDependencies",
        "AOR",
        1,
    ),
    ("/machine.ImageService/List", "AOR", 2),
    ("/machine.ImageService/Pull", "AO", 3),
    ("/machine.ImageService/Import", "A", 4),
    ("/machine.ImageService/Remove", "A", 4),
    ("/machine.ImageService/Verify", "AORI", 5),
    ("/machine.DebugService/ContainerRun", "A", 6),
    ("/machine.LifecycleService/Install", "A", 7),
    ("/machine.LifecycleService/Upgrade", "A", 7),
    ("/machine.StorageService/Statfs", "AOR", 8),
    ("/machine.MachineService/ApplyConfiguration", "A", 9),
    ("/machine.MachineService/Bootstrap", "A", 10),
    ("/machine.MachineService/Copy", "A", 10),
    ("/machine.MachineService/EtcdRecover", "A", 10),
    (
        "/machine.MachineService/GenerateClientConfiguration",
        "A",
        10,
    ),
    ("/machine.MachineService/Kubeconfig", "A", 10),
    ("/machine.MachineService/Read", "A", 10),
    ("/machine.MachineService/Reset", "A", 10),
    ("/machine.MachineService/Rollback", "A", 10),
    ("/machine.MachineService/Upgrade", "A", 10),
    ("/machine.MachineService/CPUInfo", "AOR", 11),
    ("/machine.MachineService/Dmesg", "AOR", 11),
    ("/machine.MachineService/Events", "AOR", 11),
    ("/machine.MachineService/Logs", "AOR", 11),
    ("/machine.MachineService/Memory", "AOR", 11),
    ("/machine.MachineService/Netstat", "AOR", 11),
    ("/machine.MachineService/ServiceList", "AOR", 11),
    ("/machine.MachineService/Version", "AOR", 11),
    ("/machine.MachineService/EtcdAlarmList", "AORE", 12),
    ("/machine.MachineService/EtcdMemberList", "AORE", 12),
    ("/machine.MachineService/EtcdStatus", "AORE", 12),
    ("/machine.MachineService/EtcdSnapshot", "AOE", 13),
    ("/machine.MachineService/EtcdAlarmDisarm", "AO", 14),
    ("/machine.MachineService/EtcdDefragment", "AO", 14),
    ("/machine.MachineService/PacketCapture", "AO", 14),
    ("/machine.MachineService/Reboot", "AO", 14),
    ("/machine.MachineService/ServiceRestart", "AO", 14),
    ("/machine.MachineService/Shutdown", "AO", 14),
    ("/machine.MachineService/MetaWrite", "AM", 15),
    ("/machine.MachineService/MetaDelete", "AM", 15),
    ("/cosi.resource.State/Get", "AOR", 16),
    ("/cosi.resource.State/List", "AOR", 16),
    ("/cosi.resource.State/Watch", "AOR", 16),
    ("/cosi.resource.State/Create", "A", 17),
    ("/cosi.resource.State/Update", "A", 17),
    ("/cosi.resource.State/Destroy", "A", 17),
    ("/storage.StorageService/Disks", "AOR", 18),
    ("/storage.StorageService/BlockDeviceWipe", "A", 19),
    ("/machine.LVMService/LogicalVolumeRemove", "A", 19),
    ("/machine.MDService/Destroy", "A", 19),
    ("/time.TimeService/Time", "AOR", 20),
    ("/time.TimeService/TimeCheck", "AOR", 20),
    // Fallback: methods the table does not list.
    ("/machine.DebugService/Shell", "A", 21),
    ("/machine.MachineService/FutureCall", "A", 21),
];

fn letter(role: &str) -> Option<char> {
    match role {
        "os:admin" => Some('A'),
        "os:operator" => Some('O'),
        "os:reader" => Some('R'),
        "os:etcd:backup" => Some('E'),
        "os:image:verifier" => Some('I'),
        "os:meta:writer" => Some('M'),
        _ => None,
    }
}

fn can_i(env: &Env, method: &str, roles: &str) -> Output {
    env.run(&["auth", "can-i", method, "--roles", roles])
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

/// A talosconfig with one context `ci` whose certificate carries `organizations` as one
/// multi-valued RDN, made by openssl. Returns the file name relative to the env.
fn talosconfig_with_roles(env: &Env, organizations: &[&str], days: &str) -> String {
    let subject = organizations
        .iter()
        .map(|o| format!("O={o}"))
        .collect::<Vec<_>>()
        .join("+");
    let crt = env.path("client.crt");
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ed25519",
            "-nodes",
            "-multivalue-rdn",
        ])
        .args(["-keyout", env.path("client.key").to_str().unwrap()])
        .args(["-out", crt.to_str().unwrap()])
        .args(["-subj", &format!("/{subject}"), "-days", days])
        .args(["-addext", "extendedKeyUsage=clientAuth"])
        .output()
        .expect("openssl runs");
    assert!(
        status.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let b64 = STANDARD.encode(std::fs::read(&crt).unwrap());
    let text =
        format!("context: ci\ncontexts:\n    ci:\n        endpoints: []\n        crt: {b64}\n");
    env.write("talosconfig", text);
    "talosconfig".to_string()
}

#[test]
fn issue6_can_i_agrees_with_the_table_for_all_seven_roles() {
    let rows: std::collections::BTreeSet<u8> = SAMPLE.iter().map(|s| s.2).collect();
    assert_eq!(rows.len(), 21, "every row of §2 and the fallback");
    assert!(SAMPLE.len() >= 40);
    let env = Env::new();
    for (method, letters, row) in SAMPLE {
        for role in ROLES {
            let allowed = letter(role).is_some_and(|l| letters.contains(l));
            let out = can_i(&env, method, role);
            assert_eq!(
                code(&out),
                if allowed { 0 } else { 1 },
                "row {row}: {method} for {role}: {}{}",
                stdout(&out),
                stderr(&out)
            );
            let first = stdout(&out).lines().next().unwrap_or_default().to_string();
            assert_eq!(
                first,
                if allowed { "yes" } else { "no" },
                "{method} for {role}"
            );
        }
    }
}

#[test]
fn issue6_maintenance_only_rows_say_reader_is_accepted_only_in_maintenance_mode() {
    let env = Env::new();
    for method in [
        "/machine.MachineService/ApplyConfiguration",
        "/machine.MDService/Destroy",
    ] {
        let out = can_i(&env, method, "os:reader");
        assert_eq!(code(&out), 1);
        assert!(
            stderr(&out).contains("os:reader only in maintenance mode"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn issue6_fallback_for_an_unlisted_method_is_admin_only_with_a_note() {
    let env = Env::new();
    let out = can_i(&env, "/machine.MachineService/FutureCall", "os:operator");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("Talos falls back to os:admin"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        code(&can_i(
            &env,
            "/machine.MachineService/FutureCall",
            "os:admin"
        )),
        0
    );
}

#[test]
fn issue6_reader_and_operator_may_not_read_get_mc_or_kubeconfig() {
    let env = Env::new();
    for verb in ["read", "get mc", "get osrootsecret", "kubeconfig"] {
        for role in ["os:reader", "os:operator"] {
            assert_eq!(code(&can_i(&env, verb, role)), 1, "{role} {verb}");
        }
        assert_eq!(code(&can_i(&env, verb, "os:admin")), 0, "os:admin {verb}");
    }
}

#[test]
fn issue6_operator_may_etcd_alarm_disarm_reader_may_not() {
    let env = Env::new();
    assert_eq!(code(&can_i(&env, "etcd alarm disarm", "os:operator")), 0);
    assert_eq!(code(&can_i(&env, "etcd alarm disarm", "os:reader")), 1);
}

#[test]
fn issue6_reader_may_not_reboot() {
    let env = Env::new();
    assert_eq!(code(&can_i(&env, "reboot", "os:reader")), 1);
}

#[test]
fn issue6_reader_may_not_reset() {
    let env = Env::new();
    assert_eq!(code(&can_i(&env, "reset", "os:reader")), 1);
}

#[test]
fn issue6_reader_may_get_non_sensitive_resources_and_dmesg() {
    let env = Env::new();
    for verb in ["get", "get members", "dmesg", "logs", "etcd status"] {
        assert_eq!(code(&can_i(&env, verb, "os:reader")), 0, "{verb}");
    }
}

#[test]
fn issue6_can_i_names_the_roles_that_would_allow_it() {
    let env = Env::new();
    let out = env.run(&["auth", "can-i", "reboot", "--roles", "os:reader"]);
    let text = stdout(&out);
    assert!(
        text.starts_with("no\nroles: os:reader (--roles)\n"),
        "{text}"
    );
    assert!(text.contains("allowed for: os:admin, os:operator (least privilege: os:operator)"));
    assert!(text.contains("/machine.MachineService/Reboot"));
    let out = env.run(&[
        "auth",
        "can-i",
        "etcd",
        "snapshot",
        "--roles",
        "os:etcd:backup",
    ]);
    assert_eq!(code(&out), 0, "words are joined: {}", stderr(&out));
    assert!(stdout(&out).contains("least privilege: os:etcd:backup"));
}

#[test]
fn issue6_can_i_accepts_every_name_form() {
    let env = Env::new();
    for name in [
        "/machine.MachineService/Reboot",
        "MachineService/Reboot",
        "machine.MachineService/Reboot",
        "Reboot",
        "reboot",
    ] {
        assert_eq!(code(&can_i(&env, name, "os:operator")), 0, "{name}");
        assert_eq!(code(&can_i(&env, name, "os:reader")), 1, "{name}");
    }
}

#[test]
fn issue6_can_i_reads_roles_from_the_certificate_organizations() {
    let env = Env::new();
    let tc = talosconfig_with_roles(&env, &["os:reader", "os:etcd:backup"], "1");
    let out = env.run(&["auth", "can-i", "etcd snapshot", "--talosconfig", &tc]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("roles: os:etcd:backup, os:reader (context \"ci\" of talosconfig)"),
        "{}",
        stdout(&out)
    );
    let out = env.run(&[
        "auth",
        "can-i",
        "reboot",
        "--talosconfig",
        &tc,
        "--context",
        "ci",
    ]);
    assert_eq!(code(&out), 1);

    // A block before the certificate is skipped, as talosctl's tls.X509KeyPair skips it.
    let pem = std::fs::read_to_string(env.path("client.crt")).unwrap();
    let b64 = STANDARD.encode(format!(
        "-----BEGIN NOTE-----\naGVsbG8=\n-----END NOTE-----\n{pem}"
    ));
    env.write(
        "noted",
        format!("context: ci\ncontexts:\n    ci:\n        crt: {b64}\n"),
    );
    let out = env.run(&["auth", "can-i", "etcd snapshot", "--talosconfig", "noted"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn issue6_can_i_finds_the_talosconfig_like_talosctl() {
    let env = Env::new();
    let tc = talosconfig_with_roles(&env, &["os:operator"], "1");
    // $TALOSCONFIG
    let out = env
        .talmint()
        .args(["auth", "can-i", "reboot"])
        .env("TALOSCONFIG", &tc)
        .output();
    assert_eq!(code(&out.unwrap()), 0);
    // ~/.talos/config
    env.write("home/.talos/config", env.read(&tc));
    assert_eq!(code(&env.run(&["auth", "can-i", "reboot"])), 0);
    assert_eq!(code(&env.run(&["auth", "can-i", "kubeconfig"])), 1);
}

#[test]
fn issue6_can_i_with_talos_generated_talosconfigs() {
    let Some(dir) = common::talos("talosconfig/config-info") else {
        return;
    };
    let env = Env::new();
    let path = |name: &str| dir.join(name).display().to_string();
    // Certificate with O=os:admin.
    let out = env.run(&[
        "auth",
        "can-i",
        "kubeconfig",
        "--talosconfig",
        &path("default.talosconfig.yaml"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("roles: os:admin (context \"no-roles\""),
        "{}",
        stdout(&out)
    );
    // O=os:future: kept, grants nothing.
    let out = env.run(&[
        "auth",
        "can-i",
        "dmesg",
        "--talosconfig",
        &path("futurerole.talosconfig.yaml"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("roles: os:future"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("note: unknown roles grant nothing: os:future"));
    // No Organization at all.
    let out = env.run(&[
        "auth",
        "can-i",
        "version",
        "--talosconfig",
        &path("noroles.talosconfig.yaml"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("roles: (none)"), "{}", stdout(&out));
}

#[test]
fn issue6_can_i_warns_when_the_certificate_is_not_valid_now() {
    let env = Env::new();
    let tc = talosconfig_with_roles(&env, &["os:admin"], "1");
    let mut cmd = env.talmint();
    cmd.args(["auth", "can-i", "version", "--talosconfig", &tc]);
    let out = cmd
        .env("TALMINT_NOW", "2100-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("apid refuses it now"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn issue6_impersonator_alone_is_denied_with_a_note() {
    let env = Env::new();
    let out = can_i(&env, "version", "os:impersonator");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("talos-role gRPC metadata"),
        "{}",
        stderr(&out)
    );
}

/// `(args, talosconfig content or None, exit code, the one stderr line starts with)`.
type BadCase<'a> = (&'a [&'a str], Option<&'a str>, i32, &'a str);

#[test]
fn issue6_bad_input_one_line_exit_code_nothing_written() {
    let not_base64 = "context: ci\ncontexts:\n    ci:\n        crt: '%%%'\n";
    let not_pem = "context: ci\ncontexts:\n    ci:\n        crt: aGVsbG8K\n";
    let no_crt = "context: ci\ncontexts:\n    ci:\n        endpoints: []\n";
    let cases: &[BadCase] = &[
        (
            &["auth", "can-i", "rebot", "--roles", "os:reader"],
            None,
            2,
            "error: unknown method \"rebot\": did you mean \"reboot\"",
        ),
        (
            &["auth", "can-i", "", "--roles", "os:reader"],
            None,
            2,
            "error: unknown method \"\"",
        ),
        (
            &["auth", "can-i", "List", "--roles", "os:reader"],
            None,
            2,
            "error: ambiguous method \"List\"",
        ),
        (
            &[
                "auth",
                "can-i",
                "machine.MachineService/Rebot",
                "--roles",
                "os:reader",
            ],
            None,
            2,
            "error: unknown method \"machine.MachineService/Rebot\": did you mean",
        ),
        (
            &["auth", "can-i", "reboot", "--roles", "os:bogus"],
            None,
            2,
            "error: unknown roles: os:bogus",
        ),
        (
            &["auth", "can-i", "reboot", "--roles", ""],
            None,
            2,
            "error: no roles given",
        ),
        (
            &["auth", "can-i", "reboot", "--talosconfig", "missing.yaml"],
            None,
            2,
            "error: talosconfig missing.yaml: No such file",
        ),
        (
            &["auth", "can-i", "reboot"],
            None,
            2,
            "error: no talosconfig given, and none at the default path",
        ),
        (
            &[
                "auth",
                "can-i",
                "reboot",
                "--talosconfig",
                "tc",
                "--context",
                "nope",
            ],
            Some(no_crt),
            2,
            "error: talosconfig tc: context \"nope\" is not defined",
        ),
        (
            &["auth", "can-i", "reboot", "--talosconfig", "tc"],
            Some("- a\n- list\n"),
            2,
            "error: talosconfig tc: not a talosconfig",
        ),
        (
            &["auth", "can-i", "reboot", "--talosconfig", "tc"],
            Some(not_base64),
            2,
            "error: client certificate of context \"ci\" (contexts.ci.crt): not base64",
        ),
        (
            &["auth", "can-i", "reboot", "--talosconfig", "tc"],
            Some(not_pem),
            2,
            "error: client certificate of context \"ci\" (contexts.ci.crt): tls: failed to find any PEM data in certificate input",
        ),
        (
            &["auth", "can-i", "reboot", "--talosconfig", "tc"],
            Some(no_crt),
            2,
            "error: client certificate of context \"ci\" (contexts.ci.crt): no client certificate",
        ),
        (
            &["auth", "roles", "bogus"],
            None,
            1,
            "error: unknown roles: os:bogus",
        ),
        (
            &["auth", "roles", "--diff", "reader", "os:nope"],
            None,
            1,
            "error: unknown roles: os:nope",
        ),
    ];
    for (args, talosconfig, want_code, want_line) in cases {
        let env = Env::new();
        if let Some(text) = talosconfig {
            env.write("tc", text);
        }
        let before = env.tree_digest();
        let out = env.run(args);
        let err = stderr(&out);
        assert_eq!(code(&out), *want_code, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(
            err.starts_with(want_line),
            "{args:?}: got {err:?}, want {want_line:?}"
        );
        assert!(stdout(&out).is_empty(), "{args:?}: nothing on stdout");
        assert_eq!(env.tree_digest(), before, "{args:?}: nothing written");
    }
}

#[test]
fn issue6_usage_errors_exit_2() {
    let env = Env::new();
    for args in [
        &["auth", "can-i"][..],
        &[
            "auth",
            "can-i",
            "reboot",
            "--roles",
            "os:reader",
            "--talosconfig",
            "x",
        ],
        &["auth", "roles", "--diff", "reader"],
        &["auth", "roles", "-o", "table"],
    ] {
        assert_eq!(code(&env.run(args)), 2, "{args:?}");
    }
}

#[test]
fn issue6_no_talosconfig_anywhere_is_exit_2() {
    let env = Env::new();
    let out = env
        .talmint()
        .args(["auth", "can-i", "reboot"])
        .env_remove("HOME")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: error reading config: $HOME is not defined\n"
    );
}

#[test]
fn issue6_roles_lists_what_each_role_may_and_may_not_call() {
    let env = Env::new();
    let text = stdout(&env.ok(&["auth", "roles"]));
    for role in ROLES {
        assert!(text.contains(&format!("\n{role}: ")) || text.starts_with(&format!("{role}: ")));
    }
    assert!(
        text.contains("  summary: read-only; no secrets; may not reboot\n"),
        "{text}"
    );
    let reader = stdout(&env.ok(&["auth", "roles", "reader"]));
    assert!(reader.starts_with("os:reader: read-only calls that expose no secrets\n"));
    // Methods counted (review r14: the two rules that are not one method were counted too).
    assert!(reader.contains("may call (36 methods):"), "{reader}");
    assert!(reader.contains("may not call (45 methods):"), "{reader}");
    assert!(reader.contains(&format!("\n    {}\n", authz::UNLISTED_METHODS)));
    let admin = stdout(&env.ok(&["auth", "roles", "admin"]));
    assert!(admin.contains("may call (81 methods):"), "{admin}");
    assert!(reader.contains("in maintenance mode only (6):"), "{reader}");
}

#[test]
fn issue6_roles_json_matches_the_table() {
    let env = Env::new();
    let out = env.ok(&["auth", "roles", "os:reader", "operator", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["talos_commit"], authz::TALOS_COMMIT);
    let roles = doc["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0]["role"], "os:operator");
    let reader = &roles[1];
    assert_eq!(reader["summary"], "read-only; no secrets; may not reboot");
    let list = |key: &str| -> Vec<String> {
        reader[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert!(list("allowed").contains(&"/machine.MachineService/Dmesg".to_string()));
    assert!(list("denied").contains(&"/machine.MachineService/Reboot".to_string()));
    // The table's 81 methods, and the two rules apart from them.
    assert_eq!(list("allowed").len() + list("denied").len(), 81);
    assert!(list("allowed")
        .iter()
        .chain(&list("denied"))
        .all(|m| m.starts_with('/')));
    assert_eq!(
        list("denied_rules"),
        [authz::SENSITIVE_READS, authz::UNLISTED_METHODS]
    );
    assert!(list("allowed_rules").is_empty());
}

#[test]
fn issue6_roles_diff_shows_what_operator_adds_over_reader() {
    let env = Env::new();
    let text = stdout(&env.ok(&["auth", "roles", "--diff", "reader", "operator"]));
    assert!(
        text.starts_with("os:reader -> os:operator: 12 added, 0 removed\n"),
        "{text}"
    );
    for m in [
        "Reboot",
        "Shutdown",
        "EtcdSnapshot",
        "EtcdAlarmDisarm",
        "ServiceRestart",
    ] {
        assert!(
            text.contains(&format!("+ /machine.MachineService/{m}\n")),
            "{m}: {text}"
        );
    }
    let back = stdout(&env.ok(&[
        "auth",
        "roles",
        "--diff",
        "os:operator",
        "os:reader",
        "-o",
        "json",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&back).unwrap();
    assert_eq!(doc["added"].as_array().unwrap().len(), 0);
    assert_eq!(doc["removed"].as_array().unwrap().len(), 12);
    let sets = stdout(&env.ok(&["auth", "roles", "--diff", "reader", "reader,meta:writer"]));
    assert!(
        sets.starts_with("os:reader -> os:meta:writer,os:reader: 2 added, 0 removed\n"),
        "{sets}"
    );
}

#[test]
fn issue6_help_teaches_with_examples_and_exit_codes() {
    let env = Env::new();
    let can_i = stdout(&env.ok(&["auth", "can-i", "--help"]));
    for section in [
        "EXAMPLES:",
        "EXIT CODES:",
        "TALOSCTL VERBS:",
        "etcd snapshot",
        authz::TALOS_COMMIT,
    ] {
        assert!(
            can_i.contains(section),
            "can-i help lacks {section}: {can_i}"
        );
    }
    assert!(can_i.contains("  1  denied"));
    let roles = stdout(&env.ok(&["auth", "roles", "--help"]));
    assert!(
        roles.contains("EXAMPLES:") && roles.contains("EXIT CODES:"),
        "{roles}"
    );
}

#[test]
fn issue6_for_chooses_the_least_privileged_roles() {
    let roles = |v: &str| authz::roles_for(v).unwrap().roles.strings();
    assert_eq!(roles("reboot,dmesg"), ["os:operator"]);
    assert_eq!(roles("etcd snapshot"), ["os:etcd:backup"]);
    assert_eq!(roles("dmesg"), ["os:reader"]);
    assert_eq!(roles("kubeconfig"), ["os:admin"]);
    assert_eq!(
        authz::roles_for("").unwrap_err(),
        authz::AuthzError::NoMethods
    );
    assert!(authz::roles_for("reboot,rebot").is_err());
}

#[test]
fn issue6_readme_roles_block_matches_the_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let begin = "<!-- roles:begin -->\n";
    let start = readme.find(begin).expect("roles:begin marker") + begin.len();
    let end = readme.find("<!-- roles:end -->").expect("roles:end marker");
    let expected = authz::markdown_table();
    assert!(
        readme[start..end] == expected,
        "README.md's roles block is out of date; replace it with:\n{expected}"
    );
}

/// The issue's four `--for` examples and the exact role each must produce.
const FOR_EXAMPLES: [(&str, &str); 4] = [
    ("reboot,dmesg", "os:operator"),
    ("etcd snapshot", "os:etcd:backup"),
    ("dmesg", "os:reader"),
    ("kubeconfig", "os:admin"),
];

fn os_ca() -> CaKeyPair {
    let now = OffsetDateTime::now_utc() - Duration::minutes(1);
    CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        now,
        Ttl::from_hours(87600),
    )
    .unwrap()
}

/// An env holding `ca.crt` and `ca.key` of `ca`.
fn env_with_ca(ca: &CaKeyPair) -> Env {
    let env = Env::new();
    env.write("ca.crt", ca.cert_pem());
    env.write("ca.key", ca.secret_key_pem().unwrap().as_bytes());
    env
}

/// The apid-equivalent credential of the current context of a talosconfig.
fn apid_credential(talosconfig: &[u8]) -> common::apid::Credential {
    let config = Config::parse(std::str::from_utf8(talosconfig).unwrap()).unwrap();
    let (_, ctx) = config.selected(None).unwrap();
    let b64 = |s: &str| STANDARD.decode(s).unwrap();
    common::apid::Credential {
        ca_pem: b64(&ctx.ca),
        crt_pem: b64(&ctx.crt),
        key_pem: b64(&ctx.key),
    }
}

fn announced(calls: &str, role: &str) -> String {
    let names: Vec<&str> = calls.split(',').map(str::trim).collect();
    format!("roles for {}: {role}\n", names.join(", "))
}

#[test]
fn issue6_config_new_for_issues_exactly_the_least_privileged_role_and_a_node_accepts_it() {
    let ca = os_ca();
    let node = Node::new(&ca);
    for (calls, role) in FOR_EXAMPLES {
        let env = env_with_ca(&ca);
        let args = [
            "config", "new", "out.tc", "--ca-crt", "ca.crt", "--ca-key", "ca.key",
        ];
        let out = env.run(&[&args[..], &["--for", calls]].concat());
        assert!(out.status.success(), "--for {calls}: {}", stderr(&out));
        assert_eq!(stderr(&out), announced(calls, role), "--for {calls}");
        let outcome = node.handshake(&apid_credential(&env.read("out.tc")), Version::Tls13);
        assert_eq!(outcome.client, Ok(()), "--for {calls}");
        assert_eq!(outcome.roles.unwrap(), [role], "--for {calls}");
    }
}

#[test]
fn issue6_gen_csr_for_puts_exactly_the_least_privileged_role_in_the_request() {
    for (calls, role) in FOR_EXAMPLES {
        let env = Env::new();
        env.ok(&["gen", "key", "--name", "client"]);
        let out = env.run(&[
            "gen",
            "csr",
            "--key",
            "client.key",
            "--ip",
            "10.5.0.2",
            "--for",
            calls,
        ]);
        assert!(out.status.success(), "--for {calls}: {}", stderr(&out));
        assert_eq!(stderr(&out), announced(calls, role), "--for {calls}");
        let csr = talmint::pki::csr::Csr::from_pem(&env.read("client.csr")).unwrap();
        assert_eq!(csr.organizations, [role], "--for {calls}");
    }
}

#[test]
fn issue6_roster_for_entries_get_the_least_privileged_roles() {
    let ca = os_ca();
    let node = Node::new(&ca);
    let env = env_with_ca(&ca);
    env.write(
        "team.yaml",
        "entries:\n  - name: ops\n    for: [reboot, dmesg]\n  - name: backup\n    for: [etcd snapshot]\n  \
         - name: viewer\n    for: [dmesg]\n  - name: root\n    for: [kubeconfig]\n",
    );
    let out = env.run(&[
        "issue",
        "--roster",
        "team.yaml",
        "--ca-crt",
        "ca.crt",
        "--ca-key",
        "ca.key",
        "-o",
        "out",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for (name, (calls, role)) in ["ops", "backup", "viewer", "root"]
        .into_iter()
        .zip(FOR_EXAMPLES)
    {
        assert!(
            err.contains(&format!("{name}: {}", announced(calls, role))),
            "{name}: {err}"
        );
        let cred = apid_credential(&env.read(&format!("out/{name}.talosconfig")));
        assert_eq!(
            node.handshake(&cred, Version::Tls13).roles.unwrap(),
            [role],
            "{name}"
        );
    }
}

#[test]
fn issue6_bad_for_one_line_non_zero_exit_no_file_written() {
    let ca = os_ca();
    let new = [
        "config", "new", "out.tc", "--ca-crt", "ca.crt", "--ca-key", "ca.key",
    ];
    let csr = ["gen", "csr", "--key", "ca.key", "--ip", "10.5.0.2"];
    let roster = [
        "issue",
        "--roster",
        "team.yaml",
        "--ca-crt",
        "ca.crt",
        "--ca-key",
        "ca.key",
    ];
    let cases: Vec<(Vec<&str>, Option<&str>, i32, &str)> = vec![
        (
            [&new[..], &["--for", ""]].concat(),
            None,
            1,
            "error: no methods given",
        ),
        (
            [&new[..], &["--for", " , "]].concat(),
            None,
            1,
            "error: no methods given",
        ),
        (
            [&new[..], &["--for", "reboot,rebot"]].concat(),
            None,
            1,
            "error: unknown method \"rebot\"",
        ),
        (
            [&new[..], &["--for", "reboot", "--roles", "os:reader"]].concat(),
            None,
            2,
            "error: the argument '--for <METHODS>' cannot be used with '--roles <ROLES>'",
        ),
        (
            [&csr[..], &["--for", ""]].concat(),
            None,
            1,
            "error: no methods given",
        ),
        (
            [&csr[..], &["--for", "List"]].concat(),
            None,
            1,
            "error: ambiguous method \"List\"",
        ),
        (
            [&csr[..], &["--roles", "os:reader", "--for", "dmesg"]].concat(),
            None,
            2,
            "error: the argument '--roles <ROLES>' cannot be used with '--for <METHODS>'",
        ),
        (
            roster.to_vec(),
            Some("entries:\n  - name: a\n    for: []\n"),
            1,
            "error: roster team.yaml: 1 invalid entry: entries[0] (a): for: no methods given",
        ),
        (
            roster.to_vec(),
            Some("entries:\n  - name: a\n    for: [dmesg]\n    roles: [os:reader]\n"),
            1,
            "error: roster team.yaml: 1 invalid entry: entries[0] (a): give roles or for, not both",
        ),
    ];
    for (args, team, want_code, want_line) in cases {
        let env = env_with_ca(&ca);
        if let Some(text) = team {
            env.write("team.yaml", text);
        }
        let before = env.tree_digest();
        let out = env.run(&args);
        let err = stderr(&out);
        assert_eq!(code(&out), want_code, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(
            err.starts_with(want_line),
            "{args:?}: got {err:?}, want {want_line:?}"
        );
        assert_eq!(env.tree_digest(), before, "{args:?}: nothing written");
    }
}

#[test]
fn issue6_config_info_access_line_is_opt_in_and_from_the_table() {
    let env = common::Env::new();
    env.ok(&["gen", "ca", "--organization", "talos"]);
    env.ok(&[
        "config",
        "new",
        "r",
        "--ca-crt",
        "talos.crt",
        "--ca-key",
        "talos.key",
        "--roles",
        "os:reader",
    ]);
    let plain = common::stdout(&env.ok(&["config", "info", "--talosconfig", "r"]));
    assert!(
        !plain.contains("Access:"),
        "talosctl's output unchanged by default: {plain}"
    );
    let with = common::stdout(&env.ok(&["config", "info", "--talosconfig", "r", "--access"]));
    let roles: talmint::roles::RoleSet = "os:reader".parse().unwrap();
    let line = format!("Access:              {}\n", talmint::authz::summary(&roles));
    assert!(with.contains(&line), "{with}");
    assert!(with.contains("may not reboot"), "{with}");
    // Only the line is added.
    assert_eq!(with.replace(&line, ""), plain);
}
