//! The v1alpha1 `Config` document (talos `generate/init.go:27-204` for control planes,
//! `generate/worker.go:24-160` for workers; field order `types/v1alpha1/v1alpha1_types.go`).
//!
//! Fields Talos sets later on the same struct (registries: `registry.go`; `network`,
//! `features.stableHostname`, legacy KubeSpan: `network.go`) are set here directly.

use super::secrets::{self, b64};
use super::{
    go_url_string, image, s, string_map, templates, url_hostname, Fields, API_SERVER_IMAGE,
    CONTROLLER_MANAGER_IMAGE, DEFAULT_KUBE_PRISM_PORT, KUBELET_IMAGE,
    LABEL_EXCLUDE_FROM_EXTERNAL_LB, PROXY_IMAGE, SCHEDULER_IMAGE,
};
use crate::machineconfig::{Error, Input, MachineType};
use crate::yaml::{self, Node};

/// The whole v1alpha1 document.
pub(super) fn config(input: &Input<'_>, machine_type: MachineType) -> Result<Node, Error> {
    let mut doc = Fields::new();
    doc.set("version", s("v1alpha1"))
        .set("debug", Node::Bool(input.options.debug))
        .set("persist", Node::Bool(true))
        .set("machine", machine(input, machine_type)?)
        .set(
            "cluster",
            if machine_type == MachineType::Worker {
                worker_cluster(input)?
            } else {
                control_plane_cluster(input)?
            },
        );
    Ok(doc.build())
}

/// `MachineConfig` (`v1alpha1_types.go:87`).
fn machine(input: &Input<'_>, machine_type: MachineType) -> Result<Node, Error> {
    let c = &input.contract;
    let o = &input.options;
    let worker = machine_type == MachineType::Worker;
    let multidoc_k8s = c.multidoc_kubernetes_config_supported();
    let os = secrets::os(input.secrets)?;

    let mut m = Fields::new();
    m.set("type", s(machine_type.as_str()))
        .set("token", s(secrets::trustd_token(input.secrets)?))
        // Talos compat: workers get the OS CA certificate only; its nil key marshals as "".
        .set("ca", secrets::cert_and_key_b64(os, !worker))
        .set("certSANs", Node::str_seq(o.additional_sans.iter().cloned()));

    if !multidoc_k8s {
        let mut kubelet = Fields::new();
        kubelet.set("image", image(KUBELET_IMAGE, input));
        if c.kubelet_default_runtime_seccomp_profile_enabled() {
            kubelet.set("defaultRuntimeSeccompProfileEnabled", Node::Bool(true));
        }
        if c.kubelet_manifests_directory_disabled() {
            kubelet.set("disableManifestsDirectory", Node::Bool(true));
        }
        m.set("kubelet", kubelet.build());
    }

    // network.go:31-51: an empty `network: {}` for older contracts, legacy KubeSpan inside it.
    let mut network: Option<Fields> = (!c.kube_span_multidoc_config()).then(Fields::new);
    if let Some(enabled) = o.kubespan_enabled {
        if !c.kube_span_multidoc_config() {
            let net = network.get_or_insert_with(Fields::new);
            net.set("kubespan", Node::map([("enabled", Node::Bool(enabled))]));
        }
    }
    m.opt("network", network.map(Fields::build));

    if !c.unattended_install_config() {
        let mut install = Fields::new();
        install.str_nonempty("disk", &o.install_disk);
        if !o.install_extra_kernel_args.is_empty() {
            install.set(
                "extraKernelArgs",
                Node::str_seq(o.install_extra_kernel_args.iter().cloned()),
            );
        }
        install
            .str_nonempty("image", &o.install_image)
            .set("wipe", Node::Bool(false));
        if c.grub_use_uki_cmdline_default() {
            install.set("grubUseUKICmdline", Node::Bool(true));
        }
        m.set("install", install.build());
    }

    if !c.multidoc_sysctl_config_supported() && !o.sysctls.is_empty() {
        m.set("sysctls", string_map(&o.sysctls));
    }

    if !c.multidoc_network_config_supported() {
        m.opt("registries", registries(input)?);
    }

    m.set("features", features(input));

    if !worker && c.add_exclude_from_external_load_balancer() && !multidoc_k8s {
        m.set(
            "nodeLabels",
            Node::map([(LABEL_EXCLUDE_FROM_EXTERNAL_LB, s(""))]),
        );
    }
    Ok(m.build())
}

