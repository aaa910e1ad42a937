//! Reading YAML into [`Node`] trees with serde_yaml (`docs/STYLE.md` §1: serde_yaml reads, our
//! emitter writes).
//!
//! Mapping key order is kept as written. Scalars are typed by serde_yaml's YAML 1.2 resolver,
//! which differs from go-yaml's only for unusual plain scalars (go-yaml also reads `0o17`-style
//! octal with a leading zero and `1_000` as numbers, and timestamps as times); every file Talos
//! writes quotes such strings, so its documents read back the same either way.

use serde::Deserialize;
use serde_yaml::Value;

use super::Node;

/// Why a YAML text could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Not valid YAML (serde_yaml's message, with line and column).
    #[error("invalid YAML: {0}")]
    Syntax(String),
    /// A tagged value such as `!foo bar`, which Talos documents never use.
    #[error("unsupported YAML tag {tag:?} in document {document}: remove the tag")]
    Tag {
        /// The tag, e.g. `!foo`.
        tag: String,
        /// 1-based document number.
        document: usize,
    },
    /// An integer beyond the signed 64-bit range.
    #[error("integer {value} in document {document} is out of range: use at most {max}", max = i64::MAX)]
    IntegerOutOfRange {
        /// The number as written.
        value: String,
        /// 1-based document number.
        document: usize,
    },
    /// A mapping key that is a sequence or a mapping.
    #[error("mapping key in document {document} is not a scalar: keys must be strings")]
    ComplexKey {
        /// 1-based document number.
        document: usize,
    },
}

/// A serde_yaml message with every value it quotes replaced by `(value hidden)`, for files that
/// hold secrets: a private key pasted where a mapping belongs must not reach the error output.
/// serde quotes string values as `"…"` (with `\"` escapes) and other scalars as `` `…` ``.
pub fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for q in chars.by_ref() {
                    if q == '"' && !escaped {
                        break;
                    }
                    escaped = q == '\\' && !escaped;
                }
                out.push_str("(value hidden)");
            }
            '`' => {
                for q in chars.by_ref() {
                    if q == '`' {
                        break;
                    }
                }
                out.push_str("(value hidden)");
            }
            c => out.push(c),
        }
    }
    out
}

/// Parse a multi-document YAML text into one [`Node`] per document, keeping key order.
///
/// An empty text, or one holding only comments, has no documents.
///
/// # Errors
/// [`ParseError::Syntax`] for invalid YAML (including duplicate keys), and the other variants
/// for values a [`Node`] cannot hold.
pub fn parse(text: &str) -> Result<Vec<Node>, ParseError> {
    super::check_nesting(text).map_err(ParseError::Syntax)?;
    let mut docs = Vec::new();
    for (i, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(de).map_err(|e| ParseError::Syntax(e.to_string()))?;
        docs.push(to_node(value, i + 1)?);
    }
    // serde_yaml yields one null document for an empty stream; Talos's loader sees none.
    if let [Node::Null] = docs.as_slice() {
        if is_blank(text) {
            docs.clear();
        }
    }
    Ok(docs)
}

/// Only whitespace and comments.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

fn to_node(value: Value, document: usize) -> Result<Node, ParseError> {
    Ok(match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Node::Int(i)
            } else if n.is_f64() {
                Node::Float(n.as_f64().unwrap_or(f64::NAN))
            } else {
                return Err(ParseError::IntegerOutOfRange {
                    value: n.to_string(),
                    document,
                });
            }
        }
        Value::String(s) => Node::Str(s),
        Value::Sequence(items) => Node::Seq(
            items
                .into_iter()
                .map(|v| to_node(v, document))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                entries.push((key_text(k, document)?, to_node(v, document)?));
            }
            Node::Map(entries)
        }
        Value::Tagged(t) => {
            return Err(ParseError::Tag {
                tag: t.tag.to_string(),
                document,
            });
        }
    })
}

/// A scalar key as the string go-yaml would decode it into (`map[string]…`).
fn key_text(key: Value, document: usize) -> Result<String, ParseError> {
    match key {
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        Value::Tagged(t) => Err(ParseError::Tag {
            tag: t.tag.to_string(),
            document,
        }),
        Value::Sequence(_) | Value::Mapping(_) => Err(ParseError::ComplexKey { document }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_in_order_with_key_order_kept() {
        let docs = parse("b: 1\na: [x, 'y']\n---\nkind: Z\nz: null\nf: 1.5\nt: true\n").unwrap();
        assert_eq!(
            docs,
            vec![
                Node::map([("b", Node::Int(1)), ("a", Node::str_seq(["x", "y"]))]),
                Node::map([
                    ("kind", Node::str("Z")),
                    ("z", Node::Null),
                    ("f", Node::Float(1.5)),
                    ("t", Node::Bool(true)),
                ]),
            ]
        );
    }

    #[test]
    fn empty_text_has_no_documents() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(parse("# only a comment\n").unwrap(), vec![]);
        assert_eq!(parse("null\n").unwrap(), vec![Node::Null]);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = parse("a: [\n").unwrap_err();
        assert!(matches!(e, ParseError::Syntax(_)), "{e}");
        assert!(e.to_string().starts_with("invalid YAML: "), "{e}");
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert!(e.to_string().contains("duplicate"), "{e}");
        assert_eq!(
            parse("a: !foo b\n").unwrap_err(),
            ParseError::Tag {
                tag: "!foo".into(),
                document: 1
            }
        );
        assert_eq!(
            parse("---\n? [a]\n: b\n").unwrap_err(),
            ParseError::ComplexKey { document: 1 }
        );
        assert!(matches!(
            parse("a: 18446744073709551615\n").unwrap_err(),
            ParseError::IntegerOutOfRange { .. }
        ));
    }

    #[test]
    fn scalar_keys_become_strings() {
        assert_eq!(
            parse("1: a\ntrue: b\n").unwrap(),
            vec![Node::map([("1", Node::str("a")), ("true", Node::str("b"))])]
        );
    }
}
