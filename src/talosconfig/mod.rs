//! talosconfig, the talosctl client configuration (`spec/talosconfig.md` §1–§2, talos
//! `pkg/machinery/client/config/config.go:22-79`).
//!
//! The model keeps `ca`/`crt`/`key` as the base64 text the file holds, so certificates round-trip
//! verbatim. Contexts keep go-yaml natural key order when written.
//!
//! Submodules: [`path`] finds the file (§3), [`store`] reads and writes it under a lock,
//! [`merge`] merges two configs (§5), [`info`] renders `config info` (§4), [`table`] renders
//! `config contexts`, [`glob`] matches `config remove` patterns.

pub mod glob;
pub mod info;
pub mod merge;
pub mod path;
pub mod store;
pub mod table;

pub mod credential;

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::yaml::Node;

pub use merge::{MergeError, MergeReport, OnConflict};
pub use path::{ConfigPath, PathEnv};
pub use store::{load, save, update, update_if, Change, StoreError};

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
    /// The named context is missing (talosctl's message, then the names there are).
    #[error("context {} is not defined ({})", go_quote(.name), defined(.known))]
    UnknownContext {
        /// The name asked for.
        name: String,
        /// The contexts the file defines, in file order.
        known: Vec<String>,
    },
}

/// `contexts: "a", "b"` or `no contexts`, for [`ConfigError::UnknownContext`].
fn defined(known: &[String]) -> String {
    match known {
        [] => "the file has no contexts".to_string(),
        _ => format!(
            "contexts: {}",
            known
                .iter()
                .map(|n| go_quote(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Why `config add` could not build a context (talosctl's messages, `config.go:193-242,328-355`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddError {
    /// Only one of `--crt` and `--key` was given.
    #[error("if either the 'crt' or 'key' flag is specified, both are required")]
    CrtWithoutKey,
    /// `--ca` could not be read.
    #[error("error reading CA: open {path}: {reason}")]
    Ca {
        /// The file.
        path: String,
        /// What the OS said, worded as Go does.
        reason: String,
    },
    /// `--crt` could not be read.
    #[error("error reading certificate: open {path}: {reason}")]
    Crt {
        /// The file.
        path: String,
        /// What the OS said, worded as Go does.
        reason: String,
    },
    /// `--key` could not be read.
    #[error("error reading key: open {path}: {reason}")]
    Key {
        /// The file.
        path: String,
        /// What the OS said, worded as Go does.
        reason: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a talosconfig mapping")]
struct RawConfig {
    context: Option<String>,
    contexts: Option<serde_yaml::Mapping>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a context mapping")]
struct RawContext {
    target: Option<String>,
    endpoints: Option<Vec<String>>,
    nodes: Option<Vec<String>>,
    ca: Option<String>,
    crt: Option<String>,
    key: Option<Zeroizing<String>>,
    auth: Option<RawAuth>,
    cluster: Option<String>,
    #[serde(rename = "proxy-url")]
    proxy_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "an auth mapping")]
struct RawAuth {
    basic: Option<RawBasic>,
    siderov1: Option<RawSiderov1>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a basic auth mapping")]
struct RawBasic {
    username: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, expecting = "a siderov1 mapping")]
struct RawSiderov1 {
    identity: Option<String>,
}

/// Every number and boolean in `value` as its text: go-yaml stores any scalar into a Go string
/// field (`cluster: 2024` reads as "2024"), so talosctl reads such a hand-edited file, and so
/// does talmint.
fn scalars_as_strings(value: serde_yaml::Value) -> serde_yaml::Value {
    use serde_yaml::Value;
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Sequence(items) => {
            Value::Sequence(items.into_iter().map(scalars_as_strings).collect())
        }
        Value::Mapping(map) => Value::Mapping(
            map.into_iter()
                .map(|(k, v)| (k, scalars_as_strings(v)))
                .collect(),
        ),
        other => other,
    }
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
        // No document at all (a truncated file): talosctl's decoder says EOF and stops, rather
        // than taking it for an empty config and writing into it.
        if text.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        }) {
            return Err(ConfigError::Parse(
                "EOF: the file holds no YAML document; remove it, or restore it".into(),
            ));
        }
        crate::yaml::check_nesting(text).map_err(ConfigError::Parse)?;
        let raw: Option<RawConfig> =
            serde_yaml::from_str(text).map_err(|e| ConfigError::Parse(parse_reason(&e)))?;
        let raw = raw.unwrap_or_default();
        let mut contexts = Vec::new();
        for (name, value) in raw.contexts.unwrap_or_default() {
            let name = match name {
                serde_yaml::Value::String(s) => s,
                other => serde_yaml::to_string(&other)
                    .map(|s| s.trim_end().to_string())
                    .map_err(|e| ConfigError::Parse(parse_reason(&e)))?,
            };
            let rc: Option<RawContext> = serde_yaml::from_value(scalars_as_strings(value))
                .map_err(|e| {
                    ConfigError::Parse(format!(
                        "contexts.{}: {}",
                        go_quote(&name),
                        parse_reason(&e)
                    ))
                })?;
            contexts.push((name, Context::from_raw(rc.unwrap_or_default())));
        }
        Ok(Config {
            context: raw.context.unwrap_or_default(),
            contexts,
        })
    }

    /// Whether a context named `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.contexts.iter().any(|(n, _)| n == name)
    }

    /// Remove the context `name`; returns it when it existed.
    pub fn remove(&mut self, name: &str) -> Option<Context> {
        let at = self.contexts.iter().position(|(n, _)| n == name)?;
        Some(self.contexts.remove(at).1)
    }

    /// Context names in byte order, as talosctl sorts them for listing (`slices.Sort`).
    pub fn sorted_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.contexts.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
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
            .ok_or_else(|| self.unknown_context(name))
    }

    fn unknown_context(&self, name: &str) -> ConfigError {
        ConfigError::UnknownContext {
            name: name.to_string(),
            known: self.contexts.iter().map(|(n, _)| n.clone()).collect(),
        }
    }

    /// The file bytes talosctl writes for this config (`Config.Bytes`, `config.go:192-194`). They
    /// hold private keys, hence the `Zeroizing` buffer.
    pub fn to_yaml(&self) -> Zeroizing<String> {
        crate::yaml::emit_secret(self.to_node())
    }

    /// The context `override_name` or, when `None`, the current one, mutably, with its name.
    ///
    /// # Errors
    /// As [`Config::selected`].
    pub fn selected_mut(
        &mut self,
        override_name: Option<&str>,
    ) -> Result<(&str, &mut Context), ConfigError> {
        let name = match override_name {
            Some(n) if !n.is_empty() => n.to_string(),
            _ if self.context.is_empty() => return Err(ConfigError::NoContext),
            _ => self.context.clone(),
        };
        let unknown = self.unknown_context(&name);
        self.contexts
            .iter_mut()
            .find(|(n, _)| *n == name)
            .map(|(n, c)| (n.as_str(), c))
            .ok_or(unknown)
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
    /// The context `config add` stores: base64 of the raw bytes of each given file (no PEM
    /// check, as talosctl), no endpoints. An empty path counts as not given.
    ///
    /// # Errors
    /// [`AddError::CrtWithoutKey`] before reading anything when only one of `crt`/`key` is
    /// given; a read error naming the file otherwise.
    pub fn from_files(
        ca: Option<&Path>,
        crt: Option<&Path>,
        key: Option<&Path>,
    ) -> Result<Self, AddError> {
        fn given(p: Option<&Path>) -> Option<&Path> {
            p.filter(|p| !p.as_os_str().is_empty())
        }
        let (ca, crt, key) = (given(ca), given(crt), given(key));
        if crt.is_some() != key.is_some() {
            return Err(AddError::CrtWithoutKey);
        }
        let read = |p: &Path| -> Result<Zeroizing<Vec<u8>>, (String, String)> {
            std::fs::read(p)
                .map(Zeroizing::new)
                .map_err(|e| (p.display().to_string(), store::go_io_reason(&e)))
        };
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut ctx = Context::default();
        if let Some(p) = ca {
            let bytes = read(p).map_err(|(path, reason)| AddError::Ca { path, reason })?;
            ctx.ca = b64(&bytes);
        }
        if let (Some(crt), Some(key)) = (crt, key) {
            let bytes = read(crt).map_err(|(path, reason)| AddError::Crt { path, reason })?;
            ctx.crt = b64(&bytes);
            let bytes = read(key).map_err(|(path, reason)| AddError::Key { path, reason })?;
            ctx.key = Zeroizing::new(b64(&bytes));
        }
        Ok(ctx)
    }

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
            key: rc.key.unwrap_or_else(|| Zeroizing::new(String::new())),
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
            // Username, password and identity have no `omitempty` in talosctl's structs
            // (`config.go:70-79`): written even when empty.
            if let Some((user, pass)) = &auth.basic {
                let b = vec![
                    ("username".to_string(), Node::str(user.clone())),
                    ("password".to_string(), Node::str(pass.to_string())),
                ];
                a.push(("basic".to_string(), Node::Map(b)));
            }
            if let Some(id) = &auth.siderov1 {
                let s = vec![("identity".to_string(), Node::str(id.clone()))];
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

/// serde_yaml's message without the offending value: it may be key material pasted in the wrong
/// place.
fn parse_reason(err: &serde_yaml::Error) -> String {
    crate::yaml::parse::without_values(&err.to_string())
}

pub use crate::goquote::go_quote;

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