/// `FeaturesConfig`: always present (`MachineFeatures: &v1alpha1.FeaturesConfig{}`).
fn features(input: &Input<'_>) -> Node {
    let c = &input.contract;
    let o = &input.options;
    let mut f = Fields::new();
    if !c.hide_rbac_and_key_usage() {
        f.set("rbac", Node::Bool(true));
    }
    if c.stable_hostname_enabled() && !c.multidoc_network_config_supported() {
        f.set("stableHostname", Node::Bool(true));
    }
    if !c.hide_rbac_and_key_usage() && c.apid_ext_key_usage_check_enabled() {
        f.set("apidCheckExtKeyUsage", Node::Bool(true));
    }
    if c.disk_quota_support_enabled() {
        f.set("diskQuotaSupport", Node::Bool(true));
    }
    if !c.multidoc_kubernetes_config_supported() {
        let port = match o.kube_prism_port {
            Some(p) => (p > 0).then_some(p),
            None => c.kube_prism_enabled().then_some(DEFAULT_KUBE_PRISM_PORT),
        };
        if let Some(port) = port {
            f.set(
                "kubePrism",
                Node::map([
                    ("enabled", Node::Bool(true)),
                    ("port", Node::Int(i64::from(port))),
                ]),
            );
        }
    }
    if c.host_dns_enabled() && !c.host_dns_multidoc_config() {
        let mut h = Fields::new();
        h.set("enabled", Node::Bool(true));
        if forward_kube_dns_to_host(input) {
            h.set("forwardKubeDNSToHost", Node::Bool(true));
        }
        f.set("hostDNS", h.build());
    }
    f.build()
}

/// `ptrOrNil(option || contract.HostDNSForwardKubeDNSToHost())`.
pub(super) fn forward_kube_dns_to_host(input: &Input<'_>) -> bool {
    input
        .options
        .host_dns_forward_kube_dns_to_host
        .unwrap_or(false)
        || input.contract.host_dns_forward_kube_dns_to_host()
}

/// Legacy `machine.registries` (`registry.go:21-70`); `None` when both maps are empty
/// (`omitempty` on a struct whose fields are all empty).
fn registries(input: &Input<'_>) -> Result<Option<Node>, Error> {
    let o = &input.options;
    let mut mirrors: Vec<(String, Vec<String>)> = Vec::new();
    if input.contract.kubernetes_alternate_image_registries() {
        mirrors.push((
            "k8s.gcr.io".into(),
            vec![
                "https://registry.k8s.io".into(),
                "https://k8s.gcr.io".into(),
            ],
        ));
    }
    for (host, endpoints) in merged_mirrors(o) {
        match mirrors.iter_mut().find(|(h, _)| *h == host) {
            Some(slot) => slot.1 = endpoints,
            None => mirrors.push((host, endpoints)),
        }
    }
    let mut mirror_nodes: Vec<(String, Node)> = mirrors
        .into_iter()
        .map(|(h, eps)| (h, Node::map([("endpoints", Node::str_seq(eps))])))
        .collect();
    yaml::sort_natural(&mut mirror_nodes);

    let mut config: Vec<(String, Vec<(String, Node)>)> = Vec::new();
    let tls = |config: &mut Vec<(String, Vec<(String, Node)>)>, host: &str| -> usize {
        match config.iter().position(|(h, _)| h == host) {
            Some(i) => i,
            None => {
                config.push((host.to_string(), Vec::new()));
                config.len() - 1
            }
        }
    };
    for (host, ca) in &o.registry_ca_certs {
        let i = tls(&mut config, host);
        if let Some((_, fields)) = config.get_mut(i) {
            fields.retain(|(k, _)| k != "ca");
            fields.insert(0, ("ca".into(), s(b64(ca.as_bytes()))));
        }
    }
    for host in &o.registry_insecure {
        let i = tls(&mut config, host);
        if let Some((_, fields)) = config.get_mut(i) {
            if !fields.iter().any(|(k, _)| k == "insecureSkipVerify") {
                fields.push(("insecureSkipVerify".into(), Node::Bool(true)));
            }
        }
    }
    let mut config_nodes: Vec<(String, Node)> = config
        .into_iter()
        .map(|(h, tls)| (h, Node::map([("tls", Node::Map(tls))])))
        .collect();
    yaml::sort_natural(&mut config_nodes);

    let mut r = Fields::new();
    if !mirror_nodes.is_empty() {
        r.set("mirrors", Node::Map(mirror_nodes));
    }
    if !config_nodes.is_empty() {
        r.set("config", Node::Map(config_nodes));
    }
    Ok((!r.is_empty()).then(|| r.build()))
}

