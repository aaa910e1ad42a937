//! The issuance ledger: one JSON line per issued certificate (never a private key), appended under
//! a lock with a single write so concurrent processes never interleave or lose lines.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::fsx;
use crate::pki::Certificate;
use crate::report::{rfc3339, serial_number};

/// Default ledger file name, placed beside the file holding the issuing CA's key.
pub const DEFAULT_NAME: &str = "talmint-ledger.jsonl";

/// One issued certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When it was issued (RFC 3339).
    pub time: String,
    /// Serial number, lowercase hex, as `openssl x509 -serial` and `talmint inspect` print it
    /// (no DER sign byte).
    pub serial: String,
    /// SHA-256 of the certificate DER, lowercase hex.
    pub fingerprint: String,
    /// Roles (Organization values).
    pub roles: Vec<String>,
    /// NotBefore (RFC 3339).
    pub not_before: String,
    /// NotAfter (RFC 3339).
    pub not_after: String,
    /// The issuing CA's SPKI pin, `sha256:<hex>`.
    pub issuer: String,
    /// Free label: roster entry name or `--label`.
    pub label: String,
    /// The command that issued it, e.g. `config new`.
    pub command: String,
}

/// Why the ledger could not be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Appending failed.
    #[error("ledger {path}: {source}")]
    Write {
        /// The ledger file.
        path: String,
        /// The write error.
        #[source]
        source: fsx::WriteError,
    },
    /// Reading failed.
    #[error("ledger {path}: {reason}")]
    Read {
        /// The ledger file.
        path: String,
        /// What is wrong (with the line number).
        reason: String,
    },
}

impl Entry {
    /// NotAfter as a time, if it parses.
    pub fn not_after_time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.not_after, &Rfc3339).ok()
    }
}

/// The default ledger path beside the file holding the issuing CA's key (a secrets bundle or a CA
/// key): `talmint-ledger.jsonl` in that file's directory.
pub fn default_path_beside(ca_key_file: &Path) -> PathBuf {
    match ca_key_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(DEFAULT_NAME),
        _ => PathBuf::from(DEFAULT_NAME),
    }
}

/// What the ledger lines of one issuing run share: the issuer's SPKI pin, the time, the command.
#[derive(Debug, Clone)]
pub struct Stamp {
    issuer_pin: String,
    time: String,
    command: String,
    label_prefix: Option<String>,
}

impl Stamp {
    /// The stamp for certificates issued by `issuer` at `now` by `command` (e.g. `config new`).
    pub fn new(issuer: &Certificate, now: OffsetDateTime, command: &str) -> Self {
        Stamp {
            issuer_pin: issuer.spki_pin(),
            time: rfc3339(now),
            command: command.to_string(),
            label_prefix: None,
        }
    }

    /// The same stamp, putting `prefix` and a slash in front of every label (`issue --label`).
    #[must_use]
    pub fn with_label_prefix(mut self, prefix: Option<&str>) -> Self {
        self.label_prefix = prefix.map(str::to_string);
        self
    }

    /// The ledger entry for `cert`, labelled `label`.
    pub fn entry(&self, cert: &Certificate, label: &str) -> Entry {
        let mut roles = cert.organizations.clone();
        roles.sort();
        Entry {
            time: self.time.clone(),
            serial: serial_number(&cert.serial_hex),
            fingerprint: cert.fingerprint(),
            roles,
            not_before: rfc3339(cert.not_before),
            not_after: rfc3339(cert.not_after),
            issuer: self.issuer_pin.clone(),
            label: match &self.label_prefix {
                Some(prefix) => format!("{prefix}/{label}"),
                None => label.to_string(),
            },
            command: self.command.clone(),
        }
    }

    /// The entry for `cert` as one JSON line, newline included.
    pub fn line(&self, cert: &Certificate, label: &str) -> Vec<u8> {
        let mut line = serde_json::to_vec(&self.entry(cert, label))
            // Serializing plain strings into memory cannot fail.
            .unwrap_or_default();
        line.push(b'\n');
        line
    }
}

/// A ledger held open and locked while a run of certificates is recorded (a roster): lines are
/// appended as they come, flushed to disk by [`Appender::finish`]. Other processes wait for the
/// lock, so the run's lines are not interleaved with theirs.
pub struct Appender {
    file: fsx::Appending,
    path: String,
}

/// Map an append failure to [`LedgerError::Write`] for the ledger at `path`.
fn write_error(path: &str) -> impl FnOnce(fsx::WriteError) -> LedgerError + '_ {
    move |source| LedgerError::Write {
        path: path.to_string(),
        source,
    }
}

impl Appender {
    /// Open (mode 0600 when created) and lock the ledger at `path`.
    ///
    /// # Errors
    /// [`LedgerError::Write`].
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let name = path.display().to_string();
        let file = fsx::Appending::open(path, fsx::SECRET_MODE).map_err(write_error(&name))?;
        Ok(Appender { file, path: name })
    }

    /// Append lines made by [`Stamp::line`].
    ///
    /// # Errors
    /// [`LedgerError::Write`].
    pub fn write(&mut self, lines: &[u8]) -> Result<(), LedgerError> {
        self.file.write(lines).map_err(write_error(&self.path))
    }

    /// Flush the appended lines to disk and release the lock.
    ///
    /// # Errors
    /// [`LedgerError::Write`].
    pub fn finish(self) -> Result<(), LedgerError> {
        self.file.finish().map_err(write_error(&self.path))
    }
}

/// Append ledger lines (each from [`Stamp::line`]) in one locked write (mode 0600 when created)
/// and flush them to disk.
///
/// # Errors
/// [`LedgerError::Write`].
pub fn append_lines(path: &Path, lines: &[u8]) -> Result<(), LedgerError> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut ledger = Appender::open(path)?;
    ledger.write(lines)?;
    ledger.finish()
}

/// Record certificates issued together (each with its label) in one locked write.
///
/// # Errors
/// [`LedgerError::Write`].
pub fn append(
    path: &Path,
    issued: &[(&Certificate, &str)],
    stamp: &Stamp,
) -> Result<(), LedgerError> {
    let lines: Vec<u8> = issued
        .iter()
        .flat_map(|(cert, label)| stamp.line(cert, label))
        .collect();
    append_lines(path, &lines)
}

/// Read every entry.
///
/// # Errors
/// [`LedgerError::Read`] naming the first bad line.
pub fn read(path: &Path) -> Result<Vec<Entry>, LedgerError> {
    let err = |reason: String| LedgerError::Read {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| err(format!("line {}: {e}", i + 1))))
        .collect()
}
