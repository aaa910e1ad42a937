//! Shared test support: fixture lookup, a fresh environment per test, the real binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Talos fixtures (`$TALMINT_TALOS_FIXTURES` or `../shared/fixtures/talos`), or `None` when
/// missing. Under `CI=true` a missing directory fails the test.
///
/// Tests get a private copy (one per test process, under cargo's target tmp dir): commands that
/// write beside their input (the issuance ledger beside a secrets bundle) can never change the
/// shared fixtures.
pub fn talos_dir() -> Option<PathBuf> {
    static COPY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = std::env::var_os("TALMINT_TALOS_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/talos")
            });
        if !dir.is_dir() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "Talos fixtures missing at {}: CI needs ../shared/fixtures/talos",
                    dir.display()
                );
            }
            eprintln!(
                "SKIP: Talos fixtures missing at {} (set TALMINT_TALOS_FIXTURES)",
                dir.display()
            );
            return None;
        }
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Copies left by earlier runs (an hour old or more) are removed.
        for old in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            let stale = old
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok());
            if old
                .file_name()
                .to_string_lossy()
                .starts_with("talos-fixtures-")
                && stale.is_some_and(|age| age.as_secs() > 3600)
            {
                let _ = std::fs::remove_dir_all(old.path());
            }
        }
        let copy = tmp.join(format!("talos-fixtures-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&copy);
        copy_tree(&dir, &copy);
        Some(copy)
    })
    .clone()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Path of one Talos fixture; `None` (test skipped) when the fixtures are missing.
pub fn talos(rel: &str) -> Option<PathBuf> {
    talos_dir().map(|d| d.join(rel))
}

/// Compare bytes and print a readable line diff on mismatch.
#[macro_export]
macro_rules! assert_bytes_eq {
    ($expected:expr, $actual:expr) => {{
        match (&$expected, &$actual) {
            (e, a) => $crate::common::bytes_eq(AsRef::<[u8]>::as_ref(e), AsRef::<[u8]>::as_ref(a)),
        }
    }};
}

/// The body of `assert_bytes_eq!`.
pub fn bytes_eq(e: &[u8], a: &[u8]) {
    {
        {
            if e != a {
                let es = String::from_utf8_lossy(e);
                let as_ = String::from_utf8_lossy(a);
                let mut msg = String::new();
                for (i, (el, al)) in es.lines().zip(as_.lines()).enumerate() {
                    if el != al {
                        msg = format!("first difference at line {}:\n- {el}\n+ {al}", i + 1);
                        break;
                    }
                }
                if msg.is_empty() {
                    msg = format!(
                        "lengths differ: expected {} bytes, got {}",
                        e.len(),
                        a.len()
                    );
                }
                panic!("bytes differ: {msg}");
            }
        }
    }
}

/// A fresh temporary working directory with `HOME` inside it and a cleared environment.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        Env {
            vars: vec![
                ("HOME".into(), home.display().to_string()),
                ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ],
            dir,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        #[allow(clippy::disallowed_methods)]
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// The real `talmint` binary, run in this directory with only this environment.
    pub fn talmint(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_talmint"));
        c.current_dir(self.dir.path()).env_clear();
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// Run `talmint args…` and return its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.talmint().args(args).output().unwrap()
    }

    /// Run `talmint args…` with `input` on its stdin and return its output.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .talmint()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "talmint {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Every file below the directory with its bytes and mode: to assert that nothing changed.
    pub fn tree_digest(&self) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
        tree_digest(self.dir.path())
    }
}

pub fn tree_digest(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let md = e.metadata().unwrap();
            if md.is_dir() {
                stack.push(e.path());
            } else {
                let mode = md.permissions().mode() & 0o7777;
                out.insert(
                    e.path(),
                    (std::fs::read(e.path()).unwrap_or_default(), mode),
                );
            }
        }
    }
    out
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
/// A talosconfig `tc` in `env` whose one context `x` sends its leaf with the intermediate CA that
/// signed it (`crt` = leaf PEM then intermediate PEM, as talosctl sends both), all issued at
/// `now`: the root `O=talos` (`talos.crt`, 10 years, the context's `ca`), the intermediate
/// `O=int` (`int.crt`, `int_hours`) and the leaf `O=os:admin` (`u.crt`, `leaf_hours`, made by
/// `gen crt`, which as talosctl does not cap it at its CA's expiry, so it may outlive `O=int`).
pub fn intermediate_talosconfig(
    env: &Env,
    now: time::OffsetDateTime,
    tc: &str,
    int_hours: u64,
    leaf_hours: u64,
) {
    use talmint::pki::{CaKeyPair, Profile, Ttl};
    let at = talmint::report::rfc3339(now);
    let run = |args: &[&str]| {
        let mut all = vec!["--now", at.as_str()];
        all.extend_from_slice(args);
        env.ok(&all);
    };
    run(&["gen", "ca", "--organization", "talos", "--hours", "87600"]);
    let root = CaKeyPair::from_pem(&env.read("talos.crt"), &env.read("talos.key")).unwrap();
    let int = root
        .issue(&Profile::ca("int"), now, Ttl::from_hours(int_hours))
        .unwrap();
    env.write("int.crt", &int.cert_pem);
    env.write("int.key", int.key.unwrap().to_pem().unwrap().as_bytes());
    run(&["gen", "key", "--name", "u"]);
    run(&[
        "gen", "csr", "--key", "u.key", "--ip", "10.5.0.2", "--roles", "os:admin",
    ]);
    let hours = leaf_hours.to_string();
    run(&[
        "gen", "crt", "--name", "u", "--ca", "int", "--csr", "u.csr", "--hours", &hours,
    ]);
    let mut chain = env.read("u.crt");
    chain.extend_from_slice(int.cert_pem.as_bytes());
    env.write("chain.pem", chain);
    add_intermediate_context(env, "x", tc);
}

/// Add context `name` to `tc` with the files [`intermediate_talosconfig`] made: `ca` the root,
/// `crt` the leaf and the intermediate.
pub fn add_intermediate_context(env: &Env, name: &str, tc: &str) {
    let files = ["--crt", "chain.pem", "--key", "u.key", "--talosconfig", tc];
    let mut args = vec!["config", "add", name, "--ca", "talos.crt"];
    args.extend(files);
    env.ok(&args);
}

pub mod apid;
pub mod openssl;
