//! Hostile input cannot change a generated document's structure: every user string (cluster
//! name, SANs, DNS domain, install disk and image, sysctls, registry mirrors, Kubernetes
//! version, label values from a patch, talosconfig endpoints) is read back by an independent
//! YAML parser (serde_yaml) as exactly the string that went in.

mod common;

use serde_yaml::Value;

/// Strings that would break naive YAML generation.
const HOSTILE: &[&str] = &[
    "a: b",
    "a #b",
    "#comment",
    "\"quoted\"",
    "'single'",
    "back\\slash",
    "- item",
    "-dash",
    "*alias",
    "&anchor",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "{flow}",
    "[seq]",
    "|literal",
    ">folded",
    "? key",
    "line1\nline2",
    "trailing\n",
    "\nleading",
    " spaced ",
    "tab\there",
    "cr\rhere",
    "unicodé ✓ 中文",
    "emoji 😀",
    "\u{2028}ls",
    "\u{feff}bom",
    "---",
    "...",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "0x1F",
    "1e3",
    "0o17",
    "012",
    "1_000",
    ".inf",
    "2001-12-14",
    "1:20",
    "<<",
    "",
];

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    let mut cur = v;
    for p in path {
        cur = match (cur, p.parse::<usize>()) {
            (Value::Sequence(_), Ok(i)) => &cur[i],
            _ => &cur[*p],
        };
    }
    cur
}

fn docs(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

fn kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == Value::String(kind.into()))
        .unwrap_or_else(|| panic!("no {kind} document"))
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// Label values arrive through a patch, itself written by talmint's emitter.
fn label_patch(value: &str, multidoc: bool) -> String {
    use talmint::yaml::{emit, Node};
    let labels = Node::map([("example.com/hostile", Node::str(value))]);
    let doc = if multidoc {
        Node::map([
            ("apiVersion", Node::str("v1alpha1")),
            ("kind", Node::str("KubeNodeConfig")),
            ("labels", labels),
        ])
    } else {
        Node::map([("machine", Node::map([("nodeLabels", labels)]))])
    };
    emit(&doc)
}

#[test]
fn hostile_strings_round_trip_through_gen_config() {
    let Some(secrets) = common::talos("stability/secrets.yaml") else {
        return;
    };
    for value in HOSTILE {
        for version in ["v1.11", "v1.15"] {
            let multidoc = version == "v1.15";
            let env = common::Env::new();
            env.write("labels.yaml", label_patch(value, multidoc));
            let sysctl = format!("net.hostile={value}");
            // In a URL `%` must start an escape and control characters are refused (as Talos
            // refuses them): escape those.
            let path: String = value
                .chars()
                .map(|c| match c {
                    '%' | '\0'..='\u{1f}' | '\u{7f}' => format!("%{:02X}", c as u32),
                    c => c.to_string(),
                })
                .collect();
            let mirror = format!("mirror.example.com=https://m.example.com/{path}");
            // List flags are read as one CSV record (pflag's StringSlice), so a value holding
            // quotes or line breaks is passed quoted, as a talosctl user passes it.
            let csv = |v: String| format!("\"{}\"", v.replace('"', "\"\""));
            // Options as --flag=value and the positionals after `--`, so that values starting
            // with `-` stay values.
            let args: Vec<String> = vec![
                "gen".into(),
                "config".into(),
                format!("--with-secrets={}", secrets.display()),
                format!("--talos-version={version}"),
                format!("--additional-sans={}", csv(value.replace(',', ""))),
                format!("--dns-domain={value}"),
                format!("--install-disk={value}"),
                format!("--install-image={value}"),
                format!("--sysctl={sysctl}"),
                // Talos refuses an empty Kubernetes version.
                format!(
                    "--kubernetes-version={}",
                    if value.is_empty() { "1.28.0" } else { value }
                ),
                format!("--registry-mirror={}", csv(mirror.replace(',', ""))),
                format!("--talosconfig-endpoints={}", csv(value.replace(',', ""))),
                "--config-patch-control-plane=@labels.yaml".into(),
                "--output=out".into(),
                "--".into(),
                value.to_string(),
                "https://10.5.0.2:6443".into(),
            ];
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = env.run(&refs);
            assert!(
                out.status.success(),
                "{value:?} {version}: {}",
                common::stderr(&out)
            );
            let cp = String::from_utf8(env.read("out/controlplane.yaml")).unwrap();
            let d = docs(&cp);
            let san = value.replace(',', "");
            let k8s = if value.is_empty() { "1.28.0" } else { value };
            let kubelet = s(&format!(
                "ghcr.io/siderolabs/kubelet:v{}",
                k8s.trim_start_matches('v')
            ));
            let m = &d[0]["machine"];
            assert_eq!(get(m, &["certSANs", "0"]), &s(&san), "{value:?}");
            if multidoc {
                assert_eq!(
                    kind(&d, "KubeClusterConfig")["clusterName"],
                    s(value),
                    "{value:?}"
                );
                assert_eq!(kind(&d, "KubeNetworkConfig")["dnsDomain"], s(value));
                assert_eq!(kind(&d, "KubeletConfig")["image"], kubelet);
                assert_eq!(
                    get(kind(&d, "SysctlConfig"), &["params", "net.hostile"]),
                    &s(value)
                );
                assert_eq!(
                    get(
                        kind(&d, "KubeNodeConfig"),
                        &["labels", "example.com/hostile"]
                    ),
                    &s(value)
                );
                assert_eq!(
                    get(kind(&d, "KubeAPIServerConfig"), &["certExtraSANs", "0"]),
                    &s(&san)
                );
                if !value.is_empty() {
                    let u = kind(&d, "UnattendedInstallConfig");
                    assert_eq!(get(u, &["installer", "image"]), &s(value));
                    let m = get(u, &["provisioning", "diskSelector", "match"]);
                    assert!(
                        m.as_str().unwrap().starts_with("disk.dev_path == \""),
                        "{m:?}"
                    );
                }
                // Talos writes the mirror URL back through Go's net/url (registry.go:79-87),
                // re-escaped: the escaping itself is checked against Go in `gourl`'s tests.
                let given = format!("https://m.example.com/{}", path.replace(',', ""));
                let written = talmint::gourl::GoUrl::parse(&given).unwrap().to_string();
                let r = kind(&d, "RegistryMirrorConfig");
                assert_eq!(get(r, &["endpoints", "0", "url"]), &s(&written));
            } else {
                let c = &d[0]["cluster"];
                if !value.is_empty() {
                    // `clusterName` is omitempty.
                    assert_eq!(c["clusterName"], s(value), "{value:?}");
                }
                assert_eq!(get(c, &["network", "dnsDomain"]), &s(value));
                assert_eq!(get(m, &["kubelet", "image"]), &kubelet);
                assert_eq!(get(m, &["sysctls", "net.hostile"]), &s(value));
                assert_eq!(get(m, &["nodeLabels", "example.com/hostile"]), &s(value));
                if !value.is_empty() {
                    assert_eq!(get(m, &["install", "disk"]), &s(value));
                    assert_eq!(get(m, &["install", "image"]), &s(value));
                }
            }
            let tc = String::from_utf8(env.read("out/talosconfig")).unwrap();
            let t: Value = serde_yaml::from_str(&tc).unwrap();
            assert_eq!(t["context"], s(value), "{value:?}");
            let endpoint = value.replace(',', "");
            if !endpoint.is_empty() {
                assert_eq!(
                    get(&t, &["contexts", value, "endpoints", "0"]),
                    &s(&endpoint)
                );
            }
            let w = String::from_utf8(env.read("out/worker.yaml")).unwrap();
            docs(&w);
        }
    }
}

