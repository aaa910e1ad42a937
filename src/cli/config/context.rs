//! `config context <context>` (alias `use-context`): make a defined context the current one
//! (`cmd/talosctl/cmd/talos/config.go:167-190`).

use talmint::talosconfig;

use super::{Ctx, Global};

// `config context` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config context prod
  talmint config use-context reader@prod")]
pub struct Args {
    /// The context to make current
    #[arg(value_name = "CONTEXT")]
    pub name: String,
}

/// Run `config context`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let target = global.target(ctx)?;
    talosconfig::update(&target, |config| -> anyhow::Result<()> {
        // Talos compat: the name must exist; "" means "the current context" for that check and
        // then clears it (`openConfigAndContext(context)`, config.go:175-181).
        config.selected(Some(&args.name))?;
        config.context = args.name;
        Ok(())
    })
}
