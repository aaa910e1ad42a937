//! RFC 6902 JSON patches (talos `configpatcher/json6902.go`, evanphx/json-patch semantics).
//!
//! Talos applies them to the configuration's YAML converted to JSON, which must be a single
//! document; the result is loaded again, so it is re-encoded from its Go type like any other.

use super::{Document, PatchError};
use crate::machineconfig::schema::schema;
use crate::yaml::{self, Node};

/// A list of JSON patch operations.
#[derive(Clone, Debug, Default)]
pub struct JsonPatch {
    ops: Vec<Node>,
}

impl JsonPatch {
    /// Join another patch's operations (consecutive JSON patches are one, `load.go:113-124`).
    pub(super) fn extend(&mut self, other: JsonPatch) {
        self.ops.extend(other.ops);
    }

    /// `jsonpatch.DecodePatch`: a JSON array of operation objects.
    pub(super) fn parse_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let serde_json::Value::Array(items) = value else {
            return Err(
                "json: cannot unmarshal object into Go value of type jsonpatch.Patch".into(),
            );
        };
        let mut ops = Vec::new();
        for item in items {
            if !item.is_object() {
                return Err(
                    "json: cannot unmarshal into Go value of type jsonpatch.Operation".into(),
                );
            }
            ops.push(json_to_node(&item));
        }
        Ok(JsonPatch { ops })
    }

    /// A YAML list of operation mappings; `None` when the text is not such a list.
    pub(super) fn parse_yaml(text: &str) -> Option<Self> {
        let docs = yaml::parse(text).ok()?;
        match docs.as_slice() {
            [] => Some(JsonPatch::default()),
            [Node::Seq(items)] if items.iter().all(|i| matches!(i, Node::Map(_))) => {
                Some(JsonPatch { ops: items.clone() })
            }
            [Node::Null] => Some(JsonPatch::default()),
            _ => None,
        }
    }

    /// Apply to a single-document configuration (`JSON6902`).
    ///
    /// # Errors
    /// [`PatchError::MultiDocJson`] for several documents, [`PatchError::Json`] for a failing
    /// operation, [`PatchError::Decode`] when the result is no valid document.
    pub(super) fn apply(&self, docs: Vec<Document>) -> Result<Vec<Document>, PatchError> {
        let [doc] = <[Document; 1]>::try_from(docs).map_err(|_| PatchError::MultiDocJson)?;
        let s = schema();
        let mut node = s.encode(&doc.node, &doc.type_name);
        for op in &self.ops {
            apply_op(&mut node, op).map_err(PatchError::Json)?;
        }
        let (id, type_name) = s.identify(&node)?;
        let node = s.decode(&node, &type_name)?;
        Ok(vec![Document {
            id,
            type_name,
            node,
        }])
    }
}

fn json_to_node(v: &serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Null,
        serde_json::Value::Bool(b) => Node::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Node::Int(i),
            None => Node::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Node::Str(s.clone()),
        serde_json::Value::Array(a) => Node::Seq(a.iter().map(json_to_node).collect()),
        serde_json::Value::Object(o) => Node::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_node(v)))
                .collect(),
        ),
    }
}

fn field<'a>(op: &'a Node, name: &str) -> Option<&'a Node> {
    op.get(name)
}

fn string_field(op: &Node, name: &str) -> Result<String, String> {
    match field(op, name) {
        Some(Node::Str(s)) => Ok(s.clone()),
        _ => Err(format!("operation missing {name} field")),
    }
}

