//! The data: Talos's method → roles table, its fallback, and the resource types whose reads need
//! `os:admin`, transcribed from siderolabs/talos at [`super::TALOS_COMMIT`].
//!
//! Rules: `internal/app/machined/pkg/system/services/machined.go:39-155` (one [`Rule`] per row of
//! `spec/roles-authz.md` §2, methods in the row order of the spec). Fallback: `machined.go:168-171`.
//! Sensitive types: every `Sensitivity: meta.Sensitive` under `pkg/machinery/resources/`.

use super::{Effect, Method, Rule};
use crate::roles::{RoleSet, BUILT_IN};

/// Built-in roles as bits, in `roles::BUILT_IN` order (bit `i` is `BUILT_IN[i]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mask(pub(crate) u8);

pub(crate) const ADMIN: Mask = Mask(1);
pub(crate) const OPERATOR: Mask = Mask(1 << 1);
pub(crate) const READER: Mask = Mask(1 << 2);
pub(crate) const ETCD_BACKUP: Mask = Mask(1 << 3);
pub(crate) const IMAGE_VERIFIER: Mask = Mask(1 << 4);
pub(crate) const META_WRITER: Mask = Mask(1 << 5);
pub(crate) const IMPERSONATOR: Mask = Mask(1 << 6);
pub(crate) const NONE: Mask = Mask(0);

impl Mask {
    pub(crate) const fn or(self, other: Mask) -> Mask {
        Mask(self.0 | other.0)
    }

    pub(crate) const fn without(self, other: Mask) -> Mask {
        Mask(self.0 & !other.0)
    }

    pub(crate) const fn intersects(self, other: Mask) -> bool {
        self.0 & other.0 != 0
    }

    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The built-in roles of `set` (unknown roles grant nothing).
    pub(crate) fn of(set: &RoleSet) -> Mask {
        let mut bits = 0u8;
        for (i, name) in BUILT_IN.iter().enumerate() {
            if set.contains(name) {
                bits |= 1 << i;
            }
        }
        Mask(bits)
    }

    pub(crate) fn to_role_set(self) -> RoleSet {
        RoleSet::parse_lenient(
            BUILT_IN
                .iter()
                .enumerate()
                .filter(|(i, _)| self.0 & (1 << i) != 0)
                .map(|(_, r)| *r),
        )
    }
}

const AOR: Mask = ADMIN.or(OPERATOR).or(READER);
const AO: Mask = ADMIN.or(OPERATOR);
const AR: Mask = ADMIN.or(READER);

const fn m(name: &'static str, effect: Effect) -> Method {
    Method { name, effect }
}

const fn rule(
    methods: &'static [Method],
    roles: Mask,
    maintenance_only: Mask,
    note: Option<&'static str>,
    lines: &'static str,
) -> Rule {
    Rule {
        methods,
        roles,
        maintenance_only,
        note,
        lines,
    }
}

use Effect::{Change, Operate, Read, Secret};

const MAINTENANCE_NOTE: &str =
    "os:reader only in maintenance mode (where apid makes every client a \
     reader); once the node is configured the handler requires os:admin";

/// Roles for methods not in [`RULES`] (`machined.go:170`).
pub(crate) const FALLBACK: Mask = ADMIN;

/// `machined.go` lines of the fallback.
pub(crate) const FALLBACK_LINES: &str = "168-171";

