//! `config info [-o text|json|yaml]`: show the current (or `--context`) context's nodes,
//! endpoints, certificate roles and expiry (`cmd/talosctl/cmd/talos/config.go:500-631`).

use talmint::talosconfig::{self, info::Info};

use super::{Ctx, Global};

/// `config info` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config info
  talmint config info --context prod -o json")]
pub struct Args {
    /// Output format (json|yaml|text). Default text.
    #[arg(short = 'o', long, default_value = "text", value_name = "FORMAT")]
    pub output: String,
}

/// Run `config info`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let (config, text) = talosconfig::store::load_with_text(&global.target(ctx)?)?;
    let info = Info::collect(&config, &text, global.context(), ctx.now())?;
    let format = args.output.parse()?;
    ctx.stdout(info.render(format).as_bytes())
}
