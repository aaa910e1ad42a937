//! Role policy for issuing commands (`--policy policy.yaml`): which roles may be issued, the longest
//! TTL per role, and optionally which endpoints and nodes a credential may name. A refused request
//! names the rule that refused it.
//!
//! ```yaml
//! roles:
//!   os:admin:
//!     maxTTL: 8h
//!   os:reader:
//!     maxTTL: 30d
//!   os:etcd:backup: {}      # allowed, no TTL limit of its own
//! endpoints: [10.5.0.2, 10.5.0.3]   # optional; absent = any
//! nodes: ["10.5.0.*"]               # optional; `*` matches any run of characters
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::pki::Ttl;
use crate::roles::RoleSet;
use crate::talosconfig::glob::matches as glob_match;

/// A parsed policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Source file, for messages.
    pub source: String,
    /// Allowed roles with their longest TTL (`None`: no limit of its own).
    pub roles: BTreeMap<String, Option<Ttl>>,
    /// Allowed endpoint patterns; `None` allows any.
    pub endpoints: Option<Vec<String>>,
    /// Allowed node patterns; `None` allows any.
    pub nodes: Option<Vec<String>>,
}

/// What an issuing command asks for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Roles to issue.
    pub roles: &'a RoleSet,
    /// Requested TTL.
    pub ttl: Ttl,
    /// Endpoints the talosconfig will name.
    pub endpoints: &'a [String],
    /// Nodes the talosconfig will name.
    pub nodes: &'a [String],
}

/// Why a policy file is unusable or a request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy file does not parse.
    #[error("policy {file}: {reason}")]
    Parse {
        /// The policy file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A request broke a rule.
    #[error("refused by policy {file}, rule {rule}: {reason}")]
    Refused {
        /// The policy file.
        file: String,
        /// The rule, e.g. `roles.os:admin.maxTTL`.
        rule: String,
        /// What was asked and what is allowed.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a policy mapping with roles")]
struct RawPolicy {
    #[serde(deserialize_with = "roles_once_each")]
    roles: BTreeMap<String, Option<RawRole>>,
    endpoints: Option<Vec<String>>,
    nodes: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a map such as {maxTTL: 8h} (or {} for no limit)"
)]
struct RawRole {
    #[serde(rename = "maxTTL")]
    max_ttl: Option<String>,
}

/// The `roles` map, refusing a role named twice: a second entry would silently replace the
/// first, so a reader of the file could see a limit that is not enforced.
fn roles_once_each<'de, D>(d: D) -> Result<BTreeMap<String, Option<RawRole>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Roles;
    impl<'de> serde::de::Visitor<'de> for Roles {
        type Value = BTreeMap<String, Option<RawRole>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of roles such as {os:reader: {maxTTL: 30d}}")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut roles = BTreeMap::new();
            while let Some((name, rule)) = map.next_entry::<String, Option<RawRole>>()? {
                if roles.contains_key(&name) {
                    return Err(serde::de::Error::custom(format!(
                        "role {name} is given twice: keep one entry for it"
                    )));
                }
                roles.insert(name, rule);
            }
            Ok(roles)
        }
    }
    d.deserialize_map(Roles)
}

impl Policy {
    /// Parse policy YAML; `source` names the file in messages.
    ///
    /// # Errors
    /// [`PolicyError::Parse`] for bad YAML, unknown keys, unknown roles or bad TTLs.
    pub fn parse(text: &str, source: &str) -> Result<Self, PolicyError> {
        let err = |reason: String| PolicyError::Parse {
            file: source.to_string(),
            reason,
        };
        crate::yaml::check_nesting(text).map_err(err)?;
        let raw: RawPolicy = serde_yaml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut roles = BTreeMap::new();
        for (name, rule) in raw.roles {
            let set =
                RoleSet::parse_for_issue([name.as_str()], true).map_err(|e| err(e.to_string()))?;
            if set.unknown().next().is_some() {
                return Err(err(format!(
                    "roles.{name}: unknown role: use one of {}",
                    crate::roles::BUILT_IN.join(", ")
                )));
            }
            let max = match rule.and_then(|r| r.max_ttl) {
                Some(t) => Some(
                    t.parse::<Ttl>()
                        .map_err(|e| err(format!("roles.{name}.maxTTL: {e}")))?,
                ),
                None => None,
            };
            roles.insert(name, max);
        }
        Ok(Policy {
            source: source.to_string(),
            roles,
            endpoints: raw.endpoints,
            nodes: raw.nodes,
        })
    }

