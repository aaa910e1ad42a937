//! The Go types of Talos configuration documents, as data (`templates/schema.txt`), and the
//! three things Talos does with them that talmint must reproduce on [`Node`] trees:
//!
//! - [`Schema::decode`]: read a patch document as Go's strict decoder does (unknown keys
//!   refused, scalars converted to the field's type);
//! - [`Schema::merge`]: Talos's strategic merge (`pkg/machinery/config/merge/merge.go`):
//!   scalars replaced unless the right side is zero (booleans always, pointers when set),
//!   maps merged key by key, slices appended unless tagged `merge:"replace"`, keyed lists
//!   (network interfaces, VLANs, admission plugins, extension config files) merged item by item;
//! - [`Schema::encode`]: write a document as `yaml.Marshal` of the Go struct does: fields in
//!   declaration order, `omitempty` values left out, other absent values as their zero value,
//!   Go maps in natural key order.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::goduration;
use crate::yaml::{self, Node};

/// A field's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Str,
    Int,
    Float,
    Bool,
    Dur,
    B64,
    Url,
    Raw,
    Any,
    Args,
    Ptr(Box<Ty>),
    List(Box<Ty>),
    Map(Box<Ty>),
    Struct(String),
}

/// How a list field merges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ListMerge {
    /// Go slices: appended.
    Append,
    /// Items with an equal key (the first non-empty of these fields) are merged.
    Keyed(Vec<String>),
    /// Items with an equal key are replaced.
    KeyReplace(String),
}

/// One struct field.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) ty: Ty,
    pub(crate) omitempty: bool,
    pub(crate) replace: bool,
    pub(crate) list: ListMerge,
    /// Leading `\t\n\v\f\r` removed when read (inline manifest contents).
    pub(crate) trim_left: bool,
}

/// One struct.
#[derive(Clone, Debug, Default)]
pub(crate) struct StructDef {
    pub(crate) fields: Vec<Field>,
    pub(crate) named: bool,
    pub(crate) atomic: bool,
}

/// What a document is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocId {
    /// `apiVersion` (`""` for the v1alpha1 document).
    pub api_version: String,
    /// `kind` (`v1alpha1` for the v1alpha1 document).
    pub kind: String,
    /// `name` for named documents, else `""`.
    pub name: String,
}

/// Why a document could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// No `kind` (Go: `missing kind`).
    #[error("missing kind")]
    MissingKind,
    /// No `apiVersion` (Go: `missing apiVersion`).
    #[error("missing apiVersion")]
    MissingApiVersion,
    /// A kind Talos does not know (Go: `"Kind" "version": not registered`).
    #[error("{kind:?} {version:?}: not registered")]
    NotRegistered {
        /// The kind.
        kind: String,
        /// The apiVersion.
        version: String,
    },
    /// The document is not a mapping.
    #[error("expected a YAML document")]
    NotAMapping,
    /// Keys the type does not have (Go: `unknown keys found during decoding:` and the keys).
    #[error("unknown keys found during decoding:\n{0}")]
    UnknownKeys(String),
    /// A value of the wrong type (Go: `cannot unmarshal …`).
    #[error("cannot unmarshal {found} into {path} of type {expected}")]
    Type {
        /// Dotted path of the field.
        path: String,
        /// What the field wants.
        expected: &'static str,
        /// What the document has.
        found: &'static str,
    },
    /// A merge of values of different types (Go: `merge type mismatch`).
    #[error("merge type mismatch at {0}")]
    MergeMismatch(String),
}

/// All document types.
pub struct Schema {
    structs: HashMap<String, StructDef>,
    kinds: Vec<(String, String)>,
}

/// The schema, parsed once from `templates/schema.txt` (a compile-time constant checked by a
/// unit test: a malformed line is skipped rather than causing a panic).
pub fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| Schema::parse(include_str!("../../templates/schema.txt")))
}

impl Ty {
    fn parse(t: &str) -> Ty {
        if let Some(inner) = t.strip_prefix('*') {
            return Ty::Ptr(Box::new(Ty::parse(inner)));
        }
        if let Some(inner) = t.strip_prefix("[]") {
            return Ty::List(Box::new(Ty::parse(inner)));
        }
        if let Some(inner) = t.strip_prefix("map[]") {
            return Ty::Map(Box::new(Ty::parse(inner)));
        }
        match t {
            "str" => Ty::Str,
            "int" => Ty::Int,
            "float" => Ty::Float,
            "bool" => Ty::Bool,
            "dur" => Ty::Dur,
            "b64" => Ty::B64,
            "url" => Ty::Url,
            "raw" => Ty::Raw,
            "any" => Ty::Any,
            "args" => Ty::Args,
            name => Ty::Struct(name.to_string()),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Ty::Str | Ty::B64 | Ty::Dur | Ty::Url => "string",
            Ty::Int => "int",
            Ty::Float => "float",
            Ty::Bool => "bool",
            Ty::Raw | Ty::Any => "value",
            Ty::Args | Ty::Map(_) => "map",
            Ty::Ptr(t) => t.name(),
            Ty::List(_) => "list",
            Ty::Struct(_) => "struct",
        }
    }
}

