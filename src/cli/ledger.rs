//! `talmint ledger list`: what has been issued.

use std::path::PathBuf;

use talmint::ledger;

use super::Ctx;

// `ledger` subcommands (deferred: each one's arguments are built only when it runs).
#[derive(clap::Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// List issued certificates.
    #[command(
        after_help = "EXAMPLES:\n  talmint ledger list --active\n  talmint ledger list --ledger /srv/pki/talmint-ledger.jsonl -o json\n\n\
In the text view a field holding a control character (a newline, an escape) is shown Go-quoted.\n\n\
EXIT CODES:\n  \
0  listed; a line that is not an entry (cut short by a crash or a full disk mid-append, edited\n     \
by hand) is skipped and named on stderr with its line number\n  \
1  the ledger could not be read"
    )]
    List(ListArgs),
}

// `ledger list` flags.
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// The ledger file.
    #[arg(long, default_value = ledger::DEFAULT_NAME)]
    pub ledger: PathBuf,
    /// Only certificates still valid now.
    #[arg(long, conflicts_with = "expired")]
    pub active: bool,
    /// Only certificates past their NotAfter.
    #[arg(long)]
    pub expired: bool,
    /// Output format: text or json (one JSON array).
    #[arg(short = 'o', long, default_value = "text", value_parser = ["text", "json"])]
    pub output: String,
}

/// Run a `ledger` subcommand.
pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<()> {
    let Command::List(args) = cmd;
    let now = ctx.now();
    let listing = ledger::read_listing(&args.ledger)?;
    // Not an error: a torn line stays in the append-only file for good, and it is the record of
    // an append that failed, so its command delivered nothing (README, "Issuance ledger").
    for bad in &listing.unreadable {
        ctx.note(&format!(
            "warning: ledger {}: {bad}; skipped",
            args.ledger.display()
        ));
    }
    let entries: Vec<ledger::Entry> = listing
        .entries
        .into_iter()
        .filter(|e| {
            let expired = e.not_after_time().is_some_and(|t| t < now);
            (!args.active || !expired) && (!args.expired || expired)
        })
        .collect();
    let out = if args.output == "json" {
        let mut s = serde_json::to_string_pretty(&entries)?;
        s.push('\n');
        s
    } else {
        let mut rows = vec![[
            "ISSUED".to_string(),
            "SERIAL".into(),
            "ROLES".into(),
            "NOT AFTER".into(),
            "LABEL".into(),
            "COMMAND".into(),
        ]];
        for e in &entries {
            rows.push(
                [
                    &e.time,
                    &e.serial,
                    &e.roles.join(","),
                    &e.not_after,
                    &e.label,
                    &e.command,
                ]
                .map(|field| ledger::text_cell(field).into_owned()),
            );
        }
        let widths: Vec<usize> = (0..6)
            .map(|i| {
                rows.iter()
                    .map(|r| r.get(i).map_or(0, String::len))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut s = String::new();
        for r in rows {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            s.push_str(cells.join("   ").trim_end());
            s.push('\n');
        }
        s
    };
    ctx.stdout(out.as_bytes())
}
