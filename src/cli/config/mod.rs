//! `talmint config …`: one file per talosctl `config` verb (`spec/talosconfig.md` §4,
//! `cmd/talosctl/cmd/talos/config.go`). Global flags as talosctl's (`root.go:66-93`).

mod add;
mod context;
mod contexts;
mod endpoint;
mod info;
mod merge;
mod new;
mod node;
mod proxy_url;
mod remove;
mod renew;

use std::path::PathBuf;

use clap::Subcommand;
use talmint::talosconfig::path::{self, ConfigPath, PathEnv};

use super::Ctx;

/// Test-only: the read-only service-account talosconfig path, instead of
/// `/var/run/secrets/talos.dev/config` (which tests cannot create). Not for users.
pub const TEST_SERVICE_ACCOUNT_ENV: &str = "TALMINT_TEST_SERVICE_ACCOUNT_CONFIG";

// Global flags of every `config` subcommand plus the subcommand.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

// talosctl's persistent flags, available on every `config` subcommand.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Global {
    /// The path to the Talos configuration file, defaults to 'TALOSCONFIG' env variable if set,
    /// otherwise '$HOME/.talos/config' and '/var/run/secrets/talos.dev/config' in order
    #[arg(long, global = true, value_name = "PATH")]
    pub talosconfig: Option<PathBuf>,
    /// Context to be used in command
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Target the specified nodes
    #[arg(short = 'n', long, global = true, value_name = "NODES")]
    pub nodes: Vec<String>,
    /// Override default endpoints in Talos configuration
    #[arg(short = 'e', long, global = true, value_name = "ENDPOINTS")]
    pub endpoints: Vec<String>,
}

// `config` subcommands (deferred: each one's arguments are built only when it runs).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Set the endpoint(s) for the current context
    #[command(visible_alias = "endpoints")]
    Endpoint(endpoint::Args),
    /// Set the node(s) for the current context
    #[command(visible_alias = "nodes")]
    Node(node::Args),
    /// Set the proxy URL for the current context
    ///
    /// Supported schemes: socks5, http, https. Use "direct" to explicitly bypass any proxy,
    /// including environment variable proxies. Pass an empty string to clear the proxy URL. Omit
    /// the argument to display the current proxy URL.
    ProxyUrl(proxy_url::Args),
    /// Set the current context
    #[command(visible_alias = "use-context")]
    Context(context::Args),
    /// Add a new context
    Add(add::Args),
    /// Remove contexts
    Remove(remove::Args),
    /// List defined contexts
    #[command(visible_alias = "get-contexts")]
    Contexts(contexts::Args),
    /// Merge additional contexts from another client configuration file
    ///
    /// Contexts with the same name are renamed while merging configs (name-1, name-2, ...; one
    /// `renamed talosconfig context "a" -> "a-1"` line each on stderr), unless --on-conflict
    /// says otherwise. When the merged file has a current context, it becomes the current
    /// context.
    ///
    /// The merged file's contexts are taken in go-yaml natural order (prod-2 before prod-10), so
    /// the result is always the same. talosctl takes them in Go's random map order: when the
    /// merged file itself holds colliding names (a and a-1, both already present), talosctl's
    /// renames vary from run to run. A file that does not exist is an error (talosctl silently
    /// creates it and merges nothing), and so is a secrets bundle or machine config (talosctl
    /// merges nothing).
    Merge(merge::Args),
    /// Show information about the current context
    Info(info::Args),
    /// Generate a new client configuration file, offline, from the cluster's OS CA.
    New(new::Args),
    /// Re-issue a context's certificate with the same roles and a new key (beyond talosctl).
    Renew(renew::Args),
}

impl Global {
    /// The talosconfig this command works on (§3): `--talosconfig`, else the default list.
    pub fn target(&self, ctx: &Ctx) -> anyhow::Result<ConfigPath> {
        resolve_path(self.talosconfig.as_deref(), ctx)
    }

    /// The talosconfig a read-only command (`info`, `contexts`, `proxy-url` without a URL)
    /// reads: as [`Global::target`], but a `--talosconfig` file that does not exist is an error,
    /// where talosctl creates it empty (so a mistyped path would leave a file behind). A missing
    /// default path is still created empty, as talosctl does (`config.go:253-264`).
    pub fn read_target(&self, ctx: &Ctx) -> anyhow::Result<ConfigPath> {
        let target = self.target(ctx)?;
        let explicit = self
            .talosconfig
            .as_deref()
            .is_some_and(|p| !p.as_os_str().is_empty());
        if explicit && !target.path.exists() {
            anyhow::bail!(
                "talosconfig {} does not exist: check the --talosconfig path (config new, add \
                 and merge create one)",
                target.path.display()
            );
        }
        Ok(target)
    }

    /// `--context` when given and non-empty.
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref().filter(|c| !c.is_empty())
    }
}

/// The talosconfig a command uses (§3): `explicit` (`--talosconfig`), else the default list
/// resolved from the process environment in `ctx`.
pub fn resolve_path(explicit: Option<&std::path::Path>, ctx: &Ctx) -> anyhow::Result<ConfigPath> {
    let mut env = PathEnv::new(
        ctx.env("TALOSCONFIG").cloned(),
        ctx.env("TALOS_HOME").cloned(),
        ctx.env("HOME").cloned(),
    );
    if let Some(p) = ctx.env(TEST_SERVICE_ACCOUNT_ENV) {
        env.service_account = PathBuf::from(p);
    }
    path::resolve(explicit, &env).map_err(|e| anyhow::anyhow!("error reading config: {e}"))
}

/// The talosconfig a reading command uses when given none: the default list (§3) resolved as
/// talosctl does ($TALOSCONFIG, then ~/.talos/config, then the service-account path), which must
/// exist; `hint` says what else the user can give.
pub fn existing_default(ctx: &Ctx, hint: &str) -> anyhow::Result<PathBuf> {
    let found = resolve_path(None, ctx)?;
    if !found.path.exists() {
        anyhow::bail!(
            "no talosconfig given, and none at the default path {}: {hint}",
            found.path.display()
        );
    }
    Ok(found.path)
}

/// Run a `config` subcommand.
pub fn run(mut args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    // Talos compat: talosctl's StringSlice flags split as CSV (pflag `readAsCSV`).
    args.global.nodes = talmint::pflag::split_all("nodes", &args.global.nodes)?;
    args.global.endpoints = talmint::pflag::split_all("endpoints", &args.global.endpoints)?;
    let global = &args.global;
    match args.command {
        Command::Endpoint(a) => endpoint::run(a, global, ctx),
        Command::Node(a) => node::run(a, global, ctx),
        Command::ProxyUrl(a) => proxy_url::run(a, global, ctx),
        Command::Context(a) => context::run(a, global, ctx),
        Command::Add(a) => add::run(a, global, ctx),
        Command::Remove(a) => remove::run(a, global, ctx),
        Command::Contexts(a) => contexts::run(a, global, ctx),
        Command::Merge(a) => merge::run(a, global, ctx),
        Command::Info(a) => info::run(a, global, ctx),
        Command::New(a) => new::run(a, global, ctx),
        Command::Renew(a) => renew::run(a, global, ctx),
    }
}
