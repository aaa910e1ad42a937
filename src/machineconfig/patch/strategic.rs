//! Strategic merge patches (talos `configpatcher/strategic.go`) with `$patch: delete`
//! selectors (`configloader/internal/decoder/{delete,selector}.go`).
//!
//! Loading follows the config loader with deletes allowed and validation off: each YAML
//! document first yields its delete selectors (the deleted parts are removed from it, and
//! mappings or lists left empty go too), then the rest of the document, decoded strictly.
//! Applying matches documents by apiVersion/kind/name: a match is merged, a new document is
//! appended, a selector deletes its path in the matching document (no match: ignored).

use super::{Document, PatchError};
use crate::machineconfig::schema::{schema, DocId};
use crate::yaml::{self, Node};

/// A loaded strategic merge patch.
#[derive(Clone, Debug)]
pub struct StrategicPatch {
    items: Vec<Item>,
}

#[derive(Clone, Debug)]
enum Item {
    Delete(Selector),
    Merge(Document),
}

/// One `$patch: delete`.
#[derive(Clone, Debug)]
struct Selector {
    path: Vec<String>,
    api_version: String,
    kind: String,
    /// For list items: the item's first key and its value.
    key: String,
    value: String,
    /// Set for documents that have a name: then only that document matches.
    name: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Document,
    Mapping,
    Sequence,
}

impl StrategicPatch {
    /// Parse a patch text as Talos's config loader does for patches.
    ///
    /// # Errors
    /// The loader's message (YAML errors, unknown kinds, unknown keys, misplaced deletes,
    /// `config not found` when the text holds no document).
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let docs = yaml::parse(text).map_err(|e| format!("decode error: {e}"))?;
        let s = schema();
        let mut items = Vec::new();
        for (i, mut doc) in docs.into_iter().enumerate() {
            let number = i + 1;
            let root = doc.clone();
            let mut selectors = Vec::new();
            let mut path = Vec::new();
            let (_, deleted) =
                process(Parent::Document, &mut doc, &mut path, &root, &mut selectors).map_err(
                    |e| {
                        format!(
                            "error processing patch delete statements in document {number}: {e}"
                        )
                    },
                )?;
            items.extend(selectors.into_iter().map(Item::Delete));
            if deleted || is_empty_doc(&doc) {
                continue;
            }
            match doc {
                Node::Null => continue,
                Node::Map(_) => {}
                _ => return Err(format!("expected a YAML document (document {number})")),
            }
            let (id, type_name) = s
                .identify(&doc)
                .map_err(|e| decode_error(&doc, number, &e))?;
            let node = s
                .decode(&doc, &type_name)
                .map_err(|e| decode_error(&doc, number, &e))?;
            items.push(Item::Merge(Document {
                id,
                type_name,
                node,
            }));
        }
        if items.is_empty() {
            return Err("config not found".into());
        }
        Ok(StrategicPatch { items })
    }

    /// Apply to a configuration's documents (`StrategicMerge`).
    ///
    /// # Errors
    /// [`PatchError::Apply`] when a selector's path does not exist or a merge fails.
    pub(super) fn apply(&self, mut left: Vec<Document>) -> Result<Vec<Document>, PatchError> {
        let s = schema();
        for item in &self.items {
            match item {
                Item::Delete(sel) => {
                    let Some(pos) = left.iter().position(|d| sel.matches(&d.id)) else {
                        // A delete for a missing document is silently skipped.
                        continue;
                    };
                    if sel.path.is_empty() {
                        left.remove(pos);
                        continue;
                    }
                    let Some(doc) = left.get_mut(pos) else {
                        continue;
                    };
                    let shown = sel.path.join(".");
                    s.delete(
                        &mut doc.node,
                        &doc.type_name,
                        &sel.path,
                        &sel.key,
                        &sel.value,
                    )
                    .map_err(|e| {
                        let inner = format!("failed to delete path '{shown}': {e}");
                        PatchError::Apply(match &sel.name {
                            Some(_) => format!(
                                "named patch delete: document {}/{}: {inner}",
                                doc.id.api_version, doc.id.kind
                            ),
                            None => format!(
                                "patch delete: path '{shown}' in document '{}/{}': {inner}",
                                doc.id.api_version, doc.id.kind
                            ),
                        })
                    })?;
                }
                Item::Merge(right) => match left.iter_mut().find(|d| d.id == right.id) {
                    Some(doc) => s
                        .merge(&mut doc.node, &right.node, &doc.type_name)
                        .map_err(|e| PatchError::Apply(e.to_string()))?,
                    None => left.push(right.clone()),
                },
            }
        }
        Ok(left)
    }
}

impl Selector {
    fn matches(&self, id: &DocId) -> bool {
        self.api_version == id.api_version
            && self.kind == id.kind
            && self.name.as_deref().unwrap_or_default() == id.name
    }
}

