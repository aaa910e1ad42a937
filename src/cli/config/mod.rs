//! `talmint config …`: one file per talosctl `config` verb.

mod new;

use clap::Subcommand;

use super::Ctx;

/// Global flags of every `config` subcommand (talosctl's root flags) plus the subcommand.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The path to the Talos configuration file (default: $TALOSCONFIG, ~/.talos/config).
    #[arg(long, global = true)]
    pub talosconfig: Option<std::path::PathBuf>,
    /// Context to be used in command.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Target the specified nodes.
    #[arg(short = 'n', long, global = true, value_delimiter = ',')]
    pub nodes: Vec<String>,
    /// Override default endpoints in Talos configuration.
    #[arg(short = 'e', long, global = true, value_delimiter = ',')]
    pub endpoints: Vec<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// `config` subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a new client configuration file, offline, from the cluster's OS CA.
    New(new::Args),
}

/// Run a `config` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let global = Global {
        talosconfig: args.talosconfig,
        context: args.context,
        nodes: args.nodes,
        endpoints: args.endpoints,
    };
    match args.command {
        Command::New(a) => new::run(a, &global, ctx),
    }
}

/// The global flags, handed to each subcommand.
#[derive(Debug, Default)]
pub struct Global {
    /// `--talosconfig`.
    #[expect(dead_code, reason = "read by the talosconfig subcommands of issue 4")]
    pub talosconfig: Option<std::path::PathBuf>,
    /// `--context`.
    pub context: Option<String>,
    /// `-n/--nodes`.
    pub nodes: Vec<String>,
    /// `-e/--endpoints`.
    pub endpoints: Vec<String>,
}
