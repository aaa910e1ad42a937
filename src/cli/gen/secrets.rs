//! `talmint gen secrets` (talos `cmd/talosctl/cmd/mgmt/gen/secrets.go`).

use std::path::PathBuf;

use anyhow::Context as _;
use talmint::bundle::{KubernetesPki, SecretsBundle};
use talmint::contract::VersionContract;
use talmint::fsx;

use crate::cli::{output, Ctx};

/// Flags as talosctl's.
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
    #[arg(long = "talos-version")]
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
}

/// Generate (or import) and write the bundle, 0600.
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    let contract = args.talos_version.unwrap_or_default();
    let mut bundle = match &args.from_kubernetes_pki {
        Some(dir) => KubernetesPki { dir: dir.clone() }
            .read(args.kubernetes_bootstrap_token.as_deref())
            .context("failed to import Kubernetes PKI")?,
        None => SecretsBundle::default(),
    };
    bundle.populate(contract, ctx.now())?;
    let yaml = bundle.to_yaml();
    output::write(
        ctx,
        &args.output_file,
        yaml.as_bytes(),
        fsx::SECRET_MODE,
        force,
    )
}