fn found(node: &Node) -> &'static str {
    match node {
        Node::Null => "!!null",
        Node::Bool(_) => "!!bool",
        Node::Int(_) => "!!int",
        Node::Float(_) => "!!float",
        Node::Str(_) => "!!str",
        Node::Seq(_) => "!!seq",
        Node::Map(_) => "!!map",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Schema {
    fn parse(text: &str) -> Schema {
        // (name, definition, embedded structs with their field positions)
        type Parsed = (String, StructDef, Vec<(usize, String)>);
        let mut raw: Vec<Parsed> = Vec::new();
        let mut kinds = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            if let Some(rest) = line.strip_prefix("  ") {
                let Some((_, def, inlines)) = raw.last_mut() else {
                    continue;
                };
                let mut w = rest.split_whitespace();
                let (Some(key), Some(ty)) = (w.next(), w.next()) else {
                    continue;
                };
                if key == "~inline" {
                    inlines.push((def.fields.len(), ty.to_string()));
                    continue;
                }
                let mut field = Field {
                    key: key.to_string(),
                    ty: Ty::parse(ty),
                    omitempty: false,
                    replace: false,
                    list: ListMerge::Append,
                    trim_left: false,
                };
                for flag in w {
                    match flag {
                        "omitempty" => field.omitempty = true,
                        "replace" => field.replace = true,
                        "trimleft" => field.trim_left = true,
                        f => {
                            if let Some(keys) = f.strip_prefix("keyed=") {
                                field.list =
                                    ListMerge::Keyed(keys.split('|').map(str::to_string).collect());
                            } else if let Some(k) = f.strip_prefix("keyreplace=") {
                                field.list = ListMerge::KeyReplace(k.to_string());
                            }
                        }
                    }
                }
                def.fields.push(field);
                continue;
            }
            match (words.next(), words.next(), words.next()) {
                (Some("struct"), Some(name), _) => {
                    let flags: Vec<&str> = line.split_whitespace().skip(2).collect();
                    raw.push((
                        name.to_string(),
                        StructDef {
                            fields: Vec::new(),
                            named: flags.contains(&"named"),
                            atomic: flags.contains(&"atomic"),
                        },
                        Vec::new(),
                    ));
                }
                (Some("kind"), Some(kind), Some(ty)) => {
                    kinds.push((kind.to_string(), ty.to_string()));
                }
                _ => {}
            }
        }
        // Expand embedded structs in place (later embeds first keeps earlier indices valid).
        let plain: HashMap<String, StructDef> =
            raw.iter().map(|(n, d, _)| (n.clone(), d.clone())).collect();
        let mut structs = HashMap::new();
        for (name, mut def, inlines) in raw {
            for (at, embedded) in inlines.into_iter().rev() {
                let fields = expand(&plain, &embedded, 0);
                let at = at.min(def.fields.len());
                def.fields.splice(at..at, fields);
            }
            structs.insert(name, def);
        }
        Schema { structs, kinds }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&StructDef> {
        self.structs.get(name)
    }

    /// The struct type of a registered kind.
    fn kind_type(&self, kind: &str) -> Option<&str> {
        self.kinds
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, t)| t.as_str())
    }

    /// What document `doc` is, as Talos's decoder decides (`decoder.go:150-190`), and its type.
    ///
    /// # Errors
    /// [`DecodeError::MissingKind`], [`DecodeError::MissingApiVersion`],
    /// [`DecodeError::NotRegistered`], [`DecodeError::NotAMapping`].
    pub fn identify(&self, doc: &Node) -> Result<(DocId, String), DecodeError> {
        let Node::Map(entries) = doc else {
            return Err(DecodeError::NotAMapping);
        };
        let text = |n: &Node| match n {
            Node::Str(s) => s.clone(),
            Node::Int(i) => i.to_string(),
            Node::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        let mut version = String::new();
        let mut kind = String::new();
        for (k, v) in entries {
            match k.as_str() {
                "kind" => kind = text(v),
                "apiVersion" => version = text(v),
                "machine" | "cluster" | "debug" | "persist" => version = "v1alpha1".into(),
                _ => {}
            }
        }
        if version == "v1alpha1" && kind.is_empty() {
            let id = DocId {
                api_version: String::new(),
                kind: "v1alpha1".into(),
                name: String::new(),
            };
            return Ok((id, "v1alpha1.Config".into()));
        }
        if kind.is_empty() {
            return Err(DecodeError::MissingKind);
        }
        if version.is_empty() {
            return Err(DecodeError::MissingApiVersion);
        }
        let ty = match (self.kind_type(&kind), version.as_str()) {
            (Some(t), "v1alpha1") if kind != "v1alpha1" => t.to_string(),
            _ => return Err(DecodeError::NotRegistered { kind, version }),
        };
        let named = self.get(&ty).is_some_and(|d| d.named);
        let name = if named {
            doc.get("name").map(text).unwrap_or_default()
        } else {
            String::new()
        };
        Ok((
            DocId {
                api_version: version,
                kind,
                name,
            },
            ty,
        ))
    }

    /// Decode a document as Go's strict decoder would into its type.
    ///
    /// # Errors
    /// [`DecodeError::UnknownKeys`] listing every unknown key, [`DecodeError::Type`] for a value
    /// of the wrong type.
    pub fn decode(&self, doc: &Node, type_name: &str) -> Result<Node, DecodeError> {
        let mut unknown = Vec::new();
        let out = self.decode_value(doc, &Ty::Struct(type_name.to_string()), "", &mut unknown)?;
        if !unknown.is_empty() {
            return Err(DecodeError::UnknownKeys(yaml::emit(&without_values(
                Node::Map(unknown),
            ))));
        }
        Ok(out.unwrap_or(Node::Map(Vec::new())))
    }

    /// `None` = the Go value stays zero (null, or a null pointer).
    fn decode_value(
        &self,
        node: &Node,
        ty: &Ty,
        path: &str,
        unknown: &mut Vec<(String, Node)>,
    ) -> Result<Option<Node>, DecodeError> {
        if *node == Node::Null {
            return Ok(None);
        }
        let mismatch = || DecodeError::Type {
            path: path.to_string(),
            expected: ty.name(),
            found: found(node),
        };
        Ok(Some(match ty {
            Ty::Ptr(inner) => return self.decode_value(node, inner, path, unknown),
            Ty::Str => match node {
                Node::Str(s) => Node::Str(s.clone()),
                Node::Int(i) => Node::Str(i.to_string()),
                Node::Bool(b) => Node::Str(b.to_string()),
                Node::Float(_) => Node::Str(yaml::emit(node).trim_end().to_string()),
                _ => return Err(mismatch()),
            },
            Ty::Int => match node {
                Node::Int(i) => Node::Int(*i),
                Node::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 =>
                {
                    #[expect(clippy::cast_possible_truncation, reason = "integral, in range")]
                    Node::Int(*f as i64)
                }
                _ => return Err(mismatch()),
            },
            Ty::Float => match node {
                Node::Float(f) => Node::Float(*f),
                #[expect(clippy::cast_precision_loss, reason = "as Go converts ints to floats")]
                Node::Int(i) => Node::Float(*i as f64),
                _ => return Err(mismatch()),
            },
            Ty::Bool => match node {
                Node::Bool(b) => Node::Bool(*b),
                // go-yaml still reads YAML 1.1 booleans into bool fields.
                Node::Str(s) => match s.as_str() {
                    "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Node::Bool(true),
                    "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Node::Bool(false),
                    _ => return Err(mismatch()),
                },
                _ => return Err(mismatch()),
            },
            Ty::Dur => match node {
                Node::Str(s) => {
                    Node::Str(go_duration_normalize(s).ok_or_else(|| DecodeError::Type {
                        path: path.to_string(),
                        expected: "duration",
                        found: "!!str",
                    })?)
                }
                Node::Int(i) => Node::Str(goduration::format(i128::from(*i))),
                _ => return Err(mismatch()),
            },
            Ty::B64 => match node {
                Node::Str(s) => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(s)
                        .map_err(|_| DecodeError::Type {
                            path: path.to_string(),
                            expected: "base64",
                            found: "!!str",
                        })?;
                    Node::Str(s.clone())
                }
                _ => return Err(mismatch()),
            },
            Ty::Raw => match node {
                Node::Seq(_) | Node::Map(_) => return Err(mismatch()),
                scalar => scalar.clone(),
            },
            Ty::Url => match node {
                Node::Str(s) => Node::Str(s.clone()),
                _ => return Err(mismatch()),
            },
            Ty::Any => node.clone(),
            Ty::Args => match node {
                Node::Map(entries) => {
                    let mut out = Vec::new();
                    for (k, v) in entries {
                        let v = match v {
                            Node::Seq(items) => Node::Seq(
                                items
                                    .iter()
                                    .map(|i| self.decode_value(i, &Ty::Str, path, unknown))
                                    .collect::<Result<Vec<_>, _>>()?
                                    .into_iter()
                                    .flatten()
                                    .collect(),
                            ),
                            scalar => self
                                .decode_value(scalar, &Ty::Str, &join(path, k), unknown)?
                                .unwrap_or(Node::Str(String::new())),
                        };
                        out.push((k.clone(), v));
                    }
                    Node::Map(out)
                }
                _ => return Err(mismatch()),
            },
            Ty::List(inner) => match node {
                Node::Seq(items) => {
                    let mut out = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let p = format!("{path}[{i}]");
                        let mut sub = Vec::new();
                        let v = self.decode_value(item, inner, &p, &mut sub)?;
                        if !sub.is_empty() {
                            unknown.push((format!("[{i}]"), Node::Map(sub)));
                        }
                        out.push(v.unwrap_or(Node::Null));
                    }
                    Node::Seq(out)
                }
                _ => return Err(mismatch()),
            },
            Ty::Map(inner) => match node {
                Node::Map(entries) => {
                    let mut out = Vec::new();
                    for (k, v) in entries {
                        let mut sub = Vec::new();
                        let value = self.decode_value(v, inner, &join(path, k), &mut sub)?;
                        if !sub.is_empty() {
                            unknown.push((k.clone(), Node::Map(sub)));
                        }
                        out.push((k.clone(), value.unwrap_or(Node::Null)));
                    }
                    Node::Map(out)
                }
                _ => return Err(mismatch()),
            },
            Ty::Struct(name) => {
                let Node::Map(entries) = node else {
                    return Err(mismatch());
                };
                let Some(def) = self.get(name) else {
                    return Ok(Some(node.clone()));
                };
                let mut out: Vec<(String, Node)> = Vec::new();
                for (k, v) in entries {
                    match def.fields.iter().find(|f| f.key == *k) {
                        Some(f) => {
                            let mut sub = Vec::new();
                            let value = self.decode_value(v, &f.ty, &join(path, k), &mut sub)?;
                            if !sub.is_empty() {
                                unknown.push((k.clone(), Node::Map(sub)));
                            }
                            if let Some(mut value) = value {
                                if let (true, Node::Str(text)) = (f.trim_left, &mut value) {
                                    // ClusterInlineManifests.UnmarshalYAML (v1alpha1_types.go:2249).
                                    *text = text
                                        .trim_start_matches(['\t', '\n', '\u{b}', '\u{c}', '\r'])
                                        .to_string();
                                }
                                out.push((k.clone(), value));
                            }
                        }
                        None => unknown.push((k.clone(), v.clone())),
                    }
                }
                // Field order, as the Go struct holds them.
                let mut ordered = Vec::new();
                for f in &def.fields {
                    if let Some(pos) = out.iter().position(|(k, _)| *k == f.key) {
                        ordered.push(out.swap_remove(pos));
                    }
                }
                Node::Map(ordered)
            }
        }))
    }

    /// Merge `right` into `left`, both decoded as `type_name` (`merge.Merge`).
    ///
    /// # Errors
    /// [`DecodeError::MergeMismatch`] when free-form values of different types meet.
    pub fn merge(&self, left: &mut Node, right: &Node, type_name: &str) -> Result<(), DecodeError> {
        self.merge_struct(left, right, type_name, "")
    }

    fn merge_struct(
        &self,
        left: &mut Node,
        right: &Node,
        name: &str,
        path: &str,
    ) -> Result<(), DecodeError> {
        let Some(def) = self.get(name) else {
            *left = right.clone();
            return Ok(());
        };
        if def.atomic {
            *left = right.clone();
            return Ok(());
        }
        if !matches!(left, Node::Map(_)) {
            *left = Node::Map(Vec::new());
        }
        for f in &def.fields {
            let r = right.get(&f.key);
            let p = join(path, &f.key);
            let mut slot = take(left, &f.key);
            self.merge_field(&mut slot, r, f, &p)?;
            put(left, &f.key, slot, def);
        }
        Ok(())
    }

    /// `merge(vl, vr, replace, overwrite=false)` for one struct field.
    fn merge_field(
        &self,
        slot: &mut Option<Node>,
        right: Option<&Node>,
        f: &Field,
        path: &str,
    ) -> Result<(), DecodeError> {
        match &f.ty {
            Ty::Ptr(inner) => {
                let Some(r) = right else { return Ok(()) };
                match slot {
                    None => *slot = Some(r.clone()),
                    Some(l) => self.merge_value(l, r, inner, true, f, path)?,
                }
            }
            Ty::List(_) if f.list != ListMerge::Append => {
                let Some(r) = right else { return Ok(()) };
                let l = slot.get_or_insert_with(|| Node::Seq(Vec::new()));
                self.merge_keyed(l, r, f, path)?;
            }
            Ty::Bool => {
                // Talos compat: booleans are always merged, an unset one as false.
                *slot = Some(right.cloned().unwrap_or(Node::Bool(false)));
            }
            Ty::Struct(name) if !f.replace => {
                // Fields merge one by one even when the right struct is zero (plain booleans
                // reset to false).
                if slot.is_none() && right.is_none() {
                    return Ok(());
                }
                let r = right.cloned().unwrap_or(Node::Map(Vec::new()));
                let l = slot.get_or_insert_with(|| Node::Map(Vec::new()));
                self.merge_struct(l, &r, name, path)?;
            }
            Ty::List(_) => {
                let Some(r) = right else { return Ok(()) };
                match (r, slot.as_mut()) {
                    (_, _) if f.replace => *slot = Some(r.clone()),
                    (Node::Seq(items), None) if items.is_empty() => {
                        *slot = Some(Node::Seq(Vec::new()));
                    }
                    (_, None) => *slot = Some(r.clone()),
                    (_, Some(l)) => self.merge_value(l, r, &f.ty, false, f, path)?,
                }
            }
            ty @ (Ty::Map(_) | Ty::Any | Ty::Args | Ty::Struct(_)) => {
                let Some(r) = right else { return Ok(()) };
                match slot {
                    None if f.replace && is_zero(r, ty, self) => {}
                    None => *slot = Some(r.clone()),
                    Some(l) => self.merge_value(l, r, ty, false, f, path)?,
                }
            }
            Ty::Url => {
                let Some(r) = right else { return Ok(()) };
                match slot {
                    Some(l) => *l = merge_url(l, r),
                    None if !is_zero(r, &Ty::Url, self) => *slot = Some(r.clone()),
                    None => {}
                }
            }
            scalar => {
                let Some(r) = right else { return Ok(()) };
                if !is_zero(r, scalar, self) {
                    *slot = Some(r.clone());
                }
            }
        }
        Ok(())
    }

    /// Merge values of type `ty` (the right side is non-zero or `overwrite` is set).
    fn merge_value(
        &self,
        left: &mut Node,
        right: &Node,
        ty: &Ty,
        overwrite: bool,
        f: &Field,
        path: &str,
    ) -> Result<(), DecodeError> {
        match ty {
            Ty::Ptr(inner) => self.merge_value(left, right, inner, true, f, path),
            Ty::Struct(name) => {
                if f.replace {
                    if !is_zero(right, ty, self) {
                        *left = right.clone();
                    }
                    Ok(())
                } else {
                    self.merge_struct(left, right, name, path)
                }
            }
            Ty::List(_) => {
                if f.replace {
                    *left = right.clone();
                } else if let (Node::Seq(l), Node::Seq(r)) = (&mut *left, right) {
                    l.extend(r.iter().cloned());
                } else {
                    *left = right.clone();
                }
                Ok(())
            }
            Ty::Map(inner) => {
                if f.replace {
                    *left = right.clone();
                    return Ok(());
                }
                let (Node::Map(l), Node::Map(r)) = (&mut *left, right) else {
                    *left = right.clone();
                    return Ok(());
                };
                for (k, rv) in r {
                    match l.iter_mut().find(|(lk, _)| lk == k) {
                        Some((_, lv)) if *lv != Node::Null => {
                            let item = Field {
                                key: k.clone(),
                                ty: (**inner).clone(),
                                omitempty: false,
                                replace: false,
                                list: ListMerge::Append,
                                trim_left: false,
                            };
                            // Map values merge with overwrite off: a zero right value is kept out.
                            if is_zero(rv, inner, self) && **inner != Ty::Bool {
                                continue;
                            }
                            let p = join(path, k);
                            self.merge_value(lv, rv, inner, false, &item, &p)?;
                        }
                        Some((_, lv)) => *lv = rv.clone(),
                        None => l.push((k.clone(), rv.clone())),
                    }
                }
                Ok(())
            }
            Ty::Any => {
                if f.replace {
                    if !is_zero(right, ty, self) {
                        *left = right.clone();
                    }
                    Ok(())
                } else {
                    merge_any(left, right, path)
                }
            }
            Ty::Args => {
                // meta.Args.Merge: maps.Copy.
                if let (Node::Map(l), Node::Map(r)) = (&mut *left, right) {
                    for (k, v) in r {
                        match l.iter_mut().find(|(lk, _)| lk == k) {
                            Some(slot) => slot.1 = v.clone(),
                            None => l.push((k.clone(), v.clone())),
                        }
                    }
                } else {
                    *left = right.clone();
                }
                Ok(())
            }
            Ty::Url => {
                *left = merge_url(left, right);
                Ok(())
            }
            scalar => {
                if overwrite || *scalar == Ty::Bool || !is_zero(right, scalar, self) {
                    *left = right.clone();
                }
                Ok(())
            }
        }
    }

    /// Keyed list merges (`NetworkDeviceList`, `VlanList`, `AdmissionPluginConfigList`,
    /// `ConfigFileList`, `ImageVerificationRules`).
    fn merge_keyed(
        &self,
        left: &mut Node,
        right: &Node,
        f: &Field,
        path: &str,
    ) -> Result<(), DecodeError> {
        let Ty::List(elem) = &f.ty else { return Ok(()) };
        let elem_name = match &**elem {
            Ty::Ptr(t) => match &**t {
                Ty::Struct(n) => n.clone(),
                _ => String::new(),
            },
            Ty::Struct(n) => n.clone(),
            _ => String::new(),
        };
        let (Node::Seq(l), Node::Seq(r)) = (&mut *left, right) else {
            return Ok(());
        };
        for item in r {
            let found = match &f.list {
                ListMerge::Keyed(keys) => self.find_keyed(l, item, keys, &elem_name),
                ListMerge::KeyReplace(k) => {
                    let key = item.get(k).cloned().unwrap_or(Node::Str(String::new()));
                    l.iter()
                        .position(|x| x.get(k).cloned().unwrap_or(Node::Str(String::new())) == key)
                }
                ListMerge::Append => None,
            };
            match (found, &f.list) {
                (Some(i), ListMerge::KeyReplace(_)) => {
                    if let Some(slot) = l.get_mut(i) {
                        *slot = item.clone();
                    }
                }
                (Some(i), _) => {
                    if let Some(slot) = l.get_mut(i) {
                        self.merge_struct(slot, item, &elem_name, path)?;
                    }
                }
                (None, _) => l.push(item.clone()),
            }
        }
        Ok(())
    }

    /// The first key that is set on the item decides (`mergeDevice`: interface, else selector).
    fn find_keyed(&self, list: &[Node], item: &Node, keys: &[String], elem: &str) -> Option<usize> {
        for key in keys {
            let Some(value) = item.get(key) else { continue };
            let value = self.canonical(value, elem, key);
            if is_empty_value(&value) {
                continue;
            }
            return list.iter().position(|x| {
                x.get(key).map(|v| self.canonical(v, elem, key)) == Some(value.clone())
            });
        }
        None
    }

    /// A field value with zero parts dropped, to compare struct values as Go's `==` does.
    fn canonical(&self, value: &Node, elem: &str, key: &str) -> Node {
        let ty = self
            .get(elem)
            .and_then(|d| d.fields.iter().find(|f| f.key == key))
            .map(|f| f.ty.clone());
        match ty {
            Some(ty) => self.encode_value(value, &ty).unwrap_or(Node::Null),
            None => value.clone(),
        }
    }

    /// Delete `path` (keys, `[i]` for list items) in a decoded document, as Talos's delete
    /// selectors do; for a list, `key`/`value` pick the item (`deleteStructFrom`).
    ///
    /// # Errors
    /// A message when the path does not exist or cannot be searched.
    pub fn delete(
        &self,
        doc: &mut Node,
        type_name: &str,
        path: &[String],
        key: &str,
        value: &str,
    ) -> Result<(), String> {
        delete_in(
            self,
            doc,
            &Ty::Struct(type_name.to_string()),
            path,
            key,
            value,
        )
    }

    /// The document as `yaml.Marshal` of its Go struct writes it.
    pub fn encode(&self, doc: &Node, type_name: &str) -> Node {
        self.encode_value(doc, &Ty::Struct(type_name.to_string()))
            .unwrap_or(Node::Map(Vec::new()))
    }

    /// `None` = a nil pointer (written as `null` where it is not `omitempty`).
    fn encode_value(&self, node: &Node, ty: &Ty) -> Option<Node> {
        match ty {
            Ty::Ptr(inner) => {
                if *node == Node::Null {
                    None
                } else {
                    self.encode_value(node, inner)
                }
            }
            Ty::Struct(name) => {
                let Some(def) = self.get(name) else {
                    return Some(node.clone());
                };
                let mut out = Vec::new();
                for f in &def.fields {
                    let value = node.get(&f.key);
                    if f.omitempty && value.is_none_or(|v| is_zero(v, &f.ty, self)) {
                        continue;
                    }
                    let v = match value {
                        Some(v) => self.encode_value(v, &f.ty),
                        None => self.zero(&f.ty),
                    };
                    out.push((f.key.clone(), v.unwrap_or(Node::Null)));
                }
                Some(Node::Map(out))
            }
            Ty::List(inner) => match node {
                Node::Seq(items) => Some(Node::Seq(
                    items
                        .iter()
                        .map(|i| self.encode_value(i, inner).unwrap_or(Node::Null))
                        .collect(),
                )),
                _ => Some(Node::Seq(Vec::new())),
            },
            Ty::Map(inner) => match node {
                Node::Map(entries) => {
                    let mut out: Vec<(String, Node)> = entries
                        .iter()
                        .map(|(k, v)| {
                            (k.clone(), self.encode_value(v, inner).unwrap_or(Node::Null))
                        })
                        .collect();
                    yaml::sort_natural(&mut out);
                    Some(Node::Map(out))
                }
                _ => Some(Node::Map(Vec::new())),
            },
            Ty::Any | Ty::Args => Some(sort_any(node)),
            _ => Some(node.clone()),
        }
    }

    /// The zero value of a type, as written when a non-`omitempty` field is unset.
    fn zero(&self, ty: &Ty) -> Option<Node> {
        match ty {
            Ty::Str | Ty::B64 | Ty::Raw | Ty::Url => Some(Node::Str(String::new())),
            Ty::Int => Some(Node::Int(0)),
            Ty::Float => Some(Node::Float(0.0)),
            Ty::Bool => Some(Node::Bool(false)),
            Ty::Dur => Some(Node::Str("0s".into())),
            Ty::Ptr(_) => None,
            Ty::List(_) => Some(Node::Seq(Vec::new())),
            Ty::Map(_) | Ty::Any | Ty::Args => Some(Node::Map(Vec::new())),
            Ty::Struct(_) => self.encode_value(&Node::Map(Vec::new()), ty),
        }
    }
}

