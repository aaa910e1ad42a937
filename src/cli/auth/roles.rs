//! `talmint auth roles [ROLE…]`: each built-in role with what it may and may not call;
//! `--diff FROM TO` shows what one role set adds over another.

use clap::ValueEnum;
use talmint::authz;
use talmint::roles::{RoleSet, BUILT_IN, PREFIX};

use crate::cli::Ctx;

/// `-o` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// One JSON document.
    Json,
}

// `auth roles` flags.
#[derive(clap::Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Roles to show (default: all seven); the os: prefix may be left out.
    #[arg(value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Show what TO may call that FROM may not (+) and the reverse (-); each a comma-separated
    /// role set.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"], conflicts_with = "roles")]
    pub diff: Option<Vec<String>>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    pub output: Format,
}

const AFTER_HELP: &str = "\
EXAMPLES:
  # Every built-in role: purpose, summary, what it may and may not call
  talmint auth roles

  # One role, as JSON
  talmint auth roles reader -o json

  # What os:operator adds over os:reader
  talmint auth roles --diff reader operator

EXIT CODES:
  0  printed
  1  unknown role
  2  usage error";

/// Run `auth roles`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let text = match &args.diff {
        Some(sets) => {
            let (from, to) = match sets.as_slice() {
                [from, to] => (parse(from.split(','))?, parse(to.split(','))?),
                _ => anyhow::bail!("--diff takes two role sets: FROM TO"),
            };
            match args.output {
                Format::Text => authz::diff_text(&from, &to),
                Format::Json => authz::diff_json(&from, &to),
            }
        }
        None => {
            let roles = if args.roles.is_empty() {
                parse(BUILT_IN.iter().copied())?
            } else {
                parse(args.roles.iter().flat_map(|r| r.split(',')))?
            };
            match args.output {
                Format::Text => authz::roles_text(&roles),
                Format::Json => authz::roles_json(&roles),
            }
        }
    };
    ctx.stdout(text.as_bytes())
}

/// Built-in roles, `os:` optional; unknown roles refused with talosctl's message.
fn parse<'a>(names: impl Iterator<Item = &'a str>) -> anyhow::Result<RoleSet> {
    let full: Vec<String> = names
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            if n.starts_with(PREFIX) {
                n.to_string()
            } else {
                format!("{PREFIX}{n}")
            }
        })
        .collect();
    Ok(RoleSet::parse_for_issue(
        full.iter().map(String::as_str),
        false,
    )?)
}
