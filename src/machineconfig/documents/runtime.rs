//! Runtime documents (≥ v1.14): `UnattendedInstallConfig`, `SysctlConfig`,
//! `SecurityProfileConfig` (talos `types/runtime/`, `generate/init.go:227-255`,
//! `generate/security_profile.go`).

use super::{go_quote, s, string_map, Fields};
use crate::machineconfig::Input;
use crate::yaml::Node;

/// `UnattendedInstallConfig` when the contract has it and an install disk is given.
pub(super) fn unattended_install(input: &Input<'_>) -> Option<Node> {
    let o = &input.options;
    if !input.contract.unattended_install_config()
        || o.install_disk.is_empty()
        || o.skip_unattended_install_config
    {
        return None;
    }
    let mut installer = Fields::new();
    installer.str_nonempty("image", &o.install_image);
    // The selector is CEL built with Go's %q (`init.go:289`).
    let selector = format!("disk.dev_path == {}", go_quote(&o.install_disk));
    let mut d = Fields::document("UnattendedInstallConfig");
    d.set("installer", installer.build()).set(
        "provisioning",
        Node::map([
            ("diskSelector", Node::map([("match", s(selector))])),
            ("wipe", Node::Bool(false)),
        ]),
    );
    Some(d.build())
}

/// `SysctlConfig` when sysctls are given and the contract has the document.
pub(super) fn sysctl(input: &Input<'_>) -> Option<Node> {
    if input.options.sysctls.is_empty() || !input.contract.multidoc_sysctl_config_supported() {
        return None;
    }
    let mut d = Fields::document("SysctlConfig");
    d.set("params", string_map(&input.options.sysctls));
    Some(d.build())
}

/// `SecurityProfileConfig` with workload isolation on by default.
pub(super) fn security_profile(input: &Input<'_>) -> Option<Node> {
    if !input.contract.workload_isolation_enabled_by_default() {
        return None;
    }
    let mut d = Fields::document("SecurityProfileConfig");
    d.set("workloadIsolation", Node::Bool(true));
    Some(d.build())
}
