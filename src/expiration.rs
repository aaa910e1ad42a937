//! When do the cluster's CAs and the talosconfig credentials expire? (`talmint check-expiration`,
//! issue 5), in the spirit of `kubeadm certs check-expiration`: one row per certificate with its
//! NotAfter, the residual time (kubeadm's short form) and the roles or CA kind, and a status
//! against two thresholds.
//!
//! A row is `expired` once the clock is past NotAfter (Go: `now.After(NotAfter)`), `failing` when
//! the time left is at most the fail threshold (so exactly at the threshold fails), `warning`
//! when it is at most the warn threshold, `ok` otherwise.
//!
//! A context's `ca` is checked too (talosctl verifies the node with it, so once it expires the
//! context is unusable however long its own certificate runs): one row per distinct CA
//! certificate, named after the first context holding it (`contexts.admin@prod.ca`). A CA held by
//! several contexts, or that is one of the bundle's CAs, is one row (by SHA-256 of its DER).
//!
//! So is every intermediate CA a context's `crt` sends along (its `CERTIFICATE` blocks after the
//! leaf, read as `verify` and talosctl read them): a node refuses the chain once one expires.
//! Each is a row named after the context and the block (`contexts.admin.crt[1]`, the leaf being
//! block 0); an intermediate several contexts send is one row, named after the first.
//!
//! Nothing checked is not a pass: a talosconfig without contexts is an error
//! ([`ExpirationError::NotTalosconfig`]), and a report without rows has not
//! [`passed`](Report::passed).

use std::fmt;

use time::OffsetDateTime;

use crate::bundle::{CertAndKey, SecretsBundle};
use crate::pki::Certificate;
use crate::report::{exact_duration, opt_seq, rfc3339, seconds_between, short_duration, table};
use crate::roles::RoleSet;
use crate::talosconfig::Config;
use crate::verify::described_certificates;
use crate::yaml::Node;

/// What a certificate is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A bundle CA: which one.
    Ca(&'static str),
    /// A client certificate with these roles.
    Client(Vec<String>),
    /// A CA from the `ca` field of these contexts (`contexts.admin (talosconfig)`), in input
    /// order.
    ContextCa(Vec<String>),
    /// An intermediate CA these contexts send along after the leaf in their `crt`
    /// (`contexts.admin (talosconfig)`), in input order.
    Intermediate(Vec<String>),
}

/// One certificate to check.
#[derive(Clone, Debug)]
pub struct Item {
    /// Field path in its file (`certs.os`, `contexts.admin@prod`).
    pub name: String,
    /// The file it came from, as given.
    pub source: String,
    /// CA kind or roles.
    pub purpose: Purpose,
    /// Subject text.
    pub subject: String,
    /// NotAfter.
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, lowercase hex (CAs met twice are one row).
    pub fingerprint: String,
}

/// The thresholds, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// Warn when at most this much time is left.
    pub warn: i64,
    /// Fail when at most this much time is left.
    pub fail_within: i64,
}

/// A row's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// More than the warn threshold left.
    Ok,
    /// At most the warn threshold left.
    Warning,
    /// At most the fail threshold left.
    Failing,
    /// Past NotAfter.
    Expired,
}

/// One checked certificate.
#[derive(Clone, Debug)]
pub struct Row {
    /// The certificate.
    pub item: Item,
    /// Seconds from the clock to NotAfter (negative once expired).
    pub seconds_left: i64,
    /// The verdict.
    pub status: Status,
}

/// The whole check.
#[derive(Clone, Debug)]
pub struct Report {
    /// The clock.
    pub now: OffsetDateTime,
    /// The thresholds.
    pub thresholds: Thresholds,
    /// One row per certificate, in input order.
    pub rows: Vec<Row>,
    /// What was not checked and why (`contexts.omni (talosconfig): no certificate`).
    pub skipped: Vec<String>,
}

/// Why a certificate could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExpirationError {
    /// A certificate field does not decode or parse.
    #[error("{source_file}: {field}: {reason}")]
    Certificate {
        /// The file.
        source_file: String,
        /// The field (`contexts.admin.crt`).
        field: String,
        /// What went wrong.
        reason: String,
    },
    /// A file given as a talosconfig has no contexts (a secrets bundle, say): nothing to check.
    #[error(
        "{source_file}: not a talosconfig (no contexts); for a secrets bundle use --with-secrets"
    )]
    NotTalosconfig {
        /// The file.
        source_file: String,
    },
}

