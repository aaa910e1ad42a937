//! Entry points shared by the fuzz targets (`fuzz/`) and the corpus-replay test
//! (`tests/fuzz_corpus.rs`): each feeds arbitrary bytes to one parser. None may panic.

use crate::bundle::SecretsBundle;
use crate::pki::{csr::Csr, Certificate, PrivateKey};

/// Secrets bundle: parse, validate, re-serialize, extract the OS CA.
pub fn bundle(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(b) = SecretsBundle::parse(text) {
            let _ = b.validate();
            let _ = b.to_yaml();
            let _ = b.os_ca();
        }
        let _ = crate::bundle::from_controlplane_config(text, "fuzz");
    }
}

/// talosconfig: parse and re-emit.
pub fn talosconfig(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = crate::talosconfig::Config::parse(text) {
            let _ = crate::yaml::emit(&c.to_node());
        }
    }
}

/// PEM keys and certificates.
pub fn pem(data: &[u8]) {
    let _ = PrivateKey::from_pem(data);
    let _ = PrivateKey::from_pkcs8_pem_any_label(data);
    let _ = Certificate::from_pem(data);
    let _ = Certificate::from_der(data);
}

/// CSRs.
pub fn csr(data: &[u8]) {
    let _ = Csr::from_pem(data);
}

/// Policy and roster files.
pub fn policy(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::policy::Policy::parse(text, "fuzz");
        let defaults = crate::roster::Defaults {
            ttl: crate::pki::Ttl::from_hours(1),
            cluster: "fuzz".into(),
            allow_unknown_roles: false,
        };
        let _ = crate::roster::parse(text, "fuzz", &defaults, None);
        let _ = text.parse::<crate::pki::Ttl>();
    }
}

/// Machine configurations and patches: YAML read and re-emitted, configurations loaded as
/// typed documents, patches loaded and applied, endpoints checked.
pub fn patch(data: &[u8]) {
    use crate::machineconfig::patch as p;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(docs) = crate::yaml::parse(text) {
        let _ = crate::yaml::emit_documents(&docs);
    }
    if let Ok(docs) = p::load_config(text) {
        let _ = crate::yaml::emit_documents(&p::encode(&docs));
    }
    if let Ok(patch) = p::load_patch(text) {
        let base =
            "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n      \
                    - interface: eth0\n        dhcp: true\ncluster:\n  controlPlane:\n    \
                    endpoint: https://h:6443/\n  apiServer:\n    extraArgs: {a: b}\n";
        if let Ok(docs) = p::load_config(base) {
            if let Ok(out) = p::apply(docs, &[patch]) {
                let _ = crate::yaml::emit_documents(&p::encode(&out));
            }
        }
    }
    let _ = text.parse::<crate::machineconfig::endpoint::ClusterEndpoint>();
}
