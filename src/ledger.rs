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

/// What [`read_listing`] found: the entries, and the lines it could not read.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The entries read, in file order.
    pub entries: Vec<Entry>,
    /// The lines skipped, in file order.
    pub unreadable: Vec<UnreadableLine>,
}

/// A ledger line that is not an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableLine {
    /// Its line number, from 1.
    pub line: usize,
    /// Why it is not an entry (serde_json's message, with the column).
    pub reason: String,
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

/// Read every entry, strictly.
///
/// # Errors
/// [`LedgerError::Read`] when the file cannot be read, or naming the first unreadable line.
pub fn read(path: &Path) -> Result<Vec<Entry>, LedgerError> {
    let listing = read_listing(path)?;
    match listing.unreadable.first() {
        Some(bad) => Err(LedgerError::Read {
            path: path.display().to_string(),
            reason: bad.to_string(),
        }),
        None => Ok(listing.entries),
    }
}

/// Why a file that does not start with `{` is refused as a ledger, for reading or appending.
pub(crate) const NOT_A_LEDGER: &str =
    "it is not an issuance ledger (a ledger holds one JSON object per line)";

/// Read every entry that can be read, and say which lines could not be (a line cut short by a
/// crash or a full disk mid-append, a hand edit). Blank lines are skipped.
///
/// # Errors
/// [`LedgerError::Read`] when the file cannot be read at all.
pub fn read_listing(path: &Path) -> Result<Listing, LedgerError> {
    let bytes = std::fs::read(path).map_err(|e| LedgerError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    // Another kind of file given as the ledger (the secrets bundle, say) is one problem, not a
    // warning per line.
    if bytes.first().is_some_and(|&b| b != b'{') {
        return Err(LedgerError::Read {
            path: path.display().to_string(),
            reason: NOT_A_LEDGER.into(),
        });
    }
    let mut listing = Listing::default();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(entry) => listing.entries.push(entry),
            Err(e) => listing.unreadable.push(UnreadableLine {
                line: i + 1,
                reason: json_reason(&e),
            }),
        }
    }
    Ok(listing)
}

/// serde_json's message with its position inside the line (`... at column 45`, not
/// `... at line 1 column 45`: the ledger line number is given separately).
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&at) {
        Some(message) => format!("{message} at column {}", e.column()),
        None => text,
    }
}

/// A ledger field as one cell of the text view: as it is when every character is printable,
/// else Go-quoted (`"x\n2026-..."`, `"\x1b[8m"`), so a label can neither start a fake row nor
/// send escape sequences to the terminal. JSON output escapes by itself.
pub fn text_cell(value: &str) -> std::borrow::Cow<'_, str> {
    let quoted = crate::goquote::go_quote(value);
    let plain = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .is_some_and(|inner| inner == value);
    if plain {
        std::borrow::Cow::Borrowed(value)
    } else {
        std::borrow::Cow::Owned(quoted)
    }
}

impl std::fmt::Display for UnreadableLine {
    /// `line 3: EOF while parsing a string at column 45`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cell_quotes_only_fields_with_unprintable_characters() {
        let cases = [
            ("alice", "alice"),
            ("", ""),
            ("two words", "two words"),
            ("ünïcode ✓", "ünïcode ✓"),
            ("a\nb", r#""a\nb""#),
            ("\u{1b}[8m", r#""\x1b[8m""#),
            ("tab\there", r#""tab\there""#),
            ("\r", r#""\r""#),
            ("rtl\u{202e}", r#""rtl\u202e""#),
            // Once any field may be quoted, a raw quote or backslash would be ambiguous.
            ("say \"hi\"", r#""say \"hi\"""#),
            (r"back\slash", r#""back\\slash""#),
        ];
        for (field, shown) in cases {
            assert_eq!(text_cell(field), shown, "{field:?}");
        }
    }

    #[test]
    fn read_listing_names_each_unreadable_line_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEFAULT_NAME);
        let entry = |label: &str| {
            let mut line = serde_json::to_vec(&Entry {
                time: "2026-01-01T00:00:00Z".into(),
                serial: "01".into(),
                fingerprint: "00".into(),
                roles: vec!["os:reader".into()],
                not_before: "2026-01-01T00:00:00Z".into(),
                not_after: "2026-01-02T00:00:00Z".into(),
                issuer: "sha256:00".into(),
                label: label.into(),
                command: "issue".into(),
            })
            .unwrap();
            line.push(b'\n');
            line
        };
        append_lines(&path, &entry("a")).unwrap();
        append_lines(&path, b"{\"time\":\"20").unwrap(); // torn: no newline
        append_lines(&path, &entry("b")).unwrap();
        append_lines(&path, b"\n\xff\xfe\n").unwrap(); // a blank line, then not UTF-8
        append_lines(&path, &entry("c")).unwrap();
        let text = std::fs::read(&path).unwrap();
        assert!(text.ends_with(b"\"command\":\"issue\"}\n"));
        let listing = read_listing(&path).unwrap();
        let labels: Vec<&str> = listing.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["a", "b", "c"]);
        let bad: Vec<String> = listing.unreadable.iter().map(ToString::to_string).collect();
        assert_eq!(
            bad,
            [
                "line 2: EOF while parsing a string at column 11",
                "line 5: expected value at column 1",
            ]
        );
        assert_eq!(
            read(&path).unwrap_err().to_string(),
            format!(
                "ledger {}: line 2: EOF while parsing a string at column 11",
                path.display()
            )
        );
    }
}