/// Embedded struct fields, recursively (`yaml:",inline"`).
fn expand(plain: &HashMap<String, StructDef>, name: &str, depth: usize) -> Vec<Field> {
    plain
        .get(name)
        .filter(|_| depth < 8)
        .map(|d| d.fields.clone())
        .unwrap_or_default()
}

/// Remove and return the entry `key` of a mapping.
fn take(map: &mut Node, key: &str) -> Option<Node> {
    let Node::Map(entries) = map else { return None };
    let pos = entries.iter().position(|(k, _)| k == key)?;
    Some(entries.remove(pos).1)
}

/// Put `key` back at its field position.
fn put(map: &mut Node, key: &str, value: Option<Node>, def: &StructDef) {
    let (Node::Map(entries), Some(value)) = (map, value) else {
        return;
    };
    let rank = |k: &str| {
        def.fields
            .iter()
            .position(|f| f.key == k)
            .unwrap_or(usize::MAX)
    };
    let my = rank(key);
    let at = entries
        .iter()
        .position(|(k, _)| rank(k) > my)
        .unwrap_or(entries.len());
    entries.insert(at, (key.to_string(), value));
}

/// go-yaml's `isZero` for a value of `ty`.
fn is_zero(node: &Node, ty: &Ty, schema: &Schema) -> bool {
    match (node, ty) {
        (Node::Null, _) => true,
        (_, Ty::Ptr(_)) => false,
        (Node::Str(s), _) => s.is_empty() || (*ty == Ty::Dur && go_duration_nanos(s) == Some(0)),
        (Node::Int(i), _) => *i == 0,
        (Node::Float(f), _) => *f == 0.0,
        (Node::Bool(b), _) => !*b,
        (Node::Seq(items), _) => items.is_empty(),
        (Node::Map(entries), Ty::Struct(name)) => match schema.get(name) {
            Some(def) => def.fields.iter().all(|f| {
                entries
                    .iter()
                    .find(|(k, _)| *k == f.key)
                    .is_none_or(|(_, v)| is_zero(v, &f.ty, schema))
            }),
            None => entries.is_empty(),
        },
        (Node::Map(entries), _) => entries.is_empty(),
    }
}

