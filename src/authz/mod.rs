//! Who may call what on a Talos node (`spec/roles-authz.md` §1–§2).
//!
//! machined authorises every gRPC call by one table, method → allowed roles; a caller passes when
//! its role set meets the method's set, and a method missing from the table falls back to
//! `os:admin` (talos `internal/app/machined/pkg/system/services/machined.go:39-171`,
//! `pkg/grpc/middleware/authz/authorizer.go:33-51`). This module holds that table as data, tied to
//! the Talos commit it was read from ([`TALOS_COMMIT`]), plus what the table alone does not say:
//! handlers that accept `os:reader` only in maintenance mode, and resource types whose reads need
//! `os:admin`. On top of it: name resolution (full gRPC names, `Service/Method`, talosctl verbs),
//! the least-privilege role set for a list of calls, and a one-line summary of a role set.
//!
//! Answers are for a configured node. In maintenance mode apid makes every client `os:reader`
//! without looking at a certificate, so a certificate's roles do not matter there.

mod alias;
mod cert;
mod render;
mod resolve;
mod table;

use crate::roles::{RoleSet, BUILT_IN};
use table::{Mask, ADMIN, FALLBACK, IMPERSONATOR};

pub use cert::Credential;
pub use render::{can_i_text, diff_json, diff_text, markdown_table, roles_json, roles_text};
pub(crate) use resolve::distance;

/// The siderolabs/talos commit the table was read from.
pub const TALOS_COMMIT: &str = "ad8823176e75b9cd07647ddde13c34f2ab77c663";

/// The Talos release line of [`TALOS_COMMIT`].
pub const TALOS_VERSION: &str = "v1.15 development, after v1.14.0-rc.1";

/// The file in siderolabs/talos that holds the table.
pub const TABLE_SOURCE: &str = "internal/app/machined/pkg/system/services/machined.go";

const COSI_GET: &str = "/cosi.resource.State/Get";

/// Label for reads of sensitive resource types in role listings.
pub const SENSITIVE_READS: &str = "/cosi.resource.State/{Get,List,Watch} of sensitive types";

/// Label for the fallback in role listings.
pub const UNLISTED_METHODS: &str = "any method not in the table";

/// What a call does, for summaries: our classification, not Talos's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Reads state that holds no secrets.
    Read,
    /// Returns secret material (files, kubeconfig, etcd snapshots, credentials).
    Secret,
    /// Changes the running state without changing configuration (reboot, services, images).
    Operate,
    /// Changes configuration or destroys data (apply config, upgrade, reset, wipe, META).
    Change,
}

/// One method of the table.
#[derive(Clone, Copy, Debug)]
pub struct Method {
    name: &'static str,
    effect: Effect,
}

/// One row of the table: methods sharing one role set.
#[derive(Debug)]
pub struct Rule {
    methods: &'static [Method],
    roles: Mask,
    maintenance_only: Mask,
    note: Option<&'static str>,
    lines: &'static str,
}

/// A talosctl verb and the calls talosctl makes for it by default.
#[derive(Debug)]
pub struct Alias {
    verb: &'static str,
    also: &'static [&'static str],
    calls: &'static [(&'static str, Option<&'static str>)],
    source: &'static str,
}

/// One gRPC call, optionally on a sensitive resource type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    method: String,
    sensitive_type: Option<&'static str>,
}

/// How a name was understood.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Via {
    /// A method of the table.
    Method,
    /// A talosctl verb from the alias list.
    Alias,
    /// `get TYPE`: a resource read; `sensitive` is the matched sensitive type, if any.
    Get {
        /// The type as given.
        resource: String,
        /// The sensitive type it names, if it names one.
        sensitive: Option<&'static str>,
    },
    /// A full gRPC name the table does not list: Talos applies the fallback.
    Unlisted {
        /// Listed methods it is close to (a likely typo).
        near: Vec<String>,
    },
}

/// A resolved name: what to show and the calls it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    name: String,
    via: Via,
    calls: Vec<Call>,
}

/// Roles chosen by [`roles_for`] and the calls they were chosen for.
#[derive(Clone, Debug)]
pub struct LeastPrivilege {
    /// The chosen roles.
    pub roles: RoleSet,
    /// The resolved names, in the order given.
    pub targets: Vec<Target>,
}

/// Why a name, a list or a credential could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthzError {
    /// Neither a method, nor `Service/Method`, nor a known talosctl verb.
    #[error("unknown method {name:?}: {}", unknown_hint(suggestions))]
    UnknownMethod {
        /// The name as given.
        name: String,
        /// The closest known names.
        suggestions: Vec<String>,
    },
    /// A bare method name several services share.
    #[error("ambiguous method {name:?}: it may be {}; give Service/Method", candidates.join(", "))]
    AmbiguousMethod {
        /// The name as given.
        name: String,
        /// Full names it matches.
        candidates: Vec<String>,
    },
    /// An empty list of methods.
    #[error("no methods given: name at least one gRPC method or talosctl verb, such as reboot")]
    NoMethods,
    /// The context's client certificate could not be read.
    #[error("client certificate of context {context:?} ({field}): {problem}")]
    Certificate {
        /// The context name.
        context: String,
        /// The field, `contexts.<name>.crt`.
        field: String,
        /// What is wrong.
        problem: String,
    },
}

