//! `talmint gen crt` (talos `gen/crt.go`): sign a CSR with a CA; the CSR's subject (its roles) and
//! SANs are copied.

use std::path::PathBuf;

use anyhow::Context as _;
use talmint::fsx;
use talmint::pki::csr::Csr;
use talmint::pki::{CaKeyPair, Certificate, PrivateKey, Ttl};

use crate::cli::{issuing, output, Ctx};

// Flags as talosctl's.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "EXAMPLES:\n  talmint gen crt --name admin --ca talos --csr admin.csr --hours 8   # talos.crt + talos.key -> admin.crt"
)]
pub struct Args {
    /// The basename of the generated file.
    #[arg(long, required = true)]
    pub name: String,
    /// The path to the CA, without extension (reads <ca>.crt and <ca>.key).
    #[arg(long, required = true)]
    pub ca: String,
    /// The path to the CSR.
    #[arg(long, required = true)]
    pub csr: PathBuf,
    /// The hours from now on which the certificate validity period ends.
    #[arg(long, default_value_t = 24)]
    pub hours: u32,
    #[command(flatten)]
    pub issuing: issuing::Flags,
}

/// Issue `<name>.crt`.
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    let crt_path = PathBuf::from(format!("{}.crt", args.ca));
    let key_path = PathBuf::from(format!("{}.key", args.ca));
    let crt = std::fs::read(&crt_path)
        .with_context(|| format!("error reading CA cert {}", crt_path.display()))?;
    let key = std::fs::read(&key_path)
        .map(zeroize::Zeroizing::new)
        .with_context(|| format!("error reading CA key {}", key_path.display()))?;
    let cert = Certificate::from_pem(&crt)
        .with_context(|| format!("error parsing CA cert {}", crt_path.display()))?;
    let key = PrivateKey::from_pkcs8_pem_any_label(&key)
        .with_context(|| format!("error parsing CA key {}", key_path.display()))?;
    let ca = CaKeyPair::new(cert, key).with_context(|| format!("CA {}", args.ca))?;
    let csr_text = std::fs::read(&args.csr)
        .with_context(|| format!("error reading CSR {}", args.csr.display()))?;
    let csr = Csr::from_pem(&csr_text).with_context(|| format!("CSR {}", args.csr.display()))?;
    if args.hours == 0 {
        anyhow::bail!("invalid --hours 0: the certificate must be valid for at least one hour");
    }
    let ttl = Ttl::from_hours(u64::from(args.hours));
    let roles =
        talmint::roles::RoleSet::parse_lenient(csr.organizations.iter().map(String::as_str));
    let policy = args.issuing.load_policy()?;
    issuing::check_policy(
        policy.as_ref(),
        &talmint::policy::Request {
            roles: &roles,
            ttl,
            endpoints: &[],
            nodes: &[],
        },
    )?;
    let issued = ca.issue_from_csr(&csr, &args.issuing.window(ctx.now(), ttl))?;
    let out = PathBuf::from(format!("{}.crt", args.name));
    let label = args.issuing.label_or(&args.name);
    // Recorded before it is written (a write that would be refused is found first).
    fsx::refuse_existing(&out, output::clobber(force))?;
    fsx::check_parent(&out)?;
    issuing::record_as_talosctl(
        ctx,
        &args.issuing,
        &issuing::Record {
            path: &args.issuing.ledger_path(&key_path),
            issued: &[(&issued.cert, label)],
            issuer: ca.cert(),
            now: ctx.now(),
            command: "gen crt",
        },
    )?;
    output::write(
        ctx,
        &out,
        issued.cert_pem.as_bytes(),
        fsx::SECRET_MODE,
        force,
    )
}
