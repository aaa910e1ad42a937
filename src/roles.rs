//! Talos API roles (`spec/roles-authz.md` §1, talos `pkg/machinery/role/role.go`).
//!
//! A certificate carries its roles as Organization values. Unknown roles are kept in a set (Talos does
//! so for forward compatibility) but the CLI refuses to issue them unless asked to.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// The prefix every Talos role carries (`role.go:21`).
pub const PREFIX: &str = "os:";

/// The seven built-in roles, in the order Talos declares them (`role.go:19-53`).
pub const BUILT_IN: [&str; 7] = [
    "os:admin",
    "os:operator",
    "os:reader",
    "os:etcd:backup",
    "os:image:verifier",
    "os:meta:writer",
    "os:impersonator",
];

/// One role name such as `os:reader`. Any non-empty trimmed string is a role; see
/// [`Role::is_built_in`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role(String);

/// A set of roles, kept in byte order as Talos's `Strings()` returns them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleSet(BTreeSet<Role>);

/// Why a role list was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoleError {
    /// Roles Talos does not define (talosctl's message, `config.go:467-470`).
    #[error("unknown roles: {}{}", .0.join(", "), suggestions(.0))]
    Unknown(Vec<String>),
    /// No role was given at all.
    #[error("no roles given: name at least one role such as os:reader")]
    Empty,
}

/// `` (did you mean os:reader?)`` for unknown roles that are a built-in one without its `os:`
/// prefix (`reader`, as `auth roles` accepts) or with a typo (`os:reeder`); empty otherwise.
fn suggestions(unknown: &[String]) -> String {
    let mut near: Vec<&str> = unknown
        .iter()
        .filter_map(|u| {
            let full = if u.starts_with(PREFIX) {
                u.clone()
            } else {
                format!("{PREFIX}{u}")
            };
            BUILT_IN
                .iter()
                .map(|b| (crate::authz::distance(&full, b), *b))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, b)| b)
        })
        .collect();
    near.sort_unstable();
    near.dedup();
    if near.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", near.join(", "))
    }
}

impl Role {
    /// The role's name, e.g. `os:reader`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether Talos defines this role.
    pub fn is_built_in(&self) -> bool {
        BUILT_IN.contains(&self.0.as_str())
    }

    /// The name without the `os:` prefix, as a node names contexts (`reader@cluster`).
    pub fn short_name(&self) -> &str {
        self.0.strip_prefix(PREFIX).unwrap_or(&self.0)
    }
}

impl RoleSet {
    /// Parse role strings as Talos's `role.Parse` does: trim, skip empty strings, keep unknown roles.
    pub fn parse_lenient<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        RoleSet(
            values
                .into_iter()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Role(s.to_string()))
                .collect(),
        )
    }

    /// Parse role strings for issuing: unknown roles are refused unless `allow_unknown`.
    ///
    /// # Errors
    /// [`RoleError::Unknown`] naming every unknown role, [`RoleError::Empty`] for an empty list.
    pub fn parse_for_issue<'a>(
        values: impl IntoIterator<Item = &'a str>,
        allow_unknown: bool,
    ) -> Result<Self, RoleError> {
        let values: Vec<&str> = values.into_iter().collect();
        let set = Self::parse_lenient(values.iter().copied());
        // Named as Talos's `role.Parse` lists them: in the order given, repeats kept.
        let unknown: Vec<String> = values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty() && !Role((*v).to_string()).is_built_in())
            .map(str::to_string)
            .collect();
        if !unknown.is_empty() && !allow_unknown {
            return Err(RoleError::Unknown(unknown));
        }
        if set.is_empty() {
            return Err(RoleError::Empty);
        }
        Ok(set)
    }

    /// Roles in byte order.
    pub fn iter(&self) -> impl Iterator<Item = &Role> {
        self.0.iter()
    }

    /// Role names in byte order (Talos `Strings()`).
    pub fn strings(&self) -> Vec<String> {
        self.0.iter().map(|r| r.0.clone()).collect()
    }

    /// Roles Talos does not define.
    pub fn unknown(&self) -> impl Iterator<Item = &Role> {
        self.0.iter().filter(|r| !r.is_built_in())
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of roles.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set holds `role`.
    pub fn contains(&self, role: &str) -> bool {
        self.0.iter().any(|r| r.0 == role)
    }

    /// The context name a Talos node gives a credential with these roles
    /// (`v1alpha1_server.go:2375-2421`): `<role without os:>@<cluster>` for exactly one role,
    /// the cluster name otherwise.
    pub fn context_name(&self, cluster: &str) -> String {
        match self.0.iter().next() {
            Some(only) if self.0.len() == 1 => format!("{}@{}", only.short_name(), cluster),
            _ => cluster.to_string(),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.strings().join(", "))
    }
}

impl FromStr for RoleSet {
    type Err = RoleError;

    /// Comma-separated built-in roles (`os:reader,os:etcd:backup`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_for_issue(s.split(','), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c3_all_seven_built_in_roles_are_accepted() {
        let set: RoleSet = BUILT_IN.join(",").parse().unwrap();
        assert_eq!(set.len(), 7);
    }

    #[test]
    fn c3_unknown_role_uses_talosctl_message() {
        // talosctl's message, then the built-in roles meant, when one is near.
        let err = "os:admn,os:reader,os:x".parse::<RoleSet>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown roles: os:admn, os:x (did you mean os:admin?)"
        );
        let err = "reader,etcd:backup".parse::<RoleSet>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown roles: reader, etcd:backup (did you mean os:etcd:backup, os:reader?)"
        );
        // In the order given, repeats kept, as `role.Parse` appends them.
        let err = "os:foo,os:reader,os:bar,os:foo"
            .parse::<RoleSet>()
            .unwrap_err();
        assert_eq!(err.to_string(), "unknown roles: os:foo, os:bar, os:foo");
    }

    #[test]
    fn parse_trims_skips_empty_and_dedups() {
        let set = RoleSet::parse_lenient([" os:reader", "", "os:reader", "os:admin"]);
        assert_eq!(set.strings(), ["os:admin", "os:reader"]);
    }

    #[test]
    fn context_name_follows_the_node() {
        let one: RoleSet = "os:etcd:backup".parse().unwrap();
        assert_eq!(one.context_name("prod"), "etcd:backup@prod");
        let two: RoleSet = "os:reader,os:operator".parse().unwrap();
        assert_eq!(two.context_name("prod"), "prod");
    }
}
