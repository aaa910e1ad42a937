//! `config add <context> [--ca PATH] [--crt PATH --key PATH]`: add or replace a context holding
//! the given files, base64-encoded as they are (`cmd/talosctl/cmd/talos/config.go:193-242`). The
//! current context is not changed; the new context has no endpoints.

use std::path::PathBuf;

use talmint::talosconfig::{self, Context};

use super::{Ctx, Global};

// `config add` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config add prod --ca ca.crt --crt admin.crt --key admin.key
  talmint config endpoint --context prod 10.5.0.2")]
pub struct Args {
    /// Name of the context to add (an existing one is replaced)
    #[arg(value_name = "CONTEXT")]
    pub name: String,
    /// The path to the CA certificate
    #[arg(long, value_name = "PATH")]
    pub ca: Option<PathBuf>,
    /// The path to the certificate
    #[arg(long, value_name = "PATH")]
    pub crt: Option<PathBuf>,
    /// The path to the key
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
}

/// Run `config add`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    // Every input is read before the config is touched, so a bad flag changes nothing.
    let new = Context::from_files(args.ca.as_deref(), args.crt.as_deref(), args.key.as_deref())?;
    let target = global.target(ctx)?;
    talosconfig::update(&target, |config| -> anyhow::Result<()> {
        config.upsert(&args.name, new);
        Ok(())
    })
}
