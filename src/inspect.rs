//! `talmint inspect`: recognise a Talos credential file and describe every certificate and key in
//! it, as a security engineer needs (issue 5).
//!
//! Recognised: a talosconfig (`spec/talosconfig.md` §1), a secrets bundle (`spec/pki.md` §1), a
//! machine config (v1alpha1 `machine.ca`, `cluster.ca`, `cluster.aggregatorCA`, `cluster.etcd.ca`,
//! `machine.acceptedCAs`, `cluster.serviceAccount.key`, base64 of PEM; multi-document
//! `issuingCA: {cert, key}` and `KubeServiceAccountConfig.issuer.privateKey`, plain PEM), and
//! PEM or DER certificates, CSRs and private keys. Per certificate: subject and roles, issuer,
//! serial, validity with the time left in words, key algorithm, KU/EKU, SHA-256 fingerprint, SPKI
//! pin (`sha256:<hex>`, as `gen ca` writes it), whether its key is present and matches; per
//! talosconfig context, the intermediates its `crt` sends along after the leaf and whether the
//! certificate chains through them to the context's `ca` at the clock, as `verify` builds the
//! chain ([`crate::verify::verify`]'s chain check). A private key is shown as its algorithm and
//! its public key's SPKI pin, never more.
//!
//! The report is data ([`FileReport`]); [`FileReport::to_text`] and [`to_node`] render it. The
//! node tree is the stable `-o json`/`-o yaml` schema documented in the README.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::bundle::{CertAndKey, SecretsBundle};
use crate::pki::cert::spki_algorithm_name;
use crate::pki::csr::Csr;
use crate::pki::pem as pemx;
use crate::pki::{Certificate, PrivateKey};
use crate::report::{opt_str, relative_time, rfc3339, seconds_between, serial_number};
use crate::roles::RoleSet;
use crate::talosconfig::Config;
use crate::verify::{
    described_certificates, display_name, eku_name, key_matches, parse_client_key, CheckId,
    Outcome, Request,
};
use crate::yaml::Node;

/// Talos keeps this literal instead of a value in redacted files (`C:x509/x509.go:20`).
const REDACTED: &[u8] = b"******";

/// What the caller adds to every report.
pub struct Options<'a> {
    /// The clock, for the time left.
    pub now: OffsetDateTime,
    /// One more line per credential describing what its roles may do (the authz summary), when
    /// the caller has one.
    pub roles_summary: Option<&'a dyn Fn(&RoleSet) -> String>,
}

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// One or more PEM/DER certificates (maybe with their key).
    Certificate,
    /// A certificate signing request.
    Csr,
    /// A Talos machine config (v1alpha1 and/or multi-document).
    MachineConfig,
    /// A private key alone.
    PrivateKey,
    /// A `secrets.yaml` bundle.
    SecretsBundle,
    /// A talosctl client configuration.
    Talosconfig,
}

/// Everything found in one file.
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// What the file is.
    pub kind: Kind,
    /// For a talosconfig, its current context (`""` when none).
    pub current_context: Option<String>,
    /// The certificates, keys, CSRs or contexts, in file order.
    pub entries: Vec<Entry>,
}

/// One thing in a file.
pub struct Entry {
    /// Where it is: a field path (`certs.os`, `contexts.prod`, `machine.ca`) or `pem[0]`.
    pub name: String,
    /// What it is for people (`Talos API (OS) CA`).
    pub description: String,
    /// The details.
    pub body: Body,
}

/// The details of an [`Entry`].
pub enum Body {
    /// A certificate (a CA or a client certificate) and the key stored with it.
    Certificate {
        /// The certificate, or why it could not be read.
        certificate: Result<CertInfo, String>,
        /// Its private key.
        key: KeyInfo,
    },
    /// A CSR, or why it could not be read.
    Csr(Result<CsrInfo, String>),
    /// A private key alone.
    PrivateKey(KeyInfo),
    /// A talosconfig context.
    Context(ContextInfo),
}

/// A talosconfig context.
pub struct ContextInfo {
    /// Whether it is the current context.
    pub current: bool,
    /// `endpoints`.
    pub endpoints: Vec<String>,
    /// `nodes`.
    pub nodes: Vec<String>,
    /// The certificates of `ca` (empty when absent), or why they could not be read.
    pub ca: Result<Vec<CertInfo>, String>,
    /// The client certificate (`crt`'s first certificate), `None` when absent.
    pub certificate: Option<Result<CertInfo, String>>,
    /// The intermediates `crt` sends along after the leaf, in order (talosctl sends them all).
    pub intermediates: Vec<CertInfo>,
    /// The client key (`key`).
    pub key: KeyInfo,
    /// Whether the certificate chains to `ca` (through the intermediates) at the clock, as
    /// `verify` builds the chain: `Ok(the chain in words)` or why not; `None` when either is
    /// missing or unreadable.
    pub chain: Option<Result<String, String>>,
}

/// A private key, as much as may be shown.
pub enum KeyInfo {
    /// No key stored (e.g. a worker's `machine.ca.key: ""`).
    Absent,
    /// The value is Talos's redaction marker `******`.
    Redacted,
    /// A key is stored but does not parse (the reason never quotes it).
    Unreadable(String),
    /// A readable key.
    Present {
        /// `Ed25519`, `ECDSA P-256`, `RSA-4096`.
        algorithm: String,
        /// `sha256:<hex>` of the public key's SubjectPublicKeyInfo.
        spki_pin: String,
        /// Whether it belongs to the certificate stored with it (`None`: no certificate).
        matches: Option<bool>,
    },
    /// Not stored with the certificate, but its key is in another file of the same run (see
    /// [`pair_keys`]): it matches by construction.
    InFile {
        /// The file holding the key, as given.
        file: String,
        /// The key's algorithm.
        algorithm: String,
        /// `sha256:<hex>` of the public key, the certificate's too.
        spki_pin: String,
    },
}

