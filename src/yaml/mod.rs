//! YAML as Talos writes it: an ordered tree ([`Node`]) and an emitter reproducing go-yaml v4's
//! output byte for byte (`spec/gen-config.md` §4, `spec/talosconfig.md` §2).
//!
//! serde_yaml is used for reading only; every byte talmint writes as YAML comes from [`emit`].
//! User values enter as [`Node::Str`], never through string formatting, so no value can change a
//! document's structure.

pub mod emit;
pub mod node;

pub use emit::{emit, natural_cmp, sort_natural};
pub use node::Node;
