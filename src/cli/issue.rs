//! `talmint issue --roster team.yaml`: one talosconfig per roster entry, issued in parallel and
//! written all-or-nothing.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use talmint::pki::Ttl;
use talmint::roster::{self, Defaults, SpareKeys};
use talmint::{fsx, ledger};

use super::{issuing, output, Ctx};

// Flags.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:\n  \
talmint issue --roster team.yaml --with-secrets secrets.yaml -o out/\n  \
talmint issue --roster ci.yaml --ca-crt talos.crt --ca-key talos.key -o creds/ --policy policy.yaml\n\n\
ROSTER FORMAT:\n  entries:\n    - name: alice               # -> out/alice.talosconfig\n      roles: [os:reader]        # or for: [reboot, dmesg] (least privilege)\n      \
ttl: 8h                   # optional, default 8760h\n      endpoints: [10.5.0.2]     # optional\n      \
nodes: [10.5.0.4]         # optional\n      context: alice@prod       # optional, default as config new\n\n\
If any entry is invalid nothing is written and every invalid entry is listed.\n\
Interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops, removes every talosconfig it wrote and exits\n\
130; a second interrupt ends it at once.")]
pub struct Args {
    /// The roster file.
    #[arg(long, required = true)]
    pub roster: PathBuf,
    /// Output directory (created if missing, 0700).
    #[arg(short = 'o', long = "output", default_value = ".")]
    pub output: PathBuf,
    #[command(flatten)]
    pub ca: issuing::CaSource,
    /// Cluster name used to name contexts.
    #[arg(long, default_value = "talos")]
    pub cluster: String,
    /// TTL for entries that do not set one.
    #[arg(long = "crt-ttl", default_value = "8760h", allow_hyphen_values = true)]
    pub crt_ttl: Ttl,
    /// Accept roles Talos does not define.
    #[arg(long)]
    pub allow_unknown_roles: bool,
    /// Overwrite existing output files.
    #[arg(short, long)]
    pub force: bool,
    #[command(flatten)]
    pub issuing: issuing::Flags,
}

/// Set by SIGINT, SIGTERM or SIGHUP while a roster is issued: the run stops and removes what it
/// wrote instead of leaving staged talosconfigs (private keys) behind.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Stop cleanly on the first interrupt; a second one ends the process at once.
fn catch_interrupts() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        // The shutdown goes first: armed by the flag the first signal sets.
        let _ =
            signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, &INTERRUPTED);
        let _ = signal_hook::flag::register(signal, &INTERRUPTED);
    }
}

/// Validate the whole roster, issue in parallel, write every file or none.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let started = Instant::now();
    catch_interrupts();
    if args.output.as_os_str() == "-" {
        anyhow::bail!(
            "-o -: a roster writes one talosconfig per entry, so it needs a directory \
             (talmint config new -o - prints one credential)"
        );
    }
    let text = std::fs::read_to_string(&args.roster)
        .with_context(|| format!("roster {}: cannot read the file", args.roster.display()))?;
    let policy = args.issuing.load_policy()?;
    let defaults = Defaults {
        ttl: args.crt_ttl,
        cluster: args.cluster.clone(),
        allow_unknown_roles: args.allow_unknown_roles,
    };
    let (ca, ca_pem) = args.ca.load()?;
    // Whether the CA can sign at all is one problem, not one per entry; whether it can sign each
    // entry's TTL is listed with the roster's other problems.
    ca.check_window(&args.issuing.window(ctx.now(), Ttl::from_secs(1)))?;
    let ttl_check = |ttl| {
        ca.check_window(&args.issuing.window(ctx.now(), ttl))
            .map_err(|e| e.to_string())
    };
    // While this core parses the roster, another makes keys ahead. A roster entry takes more
    // than 16 bytes, so that bounds the keys worth making.
    let stop = AtomicBool::new(false);
    let (entries, spare_keys) = std::thread::scope(|s| {
        let spare =
            s.spawn(|| SpareKeys::make_until(ca.key_algorithm(), &stop, text.len() / 16 + 1));
        let entries = roster::parse(
            &text,
            &args.roster.display().to_string(),
            &defaults,
            policy.as_ref(),
            Some(&ttl_check),
        );
        stop.store(true, Ordering::Relaxed);
        let keys = spare
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (entries, keys)
    });
    let entries = entries?;
    let spare_keys = spare_keys?;
    for e in entries.iter().filter(|e| !e.for_calls.is_empty()) {
        ctx.note(&format!(
            "{}: roles for {}: {}",
            e.name,
            e.for_calls.join(", "),
            e.roles
        ));
    }
    // One signing thread per core; one more thread creates the files.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let total = entries.len();
    // On a terminal, a progress bar redrawn when the percentage changes; nothing when piped.
    let tty = std::io::stderr().is_terminal();
    let shown = AtomicUsize::new(usize::MAX);
    let progress = |n: usize| {
        let percent = n * 100 / total.max(1);
        if tty && shown.swap(percent, Ordering::Relaxed) != percent {
            eprint!("\r{}", progress_bar(n, total));
        }
    };
    let batch = fsx::Batch::new(&args.output, 0o700, output::clobber(args.force))?;
    let ledger_path = args.issuing.ledger_path(args.ca.key_file());
    let stamp = ledger::Stamp::new(ca.cert(), ctx.now(), "issue")
        .with_label_prefix(args.issuing.label.as_deref());
    let issued = roster::issue_all(
        &entries,
        &roster::Issuing {
            ca: &ca,
            ca_pem: &ca_pem,
            window: |ttl| args.issuing.window(ctx.now(), ttl),
            threads,
            progress: &progress,
            output: Some(&batch),
            ledger: Some((&ledger_path, &stamp)),
            spare_keys: Some(&spare_keys),
            interrupted: Some(&INTERRUPTED),
        },
    );
    if tty {
        // End the bar's line before anything else is said; the threads report out of order, so
        // a finished run ends on the full bar.
        match issued {
            Ok(_) => eprintln!("\r{}", progress_bar(total, total)),
            Err(_) => eprintln!(),
        }
    }
    if matches!(issued, Err(roster::IssueError::Interrupted)) || INTERRUPTED.load(Ordering::SeqCst)
    {
        // Dropping the batch removes every file written so far.
        drop(batch);
        ctx.note(
            "error: interrupted: no talosconfig was delivered (the certificates signed so far are \
             in the ledger)",
        );
        return Err(crate::cli::Exit(130).into());
    }
    issued.map_err(|e| match e {
        roster::IssueError::Ledger(e) => issuing::ledger_error(&e),
        e => anyhow::Error::new(e).context(format!("issuing from {}", args.ca.describe())),
    })?;
    // Every certificate is in the ledger (on disk) by now: deliver them all.
    batch.commit()?;
    let secs = started.elapsed().as_secs_f64();
    ctx.note(&format!(
        "issued {total} credential{} into {} in {secs:.2}s ({:.0} certs/s)",
        if total == 1 { "" } else { "s" },
        args.output.display(),
        total as f64 / secs.max(1e-9)
    ));
    Ok(())
}

/// `issuing [###########-------------------] 3700/10000`.
fn progress_bar(done: usize, total: usize) -> String {
    const WIDTH: usize = 30;
    // An empty roster is done at once: a full bar.
    let filled = (WIDTH * done).checked_div(total).unwrap_or(WIDTH);
    format!(
        "issuing [{}{}] {done}/{total}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled)
    )
}
