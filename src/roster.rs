//! Roster issuance: one talosconfig per team member or CI job, all validated before any is issued,
//! issued in parallel on every core, written all-or-nothing.
//!
//! ```yaml
//! entries:
//!   - name: alice                 # required; the output file is <name>.talosconfig
//!     roles: [os:reader]          # required, unless `for` is given
//!     for: [reboot, dmesg]        # instead of roles: the least-privileged roles for these calls
//!     ttl: 8h                     # optional, default 8760h
//!     endpoints: [10.5.0.2]       # optional
//!     nodes: [10.5.0.4]           # optional
//!     context: alice@prod         # optional; default as `config new`
//! ```

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::authz;
use crate::fsx;
use crate::pki::{CaKeyPair, Certificate, PkiError, Ttl, Window};
use crate::policy::{Policy, Request};
use crate::roles::RoleSet;
use crate::talosconfig::credential::{self, Target};

/// One validated roster entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Name (file stem and ledger label).
    pub name: String,
    /// Roles.
    pub roles: RoleSet,
    /// The calls `for:` named (as resolved), when the roles were chosen from them.
    pub for_calls: Vec<String>,
    /// Lifetime.
    pub ttl: Ttl,
    /// Context, endpoints and nodes.
    pub target: Target,
}

/// Every invalid entry, listed.
#[derive(Debug, thiserror::Error)]
#[error("roster {source_name}: {} invalid entr{}: {}", .problems.len(), if .problems.len() == 1 { "y" } else { "ies" }, .problems.join("; "))]
pub struct RosterError {
    /// The roster file.
    pub source_name: String,
    /// One message per problem, naming the entry.
    pub problems: Vec<String>,
}

/// One issued credential.
pub struct Issued {
    /// The entry's name.
    pub name: String,
    /// The certificate.
    pub cert: Certificate,
    /// The talosconfig YAML (holds the key); empty once staged to a file.
    pub yaml: Zeroizing<String>,
    /// The talosconfig staged in the output directory, when one was given: commit all of them
    /// with [`fsx::commit_all`].
    pub staged: Option<fsx::Staged>,
}

/// Where issued talosconfigs go: `<dir>/<name>.talosconfig`, mode 0600.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    /// The directory (created with `dir_mode` when missing).
    pub dir: &'a std::path::Path,
    /// Mode of a created directory.
    pub dir_mode: u32,
    /// Whether existing files may be replaced.
    pub clobber: fsx::Clobber,
}

/// Why issuing a roster failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// Issuing a certificate failed.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// Staging a file failed (e.g. it exists and `--force` was not given).
    #[error(transparent)]
    Write(#[from] fsx::WriteError),
}

#[derive(Deserialize)]
struct RawRoster {
    entries: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: Option<String>,
    roles: Option<Vec<String>>,
    #[serde(rename = "for")]
    for_calls: Option<Vec<String>>,
    ttl: Option<String>,
    endpoints: Option<Vec<String>>,
    nodes: Option<Vec<String>>,
    context: Option<String>,
}

/// Defaults applied to entries that leave a field out.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// TTL (`config new`'s default is 8760h).
    pub ttl: Ttl,
    /// Cluster name for context names.
    pub cluster: String,
    /// Allow roles Talos does not define.
    pub allow_unknown_roles: bool,
}

fn safe_file_stem(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@+".contains(c))
}

