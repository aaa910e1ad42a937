//! The `openssl` CLI as an independent peer.

use std::path::Path;
use std::process::Command;

use super::apid::Credential;

/// Whether `openssl` is on PATH. Under `CI=true` its absence fails the test (CI installs it).
pub fn available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("openssl CLI missing: .ci/run installs it");
        }
        eprintln!("SKIP: openssl CLI missing");
    }
    ok
}

/// Run openssl with `args`; returns (success, stdout+stderr).
pub fn run(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Re-label Talos's `ED25519 PRIVATE KEY` (PKCS#8) as `PRIVATE KEY` for openssl.
pub fn relabel_pkcs8(pem: &str) -> String {
    pem.replace("ED25519 PRIVATE KEY", "PRIVATE KEY")
}

/// A leaf made by openssl and signed by `ca`, with the given EKU list and one O value.
pub fn leaf_with_eku(ca: &talmint::pki::CaKeyPair, dir: &Path, eku: &str, org: &str) -> Credential {
    let w = |name: &str, text: &str| {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(dir.join(name), text).unwrap();
    };
    w("ca.crt", ca.cert_pem());
    w("ca.key", &relabel_pkcs8(&ca.secret_key_pem().unwrap()));
    w(
        "ext.cnf",
        &format!("keyUsage=critical,digitalSignature\nextendedKeyUsage={eku}\n"),
    );
    let run_ok = |args: &[&str]| {
        let (ok, text) = run(args, dir);
        assert!(ok, "openssl {args:?}: {text}");
    };
    run_ok(&["genpkey", "-algorithm", "ed25519", "-out", "leaf.key"]);
    run_ok(&[
        "req",
        "-new",
        "-key",
        "leaf.key",
        "-subj",
        &format!("/O={org}"),
        "-out",
        "leaf.csr",
    ]);
    run_ok(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "4242",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-out",
        "leaf.crt",
    ]);
    let r = |name: &str| std::fs::read(dir.join(name)).unwrap();
    Credential {
        ca_pem: r("ca.crt"),
        crt_pem: r("leaf.crt"),
        key_pem: r("leaf.key"),
    }
}
