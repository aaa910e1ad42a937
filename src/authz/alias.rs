//! talosctl verbs users know, mapped to the gRPC calls talosctl makes for them by default, read
//! from `cmd/talosctl/cmd/talos/*.go` at [`super::TALOS_COMMIT`] (file named per entry).
//!
//! A verb lists every call its default run needs: `reboot` waits for the node by default and so also
//! watches `Events` (`cmd/talosctl/pkg/talos/action/node.go:121-158`). Calls talosctl tolerates
//! being denied (the tracker's boot-id `Read`, `action/tracker.go:372-385`) are left out.

use super::Alias;

macro_rules! ms {
    ($m:literal) => {
        concat!("/machine.MachineService/", $m)
    };
}

const MACHINE_CONFIG: Option<&str> = Some("MachineConfigs.config.talos.dev");

const fn a(
    verb: &'static str,
    also: &'static [&'static str],
    calls: &'static [(&'static str, Option<&'static str>)],
    source: &'static str,
) -> Alias {
    Alias {
        verb,
        also,
        calls,
        source,
    }
}

/// One call that reads no sensitive resource.
macro_rules! plain {
    ($($m:expr),+ $(,)?) => { &[$(($m, None)),+] };
}

/// The verbs, alphabetical.
pub(crate) const ALIASES: &[Alias] = &[
    a(
        "apply-config",
        &["apply"],
        plain![ms!("ApplyConfiguration")],
        "apply-config.go",
    ),
    a("bootstrap", &[], plain![ms!("Bootstrap")], "bootstrap.go"),
    a(
        "cgroups",
        &["cg"],
        plain![ms!("Copy"), ms!("Containers"), ms!("Processes")],
        "cgroups.go",
    ),
    a(
        "config new",
        &[],
        plain![ms!("GenerateClientConfiguration")],
        "config.go",
    ),
    a(
        "containers",
        &[],
        plain![ms!("Containers")],
        "containers.go",
    ),
    a("copy", &["cp"], plain![ms!("Copy")], "copy.go"),
    a(
        "debug",
        &[],
        plain!["/machine.DebugService/ContainerRun"],
        "debug.go",
    ),
    a(
        "diskfree",
        &["df"],
        plain!["/machine.StorageService/Statfs"],
        "diskfree.go",
    ),
    a("dmesg", &[], plain![ms!("Dmesg")], "dmesg.go"),
    a(
        "edit machineconfig",
        &["edit mc"],
        &[
            (ms!("Version"), None),
            ("/cosi.resource.State/Get", MACHINE_CONFIG),
            (ms!("ApplyConfiguration"), None),
        ],
        "edit.go",
    ),
    a(
        "etcd alarm disarm",
        &[],
        plain![ms!("EtcdAlarmDisarm")],
        "etcd.go",
    ),
    a(
        "etcd alarm list",
        &[],
        plain![ms!("EtcdAlarmList")],
        "etcd.go",
    ),
    a("etcd defrag", &[], plain![ms!("EtcdDefragment")], "etcd.go"),
    a(
        "etcd downgrade cancel",
        &[],
        plain![ms!("EtcdDowngradeCancel")],
        "etcd.go",
    ),
    a(
        "etcd downgrade enable",
        &[],
        plain![ms!("EtcdDowngradeEnable")],
        "etcd.go",
    ),
    a(
        "etcd downgrade validate",
        &[],
        plain![ms!("EtcdDowngradeValidate")],
        "etcd.go",
    ),
    a(
        "etcd forfeit-leadership",
        &[],
        plain![ms!("EtcdForfeitLeadership")],
        "etcd.go",
    ),
    a(
        "etcd leave",
        &[],
        plain![ms!("EtcdLeaveCluster")],
        "etcd.go",
    ),
    a(
        "etcd members",
        &[],
        plain![ms!("EtcdMemberList")],
        "etcd.go",
    ),
    a(
        "etcd remove-member",
        &[],
        plain![ms!("EtcdRemoveMemberByID")],
        "etcd.go",
    ),
    a("etcd snapshot", &[], plain![ms!("EtcdSnapshot")], "etcd.go"),
    a("etcd status", &[], plain![ms!("EtcdStatus")], "etcd.go"),
    a("events", &[], plain![ms!("Events")], "events.go"),
    a(
        "get",
        &[],
        plain![
            "/cosi.resource.State/Get",
            "/cosi.resource.State/List",
            "/cosi.resource.State/Watch"
        ],
        "get.go",
    ),
    a(
        "health",
        &[],
        plain!["/cluster.ClusterService/HealthCheck"],
        "health.go",
    ),
    a(
        "image list",
        &["image ls"],
        plain!["/machine.ImageService/List"],
        "image.go",
    ),
    a(
        "image pull",
        &[],
        plain!["/machine.ImageService/Pull"],
        "image.go",
    ),
    a(
        "image remove",
        &["image rm"],
        plain!["/machine.ImageService/Remove"],
        "image.go",
    ),
    a(
        "inspect dependencies",
        &[],
        plain!["/inspect.InspectService/ControllerRuntimeDependencies"],
        "inspect.go",
    ),
    a(
        "kubeconfig",
        &[],
        plain![ms!("Kubeconfig")],
        "kubeconfig.go",
    ),
    a("list", &["ls"], plain![ms!("List")], "list.go"),
    a("logs", &[], plain![ms!("Logs")], "logs.go"),
    a("memory", &["free"], plain![ms!("Memory")], "memory.go"),
    a("meta delete", &[], plain![ms!("MetaDelete")], "meta.go"),
    a("meta write", &[], plain![ms!("MetaWrite")], "meta.go"),
    a("mounts", &["mount"], plain![ms!("Mounts")], "mounts.go"),
    a("netstat", &["ss"], plain![ms!("Netstat")], "netstat.go"),
    a(
        "patch machineconfig",
        &["patch mc"],
        &[
            (ms!("Version"), None),
            ("/cosi.resource.State/Get", MACHINE_CONFIG),
            (ms!("ApplyConfiguration"), None),
        ],
        "patch.go",
    ),
    a(
        "pcap",
        &["tcpdump"],
        plain![ms!("PacketCapture")],
        "pcap.go",
    ),
    a(
        "processes",
        &["ps"],
        plain![ms!("Processes")],
        "processes.go",
    ),
    a("read", &["cat"], plain![ms!("Read")], "read.go"),
    a(
        "reboot",
        &[],
        plain![ms!("Reboot"), ms!("Events")],
        "reboot.go",
    ),
    a(
        "reset",
        &[],
        plain![ms!("Reset"), ms!("Events")],
        "reset.go",
    ),
    a("restart", &[], plain![ms!("Restart")], "restart.go"),
    a("rollback", &[], plain![ms!("Rollback")], "rollback.go"),
    a(
        "service",
        &["services", "service status"],
        plain![ms!("ServiceList")],
        "service.go",
    ),
    a(
        "service restart",
        &[],
        plain![ms!("ServiceRestart")],
        "service.go",
    ),
    a(
        "service start",
        &[],
        plain![ms!("ServiceStart")],
        "service.go",
    ),
    a(
        "service stop",
        &[],
        plain![ms!("ServiceStop")],
        "service.go",
    ),
    a(
        "shutdown",
        &[],
        plain![ms!("Shutdown"), ms!("Events")],
        "shutdown.go",
    ),
    a("stats", &[], plain![ms!("Stats")], "stats.go"),
    a("time", &[], plain!["/time.TimeService/Time"], "time.go"),
    a(
        "upgrade",
        &[],
        plain![
            ms!("Version"),
            "/machine.ImageService/Pull",
            "/machine.LifecycleService/Upgrade",
            ms!("Kubeconfig"),
            ms!("Reboot"),
            ms!("Events"),
        ],
        "upgrade.go, drain.go",
    ),
    a("usage", &["du"], plain![ms!("DiskUsage")], "diskusage.go"),
    a("version", &[], plain![ms!("Version")], "version.go"),
    a(
        "wipe disk",
        &[],
        plain!["/storage.StorageService/BlockDeviceWipe"],
        "wipe.go",
    ),
    a(
        "wipe lv",
        &[],
        plain!["/machine.LVMService/LogicalVolumeRemove"],
        "wipe.go",
    ),
    a(
        "wipe md",
        &[],
        plain!["/machine.MDService/Destroy"],
        "wipe.go",
    ),
    a(
        "wipe pv",
        &[],
        plain!["/machine.LVMService/PhysicalVolumeRemove"],
        "wipe.go",
    ),
    a(
        "wipe vg",
        &[],
        plain!["/machine.LVMService/VolumeGroupRemove"],
        "wipe.go",
    ),
];
