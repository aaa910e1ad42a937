//! Reading and writing a talosconfig file (`spec/talosconfig.md` §3, talos
//! `pkg/machinery/client/config/config.go:91-189,253-264`).
//!
//! talosctl opens, edits in memory and rewrites the whole file with `os.WriteFile`. talmint does
//! the same through [`crate::fsx`]: every edit holds an advisory lock on `<file>.lock` from read to
//! rename, so concurrent edits (two `merge`s at once) never lose each other's change; the file is
//! replaced atomically; an existing file keeps its mode; a new file is 0600 in a 0700 directory.
//! A command that fails changes nothing: the file is written only after the edit succeeded.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::path::{ConfigPath, PathError};
use super::{Config, ConfigError};
use crate::fsx::{self, Clobber, WriteError};

/// Mode of a talosconfig talmint creates (`os.WriteFile(path, bytes, 0o600)`, `config.go:188`).
pub const FILE_MODE: u32 = 0o600;

/// Mode of a Talos directory talmint creates (`os.MkdirAll(dir, 0o700)`, `config.go:184`).
pub const DIR_MODE: u32 = 0o700;

/// Whether an edit is written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Write the edited config.
    Save,
    /// Leave the file as it is (nothing changed, or a dry run).
    Discard,
}

/// Why a talosconfig could not be read or written. Messages carry talosctl's prefixes
/// (`error reading config: …`, `error writing config: …`, `config.go:44-47,86-88`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No path could be chosen.
    #[error("error reading config: {0}")]
    Path(PathError),
    /// The file could not be read.
    #[error("error reading config: open {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// What the OS said, worded as Go does (`no such file or directory`).
        reason: String,
    },
    /// The file is not a talosconfig.
    #[error("error reading config: {path}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// The parse error.
        reason: ConfigError,
    },
    /// The config came from the read-only service-account mount (talosctl's message).
    #[error("error writing config: not allowed to write to config: {0}")]
    NotAllowed(String),
    /// Writing failed.
    #[error("error writing config: {0}")]
    Write(WriteError),
    /// The YAML about to be written does not read back as the same config: a writer bug.
    #[error(
        "error writing config: {0}: the new contents would not read back as the same config, so \
         nothing was written (a talmint bug: please report it)"
    )]
    RoundTrip(String),
}

impl ConfigPath {
    /// An explicitly given file (`--talosconfig`, `config new <path>`): always writable.
    pub fn explicit(path: impl Into<PathBuf>) -> Self {
        ConfigPath {
            path: path.into(),
            write_allowed: true,
        }
    }
}

/// The text of the talosconfig at `target`. A missing writable file is first created as the empty
/// config (`context: ""`, `contexts: {}`), mode 0600, parent directory 0700, as talosctl's `Open`
/// does (`ensure`, `config.go:253-264`).
///
/// # Errors
/// [`StoreError::Read`] when the file cannot be read, [`StoreError::Write`] when it cannot be
/// created.
pub fn load_text(target: &ConfigPath) -> Result<Zeroizing<String>, StoreError> {
    if target.write_allowed && target.path.symlink_metadata().is_err() {
        ensure(&target.path)?;
    }
    read_existing(&target.path)
}

/// The talosconfig at `target`, created empty first when missing (see [`load_text`]).
///
/// # Errors
/// As [`load_text`], and [`StoreError::Parse`] when the file is not a talosconfig.
pub fn load(target: &ConfigPath) -> Result<Config, StoreError> {
    load_with_text(target).map(|(config, _)| config)
}

/// [`load`], also returning the file's text (which `config info` inspects for nil lists).
///
/// # Errors
/// As [`load`].
pub fn load_with_text(target: &ConfigPath) -> Result<(Config, Zeroizing<String>), StoreError> {
    let text = load_text(target)?;
    let config = parse_existing(&target.path, &text)?;
    Ok((config, text))
}

/// Read an existing talosconfig without creating anything (a `merge` source: talosctl would
/// silently create a missing one, talmint reports it).
///
/// # Errors
/// [`StoreError::Read`] (`no such file or directory` when missing), [`StoreError::Parse`].
pub fn load_existing(path: &Path) -> Result<Config, StoreError> {
    let text = read_existing(path)?;
    parse_existing(path, &text)
}

