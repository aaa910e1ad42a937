//! No private key reaches `Debug`, `Display`, an error message or another user.

mod common;

use base64::Engine;
use talmint::bundle::SecretsBundle;
use talmint::contract::VersionContract;
use talmint::pki::{CaKeyPair, KeyAlgorithm, PrivateKey, Profile, Ttl};
use talmint::talosconfig::{Config, Context};
use time::OffsetDateTime;

/// Every way a key could show up: PEM armour, base64 of the PEM, base64 of the raw key bytes.
fn assert_clean(text: &str, keys: &[&PrivateKey]) {
    assert!(!text.contains("PRIVATE KEY"), "PEM armour leaked: {text}");
    for key in keys {
        let pem = key.to_pem().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        for needle in [
            b64.encode(pem.as_bytes()),
            b64.encode(key.secret_raw()),
            b64.encode(&*key.secret_pkcs8_der().unwrap()),
        ] {
            let probe = &needle[..needle.len().min(24)];
            assert!(!text.contains(probe), "key material leaked: {text}");
        }
        let hex: String = key
            .secret_raw()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            !text.to_lowercase().contains(&hex),
            "key hex leaked: {text}"
        );
    }
}

#[test]
fn debug_of_every_secret_holding_type_omits_key_material() {
    let now = OffsetDateTime::now_utc();
    let bundle = SecretsBundle::generate(VersionContract::new(1, 6), now).unwrap();
    let ca = bundle.os_ca().unwrap();
    let issued = ca
        .issue_client(&"os:admin".parse().unwrap(), now, Ttl::from_hours(1))
        .unwrap();
    let client_key = issued.key.as_ref().unwrap();
    let ctx = Context {
        key: zeroize::Zeroizing::new(client_key.to_pem().unwrap().to_string()),
        ..Context::default()
    };
    let config = Config {
        context: "x".into(),
        contexts: vec![("x".into(), ctx.clone())],
    };
    let texts = [
        format!("{bundle:?}"),
        format!("{ca:?}"),
        format!("{issued:?}"),
        format!("{client_key:?}"),
        format!("{ctx:?}"),
        format!("{config:?}"),
    ];
    for t in &texts {
        assert_clean(t, &[client_key, ca.key()]);
    }
    let ec =
        PrivateKey::from_pem(&bundle.certs.as_ref().unwrap().etcd.as_ref().unwrap().key).unwrap();
    assert_clean(&format!("{ec:?}"), &[&ec]);
}

#[test]
fn errors_about_keys_name_the_problem_never_the_key() {
    let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let pem = key.to_pem().unwrap();
    // A key where a certificate belongs.
    let err = talmint::pki::Certificate::from_pem(pem.as_bytes()).unwrap_err();
    assert_clean(&format!("{err} {err:?}"), &[&key]);
    // A key that does not match its certificate.
    let ca = CaKeyPair::generate(
        &Profile::ca("talos"),
        KeyAlgorithm::Ed25519,
        OffsetDateTime::now_utc(),
        Ttl::from_hours(1),
    )
    .unwrap();
    let err = CaKeyPair::from_pem(ca.cert_pem().as_bytes(), pem.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the private key does not match the certificate's public key"
    );
    assert_clean(&format!("{err} {err:?}"), &[&key, ca.key()]);
    // A corrupted key.
    let mut bad = pem.to_string();
    bad.insert_str(40, "AAAA");
    if let Err(err) = PrivateKey::from_pem(bad.as_bytes()) {
        assert_clean(&format!("{err} {err:?}"), &[&key]);
    }
    // A bundle whose os.key holds garbage base64.
    let text =
        "cluster:\n    id: a\n    secret: b\ncerts:\n    os:\n        crt: x\n        key: '!!!'\n";
    let err = SecretsBundle::parse(text).unwrap_err();
    assert!(err.to_string().contains("certs.os"), "{err}");
    assert!(!err.to_string().contains("!!!"));
}

