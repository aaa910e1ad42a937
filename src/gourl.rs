//! URLs as Go 1.26's `net/url` parses and prints them: `url.Parse` (with its errors),
//! `URL.String`, `URL.Hostname` and `URL.Port`. talosctl passes the cluster endpoint, registry
//! mirror endpoints (≥ v1.12) and the custom CNI URL through `url.Parse` and writes them back
//! with `String()` (talos `config/types/meta/url.go` `MarshalYAML`, `v1alpha1_types.go:872`
//! `Endpoint.MarshalYAML`), so the scheme is lower-cased and the host, path and fragment are
//! re-escaped. The `url` crate follows WHATWG, whose escaping differs, hence this module.
//!
//! Go facts (golang/go `src/net/url/url.go`, Go 1.26): `shouldEscape`, `unescape`, `escape`,
//! `parse`, `parseAuthority`, `parseHost` (a bracketed host must be an IPv6 address,
//! `netip.ParseAddr`; an `http`/`https` host has at most one colon, `urlstrictcolons=1`),
//! `setPath`, `setFragment`, `EscapedPath`, `EscapedFragment`, `String`, `splitHostPort`.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::goquote::go_quote;

/// A URL parsed as Go's `url.Parse` parses it. Strings are bytes, as Go's strings: an unescaped
/// `%FF` is not UTF-8.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoUrl {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Opaque part (`scheme:opaque`), encoded.
    pub opaque: String,
    /// `user[:password]` before `@`, decoded.
    pub user: Option<Userinfo>,
    /// Host with port, decoded (`[fe80::1%25en0]` becomes `[fe80::1%en0]`).
    pub host: Vec<u8>,
    /// Decoded path.
    pub path: Vec<u8>,
    /// The path as written, when its default encoding differs.
    pub raw_path: String,
    /// An empty authority was omitted (`scheme:/path`).
    pub omit_host: bool,
    /// A `?` with nothing after it.
    pub force_query: bool,
    /// Encoded query, without `?`.
    pub raw_query: String,
    /// Decoded fragment.
    pub fragment: Vec<u8>,
    /// The fragment as written, when its default encoding differs.
    pub raw_fragment: String,
}

/// Go's `url.Userinfo`, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Userinfo {
    /// User name.
    pub username: Vec<u8>,
    /// Password, when a `:` was given.
    pub password: Option<Vec<u8>>,
}

/// Go's `encoding` modes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

impl GoUrl {
    /// Go `url.Parse`.
    ///
    /// # Errors
    /// Go's message, `parse "<url>": <reason>`.
    pub fn parse(raw: &str) -> Result<GoUrl, String> {
        let (before, frag) = match raw.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (raw, None),
        };
        let mut url = parse_without_fragment(before)
            .map_err(|e| format!("parse {}: {e}", go_quote(before)))?;
        if let Some(frag) = frag.filter(|f| !f.is_empty()) {
            let decoded = unescape(frag, Mode::Fragment)
                .map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
            url.raw_fragment = if escape(&decoded, Mode::Fragment) == frag {
                String::new()
            } else {
                frag.to_string()
            };
            url.fragment = decoded;
        }
        Ok(url)
    }

    /// `URL.Port()`: the digits after the host's last colon, if they are all digits.
    pub fn port(&self) -> &[u8] {
        split_host_port(&self.host).1
    }

    /// `URL.Hostname()`: the host without port and without IPv6 brackets, decoded.
    pub fn hostname(&self) -> &[u8] {
        split_host_port(&self.host).0
    }

    /// `URL.EscapedPath()`.
    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Mode::Path)
            && unescape(&self.raw_path, Mode::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return "*".into();
        }
        escape(&self.path, Mode::Path)
    }

    /// `URL.EscapedFragment()`.
    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty()
            && valid_encoded(&self.raw_fragment, Mode::Fragment)
            && unescape(&self.raw_fragment, Mode::Fragment).is_ok_and(|f| f == self.fragment)
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Mode::Fragment)
    }
}

