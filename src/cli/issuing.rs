//! Flags shared by every command that issues a certificate: `--policy`, `--backdate`, `--ledger`,
//! `--label`, and the glue that applies them.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use talmint::bundle::SecretsBundle;
use talmint::ledger;
use talmint::pki::{CaKeyPair, Certificate, Ttl, Window};
use talmint::policy::{Policy, Request};
use time::OffsetDateTime;

// Where the signing CA comes from: a secrets bundle's OS CA, or a CA certificate and key.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct CaSource {
    /// Secrets bundle whose OS CA signs the certificate.
    #[arg(long = "with-secrets", conflicts_with_all = ["ca_crt", "ca_key"], required_unless_present = "ca_crt")]
    pub with_secrets: Option<PathBuf>,
    /// OS CA certificate (PEM) instead of a bundle.
    #[arg(long = "ca-crt", requires = "ca_key")]
    pub ca_crt: Option<PathBuf>,
    /// OS CA private key (PEM) instead of a bundle.
    #[arg(long = "ca-key", requires = "ca_crt")]
    pub ca_key: Option<PathBuf>,
}

impl CaSource {
    /// The CA's source for messages: `secrets bundle s.yaml` or `CA ca.crt`.
    pub fn describe(&self) -> String {
        match (&self.with_secrets, &self.ca_crt) {
            (Some(b), _) => format!("the OS CA of secrets bundle {}", b.display()),
            (None, Some(c)) => format!("CA {}", c.display()),
            (None, None) => "the CA".into(),
        }
    }

    /// The CA, and its certificate PEM as the source holds it (for the talosconfig's `ca`).
    pub fn load(&self) -> anyhow::Result<(CaKeyPair, Vec<u8>)> {
        if let Some(path) = &self.with_secrets {
            let (bundle, ca) = SecretsBundle::load_os_ca(path)
                .with_context(|| format!("failed to load secrets bundle {}", path.display()))?;
            return Ok((ca, bundle.os_ca_pem().to_vec()));
        }
        let (crt, key) = match (&self.ca_crt, &self.ca_key) {
            (Some(c), Some(k)) => (c, k),
            _ => anyhow::bail!("give --with-secrets FILE, or both --ca-crt FILE and --ca-key FILE"),
        };
        CaKeyPair::load(crt, key).map_err(Into::into)
    }

    /// The file holding the CA's key (the bundle, or `--ca-key`), beside which the ledger goes.
    pub fn key_file(&self) -> &Path {
        // clap requires one of the two; the current directory otherwise.
        self.with_secrets
            .as_deref()
            .or(self.ca_key.as_deref())
            .unwrap_or(Path::new(""))
    }
}

// The shared flags (beyond talosctl; defaults keep talosctl's behaviour).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Flags {
    /// Role policy file: allowed roles, longest TTL per role, allowed endpoints/nodes.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Set NotBefore this far in the past (e.g. 5m), for nodes with a slow clock. Default 0.
    #[arg(long, value_parser = parse_backdate, default_value = "0", allow_hyphen_values = true)]
    pub backdate: u64,
    /// Issuance ledger (JSON lines). Default: talmint-ledger.jsonl beside the secrets bundle or CA key.
    #[arg(long)]
    pub ledger: Option<PathBuf>,
    /// Label recorded in the ledger. Default: the context name (config new, gen config), the
    /// --name (gen crt), each entry's or context's name (issue, config renew: a label given there
    /// is put in front, LABEL/NAME).
    #[arg(long)]
    pub label: Option<String>,
}

/// A Go duration that is not negative (`0`, `0s`, `5m`), in whole seconds.
pub fn parse_backdate(s: &str) -> Result<u64, String> {
    match talmint::goduration::parse_nanos(s.trim(), true) {
        Some(nanos) if nanos > i128::from(i64::MAX) => Err(format!(
            "invalid backdate {s:?}: longer than Go's longest duration, 2562047h47m16s"
        )),
        Some(nanos) if nanos >= 0 => Ok(u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX)),
        Some(_) => Err(format!(
            "invalid backdate {s:?}: it must not be negative, e.g. 5m"
        )),
        None => Err(format!(
            "invalid backdate {s:?}: use Go duration syntax such as 5m or 1h, or 0"
        )),
    }
}

