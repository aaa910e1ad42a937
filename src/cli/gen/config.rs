//! `talmint gen config` (talos `cmd/talosctl/cmd/mgmt/gen/config.go`).
//!
//! Everything is generated in memory first (bundle, configs, patches, talosconfig); the files
//! are then written all-or-nothing, so a failure never leaves some outputs written.

use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;
use talmint::bundle::{SecretsBundle, ValidationErrors};
use talmint::contract::VersionContract;
use talmint::fsx;
use talmint::machineconfig::endpoint::ClusterEndpoint;
use talmint::machineconfig::patch::{self, Patch};
use talmint::machineconfig::{self, Input, MachineType, Options};
use talmint::pflag;
use talmint::pki::Ttl;
use talmint::roles::RoleSet;
use talmint::talosconfig::credential;
use zeroize::Zeroizing;

use crate::cli::{issuing, output, Ctx};

const OUTPUT_TYPES: [&str; 3] = ["controlplane", "worker", "talosconfig"];

// Flags as talosctl's, plus talmint's additions (long flags only).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Generates a set of configuration files for Talos cluster\n\n\
The cluster endpoint is the URL for the Kubernetes API. If you decide to use\n\
a control plane node, common in a single node control plane setup, use port 6443 as\n\
this is the port that the API server binds to on every control plane node. For an HA\n\
setup, usually involving a load balancer, use the IP and port of the load balancer.",
    after_help = "EXAMPLES:\n  \
talmint gen config demo https://10.5.0.2:6443 -o _out\n  \
talmint gen config prod https://prod.example.com:6443 --with-secrets secrets.yaml --talos-version v1.13\n  \
talmint gen config lab https://10.5.0.2:6443 --config-patch @patch.yaml --config-patch-worker @worker-patch.yaml\n  \
talmint gen config lab https://10.5.0.2:6443 -t talosconfig -o - --talosconfig-endpoints 10.5.0.2\n\n\
Without --with-secrets a fresh secrets bundle is generated and saved as secrets.yaml (0600) beside\n\
the outputs (--no-save-secrets skips it). Files are written 0600, all or none.\n\
talmint writes configurations without comments (talosctl --with-docs=false --with-examples=false)."
)]
pub struct Args {
    /// Cluster name.
    pub cluster_name: String,
    /// Cluster endpoint, e.g. https://10.5.0.2:6443.
    pub cluster_endpoint: String,
    /// The disk to install to.
    #[arg(
        long = "install-disk",
        default_value = "/dev/sda",
        allow_hyphen_values = true
    )]
    pub install_disk: String,
    /// The image used to perform an installation (default: the factory metal installer, tag $TAG).
    #[arg(long = "install-image", allow_hyphen_values = true)]
    pub install_image: Option<String>,
    /// Additional Subject-Alt-Names for the APIServer certificate.
    #[arg(long = "additional-sans", allow_hyphen_values = true)]
    pub additional_sans: Vec<String>,
    /// The dns domain to use for cluster.
    #[arg(
        long = "dns-domain",
        default_value = "cluster.local",
        allow_hyphen_values = true
    )]
    pub dns_domain: String,
    /// The desired machine config version to generate.
    #[arg(long = "version", default_value = "v1alpha1")]
    pub config_version: String,
    /// The desired Talos version to generate config for (backwards compatibility, e.g. v1.7).
    #[arg(long = "talos-version", allow_hyphen_values = true)]
    pub talos_version: Option<String>,
    /// Desired kubernetes version to run.
    #[arg(
        long = "kubernetes-version",
        default_value = machineconfig::DEFAULT_KUBERNETES_VERSION,
        allow_hyphen_values = true
    )]
    pub kubernetes_version: String,
    /// Patch generated machineconfigs (applied to all node types), use @file to read a patch from file.
    #[arg(long = "config-patch", allow_hyphen_values = true)]
    pub config_patch: Vec<String>,
    /// Patch generated machineconfigs (applied to 'init' and 'controlplane' types).
    #[arg(long = "config-patch-control-plane", allow_hyphen_values = true)]
    pub config_patch_control_plane: Vec<String>,
    /// Patch generated machineconfigs (applied to 'worker' type).
    #[arg(long = "config-patch-worker", allow_hyphen_values = true)]
    pub config_patch_worker: Vec<String>,
    /// List of registry mirrors to use in format: <registry host>=<mirror URL>.
    #[arg(long = "registry-mirror", allow_hyphen_values = true)]
    pub registry_mirrors: Vec<String>,
    /// Renders all machine configs with the commented examples (not supported: comment-less output).
    #[arg(long = "with-examples", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub with_examples: Option<bool>,
    /// Renders all machine configs adding the documentation for each field (not supported).
    #[arg(long = "with-docs", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub with_docs: Option<bool>,
    /// Enable cluster discovery feature.
    #[arg(
        long = "with-cluster-discovery",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "true"
    )]
    pub with_cluster_discovery: bool,
    /// Enable KubeSpan feature.
    #[arg(
        long = "with-kubespan",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "false"
    )]
    pub with_kubespan: bool,
    /// Use a secrets file generated using 'gen secrets'.
    #[arg(long = "with-secrets")]
    pub with_secrets: Option<PathBuf>,
    /// Types of outputs to be generated. valid types are: ["controlplane" "worker" "talosconfig"].
    #[arg(
        short = 't',
        long = "output-types",
        default_value = "controlplane,worker,talosconfig"
    )]
    pub output_types: Vec<String>,
    /// Destination to output generated files. when multiple output types are specified, it must
    /// be a directory. for a single output type, it must either be a file path, or "-" for stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<String>,
    /// Destination to output generated files (kept for backwards compatibility).
    #[arg(long = "output-dir", hide = true)]
    pub output_dir: Option<String>,
    /// Skip generating etcd & Kubernetes configuration (experimental).
    #[arg(long = "skip-k8s-etcd", hide = true)]
    pub skip_k8s_etcd: bool,

    /// Endpoints written into the talosconfig (talosctl leaves them empty).
    #[arg(long = "talosconfig-endpoints", allow_hyphen_values = true)]
    pub talosconfig_endpoints: Vec<String>,
    /// Roles of the talosconfig's client certificate.
    #[arg(long, default_value = "os:admin")]
    pub roles: Vec<String>,
    /// Lifetime of the talosconfig's client certificate (Go duration, or days: 7d).
    #[arg(long = "crt-ttl", default_value = "8760h", allow_hyphen_values = true)]
    pub crt_ttl: Ttl,
    /// Do not save a freshly generated secrets bundle as secrets.yaml.
    #[arg(long = "no-save-secrets")]
    pub no_save_secrets: bool,
    #[command(flatten)]
    pub issuing: issuing::Flags,

    /// Let workloads run on control-plane nodes (generator option).
    #[arg(long = "allow-scheduling-on-control-planes", hide = true)]
    pub allow_scheduling_on_control_planes: bool,
    /// Extra kernel arguments for the installer (generator option).
    #[arg(long = "install-extra-kernel-args", value_delimiter = ',', hide = true)]
    pub install_extra_kernel_args: Vec<String>,
    /// Local API server port (generator option).
    #[arg(long = "local-api-server-port", hide = true)]
    pub local_api_server_port: Option<u16>,
    /// A kernel parameter key=value, repeatable (generator option).
    #[arg(long = "sysctl", hide = true, allow_hyphen_values = true)]
    pub sysctls: Vec<String>,
    /// A custom CNI manifest URL (generator option).
    #[arg(long = "custom-cni-url", hide = true, allow_hyphen_values = true)]
    pub custom_cni_url: Option<String>,
    /// KubePrism port, 0 disables it (generator option).
    #[arg(long = "kubeprism-port", hide = true)]
    pub kubeprism_port: Option<u16>,
}

