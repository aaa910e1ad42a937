//! Merging one talosconfig into another (`spec/talosconfig.md` §5, talos
//! `pkg/machinery/client/config/config.go:201-251`, `cmd/talosctl/cmd/talos/config.go:404-433`).
//!
//! talosctl renames a colliding context `name` to the first free `name-1`, `name-2`, … and makes
//! the merged-in file's current context (renamed) current when that file has one. It walks the
//! source's contexts in Go map order, which is random; talmint walks them in go-yaml natural order
//! ([`crate::yaml::natural_cmp`]), which gives talosctl's result whenever the source holds no
//! colliding family (`a` and `a-1` both colliding) and a stable one when it does. Contexts are
//! copied as they are: certificates are not re-encoded.
//!
//! Beyond talosctl, [`OnConflict`] chooses what happens to a colliding name: rename (talosctl's
//! only behaviour, the default), overwrite the existing context, skip the incoming one, or fail
//! before changing anything.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use super::{go_quote, Config};

/// What to do when an incoming context's name is already taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// Fail before changing anything.
    Fail,
    /// Replace the existing context with the incoming one (e.g. a renewed credential).
    Overwrite,
    /// Add the incoming context as `name-1` (or the next free suffix), as talosctl does.
    #[default]
    Rename,
    /// Keep the existing context and drop the incoming one.
    Skip,
}

/// What a merge did, for the notices a CLI prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// `(from, to)` for every renamed context, in merge order.
    pub renamed: Vec<(String, String)>,
    /// Existing contexts replaced by incoming ones.
    pub overwritten: Vec<String>,
    /// Incoming contexts dropped because the name was taken.
    pub skipped: Vec<String>,
}

/// Why a merge was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergeError {
    /// `--on-conflict fail` and these incoming names are taken.
    #[error(
        "{} already defined in the target talosconfig: use --on-conflict rename, overwrite or skip",
        quote_list(.0)
    )]
    Conflict(Vec<String>),
    /// An unknown `--on-conflict` value.
    #[error("invalid conflict policy {}: use rename, overwrite, skip or fail", go_quote(.0))]
    UnknownPolicy(String),
}

impl Config {
    /// Merge `other`'s contexts into this config (`Config.Merge`, `config.go:215-251`, plus the
    /// `on_conflict` choice). The current context becomes `other`'s current context, under the
    /// name it got here, whenever `other` has a non-empty one; it becomes `""` when that name is
    /// not among `other`'s contexts (talosctl's behaviour) and stays unchanged when the incoming
    /// current context was skipped.
    ///
    /// # Errors
    /// [`MergeError::Conflict`] with [`OnConflict::Fail`] when a name is taken; nothing changes.
    pub fn merge(
        &mut self,
        other: Config,
        on_conflict: OnConflict,
    ) -> Result<MergeReport, MergeError> {
        let mut incoming = other.contexts;
        incoming.sort_by(|a, b| crate::yaml::natural_cmp(&a.0, &b.0));
        let mut taken: HashSet<String> = self.contexts.iter().map(|(n, _)| n.clone()).collect();
        if on_conflict == OnConflict::Fail {
            let clashes: Vec<String> = incoming
                .iter()
                .filter(|(n, _)| taken.contains(n))
                .map(|(n, _)| n.clone())
                .collect();
            if !clashes.is_empty() {
                return Err(MergeError::Conflict(clashes));
            }
        }
        let mut report = MergeReport::default();
        let mut mapped: Vec<(String, String)> = Vec::with_capacity(incoming.len());
        for (name, ctx) in incoming {
            if !taken.contains(&name) {
                taken.insert(name.clone());
                self.contexts.push((name.clone(), ctx));
                mapped.push((name.clone(), name));
                continue;
            }
            match on_conflict {
                OnConflict::Rename | OnConflict::Fail => {
                    let new = free_name(&name, &taken);
                    taken.insert(new.clone());
                    self.contexts.push((new.clone(), ctx));
                    report.renamed.push((name.clone(), new.clone()));
                    mapped.push((name, new));
                }
                OnConflict::Overwrite => {
                    self.upsert(&name, ctx);
                    report.overwritten.push(name.clone());
                    mapped.push((name.clone(), name));
                }
                OnConflict::Skip => report.skipped.push(name),
            }
        }
        if !other.context.is_empty() {
            let skipped = report.skipped.contains(&other.context);
            if !skipped {
                // Talos compat: a current context that names no context of the source maps to
                // "" (Go's zero value of `mappedContexts[cfg.Context]`).
                self.context = mapped
                    .into_iter()
                    .find(|(from, _)| *from == other.context)
                    .map(|(_, to)| to)
                    .unwrap_or_default();
            }
        }
        Ok(report)
    }
}

