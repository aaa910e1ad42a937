//! `config merge <from>`: merge another talosconfig's contexts into this one
//! (`cmd/talosctl/cmd/talos/config.go:404-433`, `spec/talosconfig.md` §5).

use std::path::PathBuf;

use talmint::talosconfig::{self, go_quote, merge::rename_notice, OnConflict};

use super::{Ctx, Global};

/// `config merge` arguments.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Merge additional contexts from another client configuration file.

Contexts with the same name are renamed while merging configs (name-1, name-2, ...; one
`renamed talosconfig context \"a\" -> \"a-1\"` line each on stderr), unless --on-conflict says
otherwise. When the merged file has a current context, it becomes the current context.

The merged file's contexts are taken in go-yaml natural order (prod-2 before prod-10), so the
result is always the same. talosctl takes them in Go's random map order: when the merged file
itself holds colliding names (a and a-1, both already present), talosctl's renames vary from run
to run. A file that does not exist is an error (talosctl silently creates it and merges nothing).",
    after_help = "EXAMPLES:
  talmint config merge ./talosconfig
  talmint config merge renewed.talosconfig --on-conflict overwrite"
)]
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
