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