/// `name-1`, `name-2`, … : the first not taken (`config.go:228-235`).
fn free_name(name: &str, taken: &HashSet<String>) -> String {
    let mut i: u64 = 1;
    loop {
        let candidate = format!("{name}-{i}");
        if !taken.contains(&candidate) {
            return candidate;
        }
        i += 1;
    }
}

fn quote_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| go_quote(n)).collect();
    match quoted.len() {
        1 => format!("context {}", quoted.join("")),
        _ => format!("contexts {}", quoted.join(", ")),
    }
}

/// The stderr notice talosctl prints for a rename: `renamed talosconfig context "a" -> "a-1"`.
pub fn rename_notice(from: &str, to: &str) -> String {
    format!(
        "renamed talosconfig context {} -> {}",
        go_quote(from),
        go_quote(to)
    )
}

impl FromStr for OnConflict {
    type Err = MergeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fail" => Ok(OnConflict::Fail),
            "overwrite" => Ok(OnConflict::Overwrite),
            "rename" => Ok(OnConflict::Rename),
            "skip" => Ok(OnConflict::Skip),
            other => Err(MergeError::UnknownPolicy(other.to_string())),
        }
    }
}

impl fmt::Display for OnConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OnConflict::Fail => "fail",
            OnConflict::Overwrite => "overwrite",
            OnConflict::Rename => "rename",
            OnConflict::Skip => "skip",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::talosconfig::Context;

    fn cfg(current: &str, names: &[&str]) -> Config {
        Config {
            context: current.into(),
            contexts: names
                .iter()
                .map(|n| {
                    let ctx = Context {
                        endpoints: vec![format!("{n}.example")],
                        ..Context::default()
                    };
                    (n.to_string(), ctx)
                })
                .collect(),
        }
    }

    fn names(c: &Config) -> Vec<&str> {
        c.sorted_names()
    }

    #[test]
    fn c6_into_empty() {
        let mut c = Config::empty();
        let r = c.merge(cfg("foo", &["foo"]), OnConflict::Rename).unwrap();
        assert_eq!(names(&c), ["foo"]);
        assert_eq!(c.context, "foo");
        assert!(r.renamed.is_empty());
    }

    #[test]
    fn c6_no_conflict_keeps_target_current_when_source_has_none() {
        let mut c = cfg("bar", &["bar"]);
        c.merge(cfg("", &["foo"]), OnConflict::Rename).unwrap();
        assert_eq!(names(&c), ["bar", "foo"]);
        assert_eq!(c.context, "bar");
    }

    #[test]
    fn c6_with_rename_switches_to_renamed_current() {
        let mut c = cfg("bar", &["bar"]);
        let r = c.merge(cfg("bar", &["bar"]), OnConflict::Rename).unwrap();
        assert_eq!(names(&c), ["bar", "bar-1"]);
        assert_eq!(c.context, "bar-1");
        assert_eq!(r.renamed, [("bar".to_string(), "bar-1".to_string())]);
        assert_eq!(
            rename_notice("bar", "bar-1"),
            r#"renamed talosconfig context "bar" -> "bar-1""#
        );
        // The renamed context is the incoming one, unchanged.
        assert_eq!(c.get("bar-1").unwrap().endpoints, ["bar.example"]);
    }

    #[test]
    fn c6_suffix_skips_taken_names() {
        let mut c = cfg("prod", &["prod", "prod-1"]);
        let r = c.merge(cfg("prod", &["prod"]), OnConflict::Rename).unwrap();
        assert_eq!(r.renamed, [("prod".to_string(), "prod-2".to_string())]);
        assert_eq!(c.context, "prod-2");
        // A colliding `prod-1` gets its own suffix.
        let r = c.merge(cfg("", &["prod-1"]), OnConflict::Rename).unwrap();
        assert_eq!(r.renamed, [("prod-1".to_string(), "prod-1-1".to_string())]);
    }

    #[test]
    fn c6_source_current_outside_its_contexts_clears_current() {
        let mut c = cfg("a", &["a"]);
        c.merge(cfg("ghost", &["b"]), OnConflict::Rename).unwrap();
        assert_eq!(c.context, "");
    }

    #[test]
    fn colliding_family_is_merged_in_natural_order() {
        // talosctl's result depends on Go map order here; talmint's is fixed.
        let mut c = cfg("", &["a"]);
        let r = c.merge(cfg("", &["a-1", "a"]), OnConflict::Rename).unwrap();
        assert_eq!(
            r.renamed,
            [
                ("a".to_string(), "a-1".to_string()),
                ("a-1".to_string(), "a-1-1".to_string())
            ]
        );
    }

    #[test]
    fn overwrite_replaces_in_place() {
        let mut c = cfg("x", &["x", "foo"]);
        let mut incoming = cfg("foo", &["foo"]);
        incoming.contexts[0].1.endpoints = vec!["renewed".into()];
        let r = c.merge(incoming, OnConflict::Overwrite).unwrap();
        assert_eq!(r.overwritten, ["foo"]);
        assert_eq!(names(&c), ["foo", "x"]);
        assert_eq!(c.get("foo").unwrap().endpoints, ["renewed"]);
        assert_eq!(c.context, "foo");
    }

    #[test]
    fn skip_keeps_existing_and_current() {
        let mut c = cfg("x", &["x", "foo"]);
        let r = c
            .merge(cfg("foo", &["foo", "new"]), OnConflict::Skip)
            .unwrap();
        assert_eq!(r.skipped, ["foo"]);
        assert_eq!(names(&c), ["foo", "new", "x"]);
        assert_eq!(c.get("foo").unwrap().endpoints, ["foo.example"]);
        assert_eq!(c.context, "x");
    }

    #[test]
    fn fail_changes_nothing() {
        let mut c = cfg("x", &["x", "foo"]);
        let err = c
            .merge(cfg("foo", &["foo", "new", "x"]), OnConflict::Fail)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "contexts \"foo\", \"x\" already defined in the target talosconfig: \
             use --on-conflict rename, overwrite or skip"
        );
        assert_eq!(names(&c), ["foo", "x"]);
        assert_eq!(c.context, "x");
    }

    proptest::proptest! {
        /// Property: with rename, every target context survives unchanged, every incoming context
        /// is present under its own or a suffixed name, and the renames say which.
        #[test]
        fn merge_with_rename_never_loses_a_context(
            target in proptest::collection::btree_set("[ab](-[0-9]{1,2})?", 0..6),
            incoming in proptest::collection::btree_set("[ab](-[0-9]{1,2})?", 0..6),
        ) {
            let t: Vec<&str> = target.iter().map(String::as_str).collect();
            let i: Vec<&str> = incoming.iter().map(String::as_str).collect();
            let before = cfg("", &t);
            let mut merged = before.clone();
            let report = merged.merge(cfg("", &i), OnConflict::Rename).unwrap();
            proptest::prop_assert_eq!(merged.contexts.len(), t.len() + i.len());
            for name in &t {
                proptest::prop_assert_eq!(
                    &merged.get(name).unwrap().endpoints,
                    &before.get(name).unwrap().endpoints
                );
            }
            for name in &i {
                let to = report
                    .renamed
                    .iter()
                    .find(|(from, _)| from == name)
                    .map_or(name.to_string(), |(_, to)| to.clone());
                proptest::prop_assert_eq!(
                    &merged.get(&to).unwrap().endpoints,
                    &vec![format!("{name}.example")]
                );
            }
        }
    }

    #[test]
    fn policy_parses_and_rejects_unknown() {
        assert_eq!(
            "overwrite".parse::<OnConflict>().unwrap(),
            OnConflict::Overwrite
        );
        assert_eq!(OnConflict::default().to_string(), "rename");
        assert_eq!(
            "replace".parse::<OnConflict>().unwrap_err().to_string(),
            "invalid conflict policy \"replace\": use rename, overwrite, skip or fail"
        );
    }
}
