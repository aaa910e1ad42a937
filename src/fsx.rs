//! The only place that writes files.
//!
//! Every write goes to a temporary file in the target's directory, gets its mode set exactly
//! (umask-proof), is fsynced, then renamed into place (no-clobber unless forced) and the directory
//! is fsynced. A failed write leaves no partial file behind. Multi-file writes stage every file
//! first and rename only when all are staged. talosconfig edits hold an advisory lock on a sibling
//! `.lock` file for the whole read-modify-write (removed afterwards).

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

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
    /// A write that would hand what is written to another user (see [`replaced_path`]).
    #[error("refusing to write {path}: {reason}")]
    Refused {
        /// The name given.
        path: String,
        /// Why, and what to do.
        reason: String,
    },
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

/// An exclusive advisory lock held on `<path>.lock` until dropped; the lock file is removed
/// then, so no `.lock` file is left behind.
pub struct Lock {
    // Dropped after `Drop::drop` has removed the path: the lock is released last.
    _file: File,
    // The lock file to remove; `None` when the file itself is locked (see `lock`).
    path: Option<PathBuf>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Still held: whoever waits on this file finds it gone once it gets the lock, and
        // starts over (see `lock`).
        if let Some(path) = &self.path {
            let _ = fs::remove_file(path);
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source: without_temp_path(source),
    }
}

/// The OS error alone: tempfile appends ` at path "<temporary file>"` to its errors, a name the
/// user never chose (the message already names the target). Its error type is private, so the
/// suffix is cut from the text; the kind is kept.
fn without_temp_path(e: io::Error) -> io::Error {
    if e.raw_os_error().is_some() {
        return e;
    }
    let text = e.to_string();
    match text.split_once(" at path \"") {
        Some((os, _)) => io::Error::new(e.kind(), os.to_string()),
        None => e,
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
    match stage(path, bytes, mode, clobber) {
        Ok(staged) => staged.commit(),
        // A file that may be written in a directory that may not (a shared talosconfig in a
        // root-owned directory): rewritten in place, as talosctl always does; not atomic, but
        // the only way there.
        Err(WriteError::Io { source, .. })
            if clobber == Clobber::Replace
                && source.kind() == io::ErrorKind::PermissionDenied
                && path.is_file() =>
        {
            rewrite(path, bytes, Some(mode)).map_err(io_err(path))
        }
        Err(e) => Err(e),
    }
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
/// The contents are `Zeroizing` because most multi-file writes carry a private key.
pub fn write_all(
    files: &[(PathBuf, Zeroizing<Vec<u8>>, u32)],
    clobber: Clobber,
) -> Result<(), WriteError> {
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
    // Not even --force replaces a directory (so that is what is said, not "use --force"): found
    // now, before anything is recorded or renamed.
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(io_err(path)(rustix::io::Errno::ISDIR.into()));
    }
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
    rename_all(staged)
}

/// Rename staged files into place, then fsync each directory that changed once.
fn rename_all(staged: Vec<Staged>) -> Result<(), WriteError> {
    let dirs: BTreeSet<PathBuf> = staged
        .iter()
        .map(|s| parent_of(&s.target).to_path_buf())
        .collect();
    // Files renamed into place before one fails are removed again when they replaced nothing
    // (refusing to clobber, they cannot have): a failed commit changes no name.
    let mut placed: Vec<PathBuf> = Vec::new();
    for s in staged {
        let (target, fresh) = (s.target.clone(), s.clobber == Clobber::Refuse);
        if let Err(e) = s.rename() {
            for path in &placed {
                let _ = fs::remove_file(path);
            }
            return Err(e);
        }
        if fresh {
            placed.push(target);
        }
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
    let path = &replaced_path(path, clobber)?;
    let mut temp = temp_file(path, mode)?;
    temp.write_all(bytes).map_err(io_err(path))?;
    temp.as_file().sync_all().map_err(io_err(path))?;
    Ok(Staged {
        temp: temp.into_temp_path(),
        target: path.to_path_buf(),
        clobber,
    })
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
    stage_resolved(&replaced_path(path, clobber)?, bytes, mode, clobber)
}

/// [`stage_unsynced`] for a `path` already resolved and checked by [`replaced_path`].
fn stage_resolved(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    clobber: Clobber,
) -> Result<Staged, WriteError> {
    let mut temp = temp_file(path, mode)?;
    temp.write_all(bytes).map_err(io_err(path))?;
    Ok(Staged {
        temp: temp.into_temp_path(),
        target: path.to_path_buf(),
        clobber,
    })
}

/// The file a write to `path` replaces: the end of the symlink chain when `path` is a symlink
/// and replacing is allowed (talosctl writes through links, so a dotfile manager's link stays a
/// link), else `path` itself. (Refusing to clobber, a link of that name is refused as any file.)
/// A device or pipe at the end of the name (`/dev/null`, `/dev/stdout` into a pipe) is `path`
/// itself, written into.
///
/// What is written often holds a private key, so nothing is handed to another user (the
/// kernel's `protected_symlinks` and `protected_fifos` rules, applied whatever the sysctls say):
///
/// # Errors
/// [`WriteError::Refused`] for a link in a shared directory (sticky and writable by others, as
/// `/tmp`) owned by neither this user nor the directory's owner; a named pipe owned by another
/// user; a block device or socket.
pub fn replaced_path(path: &Path, clobber: Clobber) -> Result<PathBuf, WriteError> {
    refuse_planted_links(path, path)?;
    if clobber == Clobber::Refuse {
        return Ok(path.to_path_buf());
    }
    // Follow the chain link by link (as the kernel does, at most 40), so that a link whose
    // target does not exist yet (a dotfile manager's) gives that target, which is then created.
    let mut at = path.to_path_buf();
    let mut end = None;
    for _ in 0..40 {
        match at.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&at) {
                Ok(target) => {
                    at = parent_of(&at).join(target);
                    refuse_planted_links(path, &at)?;
                }
                Err(_) => break,
            },
            _ => {
                end = Some(at.clone());
                break;
            }
        }
    }
    // A device or pipe at the end, as the kernel follows the name, is written into through the
    // name (`/dev/stdout` into a pipe: its chain of /proc links ends in `pipe:[…]`, no path).
    if let Ok(kernel_end) = fs::metadata(path) {
        if !kernel_end.is_file() && !kernel_end.is_dir() {
            let named = end
                .as_ref()
                .and_then(|e| e.symlink_metadata().ok())
                .is_some_and(|m| m.file_type().is_fifo());
            check_special(path, &kernel_end, named)?;
            return Ok(path.to_path_buf());
        }
    }
    Ok(end.unwrap_or_else(|| path.to_path_buf()))
}

