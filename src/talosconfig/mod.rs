//! talosconfig, the talosctl client configuration (`spec/talosconfig.md` §1–§2, talos
//! `pkg/machinery/client/config/config.go:22-79`).
//!
//! The model keeps `ca`/`crt`/`key` as the base64 text the file holds, so certificates round-trip
//! verbatim. Contexts keep go-yaml natural key order when written.

pub mod credential;

use std::fmt;

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::yaml::Node;

/// A whole talosconfig file.
#[derive(Clone, Default)]
pub struct Config {
    /// The current context's name (`""` when none).
    pub context: String,
    /// Contexts by name, in file order; written in go-yaml natural order.
    pub contexts: Vec<(String, Context)>,
}

/// One context: where to connect and with which credential.
#[derive(Clone, Default)]
pub struct Context {
    /// API endpoints (`endpoints:`, always written, `[]` when empty).
    pub endpoints: Vec<String>,
    /// Default target nodes (omitted when empty).
    pub nodes: Vec<String>,
    /// base64 of the OS CA PEM.
    pub ca: String,
    /// base64 of the client certificate PEM.
    pub crt: String,
    /// base64 of the client private key PEM; secret.
    pub key: Zeroizing<String>,
    /// Basic or SideroV1 auth, kept as read.
    pub auth: Option<Auth>,
    /// Omni cluster name.
    pub cluster: String,
    /// Proxy URL (`proxy-url:`).
    pub proxy_url: String,
}

/// `auth:` of a context (Omni); kept so that files round-trip.
#[derive(Clone, Default)]
pub struct Auth {
    /// `basic: {username, password}`.
    pub basic: Option<(String, Zeroizing<String>)>,
    /// `siderov1: {identity}`.
    pub siderov1: Option<String>,
}

