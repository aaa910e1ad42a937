//! `talmint config new`: an offline `talosctl config new`. The node mints the certificate from its
//! OS CA (`v1alpha1_server.go:2375-2421`); talmint does the same from the secrets bundle or a CA
//! pair, so no running cluster is needed.

use std::path::PathBuf;

use anyhow::Context as _;

use talmint::fsx;
use talmint::pki::Ttl;
use talmint::talosconfig::credential;

use super::Global;
use crate::cli::{auth, issuing, output, Ctx};

// Flags: talosctl's (`--roles`, `--crt-ttl`) plus the offline CA source.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint config new --with-secrets secrets.yaml\n  \
talmint config new reader.talosconfig --with-secrets secrets.yaml --roles os:reader --crt-ttl 8h \\\n      \
--endpoints 10.5.0.2,10.5.0.3 --nodes 10.5.0.4\n  \
talmint config new ci.talosconfig --ca-crt talos.crt --ca-key talos.key --roles os:etcd:backup --crt-ttl 1h\n  \
talmint config new ops.talosconfig --with-secrets secrets.yaml --for reboot,dmesg   # os:operator\n  \
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
    #[command(flatten)]
    pub ca: issuing::CaSource,
    /// Roles.
    #[arg(long, default_value = "os:admin")]
    pub roles: Vec<String>,
    #[arg(long = "for", value_name = "METHODS", conflicts_with = "roles", help = auth::FOR_HELP)]
    pub for_calls: Option<String>,
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

/// Issue the certificate and write the talosconfig (0600).
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    let roles = auth::requested_roles(
        args.for_calls.as_deref(),
        // Talos compat: StringSlice, split as CSV (pflag `readAsCSV`).
        &talmint::pflag::split_all("roles", &args.roles)?,
        args.allow_unknown_roles,
        ctx,
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
    let (ca, ca_pem) = args.ca.load()?;
    let issued = ca
        .issue_client_in(&roles, &args.issuing.window(ctx.now(), args.crt_ttl))
        .with_context(|| format!("issuing from {}", args.ca.describe()))?;
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
    let label = args.issuing.label_or(&target.context);
    let ledger = args.issuing.ledger_path(args.ca.key_file());
    let record = || {
        issuing::record(&issuing::Record {
            path: &ledger,
            issued: &[(&issued.cert, label)],
            issuer: ca.cert(),
            now: ctx.now(),
            command: "config new",
        })
    };
    if path.as_os_str() != "-" {
        // A directory that is missing or not writable, or a directory where the file goes, is
        // found before anything is recorded.
        fsx::check_parent(&path)?;
        fsx::refuse_existing(&path, output::clobber(args.force))?;
    }
    // Never a credential without its ledger line: the talosconfig appears only once the line is
    // on disk (an existing file was refused above). The two flushes still overlap: the
    // talosconfig is written and flushed under a temporary name while the line is recorded.
    std::thread::scope(|s| {
        let recorded = s.spawn(record);
        let staged = output::stage(&path, yaml.as_bytes(), fsx::SECRET_MODE, args.force);
        recorded
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        staged?.deliver(ctx)
    })
}
