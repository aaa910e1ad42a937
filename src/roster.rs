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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::authz;
use crate::fsx;
use crate::ledger;
use crate::pki::{CaKeyPair, KeyAlgorithm, PkiError, PrivateKey, Ttl, Window};
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

/// Why a roster was refused.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The text is not a roster: not YAML, no `entries`, or `entries` not a list (an entry of
    /// the wrong shape is one of [`RosterError::Entries`]).
    #[error("roster {source_name}: cannot read it as a roster: {reason} (expected `entries:` with a list of entries, each with a name and roles; see `talmint issue --help`)")]
    Document {
        /// The roster file.
        source_name: String,
        /// The YAML reader's message, with where.
        reason: String,
    },
    /// `entries` is an empty list: nothing to issue.
    #[error("roster {source_name}: no entries: add at least one under `entries:`, each with a name and roles (see `talmint issue --help`)")]
    NoEntries {
        /// The roster file.
        source_name: String,
    },
    /// Every invalid entry, listed.
    #[error("roster {source_name}: {invalid} invalid entr{}: {}", if *.invalid == 1 { "y" } else { "ies" }, .problems.join("; "))]
    Entries {
        /// The roster file.
        source_name: String,
        /// How many entries are invalid (an entry may have several problems).
        invalid: usize,
        /// One message per problem, naming the entry.
        problems: Vec<String>,
    },
}

/// One issued credential.
pub struct Issued {
    /// The entry's name.
    pub name: String,
    /// The talosconfig YAML (holds the key).
    pub yaml: Zeroizing<String>,
}

/// The file name of an entry's talosconfig.
#[must_use]
pub fn file_name(entry: &Entry) -> String {
    format!("{}.talosconfig", entry.name)
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
    /// Recording a certificate in the ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
    /// Stopped by [`Issuing::interrupted`].
    #[error("interrupted")]
    Interrupted,
}

/// The roster as YAML: its entries are read one by one ([`read_entry`]), so that an entry of the
/// wrong shape is listed with every other invalid entry rather than refusing the whole text.
#[derive(Deserialize)]
#[serde(expecting = "a mapping with entries")]
struct RawRoster {
    entries: Vec<serde_yaml::Value>,
}

#[derive(Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an entry mapping such as {name: alice, roles: [os:reader]}"
)]
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

/// The longest entry name: `<name>.talosconfig` must fit in a file name (255 bytes).
const MAX_NAME: usize = 255 - ".talosconfig".len();

/// An entry's name as messages show it: at most 64 characters, so a huge name cannot flood the
/// error line.
fn shown_name(name: &str) -> String {
    match name.char_indices().nth(64) {
        _ if name.is_empty() => "no name".to_string(),
        Some((cut, _)) => format!("{}…", name.get(..cut).unwrap_or(name)),
        None => name.to_string(),
    }
}

/// `text` with control characters escaped (`\u{1b}`), so that a roster's names and fields
/// cannot drive the terminal an error is shown on.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn safe_file_stem(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@+".contains(c))
}

/// An entry's fields that read, one problem per field that did not (an unknown field, a value
/// of the wrong type, in serde's words), and the names of the known fields that did not read.
fn read_entry(value: &serde_yaml::Value) -> (RawEntry, Vec<String>, Vec<String>) {
    if let Ok(raw) = RawEntry::deserialize(value) {
        return (raw, Vec::new(), Vec::new());
    }
    let serde_yaml::Value::Mapping(map) = value else {
        // Not a mapping at all (a string, a list, nothing): serde says what it is, and no field
        // reads.
        let problem = RawEntry::deserialize(value)
            .err()
            .map_or_else(String::new, |e| e.to_string());
        let unreadable = RAW_FIELDS.iter().map(ToString::to_string).collect();
        return (RawEntry::default(), vec![problem], unreadable);
    };
    let mut readable = serde_yaml::Mapping::new();
    let mut problems = Vec::new();
    let mut unreadable = Vec::new();
    for (key, field) in map {
        let alone =
            serde_yaml::Value::Mapping([(key.clone(), field.clone())].into_iter().collect());
        match RawEntry::deserialize(&alone) {
            Ok(_) => {
                readable.insert(key.clone(), field.clone());
            }
            // serde's unknown-field message names the field; a type error does not.
            Err(e) => match key.as_str().filter(|k| RAW_FIELDS.contains(k)) {
                Some(known) => {
                    problems.push(format!("{known}: {e}"));
                    unreadable.push(known.to_string());
                }
                None => problems.push(e.to_string()),
            },
        }
    }
    // Each of these fields read alone, so together they read too.
    let raw = RawEntry::deserialize(&serde_yaml::Value::Mapping(readable)).unwrap_or_default();
    (raw, problems, unreadable)
}