    /// Read and parse a policy file.
    ///
    /// # Errors
    /// [`PolicyError::Parse`].
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Parse {
            file: source.clone(),
            reason: format!("cannot read the file: {e}"),
        })?;
        Self::parse(&text, &source)
    }

    /// Check a request against every rule.
    ///
    /// # Errors
    /// [`PolicyError::Refused`] naming the first rule broken.
    pub fn check(&self, req: &Request<'_>) -> Result<(), PolicyError> {
        let refuse = |rule: String, reason: String| PolicyError::Refused {
            file: self.source.clone(),
            rule,
            reason,
        };
        for role in req.roles.iter() {
            match self.roles.get(role.as_str()) {
                None => {
                    let allowed: Vec<&str> = self.roles.keys().map(String::as_str).collect();
                    return Err(refuse(
                        "roles".into(),
                        format!(
                            "role {role} may not be issued (allowed: {})",
                            listed(&allowed)
                        ),
                    ));
                }
                Some(Some(max)) if req.ttl > *max => {
                    return Err(refuse(
                        format!("roles.{role}.maxTTL"),
                        format!("TTL {} is longer than {max} for {role}", req.ttl),
                    ));
                }
                Some(_) => {}
            }
        }
        for (rule, allowed, asked) in [
            ("endpoints", &self.endpoints, req.endpoints),
            ("nodes", &self.nodes, req.nodes),
        ] {
            if let Some(allowed) = allowed {
                if let Some(bad) = asked
                    .iter()
                    .find(|a| !allowed.iter().any(|p| glob_match(p, a)))
                {
                    return Err(refuse(
                        rule.into(),
                        format!("{bad} is not allowed (allowed: {})", listed(allowed)),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `a, b, c`, or `none` for an empty list.
fn listed<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "roles:\n  os:admin:\n    maxTTL: 8h\n  os:reader:\n    maxTTL: 30d\n  os:etcd:backup: {}\nendpoints: [10.5.0.2]\nnodes: ['10.5.0.*']\n";

    fn req<'a>(
        roles: &'a RoleSet,
        ttl: &str,
        endpoints: &'a [String],
        nodes: &'a [String],
    ) -> Request<'a> {
        Request {
            roles,
            ttl: ttl.parse().unwrap(),
            endpoints,
            nodes,
        }
    }

    #[test]
    fn allowed_refused_by_role_ttl_endpoint_and_node() {
        let p = Policy::parse(POLICY, "policy.yaml").unwrap();
        let reader: RoleSet = "os:reader".parse().unwrap();
        let admin: RoleSet = "os:admin".parse().unwrap();
        let operator: RoleSet = "os:operator".parse().unwrap();
        let ep = vec!["10.5.0.2".to_string()];
        let nodes = vec!["10.5.0.7".to_string()];
        p.check(&req(&reader, "7d", &ep, &nodes)).unwrap();
        let e = p.check(&req(&operator, "1h", &ep, &nodes)).unwrap_err();
        assert_eq!(e.to_string(), "refused by policy policy.yaml, rule roles: role os:operator may not be issued (allowed: os:admin, os:etcd:backup, os:reader)");
        let e = p.check(&req(&admin, "9h", &ep, &nodes)).unwrap_err();
        assert_eq!(e.to_string(), "refused by policy policy.yaml, rule roles.os:admin.maxTTL: TTL 9h0m0s is longer than 8h0m0s for os:admin");
        let bad_ep = vec!["1.2.3.4".to_string()];
        let e = p.check(&req(&reader, "1h", &bad_ep, &nodes)).unwrap_err();
        assert!(e
            .to_string()
            .contains("rule endpoints: 1.2.3.4 is not allowed"));
        let bad_node = vec!["10.6.0.1".to_string()];
        let e = p.check(&req(&reader, "1h", &ep, &bad_node)).unwrap_err();
        assert!(e
            .to_string()
            .contains("rule nodes: 10.6.0.1 is not allowed"));
        // A policy that allows nothing says so.
        let none = Policy::parse("roles: {}\nendpoints: []\n", "closed.yaml").unwrap();
        let e = none.check(&req(&reader, "1h", &[], &[])).unwrap_err();
        assert_eq!(e.to_string(), "refused by policy closed.yaml, rule roles: role os:reader may not be issued (allowed: none)");
        let every = Policy::parse("roles:\n  os:reader: {}\nendpoints: []\n", "p").unwrap();
        let e = every.check(&req(&reader, "1h", &ep, &[])).unwrap_err();
        assert!(e
            .to_string()
            .ends_with("rule endpoints: 10.5.0.2 is not allowed (allowed: none)"));
    }

    #[test]
    fn bad_policy_files_are_refused() {
        assert!(Policy::parse("roles:\n  os:admn: {}\n", "p")
            .unwrap_err()
            .to_string()
            .contains("roles.os:admn: unknown role"));
        assert!(
            Policy::parse("roles:\n  os:admin:\n    maxTTL: soon\n", "p")
                .unwrap_err()
                .to_string()
                .contains("roles.os:admin.maxTTL")
        );
        assert!(Policy::parse("rolez: {}\n", "p").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match("10.5.0.*", "10.5.0.17"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b", "ab-c"));
        assert!(glob_match("exact", "exact") && !glob_match("exact", "exactly"));
    }
}
