//! `config info`: what the selected context holds, as text, JSON or YAML
//! (`spec/talosconfig.md` §4, `cmd/talosctl/cmd/talos/config.go:500-631`).
//!
//! The certificate's roles are its Organization values parsed as Talos does (`role.Parse`: trimmed,
//! empty ones skipped, unknown ones kept, sorted); its expiry is shown as go-humanize's
//! `RelTime(NotAfter, now, "ago", "from now")` and the UTC date of NotAfter.

use std::fmt::Write as _;

use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{Config, ConfigError};
use crate::roles::RoleSet;
use crate::yaml::Node;

/// What `config info` reports (talosctl's `talosconfigInfo`, `config.go:515-522`). A `None` list
/// is Go's nil slice: `null` in JSON, `[]` in YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// The context's name.
    pub context: String,
    /// The context's nodes.
    pub nodes: Option<Vec<String>>,
    /// The context's endpoints.
    pub endpoints: Option<Vec<String>>,
    /// Roles from the client certificate's Organization values, sorted.
    pub roles: Option<Vec<String>>,
    /// With `config info --access` (beyond talosctl): what the roles may do, in words; printed
    /// after `Roles:` in text output only, so talosctl's default output is unchanged.
    pub access: Option<String>,
    /// Humanized time to (or since) the certificate's NotAfter; `""` without a certificate.
    pub cert_ttl: String,
    /// NotAfter as `YYYY-MM-DD` (UTC); `""` without a certificate.
    pub cert_not_after: String,
}

/// The facts `config info` shows about a client certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Organization values parsed as Talos roles.
    pub roles: RoleSet,
    /// NotAfter.
    pub not_after: OffsetDateTime,
}

/// Why `config info` could not report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InfoError {
    /// No such context, or none selected.
    #[error(transparent)]
    Context(#[from] ConfigError),
    /// `crt` is not base64 (field named, content never shown).
    #[error("context {context}: crt is not base64: {reason}")]
    Base64 {
        /// The context.
        context: String,
        /// The decoder's message.
        reason: String,
    },
    /// `crt` holds no PEM block (talosctl's message).
    #[error("error decoding PEM")]
    Pem,
    /// The PEM block is not an X.509 certificate.
    #[error("context {context}: crt is not an X.509 certificate: {reason}")]
    Certificate {
        /// The context.
        context: String,
        /// The parser's message.
        reason: String,
    },
    /// An output format other than text, json or yaml (talosctl's message).
    #[error("unknown output format: {}", super::go_quote(.0))]
    UnknownFormat(String),
}

/// `config info -o` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `json`: 2-space indented object and a newline (Go `json.Encoder`).
    Json,
    /// `text`: the aligned lines of talosctl's template (default).
    Text,
    /// `yaml`: go-yaml `Encoder` output.
    Yaml,
}

impl std::str::FromStr for Format {
    type Err = InfoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "text" => Ok(Format::Text),
            "yaml" => Ok(Format::Yaml),
            other => Err(InfoError::UnknownFormat(other.to_string())),
        }
    }
}