/// The fields of an entry, as [`RawEntry`] reads them.
const RAW_FIELDS: [&str; 7] = [
    "name",
    "roles",
    "for",
    "ttl",
    "endpoints",
    "nodes",
    "context",
];

/// A check of an entry's TTL beyond the roster itself (that the CA can sign it), giving the
/// problem to list.
pub type TtlCheck<'a> = &'a dyn Fn(Ttl) -> Result<(), String>;

/// Parse and validate a roster; every problem is collected, including those `ttl_check` finds.
///
/// # Errors
/// [`RosterError::Document`] when the text is not a roster; [`RosterError::NoEntries`] when it
/// lists none; [`RosterError::Entries`] listing each invalid entry (by index and name) and why.
pub fn parse(
    text: &str,
    source: &str,
    defaults: &Defaults,
    policy: Option<&Policy>,
    ttl_check: Option<TtlCheck<'_>>,
) -> Result<Vec<Entry>, RosterError> {
    crate::yaml::check_nesting(text).map_err(|reason| RosterError::Document {
        source_name: source.to_string(),
        reason,
    })?;
    let raw: RawRoster = serde_yaml::from_str(text).map_err(|e| RosterError::Document {
        source_name: source.to_string(),
        reason: e.to_string(),
    })?;
    if raw.entries.is_empty() {
        return Err(RosterError::NoEntries {
            source_name: source.to_string(),
        });
    }
    let mut problems = Vec::new();
    let mut invalid = 0;
    let mut entries = Vec::with_capacity(raw.entries.len());
    let mut seen = HashSet::new();
    for (i, value) in raw.entries.iter().enumerate() {
        // This entry's problems, each later prefixed with where it is: first the fields that do
        // not read; the others are checked as usual.
        let (e, mut mine, unreadable) = read_entry(value);
        let unread = |field: &str| unreadable.iter().any(|f| f == field);
        let name = e.name.unwrap_or_default();
        if unread("name") {
            // Already listed: its type is wrong.
        } else if name.len() > MAX_NAME {
            mine.push(format!(
                "name is {} bytes long: at most {MAX_NAME} (a file name is at most 255 bytes, \
                 and .talosconfig is added)",
                name.len()
            ));
        } else if !safe_file_stem(&name) {
            mine.push("name must be a plain file name (ASCII letters, digits, - _ . @ +; not starting with a dot)".to_string());
        } else if !seen.insert(name.clone()) {
            mine.push("duplicate name".to_string());
        }
        let mut for_calls = Vec::new();
        let roles = match (e.roles, e.for_calls) {
            (Some(_), Some(_)) => {
                mine.push("give roles or for, not both".to_string());
                None
            }
            (None, None) => {
                if !unread("roles") && !unread("for") {
                    mine.push("roles are required".to_string());
                }
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
                    mine.push(format!("for: {err}"));
                    None
                }
            },
            (Some(r), None) => match RoleSet::parse_for_issue(
                r.iter().map(String::as_str),
                defaults.allow_unknown_roles,
            ) {
                Ok(set) => Some(set),
                Err(err) => {
                    mine.push(err.to_string());
                    None
                }
            },
        };
        let ttl = match e.ttl {
            None if unread("ttl") => None,
            None => Some(defaults.ttl),
            Some(t) => match t.parse::<Ttl>() {
                Ok(t) => Some(t),
                Err(err) => {
                    mine.push(err.to_string());
                    None
                }
            },
        };
        if e.context.as_deref() == Some("") {
            mine.push("context must not be empty: leave it out for the default".to_string());
        }
        let endpoints = e.endpoints.unwrap_or_default();
        let nodes = e.nodes.unwrap_or_default();
        if let (Some(ttl), Some(check)) = (ttl, ttl_check) {
            if let Err(err) = check(ttl) {
                mine.push(err);
            }
        }
        if let (Some(roles), Some(ttl)) = (&roles, ttl) {
            if let Some(p) = policy.filter(|_| !unread("endpoints") && !unread("nodes")) {
                let req = Request {
                    roles,
                    ttl,
                    endpoints: &endpoints,
                    nodes: &nodes,
                };
                if let Err(err) = p.check(&req) {
                    mine.push(err.to_string());
                }
            }
        }
        if !mine.is_empty() {
            let at = format!("entries[{i}] ({})", shown_name(&name));
            problems.extend(mine.into_iter().map(|p| printable(&format!("{at}: {p}"))));
            invalid += 1;
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
        Err(RosterError::Entries {
            source_name: source.to_string(),
            invalid,
            problems,
        })
    }
}