/// Where each output goes.
struct Paths {
    control_plane: PathBuf,
    worker: PathBuf,
    talosconfig: PathBuf,
    /// The directory `secrets.yaml` is saved in.
    dir: PathBuf,
    stdout: bool,
}

/// Generate and write the configuration files.
pub fn run(mut args: Args, force: bool, ctx: &Ctx) -> anyhow::Result<()> {
    // Talos compat: talosctl's StringSlice flags split as CSV (pflag `readAsCSV`).
    for (flag, list) in [
        ("additional-sans", &mut args.additional_sans),
        ("registry-mirror", &mut args.registry_mirrors),
        ("output-types", &mut args.output_types),
        ("talosconfig-endpoints", &mut args.talosconfig_endpoints),
        ("roles", &mut args.roles),
    ] {
        *list = pflag::split_all(flag, list)?;
    }
    let endpoint: ClusterEndpoint = args.cluster_endpoint.parse()?;
    let comments = [args.with_docs, args.with_examples].contains(&Some(true));
    if args.config_version != "v1alpha1" {
        anyhow::bail!("unknown config version: {:?}", args.config_version);
    }
    validate_flags(&args)?;
    let paths = output_paths(&args)?;

    let mut options = Options {
        install_disk: args.install_disk.clone(),
        install_image: args.install_image.clone().unwrap_or_else(|| {
            let tag = ctx
                .env("TAG")
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_else(|| machineconfig::DEFAULT_TALOS_TAG.to_string());
            format!("{}:{tag}", machineconfig::INSTALLER_IMAGE_REPOSITORY)
        }),
        additional_sans: args.additional_sans.clone(),
        dns_domain: args.dns_domain.clone(),
        discovery_enabled: Some(args.with_cluster_discovery),
        kubespan_enabled: args.with_kubespan.then_some(true),
        skip_kubernetes_and_etcd: args.skip_k8s_etcd,
        allow_scheduling_on_control_planes: args.allow_scheduling_on_control_planes,
        install_extra_kernel_args: args.install_extra_kernel_args.clone(),
        local_api_server_port: args.local_api_server_port.unwrap_or(0),
        custom_cni_url: args.custom_cni_url.clone().unwrap_or_default(),
        kube_prism_port: args.kubeprism_port,
        ..Options::default()
    };
    for spec in &args.registry_mirrors {
        let (host, url) = spec
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("invalid registry mirror spec: {spec:?}"))?;
        options
            .registry_mirrors
            .push((host.to_string(), vec![url.to_string()]));
    }
    for spec in &args.sysctls {
        let (k, v) = spec
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("invalid sysctl spec: {spec:?}: use key=value"))?;
        options.sysctls.push((k.to_string(), v.to_string()));
    }
    let contract = match &args.talos_version {
        Some(v) => VersionContract::from_flag(v)?,
        None => VersionContract::CURRENT,
    };
    let roles = RoleSet::parse_for_issue(args.roles.iter().map(String::as_str), false)?;

    let (bundle, fresh) = match &args.with_secrets {
        Some(path) => (load_secrets(path)?, false),
        None => (SecretsBundle::generate(contract, ctx.now())?, true),
    };

    let load = |list: &[String]| -> anyhow::Result<Vec<Patch>> {
        patch::load_patches(list).context("error parsing config JSON patch")
    };
    let all = load(&args.config_patch)?;
    let control_plane_only = load(&args.config_patch_control_plane)?;
    let worker_only = load(&args.config_patch_worker)?;

    let input = Input::new(
        args.cluster_name.clone(),
        endpoint.as_str(),
        // Talos compat: one leading `v` goes (`strings.TrimPrefix`, gen/config.go:138).
        args.kubernetes_version
            .strip_prefix('v')
            .unwrap_or(&args.kubernetes_version),
        contract,
        &bundle,
        options,
    )
    .context("failed to generate config bundle")?;
    let generated =
        |t: MachineType, own: &[Patch], what: &str| -> anyhow::Result<Zeroizing<String>> {
            let mut docs = machineconfig::generate(&input, t)?;
            docs = machineconfig::apply_patches(docs, &all)
                .context("error patching configs")
                .context("failed to generate config bundle")?;
            docs = machineconfig::apply_patches(docs, own)
                .with_context(|| format!("error patching {what}"))
                .context("failed to generate config bundle")?;
            let text = machineconfig::encode(&docs);
            // The documents hold the cluster's private keys.
            docs.iter_mut().for_each(zeroize::Zeroize::zeroize);
            Ok(text)
        };
    let control_plane = generated(
        MachineType::ControlPlane,
        &control_plane_only,
        "control plane configs",
    )?;
    let worker = generated(MachineType::Worker, &worker_only, "worker config")?;

    // Only a talosconfig output needs the client certificate: none is issued (or recorded)
    // without one.
    let records = args.output_types.iter().any(|t| t == "talosconfig");
    let ca = bundle.os_ca()?;
    let ca_pem = bundle.os_ca_pem().to_vec();
    let policy = args.issuing.load_policy()?;
    let mut warning = None;
    let mut issued = None;
    let mut talosconfig = Zeroizing::new(String::new());
    if records {
        issuing::check_policy(
            policy.as_ref(),
            &talmint::policy::Request {
                roles: &roles,
                ttl: args.crt_ttl,
                endpoints: &args.talosconfig_endpoints,
                nodes: &[],
            },
        )?;
        let window = args.issuing.window(ctx.now(), args.crt_ttl);
        // Talos compat: talosctl issues the talosconfig certificate for its TTL whatever the
        // CA's validity (generate/talosconfig.go, siderolabs/crypto x509 NewKeyPair): a CA
        // expiring within the TTL gets a warning, not a refusal (`config new` refuses).
        if let Err(e) = ca.check_window(&window) {
            warning = Some(format!(
                "warning: the talosconfig certificate: {e}; issued anyway, as talosctl does"
            ));
        }
        let cert = ca
            .issue_client_unchecked(&roles, &window)
            .context("issuing the talosconfig client certificate")?;
        let target = credential::Target {
            context: args.cluster_name.clone(),
            endpoints: args.talosconfig_endpoints.clone(),
            nodes: Vec::new(),
        };
        talosconfig = credential::single_yaml(&ca_pem, &cert, &target)?;
        issued = Some(cert);
    }

    let mut outputs: Vec<(PathBuf, Zeroizing<Vec<u8>>)> = Vec::new();
    // Every file the command touches, with what it is, to refuse one path used twice.
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for t in OUTPUT_TYPES {
        if !args.output_types.iter().any(|o| o == t) {
            continue;
        }
        let (path, bytes) = match t {
            "controlplane" => (&paths.control_plane, control_plane.as_bytes()),
            "worker" => (&paths.worker, worker.as_bytes()),
            _ => (&paths.talosconfig, talosconfig.as_bytes()),
        };
        outputs.push((path.clone(), Zeroizing::new(bytes.to_vec())));
        if !paths.stdout {
            files.push((path.clone(), format!("the {t} output")));
        }
    }
    let save_secrets = fresh && !args.no_save_secrets;
    let secrets_path = paths.dir.join("secrets.yaml");
    if save_secrets {
        outputs.push((
            secrets_path.clone(),
            Zeroizing::new(bundle.to_yaml().as_bytes().to_vec()),
        ));
    }

    // One file, two contents (`-o secrets.yaml -t controlplane`), or an output over the ledger or
    // the bundle read: refused before anything is recorded or written. The talosconfig's
    // certificate goes into the ledger beside the bundle it came from: the given one, or a fresh
    // one (saved beside the outputs unless --no-save-secrets; the CA's key is in
    // controlplane.yaml there either way).
    if save_secrets {
        files.push((secrets_path.clone(), "the secrets bundle saved".into()));
    }
    let ledger_path = args
        .issuing
        .ledger_path(args.with_secrets.as_ref().unwrap_or(&secrets_path));
    if records {
        files.push((ledger_path.clone(), "the ledger".into()));
    }
    if let Some(input) = &args.with_secrets {
        files.push((input.clone(), "the bundle read (--with-secrets)".into()));
    }
    for (i, (a, what_a)) in files.iter().enumerate() {
        if let Some((_, what_b)) = files.iter().skip(i + 1).find(|(b, _)| same_path(a, b)) {
            anyhow::bail!(
                "{} would be both {what_a} and {what_b}: give another -o (or --no-save-secrets \
                 or --ledger)",
                a.display()
            );
        }
    }

    if comments {
        ctx.note(
            "note: talmint writes configurations without comments; \
             --with-docs and --with-examples are not supported yet",
        );
    }
    // Recorded before any file is written.
    let record = || -> anyhow::Result<()> {
        let Some(issued) = &issued else {
            return Ok(());
        };
        issuing::record_as_talosctl(
            ctx,
            &args.issuing,
            &issuing::Record {
                path: &ledger_path,
                issued: &[(&issued.cert, args.issuing.label_or(&args.cluster_name))],
                issuer: ca.cert(),
                now: ctx.now(),
                command: "gen config",
            },
        )
    };
    if paths.stdout {
        let (secret_files, data): (Vec<_>, Vec<_>) = outputs
            .into_iter()
            .partition(|(path, _)| save_secrets && *path == secrets_path);
        let files: Vec<(PathBuf, Zeroizing<Vec<u8>>, u32)> = secret_files
            .into_iter()
            .map(|(p, b)| (p, b, fsx::SECRET_MODE))
            .collect();
        write_files(&files, force, record)?;
        for (_, bytes) in data {
            ctx.stdout(&bytes)?;
        }
        announce(ctx, &files);
    } else {
        let files: Vec<(PathBuf, Zeroizing<Vec<u8>>, u32)> = outputs
            .into_iter()
            .map(|(p, b)| (p, b, fsx::SECRET_MODE))
            .collect();
        write_files(&files, force, record)?;
        announce(ctx, &files);
    }
    if let Some(w) = &warning {
        ctx.note(w);
    }
    Ok(())
}