/// The table, one entry per row of `spec/roles-authz.md` §2.
pub(crate) const RULES: &[Rule] = &[
    rule(
        &[
            m("/cluster.ClusterService/HealthCheck", Read),
            m(
                "/inspect.InspectService/ControllerRuntimeDependencies",
                Read,
            ),
        ],
        AOR,
        NONE,
        None,
        "40, 42",
    ),
    rule(
        &[m("/machine.ImageService/List", Read)],
        AOR,
        NONE,
        None,
        "45",
    ),
    rule(
        &[m("/machine.ImageService/Pull", Operate)],
        AO,
        NONE,
        None,
        "46",
    ),
    rule(
        &[
            m("/machine.ImageService/Import", Change),
            m("/machine.ImageService/Remove", Change),
        ],
        ADMIN,
        NONE,
        None,
        "44, 47",
    ),
    rule(
        &[m("/machine.ImageService/Verify", Read)],
        AOR.or(IMAGE_VERIFIER),
        NONE,
        None,
        "48",
    ),
    rule(
        &[m("/machine.DebugService/ContainerRun", Change)],
        ADMIN,
        NONE,
        None,
        "50",
    ),
    rule(
        &[
            m("/machine.LifecycleService/Install", Change),
            m("/machine.LifecycleService/Upgrade", Change),
        ],
        ADMIN,
        NONE,
        None,
        "52-53",
    ),
    rule(
        &[m("/machine.StorageService/Statfs", Read)],
        AOR,
        NONE,
        None,
        "55",
    ),
    rule(
        &[m("/machine.MachineService/ApplyConfiguration", Change)],
        AR,
        READER,
        Some(MAINTENANCE_NOTE),
        "57-61",
    ),
    rule(
        &[
            m("/machine.MachineService/Bootstrap", Change),
            m("/machine.MachineService/Copy", Secret),
            m("/machine.MachineService/EtcdForfeitLeadership", Change),
            m("/machine.MachineService/EtcdLeaveCluster", Change),
            m("/machine.MachineService/EtcdRecover", Change),
            m("/machine.MachineService/EtcdRemoveMemberByID", Change),
            m("/machine.MachineService/EtcdDowngradeCancel", Change),
            m("/machine.MachineService/EtcdDowngradeEnable", Change),
            m("/machine.MachineService/EtcdDowngradeValidate", Change),
            m(
                "/machine.MachineService/GenerateClientConfiguration",
                Secret,
            ),
            m("/machine.MachineService/Kubeconfig", Secret),
            m("/machine.MachineService/Read", Secret),
            m("/machine.MachineService/Reset", Change),
            m("/machine.MachineService/Rollback", Change),
            m("/machine.MachineService/Upgrade", Change),
        ],
        ADMIN,
        NONE,
        None,
        "62-113",
    ),
    rule(
        &[
            m("/machine.MachineService/CPUInfo", Read),
            m("/machine.MachineService/CPUFreqStats", Read),
            m("/machine.MachineService/Containers", Read),
            m("/machine.MachineService/DiskStats", Read),
            m("/machine.MachineService/DiskUsage", Read),
            m("/machine.MachineService/Dmesg", Read),
            m("/machine.MachineService/Events", Read),
            m("/machine.MachineService/Hostname", Read),
            m("/machine.MachineService/ImageList", Read),
            m("/machine.MachineService/List", Read),
            m("/machine.MachineService/LoadAvg", Read),
            m("/machine.MachineService/Logs", Read),
            m("/machine.MachineService/LogsContainers", Read),
            m("/machine.MachineService/Memory", Read),
            m("/machine.MachineService/Mounts", Read),
            m("/machine.MachineService/NetworkDeviceStats", Read),
            m("/machine.MachineService/Netstat", Read),
            m("/machine.MachineService/Processes", Read),
            m("/machine.MachineService/ServiceList", Read),
            m("/machine.MachineService/Stats", Read),
            m("/machine.MachineService/SystemStat", Read),
            m("/machine.MachineService/Version", Read),
        ],
        AOR,
        NONE,
        None,
        "63-114",
    ),
    rule(
        &[
            m("/machine.MachineService/EtcdAlarmList", Read),
            m("/machine.MachineService/EtcdMemberList", Read),
            m("/machine.MachineService/EtcdStatus", Read),
        ],
        AOR.or(ETCD_BACKUP),
        NONE,
        None,
        "70, 75, 79",
    ),
    rule(
        &[m("/machine.MachineService/EtcdSnapshot", Secret)],
        AO.or(ETCD_BACKUP),
        NONE,
        Some("an etcd snapshot holds every Kubernetes Secret of the cluster"),
        "78",
    ),
    rule(
        &[
            m("/machine.MachineService/EtcdAlarmDisarm", Operate),
            m("/machine.MachineService/EtcdDefragment", Operate),
            m("/machine.MachineService/ImagePull", Operate),
            m("/machine.MachineService/PacketCapture", Operate),
            m("/machine.MachineService/Reboot", Operate),
            m("/machine.MachineService/Restart", Operate),
            m("/machine.MachineService/ServiceRestart", Operate),
            m("/machine.MachineService/ServiceStart", Operate),
            m("/machine.MachineService/ServiceStop", Operate),
            m("/machine.MachineService/Shutdown", Operate),
        ],
        AO,
        NONE,
        None,
        "71-110",
    ),
    rule(
        &[
            m("/machine.MachineService/MetaWrite", Change),
            m("/machine.MachineService/MetaDelete", Change),
        ],
        ADMIN.or(META_WRITER),
        NONE,
        None,
        "94-95",
    ),
    rule(
        &[
            m("/cosi.resource.State/Get", Read),
            m("/cosi.resource.State/List", Read),
            m("/cosi.resource.State/Watch", Read),
        ],
        AOR,
        NONE,
        Some(
            "per resource type: sensitive types (machine config, everything in the secrets \
             namespace, ...) need os:admin (internal/app/resources/access.go)",
        ),
        "121, 122, 124",
    ),
    rule(
        &[
            m("/cosi.resource.State/Create", Change),
            m("/cosi.resource.State/Destroy", Change),
            m("/cosi.resource.State/Teardown", Change),
            m("/cosi.resource.State/TeardownAndDestroy", Change),
            m("/cosi.resource.State/Update", Change),
        ],
        ADMIN,
        NONE,
        Some(
            "the API then refuses every write (\"write access is not allowed\", \
             internal/app/resources/access.go)",
        ),
        "117-120, 123",
    ),
    rule(
        &[m("/storage.StorageService/Disks", Read)],
        AOR,
        NONE,
        None,
        "126",
    ),
    rule(
        &[
            m("/storage.StorageService/BlockDeviceWipe", Change),
            m("/machine.LVMService/LogicalVolumeRemove", Change),
            m("/machine.LVMService/VolumeGroupRemove", Change),
            m("/machine.LVMService/PhysicalVolumeRemove", Change),
            m("/machine.MDService/Destroy", Change),
        ],
        AR,
        READER,
        Some(MAINTENANCE_NOTE),
        "127-151",
    ),
    rule(
        &[
            m("/time.TimeService/Time", Read),
            m("/time.TimeService/TimeCheck", Read),
        ],
        AOR,
        NONE,
        None,
        "153-154",
    ),
];

