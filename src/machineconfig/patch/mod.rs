//! Configuration patches (`spec/gen-config.md` §6; talos `pkg/machinery/config/configpatcher/`).
//!
//! [`load_patches`] reads `--config-patch` arguments as talosctl does (`load.go:74-132`): `@file`,
//! a bare file name (no space or newline, not starting with `[` or `{`), or inline text. Each
//! text is a strategic merge patch if Talos's config loader accepts it, else an RFC 6902 JSON
//! patch (JSON, or a YAML list of operations); consecutive JSON patches are joined.
//! [`apply`] applies them in order to a configuration's documents (`apply.go:80-111`).

mod json6902;
mod strategic;

use std::path::Path;

pub use json6902::JsonPatch;
pub use strategic::StrategicPatch;

use super::schema::{schema, DecodeError, DocId};
use crate::yaml::Node;

/// One loaded patch.
#[derive(Clone, Debug)]
pub enum Patch {
    /// A strategic merge patch: documents and `$patch: delete` selectors.
    Strategic(StrategicPatch),
    /// RFC 6902 operations.
    Json(JsonPatch),
}

/// Why a patch could not be loaded or applied. Messages are talosctl's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// A patch file could not be read (Go: `open <file>: <reason>`).
    #[error("open {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The text is neither a strategic merge patch nor a JSON patch.
    #[error("{0}")]
    Load(String),
    /// JSON patches need a single-document configuration.
    #[error("JSON6902 patches are not supported for multi-document machine configuration")]
    MultiDocJson,
    /// A JSON patch operation failed.
    #[error("failure applying rfc6902 patches to talos machine config: {0}")]
    Json(String),
    /// A `$patch: delete` selector or a merge failed.
    #[error("{0}")]
    Apply(String),
    /// A patched document does not decode.
    #[error("{0}")]
    Decode(#[from] DecodeError),
}

/// A configuration being patched: documents with their identity and Go type.
#[derive(Clone, Debug)]
pub struct Document {
    /// apiVersion/kind/name.
    pub id: DocId,
    /// The Go type (schema name).
    pub type_name: String,
    /// The decoded tree.
    pub node: Node,
}

/// Read the patch arguments of `--config-patch` and friends.
///
/// # Errors
/// [`PatchError::Read`] for unreadable files, [`PatchError::Load`] for texts that are no patch.
pub fn load_patches(args: &[String]) -> Result<Vec<Patch>, PatchError> {
    let mut out: Vec<Patch> = Vec::new();
    for arg in args {
        let text = if let Some(file) = arg.strip_prefix('@') {
            read(Path::new(file))?
        } else if !arg.contains(['\n', ' ']) && !arg.starts_with('[') && !arg.starts_with('{') {
            // Talos compat: no space/newline and no `[`/`{`: a file name without `@`.
            read(Path::new(arg))?
        } else {
            arg.clone()
        };
        let patch = load_patch(&text)?;
        match (out.last_mut(), patch) {
            (Some(Patch::Json(prev)), Patch::Json(next)) => prev.extend(next),
            (_, patch) => out.push(patch),
        }
    }
    Ok(out)
}

fn read(path: &Path) -> Result<String, PatchError> {
    std::fs::read_to_string(path).map_err(|e| PatchError::Read {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })
}

/// Go's wording for the common I/O errors.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
    }
}

/// One patch text (`LoadPatch`, `load.go:21-72`).
///
/// # Errors
/// [`PatchError::Load`] with the strategic-merge error (or the JSON error when the text looks
/// like a JSON array).
pub fn load_patch(text: &str) -> Result<Patch, PatchError> {
    let strategic_err = match StrategicPatch::parse(text) {
        Ok(p) => return Ok(Patch::Strategic(p)),
        Err(e) => e,
    };
    let json_err = match JsonPatch::parse_json(text) {
        Ok(p) => return Ok(Patch::Json(p)),
        Err(e) => e,
    };
    match JsonPatch::parse_yaml(text) {
        Some(p) => Ok(Patch::Json(p)),
        None if text.trim_start().starts_with('[') => Err(PatchError::Load(json_err)),
        None => Err(PatchError::Load(strategic_err)),
    }
}

/// Load a machine configuration (any indentation or key order) as Talos's config loader does:
/// every document identified and decoded strictly.
///
/// # Errors
/// [`PatchError::Load`] for YAML errors, [`PatchError::Decode`] for unknown kinds or keys.
pub fn load_config(text: &str) -> Result<Vec<Document>, PatchError> {
    let s = schema();
    let mut out = Vec::new();
    for node in crate::yaml::parse(text).map_err(|e| PatchError::Load(e.to_string()))? {
        if node == Node::Null {
            continue;
        }
        let (id, type_name) = s.identify(&node)?;
        let node = s.decode(&node, &type_name)?;
        out.push(Document {
            id,
            type_name,
            node,
        });
    }
    Ok(out)
}

/// Identify generated documents for patching.
///
/// # Errors
/// [`PatchError::Decode`] when a document is not a known kind.
pub fn documents(docs: Vec<Node>) -> Result<Vec<Document>, PatchError> {
    let s = schema();
    docs.into_iter()
        .map(|node| {
            let (id, type_name) = s.identify(&node)?;
            Ok(Document {
                id,
                type_name,
                node,
            })
        })
        .collect()
}

/// Apply patches in order (`configpatcher.Apply`).
///
/// # Errors
/// [`PatchError`] from the first patch that fails.
pub fn apply(mut docs: Vec<Document>, patches: &[Patch]) -> Result<Vec<Document>, PatchError> {
    for p in patches {
        docs = match p {
            Patch::Strategic(sp) => sp.apply(docs)?,
            Patch::Json(jp) => jp.apply(docs)?,
        };
    }
    Ok(docs)
}

/// Documents as Talos's container writes them: the v1alpha1 document first, each re-encoded
/// from its Go type (`container.New`, `container.go:1152-1175`).
pub fn encode(docs: &[Document]) -> Vec<Node> {
    let s = schema();
    let (v1, rest): (Vec<&Document>, Vec<&Document>) =
        docs.iter().partition(|d| d.type_name == "v1alpha1.Config");
    v1.into_iter()
        .chain(rest)
        .map(|d| s.encode(&d.node, &d.type_name))
        .collect()
}