/// Write `config` to `path` (an explicit, writable path) under the lock: atomically, keeping an
/// existing file's mode for its owner and group (others lose access), else 0600 with the parent
/// directory created 0700.
///
/// # Errors
/// [`StoreError::Write`].
pub fn save(path: &Path, config: &Config) -> Result<(), StoreError> {
    let real = fsx::replaced_path(path, Clobber::Replace).map_err(StoreError::Write)?;
    create_parent(&real)?;
    let _lock = fsx::lock(&real).map_err(StoreError::Write)?;
    write_locked(&real, config)
}

/// Read-modify-write the talosconfig at `target` under its lock; the edit always saves. See
/// [`update_if`].
///
/// # Errors
/// The edit's own error, or a [`StoreError`] converted into `E`.
pub fn update<T, E>(
    target: &ConfigPath,
    edit: impl FnOnce(&mut Config) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    update_if(target, |config| edit(config).map(|v| (v, Change::Save)))
}

/// Read-modify-write the talosconfig at `target`: take the lock, read the file (a missing file
/// reads as the empty config), run `edit`, and when it succeeds with [`Change::Save`] write the
/// result atomically before releasing the lock. When `edit` fails or discards, the file is not
/// touched (and a missing file is not created).
///
/// A read-only `target` (the service-account mount) is read without locking; saving to it fails
/// with talosctl's `not allowed to write to config: <path>` after the edit ran, as talosctl does.
///
/// # Errors
/// The edit's own error, or a [`StoreError`] converted into `E`.
pub fn update_if<T, E>(
    target: &ConfigPath,
    edit: impl FnOnce(&mut Config) -> Result<(T, Change), E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    if !target.write_allowed {
        let mut config = load_existing(&target.path)?;
        let (value, change) = edit(&mut config)?;
        return match change {
            Change::Save => Err(StoreError::NotAllowed(target.path.display().to_string()).into()),
            Change::Discard => Ok(value),
        };
    }
    let real = fsx::replaced_path(&target.path, Clobber::Replace).map_err(StoreError::Write)?;
    let created = create_parent(&real)?;
    let result = (|| {
        let _lock = fsx::lock(&real).map_err(StoreError::Write)?;
        let mut config = if real.symlink_metadata().is_ok() {
            let text = read_existing(&real)?;
            parse_existing(&target.path, &text)?
        } else {
            Config::empty()
        };
        let (value, change) = edit(&mut config)?;
        if change == Change::Save {
            write_locked(&real, &config)?;
        }
        Ok(value)
    })();
    // Directories made for a file that did not come to be (the edit failed) are removed again.
    if real.symlink_metadata().is_err() {
        fsx::remove_made(&created);
    }
    result
}

