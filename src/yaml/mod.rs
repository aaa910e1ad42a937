//! YAML as Talos writes it: an ordered tree ([`Node`]) and an emitter reproducing go-yaml v4's
//! output byte for byte (`spec/gen-config.md` §4, `spec/talosconfig.md` §2).
//!
//! serde_yaml is used for reading only ([`parse`]); every byte talmint writes as YAML comes from
//! [`emit`] / [`emit_documents`]. User values enter as [`Node::Str`], never through string
//! formatting, so no value can change a document's structure: any string emitted reads back as
//! the same string.

pub mod emit;
pub mod node;
mod order;
pub mod parse;
mod scalar;
mod unicode;

pub use emit::{emit, emit_documents, emit_secret};
pub use node::Node;
pub use order::{natural_cmp, sort_natural};
pub use parse::{parse, ParseError};
