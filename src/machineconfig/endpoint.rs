//! The cluster endpoint of `gen config`, checked as talosctl checks it
//! (`cmd/talosctl/cmd/mgmt/gen/config.go:402-433`, siderolabs/net `ValidateEndpointURI`), on top
//! of the parts of Go's `net/url` parser those checks depend on.

use std::fmt;
use std::str::FromStr;

/// A control-plane endpoint URL that talosctl would accept, e.g. `https://10.5.0.2:6443`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterEndpoint(String);

/// Why an endpoint was refused; messages are talosctl's (the hint follows a newline).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// `192.168.0.1` (talosctl: `no scheme and port specified …`).
    #[error("no scheme and port specified for the cluster endpoint URL\ntry: {0:?}")]
    NoSchemeAndPort(String),
    /// `192.168.0.1:6443`.
    #[error("no scheme specified for the cluster endpoint URL\ntry: {0:?}")]
    NoScheme(String),
    /// `http://…`.
    #[error("the control plane endpoint URL should have scheme https://\ntry: {0:?}")]
    NotHttps(String),
    /// Go's `url.Parse` refused it.
    #[error("failed to parse the cluster endpoint URL: {0}")]
    Parse(String),
    /// siderolabs/net refused it (bracket-less IPv6, blank host, bad port).
    #[error("error validating the cluster endpoint URL: {0}")]
    Invalid(String),
}

/// The parts of a URL that Go's `url.Parse` produces and talosctl looks at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoUrl {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Opaque part (`scheme:opaque`).
    pub opaque: String,
    /// `user[:password]` before `@`.
    pub user: Option<String>,
    /// Host with port.
    pub host: String,
    /// Path.
    pub path: String,
    /// Query after `?`.
    pub query: Option<String>,
    /// Fragment after `#`.
    pub fragment: Option<String>,
}

impl ClusterEndpoint {
    /// The endpoint as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ClusterEndpoint {
    type Err = EndpointError;

    /// `validateClusterEndpoint`.
    fn from_str(endpoint: &str) -> Result<Self, EndpointError> {
        let u = match GoUrl::parse(endpoint) {
            Ok(u) => u,
            // Not a URL: could be just host:port.
            Err(_) if !endpoint.contains('/') => GoUrl {
                host: endpoint.to_string(),
                ..GoUrl::default()
            },
            Err(e) => return Err(EndpointError::Parse(e)),
        };
        if u.scheme.is_empty() {
            let hint = fix_control_plane_endpoint(u.clone()).to_string();
            return Err(if u.port().is_empty() {
                EndpointError::NoSchemeAndPort(hint)
            } else {
                EndpointError::NoScheme(hint)
            });
        }
        if u.scheme != "https" {
            return Err(EndpointError::NotHttps(
                fix_control_plane_endpoint(u).to_string(),
            ));
        }
        validate_endpoint_uri(endpoint).map_err(EndpointError::Invalid)?;
        Ok(ClusterEndpoint(endpoint.to_string()))
    }
}

impl fmt::Display for ClusterEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `fixControlPlaneEndpoint`: https, port 6443 when missing.
fn fix_control_plane_endpoint(mut u: GoUrl) -> GoUrl {
    if u.scheme.is_empty() && u.host.is_empty() && !u.path.is_empty() {
        u.host = std::mem::take(&mut u.path);
    }
    u.scheme = "https".into();
    if u.port().is_empty() {
        u.host = format!("{}:6443", u.host);
    }
    u
}

/// siderolabs/net `ValidateEndpointURI`.
fn validate_endpoint_uri(ep: &str) -> Result<(), String> {
    let u = GoUrl::parse(ep)?;
    if u.host.matches(':').count() > 2 && (!u.host.contains('[') || !u.host.contains(']')) {
        return Err("IPv6 addresses MUST be enclosed by square brackets".into());
    }
    if u.hostname().is_empty() {
        return Err("hostname must not be blank".into());
    }
    let port = u.port();
    if !port.is_empty() {
        let n: i64 = port
            .parse()
            .map_err(|_| "port number must be numeric".to_string())?;
        if !(1..=65535).contains(&n) {
            return Err("port number must be between 1 and 65535".into());
        }
    }
    Ok(())
}

