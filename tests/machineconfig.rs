//! Machine configuration generation: A1–A6 on the stability goldens
//! (`spec/README.md` A1–A6, `spec/gen-config.md` §7).

mod common;

use talmint::bundle::SecretsBundle;
use talmint::contract::VersionContract;
use talmint::machineconfig::patch::{self, load_patches};
use talmint::machineconfig::{self, Input, MachineType, Options};

/// The 13 contracts of the stability test.
const CONTRACTS: [&str; 13] = [
    "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12", "v1.13",
    "v1.14", "v1.15",
];

fn stability_bundle() -> Option<SecretsBundle> {
    let path = common::talos("stability/secrets.yaml")?;
    Some(SecretsBundle::parse(&std::fs::read_to_string(path).unwrap()).unwrap())
}

fn golden(version: &str, name: &str) -> Vec<u8> {
    std::fs::read(common::talos(&format!("stability/{version}/{name}.yaml")).unwrap()).unwrap()
}

/// `v1alpha1_stability_test.go` "with overrides" options (patches aside).
fn overrides() -> Options {
    Options {
        additional_sans: vec!["foo".into(), "bar".into()],
        allow_scheduling_on_control_planes: true,
        dns_domain: "example.com".into(),
        install_disk: "/dev/vda".into(),
        install_extra_kernel_args: vec!["foo=bar".into(), "bar=baz".into()],
        local_api_server_port: 5443,
        sysctls: vec![("foo".into(), "bar".into())],
        custom_cni_url: "https://example.com/cni.yaml".into(),
        registry_mirrors: vec![(
            "ghcr.io".into(),
            vec!["https://ghcr.io.my-mirror.com".into()],
        )],
        ..Options::default()
    }
}

fn generate(bundle: &SecretsBundle, version: &str, options: Options, t: MachineType) -> String {
    generate_patched(bundle, version, options, t, &[])
}

fn generate_patched(
    bundle: &SecretsBundle,
    version: &str,
    options: Options,
    t: MachineType,
    patches: &[String],
) -> String {
    let contract: VersionContract = version.parse().unwrap();
    let input = Input::new(
        "base",
        "https://base:6443",
        "1.28.0",
        contract,
        bundle,
        options,
    )
    .unwrap();
    let docs = machineconfig::generate(&input, t).unwrap();
    let patches = load_patches(patches).unwrap();
    let docs = machineconfig::apply_patches(docs, &patches).unwrap();
    machineconfig::encode(&docs).to_string()
}

/// The stability patch for a contract: `patch-pre14.yaml` before v1.14, `patch.yaml` after.
fn stability_patch(version: &str) -> String {
    let minor: u32 = version.trim_start_matches("v1.").parse().unwrap();
    let name = if minor < 14 {
        "patch-pre14.yaml"
    } else {
        "patch.yaml"
    };
    format!(
        "@{}",
        common::talos(&format!("stability/{name}"))
            .unwrap()
            .display()
    )
}