/// Pair each certificate stored without its key with a private key found in any of the inspected
/// files whose public key is the certificate's (`inspect admin.crt admin.key`).
pub fn pair_keys(results: &mut [(String, Result<FileReport, InspectError>)]) {
    let keys: Vec<(String, String, String)> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|r| {
            r.entries.iter().filter_map(|e| match &e.body {
                Body::PrivateKey(KeyInfo::Present {
                    algorithm,
                    spki_pin,
                    ..
                }) => Some((r.path.clone(), algorithm.clone(), spki_pin.clone())),
                _ => None,
            })
        })
        .collect();
    let entries = results
        .iter_mut()
        .filter_map(|(_, r)| r.as_mut().ok())
        .flat_map(|r| r.entries.iter_mut());
    for entry in entries {
        if let Body::Certificate {
            certificate: Ok(info),
            key: key @ KeyInfo::Absent,
        } = &mut entry.body
        {
            if let Some((file, algorithm, spki_pin)) =
                keys.iter().find(|(_, _, pin)| *pin == info.spki_pin)
            {
                *key = KeyInfo::InFile {
                    file: file.clone(),
                    algorithm: algorithm.clone(),
                    spki_pin: spki_pin.clone(),
                };
            }
        }
    }
}

/// The facts of one certificate.
pub struct CertInfo {
    /// Subject text (`O=os:admin`).
    pub subject: String,
    /// Issuer text.
    pub issuer: String,
    /// Whether issuer and subject bytes are equal.
    pub self_signed: bool,
    /// Serial, lowercase hex.
    pub serial: String,
    /// NotBefore.
    pub not_before: OffsetDateTime,
    /// NotAfter.
    pub not_after: OffsetDateTime,
    /// Seconds from the report's clock to NotAfter (negative once expired).
    pub seconds_left: i64,
    /// NotAfter in words, rounded down (`9 years from now`, `3 days ago`).
    pub expires: String,
    /// NotBefore in words.
    pub starts: String,
    /// `valid`, `expired` or `not-yet-valid` at the report's clock.
    pub validity: &'static str,
    /// Basic constraints cA.
    pub is_ca: bool,
    /// Public key algorithm.
    pub key_algorithm: String,
    /// Key usage names, `None` when the extension is absent.
    pub key_usage: Option<Vec<String>>,
    /// Whether key usage is critical.
    pub key_usage_critical: bool,
    /// Extended key usage names, `None` when the extension is absent.
    pub ext_key_usage: Option<Vec<String>>,
    /// Organization values.
    pub organizations: Vec<String>,
    /// Talos roles (a non-CA certificate's Organization values, trimmed, empty dropped).
    pub roles: Vec<String>,
    /// Roles Talos does not define.
    pub unknown_roles: Vec<String>,
    /// The caller's roles summary line (see [`Options::roles_summary`]).
    pub roles_summary: Option<String>,
    /// Common name.
    pub common_name: Option<String>,
    /// IP address SANs.
    pub ip_addresses: Vec<String>,
    /// DNS SANs.
    pub dns_names: Vec<String>,
    /// SHA-256 of the DER certificate, lowercase hex.
    pub fingerprint: String,
    /// `sha256:<hex>` of the SubjectPublicKeyInfo.
    pub spki_pin: String,
    /// Subject key identifier, hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier, hex.
    pub authority_key_id: Option<String>,
}

/// The facts of one CSR.
pub struct CsrInfo {
    /// Subject text.
    pub subject: String,
    /// Requested roles (Organization values).
    pub roles: Vec<String>,
    /// Requested roles Talos does not define.
    pub unknown_roles: Vec<String>,
    /// Public key algorithm.
    pub key_algorithm: String,
    /// `sha256:<hex>` of the SubjectPublicKeyInfo.
    pub spki_pin: String,
    /// Requested IP SANs.
    pub ip_addresses: Vec<String>,
    /// Requested DNS SANs.
    pub dns_names: Vec<String>,
}

/// Why a file could not be inspected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// The file cannot be read.
    #[error("cannot read the file: {0}")]
    Read(String),
    /// Not a kind of file talmint knows.
    #[error("not a talosconfig, secrets bundle, machine config, or PEM/DER certificate, CSR or private key")]
    Unrecognised,
    /// It looks like a talosconfig but does not parse.
    #[error("{0}")]
    Talosconfig(String),
    /// It looks like a secrets bundle but does not parse.
    #[error("{0}")]
    Bundle(String),
    /// Its PEM blocks do not decode.
    #[error("PEM does not decode: {0}")]
    Pem(String),
}

/// Inspect the file at `path`.
///
/// # Errors
/// [`InspectError`] when the file cannot be read or recognised; problems with one certificate or
/// key inside a recognised file are reported in its entry instead.
pub fn inspect_file(path: &Path, opts: &Options<'_>) -> Result<FileReport, InspectError> {
    let bytes = std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| InspectError::Read(e.to_string()))?;
    inspect_bytes(&path.display().to_string(), &bytes, opts)
}

/// Inspect `bytes`, reported under the name `path`.
///
/// # Errors
/// See [`inspect_file`].
pub fn inspect_bytes(
    path: &str,
    bytes: &[u8],
    opts: &Options<'_>,
) -> Result<FileReport, InspectError> {
    let report = |kind, current_context, entries| FileReport {
        path: path.to_string(),
        kind,
        current_context,
        entries,
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        crate::yaml::check_nesting(text).map_err(InspectError::Read)?;
        match yaml_kind(text) {
            Some(Kind::Talosconfig) => {
                let (current, entries) = talosconfig_entries(text, opts)?;
                return Ok(report(Kind::Talosconfig, Some(current), entries));
            }
            Some(Kind::SecretsBundle) => {
                let entries = bundle_entries(text, opts)?;
                return Ok(report(Kind::SecretsBundle, None, entries));
            }
            Some(Kind::MachineConfig) => {
                let entries = machine_config_entries(text, opts);
                return Ok(report(Kind::MachineConfig, None, entries));
            }
            _ => {}
        }
        if text.contains("-----BEGIN ") {
            let (kind, entries) = pem_entries(text, opts)?;
            return Ok(report(kind, None, entries));
        }
    }
    let (kind, entries) = der_entries(bytes, opts)?;
    Ok(report(kind, None, entries))
}