/// Why a talosconfig could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not YAML, or the wrong shape.
    #[error("not a talosconfig: {0}")]
    Parse(String),
    /// No current context is set (talosctl's message).
    #[error("no context is set")]
    NoContext,
    /// The named context is missing (talosctl's message).
    #[error("context {0:?} is not defined")]
    UnknownContext(String),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawConfig {
    context: Option<String>,
    contexts: Option<serde_yaml::Mapping>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawContext {
    target: Option<String>,
    endpoints: Option<Vec<String>>,
    nodes: Option<Vec<String>>,
    ca: Option<String>,
    crt: Option<String>,
    key: Option<String>,
    auth: Option<RawAuth>,
    cluster: Option<String>,
    #[serde(rename = "proxy-url")]
    proxy_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAuth {
    basic: Option<RawBasic>,
    siderov1: Option<RawSiderov1>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawBasic {
    username: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSiderov1 {
    identity: Option<String>,
}

impl Config {
    /// The empty config talosctl creates (`context: ""`, `contexts: {}`).
    pub fn empty() -> Self {
        Config::default()
    }

    /// Parse a talosconfig (any indentation; unknown keys ignored; a deprecated `target` is moved to
    /// the end of `endpoints`, as talosctl does on load).
    ///
    /// # Errors
    /// [`ConfigError::Parse`] when the text is not YAML of the talosconfig shape.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let raw: Option<RawConfig> =
            serde_yaml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        let raw = raw.unwrap_or_default();
        let mut contexts = Vec::new();
        for (name, value) in raw.contexts.unwrap_or_default() {
            let name = match name {
                serde_yaml::Value::String(s) => s,
                other => serde_yaml::to_string(&other)
                    .map(|s| s.trim_end().to_string())
                    .map_err(|e| ConfigError::Parse(e.to_string()))?,
            };
            let rc: Option<RawContext> = serde_yaml::from_value(value)
                .map_err(|e| ConfigError::Parse(format!("contexts.{name}: {e}")))?;
            contexts.push((name, Context::from_raw(rc.unwrap_or_default())));
        }
        Ok(Config {
            context: raw.context.unwrap_or_default(),
            contexts,
        })
    }

    /// The context named `name`.
    pub fn get(&self, name: &str) -> Option<&Context> {
        self.contexts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// The context named `name`, mutably.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Context> {
        self.contexts
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// Insert or replace the context `name`.
    pub fn upsert(&mut self, name: &str, ctx: Context) {
        match self.get_mut(name) {
            Some(slot) => *slot = ctx,
            None => self.contexts.push((name.to_string(), ctx)),
        }
    }

    /// The context `override_name` or, when `None`, the current one, with its name.
    ///
    /// # Errors
    /// [`ConfigError::NoContext`] or [`ConfigError::UnknownContext`] as talosctl reports them.
    pub fn selected(&self, override_name: Option<&str>) -> Result<(&str, &Context), ConfigError> {
        let name = match override_name {
            Some(n) if !n.is_empty() => n,
            _ if self.context.is_empty() => return Err(ConfigError::NoContext),
            _ => self.context.as_str(),
        };
        self.contexts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(n, c)| (n.as_str(), c))
            .ok_or_else(|| ConfigError::UnknownContext(name.to_string()))
    }

    /// The YAML tree talosctl writes (`config.go:192-194`): `context`, then `contexts` in go-yaml
    /// natural order. The result holds private keys: emit it into a `Zeroizing` buffer.
    pub fn to_node(&self) -> Node {
        let mut contexts: Vec<(String, Node)> = self
            .contexts
            .iter()
            .map(|(n, c)| (n.clone(), c.to_node()))
            .collect();
        crate::yaml::sort_natural(&mut contexts);
        Node::map([
            ("context", Node::str(self.context.clone())),
            ("contexts", Node::Map(contexts)),
        ])
    }
}

impl Context {
    fn from_raw(rc: RawContext) -> Self {
        let mut endpoints = rc.endpoints.unwrap_or_default();
        if let Some(t) = rc.target.filter(|t| !t.is_empty()) {
            endpoints.push(t);
        }
        Context {
            endpoints,
            nodes: rc.nodes.unwrap_or_default(),
            ca: rc.ca.unwrap_or_default(),
            crt: rc.crt.unwrap_or_default(),
            key: Zeroizing::new(rc.key.unwrap_or_default()),
            auth: rc.auth.and_then(|a| {
                let basic = a.basic.map(|b| {
                    (
                        b.username.unwrap_or_default(),
                        Zeroizing::new(b.password.unwrap_or_default()),
                    )
                });
                let siderov1 = a.siderov1.map(|s| s.identity.unwrap_or_default());
                (basic.is_some() || siderov1.is_some()).then_some(Auth { basic, siderov1 })
            }),
            cluster: rc.cluster.unwrap_or_default(),
            proxy_url: rc.proxy_url.unwrap_or_default(),
        }
    }

    /// The context's YAML tree in struct order, omitting empty optional fields as talosctl does.
    pub fn to_node(&self) -> Node {
        let mut m: Vec<(String, Node)> = vec![(
            "endpoints".into(),
            Node::str_seq(self.endpoints.iter().cloned()),
        )];
        if !self.nodes.is_empty() {
            m.push(("nodes".into(), Node::str_seq(self.nodes.iter().cloned())));
        }
        for (k, v) in [("ca", &self.ca), ("crt", &self.crt), ("key", &*self.key)] {
            if !v.is_empty() {
                m.push((k.into(), Node::str(v.clone())));
            }
        }
        if let Some(auth) = &self.auth {
            let mut a = Vec::new();
            if let Some((user, pass)) = &auth.basic {
                let mut b = Vec::new();
                if !user.is_empty() {
                    b.push(("username".to_string(), Node::str(user.clone())));
                }
                if !pass.is_empty() {
                    b.push(("password".to_string(), Node::str(pass.to_string())));
                }
                a.push(("basic".to_string(), Node::Map(b)));
            }
            if let Some(id) = &auth.siderov1 {
                let s = if id.is_empty() {
                    vec![]
                } else {
                    vec![("identity".to_string(), Node::str(id.clone()))]
                };
                a.push(("siderov1".to_string(), Node::Map(s)));
            }
            m.push(("auth".into(), Node::Map(a)));
        }
        if !self.cluster.is_empty() {
            m.push(("cluster".into(), Node::str(self.cluster.clone())));
        }
        if !self.proxy_url.is_empty() {
            m.push(("proxy-url".into(), Node::str(self.proxy_url.clone())));
        }
        Node::Map(m)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("context", &self.context)
            .field("contexts", &self.contexts)
            .finish()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("endpoints", &self.endpoints)
            .field("nodes", &self.nodes)
            .field("has_key", &!self.key.is_empty())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth").finish_non_exhaustive()
    }
}
