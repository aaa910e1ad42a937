//! `talmint gen secrets` (talos `cmd/talosctl/cmd/mgmt/gen/secrets.go`).

use std::path::PathBuf;

use anyhow::Context as _;
use talmint::bundle::{from_controlplane_config, KubernetesPki, SecretsBundle};
use talmint::contract::VersionContract;
use talmint::fsx;

use crate::cli::{output, Ctx};

// Flags as talosctl's.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "EXAMPLES:\n  talmint gen secrets\n  talmint gen secrets -o prod-secrets.yaml --talos-version v1.7\n  \
talmint gen secrets --from-kubernetes-pki /etc/kubernetes/pki -t abcdef.0123456789abcdef"
)]
pub struct Args {
    /// Path of the output file, or "-" for stdout.
    #[arg(short = 'o', long = "output-file", default_value = "secrets.yaml")]
    pub output_file: PathBuf,
    /// The desired Talos version to generate secrets bundle for (backwards compatibility, e.g. v0.8).
    #[arg(long = "talos-version", value_parser = VersionContract::from_flag)]
    pub talos_version: Option<VersionContract>,
    /// Use a Kubernetes PKI directory (e.g. /etc/kubernetes/pki) as input.
    #[arg(short = 'p', long = "from-kubernetes-pki")]
    pub from_kubernetes_pki: Option<PathBuf>,
    /// Use the provided bootstrap token as input (only with --from-kubernetes-pki).
    #[arg(
        short = 't',
        long = "kubernetes-bootstrap-token",
        requires = "from_kubernetes_pki"
    )]
    pub kubernetes_bootstrap_token: Option<String>,
    /// Use the provided controlplane Talos machine configuration as input.
    #[arg(long = "from-controlplane-config")]
    pub from_controlplane_config: Option<PathBuf>,
}

/// Generate (or import) and write the bundle, 0600.
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    let contract = args.talos_version.unwrap_or_default();
    // --from-kubernetes-pki takes precedence over --from-controlplane-config, as in talosctl.
    let mut incomplete = None;
    let bundle = match (&args.from_kubernetes_pki, &args.from_controlplane_config) {
        (Some(dir), _) => {
            let mut b = KubernetesPki { dir: dir.clone() }
                .read(args.kubernetes_bootstrap_token.as_deref())
                .context("failed to import Kubernetes PKI")?;
            b.populate(contract, ctx.now())?;
            b
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map(zeroize::Zeroizing::new)
                .with_context(|| {
                    format!("failed to read controlplane config {}", path.display())
                })?;
            // Like talosctl: no generation and no validation of what the config lacks; but
            // what it lacks is said.
            let bundle = from_controlplane_config(&text, &path.display().to_string())?;
            let missing = bundle.missing();
            if !missing.is_empty() {
                incomplete = Some(format!(
                    "warning: the secrets bundle made from {} is incomplete ({}): a worker \
                     config lacks the CA keys; use the controlplane config instead",
                    path.display(),
                    missing.join("; ")
                ));
            }
            bundle
        }
        (None, None) => SecretsBundle::generate(contract, ctx.now())?,
    };
    let yaml = bundle.to_yaml();
    output::write(
        ctx,
        &args.output_file,
        yaml.as_bytes(),
        fsx::SECRET_MODE,
        force,
    )?;
    if let Some(warning) = incomplete {
        ctx.note(&warning);
    }
    Ok(())
}