/// Recognise a YAML file by its top-level keys: a talosconfig, a secrets bundle or a machine
/// config; `None` for anything else (not YAML, another document, a PEM file).
pub fn yaml_kind(text: &str) -> Option<Kind> {
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        match serde_yaml::Value::deserialize(doc) {
            Ok(doc) => docs.push(doc),
            // Not YAML as a whole (a duplicate key, a bad indent): still a talosconfig or a
            // bundle when its top-level keys say so, so that their own parser names the fault.
            Err(_) => return kind_by_top_level_keys(text),
        }
    }
    let first = docs.first()?.as_mapping()?;
    let has = |k: &str| first.contains_key(k);
    if has("contexts") || (has("context") && first.len() <= 2) {
        return Some(Kind::Talosconfig);
    }
    if has("certs") || has("trustdinfo") {
        return Some(Kind::SecretsBundle);
    }
    let multi_doc = docs.iter().any(|d| {
        d.as_mapping()
            .is_some_and(|m| m.contains_key("apiVersion") && m.contains_key("kind"))
    });
    if first.get("version").and_then(|v| v.as_str()) == Some("v1alpha1") || multi_doc {
        return Some(Kind::MachineConfig);
    }
    None
}

/// The kind a text's unindented `key:` lines announce, for YAML that does not parse.
fn kind_by_top_level_keys(text: &str) -> Option<Kind> {
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .collect();
    if keys.contains(&"contexts") {
        Some(Kind::Talosconfig)
    } else if keys.contains(&"certs") || keys.contains(&"trustdinfo") {
        Some(Kind::SecretsBundle)
    } else {
        None
    }
}