fn is_empty_value(n: &Node) -> bool {
    match n {
        Node::Null => true,
        Node::Str(s) => s.is_empty(),
        Node::Map(m) => m.is_empty(),
        Node::Seq(s) => s.is_empty(),
        _ => false,
    }
}

/// Free-form values: maps in natural key order, recursively (Go `map[string]any`).
fn sort_any(node: &Node) -> Node {
    match node {
        Node::Map(entries) => {
            let mut out: Vec<(String, Node)> = entries
                .iter()
                .map(|(k, v)| (k.clone(), sort_any(v)))
                .collect();
            yaml::sort_natural(&mut out);
            Node::Map(out)
        }
        Node::Seq(items) => Node::Seq(items.iter().map(sort_any).collect()),
        other => other.clone(),
    }
}

/// `merge` on `map[string]any` contents: same types required, maps merged, slices appended,
/// scalars replaced unless zero (booleans always).
fn merge_any(left: &mut Node, right: &Node, path: &str) -> Result<(), DecodeError> {
    match (&mut *left, right) {
        (Node::Map(l), Node::Map(r)) => {
            for (k, rv) in r {
                match l.iter_mut().find(|(lk, _)| lk == k) {
                    Some((_, lv)) if *lv != Node::Null => {
                        if std::mem::discriminant(lv) != std::mem::discriminant(rv) {
                            return Err(DecodeError::MergeMismatch(join(path, k)));
                        }
                        merge_any(lv, rv, &join(path, k))?;
                    }
                    Some((_, lv)) => *lv = rv.clone(),
                    None => l.push((k.clone(), rv.clone())),
                }
            }
            Ok(())
        }
        (Node::Seq(l), Node::Seq(r)) => {
            l.extend(r.iter().cloned());
            Ok(())
        }
        (l, r) => {
            let zero = match r {
                Node::Str(s) => s.is_empty(),
                Node::Int(i) => *i == 0,
                Node::Float(f) => *f == 0.0,
                Node::Null => true,
                _ => false,
            };
            if !zero {
                *l = r.clone();
            }
            Ok(())
        }
    }
}

