//! `talmint config renew` (beyond talosctl): re-issue a context's certificate with the same roles
//! and a new key, replacing it atomically under the talosconfig's lock; other contexts are left
//! as they are.

use anyhow::Context as _;
use talmint::ledger;
use talmint::pki::{Certificate, Ttl};
use talmint::roles::RoleSet;
use talmint::talosconfig::{self, credential};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::{Ctx, Global};
use crate::cli::issuing;

// Flags.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint config renew --with-secrets secrets.yaml                 # the current context\n  \
talmint config renew --context reader@prod --with-secrets secrets.yaml --crt-ttl 8h\n  \
talmint config renew --all --ca-crt talos.crt --ca-key talos.key\n\n\
The new certificate keeps the old one's roles; its TTL is --crt-ttl, or else the TTL the old\n\
certificate was issued with: from its ledger line, or its lifetime less --backdate.")]
pub struct Args {
    /// Renew every context whose certificate the CA issued (contexts from other CAs are skipped);
    /// not with --context.
    #[arg(long, conflicts_with = "context")]
    pub all: bool,
    /// Certificate TTL (default: the old certificate's TTL, see below).
    #[arg(long = "crt-ttl", allow_hyphen_values = true)]
    pub crt_ttl: Option<Ttl>,
    #[command(flatten)]
    pub ca: issuing::CaSource,
    #[command(flatten)]
    pub issuing: issuing::Flags,
}

/// Renew: record the new certificates in the ledger, then save the talosconfig.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let target = global.target(ctx)?;
    // Checked before the edit takes its lock (which would leave a lock file behind).
    if !target.path.exists() {
        anyhow::bail!(
            "talosconfig {} does not exist: nothing to renew",
            target.path.display()
        );
    }
    // It is replaced by a file made beside it: found unwritable before anything is recorded.
    talmint::fsx::check_parent(&target.path)?;
    let (ca, ca_pem) = args.ca.load()?;
    let policy = args.issuing.load_policy()?;
    // The ledger tells the TTL each old certificate was asked for (when talmint issued it); a
    // torn line in it does not hide the others.
    let ledger_path = args.issuing.ledger_path(args.ca.key_file());
    let ledger = ledger::read_listing(&ledger_path).ok().map(|l| l.entries);
    let renewed = talosconfig::update(
        &target,
        |config| -> anyhow::Result<Vec<(String, Certificate)>> {
            let names: Vec<String> = if args.all {
                if config.contexts.is_empty() {
                    anyhow::bail!(
                        "talosconfig {} has no contexts: nothing to renew",
                        target.path.display()
                    );
                }
                config.contexts.iter().map(|(n, _)| n.clone()).collect()
            } else {
                vec![config.selected(global.context())?.0.to_string()]
            };
            let mut out = Vec::new();
            for name in names {
                let Some(context) = config.get_mut(&name) else {
                    continue;
                };
                if context.crt.trim().is_empty() {
                    if args.all {
                        ctx.note(&format!("skipping context {name:?}: it has no certificate"));
                        continue;
                    }
                    anyhow::bail!(
                        "context {name:?} has no client certificate to renew: issue one with \
                         talmint config new"
                    );
                }
                let old_pem = talmint::gobase64::decode(&context.crt)
                    .with_context(|| format!("context {name:?}: crt is not base64"))?;
                let old = Certificate::from_pem(&old_pem)
                    .with_context(|| format!("context {name:?}: crt"))?;
                if old.issuer_der != ca.cert().subject_der
                    || old.verify_signed_by(ca.cert()).is_err()
                {
                    if args.all {
                        ctx.note(&format!(
                            "skipping context {name:?}: its certificate was not issued by {}",
                            args.ca.describe()
                        ));
                        continue;
                    }
                    anyhow::bail!("context {name:?}: its certificate was not issued by {}: give the CA that issued it", args.ca.describe());
                }
                let roles = RoleSet::parse_lenient(old.organizations.iter().map(String::as_str));
                let ttl = args.crt_ttl.unwrap_or_else(|| {
                    requested_ttl(&old, ledger.as_deref(), args.issuing.backdate)
                });
                issuing::check_policy(
                    policy.as_ref(),
                    &talmint::policy::Request {
                        roles: &roles,
                        ttl,
                        endpoints: &context.endpoints,
                        nodes: &context.nodes,
                    },
                )
                .with_context(|| format!("context {name:?}"))?;
                let issued = ca
                    .issue_client_in(&roles, &args.issuing.window(ctx.now(), ttl))
                    .with_context(|| {
                        format!("context {name:?}: issuing from {}", args.ca.describe())
                    })?;
                let fresh = credential::single(&ca_pem, &issued, &credential::Target::default())?;
                let (_, new_ctx) = fresh
                    .contexts
                    .into_iter()
                    .next()
                    .context("internal: no context built")?;
                context.crt = new_ctx.crt;
                context.key = Zeroizing::new(new_ctx.key.to_string());
                out.push((name, issued.cert));
            }
            if out.is_empty() {
                anyhow::bail!(
                    "no context was renewed: none has a certificate issued by {}",
                    args.ca.describe()
                );
            }
            // Recorded before the talosconfig is saved: never a credential without its line.
            let labels: Vec<String> = out
                .iter()
                .map(|(n, _)| args.issuing.label_each(n))
                .collect();
            let certs: Vec<(&Certificate, &str)> = out
                .iter()
                .zip(&labels)
                .map(|((_, c), l)| (c, l.as_str()))
                .collect();
            issuing::record(&issuing::Record {
                path: &ledger_path,
                issued: &certs,
                issuer: ca.cert(),
                now: ctx.now(),
                command: "config renew",
            })?;
            Ok(out)
        },
    )?;
    for (name, _) in &renewed {
        ctx.note(&format!("renewed context {name:?}"));
    }
    Ok(())
}

/// The TTL `old` was issued with, so that renewing does not stretch it: NotAfter less the time of
/// issue in its ledger line (a back-dated NotBefore is not part of the TTL), else its lifetime
/// less this run's `backdate` (exact when renewed with the flags it was issued with).
fn requested_ttl(old: &Certificate, ledger: Option<&[ledger::Entry]>, backdate: u64) -> Ttl {
    let fingerprint = old.fingerprint();
    let issued_at = ledger
        .unwrap_or_default()
        .iter()
        .find(|e| e.fingerprint == fingerprint)
        .and_then(|e| OffsetDateTime::parse(&e.time, &Rfc3339).ok());
    let seconds = match issued_at {
        Some(at) => (old.not_after - at).whole_seconds(),
        None => {
            (old.not_after - old.not_before).whole_seconds() - i64::try_from(backdate).unwrap_or(0)
        }
    };
    Ttl::from_secs(u64::try_from(seconds).unwrap_or(0).max(1))
}
