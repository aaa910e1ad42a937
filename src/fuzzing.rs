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

/// talosconfig: parse and re-emit; `config info` (certificate parsing, all three renderers),
/// the `contexts` table, a self-merge, and the first line used as a `remove` pattern.
pub fn talosconfig(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = crate::talosconfig::Config::parse(text) {
            let _ = crate::yaml::emit(&c.to_node());
            let now = time::OffsetDateTime::UNIX_EPOCH;
            if let Ok(info) = crate::talosconfig::info::Info::collect(&c, text, None, now) {
                let _ = info.to_text();
                let _ = info.to_json();
                let _ = crate::yaml::emit(&info.to_node());
            }
            let _ = c.contexts_table();
            let _ = c.matching(text.lines().next().unwrap_or("*"));
            let mut merged = c.clone();
            let _ = merged.merge(c, crate::talosconfig::OnConflict::Rename);
        }
    }
}

/// PEM keys and certificates.
pub fn pem(data: &[u8]) {
    let _ = PrivateKey::from_pem(data);
    let _ = PrivateKey::from_pkcs8_pem_any_label(data);
    let _ = Certificate::from_pem(data);
    let _ = Certificate::from_der(data);
    let _ = crate::verify::client_certificates(data);
    let _ = crate::verify::parse_client_key(data);
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
        let _ = crate::roster::parse(text, "fuzz", &defaults, None, None);
        let _ = text.parse::<crate::pki::Ttl>();
    }
}

/// `inspect` (file recognition and every renderer), `verify` and `check-expiration` on one file.
pub fn inspect(data: &[u8]) {
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let opts = crate::inspect::Options {
        now,
        roles_summary: None,
    };
    let result = crate::inspect::inspect_bytes("fuzz", data, &opts);
    if let Ok(report) = &result {
        let _ = report.to_text();
    }
    let node = crate::inspect::to_node(&[("fuzz".to_string(), result)]);
    let _ = crate::report::to_json(&node);
    let _ = crate::yaml::emit(&node);
    let _ = crate::verify::trusted_from_pem(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(config) = crate::talosconfig::Config::parse(text) {
            for (_, ctx) in &config.contexts {
                if let Ok(v) = crate::verify::verify_context(ctx, None, now, None) {
                    let _ = v.to_text("fuzz", "fuzz");
                }
            }
            if let Ok((items, skipped)) = crate::expiration::talosconfig_items(&config, "fuzz") {
                let thresholds = crate::expiration::Thresholds {
                    warn: 86_400,
                    fail_within: 3_600,
                };
                let report = crate::expiration::evaluate(items, skipped, now, thresholds);
                let _ = report.to_text();
                let _ = report.failure_summary();
            }
        }
    }
}

/// Method names, `--for` lists, and a talosconfig's client certificates read for `auth can-i`.
pub fn authz(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(target) = crate::authz::resolve(text) {
            let _ = target.notes();
            let _ = crate::authz::least_privilege(std::slice::from_ref(&target));
        }
        let _ = crate::authz::roles_for(text);
        if let Ok(config) = crate::talosconfig::Config::parse(text) {
            for (name, ctx) in &config.contexts {
                if let Ok(cred) = crate::authz::Credential::from_crt(name, &ctx.crt) {
                    let _ = crate::authz::summary(&cred.roles);
                }
            }
        }
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
