//! `talmint auth …`: questions about roles, answered from Talos's authorization table
//! (`talmint::authz`, `spec/roles-authz.md` §2). No talosctl equivalent.

pub mod can_i;
pub mod roles;

use clap::Subcommand;

use super::Ctx;

/// `auth` subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Whether a credential (or a set of roles) may make a Talos API call.
    CanI(can_i::Args),
    /// The built-in roles and what each may call.
    Roles(roles::Args),
}

/// Run an `auth` subcommand.
pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<()> {
    match cmd {
        Command::CanI(args) => can_i::run(args, ctx),
        Command::Roles(args) => roles::run(args, ctx),
    }
}
