//! `config merge <from>`: merge another talosconfig's contexts into this one
//! (`cmd/talosctl/cmd/talos/config.go:404-433`, `spec/talosconfig.md` §5).

use std::path::{Path, PathBuf};

use talmint::inspect::{self, Kind};
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
    let text = talosconfig::store::read_existing(&args.from)?;
    let source = talosconfig::store::parse_existing(&args.from, &text);
    // Contexts can only come from a talosconfig: another Talos file given by mistake is named
    // (talosctl merges nothing and exits 0). A talosconfig without contexts merges as a no-op.
    if !source.as_ref().is_ok_and(|c| !c.contexts.is_empty()) {
        check_kind(&args.from, inspect::yaml_kind(&text), source.is_ok())?;
    }
    let source = source?;
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

/// Refuse a merge source of `kind` that is not a talosconfig; `parsed`: it read as one, with no
/// contexts.
fn check_kind(path: &Path, kind: Option<Kind>, parsed: bool) -> anyhow::Result<()> {
    let path = path.display();
    match kind {
        Some(Kind::SecretsBundle) => anyhow::bail!(
            "{path} is a secrets bundle, not a talosconfig: nothing to merge; make a talosconfig \
             from it with talmint config new --with-secrets {path}, then merge that"
        ),
        Some(Kind::MachineConfig) => anyhow::bail!(
            "{path} is a machine config, not a talosconfig: nothing to merge; merge the \
             talosconfig that gen config wrote beside it"
        ),
        None if parsed => anyhow::bail!(
            "{path} is not a talosconfig (no contexts): nothing to merge; give a talosconfig file"
        ),
        _ => Ok(()),
    }
}
