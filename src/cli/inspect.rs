//! `talmint inspect FILE…`: what is in a talosconfig, secrets bundle, machine config, certificate,
//! CSR or private key (library: `talmint::inspect`).

use std::path::PathBuf;

use talmint::inspect::{self, FileReport, InspectError, Options};

use crate::cli::{Ctx, Exit};

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// For people.
    Text,
    /// Stable JSON (schema in the README).
    Json,
    /// The same tree as JSON, as YAML.
    Yaml,
}

// Files and the output format.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint inspect secrets.yaml                 # the four CAs and the service-account key\n  \
talmint inspect ~/.talos/config              # every context: roles, expiry, chains to its ca?\n  \
talmint inspect controlplane.yaml admin.crt admin.key admin.csr\n  \
talmint inspect -o json talosconfig | jq '.files[].entries[].certificate.notAfter'\n\n\
Private keys are never printed: only their algorithm and the SPKI pin of their public key.\n\n\
EXIT CODES:\n  \
0  every file was inspected\n  \
1  a file could not be read or recognised (the others are still reported)\n  \
2  usage error")]
pub struct Args {
    /// Files to inspect (`-` reads stdin).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: Format,
}

/// Inspect every file, report, and exit 1 if one could not be inspected.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let opts = Options {
        now: ctx.now(),
        roles_summary: Some(&talmint::authz::summary),
    };
    let mut results: Vec<(String, Result<FileReport, InspectError>)> = args
        .files
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let report = ctx
                .read(p)
                .map_err(|e| InspectError::Read(e.to_string()))
                .and_then(|bytes| inspect::inspect_bytes(&name, &bytes, &opts));
            (name, report)
        })
        .collect();
    inspect::pair_keys(&mut results);
    match args.output {
        Format::Text => {
            let texts: Vec<String> = results
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok().map(FileReport::to_text))
                .collect();
            ctx.stdout(texts.join("\n").as_bytes())?;
        }
        Format::Json => {
            let json = talmint::report::to_json(&inspect::to_node(&results))?;
            ctx.stdout(json.as_bytes())?;
        }
        Format::Yaml => {
            ctx.stdout(talmint::yaml::emit(&inspect::to_node(&results)).as_bytes())?;
        }
    }
    let mut failed = false;
    for (path, r) in &results {
        if let Err(e) = r {
            ctx.note(&format!("error: {path}: {e}"));
            failed = true;
        }
    }
    if failed {
        return Err(Exit(1).into());
    }
    Ok(())
}