/// [`WriteError::Refused`] (naming `shown`) when `path` or any directory on the way to it is a
/// symbolic link another user planted in a shared directory (the kernel's `protected_symlinks`
/// rule, which this process's own walk along a link chain would otherwise get around).
fn refuse_planted_links(shown: &Path, path: &Path) -> Result<(), WriteError> {
    use std::collections::VecDeque;
    use std::path::Component;
    // Resolve the name component by component, as the kernel does, so that a planted link is
    // met however it is reached (through one's own link too); names that do not exist yet end
    // the walk (no link can hide there).
    let mut at = match path.is_absolute() {
        true => PathBuf::new(),
        false => std::env::current_dir().map_err(io_err(shown))?,
    };
    let mut rest: VecDeque<PathBuf> = path
        .components()
        .map(|c| PathBuf::from(c.as_os_str()))
        .collect();
    let mut links = 0;
    while let Some(name) = rest.pop_front() {
        match name.components().next() {
            Some(Component::RootDir) => at = PathBuf::from("/"),
            Some(Component::ParentDir) => {
                at.pop();
            }
            Some(Component::Normal(_)) => {
                let next = at.join(&name);
                let Ok(m) = next.symlink_metadata() else {
                    return Ok(());
                };
                if !m.file_type().is_symlink() {
                    at = next;
                    continue;
                }
                if planted_in_shared_dir(&next, &m) {
                    return Err(refused(
                        shown,
                        &format!(
                            "{} is a symbolic link another user (uid {}) made in a shared \
                             directory, so it may lead anywhere: remove it or write elsewhere",
                            next.display(),
                            std::os::unix::fs::MetadataExt::uid(&m)
                        ),
                    ));
                }
                links += 1;
                let Ok(target) = fs::read_link(&next) else {
                    return Ok(());
                };
                if links > 40 {
                    return Ok(());
                }
                for c in target.components().rev() {
                    rest.push_front(PathBuf::from(c.as_os_str()));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn refused(path: &Path, reason: &str) -> WriteError {
    WriteError::Refused {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// A device or pipe may be written into when it is a character device (`/dev/null`, a
/// terminal), a pipe with no name (`/dev/stdout` into `| kubectl …`, whoever made it) or a named
/// pipe this user owns (a `mkfifo` of one's own); a named pipe of another user's would pass what
/// is written to whoever reads it.
fn check_special(path: &Path, end: &fs::Metadata, named: bool) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let kind = end.file_type();
    if kind.is_char_device() {
        return Ok(());
    }
    if kind.is_fifo() {
        if !named || end.uid() == rustix::process::geteuid().as_raw() {
            return Ok(());
        }
        return Err(refused(
            path,
            &format!(
                "it is a named pipe of another user (uid {}), who would read what is written: \
                 remove it or write elsewhere",
                end.uid()
            ),
        ));
    }
    let what = if kind.is_block_device() {
        "a block device"
    } else {
        "a socket"
    };
    Err(refused(
        path,
        &format!("it is {what}, not a file: give a file name"),
    ))
}

/// Whether `entry` (at `path`) sits in a directory others may write to but only owners may
/// delete from (sticky and group- or world-writable, as `/tmp`) and is owned by neither this
/// user nor the directory's owner: someone else put it there.
fn planted_in_shared_dir(path: &Path, entry: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(dir) = fs::metadata(parent_of(path)) else {
        return false;
    };
    let shared = dir.mode() & 0o1000 != 0 && dir.mode() & 0o022 != 0;
    let me = rustix::process::geteuid().as_raw();
    shared && entry.uid() != me && entry.uid() != dir.uid()
}

/// A new temporary file beside `path` with exactly `mode`. It keeps the owner of the file it
/// replaces (as writing in place would; best effort, since only root may give a file away), but
/// only in a directory no one else may write to (a user's own, such as `~/.talos`): elsewhere
/// anyone could have made the old file, and would get the new one's contents.
fn temp_file(path: &Path, mode: u32) -> Result<tempfile::NamedTempFile, WriteError> {
    use std::os::unix::fs::MetadataExt;
    let temp = tempfile::Builder::new()
        .prefix(".talmint-")
        .permissions(fs::Permissions::from_mode(mode))
        .tempfile_in(parent_of(path))
        .map_err(io_err(path))?;
    let private_dir = fs::metadata(parent_of(path)).is_ok_and(|d| d.mode() & 0o022 == 0);
    if let (true, Ok(old), Ok(new)) = (private_dir, fs::metadata(path), temp.as_file().metadata()) {
        if (old.uid(), old.gid()) != (new.uid(), new.gid()) {
            let _ = std::os::unix::fs::fchown(temp.as_file(), Some(old.uid()), Some(old.gid()));
        }
    }
    exact_mode(temp.as_file(), mode).map_err(io_err(path))?;
    Ok(temp)
}

/// Give a file created with `mode` exactly that mode: the umask may have narrowed it. Skipped
/// when a batch has already learnt that the umask keeps `mode` whole.
fn exact_mode(file: &File, mode: u32) -> io::Result<()> {
    if UMASK
        .get()
        .copied()
        .flatten()
        .is_some_and(|u| u & mode == 0)
    {
        return Ok(());
    }
    file.set_permissions(fs::Permissions::from_mode(mode))
}

/// The process's umask, read once (by the first [`Batch`]) from `/proc/self/status`; `None`
/// when it cannot be read.
static UMASK: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();

fn learn_umask() {
    UMASK.get_or_init(|| {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
        u32::from_str_radix(line.trim(), 8).ok()
    });
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
            // A device or pipe (`-o /dev/null --force`) is written into, as talosctl's
            // os.WriteFile does: renaming over it would replace the device with a file.
            Clobber::Replace if is_special(&target) => {
                write_in_place(&self.temp, &target).map_err(io_err(&target))?;
            }
            Clobber::Replace => match self.temp.persist(&target) {
                Ok(()) => {}
                // A file bind-mounted into a container cannot be renamed over: write it in
                // place, as talosctl always does (not atomic, but the only way there).
                Err(e) if e.error.kind() == io::ErrorKind::ResourceBusy => {
                    write_in_place(&e.path, &target).map_err(io_err(&target))?;
                }
                Err(e) => return Err(io_err(&target)(e.error)),
            },
        };
        Ok(())
    }
}

/// Copy the staged file `temp` over the existing `target` in place and flush it.
fn write_in_place(temp: &Path, target: &Path) -> io::Result<()> {
    let mode = fs::metadata(temp)?.permissions().mode() & 0o7777;
    rewrite(target, &Zeroizing::new(fs::read(temp)?), Some(mode))
}

/// Replace the contents of the existing file `target` with `bytes`, in place, and flush them
/// (a device or pipe only as far as it allows). A regular file gets `mode` first, when it is
/// this user's to change, as a replacement would have.
fn rewrite(target: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).truncate(true).open(target)?;
    if let Some(mode) = mode.filter(|_| file.metadata().is_ok_and(|m| m.is_file())) {
        let _ = file.set_permissions(fs::Permissions::from_mode(mode));
    }
    file.write_all(bytes)?;
    match file.sync_all() {
        Err(_) if is_special(target) => Ok(()),
        flushed => flushed,
    }
}

/// Whether `path` is an existing device, pipe or socket (neither a file nor a directory).
fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Many files written all-or-nothing into one directory, from any number of threads.
///
/// When the directory does not exist yet, the files are written under their final names into a
/// temporary sibling directory that is renamed into place whole at [`Batch::commit`]: one rename
/// for the lot. Otherwise each file is staged beside its target ([`stage_unsynced`]) and the
/// staged files are renamed at commit ([`commit_all`]). Dropping an uncommitted batch removes
/// everything it wrote.
pub struct Batch {
    dir: PathBuf,
    fresh: Option<tempfile::TempDir>,
    clobber: Clobber,
    staged: std::sync::Mutex<Vec<Staged>>,
    // The directory written into, for `syncfs`: one descriptor for every flush, so that a
    // writeback error seen by an early flush is not missed by the last one.
    sync_fd: std::sync::OnceLock<File>,
    written: std::sync::atomic::AtomicUsize,
    flushed: std::sync::atomic::AtomicUsize,
    flush_error: std::sync::Mutex<Option<io::Error>>,
    // Parent directories this batch created (deepest first): removed again if it is not
    // committed.
    created: Vec<PathBuf>,
}

impl Batch {
    /// Prepare to write into `dir`, creating its parents (with `dir_mode`) when missing; `dir`
    /// itself, when missing, appears with `dir_mode` at commit.
    ///
    /// # Errors
    /// I/O errors creating the parents or the temporary directory.
    pub fn new(dir: &Path, dir_mode: u32, clobber: Clobber) -> Result<Self, WriteError> {
        // Kept as given, so that messages name the path the user wrote. Files in a fresh
        // directory are created under the temporary directory's absolute path.
        let dir = dir.to_path_buf();
        // Thousands of files may follow: learn the umask once, to spare a chmod per file.
        learn_umask();
        let mut batch = Batch {
            dir,
            fresh: None,
            clobber,
            staged: std::sync::Mutex::new(Vec::new()),
            sync_fd: std::sync::OnceLock::new(),
            written: 0.into(),
            flushed: 0.into(),
            flush_error: std::sync::Mutex::new(None),
            created: Vec::new(),
        };
        // A file where a directory belongs, a directory that cannot be written, or a link
        // another user planted on the way, is refused now, before anything is issued or
        // recorded.
        refuse_planted_links(&batch.dir, &batch.dir)?;
        if batch.dir.symlink_metadata().is_ok() {
            check_dir(&batch.dir, &batch.dir)?;
        } else {
            let dir = batch.dir.clone();
            let parent = parent_of(&dir);
            let mut missing = parent;
            while missing.symlink_metadata().is_err() {
                batch.created.push(missing.to_path_buf());
                missing = parent_of(missing);
            }
            check_dir(missing, missing)?;
            create_dir_all(parent, dir_mode)?;
            let temp = tempfile::Builder::new()
                .prefix(".talmint-")
                .permissions(fs::Permissions::from_mode(dir_mode))
                .tempdir_in(parent)
                .map_err(io_err(&dir))?;
            fs::set_permissions(temp.path(), fs::Permissions::from_mode(dir_mode))
                .map_err(io_err(&dir))?;
            batch.fresh = Some(temp);
        }
        Ok(batch)
    }

    fn sync(&self) -> io::Result<()> {
        let fd = match self.sync_fd.get() {
            Some(fd) => fd,
            None => {
                let dir = self.fresh.as_ref().map_or(self.dir.as_path(), |t| t.path());
                let fd = File::open(dir)?;
                self.sync_fd.get_or_init(|| fd)
            }
        };
        rustix::fs::syncfs(fd).map_err(io::Error::from)
    }

    /// Start flushing what was written so far, so that [`Batch::commit`] has less to wait for:
    /// call it from a spare thread while files are still being added. An error is kept and
    /// reported by the commit.
    pub fn flush(&self) {
        use std::sync::atomic::Ordering;
        let written = self.written.load(Ordering::Acquire);
        if written == self.flushed.swap(written, Ordering::AcqRel) {
            return;
        }
        if let Err(e) = self.sync() {
            let mut kept = self
                .flush_error
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            kept.get_or_insert(e);
        }
    }

    /// [`WriteError::Exists`] early when `name` exists in the directory and clobbering is refused.
    ///
    /// # Errors
    /// [`WriteError::Exists`].
    pub fn refuse_existing(&self, name: &str) -> Result<(), WriteError> {
        match self.fresh {
            Some(_) => Ok(()),
            None => refuse_existing(&self.dir.join(name), self.clobber),
        }
    }

    /// Write `bytes` as `name` with exactly `mode`; visible only after [`Batch::commit`].
    ///
    /// # Errors
    /// I/O errors ([`WriteError::Exists`] when `name` was already written in this batch).
    pub fn add(&self, name: &str, bytes: &[u8], mode: u32) -> Result<(), WriteError> {
        let target = self.dir.join(name);
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let Some(temp) = &self.fresh else {
            // The directory's links were checked once, by `new`; a name of it that is refused
            // if it exists needs no walk (thousands of files may follow).
            let staged = match self.clobber {
                Clobber::Refuse => stage_resolved(&target, bytes, mode, self.clobber)?,
                Clobber::Replace => stage_unsynced(&target, bytes, mode, self.clobber)?,
            };
            self.staged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(staged);
            return Ok(());
        };
        let path = temp.path().join(name);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => WriteError::Exists(target.display().to_string()),
                _ => io_err(&target)(e),
            })?;
        exact_mode(&file, mode).map_err(io_err(&target))?;
        file.write_all(bytes).map_err(io_err(&target))
    }

    /// Make every file visible: flush them (one `syncfs`), then rename the temporary directory
    /// into place (refusing to replace anything that appeared meanwhile) or each staged file, and
    /// fsync the directory that changed.
    ///
    /// # Errors
    /// I/O errors; [`WriteError::Exists`] when a target appeared since the batch began.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let dir = self.dir.clone();
        let kept = self
            .flush_error
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(e) = kept {
            return Err(io_err(&dir)(e));
        }
        self.sync().map_err(io_err(&dir))?;
        let staged = std::mem::take(
            self.staged
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        match &self.fresh {
            None => rename_all(staged)?,
            Some(temp) => {
                rustix::fs::renameat_with(
                    rustix::fs::CWD,
                    temp.path(),
                    rustix::fs::CWD,
                    &dir,
                    rustix::fs::RenameFlags::NOREPLACE,
                )
                .map_err(|e| match e {
                    rustix::io::Errno::EXIST | rustix::io::Errno::NOTEMPTY => {
                        WriteError::Exists(dir.display().to_string())
                    }
                    e => io_err(&dir)(e.into()),
                })?;
                // Renamed: nothing left for the guard to remove.
                if let Some(temp) = self.fresh.take() {
                    let _ = temp.keep();
                }
                self.created.clear();
                sync_dir(parent_of(&dir));
            }
        }
        Ok(())
    }
}

/// An uncommitted batch removes what it wrote and the parent directories it created.
impl Drop for Batch {
    fn drop(&mut self) {
        drop(self.fresh.take());
        for dir in &self.created {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Whether `path` can be created: its directory exists, is a directory and is writable. The
/// issuing commands check this before they record a credential in the ledger, so that the
/// predictable write failures come before the record (errors name `path`).
///
/// # Errors
/// The I/O error creating `path` would meet (`No such file or directory`, `Not a directory`,
/// `Permission denied`).
pub fn check_parent(path: &Path) -> Result<(), WriteError> {
    refuse_planted_links(path, path)?;
    check_dir(parent_of(path), path)
}

/// Whether files can be created in `dir` (errors name `named`).
fn check_dir(dir: &Path, named: &Path) -> Result<(), WriteError> {
    let meta = fs::metadata(dir).map_err(io_err(named))?;
    if !meta.is_dir() {
        return Err(io_err(named)(rustix::io::Errno::NOTDIR.into()));
    }
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).map_err(|e| io_err(named)(e.into()))
}

/// Create the missing directories above `path`, each with `mode`; returns those made, deepest
/// first, for [`remove_made`] to take back when what was to go there is not written.
///
/// # Errors
/// I/O errors.
pub fn create_parents(path: &Path, mode: u32) -> Result<Vec<PathBuf>, WriteError> {
    let mut missing = Vec::new();
    let mut at = path.parent();
    while let Some(dir) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(dir.to_path_buf());
        at = dir.parent();
    }
    if let Some(deepest) = missing.first() {
        create_dir_all(deepest, mode)?;
    }
    Ok(missing)
}

/// Remove directories [`create_parents`] made, those still empty, deepest first (also across
/// several calls' lists).
pub fn remove_made(dirs: &[PathBuf]) {
    let mut dirs: Vec<&PathBuf> = dirs.iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        let _ = fs::remove_dir(dir);
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
        .map_err(|e| match e.kind() {
            // A file of that name: say so, as `mkdir -p` does, not "File exists".
            io::ErrorKind::AlreadyExists => rustix::io::Errno::NOTDIR.into(),
            _ => e,
        })
        .map_err(io_err(dir))
}

/// The mode bits of an existing file, if it exists.
pub fn existing_mode(path: &Path) -> Option<u32> {
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

fn not_a_lock(lock_path: &Path) -> WriteError {
    refused(
        lock_path,
        "it is not a plain file of this user's or the directory owner's (a link, a pipe, a \
         device or another user's file someone put there), so it cannot be the lock: remove it",
    )
}

/// Take an exclusive advisory lock on `<path>.lock` (never on the file replaced by rename),
/// created for the purpose and removed when the lock is dropped.
///
/// A holder removes the file before it releases the lock, so a process that was waiting on it
/// may get the lock on a file no longer there (or replaced by a newer one): it checks, once
/// locked, that the path still names the file it locked, and otherwise starts over.
///
/// # Errors
/// I/O errors opening or locking the lock file.
pub fn lock(path: &Path) -> Result<Lock, WriteError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    // Never through a link nor into a pipe someone put there (a planted `x.lock` would have
    // root create files elsewhere, or hang on the pipe): a lock file is a plain file.
    let no_follow = (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32;
    loop {
        let file = match OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(SECRET_MODE)
            .custom_flags(no_follow)
            .open(&lock_path)
        {
            // Another user's lock file in a shared directory: they could hold it for ever.
            Ok(file)
                if file
                    .metadata()
                    .is_ok_and(|m| m.is_file() && !planted_in_shared_dir(&lock_path, &m)) =>
            {
                file
            }
            // A device, a pipe (one with no reader fails to open: ENXIO) or a link (ELOOP).
            Ok(_) => return Err(not_a_lock(&lock_path)),
            Err(e)
                if [rustix::io::Errno::LOOP, rustix::io::Errno::NXIO]
                    .iter()
                    .any(|n| e.raw_os_error() == Some(n.raw_os_error())) =>
            {
                return Err(not_a_lock(&lock_path))
            }
            // No lock file can be made beside it, but the file itself may be written: it will
            // be rewritten in place (see `write`), so it can carry the lock itself.
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && path.is_file() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(io_err(path))?;
                file.lock().map_err(io_err(path))?;
                return Ok(Lock {
                    _file: file,
                    path: None,
                });
            }
            Err(e) => return Err(io_err(&lock_path)(e)),
        };
        file.lock().map_err(io_err(&lock_path))?;
        let locked = file.metadata().map_err(io_err(&lock_path))?;
        if let Ok(now) = fs::symlink_metadata(&lock_path) {
            if same_file(&now, &locked) {
                return Ok(Lock {
                    _file: file,
                    path: Some(lock_path),
                });
            }
        }
    }
}

/// A file opened for appending and locked exclusively (on the file itself: an append-only file is
/// never replaced by rename, so it can carry its own lock) until dropped. Other appenders wait for
/// the lock, so what is appended meanwhile is never interleaved with theirs.
///
/// Nothing is lost when an append fails (a full disk, a file size limit): the file is cut back
/// to its length before this appender's first line, and a file this appender created is removed
/// again, as is one it created and never wrote to. A device or pipe (`/dev/null`) is written
/// into and otherwise left alone: its mode is not changed and it is not flushed.
pub struct Appending {
    file: File,
    path: PathBuf,
    /// A regular file (not a device or pipe).
    regular: bool,
    /// Created by this appender.
    created: bool,
    /// The length when the lock was taken: what a failure restores.
    start: u64,
    /// Bytes this appender wrote.
    written: u64,
    /// The file ends in a torn line (not empty, no final newline: an append cut short by a crash
    /// or a full disk), so the next write starts with a newline rather than extend the fragment.
    torn: bool,
}

impl Appending {
    /// Open `path` for appending (created with exactly `mode` when missing) and wait for its
    /// lock.
    ///
    /// # Errors
    /// I/O errors.
    pub fn open(path: &Path, mode: u32) -> Result<Self, WriteError> {
        // The same refusals as for any file written (a link another user planted, their pipe).
        replaced_path(path, Clobber::Replace)?;
        if fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
            return Self::open_pipe(path);
        }
        // `new`: create it (and so know it is this appender's); else open it, or create it
        // through a dangling symlink (which an exclusive create refuses).
        let open = |new: bool, read: bool| {
            OpenOptions::new()
                .create_new(new)
                .create(!new)
                .read(read)
                .append(true)
                .mode(mode)
                .open(path)
        };
        // Read access is only for the last byte; a write-only file is still appended to.
        let open = |new: bool| match open(new, true) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => (open(new, false), false),
            file => (file, true),
        };
        // Each round ends with the lock on the file the name leads to, unless an appender
        // that failed removed it meanwhile; a name replaced over and over is given up on.
        for _ in 0..1000 {
            let (created, (file, readable)) = match open(true) {
                // A dangling link's target is created through it: this appender's then too.
                (Err(e), _) if e.kind() == io::ErrorKind::AlreadyExists => {
                    (fs::metadata(path).is_err(), open(false))
                }
                opened => (true, opened),
            };
            let file = file.map_err(io_err(path))?;
            file.lock().map_err(io_err(path))?;
            let meta = file.metadata().map_err(io_err(path))?;
            let regular = meta.is_file();
            if regular && !fs::metadata(path).is_ok_and(|now| same_file(&now, &meta)) {
                continue;
            }
            let mut appending = Appending {
                file,
                path: path.to_path_buf(),
                regular,
                // Another appender may have got the lock first and written: then the lines are
                // theirs, and a failure here only cuts back to them.
                created: created && meta.len() == 0,
                start: meta.len(),
                written: 0,
                torn: false,
            };
            if created {
                // Exactly `mode`, whatever the umask (a umask of 777 would lock its owner out).
                appending
                    .file
                    .set_permissions(fs::Permissions::from_mode(mode))
                    .map_err(io_err(path))?;
            }
            if regular && readable && appending.start > 0 {
                appending.check_start()?;
            }
            return Ok(appending);
        }
        Err(io_err(path)(io::Error::other(
            "the file keeps being replaced while talmint waits for its lock",
        )))
    }

    /// A pipe as the ledger (`--ledger /dev/stdout | logger`): written to when a process reads
    /// it. Opened for writing only, or this process would be its own reader and its writes would
    /// fill the pipe and block, or be lost.
    fn open_pipe(path: &Path) -> Result<Self, WriteError> {
        use rustix::fs::OFlags;
        let file = OpenOptions::new()
            .append(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(path)
            .map_err(|e| {
                match e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) {
                    true => io_err(path)(io::Error::other(
                        "it is a named pipe that no process is reading",
                    )),
                    false => io_err(path)(e),
                }
            })?;
        // Someone reads: wait for them as a pipe's writer does, and for other appenders, so
        // that lines are not interleaved.
        let flags = rustix::fs::fcntl_getfl(&file).map_err(|e| io_err(path)(e.into()))?;
        rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK)
            .map_err(|e| io_err(path)(e.into()))?;
        file.lock().map_err(io_err(path))?;
        Ok(Appending {
            file,
            path: path.to_path_buf(),
            regular: false,
            created: false,
            start: 0,
            written: 0,
            torn: false,
        })
    }

    /// Refuse a file that is not a ledger; note a torn last line. Under the lock, so no other
    /// appender is part-way through a line.
    fn check_start(&mut self) -> Result<(), WriteError> {
        use std::os::unix::fs::FileExt as _;
        let byte_at = |at: u64| -> Result<u8, WriteError> {
            let mut byte = [0u8];
            self.file
                .read_exact_at(&mut byte, at)
                .map_err(io_err(&self.path))?;
            Ok(byte[0])
        };
        if byte_at(0)? != b'{' {
            // Another kind of file given as the ledger (the secrets bundle, say): appending a
            // JSON line would damage it.
            return Err(io_err(&self.path)(io::Error::new(
                io::ErrorKind::InvalidData,
                crate::ledger::NOT_A_LEDGER,
            )));
        }
        self.torn = byte_at(self.start - 1)? != b'\n';
        Ok(())
    }

    /// Append whole lines with one write (led by a newline when the file ended in a torn line).
    ///
    /// # Errors
    /// I/O errors; the file is then as it was before this appender's first line.
    pub fn write(&mut self, lines: &[u8]) -> Result<(), WriteError> {
        if lines.is_empty() {
            return Ok(());
        }
        let after_newline;
        let bytes = if self.torn {
            after_newline = [b"\n", lines].concat();
            &after_newline[..]
        } else {
            lines
        };
        if let Err(e) = self.file.write_all(bytes) {
            self.take_back();
            return Err(io_err(&self.path)(e));
        }
        self.torn = false;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Flush what was appended to disk (the lock is released when this returns).
    ///
    /// # Errors
    /// I/O errors; the file is then as it was before this appender's first line.
    pub fn finish(mut self) -> Result<(), WriteError> {
        match self.file.sync_data() {
            // A device or pipe flushes only as far as it can.
            Err(_) if !self.regular => Ok(()),
            Err(e) => {
                self.take_back();
                Err(io_err(&self.path)(e))
            }
            Ok(()) => Ok(()),
        }
    }

    /// After a failure: cut the file back to its length before this appender's first line, or
    /// remove it when this appender created it. Best effort; the lock is still held.
    fn take_back(&mut self) {
        if !self.regular {
            return;
        }
        if self.created {
            let _ = fs::remove_file(&self.path);
        } else if self.file.set_len(self.start).is_ok() {
            let _ = self.file.sync_data();
        }
        // Nothing of this appender's is left for `drop` to consider.
        self.created = false;
    }
}

