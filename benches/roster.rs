//! Roster throughput against the in-process floor (issue 5).
//!
//! `cargo bench --bench roster` (env `ROSTER_N`, default 10000; `ROSTER_RUNS`, default 5;
//! `ROSTER_DIR` to keep the files written there instead of removing them):
//! 1. floor: key + client certificate + PEM in process, on every core, no files;
//! 2. the roster pipeline in process (talosconfig YAML per entry), no files;
//! 3. roster: the real `talmint issue --roster` command writing N talosconfigs and the ledger
//!    (release binary).
//!
//! The three take turns within each run. Reports medians in certificates per second, and the
//! ratio roster/floor (of the medians, and per run).
//!
//! On ext4 without a journal, creating files soon after thousands were deleted is several times
//! slower (the inode allocator skips recently freed inodes, one lookup each): leave a few minutes
//! after deleting many files (a previous run's, the test suite's) before running it.

use std::process::Command;
use std::time::Instant;

use talmint::bundle::SecretsBundle;
use talmint::contract::VersionContract;
use talmint::pki::Ttl;
use talmint::roles::RoleSet;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
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
    let entries = talmint::roster::parse(&roster, "bench", &defaults, None).unwrap();
    let ca_pem = ca.cert_pem().as_bytes().to_vec();
    #[allow(clippy::disallowed_methods)]
    std::fs::write(dir.join("team.yaml"), &roster).unwrap();
    let bin = env!("CARGO_BIN_EXE_talmint");

    // The three take turns within each run, so that all see the machine in the same state (its
    // speed drifts); the ratio is also taken per run.
    let (mut floor, mut in_process, mut cli, mut ratios) = (vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        let t = Instant::now();
        std::thread::scope(|s| {
            for part in 0..threads {
                let (ca, roles) = (&ca, &roles);
                s.spawn(move || {
                    let mut bytes = 0usize;
                    for _ in (part..n).step_by(threads) {
                        let issued = ca.issue_client(roles, now, Ttl::from_hours(8)).unwrap();
                        bytes +=
                            issued.cert_pem.len() + issued.key.unwrap().to_pem().unwrap().len();
                    }
                    std::hint::black_box(bytes);
                });
            }
        });
        floor.push(n as f64 / t.elapsed().as_secs_f64());

        let t = Instant::now();
        let out = talmint::roster::issue_all(
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
            },
        )
        .unwrap();
        std::hint::black_box(out.len());
        in_process.push(n as f64 / t.elapsed().as_secs_f64());

        let out = format!("out{run}");
        let t = Instant::now();
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
        cli.push(n as f64 / t.elapsed().as_secs_f64());
        ratios.push(cli[run] / floor[run]);
    }
    let (f, c, p) = (median(floor), median(cli), median(in_process));
    println!("roster bench: n={n} runs={runs} threads={threads}");
    println!("floor (key+cert+PEM in process): {f:.0} certs/s (median)");
    println!("roster pipeline in process (talosconfig YAML, no files): {p:.0} certs/s (median)");
    println!("talmint issue --roster (files, fsync, ledger): {c:.0} certs/s (median)");
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
}
