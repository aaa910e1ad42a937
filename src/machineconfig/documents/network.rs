//! Network documents: `ResolverConfig` (≥ v1.14), `HostnameConfig` (≥ v1.12), `KubeSpanConfig`
//! (≥ v1.13 with KubeSpan) (talos `generate/network.go`, `generate/init.go:238-248`).

use super::v1alpha1::forward_kube_dns_to_host;
use super::{s, Fields};
use crate::machineconfig::Input;
use crate::yaml::Node;

/// `ResolverConfig` with host DNS.
pub(super) fn resolver(input: &Input<'_>) -> Option<Node> {
    let c = &input.contract;
    if !(c.host_dns_enabled() && c.host_dns_multidoc_config()) {
        return None;
    }
    let mut host_dns = Fields::new();
    host_dns.set("enabled", Node::Bool(true));
    if forward_kube_dns_to_host(input) {
        host_dns.set("forwardKubeDNSToHost", Node::Bool(true));
    }
    let mut d = Fields::document("ResolverConfig");
    d.set("hostDNS", host_dns.build());
    Some(d.build())
}

/// `HostnameConfig` and `KubeSpanConfig` (`generateNetworkConfigs`).
pub(super) fn documents(input: &Input<'_>) -> Vec<Node> {
    let c = &input.contract;
    let mut docs = Vec::new();
    if c.multidoc_network_config_supported() {
        let mut d = Fields::document("HostnameConfig");
        d.set("auto", s("stable"));
        docs.push(d.build());
    }
    if let Some(enabled) = input.options.kubespan_enabled {
        if c.kube_span_multidoc_config() {
            let mut d = Fields::document("KubeSpanConfig");
            d.set("enabled", Node::Bool(enabled));
            docs.push(d.build());
        }
    }
    docs
}
