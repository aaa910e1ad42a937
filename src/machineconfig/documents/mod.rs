//! The documents of a machine configuration, one file per document family, built as [`Node`]
//! trees in Go struct field order (talos `pkg/machinery/config/generate/`).
//!
//! Document order is the append order of `init.go:223-295` and `worker.go:170-238`.

mod block;
mod cluster;
mod kubernetes;
mod network;
mod registry;
mod runtime;
pub(crate) mod secrets;
mod v1alpha1;

use std::sync::OnceLock;

use super::{Error, Input, MachineType};
use crate::yaml::{self, Node};

/// `ghcr.io/siderolabs/kubelet` (`constants.KubeletImage`).
const KUBELET_IMAGE: &str = "ghcr.io/siderolabs/kubelet";
/// `registry.k8s.io/kube-apiserver`.
const API_SERVER_IMAGE: &str = "registry.k8s.io/kube-apiserver";
/// `registry.k8s.io/kube-controller-manager`.
const CONTROLLER_MANAGER_IMAGE: &str = "registry.k8s.io/kube-controller-manager";
/// `registry.k8s.io/kube-scheduler`.
const SCHEDULER_IMAGE: &str = "registry.k8s.io/kube-scheduler";
/// `registry.k8s.io/kube-proxy`.
const PROXY_IMAGE: &str = "registry.k8s.io/kube-proxy";
/// `constants.DefaultKubePrismPort`.
const DEFAULT_KUBE_PRISM_PORT: u16 = 7445;
/// `constants.LabelNodeRoleControlPlane`.
const LABEL_CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";
/// `constants.LabelExcludeFromExternalLB`.
const LABEL_EXCLUDE_FROM_EXTERNAL_LB: &str =
    "node.kubernetes.io/exclude-from-external-load-balancers";

/// Documents for `machine_type`, in Talos's order.
pub(super) fn generate(input: &Input<'_>, machine_type: MachineType) -> Result<Vec<Node>, Error> {
    let control_plane = machine_type != MachineType::Worker;
    let c = &input.contract;
    let mut docs = vec![v1alpha1::config(input, machine_type)?];
    docs.extend(cluster::discovery(input)?);
    docs.extend(runtime::unattended_install(input));
    docs.extend(network::resolver(input));
    docs.extend(runtime::sysctl(input));
    docs.extend(block::volumes(input));
    docs.extend(runtime::security_profile(input));
    docs.extend(registry::documents(input)?);
    docs.extend(network::documents(input));
    if !input.options.skip_kubernetes_and_etcd && c.multidoc_kubernetes_config_supported() {
        docs.extend(kubernetes::universal(input, control_plane)?);
        if control_plane {
            docs.extend(kubernetes::control_plane(input)?);
        }
    }
    Ok(docs)
}

/// A mapping under construction, in field order; `None` fields are left out (Go `omitempty`
/// on a nil or zero value).
#[derive(Default)]
pub(crate) struct Fields(Vec<(String, Node)>);

impl Fields {
    pub(crate) fn new() -> Self {
        Fields(Vec::new())
    }

    /// A multi-document header: `apiVersion: v1alpha1`, `kind: <kind>`.
    pub(crate) fn document(kind: &str) -> Self {
        let mut f = Fields::new();
        f.set("apiVersion", s("v1alpha1")).set("kind", s(kind));
        f
    }

    pub(crate) fn set(&mut self, key: &str, value: Node) -> &mut Self {
        self.0.push((key.to_string(), value));
        self
    }

    pub(crate) fn opt(&mut self, key: &str, value: Option<Node>) -> &mut Self {
        if let Some(v) = value {
            self.0.push((key.to_string(), v));
        }
        self
    }

    /// A string field with `omitempty`.
    pub(crate) fn str_nonempty(&mut self, key: &str, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.0.push((key.to_string(), s(value)));
        }
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn build(self) -> Node {
        Node::Map(self.0)
    }
}

/// A string node.
pub(crate) fn s(v: impl Into<String>) -> Node {
    Node::Str(v.into())
}

