//! The go-yaml-exact emitter and the reader: A3 round trip on Talos's own files, the
//! "any string reads back" property, natural key order (`spec/README.md` A3, C8).

mod common;

use std::cmp::Ordering;
use std::path::PathBuf;

use proptest::prelude::*;
use serde_yaml::Value;
use talmint::yaml::{self, Node};

/// Every Talos-written, 4-space file in the fixtures: the 52 stability goldens, a secrets
/// bundle and the `config info` talosconfigs.
fn four_space_goldens() -> Option<Vec<PathBuf>> {
    let dir = common::talos_dir()?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.join("stability")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for f in std::fs::read_dir(&path).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "yaml") {
                    files.push(f);
                }
            }
        }
    }
    files.push(dir.join("secrets/secrets.yaml"));
    for entry in std::fs::read_dir(dir.join("talosconfig/config-info")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".talosconfig.yaml") {
            files.push(path);
        }
    }
    files.sort();
    Some(files)
}

#[test]
fn a3_goldens_round_trip_byte_identical() {
    let Some(files) = four_space_goldens() else {
        return;
    };
    assert_eq!(files.len(), 52 + 1 + 3, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let docs = yaml::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let out = yaml::emit_documents(&docs);
        if out != text {
            let at = text
                .lines()
                .zip(out.lines())
                .position(|(a, b)| a != b)
                .map_or("length".to_string(), |i| format!("line {}", i + 1));
            panic!(
                "{} does not round trip (first difference at {at})",
                file.display()
            );
        }
    }
}

#[test]
fn a3_round_trip_preserves_document_count() {
    let Some(dir) = common::talos_dir() else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("stability/v1.15/base-controlplane.yaml")).unwrap();
    let docs = yaml::parse(&text).unwrap();
    assert_eq!(docs.len(), text.matches("\n---\n").count() + 1);
    assert_eq!(docs[0].get("version"), Some(&Node::str("v1alpha1")));
}

#[test]
fn c8_contexts_sort_in_natural_order() {
    let mut entries: Vec<(String, Node)> = ["prod-10", "prod-2", "prod", "a1", "a-1", "1234"]
        .iter()
        .map(|k| (k.to_string(), Node::Map(vec![])))
        .collect();
    yaml::sort_natural(&mut entries);
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["1234", "a-1", "a1", "prod", "prod-2", "prod-10"]);
    assert_eq!(
        yaml::emit(&Node::Map(entries)),
        "\"1234\": {}\na-1: {}\na1: {}\nprod: {}\nprod-2: {}\nprod-10: {}\n"
    );
}

#[test]
fn natural_order_examples() {
    for (a, b) in [
        ("prod-2", "prod-10"),
        ("a-1", "a1"),
        ("a1", "a01"),
        ("v1.9", "v1.10"),
        ("a19", "a100"),
        ("foo", "foo-1"),
    ] {
        assert_eq!(yaml::natural_cmp(a, b), Ordering::Less, "{a} < {b}");
    }
}

/// Strings built from the characters and words that matter to YAML.
fn yamlish_string() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("-".to_string()),
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just(" #".to_string()),
        Just("#".to_string()),
        Just("---".to_string()),
        Just("...".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\r\n".to_string()),
        Just("\u{85}".to_string()),
        Just("\u{2028}".to_string()),
        Just("\u{2029}".to_string()),
        Just("\u{feff}".to_string()),
        Just("\u{a0}".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{1F600}".to_string()),
        Just("é".to_string()),
        Just("yes".to_string()),
        Just("no".to_string()),
        Just("null".to_string()),
        Just("~".to_string()),
        Just("true".to_string()),
        Just("0x1F".to_string()),
        Just("0o17".to_string()),
        Just("1e3".to_string()),
        Just("1_000".to_string()),
        Just(".5".to_string()),
        Just("-.inf".to_string()),
        Just("2001-12-14".to_string()),
        Just("1:20".to_string()),
        Just("<<".to_string()),
        "[-?:,\\[\\]{}#&*!|>'\"%@`=<.~+]".prop_map(|s| s),
        "[a-z0-9]{1,3}".prop_map(|s| s),
    ];
    prop::collection::vec(atoms, 0..8).prop_map(|parts| parts.concat())
}

fn any_string() -> impl Strategy<Value = String> {
    prop_oneof![yamlish_string(), any::<String>()]
}

/// A document that puts `s` in every position the emitter treats differently.
fn doc_with(key: &str, value: &str) -> Node {
    let v = || Node::str(value);
    Node::map([
        (key.to_string(), v()),
        (
            "list".to_string(),
            Node::Seq(vec![v(), Node::Seq(vec![v()])]),
        ),
        (
            "items".to_string(),
            Node::Seq(vec![Node::map([
                (key.to_string(), v()),
                ("x".to_string(), v()),
            ])]),
        ),
        (
            "nested".to_string(),
            Node::map([("deeper".to_string(), Node::map([(key.to_string(), v())]))]),
        ),
    ])
}

fn expected_value(key: &str, value: &str) -> Value {
    let v = || Value::String(value.to_string());
    let map = |entries: Vec<(&str, Value)>| {
        let mut m = serde_yaml::Mapping::new();
        for (k, val) in entries {
            m.insert(Value::String(k.to_string()), val);
        }
        Value::Mapping(m)
    };
    let mut top = serde_yaml::Mapping::new();
    top.insert(Value::String(key.to_string()), v());
    top.insert(
        "list".into(),
        Value::Sequence(vec![v(), Value::Sequence(vec![v()])]),
    );
    let mut item = serde_yaml::Mapping::new();
    item.insert(Value::String(key.to_string()), v());
    item.insert("x".into(), v());
    top.insert("items".into(), Value::Sequence(vec![Value::Mapping(item)]));
    top.insert(
        "nested".into(),
        map(vec![("deeper", map(vec![(key, v())]))]),
    );
    Value::Mapping(top)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Security property: no string, as a value or as a key, can change a document's structure;
    /// an independent parser reads every string back unchanged.
    #[test]
    fn any_string_reads_back_unchanged(value in any_string(), key in any_string()) {
        // Keys must be unique among the fixed ones to compare mappings.
        prop_assume!(!["list", "items", "nested", "x", "deeper"].contains(&key.as_str()));
        let text = yaml::emit(&doc_with(&key, &value));
        let parsed: Value = serde_yaml::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(parsed, expected_value(&key, &value), "emitted:\n{}", text);
    }

    /// A lone string at the document root reads back too.
    #[test]
    fn any_root_string_reads_back_unchanged(value in any_string()) {
        let text = yaml::emit(&Node::str(value.clone()));
        let parsed: Value = serde_yaml::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(parsed, Value::String(value), "emitted:\n{}", text);
    }

    /// Our reader and emitter agree: emit(parse(emit(doc))) == emit(doc).
    #[test]
    fn emit_parse_emit_is_stable(value in any_string(), key in any_string()) {
        prop_assume!(!["list", "items", "nested", "x", "deeper"].contains(&key.as_str()));
        let text = yaml::emit(&doc_with(&key, &value));
        let docs = yaml::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(yaml::emit_documents(&docs), text);
    }
}