/// A file this appender created and never wrote to is removed (before the lock is released).
impl Drop for Appending {
    fn drop(&mut self) {
        if self.regular && self.created && self.written == 0 {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether two `stat`s are of the same file.
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
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
            (a.clone(), Zeroizing::new(b"1".to_vec()), 0o600),
            (b.clone(), Zeroizing::new(b"2".to_vec()), 0o600),
        ];
        assert!(write_all(&files, Clobber::Refuse).is_err());
        assert!(!a.exists());
        assert_eq!(fs::read(&b).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn batch_into_a_new_directory_appears_whole_at_commit() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("deep/out");
        let batch = Batch::new(&out, 0o700, Clobber::Refuse).unwrap();
        batch.add("a.talosconfig", b"A", SECRET_MODE).unwrap();
        batch.flush();
        batch.add("b.talosconfig", b"B", SECRET_MODE).unwrap();
        assert!(!out.exists(), "nothing visible before the commit");
        assert!(matches!(
            batch.add("a.talosconfig", b"again", SECRET_MODE),
            Err(WriteError::Exists(_))
        ));
        batch.commit().unwrap();
        assert_eq!(names(&out), ["a.talosconfig", "b.talosconfig"]);
        assert_eq!(fs::read(out.join("b.talosconfig")).unwrap(), b"B");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700);
        assert_eq!(mode(&out.join("a.talosconfig")), 0o600);
        assert_eq!(
            names(&root.path().join("deep")),
            ["out"],
            "no temporary left"
        );
    }