/// A Go `map[string]string`, written in natural key order; a repeated key keeps its last value.
pub(crate) fn string_map(pairs: &[(String, String)]) -> Node {
    let mut entries: Vec<(String, Node)> = Vec::new();
    for (k, v) in pairs {
        match entries.iter_mut().find(|(ek, _)| ek == k) {
            Some(slot) => slot.1 = s(v.clone()),
            None => entries.push((k.clone(), s(v.clone()))),
        }
    }
    yaml::sort_natural(&mut entries);
    Node::Map(entries)
}

/// `<image>:v<kubernetes version>`.
fn image(repo: &str, input: &Input<'_>) -> Node {
    s(format!("{repo}:v{}", input.kubernetes_version))
}

/// Static document parts, parsed once from `templates/`.
pub(crate) struct Templates {
    pub(crate) pod_security_admission: Node,
    pub(crate) audit_policy: Node,
    pub(crate) authentication: Node,
}

/// The parsed templates. They are compile-time constants checked by a unit test, so a parse
/// failure can only be a build defect; it degrades to empty mappings rather than panicking.
pub(crate) fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| {
        let one = |text: &str| {
            yaml::parse(text)
                .ok()
                .and_then(|docs| docs.into_iter().next())
                .unwrap_or(Node::Map(Vec::new()))
        };
        Templates {
            pod_security_admission: one(include_str!(
                "../../../templates/pod-security-admission.yaml"
            )),
            audit_policy: one(include_str!("../../../templates/audit-policy.yaml")),
            authentication: one(include_str!("../../../templates/authentication.yaml")),
        }
    })
}

/// `url.Parse(url).Hostname()` (`GetAPIServerSANs`, generate.go:48-53): the decoded host
/// without port or IPv6 brackets; `None` when Go cannot parse the URL (Talos then adds none).
pub(crate) fn url_hostname(url: &str) -> Option<String> {
    let u = GoUrl::parse(url).ok()?;
    // A host escaping a byte that is not UTF-8 (`%FF`) has no exact YAML string: replaced.
    Some(String::from_utf8_lossy(u.hostname()).into_owned())
}

/// A URL as Talos writes it: `url.Parse`, then `URL.String()` (`meta.URL` and
/// `v1alpha1.Endpoint` `MarshalYAML`): scheme lower-cased, host, path and fragment re-escaped.
pub(crate) fn go_url_string(what: &str, value: &str) -> Result<String, Error> {
    GoUrl::parse(value)
        .map(|u| u.to_string())
        .map_err(|reason| Error::BadUrl {
            what: what.to_string(),
            value: value.to_string(),
            reason,
        })
}

pub(crate) use crate::goquote::go_quote;
use crate::gourl::GoUrl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_round_trip() {
        for (text, node) in [
            (
                include_str!("../../../templates/pod-security-admission.yaml"),
                &templates().pod_security_admission,
            ),
            (
                include_str!("../../../templates/audit-policy.yaml"),
                &templates().audit_policy,
            ),
            (
                include_str!("../../../templates/authentication.yaml"),
                &templates().authentication,
            ),
        ] {
            let body: String = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect();
            assert_eq!(yaml::emit(node), body);
        }
    }

    #[test]
    fn hostnames() {
        assert_eq!(url_hostname("https://base:6443").as_deref(), Some("base"));
        assert_eq!(url_hostname("https://[::1]:6443/x").as_deref(), Some("::1"));
        assert_eq!(
            url_hostname("https://u@h.example").as_deref(),
            Some("h.example")
        );
        // Go parses `base` as a path: an empty hostname.
        assert_eq!(url_hostname("base").as_deref(), Some(""));
        assert_eq!(url_hostname("https://%zz"), None);
        // Talos compat: `Hostname()` of Go's parse, not the text between `//` and `:`.
        assert_eq!(
            url_hostname("https://[fd00::1%25eth0]:6443").as_deref(),
            Some("fd00::1%eth0")
        );
        assert_eq!(
            url_hostname("https://%C3%BC.example:6443").as_deref(),
            Some("ü.example")
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("/dev/vda"), "\"/dev/vda\"");
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
        assert_eq!(go_quote("\u{feff}\u{1F600}"), "\"\\ufeff\u{1F600}\"");
    }
}
