//! `talmint gen key` (talos `gen/key.go`): a new Ed25519 key in `<name>.key`, 0600.

use std::path::PathBuf;

use talmint::fsx;
use talmint::pki::{KeyAlgorithm, PrivateKey};

use crate::cli::{output, Ctx};

// Flags as talosctl's.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  talmint gen key --name admin        # writes admin.key")]
pub struct Args {
    /// The basename of the generated file.
    #[arg(long, required = true)]
    pub name: String,
}

/// Write `<name>.key`.
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    let key = PrivateKey::generate(KeyAlgorithm::Ed25519)?;
    let path = PathBuf::from(format!("{}.key", args.name));
    output::write(
        ctx,
        &path,
        key.to_pem()?.as_bytes(),
        fsx::SECRET_MODE,
        force,
    )
}