/// A key pasted where the bundle expects a mapping (`os: <key>` instead of `os: {crt, key}`), or
/// a token where `secrets:` should be: the message names the place and the kind, not the value,
/// in the library and through both commands that read a bundle.
#[test]
fn a_misplaced_secret_in_a_bundle_is_not_echoed() {
    let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(key.to_pem().unwrap().as_bytes());
    let env = common::Env::new();
    for (file, text, place) in [
        ("os.yaml", format!("certs:\n    os: {b64}\n"), "certs.os"),
        (
            "quoted.yaml",
            format!("certs:\n    os: \"{b64}\"\n"),
            "certs.os",
        ),
        ("secrets.yaml", format!("secrets: {b64}\n"), "secrets"),
        ("top.yaml", format!("{b64}\n"), "a secrets bundle mapping"),
    ] {
        let err = SecretsBundle::parse(&text).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(place) && msg.contains("(value hidden)"),
            "{file}: {msg}"
        );
        assert_clean(&format!("{err} {err:?}"), &[&key]);
        env.write(file, &text);
        for args in [
            vec!["config", "new", "-o", "-", "--with-secrets", file],
            vec![
                "gen",
                "config",
                "c",
                "https://10.5.0.2:6443",
                "--with-secrets",
                file,
            ],
        ] {
            let out = env.run(&args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let stderr = common::stderr(&out);
            assert!(stderr.contains(place), "{args:?}: {stderr}");
            assert_clean(&stderr, &[&key]);
            assert!(common::stdout(&out).is_empty(), "{args:?}");
        }
    }
}

/// A patch that misspells a key holding a secret: Talos lists unknown keys with their values,
/// talmint lists the keys only.
#[test]
fn a_misspelled_secret_key_in_a_config_patch_is_not_echoed() {
    let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(key.to_pem().unwrap().as_bytes());
    let env = common::Env::new();
    env.ok(&["gen", "secrets", "-o", "secrets.yaml"]);
    env.write("patch.yaml", format!("machine:\n  ca:\n    kye: {b64}\n"));
    let out = env.run(&[
        "gen",
        "config",
        "c",
        "https://10.5.0.2:6443",
        "--with-secrets",
        "secrets.yaml",
        "--config-patch",
        "@patch.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = common::stderr(&out);
    assert!(
        stderr.contains("unknown keys found during decoding: machine: ca: kye: (value hidden)"),
        "{stderr}"
    );
    assert_clean(&stderr, &[&key]);
}

/// Whether this process may give files away (root); the tests of files planted by another user
/// need it, and say so when skipped.
fn as_root(env: &common::Env) -> bool {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata(env.write("probe", "")).unwrap().uid() == 0;
    if !root {
        eprintln!("skipped: only root can make a file owned by another user");
    }
    root
}

/// A directory like /tmp: sticky, anyone may create files in it.
fn shared_dir(env: &common::Env) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = env.path("shared");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

const NOBODY: u32 = 65534;

/// Another user's symbolic link `link` to `target`, as they would plant it.
fn plant_link(env: &common::Env, target: &std::path::Path, link: &str) {
    let link = env.path(link);
    std::os::unix::fs::symlink(target, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(NOBODY), Some(NOBODY)).unwrap();
}

/// Another user's directory `rel` (mode 0755).
fn their_dir(env: &common::Env, rel: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = env.path(rel);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY)).unwrap();
    dir
}

/// `talmint args…` fails (exit 1) on a link another user planted, writing nothing.
fn assert_refused_as_planted(env: &common::Env, args: &[&str]) {
    let before = env.tree_digest();
    let out = env.run(args);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(
        err.contains("is a symbolic link another user (uid 65534) made in a shared directory"),
        "{args:?}: {err}"
    );
    assert_eq!(env.tree_digest(), before, "{args:?}: nothing written");
}

/// Review r14: a file another user planted in a shared directory, replaced with `--force`, was
/// given to that user (the owner was kept), who could then read the secrets. In a directory of
/// one's own the owner is still kept (root editing a user's file leaves it theirs).
#[test]
fn force_never_hands_a_secret_to_the_owner_of_a_planted_file() {
    use std::os::unix::fs::MetadataExt;
    let env = common::Env::new();
    if !as_root(&env) {
        return;
    }
    shared_dir(&env);
    for name in ["shared/secrets.yaml", "own/secrets.yaml"] {
        let planted = env.write(name, "planted");
        std::os::unix::fs::chown(&planted, Some(NOBODY), Some(NOBODY)).unwrap();
        env.ok(&["gen", "secrets", "-o", name, "--force"]);
        let meta = std::fs::metadata(&planted).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600, "{name}");
        let owner = if name.starts_with("shared") {
            0
        } else {
            NOBODY
        };
        assert_eq!(meta.uid(), owner, "{name}");
    }
}