impl std::fmt::Display for GoUrl {
    /// `URL.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let no_authority = self.omit_host && self.host.is_empty() && self.user.is_none();
            if (!self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some())
                && !no_authority
            {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(user) = &self.user {
                    buf.push_str(&escape(&user.username, Mode::UserPassword));
                    if let Some(password) = &user.password {
                        buf.push(':');
                        buf.push_str(&escape(password, Mode::UserPassword));
                    }
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let mut path = self.escaped_path();
            if no_authority && path.starts_with("//") {
                // Go escapes the first `/` so that the path does not read back as an authority.
                buf.push_str("%2F");
                path.remove(0);
            }
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        f.write_str(&buf)
    }
}

/// Go's `parse(rawURL, false)` (the part before `#`); errors without the `parse "…":` prefix.
fn parse_without_fragment(raw: &str) -> Result<GoUrl, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = GoUrl::default();
    if raw == "*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = rest.strip_suffix('?').unwrap_or(rest);
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        if rest.split('/').next().is_some_and(|s| s.contains(':')) {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = rest.get(2..).unwrap_or_default();
        let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        let (user, host) = parse_authority(&url.scheme, authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    // setPath
    url.path = unescape(rest, Mode::Path)?;
    if escape(&url.path, Mode::Path) != rest {
        url.raw_path = rest.to_string();
    }
    Ok(url)
}

/// `getScheme`: `[a-zA-Z][a-zA-Z0-9+-.]*:`, else no scheme.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => {
                return Ok((
                    raw.get(..i).unwrap_or_default(),
                    raw.get(i + 1..).unwrap_or_default(),
                ))
            }
            _ => break,
        }
    }
    Ok(("", raw))
}

