//! go-yaml's natural key order for Go maps (`spec/talosconfig.md` §2; go-yaml v4.0.0-rc.6
//! `internal/libyaml/representer.go:415-487`, `keyList.Less`).
//!
//! go-yaml first compares keys that are Go numbers or booleans numerically (`keyFloat`); Talos
//! maps have string keys, for which that rule never applies, so only the string comparison
//! is implemented: rune by rune, letters by code point, letters against non-letters by whether
//! the last equal rune was a digit, runs of digits as numbers.

use std::cmp::Ordering;

use super::unicode::{DIGIT, LETTER};
use super::Node;

/// go-yaml natural key order: `prod-2 < prod-10`, `a-1 < a1`, `a1 < a01`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        Ordering::Equal
    } else if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        // Unreachable for distinct strings (every branch of `natural_less` decides); byte
        // order keeps the result total anyway.
        a.cmp(b)
    }
}

/// Sort mapping entries in go-yaml natural key order (a stable merge sort that cannot panic,
/// whatever the keys).
pub fn sort_natural(entries: &mut [(String, Node)]) {
    merge_sort(entries, &mut |x, y| natural_less(&x.0, &y.0));
}

/// `keyList.Less` for two string keys.
fn natural_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    for (i, (&ac, &bc)) in ar.iter().zip(br.iter()).enumerate() {
        if ac == bc {
            digits = is_digit(ac);
            continue;
        }
        let al = is_letter(ac);
        let bl = is_letter(bc);
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        // Talos compat: Go computes these with wrapping int64 arithmetic and `rune - '0'`, so
        // non-ASCII digits count as large values; the same here, without overflow panics.
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            // A zero after a non-zero digit in the common prefix is a significant digit.
            let nonzero_before = ar
                .get(..i)
                .unwrap_or_default()
                .iter()
                .rev()
                .take_while(|c| is_digit(**c))
                .any(|&c| c != '0');
            if nonzero_before {
                an = 1;
                bn = 1;
            }
        }
        let run = |r: &[char], mut n: i64| {
            let mut end = i;
            while let Some(&c) = r.get(end).filter(|c| is_digit(**c)) {
                n = n
                    .wrapping_mul(10)
                    .wrapping_add(i64::from(u32::from(c)) - i64::from(b'0'));
                end += 1;
            }
            (n, end)
        };
        let (an, ai) = run(&ar, an);
        let (bn, bi) = run(&br, bn);
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// Go `unicode.IsLetter`.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(&LETTER, c)
}

/// Go `unicode.IsDigit`.
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(&DIGIT, c)
}

/// Whether `c` lies in one of the inclusive `[first, last]` pairs of a sorted flat table.
fn in_table(table: &[u32], c: char) -> bool {
    let c = u32::from(c);
    let pairs = table.len() / 2;
    let (mut lo, mut hi) = (0usize, pairs);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (Some(&first), Some(&last)) = (table.get(2 * mid), table.get(2 * mid + 1)) else {
            return false;
        };
        if c < first {
            hi = mid;
        } else if c > last {
            lo = mid + 1;
        } else {
            return true;
        }
    }
    false
}

/// Stable top-down merge sort: never panics, whatever `less` answers.
fn merge_sort<T: Clone>(v: &mut [T], less: &mut impl FnMut(&T, &T) -> bool) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let mid = n / 2;
    {
        let (left, right) = v.split_at_mut(mid);
        merge_sort(left, less);
        merge_sort(right, less);
    }
    let (left, right) = v.split_at(mid);
    let mut merged = Vec::with_capacity(n);
    let (mut l, mut r) = (left.iter().peekable(), right.iter().peekable());
    loop {
        let take_right = match (l.peek(), r.peek()) {
            (Some(x), Some(y)) => less(y, x),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_right { r.next() } else { l.next() };
        if let Some(item) = next {
            merged.push(item.clone());
        }
    }
    v.clone_from_slice(&merged);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut entries: Vec<(String, Node)> =
            keys.iter().map(|k| (k.to_string(), Node::Null)).collect();
        sort_natural(&mut entries);
        entries.into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn natural_order_cases() {
        for (a, b) in [
            ("prod-2", "prod-10"),
            ("a-1", "a1"),
            ("a1", "a01"),
            ("a1", "a2"),
            ("a9", "a10"),
            ("a", "a1"),
            ("a", "b"),
            ("B", "a"),
            ("1", "2"),
            ("2", "10"),
            ("a-b", "ab"),
            ("a1b", "a1-"),
            ("a10", "a010"),
            ("x0", "x00"),
            ("x10", "x100"),
            ("foo", "foo-1"),
            ("foo-1", "foo-2"),
            ("node.kubernetes.io/a", "node.kubernetes.io/b"),
            ("1234", "true"),
        ] {
            assert_eq!(natural_cmp(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(natural_cmp(b, a), Ordering::Greater, "{b} > {a}");
        }
        assert_eq!(natural_cmp("same", "same"), Ordering::Equal);
    }

    #[test]
    fn zero_after_nonzero_digit_is_significant() {
        // The zero in "a100" follows the "1" of the common prefix, so "00" reads as 100.
        assert!(natural_less("a19", "a100"));
        assert!(!natural_less("a100", "a19"));
        // After a digit, a letter sorts before a non-letter.
        assert!(natural_less("a1a", "a10"));
        assert!(natural_less("1.0", "1.1"));
        assert!(natural_less("v1.9", "v1.10"));
    }

    #[test]
    fn unicode_letters_and_digits() {
        assert!(is_letter('é') && is_letter('Ж') && is_letter('中'));
        assert!(!is_letter('-') && !is_letter('١'));
        assert!(is_digit('١') && is_digit('9') && !is_digit('a') && !is_digit('½'));
    }

    #[test]
    fn sorts_contexts_like_talosctl() {
        assert_eq!(
            sorted(&["prod-10", "prod", "prod-2", "prod-1", "dev"]),
            ["dev", "prod", "prod-1", "prod-2", "prod-10"]
        );
    }
}