/// How a roster is issued.
pub struct Issuing<'a, W> {
    /// The issuing CA.
    pub ca: &'a CaKeyPair,
    /// The CA certificate as PEM (the talosconfigs' `ca`).
    pub ca_pem: &'a [u8],
    /// The validity window for a TTL.
    pub window: W,
    /// Signing threads.
    pub threads: usize,
    /// Called with the running count.
    pub progress: &'a (dyn Fn(usize) + Sync),
    /// Where each talosconfig is written as [`file_name`] (mode 0600), to be made visible with
    /// [`fsx::Batch::commit`]; `None` returns them as [`Issued`].
    pub output: Option<&'a fsx::Batch>,
    /// When given, the ledger that records each certificate (labelled with the entry's name) as
    /// it is issued, and the stamp for its lines. It is flushed to disk before
    /// [`issue_all`] returns, so before any file of the batch becomes visible: a credential is
    /// never delivered unrecorded.
    pub ledger: Option<(&'a std::path::Path, &'a ledger::Stamp)>,
    /// Keys made ahead (see [`SpareKeys`]), used before any new one is made.
    pub spare_keys: Option<&'a SpareKeys>,
    /// Set (by a signal handler) to stop: no further entry is issued or written, and
    /// [`issue_all`] returns [`IssueError::Interrupted`].
    pub interrupted: Option<&'a AtomicBool>,
}

/// Keys made ahead of use on a spare core, while the roster is still being read (one core
/// parses, the other would idle): each is handed out once, and those left over are wiped when
/// dropped.
#[derive(Default)]
pub struct SpareKeys(Mutex<Vec<PrivateKey>>);

impl SpareKeys {
    /// Make keys of `alg`, public halves derived, until `stop` is set or `at_most` are made. None
    /// for RSA: one RSA-4096 key takes far longer than reading any roster.
    ///
    /// # Errors
    /// [`PkiError::Crypto`] if the random source fails.
    pub fn make_until(
        alg: KeyAlgorithm,
        stop: &AtomicBool,
        at_most: usize,
    ) -> Result<Self, PkiError> {
        let mut keys = Vec::new();
        while alg != KeyAlgorithm::Rsa && keys.len() < at_most && !stop.load(Ordering::Relaxed) {
            let key = PrivateKey::generate(alg)?;
            key.prepare()?;
            keys.push(key);
        }
        Ok(SpareKeys(Mutex::new(keys)))
    }

    /// One key, while any is left.
    pub fn take(&self) -> Option<PrivateKey> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
    }
}