/// `parseAuthority`.
fn parse_authority(scheme: &str, authority: &str) -> Result<(Option<Userinfo>, Vec<u8>), String> {
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return Ok((None, parse_host(scheme, authority)?));
    };
    let host = parse_host(scheme, host)?;
    if !userinfo.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    }) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => Userinfo {
            username: unescape(userinfo, Mode::UserPassword)?,
            password: None,
        },
        Some((name, password)) => Userinfo {
            username: unescape(name, Mode::UserPassword)?,
            password: Some(unescape(password, Mode::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

/// `parseHost` (Go 1.26): host or `host:port`, `[ipv6%25zone]:port`.
fn parse_host(scheme: &str, host: &str) -> Result<Vec<u8>, String> {
    match host.rfind('[') {
        Some(i) if i > 0 => return Err("invalid IP-literal".into()),
        Some(_) => {
            let Some(close) = host.rfind(']') else {
                return Err("missing ']' in host".into());
            };
            let colon_port = host.get(close + 1..).unwrap_or_default();
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
            let colon_port = unescape(colon_port, Mode::Host)?;
            let name = host.get(1..close).unwrap_or_default();
            let mut unescaped = match name.find("%25") {
                Some(zone) => {
                    let mut h = unescape(name.get(..zone).unwrap_or_default(), Mode::Host)?;
                    h.extend(unescape(name.get(zone..).unwrap_or_default(), Mode::Zone)?);
                    h
                }
                None => unescape(name, Mode::Host)?,
            };
            // Talos compat: Go accepts only an IPv6 address (IPv4-mapped too) in brackets.
            check_ipv6_literal(&unescaped)?;
            let mut out = vec![b'['];
            out.append(&mut unescaped);
            out.push(b']');
            out.extend(colon_port);
            return Ok(out);
        }
        None => {}
    }
    if let Some(first) = host.find(':') {
        let last = host.rfind(':').unwrap_or(first);
        // `urlstrictcolons`: http and https hosts have one colon at most; for other schemes
        // the last colon starts the port.
        let at = if scheme == "http" || scheme == "https" {
            first
        } else {
            last
        };
        let colon_port = host.get(at..).unwrap_or_default();
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", go_quote(colon_port)));
        }
    }
    unescape(host, Mode::Host)
}

/// The `netip.ParseAddr` check of a bracketed host: an IPv6 address, optionally with a
/// non-empty zone. Messages follow `netip` for the common cases.
fn check_ipv6_literal(addr: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(addr);
    let fail = |msg: &str| format!("invalid host: ParseAddr({}): {msg}", go_quote(&text));
    match addr.iter().find(|b| matches!(b, b'.' | b':' | b'%')) {
        None => Err(fail("unable to parse IP")),
        Some(b'%') => Err(fail("missing IPv6 address")),
        Some(b'.') => match text.parse::<Ipv4Addr>() {
            Ok(_) => Err("invalid IP-literal".into()),
            Err(_) => Err(fail("unable to parse IP")),
        },
        Some(_) => {
            let (ip, zone) = match text.split_once('%') {
                Some((ip, zone)) => (ip, Some(zone)),
                None => (&*text, None),
            };
            if zone == Some("") {
                return Err(fail("zone must be a non-empty string"));
            }
            ip.parse::<Ipv6Addr>()
                .map(|_| ())
                .map_err(|_| fail("unable to parse IP"))
        }
    }
}

/// `validOptionalPort`: empty, or `:` and digits.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

/// `splitHostPort`: host and port of `URL.Host`.
fn split_host_port(host_port: &[u8]) -> (&[u8], &[u8]) {
    let mut host = host_port;
    let mut port: &[u8] = &[];
    if let Some(colon) = host.iter().rposition(|&b| b == b':') {
        let (h, p) = host.split_at(colon);
        if p.get(1..).is_some_and(|d| d.iter().all(u8::is_ascii_digit)) {
            host = h;
            port = p.get(1..).unwrap_or_default();
        }
    }
    if let Some(inner) = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) {
        host = inner;
    }
    (host, port)
}

/// `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone)
        && (is_sub_delim(c) || matches!(c, b':' | b'[' | b']' | b'<' | b'>' | b'"'))
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host | Mode::Zone => true,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

/// `unescape` (never in query mode here: `+` stays `+`).
fn unescape(s: &str, mode: Mode) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).copied().and_then(|c| (c as char).to_digit(16));
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                let bad = s.get(i..).unwrap_or_default();
                let bad: String = bad.chars().take(3).collect();
                return Err(format!("invalid URL escape {}", go_quote(&bad)));
            };
            let escaped = s.get(i..i + 3).unwrap_or_default();
            if mode == Mode::Host && hi < 8 && escaped != "%25" {
                return Err(format!("invalid URL escape {}", go_quote(escaped)));
            }
            // Both digits are hex, so the value fits a byte.
            let v = u8::try_from(hi << 4 | lo).unwrap_or_default();
            if mode == Mode::Zone && escaped != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                return Err(format!("invalid URL escape {}", go_quote(escaped)));
            }
            out.push(v);
            i += 3;
        } else {
            if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                let bad = char::from(c).to_string();
                return Err(format!("invalid character {} in host name", go_quote(&bad)));
            }
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

