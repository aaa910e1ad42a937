//! `config contexts` (alias `get-contexts`): list contexts in talosctl's table
//! (`cmd/talosctl/cmd/talos/config.go:358-401`).

use talmint::talosconfig;

use super::{Ctx, Global};

// `config contexts` arguments (none).
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config contexts
  talmint config get-contexts --talosconfig ./talosconfig")]
pub struct Args {}

/// Run `config contexts`.
pub fn run(_args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let config = talosconfig::load(&global.read_target(ctx)?)?;
    ctx.stdout(config.contexts_table().as_bytes())
}
