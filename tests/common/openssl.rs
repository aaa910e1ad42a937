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

/// [`run`], failing the test when openssl does.
pub fn run_ok(args: &[&str], dir: &Path) {
    let (ok, text) = run(args, dir);
    assert!(ok, "openssl {args:?}: {text}");
}

/// Re-label Talos's `ED25519 PRIVATE KEY` (PKCS#8) as `PRIVATE KEY` for openssl.
pub fn relabel_pkcs8(pem: &str) -> String {
    pem.replace("ED25519 PRIVATE KEY", "PRIVATE KEY")
}

/// A leaf made by openssl and signed by `ca`, with the given EKU list and one O value.
pub fn leaf_with_eku(ca: &talmint::pki::CaKeyPair, dir: &Path, eku: &str, org: &str) -> Credential {
    leaf(ca, dir, &format!("extendedKeyUsage={eku}"), org, "4242")
}

/// An Ed25519 leaf signed by `ca` with openssl: subject `O=org`, critical key usage
/// digitalSignature, the extension lines `ext` and serial `serial` (as `-set_serial` reads it),
/// valid for a day; with the CA as the context's `ca`.
pub fn leaf(
    ca: &talmint::pki::CaKeyPair,
    dir: &Path,
    ext: &str,
    org: &str,
    serial: &str,
) -> Credential {
    let w = |name: &str, text: &str| {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(dir.join(name), text).unwrap();
    };
    w("ca.crt", ca.cert_pem());
    w("ca.key", &relabel_pkcs8(&ca.secret_key_pem().unwrap()));
    w(
        "ext.cnf",
        &format!("keyUsage=critical,digitalSignature\n{ext}\n"),
    );
    let run_ok = |args: &[&str]| run_ok(args, dir);
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
        serial,
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
    make_cert_signed(dir, name, subj, ext, issuer, days, &[])
}

/// [`make_cert`] with extra `openssl x509` signing options (`-sha384`, `-sigopt …`).
pub fn make_cert_signed(
    dir: &Path,
    name: &str,
    subj: &str,
    ext: &str,
    issuer: Option<&str>,
    days: u32,
    signing: &[&str],
) -> Vec<u8> {
    let w = |file: &str, text: &str| {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(dir.join(file), text).unwrap();
    };
    let run_ok = |args: &[&str]| run_ok(args, dir);
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
    args.extend(signing);
    run_ok(&args);
    std::fs::read(dir.join(&crt)).unwrap()
}

/// `cred` (made by [`leaf`] in `dir`) with its extension `oid` repeated, signed again by the
/// Ed25519 CA in `dir` with openssl: a certificate openssl's own tools will not write.
pub fn repeat_extension(cred: &Credential, dir: &Path, oid: &str) -> Credential {
    use der::{Decode, Encode};
    let der = pem::parse(&cred.crt_pem).unwrap().into_contents();
    let mut cert = x509_cert::Certificate::from_der(&der).unwrap();
    let exts = cert.tbs_certificate.extensions.as_mut().unwrap();
    let ext = exts
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .unwrap()
        .clone();
    exts.push(ext);
    #[allow(clippy::disallowed_methods)]
    std::fs::write(dir.join("tbs.der"), cert.tbs_certificate.to_der().unwrap()).unwrap();
    let (ok, text) = run(
        &[
            "pkeyutl", "-sign", "-rawin", "-inkey", "ca.key", "-in", "tbs.der", "-out", "sig.bin",
        ],
        dir,
    );
    assert!(ok, "openssl pkeyutl: {text}");
    let sig = std::fs::read(dir.join("sig.bin")).unwrap();
    cert.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    let pem = pem::encode(&pem::Pem::new("CERTIFICATE", cert.to_der().unwrap()));
    Credential {
        ca_pem: cred.ca_pem.clone(),
        crt_pem: pem.into_bytes(),
        key_pem: cred.key_pem.clone(),
    }
}
