//! `talmint config new`: an offline `talosctl config new`. The node mints the certificate from its
//! OS CA (`v1alpha1_server.go:2375-2421`); talmint does the same from the secrets bundle or a CA
//! pair, so no running cluster is needed.

use std::path::PathBuf;

use anyhow::Context as _;
use talmint::bundle::SecretsBundle;
use talmint::fsx;
use talmint::pki::{CaKeyPair, Ttl};
use talmint::roles::RoleSet;
use talmint::talosconfig::credential;
use zeroize::Zeroizing;

use super::Global;
use crate::cli::{issuing, output, Ctx};

/// Flags: talosctl's (`--roles`, `--crt-ttl`) plus the offline CA source.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint config new --with-secrets secrets.yaml\n  \
talmint config new reader.talosconfig --with-secrets secrets.yaml --roles os:reader --crt-ttl 8h \\\n      \
--endpoints 10.5.0.2,10.5.0.3 --nodes 10.5.0.4\n  \
talmint config new ci.talosconfig --ca-crt talos.crt --ca-key talos.key --roles os:etcd:backup --crt-ttl 1h\n  \
talmint config new - --with-secrets secrets.yaml --roles os:reader | vault kv put secret/talos config=-\n\n\
The context is named as a Talos node names it: <role without os:>@<cluster> for exactly one role,\n\
the cluster name otherwise (--cluster, default talos); the global --context overrides it.")]
pub struct Args {
    /// Where to write the talosconfig ("-" for stdout).
    #[arg(default_value = "talosconfig")]
    pub path: PathBuf,
    /// Write to this path instead of PATH ("-" for stdout).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Secrets bundle whose OS CA signs the certificate.
    #[arg(long = "with-secrets", conflicts_with_all = ["ca_crt", "ca_key"], required_unless_present = "ca_crt")]
    pub with_secrets: Option<PathBuf>,
    /// OS CA certificate (PEM) instead of a bundle.
    #[arg(long = "ca-crt", requires = "ca_key")]
    pub ca_crt: Option<PathBuf>,
    /// OS CA private key (PEM) instead of a bundle.
    #[arg(long = "ca-key", requires = "ca_crt")]
    pub ca_key: Option<PathBuf>,
    /// Roles.
    #[arg(long, value_delimiter = ',', default_value = "os:admin")]
    pub roles: Vec<String>,
    /// Certificate TTL (Go duration such as 8h, 90m, 1h30m; or days: 7d).
    #[arg(long = "crt-ttl", default_value = "8760h", allow_hyphen_values = true)]
    pub crt_ttl: Ttl,
    /// Cluster name used to name the context.
    #[arg(long, default_value = "talos")]
    pub cluster: String,
    /// Accept roles Talos does not define (kept by nodes for forward compatibility).
    #[arg(long)]
    pub allow_unknown_roles: bool,
    /// Overwrite an existing file.
    #[arg(short, long)]
    pub force: bool,
    #[command(flatten)]
    pub issuing: issuing::Flags,
}

fn load_ca(args: &Args) -> anyhow::Result<(CaKeyPair, Vec<u8>)> {
    // The CA PEM goes into the talosconfig's `ca` as the source holds it.
    if let Some(path) = &args.with_secrets {
        let bundle = SecretsBundle::load(path)
            .with_context(|| format!("failed to load secrets bundle {}", path.display()))?;
        let ca = bundle
            .os_ca()
            .with_context(|| format!("secrets bundle {}", path.display()))?;
        let ca_pem = bundle
            .certs
            .as_ref()
            .and_then(|c| c.os.as_ref())
            .map(|os| os.crt.clone())
            .unwrap_or_default();
        return Ok((ca, ca_pem));
    }
    let (crt_path, key_path) = match (&args.ca_crt, &args.ca_key) {
        (Some(c), Some(k)) => (c, k),
        _ => anyhow::bail!("give --with-secrets FILE, or both --ca-crt FILE and --ca-key FILE"),
    };
    let crt = std::fs::read(crt_path)
        .with_context(|| format!("reading CA certificate {}", crt_path.display()))?;
    let key = std::fs::read(key_path)
        .map(Zeroizing::new)
        .with_context(|| format!("reading CA key {}", key_path.display()))?;
    let cert = talmint::pki::Certificate::from_pem(&crt)
        .with_context(|| format!("CA certificate {}", crt_path.display()))?;
    let key = talmint::pki::PrivateKey::from_pem(&key)
        .with_context(|| format!("CA key {}", key_path.display()))?;
    let ca = CaKeyPair::new(cert, key)
        .with_context(|| format!("CA {} with key {}", crt_path.display(), key_path.display()))?;
    Ok((ca, crt))
}

/// Issue the certificate and write the talosconfig (0600).
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let roles = RoleSet::parse_for_issue(
        args.roles.iter().map(String::as_str),
        args.allow_unknown_roles,
    )?;
    let path = args.output.clone().unwrap_or_else(|| args.path.clone());
    let to_stdout = path.as_os_str() == "-";
    if !to_stdout && !args.force && path.symlink_metadata().is_ok() {
        anyhow::bail!(
            "talosconfig file already exists: {:?}: use --force to overwrite",
            path.display().to_string()
        );
    }
    let policy = args.issuing.load_policy()?;
    issuing::check_policy(
        policy.as_ref(),
        &talmint::policy::Request {
            roles: &roles,
            ttl: args.crt_ttl,
            endpoints: &global.endpoints,
            nodes: &global.nodes,
        },
    )?;
    if roles.contains("os:impersonator") {
        ctx.note(
            "warning: os:impersonator lets this credential claim any role through gRPC metadata",
        );
    }
    let (ca, ca_pem) = load_ca(&args)?;
    let issued = ca.issue_client_in(&roles, &args.issuing.window(ctx.now(), args.crt_ttl))?;
    let name = match &global.context {
        Some(n) if !n.is_empty() => n.clone(),
        _ => roles.context_name(&args.cluster),
    };
    let target = credential::Target {
        context: name,
        endpoints: global.endpoints.clone(),
        nodes: global.nodes.clone(),
    };
    let yaml = credential::single_yaml(&ca_pem, &issued, &target)?;
    output::write(ctx, &path, yaml.as_bytes(), fsx::SECRET_MODE, args.force)?;
    let label = if args.issuing.label.is_empty() {
        target.context.as_str()
    } else {
        args.issuing.label.as_str()
    };
    issuing::record(
        args.issuing
            .ledger_path(args.with_secrets.as_deref())
            .as_deref(),
        &[(&issued.cert, label)],
        ca.cert(),
        ctx.now(),
        "config new",
    )
}
