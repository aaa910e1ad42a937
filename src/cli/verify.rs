//! `talmint verify TALOSCONFIG`: will a Talos node accept this credential? (library:
//! `talmint::verify`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use talmint::bundle::SecretsBundle;
use talmint::inspect::{self, Kind};
use talmint::pki::Certificate;
use talmint::roles::RoleSet;
use talmint::talosconfig::Config;
use talmint::verify::{self, display_name};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cli::{Ctx, Exit};

// The credential, what to trust, when, and which roles to expect.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint verify talosconfig --with-secrets secrets.yaml\n  \
talmint verify ci.talosconfig --ca talos.crt --context etcd:backup@talos --roles os:etcd:backup\n  \
talmint verify talosconfig --at 2025-06-01T00:00:00Z     # will it still work on that day?\n\n\
Checks what a node's apid checks (issuer bytes equal the OS CA's subject, the CA's signature,\n\
validity at --at of the certificate and the CA, EKU exactly clientAuth, the key matches; any\n\
further CERTIFICATE blocks of crt are intermediates, as talosctl sends them) plus:\n\
the leaf is not a CA, the roles are built in (and exactly --roles), and the context's ca holds\n\
the node's CA. Without --with-secrets or --ca the context's own ca is trusted.\n\n\
EXIT CODES:\n  \
0  accepted: every check passed\n  \
1  rejected: the report on stdout names each failed check and what to do\n  \
2  usage error, or an input could not be read (nothing was verified)")]
pub struct Args {
    /// The talosconfig holding the credential, `-` for stdin (default: $TALOSCONFIG, else ~/.talos/config, as talosctl).
    pub talosconfig: Option<PathBuf>,
    /// Trust the OS CA of this secrets bundle (certs.os.crt).
    #[arg(long = "with-secrets", conflicts_with = "ca", value_name = "FILE")]
    pub with_secrets: Option<PathBuf>,
    /// Trust the CA certificates in this PEM (or DER) file: machine.ca.crt and any acceptedCAs.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// The context to check (default: the current context).
    #[arg(long)]
    pub context: Option<String>,
    /// The node's clock, RFC 3339 (default: now).
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub at: Option<OffsetDateTime>,
    /// Require exactly these roles (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ROLES")]
    pub roles: Option<Vec<String>>,
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("{e}: use RFC 3339 such as 2025-06-01T00:00:00Z"))
}

fn read(ctx: &Ctx, path: &Path, what: &str) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    ctx.read(path)
        .with_context(|| format!("reading {what} {}", path.display()))
}

/// What to say when the file given as the talosconfig is another Talos file.
fn misplaced(path: &Path, text: &str) -> Option<String> {
    let path = path.display();
    match inspect::yaml_kind(text)? {
        Kind::SecretsBundle => Some(format!(
            "{path} is a secrets bundle, not a talosconfig: give it as --with-secrets {path}, \
             after the talosconfig to verify"
        )),
        Kind::MachineConfig => Some(format!(
            "{path} is a machine config, not a talosconfig: give the talosconfig to verify (gen \
             config writes one beside it)"
        )),
        _ => None,
    }
}

/// What to trust, and how to name it in the report.
fn trusted(args: &Args, ctx: &Ctx) -> anyhow::Result<Option<(Vec<Certificate>, String)>> {
    let label = |cas: &[Certificate], from: String| {
        let names: Vec<String> = cas
            .iter()
            .map(|c| format!("{} {}", display_name(&c.subject), c.spki_pin()))
            .collect();
        format!("{} ({from})", names.join(", "))
    };
    if let Some(path) = &args.with_secrets {
        let bytes = read(ctx, path, "secrets bundle")?;
        let text = std::str::from_utf8(&bytes)
            .with_context(|| format!("secrets bundle {}", path.display()))?;
        let bundle = SecretsBundle::parse(text)
            .with_context(|| format!("secrets bundle {}", path.display()))?;
        let cas = verify::trusted_from_bundle(&bundle)
            .with_context(|| format!("secrets bundle {}", path.display()))?;
        let l = label(&cas, format!("certs.os.crt of {}", path.display()));
        return Ok(Some((cas, l)));
    }
    if let Some(path) = &args.ca {
        let bytes = read(ctx, path, "CA file")?;
        let cas = verify::trusted_from_pem(&bytes).map_err(|e| {
            let bundle = std::str::from_utf8(&bytes)
                .is_ok_and(|t| inspect::yaml_kind(t) == Some(Kind::SecretsBundle));
            match bundle {
                true => anyhow::anyhow!(
                    "CA file {0} is a secrets bundle: give it as --with-secrets {0}",
                    path.display()
                ),
                false => anyhow::Error::from(e).context(format!("CA file {}", path.display())),
            }
        })?;
        let l = label(&cas, path.display().to_string());
        return Ok(Some((cas, l)));
    }
    Ok(None)
}

/// Load the inputs (exit 2 on failure), check, report (exit 1 when rejected).
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let verdict = match check(&args, ctx) {
        Ok(v) => v,
        Err(e) => {
            ctx.note(&format!("error: {e:#}"));
            return Err(Exit(2).into());
        }
    };
    let (verdict, credential, trust) = verdict;
    ctx.stdout(verdict.to_text(&credential, &trust).as_bytes())?;
    if verdict.accepted() {
        return Ok(());
    }
    ctx.note(&format!("{credential}: {}", verdict.summary()));
    Err(Exit(1).into())
}

fn check(args: &Args, ctx: &Ctx) -> anyhow::Result<(verify::Verdict, String, String)> {
    let path = match &args.talosconfig {
        Some(p) => p.clone(),
        None => crate::cli::config::existing_default(ctx, "give the talosconfig to verify")?,
    };
    let bytes = read(ctx, &path, "talosconfig")?;
    let text =
        std::str::from_utf8(&bytes).with_context(|| format!("talosconfig {}", path.display()))?;
    let config = Config::parse(text)
        .map_err(anyhow::Error::from)
        .and_then(|config| {
            // Another Talos file given by mistake reads as a talosconfig without contexts.
            if config.contexts.is_empty() {
                if let Some(hint) = misplaced(&path, text) {
                    anyhow::bail!(hint);
                }
            }
            Ok(config)
        })
        .map_err(|e| match misplaced(&path, text) {
            Some(hint) => anyhow::anyhow!(hint),
            None => e.context(format!("talosconfig {}", path.display())),
        })?;
    let (name, context) = config
        .selected(args.context.as_deref())
        .with_context(|| format!("talosconfig {}", path.display()))?;
    let expected = match &args.roles {
        None => None,
        Some(list) => {
            if RoleSet::parse_lenient(list.iter().map(String::as_str)).is_empty() {
                anyhow::bail!("--roles is empty: name the roles to expect, e.g. --roles os:reader");
            }
            // A misspelt role is a usage error, not a credential's fault.
            Some(RoleSet::parse_for_issue(
                list.iter().map(String::as_str),
                false,
            )?)
        }
    };
    let trusted = trusted(args, ctx)?;
    let credential = format!("context {name:?} of {}", path.display());
    let at = args.at.unwrap_or_else(|| ctx.now());
    let (verdict, trust) = match &trusted {
        Some((cas, label)) => (
            verify::verify_context(context, Some(cas), at, expected.as_ref())?,
            label.clone(),
        ),
        None => (
            verify::verify_context(context, None, at, expected.as_ref())
                .with_context(|| format!("context {name:?}"))?,
            "the context's own ca (pass --with-secrets or --ca to check against the cluster)"
                .to_string(),
        ),
    };
    Ok((verdict, credential, trust))
}