fn decode_b64(value: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    if value.as_bytes() == REDACTED {
        return Ok(Zeroizing::new(REDACTED.to_vec()));
    }
    crate::gobase64::decode(value).map_err(|e| format!("invalid base64: {e}"))
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// The facts of `cert` at `opts.now`.
pub fn cert_info(cert: &Certificate, opts: &Options<'_>) -> CertInfo {
    let roles = if cert.is_ca {
        RoleSet::default()
    } else {
        RoleSet::parse_lenient(cert.organizations.iter().map(String::as_str))
    };
    let validity = if opts.now < cert.not_before {
        "not-yet-valid"
    } else if opts.now > cert.not_after {
        "expired"
    } else {
        "valid"
    };
    CertInfo {
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        self_signed: cert.subject_der == cert.issuer_der,
        serial: serial_number(&cert.serial_hex),
        not_before: cert.not_before,
        not_after: cert.not_after,
        seconds_left: seconds_between(opts.now, cert.not_after),
        expires: relative_time(cert.not_after, opts.now),
        starts: relative_time(cert.not_before, opts.now),
        validity,
        is_ca: cert.is_ca,
        key_algorithm: cert.key_algorithm.clone(),
        key_usage: cert
            .key_usage
            .as_ref()
            .map(|k| k.iter().map(|s| (*s).to_string()).collect()),
        key_usage_critical: cert.key_usage_critical,
        ext_key_usage: cert
            .ext_key_usage
            .as_ref()
            .map(|e| e.iter().map(|o| eku_name(o)).collect()),
        organizations: cert.organizations.clone(),
        roles: roles.strings(),
        unknown_roles: roles.unknown().map(|r| r.as_str().to_string()).collect(),
        roles_summary: match (&opts.roles_summary, cert.is_ca) {
            (Some(summary), false) => Some(summary(&roles)),
            _ => None,
        },
        common_name: cert.common_name.clone(),
        ip_addresses: cert.ip_sans.iter().map(ToString::to_string).collect(),
        dns_names: cert.dns_sans.clone(),
        fingerprint: cert.fingerprint(),
        spki_pin: cert.spki_pin(),
        subject_key_id: cert.subject_key_id.as_deref().map(crate::pki::lower_hex),
        authority_key_id: cert.authority_key_id.as_deref().map(crate::pki::lower_hex),
    }
}

/// What may be shown of the key in `pem`, and whether it belongs to `cert`.
fn key_info(pem: &[u8], cert: Option<&Certificate>) -> KeyInfo {
    if is_blank(pem) {
        return KeyInfo::Absent;
    }
    if pem == REDACTED {
        return KeyInfo::Redacted;
    }
    let key = match parse_client_key(pem) {
        Ok(k) => k,
        Err(e) => return KeyInfo::Unreadable(e.to_string()),
    };
    present_key(&key, cert)
}

fn present_key(key: &PrivateKey, cert: Option<&Certificate>) -> KeyInfo {
    let spki = match key.public_key_der() {
        Ok(d) => d,
        Err(e) => return KeyInfo::Unreadable(e.to_string()),
    };
    KeyInfo::Present {
        algorithm: spki_algorithm_name(&spki).unwrap_or_else(|| format!("{:?}", key.algorithm())),
        spki_pin: format!("sha256:{}", crate::pki::sha256_hex(&spki)),
        matches: cert.map(|c| key_matches(key, c).unwrap_or(false)),
    }
}

/// A certificate entry from PEM bytes and the key stored beside it.
fn cert_and_key_entry(
    name: String,
    description: &str,
    crt_pem: &[u8],
    key_pem: &[u8],
    opts: &Options<'_>,
) -> Entry {
    let parsed = if crt_pem == REDACTED {
        Err("redacted (******)".to_string())
    } else {
        Certificate::from_pem(crt_pem).map_err(|e| e.to_string())
    };
    let key = key_info(key_pem, parsed.as_ref().ok());
    Entry {
        name,
        description: description.to_string(),
        body: Body::Certificate {
            certificate: parsed.map(|c| cert_info(&c, opts)),
            key,
        },
    }
}

fn key_entry(name: String, description: &str, key_pem: &[u8]) -> Entry {
    Entry {
        name,
        description: description.to_string(),
        body: Body::PrivateKey(key_info(key_pem, None)),
    }
}

fn bundle_entries(text: &str, opts: &Options<'_>) -> Result<Vec<Entry>, InspectError> {
    let bundle = SecretsBundle::parse(text).map_err(|e| InspectError::Bundle(e.to_string()))?;
    let mut entries = Vec::new();
    let Some(certs) = &bundle.certs else {
        return Ok(entries);
    };
    let mut ca = |field: &str, description: &str, ck: &Option<CertAndKey>| {
        if let Some(ck) = ck {
            entries.push(cert_and_key_entry(
                format!("certs.{field}"),
                description,
                &ck.crt,
                &ck.key,
                opts,
            ));
        }
    };
    ca("etcd", "etcd CA", &certs.etcd);
    ca("k8s", "Kubernetes CA", &certs.k8s);
    ca(
        "k8saggregator",
        "Kubernetes aggregator (front-proxy) CA",
        &certs.k8s_aggregator,
    );
    if let Some(sa) = &certs.k8s_service_account {
        entries.push(key_entry(
            "certs.k8sserviceaccount.key".into(),
            "Kubernetes service account key",
            &sa.key,
        ));
    }
    if let Some(os) = &certs.os {
        entries.push(cert_and_key_entry(
            "certs.os".into(),
            "Talos API (OS) CA",
            &os.crt,
            &os.key,
            opts,
        ));
    }
    Ok(entries)
}

fn talosconfig_entries(
    text: &str,
    opts: &Options<'_>,
) -> Result<(String, Vec<Entry>), InspectError> {
    let config = Config::parse(text).map_err(|e| InspectError::Talosconfig(e.to_string()))?;
    let mut entries = Vec::new();
    for (name, ctx) in &config.contexts {
        let ca: Result<Vec<Certificate>, String> = if ctx.ca.is_empty() {
            Ok(Vec::new())
        } else {
            decode_b64(&ctx.ca).and_then(|pem| {
                pemx::decode_all_certificates(&pem)
                    .map_err(|e| e.to_string())?
                    .iter()
                    .map(|der| Certificate::from_der(der).map_err(|e| e.to_string()))
                    .collect()
            })
        };
        // As talosctl reads it (tls.X509KeyPair): the leaf is the first CERTIFICATE, the others
        // are sent along as intermediates.
        let crt = (!ctx.crt.is_empty()).then(|| {
            decode_b64(&ctx.crt).and_then(|pem| {
                let (leaf, intermediates) =
                    described_certificates(&pem).map_err(|e| e.to_string())?;
                Ok((pem, leaf, intermediates))
            })
        });
        let leaf = crt.as_ref().and_then(|c| c.as_ref().ok());
        let key = match decode_b64(&ctx.key) {
            Ok(pem) => key_info(&pem, leaf.map(|(_, leaf, _)| leaf)),
            Err(e) => KeyInfo::Unreadable(e),
        };
        let chain = match (leaf, &ca) {
            (Some((pem, _, _)), Ok(cas)) if !cas.is_empty() => Some(chain_to(pem, cas, opts.now)),
            _ => None,
        };
        let intermediates = leaf
            .map(|(_, _, ints)| ints.iter().map(|c| cert_info(c, opts)).collect())
            .unwrap_or_default();
        entries.push(Entry {
            name: format!("contexts.{name}"),
            description: format!("context {name:?}"),
            body: Body::Context(ContextInfo {
                current: *name == config.context,
                endpoints: ctx.endpoints.clone(),
                nodes: ctx.nodes.clone(),
                ca: ca.map(|cas| cas.iter().map(|c| cert_info(c, opts)).collect()),
                certificate: crt.map(|r| r.map(|(_, leaf, _)| cert_info(&leaf, opts))),
                intermediates,
                key,
                chain,
            }),
        });
    }
    Ok((config.context, entries))
}

/// Whether the certificate of `crt_pem` (with the intermediates after it) chains to one of `cas`
/// at `at`: verify's issuer and chain checks, so inspect and verify agree. `Ok` is the chain
/// check's account of it (`signed by O=talos (sha256:…), valid until …`), `Err` what is wrong.
fn chain_to(crt_pem: &[u8], cas: &[Certificate], at: OffsetDateTime) -> Result<String, String> {
    let verdict = crate::verify::verify(&Request {
        trusted: cas,
        crt_pem,
        key_pem: b"",
        client_ca_pem: None,
        at,
        expected_roles: None,
    });
    for id in [CheckId::Issuer, CheckId::Chain] {
        match verdict.outcome(id) {
            Some(Outcome::Fail { problem, .. }) => return Err(problem.clone()),
            Some(Outcome::Pass(what)) if id == CheckId::Chain => return Ok(what.clone()),
            _ => {}
        }
    }
    Err("the chain was not checked".to_string())
}

fn yaml_at<'v>(v: &'v serde_yaml::Value, path: &[&str]) -> Option<&'v serde_yaml::Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn yaml_str<'v>(v: &'v serde_yaml::Value, path: &[&str]) -> Option<&'v str> {
    yaml_at(v, path).and_then(serde_yaml::Value::as_str)
}

fn machine_config_entries(text: &str, opts: &Options<'_>) -> Vec<Entry> {
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(text)
        .filter_map(|d| serde_yaml::Value::deserialize(d).ok())
        .collect();
    let mut entries = Vec::new();
    // v1alpha1: base64 of PEM.
    let b64_entry = |name: &str, description: &str, node: &serde_yaml::Value| -> Option<Entry> {
        let crt = node.get("crt").and_then(|v| v.as_str()).unwrap_or_default();
        if crt.is_empty() {
            return None;
        }
        let key = node.get("key").and_then(|v| v.as_str()).unwrap_or_default();
        Some(match (decode_b64(crt), decode_b64(key)) {
            (Ok(crt), Ok(key)) => cert_and_key_entry(name.into(), description, &crt, &key, opts),
            (Err(e), _) => Entry {
                name: name.into(),
                description: description.into(),
                body: Body::Certificate {
                    certificate: Err(format!("crt: {e}")),
                    key: KeyInfo::Absent,
                },
            },
            (Ok(crt), Err(e)) => {
                let mut entry = cert_and_key_entry(name.into(), description, &crt, b"", opts);
                if let Body::Certificate { key, .. } = &mut entry.body {
                    *key = KeyInfo::Unreadable(format!("key: {e}"));
                }
                entry
            }
        })
    };
    for doc in &docs {
        if doc.get("version").and_then(|v| v.as_str()) == Some("v1alpha1") {
            let fields: [(&str, &str, &[&str]); 4] = [
                ("machine.ca", "Talos API (OS) CA", &["machine", "ca"]),
                ("cluster.ca", "Kubernetes CA", &["cluster", "ca"]),
                (
                    "cluster.aggregatorCA",
                    "Kubernetes aggregator (front-proxy) CA",
                    &["cluster", "aggregatorCA"],
                ),
                ("cluster.etcd.ca", "etcd CA", &["cluster", "etcd", "ca"]),
            ];
            for (name, description, path) in fields {
                if let Some(e) = yaml_at(doc, path).and_then(|n| b64_entry(name, description, n)) {
                    entries.push(e);
                }
            }
            if let Some(list) =
                yaml_at(doc, &["machine", "acceptedCAs"]).and_then(|v| v.as_sequence())
            {
                for (i, ca) in list.iter().enumerate() {
                    let name = format!("machine.acceptedCAs[{i}]");
                    if let Some(e) = b64_entry(&name, "accepted Talos API CA", ca) {
                        entries.push(e);
                    }
                }
            }
            if let Some(key) = yaml_str(doc, &["cluster", "serviceAccount", "key"]) {
                if !key.is_empty() {
                    entries.push(match decode_b64(key) {
                        Ok(pem) => key_entry(
                            "cluster.serviceAccount.key".into(),
                            "Kubernetes service account key",
                            &pem,
                        ),
                        Err(e) => Entry {
                            name: "cluster.serviceAccount.key".into(),
                            description: "Kubernetes service account key".into(),
                            body: Body::PrivateKey(KeyInfo::Unreadable(e)),
                        },
                    });
                }
            }
            continue;
        }
        // Multi-document configs: plain PEM.
        let Some(kind) = doc.get("kind").and_then(|v| v.as_str()) else {
            continue;
        };
        if let Some(cert) = yaml_str(doc, &["issuingCA", "cert"]) {
            let description = match kind {
                "KubeAPIServerCAConfig" => "Kubernetes CA",
                "KubeAggregatorCAConfig" => "Kubernetes aggregator (front-proxy) CA",
                "EtcdCAConfig" => "etcd CA",
                other => other,
            };
            let key = yaml_str(doc, &["issuingCA", "key"]).unwrap_or_default();
            entries.push(cert_and_key_entry(
                format!("{kind}.issuingCA"),
                description,
                cert.as_bytes(),
                key.as_bytes(),
                opts,
            ));
        }
        if kind == "KubeServiceAccountConfig" {
            if let Some(key) = yaml_str(doc, &["issuer", "privateKey"]) {
                entries.push(key_entry(
                    format!("{kind}.issuer.privateKey"),
                    "Kubernetes service account key",
                    key.as_bytes(),
                ));
            }
        }
    }
    entries
}

fn csr_info(csr: &Csr) -> CsrInfo {
    let roles = RoleSet::parse_lenient(csr.organizations.iter().map(String::as_str));
    use x509_parser::prelude::FromDer;
    let subject = x509_parser::x509::X509Name::from_der(&csr.subject_der)
        .map(|(_, n)| n.to_string())
        .unwrap_or_default();
    CsrInfo {
        subject,
        roles: roles.strings(),
        unknown_roles: roles.unknown().map(|r| r.as_str().to_string()).collect(),
        key_algorithm: spki_algorithm_name(&csr.spki_der).unwrap_or_default(),
        spki_pin: format!("sha256:{}", crate::pki::sha256_hex(&csr.spki_der)),
        ip_addresses: csr.ip_sans.iter().map(ToString::to_string).collect(),
        dns_names: csr.dns_sans.clone(),
    }
}

fn pem_entries(text: &str, opts: &Options<'_>) -> Result<(Kind, Vec<Entry>), InspectError> {
    let blocks = pem::parse_many(text.as_bytes()).map_err(|e| {
        // Labels are described, never quoted: they may be a private key's.
        InspectError::Pem(match e {
            pem::PemError::MismatchedTags(..) => "a BEGIN line and its END line differ".into(),
            pem::PemError::InvalidHeader(_) => "a block has an invalid header".into(),
            other => other.to_string(),
        })
    })?;
    // Certificates first so that a key in the same file can be matched against them.
    let mut certs: Vec<(usize, Result<Certificate, String>)> = Vec::new();
    let mut keys: Vec<(usize, Result<PrivateKey, String>)> = Vec::new();
    let mut csrs: Vec<(usize, Result<CsrInfo, String>)> = Vec::new();
    for (i, block) in blocks.into_iter().enumerate() {
        let label = block.tag().to_string();
        let der = Zeroizing::new(block.into_contents());
        if label == pemx::CERTIFICATE {
            certs.push((i, Certificate::from_der(&der).map_err(|e| e.to_string())));
        } else if label == pemx::CERTIFICATE_REQUEST {
            let pem = pemx::encode(&label, &der);
            csrs.push((
                i,
                Csr::from_pem(pem.as_bytes())
                    .map(|c| csr_info(&c))
                    .map_err(|e| e.to_string()),
            ));
        } else if label.ends_with("PRIVATE KEY") {
            let pem = pemx::encode_secret(&label, &der);
            keys.push((
                i,
                parse_client_key(pem.as_bytes()).map_err(|e| e.to_string()),
            ));
        }
    }
    let kind = if !certs.is_empty() {
        Kind::Certificate
    } else if !csrs.is_empty() {
        Kind::Csr
    } else if !keys.is_empty() {
        Kind::PrivateKey
    } else {
        return Err(InspectError::Unrecognised);
    };
    let mut entries: Vec<(usize, Entry)> = Vec::new();
    for (i, cert) in &certs {
        // A key in the same file belongs to the first certificate (Go's X509KeyPair order).
        let key = if Some(*i) == certs.first().map(|(j, _)| *j) {
            match keys.first() {
                Some((_, Ok(k))) => present_key(k, cert.as_ref().ok()),
                Some((_, Err(e))) => KeyInfo::Unreadable(e.clone()),
                None => KeyInfo::Absent,
            }
        } else {
            KeyInfo::Absent
        };
        entries.push((
            *i,
            Entry {
                name: format!("pem[{i}]"),
                description: "certificate".into(),
                body: Body::Certificate {
                    certificate: cert
                        .as_ref()
                        .map(|c| cert_info(c, opts))
                        .map_err(Clone::clone),
                    key,
                },
            },
        ));
    }
    for (i, csr) in csrs {
        entries.push((
            i,
            Entry {
                name: format!("pem[{i}]"),
                description: "certificate signing request".into(),
                body: Body::Csr(csr),
            },
        ));
    }
    if certs.is_empty() {
        for (i, key) in &keys {
            let info = match key {
                Ok(k) => present_key(k, None),
                Err(e) => KeyInfo::Unreadable(e.clone()),
            };
            entries.push((
                *i,
                Entry {
                    name: format!("pem[{i}]"),
                    description: "private key".into(),
                    body: Body::PrivateKey(info),
                },
            ));
        }
    }
    entries.sort_by_key(|(i, _)| *i);
    Ok((kind, entries.into_iter().map(|(_, e)| e).collect()))
}

fn der_entries(bytes: &[u8], opts: &Options<'_>) -> Result<(Kind, Vec<Entry>), InspectError> {
    if let Ok(cert) = Certificate::from_der(bytes) {
        return Ok((
            Kind::Certificate,
            vec![Entry {
                name: "der".into(),
                description: "certificate".into(),
                body: Body::Certificate {
                    certificate: Ok(cert_info(&cert, opts)),
                    key: KeyInfo::Absent,
                },
            }],
        ));
    }
    let csr_pem = pemx::encode(pemx::CERTIFICATE_REQUEST, bytes);
    if let Ok(csr) = Csr::from_pem(csr_pem.as_bytes()) {
        return Ok((
            Kind::Csr,
            vec![Entry {
                name: "der".into(),
                description: "certificate signing request".into(),
                body: Body::Csr(Ok(csr_info(&csr))),
            }],
        ));
    }
    let key_pem = pemx::encode_secret(pemx::PRIVATE_KEY, bytes);
    if let Ok(key) = PrivateKey::from_pem(key_pem.as_bytes()) {
        return Ok((
            Kind::PrivateKey,
            vec![Entry {
                name: "der".into(),
                description: "private key (PKCS#8)".into(),
                body: Body::PrivateKey(present_key(&key, None)),
            }],
        ));
    }
    Err(InspectError::Unrecognised)
}

impl Kind {
    /// The kind's name in reports (`secrets-bundle`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Certificate => "certificate",
            Kind::Csr => "csr",
            Kind::MachineConfig => "machine-config",
            Kind::PrivateKey => "private-key",
            Kind::SecretsBundle => "secrets-bundle",
            Kind::Talosconfig => "talosconfig",
        }
    }
}

