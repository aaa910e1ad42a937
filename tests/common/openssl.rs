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

/// Write `ca` into `dir` as `<name>.crt` and `<name>.key` (a label openssl reads).
pub fn write_ca(ca: &talmint::pki::CaKeyPair, dir: &Path, name: &str) {
    #[allow(clippy::disallowed_methods)]
    {
        std::fs::write(dir.join(format!("{name}.crt")), ca.cert_pem()).unwrap();
        std::fs::write(
            dir.join(format!("{name}.key")),
            relabel_pkcs8(&ca.secret_key_pem().unwrap()),
        )
        .unwrap();
    }
}

/// Make `<name>.key` (Ed25519, unless the file exists) and `<name>.crt` in `dir` with openssl: subject `subj`, the
/// extension lines `ext`, valid for `days` from now, signed by `<issuer>.crt`/`<issuer>.key`
/// in `dir`, or self-signed when `issuer` is `None`. An empty `ext` on a self-signed
/// certificate makes a version 1 certificate. Returns the certificate PEM.
pub fn make_cert(
    dir: &Path,
    name: &str,
    subj: &str,
    ext: &str,
    issuer: Option<&str>,
    days: u32,
) -> Vec<u8> {
    let w = |file: &str, text: &str| {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(dir.join(file), text).unwrap();
    };
    let run_ok = |args: &[&str]| {
        let (ok, text) = run(args, dir);
        assert!(ok, "openssl {args:?}: {text}");
    };
    let (key, csr, crt, extfile) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.crt"),
        format!("{name}.ext"),
    );
    let days = days.to_string();
    w("req.cnf", "[req]\ndistinguished_name=dn\n[dn]\n");
    w(&extfile, &format!("{ext}\n"));
    if !dir.join(&key).exists() {
        run_ok(&["genpkey", "-algorithm", "ed25519", "-out", &key]);
    }
    run_ok(&[
        "req", "-new", "-key", &key, "-subj", subj, "-config", "req.cnf", "-out", &csr,
    ]);
    let mut args = vec!["x509", "-req", "-in", &csr, "-days", &days, "-out", &crt];
    let (ca_crt, ca_key);
    match issuer {
        Some(issuer) => {
            ca_crt = format!("{issuer}.crt");
            ca_key = format!("{issuer}.key");
            args.extend(["-CA", &ca_crt, "-CAkey", &ca_key, "-set_serial", "77"]);
        }
        None => args.extend(["-signkey", &key]),
    }
    if !ext.is_empty() {
        args.extend(["-extfile", &extfile]);
    }
    run_ok(&args);
    std::fs::read(dir.join(&crt)).unwrap()
}