/// `escape` (never in query mode here).
fn escape(s: &[u8], mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// `validEncoded`: no byte that `escape` would have escaped, except sub-delims, `[`, `]`, `%`.
fn valid_encoded(s: &str, mode: Mode) -> bool {
    s.bytes().all(|c| {
        is_sub_delim(c) || matches!(c, b':' | b'@' | b'[' | b']' | b'%') || !should_escape(c, mode)
    })
}

/// RFC 3986 sub-delims: `! $ & ' ( ) * + , ; =`.
fn is_sub_delim(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(raw: &str) -> String {
        GoUrl::parse(raw).map_or_else(|e| format!("error: {e}"), |u| u.to_string())
    }

    #[test]
    fn parse_then_string_as_go() {
        for (input, want) in [
            ("https://10.5.0.2:6443", "https://10.5.0.2:6443"),
            ("HTTPS://X:6443", "https://X:6443"),
            ("https://ü.example:6443", "https://%C3%BC.example:6443"),
            ("https://h:6443/#a b", "https://h:6443/#a%20b"),
            ("https://h#a%20b", "https://h#a%20b"),
            ("https://h#a!(b)*", "https://h#a!(b)*"),
            ("https://h#é", "https://h#%C3%A9"),
            ("https://h/a b/ü", "https://h/a%20b/%C3%BC"),
            ("https://h/a%2Fb", "https://h/a%2Fb"),
            ("https://h/a%62", "https://h/a%62"),
            (
                "https://h/a%zz",
                "error: parse \"https://h/a%zz\": invalid URL escape \"%zz\"",
            ),
            (
                "https://%zz",
                "error: parse \"https://%zz\": invalid URL escape \"%zz\"",
            ),
            (
                "https://h/%",
                "error: parse \"https://h/%\": invalid URL escape \"%\"",
            ),
            (
                "https://h#%",
                "error: parse \"https://h#%\": invalid URL escape \"%\"",
            ),
            ("https://h/?q=a b", "https://h/?q=a b"),
            ("https://h?", "https://h?"),
            ("https://h#", "https://h"),
            (
                "https://%41",
                "error: parse \"https://%41\": invalid URL escape \"%41\"",
            ),
            ("https://%C3%BC", "https://%C3%BC"),
            (
                "https://[fd00::1%25eth0]:6443",
                "https://[fd00::1%25eth0]:6443",
            ),
            ("https://[::1]:6443", "https://[::1]:6443"),
            (
                "https://[::ffff:1.2.3.4]:6443",
                "https://[::ffff:1.2.3.4]:6443",
            ),
            (
                "https://[1.2.3.4]:6443",
                "error: parse \"https://[1.2.3.4]:6443\": invalid IP-literal",
            ),
            (
                "https://[foo]:6443",
                "error: parse \"https://[foo]:6443\": invalid host: ParseAddr(\"foo\"): unable \
                 to parse IP",
            ),
            (
                "https://a[::1]",
                "error: parse \"https://a[::1]\": invalid IP-literal",
            ),
            ("https://u:p@h", "https://u:p@h"),
            ("https://u%40x@h", "https://u%40x@h"),
            (
                "https://u x@h",
                "error: parse \"https://u x@h\": net/url: invalid userinfo",
            ),
            (
                "https://h x",
                "error: parse \"https://h x\": invalid character \" \" in host name",
            ),
            (
                "https://1.2.3.4:6443:1",
                "error: parse \"https://1.2.3.4:6443:1\": invalid port \":6443:1\" after host",
            ),
            ("oci://1.2.3.4:6443:1", "oci://1.2.3.4:6443:1"),
            (
                "https://h:x",
                "error: parse \"https://h:x\": invalid port \":x\" after host",
            ),
            ("mailto:A B", "mailto:A B"),
            ("https:/x", "https:/x"),
            ("https:///x", "https:///x"),
            ("https:", "https:"),
            ("//h/p", "//h/p"),
            ("a:b", "a:b"),
            ("a/b:c", "a/b:c"),
            ("/a:b", "/a:b"),
            (":x", "error: parse \":x\": missing protocol scheme"),
            (
                "a b:c/d",
                "error: parse \"a b:c/d\": first path segment in URL cannot contain colon",
            ),
            (
                "https://h\t",
                "error: parse \"https://h\\t\": net/url: invalid control character in URL",
            ),
        ] {
            assert_eq!(string(input), want, "{input}");
        }
    }

    #[test]
    fn hostname_and_port_as_go() {
        for (input, host, port) in [
            ("https://base:6443", "base", "6443"),
            ("https://[::1]:6443/x", "::1", "6443"),
            ("https://[fd00::1%25eth0]:6443", "fd00::1%eth0", "6443"),
            ("https://u@h.example", "h.example", ""),
            ("https://ü.example:6443", "ü.example", "6443"),
            ("https://%C3%BC:1", "ü", "1"),
            ("https://h:", "h", ""),
            ("oci://1.2.3.4:6443:1", "1.2.3.4:6443", "1"),
            ("base", "", ""),
        ] {
            let u = GoUrl::parse(input).unwrap();
            assert_eq!(u.hostname(), host.as_bytes(), "{input}");
            assert_eq!(u.port(), port.as_bytes(), "{input}");
        }
    }
}