/// The bundle's four CAs (absent ones are listed in the returned skip notes).
///
/// # Errors
/// [`ExpirationError::Certificate`] when a CA certificate does not parse.
pub fn bundle_items(
    bundle: &SecretsBundle,
    source: &str,
) -> Result<(Vec<Item>, Vec<String>), ExpirationError> {
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    let none: Option<CertAndKey> = None;
    let certs = bundle.certs.as_ref();
    let cas: [(&str, &'static str, &Option<CertAndKey>); 4] = [
        ("os", "Talos API (OS) CA", certs.map_or(&none, |c| &c.os)),
        ("etcd", "etcd CA", certs.map_or(&none, |c| &c.etcd)),
        ("k8s", "Kubernetes CA", certs.map_or(&none, |c| &c.k8s)),
        (
            "k8saggregator",
            "Kubernetes aggregator (front-proxy) CA",
            certs.map_or(&none, |c| &c.k8s_aggregator),
        ),
    ];
    for (field, kind, ck) in cas {
        let name = format!("certs.{field}");
        let Some(ck) = ck else {
            skipped.push(format!("{name} ({source}): absent"));
            continue;
        };
        let cert = Certificate::from_pem(&ck.crt).map_err(|e| ExpirationError::Certificate {
            source_file: source.to_string(),
            field: format!("{name}.crt"),
            reason: e.to_string(),
        })?;
        items.push(Item {
            name,
            source: source.to_string(),
            purpose: Purpose::Ca(kind),
            subject: cert.subject.clone(),
            not_after: cert.not_after,
            fingerprint: cert.fingerprint(),
        });
    }
    Ok((items, skipped))
}

/// Every context's client certificate and the intermediates its `crt` sends along, then every
/// CA in the contexts' `ca` fields (contexts without a certificate or a `ca` are listed in the
/// skip notes). A CA several contexts hold is one row, and so is an intermediate several
/// contexts send; [`evaluate`] also merges them with equal ones from another file (a context CA
/// with an equal bundle CA).
///
/// # Errors
/// [`ExpirationError::NotTalosconfig`] when `config` has no contexts;
/// [`ExpirationError::Certificate`] when a `crt` or `ca` does not decode or parse.
pub fn talosconfig_items(
    config: &Config,
    source: &str,
) -> Result<(Vec<Item>, Vec<String>), ExpirationError> {
    if config.contexts.is_empty() {
        return Err(ExpirationError::NotTalosconfig {
            source_file: source.to_string(),
        });
    }
    let mut items = Vec::new();
    let mut cas = Vec::new();
    let mut skipped = Vec::new();
    for (name, ctx) in &config.contexts {
        let field = format!("contexts.{name}");
        let bad = |key: &str, reason: String| ExpirationError::Certificate {
            source_file: source.to_string(),
            field: format!("{field}.{key}"),
            reason,
        };
        let decode = |key: &str, value: &str| {
            crate::gobase64::decode(value).map_err(|e| bad(key, format!("invalid base64: {e}")))
        };
        if ctx.crt.is_empty() {
            skipped.push(format!("{field} ({source}): no certificate"));
        } else {
            let pem = decode("crt", &ctx.crt)?;
            // As talosctl reads it (tls.X509KeyPair): the leaf, then the intermediates it sends.
            let (cert, intermediates) =
                described_certificates(&pem).map_err(|e| bad("crt", e.to_string()))?;
            let roles = RoleSet::parse_lenient(cert.organizations.iter().map(String::as_str));
            items.push(Item {
                name: field.clone(),
                source: source.to_string(),
                purpose: Purpose::Client(roles.strings()),
                subject: cert.subject.clone(),
                not_after: cert.not_after,
                fingerprint: cert.fingerprint(),
            });
            for (i, cert) in intermediates.iter().enumerate() {
                items.push(Item {
                    name: format!("{field}.crt[{}]", i + 1),
                    source: source.to_string(),
                    purpose: Purpose::Intermediate(vec![format!("{field} ({source})")]),
                    subject: cert.subject.clone(),
                    not_after: cert.not_after,
                    fingerprint: cert.fingerprint(),
                });
            }
        }
        if ctx.ca.is_empty() {
            skipped.push(format!("{field}.ca ({source}): absent"));
            continue;
        }
        let pem = decode("ca", &ctx.ca)?;
        let ders =
            crate::pki::pem::decode_all_certificates(&pem).map_err(|e| bad("ca", e.to_string()))?;
        let several = ders.len() > 1;
        for (i, der) in ders.iter().enumerate() {
            let cert = Certificate::from_der(der).map_err(|e| bad("ca", e.to_string()))?;
            let row = if several {
                format!("{field}.ca[{i}]")
            } else {
                format!("{field}.ca")
            };
            cas.push(Item {
                name: row,
                source: source.to_string(),
                purpose: Purpose::ContextCa(vec![format!("{field} ({source})")]),
                subject: cert.subject.clone(),
                not_after: cert.not_after,
                fingerprint: cert.fingerprint(),
            });
        }
    }
    items.extend(cas);
    Ok((merge_equal_cas(items), skipped))
}

/// Keep the first row of each CA certificate; a context CA met again adds its contexts to that
/// row (a bundle CA's row stays as it is), and so does an intermediate met again to the first
/// row of that intermediate.
fn merge_equal_cas(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    for item in items {
        let (contexts, intermediate) = match &item.purpose {
            Purpose::ContextCa(contexts) => (contexts, false),
            Purpose::Intermediate(contexts) => (contexts, true),
            _ => {
                out.push(item);
                continue;
            }
        };
        let earlier = out.iter_mut().find(|e| {
            e.fingerprint == item.fingerprint
                && match e.purpose {
                    Purpose::Ca(_) | Purpose::ContextCa(_) => !intermediate,
                    Purpose::Intermediate(_) => intermediate,
                    Purpose::Client(_) => false,
                }
        });
        match earlier {
            Some(Item {
                purpose: Purpose::ContextCa(held_by) | Purpose::Intermediate(held_by),
                ..
            }) => {
                for c in contexts {
                    if !held_by.contains(c) {
                        held_by.push(c.clone());
                    }
                }
            }
            Some(_) => {}
            None => out.push(item),
        }
    }
    out
}

/// Rate every item at `now`, one row per item but one per CA certificate (a context CA equal to
/// an earlier CA row joins that row, an intermediate equal to an earlier intermediate row joins
/// that one).
pub fn evaluate(
    items: Vec<Item>,
    skipped: Vec<String>,
    now: OffsetDateTime,
    thresholds: Thresholds,
) -> Report {
    let rows = merge_equal_cas(items)
        .into_iter()
        .map(|item| {
            let seconds_left = seconds_between(now, item.not_after);
            let status = if now > item.not_after {
                Status::Expired
            } else if seconds_left <= thresholds.fail_within {
                Status::Failing
            } else if seconds_left <= thresholds.warn {
                Status::Warning
            } else {
                Status::Ok
            };
            Row {
                item,
                seconds_left,
                status,
            }
        })
        .collect();
    Report {
        now,
        thresholds,
        rows,
        skipped,
    }
}

impl Status {
    /// The status's name in JSON (`failing`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Failing => "failing",
            Status::Expired => "expired",
        }
    }
}

