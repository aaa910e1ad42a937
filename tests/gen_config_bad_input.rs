//! `gen config` bad input: each case exits non-zero with exactly one stderr line carrying the
//! expected text, and leaves the directory exactly as it was (no output half-written).

mod common;

use common::Env;

/// One case: files to create first, arguments, exit code, text the error line must contain.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: Vec<String>,
    code: i32,
    expect: String,
}

fn stability_secrets() -> Option<String> {
    common::talos("stability/secrets.yaml").map(|p| p.display().to_string())
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `gen config c https://10.5.0.2:6443 --with-secrets <stability bundle> <extra…>`.
fn with_secrets(extra: &[&str]) -> Vec<String> {
    let mut a = args(&["gen", "config", "c", "https://10.5.0.2:6443"]);
    if let Some(s) = stability_secrets() {
        a.extend(["--with-secrets".to_string(), s]);
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        Case {
            name: "endpoint without scheme and port",
            files: &[],
            args: args(&["gen", "config", "c", "192.168.0.1"]),
            code: 1,
            expect: "error: no scheme and port specified for the cluster endpoint URL try: \
                     \"https://192.168.0.1:6443\""
                .into(),
        },
        Case {
            name: "endpoint without scheme",
            files: &[],
            args: args(&["gen", "config", "c", "192.168.0.1:6443"]),
            code: 1,
            expect: "error: no scheme specified for the cluster endpoint URL try: \
                     \"https://192.168.0.1:6443\""
                .into(),
        },
        Case {
            name: "http endpoint",
            files: &[],
            args: args(&["gen", "config", "c", "http://192.168.0.1:2000"]),
            code: 1,
            expect: "error: the control plane endpoint URL should have scheme https:// try: \
                     \"https://192.168.0.1:2000\""
                .into(),
        },
        Case {
            name: "endpoint port out of range",
            files: &[],
            args: args(&["gen", "config", "c", "https://10.5.0.2:70000"]),
            code: 1,
            expect: "error: error validating the cluster endpoint URL: port number must be \
                     between 1 and 65535"
                .into(),
        },
        Case {
            name: "endpoint with an invalid port",
            files: &[],
            args: args(&["gen", "config", "c", "https://10.5.0.2:x/"]),
            code: 1,
            expect: "error: failed to parse the cluster endpoint URL: parse \
                     \"https://10.5.0.2:x/\": invalid port \":x\" after host"
                .into(),
        },
        Case {
            name: "talos version with two v",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--talos-version",
                "vv1.7",
            ]),
            code: 1,
            expect: "error: invalid talos-version: error parsing version \"vv1.7\"".into(),
        },
        Case {
            name: "malformed talos version",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--talos-version",
                "latest",
            ]),
            code: 1,
            expect: "error: invalid talos-version".into(),
        },
        Case {
            name: "malformed registry mirror",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--registry-mirror",
                "ghcr.io",
            ]),
            code: 1,
            expect: "error: invalid registry mirror spec: \"ghcr.io\"".into(),
        },
        Case {
            name: "unknown output type",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "-t",
                "controlplane,kubeconfig",
            ]),
            code: 1,
            expect: "error: 1 error occurred: * invalid output type: \"kubeconfig\"".into(),
        },
        Case {
            name: "no output type",
            files: &[],
            args: args(&["gen", "config", "c", "https://h:6443", "-t", ""]),
            code: 1,
            expect: "error: at least one output type must be specified".into(),
        },
        Case {
            name: "several output types to stdout",
            files: &[],
            args: args(&["gen", "config", "c", "https://h:6443", "-o", "-"]),
            code: 1,
            expect: "error: can't use multiple output types with stdout".into(),
        },
        Case {
            name: "output and output-dir",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "-o",
                "a",
                "--output-dir",
                "b",
            ]),
            code: 1,
            expect: "error: can't use both output-dir and output".into(),
        },
        Case {
            name: "unknown config version",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--version",
                "v1alpha2",
            ]),
            code: 1,
            expect: "error: unknown config version: \"v1alpha2\"".into(),
        },
        Case {
            name: "unknown role",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--roles",
                "os:bogus",
            ]),
            code: 1,
            expect: "error: unknown roles".into(),
        },
        Case {
            name: "malformed sysctl",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--sysctl",
                "vm.swappiness",
            ]),
            code: 1,
            expect: "error: invalid sysctl spec: \"vm.swappiness\"".into(),
        },
        Case {
            name: "malformed certificate TTL",
            files: &[],
            args: args(&["gen", "config", "c", "https://h:6443", "--crt-ttl", "soon"]),
            code: 2,
            expect: "soon".into(),
        },
        Case {
            name: "missing endpoint argument",
            files: &[],
            args: args(&["gen", "config", "c"]),
            code: 2,
            expect: "error:".into(),
        },
        Case {
            name: "patch file missing",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--config-patch",
                "@nope.yaml",
            ]),
            code: 1,
            expect: "error: error parsing config JSON patch: open nope.yaml: no such file or \
                     directory"
                .into(),
        },
        Case {
            name: "patch that is not YAML",
            files: &[("bad.yaml", "machine: [unclosed\n")],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--config-patch",
                "@bad.yaml",
            ]),
            code: 1,
            expect: "error: error parsing config JSON patch: decode error: invalid YAML".into(),
        },
        Case {
            name: "patch for a document kind that does not exist",
            files: &[(
                "kind.yaml",
                "apiVersion: v1alpha1\nkind: NoSuchConfig\nfoo: bar\n",
            )],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--config-patch",
                "@kind.yaml",
            ]),
            code: 1,
            expect: "\"NoSuchConfig\" \"v1alpha1\": not registered".into(),
        },
        Case {
            name: "patch with an unknown key",
            files: &[("key.yaml", "machine:\n  kubelet:\n    nope: 1\n")],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--config-patch",
                "@key.yaml",
            ]),
            code: 1,
            expect: "unknown keys found during decoding: machine: kubelet: nope: (value hidden)"
                .into(),
        },
        Case {
            name: "JSON patch on a multi-document config",
            files: &[(
                "json.yaml",
                "- op: add\n  path: /machine/certSANs/-\n  value: x\n",
            )],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--config-patch",
                "@json.yaml",
            ]),
            code: 1,
            expect: "error: failed to generate config bundle: error patching configs: JSON6902 \
                     patches are not supported for multi-document machine configuration"
                .into(),
        },
        Case {
            name: "delete of a missing path",
            files: &[(
                "del.yaml",
                "machine:\n  network:\n    hostname:\n      $patch: delete\n",
            )],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                // v1.13 workers have no machine.network at all (v1.11 ones have `{}`).
                "--talos-version",
                "v1.13",
                "--config-patch-worker",
                "@del.yaml",
            ]),
            code: 1,
            expect: "error: failed to generate config bundle: error patching worker config: patch \
                     delete: path 'machine.network.hostname' in document '/v1alpha1': failed to \
                     delete path 'machine.network.hostname': lookup failed"
                .into(),
        },
        Case {
            name: "secrets bundle missing",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--with-secrets",
                "none.yaml",
            ]),
            code: 1,
            expect: "error: failed to load secrets bundle: open none.yaml: no such file or \
                     directory"
                .into(),
        },
        Case {
            name: "secrets bundle that is not YAML",
            files: &[("s.yaml", "certs: [\n")],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--with-secrets",
                "s.yaml",
            ]),
            code: 1,
            expect: "error: failed to load secrets bundle: s.yaml: not a secrets bundle".into(),
        },
        Case {
            // Review r14: talosctl's message names neither the file nor what it is.
            name: "a talosconfig given as the secrets bundle",
            files: &[(
                "t.tc",
                "context: a\ncontexts:\n    a:\n        endpoints: []\n",
            )],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--with-secrets",
                "t.tc",
            ]),
            code: 1,
            expect: "error: failed to load secrets bundle: t.tc: it is a talosconfig".into(),
        },
        Case {
            name: "existing output without --force",
            files: &[("out/talosconfig", "keep me\n")],
            args: with_secrets(&["-o", "out"]),
            code: 1,
            expect: "error: file \"out/talosconfig\" already exists, use --force to overwrite"
                .into(),
        },
        Case {
            name: "existing secrets.yaml without --force",
            files: &[("out/secrets.yaml", "keep me\n")],
            args: args(&["gen", "config", "c", "https://h:6443", "-o", "out"]),
            code: 1,
            expect: "error: file \"out/secrets.yaml\" already exists, use --force to overwrite"
                .into(),
        },
        Case {
            name: "empty kubernetes version",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--kubernetes-version",
                "",
            ]),
            code: 1,
            expect: "error: failed to generate config bundle: kubernetes version must be specified"
                .into(),
        },
        Case {
            name: "invalid custom CNI URL",
            files: &[],
            args: args(&[
                "gen",
                "config",
                "c",
                "https://h:6443",
                "--talos-version",
                "v1.13",
                "--custom-cni-url",
                "http://a b/",
            ]),
            code: 1,
            expect: "invalid character \" \" in host name".into(),
        },
    ];
    if let Some(dir) = common::talos_dir() {
        let invalid = dir
            .join("secrets/invalid-secrets.yaml")
            .display()
            .to_string();
        v.push(Case {
            name: "secrets bundle that fails validation",
            files: &[],
            args: vec![
                "gen".into(),
                "config".into(),
                "c".into(),
                "https://h:6443".into(),
                "--with-secrets".into(),
                invalid,
            ],
            code: 1,
            expect: "error: failed to validate secrets bundle: 6 errors occurred:".into(),
        });
    }
    v
}

#[test]
fn bad_input_fails_with_one_line_and_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 25, "{}", cases.len());
    for case in cases {
        let env = Env::new();
        for (path, text) in case.files {
            env.write(path, text);
        }
        let before = env.tree_digest();
        let refs: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let out = env.run(&refs);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(case.code), "{}: {err}", case.name);
        assert_eq!(err.lines().count(), 1, "{}: {err:?}", case.name);
        assert!(
            err.contains(&case.expect),
            "{}:\n{err}\nwant: {}",
            case.name,
            case.expect
        );
        assert!(out.stdout.is_empty(), "{}", case.name);
        assert_eq!(env.tree_digest(), before, "{}: files changed", case.name);
    }
}

#[test]
fn force_replaces_existing_outputs() {
    let Some(_) = stability_secrets() else { return };
    let env = Env::new();
    env.write("out/talosconfig", "old\n");
    let mut a = with_secrets(&["-o", "out"]);
    a.push("--force".into());
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    env.ok(&refs);
    assert!(env.read("out/talosconfig").starts_with(b"context: c\n"));
}
