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

/// The deepest `[`/`{` nesting any input may have. Talos's own files nest a few levels; the YAML
/// reader takes time quadratic in the depth (200 KB of brackets took 26 s), so deeper input is
/// refused before it is read.
pub const MAX_FLOW_DEPTH: usize = 100;

/// Refuse text whose flow collections (`[`, `{`) nest deeper than [`MAX_FLOW_DEPTH`]. Every
/// bracket counts, quoted or not, so nothing can hide the nesting from this check; legitimate
/// text never comes near the limit.
///
/// # Errors
/// What is wrong and where (line), never the text itself.
pub fn check_nesting(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for (line, l) in text.lines().enumerate() {
        for c in l.chars() {
            match c {
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(format!(
                            "nested more than {MAX_FLOW_DEPTH} levels deep at line {}: not \
                             read (no Talos file nests like this)",
                            line + 1
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}