fn delete_in(
    schema: &Schema,
    node: &mut Node,
    ty: &Ty,
    path: &[String],
    key: &str,
    value: &str,
) -> Result<(), String> {
    const LOOKUP_FAILED: &str = "lookup failed";
    let Some((first, rest)) = path.split_first() else {
        return Err("path is empty".into());
    };
    match ty {
        Ty::Ptr(inner) => {
            if *node == Node::Null {
                return Err(LOOKUP_FAILED.into());
            }
            delete_in(schema, node, inner, path, key, value)
        }
        Ty::Struct(name) => {
            let def = schema.get(name).ok_or_else(|| LOOKUP_FAILED.to_string())?;
            let field = def
                .fields
                .iter()
                .find(|f| f.key == *first)
                .ok_or_else(|| LOOKUP_FAILED.to_string())?;
            if rest.is_empty() {
                take(node, first);
                return Ok(());
            }
            let Node::Map(entries) = node else {
                return Err(LOOKUP_FAILED.into());
            };
            let Some((_, child)) = entries.iter_mut().find(|(k, _)| k == first) else {
                // A zero struct value can still be searched (and holds nothing).
                return match &field.ty {
                    Ty::Struct(_) | Ty::List(_) => Err(LOOKUP_FAILED.into()),
                    _ => Err(LOOKUP_FAILED.into()),
                };
            };
            delete_in(schema, child, &field.ty, rest, key, value)
        }
        Ty::Map(_) | Ty::Any | Ty::Args => {
            let child_ty = match ty {
                Ty::Map(inner) => inner.as_ref(),
                _ => &Ty::Any,
            };
            let Node::Map(entries) = node else {
                return Err(LOOKUP_FAILED.into());
            };
            let pos = entries
                .iter()
                .position(|(k, _)| k == first)
                .ok_or_else(|| LOOKUP_FAILED.to_string())?;
            if rest.is_empty() {
                entries.remove(pos);
                return Ok(());
            }
            match entries.get_mut(pos) {
                Some((_, child)) => delete_in(schema, child, child_ty, rest, key, value),
                None => Err(LOOKUP_FAILED.into()),
            }
        }
        Ty::List(elem) => {
            if !rest.is_empty() {
                return Err("searching for complex paths in slices is not supported".into());
            }
            if first.is_empty() {
                return Err("searching for '' in a slice is not supported".into());
            }
            if !first.starts_with('[') {
                return Err("searching for non-integer keys in slices is not supported".into());
            }
            let Node::Seq(items) = node else {
                return Err(LOOKUP_FAILED.into());
            };
            let is_struct = matches!(&**elem, Ty::Struct(_))
                || matches!(&**elem, Ty::Ptr(t) if matches!(**t, Ty::Struct(_)));
            if !is_struct {
                return Err(LOOKUP_FAILED.into());
            }
            let pos = items
                .iter()
                .position(|item| {
                    item.get(key).is_some_and(|v| match v {
                        Node::Str(s) => s == value,
                        Node::Int(i) => i.to_string() == value,
                        Node::Bool(b) => b.to_string() == value,
                        _ => false,
                    })
                })
                .ok_or_else(|| LOOKUP_FAILED.to_string())?;
            items.remove(pos);
            Ok(())
        }
        _ => Err(LOOKUP_FAILED.into()),
    }
}

