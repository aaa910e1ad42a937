//! talosconfig management end to end (issue 4; targets C5-C8 of `spec/README.md`): the real
//! binary in a fresh directory with an explicit environment.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{stderr, stdout, Env};
use talmint::talosconfig::Config;

const NOW: &str = "2021-07-05T22:06:42Z";
const EMPTY: &str = "context: \"\"\ncontexts: {}\n";
const SA_ENV: &str = "TALMINT_TEST_SERVICE_ACCOUNT_CONFIG";

/// A hand-written talosconfig (2-space, as users write them): `(name, endpoints, nodes)`.
fn config_text(current: &str, contexts: &[(&str, &[&str], &[&str])]) -> String {
    let mut s = format!("context: {current:?}\ncontexts:\n");
    if contexts.is_empty() {
        return format!("context: {current:?}\ncontexts: {{}}\n");
    }
    for (name, endpoints, nodes) in contexts {
        s.push_str(&format!("  {name:?}:\n    endpoints: {endpoints:?}\n"));
        if !nodes.is_empty() {
            s.push_str(&format!("    nodes: {nodes:?}\n"));
        }
    }
    s
}

/// The talosconfig `talosctl gen config foo …` writes (`spec/talosconfig.md` §2).
fn gen_config_text() -> String {
    "context: foo\ncontexts:\n    foo:\n        endpoints: []\n        ca: Q0EtUEVN\n        \
     crt: Q1JULVBFTQ==\n        key: S0VZLVBFTQ==\n"
        .to_string()
}

fn parse(bytes: &[u8]) -> Config {
    Config::parse(std::str::from_utf8(bytes).unwrap()).unwrap()
}

fn names(c: &Config) -> Vec<&str> {
    c.sorted_names()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// The directory's files, every one: the lock file an edit takes is gone again afterwards.
fn digest(env: &Env) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    env.tree_digest()
}

fn fail_one_line(env: &Env, args: &[&str], expected: &str) {
    let before = digest(env);
    let out = env.run(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "talmint {args:?}: {}",
        stderr(&out)
    );
    assert_eq!(
        stderr(&out),
        format!("error: {expected}\n"),
        "talmint {args:?}"
    );
    assert_eq!(digest(env), before, "talmint {args:?} changed files");
}

// ---------------------------------------------------------------------------------------- C5

#[test]
fn c5_config_info_prints_talosctls_text_for_each_sample() {
    for sample in ["default", "noroles", "futurerole"] {
        let Some(dir) = common::talos("talosconfig/config-info") else {
            return;
        };
        let env = Env::new();
        let input = std::fs::read(dir.join(format!("{sample}.talosconfig.yaml"))).unwrap();
        env.write("talosconfig", &input);
        let out = env.ok(&[
            "config",
            "info",
            "--talosconfig",
            "talosconfig",
            "--now",
            NOW,
        ]);
        let expected = std::fs::read(dir.join(format!("{sample}.info.txt"))).unwrap();
        assert_bytes_eq!(expected, out.stdout);
        assert_eq!(
            env.read("talosconfig"),
            input,
            "info must not rewrite the file"
        );
    }
}