/// talosctl's progress lines, once everything is written (see [`write_files`]).
fn announce(ctx: &Ctx, files: &[(PathBuf, Zeroizing<Vec<u8>>, u32)]) {
    ctx.note("generating PKI and tokens");
    for (path, _, _) in files {
        ctx.note(&format!("Created {}", path.display()));
    }
}

/// Create parent directories (`mkdir -p`, 0777 before umask), refuse to clobber before anything
/// else, `record` the issued certificate in the ledger, write every file or none. Talos prints
/// `generating PKI and tokens` before generating; talmint prints it ([`announce`]) once everything
/// is generated and written (to stdout too), so that a failure is always exactly one line.
fn write_files(
    files: &[(PathBuf, Zeroizing<Vec<u8>>, u32)],
    force: bool,
    record: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // Directories made here, deepest first: removed again when the command fails, so that a
    // failure leaves nothing behind.
    let mut created: Vec<PathBuf> = Vec::new();
    for (path, _, _) in files {
        created.extend(fsx::create_parents(path, 0o777).context("failed to create output dir")?);
    }
    let written = (|| -> anyhow::Result<()> {
        for (path, _, _) in files {
            fsx::refuse_existing(path, output::clobber(force))?;
            fsx::check_parent(path)?;
        }
        record()?;
        fsx::write_all(files, output::clobber(force))?;
        Ok(())
    })();
    if written.is_err() {
        fsx::remove_made(&created);
    }
    written
}