/// The parts of a URL as Go's `url.URL` holds them (kept unescaped).
#[derive(Default)]
struct UrlParts {
    scheme: String,
    opaque: String,
    user: String,
    host: String,
    path: String,
    query: Option<String>,
    fragment: String,
}

impl UrlParts {
    /// A simplified `url.Parse`: `scheme:`, `//[user@]host`, path, `?query`, `#fragment`.
    fn parse(text: &str) -> UrlParts {
        let mut u = UrlParts::default();
        let mut rest = text;
        if let Some((before, frag)) = rest.split_once('#') {
            u.fragment = frag.to_string();
            rest = before;
        }
        if let Some((before, query)) = rest.split_once('?') {
            u.query = Some(query.to_string());
            rest = before;
        }
        if let Some((scheme, after)) = rest.split_once(':') {
            let valid = scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            if valid {
                u.scheme = scheme.to_string();
                rest = after;
                if !rest.starts_with('/') {
                    u.opaque = rest.to_string();
                    return u;
                }
            }
        }
        if let Some(after) = rest.strip_prefix("//") {
            let end = after.find('/').unwrap_or(after.len());
            let (authority, path) = after.split_at(end);
            match authority.rsplit_once('@') {
                Some((user, host)) => {
                    u.user = user.to_string();
                    u.host = host.to_string();
                }
                None => u.host = authority.to_string(),
            }
            rest = path;
        }
        u.path = rest.to_string();
        u
    }