/// COSI resource types with `Sensitivity: meta.Sensitive` (plural type names, as registered).
/// Reading them needs `os:admin` whatever the table says for `/cosi.resource.State/*`
/// (`internal/app/resources/access.go:43-47`).
pub(crate) const SENSITIVE_TYPES: &[&str] = &[
    "VolumeConfigs.block.talos.dev",
    "DiscoveryConfigs.cluster.talos.dev",
    "MachineConfigs.config.talos.dev",
    "CustomizationConfigs.cri.talos.dev",
    "RegistryConfigs.cri.talos.dev",
    "EtcFileSpecs.files.talos.dev",
    "APIServerConfigs.kubernetes.talos.dev",
    "AuditPolicyConfigs.kubernetes.talos.dev",
    "AuthenticationConfigs.kubernetes.talos.dev",
    "AuthorizationConfigs.kubernetes.talos.dev",
    "EtcdEncryptionConfigs.kubernetes.talos.dev",
    "KubeletConfigs.kubernetes.talos.dev",
    "KubeletSpecs.kubernetes.talos.dev",
    "NodeAnnotationSpecs.k8s.talos.dev",
    "NodeCordonedSpecs.k8s.talos.dev",
    "NodeLabelSpecs.k8s.talos.dev",
    "NodeTaintSpecs.k8s.talos.dev",
    "KubeSpanConfigs.kubespan.talos.dev",
    "KubeSpanIdentities.kubespan.talos.dev",
    "DeviceConfigSpecs.net.talos.dev",
    "LinkSpecs.net.talos.dev",
    "OperatorSpecs.net.talos.dev",
    "ExtensionServiceConfigs.runtime.talos.dev",
    "OOMActions.talos.dev",
    "ApiCertificates.secrets.talos.dev",
    "CertSANs.secrets.talos.dev",
    "EncryptionSalts.secrets.talos.dev",
    "EtcdSecrets.secrets.talos.dev",
    "EtcdRootSecrets.secrets.talos.dev",
    "KubeletSecrets.secrets.talos.dev",
    "KubernetesSecrets.secrets.talos.dev",
    "KubernetesDynamicCerts.secrets.talos.dev",
    "KubernetesRootSecrets.secrets.talos.dev",
    "MaintenanceRootSecrets.secrets.talos.dev",
    "OSRootSecrets.secrets.talos.dev",
    "TrustdCertificates.secrets.talos.dev",
    "SiderolinkConfigs.siderolink.talos.dev",
    "SiderolinkTunnels.siderolink.talos.dev",
];

/// Role descriptions, paraphrasing the comments of `pkg/machinery/role/role.go:24-44`, in
/// `roles::BUILT_IN` order.
pub(crate) const DESCRIPTIONS: [&str; 7] = [
    "every API",
    "os:reader plus management calls that expose no secrets (reboot, services, etcd maintenance)",
    "read-only calls that expose no secrets",
    "etcd snapshots and a few etcd read calls",
    "image verification (ImageService/Verify) only",
    "writing and deleting META values only",
    "trusted to name the caller's roles in talos-role gRPC metadata (node-to-node proxying)",
];