fn unknown_hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => {
            "use a gRPC name such as /machine.MachineService/Reboot, Service/Method or a talosctl \
               verb such as reboot"
                .to_string()
        }
        _ => format!(
            "did you mean {}?",
            suggestions
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

impl Method {
    /// The full gRPC name, e.g. `/machine.MachineService/Reboot`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the call does.
    pub fn effect(&self) -> Effect {
        self.effect
    }
}

impl Rule {
    /// The methods of the row.
    pub fn methods(&self) -> &'static [Method] {
        self.methods
    }

    /// Roles that may call these methods on a configured node.
    pub fn roles(&self) -> RoleSet {
        self.effective().to_role_set()
    }

    /// Roles the authorizer lets through, as `machined.go` writes them (includes roles that the
    /// handler then accepts only in maintenance mode).
    pub fn authorizer_roles(&self) -> RoleSet {
        self.roles.to_role_set()
    }

    /// Roles the handler accepts only in maintenance mode.
    pub fn maintenance_only_roles(&self) -> RoleSet {
        self.maintenance_only.to_role_set()
    }

    /// What the table alone does not say about these methods.
    pub fn note(&self) -> Option<&'static str> {
        self.note
    }

    /// Lines of [`TABLE_SOURCE`] the row was read from.
    pub fn lines(&self) -> &'static str {
        self.lines
    }

    pub(crate) fn effective(&self) -> Mask {
        self.roles.without(self.maintenance_only)
    }
}

impl Alias {
    /// The verb as typed after `talosctl`, e.g. `etcd snapshot`.
    pub fn verb(&self) -> &'static str {
        self.verb
    }

    /// Other spellings talosctl accepts (`cat` for `read`).
    pub fn also(&self) -> &'static [&'static str] {
        self.also
    }

    /// The calls, as owned values.
    pub fn calls(&self) -> Vec<Call> {
        self.calls
            .iter()
            .map(|(m, s)| Call {
                method: (*m).to_string(),
                sensitive_type: *s,
            })
            .collect()
    }

    /// The talosctl source file(s) under `cmd/talosctl/cmd/talos/`.
    pub fn source(&self) -> &'static str {
        self.source
    }
}

impl Call {
    /// The full gRPC name.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The sensitive resource type the call reads, if any.
    pub fn sensitive_type(&self) -> Option<&'static str> {
        self.sensitive_type
    }

    /// The table row of the method, `None` for the fallback.
    pub fn rule(&self) -> Option<&'static Rule> {
        rule(&self.method)
    }

    /// Roles that may make this call on a configured node.
    pub fn allowed_roles(&self) -> RoleSet {
        self.mask().to_role_set()
    }

    /// What the call does.
    pub fn effect(&self) -> Effect {
        if self.sensitive_type.is_some() {
            return Effect::Secret;
        }
        method_entry(&self.method).map_or(Effect::Change, |(_, m)| m.effect)
    }

    pub(crate) fn mask(&self) -> Mask {
        if self.sensitive_type.is_some() {
            return ADMIN;
        }
        rule(&self.method).map_or(FALLBACK, Rule::effective)
    }
}

impl Target {
    /// The name shown to users: the talosctl verb or the full gRPC name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the name was understood.
    pub fn via(&self) -> &Via {
        &self.via
    }

    /// The calls it stands for.
    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// Whether `roles` may make every call (as apid + machined decide on a configured node).
    pub fn allows(&self, roles: &RoleSet) -> bool {
        let have = Mask::of(roles);
        self.calls.iter().all(|c| c.mask().intersects(have))
    }

    /// Built-in roles that allow every call on their own.
    pub fn allowed_by(&self) -> RoleSet {
        self.calls
            .iter()
            .fold(Mask(u8::MAX), |acc, c| Mask(acc.0 & c.mask().0))
            .to_role_set()
    }

