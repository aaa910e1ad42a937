//! `talmint check-expiration`: when do the bundle's CAs and the talosconfig credentials expire?
//! (library: `talmint::expiration`).

use std::path::PathBuf;

use anyhow::Context as _;
use talmint::bundle::SecretsBundle;
use talmint::expiration::{self, Thresholds};
use talmint::talosconfig::Config;

use crate::cli::{Ctx, Exit};

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// A kubeadm-style table.
    Text,
    /// Stable JSON for CI (schema in the README).
    Json,
}

// What to check and the thresholds.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint check-expiration --with-secrets secrets.yaml ~/.talos/config\n  \
talmint check-expiration ci.talosconfig --warn 14d --fail-within 2d -o json\n  \
talmint check-expiration --with-secrets secrets.yaml --fail-within 90d   # CA rotation due?\n\n\
Durations: Go syntax (8h, 90m, 1h30m) or days (7d); --fail-within 0 fails only from NotAfter on.\n\
A certificate fails when it has expired or at most --fail-within is left (exactly\n\
--fail-within left fails); it is a warning when at most --warn is left.\n\n\
EXIT CODES:\n  \
0  nothing expired or expiring within --fail-within (warnings allowed)\n  \
1  something expired or expires within --fail-within (named on stderr)\n  \
2  usage error, an input could not be read, a TALOSCONFIG file has no contexts (a\n     \
secrets bundle goes to --with-secrets), or there was no certificate to check")]
pub struct Args {
    /// Secrets bundle whose four CAs (os, etcd, k8s, k8saggregator) to check.
    #[arg(long = "with-secrets", value_name = "FILE")]
    pub with_secrets: Option<PathBuf>,
    /// talosconfig files whose contexts' certificates and CAs to check, `-` for stdin (with neither these nor --with-secrets:
    /// $TALOSCONFIG, else ~/.talos/config, as talosctl).
    #[arg(value_name = "TALOSCONFIG")]
    pub talosconfigs: Vec<PathBuf>,
    /// Warn when a certificate expires within this duration.
    #[arg(long, default_value = "30d", value_parser = parse_window, allow_hyphen_values = true, value_name = "DURATION")]
    pub warn: i64,
    /// Fail when a certificate expires within this duration.
    #[arg(long = "fail-within", default_value = "7d", value_parser = parse_window, allow_hyphen_values = true, value_name = "DURATION")]
    pub fail_within: i64,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: Format,
}

/// A threshold: a TTL, or 0.
fn parse_window(s: &str) -> Result<i64, String> {
    talmint::goduration::parse_nanos(s.trim(), true)
        .filter(|n| *n >= 0)
        .and_then(|n| i64::try_from(n / 1_000_000_000).ok())
        .ok_or_else(|| {
            format!("invalid duration {s:?}: use Go duration syntax such as 8h, 90m or 7d, or 0")
        })
}

fn load(args: &Args, ctx: &Ctx) -> anyhow::Result<(Vec<expiration::Item>, Vec<String>)> {
    let mut talosconfigs = args.talosconfigs.clone();
    if talosconfigs.is_empty() && args.with_secrets.is_none() {
        talosconfigs.push(crate::cli::config::existing_default(
            ctx,
            "give --with-secrets FILE and/or TALOSCONFIG files to check",
        )?);
    }
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    if let Some(path) = &args.with_secrets {
        let text = ctx
            .read_text(path)
            .with_context(|| format!("reading secrets bundle {}", path.display()))?;
        let bundle = SecretsBundle::parse(&text)
            .with_context(|| format!("secrets bundle {}", path.display()))?;
        let (i, s) = expiration::bundle_items(&bundle, &path.display().to_string())?;
        items.extend(i);
        skipped.extend(s);
    }
    for path in &talosconfigs {
        let text = ctx
            .read_text(path)
            .with_context(|| format!("reading talosconfig {}", path.display()))?;
        let config =
            Config::parse(&text).with_context(|| format!("talosconfig {}", path.display()))?;
        let (i, s) = expiration::talosconfig_items(&config, &path.display().to_string())?;
        items.extend(i);
        skipped.extend(s);
    }
    Ok((items, skipped))
}

/// Check, print the table (or JSON), and exit 1 when something expired or expires soon.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let (items, skipped) = match load(&args, ctx) {
        Ok(v) => v,
        Err(e) => {
            ctx.note(&format!("error: {e:#}"));
            return Err(Exit(2).into());
        }
    };
    let thresholds = Thresholds {
        warn: args.warn,
        fail_within: args.fail_within,
    };
    let report = expiration::evaluate(items, skipped, ctx.now(), thresholds);
    if report.rows.is_empty() {
        // Nothing checked is not a pass (contexts without certificate or CA, say).
        if let Some(line) = report.failure_summary() {
            ctx.note(&format!("error: {line}"));
        }
        return Err(Exit(2).into());
    }
    match args.output {
        Format::Text => {
            ctx.stdout(report.to_text().as_bytes())?;
            for s in &report.skipped {
                ctx.note(&format!("note: not checked: {s}"));
            }
        }
        Format::Json => ctx.stdout(talmint::report::to_json(&report.to_node())?.as_bytes())?,
    }
    for w in report.warning_lines() {
        ctx.note(&format!("warning: {w}"));
    }
    match report.failure_summary() {
        None => Ok(()),
        Some(line) => {
            ctx.note(&format!("error: {line}"));
            Err(Exit(1).into())
        }
    }
}