impl CertInfo {
    /// The certificate on one line after `label` (a context's `ca:` or `intermediate:`):
    /// subject, serial, NotAfter with the time left, SPKI pin.
    fn line(&self, indent: &str, label: &str) -> String {
        format!(
            "{indent}{label:<15} {}, serial {}, until {} ({}), {}\n",
            display_name(&self.subject),
            self.serial,
            rfc3339(self.not_after),
            self.expires,
            self.spki_pin
        )
    }

    /// The JSON/YAML object.
    pub fn to_node(&self) -> Node {
        let strs = |v: &[String]| Node::str_seq(v.iter().cloned());
        let opt_list = |v: &Option<Vec<String>>| v.as_deref().map_or(Node::Null, strs);
        Node::map([
            ("subject", Node::str(self.subject.clone())),
            ("issuer", Node::str(self.issuer.clone())),
            ("selfSigned", Node::Bool(self.self_signed)),
            ("serial", Node::str(self.serial.clone())),
            ("notBefore", Node::str(rfc3339(self.not_before))),
            ("notAfter", Node::str(rfc3339(self.not_after))),
            ("validity", Node::str(self.validity)),
            ("expires", Node::str(self.expires.clone())),
            ("secondsLeft", Node::Int(self.seconds_left)),
            ("isCA", Node::Bool(self.is_ca)),
            ("keyAlgorithm", Node::str(self.key_algorithm.clone())),
            ("keyUsage", opt_list(&self.key_usage)),
            ("keyUsageCritical", Node::Bool(self.key_usage_critical)),
            ("extKeyUsage", opt_list(&self.ext_key_usage)),
            ("organizations", strs(&self.organizations)),
            ("roles", strs(&self.roles)),
            ("unknownRoles", strs(&self.unknown_roles)),
            ("rolesSummary", opt_str(self.roles_summary.as_deref())),
            ("commonName", opt_str(self.common_name.as_deref())),
            ("ipAddresses", strs(&self.ip_addresses)),
            ("dnsNames", strs(&self.dns_names)),
            ("sha256Fingerprint", Node::str(self.fingerprint.clone())),
            ("spkiPin", Node::str(self.spki_pin.clone())),
            ("subjectKeyId", opt_str(self.subject_key_id.as_deref())),
            ("authorityKeyId", opt_str(self.authority_key_id.as_deref())),
        ])
    }