/// Registry mirrors with repeated hosts merged (`WithRegistryMirror` appends endpoints).
pub(super) fn merged_mirrors(o: &crate::machineconfig::Options) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (host, endpoints) in &o.registry_mirrors {
        match out.iter_mut().find(|(h, _)| h == host) {
            Some(slot) => slot.1.extend(endpoints.iter().cloned()),
            None => out.push((host.clone(), endpoints.clone())),
        }
    }
    out
}

/// `ClusterConfig` of control planes (`init.go:130-204`).
fn control_plane_cluster(input: &Input<'_>) -> Result<Node, Error> {
    let c = &input.contract;
    let o = &input.options;
    let multidoc_k8s = c.multidoc_kubernetes_config_supported();
    let k8s_off = o.skip_kubernetes_and_etcd;
    let endpoint = go_url_string("control plane endpoint", &input.endpoint)?;

    let mut cl = Fields::new();
    if !c.discovery_identity_multidoc_config() {
        let (id, secret) = secrets::cluster(input.secrets)?;
        cl.str_nonempty("id", id).str_nonempty("secret", secret);
    }
    if !multidoc_k8s {
        let mut cp = Fields::new();
        cp.set("endpoint", s(endpoint));
        if o.local_api_server_port != 0 {
            cp.set(
                "localAPIServerPort",
                Node::Int(i64::from(o.local_api_server_port)),
            );
        }
        cl.set("controlPlane", cp.build());
    }
    if !c.discovery_identity_multidoc_config() {
        cl.str_nonempty("clusterName", &input.cluster_name);
    }
    // Talos compat: the control plane writes the parsed URL back (`customCNIURL.String()`,
    // init.go:176-185), workers the text as given (worker.go:131-135).
    let cni_url = if o.custom_cni_url.is_empty() {
        None
    } else {
        Some(go_url_string("custom CNI URL", &o.custom_cni_url)?)
    };
    if !multidoc_k8s {
        cl.set("network", cluster_network(input, cni_url));
    }
    if !k8s_off {
        cl.str_nonempty("token", secrets::bootstrap_token(input.secrets)?);
    }
    if !multidoc_k8s {
        let (secretbox, aescbc) = secrets::encryption_secrets(input.secrets)?;
        if c.secretbox_encryption_supported() {
            cl.str_nonempty("secretboxEncryptionSecret", secretbox);
        } else {
            cl.str_nonempty("aescbcEncryptionSecret", aescbc);
        }
        // Struct order puts aescbc before secretbox; only one is ever set here.
        cl.set(
            "ca",
            secrets::cert_and_key_b64(secrets::k8s(input.secrets)?, true),
        )
        .set(
            "aggregatorCA",
            secrets::cert_and_key_b64(secrets::aggregator(input.secrets)?, true),
        )
        .set(
            "serviceAccount",
            Node::map([("key", s(b64(secrets::service_account_key(input.secrets)?)))]),
        );
        cl.set("apiServer", api_server(input))
            .set(
                "controllerManager",
                Node::map([("image", image(CONTROLLER_MANAGER_IMAGE, input))]),
            )
            .set("proxy", Node::map([("image", image(PROXY_IMAGE, input))]))
            .set(
                "scheduler",
                Node::map([("image", image(SCHEDULER_IMAGE, input))]),
            );
    }
    cl.opt("discovery", discovery(input));
    if !k8s_off {
        cl.set(
            "etcd",
            Node::map([(
                "ca",
                secrets::cert_and_key_b64(secrets::etcd(input.secrets)?, true),
            )]),
        );
    }
    if o.allow_scheduling_on_control_planes && !multidoc_k8s {
        let key = if c.kubernetes_allow_scheduling_on_control_planes() {
            "allowSchedulingOnControlPlanes"
        } else {
            "allowSchedulingOnMasters"
        };
        cl.set(key, Node::Bool(true));
    }
    Ok(cl.build())
}

