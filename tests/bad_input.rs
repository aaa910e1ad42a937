//! Bad input through the CLI: one clear line on stderr naming the file or field and what to do, a
//! non-zero exit, and no new or changed file.

mod common;

use common::Env;

/// A bundle made by talmint itself (valid until 10 years from now).
fn bundle(env: &Env, name: &str) {
    env.ok(&["gen", "secrets", "-o", name, "--talos-version", "v1.6"]);
}

fn edit_bundle(env: &Env, name: &str, edit: impl Fn(String) -> String) {
    bundle(env, name);
    let text = String::from_utf8(env.read(name)).unwrap();
    env.write(name, edit(text));
}

fn replace_field(text: &str, section: &str, field: &str, value: &str) -> String {
    // Replace `field:` inside the `section:` block (4-space YAML as talosctl writes).
    let mut out = String::new();
    let mut in_section = false;
    for line in text.lines() {
        if line.trim_end() == format!("    {section}:") {
            in_section = true;
        } else if in_section && line.starts_with(&format!("        {field}: ")) {
            out.push_str(&format!("        {field}: {value}\n"));
            in_section = false;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn drop_section(text: &str, section: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.trim_end() == format!("    {section}:") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with("        ") {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

struct Case {
    name: &'static str,
    setup: fn(&Env),
    args: &'static [&'static str],
    expect: &'static [&'static str],
    code: i32,
}

fn ca_pair(env: &Env) {
    env.ok(&["gen", "ca", "--organization", "talos"]);
}

fn client_pair(env: &Env) {
    ca_pair(env);
    env.ok(&["gen", "key", "--name", "leaf"]);
    env.ok(&["gen", "csr", "--key", "leaf.key", "--ip", "10.0.0.1"]);
    env.ok(&[
        "gen", "crt", "--name", "leaf", "--ca", "talos", "--csr", "leaf.csr",
    ]);
}

/// `talmint issue` of the roster `team.yaml` with the bundle `s.yaml` into `out/`.
const ISSUE_TEAM: &[&str] = &[
    "issue",
    "--roster",
    "team.yaml",
    "--with-secrets",
    "s.yaml",
    "-o",
    "out",
];

const CASES: &[Case] = &[
    Case {
        name: "truncated base64 in the bundle",
        setup: |env| {
            edit_bundle(env, "s.yaml", |t| {
                replace_field(&t, "os", "crt", "LS0tLS1CRUdJTiBDRVJU")
            })
        },
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &["s.yaml", "certs.os"],
        code: 1,
    },
    Case {
        name: "invalid base64 characters",
        setup: |env| edit_bundle(env, "s.yaml", |t| replace_field(&t, "os", "key", "abc$def")),
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &["s.yaml", "field certs.os.key", "base64"],
        code: 1,
    },
    Case {
        name: "bundle missing certs.os",
        setup: |env| edit_bundle(env, "s.yaml", |t| drop_section(&t, "os")),
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &["s.yaml", "certs.os is required"],
        code: 1,
    },
    Case {
        name: "bundle with a certificate where the os key belongs",
        setup: |env| {
            edit_bundle(env, "s.yaml", |t| {
                let crt = t
                    .lines()
                    .find(|l| l.starts_with("        crt: "))
                    .unwrap()
                    .trim_start_matches("        crt: ")
                    .to_string();
                replace_field(&t, "os", "key", &crt)
            })
        },
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &[
            "s.yaml",
            "certs.os is invalid: unsupported key type: \"CERTIFICATE\"",
        ],
        code: 1,
    },
    Case {
        name: "empty bundle file",
        setup: |env| drop(env.write("s.yaml", "")),
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &["s.yaml", "empty"],
        code: 1,
    },
    Case {
        name: "YAML that is not a bundle",
        setup: |env| drop(env.write("s.yaml", "foo: bar\nlist: [1, 2]\n")),
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &["s.yaml", "not a secrets bundle"],
        code: 1,
    },
    Case {
        name: "text that is not YAML",
        setup: |env| drop(env.write("s.yaml", "cluster: [unclosed\n\t: :")),
        args: &["config", "new", "--with-secrets", "s.yaml"],
        expect: &["s.yaml", "not a secrets bundle"],
        code: 1,
    },
    Case {
        name: "bundle file does not exist",
        setup: |_| {},
        args: &["config", "new", "--with-secrets", "missing.yaml"],
        expect: &["missing.yaml: cannot read the file: No such file or directory (os error 2)"],
        code: 1,
    },
    Case {
        name: "PEM of the wrong type as CA certificate",
        setup: ca_pair,
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.key",
            "--ca-key",
            "talos.key",
        ],
        expect: &[
            "talos.key",
            "expected a PEM block of type \"CERTIFICATE\", found a private key",
        ],
        code: 1,
    },
    Case {
        name: "CA key that does not match the certificate",
        setup: |env| {
            ca_pair(env);
            env.ok(&["gen", "ca", "--organization", "other"]);
        },
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "other.key",
        ],
        expect: &["talos.crt", "other.key", "does not match"],
        code: 1,
    },
    Case {
        name: "CA certificate without the CA flag",
        setup: client_pair,
        args: &[
            "config", "new", "--ca-crt", "leaf.crt", "--ca-key", "leaf.key",
        ],
        expect: &["leaf.crt", "not a CA"],
        code: 1,
    },
    Case {
        name: "expired CA",
        setup: |env| {
            env.ok(&[
                "--now",
                "2020-01-01T00:00:00Z",
                "gen",
                "ca",
                "--organization",
                "old",
                "--hours",
                "1",
            ]);
        },
        args: &[
            "config", "new", "--ca-crt", "old.crt", "--ca-key", "old.key",
        ],
        expect: &["old.crt", "not valid at", "2020-01-01T01:00:00Z"],
        code: 1,
    },
    Case {
        name: "unknown role",
        setup: ca_pair,
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "talos.key",
            "--roles",
            "os:admn",
        ],
        expect: &["unknown roles: os:admn"],
        code: 1,
    },
    Case {
        name: "TTL 0",
        setup: ca_pair,
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "talos.key",
            "--crt-ttl",
            "0",
        ],
        expect: &["--crt-ttl", "must be positive"],
        code: 2,
    },
    Case {
        name: "TTL -1h",
        setup: ca_pair,
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "talos.key",
            "--crt-ttl",
            "-1h",
        ],
        expect: &["--crt-ttl", "must be positive"],
        code: 2,
    },
    Case {
        name: "TTL abc",
        setup: ca_pair,
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "talos.key",
            "--crt-ttl",
            "abc",
        ],
        expect: &["--crt-ttl", "Go duration syntax"],
        code: 2,
    },
    Case {
        name: "TTL beyond the CA's expiry",
        setup: |env| {
            env.ok(&["gen", "ca", "--organization", "short", "--hours", "10"]);
        },
        args: &[
            "config",
            "new",
            "--ca-crt",
            "short.crt",
            "--ca-key",
            "short.key",
            "--crt-ttl",
            "11h",
        ],
        expect: &["runs past the CA's expiry at", "use a TTL of at most"],
        code: 1,
    },
    Case {
        name: "output file exists without --force",
        setup: |env| {
            ca_pair(env);
            env.write("talosconfig", "context: keep\n");
        },
        args: &[
            "config",
            "new",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "talos.key",
        ],
        expect: &[
            "talosconfig file already exists: \"talosconfig\"",
            "--force",
        ],
        code: 1,
    },
    Case {
        name: "output directory cannot be written (parent is a file)",
        setup: |env| {
            ca_pair(env);
            env.write("blocker", "x");
        },
        args: &[
            "config",
            "new",
            "blocker/talosconfig",
            "--ca-crt",
            "talos.crt",
            "--ca-key",
            "talos.key",
        ],
        expect: &["blocker/talosconfig"],
        code: 1,
    },
    Case {
        name: "neither bundle nor CA given",
        setup: |_| {},
        args: &["config", "new"],
        expect: &["--with-secrets"],
        code: 2,
    },
    Case {
        name: "--ca-crt without --ca-key",
        setup: ca_pair,
        args: &["config", "new", "--ca-crt", "talos.crt"],
        expect: &["--ca-key"],
        code: 2,
    },
    Case {
        name: "gen secrets contract with a letter after the minor",
        setup: |_| {},
        args: &["gen", "secrets", "--talos-version", "v1.7x"],
        expect: &["invalid talos-version", "\"v1.7x\""],
        code: 2,
    },
    Case {
        name: "gen secrets malformed contract",
        setup: |_| {},
        args: &["gen", "secrets", "--talos-version", "latest"],
        expect: &["invalid talos-version", "vX.Y"],
        code: 2,
    },
    Case {
        name: "gen secrets existing output",
        setup: |env| drop(env.write("secrets.yaml", "keep")),
        args: &["gen", "secrets"],
        expect: &["file \"secrets.yaml\" already exists, use --force to overwrite"],
        code: 1,
    },
    Case {
        name: "gen secrets from a missing kubernetes PKI directory",
        setup: |_| {},
        args: &["gen", "secrets", "--from-kubernetes-pki", "nopki"],
        expect: &["nopki/sa.key", "kubeadm PKI directory"],
        code: 1,
    },
    Case {
        name: "gen csr with a bad IP",
        setup: |env| {
            env.ok(&["gen", "key", "--name", "k"]);
        },
        args: &["gen", "csr", "--key", "k.key", "--ip", "10.0.0.300"],
        expect: &["invalid IP", "10.0.0.300"],
        code: 1,
    },
    Case {
        name: "gen csr with a SEC1 key (talosctl needs PKCS#8)",
        setup: |env| {
            let key =
                talmint::pki::PrivateKey::generate(talmint::pki::KeyAlgorithm::EcdsaP256).unwrap();
            env.write("ec.key", key.to_pem().unwrap().as_bytes());
        },
        args: &["gen", "csr", "--key", "ec.key", "--ip", "10.0.0.1"],
        expect: &["error parsing key ec.key"],
        code: 1,
    },
    Case {
        // Review r14: clap took `-5m` for flags and suggested `-- -5`.
        name: "a negative --backdate is refused as negative",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "t.tc", "--with-secrets", "s.yaml", "--backdate", "-5m"],
        expect: &["invalid backdate \"-5m\": it must not be negative, e.g. 5m"],
        code: 2,
    },
    Case {
        // Review r17: times past what a certificate holds panicked with a backtrace (exit 101).
        name: "a TTL longer than Go's longest duration",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "t.tc", "--with-secrets", "s.yaml", "--crt-ttl", "9999999999999h"],
        expect: &["invalid TTL \"9999999999999h\": longer than Go's longest duration"],
        code: 2,
    },
    Case {
        name: "a back-dating longer than Go's longest duration",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "t.tc", "--with-secrets", "s.yaml", "--backdate", "999999999h"],
        expect: &["invalid backdate \"999999999h\": longer than Go's longest duration"],
        code: 2,
    },
    Case {
        name: "a back-dating to before 1970",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "t.tc", "--with-secrets", "s.yaml", "--backdate", "700000h"],
        expect: &["NotBefore before 1970-01-01T00:00:00Z", "use a smaller --backdate"],
        code: 1,
    },
    Case {
        name: "gen ca for more hours than a certificate can hold",
        setup: |_| {},
        args: &["gen", "ca", "--organization", "big", "--hours", "80000000"],
        expect: &["NotAfter past 9999-12-31T23:59:59Z", "use a shorter TTL"],
        code: 1,
    },
    Case {
        name: "a roster TTL longer than Go's longest duration",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write(
                "team.yaml",
                "entries:\n  - name: a\n    roles: [os:reader]\n    ttl: 9999999999999h\n",
            );
        },
        args: ISSUE_TEAM,
        expect: &["longer than Go's longest duration"],
        code: 1,
    },
    Case {
        // Review r14c: explicit parameters (here of secp256k1) were taken for P-256, and the
        // CSR carried another public key than the user's.
        name: "gen csr with a key of explicit curve parameters",
        setup: |env| {
            for args in [
                &["ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k.sec1"][..],
                &["ec", "-in", "k.sec1", "-param_enc", "explicit", "-out", "e.sec1"],
                &["pkcs8", "-topk8", "-nocrypt", "-in", "e.sec1", "-out", "k.key"],
            ] {
                let (ok, text) = common::openssl::run(args, env.dir.path());
                assert!(ok, "openssl {args:?}: {text}");
            }
        },
        args: &["gen", "csr", "--key", "k.key", "--ip", "10.0.0.1"],
        expect: &["explicit curve parameters are not supported: use a named curve"],
        code: 1,
    },
    Case {
        // Review r14: it showed the DER parser's "expected INTEGER, got SEQUENCE".
        name: "gen csr with a certificate instead of a key",
        setup: ca_pair,
        args: &["gen", "csr", "--key", "talos.crt", "--ip", "10.0.0.1"],
        expect: &[
            "error parsing key talos.crt: expected a PEM block of type \"PRIVATE KEY\", found \"CERTIFICATE\"",
        ],
        code: 1,
    },
    Case {
        name: "gen crt with a certificate instead of a CSR",
        setup: ca_pair,
        args: &[
            "gen",
            "crt",
            "--name",
            "x",
            "--ca",
            "talos",
            "--csr",
            "talos.crt",
        ],
        expect: &["CSR talos.crt", "CERTIFICATE REQUEST"],
        code: 1,
    },
    Case {
        name: "gen crt with a missing CA",
        setup: |_| {},
        args: &[
            "gen", "crt", "--name", "x", "--ca", "nothere", "--csr", "x.csr",
        ],
        expect: &["nothere.crt"],
        code: 1,
    },
    Case {
        name: "gen key over an existing key",
        setup: |env| drop(env.write("admin.key", "keep")),
        args: &["gen", "key", "--name", "admin"],
        expect: &["file \"admin.key\" already exists"],
        code: 1,
    },
    Case {
        name: "gen ca over an existing certificate leaves no partial set",
        setup: |env| drop(env.write("talos.sha256", "keep")),
        args: &["gen", "ca", "--organization", "talos"],
        expect: &["file \"talos.sha256\" already exists"],
        code: 1,
    },
    // The ledger is written before a credential is delivered: when it cannot be, no
    // credential appears (and the error says the cause once).
    Case {
        name: "config new with an unwritable ledger",
        setup: secrets_and_a_directory_for_a_ledger,
        args: &[
            "config",
            "new",
            "x.talosconfig",
            "--with-secrets",
            "s.yaml",
            "--ledger",
            "ledger.d",
        ],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger ledger.d",
            "Is a directory (os error 21); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "config new to stdout with an unwritable ledger",
        setup: secrets_and_a_directory_for_a_ledger,
        args: &[
            "config",
            "new",
            "-",
            "--with-secrets",
            "s.yaml",
            "--ledger",
            "ledger.d",
        ],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger ledger.d",
            "Is a directory (os error 21); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "roster without entries",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write(
                "team.yaml",
                "people:\n  - name: a\n    roles: [os:reader]\n",
            );
        },
        args: ISSUE_TEAM,
        expect: &[
            "error: roster team.yaml: cannot read it as a roster: missing field `entries`",
            "talmint issue --help",
        ],
        code: 1,
    },
    Case {
        name: "roster file missing",
        setup: |env| bundle(env, "s.yaml"),
        args: ISSUE_TEAM,
        expect: &[
            "error: roster team.yaml: cannot read the file: No such file or directory (os error 2)",
        ],
        code: 1,
    },
    Case {
        name: "policy giving a role a bare TTL instead of maxTTL",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write("policy.yaml", "roles:\n  os:admin: 8h\n");
        },
        args: &["config", "new", "--with-secrets", "s.yaml", "--policy", "policy.yaml"],
        expect: &[
            "error: policy policy.yaml: roles.os:admin: invalid type: string \"8h\", expected a map such as {maxTTL: 8h}",
        ],
        code: 1,
    },
    Case {
        name: "policy naming a role twice (the second would silently lift the first's limit)",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write(
                "policy.yaml",
                "roles:\n  os:admin:\n    maxTTL: 1h\n  os:reader: {}\n  os:admin: {}\n",
            );
        },
        args: &[
            "config", "new", "--with-secrets", "s.yaml", "--roles", "os:admin", "--crt-ttl",
            "8760h", "--policy", "policy.yaml",
        ],
        expect: &[
            "error: policy policy.yaml: roles: role os:admin is given twice: keep one entry for it at line 2 column 3",
        ],
        code: 1,
    },
    Case {
        name: "policy file missing",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "--with-secrets", "s.yaml", "--policy", "policy.yaml"],
        expect: &[
            "error: policy policy.yaml: cannot read the file: No such file or directory (os error 2)",
        ],
        code: 1,
    },
    Case {
        name: "renew --all of a talosconfig that does not exist",
        setup: |env| bundle(env, "s.yaml"),
        args: &[
            "config",
            "renew",
            "--all",
            "--with-secrets",
            "s.yaml",
            "--talosconfig",
            "none.talosconfig",
        ],
        expect: &["error: talosconfig none.talosconfig does not exist: nothing to renew"],
        code: 1,
    },
    Case {
        name: "inspect of a talosconfig naming a context twice (named as such, not 'not recognised')",
        setup: |env| {
            env.write(
                "t",
                "context: x\ncontexts:\n  x:\n    endpoints: [a]\n  x:\n    endpoints: [b]\n",
            );
        },
        args: &["inspect", "t"],
        expect: &[
            "error: t: not a talosconfig: contexts: duplicate entry with key (value hidden) at line 3 column 3",
        ],
        code: 1,
    },
    Case {
        name: "gen ca --force where one of the three outputs is a directory (the CA key stays)",
        setup: |env| {
            env.write("o.crt", "old crt");
            env.write("o.key", "old key");
            std::fs::create_dir(env.path("o.sha256")).unwrap();
        },
        args: &["gen", "ca", "--organization", "o", "--force"],
        expect: &["error: cannot write o.sha256: Is a directory (os error 21)"],
        code: 1,
    },
    Case {
        name: "config new --force onto a directory: refused before the ledger records anything",
        setup: |env| {
            bundle(env, "s.yaml");
            std::fs::create_dir(env.path("e.talosconfig")).unwrap();
        },
        args: &[
            "config", "new", "e.talosconfig", "--force", "--with-secrets", "s.yaml", "--ledger",
            "l.jsonl",
        ],
        expect: &["error: cannot write e.talosconfig: Is a directory (os error 21)"],
        code: 1,
    },
    Case {
        name: "roster with an unknown field and a wrong type among other invalid entries: all listed",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write(
                "team.yaml",
                "entries:\n  - name: a\n    roles: [os:reader]\n  - name: a\n    roles: [os:reader]\n  - name: g\n    roles: [os:admin]\n    color: blue\n  - name: ../evil\n    roles: os:admin\n",
            );
        },
        args: ISSUE_TEAM,
        expect: &[
            "error: roster team.yaml: 3 invalid entries: entries[1] (a): duplicate name; entries[2] (g): unknown field `color`, expected one of `name`, `roles`, `for`, `ttl`, `endpoints`, `nodes`, `context`; entries[3] (../evil): roles: invalid type: string \"os:admin\", expected a sequence; entries[3] (../evil): name must be a plain file name",
        ],
        code: 1,
    },
    Case {
        name: "roster entry whose name cannot be a file name (too long), shown shortened",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write(
                "team.yaml",
                format!("entries:\n  - name: {}\n    roles: [os:reader]\n", "a".repeat(300)),
            );
        },
        args: ISSUE_TEAM,
        expect: &[
            "error: roster team.yaml: 1 invalid entry: entries[0] (aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…): name is 300 bytes long: at most 243 (a file name is at most 255 bytes, and .talosconfig is added)",
        ],
        code: 1,
    },
    Case {
        name: "--ledger naming the secrets bundle: refused, the bundle left whole",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "t", "--with-secrets", "s.yaml", "--ledger", "s.yaml"],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger s.yaml: cannot write s.yaml: it is not an issuance ledger (a ledger holds one JSON object per line); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "gen config writing the controlplane where the fresh bundle is saved",
        setup: |_| {},
        args: &["gen", "config", "c", "https://1.2.3.4:6443", "-t", "controlplane", "-o", "secrets.yaml"],
        expect: &["error: secrets.yaml would be both the controlplane output and the secrets bundle saved: give another -o (or --no-save-secrets or --ledger)"],
        code: 1,
    },
    Case {
        name: "gen config writing the talosconfig over the bundle it reads",
        setup: |env| bundle(env, "s.yaml"),
        args: &["gen", "config", "c", "https://1.2.3.4:6443", "-t", "talosconfig", "-o", "s.yaml", "--with-secrets", "s.yaml", "--force"],
        expect: &["error: s.yaml would be both the talosconfig output and the bundle read (--with-secrets): give another -o (or --no-save-secrets or --ledger)"],
        code: 1,
    },
    Case {
        name: "renew of a context without a certificate",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write("t", "context: a\ncontexts:\n  a:\n    endpoints: [10.5.0.2]\n");
        },
        args: &["config", "renew", "--with-secrets", "s.yaml", "--talosconfig", "t"],
        expect: &[
            "error: context \"a\" has no client certificate to renew: issue one with talmint config new",
        ],
        code: 1,
    },
    Case {
        name: "roster into a path that is a file",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write("team.yaml", "entries:\n  - name: a\n    roles: [os:reader]\n");
            env.write("out", "not a directory\n");
        },
        args: ISSUE_TEAM,
        expect: &["error: cannot write out: Not a directory (os error 20)"],
        code: 1,
    },
    Case {
        name: "roster to stdout",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write("team.yaml", "entries:\n  - name: a\n    roles: [os:reader]\n");
        },
        args: &[
            "issue",
            "--roster",
            "team.yaml",
            "--with-secrets",
            "s.yaml",
            "-o",
            "-",
        ],
        expect: &["error: -o -: a roster writes one talosconfig per entry, so it needs a directory (talmint config new -o - prints one credential)"],
        code: 1,
    },
    Case {
        name: "config new into a directory that does not exist (nothing recorded)",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "nodir/t.talosconfig", "--with-secrets", "s.yaml"],
        expect: &["error: cannot write nodir/t.talosconfig: No such file or directory (os error 2)"],
        code: 1,
    },
    Case {
        name: "config new under a file (nothing recorded)",
        setup: |env| {
            bundle(env, "s.yaml");
            env.write("afile", "x\n");
        },
        args: &["config", "new", "afile/t.talosconfig", "--with-secrets", "s.yaml"],
        expect: &["error: cannot write afile/t.talosconfig: Not a directory (os error 20)"],
        code: 1,
    },
    Case {
        name: "roster with an unwritable ledger",
        setup: |env| {
            secrets_and_a_directory_for_a_ledger(env);
            env.write(
                "team.yaml",
                "entries:\n  - name: a\n    roles: [os:reader]\n  - name: b\n    roles: [os:admin]\n",
            );
        },
        args: &[
            "issue",
            "--roster",
            "team.yaml",
            "--with-secrets",
            "s.yaml",
            "-o",
            "out",
            "--ledger",
            "ledger.d",
        ],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger ledger.d",
            "Is a directory (os error 21); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "gen crt with an unwritable ledger",
        setup: |env| {
            ca_pair(env);
            env.ok(&["gen", "key", "--name", "leaf"]);
            env.ok(&["gen", "csr", "--key", "leaf.key", "--ip", "10.0.0.1"]);
            env.write("ledger.d/keep", "");
        },
        args: &[
            "gen", "crt", "--name", "leaf", "--ca", "talos", "--csr", "leaf.csr", "--ledger",
            "ledger.d",
        ],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger ledger.d",
            "Is a directory (os error 21); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "config renew with an unwritable ledger",
        setup: |env| {
            secrets_and_a_directory_for_a_ledger(env);
            env.ok(&[
                "config",
                "new",
                "tc",
                "--with-secrets",
                "s.yaml",
                "--ledger",
                "l.jsonl",
            ]);
            // A first renewal leaves the talosconfig's lock file behind, as every edit does.
            env.ok(&[
                "config",
                "renew",
                "--with-secrets",
                "s.yaml",
                "--ledger",
                "l.jsonl",
                "--talosconfig",
                "tc",
            ]);
        },
        args: &[
            "config",
            "renew",
            "--with-secrets",
            "s.yaml",
            "--ledger",
            "ledger.d",
            "--talosconfig",
            "tc",
        ],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger ledger.d",
            "Is a directory (os error 21); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "gen config with an unwritable ledger",
        setup: secrets_and_a_directory_for_a_ledger,
        args: &[
            "gen",
            "config",
            "c",
            "https://10.5.0.2:6443",
            "--with-secrets",
            "s.yaml",
            "--ledger",
            "ledger.d",
        ],
        expect: &[
            "error: cannot write the issuance ledger, so nothing was delivered: ledger ledger.d",
            "Is a directory (os error 21); give --ledger FILE to keep the ledger elsewhere",
        ],
        code: 1,
    },
    Case {
        name: "gen secrets into a missing directory names the target, not a temporary file",
        setup: |_| {},
        args: &["gen", "secrets", "-o", "missing/s.yaml"],
        expect: &["cannot write missing/s.yaml: No such file or directory (os error 2)"],
        code: 1,
    },
    Case {
        // Review r14: it said "already exists, use --force", which then failed too.
        name: "gen secrets onto a directory says so, not to use --force",
        setup: |env| {
            env.write("s.yaml/keep", "");
        },
        args: &["gen", "secrets", "-o", "s.yaml"],
        expect: &["cannot write s.yaml: Is a directory"],
        code: 1,
    },
    Case {
        // Review r14: it warned once per line and listed nothing, exit 0.
        name: "ledger list of a file that is not a ledger",
        setup: |env| bundle(env, "s.yaml"),
        args: &["ledger", "list", "--ledger", "s.yaml"],
        expect: &["ledger s.yaml: it is not an issuance ledger"],
        code: 1,
    },
    Case {
        // Review r14: `auth roles reader` takes the short form; issuing said only "unknown".
        name: "a role without its os: prefix is pointed to the built-in one",
        setup: |env| bundle(env, "s.yaml"),
        args: &["config", "new", "t.tc", "--with-secrets", "s.yaml", "--roles", "reader"],
        expect: &["unknown roles: reader (did you mean os:reader?)"],
        code: 1,
    },
    Case {
        // Review r14: it reported a rejected credential (exit 1) and suggested a command that
        // fails.
        name: "verify --roles with a misspelt role is a usage error",
        setup: |env| {
            bundle(env, "s.yaml");
            env.ok(&["config", "new", "t.tc", "--with-secrets", "s.yaml"]);
        },
        args: &["verify", "t.tc", "--with-secrets", "s.yaml", "--roles", "os:reeder"],
        expect: &["unknown roles: os:reeder (did you mean os:reader?)"],
        code: 2,
    },
    Case {
        name: "verify of a secrets bundle says to give it as --with-secrets",
        setup: |env| bundle(env, "s.yaml"),
        args: &["verify", "s.yaml"],
        expect: &["s.yaml is a secrets bundle, not a talosconfig: give it as --with-secrets"],
        code: 2,
    },
    Case {
        name: "verify --ca of a secrets bundle says to give it as --with-secrets",
        setup: |env| {
            bundle(env, "s.yaml");
            env.ok(&["config", "new", "t.tc", "--with-secrets", "s.yaml"]);
        },
        args: &["verify", "t.tc", "--ca", "s.yaml"],
        expect: &["CA file s.yaml is a secrets bundle: give it as --with-secrets s.yaml"],
        code: 2,
    },
];

