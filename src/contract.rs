//! Talos version contracts (`spec/gen-config.md` §2, talos `pkg/machinery/config/contract.go`).
//!
//! A contract says which Talos release the generated files must suit. Differences between releases
//! are named predicates in one table; generators ask predicates and never compare versions.
//! "current" is a value ([`VersionContract::CURRENT`]) for which every predicate holds, as in Talos.
//! Any `vX.Y` parses, as in talosctl (`ParseContractFromVersion`): a version newer than every
//! predicate's bound (v1.16, v2.0) gets the current contract's output, and one older than v1.0
//! (v0.14) that of v1.0, since the version itself is never written into any file.
//! Adding v1.16: extend [`KNOWN`] (and add its goldens).

use std::fmt;
use std::str::FromStr;

/// A Talos version contract: `vMAJOR.MINOR`, or the current (newest) one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct VersionContract {
    major: u32,
    minor: u32,
}

/// Every contract Talos names, oldest first (`contract.go:29-47`): the ones with goldens.
pub const KNOWN: [(u32, u32); 16] = [
    (1, 0),
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 8),
    (1, 9),
    (1, 10),
    (1, 11),
    (1, 12),
    (1, 13),
    (1, 14),
    (1, 15),
];

/// Why a `--talos-version` value was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContractError {
    /// Not of the form `vX.Y` (talosctl: `invalid talos-version: …`).
    #[error("invalid talos-version: error parsing version {0:?}: use vX.Y, e.g. v1.15")]
    Syntax(String),
}

impl VersionContract {
    /// The current contract: newer than every named one.
    pub const CURRENT: VersionContract = VersionContract { major: 0, minor: 0 };

    /// A named contract `vMAJOR.MINOR` (unchecked; use [`FromStr`] for input).
    pub const fn new(major: u32, minor: u32) -> Self {
        VersionContract { major, minor }
    }

    /// A `--talos-version` value: empty means the current contract, as talosctl's default
    /// (gen/config.go:198, gen/secrets.go:41); anything else is parsed ([`FromStr`]).
    ///
    /// # Errors
    /// [`ContractError::Syntax`] for a value that is not `vX.Y`.
    pub fn from_flag(s: &str) -> Result<Self, ContractError> {
        match s {
            "" => Ok(Self::CURRENT),
            _ => s.parse(),
        }
    }

    /// Whether this is the current contract.
    pub fn is_current(&self) -> bool {
        self.major == 0 && self.minor == 0
    }

    /// `self > vMAJOR.MINOR`; always true for the current contract (`contract.go:78-91`).
    pub fn greater(&self, major: u32, minor: u32) -> bool {
        self.is_current() || (self.major, self.minor) > (major, minor)
    }

