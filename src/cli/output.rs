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
    if path.as_os_str() == "-" {
        return ctx.stdout(bytes);
    }
    fsx::write(path, bytes, mode, clobber(force))?;
    Ok(())
}