fn secrets_and_a_directory_for_a_ledger(env: &Env) {
    bundle(env, "s.yaml");
    env.write("ledger.d/keep", "");
}

#[test]
fn bad_input_table_one_line_nonzero_exit_nothing_written() {
    assert!(CASES.len() >= 25);
    for case in CASES {
        let env = Env::new();
        (case.setup)(&env);
        let before = env.tree_digest();
        let out = env.run(case.args);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(case.code), "{}: {err}", case.name);
        assert_eq!(
            err.lines().count(),
            1,
            "{}: not one line: {err:?}",
            case.name
        );
        assert!(err.starts_with("error: "), "{}: {err}", case.name);
        // Each cause said once, and never a temporary file's name.
        assert!(
            err.matches("(os error").count() <= 1,
            "{}: {err}",
            case.name
        );
        assert!(!err.contains(".talmint-"), "{}: {err}", case.name);
        for needle in case.expect {
            assert!(
                err.contains(needle),
                "{}: {needle:?} not in {err:?}",
                case.name
            );
        }
        assert!(common::stdout(&out).is_empty(), "{}", case.name);
        assert_eq!(env.tree_digest(), before, "{}: files changed", case.name);
    }
}

#[test]
fn a_full_stdout_is_named_in_one_line() {
    // `-o -` into a full device: one line saying stdout, not a bare OS error after a progress
    // line.
    let env = Env::new();
    bundle(&env, "s.yaml");
    let cases: &[&[&str]] = &[
        &["gen", "secrets", "-o", "-"],
        &[
            "gen",
            "config",
            "c",
            "https://1.2.3.4:6443",
            "-t",
            "talosconfig",
            "-o",
            "-",
            "--with-secrets",
            "s.yaml",
        ],
    ];
    for args in cases {
        let out = env
            .talmint()
            .args(*args)
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            err, "error: cannot write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}
