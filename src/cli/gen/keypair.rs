//! `talmint gen keypair` (talos `gen/keypair.go`): despite the name, a self-signed Ed25519 CA valid
//! 24h with an optional IP SAN.

use std::net::IpAddr;
use std::path::PathBuf;

use talmint::fsx;
use talmint::pki::{CaKeyPair, KeyAlgorithm, Profile, Ttl};
use zeroize::Zeroizing;

use crate::cli::{output, Ctx};

// Flags as talosctl's.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "EXAMPLES:\n  talmint gen keypair --organization test --ip 10.5.0.2   # writes test.crt, test.key"
)]
pub struct Args {
    /// X.509 distinguished name for the Organization.
    #[arg(long, required = true)]
    pub organization: String,
    /// Generate the certificate for this IP address.
    #[arg(long)]
    pub ip: Option<String>,
}

/// Write `<O>.crt` and `<O>.key`.
pub fn run(args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    let ips: Vec<IpAddr> = match &args.ip {
        // Talos compat: an empty --ip is no IP SAN (keypair.go `if ip != ""`).
        Some(s) if !s.is_empty() => vec![s
            .parse()
            .map_err(|_| anyhow::anyhow!("invalid IP: {s:?}: give an IPv4 or IPv6 address"))?],
        _ => Vec::new(),
    };
    let profile = Profile::Ca {
        organization: Some(args.organization.clone()),
        ips,
    };
    let ca = CaKeyPair::generate(
        &profile,
        KeyAlgorithm::Ed25519,
        ctx.now(),
        Ttl::from_hours(24),
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
    ];
    fsx::write_all(&files, output::clobber(force))?;
    Ok(())
}
