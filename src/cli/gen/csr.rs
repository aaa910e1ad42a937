//! `talmint gen csr` (talos `gen/csr.go`): a CSR with the roles as Organization values and one IP SAN.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use talmint::fsx;
use talmint::pki::{csr, PrivateKey};

use crate::cli::{auth, output, Ctx};

// Flags as talosctl's.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  talmint gen key --name admin\n  \
talmint gen csr --key admin.key --ip 10.5.0.2 --roles os:reader   # writes admin.csr\n  \
talmint gen csr --key backup.key --ip 10.5.0.2 --for \"etcd snapshot\"   # os:etcd:backup")]
pub struct Args {
    /// The path to the PKCS#8 private key.
    #[arg(long, required = true)]
    pub key: PathBuf,
    /// Generate the certificate for this IP address.
    #[arg(long, required = true)]
    pub ip: String,
    /// Roles.
    #[arg(long, default_value = "os:admin")]
    pub roles: Vec<String>,
    #[arg(long = "for", value_name = "METHODS", conflicts_with = "roles", help = auth::FOR_HELP)]
    pub for_calls: Option<String>,
    /// Accept roles Talos does not define (kept for forward compatibility).
    #[arg(long)]
    pub allow_unknown_roles: bool,
}

/// `admin.key` → `admin.csr` (the last extension replaced, as talosctl).
fn csr_path(key: &Path) -> PathBuf {
    key.with_extension("csr")
}

/// Write the CSR next to the key.
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    let roles = auth::requested_roles(
        args.for_calls.as_deref(),
        // Talos compat: StringSlice, split as CSV (pflag `readAsCSV`).
        &talmint::pflag::split_all("roles", &args.roles)?,
        args.allow_unknown_roles,
        ctx,
    )?;
    let ip: IpAddr = args
        .ip
        .parse()
        .map_err(|_| anyhow::anyhow!("invalid IP: {:?}: give an IPv4 or IPv6 address", args.ip))?;
    let text = std::fs::read(&args.key)
        .map(zeroize::Zeroizing::new)
        .with_context(|| format!("error reading key {}", args.key.display()))?;
    let key = PrivateKey::from_pkcs8_pem_any_label(&text)
        .with_context(|| format!("error parsing key {}", args.key.display()))?;
    let pem = csr::create(&key, &roles, ip)?;
    output::write(
        ctx,
        &csr_path(&args.key),
        pem.as_bytes(),
        fsx::SECRET_MODE,
        force,
    )
}
