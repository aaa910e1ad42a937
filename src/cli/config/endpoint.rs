//! `config endpoint <endpoint>...` (alias `endpoints`): replace the endpoint list of the current
//! (or `--context`) context (`cmd/talosctl/cmd/talos/config.go:65-94`).

use talmint::talosconfig;

use super::{Ctx, Global};

// `config endpoint` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config endpoint 10.5.0.2 10.5.0.3
  talmint config endpoints --context prod 10.5.0.2:50000")]
pub struct Args {
    /// Endpoints to set; they replace the context's list (surrounding spaces are trimmed)
    #[arg(required = true, value_name = "ENDPOINT")]
    pub endpoint_list: Vec<String>,
}

/// Run `config endpoint`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let target = global.target(ctx)?;
    let endpoints: Vec<String> = args
        .endpoint_list
        .iter()
        .map(|e| e.trim().to_string())
        .collect();
    talosconfig::update(&target, |config| -> anyhow::Result<()> {
        config.selected_mut(global.context())?.1.endpoints = endpoints;
        Ok(())
    })
}