    /// Facts a user needs next to the yes/no: maintenance-mode exceptions, sensitive types, the
    /// fallback, refused writes.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        match &self.via {
            Via::Unlisted { near } => {
                let mut n = format!(
                    "{} is not in the table at Talos {}: Talos falls back to os:admin",
                    self.name,
                    short_commit()
                );
                if !near.is_empty() {
                    n.push_str(&format!(" (did you mean {}?)", near.join(" or ")));
                }
                notes.push(n);
            }
            Via::Get {
                resource,
                sensitive: Some(t),
            } => notes.push(format!(
                "{resource:?} is the sensitive resource type {t}: reading it needs os:admin"
            )),
            Via::Get {
                resource,
                sensitive: None,
            } => notes.push(format!(
                "{resource:?} is not a sensitive resource type at Talos {}: readers may read it if \
                 the node has it",
                short_commit()
            )),
            _ => {}
        }
        let is_get = matches!(self.via, Via::Get { .. });
        let mut seen: Vec<&'static Rule> = Vec::new();
        for call in &self.calls {
            if let Some(t) = call.sensitive_type {
                if !is_get {
                    notes.push(format!(
                        "{} of {t}: a sensitive resource type, needs os:admin",
                        call.method
                    ));
                }
                continue;
            }
            let Some(rule) = call.rule() else { continue };
            let Some(note) = rule.note else { continue };
            let cosi_read = rule.methods.iter().any(|m| m.name == COSI_GET);
            if (is_get && cosi_read) || seen.iter().any(|r| std::ptr::eq(*r, rule)) {
                continue;
            }
            seen.push(rule);
            let same_rule: Vec<&str> = self
                .calls
                .iter()
                .filter(|c| {
                    c.sensitive_type.is_none() && c.rule().is_some_and(|r| std::ptr::eq(r, rule))
                })
                .map(|c| c.method.as_str())
                .collect();
            notes.push(format!("{}: {note}", same_rule.join(", ")));
        }
        notes
    }
}

/// Every row of the table, in the order of `spec/roles-authz.md` §2.
pub fn rules() -> &'static [Rule] {
    table::RULES
}

/// Every talosctl verb of the alias list, alphabetical.
pub fn aliases() -> &'static [Alias] {
    alias::ALIASES
}

/// The row listing `method` (a full gRPC name), `None` when the fallback applies.
pub fn rule(method: &str) -> Option<&'static Rule> {
    method_entry(method).map(|(r, _)| r)
}

fn method_entry(method: &str) -> Option<(&'static Rule, &'static Method)> {
    table::RULES
        .iter()
        .find_map(|r| r.methods.iter().find(|m| m.name == method).map(|m| (r, m)))
}

/// Roles that may call `method` (a full gRPC name) on a configured node: the table's roles minus
/// maintenance-only ones, or the fallback `os:admin` for a method the table does not list.
pub fn allowed_roles(method: &str) -> RoleSet {
    rule(method).map_or(FALLBACK, Rule::effective).to_role_set()
}

/// Roles for methods the table does not list (`machined.go:170`).
pub fn fallback_roles() -> RoleSet {
    FALLBACK.to_role_set()
}

/// What Talos's comments say a built-in role is for; `None` for unknown roles.
pub fn describe(role: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .position(|r| *r == role)
        .and_then(|i| table::DESCRIPTIONS.get(i).copied())
}

/// Understand a name: a full gRPC name (`/machine.MachineService/Reboot`), `Service/Method` with or
/// without the package, a bare method name when only one service has it, a talosctl verb from the
/// alias list (`reboot`, `etcd snapshot`), or `get TYPE`. A full name the table does not list is
/// accepted: Talos applies its fallback to it.
///
/// # Errors
/// [`AuthzError::UnknownMethod`] with the closest known names, [`AuthzError::AmbiguousMethod`].
pub fn resolve(name: &str) -> Result<Target, AuthzError> {
    resolve::resolve(name)
}

/// The smallest set of built-in roles allowing every call of `targets`. Smallest means least
/// privilege first: among the role sets that allow every call, keep those that allow no more than
/// another candidate does (a set whose allowed calls strictly include another's loses); ties go to
/// fewer roles, then to weaker ones (reader < etcd:backup, image:verifier, meta:writer < operator <
/// admin). `os:impersonator` is never chosen.
///
/// # Errors
/// [`AuthzError::NoMethods`] for an empty list.
pub fn least_privilege(targets: &[Target]) -> Result<RoleSet, AuthzError> {
    if targets.is_empty() {
        return Err(AuthzError::NoMethods);
    }
    let calls: Vec<Mask> = targets
        .iter()
        .flat_map(|t| t.calls.iter().map(Call::mask))
        .collect();
    // Bits 0-5: every built-in role but os:impersonator (bit 6).
    let candidates: Vec<(u8, u128)> = (1u8..64)
        .filter(|bits| calls.iter().all(|c| c.intersects(Mask(*bits))))
        .map(|bits| (bits, capabilities(Mask(bits))))
        .collect();
    let strictly_less = |a: u128, b: u128| a & b == a && a != b;
    let best = candidates
        .iter()
        .filter(|(_, caps)| {
            !candidates
                .iter()
                .any(|(_, other)| strictly_less(*other, *caps))
        })
        .min_by_key(|(bits, _)| (bits.count_ones(), weights(*bits), *bits))
        .map(|(bits, _)| Mask(*bits));
    // os:admin is in every rule and is the fallback, so some candidate always qualifies.
    Ok(best.unwrap_or(ADMIN).to_role_set())
}

/// Everything `have` may call, one bit per listed method, then sensitive reads, then the fallback.
fn capabilities(have: Mask) -> u128 {
    let masks = table::RULES
        .iter()
        .flat_map(|r| r.methods.iter().map(move |_| r.effective()))
        .chain([ADMIN, FALLBACK]);
    masks
        .enumerate()
        .filter(|(_, m)| m.intersects(have))
        .fold(0u128, |acc, (i, _)| {
            acc | 1u128.checked_shl(i as u32).unwrap_or(0)
        })
}