impl Info {
    /// Collect the info of the context `selected` (or the current one) of `config`, which was
    /// parsed from `text` (the text tells Go's nil lists from empty ones).
    ///
    /// # Errors
    /// [`InfoError::Context`] for a missing or unset context (talosctl's messages, checked as
    /// `openConfigAndContext` does), the certificate errors for an unreadable `crt`.
    pub fn collect(
        config: &Config,
        text: &str,
        selected: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Self, InfoError> {
        let (name, ctx) = config.selected(selected)?;
        let (nodes_nil, endpoints_nil) = nil_lists(text, name);
        let mut info = Info {
            context: name.to_string(),
            nodes: (!nodes_nil).then(|| ctx.nodes.clone()),
            endpoints: (!endpoints_nil).then(|| ctx.endpoints.clone()),
            roles: None,
            access: None,
            cert_ttl: String::new(),
            cert_not_after: String::new(),
        };
        if !ctx.crt.is_empty() {
            let cert = CertSummary::from_base64_pem(name, &ctx.crt)?;
            let roles = cert.roles.strings();
            info.roles = (!roles.is_empty()).then_some(roles);
            info.cert_ttl = rel_time(cert.not_after, now, "ago", "from now");
            info.cert_not_after = format!(
                "{:04}-{:02}-{:02}",
                cert.not_after.year(),
                u8::from(cert.not_after.month()),
                cert.not_after.day()
            );
        }
        Ok(info)
    }

    /// Render in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Text => self.to_text(),
            Format::Yaml => crate::yaml::emit(&self.to_node()),
        }
    }

    /// talosctl's text template (`config.go:501-512`), labels padded to column 21, one trailing
    /// newline.
    pub fn to_text(&self) -> String {
        fn list(v: &Option<Vec<String>>) -> String {
            match v {
                Some(items) if !items.is_empty() => items.join(", "),
                _ => "not defined".to_string(),
            }
        }
        let mut out = String::new();
        let _ = writeln!(out, "Current context:     {}", self.context);
        let _ = writeln!(out, "Nodes:               {}", list(&self.nodes));
        let _ = write!(out, "Endpoints:           {}", list(&self.endpoints));
        if let Some(roles) = self.roles.as_ref().filter(|r| !r.is_empty()) {
            let _ = write!(out, "\nRoles:               {}", roles.join(", "));
        }
        if let Some(access) = &self.access {
            let _ = write!(out, "\nAccess:              {access}");
        }
        if !self.cert_ttl.is_empty() {
            let _ = write!(
                out,
                "\nCertificate expires: {} ({})",
                self.cert_ttl, self.cert_not_after
            );
        }
        out.push('\n');
        out
    }

    /// Go `json.Encoder` with `SetIndent("", "  ")`: keys in struct order, nil lists as `null`,
    /// `<`, `>`, `&`, U+2028 and U+2029 escaped as Go does, and a trailing newline.
    pub fn to_json(&self) -> String {
        let list = |v: &Option<Vec<String>>| match v {
            Some(items) => serde_json::Value::from(items.clone()),
            None => serde_json::Value::Null,
        };
        let fields = [
            ("context", serde_json::Value::from(self.context.clone())),
            ("nodes", list(&self.nodes)),
            ("endpoints", list(&self.endpoints)),
            ("roles", list(&self.roles)),
            ("certTTL", serde_json::Value::from(self.cert_ttl.clone())),
            (
                "certNotAfter",
                serde_json::Value::from(self.cert_not_after.clone()),
            ),
        ];
        let mut out = String::from("{\n");
        for (i, (key, value)) in fields.iter().enumerate() {
            // Serialising a `Value` cannot fail; an empty string would only drop the field.
            let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
            let comma = if i + 1 < fields.len() { "," } else { "" };
            let _ = writeln!(out, "  \"{key}\": {}{comma}", pretty.replace('\n', "\n  "));
        }
        out.push_str("}\n");
        go_json_escape(&out)
    }

    /// The YAML tree for `-o yaml` (struct order; nil lists are `[]` as go-yaml writes them).
    pub fn to_node(&self) -> Node {
        let list = |v: &Option<Vec<String>>| Node::str_seq(v.iter().flatten().cloned());
        Node::map([
            ("context", Node::str(self.context.clone())),
            ("nodes", list(&self.nodes)),
            ("endpoints", list(&self.endpoints)),
            ("roles", list(&self.roles)),
            ("certTTL", Node::str(self.cert_ttl.clone())),
            ("certNotAfter", Node::str(self.cert_not_after.clone())),
        ])
    }
}

impl CertSummary {
    /// Read a context's `crt` value: base64 of PEM, the first PEM block parsed as X.509
    /// (`config.go:541-560`).
    ///
    /// # Errors
    /// [`InfoError::Base64`], [`InfoError::Pem`] or [`InfoError::Certificate`].
    pub fn from_base64_pem(context: &str, crt: &str) -> Result<Self, InfoError> {
        let pem_bytes = crate::gobase64::decode(crt).map_err(|e| InfoError::Base64 {
            context: context.to_string(),
            reason: e.to_string(),
        })?;
        let block = pem::parse(&pem_bytes).map_err(|_| InfoError::Pem)?;
        Self::from_der(context, block.contents())
    }