/// Issue every entry as `how` says: the talosconfigs in entry order, or none when they go to
/// [`Issuing::output`].
///
/// # Errors
/// The first [`PkiError`] (e.g. a TTL past the CA's expiry) or write error; nothing is returned
/// then.
pub fn issue_all<W: Fn(Ttl) -> Window + Sync>(
    entries: &[Entry],
    how: &Issuing<'_, W>,
) -> Result<Vec<Issued>, IssueError> {
    let Issuing {
        ca,
        ca_pem,
        ref window,
        threads,
        progress,
        output,
        ledger,
        spare_keys,
        interrupted,
    } = *how;
    let stop = || interrupted.is_some_and(|i| i.load(Ordering::Relaxed));
    // Check every window and target first so that a failure is found before any work.
    for e in entries {
        ca.check_window(&window(e.ttl))?;
        if let Some(out) = output {
            out.refuse_existing(&file_name(e))?;
        }
    }
    let done = AtomicUsize::new(0);
    // Workers take the next few entries as they go, so that a slow core does not hold up the end.
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        // One writer thread creates the files and appends the ledger lines while the workers
        // sign: file creation in one directory is serialized by the kernel anyway, and this way
        // no signer waits for it.
        let (to_writer, from_workers) = std::sync::mpsc::sync_channel::<Written>(threads * 4);
        let writer = (output.is_some() || ledger.is_some()).then(|| {
            s.spawn(move || -> Result<(), IssueError> {
                let mut ledger = ledger
                    .map(|(path, _)| ledger::Appender::open(path))
                    .transpose()?;
                let mut written = 0usize;
                for (files, lines) in from_workers {
                    if let Some(ledger) = &mut ledger {
                        ledger.write(&lines)?;
                    }
                    let Some(out) = output else { continue };
                    if stop() {
                        return Err(IssueError::Interrupted);
                    }
                    for (name, yaml) in files {
                        out.add(&name, yaml.as_bytes(), fsx::SECRET_MODE)?;
                        written += 1;
                        // Start the writeback of what is written every so often (the ledger's
                        // lines too, on the same filesystem), so that the commit has little left
                        // to wait for.
                        if written.is_multiple_of(FLUSH_EVERY) {
                            s.spawn(|| out.flush());
                        }
                    }
                }
                if let Some(ledger) = ledger {
                    ledger.finish()?;
                }
                Ok(())
            })
        });
        let writer_running = writer.is_some();
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let (done, next, window, to_writer) = (&done, &next, &window, to_writer.clone());
                s.spawn(move || -> Result<Vec<(usize, Issued)>, IssueError> {
                    let mut mine = Vec::new();
                    loop {
                        if stop() {
                            return Err(IssueError::Interrupted);
                        }
                        let start = next.fetch_add(GRAIN, Ordering::Relaxed);
                        let Some(part) = entries.get(start..(start + GRAIN).min(entries.len()))
                        else {
                            break;
                        };
                        if part.is_empty() {
                            break;
                        }
                        let mut files = Vec::with_capacity(part.len());
                        let mut lines = Vec::new();
                        for (i, e) in part.iter().enumerate() {
                            let issued = match spare_keys.and_then(SpareKeys::take) {
                                Some(key) => ca.issue_client_with(&e.roles, &window(e.ttl), key)?,
                                None => ca.issue_client_in(&e.roles, &window(e.ttl))?,
                            };
                            let yaml = credential::single_yaml(ca_pem, &issued, &e.target)?;
                            if let Some((_, stamp)) = ledger {
                                lines.extend(stamp.line(&issued.cert, &e.name));
                            }
                            if output.is_some() {
                                files.push((file_name(e), yaml));
                            } else {
                                mine.push((
                                    start + i,
                                    Issued {
                                        name: e.name.clone(),
                                        yaml,
                                    },
                                ));
                            }
                        }
                        // A closed channel means the writer failed: its error is reported.
                        if writer_running && to_writer.send((files, lines)).is_err() {
                            break;
                        }
                        progress(done.fetch_add(part.len(), Ordering::Relaxed) + part.len());
                    }
                    Ok(mine)
                })
            })
            .collect();
        drop(to_writer);
        let panicked = || IssueError::from(PkiError::Crypto("an issuing thread panicked".into()));
        let mut all = Vec::with_capacity(entries.len());
        let mut first_error = None;
        for w in workers {
            match w.join().unwrap_or_else(|_| Err(panicked())) {
                Ok(part) => all.extend(part),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(w) = writer {
            if let Err(e) = w.join().unwrap_or_else(|_| Err(panicked())) {
                first_error.get_or_insert(e);
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        all.sort_unstable_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, issued)| issued).collect())
    })
}