/// `isEmptyDoc`: only `version`/`kind`/`name` scalars remain.
fn is_empty_doc(doc: &Node) -> bool {
    match doc {
        Node::Map(entries) => entries.iter().all(|(k, v)| {
            matches!(k.as_str(), "version" | "kind" | "name")
                && !matches!(v, Node::Map(_) | Node::Seq(_))
        }),
        _ => false,
    }
}

fn decode_error(doc: &Node, number: usize, e: &impl std::fmt::Display) -> String {
    let field = |k: &str| {
        doc.get(k)
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    format!(
        "error decoding document {}/{}/{} (document {number}): {e}",
        field("apiVersion"),
        field("kind"),
        field("name")
    )
}

/// A scalar's text, as the YAML node value Go compares.
fn text(n: &Node) -> String {
    match n {
        Node::Str(s) => s.clone(),
        Node::Int(i) => i.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Float(_) => yaml::emit(n).trim_end().to_string(),
        Node::Null => "null".into(),
        Node::Seq(_) | Node::Map(_) => String::new(),
    }
}

/// `processNode` (`delete.go:120-188`): returns (continue, delete this node).
fn process(
    parent: Parent,
    v: &mut Node,
    path: &mut Vec<String>,
    root: &Node,
    out: &mut Vec<Selector>,
) -> Result<(bool, bool), String> {
    match v {
        Node::Map(entries) => {
            let mut i = 0;
            while i < entries.len() {
                let Some((key, value)) = entries.get_mut(i) else {
                    break;
                };
                if key == "$patch" && matches!(value, Node::Str(s) if s == "delete") {
                    if parent != Parent::Sequence {
                        ensure_no_seq_in_chain(path)?;
                    }
                    let sel = if parent == Parent::Sequence {
                        sequence_selector(path, root, entries)?
                    } else {
                        selector(path, root, String::new(), String::new())?
                    };
                    out.push(sel);
                    return Ok((true, true));
                }
                path.push(key.clone());
                let result = process(Parent::Mapping, value, path, root, out);
                path.pop();
                let (cont, del) = result?;
                if !cont {
                    return Ok((false, del));
                }
                if del {
                    entries.remove(i);
                    if entries.is_empty() {
                        return Ok((true, true));
                    }
                    continue;
                }
                i += 1;
            }
            if parent == Parent::Document {
                return Ok((false, false));
            }
            Ok((true, false))
        }
        Node::Seq(items) => {
            let mut i = 0;
            while i < items.len() {
                let Some(item) = items.get_mut(i) else { break };
                path.push(format!("[{i}]"));
                let result = process(Parent::Sequence, item, path, root, out);
                path.pop();
                let (cont, del) = result?;
                if !cont {
                    return Ok((false, del));
                }
                if del {
                    items.remove(i);
                    if items.is_empty() {
                        return Ok((true, true));
                    }
                    continue;
                }
                i += 1;
            }
            Ok((true, false))
        }
        _ => Ok((true, false)),
    }
}

fn ensure_no_seq_in_chain(path: &[String]) -> Result<(), String> {
    if path.iter().any(|p| p.starts_with('[')) {
        return Err(format!(
            "cannot delete an inner key in '{}'",
            path.join(".")
        ));
    }
    Ok(())
}

/// `makeSequenceSelector`: the first other key of the item picks it.
fn sequence_selector(
    path: &[String],
    root: &Node,
    entries: &[(String, Node)],
) -> Result<Selector, String> {
    for (k, v) in entries {
        if k == "$patch" && matches!(v, Node::Str(s) if s == "delete") {
            continue;
        }
        let value = match v {
            Node::Map(_) | Node::Seq(_) => String::new(),
            scalar => text(scalar),
        };
        return selector(path, root, k.clone(), value);
    }
    Err(format!(
        "no key:val found in sequence node for path {}",
        path.join(".")
    ))
}

/// `makeSelector`.
fn selector(path: &[String], root: &Node, key: String, value: String) -> Result<Selector, String> {
    if !matches!(root, Node::Map(_)) {
        return Err("expected a mapping node".into());
    }
    let required = path.is_empty();
    let find = |k: &str| -> Result<String, String> {
        match root.get(k) {
            Some(v) => Ok(text(v)),
            None if required => Err(format!(
                "missing {k} in document for which $patch: delete is used"
            )),
            None => Ok(String::new()),
        }
    };
    let api_version = find("apiVersion")?;
    let mut kind = find("kind")?;
    match (kind.is_empty(), api_version.is_empty()) {
        (true, true) => kind = "v1alpha1".into(),
        (false, false) => {}
        _ => {
            return Err(format!(
                "kind and apiVersion must be both set for path {}",
                path.join(".")
            ))
        }
    }
    let name = root.get("name").map(text).filter(|n| !n.is_empty());
    Ok(Selector {
        path: path.to_vec(),
        api_version,
        kind,
        key,
        value,
        name,
    })
}