impl GoUrl {
    /// Go `url.Parse` (absolute and relative references, no percent-decoding of the result).
    ///
    /// # Errors
    /// Go's message, `parse "<url>": <reason>`.
    pub fn parse(raw: &str) -> Result<GoUrl, String> {
        let fail = |why: &str| format!("parse {raw:?}: {why}");
        if raw.chars().any(|c| c < ' ' || c == '\u{7f}') {
            return Err(fail("net/url: invalid control character in URL"));
        }
        let mut u = GoUrl::default();
        let (rest, fragment) = match raw.split_once('#') {
            Some((r, f)) => (r, Some(f.to_string())),
            None => (raw, None),
        };
        u.fragment = fragment;
        let mut rest = rest;
        if rest.is_empty() {
            return Ok(u);
        }
        // getScheme
        for (i, c) in rest.char_indices() {
            if c.is_ascii_alphabetic() {
                continue;
            }
            if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') {
                if i == 0 {
                    break;
                }
                continue;
            }
            if c == ':' {
                if i == 0 {
                    return Err(fail("missing protocol scheme"));
                }
                u.scheme = rest.get(..i).unwrap_or_default().to_ascii_lowercase();
                rest = rest.get(i + 1..).unwrap_or_default();
            }
            break;
        }
        if let Some((r, q)) = rest.split_once('?') {
            u.query = Some(q.to_string());
            rest = r;
        }
        if !rest.starts_with('/') {
            if !u.scheme.is_empty() {
                u.opaque = rest.to_string();
                return Ok(u);
            }
            let segment = rest.split('/').next().unwrap_or_default();
            if segment.contains(':') {
                return Err(fail("first path segment in URL cannot contain colon"));
            }
        }
        if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = rest.get(2..).unwrap_or_default();
            let end = after.find('/').unwrap_or(after.len());
            let (authority, path) = after.split_at(end);
            let host = match authority.rsplit_once('@') {
                Some((user, host)) => {
                    u.user = Some(user.to_string());
                    host
                }
                None => authority,
            };
            check_host(host).map_err(|e| fail(&e))?;
            u.host = host.to_string();
            rest = path;
        }
        if let Some(bad) = bad_escape(rest) {
            return Err(fail(&format!("invalid URL escape {bad:?}")));
        }
        u.path = rest.to_string();
        Ok(u)
    }

    /// `URL.Port()`.
    pub fn port(&self) -> &str {
        let after_bracket = match self.host.rfind(']') {
            Some(i) => self.host.get(i + 1..).unwrap_or_default(),
            None => &self.host,
        };
        match after_bracket.rfind(':') {
            Some(i) => {
                let p = after_bracket.get(i + 1..).unwrap_or_default();
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    p
                } else {
                    ""
                }
            }
            None => "",
        }
    }

    /// `URL.Hostname()`.
    pub fn hostname(&self) -> &str {
        let host = &self.host;
        if let Some(v6) = host.strip_prefix('[') {
            return v6.split(']').next().unwrap_or_default();
        }
        match host.rfind(':') {
            Some(i) => host.get(..i).unwrap_or_default(),
            None => host,
        }
    }
}

impl fmt::Display for GoUrl {
    /// `URL.String()` (without re-escaping).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.scheme.is_empty() {
            write!(f, "{}:", self.scheme)?;
        }
        if !self.opaque.is_empty() {
            f.write_str(&self.opaque)?;
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    f.write_str("//")?;
                }
                if let Some(user) = &self.user {
                    write!(f, "{user}@")?;
                }
                f.write_str(&self.host)?;
            }
            if !self.path.is_empty() && !self.path.starts_with('/') && !self.host.is_empty() {
                f.write_str("/")?;
            }
            f.write_str(&self.path)?;
        }
        if let Some(q) = &self.query {
            write!(f, "?{q}")?;
        }
        if let Some(frag) = &self.fragment {
            if !frag.is_empty() {
                write!(f, "#{frag}")?;
            }
        }
        Ok(())
    }
}

/// `parseHost`: IPv6 literals in brackets, a numeric port after the last colon, no spaces.
fn check_host(host: &str) -> Result<(), String> {
    if let Some(v6) = host.strip_prefix('[') {
        let Some(end) = v6.find(']') else {
            return Err("missing ']' in host".into());
        };
        let after = v6.get(end + 1..).unwrap_or_default();
        if !after.is_empty() && !valid_optional_port(after) {
            return Err(format!("invalid port {after:?} after host"));
        }
        return Ok(());
    }
    if let Some(i) = host.rfind(':') {
        let colon_port = host.get(i..).unwrap_or_default();
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {colon_port:?} after host"));
        }
    }
    if let Some(c) = host.chars().find(|c| {
        matches!(
            c,
            ' ' | '<' | '>' | '"' | '`' | '{' | '}' | '|' | '\\' | '^'
        )
    }) {
        return Err(format!(
            "invalid character {:?} in host name",
            c.to_string()
        ));
    }
    Ok(())
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    }
}

/// The first malformed `%` escape (Go reports its three bytes), if any.
fn bad_escape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                let end = s.len().min(i + 3);
                return Some(s.get(i..end).unwrap_or("%").to_string());
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        s.parse::<ClusterEndpoint>().unwrap_err().to_string()
    }

    #[test]
    fn talosctl_integration_cases() {
        // internal/integration/cli/gen.go:111-131
        assert_eq!(
            err("192.168.0.1"),
            "no scheme and port specified for the cluster endpoint URL\ntry: \"https://192.168.0.1:6443\""
        );
        assert_eq!(
            err("192.168.0.1:6443"),
            "no scheme specified for the cluster endpoint URL\ntry: \"https://192.168.0.1:6443\""
        );
        assert_eq!(
            err("192.168.0.1:2000"),
            "no scheme specified for the cluster endpoint URL\ntry: \"https://192.168.0.1:2000\""
        );
        assert_eq!(
            err("http://192.168.0.1:2000"),
            "the control plane endpoint URL should have scheme https://\ntry: \"https://192.168.0.1:2000\""
        );
    }

    #[test]
    fn valid_endpoints() {
        for ok in [
            "https://base:6443",
            "https://10.5.0.2:6443",
            "https://[::1]:6443",
            "https://h",
        ] {
            assert_eq!(ok.parse::<ClusterEndpoint>().unwrap().as_str(), ok);
        }
    }

    #[test]
    fn invalid_endpoints() {
        assert_eq!(
            err("https://::1:6443"),
            "error validating the cluster endpoint URL: IPv6 addresses MUST be enclosed by square brackets"
        );
        assert_eq!(
            err("https://:6443"),
            "error validating the cluster endpoint URL: hostname must not be blank"
        );
        assert_eq!(
            err("https://h:70000"),
            "error validating the cluster endpoint URL: port number must be between 1 and 65535"
        );
        assert_eq!(
            err("https://h:x/"),
            "failed to parse the cluster endpoint URL: parse \"https://h:x/\": invalid port \":x\" after host"
        );
    }
}
