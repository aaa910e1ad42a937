//! The cluster endpoint of `gen config`, checked as talosctl checks it
//! (`cmd/talosctl/cmd/mgmt/gen/config.go:402-433`, siderolabs/net `ValidateEndpointURI`), on top
//! of Go's `net/url` ([`crate::gourl`]).

use std::fmt;
use std::str::FromStr;

use crate::goquote::go_quote;
use crate::gourl::GoUrl;

/// A control-plane endpoint URL that talosctl would accept, e.g. `https://10.5.0.2:6443`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterEndpoint(String);

/// Why an endpoint was refused; messages are talosctl's (the hint follows a newline).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// `192.168.0.1` (talosctl: `no scheme and port specified …`).
    #[error("no scheme and port specified for the cluster endpoint URL\ntry: {0}")]
    NoSchemeAndPort(String),
    /// `192.168.0.1:6443`.
    #[error("no scheme specified for the cluster endpoint URL\ntry: {0}")]
    NoScheme(String),
    /// `http://…`.
    #[error("the control plane endpoint URL should have scheme https://\ntry: {0}")]
    NotHttps(String),
    /// Go's `url.Parse` refused it.
    #[error("failed to parse the cluster endpoint URL: {0}")]
    Parse(String),
    /// siderolabs/net refused it (bracket-less IPv6, blank host, bad port).
    #[error("error validating the cluster endpoint URL: {0}")]
    Invalid(String),
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
                host: endpoint.as_bytes().to_vec(),
                ..GoUrl::default()
            },
            Err(e) => return Err(EndpointError::Parse(e)),
        };
        if u.scheme.is_empty() {
            let hint = go_quote(&fix_control_plane_endpoint(u.clone()).to_string());
            return Err(if u.port().is_empty() {
                EndpointError::NoSchemeAndPort(hint)
            } else {
                EndpointError::NoScheme(hint)
            });
        }
        if u.scheme != "https" {
            return Err(EndpointError::NotHttps(go_quote(
                &fix_control_plane_endpoint(u).to_string(),
            )));
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
        u.host.extend_from_slice(b":6443");
    }
    u
}

/// siderolabs/net `ValidateEndpointURI`.
fn validate_endpoint_uri(ep: &str) -> Result<(), String> {
    let u = GoUrl::parse(ep)?;
    let count = |c: u8| u.host.iter().filter(|&&b| b == c).count();
    if count(b':') > 2 && (count(b'[') < 1 || count(b']') < 1) {
        return Err("IPv6 addresses MUST be enclosed by square brackets".into());
    }
    if u.hostname().is_empty() {
        return Err("hostname must not be blank".into());
    }
    let port = u.port();
    if !port.is_empty() {
        let n: i64 = String::from_utf8_lossy(port)
            .parse()
            .map_err(|_| "port number must be numeric".to_string())?;
        if !(1..=65535).contains(&n) {
            return Err("port number must be between 1 and 65535".into());
        }
    }
    Ok(())
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
        // The hint is Go's `URL.String()`: the host is re-escaped.
        assert_eq!(
            err("http://ü:2000"),
            "the control plane endpoint URL should have scheme https://\ntry: \"https://%C3%BC:2000\""
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
        // Go 1.26 refuses a second colon in an https host (`urlstrictcolons`) before
        // siderolabs/net can ask for brackets.
        assert_eq!(
            err("https://::1:6443"),
            "failed to parse the cluster endpoint URL: parse \"https://::1:6443\": invalid port \"::1:6443\" after host"
        );
        assert_eq!(
            err("https://%zz:6443"),
            "failed to parse the cluster endpoint URL: parse \"https://%zz:6443\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            err("https://1.2.3.4:6443:1"),
            "failed to parse the cluster endpoint URL: parse \"https://1.2.3.4:6443:1\": invalid port \":6443:1\" after host"
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
