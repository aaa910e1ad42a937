//! `config info [-o text|json|yaml]`: show the current (or `--context`) context's nodes,
//! endpoints, certificate roles and expiry (`cmd/talosctl/cmd/talos/config.go:500-631`).

use talmint::talosconfig::{self, info::Info};

use super::{Ctx, Global};

// `config info` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config info
  talmint config info --context prod -o json
  talmint config info --access          # adds what the credential may do")]
pub struct Args {
    /// Output format (json|yaml|text). Default text.
    #[arg(short = 'o', long, default_value = "text", value_name = "FORMAT")]
    pub output: String,
    /// Also print what the certificate's roles may do (an `Access:` line; beyond talosctl).
    #[arg(long)]
    pub access: bool,
}

/// Run `config info`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let (config, text) = talosconfig::store::load_with_text(&global.read_target(ctx)?)?;
    let mut info = Info::collect(&config, &text, global.context(), ctx.now())?;
    if args.access {
        let roles =
            talmint::roles::RoleSet::parse_lenient(info.roles.iter().flatten().map(String::as_str));
        info.access = Some(talmint::authz::summary(&roles));
    }
    let format = args.output.parse()?;
    ctx.stdout(info.render(format).as_bytes())
}
