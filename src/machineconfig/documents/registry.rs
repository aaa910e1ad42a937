//! Registry documents (≥ v1.12): one `RegistryMirrorConfig` per mirrored host and one
//! `RegistryTLSConfig` per host with TLS options, sorted by kind then name
//! (talos `generate/registry.go:72-131`, `types/cri/`).

use super::v1alpha1::merged_mirrors;
use super::{go_quote, go_url_string, s, Fields};
use crate::machineconfig::{Error, Input};
use crate::yaml::Node;

/// The registry documents, sorted as Talos sorts them.
pub(super) fn documents(input: &Input<'_>) -> Result<Vec<Node>, Error> {
    if !input.contract.multidoc_network_config_supported() {
        return Ok(Vec::new());
    }
    let o = &input.options;
    let mut docs: Vec<(&'static str, String, Node)> = Vec::new();
    for (host, endpoints) in merged_mirrors(o) {
        let mut eps = Vec::new();
        for ep in &endpoints {
            // Talos compat: url.Parse then meta.URL (registry.go:79-87).
            let url = go_url_string(&format!("registry mirror endpoint {}", go_quote(ep)), ep)?;
            eps.push(Node::map([("url", s(url))]));
        }
        let mut d = Fields::document("RegistryMirrorConfig");
        d.set("name", s(host.clone()));
        if !eps.is_empty() {
            d.set("endpoints", Node::Seq(eps));
        }
        docs.push(("RegistryMirrorConfig", host, d.build()));
    }
    let mut tls: Vec<(String, Option<String>, bool)> = Vec::new();
    for (host, ca) in &o.registry_ca_certs {
        match tls.iter_mut().find(|(h, _, _)| h == host) {
            Some(slot) => slot.1 = Some(ca.clone()),
            None => tls.push((host.clone(), Some(ca.clone()), false)),
        }
    }
    for host in &o.registry_insecure {
        match tls.iter_mut().find(|(h, _, _)| h == host) {
            Some(slot) => slot.2 = true,
            None => tls.push((host.clone(), None, true)),
        }
    }
    for (host, ca, insecure) in tls {
        let mut d = Fields::document("RegistryTLSConfig");
        d.set("name", s(host.clone()));
        if let Some(ca) = ca.filter(|c| !c.is_empty()) {
            d.set("ca", s(ca));
        }
        if insecure {
            d.set("insecureSkipVerify", Node::Bool(true));
        }
        docs.push(("RegistryTLSConfig", host, d.build()));
    }
    // slices.SortStableFunc by kind, then name (plain string comparison).
    docs.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(docs.into_iter().map(|(_, _, d)| d).collect())
}