/// RFC 6901 pointer tokens.
fn tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("invalid JSON pointer: {path:?}"));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn apply_op(doc: &mut Node, op: &Node) -> Result<(), String> {
    let kind = string_field(op, "op")?;
    let path = string_field(op, "path")?;
    match kind.as_str() {
        "add" => {
            let value = field(op, "value").ok_or("add operation missing value")?;
            add(doc, &path, value.clone()).map_err(|e| {
                format!("add operation does not apply: doc is missing path: {path:?}: {e}")
            })
        }
        "remove" => remove(doc, &path).map(|_| ()).map_err(|e| {
            format!("remove operation does not apply: doc is missing path: {path:?}: {e}")
        }),
        "replace" => {
            let value = field(op, "value").ok_or("replace operation missing value")?;
            replace(doc, &path, value.clone()).map_err(|e| {
                format!("replace operation does not apply: doc is missing key: {path:?}: {e}")
            })
        }
        "move" => {
            let from = string_field(op, "from")?;
            let value = remove(doc, &from).map_err(|e| {
                format!("move operation does not apply: doc is missing from path: {from:?}: {e}")
            })?;
            add(doc, &path, value).map_err(|e| {
                format!(
                    "move operation does not apply: doc is missing destination path: {path:?}: {e}"
                )
            })
        }
        "copy" => {
            let from = string_field(op, "from")?;
            let value = get(doc, &from).cloned().ok_or_else(|| {
                format!("copy operation does not apply: doc is missing from path: {from:?}")
            })?;
            add(doc, &path, value).map_err(|e| {
                format!(
                    "copy operation does not apply: doc is missing destination path: {path:?}: {e}"
                )
            })
        }
        "test" => {
            let expected = field(op, "value").cloned().unwrap_or(Node::Null);
            match get(doc, &path) {
                Some(actual) if *actual == expected => Ok(()),
                _ => Err(format!("testing value {path:?} failed: test failed")),
            }
        }
        other => Err(format!("unexpected kind of operation: {other}")),
    }
}

fn get<'a>(doc: &'a Node, path: &str) -> Option<&'a Node> {
    let mut cur = doc;
    for t in tokens(path).ok()? {
        cur = match cur {
            Node::Map(entries) => entries.iter().find(|(k, _)| *k == t).map(|(_, v)| v)?,
            Node::Seq(items) => items.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The container of the last token, and that token.
fn parent<'a>(doc: &'a mut Node, path: &str) -> Result<(&'a mut Node, String), String> {
    let mut toks = tokens(path)?;
    let last = toks.pop().ok_or("cannot operate on the document root")?;
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Node::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| *k == t)
                .map(|(_, v)| v)
                .ok_or("missing value")?,
            Node::Seq(items) => {
                let i: usize = t.parse().map_err(|_| "invalid array index".to_string())?;
                items.get_mut(i).ok_or("missing value")?
            }
            _ => return Err("missing value".into()),
        };
    }
    Ok((cur, last))
}

fn add(doc: &mut Node, path: &str, value: Node) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (container, last) = parent(doc, path)?;
    match container {
        Node::Map(entries) => {
            match entries.iter_mut().find(|(k, _)| *k == last) {
                Some(slot) => slot.1 = value,
                None => entries.push((last, value)),
            }
            Ok(())
        }
        Node::Seq(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| "invalid array index".to_string())?;
            if i > items.len() {
                return Err(format!(
                    "Unable to access invalid index: {i}: invalid index referenced"
                ));
            }
            items.insert(i, value);
            Ok(())
        }
        _ => Err("missing value".into()),
    }
}

fn remove(doc: &mut Node, path: &str) -> Result<Node, String> {
    let (container, last) = parent(doc, path)?;
    match container {
        Node::Map(entries) => {
            let pos = entries
                .iter()
                .position(|(k, _)| *k == last)
                .ok_or("missing value")?;
            Ok(entries.remove(pos).1)
        }
        Node::Seq(items) => {
            let i: usize = last
                .parse()
                .map_err(|_| "invalid array index".to_string())?;
            if i >= items.len() {
                return Err(format!(
                    "Unable to access invalid index: {i}: invalid index referenced"
                ));
            }
            Ok(items.remove(i))
        }
        _ => Err("missing value".into()),
    }
}

fn replace(doc: &mut Node, path: &str, value: Node) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (container, last) = parent(doc, path)?;
    match container {
        Node::Map(entries) => {
            let slot = entries
                .iter_mut()
                .find(|(k, _)| *k == last)
                .ok_or("missing value")?;
            slot.1 = value;
            Ok(())
        }
        Node::Seq(items) => {
            let i: usize = last
                .parse()
                .map_err(|_| "invalid array index".to_string())?;
            let slot = items.get_mut(i).ok_or("missing value")?;
            *slot = value;
            Ok(())
        }
        _ => Err("missing value".into()),
    }
}