/// A talosconfig on its way to the writer: file name and contents.
type File = (String, Zeroizing<String>);

/// What a worker hands the writer for a few entries: their talosconfigs and ledger lines.
type Written = (Vec<File>, Vec<u8>);

/// Entries a worker takes at a time.
const GRAIN: usize = 16;

/// Files written between two background flushes.
const FLUSH_EVERY: usize = 1000;

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
    fn control_characters_in_a_roster_never_reach_the_message_raw() {
        // Review r18: an unknown field's name reached the terminal with its escape sequences.
        let text =
            "entries:\n  - name: \"a\\e[2Jb\"\n    roles: [os:reader]\n    \"co\\e[31mlor\": x\n";
        let err = parse(text, "team.yaml", &defaults(), None, None)
            .unwrap_err()
            .to_string();
        assert!(!err.contains('\u{1b}'), "{err:?}");
        assert!(err.contains("\\u{1b}[31m"), "{err:?}");
    }

    #[test]
    fn every_invalid_entry_is_listed() {
        let text = "entries:\n  - name: alice\n    roles: [os:reader]\n  - name: bob\n    roles: [os:admn]\n  - roles: [os:reader]\n  - name: alice\n    roles: [os:reader]\n  - name: carol\n    roles: [os:reader]\n    ttl: soon\n  - name: ../x\n    roles: [os:reader]\n";
        let err = parse(text, "team.yaml", &defaults(), None, None).unwrap_err();
        let RosterError::Entries { problems, .. } = &err else {
            panic!("not listed by entry: {err}");
        };
        assert_eq!(problems.len(), 5, "{err}");
        let msg = err.to_string();
        for needle in [
            "entries[5] (../x): name must be a plain file name (ASCII letters, digits, - _ . @ +; not starting with a dot)",
            "entries[1] (bob): unknown roles: os:admn",
            "entries[2] (no name)",
            "entries[3] (alice): duplicate name",
            "entries[4] (carol): invalid TTL",
        ] {
            assert!(msg.contains(needle), "{needle} in {msg}");
        }
    }

    #[test]
    fn names_are_plain_file_names() {
        for bad in [
            "", ".", "..", ".hidden", "a/b", "a\\b", "é", "a b", "a\u{0}b",
        ] {
            assert!(!safe_file_stem(bad), "{bad:?} accepted");
        }
        for good in ["alice", "-rf", "ci.bot", "a@b+c_d-e", "x.."] {
            assert!(safe_file_stem(good), "{good:?} refused");
        }
    }

    #[test]
    fn issue6_for_chooses_least_privileged_roles_per_entry() {
        let text = "entries:\n  - name: ops\n    for: [reboot, dmesg]\n  - name: backup\n    for: [etcd snapshot]\n";
        let e = parse(text, "r", &defaults(), None, None).unwrap();
        assert_eq!(e[0].roles.strings(), ["os:operator"]);
        assert_eq!(e[0].for_calls, ["reboot", "dmesg"]);
        assert_eq!(e[0].target.context, "operator@prod");
        assert_eq!(e[1].roles.strings(), ["os:etcd:backup"]);
    }

    #[test]
    fn a_text_that_is_not_a_roster_is_refused_as_a_whole() {
        for (text, reason) in [
            ("", "missing field `entries`"),
            ("people:\n  - name: a\n", "missing field `entries`"),
            ("entries:\n  - name: a\n   roles: [x\n", "line 3"),
            ("entries: alice\n", "entries: invalid type: string"),
        ] {
            let err = parse(text, "team.yaml", &defaults(), None, None).unwrap_err();
            assert!(matches!(err, RosterError::Document { .. }), "{err}");
            let msg = err.to_string();
            assert!(
                msg.starts_with("roster team.yaml: cannot read it as a roster: ")
                    && msg.contains(reason)
                    && !msg.contains("invalid entr"),
                "{msg}"
            );
        }
    }

    // Review: an entry of the wrong shape (an unknown field, a value of the wrong type) refused
    // the whole roster, so every other invalid entry showed only once it was fixed.
    #[test]
    fn entries_of_the_wrong_shape_are_listed_with_the_other_invalid_entries() {
        let text = "entries:\n  - name: alice\n    roles: [os:reader]\n  - name: alice\n    roles: [os:reader]\n  - name: ../evil\n    roles: [os:admin]\n  - name: dave\n    roles: [os:bogus]\n  - name: gina\n    roles: [os:admin]\n    color: blue\n  - name: hank\n    roles: os:reader\n    ttl: [8h]\n  - name: 5\n    roles: [os:reader]\n  - alice\n  - name: ivan\n    roles: [os:reader]\n    nodes: 10.5.0.4\n";
        let err = parse(text, "team.yaml", &defaults(), None, None).unwrap_err();
        let RosterError::Entries {
            invalid, problems, ..
        } = &err
        else {
            panic!("not listed by entry: {err}");
        };
        assert_eq!(
            problems,
            &[
                "entries[1] (alice): duplicate name",
                "entries[2] (../evil): name must be a plain file name (ASCII letters, digits, - _ . @ +; not starting with a dot)",
                "entries[3] (dave): unknown roles: os:bogus",
                "entries[4] (gina): unknown field `color`, expected one of `name`, `roles`, `for`, `ttl`, `endpoints`, `nodes`, `context`",
                "entries[5] (hank): roles: invalid type: string \"os:reader\", expected a sequence",
                "entries[5] (hank): ttl: invalid type: sequence, expected a string",
                "entries[6] (no name): name: invalid type: integer `5`, expected a string",
                "entries[7] (no name): invalid type: string \"alice\", expected an entry mapping such as {name: alice, roles: [os:reader]}",
                "entries[8] (ivan): nodes: invalid type: string \"10.5.0.4\", expected a sequence",
            ]
        );
        assert_eq!(*invalid, 8);
        assert!(err.to_string().starts_with(
            "roster team.yaml: 8 invalid entries: entries[1] (alice): duplicate name; "
        ));
        // The fields of a wrong-shaped entry that do read are checked as usual.
        let text = "entries:\n  - name: ../x\n    roles: [os:reader]\n    colour: red\n";
        let err = parse(text, "team.yaml", &defaults(), None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "roster team.yaml: 1 invalid entry: entries[0] (../x): unknown field `colour`, expected one of `name`, `roles`, `for`, `ttl`, `endpoints`, `nodes`, `context`; entries[0] (../x): name must be a plain file name (ASCII letters, digits, - _ . @ +; not starting with a dot)"
        );
    }

    #[test]
    fn issue6_for_problems_are_listed_with_the_others() {
        let text = "entries:\n  - name: a\n    for: []\n  - name: b\n    for: [rebot]\n  - name: c\n    roles: [os:reader]\n    for: [dmesg]\n";
        let err = parse(text, "r", &defaults(), None, None).unwrap_err();
        let RosterError::Entries { problems, .. } = &err else {
            panic!("not listed by entry: {err}");
        };
        assert_eq!(problems.len(), 3, "{err}");
        assert!(problems[0].starts_with("entries[0] (a): for: no methods given"));
        assert!(problems[1].starts_with("entries[1] (b): for: unknown method \"rebot\""));
        assert_eq!(problems[2], "entries[2] (c): give roles or for, not both");
    }

    fn ca(alg: KeyAlgorithm) -> CaKeyPair {
        CaKeyPair::generate(
            &crate::pki::Profile::ca("talos"),
            alg,
            time::OffsetDateTime::now_utc(),
            Ttl::from_hours(87600),
        )
        .unwrap()
    }

    #[test]
    fn spare_keys_are_used_once_each_then_fresh_ones_are_made() {
        let ca = ca(KeyAlgorithm::Ed25519);
        let text = "entries:\n  - name: a\n    roles: [os:reader]\n  - name: b\n    roles: [os:reader]\n  - name: c\n    roles: [os:reader]\n";
        let entries = parse(text, "r", &defaults(), None, None).unwrap();
        let spare = SpareKeys::make_until(ca.key_algorithm(), &AtomicBool::new(false), 2).unwrap();
        assert_eq!(spare.0.lock().unwrap().len(), 2, "stops at the bound");
        let spare_spki: Vec<Vec<u8>> = {
            let keys = spare.0.lock().unwrap();
            keys.iter().map(|k| k.public_key_der().unwrap()).collect()
        };
        let now = time::OffsetDateTime::now_utc();
        let issued = issue_all(
            &entries,
            &Issuing {
                ca: &ca,
                ca_pem: ca.cert_pem().as_bytes(),
                window: |ttl| Window::new(now, ttl),
                threads: 2,
                progress: &|_| {},
                output: None,
                ledger: None,
                spare_keys: Some(&spare),
                interrupted: None,
            },
        )
        .unwrap();
        assert!(spare.take().is_none(), "every spare key handed out");
        let used: Vec<Vec<u8>> = issued
            .iter()
            .map(|i| {
                let config = crate::talosconfig::Config::parse(&i.yaml).unwrap();
                let context = config.get(&config.context).unwrap();
                let b64 = base64::engine::general_purpose::STANDARD;
                let pem = base64::Engine::decode(&b64, &context.crt).unwrap();
                crate::pki::Certificate::from_pem(&pem).unwrap().spki_der
            })
            .collect();
        let distinct: HashSet<&Vec<u8>> = used.iter().collect();
        assert_eq!(distinct.len(), 3, "no key used twice");
        for k in &spare_spki {
            assert!(used.contains(k), "a spare key went unused");
        }
    }

    #[test]
    fn no_spare_keys_for_rsa_or_once_stopped() {
        let stop = AtomicBool::new(true);
        let made = SpareKeys::make_until(KeyAlgorithm::Ed25519, &stop, 10).unwrap();
        assert!(made.take().is_none());
        let made = SpareKeys::make_until(KeyAlgorithm::Rsa, &AtomicBool::new(false), 10).unwrap();
        assert!(made.take().is_none());
    }

    #[test]
    fn a_key_of_another_family_is_refused() {
        let ca = ca(KeyAlgorithm::Ed25519);
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let roles: RoleSet = "os:reader".parse().unwrap();
        let err = ca
            .issue_client_with(&roles, &Window::new(now, Ttl::from_hours(1)), key)
            .err()
            .unwrap();
        assert!(err.to_string().contains("not of the CA's family"), "{err}");
    }

    #[test]
    fn defaults_fill_ttl_and_context() {
        let text = "entries:\n  - name: ci\n    roles: [os:etcd:backup]\n  - name: ops\n    roles: [os:reader, os:operator]\n    ttl: 7d\n    context: ops\n";
        let e = parse(text, "r", &defaults(), None, None).unwrap();
        assert_eq!(e[0].target.context, "etcd:backup@prod");
        assert_eq!(e[0].ttl, Ttl::from_hours(8760));
        assert_eq!(e[1].target.context, "ops");
        assert_eq!(e[1].ttl, Ttl::from_hours(168));
    }
}
