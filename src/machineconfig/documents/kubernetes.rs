//! Kubernetes documents (≥ v1.14, talos `generate/kubernetes.go`, `types/k8s/`).
//!
//! [`universal`] documents go to every machine (the Kubernetes CA's certificate only on
//! workers); [`control_plane`] documents carry the control plane's secrets and never reach a
//! worker.

use super::secrets::{self, pem_text};
use super::{
    go_url_string, image, s, templates, Fields, API_SERVER_IMAGE, CONTROLLER_MANAGER_IMAGE,
    DEFAULT_KUBE_PRISM_PORT, KUBELET_IMAGE, LABEL_CONTROL_PLANE, LABEL_EXCLUDE_FROM_EXTERNAL_LB,
    PROXY_IMAGE, SCHEDULER_IMAGE,
};
use crate::machineconfig::{Error, Input};
use crate::yaml::{self, Node};

fn empty() -> Node {
    Node::Map(Vec::new())
}

/// `generateKubernetesUniversalConfigs` (`kubernetes.go:165-250`).
pub(super) fn universal(input: &Input<'_>, control_plane: bool) -> Result<Vec<Node>, Error> {
    let o = &input.options;
    let endpoint = go_url_string("control plane endpoint", &input.endpoint)?;
    let mut cluster = Fields::document("KubeClusterConfig");
    cluster
        .set("clusterName", s(&input.cluster_name))
        .set("endpoint", s(endpoint));

    let mut node = Fields::document("KubeNodeConfig");
    node.set("nodeIP", empty());
    if control_plane {
        let mut labels = vec![(LABEL_CONTROL_PLANE.to_string(), s(""))];
        if input.contract.add_exclude_from_external_load_balancer() {
            labels.push((LABEL_EXCLUDE_FROM_EXTERNAL_LB.to_string(), s("")));
        }
        yaml::sort_natural(&mut labels);
        node.set("labels", Node::Map(labels));
        if !o.allow_scheduling_on_control_planes {
            node.set(
                "taints",
                Node::map([(LABEL_CONTROL_PLANE, s("NoSchedule"))]),
            );
        }
    }

    let mut kubelet = Fields::document("KubeletConfig");
    kubelet
        .set("image", image(KUBELET_IMAGE, input))
        .set("config", empty())
        .set("defaultRuntimeSeccompProfileEnabled", Node::Bool(true));

    let (pods, services) = input.pod_and_service_subnets();
    let mut network = Fields::document("KubeNetworkConfig");
    network
        .set("dnsDomain", s(&o.dns_domain))
        .set("podSubnets", Node::str_seq([pods]))
        .set("serviceSubnets", Node::str_seq([services]));

    let k8s = secrets::k8s(input.secrets)?;
    let mut ca = Fields::document("KubeAPIServerCAConfig");
    if control_plane {
        ca.set(
            "issuingCA",
            Node::map([
                ("cert", s(pem_text(&k8s.crt, "certs.k8s.crt")?)),
                ("key", s(pem_text(&k8s.key, "certs.k8s.key")?)),
            ]),
        );
    } else {
        ca.set(
            "acceptedCAs",
            Node::Seq(vec![s(pem_text(&k8s.crt, "certs.k8s.crt")?)]),
        );
    }

    let mut docs = vec![
        cluster.build(),
        node.build(),
        kubelet.build(),
        network.build(),
        ca.build(),
    ];
    let port = o.kube_prism_port.unwrap_or(DEFAULT_KUBE_PRISM_PORT);
    if port > 0 {
        let mut prism = Fields::document("KubePrismConfig");
        prism.set("port", Node::Int(i64::from(port)));
        docs.push(prism.build());
    }
    Ok(docs)
}