    fn text(&self, out: &mut String, indent: &str) {
        let mut line = |label: &str, value: String| {
            out.push_str(&format!("{indent}{label:<15} {value}\n"));
        };
        line("subject:", display_name(&self.subject));
        if !self.is_ca {
            let roles = if self.roles.is_empty() {
                "none".to_string()
            } else if self.unknown_roles.is_empty() {
                self.roles.join(", ")
            } else {
                format!(
                    "{} (unknown to Talos: {})",
                    self.roles.join(", "),
                    self.unknown_roles.join(", ")
                )
            };
            line("roles:", roles);
            if let Some(summary) = &self.roles_summary {
                line("access:", summary.clone());
            }
        }
        let issuer = if self.self_signed {
            format!("{} (self-signed)", display_name(&self.issuer))
        } else {
            display_name(&self.issuer)
        };
        line("issuer:", issuer);
        line("serial:", self.serial.clone());
        let not_before = if self.validity == "not-yet-valid" {
            format!(
                "{} (not valid yet: {})",
                rfc3339(self.not_before),
                self.starts
            )
        } else {
            rfc3339(self.not_before)
        };
        line("not before:", not_before);
        let not_after = if self.validity == "expired" {
            format!("{} (expired {})", rfc3339(self.not_after), self.expires)
        } else {
            format!("{} ({})", rfc3339(self.not_after), self.expires)
        };
        line("not after:", not_after);
        line("key algorithm:", self.key_algorithm.clone());
        let ku = match &self.key_usage {
            None => "none".to_string(),
            Some(k) if self.key_usage_critical => format!("{} (critical)", k.join(", ")),
            Some(k) => k.join(", "),
        };
        line("key usage:", ku);
        line(
            "ext key usage:",
            self.ext_key_usage
                .as_ref()
                .map_or("none".to_string(), |e| e.join(", ")),
        );
        line("CA:", if self.is_ca { "yes" } else { "no" }.to_string());
        if let Some(cn) = &self.common_name {
            line("common name:", cn.clone());
        }
        if !self.ip_addresses.is_empty() || !self.dns_names.is_empty() {
            let sans: Vec<String> = self
                .ip_addresses
                .iter()
                .chain(&self.dns_names)
                .cloned()
                .collect();
            line("SANs:", sans.join(", "));
        }
        line("SHA-256:", self.fingerprint.clone());
        line("SPKI pin:", self.spki_pin.clone());
    }
}

