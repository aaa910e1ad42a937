//! `talmint auth can-i METHOD`: yes/no for a credential's roles, with the roles that would allow
//! the call. Exit 0 allowed, 1 denied, 2 unknown method or usage error.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use talmint::authz;
use talmint::roles::RoleSet;
use talmint::talosconfig::Config;
use time::format_description::well_known::Rfc3339;

use crate::cli::{Ctx, Exit};

// `auth can-i` flags.
#[derive(clap::Args, Debug)]
#[command(after_long_help = long_help())]
pub struct Args {
    /// The call: a gRPC method (/machine.MachineService/Reboot), Service/Method, a bare method
    /// name, or a talosctl verb (reboot, etcd snapshot, get mc); words are joined by spaces.
    #[arg(required = true, num_args = 1.., value_name = "METHOD")]
    pub method: Vec<String>,
    /// The path to the Talos configuration file, defaults to 'TALOSCONFIG' env variable if set,
    /// otherwise '$HOME/.talos/config' and '/var/run/secrets/talos.dev/config' in order
    #[arg(long, conflicts_with = "roles")]
    pub talosconfig: Option<PathBuf>,
    /// Context to be used in command.
    #[arg(long, conflicts_with = "roles")]
    pub context: Option<String>,
    /// Answer for these roles (comma-separated, e.g. os:reader,os:etcd:backup) instead of a
    /// talosconfig credential.
    #[arg(long, value_name = "ROLES")]
    pub roles: Option<String>,
}

fn long_help() -> String {
    let verbs: Vec<&str> = authz::aliases().iter().map(|a| a.verb()).collect();
    format!(
        "Answers for a configured node running Talos {} (siderolabs/talos {}): the roles come from \
the Organization values of the context's client certificate, as apid reads them, or from --roles. \
talosctl verbs stand for every call talosctl makes for them by default. A full gRPC name that the \
table does not list gets Talos's fallback (os:admin only).

TALOSCTL VERBS:
  {}
  get TYPE (sensitive types such as machineconfig or osrootsecret need os:admin)

EXAMPLES:
  # May the current talosconfig context reboot nodes?
  talmint auth can-i reboot

  # Which roles may take etcd snapshots?
  talmint auth can-i etcd snapshot --roles os:reader

  # A gRPC method, for one context of a given file (made by config new ci.talosconfig --roles os:etcd:backup)
  talmint auth can-i /machine.MachineService/EtcdDefragment --talosconfig ci.talosconfig --context etcd:backup@talos

  # In scripts: the exit code is the answer
  talmint auth can-i kubeconfig >/dev/null && echo admin

EXIT CODES:
  0  allowed
  1  denied
  2  unknown method, unreadable talosconfig or certificate, or usage error",
        authz::TALOS_VERSION,
        authz::TALOS_COMMIT,
        wrap_list(&verbs, 96, "  "),
    )
}

/// Wrap a list for help text, breaking only between items.
fn wrap_list(items: &[&str], width: usize, indent: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for (i, item) in items.iter().enumerate() {
        let item = if i + 1 < items.len() {
            format!("{item},")
        } else {
            (*item).to_string()
        };
        let fits = lines
            .last()
            .is_some_and(|l| l.is_empty() || l.len() + 1 + item.len() <= width);
        if !fits {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&item);
        }
    }
    lines.join(&format!("\n{indent}"))
}

/// Run `auth can-i`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    match answer(args, ctx) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Exit(1).into()),
        Err(e) => {
            ctx.note(&format!("error: {e:#}"));
            Err(Exit(2).into())
        }
    }
}

fn answer(args: Args, ctx: &Ctx) -> anyhow::Result<bool> {
    let target = authz::resolve(&args.method.join(" "))?;
    let (roles, from) = match args.roles {
        Some(list) => (
            RoleSet::parse_for_issue(list.split(','), false)?,
            "--roles".to_string(),
        ),
        None => {
            let path = match args.talosconfig.filter(|p| !p.as_os_str().is_empty()) {
                Some(path) => path,
                None => crate::cli::config::existing_default(
                    ctx,
                    "give --talosconfig FILE, or --roles R to ask for a set of roles",
                )?,
            };
            let cred = credential(&path, args.context.as_deref())?;
            let now = ctx.now();
            if now > cred.not_after || now < cred.not_before {
                let window = format!(
                    "{} to {}",
                    cred.not_before
                        .format(&Rfc3339)
                        .context("formatting NotBefore")?,
                    cred.not_after
                        .format(&Rfc3339)
                        .context("formatting NotAfter")?
                );
                ctx.note(&format!(
                    "note: the certificate is valid only from {window}: apid refuses it now, \
                     whatever its roles"
                ));
            }
            let from = format!("context {:?} of {}", cred.context, path.display());
            (cred.roles, from)
        }
    };
    ctx.stdout(authz::can_i_text(&target, &roles, &from).as_bytes())?;
    for note in target.notes() {
        ctx.note(&format!("note: {note}"));
    }
    let unknown: Vec<String> = roles.unknown().map(|r| r.to_string()).collect();
    if !unknown.is_empty() {
        ctx.note(&format!(
            "note: unknown roles grant nothing: {}",
            unknown.join(", ")
        ));
    }
    if roles.contains("os:impersonator") {
        ctx.note(
            "note: os:impersonator: a client that sends talos-role gRPC metadata gets the roles it \
             names instead (spec roles-authz.md §3.1)",
        );
    }
    Ok(target.allows(&roles))
}

/// The credential of context `context` (or the current one) of the talosconfig at `path`.
fn credential(path: &Path, context: Option<&str>) -> anyhow::Result<authz::Credential> {
    let at = || format!("talosconfig {}", path.display());
    let text = std::fs::read_to_string(path).with_context(at)?;
    let config = Config::parse(&text).with_context(at)?;
    let (name, ctx) = config.selected(context).with_context(at)?;
    Ok(authz::Credential::from_crt(name, &ctx.crt)?)
}