/// `--with-secrets`: read, parse and validate with talosctl's error prefixes.
fn load_secrets(path: &Path) -> anyhow::Result<SecretsBundle> {
    let text = std::fs::read_to_string(path)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            };
            anyhow::anyhow!(
                "failed to load secrets bundle: open {}: {reason}",
                path.display()
            )
        })?;
    // talosctl's prefix, then the file (talosctl leaves it out) and what it is when it is
    // another Talos file.
    let bundle = SecretsBundle::parse(&text).map_err(|e| {
        let what = match talmint::inspect::yaml_kind(&text) {
            Some(talmint::inspect::Kind::Talosconfig) => {
                ": it is a talosconfig; give the secrets.yaml that gen secrets or gen config wrote"
            }
            Some(talmint::inspect::Kind::MachineConfig) => {
                ": it is a machine config (gen secrets --from-controlplane-config makes a bundle \
                 from a controlplane config)"
            }
            _ => "",
        };
        match what {
            "" => anyhow::Error::from(e)
                .context(format!("failed to load secrets bundle: {}", path.display())),
            _ => anyhow::anyhow!("failed to load secrets bundle: {}{what}", path.display()),
        }
    })?;
    bundle
        .validate()
        .map_err(|e| anyhow::anyhow!("failed to validate secrets bundle: {e}"))?;
    Ok(bundle)
}