/// Go's wording of an OS error (`no such file or directory`, `permission denied`), as talosctl
/// messages show them: the C library's text, lower-cased, without Rust's `(os error N)`.
pub(crate) fn go_io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match (err.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text.get(..at).unwrap_or(&text).to_string(),
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// The text of an existing file, read without creating anything (the first half of
/// [`load_existing`], for a caller that also looks at the text).
///
/// # Errors
/// [`StoreError::Read`], or [`StoreError::Parse`] when it is not UTF-8.
pub fn read_existing(path: &Path) -> Result<Zeroizing<String>, StoreError> {
    let bytes = Zeroizing::new(fs::read(path).map_err(|e| StoreError::Read {
        path: path.display().to_string(),
        reason: go_io_reason(&e),
    })?);
    let text = std::str::from_utf8(&bytes).map_err(|e| StoreError::Parse {
        path: path.display().to_string(),
        reason: ConfigError::Parse(format!("not UTF-8 text: {e}")),
    })?;
    Ok(Zeroizing::new(text.to_string()))
}

/// Parse `text`, read from `path` (named in the error): the second half of [`load_existing`].
///
/// # Errors
/// [`StoreError::Parse`].
pub fn parse_existing(path: &Path, text: &str) -> Result<Config, StoreError> {
    Config::parse(text).map_err(|reason| StoreError::Parse {
        path: path.display().to_string(),
        reason,
    })
}

/// Create the empty config at `path` unless something is there already; a concurrent creator
/// winning the race is fine.
fn ensure(path: &Path) -> Result<(), StoreError> {
    create_parent(path)?;
    let empty = checked_yaml(path, &Config::empty())?;
    match fsx::write(path, empty.as_bytes(), FILE_MODE, Clobber::Refuse) {
        Ok(()) | Err(WriteError::Exists(_)) => Ok(()),
        Err(e) => Err(StoreError::Write(e)),
    }
}

/// Create `path`'s missing parent directories; returns those made, deepest first.
fn create_parent(path: &Path) -> Result<Vec<PathBuf>, StoreError> {
    fsx::create_parents(path, DIR_MODE).map_err(StoreError::Write)
}

fn write_locked(real: &Path, config: &Config) -> Result<(), StoreError> {
    // An existing file keeps its owner's and group's access (a talosconfig shared with a group
    // of admins), never others': it holds a private key.
    let mode = fsx::existing_mode(real).map_or(FILE_MODE, |m| m & 0o770);
    let bytes = checked_yaml(real, config)?;
    fsx::write(real, bytes.as_bytes(), mode, Clobber::Replace).map_err(StoreError::Write)
}

/// The bytes for `config`, checked to read back as the same config before anything is written:
/// a talosconfig is often the only copy of a credential, so a writer bug must fail the command,
/// never damage the file.
fn checked_yaml(path: &Path, config: &Config) -> Result<Zeroizing<String>, StoreError> {
    let bytes = config.to_yaml();
    match Config::parse(&bytes) {
        Ok(back) if same_config(&back, config) => Ok(bytes),
        _ => Err(StoreError::RoundTrip(path.display().to_string())),
    }
}

/// Whether two configs hold the same current context and the same contexts (in any order).
fn same_config(a: &Config, b: &Config) -> bool {
    a.context == b.context
        && a.contexts.len() == b.contexts.len()
        && a.contexts
            .iter()
            .all(|(name, x)| b.get(name).is_some_and(|y| same_context(x, y)))
}

fn same_context(x: &super::Context, y: &super::Context) -> bool {
    // An `auth:` with neither member is written as `auth: {}` and read back as no auth.
    type AuthView<'a> = Option<(Option<(&'a str, &'a str)>, Option<&'a str>)>;
    fn auth(c: &super::Context) -> AuthView<'_> {
        c.auth
            .as_ref()
            .filter(|a| a.basic.is_some() || a.siderov1.is_some())
            .map(|a| {
                let basic = a.basic.as_ref().map(|(u, p)| (u.as_str(), p.as_str()));
                (basic, a.siderov1.as_deref())
            })
    }
    x.endpoints == y.endpoints
        && x.nodes == y.nodes
        && x.ca == y.ca
        && x.crt == y.crt
        && *x.key == *y.key
        && auth(x) == auth(y)
        && x.cluster == y.cluster
        && x.proxy_url == y.proxy_url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_io_reason_matches_go_wording() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(go_io_reason(&e), "no such file or directory");
        let e = io::Error::from_raw_os_error(13);
        assert_eq!(go_io_reason(&e), "permission denied");
    }

    #[test]
    fn round_trip_check_compares_every_field_in_any_order() {
        let text =
            "context: a\ncontexts:\n  b:\n    endpoints: [y]\n  a:\n    endpoints: [x]\n    \
                    proxy-url: direct\n    auth: {basic: {username: u, password: p}}\n";
        let a = Config::parse(text).unwrap();
        let mut b = Config::parse(text).unwrap();
        b.contexts.reverse();
        assert!(same_config(&a, &b));
        b.get_mut("a").unwrap().auth = None;
        assert!(!same_config(&a, &b));
        let mut c = Config::parse(text).unwrap();
        c.get_mut("b").unwrap().endpoints.push("z".into());
        assert!(!same_config(&a, &c));
        // `auth: {}` reads back as no auth at all.
        let mut d = Config::parse(text).unwrap();
        d.get_mut("b").unwrap().auth = Some(crate::talosconfig::Auth::default());
        assert!(same_config(&a, &d));
    }

    #[test]
    fn failed_edit_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = ConfigPath::explicit(dir.path().join("config"));
        let r: Result<(), StoreError> = update(&target, |_| {
            Err(StoreError::NotAllowed("test: the edit failed".into()))
        });
        assert!(r.is_err());
        assert!(!target.path.exists());
    }

    #[test]
    fn read_only_target_is_read_but_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config");
        let text = "context: a\ncontexts:\n  a:\n    endpoints: [x]\n";
        #[expect(clippy::disallowed_methods, reason = "test fixture set-up")]
        fs::write(&p, text).unwrap();
        let target = ConfigPath {
            path: p.clone(),
            write_allowed: false,
        };
        let seen = update_if(&target, |c| {
            Ok::<_, StoreError>((c.context.clone(), Change::Discard))
        })
        .unwrap();
        assert_eq!(seen, "a");
        let err = update(&target, |c| {
            c.context = "b".into();
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "error writing config: not allowed to write to config: {}",
                p.display()
            )
        );
        assert_eq!(fs::read_to_string(&p).unwrap(), text);
    }
}
