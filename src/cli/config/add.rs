//! `config add <context> [--ca PATH] [--crt PATH --key PATH]`: add or replace a context holding
//! the given files, base64-encoded as they are (`cmd/talosctl/cmd/talos/config.go:193-242`). The
//! current context is not changed; the new context has no endpoints.

use std::path::{Path, PathBuf};

use talmint::talosconfig::{self, Context};
use talmint::verify::{self, ContextFileProblem};

use super::{Ctx, Global};

// `config add` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config add prod --ca ca.crt --crt admin.crt --key admin.key
  talmint config endpoint --context prod 10.5.0.2")]
pub struct Args {
    /// Name of the context to add (an existing one is replaced)
    #[arg(value_name = "CONTEXT")]
    pub name: String,
    /// The path to the CA certificate
    #[arg(long, value_name = "PATH")]
    pub ca: Option<PathBuf>,
    /// The path to the certificate
    #[arg(long, value_name = "PATH")]
    pub crt: Option<PathBuf>,
    /// The path to the key
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
}

/// Run `config add`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    // Every input is read before the config is touched, so a bad flag changes nothing.
    let new = Context::from_files(args.ca.as_deref(), args.crt.as_deref(), args.key.as_deref())?;
    // Talos compat: talosctl stores the files unchecked (`config.go:193-242`), so they are
    // stored all the same; what would make the context unusable is said.
    let problems = verify::context_file_problems(&new);
    let target = global.target(ctx)?;
    talosconfig::update(&target, |config| -> anyhow::Result<()> {
        config.upsert(&args.name, new);
        Ok(())
    })?;
    let shown = |p: &Option<PathBuf>| p.as_deref().unwrap_or(Path::new("")).display().to_string();
    for problem in problems {
        let what = match &problem {
            ContextFileProblem::CaNotCertificate(why) => {
                format!("--ca {} is not a certificate ({why})", shown(&args.ca))
            }
            ContextFileProblem::CrtNotCertificate(why) => {
                format!("--crt {} is not a certificate ({why})", shown(&args.crt))
            }
            ContextFileProblem::KeyNotPrivateKey(why) => {
                format!("--key {} is not a private key ({why})", shown(&args.key))
            }
            ContextFileProblem::KeyMismatch => format!(
                "--key {} does not match the certificate in --crt {}",
                shown(&args.key),
                shown(&args.crt)
            ),
            other => other.to_string(),
        };
        ctx.note(&format!(
            "warning: {what}: context {} stored as given, but it will not work; add it again \
             with the right files",
            talosconfig::go_quote(&args.name)
        ));
    }
    Ok(())
}