    /// Read a DER certificate.
    ///
    /// # Errors
    /// [`InfoError::Certificate`].
    pub fn from_der(context: &str, der: &[u8]) -> Result<Self, InfoError> {
        let bad = |reason: String| InfoError::Certificate {
            context: context.to_string(),
            reason,
        };
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| bad(e.to_string()))?;
        let organizations: Vec<&str> = cert
            .subject()
            .iter_organization()
            .filter_map(|attr| attr.as_str().ok())
            .collect();
        let not_after = OffsetDateTime::from_unix_timestamp(cert.validity().not_after.timestamp())
            .map_err(|e| bad(e.to_string()))?;
        Ok(CertSummary {
            roles: RoleSet::parse_lenient(organizations),
            not_after,
        })
    }
}

/// go-humanize `RelTime(a, b, albl, blbl)` with its default magnitudes (v1.0.1 `times.go`): the
/// first bucket whose bound exceeds |b − a|, integer division, `albl` when `a` is not after `b`.
pub fn rel_time(a: OffsetDateTime, b: OffsetDateTime, albl: &str, blbl: &str) -> String {
    const SECOND: i128 = 1_000_000_000;
    const MINUTE: i128 = 60 * SECOND;
    const HOUR: i128 = 60 * MINUTE;
    const DAY: i128 = 24 * HOUR;
    const WEEK: i128 = 7 * DAY;
    const MONTH: i128 = 30 * DAY;
    const YEAR: i128 = 12 * MONTH;
    const LONG_TIME: i128 = 37 * YEAR;
    // (bound, format, divisor); `{n}` is the quantity, `{l}` the label.
    const MAGNITUDES: [(i128, &str, i128); 16] = [
        (SECOND, "now", SECOND),
        (2 * SECOND, "1 second {l}", 1),
        (MINUTE, "{n} seconds {l}", SECOND),
        (2 * MINUTE, "1 minute {l}", 1),
        (HOUR, "{n} minutes {l}", MINUTE),
        (2 * HOUR, "1 hour {l}", 1),
        (DAY, "{n} hours {l}", HOUR),
        (2 * DAY, "1 day {l}", 1),
        (WEEK, "{n} days {l}", DAY),
        (2 * WEEK, "1 week {l}", 1),
        (MONTH, "{n} weeks {l}", WEEK),
        (2 * MONTH, "1 month {l}", 1),
        (YEAR, "{n} months {l}", MONTH),
        (18 * MONTH, "1 year {l}", 1),
        (2 * YEAR, "2 years {l}", 1),
        (LONG_TIME, "{n} years {l}", YEAR),
    ];
    let (label, diff) = if a > b {
        (blbl, (a - b).whole_nanoseconds())
    } else {
        (albl, (b - a).whole_nanoseconds())
    };
    // Go's time.Duration saturates at ~292 years; every such span is past LONG_TIME anyway.
    let (format, divisor) = MAGNITUDES
        .iter()
        .find(|(bound, _, _)| *bound > diff)
        .map_or(("a long while {l}", 1), |(_, f, d)| (*f, *d));
    format
        .replace("{n}", &(diff / divisor).to_string())
        .replace("{l}", label)
}

/// Whether the context's `nodes` / `endpoints` would be nil slices in Go: the key is absent or
/// null (and, for endpoints, no deprecated `target` was appended on load). Any other value,
/// including `[]`, is a non-nil slice.
fn nil_lists(text: &str, name: &str) -> (bool, bool) {
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return (true, true);
    };
    let ctx = doc.get("contexts").and_then(|c| {
        c.as_mapping()?.iter().find_map(|(k, v)| {
            let key = match k {
                serde_yaml::Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other).ok()?.trim_end().to_string(),
            };
            (key == name).then_some(v)
        })
    });
    let is_nil = |key: &str| ctx.and_then(|c| c.get(key)).is_none_or(|v| v.is_null());
    let has_target = ctx
        .and_then(|c| c.get("target"))
        .and_then(|v| v.as_str())
        .is_some_and(|t| !t.is_empty());
    (is_nil("nodes"), is_nil("endpoints") && !has_target)
}

