//! Where command output goes: a file (atomic, 0600 for secrets, no clobber without `--force`) or
//! stdout for `-o -`.

use std::path::Path;

use talmint::fsx::{self, Clobber};

use super::Ctx;

/// `--force` as a clobber policy.
pub fn clobber(force: bool) -> Clobber {
    if force {
        Clobber::Replace
    } else {
        Clobber::Refuse
    }
}

/// Write `bytes` to `path`, or to stdout when `path` is `-`.
pub fn write(ctx: &Ctx, path: &Path, bytes: &[u8], mode: u32, force: bool) -> anyhow::Result<()> {
    stage(path, bytes, mode, force)?.deliver(ctx)
}

/// Output made ready but not delivered yet: a file written and flushed under a temporary name,
/// or bytes for stdout.
pub enum Staged<'a> {
    /// Renamed into place by [`Staged::deliver`].
    File(fsx::Staged),
    /// Printed by [`Staged::deliver`].
    Stdout(&'a [u8]),
}

/// Prepare `bytes` for `path` (or stdout when `path` is `-`) without making them visible.
pub fn stage<'a>(
    path: &Path,
    bytes: &'a [u8],
    mode: u32,
    force: bool,
) -> anyhow::Result<Staged<'a>> {
    if path.as_os_str() == "-" {
        return Ok(Staged::Stdout(bytes));
    }
    Ok(Staged::File(fsx::stage(path, bytes, mode, clobber(force))?))
}

impl Staged<'_> {
    /// Make the output visible: rename the file into place, or print.
    pub fn deliver(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Staged::File(staged) => Ok(staged.commit()?),
            Staged::Stdout(bytes) => ctx.stdout(bytes),
        }
    }
}