/// `generateKubernetesControlplaneConfigs` (`kubernetes.go:21-163`).
pub(super) fn control_plane(input: &Input<'_>) -> Result<Vec<Node>, Error> {
    let o = &input.options;
    let b = input.secrets;
    let mut docs = Vec::new();

    let agg = secrets::aggregator(b)?;
    let mut d = Fields::document("KubeAggregatorCAConfig");
    d.set(
        "issuingCA",
        Node::map([
            ("cert", s(pem_text(&agg.crt, "certs.k8saggregator.crt")?)),
            ("key", s(pem_text(&agg.key, "certs.k8saggregator.key")?)),
        ]),
    );
    docs.push(d.build());

    let mut d = Fields::document("KubeAdmissionControlConfig");
    d.set("name", s("PodSecurity"))
        .set("configuration", templates().pod_security_admission.clone());
    docs.push(d.build());

    let mut d = Fields::document("KubeAuditPolicyConfig");
    d.set("configuration", templates().audit_policy.clone());
    docs.push(d.build());

    let mut d = Fields::document("KubeAuthenticationConfig");
    d.set("configuration", templates().authentication.clone());
    docs.push(d.build());

    for (name, kind) in [("node", "Node"), ("rbac", "RBAC")] {
        let mut d = Fields::document("KubeAuthorizerConfig");
        d.set("name", s(name)).set("type", s(kind));
        docs.push(d.build());
    }

    // Talos compat: both secrets become secretbox providers, key2 then key1, to match the
    // legacy kube-apiserver rendering (`kubernetes.go:44-92`).
    let (secretbox, aescbc) = secrets::encryption_secrets(b)?;
    let mut providers = Vec::new();
    for (name, secret) in [("key2", secretbox), ("key1", aescbc)] {
        if !secret.is_empty() {
            providers.push(Node::map([(
                "secretbox",
                Node::map([(
                    "keys",
                    Node::Seq(vec![Node::map([("name", s(name)), ("secret", s(secret))])]),
                )]),
            )]));
        }
    }
    let mut d = Fields::document("KubeEtcdEncryptionConfig");
    d.set(
        "config",
        Node::map([(
            "resources",
            Node::Seq(vec![Node::map([
                // An empty provider list is a nil []any in Talos: written as `[]`.
                ("providers", Node::Seq(providers)),
                ("resources", Node::str_seq(["secrets"])),
            ])]),
        )]),
    );
    docs.push(d.build());

    let mut d = Fields::document("KubeServiceAccountConfig");
    d.set(
        "issuer",
        Node::map([
            (
                "privateKey",
                s(pem_text(
                    secrets::service_account_key(b)?,
                    "certs.k8sserviceaccount.key",
                )?),
            ),
            (
                "issuerURL",
                s(go_url_string("control plane endpoint", &input.endpoint)?),
            ),
        ]),
    );
    docs.push(d.build());

    let mut sans: Vec<String> = Vec::new();
    if input.contract.populate_cluster_sans_from_endpoint() {
        if let Some(host) = super::url_hostname(&input.endpoint) {
            sans.push(host);
        }
    }
    sans.extend(o.additional_sans.iter().cloned());
    let mut d = Fields::document("KubeAPIServerConfig");
    d.set("image", image(API_SERVER_IMAGE, input));
    if o.local_api_server_port != 0 {
        d.set("apiPort", Node::Int(i64::from(o.local_api_server_port)));
    }
    if !sans.is_empty() {
        d.set("certExtraSANs", Node::str_seq(sans));
    }
    docs.push(d.build());

    let mut d = Fields::document("KubeControllerManagerConfig");
    d.set("image", image(CONTROLLER_MANAGER_IMAGE, input));
    docs.push(d.build());

    let mut d = Fields::document("KubeSchedulerConfig");
    d.set("image", image(SCHEDULER_IMAGE, input))
        .set("config", empty());
    docs.push(d.build());

    let mut d = Fields::document("KubeProxyConfig");
    d.set("image", image(PROXY_IMAGE, input))
        .set("config", empty());
    docs.push(d.build());

    if o.custom_cni_url.is_empty() {
        let mut d = Fields::document("KubeFlannelCNIConfig");
        d.set("backendType", s("vxlan"))
            .set("backendPort", Node::Int(4789));
        docs.push(d.build());
    }

    let mut d = Fields::document("KubeCoreDNSConfig");
    d.set("enabled", Node::Bool(true));
    docs.push(d.build());

    if !o.custom_cni_url.is_empty() {
        let url = go_url_string("custom CNI URL", &o.custom_cni_url)?;
        let mut d = Fields::document("KubeExternalManifestConfig");
        d.set("name", s("custom-cni")).set("url", s(url));
        docs.push(d.build());
    }
    Ok(docs)
}