    /// `url.URL.String()`.
    fn format(&self) -> String {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || !self.user.is_empty() {
                if !self.host.is_empty() || !self.path.is_empty() || !self.user.is_empty() {
                    out.push_str("//");
                }
                if !self.user.is_empty() {
                    out.push_str(&self.user);
                    out.push('@');
                }
                out.push_str(&self.host);
            }
            if !self.path.is_empty() && !self.path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            out.push_str(&self.path);
        }
        if let Some(q) = &self.query {
            out.push('?');
            out.push_str(q);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&self.fragment);
        }
        out
    }
}

/// Talos compat: a URL merges part by part (`merge.Merge` walks into `url.URL`), so a patch
/// `https://10.0.0.1` over `https://127.0.0.1:6643/` gives `https://10.0.0.1/`.
fn merge_url(left: &Node, right: &Node) -> Node {
    let (Node::Str(l), Node::Str(r)) = (left, right) else {
        return right.clone();
    };
    let mut l = UrlParts::parse(l);
    let r = UrlParts::parse(r);
    let pick = |a: &mut String, b: String| {
        if !b.is_empty() {
            *a = b;
        }
    };
    pick(&mut l.scheme, r.scheme);
    pick(&mut l.opaque, r.opaque);
    pick(&mut l.user, r.user);
    pick(&mut l.host, r.host);
    pick(&mut l.path, r.path);
    if let Some(q) = r.query.filter(|q| !q.is_empty()) {
        l.query = Some(q);
    }
    pick(&mut l.fragment, r.fragment);
    Node::Str(l.format())
}

/// Go `time.ParseDuration` then `Duration.String()`.
fn go_duration_normalize(s: &str) -> Option<String> {
    go_duration_nanos(s).map(goduration::format)
}

/// Go `time.ParseDuration` in nanoseconds (`int64` range, as Go).
fn go_duration_nanos(s: &str) -> Option<i128> {
    let nanos = goduration::parse_nanos(s, false)?;
    (i128::from(i64::MIN)..=i128::from(i64::MAX))
        .contains(&nanos)
        .then_some(nanos)
}