/// Review r14: `--force` onto another user's named pipe wrote the secrets into it, to whoever
/// read the other end. One's own pipe, and standard output piped, are still written into.
#[test]
fn force_writes_into_ones_own_pipe_but_not_another_users() {
    let env = common::Env::new();
    if !as_root(&env) {
        return;
    }
    shared_dir(&env);
    let fifo = |rel: &str| {
        let ok = std::process::Command::new("mkfifo")
            .arg(env.path(rel))
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {rel}");
        env.path(rel)
    };
    let theirs = fifo("shared/theirs");
    std::os::unix::fs::chown(&theirs, Some(NOBODY), Some(NOBODY)).unwrap();
    // The other user, reading their pipe.
    let reader = std::thread::spawn({
        let theirs = theirs.clone();
        move || std::fs::read_to_string(theirs).unwrap()
    });
    let out = env.run(&["gen", "secrets", "-o", "shared/theirs", "--force"]);
    // Let the reader see an end (a writer that opens and closes), unless it already has one.
    while !reader.is_finished() {
        use std::os::unix::fs::OpenOptionsExt;
        let nonblocking = rustix::fs::OFlags::NONBLOCK.bits() as i32;
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(nonblocking)
            .open(&theirs);
        if opened.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(reader.join().unwrap(), "", "nothing reached the other user");
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("refusing to write shared/theirs: it is a named pipe of another user"),
        "{err}"
    );

    let mine = fifo("mine");
    let reader = std::thread::spawn(move || std::fs::read_to_string(mine).unwrap());
    env.ok(&["gen", "secrets", "-o", "mine", "--force"]);
    assert!(reader.join().unwrap().contains("secrets:"));

    // `-o /dev/stdout` into a pipe (it failed: the link chain ends in `pipe:[…]`, no file).
    let out = env.ok(&["gen", "secrets", "-o", "/dev/stdout", "--force"]);
    assert!(common::stdout(&out).contains("secrets:"));
}

/// Review r14: `--force` followed a symbolic link that another user made in a shared directory,
/// so it could be made to overwrite any file (the kernel's protected_symlinks rule, which
/// talmint's own walk of the link chain got around).
#[test]
fn force_refuses_a_link_another_user_planted_in_a_shared_directory() {
    let env = common::Env::new();
    if !as_root(&env) {
        return;
    }
    shared_dir(&env);
    let victim = env.write("victim", "precious");
    plant_link(&env, &victim, "shared/secrets.yaml");
    assert_refused_as_planted(
        &env,
        &["gen", "secrets", "-o", "shared/secrets.yaml", "--force"],
    );
    assert_eq!(env.read("victim"), b"precious");
}

