//! `config remove <pattern> [-y] [--dry-run]`: remove the contexts whose names fit a `*` pattern,
//! never the current one (`cmd/talosctl/cmd/talos/config.go:250-320`).
//!
//! Each match is confirmed on the terminal unless `-y`; the config stays locked meanwhile, so a
//! concurrent edit waits rather than being lost.

use std::io::BufRead;

use talmint::talosconfig::{self, go_quote, Change};

use super::{Ctx, Global};

// `config remove` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config remove old-cluster
  talmint config remove 'staging-*' -y
  talmint config remove '*' --dry-run -y     # show what would go")]
pub struct Args {
    /// Context name or pattern (`*` matches any characters)
    #[arg(value_name = "CONTEXT")]
    pub pattern: String,
    /// Do not ask for confirmation
    #[arg(short = 'y', long)]
    pub noconfirm: bool,
    /// Dry run
    #[arg(long)]
    pub dry_run: bool,
}

/// Run `config remove`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let target = global.target(ctx)?;
    talosconfig::update_if(&target, |config| -> anyhow::Result<_> {
        let mut removed = false;
        for name in config.matching(&args.pattern)? {
            if name == config.context {
                ctx.note(&format!(
                    "skipping removal of current context {}, please change it to another before \
                     removing",
                    go_quote(&name)
                ));
                continue;
            }
            if args.noconfirm {
                ctx.note(&format!("removing context {}", go_quote(&name)));
            } else if !confirm(ctx, &format!("remove context {}?", go_quote(&name)))? {
                continue;
            }
            removed |= config.remove(&name).is_some();
        }
        let change = if removed && !args.dry_run {
            Change::Save
        } else {
            Change::Discard
        };
        Ok(((), change))
    })
}

/// talosctl's `helpers.Confirm`: `<prompt> (y/N): ` on stdout, then `y` or `yes` (any case) on
/// stdin confirms; anything else, or end of input, declines.
fn confirm(ctx: &Ctx, prompt: &str) -> anyhow::Result<bool> {
    ctx.stdout(format!("{prompt} (y/N): ").as_bytes())?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let answer = line.split_whitespace().next().unwrap_or("");
    Ok(answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes"))
}