impl Purpose {
    fn text(&self) -> String {
        match self {
            Purpose::Ca(kind) => (*kind).to_string(),
            Purpose::Client(roles) if roles.is_empty() => "(no roles)".to_string(),
            Purpose::Client(roles) => roles.join(","),
            Purpose::ContextCa(contexts) => match contexts.len() {
                1 => "talosconfig CA".to_string(),
                n => format!("talosconfig CA of {n} contexts"),
            },
            Purpose::Intermediate(contexts) => match contexts.len() {
                1 => "intermediate CA".to_string(),
                n => format!("intermediate CA of {n} contexts"),
            },
        }
    }
}

/// kubeadm's EXPIRES column: `Jul 03, 2031 11:18 UTC`.
fn expires_text(t: OffsetDateTime) -> String {
    let fmt =
        time::macros::format_description!("[month repr:short] [day], [year] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| rfc3339(t))
}

impl Row {
    fn describe(&self, now: OffsetDateTime) -> String {
        let when = if self.status == Status::Expired {
            format!(
                "expired {}",
                crate::report::relative_time(self.item.not_after, now)
            )
        } else {
            format!("expires in {}", short_duration(self.seconds_left))
        };
        format!("{} ({}) {when}", self.item.name, self.item.source)
    }
}

impl Report {
    /// Whether something was checked, and nothing has expired or is within the fail threshold.
    pub fn passed(&self) -> bool {
        !self.rows.is_empty() && self.failing().next().is_none()
    }

    /// The rows that fail the check, in order.
    pub fn failing(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.status >= Status::Failing)
    }

    /// The rows within the warn threshold only.
    pub fn warnings(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.status == Status::Warning)
    }

    /// One line naming what failed (`None` when the check passed).
    pub fn failure_summary(&self) -> Option<String> {
        if self.rows.is_empty() {
            return Some(if self.skipped.is_empty() {
                "nothing to check: no certificates".to_string()
            } else {
                format!("nothing to check: {}", self.skipped.join(", "))
            });
        }
        let failing: Vec<String> = self.failing().map(|r| r.describe(self.now)).collect();
        if failing.is_empty() {
            return None;
        }
        Some(format!(
            "{} certificate{} expired or expiring within {}: {}",
            failing.len(),
            if failing.len() == 1 { "" } else { "s" },
            exact_duration(self.thresholds.fail_within),
            failing.join(", ")
        ))
    }

    /// One line per warning.
    pub fn warning_lines(&self) -> Vec<String> {
        self.warnings()
            .map(|r| {
                format!(
                    "{} (within {})",
                    r.describe(self.now),
                    exact_duration(self.thresholds.warn)
                )
            })
            .collect()
    }

    /// The kubeadm-style table.
    pub fn to_text(&self) -> String {
        let mut rows = vec![[
            "NAME",
            "SOURCE",
            "EXPIRES",
            "RESIDUAL TIME",
            "ROLES/CA KIND",
            "STATUS",
        ]
        .map(String::from)
        .to_vec()];
        for r in &self.rows {
            rows.push(vec![
                r.item.name.clone(),
                r.item.source.clone(),
                expires_text(r.item.not_after),
                short_duration(r.seconds_left),
                r.item.purpose.text(),
                r.status.to_string(),
            ]);
        }
        table(&rows)
    }

    /// The `-o json` object.
    pub fn to_node(&self) -> Node {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let (kind, ca_kind, roles) = match &r.item.purpose {
                    Purpose::Ca(k) => ("ca", Node::str(*k), Node::Null),
                    Purpose::ContextCa(_) | Purpose::Intermediate(_) => {
                        ("ca", Node::str(r.item.purpose.text()), Node::Null)
                    }
                    Purpose::Client(roles) => ("client", Node::Null, opt_seq(Some(roles))),
                };
                Node::map([
                    ("name", Node::str(r.item.name.clone())),
                    ("source", Node::str(r.item.source.clone())),
                    ("type", Node::str(kind)),
                    ("caKind", ca_kind),
                    ("roles", roles),
                    ("subject", Node::str(r.item.subject.clone())),
                    ("notAfter", Node::str(rfc3339(r.item.not_after))),
                    ("secondsLeft", Node::Int(r.seconds_left)),
                    ("residualTime", Node::str(short_duration(r.seconds_left))),
                    ("status", Node::str(r.status.as_str())),
                ])
            })
            .collect();
        Node::map([
            ("now", Node::str(rfc3339(self.now))),
            ("warnWithinSeconds", Node::Int(self.thresholds.warn)),
            ("failWithinSeconds", Node::Int(self.thresholds.fail_within)),
            ("passed", Node::Bool(self.passed())),
            ("certificates", Node::Seq(rows)),
            ("skipped", Node::str_seq(self.skipped.iter().cloned())),
        ])
    }
}