/// Compare, printing the first differing line.
fn same(version: &str, name: &str, out: &str) -> bool {
    let g = String::from_utf8(golden(version, name)).unwrap();
    if g == out {
        return true;
    }
    let line = g
        .lines()
        .zip(out.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
        .unwrap_or_else(|| format!("lengths {} vs {}", g.len(), out.len()));
    eprintln!("{version}/{name}: {line}");
    false
}

#[test]
fn a1_base_goldens_through_the_library() {
    let Some(bundle) = stability_bundle() else {
        return;
    };
    let mut failures = Vec::new();
    for v in CONTRACTS {
        for (t, name) in [
            (MachineType::ControlPlane, "base-controlplane"),
            (MachineType::Worker, "base-worker"),
        ] {
            let out = generate(&bundle, v, Options::default(), t);
            if out.as_bytes() != golden(v, name) {
                failures.push(format!("{v}/{name}"));
                if failures.len() == 1 {
                    let g = String::from_utf8(golden(v, name)).unwrap();
                    for (i, (a, b)) in g.lines().zip(out.lines()).enumerate() {
                        if a != b {
                            eprintln!("{v}/{name} line {}:\n- {a}\n+ {b}", i + 1);
                            break;
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 26 differ: {failures:?}",
        failures.len()
    );
}

#[test]
fn a1_overrides_goldens_through_the_library() {
    let Some(bundle) = stability_bundle() else {
        return;
    };
    let mut failures = Vec::new();
    for v in CONTRACTS {
        for (t, name) in [
            (MachineType::ControlPlane, "overrides-controlplane"),
            (MachineType::Worker, "overrides-worker"),
        ] {
            let out = generate_patched(&bundle, v, overrides(), t, &[stability_patch(v)]);
            if !same(v, name, &out) {
                failures.push(format!("{v}/{name}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 26 differ: {failures:?}",
        failures.len()
    );
}

/// Every golden, loaded as typed documents and re-encoded from the schema, is unchanged: the
/// schema knows every field order and `omitempty` rule the goldens use.
#[test]
fn a3_goldens_reencode_through_the_schema() {
    let Some(_) = common::talos_dir() else { return };
    for v in CONTRACTS {
        for name in [
            "base-controlplane",
            "base-worker",
            "overrides-controlplane",
            "overrides-worker",
        ] {
            let text = String::from_utf8(golden(v, name)).unwrap();
            let docs = patch::load_config(&text).unwrap();
            let out = machineconfig::encode(&patch::encode(&docs));
            assert!(same(v, name, &out), "{v}/{name}");
        }
    }
}

/// E1: the configpatcher cases, in the order of `configpatcher/apply_test.go`.
fn e1(config: &str, patches: &[&str]) -> Result<String, String> {
    let dir = common::talos("configpatcher").unwrap();
    let text = std::fs::read_to_string(dir.join(config)).unwrap();
    let docs = patch::load_config(&text).map_err(|e| e.to_string())?;
    let args: Vec<String> = patches
        .iter()
        .map(|p| format!("@{}", dir.join(p).display()))
        .collect();
    let patches = load_patches(&args).map_err(|e| e.to_string())?;
    let out = patch::apply(docs, &patches).map_err(|e| e.to_string())?;
    Ok(machineconfig::encode(&patch::encode(&out)).to_string())
}

fn expected(path: &str) -> String {
    std::fs::read_to_string(common::talos(&format!("configpatcher/{path}")).unwrap()).unwrap()
}

#[test]
fn e1_configpatcher_apply() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1(
        "apply/config.yaml",
        &[
            "apply/strategic1.yaml",
            "apply/jsonpatch1.yaml",
            "apply/jsonpatch2.yaml",
            "apply/strategic2.yaml",
            "apply/strategic3.yaml",
        ],
    )
    .unwrap();
    assert_eq!(out, expected("apply/expected.yaml"));
}

#[test]
fn e1_configpatcher_json_patch_on_multidoc_fails() {
    let Some(_) = common::talos_dir() else { return };
    let err = e1(
        "multidoc/config.yaml",
        &["multidoc/jsonpatch.yaml", "multidoc/strategic1.yaml"],
    )
    .unwrap_err();
    assert_eq!(
        err,
        "JSON6902 patches are not supported for multi-document machine configuration"
    );
}

#[test]
fn e1_configpatcher_multidoc() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1(
        "multidoc/config.yaml",
        &[
            "multidoc/strategic1.yaml",
            "multidoc/strategic2.yaml",
            "multidoc/strategic3.yaml",
        ],
    )
    .unwrap();
    assert_eq!(out, expected("multidoc/expected.yaml"));
}

#[test]
fn e1_configpatcher_audit_policy_is_replaced() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1("auditpolicy/config.yaml", &["auditpolicy/patch1.yaml"]).unwrap();
    assert_eq!(out, expected("auditpolicy/expected.yaml"));
}

#[test]
fn e1_configpatcher_inline_manifest_newline() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1("apply/config.yaml", &["apply/strategic4.yaml"]).unwrap();
    assert_eq!(out, expected("apply/expected_manifests.yaml"));
}

#[test]
fn e1_configpatcher_delete() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1("patchdelete/config.yaml", &["patchdelete/strategic1.yaml"]).unwrap();
    assert_eq!(out, expected("patchdelete/expected.yaml"));
}

#[test]
fn e1_configpatcher_delete_control_plane() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1(
        "patchdelete/controlplane_orig.yaml",
        &[
            "patchdelete/strategic2.yaml",
            "patchdelete/strategic3.yaml",
            "patchdelete/strategic4.yaml",
        ],
    )
    .unwrap();
    assert_eq!(out, expected("patchdelete/controlplane_expected.yaml"));
}

#[test]
fn e1_configpatcher_delete_missing_path_fails() {
    let Some(_) = common::talos_dir() else { return };
    let err = e1(
        "patchdeletemissing/config.yaml",
        &["patchdeletemissing/strategic1.yaml"],
    )
    .unwrap_err();
    assert!(
        err.contains(
            "patch delete: path 'machine.network.hostname' in document '/v1alpha1': failed to \
             delete path 'machine.network.hostname': lookup failed"
        ),
        "{err}"
    );
}

#[test]
fn e1_configpatcher_link() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1("patchlink/base.yaml", &["patchlink/patch.yaml"]).unwrap();
    assert_eq!(out, expected("patchlink/expected.yaml"));
}

#[test]
fn e1_configpatcher_mixed() {
    let Some(_) = common::talos_dir() else { return };
    let out = e1("patchmixed/base.yaml", &["patchmixed/patch.yaml"]).unwrap();
    assert_eq!(out, expected("patchmixed/expected.yaml"));
}

/// E1: `strategic/00N/{left,right,expected}.yaml` (`v1alpha1_strategic_merge_test.go`): merge
/// right into left; compared as typed documents (re-encoded), as the upstream test compares
/// Go structs.
#[test]
fn e1_strategic_merge_cases() {
    let Some(dir) = common::talos("strategic") else {
        return;
    };
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 6);
    let load =
        |p: &std::path::Path| patch::load_config(&std::fs::read_to_string(p).unwrap()).unwrap();
    for case in cases {
        let left = load(&case.join("left.yaml"));
        let right = std::fs::read_to_string(case.join("right.yaml")).unwrap();
        let patches = vec![patch::load_patch(&right).unwrap()];
        let merged = patch::apply(left, &patches).unwrap();
        let expected = load(&case.join("expected.yaml"));
        assert_eq!(
            machineconfig::encode(&patch::encode(&merged)).to_string(),
            machineconfig::encode(&patch::encode(&expected)).to_string(),
            "{}",
            case.display()
        );
    }
}

// ---- The command line (A2, A4, A5, A6, C4) ----

/// `gen config` arguments for a stability case (`spec/README.md` A4 plus the hidden generator
/// flags for the overrides flavor).
fn cli_args(version: Option<&str>, overrides: bool) -> Vec<String> {
    let secrets = common::talos("stability/secrets.yaml").unwrap();
    let mut a: Vec<String> = [
        "gen",
        "config",
        "base",
        "https://base:6443",
        "--with-secrets",
        secrets.to_str().unwrap(),
        "--kubernetes-version",
        "1.28.0",
        "--with-docs=false",
        "--with-examples=false",
        "--install-image",
        "",
        "-o",
        "out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(v) = version {
        a.extend(["--talos-version".into(), v.to_string()]);
    }
    if overrides {
        let v = version.unwrap_or("v1.15");
        for s in [
            "--additional-sans=foo,bar",
            "--allow-scheduling-on-control-planes",
            "--dns-domain=example.com",
            "--install-disk=/dev/vda",
            "--install-extra-kernel-args=foo=bar,bar=baz",
            "--local-api-server-port=5443",
            "--sysctl=foo=bar",
            "--custom-cni-url=https://example.com/cni.yaml",
            "--registry-mirror=ghcr.io=https://ghcr.io.my-mirror.com",
        ] {
            a.push(s.to_string());
        }
        a.extend(["--config-patch".into(), stability_patch(v)]);
    } else {
        a.extend(["--install-disk".into(), String::new()]);
    }
    a
}

fn run_cli(env: &common::Env, args: &[String]) -> std::process::Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    env.ok(&refs)
}

#[test]
fn a4_all_52_goldens_through_the_cli() {
    let Some(_) = common::talos_dir() else { return };
    let mut failures = Vec::new();
    let mut passed = 0;
    for v in CONTRACTS {
        for flavor in ["base", "overrides"] {
            let env = common::Env::new();
            run_cli(&env, &cli_args(Some(v), flavor == "overrides"));
            for t in ["controlplane", "worker"] {
                let name = format!("{flavor}-{t}");
                let out = String::from_utf8(env.read(&format!("out/{t}.yaml"))).unwrap();
                if same(v, &name, &out) {
                    passed += 1;
                } else {
                    failures.push(format!("{v}/{name}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{passed}/52 pass; differ: {failures:?}"
    );
    assert_eq!(passed, 52);
}

#[test]
fn a2_cli_output_is_stable() {
    let Some(_) = common::talos_dir() else { return };
    for v in ["v1.3", "v1.11", "v1.15"] {
        for overrides in [false, true] {
            let (a, b) = (common::Env::new(), common::Env::new());
            run_cli(&a, &cli_args(Some(v), overrides));
            run_cli(&b, &cli_args(Some(v), overrides));
            for f in ["out/controlplane.yaml", "out/worker.yaml"] {
                assert_eq!(a.read(f), b.read(f), "{v} {f}");
            }
        }
    }
}

#[test]
fn a6_current_contract_matches_v1_15() {
    let Some(_) = common::talos_dir() else { return };
    for overrides in [false, true] {
        let env = common::Env::new();
        run_cli(&env, &cli_args(None, overrides));
        let flavor = if overrides { "overrides" } else { "base" };
        for t in ["controlplane", "worker"] {
            let out = String::from_utf8(env.read(&format!("out/{t}.yaml"))).unwrap();
            assert!(
                same("v1.15", &format!("{flavor}-{t}"), &out),
                "{flavor}-{t}"
            );
        }
    }
}

#[test]
fn a4_default_install_disk_and_image() {
    let Some(_) = common::talos_dir() else { return };
    // Default --install-disk /dev/sda and install image: ≤ v1.13 in machine.install, ≥ v1.14
    // as an UnattendedInstallConfig document.
    let secrets = common::talos("stability/secrets.yaml").unwrap();
    let env = common::Env::new();
    let base = |v: &str| -> Vec<String> {
        [
            "gen",
            "config",
            "base",
            "https://base:6443",
            "--with-secrets",
            secrets.to_str().unwrap(),
            "--kubernetes-version",
            "1.28.0",
            "--talos-version",
            v,
            "-o",
            v,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let mut tag_env = env.talmint();
    tag_env.env("TAG", "v9.9.9");
    let out = tag_env.args(base("v1.13")).output().unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let cp = String::from_utf8(env.read("v1.13/controlplane.yaml")).unwrap();
    assert!(cp.contains(
        "    install:\n        disk: /dev/sda\n        image: factory.talos.dev/metal-installer/\
         376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v9.9.9\n"
    ), "{cp}");
    run_cli(&env, &base("v1.14"));
    let cp = String::from_utf8(env.read("v1.14/controlplane.yaml")).unwrap();
    assert!(cp.contains(
        "kind: UnattendedInstallConfig\ninstaller:\n    image: factory.talos.dev/metal-installer/"
    ), "{cp}");
    assert!(
        cp.contains("match: disk.dev_path == \"/dev/sda\"\n"),
        "{cp}"
    );
}

/// A5: workers never carry a CA key or a control-plane-only secret.
#[test]
fn a5_workers_are_stripped_of_control_plane_secrets() {
    let Some(bundle) = stability_bundle() else {
        return;
    };
    let certs = bundle.certs.as_ref().unwrap();
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let pem = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    let secrets = bundle.secrets.as_ref().unwrap();
    let forbidden = [
        b64(&certs.os.as_ref().unwrap().key),
        b64(&certs.k8s.as_ref().unwrap().key),
        pem(&certs.k8s.as_ref().unwrap().key),
        b64(&certs.etcd.as_ref().unwrap().key),
        pem(&certs.etcd.as_ref().unwrap().key),
        b64(&certs.k8s_aggregator.as_ref().unwrap().crt),
        pem(&certs.k8s_aggregator.as_ref().unwrap().key),
        b64(&certs.k8s_service_account.as_ref().unwrap().key),
        pem(&certs.k8s_service_account.as_ref().unwrap().key),
        secrets.secretbox_encryption_secret.to_string(),
    ];
    for v in CONTRACTS {
        for name in ["base-worker", "overrides-worker"] {
            for out in [
                String::from_utf8(golden(v, name)).unwrap(),
                generate(&bundle, v, Options::default(), MachineType::Worker),
            ] {
                for secret in &forbidden {
                    assert!(!out.contains(secret.as_str()), "{v}/{name} leaks a secret");
                }
                let docs = talmint::yaml::parse(&out).unwrap();
                let v1 = &docs[0];
                let machine_ca = v1.get("machine").unwrap().get("ca").unwrap();
                assert_eq!(machine_ca.get("key"), Some(&talmint::yaml::Node::str("")));
                if let Some(ca) = v1.get("cluster").unwrap().get("ca") {
                    assert_eq!(ca.get("key"), Some(&talmint::yaml::Node::str("")));
                }
            }
        }
    }
}

/// C4: the talosconfig of `gen config`.
#[test]
fn c4_gen_config_talosconfig() {
    let Some(bundle) = stability_bundle() else {
        return;
    };
    let env = common::Env::new();
    run_cli(&env, &cli_args(Some("v1.15"), false));
    let text = String::from_utf8(env.read("out/talosconfig")).unwrap();
    let os = bundle.certs.as_ref().unwrap().os.as_ref().unwrap();
    let ca = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&os.crt)
    };
    assert!(
        text.starts_with(&format!(
            "context: base\ncontexts:\n    base:\n        endpoints: []\n        ca: {ca}\n        crt: "
        )),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(lines[6].starts_with("        key: "));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.path("out/talosconfig"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    for f in ["out/controlplane.yaml", "out/worker.yaml"] {
        let mode = std::fs::metadata(env.path(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
}

#[test]
fn talosconfig_endpoints_roles_and_stdout() {
    let Some(_) = common::talos_dir() else { return };
    let secrets = common::talos("stability/secrets.yaml").unwrap();
    let env = common::Env::new();
    let out = env.ok(&[
        "gen",
        "config",
        "c1",
        "https://10.5.0.2:6443",
        "--with-secrets",
        secrets.to_str().unwrap(),
        "-t",
        "talosconfig",
        "-o",
        "-",
        "--talosconfig-endpoints",
        "10.5.0.2,10.5.0.3",
        "--roles",
        "os:reader",
    ]);
    let text = common::stdout(&out);
    assert!(
        text.starts_with("context: c1\ncontexts:\n    c1:\n        endpoints:\n            - 10.5.0.2\n            - 10.5.0.3\n"),
        "{text}"
    );
    let cfg = talmint::talosconfig::Config::parse(&text).unwrap();
    assert_eq!(cfg.context, "c1");
    // With --with-secrets nothing is written.
    assert!(env
        .tree_digest()
        .keys()
        .all(|p| !p.ends_with("secrets.yaml")));
    assert_eq!(common::stderr(&out), "generating PKI and tokens\n");
}

#[test]
fn fresh_secrets_are_saved_beside_the_outputs() {
    let env = common::Env::new();
    let out = env.ok(&[
        "gen",
        "config",
        "demo",
        "https://10.5.0.2:6443",
        "-o",
        "_out",
        "--talos-version",
        "v1.6",
    ]);
    let err = common::stderr(&out);
    assert_eq!(
        err,
        "generating PKI and tokens\nCreated _out/controlplane.yaml\nCreated _out/worker.yaml\n\
         Created _out/talosconfig\nCreated _out/secrets.yaml\n"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.path("_out/secrets.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The saved bundle regenerates the same configurations.
    let again = common::Env::new();
    let saved = env.path("_out/secrets.yaml");
    again.ok(&[
        "gen",
        "config",
        "demo",
        "https://10.5.0.2:6443",
        "-o",
        "o2",
        "--talos-version",
        "v1.6",
        "--with-secrets",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(
        env.read("_out/controlplane.yaml"),
        again.read("o2/controlplane.yaml")
    );
    assert_eq!(env.read("_out/worker.yaml"), again.read("o2/worker.yaml"));
    // --no-save-secrets skips it.
    let none = common::Env::new();
    none.ok(&[
        "gen",
        "config",
        "demo",
        "https://10.5.0.2:6443",
        "-o",
        "x",
        "--no-save-secrets",
    ]);
    assert!(!none.path("x/secrets.yaml").exists());
}

#[test]
fn default_output_is_the_working_directory_with_absolute_paths() {
    let env = common::Env::new();
    let out = env.ok(&[
        "gen",
        "config",
        "demo",
        "https://10.5.0.2:6443",
        "--no-save-secrets",
    ]);
    let dir = env.dir.path().canonicalize().unwrap();
    let err = common::stderr(&out);
    assert!(
        err.contains(&format!(
            "Created {}\n",
            dir.join("controlplane.yaml").display()
        )),
        "{err}"
    );
    assert!(env.path("worker.yaml").exists() && env.path("talosconfig").exists());
}

/// The talosconfig of `gen config` opens an apid-equivalent mTLS session as `os:admin`.
#[test]
fn c4_gen_config_talosconfig_is_accepted_by_a_node_as_admin() {
    use base64::Engine;
    use common::apid::{Credential, Node, Version};
    let Some(bundle) = stability_bundle() else {
        return;
    };
    let env = common::Env::new();
    run_cli(&env, &cli_args(Some("v1.15"), false));
    let cfg = talmint::talosconfig::Config::parse(
        &String::from_utf8(env.read("out/talosconfig")).unwrap(),
    )
    .unwrap();
    let ctx = cfg.get("base").unwrap();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    let cred = Credential {
        ca_pem: b64(&ctx.ca),
        crt_pem: b64(&ctx.crt),
        key_pem: b64(&ctx.key),
    };
    let node = Node::new(&bundle.os_ca().unwrap());
    let out = node.handshake(&cred, Version::Tls13);
    assert_eq!(out.client, Ok(()));
    assert_eq!(out.roles.unwrap(), ["os:admin"]);
}

/// JSON patches (JSON, and a YAML list starting with `-` passed inline) on a single-document
/// contract, through the command line.
#[test]
fn json_patches_through_the_cli() {
    let Some(_) = common::talos_dir() else { return };
    let mut a = cli_args(Some("v1.11"), false);
    a.extend([
        "--config-patch".to_string(),
        r#"[{"op": "add", "path": "/machine/certSANs/-", "value": "x.example"}]"#.to_string(),
        "--config-patch-worker".to_string(),
        "- op: replace\n  path: /machine/install/wipe\n  value: true\n".to_string(),
    ]);
    let env = common::Env::new();
    run_cli(&env, &a);
    let cp = String::from_utf8(env.read("out/controlplane.yaml")).unwrap();
    let w = String::from_utf8(env.read("out/worker.yaml")).unwrap();
    let base_cp = String::from_utf8(golden("v1.11", "base-controlplane")).unwrap();
    let base_w = String::from_utf8(golden("v1.11", "base-worker")).unwrap();
    assert_eq!(
        cp,
        base_cp.replace("    certSANs: []\n", "    certSANs:\n        - x.example\n")
    );
    assert_eq!(
        w,
        base_w
            .replace("    certSANs: []\n", "    certSANs:\n        - x.example\n")
            .replace("        wipe: false\n", "        wipe: true\n")
    );
}
