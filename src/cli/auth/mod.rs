//! `talmint auth …`: questions about roles, answered from Talos's authorization table
//! (`talmint::authz`, `spec/roles-authz.md` §2). No talosctl equivalent.

pub mod can_i;
pub mod roles;

use clap::Subcommand;
use talmint::authz;
use talmint::roles::RoleSet;

use super::Ctx;

// `auth` subcommands (deferred: each one's arguments are built only when it runs).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
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

/// The roles an issuing command was asked for: `--roles` as given, or with `--for
/// METHOD[,METHOD…]` the least-privileged built-in roles allowing every call, announced on stderr.
pub fn requested_roles(
    for_calls: Option<&str>,
    roles: &[String],
    allow_unknown_roles: bool,
    ctx: &Ctx,
) -> anyhow::Result<RoleSet> {
    let Some(calls) = for_calls else {
        return Ok(RoleSet::parse_for_issue(
            roles.iter().map(String::as_str),
            allow_unknown_roles,
        )?);
    };
    let chosen = authz::roles_for(calls)?;
    let names: Vec<&str> = chosen.targets.iter().map(authz::Target::name).collect();
    ctx.note(&format!("roles for {}: {}", names.join(", "), chosen.roles));
    Ok(chosen.roles)
}

/// The `--for` help text shared by the issuing commands.
pub const FOR_HELP: &str = "Issue the least-privileged built-in roles that allow these calls \
    instead of --roles: gRPC methods or talosctl verbs, comma-separated (reboot,dmesg); see \
    talmint auth can-i --help";
