//! Roster throughput against the in-process floor (issue 5).
//!
//! `cargo bench --bench roster` (env `ROSTER_N`, default 10000; `ROSTER_RUNS`, default 5;
//! `ROSTER_DIR` to keep the files written there instead of removing them):
//! 1. floor: key + client certificate + PEM in process, on every core (each thread taking the
//!    next 16 as it goes), no files;
//! 2. the roster pipeline in process (talosconfig YAML per entry), no files;
//! 3. roster: the real `talmint issue --roster` command writing N talosconfigs and the ledger
//!    (release binary);
//! 4. files alone: the same N talosconfigs written the minimal durable way (one thread, create +
//!    write + close each in a new directory, then one `syncfs`), with nothing issued.
//!
//! The four take turns within each run. Reports medians in certificates per second, and the
//! ratio roster/floor (of the medians, and per run). On Linux it also reports the machine's busy
//! CPU time per credential for each (all cores, kernel threads such as writeback included, from
//! `/proc/stat`), and the ceiling the file system puts on the ratio: even if talmint did nothing
//! but the floor's work and the files' work, perfectly spread over the cores, a run would take
//! (floor CPU + files CPU) / cores, so the ratio can be at most floor CPU / (floor CPU + files CPU).
//!
//! On ext4 without a journal, creating files soon after thousands were deleted is several times
//! slower (the inode allocator skips recently freed inodes, one lookup each): leave a few minutes
//! after deleting many files (a previous run's, the test suite's) before running it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use talmint::bundle::SecretsBundle;
use talmint::contract::VersionContract;
use talmint::pki::Ttl;
use talmint::roles::RoleSet;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Busy CPU seconds of the whole machine since boot, all cores (user, nice, system, irq and
/// softirq time from `/proc/stat`; idle, iowait and steal left out). `None` off Linux.
fn busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<f64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let busy = [0, 1, 2, 5, 6]
        .iter()
        .map(|&i| ticks.get(i))
        .sum::<Option<f64>>()?;
    // USER_HZ, which Linux fixes at 100 for /proc/stat on every common architecture.
    Some(busy / 100.0)
}

/// Runs `work`, returning its wall seconds and the machine's busy CPU seconds meanwhile.
fn measure(work: impl FnOnce()) -> (f64, Option<f64>) {
    let (t, busy) = (Instant::now(), busy_seconds());
    work();
    let cpu = busy.zip(busy_seconds()).map(|(a, b)| b - a);
    (t.elapsed().as_secs_f64(), cpu)
}