impl fmt::Display for Status {
    /// The STATUS column: `ok`, `warning`, `FAILING`, `EXPIRED`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Failing => "FAILING",
            Status::Expired => "EXPIRED",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn item(not_after: OffsetDateTime) -> Item {
        Item {
            name: "contexts.admin".into(),
            source: "talosconfig".into(),
            purpose: Purpose::Client(vec!["os:admin".into()]),
            subject: "O=os:admin".into(),
            not_after,
            fingerprint: "00".into(),
        }
    }

    #[test]
    fn status_boundaries_are_inclusive_of_the_threshold() {
        let not_after = datetime!(2030-01-01 00:00:00 UTC);
        let t = Thresholds {
            warn: 30 * 86400,
            fail_within: 7 * 86400,
        };
        let at = |secs_before: i64| {
            let now = not_after - time::Duration::seconds(secs_before);
            evaluate(vec![item(not_after)], vec![], now, t).rows[0].status
        };
        assert_eq!(at(7 * 86400 + 1), Status::Warning);
        assert_eq!(at(7 * 86400), Status::Failing);
        assert_eq!(at(7 * 86400 - 1), Status::Failing);
        assert_eq!(at(30 * 86400), Status::Warning);
        assert_eq!(at(30 * 86400 + 1), Status::Ok);
        assert_eq!(
            at(0),
            Status::Failing,
            "valid through NotAfter itself, as Go"
        );
        assert_eq!(at(-1), Status::Expired);
    }

    #[test]
    fn a_report_with_nothing_checked_has_not_passed() {
        let t = Thresholds {
            warn: 0,
            fail_within: 0,
        };
        let now = datetime!(2030-01-01 00:00:00 UTC);
        let skipped = vec!["contexts.omni (tc): no certificate".to_string()];
        let report = evaluate(vec![], skipped, now, t);
        assert!(!report.passed());
        assert_eq!(
            report.failure_summary().as_deref(),
            Some("nothing to check: contexts.omni (tc): no certificate")
        );
        assert!(evaluate(vec![item(now + time::Duration::DAY)], vec![], now, t).passed());
    }
}