/// The unknown keys as Talos lists them, but with every value replaced: a misspelled key may hold
/// a secret (`kye: <private key>`), and an error line must not carry it. The keys are what the
/// user needs to find the mistake.
fn without_values(node: Node) -> Node {
    match node {
        Node::Map(entries) => Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, without_values(v)))
                .collect(),
        ),
        Node::Seq(items) => Node::Seq(items.into_iter().map(without_values).collect()),
        Node::Null => Node::Null,
        _ => Node::Str("(value hidden)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_parses_every_kind() {
        let s = schema();
        assert!(s.kinds.len() >= 90, "{}", s.kinds.len());
        for (kind, ty) in &s.kinds {
            assert!(s.get(ty).is_some(), "{kind}: {ty} missing");
        }
        let kubelet = s.get("k8s.KubeletConfigV1Alpha1").unwrap();
        let keys: Vec<&str> = kubelet.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "apiVersion",
                "kind",
                "image",
                "config",
                "extraArgs",
                "clusterDNS",
                "defaultRuntimeSeccompProfileEnabled"
            ]
        );
    }

    #[test]
    fn every_struct_reference_resolves() {
        let s = schema();
        fn check(s: &Schema, ty: &Ty, ctx: &str) {
            match ty {
                Ty::Ptr(t) | Ty::List(t) | Ty::Map(t) => check(s, t, ctx),
                Ty::Struct(n) => assert!(s.get(n).is_some(), "{ctx}: {n}"),
                _ => {}
            }
        }
        for (name, def) in &s.structs {
            for f in &def.fields {
                check(s, &f.ty, &format!("{name}.{}", f.key));
            }
        }
    }

    #[test]
    fn identify_documents_as_talos() {
        let s = schema();
        let v1 = yaml::parse("machine: {}\n").unwrap().remove(0);
        assert_eq!(s.identify(&v1).unwrap().1, "v1alpha1.Config");
        let k = yaml::parse("apiVersion: v1alpha1\nkind: KubeletConfig\n")
            .unwrap()
            .remove(0);
        assert_eq!(s.identify(&k).unwrap().1, "k8s.KubeletConfigV1Alpha1");
        let named = yaml::parse("apiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: x\n")
            .unwrap()
            .remove(0);
        assert_eq!(s.identify(&named).unwrap().0.name, "x");
        let bad = yaml::parse("apiVersion: v1alpha1\nkind: Nope\n")
            .unwrap()
            .remove(0);
        assert_eq!(
            s.identify(&bad).unwrap_err().to_string(),
            "\"Nope\" \"v1alpha1\": not registered"
        );
        // Talos compat: apiVersion v1alpha1 without a kind is the v1alpha1 document.
        let v1 = yaml::parse("apiVersion: v1alpha1\n").unwrap().remove(0);
        assert_eq!(s.identify(&v1).unwrap().1, "v1alpha1.Config");
        let no_kind = yaml::parse("apiVersion: v1beta1\n").unwrap().remove(0);
        assert_eq!(s.identify(&no_kind).unwrap_err(), DecodeError::MissingKind);
    }

    #[test]
    fn decode_orders_fields_and_refuses_unknown_keys() {
        let s = schema();
        let doc = yaml::parse(
            "machine:\n  kubelet:\n    extraMounts:\n      - source: /a\n        destination: /b\n",
        )
        .unwrap()
        .remove(0);
        let d = s.decode(&doc, "v1alpha1.Config").unwrap();
        assert_eq!(
            yaml::emit(&d),
            "machine:\n    kubelet:\n        extraMounts:\n            - destination: /b\n              \
             source: /a\n"
        );
        let bad = yaml::parse("machine:\n  kubelet:\n    nope: 1\n")
            .unwrap()
            .remove(0);
        assert_eq!(
            s.decode(&bad, "v1alpha1.Config").unwrap_err().to_string(),
            "unknown keys found during decoding:\nmachine:\n    kubelet:\n        nope: (value hidden)\n"
        );
        let wrong = yaml::parse("machine:\n  certSANs: 3\n").unwrap().remove(0);
        assert!(matches!(
            s.decode(&wrong, "v1alpha1.Config").unwrap_err(),
            DecodeError::Type { .. }
        ));
    }

    #[test]
    fn merge_follows_talos_rules() {
        let s = schema();
        let parse = |t: &str| {
            let n = yaml::parse(t).unwrap().remove(0);
            s.decode(&n, "v1alpha1.Config").unwrap()
        };
        let mut left = parse(
            "machine:\n  certSANs: [a]\n  nodeLabels: {a: '1'}\ncluster:\n  network:\n    \
             podSubnets: [p1]\n",
        );
        let right = parse(
            "machine:\n  certSANs: [b]\n  nodeLabels: {b: '2'}\ncluster:\n  network:\n    \
             podSubnets: [p2]\n",
        );
        s.merge(&mut left, &right, "v1alpha1.Config").unwrap();
        let out = yaml::emit(&s.encode(&left, "v1alpha1.Config"));
        assert!(
            out.contains("certSANs:\n        - a\n        - b\n"),
            "{out}"
        );
        assert!(
            out.contains("nodeLabels:\n        a: \"1\"\n        b: \"2\"\n"),
            "{out}"
        );
        assert!(out.contains("podSubnets:\n            - p2\n"), "{out}");
    }

    #[test]
    fn keyed_lists_merge_items() {
        let s = schema();
        let parse = |t: &str| {
            let n = yaml::parse(t).unwrap().remove(0);
            s.decode(&n, "v1alpha1.Config").unwrap()
        };
        let mut left = parse(
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 1\n",
        );
        let right = parse(
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n      \
             - interface: eth1\n",
        );
        s.merge(&mut left, &right, "v1alpha1.Config").unwrap();
        let out = yaml::emit(&s.encode(&left, "v1alpha1.Config"));
        assert!(
            out.contains("- interface: eth0\n              mtu: 1\n              dhcp: true\n"),
            "{out}"
        );
        assert!(out.contains("- interface: eth1\n"), "{out}");
    }

    #[test]
    fn urls_merge_part_by_part() {
        let m = |a: &str, b: &str| merge_url(&Node::str(a), &Node::str(b));
        assert_eq!(
            m("https://127.0.0.1:6643/", "https://10.0.0.1"),
            Node::str("https://10.0.0.1/")
        );
        assert_eq!(
            m("https://a:1/x?q=1", "https://b:2/y"),
            Node::str("https://b:2/y?q=1")
        );
        assert_eq!(
            UrlParts::parse("https://u@h:1/p?q#f").format(),
            "https://u@h:1/p?q#f"
        );
    }

    #[test]
    fn durations_like_go() {
        for (input, out) in [
            ("168h", "168h0m0s"),
            ("1h30m", "1h30m0s"),
            ("90s", "1m30s"),
            ("1.5s", "1.5s"),
            ("500ms", "500ms"),
            ("0", "0s"),
            ("-2m", "-2m0s"),
        ] {
            assert_eq!(
                go_duration_normalize(input).as_deref(),
                Some(out),
                "{input}"
            );
        }
        assert_eq!(go_duration_normalize("5 days"), None);
        assert_eq!(go_duration_normalize(""), None);
    }
}