/// `cluster.apiServer` (`APIServerConfig`, legacy contracts).
fn api_server(input: &Input<'_>) -> Node {
    let c = &input.contract;
    let mut sans: Vec<String> = Vec::new();
    if c.populate_cluster_sans_from_endpoint() {
        if let Some(host) = url_hostname(&input.endpoint) {
            sans.push(host);
        }
    }
    sans.extend(input.options.additional_sans.iter().cloned());

    let mut a = Fields::new();
    a.set("image", image(API_SERVER_IMAGE, input));
    if !sans.is_empty() {
        a.set("certSANs", Node::str_seq(sans));
    }
    if !c.hide_disable_psp() {
        a.set("disablePodSecurityPolicy", Node::Bool(true));
    }
    if c.pod_security_admission_enabled() {
        a.set(
            "admissionControl",
            Node::Seq(vec![Node::map([
                ("name", s("PodSecurity")),
                ("configuration", templates().pod_security_admission.clone()),
            ])]),
        );
    }
    if c.api_server_audit_policy_supported() {
        a.set("auditPolicy", templates().audit_policy.clone());
    }
    a.build()
}

/// `cluster.network` (`ClusterNetworkConfig`).
fn cluster_network(input: &Input<'_>, cni_url: Option<String>) -> Node {
    let (pods, services) = input.pod_and_service_subnets();
    let mut n = Fields::new();
    if let Some(url) = cni_url {
        n.set(
            "cni",
            Node::map([("name", s("custom")), ("urls", Node::str_seq([url]))]),
        );
    }
    n.set("dnsDomain", s(&input.options.dns_domain))
        .set("podSubnets", Node::str_seq([pods]))
        .set("serviceSubnets", Node::str_seq([services]));
    n.build()
}

/// `cluster.discovery` (legacy contracts): registries are struct values, always written.
fn discovery(input: &Input<'_>) -> Option<Node> {
    let c = &input.contract;
    let enabled = input.options.discovery_enabled?;
    if c.discovery_service_multidoc_config() {
        return None;
    }
    let mut kubernetes = Fields::new();
    if c.kubernetes_discovery_backend_disabled() {
        kubernetes.set("disabled", Node::Bool(true));
    }
    Some(Node::map([
        ("enabled", Node::Bool(enabled)),
        (
            "registries",
            Node::map([
                ("kubernetes", kubernetes.build()),
                ("service", Node::Map(Vec::new())),
            ]),
        ),
    ]))
}

/// `ClusterConfig` of workers (`worker.go:98-150`).
fn worker_cluster(input: &Input<'_>) -> Result<Node, Error> {
    let c = &input.contract;
    let multidoc_k8s = c.multidoc_kubernetes_config_supported();
    let endpoint = go_url_string("control plane endpoint", &input.endpoint)?;

    let mut cl = Fields::new();
    if !c.discovery_identity_multidoc_config() {
        let (id, secret) = secrets::cluster(input.secrets)?;
        cl.str_nonempty("id", id).str_nonempty("secret", secret);
    }
    if !multidoc_k8s {
        cl.set("controlPlane", Node::map([("endpoint", s(endpoint))]));
        if c.cluster_name_for_workers() {
            cl.str_nonempty("clusterName", &input.cluster_name);
        }
        let raw_cni = &input.options.custom_cni_url;
        let cni_url = (!raw_cni.is_empty()).then(|| raw_cni.clone());
        cl.set("network", cluster_network(input, cni_url));
    }
    cl.str_nonempty("token", secrets::bootstrap_token(input.secrets)?);
    if !multidoc_k8s {
        // Talos compat: the Kubernetes CA certificate only; the nil key marshals as "".
        cl.set(
            "ca",
            secrets::cert_and_key_b64(secrets::k8s(input.secrets)?, false),
        );
    }
    cl.opt("discovery", discovery(input));
    Ok(cl.build())
}
