//! Context-name patterns of `config remove` (`cmd/talosctl/cmd/talos/config.go:250-320`, which
//! uses `ryanuber/go-glob` v1.0.0): `*` matches any run of characters, every other character
//! matches itself, and a pattern without `*` must equal the name.
//!
//! Talos compat, deliberately not copied: go-glob v1.0.0 stops checking once the name is used up,
//! so `a*b` matches `a` (and `a*bc` against `a` panics). A pattern here matches only names that
//! really fit it: `remove` deletes things, and a pattern must not match more than it says.

use super::{go_quote, Config};

/// Why `config remove` found nothing to remove (talosctl's messages, `config.go:255-275`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoveError {
    /// An empty pattern.
    #[error("no context specified")]
    NoPattern,
    /// The config has no contexts.
    #[error("no contexts defined")]
    NoContexts,
    /// No context fits the pattern.
    #[error("no contexts matched {}", go_quote(.0))]
    NoMatch(String),
}

impl Config {
    /// Context names that fit `pattern`, in byte order as talosctl processes them.
    ///
    /// # Errors
    /// [`RemoveError`] when the pattern is empty, there are no contexts or none fits.
    pub fn matching(&self, pattern: &str) -> Result<Vec<String>, RemoveError> {
        if pattern.is_empty() {
            return Err(RemoveError::NoPattern);
        }
        if self.contexts.is_empty() {
            return Err(RemoveError::NoContexts);
        }
        let found: Vec<String> = self
            .sorted_names()
            .into_iter()
            .filter(|n| matches(pattern, n))
            .map(str::to_string)
            .collect();
        if found.is_empty() {
            return Err(RemoveError::NoMatch(pattern.to_string()));
        }
        Ok(found)
    }
}

/// Whether `name` fits `pattern` (`*` is the only wildcard).
pub fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    // `split` always yields a first part; `None` cannot happen but is handled as "no match".
    let Some(first) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    let Some((last, middle)) = rest.split_last() else {
        return name == pattern;
    };
    let Some(mut tail) = name.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match tail.find(part) {
            Some(at) => tail = tail.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    tail.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn matching_is_sorted_and_reports_talosctls_errors() {
        let mut c = super::Config::empty();
        assert_eq!(
            c.matching("*").unwrap_err().to_string(),
            "no contexts defined"
        );
        for n in ["prod-2", "prod-10", "dev", "prod"] {
            c.upsert(n, crate::talosconfig::Context::default());
        }
        assert_eq!(c.matching("prod*").unwrap(), ["prod", "prod-10", "prod-2"]);
        assert_eq!(
            c.matching("").unwrap_err().to_string(),
            "no context specified"
        );
        assert_eq!(
            c.matching("x*").unwrap_err().to_string(),
            r#"no contexts matched "x*""#
        );
    }

    #[test]
    fn glob_table() {
        let cases = [
            ("*", "anything", true),
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            ("prod", "prod", true),
            ("prod", "prod-1", false),
            ("prod*", "prod", true),
            ("prod*", "prod-10", true),
            ("prod*", "staging", false),
            ("*-1", "prod-1", true),
            ("*-1", "prod-10", false),
            ("p*d", "prod", true),
            ("p*d", "pd", true),
            ("p*o*d", "prod", true),
            ("a*b", "a", false),
            ("a*bc", "a", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*@*", "reader@prod", true),
            ("*@*", "prod", false),
            ("**", "x", true),
            ("a**b", "ab", true),
            ("ab*ab", "ab", false),
            ("ab*ab", "abab", true),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(
                matches(pattern, name),
                want,
                "pattern {pattern:?} on {name:?}"
            );
        }
    }
}