/// Through the library, strings the command line cannot carry (NUL) are safe too.
#[test]
fn nul_and_control_characters_round_trip_through_the_library() {
    use talmint::bundle::SecretsBundle;
    use talmint::machineconfig::{self, Input, MachineType, Options};
    let Some(path) = common::talos("stability/secrets.yaml") else {
        return;
    };
    let bundle = SecretsBundle::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    for value in [
        "nul\0byte",
        "bell\u{7}",
        "esc\u{1b}[0m",
        "del\u{7f}",
        "nel\u{85}x",
    ] {
        let options = Options {
            additional_sans: vec![value.to_string()],
            ..Options::default()
        };
        let input = Input::new(
            value,
            "https://h:6443",
            "1.28.0",
            "v1.11".parse().unwrap(),
            &bundle,
            options,
        )
        .unwrap();
        let out =
            machineconfig::encode(&machineconfig::generate(&input, MachineType::Worker).unwrap());
        let d = docs(&out);
        assert_eq!(d[0]["cluster"]["clusterName"], s(value), "{value:?}");
        assert_eq!(get(&d[0]["machine"], &["certSANs", "0"]), &s(value));
    }
}

#[test]
fn deeply_nested_input_is_refused_before_it_is_read() {
    // The YAML reader takes time quadratic in the nesting (200 KB of brackets took 26 s): every
    // reader refuses such input first, in one line naming the file.
    let env = common::Env::new();
    env.ok(&["gen", "secrets", "-o", "s.yaml"]);
    let d = 100_000;
    env.write(
        "deep.yaml",
        format!("entries: {}{}\n", "[".repeat(d), "]".repeat(d)),
    );
    let cases: &[&[&str]] = &[
        &[
            "issue",
            "--roster",
            "deep.yaml",
            "--with-secrets",
            "s.yaml",
            "-o",
            "out",
        ],
        &["config", "contexts", "--talosconfig", "deep.yaml"],
        &["config", "new", "-o", "-", "--with-secrets", "deep.yaml"],
        &[
            "config",
            "new",
            "-o",
            "-",
            "--with-secrets",
            "s.yaml",
            "--policy",
            "deep.yaml",
        ],
        &["inspect", "deep.yaml"],
        &[
            "gen",
            "config",
            "c",
            "https://c:6443",
            "-o",
            "-",
            "-t",
            "talosconfig",
            "--with-secrets",
            "s.yaml",
            "--config-patch",
            "@deep.yaml",
        ],
    ];
    for args in cases {
        let out = env.run(args);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("nested more than 100 levels deep at line 1"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // Talos's own files are far from the limit.
    assert!(talmint::yaml::check_nesting(&"[".repeat(100)).is_ok());
    assert!(talmint::yaml::check_nesting(&"[".repeat(101)).is_err());
}
