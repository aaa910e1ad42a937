//! Regressions: inputs talosctl accepts (or reads another way) that talmint got wrong. Each test
//! names the talosctl code it matches.

mod common;

use common::Env;

/// The `notAfter` of the talosconfig's certificate, read back with `inspect -o json`.
fn talosconfig_not_after(env: &Env, path: &str) -> String {
    let out = env.ok(&["inspect", path, "-o", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = json["files"][0]["entries"].as_array().unwrap();
    let context = entries.iter().find(|e| e["type"] == "context").unwrap();
    context["certificate"]["notAfter"]
        .as_str()
        .unwrap()
        .to_string()
}

/// talosctl's `gen config` never compares the talosconfig certificate's TTL with the OS CA's
/// expiry (generate/talosconfig.go; siderolabs/crypto x509 `NewKeyPair`): it writes every file.
#[test]
fn gen_config_with_a_ca_expiring_within_the_crt_ttl_writes_every_file() {
    let env = Env::new();
    // The OS CA is valid 10 years: until 2029-12-29. v1.6: an ECDSA service-account key (fast).
    env.ok(&[
        "--now",
        "2020-01-01T00:00:00Z",
        "gen",
        "secrets",
        "--talos-version",
        "v1.6",
    ]);
    let gen = |extra: &[&str]| {
        let mut args = vec![
            "--now",
            "2029-07-01T00:00:00Z",
            "gen",
            "config",
            "c",
            "https://x:6443",
            "--with-secrets",
            "secrets.yaml",
        ];
        args.extend_from_slice(extra);
        env.ok(&args)
    };

    let out = gen(&["-o", "all"]);
    for f in ["controlplane.yaml", "worker.yaml", "talosconfig"] {
        assert!(env.path("all").join(f).is_file(), "{f}");
    }
    // The usual TTL (8760h), past the CA's expiry, as talosctl issues it.
    assert_eq!(
        talosconfig_not_after(&env, "all/talosconfig"),
        "2030-07-01T00:00:00Z"
    );
    let err = common::stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("2029-12-29T00:00:00Z"), "{err}");

    // No talosconfig asked for: no certificate issued, so no warning and no ledger line.
    let ledger_before = std::fs::read(env.path("talmint-ledger.jsonl")).unwrap();
    let out = gen(&["-o", "machines", "-t", "controlplane,worker"]);
    assert!(!common::stderr(&out).contains("warning"), "{out:?}");
    assert!(env.path("machines/controlplane.yaml").is_file());
    assert!(!env.path("machines/talosconfig").exists());
    assert_eq!(
        std::fs::read(env.path("talmint-ledger.jsonl")).unwrap(),
        ledger_before
    );

    // config new keeps refusing a certificate that would outlive its CA.
    let out = env.run(&[
        "--now",
        "2029-07-01T00:00:00Z",
        "config",
        "new",
        "new.talosconfig",
        "--with-secrets",
        "secrets.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains("runs past the CA's expiry"),
        "{out:?}"
    );
}

/// `gen config c https://x:6443 --with-secrets <stability bundle> -t controlplane -o - <extra…>`:
/// the control plane config on stdout.
fn controlplane(env: &Env, extra: &[&str]) -> Option<String> {
    let secrets = common::talos("stability/secrets.yaml")?;
    let mut args = vec![
        "gen",
        "config",
        "c",
        "https://x:6443",
        "--with-secrets",
        secrets.to_str().unwrap(),
        "-t",
        "controlplane",
        "-o",
        "-",
    ];
    args.extend_from_slice(extra);
    Some(common::stdout(&env.ok(&args)))
}

/// pflag `StringSlice` flags read their value as one CSV record (spf13/pflag string_slice.go
/// `readAsCSV`): `""` is no values, a quoted field keeps its commas.
#[test]
fn string_slice_flags_split_as_pflag_csv() {
    let env = Env::new();
    let Some(cp) = controlplane(&env, &["--additional-sans", ""]) else {
        return;
    };
    assert!(cp.contains("    certSANs: []\n"), "{cp}");
    assert!(!cp.contains("certExtraSANs"), "{cp}");

    let cp = controlplane(&env, &["--additional-sans", "\"c,d\",e"]).unwrap();
    assert!(
        cp.contains("    certSANs:\n        - c,d\n        - e\n"),
        "{cp}"
    );
    assert!(cp.contains("certExtraSANs:\n    - c,d\n    - e\n"), "{cp}");

    // Every use adds its values.
    let cp = controlplane(&env, &["--additional-sans", "a", "--additional-sans", "b"]).unwrap();
    assert!(
        cp.contains("    certSANs:\n        - a\n        - b\n"),
        "{cp}"
    );

    let secrets = common::talos("stability/secrets.yaml").unwrap();
    let secrets = secrets.to_str().unwrap();
    let gen = [
        "gen",
        "config",
        "c",
        "https://x:6443",
        "--with-secrets",
        secrets,
    ];
    // An empty -t is no output type at all (talosctl's validateFlags message).
    let out = env.run(&[&gen[..], &["-t", ""]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        common::stderr(&out),
        "error: at least one output type must be specified\n"
    );
    // What Go's encoding/csv refuses is refused, in one line, before anything is written.
    let before = env.tree_digest();
    let out = env.run(&[&gen[..], &["--additional-sans", "a\"b"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: invalid argument \"a\\\"b\" for \"--additional-sans\" flag"),
        "{err}"
    );
    assert_eq!(env.tree_digest(), before);

    // config new and gen csr --roles, config's global --endpoints.
    env.ok(&[
        "config",
        "new",
        "r.talosconfig",
        "--with-secrets",
        secrets,
        "--roles",
        "\"os:reader\",os:etcd:backup",
        "-e",
        "\"10.5.0.2\",10.5.0.3",
    ]);
    let info = common::stdout(&env.ok(&["config", "info", "--talosconfig", "r.talosconfig"]));
    assert!(
        info.contains("os:etcd:backup") && info.contains("os:reader"),
        "{info}"
    );
    assert!(
        info.contains("Endpoints:           10.5.0.2, 10.5.0.3\n"),
        "{info}"
    );
}

/// `--kubernetes-version` loses one leading `v` (`strings.TrimPrefix`, gen/config.go:138), and
/// an empty version fails in `generate.NewInput` under `bundle.NewBundle`'s prefix.
#[test]
fn kubernetes_version_loses_one_leading_v() {
    let env = Env::new();
    let Some(cp) = controlplane(&env, &["--kubernetes-version", "vv1.30"]) else {
        return;
    };
    assert!(
        cp.contains("image: registry.k8s.io/kube-apiserver:vv1.30\n"),
        "{cp}"
    );
    let secrets = common::talos("stability/secrets.yaml").unwrap();
    for empty in ["", "v"] {
        let out = env.run(&[
            "gen",
            "config",
            "c",
            "https://x:6443",
            "--with-secrets",
            secrets.to_str().unwrap(),
            "--kubernetes-version",
            empty,
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            common::stderr(&out),
            "error: failed to generate config bundle: kubernetes version must be specified\n"
        );
    }
}

/// talosctl takes `--talos-version ""` as the current contract (gen/config.go:198,
/// gen/secrets.go:41) and any `vX.Y` (machinery/config/contract.go `ParseContractFromVersion`);
/// the version is only compared, so v1.16 and v2.0 write what the current contract writes, and
/// v0.14 what v1.0 writes.
#[test]
fn talos_versions_talosctl_accepts() {
    let env = Env::new();
    let Some(current) = controlplane(&env, &[]) else {
        return;
    };
    for v in ["", "v1.16", "v2.0"] {
        let out = controlplane(&env, &["--talos-version", v]).unwrap();
        assert!(
            out == current,
            "--talos-version {v:?} differs from the current contract"
        );
    }
    let v1_0 = controlplane(&env, &["--talos-version", "v1.0"]).unwrap();
    let v0_14 = controlplane(&env, &["--talos-version", "v0.14"]).unwrap();
    assert!(v0_14 == v1_0, "v0.14 differs from v1.0");
    for v in ["", "v1.16"] {
        let out = env.ok(&["gen", "secrets", "-o", "-", "--talos-version", v]);
        // The current contract's RSA service-account key ("-----BEGIN RSA PRIVATE KEY-", base64).
        let rsa = "k8sserviceaccount:\n        key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVkt";
        assert!(common::stdout(&out).contains(rsa), "{v:?}");
    }
}

/// `gen keypair --ip ''` makes the CA without an IP SAN (gen/keypair.go `if ip != ""`).
#[test]
fn gen_keypair_with_an_empty_ip_has_no_ip_san() {
    let env = Env::new();
    env.ok(&["gen", "keypair", "--organization", "test", "--ip", ""]);
    let crt = talmint::pki::Certificate::from_pem(&env.read("test.crt")).unwrap();
    assert!(crt.is_ca);
    assert!(crt.ip_sans.is_empty());
}

/// `TAG` set but empty is read with `os.LookupEnv` (helpers/image.go): the installer image gets
/// an empty tag, not the default one.
#[test]
fn an_empty_tag_variable_gives_an_empty_installer_tag() {
    let Some(secrets) = common::talos("stability/secrets.yaml") else {
        return;
    };
    let env = Env::new();
    let out = env
        .talmint()
        .env("TAG", "")
        .args(["gen", "config", "c", "https://x:6443", "--with-secrets"])
        .arg(&secrets)
        .args(["-t", "controlplane", "-o", "-", "--talos-version", "v1.13"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let cp = common::stdout(&out);
    assert!(
        cp.contains(
            "        image: 'factory.talos.dev/metal-installer/\
             376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:'\n"
        ),
        "{cp}"
    );
}

/// `gen config c <endpoint> --with-secrets <stability bundle> -t controlplane -o - <extra…>`.
fn controlplane_for(env: &Env, endpoint: &str, extra: &[&str]) -> Option<String> {
    let secrets = common::talos("stability/secrets.yaml")?;
    let mut args = vec!["gen", "config", "c", endpoint, "--with-secrets"];
    args.push(secrets.to_str().unwrap());
    args.extend_from_slice(&["-t", "controlplane", "-o", "-"]);
    args.extend_from_slice(extra);
    Some(common::stdout(&env.ok(&args)))
}

/// talosctl writes URLs back through Go's `net/url` (`url.Parse`, then `URL.String()`):
/// `controlPlane.endpoint`, `KubeClusterConfig.endpoint`, `issuerURL` and the
/// `RegistryMirrorConfig` endpoint URLs; v1.11 and earlier put `URL.Hostname()` in certSANs.
/// Expected values were printed by Go's net/url (`https://[…%25zone]` alike in Go 1.19 and 1.26).
#[test]
fn urls_are_written_as_go_net_url_prints_them() {
    let env = Env::new();
    let Some(cp) = controlplane_for(&env, "HTTPS://X:6443", &[]) else {
        return;
    };
    assert!(cp.contains("\nendpoint: https://X:6443\n"), "{cp}");
    assert!(cp.contains("    issuerURL: https://X:6443\n"), "{cp}");
    assert!(!cp.contains("HTTPS://"), "{cp}");

    let cp = controlplane_for(&env, "https://ü.example:6443/#a b", &[]).unwrap();
    assert!(
        cp.contains("endpoint: https://%C3%BC.example:6443/#a%20b\n"),
        "{cp}"
    );

    let mirror = ["--registry-mirror", "docker.io=HTTP://M.example/ü"];
    let cp = controlplane_for(&env, "https://x:6443", &mirror).unwrap();
    assert!(cp.contains("url: http://M.example/%C3%BC\n"), "{cp}");
    // Before v1.12 the mirror endpoints are strings, written as given.
    let mut legacy = mirror.to_vec();
    legacy.extend_from_slice(&["--talos-version", "v1.11"]);
    let cp = controlplane_for(&env, "https://x:6443", &legacy).unwrap();
    assert!(cp.contains("- HTTP://M.example/ü\n"), "{cp}");

    let v111 = ["--talos-version", "v1.11"];
    let cp = controlplane_for(&env, "https://[fd00::1%25eth0]:6443", &v111).unwrap();
    assert!(cp.contains("        - fd00::1%eth0\n"), "{cp}");
    assert!(cp.contains("fd00::1%25eth0]:6443"), "{cp}");
    let cp = controlplane_for(&env, "https://%C3%BC.example:6443", &v111).unwrap();
    assert!(cp.contains("        - ü.example\n"), "{cp}");
}

/// URLs Go's `url.Parse` refuses are refused, in talosctl's words, on one line.
#[test]
fn urls_go_refuses_are_refused() {
    let env = Env::new();
    for (endpoint, why) in [
        ("https://%zz", "invalid URL escape \"%zz\""),
        (
            "https://1.2.3.4:6443:1",
            "invalid port \":6443:1\" after host",
        ),
        ("https://[1.2.3.4]:6443", "invalid IP-literal"),
    ] {
        let out = env.run(&[
            "gen",
            "config",
            "c",
            endpoint,
            "-o",
            "-",
            "-t",
            "controlplane",
        ]);
        assert_eq!(out.status.code(), Some(1), "{endpoint}");
        let err = common::stderr(&out);
        assert_eq!(
            err,
            format!(
                "error: failed to parse the cluster endpoint URL: parse \"{endpoint}\": {why}\n"
            ),
            "{endpoint}"
        );
    }
    let before = env.tree_digest();
    let out = env.run(&[
        "gen",
        "config",
        "c",
        "https://x:6443",
        "-o",
        "-",
        "-t",
        "controlplane",
        "--registry-mirror",
        "docker.io=https://m/%zz",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert!(
        err.contains("failed to parse registry mirror endpoint \"https://m/%zz\": parse \"https://m/%zz\": invalid URL escape \"%zz\"\n"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(env.tree_digest(), before);
}
