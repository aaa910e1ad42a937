//! The ordered YAML tree every writer builds and the emitter renders.

/// A YAML value. Mappings keep their entries in the order given: struct-like mappings list fields in
/// declaration order; map-like ones are sorted in go-yaml natural key order, as go-yaml sorts Go maps.
#[derive(Clone, Debug)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number, written as Go's `strconv.FormatFloat(f, 'g', -1, 64)`
    /// (`.inf`, `-.inf`, `.nan` for the special values).
    Float(f64),
    /// A string; the emitter picks plain, quoted or literal-block style.
    Str(String),
    /// A sequence (`[]` when empty).
    Seq(Vec<Node>),
    /// A mapping with string keys (`{}` when empty).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A string node.
    pub fn str(s: impl Into<String>) -> Self {
        Node::Str(s.into())
    }

    /// A struct-like mapping: entries in the given order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Node)>) -> Self {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A sequence of strings.
    pub fn str_seq<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Node::Seq(items.into_iter().map(|s| Node::Str(s.into())).collect())
    }

    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Structural equality; floats compare by bit pattern, so a tree always equals itself (even with
/// a NaN inside) and `Eq` holds.
impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Node::Null, Node::Null) => true,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Int(a), Node::Int(b)) => a == b,
            (Node::Float(a), Node::Float(b)) => a.to_bits() == b.to_bits(),
            (Node::Str(a), Node::Str(b)) => a == b,
            (Node::Seq(a), Node::Seq(b)) => a == b,
            (Node::Map(a), Node::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Node {}

/// Overwrites every string in the tree (keys too), for trees that held secrets.
impl zeroize::Zeroize for Node {
    fn zeroize(&mut self) {
        match self {
            Node::Str(s) => s.zeroize(),
            Node::Seq(items) => items.iter_mut().for_each(Node::zeroize),
            Node::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.zeroize();
                v.zeroize();
            }),
            Node::Null | Node::Bool(_) | Node::Int(_) | Node::Float(_) => {}
        }
    }
}
