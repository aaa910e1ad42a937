//! The only place that writes files.
//!
//! Every write goes to a temporary file in the target's directory, gets its mode set exactly
//! (umask-proof), is fsynced, then renamed into place (no-clobber unless forced) and the directory
//! is fsynced. A failed write leaves no partial file behind. Multi-file writes stage every file
//! first and rename only when all are staged. talosconfig edits hold an advisory lock on a sibling
//! `.lock` file for the whole read-modify-write.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode for files that hold a private key (and, as talosctl does since PR 14249, every config).
pub const SECRET_MODE: u32 = 0o600;

/// Whether an existing file may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clobber {
    /// Refuse when the target exists (talosctl without `--force`).
    Refuse,
    /// Replace the target (`--force`).
    Replace,
}

/// What went wrong writing a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The target exists and `--force` was not given (talosctl's message, `gen/gen.go:35-43`).
    #[error("file {0:?} already exists, use --force to overwrite")]
    Exists(String),
    /// Any I/O failure, with the path it concerns.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file being written.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// One file staged in its target directory, not yet visible under its final name.
pub struct Staged {
    // A closed temporary file (no descriptor held), so thousands can be staged at once.
    temp: tempfile::TempPath,
    target: PathBuf,
    clobber: Clobber,
}

/// An exclusive advisory lock held on `<path>.lock` until dropped.
pub struct Lock {
    _file: File,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Write `bytes` to `path` atomically with exactly `mode`.
///
/// # Errors
/// [`WriteError::Exists`] when the file exists and `clobber` is [`Clobber::Refuse`]; I/O errors.
pub fn write(path: &Path, bytes: &[u8], mode: u32, clobber: Clobber) -> Result<(), WriteError> {
    refuse_existing(path, clobber)?;
    stage(path, bytes, mode, clobber)?.commit()
}

/// Write several files all-or-nothing: every file is staged (and checked for clobbering) before the
/// first rename; on failure every staged temporary file is removed.
///
/// Durability is batched: the staged files are flushed with one `syncfs` per filesystem (instead
/// of one fsync per file), then renamed, then each directory is fsynced once. A crash at any point
/// leaves either the old names or complete new files.
///
/// # Errors
/// As [`write`]; when one file fails no file is changed (renames are the only non-atomic step).
pub fn write_all(files: &[(PathBuf, Vec<u8>, u32)], clobber: Clobber) -> Result<(), WriteError> {
    if let [(path, bytes, mode)] = files {
        return write(path, bytes, *mode, clobber);
    }
    for (path, _, _) in files {
        refuse_existing(path, clobber)?;
    }
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes, mode) in files {
        staged.push(stage_unsynced(path, bytes, *mode, clobber)?);
    }
    commit_all(staged)
}

/// [`WriteError::Exists`] early when `path` exists and clobbering is refused. (The rename checks
/// again atomically; this only spares the work before it.)
///
/// # Errors
/// [`WriteError::Exists`].
pub fn refuse_existing(path: &Path, clobber: Clobber) -> Result<(), WriteError> {
    if clobber == Clobber::Refuse && path.symlink_metadata().is_ok() {
        return Err(WriteError::Exists(path.display().to_string()));
    }
    Ok(())
}

/// Commit files staged with [`stage_unsynced`]: one `syncfs` per directory's filesystem (instead
/// of one fsync per file), the renames, then one fsync per directory. A crash at any point leaves
/// either the old names or complete new files.
///
/// # Errors
/// I/O errors; [`WriteError::Exists`] when a target appeared since staging and clobbering is
/// refused (files renamed before it stay).
pub fn commit_all(staged: Vec<Staged>) -> Result<(), WriteError> {
    let dirs: BTreeSet<PathBuf> = staged
        .iter()
        .map(|s| parent_of(&s.target).to_path_buf())
        .collect();
    for dir in &dirs {
        let fd = File::open(dir).map_err(io_err(dir))?;
        rustix::fs::syncfs(&fd).map_err(|e| io_err(dir)(e.into()))?;
    }
    for s in staged {
        s.rename()?;
    }
    for dir in &dirs {
        sync_dir(dir);
    }
    Ok(())
}

/// Stage `bytes` for `path`: temp file in the same directory, exact mode, fsynced.
///
/// # Errors
/// [`WriteError::Exists`] early when refusing to clobber an existing file; I/O errors.
pub fn stage(path: &Path, bytes: &[u8], mode: u32, clobber: Clobber) -> Result<Staged, WriteError> {
    refuse_existing(path, clobber)?;
    let staged = stage_unsynced(path, bytes, mode, clobber)?;
    File::open(&staged.temp)
        .and_then(|f| f.sync_all())
        .map_err(io_err(path))?;
    Ok(staged)
}