impl CsrInfo {
    /// The JSON/YAML object.
    pub fn to_node(&self) -> Node {
        let strs = |v: &[String]| Node::str_seq(v.iter().cloned());
        Node::map([
            ("subject", Node::str(self.subject.clone())),
            ("roles", strs(&self.roles)),
            ("unknownRoles", strs(&self.unknown_roles)),
            ("keyAlgorithm", Node::str(self.key_algorithm.clone())),
            ("spkiPin", Node::str(self.spki_pin.clone())),
            ("ipAddresses", strs(&self.ip_addresses)),
            ("dnsNames", strs(&self.dns_names)),
        ])
    }
}

impl KeyInfo {
    /// The JSON/YAML object (never key material).
    pub fn to_node(&self) -> Node {
        let (status, file, algorithm, pin, matches, error) = match self {
            KeyInfo::Absent => ("absent", None, None, None, None, None),
            KeyInfo::Redacted => ("redacted", None, None, None, None, None),
            KeyInfo::Unreadable(e) => ("unreadable", None, None, None, None, Some(e.as_str())),
            KeyInfo::Present {
                algorithm,
                spki_pin,
                matches,
            } => (
                "present",
                None,
                Some(algorithm),
                Some(spki_pin),
                *matches,
                None,
            ),
            KeyInfo::InFile {
                file,
                algorithm,
                spki_pin,
            } => (
                "in-file",
                Some(file.as_str()),
                Some(algorithm),
                Some(spki_pin),
                Some(true),
                None,
            ),
        };
        let (algorithm, pin) = (algorithm.map(String::as_str), pin.map(String::as_str));
        Node::map([
            ("status", Node::str(status)),
            ("file", opt_str(file)),
            ("algorithm", opt_str(algorithm)),
            ("spkiPin", opt_str(pin)),
            ("matchesCertificate", matches.map_or(Node::Null, Node::Bool)),
            ("error", opt_str(error)),
        ])
    }

    fn text(&self) -> String {
        match self {
            KeyInfo::Absent => "absent".into(),
            KeyInfo::Redacted => "redacted (******)".into(),
            KeyInfo::Unreadable(e) => format!("present but unreadable: {e}"),
            KeyInfo::Present {
                algorithm,
                spki_pin,
                matches,
            } => {
                let m = match matches {
                    Some(true) => ", matches the certificate",
                    Some(false) => ", DOES NOT match the certificate",
                    None => "",
                };
                format!("present ({algorithm}, public key {spki_pin}){m}")
            }
            KeyInfo::InFile {
                file,
                algorithm,
                spki_pin,
            } => format!("in {file} ({algorithm}, public key {spki_pin}), matches the certificate"),
        }
    }
}

impl Entry {
    /// The JSON/YAML object: `name`, `type`, `description`, then the type's fields.
    pub fn to_node(&self) -> Node {
        let mut m: Vec<(String, Node)> = vec![("name".into(), Node::str(self.name.clone()))];
        let cert_or_error = |r: &Result<CertInfo, String>| match r {
            Ok(c) => (c.to_node(), Node::Null),
            Err(e) => (Node::Null, Node::str(e.clone())),
        };
        match &self.body {
            Body::Certificate { certificate, key } => {
                let (cert, error) = cert_or_error(certificate);
                m.push(("type".into(), Node::str("certificate")));
                m.push(("description".into(), Node::str(self.description.clone())));
                m.push(("certificate".into(), cert));
                m.push(("error".into(), error));
                m.push(("key".into(), key.to_node()));
            }
            Body::Csr(csr) => {
                m.push(("type".into(), Node::str("csr")));
                m.push(("description".into(), Node::str(self.description.clone())));
                let (node, error) = match csr {
                    Ok(c) => (c.to_node(), Node::Null),
                    Err(e) => (Node::Null, Node::str(e.clone())),
                };
                m.push(("csr".into(), node));
                m.push(("error".into(), error));
            }
            Body::PrivateKey(key) => {
                m.push(("type".into(), Node::str("private-key")));
                m.push(("description".into(), Node::str(self.description.clone())));
                m.push(("key".into(), key.to_node()));
            }
            Body::Context(c) => {
                m.push(("type".into(), Node::str("context")));
                m.push(("description".into(), Node::str(self.description.clone())));
                m.push(("current".into(), Node::Bool(c.current)));
                m.push((
                    "endpoints".into(),
                    Node::str_seq(c.endpoints.iter().cloned()),
                ));
                m.push(("nodes".into(), Node::str_seq(c.nodes.iter().cloned())));
                let (ca, ca_error) = match &c.ca {
                    Ok(cas) => (
                        Node::Seq(cas.iter().map(CertInfo::to_node).collect()),
                        Node::Null,
                    ),
                    Err(e) => (Node::Seq(Vec::new()), Node::str(e.clone())),
                };
                m.push(("ca".into(), ca));
                m.push(("caError".into(), ca_error));
                let (cert, error) = match &c.certificate {
                    None => (Node::Null, Node::Null),
                    Some(r) => cert_or_error(r),
                };
                m.push(("certificate".into(), cert));
                m.push(("error".into(), error));
                m.push((
                    "intermediates".into(),
                    Node::Seq(c.intermediates.iter().map(CertInfo::to_node).collect()),
                ));
                m.push(("key".into(), c.key.to_node()));
                let (chains, chain_error) = match &c.chain {
                    None => (Node::Null, Node::Null),
                    Some(Ok(_)) => (Node::Bool(true), Node::Null),
                    Some(Err(e)) => (Node::Bool(false), Node::str(e.clone())),
                };
                m.push(("chainsToCA".into(), chains));
                m.push(("chainError".into(), chain_error));
            }
        }
        Node::Map(m)
    }

