//! `talmint gen ca` (talos `gen/ca.go`): a self-signed CA, its key and its SPKI pin.

use std::path::PathBuf;

use talmint::fsx;
use talmint::pki::{CaKeyPair, KeyAlgorithm, Profile, Ttl};
use zeroize::Zeroizing;

use crate::cli::{output, Ctx};

// Flags as talosctl's.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "EXAMPLES:\n  talmint gen ca --organization talos   # writes talos.crt, talos.key, talos.sha256"
)]
pub struct Args {
    /// X.509 distinguished name for the Organization.
    #[arg(long, required = true)]
    pub organization: String,
    /// The hours from now on which the certificate validity period ends.
    #[arg(long, default_value_t = 87600)]
    pub hours: u32,
    /// Generate in RSA format.
    #[arg(long)]
    pub rsa: bool,
}

/// Write `<O>.crt`, `<O>.key` and `<O>.sha256` (all staged before any is renamed into place).
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    if args.hours == 0 {
        anyhow::bail!("invalid --hours 0: the CA must be valid for at least one hour");
    }
    let alg = if args.rsa {
        KeyAlgorithm::Rsa
    } else {
        KeyAlgorithm::Ed25519
    };
    let ca = CaKeyPair::generate(
        &Profile::ca(&args.organization),
        alg,
        ctx.now(),
        Ttl::from_hours(u64::from(args.hours)),
    )?;
    let o = &args.organization;
    let files = vec![
        (
            PathBuf::from(format!("{o}.crt")),
            Zeroizing::new(ca.cert_pem().as_bytes().to_vec()),
            fsx::SECRET_MODE,
        ),
        (
            PathBuf::from(format!("{o}.key")),
            Zeroizing::new(ca.secret_key_pem()?.as_bytes().to_vec()),
            fsx::SECRET_MODE,
        ),
        (
            PathBuf::from(format!("{o}.sha256")),
            Zeroizing::new(ca.cert().spki_pin().into_bytes()),
            fsx::SECRET_MODE,
        ),
    ];
    fsx::write_all(&files, output::clobber(force))?;
    Ok(())
}