    #[test]
    fn batch_dropped_or_beaten_to_the_directory_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let batch = Batch::new(&out, 0o700, Clobber::Refuse).unwrap();
        batch.add("a", b"A", SECRET_MODE).unwrap();
        drop(batch);
        assert!(names(root.path()).is_empty());
        // Parents it created go too; the ones that existed stay.
        let batch = Batch::new(&root.path().join("x/y/out"), 0o700, Clobber::Refuse).unwrap();
        batch.add("a", b"A", SECRET_MODE).unwrap();
        assert_eq!(names(root.path()), ["x"]);
        drop(batch);
        assert!(names(root.path()).is_empty());

        let batch = Batch::new(&out, 0o700, Clobber::Refuse).unwrap();
        batch.add("a", b"A", SECRET_MODE).unwrap();
        fs::create_dir(&out).unwrap();
        assert!(matches!(batch.commit(), Err(WriteError::Exists(_))));
        assert_eq!(names(root.path()), ["out"]);
        assert!(names(&out).is_empty());
    }

    #[test]
    fn batch_into_an_existing_directory_renames_each_file_and_respects_force() {
        let root = tempfile::tempdir().unwrap();
        #[expect(
            clippy::disallowed_methods,
            reason = "test set-up outside fsx's own API"
        )]
        fs::write(root.path().join("old"), "old").unwrap();
        let batch = Batch::new(root.path(), 0o700, Clobber::Refuse).unwrap();
        assert!(matches!(
            batch.refuse_existing("old"),
            Err(WriteError::Exists(_))
        ));
        batch.add("new", b"N", SECRET_MODE).unwrap();
        assert_eq!(names(root.path()).len(), 2, "old + one staged temporary");
        batch.commit().unwrap();
        assert_eq!(names(root.path()), ["new", "old"]);

        let batch = Batch::new(root.path(), 0o700, Clobber::Replace).unwrap();
        batch.refuse_existing("old").unwrap();
        batch.add("old", b"replaced", SECRET_MODE).unwrap();
        batch.commit().unwrap();
        assert_eq!(fs::read(root.path().join("old")).unwrap(), b"replaced");
        assert_eq!(names(root.path()), ["new", "old"]);
    }

    #[test]
    fn a_commit_that_fails_midway_takes_back_the_files_it_placed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let staged = vec![
            stage_unsynced(&a, b"A", SECRET_MODE, Clobber::Refuse).unwrap(),
            stage_unsynced(&b, b"B", SECRET_MODE, Clobber::Refuse).unwrap(),
        ];
        // Another process writes `b` between the checks and the renames.
        #[allow(clippy::disallowed_methods)]
        fs::write(&b, "theirs").unwrap();
        assert!(matches!(commit_all(staged), Err(WriteError::Exists(_))));
        assert!(!a.exists(), "a was placed, then taken back");
        assert_eq!(fs::read(&b).unwrap(), b"theirs");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
    }

    /// An appender that waited for the lock of a ledger whose creator then failed (and removed
    /// it) appends to the ledger the name leads to, not to the removed file.
    #[test]
    fn a_waiting_appender_follows_a_ledger_removed_by_a_failed_creator() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.jsonl");
        let mut first = Appending::open(&path, SECRET_MODE).unwrap();
        assert!(first.created);
        let waiting = std::thread::spawn({
            let path = path.clone();
            move || {
                let mut second = Appending::open(&path, SECRET_MODE).unwrap();
                second.write(b"{\"line\":2}\n").unwrap();
                second.finish().unwrap();
            }
        });
        // Let the second appender open the file and wait for its lock.
        std::thread::sleep(std::time::Duration::from_millis(300));
        first.take_back();
        drop(first);
        waiting.join().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\"line\":2}\n");
    }
}
