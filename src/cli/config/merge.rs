//! `config merge <from>`: merge another talosconfig's contexts into this one
//! (`cmd/talosctl/cmd/talos/config.go:404-433`, `spec/talosconfig.md` §5).

use std::path::PathBuf;

use talmint::talosconfig::{self, go_quote, merge::rename_notice, OnConflict};

use super::{Ctx, Global};

// `config merge` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config merge ./talosconfig
  talmint config merge renewed.talosconfig --on-conflict overwrite")]
pub struct Args {
    /// The talosconfig to merge in
    #[arg(value_name = "FROM")]
    pub from: PathBuf,
    /// What to do with a context whose name is taken: rename (talosctl), overwrite, skip or fail
    #[arg(long, value_name = "POLICY", default_value = "rename")]
    pub on_conflict: OnConflict,
}

/// Run `config merge`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let source = talosconfig::store::load_existing(&args.from)?;
    let target = global.target(ctx)?;
    let report = talosconfig::update(&target, |config| -> anyhow::Result<_> {
        Ok(config.merge(source, args.on_conflict)?)
    })?;
    for (from, to) in &report.renamed {
        ctx.note(&rename_notice(from, to));
    }
    for name in &report.overwritten {
        ctx.note(&format!("overwrote talosconfig context {}", go_quote(name)));
    }
    for name in &report.skipped {
        ctx.note(&format!(
            "skipped talosconfig context {}: name already taken",
            go_quote(name)
        ));
    }
    Ok(())
}