impl Flags {
    /// The loaded policy, if any.
    pub fn load_policy(&self) -> anyhow::Result<Option<Policy>> {
        self.policy
            .as_deref()
            .map(Policy::load)
            .transpose()
            .map_err(Into::into)
    }

    /// The validity window for a certificate issued now.
    pub fn window(&self, now: OffsetDateTime, ttl: Ttl) -> Window {
        Window::new(now, ttl).backdated(self.backdate)
    }

    /// The ledger label of the one certificate a command issues: `--label`, else `default`.
    pub fn label_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.label.as_deref().unwrap_or(default)
    }

    /// The ledger label of one of several certificates, each known by `name`: `LABEL/name` with
    /// `--label`, else `name`.
    pub fn label_each(&self, name: &str) -> String {
        match &self.label {
            Some(label) => format!("{label}/{name}"),
            None => name.to_string(),
        }
    }

    /// Where the ledger goes: `--ledger`, else beside the file holding the CA's key (a secrets
    /// bundle or a CA key).
    pub fn ledger_path(&self, ca_key_file: &Path) -> PathBuf {
        self.ledger
            .clone()
            .unwrap_or_else(|| ledger::default_path_beside(ca_key_file))
    }
}

/// Check a request against an optional policy.
pub fn check_policy(policy: Option<&Policy>, req: &Request<'_>) -> anyhow::Result<()> {
    if let Some(p) = policy {
        p.check(req)?;
    }
    Ok(())
}

/// Record issued certificates in the ledger.
pub fn record(r: &Record<'_>) -> anyhow::Result<()> {
    r.append().map_err(|e| ledger_error(&e))
}

/// What [`record`] and [`record_as_talosctl`] record, and where.
pub struct Record<'a> {
    /// The ledger.
    pub path: &'a Path,
    /// Each certificate with its label.
    pub issued: &'a [(&'a Certificate, &'a str)],
    /// The issuing CA's certificate.
    pub issuer: &'a Certificate,
    /// When.
    pub now: OffsetDateTime,
    /// The command, e.g. `gen config`.
    pub command: &'a str,
}

impl Record<'_> {
    fn append(&self) -> Result<(), ledger::LedgerError> {
        let stamp = ledger::Stamp::new(self.issuer, self.now, self.command);
        ledger::append(self.path, self.issued, &stamp)
    }
}

/// [`record`] for the commands that mirror talosctl (`gen config`, `gen crt`), which talosctl
/// runs against bundles and CA keys on read-only mounts (a Vault agent, a Kubernetes secret):
/// when the ledger is the default one beside them and that place is read-only, the certificate is
/// delivered with a warning instead of failing where talosctl succeeds. A `--ledger` given, or
/// any other failure, still stops the command.
pub fn record_as_talosctl(ctx: &super::Ctx, flags: &Flags, r: &Record<'_>) -> anyhow::Result<()> {
    match r.append() {
        Ok(()) => Ok(()),
        Err(e) if flags.ledger.is_none() && read_only(&e) => {
            ctx.note(&format!(
                "warning: the certificate is not recorded: the default issuance ledger {} is on \
                 a read-only place; give --ledger FILE to record it",
                r.path.display()
            ));
            Ok(())
        }
        Err(e) => Err(ledger_error(&e)),
    }
}

/// Whether a ledger failed because its place cannot be written (permissions, read-only mount).
fn read_only(e: &ledger::LedgerError) -> bool {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::PermissionDenied
                || io.kind() == std::io::ErrorKind::ReadOnlyFilesystem;
        }
        source = s.source();
    }
    false
}

/// A ledger that cannot be written, with what to do: nothing is delivered unrecorded.
pub fn ledger_error(e: &ledger::LedgerError) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot write the issuance ledger, so nothing was delivered: {e}; \
         give --ledger FILE to keep the ledger elsewhere"
    )
}
