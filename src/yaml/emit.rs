//! Placeholder until the go-yaml emitter lands (owned by the yaml work).

use std::cmp::Ordering;

use super::Node;

/// go-yaml natural key order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    a.cmp(b)
}

/// Sort mapping entries in go-yaml natural key order.
pub fn sort_natural(entries: &mut [(String, Node)]) {
    entries.sort_by(|a, b| natural_cmp(&a.0, &b.0));
}

/// Render one document as go-yaml v4 `Marshal` does.
pub fn emit(_doc: &Node) -> String {
    String::new()
}
