//! `talmint gen …`: one file per talosctl `gen` verb.

mod ca;
mod config;
mod crt;
mod csr;
mod key;
mod keypair;
mod secrets;

use clap::Subcommand;

use super::Ctx;

// `gen` and its persistent flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Will overwrite existing files.
    #[arg(short, long, global = true)]
    pub force: bool,
    #[command(subcommand)]
    pub command: Command,
}

// `gen` subcommands (deferred: each one's arguments are built only when it runs).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Generates a secrets bundle file which can later be used to generate a config.
    Secrets(secrets::Args),
    /// Generates a set of configuration files for Talos cluster.
    Config(Box<config::Args>),
    /// Generates an Ed25519 private key.
    Key(key::Args),
    /// Generates a CSR using an Ed25519 private key.
    Csr(csr::Args),
    /// Generates an X.509 Ed25519 certificate from a CSR.
    Crt(crt::Args),
    /// Generates a self-signed X.509 certificate authority.
    Ca(ca::Args),
    /// Generates an X.509 Ed25519 key pair (a self-signed CA, as talosctl's).
    Keypair(keypair::Args),
}

/// Run a `gen` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let force = args.force;
    match args.command {
        Command::Secrets(a) => secrets::run(a, force, ctx),
        Command::Config(a) => config::run(*a, force, ctx),
        Command::Key(a) => key::run(a, force, ctx),
        Command::Csr(a) => csr::run(a, force, ctx),
        Command::Crt(a) => crt::run(a, force, ctx),
        Command::Ca(a) => ca::run(a, force, ctx),
        Command::Keypair(a) => keypair::run(a, force, ctx),
    }
}