/// Review r14: a talosconfig edit kept a world-readable mode while writing a private key into
/// the file. Its owner and group keep their access; others lose theirs.
#[test]
fn a_talosconfig_edit_takes_others_access_away() {
    use std::os::unix::fs::PermissionsExt;
    let env = common::Env::new();
    env.ok(&["gen", "secrets"]);
    env.ok(&["config", "new", "tc", "--with-secrets", "secrets.yaml"]);
    std::fs::set_permissions(env.path("tc"), std::fs::Permissions::from_mode(0o664)).unwrap();
    env.ok(&["config", "endpoint", "10.5.0.2", "--talosconfig", "tc"]);
    let mode = std::fs::metadata(env.path("tc"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
}

/// Review r14b: a link another user planted in a shared directory was checked only as the last
/// name: a planted link to a character device (their terminal) got the secrets written into it,
/// and a planted link to a directory of theirs gave them the replaced file (its owner, theirs,
/// was kept). Every link on the way is checked now, for a file as for a roster's directory.
#[test]
fn force_refuses_planted_links_to_devices_and_directories_on_the_way() {
    let env = common::Env::new();
    if !as_root(&env) {
        return;
    }
    env.ok(&["gen", "secrets"]);
    shared_dir(&env);
    // Their "terminal": a null device of the test's own, so nothing real is written to.
    let made = std::process::Command::new("mknod")
        .args([
            "-m",
            "666",
            env.path("their-tty").to_str().unwrap(),
            "c",
            "1",
            "3",
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(made);
    plant_link(&env, &env.path("their-tty"), "shared/tty");
    // Their directory, with a file of theirs in it.
    let theirs = their_dir(&env, "theirs");
    let out = env.write("theirs/out", "theirs");
    std::os::unix::fs::chown(out, Some(NOBODY), Some(NOBODY)).unwrap();
    plant_link(&env, &theirs, "shared/dir");
    env.write("r.yaml", "entries:\n  - name: a\n    roles: [os:reader]\n");
    for args in [
        &["gen", "secrets", "-o", "shared/tty", "--force"][..],
        &["gen", "secrets", "-o", "shared/dir/out", "--force"],
        &[
            "config",
            "new",
            "shared/dir/c.tc",
            "--with-secrets",
            "secrets.yaml",
        ],
        &[
            "issue",
            "--roster",
            "r.yaml",
            "--with-secrets",
            "secrets.yaml",
            "-o",
            "shared/dir",
        ],
    ] {
        assert_refused_as_planted(&env, args);
    }
}

/// Review r14b: `sudo talmint … -o /dev/stdout --force | kubectl …` was refused, its pipe being
/// another user's: a pipe with no name is the caller's own plumbing, whoever made it.
#[test]
fn force_writes_into_a_pipe_another_user_made_for_its_output() {
    use std::io::Read;
    let env = common::Env::new();
    if !as_root(&env) {
        return;
    }
    // The pipe of an unprivileged user's shell (`… | kubectl`), written by root (sudo).
    let (mut reader, writer) = std::io::pipe().unwrap();
    std::os::unix::fs::fchown(&writer, Some(NOBODY), Some(NOBODY)).unwrap();
    let child = env
        .talmint()
        .args(["gen", "secrets", "-o", "/dev/stdout", "--force"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(text.contains("secrets:"), "{text}");
}

/// Review r14b: the talosconfig's lock file was opened through links and into pipes: a
/// `tc.lock` planted as a link made root create files elsewhere (then spin), as a pipe it hung.
#[test]
fn a_planted_lock_file_is_refused_not_followed() {
    let env = common::Env::new();
    env.ok(&["gen", "secrets"]);
    env.ok(&["config", "new", "tc", "--with-secrets", "secrets.yaml"]);
    std::os::unix::fs::symlink(env.path("elsewhere"), env.path("tc.lock")).unwrap();
    let out = env.run(&["config", "endpoint", "10.5.0.2", "--talosconfig", "tc"]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("tc.lock: it is not a plain file of this user"),
        "{err}"
    );
    assert!(
        !env.path("elsewhere").exists(),
        "nothing created through the link"
    );

    std::fs::remove_file(env.path("tc.lock")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(env.path("tc.lock"))
        .status()
        .unwrap()
        .success();
    assert!(made);
    let out = env.run(&["config", "endpoint", "10.5.0.2", "--talosconfig", "tc"]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("tc.lock: it is not a plain file of this user"),
        "{err}"
    );
}

/// Review r14c: a planted link reached through one's own link (`mine/d -> ../shared/pd`, the
/// latter planted) was not caught; nor was one given as `--ledger`, nor another user's pipe or
/// lock file there (they could read the ledger, or hold every edit for ever).
#[test]
fn planted_links_are_refused_however_reached_and_for_the_ledger_and_lock_too() {
    let env = common::Env::new();
    if !as_root(&env) {
        return;
    }
    env.ok(&["gen", "secrets"]);
    shared_dir(&env);
    let theirs = their_dir(&env, "theirs");
    plant_link(&env, &theirs, "shared/pd");
    std::fs::create_dir(env.path("mine")).unwrap();
    std::os::unix::fs::symlink("../shared/pd", env.path("mine/d")).unwrap();
    plant_link(&env, &theirs.join("ledger.jsonl"), "shared/ledger.jsonl");
    for args in [
        &[
            "config",
            "new",
            "mine/d/x",
            "--with-secrets",
            "secrets.yaml",
            "--force",
        ][..],
        &[
            "config",
            "new",
            "a.tc",
            "--with-secrets",
            "secrets.yaml",
            "--ledger",
            "shared/ledger.jsonl",
        ],
    ] {
        assert_refused_as_planted(&env, args);
        assert!(!theirs.join("ledger.jsonl").exists());
    }

    // Their lock file beside a talosconfig in the shared directory.
    env.ok(&[
        "config",
        "new",
        "shared/tc",
        "--with-secrets",
        "secrets.yaml",
    ]);
    let lock = env.write("shared/tc.lock", "");
    std::os::unix::fs::chown(&lock, Some(NOBODY), Some(NOBODY)).unwrap();
    let out = env.run(&[
        "config",
        "endpoint",
        "10.5.0.2",
        "--talosconfig",
        "shared/tc",
    ]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("tc.lock: it is not a plain file of this user"),
        "{err}"
    );
}
