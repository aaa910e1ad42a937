//! The command tree: clap definitions and glue over the library. No crypto, YAML or file writes
//! here beyond calling the library.

pub mod auth;
pub mod check_expiration;
pub mod config;
pub mod gen;
pub mod inspect;
pub mod issue;
pub mod issuing;
pub mod ledger;
pub mod output;
pub mod verify;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use time::OffsetDateTime;

/// talmint: the Talos PKI, offline.
#[derive(Parser, Debug)]
#[command(name = "talmint", version, about, long_about = None)]
pub struct Cli {
    /// Test-only: pretend the clock reads this RFC 3339 time (also TALMINT_NOW).
    #[arg(long, global = true, hide = true, env = "TALMINT_NOW")]
    pub now: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands, named as talosctl's.
///
/// Each subcommand's arguments are built only when it runs (`defer`): building all of them cost
/// a third of a millisecond at every start. Argument structs therefore carry `//` comments, not
/// doc comments, which clap would apply after the variant's and so put in its `--help` instead
/// of the summary the parent lists (tested in `tests/smoke.rs`).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Generate secrets, configs, keys and certificates (as `talosctl gen`).
    Gen(gen::Args),
    /// Manage talosconfig files (as `talosctl config`).
    Config(config::Args),
    /// Describe the certificates and keys in talosconfigs, bundles, configs, PEM/DER files.
    Inspect(inspect::Args),
    /// Check whether a Talos node would accept a talosconfig's credential.
    Verify(verify::Args),
    /// List when the bundle's CAs and the talosconfig certificates expire.
    CheckExpiration(check_expiration::Args),
    /// Issue one talosconfig per roster entry, in parallel (beyond talosctl).
    Issue(issue::Args),
    /// Read the issuance ledger (beyond talosctl).
    #[command(subcommand)]
    Ledger(ledger::Command),
    /// Which roles may call what: Talos's authorization table.
    #[command(subcommand)]
    Auth(auth::Command),
}

/// What every command gets from outside: the clock, the environment, the output streams.
pub struct Ctx {
    now: OffsetDateTime,
    env: Vec<(OsString, OsString)>,
}

/// An error that carries its own exit code (e.g. `verify` rejecting a credential exits 1 quietly).
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

impl Ctx {
    /// The clock: the real time unless `--now` / `TALMINT_NOW` set it, truncated to seconds.
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// An environment variable as the process saw it at start.
    pub fn env(&self, key: &str) -> Option<&OsString> {
        self.env.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Write data to stdout (a broken pipe is not an error).
    pub fn stdout(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut out = io::stdout().lock();
        match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(anyhow::Error::new(e).context("cannot write to stdout"))
            }
            _ => Ok(()),
        }
    }

    /// The bytes of the file at `path`, or of stdin for `-` (`vault kv get … | talmint verify -`).
    pub fn read(&self, path: &std::path::Path) -> io::Result<zeroize::Zeroizing<Vec<u8>>> {
        let mut bytes = zeroize::Zeroizing::new(Vec::new());
        if path.as_os_str() == "-" {
            io::Read::read_to_end(&mut io::stdin().lock(), &mut bytes)?;
        } else {
            *bytes = std::fs::read(path)?;
        }
        Ok(bytes)
    }

    /// [`Ctx::read`] as UTF-8 text.
    pub fn read_text(&self, path: &std::path::Path) -> io::Result<zeroize::Zeroizing<String>> {
        let bytes = self.read(path)?;
        match std::str::from_utf8(&bytes) {
            Ok(text) => Ok(zeroize::Zeroizing::new(text.to_string())),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )),
        }
    }

    /// Write a progress or notice line to stderr.
    pub fn note(&self, line: &str) {
        let _ = writeln!(io::stderr().lock(), "{line}");
    }
}

fn parse_now(s: Option<&str>) -> anyhow::Result<OffsetDateTime> {
    let now = match s {
        Some(s) => OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| anyhow::anyhow!("invalid --now/TALMINT_NOW {s:?}: {e}: use RFC 3339"))?,
        None => OffsetDateTime::now_utc(),
    };
    Ok(now.replace_nanosecond(0).unwrap_or(now))
}

/// Parse arguments, run the command, print at most one error line.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line: clap's message without its usage and help hints.
            let rendered = e.render().to_string();
            let line = one_line(rendered.lines().take_while(|l| {
                !l.starts_with("Usage:") && !l.starts_with("For more information")
            }));
            let _ = writeln!(io::stderr().lock(), "{line}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(Exit(code)) = e.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            let text = causes_once(&e);
            let _ = writeln!(io::stderr().lock(), "error: {}", one_line(text.lines()));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined with `: `, each said once: a message that already quotes its
/// cause (as `cannot write x: {source}` does) is not followed by the cause again.
fn causes_once(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let said = cause.to_string();
        if text.contains(said.as_str()) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

/// Join lines into one, trimmed, so every error is a single line (multierror lists included).
fn one_line<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    lines
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        now: parse_now(cli.now.as_deref())?,
        env: std::env::vars_os().collect(),
    };
    match cli.command {
        Command::Gen(args) => gen::run(args, &ctx),
        Command::Config(args) => config::run(args, &ctx),
        Command::Inspect(args) => inspect::run(args, &ctx),
        Command::Verify(args) => verify::run(args, &ctx),
        Command::CheckExpiration(args) => check_expiration::run(args, &ctx),
        Command::Issue(args) => issue::run(args, &ctx),
        Command::Ledger(cmd) => ledger::run(cmd, &ctx),
        Command::Auth(cmd) => auth::run(cmd, &ctx),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        super::Cli::command().debug_assert();
    }
}
