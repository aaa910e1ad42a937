//! `config node <node>...` (alias `nodes`): replace the node list of the current (or
//! `--context`) context; no argument clears it (`cmd/talosctl/cmd/talos/config.go:97-126`).

use talmint::talosconfig;

use super::{Ctx, Global};

// `config node` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config node 10.5.0.4 10.5.0.5
  talmint config nodes          # clear the list")]
pub struct Args {
    /// Nodes to set; they replace the context's list (none clears it)
    #[arg(value_name = "NODE")]
    pub node_list: Vec<String>,
}

/// Run `config node`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let target = global.target(ctx)?;
    let nodes: Vec<String> = args
        .node_list
        .iter()
        .map(|n| n.trim().to_string())
        .collect();
    talosconfig::update(&target, |config| -> anyhow::Result<()> {
        config.selected_mut(global.context())?.1.nodes = nodes;
        Ok(())
    })
}