    /// Pod security admission enabled (`> v1.0`).
    pub fn pod_security_admission_enabled(&self) -> bool {
        self.greater(1, 0)
    }
    /// Stable hostname enabled (`> v1.1`).
    pub fn stable_hostname_enabled(&self) -> bool {
        self.greater(1, 1)
    }
    /// Kubelet default runtime seccomp profile (`> v1.1`).
    pub fn kubelet_default_runtime_seccomp_profile_enabled(&self) -> bool {
        self.greater(1, 1)
    }
    /// Alternate Kubernetes image registries (only v1.2).
    pub fn kubernetes_alternate_image_registries(&self) -> bool {
        !self.is_current() && (self.major, self.minor) == (1, 2)
    }
    /// `allowSchedulingOnControlPlanes` key (`> v1.1`).
    pub fn kubernetes_allow_scheduling_on_control_planes(&self) -> bool {
        self.greater(1, 1)
    }
    /// Kubernetes discovery registry disabled by default (`> v1.1`).
    pub fn kubernetes_discovery_backend_disabled(&self) -> bool {
        self.greater(1, 1)
    }
    /// apid checks the client EKU (`> v1.2`).
    pub fn apid_ext_key_usage_check_enabled(&self) -> bool {
        self.greater(1, 2)
    }
    /// API server audit policy supported (`> v1.2`).
    pub fn api_server_audit_policy_supported(&self) -> bool {
        self.greater(1, 2)
    }
    /// Kubelet manifests directory disabled (`> v1.2`).
    pub fn kubelet_manifests_directory_disabled(&self) -> bool {
        self.greater(1, 2)
    }
    /// Secretbox encryption secret instead of AES-CBC (`> v1.2`).
    pub fn secretbox_encryption_supported(&self) -> bool {
        self.greater(1, 2)
    }
    /// Disk quota support feature (`> v1.4`).
    pub fn disk_quota_support_enabled(&self) -> bool {
        self.greater(1, 4)
    }
    /// KubePrism enabled (`> v1.5`).
    pub fn kube_prism_enabled(&self) -> bool {
        self.greater(1, 5)
    }
    /// Host DNS enabled (`> v1.6`).
    pub fn host_dns_enabled(&self) -> bool {
        self.greater(1, 6)
    }
    /// RSA-4096 service-account key instead of ECDSA (`> v1.6`).
    pub fn use_rsa_service_account_key(&self) -> bool {
        self.greater(1, 6)
    }
    /// Workers carry `cluster.clusterName` (`> v1.7`).
    pub fn cluster_name_for_workers(&self) -> bool {
        self.greater(1, 7)
    }
    /// Host DNS forwards kube-dns to the host (`> v1.7`).
    pub fn host_dns_forward_kube_dns_to_host(&self) -> bool {
        self.greater(1, 7)
    }
    /// Control planes get the exclude-from-external-load-balancers label (`> v1.7`).
    pub fn add_exclude_from_external_load_balancer(&self) -> bool {
        self.greater(1, 7)
    }
    /// Secure Boot enrollment enforcement (`> v1.7`).
    pub fn secure_boot_enroll_enforcement_supported(&self) -> bool {
        self.greater(1, 7)
    }
    /// Volume config encryption (`> v1.10`).
    pub fn volume_config_encryption_supported(&self) -> bool {
        self.greater(1, 10)
    }
    /// Multi-document network config (`> v1.11`).
    pub fn multidoc_network_config_supported(&self) -> bool {
        self.greater(1, 11)
    }
    /// `disablePodSecurityPolicy` hidden (`> v1.11`).
    pub fn hide_disable_psp(&self) -> bool {
        self.greater(1, 11)
    }
    /// `features.rbac` and friends hidden (`> v1.11`).
    pub fn hide_rbac_and_key_usage(&self) -> bool {
        self.greater(1, 11)
    }
    /// The endpoint host goes into the API server SANs (`NOT > v1.11`).
    pub fn populate_cluster_sans_from_endpoint(&self) -> bool {
        !self.greater(1, 11)
    }
    /// GRUB uses the UKI command line by default (`> v1.11`).
    pub fn grub_use_uki_cmdline_default(&self) -> bool {
        self.greater(1, 11)
    }
    /// KubeSpan as a separate document (`> v1.12`).
    pub fn kube_span_multidoc_config(&self) -> bool {
        self.greater(1, 12)
    }
    /// Host DNS as a separate document (`> v1.13`).
    pub fn host_dns_multidoc_config(&self) -> bool {
        self.greater(1, 13)
    }
    /// Discovery service as a separate document (`> v1.13`).
    pub fn discovery_service_multidoc_config(&self) -> bool {
        self.greater(1, 13)
    }
    /// Discovery identity as a separate document (`> v1.13`).
    pub fn discovery_identity_multidoc_config(&self) -> bool {
        self.greater(1, 13)
    }
    /// `UnattendedInstallConfig` document (`> v1.13`).
    pub fn unattended_install_config(&self) -> bool {
        self.greater(1, 13)
    }
    /// Kubernetes settings as separate documents (`> v1.13`).
    pub fn multidoc_kubernetes_config_supported(&self) -> bool {
        self.greater(1, 13)
    }
    /// Filesystem trim on by default (`> v1.13`).
    pub fn filesystem_trim_enabled_by_default(&self) -> bool {
        self.greater(1, 13)
    }
    /// Workload isolation on by default (`> v1.13`).
    pub fn workload_isolation_enabled_by_default(&self) -> bool {
        self.greater(1, 13)
    }
    /// Sysctls as a separate document (`> v1.13`).
    pub fn multidoc_sysctl_config_supported(&self) -> bool {
        self.greater(1, 13)
    }
    /// Kernel modules as a separate document (`> v1.13`).
    pub fn multidoc_kernel_module_config_supported(&self) -> bool {
        self.greater(1, 13)
    }
}

impl FromStr for VersionContract {
    type Err = ContractError;

    /// Parse as talosctl does (`contract.go:49-66`): optional `v`, then `MAJOR.MINOR`, then the end
    /// or a `.`. Any such version is accepted, as talosctl does; `v0.0` is the current contract.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || ContractError::Syntax(s.to_string());
        let rest = s.strip_prefix('v').unwrap_or(s);
        let (major, rest) = rest.split_once('.').ok_or_else(syntax)?;
        let minor_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (minor, tail) = rest.split_at(minor_end);
        if !(tail.is_empty() || tail.starts_with('.')) {
            return Err(syntax());
        }
        let digits = |d: &str| -> Result<u32, ContractError> {
            if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            // Talos compat: Go's `strconv.Atoi` saturates a number too large (the error is
            // ignored), so it compares as newer than any other.
            Ok(d.parse().unwrap_or(u32::MAX))
        };
        let (major, minor) = (digits(major)?, digits(minor)?);
        Ok(VersionContract { major, minor })
    }
}