    fn text(&self, out: &mut String) {
        const IN: &str = "    ";
        match &self.body {
            Body::Certificate { certificate, key } => {
                out.push_str(&format!("{}: {}\n", self.name, self.description));
                match certificate {
                    Ok(c) => c.text(out, IN),
                    Err(e) => {
                        out.push_str(&format!("{IN}{:<15} unreadable: {e}\n", "certificate:"))
                    }
                }
                out.push_str(&format!("{IN}{:<15} {}\n", "private key:", key.text()));
            }
            Body::Csr(csr) => {
                out.push_str(&format!("{}: {}\n", self.name, self.description));
                match csr {
                    Ok(c) => {
                        let l = |label: &str, v: String| format!("{IN}{label:<15} {v}\n");
                        out.push_str(&l("subject:", display_name(&c.subject)));
                        out.push_str(&l(
                            "roles:",
                            if c.roles.is_empty() {
                                "none".into()
                            } else {
                                c.roles.join(", ")
                            },
                        ));
                        if !c.unknown_roles.is_empty() {
                            out.push_str(&l("unknown roles:", c.unknown_roles.join(", ")));
                        }
                        out.push_str(&l("key algorithm:", c.key_algorithm.clone()));
                        out.push_str(&l("SPKI pin:", c.spki_pin.clone()));
                        let sans: Vec<String> =
                            c.ip_addresses.iter().chain(&c.dns_names).cloned().collect();
                        if !sans.is_empty() {
                            out.push_str(&l("SANs:", sans.join(", ")));
                        }
                    }
                    Err(e) => out.push_str(&format!("{IN}unreadable: {e}\n")),
                }
            }
            Body::PrivateKey(key) => {
                out.push_str(&format!("{}: {}\n", self.name, self.description));
                out.push_str(&format!("{IN}{:<15} {}\n", "private key:", key.text()));
            }
            Body::Context(c) => {
                let current = if c.current { " (current)" } else { "" };
                out.push_str(&format!("{}: {}{current}\n", self.name, self.description));
                let list = |v: &[String]| {
                    if v.is_empty() {
                        "not defined".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                out.push_str(&format!(
                    "{IN}{:<15} {}\n",
                    "endpoints:",
                    list(&c.endpoints)
                ));
                out.push_str(&format!("{IN}{:<15} {}\n", "nodes:", list(&c.nodes)));
                match &c.ca {
                    Ok(cas) if cas.is_empty() => {
                        out.push_str(&format!("{IN}{:<15} absent\n", "ca:"));
                    }
                    Ok(cas) => {
                        for ca in cas {
                            out.push_str(&ca.line(IN, "ca:"));
                        }
                    }
                    Err(e) => out.push_str(&format!("{IN}{:<15} unreadable: {e}\n", "ca:")),
                }
                match &c.certificate {
                    None => out.push_str(&format!("{IN}{:<15} absent\n", "certificate:")),
                    Some(Ok(cert)) => {
                        out.push_str(&format!("{IN}certificate:\n"));
                        cert.text(out, "        ");
                    }
                    Some(Err(e)) => {
                        out.push_str(&format!("{IN}{:<15} unreadable: {e}\n", "certificate:"));
                    }
                }
                for int in &c.intermediates {
                    out.push_str(&int.line(IN, "intermediate:"));
                }
                out.push_str(&format!("{IN}{:<15} {}\n", "private key:", c.key.text()));
                let chain = match &c.chain {
                    None => "not checked (needs both ca and crt)".to_string(),
                    Some(Ok(chain)) => format!("yes, {chain}"),
                    Some(Err(e)) => format!("NO: {e}"),
                };
                out.push_str(&format!("{IN}{:<15} {chain}\n", "chains to ca:"));
            }
        }
    }
}

impl FileReport {
    /// The JSON/YAML object of this file.
    pub fn to_node(&self) -> Node {
        Node::map([
            ("path", Node::str(self.path.clone())),
            ("kind", Node::str(self.kind.as_str())),
            ("error", Node::Null),
            ("currentContext", opt_str(self.current_context.as_deref())),
            (
                "entries",
                Node::Seq(self.entries.iter().map(Entry::to_node).collect()),
            ),
        ])
    }

    /// The human report: a header line, then one block per entry.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}: {}", self.path, self.kind);
        if let Some(ctx) = &self.current_context {
            let ctx = if ctx.is_empty() { "none" } else { ctx };
            out.push_str(&format!(" (current context: {ctx})"));
        }
        out.push('\n');
        if self.entries.is_empty() {
            out.push_str("    no certificates or keys\n");
        }
        for entry in &self.entries {
            entry.text(&mut out);
        }
        out
    }
}

/// The `-o json`/`-o yaml` document for several files: `{"files": [...]}`, a file that could not
/// be inspected carrying its `error`.
pub fn to_node(results: &[(String, Result<FileReport, InspectError>)]) -> Node {
    let files = results
        .iter()
        .map(|(path, r)| match r {
            Ok(report) => report.to_node(),
            Err(e) => Node::map([
                ("path", Node::str(path.clone())),
                ("kind", Node::Null),
                ("error", Node::str(e.to_string())),
                ("currentContext", Node::Null),
                ("entries", Node::Seq(Vec::new())),
            ]),
        })
        .collect();
    Node::map([("files", Node::Seq(files))])
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = match self {
            Kind::Certificate => "certificate",
            Kind::Csr => "certificate signing request",
            Kind::MachineConfig => "machine config",
            Kind::PrivateKey => "private key",
            Kind::SecretsBundle => "secrets bundle",
            Kind::Talosconfig => "talosconfig",
        };
        f.write_str(words)
    }
}