/// Stage `bytes` for `path` without flushing it: for bulk writes finished by [`commit_all`].
/// Dropping the result removes the temporary file. Existence is not checked here (see
/// [`refuse_existing`]); the rename refuses to clobber atomically.
///
/// # Errors
/// I/O errors.
pub fn stage_unsynced(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    clobber: Clobber,
) -> Result<Staged, WriteError> {
    let dir = parent_of(path);
    let mut temp = tempfile::Builder::new()
        .prefix(".talmint-")
        .permissions(fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(io_err(path))?;
    // The umask may have narrowed the mode at creation: set it exactly.
    fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode)).map_err(io_err(path))?;
    temp.write_all(bytes).map_err(io_err(path))?;
    Ok(Staged {
        temp: temp.into_temp_path(),
        target: path.to_path_buf(),
        clobber,
    })
}

/// fsync a directory so that renames in it are durable. Best effort: some filesystems refuse
/// fsync on directories.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Staged {
    /// Rename the staged file into place and fsync the directory.
    ///
    /// # Errors
    /// [`WriteError::Exists`] when the target appeared meanwhile and clobbering is refused.
    pub fn commit(self) -> Result<(), WriteError> {
        let dir = parent_of(&self.target).to_path_buf();
        self.rename()?;
        sync_dir(&dir);
        Ok(())
    }

    fn rename(self) -> Result<(), WriteError> {
        let target = self.target;
        match self.clobber {
            Clobber::Refuse => self.temp.persist_noclobber(&target).map_err(|e| {
                if e.error.kind() == io::ErrorKind::AlreadyExists {
                    WriteError::Exists(target.display().to_string())
                } else {
                    io_err(&target)(e.error)
                }
            })?,
            Clobber::Replace => self
                .temp
                .persist(&target)
                .map_err(|e| io_err(&target)(e.error))?,
        };
        Ok(())
    }
}

/// Create `dir` and its parents with `mode` for every directory created.
///
/// # Errors
/// I/O errors.
pub fn create_dir_all(dir: &Path, mode: u32) -> Result<(), WriteError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(io_err(dir))
}

/// The mode bits of an existing file, if it exists.
pub fn existing_mode(path: &Path) -> Option<u32> {
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

/// Take an exclusive advisory lock on `<path>.lock` (never on the file replaced by rename).
///
/// # Errors
/// I/O errors opening or locking the lock file.
pub fn lock(path: &Path) -> Result<Lock, WriteError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(SECRET_MODE)
        .open(&lock_path)
        .map_err(io_err(&lock_path))?;
    file.lock().map_err(io_err(&lock_path))?;
    Ok(Lock { _file: file })
}

/// Append one record (one or more whole lines) to `path` with a single write while holding an
/// exclusive lock on the file itself (an append-only file is never replaced by rename, so it can
/// carry its own lock), creating it with `mode` when missing. Concurrent appenders never
/// interleave.
///
/// # Errors
/// I/O errors.
pub fn append_line(path: &Path, line: &[u8], mode: u32) -> Result<(), WriteError> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(mode)
        .open(path)
        .map_err(io_err(path))?;
    file.lock().map_err(io_err(path))?;
    file.write_all(line).map_err(io_err(path))?;
    file.sync_data().map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_sets_exact_mode_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secrets.yaml");
        write(&p, b"a", SECRET_MODE, Clobber::Refuse).unwrap();
        assert_eq!(existing_mode(&p), Some(0o600));
        let err = write(&p, b"b", SECRET_MODE, Clobber::Refuse).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "file {:?} already exists, use --force to overwrite",
                p.display().to_string()
            )
        );
        assert_eq!(fs::read(&p).unwrap(), b"a");
        write(&p, b"c", 0o644, Clobber::Replace).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"c");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn write_all_changes_nothing_when_one_target_exists() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        #[expect(
            clippy::disallowed_methods,
            reason = "test set-up outside fsx's own API"
        )]
        fs::write(&b, "old").unwrap();
        let files = vec![
            (a.clone(), b"1".to_vec(), 0o600),
            (b.clone(), b"2".to_vec(), 0o600),
        ];
        assert!(write_all(&files, Clobber::Refuse).is_err());
        assert!(!a.exists());
        assert_eq!(fs::read(&b).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