#[test]
fn c5_config_info_clock_also_comes_from_talmint_now() {
    let Some(p) = common::talos("talosconfig/config-info/default.talosconfig.yaml") else {
        return;
    };
    let mut env = Env::new();
    env.vars
        .push(("TALMINT_NOW".into(), "2031-07-01T00:00:00Z".into()));
    let out = env.ok(&["config", "info", "--talosconfig", p.to_str().unwrap()]);
    assert!(
        stdout(&out).ends_with("Certificate expires: 2 days from now (2031-07-03)\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn c5_config_info_json_and_yaml_carry_the_keys() {
    let Some(p) = common::talos("talosconfig/config-info/default.talosconfig.yaml") else {
        return;
    };
    let env = Env::new();
    let args = [
        "config",
        "info",
        "--talosconfig",
        p.to_str().unwrap(),
        "--now",
        NOW,
    ];
    let json = env.ok(&[&args[..], &["-o", "json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "context",
        "nodes",
        "endpoints",
        "roles",
        "certTTL",
        "certNotAfter",
    ] {
        assert!(keys.contains(&key), "json lacks {key}: {}", stdout(&json));
    }
    assert_eq!(v["context"], "no-roles");
    assert_eq!(v["nodes"], serde_json::json!(["172.20.1.2"]));
    assert_eq!(v["roles"], serde_json::json!(["os:admin"]));
    assert_eq!(v["certTTL"], "10 years from now");
    assert_eq!(v["certNotAfter"], "2031-07-03");
    assert!(stdout(&json).starts_with("{\n  \"context\": \"no-roles\",\n  \"nodes\": [\n    \""));

    let yaml = env.ok(&[&args[..], &["-o", "yaml"]].concat());
    let v: serde_yaml::Value = serde_yaml::from_slice(&yaml.stdout).unwrap();
    for key in [
        "context",
        "nodes",
        "endpoints",
        "roles",
        "certTTL",
        "certNotAfter",
    ] {
        assert!(v.get(key).is_some(), "yaml lacks {key}: {}", stdout(&yaml));
    }
    assert_eq!(v["endpoints"][2].as_str(), Some("172.20.1.4"));
    assert_eq!(v["certNotAfter"].as_str(), Some("2031-07-03"));
}

#[test]
fn c5_config_info_yaml_is_go_yaml_encoder_output() {
    let Some(p) = common::talos("talosconfig/config-info/default.talosconfig.yaml") else {
        return;
    };
    let env = Env::new();
    let out = env.ok(&[
        "config",
        "info",
        "--talosconfig",
        p.to_str().unwrap(),
        "--now",
        NOW,
    ]
    .iter()
    .chain(&["-o", "yaml"])
    .copied()
    .collect::<Vec<_>>());
    assert_bytes_eq!(
        b"context: no-roles\nnodes:\n    - 172.20.1.2\nendpoints:\n    - 172.20.1.2\n    \
          - 172.20.1.3\n    - 172.20.1.4\nroles:\n    - os:admin\ncertTTL: 10 years from now\n\
          certNotAfter: \"2031-07-03\"\n",
        out.stdout
    );
}

#[test]
fn c5_config_info_unknown_format_is_talosctls_error() {
    let Some(p) = common::talos("talosconfig/config-info/default.talosconfig.yaml") else {
        return;
    };
    let env = Env::new();
    let args = [
        "config",
        "info",
        "--talosconfig",
        p.to_str().unwrap(),
        "-o",
        "table",
    ];
    fail_one_line(&env, &args, "unknown output format: \"table\"");
}

// ---------------------------------------------------------------------------------------- C6

#[test]
fn c6_merging_the_gen_config_talosconfig_twice_gives_foo_and_foo_1() {
    let env = Env::new();
    env.write("gen/talosconfig", gen_config_text());
    let merge = [
        "config",
        "merge",
        "gen/talosconfig",
        "--talosconfig",
        "merged",
    ];
    let first = env.ok(&merge);
    assert_eq!(stderr(&first), "");
    let second = env.ok(&merge);
    assert_eq!(
        stderr(&second),
        "renamed talosconfig context \"foo\" -> \"foo-1\"\n"
    );
    let merged = parse(&env.read("merged"));
    assert_eq!(names(&merged), ["foo", "foo-1"]);
    assert_eq!(merged.context, "foo-1");
    // Certificates are copied unchanged.
    for name in ["foo", "foo-1"] {
        let c = merged.get(name).unwrap();
        assert_eq!(
            (c.ca.as_str(), c.crt.as_str()),
            ("Q0EtUEVN", "Q1JULVBFTQ==")
        );
        assert_eq!(c.key.as_str(), "S0VZLVBFTQ==");
    }
    assert_eq!(mode(&env.path("merged")), 0o600);
}

#[test]
fn c6_prod_and_prod_1_present_merging_prod_gives_prod_2() {
    let env = Env::new();
    env.write(
        "target",
        config_text("prod", &[("prod", &["a"], &[]), ("prod-1", &["b"], &[])]),
    );
    env.write("incoming", config_text("prod", &[("prod", &["c"], &[])]));
    let out = env.ok(&["config", "merge", "incoming", "--talosconfig", "target"]);
    assert_eq!(
        stderr(&out),
        "renamed talosconfig context \"prod\" -> \"prod-2\"\n"
    );
    let merged = parse(&env.read("target"));
    assert_eq!(names(&merged), ["prod", "prod-1", "prod-2"]);
    assert_eq!(merged.get("prod-2").unwrap().endpoints, ["c"]);
    assert_eq!(merged.context, "prod-2");
}

#[test]
fn c6_source_without_current_context_keeps_the_targets() {
    let env = Env::new();
    env.write("target", config_text("bar", &[("bar", &["a"], &[])]));
    env.write("incoming", config_text("", &[("foo", &["b"], &[])]));
    env.ok(&["config", "merge", "incoming", "--talosconfig", "target"]);
    let merged = parse(&env.read("target"));
    assert_eq!(names(&merged), ["bar", "foo"]);
    assert_eq!(merged.context, "bar");
}

#[test]
fn c6_source_with_current_context_makes_it_current() {
    let env = Env::new();
    env.write("target", config_text("bar", &[("bar", &["a"], &[])]));
    env.write("incoming", config_text("foo", &[("foo", &["b"], &[])]));
    env.ok(&["config", "merge", "incoming", "--talosconfig", "target"]);
    assert_eq!(parse(&env.read("target")).context, "foo");
}

#[test]
fn c6_merging_a_missing_file_is_an_error_and_creates_nothing() {
    let env = Env::new();
    env.write("target", config_text("bar", &[("bar", &["a"], &[])]));
    fail_one_line(
        &env,
        &["config", "merge", "nope.yaml", "--talosconfig", "target"],
        "error reading config: open nope.yaml: no such file or directory",
    );
    assert!(!env.path("nope.yaml").exists());
}

#[test]
fn c6_merging_a_secrets_bundle_or_machine_config_is_an_error_naming_it() {
    let env = Env::new();
    env.write("target", config_text("bar", &[("bar", &["a"], &[])]));
    env.ok(&["gen", "secrets"]);
    for (dir, version) in [("v14", "v1.4"), ("cur", "v1.15")] {
        env.ok(&[
            "gen",
            "config",
            "demo",
            "https://10.5.0.2:6443",
            "--with-secrets",
            "secrets.yaml",
            "--talos-version",
            version,
            "-o",
            dir,
        ]);
    }
    fail_one_line(
        &env,
        &["config", "merge", "secrets.yaml", "--talosconfig", "target"],
        "secrets.yaml is a secrets bundle, not a talosconfig: nothing to merge; make a \
         talosconfig from it with talmint config new --with-secrets secrets.yaml, then merge that",
    );
    // One document (v1.4) reads as a talosconfig without contexts; several do not read at all.
    for file in [
        "v14/controlplane.yaml",
        "v14/worker.yaml",
        "cur/controlplane.yaml",
    ] {
        fail_one_line(
            &env,
            &["config", "merge", file, "--talosconfig", "target"],
            &format!(
                "{file} is a machine config, not a talosconfig: nothing to merge; merge the \
                 talosconfig that gen config wrote beside it"
            ),
        );
    }
    env.write("other.yaml", "foo: bar\n");
    fail_one_line(
        &env,
        &["config", "merge", "other.yaml", "--talosconfig", "target"],
        "other.yaml is not a talosconfig (no contexts): nothing to merge; give a talosconfig file",
    );
    // A talosconfig without contexts merges as a no-op, as with talosctl.
    env.write("empty", EMPTY);
    env.ok(&["config", "merge", "empty", "--talosconfig", "target"]);
    assert_eq!(names(&parse(&env.read("target"))), ["bar"]);
}

#[test]
fn c6_on_conflict_overwrite_skip_and_fail() {
    let env = Env::new();
    let target = config_text("x", &[("x", &["x"], &[]), ("foo", &["old"], &[])]);
    env.write(
        "incoming",
        config_text("foo", &[("foo", &["renewed"], &[])]),
    );

    env.write("target", &target);
    let out = env.ok(&[
        "config",
        "merge",
        "incoming",
        "--talosconfig",
        "target",
        "--on-conflict",
        "overwrite",
    ]);
    assert_eq!(stderr(&out), "overwrote talosconfig context \"foo\"\n");
    let merged = parse(&env.read("target"));
    assert_eq!(names(&merged), ["foo", "x"]);
    assert_eq!(merged.get("foo").unwrap().endpoints, ["renewed"]);
    assert_eq!(merged.context, "foo");

    env.write("target", &target);
    let out = env.ok(&[
        "config",
        "merge",
        "incoming",
        "--talosconfig",
        "target",
        "--on-conflict",
        "skip",
    ]);
    assert_eq!(
        stderr(&out),
        "skipped talosconfig context \"foo\": name already taken\n"
    );
    let merged = parse(&env.read("target"));
    assert_eq!(merged.get("foo").unwrap().endpoints, ["old"]);
    assert_eq!(merged.context, "x");

    env.write("target", &target);
    fail_one_line(
        &env,
        &[
            "config",
            "merge",
            "incoming",
            "--talosconfig",
            "target",
            "--on-conflict",
            "fail",
        ],
        "context \"foo\" already defined in the target talosconfig: use --on-conflict rename, \
         overwrite or skip",
    );
    assert_eq!(env.read("target"), target.as_bytes());
}

// ------------------------------------------------------------------------- proxy-url, contexts

#[test]
fn proxy_url_round_trips_through_the_model() {
    let Some(p) = common::talos("talosconfig/proxy-url-roundtrip.talosconfig.yaml") else {
        return;
    };
    let mut config = Config::parse(&std::fs::read_to_string(p).unwrap()).unwrap();
    let again = Config::parse(&config.to_yaml()).unwrap();
    assert_eq!(
        again.get("test").unwrap().proxy_url,
        "socks5://localhost:1080"
    );
    config.get_mut("test").unwrap().proxy_url.clear();
    let cleared = config.to_yaml();
    assert!(!cleared.contains("proxy-url"), "{}", cleared.as_str());
    assert_eq!(
        Config::parse(&cleared)
            .unwrap()
            .get("test")
            .unwrap()
            .proxy_url,
        ""
    );
}

#[test]
fn proxy_url_command_gets_sets_and_clears() {
    let Some(p) = common::talos("talosconfig/proxy-url-input.talosconfig.yaml") else {
        return;
    };
    let env = Env::new();
    env.write("tc", std::fs::read(p).unwrap());
    let get = ["config", "proxy-url", "--talosconfig", "tc"];
    assert_eq!(stdout(&env.ok(&get)), "\n");
    env.ok(&[
        "config",
        "proxy-url",
        "socks5://localhost:1080",
        "--talosconfig",
        "tc",
    ]);
    assert_eq!(stdout(&env.ok(&get)), "socks5://localhost:1080\n");
    env.ok(&["config", "proxy-url", "", "--talosconfig", "tc"]);
    assert_eq!(stdout(&env.ok(&get)), "\n");
    let text = String::from_utf8(env.read("tc")).unwrap();
    assert!(!text.contains("proxy-url"), "{text}");
    assert_eq!(
        parse(text.as_bytes()).get("test").unwrap().endpoints,
        ["192.168.1.1:50000"]
    );
}

#[test]
fn contexts_table_with_zero_one_and_five_contexts() {
    let env = Env::new();
    env.write("zero", EMPTY);
    let out = env.ok(&["config", "contexts", "--talosconfig", "zero"]);
    assert_eq!(stdout(&out), "CURRENT   NAME   ENDPOINTS   NODES\n");

    env.write(
        "one",
        config_text("only", &[("only", &["10.5.0.2"], &["10.5.0.4"])]),
    );
    let out = env.ok(&["config", "get-contexts", "--talosconfig", "one"]);
    assert_eq!(
        stdout(&out),
        "CURRENT   NAME   ENDPOINTS   NODES\n\
         *         only   10.5.0.2    10.5.0.4\n"
    );

    env.write(
        "five",
        config_text(
            "prod",
            &[
                ("staging", &["10.0.0.1", "10.0.0.2"], &[]),
                (
                    "prod",
                    &["1.1.1.1", "1.1.1.2", "1.1.1.3"],
                    &["n1", "n2", "n3", "n4", "n5"],
                ),
                ("dev", &[], &["d1", "d2", "d3"]),
                ("reader@prod", &["1.1.1.1"], &["n1"]),
                ("Zeta", &["z"], &["a", "b", "c", "d"]),
            ],
        ),
    );
    let out = env.ok(&["config", "contexts", "--talosconfig", "five"]);
    assert_eq!(
        stdout(&out),
        "CURRENT   NAME          ENDPOINTS                 NODES\n\
         \x20         Zeta          z                         a,b,c...\n\
         \x20         dev                                     d1,d2,d3\n\
         *         prod          1.1.1.1,1.1.1.2,1.1.1.3   n1,n2,n3...\n\
         \x20         reader@prod   1.1.1.1                   n1\n\
         \x20         staging       10.0.0.1,10.0.0.2         \n"
    );
}

// -------------------------------------------------------------------------------------- remove

#[test]
fn remove_with_a_glob_removes_matches_and_skips_the_current_context() {
    let env = Env::new();
    let text = config_text(
        "prod-2",
        &[
            ("prod-1", &["a"], &[]),
            ("prod-2", &["b"], &[]),
            ("prod-10", &["c"], &[]),
            ("dev", &["d"], &[]),
        ],
    );
    env.write("tc", &text);
    let out = env.ok(&["config", "remove", "prod-*", "-y", "--talosconfig", "tc"]);
    assert_eq!(
        stderr(&out),
        "removing context \"prod-1\"\nremoving context \"prod-10\"\n\
         skipping removal of current context \"prod-2\", please change it to another before \
         removing\n"
    );
    let left = parse(&env.read("tc"));
    assert_eq!(names(&left), ["dev", "prod-2"]);
    assert_eq!(left.context, "prod-2");
}

#[test]
fn remove_of_only_the_current_context_writes_nothing() {
    let env = Env::new();
    env.write(
        "tc",
        config_text("prod", &[("prod", &["a"], &[]), ("dev", &["d"], &[])]),
    );
    let before = digest(&env);
    let out = env.ok(&["config", "remove", "prod", "-y", "--talosconfig", "tc"]);
    assert_eq!(
        stderr(&out),
        "skipping removal of current context \"prod\", please change it to another before removing\n"
    );
    assert_eq!(digest(&env), before);
}

#[test]
fn remove_dry_run_writes_nothing() {
    let env = Env::new();
    env.write(
        "tc",
        config_text("dev", &[("prod", &["a"], &[]), ("dev", &["d"], &[])]),
    );
    let before = digest(&env);
    let out = env.ok(&[
        "config",
        "remove",
        "*",
        "-y",
        "--dry-run",
        "--talosconfig",
        "tc",
    ]);
    assert_eq!(
        stderr(&out),
        "skipping removal of current context \"dev\", please change it to another before removing\n\
         removing context \"prod\"\n"
    );
    assert_eq!(digest(&env), before);
}

#[test]
fn remove_asks_for_each_match_unless_y() {
    let env = Env::new();
    env.write(
        "tc",
        config_text("", &[("a1", &[], &[]), ("a2", &[], &[]), ("a3", &[], &[])]),
    );
    let out = env.run_with_stdin(
        &["config", "remove", "a*", "--talosconfig", "tc"],
        b"y\nno\nYES\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "remove context \"a1\"? (y/N): remove context \"a2\"? (y/N): remove context \"a3\"? (y/N): "
    );
    assert_eq!(names(&parse(&env.read("tc"))), ["a2"]);
}

// ---------------------------------------------------------------------------------------- C7

#[test]
fn c7_missing_default_config_is_created_0600_in_a_0700_directory() {
    let env = Env::new();
    let out = env.ok(&["config", "contexts"]);
    assert_eq!(stdout(&out), "CURRENT   NAME   ENDPOINTS   NODES\n");
    let file = env.path("home/.talos/config");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&env.path("home/.talos")), 0o700);
    let created = parse(&env.read("home/.talos/config"));
    assert_eq!((created.context.as_str(), created.contexts.len()), ("", 0));
}

#[test]
fn c7_read_only_commands_do_not_create_a_missing_talosconfig_flag_file() {
    let env = Env::new();
    for file in ["typo.tc", "no/such/dir/typo.tc"] {
        for cmd in [&["info"][..], &["contexts"], &["proxy-url"]] {
            fail_one_line(
                &env,
                &[&["config"][..], cmd, &["--talosconfig", file]].concat(),
                &format!(
                    "talosconfig {file} does not exist: check the --talosconfig path (config new, \
                     add and merge create one)"
                ),
            );
        }
    }
    assert!(!env.path("no").exists());
    // The default path is still created as talosctl creates it, and so is a file an edit names.
    env.ok(&["config", "contexts"]);
    assert!(env.path("home/.talos/config").exists());
    env.ok(&["config", "add", "w", "--talosconfig", "typo.tc"]);
    assert_eq!(names(&parse(&env.read("typo.tc"))), ["w"]);
}

#[test]
fn c7_created_empty_config_is_exactly_talosctls() {
    let env = Env::new();
    // `$TALOSCONFIG` is a default path: created (a missing `--talosconfig` is an error).
    let out = env
        .talmint()
        .env("TALOSCONFIG", "sub/dir/explicit")
        .args(["config", "contexts"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_bytes_eq!(EMPTY.as_bytes(), env.read("sub/dir/explicit"));
    assert_eq!(mode(&env.path("sub/dir")), 0o700);
    env.ok(&["config", "contexts"]);
    assert_bytes_eq!(EMPTY.as_bytes(), env.read("home/.talos/config"));
}

/// An environment where every source exists, each holding one context named after it.
fn all_sources(env: &mut Env) {
    for (rel, name) in [
        ("flag.yaml", "from-flag"),
        ("env.yaml", "from-talosconfig-env"),
        ("talos-home/config", "from-talos-home"),
        ("home/.talos/config", "from-home"),
        ("sa/config", "from-service-account"),
    ] {
        env.write(rel, config_text(name, &[(name, &["10.5.0.2"], &[])]));
    }
    env.vars
        .push((SA_ENV.into(), env.path("sa/config").display().to_string()));
}

fn current_context(env: &Env, extra: &[&str]) -> String {
    let out = env.ok(&[&["config", "info"], extra].concat());
    let text = stdout(&out);
    text.lines()
        .next()
        .unwrap()
        .trim_start_matches("Current context:")
        .trim()
        .to_string()
}

#[test]
fn c7_talosconfig_flag_beats_every_default() {
    let mut env = Env::new();
    all_sources(&mut env);
    env.vars.push((
        "TALOSCONFIG".into(),
        env.path("env.yaml").display().to_string(),
    ));
    env.vars.push((
        "TALOS_HOME".into(),
        env.path("talos-home").display().to_string(),
    ));
    assert_eq!(
        current_context(&env, &["--talosconfig", "flag.yaml"]),
        "from-flag"
    );
}

#[test]
fn c7_talosconfig_env_beats_talos_home_home_and_service_account() {
    let mut env = Env::new();
    all_sources(&mut env);
    env.vars.push((
        "TALOSCONFIG".into(),
        env.path("env.yaml").display().to_string(),
    ));
    env.vars.push((
        "TALOS_HOME".into(),
        env.path("talos-home").display().to_string(),
    ));
    assert_eq!(current_context(&env, &[]), "from-talosconfig-env");
    // Set but missing: the next existing source wins.
    let mut env = Env::new();
    all_sources(&mut env);
    env.vars.push((
        "TALOSCONFIG".into(),
        env.path("missing.yaml").display().to_string(),
    ));
    assert_eq!(current_context(&env, &[]), "from-home");
}

#[test]
fn c7_absolute_talos_home_replaces_home_dot_talos() {
    let mut env = Env::new();
    all_sources(&mut env);
    env.vars.push((
        "TALOS_HOME".into(),
        env.path("talos-home").display().to_string(),
    ));
    assert_eq!(current_context(&env, &[]), "from-talos-home");
    // A relative TALOS_HOME is ignored.
    let mut env = Env::new();
    all_sources(&mut env);
    env.vars.push(("TALOS_HOME".into(), "talos-home".into()));
    assert_eq!(current_context(&env, &[]), "from-home");
}

#[test]
fn c7_home_dot_talos_beats_the_service_account() {
    let mut env = Env::new();
    all_sources(&mut env);
    assert_eq!(current_context(&env, &[]), "from-home");
}

#[test]
fn c7_service_account_config_is_used_read_only() {
    let mut env = Env::new();
    all_sources(&mut env);
    std::fs::remove_file(env.path("home/.talos/config")).unwrap();
    assert_eq!(current_context(&env, &[]), "from-service-account");
    let sa = env.path("sa/config");
    fail_one_line(
        &env,
        &["config", "endpoint", "1.2.3.4"],
        &format!(
            "error writing config: not allowed to write to config: {}",
            sa.display()
        ),
    );
    // Reads and dry runs are fine.
    let out = env.ok(&["config", "contexts"]);
    assert!(stdout(&out).contains("from-service-account"));
}

#[test]
fn c7_nothing_exists_creates_the_talosconfig_env_path() {
    let mut env = Env::new();
    env.vars.push((
        "TALOSCONFIG".into(),
        env.path("new/tc").display().to_string(),
    ));
    env.ok(&["config", "add", "x"]);
    assert!(parse(&env.read("new/tc")).contains("x"));
    assert!(!env.path("home/.talos").exists());
}

// ---------------------------------------------------------------------------------------- C8

#[test]
fn c8_contexts_are_written_in_natural_order() {
    let env = Env::new();
    for name in ["prod-10", "prod-2", "prod-1", "prod"] {
        env.ok(&["config", "add", name, "--talosconfig", "tc"]);
    }
    let text = String::from_utf8(env.read("tc")).unwrap();
    assert_eq!(
        text,
        "context: \"\"\ncontexts:\n    prod:\n        endpoints: []\n    prod-1:\n        \
         endpoints: []\n    prod-2:\n        endpoints: []\n    prod-10:\n        endpoints: []\n"
    );
}

#[test]
fn c8_merged_file_is_byte_identical_to_talosctls() {
    let env = Env::new();
    env.write("gen", gen_config_text());
    env.ok(&["config", "merge", "gen", "--talosconfig", "tc"]);
    // Same contexts, same values: the bytes talosctl writes for this config.
    assert_bytes_eq!(gen_config_text().as_bytes(), env.read("tc"));
    env.ok(&["config", "node", "10.5.0.4", "--talosconfig", "tc"]);
    env.ok(&[
        "config",
        "endpoints",
        "10.5.0.2",
        "10.5.0.3",
        "--talosconfig",
        "tc",
    ]);
    assert_bytes_eq!(
        b"context: foo\ncontexts:\n    foo:\n        endpoints:\n            - 10.5.0.2\n            \
          - 10.5.0.3\n        nodes:\n            - 10.5.0.4\n        ca: Q0EtUEVN\n        \
          crt: Q1JULVBFTQ==\n        key: S0VZLVBFTQ==\n",
        env.read("tc")
    );
}

// ---------------------------------------------------------------------------- other commands

#[test]
fn endpoint_node_and_context_edit_the_selected_context() {
    let env = Env::new();
    env.write(
        "tc",
        config_text("a", &[("a", &["old"], &["n"]), ("b", &[], &[])]),
    );
    env.ok(&[
        "config",
        "endpoint",
        " 10.5.0.2 ",
        "10.5.0.3",
        "--talosconfig",
        "tc",
    ]);
    env.ok(&["config", "nodes", "--talosconfig", "tc"]);
    env.ok(&[
        "config",
        "node",
        "10.5.0.9",
        "--context",
        "b",
        "--talosconfig",
        "tc",
    ]);
    env.ok(&["config", "use-context", "b", "--talosconfig", "tc"]);
    let c = parse(&env.read("tc"));
    assert_eq!(c.get("a").unwrap().endpoints, ["10.5.0.2", "10.5.0.3"]);
    assert!(c.get("a").unwrap().nodes.is_empty());
    assert_eq!(c.get("b").unwrap().nodes, ["10.5.0.9"]);
    assert_eq!(c.context, "b");
}

#[test]
fn add_stores_the_files_base64_and_keeps_the_current_context() {
    let env = Env::new();
    env.write("tc", config_text("a", &[("a", &["x"], &[])]));
    env.write("ca.crt", "CA-PEM");
    env.write("admin.crt", "CRT-PEM");
    env.write("admin.key", "KEY-PEM");
    std::fs::set_permissions(env.path("tc"), std::fs::Permissions::from_mode(0o640)).unwrap();
    env.ok(&[
        "config",
        "add",
        "b",
        "--ca",
        "ca.crt",
        "--crt",
        "admin.crt",
        "--key",
        "admin.key",
        "--talosconfig",
        "tc",
    ]);
    let c = parse(&env.read("tc"));
    let b = c.get("b").unwrap();
    assert_eq!(
        (b.ca.as_str(), b.crt.as_str(), b.key.as_str()),
        ("Q0EtUEVN", "Q1JULVBFTQ==", "S0VZLVBFTQ==")
    );
    assert!(b.endpoints.is_empty());
    assert_eq!(c.context, "a");
    assert_eq!(
        mode(&env.path("tc")),
        0o640,
        "an existing file keeps its mode"
    );
}

#[test]
fn add_warns_about_wrong_or_mismatched_files_but_stores_them_as_talosctl() {
    let env = Env::new();
    env.ok(&["gen", "ca", "--organization", "admin"]);
    env.ok(&["gen", "ca", "--organization", "other"]);
    let add = |name: &str, ca: &str, crt: &str, key: &str| {
        let out = env.ok(&[
            "config",
            "add",
            name,
            "--ca",
            ca,
            "--crt",
            crt,
            "--key",
            key,
            "--talosconfig",
            "tc",
        ]);
        assert!(parse(&env.read("tc")).get(name).is_some(), "{name} stored");
        stderr(&out)
    };
    let swapped = add("w", "admin.key", "admin.key", "admin.crt");
    let lines: Vec<&str> = swapped.lines().collect();
    assert_eq!(lines.len(), 3, "{swapped}");
    for (line, start) in lines.iter().zip([
        "warning: --ca admin.key is not a certificate (",
        "warning: --crt admin.key is not a certificate (",
        "warning: --key admin.crt is not a private key (",
    ]) {
        assert!(line.starts_with(start), "{line}");
        assert!(line.ends_with("context \"w\" stored as given, but it will not work; add it again with the right files"), "{line}");
        assert!(!line.contains("PRIVATE KEY-----"), "{line}");
    }
    assert_eq!(
        add("m", "admin.crt", "admin.crt", "other.key"),
        "warning: --key other.key does not match the certificate in --crt admin.crt: context \"m\" \
         stored as given, but it will not work; add it again with the right files\n"
    );
    assert_eq!(add("ok", "admin.crt", "admin.crt", "admin.key"), "");
}

#[test]
fn an_edit_through_a_symlink_replaces_the_target_not_the_link() {
    let env = Env::new();
    env.write("real/tc", config_text("a", &[("a", &[], &[])]));
    std::os::unix::fs::symlink(env.path("real/tc"), env.path("link")).unwrap();
    env.ok(&["config", "endpoint", "1.2.3.4", "--talosconfig", "link"]);
    assert!(env
        .path("link")
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        parse(&env.read("real/tc")).get("a").unwrap().endpoints,
        ["1.2.3.4"]
    );
}

/// The file `text` becomes once `config node 1.1.1.1` has edited it.
fn after_a_node_edit(text: &str) -> String {
    let env = Env::new();
    env.write("tc", text);
    env.ok(&["config", "node", "1.1.1.1", "--talosconfig", "tc"]);
    String::from_utf8(env.read("tc")).unwrap()
}

#[test]
fn numbers_and_booleans_in_string_fields_read_as_their_text() {
    // go-yaml stores any scalar into a Go string: talosctl reads `cluster: 2024` as "2024" and
    // writes it back quoted.
    let text = after_a_node_edit(
        "context: p\ncontexts:\n  p:\n    cluster: 2024\n    endpoints: [10, true]\n",
    );
    assert!(text.contains("cluster: \"2024\""), "{text}");
    assert_eq!(
        parse(text.as_bytes()).get("p").unwrap().endpoints,
        ["10", "true"]
    );
}

#[test]
fn empty_auth_fields_are_written_as_talosctl_writes_them() {
    // Username, password and identity have no omitempty in talosctl's structs.
    let text = after_a_node_edit(
        "context: p\ncontexts:\n  p:\n    endpoints: [a]\n    auth: {basic: {username: u}, siderov1: {identity: \"\"}}\n",
    );
    assert!(
        text.ends_with(
            "        auth:\n            basic:\n                username: u\n                password: \"\"\n            siderov1:\n                identity: \"\"\n"
        ),
        "{text}"
    );
}

#[test]
fn a_failed_edit_of_a_missing_talosconfig_leaves_no_directory() {
    let env = Env::new();
    let before = digest(&env);
    let out = env.run(&[
        "config",
        "endpoint",
        "1.1.1.1",
        "--talosconfig",
        "nd/sub/tc",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        !env.path("nd").exists(),
        "the directories made for it are removed"
    );
    assert_eq!(digest(&env), before);
}

#[test]
fn an_empty_talosconfig_is_an_error_not_an_empty_config() {
    // A truncated file: talosctl's decoder says EOF and stops; nothing is written into it.
    let env = Env::new();
    env.write("tc", "# nothing here\n\n");
    env.write("src", config_text("a", &[("a", &[], &[])]));
    let before = digest(&env);
    let out = env.run(&["config", "merge", "src", "--talosconfig", "tc"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("tc: not a talosconfig: EOF"),
        "{}",
        stderr(&out)
    );
    assert_eq!(digest(&env), before);
}

#[test]
fn a_symlink_to_a_talosconfig_not_yet_there_is_created_through() {
    // A dotfile manager's link, before its first use: talosctl's os.WriteFile creates the target.
    let env = Env::new();
    env.write("src", config_text("a", &[("a", &["10.0.0.1"], &[])]));
    std::fs::create_dir(env.path("dotfiles")).unwrap();
    std::os::unix::fs::symlink("dotfiles/talosconfig", env.path("link")).unwrap();
    env.ok(&["config", "merge", "src", "--talosconfig", "link"]);
    assert!(env
        .path("link")
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
    let merged = parse(&env.read("dotfiles/talosconfig"));
    assert_eq!(merged.get("a").unwrap().endpoints, ["10.0.0.1"]);
    assert_eq!(mode(&env.path("dotfiles/talosconfig")), 0o600);
}

#[test]
fn a_forced_gen_output_through_a_symlink_replaces_the_target_not_the_link() {
    // A dotfile manager's link stays a link, as with talosctl's os.WriteFile.
    let env = Env::new();
    env.write("real/secrets.yaml", "old\n");
    std::os::unix::fs::symlink(env.path("real/secrets.yaml"), env.path("secrets.yaml")).unwrap();
    env.ok(&["gen", "secrets", "-o", "secrets.yaml", "--force"]);
    let link = env.path("secrets.yaml").symlink_metadata().unwrap();
    assert!(link.file_type().is_symlink());
    assert!(String::from_utf8(env.read("real/secrets.yaml"))
        .unwrap()
        .starts_with("cluster:\n"));
    assert_eq!(mode(&env.path("real/secrets.yaml")), 0o600);
}

/// Whether this process may give files away (root, whose new files are owned by uid 0).
fn may_chown(env: &Env) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(env.write("probe", "")).unwrap().uid() == 0
}

#[test]
fn a_device_given_as_output_is_written_into_not_replaced() {
    // `-o /dev/null --force` must not turn /dev/null into a file (it did: renamed over). The test
    // makes its own null device, so a failure cannot break the machine's.
    let env = Env::new();
    let made = Command::new("mknod")
        .args([env.path("null").to_str().unwrap(), "c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: cannot make a device node here (not root)");
        return;
    }
    env.ok(&["gen", "secrets", "-o", "null", "--force"]);
    env.ok(&["gen", "secrets", "-o", "s.yaml"]);
    env.ok(&[
        "config",
        "new",
        "null",
        "--force",
        "--with-secrets",
        "s.yaml",
    ]);
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata(env.path("null"))
        .unwrap()
        .file_type();
    assert!(kind.is_char_device(), "still a device");
}

/// A one-context talosconfig at `rel` owned by uid/gid 65534; `None` (with a note) when this
/// process cannot give files away.
fn talosconfig_of_nobody(env: &Env, rel: &str) -> Option<PathBuf> {
    if !may_chown(env) {
        eprintln!("skipped: only root can make a file owned by someone else");
        return None;
    }
    let tc = env.write(rel, config_text("a", &[("a", &[], &[])]));
    std::os::unix::fs::chown(&tc, Some(65534), Some(65534)).unwrap();
    Some(tc)
}

#[test]
fn replacing_a_talosconfig_keeps_its_owner_and_group() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::new();
    let Some(tc) = talosconfig_of_nobody(&env, "tc") else {
        return;
    };
    env.ok(&["config", "node", "10.0.0.1", "--talosconfig", "tc"]);
    let meta = std::fs::metadata(&tc).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(parse(&env.read("tc")).get("a").unwrap().nodes, ["10.0.0.1"]);
}

#[test]
fn a_writable_talosconfig_in_a_directory_that_is_not_is_edited_in_place() {
    // A shared talosconfig its user may write, in a directory only root may: no temporary or
    // lock file can be made beside it, so it is locked and rewritten in place, as talosctl does.
    let env = Env::new();
    if talosconfig_of_nobody(&env, "shared/tc").is_none() {
        return;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_talmint"))
        .args([
            "config",
            "endpoint",
            "10.9.9.9",
            "--talosconfig",
            "shared/tc",
        ])
        .env("HOME", env.path(""))
        .current_dir(env.path(""))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        parse(&env.read("shared/tc")).get("a").unwrap().endpoints,
        ["10.9.9.9"]
    );
    assert_eq!(std::fs::read_dir(env.path("shared")).unwrap().count(), 1);
}

#[test]
fn a_bind_mounted_talosconfig_is_written_in_place() {
    // `docker run -v ~/.talos/config:/root/.talos/config`: a mount point cannot be renamed over,
    // so the edit writes the file in place, as talosctl does. In a private mount namespace, so
    // nothing outlives the test.
    let env = Env::new();
    env.write("host", config_text("a", &[("a", &[], &[])]));
    env.write("mounted", "");
    let script = format!(
        "mount --bind host mounted || exit 97; exec {} config node 10.0.0.9 --talosconfig mounted",
        env!("CARGO_BIN_EXE_talmint")
    );
    let out = Command::new("unshare")
        .args(["--mount", "sh", "-c", &script])
        .current_dir(env.path(""))
        .output()
        .unwrap();
    if out.status.code() == Some(97) {
        eprintln!("skipped: no bind mounts here: {}", stderr(&out));
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        parse(&env.read("host")).get("a").unwrap().nodes,
        ["10.0.0.9"]
    );
}

// -------------------------------------------------------------------------------- robustness

#[test]
fn fifty_concurrent_merges_lose_nothing() {
    let env = Env::new();
    for i in 0..50 {
        env.write(
            &format!("src/{i}"),
            config_text("", &[(&format!("ctx-{i}"), &["e"], &[])]),
        );
    }
    let children: Vec<_> = (0..50)
        .map(|i| {
            env.talmint()
                .args([
                    "config",
                    "merge",
                    &format!("src/{i}"),
                    "--talosconfig",
                    "tc",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let merged = parse(&env.read("tc"));
    assert_eq!(merged.contexts.len(), 50);
    for i in 0..50 {
        assert!(merged.contains(&format!("ctx-{i}")), "ctx-{i} lost");
    }
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".talmint-") || n.ends_with(".lock"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary or lock files left: {leftovers:?}"
    );
}

#[test]
fn bad_input_one_line_nonzero_exit_file_unchanged() {
    let env = Env::new();
    env.write("garbage", "contexts: [unclosed\n\t- : :\n");
    env.write("tc", config_text("a", &[("a", &["x"], &[])]));
    env.write("noctx", config_text("", &[("a", &["x"], &[])]));
    env.write("admin.crt", "CRT-PEM");
    let cases: &[(&[&str], &str)] = &[
        (
            &["config", "endpoint", "1.2.3.4", "--talosconfig", "garbage"],
            "error reading config: garbage: not a talosconfig",
        ),
        (
            &["config", "contexts", "--talosconfig", "garbage"],
            "error reading config: garbage: not a talosconfig",
        ),
        (
            &["config", "context", "nope", "--talosconfig", "tc"],
            // talosctl's message, then (review r14) the contexts there are.
            "context \"nope\" is not defined (contexts: \"a\")",
        ),
        (
            &[
                "config",
                "endpoint",
                "1.2.3.4",
                "--context",
                "nope",
                "--talosconfig",
                "tc",
            ],
            "context \"nope\" is not defined",
        ),
        (
            &["config", "info", "--talosconfig", "noctx"],
            "no context is set",
        ),
        (
            &["config", "node", "n", "--talosconfig", "noctx"],
            "no context is set",
        ),
        (
            &[
                "config",
                "add",
                "b",
                "--crt",
                "admin.crt",
                "--talosconfig",
                "tc",
            ],
            "if either the 'crt' or 'key' flag is specified, both are required",
        ),
        (
            &[
                "config",
                "add",
                "b",
                "--key",
                "admin.crt",
                "--talosconfig",
                "new-file",
            ],
            "if either the 'crt' or 'key' flag is specified, both are required",
        ),
        (
            &[
                "config",
                "add",
                "b",
                "--ca",
                "missing.crt",
                "--talosconfig",
                "tc",
            ],
            "error reading CA: open missing.crt: no such file or directory",
        ),
        (
            &["config", "remove", "zzz*", "-y", "--talosconfig", "tc"],
            "no contexts matched \"zzz*\"",
        ),
        (
            &[
                "config",
                "remove",
                "*",
                "-y",
                "--talosconfig",
                "noctx-empty",
            ],
            "no contexts defined",
        ),
        (
            &["config", "remove", "", "-y", "--talosconfig", "tc"],
            "no context specified",
        ),
    ];
    env.write("noctx-empty", EMPTY);
    for (args, expected) in cases {
        let before = digest(&env);
        let out = env.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "talmint {args:?}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "talmint {args:?}: {err}");
        assert!(
            err.starts_with(&format!("error: {expected}")),
            "talmint {args:?}: {err}"
        );
        assert_eq!(digest(&env), before, "talmint {args:?} changed files");
    }
}

#[test]
fn missing_home_is_talosctls_error() {
    let mut env = Env::new();
    env.vars.retain(|(k, _)| k != "HOME");
    fail_one_line(
        &env,
        &["config", "contexts"],
        "error reading config: $HOME is not defined",
    );
}

#[test]
fn every_config_subcommand_accepts_the_global_flags() {
    let env = Env::new();
    env.write("tc", config_text("a", &[("a", &["x"], &[])]));
    for sub in [
        &["contexts"][..],
        &["info"],
        &["proxy-url"],
        &["endpoint", "y"],
        &["node"],
    ] {
        let args: Vec<&str> = ["config"]
            .iter()
            .chain(sub)
            .chain(&[
                "--talosconfig",
                "tc",
                "-n",
                "1.1.1.1,2.2.2.2",
                "-e",
                "3.3.3.3",
                "--context",
                "a",
            ])
            .copied()
            .collect();
        env.ok(&args);
    }
}

#[test]
fn parse_errors_name_the_place_but_never_echo_a_value() {
    let env = Env::new();
    let secret = "LS0tLS1CRUdJTiBFRDI1NTE5IFBSSVZBVEUgS0VZLS0tLS0K";
    for (file, text, expected) in [
        (
            "value-as-context",
            format!("context: a\ncontexts:\n  a: \"{secret}\"\n"),
            "contexts.\"a\": invalid type: string (value hidden), expected a context mapping",
        ),
        (
            "not-a-mapping",
            format!("{secret}\n"),
            "invalid type: string (value hidden), expected a talosconfig mapping",
        ),
        (
            // (A number alone reads as its text, as go-yaml reads it into a string.)
            "key-as-list",
            "contexts:\n  a:\n    key: [123456]\n".to_string(),
            "contexts.\"a\": invalid type: sequence, expected a string",
        ),
    ] {
        env.write(file, &text);
        let out = env.run(&["config", "info", "--talosconfig", file]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert_eq!(
            err,
            format!("error: error reading config: {file}: not a talosconfig: {expected}\n")
        );
        assert!(!err.contains(secret) && !err.contains("123456"), "{err}");
        assert_eq!(env.read(file), text.as_bytes());
    }
}

#[test]
fn merge_help_says_talosctls_order_is_random_and_ours_is_fixed() {
    let env = Env::new();
    let help = stdout(&env.ok(&["config", "merge", "--help"]));
    assert!(help.contains("go-yaml natural order"), "{help}");
    assert!(help.contains("random map order"), "{help}");
    assert!(help.contains("--on-conflict"), "{help}");
}

#[test]
fn base64_wrapped_over_lines_reads_as_talosctl_reads_it() {
    // `base64 admin.crt` wraps at 76 columns; Go's StdEncoding ignores the line breaks, so
    // talosctl reads such a talosconfig, and so must every talmint command.
    let env = Env::new();
    env.ok(&["gen", "secrets", "-o", "s.yaml"]);
    env.ok(&[
        "config",
        "new",
        "tc",
        "--with-secrets",
        "s.yaml",
        "--roles",
        "os:reader",
    ]);
    let text = String::from_utf8(env.read("tc")).unwrap();
    let mut wrapped = String::new();
    for line in text.lines() {
        match line.trim_start().split_once(": ") {
            Some((key @ ("ca" | "crt" | "key"), value)) => {
                let indent = &line[..line.len() - line.trim_start().len()];
                wrapped.push_str(&format!("{indent}{key}: |\n"));
                for chunk in value.as_bytes().chunks(76) {
                    let chunk = std::str::from_utf8(chunk).unwrap();
                    wrapped.push_str(&format!("{indent}    {chunk}\n"));
                }
            }
            _ => wrapped.push_str(&format!("{line}\n")),
        }
    }
    env.write("wrapped", &wrapped);
    let on = ["--talosconfig", "wrapped"];
    env.ok(&[&["config", "info"][..], &on].concat());
    env.ok(&[&["auth", "can-i", "version"][..], &on].concat());
    env.ok(&["verify", "wrapped", "--with-secrets", "s.yaml"]);
    env.ok(&["check-expiration", "wrapped"]);
    env.ok(&["inspect", "wrapped"]);
    env.ok(&[&["config", "renew", "--with-secrets", "s.yaml"][..], &on].concat());
}
