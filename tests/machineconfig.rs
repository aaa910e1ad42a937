//! Machine configuration generation: A1–A6 on the stability goldens
//! (`spec/README.md` A1–A6, `spec/gen-config.md` §7).

mod common;

use talmint::bundle::SecretsBundle;
use talmint::contract::VersionContract;
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
#[allow(dead_code)]
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
    machineconfig::encode(&docs).to_string()
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