/// Parse a `--for` value (`reboot,dmesg`, `etcd snapshot`) and choose roles with
/// [`least_privilege`].
///
/// # Errors
/// [`AuthzError::NoMethods`] for an empty list; the first unresolved name's error.
pub fn roles_for(value: &str) -> Result<LeastPrivilege, AuthzError> {
    let names: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if names.is_empty() {
        return Err(AuthzError::NoMethods);
    }
    let targets = names
        .into_iter()
        .map(resolve)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LeastPrivilege {
        roles: least_privilege(&targets)?,
        targets,
    })
}

/// One line on what a credential with `roles` may do on a configured node, derived from the table,
/// e.g. `read-only; no secrets; may not reboot`.
pub fn summary(roles: &RoleSet) -> String {
    // os:impersonator is in no rule; it is reported on its own.
    let have = Mask(Mask::of(roles).0 & !IMPERSONATOR.0);
    let impersonator = roles.contains("os:impersonator");
    if have.intersects(ADMIN) {
        return "full access, including secrets and configuration changes".to_string();
    }
    if have.is_empty() {
        return if impersonator {
            "no access of its own; may claim any role through talos-role metadata (as good as \
             os:admin)"
                .to_string()
        } else {
            "no access: no built-in role".to_string()
        };
    }
    let methods = || {
        table::RULES
            .iter()
            .flat_map(|r| r.methods.iter().map(move |m| (r, m)))
    };
    let allowed: Vec<&Method> = methods()
        .filter(|(r, _)| r.effective().intersects(have))
        .map(|(_, m)| m)
        .collect();
    let all_of = |e: Effect| {
        methods()
            .filter(|(_, m)| m.effect == e)
            .all(|(r, _)| r.effective().intersects(have))
    };
    let (reads_all, operates_all) = (all_of(Effect::Read), all_of(Effect::Operate));
    let extra: Vec<&str> = allowed
        .iter()
        .filter(|m| match m.effect {
            Effect::Read | Effect::Secret => false,
            Effect::Operate => !operates_all,
            Effect::Change => true,
        })
        .map(|m| short_name(m.name))
        .collect();
    let also = |base: &str| match extra.is_empty() {
        true => base.to_string(),
        false => format!("{base}; also {}", extra.join(", ")),
    };
    let mut parts = vec![match (reads_all, operates_all) {
        (true, true) => also("read and operate"),
        (true, false) if extra.is_empty() => "read-only".to_string(),
        (true, false) => also("read"),
        (false, _) => format!(
            "only {}",
            allowed
                .iter()
                .map(|m| short_name(m.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }];
    let secrets: Vec<&str> = allowed
        .iter()
        .filter(|m| m.effect == Effect::Secret)
        .map(|m| secret_label(m.name))
        .collect();
    parts.push(if secrets.is_empty() {
        "no secrets".to_string()
    } else {
        format!("secrets: {}", secrets.join(", "))
    });
    let reboot = table::RULES.iter().any(|r| {
        r.effective().intersects(have) && r.methods.iter().any(|m| m.name.ends_with("/Reboot"))
    });
    parts.push(
        if reboot {
            "may reboot"
        } else {
            "may not reboot"
        }
        .to_string(),
    );
    if impersonator {
        parts.push("may claim any role through talos-role metadata".to_string());
    }
    parts.join("; ")
}

fn secret_label(method: &str) -> &'static str {
    match method.rsplit('/').next() {
        Some("EtcdSnapshot") => "etcd snapshots",
        Some("Kubeconfig") => "kubeconfig",
        Some("Read" | "Copy") => "any file",
        Some("GenerateClientConfiguration") => "new client credentials",
        _ => "sensitive resources",
    }
}

/// `Reboot` for MachineService methods, `Service/Method` for the others.
pub(crate) fn short_name(full: &str) -> &str {
    let no_slash = full.strip_prefix('/').unwrap_or(full);
    if let Some(m) = no_slash.strip_prefix("machine.MachineService/") {
        return m;
    }
    // Drop the package: `machine.ImageService/List` -> `ImageService/List`.
    match no_slash.split_once('/') {
        Some((service, _)) => match service.rfind('.') {
            Some(dot) => no_slash.get(dot + 1..).unwrap_or(no_slash),
            None => no_slash,
        },
        None => no_slash,
    }
}

pub(crate) fn short_commit() -> &'static str {
    TALOS_COMMIT.get(..9).unwrap_or(TALOS_COMMIT)
}

/// Strength used to break ties in [`least_privilege`], strongest first.
fn weights(bits: u8) -> [u8; 6] {
    // BUILT_IN order: admin, operator, reader, etcd:backup, image:verifier, meta:writer.
    let mut w = [4u8, 3, 1, 2, 2, 2];
    for (i, x) in w.iter_mut().enumerate() {
        if bits & (1 << i) == 0 {
            *x = 0;
        }
    }
    w.sort_unstable_by(|a, b| b.cmp(a));
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Roles from the spec's letters: A O R E I M.
    fn spec(letters: &str) -> RoleSet {
        RoleSet::parse_lenient(letters.chars().filter_map(|c| match c {
            'A' => Some("os:admin"),
            'O' => Some("os:operator"),
            'R' => Some("os:reader"),
            'E' => Some("os:etcd:backup"),
            'I' => Some("os:image:verifier"),
            'M' => Some("os:meta:writer"),
            _ => None,
        }))
    }

    /// Every method of a §2 row allows exactly `letters` on a configured node, and machined's table
    /// lists `authorizer` (differs only for maintenance-only readers).
    fn row(methods: &[&str], authorizer: &str, configured: &str) {
        for m in methods {
            let rule = rule(m).unwrap_or_else(|| panic!("{m} missing from the table"));
            assert_eq!(
                rule.authorizer_roles(),
                spec(authorizer),
                "{m}: machined.go roles"
            );
            assert_eq!(
                allowed_roles(m),
                spec(configured),
                "{m}: roles on a configured node"
            );
            let others: Vec<&str> = rule.methods().iter().map(Method::name).collect();
            assert_eq!(others.len(), methods.len(), "{m}: row has {others:?}");
        }
    }

    fn ms(names: &[&str]) -> Vec<String> {
        names
            .iter()
            .map(|n| format!("/machine.MachineService/{n}"))
            .collect()
    }

    fn row_ms(names: &[&str], authorizer: &str, configured: &str) {
        let full = ms(names);
        row(
            &full.iter().map(String::as_str).collect::<Vec<_>>(),
            authorizer,
            configured,
        );
    }

    fn lp(value: &str) -> Vec<String> {
        roles_for(value).unwrap().roles.strings()
    }

    #[test]
    fn s2_row01_health_check_and_controller_dependencies_allow_a_o_r() {
        row(
            &[
                "/cluster.ClusterService/HealthCheck",
                "/inspect.InspectService/ControllerRuntimeDependencies",
            ],
            "AOR",
            "AOR",
        );
    }

    #[test]
    fn s2_row02_image_list_allows_a_o_r() {
        row(&["/machine.ImageService/List"], "AOR", "AOR");
    }

    #[test]
    fn s2_row03_image_pull_allows_a_o() {
        row(&["/machine.ImageService/Pull"], "AO", "AO");
    }

    #[test]
    fn s2_row04_image_import_and_remove_are_admin_only() {
        row(
            &[
                "/machine.ImageService/Import",
                "/machine.ImageService/Remove",
            ],
            "A",
            "A",
        );
    }

    #[test]
    fn s2_row05_image_verify_allows_a_o_r_i() {
        row(&["/machine.ImageService/Verify"], "AORI", "AORI");
    }

    #[test]
    fn s2_row06_debug_container_run_is_admin_only() {
        row(&["/machine.DebugService/ContainerRun"], "A", "A");
    }

    #[test]
    fn s2_row07_lifecycle_install_and_upgrade_are_admin_only() {
        row(
            &[
                "/machine.LifecycleService/Install",
                "/machine.LifecycleService/Upgrade",
            ],
            "A",
            "A",
        );
    }

    #[test]
    fn s2_row08_machine_storage_statfs_allows_a_o_r() {
        row(&["/machine.StorageService/Statfs"], "AOR", "AOR");
    }

    #[test]
    fn s2_row09_apply_configuration_reader_only_in_maintenance() {
        row_ms(&["ApplyConfiguration"], "AR", "A");
        let rule = rule("/machine.MachineService/ApplyConfiguration").unwrap();
        assert_eq!(rule.maintenance_only_roles(), spec("R"));
        assert!(rule.note().unwrap().contains("maintenance mode"));
    }

    #[test]
    fn s2_row10_machine_service_admin_only_methods() {
        row_ms(
            &[
                "Bootstrap",
                "Copy",
                "EtcdForfeitLeadership",
                "EtcdLeaveCluster",
                "EtcdRecover",
                "EtcdRemoveMemberByID",
                "EtcdDowngradeCancel",
                "EtcdDowngradeEnable",
                "EtcdDowngradeValidate",
                "GenerateClientConfiguration",
                "Kubeconfig",
                "Read",
                "Reset",
                "Rollback",
                "Upgrade",
            ],
            "A",
            "A",
        );
    }

    #[test]
    fn s2_row11_machine_service_read_methods_allow_a_o_r() {
        row_ms(
            &[
                "CPUInfo",
                "CPUFreqStats",
                "Containers",
                "DiskStats",
                "DiskUsage",
                "Dmesg",
                "Events",
                "Hostname",
                "ImageList",
                "List",
                "LoadAvg",
                "Logs",
                "LogsContainers",
                "Memory",
                "Mounts",
                "NetworkDeviceStats",
                "Netstat",
                "Processes",
                "ServiceList",
                "Stats",
                "SystemStat",
                "Version",
            ],
            "AOR",
            "AOR",
        );
    }

    #[test]
    fn s2_row12_etcd_reads_allow_a_o_r_e() {
        row_ms(
            &["EtcdAlarmList", "EtcdMemberList", "EtcdStatus"],
            "AORE",
            "AORE",
        );
    }

    #[test]
    fn s2_row13_etcd_snapshot_allows_a_o_e() {
        row_ms(&["EtcdSnapshot"], "AOE", "AOE");
    }

    #[test]
    fn s2_row14_machine_service_operations_allow_a_o() {
        row_ms(
            &[
                "EtcdAlarmDisarm",
                "EtcdDefragment",
                "ImagePull",
                "PacketCapture",
                "Reboot",
                "Restart",
                "ServiceRestart",
                "ServiceStart",
                "ServiceStop",
                "Shutdown",
            ],
            "AO",
            "AO",
        );
    }

    #[test]
    fn s2_row15_meta_write_and_delete_allow_a_m() {
        row_ms(&["MetaWrite", "MetaDelete"], "AM", "AM");
    }

    #[test]
    fn s2_row16_cosi_reads_allow_a_o_r_but_sensitive_types_need_admin() {
        row(
            &[
                "/cosi.resource.State/Get",
                "/cosi.resource.State/List",
                "/cosi.resource.State/Watch",
            ],
            "AOR",
            "AOR",
        );
        let mc = resolve("get mc").unwrap();
        assert_eq!(mc.allowed_by(), spec("A"));
        assert!(mc
            .calls()
            .iter()
            .all(|c| c.sensitive_type() == Some("MachineConfigs.config.talos.dev")));
    }

    #[test]
    fn s2_row17_cosi_writes_are_admin_only() {
        row(
            &[
                "/cosi.resource.State/Create",
                "/cosi.resource.State/Destroy",
                "/cosi.resource.State/Teardown",
                "/cosi.resource.State/TeardownAndDestroy",
                "/cosi.resource.State/Update",
            ],
            "A",
            "A",
        );
    }

    #[test]
    fn s2_row18_storage_disks_allows_a_o_r() {
        row(&["/storage.StorageService/Disks"], "AOR", "AOR");
    }

    #[test]
    fn s2_row19_wipe_lvm_md_reader_only_in_maintenance() {
        row(
            &[
                "/storage.StorageService/BlockDeviceWipe",
                "/machine.LVMService/LogicalVolumeRemove",
                "/machine.LVMService/VolumeGroupRemove",
                "/machine.LVMService/PhysicalVolumeRemove",
                "/machine.MDService/Destroy",
            ],
            "AR",
            "A",
        );
    }

    #[test]
    fn s2_row20_time_and_time_check_allow_a_o_r() {
        row(
            &["/time.TimeService/Time", "/time.TimeService/TimeCheck"],
            "AOR",
            "AOR",
        );
    }

    #[test]
    fn s2_row21_unlisted_methods_fall_back_to_admin() {
        assert_eq!(fallback_roles(), spec("A"));
        for m in [
            "/machine.DebugService/Shell",
            "/machine.MachineService/FutureCall",
        ] {
            assert!(rule(m).is_none());
            assert_eq!(allowed_roles(m), spec("A"));
            let t = resolve(m).unwrap();
            assert!(matches!(t.via(), Via::Unlisted { .. }));
            assert!(
                t.notes()[0].contains("falls back to os:admin"),
                "{:?}",
                t.notes()
            );
        }
    }

    #[test]
    fn s2_table_has_81_methods_each_once_in_21_rows() {
        let all: Vec<&str> = rules()
            .iter()
            .flat_map(|r| r.methods().iter().map(Method::name))
            .collect();
        assert_eq!(all.len(), 81);
        let unique: std::collections::BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len());
        assert_eq!(rules().len() + 1, 21, "20 rows plus the fallback");
    }

    #[test]
    fn s4_every_rule_admits_admin_and_never_impersonator() {
        // least_privilege relies on this: os:admin alone always qualifies.
        for r in rules() {
            assert!(r.roles().contains("os:admin"), "{:?}", r.methods());
            assert!(!r.authorizer_roles().contains("os:impersonator"));
        }
    }

    #[test]
    fn issue6_names_resolve_in_every_documented_form() {
        let reboot = "/machine.MachineService/Reboot";
        for name in [
            reboot,
            "MachineService/Reboot",
            "machine.MachineService/Reboot",
            "Reboot",
            "reboot",
        ] {
            let t = resolve(name).unwrap();
            assert_eq!(t.calls()[0].method(), reboot, "{name}");
        }
        assert_eq!(resolve("machineservice/reboot").unwrap().name(), reboot);
        assert_eq!(
            resolve("  etcd   snapshot ").unwrap().name(),
            "etcd snapshot"
        );
        assert_eq!(resolve("cat").unwrap().name(), "read");
        assert_eq!(
            resolve("ImageService/Verify").unwrap().name(),
            "/machine.ImageService/Verify"
        );
        assert_eq!(
            resolve("StorageService/Disks").unwrap().name(),
            "/storage.StorageService/Disks"
        );
    }

    #[test]
    fn issue6_ambiguous_bare_method_lists_candidates() {
        let err = resolve("List").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ambiguous method \"List\": it may be ImageService/List, MachineService/List, \
             State/List; give Service/Method"
        );
    }

    #[test]
    fn issue6_unknown_names_suggest_the_closest_known_ones() {
        let err = resolve("rebot").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown method \"rebot\": did you mean \"reboot\" or \"MachineService/Reboot\" or \"reset\"?"
        );
        let AuthzError::UnknownMethod { suggestions, .. } = resolve("etcd snapshots").unwrap_err()
        else {
            panic!("not unknown")
        };
        assert_eq!(suggestions[0], "etcd snapshot");
        let AuthzError::UnknownMethod { suggestions, .. } = resolve("kubeconfg").unwrap_err()
        else {
            panic!("not unknown")
        };
        assert_eq!(suggestions[0], "kubeconfig");
        let err = resolve("zzzzzzzzzzzz").unwrap_err();
        assert!(err.to_string().contains("use a gRPC name such as"), "{err}");
        assert!(resolve("").is_err());
        let long = "reboot".repeat(20_000);
        let started = std::time::Instant::now();
        let err = resolve(&long).unwrap_err().to_string();
        assert!(
            err.len() < 200 && started.elapsed().as_millis() < 100,
            "{err}"
        );
        assert!(resolve("/not a method").is_err());
    }

    #[test]
    fn issue6_unlisted_full_name_near_a_listed_one_says_so() {
        let t = resolve("/machine.MachineService/Rebot").unwrap();
        assert_eq!(
            t.via(),
            &Via::Unlisted {
                near: vec![
                    "/machine.MachineService/Reboot".to_string(),
                    "/machine.MachineService/Reset".to_string()
                ]
            }
        );
    }

    #[test]
    fn issue6_get_resolves_sensitive_types_like_talosctl() {
        for name in [
            "mc",
            "machineconfig",
            "MachineConfigs",
            "machineconfigs.config",
            "mcs",
        ] {
            let t = resolve(&format!("get {name}")).unwrap();
            assert!(
                matches!(
                    t.via(),
                    Via::Get {
                        sensitive: Some("MachineConfigs.config.talos.dev"),
                        ..
                    }
                ),
                "{name}: {:?}",
                t.via()
            );
        }
        for name in [
            "osrootsecret",
            "osrs",
            "kubespanidentity",
            "machineconfigs.config.talos.dev",
        ] {
            let t = resolve(&format!("get {name} -o yaml")).unwrap();
            assert_eq!(t.allowed_by(), spec("A"), "{name}");
        }
        let members = resolve("get members").unwrap();
        assert_eq!(members.allowed_by(), spec("AOR"));
        assert!(members.notes()[0].contains("not a sensitive resource type"));
    }

    #[test]
    fn issue6_every_alias_names_listed_methods_only() {
        for a in aliases() {
            for c in a.calls() {
                assert!(
                    c.rule().is_some(),
                    "{}: {} is not in the table",
                    a.verb(),
                    c.method()
                );
                if let Some(t) = c.sensitive_type() {
                    assert!(table::SENSITIVE_TYPES.contains(&t));
                }
            }
            for name in std::iter::once(a.verb()).chain(a.also().iter().copied()) {
                assert_eq!(resolve(name).unwrap().name(), a.verb());
            }
        }
        assert!(aliases().len() >= 60);
    }

    #[test]
    fn issue6_for_reboot_dmesg_is_exactly_operator() {
        assert_eq!(lp("reboot,dmesg"), ["os:operator"]);
    }

    #[test]
    fn issue6_for_etcd_snapshot_is_exactly_etcd_backup() {
        assert_eq!(lp("etcd snapshot"), ["os:etcd:backup"]);
    }

    #[test]
    fn issue6_for_dmesg_is_exactly_reader() {
        assert_eq!(lp("dmesg"), ["os:reader"]);
    }

    #[test]
    fn issue6_for_kubeconfig_is_exactly_admin() {
        assert_eq!(lp("kubeconfig"), ["os:admin"]);
    }

    #[test]
    fn issue6_least_privilege_prefers_fewer_then_weaker_roles() {
        assert_eq!(lp("meta write"), ["os:meta:writer"]);
        // image:verifier allows a strict subset of what reader allows.
        assert_eq!(lp("ImageService/Verify"), ["os:image:verifier"]);
        // reader and etcd:backup are incomparable (etcd:backup adds snapshots): the weaker wins.
        assert_eq!(lp("etcd status"), ["os:reader"]);
        // reader + etcd:backup allow strictly less than operator (no reboot).
        assert_eq!(lp("etcd snapshot, dmesg"), ["os:etcd:backup", "os:reader"]);
        // Two narrow roles rather than os:admin.
        assert_eq!(lp("dmesg,meta write"), ["os:meta:writer", "os:reader"]);
        // Same calls allowed: fewer roles.
        assert_eq!(lp("reboot,etcd status"), ["os:operator"]);
        assert_eq!(
            lp("etcd snapshot,meta delete"),
            ["os:etcd:backup", "os:meta:writer"]
        );
        assert_eq!(lp("apply-config"), ["os:admin"]);
        assert_eq!(lp("get mc"), ["os:admin"]);
        assert_eq!(lp("/machine.MachineService/NotInTalos"), ["os:admin"]);
    }

    #[test]
    fn issue6_least_privilege_never_chooses_impersonator() {
        for a in aliases() {
            assert!(
                !lp(a.verb()).iter().any(|r| r == "os:impersonator"),
                "{}",
                a.verb()
            );
        }
    }

    #[test]
    fn issue6_for_rejects_empty_and_unknown_lists() {
        assert_eq!(roles_for("").unwrap_err(), AuthzError::NoMethods);
        assert_eq!(roles_for(" , ").unwrap_err(), AuthzError::NoMethods);
        assert!(matches!(
            roles_for("reboot,rebot").unwrap_err(),
            AuthzError::UnknownMethod { .. }
        ));
        assert_eq!(least_privilege(&[]).unwrap_err(), AuthzError::NoMethods);
    }

    #[test]
    fn issue6_summary_of_each_role() {
        let s = |r: &str| summary(&r.parse().unwrap());
        assert_eq!(s("os:reader"), "read-only; no secrets; may not reboot");
        assert_eq!(
            s("os:operator"),
            "read and operate; secrets: etcd snapshots; may reboot"
        );
        assert_eq!(
            s("os:admin"),
            "full access, including secrets and configuration changes"
        );
        assert_eq!(
            s("os:etcd:backup"),
            "only EtcdAlarmList, EtcdMemberList, EtcdStatus, EtcdSnapshot; secrets: etcd snapshots; \
             may not reboot"
        );
        assert_eq!(
            s("os:image:verifier"),
            "only ImageService/Verify; no secrets; may not reboot"
        );
        assert_eq!(
            s("os:meta:writer"),
            "only MetaWrite, MetaDelete; no secrets; may not reboot"
        );
        assert_eq!(
            s("os:reader,os:meta:writer"),
            "read; also MetaWrite, MetaDelete; no secrets; may not reboot"
        );
        assert!(s("os:impersonator").starts_with("no access of its own; may claim any role"));
        assert_eq!(
            summary(&RoleSet::parse_lenient(["os:future"])),
            "no access: no built-in role"
        );
        assert_eq!(summary(&RoleSet::default()), "no access: no built-in role");
    }

    #[test]
    fn issue6_every_built_in_role_is_described() {
        for r in BUILT_IN {
            assert!(describe(r).is_some_and(|d| !d.is_empty()), "{r}");
        }
        assert_eq!(describe("os:future"), None);
    }

    #[test]
    fn issue6_markdown_table_has_a_line_per_row_and_per_verb() {
        let md = markdown_table();
        let table_rows = md
            .lines()
            .filter(|l| l.starts_with("| `/") || l.starts_with("| any other"))
            .count();
        assert_eq!(table_rows, 21);
        let verb_rows = md
            .lines()
            .filter(|l| l.starts_with("| `") && !l.starts_with("| `/"))
            .count();
        assert_eq!(verb_rows, aliases().len());
        assert!(
            md.contains(
                "| `reboot` | `MachineService/Reboot`, `MachineService/Events` | `os:operator` |"
            ),
            "{md}"
        );
    }

    fn known_names() -> Vec<String> {
        let verbs = aliases().iter().map(|a| a.verb().to_string());
        let methods = rules()
            .iter()
            .flat_map(|r| r.methods().iter().map(|m| m.name().to_string()));
        verbs
            .chain(methods)
            .chain(["get mc".to_string(), "get members".to_string()])
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn issue6_resolve_never_panics_and_errors_are_one_line(name in "\\PC{0,40}") {
            if let Err(e) = resolve(&name) {
                proptest::prop_assert!(!e.to_string().contains('\n'));
            }
        }

        #[test]
        fn issue6_least_privilege_allows_everything_asked_and_no_role_is_superfluous(
            picks in proptest::collection::vec(0usize..1000, 1..5)
        ) {
            let names = known_names();
            let targets: Vec<Target> =
                picks.iter().map(|i| resolve(&names[i % names.len()]).unwrap()).collect();
            let roles = least_privilege(&targets).unwrap();
            proptest::prop_assert!(targets.iter().all(|t| t.allows(&roles)));
            proptest::prop_assert!(!roles.contains("os:impersonator"));
            for dropped in roles.strings() {
                let fewer = RoleSet::parse_lenient(
                    roles.strings().iter().map(String::as_str).filter(|r| *r != dropped),
                );
                proptest::prop_assert!(
                    targets.iter().any(|t| !t.allows(&fewer)),
                    "{dropped} is superfluous in {roles} for {:?}",
                    targets.iter().map(Target::name).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn issue6_edit_distance() {
        assert_eq!(resolve::distance("", ""), 0);
        assert_eq!(resolve::distance("rebot", "reboot"), 1);
        assert_eq!(resolve::distance("kitten", "sitting"), 3);
        assert_eq!(resolve::distance("abc", ""), 3);
    }
}