/// Parse and validate a roster; every problem is collected.
///
/// # Errors
/// [`RosterError`] listing each invalid entry (by index and name) and why.
pub fn parse(
    text: &str,
    source: &str,
    defaults: &Defaults,
    policy: Option<&Policy>,
) -> Result<Vec<Entry>, RosterError> {
    let fail = |problems: Vec<String>| RosterError {
        source_name: source.to_string(),
        problems,
    };
    let raw: RawRoster = serde_yaml::from_str(text).map_err(|e| fail(vec![e.to_string()]))?;
    let mut problems = Vec::new();
    let mut entries = Vec::with_capacity(raw.entries.len());
    let mut seen = HashSet::new();
    for (i, e) in raw.entries.into_iter().enumerate() {
        let name = e.name.unwrap_or_default();
        let at = format!(
            "entries[{i}] ({})",
            if name.is_empty() { "no name" } else { &name }
        );
        let before = problems.len();
        if !safe_file_stem(&name) {
            problems.push(format!(
                "{at}: name must be a plain file name (letters, digits, - _ . @ +)"
            ));
        } else if !seen.insert(name.clone()) {
            problems.push(format!("{at}: duplicate name"));
        }
        let mut for_calls = Vec::new();
        let roles = match (e.roles, e.for_calls) {
            (Some(_), Some(_)) => {
                problems.push(format!("{at}: give roles or for, not both"));
                None
            }
            (None, None) => {
                problems.push(format!("{at}: roles are required"));
                None
            }
            (None, Some(calls)) => match authz::roles_for(&calls.join(",")) {
                Ok(chosen) => {
                    for_calls = chosen
                        .targets
                        .iter()
                        .map(|t| t.name().to_string())
                        .collect();
                    Some(chosen.roles)
                }
                Err(err) => {
                    problems.push(format!("{at}: for: {err}"));
                    None
                }
            },
            (Some(r), None) => match RoleSet::parse_for_issue(
                r.iter().map(String::as_str),
                defaults.allow_unknown_roles,
            ) {
                Ok(set) => Some(set),
                Err(err) => {
                    problems.push(format!("{at}: {err}"));
                    None
                }
            },
        };
        let ttl = match e.ttl {
            None => Some(defaults.ttl),
            Some(t) => match t.parse::<Ttl>() {
                Ok(t) => Some(t),
                Err(err) => {
                    problems.push(format!("{at}: {err}"));
                    None
                }
            },
        };
        let endpoints = e.endpoints.unwrap_or_default();
        let nodes = e.nodes.unwrap_or_default();
        if let (Some(roles), Some(ttl)) = (&roles, ttl) {
            if let Some(p) = policy {
                let req = Request {
                    roles,
                    ttl,
                    endpoints: &endpoints,
                    nodes: &nodes,
                };
                if let Err(err) = p.check(&req) {
                    problems.push(format!("{at}: {err}"));
                }
            }
        }
        if problems.len() > before {
            continue;
        }
        if let (Some(roles), Some(ttl)) = (roles, ttl) {
            let context = e
                .context
                .unwrap_or_else(|| roles.context_name(&defaults.cluster));
            entries.push(Entry {
                name,
                roles,
                for_calls,
                ttl,
                target: Target {
                    context,
                    endpoints,
                    nodes,
                },
            });
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(fail(problems))
    }
}

/// Issue every entry on `threads` threads. `progress` is called with the running count.
///
/// # Errors
/// The first [`PkiError`] (e.g. a TTL past the CA's expiry); nothing is returned then.
pub fn issue_all(
    entries: &[Entry],
    ca: &CaKeyPair,
    ca_pem: &[u8],
    window: impl Fn(Ttl) -> Window + Sync,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
    output: Option<&Output<'_>>,
) -> Result<Vec<Issued>, IssueError> {
    // Check every window first so that a failure is found before any work or any file.
    for e in entries {
        ca.check_window(&window(e.ttl))?;
    }
    if let Some(out) = output {
        for e in entries {
            fsx::refuse_existing(
                &out.dir.join(format!("{}.talosconfig", e.name)),
                out.clobber,
            )?;
        }
        fsx::create_dir_all(out.dir, out.dir_mode)?;
    }
    // An absolute directory spares the temporary-file code a `getcwd` per file.
    let dir = match output {
        Some(out) => std::path::absolute(out.dir).map_err(|e| fsx::WriteError::Io {
            path: out.dir.display().to_string(),
            source: e,
        })?,
        None => std::path::PathBuf::new(),
    };
    let dir = &dir;
    let done = AtomicUsize::new(0);
    let chunk = entries.len().div_ceil(threads.max(1)).max(1);
    let results: Vec<Result<Vec<Issued>, IssueError>> = std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                let (done, window) = (&done, &window);
                s.spawn(move || {
                    part.iter()
                        .map(|e| {
                            let issued = ca.issue_client_in(&e.roles, &window(e.ttl))?;
                            let mut yaml = credential::single_yaml(ca_pem, &issued, &e.target)?;
                            // Staging in the worker overlaps the file system calls with the
                            // signing of the next entries.
                            let staged = match output {
                                Some(out) => {
                                    let path = dir.join(format!("{}.talosconfig", e.name));
                                    let staged = fsx::stage_unsynced(
                                        &path,
                                        yaml.as_bytes(),
                                        fsx::SECRET_MODE,
                                        out.clobber,
                                    )?;
                                    yaml = Zeroizing::new(String::new());
                                    Some(staged)
                                }
                                None => None,
                            };
                            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                            Ok(Issued {
                                name: e.name.clone(),
                                cert: issued.cert,
                                yaml,
                                staged,
                            })
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(PkiError::Crypto("an issuing thread panicked".into()).into())
                })
            })
            .collect()
    });
    let mut out = Vec::with_capacity(entries.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults {
            ttl: Ttl::from_hours(8760),
            cluster: "prod".into(),
            allow_unknown_roles: false,
        }
    }

    #[test]
    fn every_invalid_entry_is_listed() {
        let text = "entries:\n  - name: alice\n    roles: [os:reader]\n  - name: bob\n    roles: [os:admn]\n  - roles: [os:reader]\n  - name: alice\n    roles: [os:reader]\n  - name: carol\n    roles: [os:reader]\n    ttl: soon\n  - name: ../x\n    roles: [os:reader]\n";
        let err = parse(text, "team.yaml", &defaults(), None).unwrap_err();
        assert_eq!(err.problems.len(), 5, "{err}");
        let msg = err.to_string();
        for needle in [
            "entries[1] (bob): unknown roles: os:admn",
            "entries[2] (no name)",
            "entries[3] (alice): duplicate name",
            "entries[4] (carol): invalid TTL",
            "entries[5] (../x)",
        ] {
            assert!(msg.contains(needle), "{needle} in {msg}");
        }
    }

    #[test]
    fn issue6_for_chooses_least_privileged_roles_per_entry() {
        let text = "entries:\n  - name: ops\n    for: [reboot, dmesg]\n  - name: backup\n    for: [etcd snapshot]\n";
        let e = parse(text, "r", &defaults(), None).unwrap();
        assert_eq!(e[0].roles.strings(), ["os:operator"]);
        assert_eq!(e[0].for_calls, ["reboot", "dmesg"]);
        assert_eq!(e[0].target.context, "operator@prod");
        assert_eq!(e[1].roles.strings(), ["os:etcd:backup"]);
    }

    #[test]
    fn issue6_for_problems_are_listed_with_the_others() {
        let text = "entries:\n  - name: a\n    for: []\n  - name: b\n    for: [rebot]\n  - name: c\n    roles: [os:reader]\n    for: [dmesg]\n";
        let err = parse(text, "r", &defaults(), None).unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
        assert!(err.problems[0].starts_with("entries[0] (a): for: no methods given"));
        assert!(err.problems[1].starts_with("entries[1] (b): for: unknown method \"rebot\""));
        assert_eq!(
            err.problems[2],
            "entries[2] (c): give roles or for, not both"
        );
    }

    #[test]
    fn defaults_fill_ttl_and_context() {
        let text = "entries:\n  - name: ci\n    roles: [os:etcd:backup]\n  - name: ops\n    roles: [os:reader, os:operator]\n    ttl: 7d\n    context: ops\n";
        let e = parse(text, "r", &defaults(), None).unwrap();
        assert_eq!(e[0].target.context, "etcd:backup@prod");
        assert_eq!(e[0].ttl, Ttl::from_hours(8760));
        assert_eq!(e[1].target.context, "ops");
        assert_eq!(e[1].ttl, Ttl::from_hours(168));
    }
}
