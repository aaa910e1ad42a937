//! `talmint gen …`: one file per talosctl `gen` verb.

use clap::Subcommand;

use super::Ctx;

/// `gen` subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {}

/// Run a `gen` subcommand.
pub fn run(cmd: Command, _ctx: &Ctx) -> anyhow::Result<()> {
    match cmd {}
}