/// Escape what Go's `json.Encoder` escapes and serde_json does not; these characters can only
/// occur inside JSON strings, so replacing them anywhere is safe.
fn go_json_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn collect(text: &str, selected: Option<&str>, now: OffsetDateTime) -> Result<Info, InfoError> {
        Info::collect(&Config::parse(text)?, text, selected, now)
    }

    #[test]
    fn rel_time_buckets_match_go_humanize() {
        let now = datetime!(2021-07-05 22:06:42 UTC);
        let s = time::Duration::seconds;
        let cases = [
            (s(0), "now"),
            (s(1), "1 second from now"),
            (s(59), "59 seconds from now"),
            (s(60), "1 minute from now"),
            (s(119), "1 minute from now"),
            (s(120), "2 minutes from now"),
            (s(3600), "1 hour from now"),
            (s(7200), "2 hours from now"),
            (s(86_400), "1 day from now"),
            (s(2 * 86_400), "2 days from now"),
            (s(7 * 86_400), "1 week from now"),
            (s(14 * 86_400), "2 weeks from now"),
            (s(30 * 86_400), "1 month from now"),
            (s(60 * 86_400), "2 months from now"),
            (s(359 * 86_400), "11 months from now"),
            (s(360 * 86_400), "1 year from now"),
            (s(540 * 86_400), "2 years from now"),
            (s(720 * 86_400), "2 years from now"),
            (s(1080 * 86_400), "3 years from now"),
            (s(3650 * 86_400), "10 years from now"),
            (s(37 * 360 * 86_400), "a long while from now"),
            (s(-1), "1 second ago"),
            (s(-3 * 86_400), "3 days ago"),
            (s(-400 * 365 * 86_400), "a long while ago"),
        ];
        for (delta, want) in cases {
            assert_eq!(
                rel_time(now + delta, now, "ago", "from now"),
                want,
                "{delta}"
            );
        }
    }

    #[test]
    fn info_text_omits_roles_and_expiry_without_a_certificate() {
        let text = "context: a\ncontexts:\n    a:\n        endpoints: []\n";
        let info = collect(text, None, datetime!(2021-07-05 22:06:42 UTC)).unwrap();
        assert_eq!(
            info.to_text(),
            "Current context:     a\nNodes:               not defined\n\
             Endpoints:           not defined\n"
        );
    }

    #[test]
    fn json_nil_lists_follow_go() {
        // `endpoints: []` is a non-nil empty slice, missing `nodes` is nil, no cert: no roles.
        let text = "context: a\ncontexts:\n    a:\n        endpoints: []\n";
        let info = collect(text, None, datetime!(2021-07-05 22:06:42 UTC)).unwrap();
        assert_eq!(
            info.to_json(),
            "{\n  \"context\": \"a\",\n  \"nodes\": null,\n  \"endpoints\": [],\n  \
             \"roles\": null,\n  \"certTTL\": \"\",\n  \"certNotAfter\": \"\"\n}\n"
        );
        let text = "context: a\ncontexts:\n  a:\n    target: t\n    nodes: [\"<n>\", m]\n";
        let info = collect(text, None, datetime!(2021-07-05 22:06:42 UTC)).unwrap();
        assert_eq!(
            info.to_json(),
            "{\n  \"context\": \"a\",\n  \"nodes\": [\n    \"\\u003cn\\u003e\",\n    \"m\"\n  ],\n  \
             \"endpoints\": [\n    \"t\"\n  ],\n  \"roles\": null,\n  \"certTTL\": \"\",\n  \
             \"certNotAfter\": \"\"\n}\n"
        );
    }

    #[test]
    fn unknown_format_is_talosctls_message() {
        let err = "table".parse::<Format>().unwrap_err();
        assert_eq!(err.to_string(), "unknown output format: \"table\"");
    }

    #[test]
    fn crt_that_is_not_pem_is_talosctls_message() {
        let text = "context: a\ncontexts:\n  a:\n    crt: aGVsbG8=\n";
        let err = collect(text, None, OffsetDateTime::UNIX_EPOCH).unwrap_err();
        assert_eq!(err.to_string(), "error decoding PEM");
    }
}