/// `validateFlags` (`config.go:262-296`).
fn validate_flags(args: &Args) -> anyhow::Result<()> {
    if args.output_types.is_empty() || args.output_types.iter().all(String::is_empty) {
        anyhow::bail!("at least one output type must be specified");
    }
    if args.output_types.len() > 1 && args.output.as_deref() == Some("-") {
        anyhow::bail!("can't use multiple output types with stdout");
    }
    if args.output_dir.is_some() && args.output.is_some() {
        anyhow::bail!("can't use both output-dir and output");
    }
    let invalid: Vec<String> = args
        .output_types
        .iter()
        .filter(|t| !OUTPUT_TYPES.contains(&t.as_str()))
        .map(|t| format!("invalid output type: {t:?}"))
        .collect();
    if !invalid.is_empty() {
        return Err(anyhow::anyhow!("{}", ValidationErrors(invalid)));
    }
    Ok(())
}

/// `outputPaths` (`config.go:358-400`): cwd by default (absolute paths), a file for one output
/// type, a directory otherwise; `--output-dir` is always a directory.
fn output_paths(args: &Args) -> anyhow::Result<Paths> {
    let output = args.output.clone().or_else(|| args.output_dir.clone());
    let in_dir = |dir: &Path| Paths {
        control_plane: clean(&dir.join("controlplane.yaml")),
        worker: clean(&dir.join("worker.yaml")),
        talosconfig: clean(&dir.join("talosconfig")),
        dir: clean(dir),
        stdout: false,
    };
    match output.as_deref() {
        Some("-") => {
            let cwd = std::env::current_dir()?;
            Ok(Paths {
                control_plane: PathBuf::from("-"),
                worker: PathBuf::from("-"),
                talosconfig: PathBuf::from("-"),
                dir: cwd,
                stdout: true,
            })
        }
        None | Some("") => Ok(in_dir(&std::env::current_dir()?)),
        Some(out) if args.output_types.len() == 1 && args.output_dir.is_none() => {
            let file = PathBuf::from(out);
            let dir = file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            Ok(Paths {
                control_plane: file.clone(),
                worker: file.clone(),
                talosconfig: file,
                dir,
                stdout: false,
            })
        }
        Some(out) => Ok(in_dir(Path::new(out))),
    }
}

/// Go `filepath.Clean`: lexical cleanup of `.`, `..` and repeated separators.
fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Whether two paths name the same file: equal once `.` components are dropped, or the same
/// existing file.
fn same_path(a: &Path, b: &Path) -> bool {
    use std::path::Component;
    let plain = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    plain(a) == plain(b)
        || matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths_like_go() {
        assert_eq!(clean(Path::new("./out/x")), PathBuf::from("out/x"));
        assert_eq!(clean(Path::new("a/../b")), PathBuf::from("b"));
        assert_eq!(clean(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(clean(Path::new("/a/./b")), PathBuf::from("/a/b"));
        assert_eq!(clean(Path::new(".")), PathBuf::from("."));
    }
}