impl fmt::Display for VersionContract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_current() {
            f.write_str("current")
        } else {
            write!(f, "v{}.{}", self.major, self.minor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_talosctl() {
        assert_eq!("v1.7".parse(), Ok(VersionContract::new(1, 7)));
        assert_eq!("1.7".parse(), Ok(VersionContract::new(1, 7)));
        assert_eq!("v1.7.3".parse(), Ok(VersionContract::new(1, 7)));
        assert!(matches!(
            "v1".parse::<VersionContract>(),
            Err(ContractError::Syntax(_))
        ));
        assert!(matches!(
            "v1.7x".parse::<VersionContract>(),
            Err(ContractError::Syntax(_))
        ));
        assert!(matches!(
            "vv1.7".parse::<VersionContract>(),
            Err(ContractError::Syntax(_))
        ));
        assert!(matches!(
            VersionContract::from_flag("v"),
            Err(ContractError::Syntax(_))
        ));
        assert_eq!("v1.16".parse(), Ok(VersionContract::new(1, 16)));
        assert_eq!("v0.8".parse(), Ok(VersionContract::new(0, 8)));
        assert_eq!("v0.0".parse(), Ok(VersionContract::CURRENT));
        assert_eq!(VersionContract::from_flag(""), Ok(VersionContract::CURRENT));
        assert_eq!(
            "v99999999999.1".parse(),
            Ok(VersionContract::new(u32::MAX, 1))
        );
    }

    /// Every predicate, in table order.
    fn predicates(c: VersionContract) -> Vec<bool> {
        vec![
            c.pod_security_admission_enabled(),
            c.stable_hostname_enabled(),
            c.kubelet_default_runtime_seccomp_profile_enabled(),
            c.kubernetes_alternate_image_registries(),
            c.kubernetes_allow_scheduling_on_control_planes(),
            c.kubernetes_discovery_backend_disabled(),
            c.apid_ext_key_usage_check_enabled(),
            c.api_server_audit_policy_supported(),
            c.kubelet_manifests_directory_disabled(),
            c.secretbox_encryption_supported(),
            c.disk_quota_support_enabled(),
            c.kube_prism_enabled(),
            c.host_dns_enabled(),
            c.use_rsa_service_account_key(),
            c.cluster_name_for_workers(),
            c.host_dns_forward_kube_dns_to_host(),
            c.add_exclude_from_external_load_balancer(),
            c.secure_boot_enroll_enforcement_supported(),
            c.volume_config_encryption_supported(),
            c.multidoc_network_config_supported(),
            c.hide_disable_psp(),
            c.hide_rbac_and_key_usage(),
            c.populate_cluster_sans_from_endpoint(),
            c.grub_use_uki_cmdline_default(),
            c.kube_span_multidoc_config(),
            c.host_dns_multidoc_config(),
            c.discovery_service_multidoc_config(),
            c.discovery_identity_multidoc_config(),
            c.unattended_install_config(),
            c.multidoc_kubernetes_config_supported(),
            c.filesystem_trim_enabled_by_default(),
            c.workload_isolation_enabled_by_default(),
            c.multidoc_sysctl_config_supported(),
            c.multidoc_kernel_module_config_supported(),
        ]
    }

    #[test]
    fn versions_talmint_has_no_row_for_act_as_their_neighbours() {
        let current = predicates(VersionContract::CURRENT);
        for v in ["v1.15", "v1.16", "v2.0", "v99999999999.0"] {
            let c: VersionContract = v.parse().unwrap();
            assert_eq!(predicates(c), current, "{v}");
        }
        let v1_0 = predicates(VersionContract::new(1, 0));
        for v in ["v0.14", "v0.8"] {
            let c: VersionContract = v.parse().unwrap();
            assert_eq!(predicates(c), v1_0, "{v}");
        }
    }

    #[test]
    fn current_is_greater_than_everything() {
        let c = VersionContract::CURRENT;
        assert!(c.use_rsa_service_account_key() && c.multidoc_kernel_module_config_supported());
        assert!(!c.populate_cluster_sans_from_endpoint());
    }

    #[test]
    fn predicate_boundaries() {
        let v = |m| VersionContract::new(1, m);
        assert!(!v(6).use_rsa_service_account_key() && v(7).use_rsa_service_account_key());
        assert!(!v(2).secretbox_encryption_supported() && v(3).secretbox_encryption_supported());
        assert!(v(11).populate_cluster_sans_from_endpoint());
        assert!(!v(12).populate_cluster_sans_from_endpoint());
        assert!(!v(13).unattended_install_config() && v(14).unattended_install_config());
        assert!(v(2).kubernetes_alternate_image_registries());
        assert!(!v(3).kubernetes_alternate_image_registries());
    }
}
