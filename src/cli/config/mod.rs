//! `talmint config …`: one file per talosctl `config` verb.

use clap::Subcommand;

use super::Ctx;

/// Global flags of every `config` subcommand plus the subcommand.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The path to the Talos configuration file (default: $TALOSCONFIG, ~/.talos/config).
    #[arg(long, global = true)]
    pub talosconfig: Option<std::path::PathBuf>,
    /// Context to be used in command.
    #[arg(long, global = true)]
    pub context: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// `config` subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {}

/// Run a `config` subcommand.
pub fn run(args: Args, _ctx: &Ctx) -> anyhow::Result<()> {
    match args.command {}
}