fn main() {
    let n: usize = std::env::var("ROSTER_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let runs: usize = std::env::var("ROSTER_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let now = time::OffsetDateTime::now_utc();
    // ROSTER_DIR keeps the outputs (in a new directory inside it per invocation); by default
    // they go to a temporary directory removed at the end.
    let temp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("ROSTER_DIR") {
        Some(d) => {
            std::fs::create_dir_all(&d).unwrap();
            tempfile::Builder::new()
                .prefix("roster-")
                .tempdir_in(d)
                .unwrap()
                .keep()
        }
        None => temp.path().to_path_buf(),
    };
    let bundle = SecretsBundle::generate(VersionContract::CURRENT, now).unwrap();
    #[allow(clippy::disallowed_methods)]
    std::fs::write(dir.join("secrets.yaml"), bundle.to_yaml().as_bytes()).unwrap();
    let ca = bundle.os_ca().unwrap();
    let roles: RoleSet = "os:reader".parse().unwrap();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);

    // The in-process roster pipeline (talosconfig YAML per entry), no files.
    let defaults = talmint::roster::Defaults {
        ttl: Ttl::from_hours(8),
        cluster: "bench".into(),
        allow_unknown_roles: false,
    };
    let mut roster = String::from("entries:\n");
    for i in 0..n {
        roster.push_str(&format!(
            "  - name: u{i}\n    roles: [os:reader]\n    ttl: 8h\n"
        ));
    }
    let entries = talmint::roster::parse(&roster, "bench", &defaults, None, None).unwrap();
    let ca_pem = ca.cert_pem().as_bytes().to_vec();
    #[allow(clippy::disallowed_methods)]
    std::fs::write(dir.join("team.yaml"), &roster).unwrap();
    let bin = env!("CARGO_BIN_EXE_talmint");

    // The four take turns within each run, so that all see the machine in the same state (its
    // speed drifts); the ratio is also taken per run.
    let (mut floor, mut in_process, mut cli, mut files) = (vec![], vec![], vec![], vec![]);
    // Busy CPU microseconds per credential (see `busy_seconds`), when the machine reports it.
    let (mut floor_cpu, mut cli_cpu, mut files_cpu) = (vec![], vec![], vec![]);
    let per_cert = |cpu: Option<f64>, into: &mut Vec<f64>| {
        if let Some(cpu) = cpu {
            into.push(cpu * 1e6 / n as f64);
        }
    };
    let mut ratios = vec![];
    for run in 0..runs {
        let (wall, cpu) = measure(|| {
            // Threads take the next few credentials as they go, as `issue --roster` does, so
            // that a core slowed by anything else running does not hold up the end.
            let next = AtomicUsize::new(0);
            std::thread::scope(|s| {
                for _ in 0..threads {
                    let (ca, roles, next) = (&ca, &roles, &next);
                    s.spawn(move || {
                        let mut bytes = 0usize;
                        loop {
                            let start = next.fetch_add(16, Ordering::Relaxed);
                            if start >= n {
                                break;
                            }
                            for _ in start..(start + 16).min(n) {
                                let issued =
                                    ca.issue_client(roles, now, Ttl::from_hours(8)).unwrap();
                                bytes += issued.cert_pem.len()
                                    + issued.key.unwrap().to_pem().unwrap().len();
                            }
                        }
                        std::hint::black_box(bytes);
                    });
                }
            });
        });
        floor.push(n as f64 / wall);
        per_cert(cpu, &mut floor_cpu);

        let t = Instant::now();
        let issued = talmint::roster::issue_all(
            &entries,
            &talmint::roster::Issuing {
                ca: &ca,
                ca_pem: &ca_pem,
                window: |ttl| talmint::pki::Window::new(now, ttl),
                threads,
                progress: &|_| {},
                output: None,
                ledger: None,
                spare_keys: None,
                interrupted: None,
            },
        )
        .unwrap();
        in_process.push(n as f64 / t.elapsed().as_secs_f64());

        let out = format!("out{run}");
        let (wall, cpu) = measure(|| {
            let status = Command::new(bin)
                .current_dir(&dir)
                .args([
                    "issue",
                    "--roster",
                    "team.yaml",
                    "--with-secrets",
                    "secrets.yaml",
                    "-o",
                    &out,
                ])
                .args(["--ledger", &format!("ledger{run}.jsonl")])
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        });
        cli.push(n as f64 / wall);
        per_cert(cpu, &mut cli_cpu);
        ratios.push(cli[run] / floor[run]);

        // The same files, the minimal durable way, with nothing issued.
        let plain = dir.join(format!("files{run}"));
        std::fs::create_dir(&plain).unwrap();
        let (wall, cpu) = measure(|| {
            for (e, issued) in entries.iter().zip(&issued) {
                let mut file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(plain.join(talmint::roster::file_name(e)))
                    .unwrap();
                file.write_all(issued.yaml.as_bytes()).unwrap();
            }
            rustix::fs::syncfs(File::open(&plain).unwrap()).unwrap();
        });
        files.push(n as f64 / wall);
        per_cert(cpu, &mut files_cpu);
    }
    let (f, c, p, w) = (
        median(floor),
        median(cli),
        median(in_process),
        median(files),
    );
    println!("roster bench: n={n} runs={runs} threads={threads}");
    println!("floor (key+cert+PEM in process): {f:.0} certs/s (median)");
    println!("roster pipeline in process (talosconfig YAML, no files): {p:.0} certs/s (median)");
    println!("talmint issue --roster (files, fsync, ledger): {c:.0} certs/s (median)");
    println!(
        "files alone (the same talosconfigs, one thread, one syncfs): {w:.0} files/s (median)"
    );
    println!(
        "ratio: {:.0}% of the median floor; per run {} (median {:.0}%)",
        100.0 * c / f,
        ratios
            .iter()
            .map(|r| format!("{:.0}%", 100.0 * r))
            .collect::<Vec<_>>()
            .join(" "),
        100.0 * median(ratios.clone())
    );
    if floor_cpu.len() == runs && files_cpu.len() == runs && cli_cpu.len() == runs {
        let (fc, wc, cc) = (median(floor_cpu), median(files_cpu), median(cli_cpu));
        println!(
            "machine CPU per credential (median; all cores, kernel threads included): floor {fc:.0} us, \
             files alone {wc:.0} us, talmint issue {cc:.0} us"
        );
        println!(
            "ceiling this file system puts on the ratio, floor / (floor + files alone): {:.0}%",
            100.0 * fc / (fc + wc)
        );
    }
}
