//! Shared pieces of the reporting commands (`inspect`, `verify`, `check-expiration`): a
//! [`Node`] tree rendered as JSON in the order it was built, and times in words.
//!
//! Reports are built once as a [`Node`]; `-o yaml` renders it with [`crate::yaml::emit`] and
//! `-o json` with [`to_json`], so both formats carry the same keys in the same order.
//! [`relative_time`] is go-humanize `RelTime` as `talosctl config info` uses it
//! ([`crate::talosconfig::info::rel_time`]) below a year, and whole 365-day years from there on,
//! rounded down as [`short_duration`], kubeadm's residual time
//! (`k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration`), so that `inspect` and
//! `check-expiration` give the same number of years.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use crate::yaml::Node;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// JSON encoding failed (an internal error).
    #[error("encoding the report as JSON failed: {0}")]
    Json(String),
}

/// A [`Node`] seen through serde: mappings keep their order.
struct Json<'a>(&'a Node);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Int(i) => s.serialize_i64(*i),
            // JSON has no infinities or NaN: serde_json writes them as null.
            Node::Float(f) => s.serialize_f64(*f),
            Node::Str(v) => s.serialize_str(v),
            Node::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Json(item))?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &Json(v))?;
                }
                map.end()
            }
        }
    }
}

/// `node` as pretty JSON (2-space indent), keys in tree order, ending with a newline.
///
/// # Errors
/// [`ReportError::Json`] (not expected: every [`Node`] is representable).
pub fn to_json(node: &Node) -> Result<String, ReportError> {
    let mut text =
        serde_json::to_string_pretty(&Json(node)).map_err(|e| ReportError::Json(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// RFC 3339 in UTC with whole seconds (`2031-07-03T11:18:33Z`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&fmt).unwrap_or_else(|_| t.to_string())
}

/// A serial number for people: lowercase hex of the magnitude, without the DER sign byte
/// (`00`) a serial with its top bit set carries, as `openssl x509 -serial` prints it; a
/// negative serial (which Go refuses) as `-` and its magnitude, as openssl prints it too.
pub fn serial_number(der_hex: &str) -> String {
    let bytes: Option<Vec<u8>> = (0..der_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(der_hex.get(i..i + 2)?, 16).ok())
        .collect();
    if let Some(mut bytes) = bytes.filter(|b| b.first().is_some_and(|b| b & 0x80 != 0)) {
        // Two's complement: the magnitude is the bits inverted, plus one.
        let mut carry = true;
        for b in bytes.iter_mut().rev() {
            let (sum, overflow) = (!*b).overflowing_add(u8::from(carry));
            *b = sum;
            carry = overflow;
        }
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        return format!("-{}", magnitude(&hex));
    }
    magnitude(der_hex)
}

/// Hex digits without leading zero bytes, in whole bytes (`00` for zero).
fn magnitude(der_hex: &str) -> String {
    let trimmed = der_hex.trim_start_matches("00");
    if trimmed.is_empty() {
        "00".to_string()
    } else if trimmed.len() % 2 == 1 {
        format!("0{trimmed}")
    } else {
        trimmed.to_string()
    }
}

/// Whole seconds from `now` until `then` (negative when `then` is past).
pub fn seconds_between(now: OffsetDateTime, then: OffsetDateTime) -> i64 {
    (then - now).whole_seconds()
}

/// `then` relative to `now` in words, every unit rounded down: `9 years from now`, `3 days ago`,
/// `now`. Below 360 days as go-humanize `RelTime(then, now, "ago", "from now")`, the function
/// `config info` uses; from there on in 30-day months up to 365 days, then in whole 365-day years
/// as [`short_duration`] counts them (`9 years` where it says `9y`). go-humanize itself rounds
/// years: 360-day years, and `2 years` from 540 days on, so `config info`, which keeps talosctl's
/// words, reads `10 years` where 9.99 are left.
pub fn relative_time(then: OffsetDateTime, now: OffsetDateTime) -> String {
    const YEAR: i64 = 365 * DAY;
    let secs = (then - now).whole_seconds().saturating_abs();
    let label = if then > now { "from now" } else { "ago" };
    if secs < 360 * DAY {
        crate::talosconfig::info::rel_time(then, now, "ago", "from now")
    } else if secs < YEAR {
        format!("{} months {label}", secs / (30 * DAY))
    } else if secs < 2 * YEAR {
        format!("1 year {label}")
    } else {
        format!("{} years {label}", secs / YEAR)
    }
}

/// kubeadm's RESIDUAL TIME for `secs` seconds left: `45s`, `12m`, `5h`, `364d`, `9y`;
/// `expired` once the time is past.
pub fn short_duration(secs: i64) -> String {
    if secs < 0 {
        "expired".to_string()
    } else if secs < MINUTE {
        format!("{secs}s")
    } else if secs < HOUR {
        format!("{}m", secs / MINUTE)
    } else if secs < DAY {
        format!("{}h", secs / HOUR)
    } else if secs < 365 * DAY {
        format!("{}d", secs / DAY)
    } else {
        format!("{}y", secs / (365 * DAY))
    }
}

/// A duration the user gave (a threshold), exactly, in the units they write: `1d12h`, `7d`, `90s`,
/// `1h30m`, `0s`.
pub fn exact_duration(secs: i64) -> String {
    let mut out = String::new();
    let mut left = secs.max(0);
    for (unit, size) in [("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", 1)] {
        if left >= size {
            out.push_str(&format!("{}{unit}", left / size));
            left %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Rows of text cells as a left-aligned table, columns separated by three spaces, no trailing
/// blanks (as kubeadm's tabwriter output).
pub fn table(rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.chars().count();
            match widths.get_mut(i) {
                Some(slot) => *slot = (*slot).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(cell.chars().count())
                    + 3;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A sequence of strings, or `null` when `None`.
pub fn opt_seq<S: AsRef<str>>(items: Option<&[S]>) -> Node {
    match items {
        None => Node::Null,
        Some(items) => Node::str_seq(items.iter().map(|s| s.as_ref().to_string())),
    }
}

/// A string, or `null` when `None`.
pub fn opt_str(value: Option<&str>) -> Node {
    value.map_or(Node::Null, |v| Node::str(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn relative_time_reads_as_config_info_below_a_year() {
        let now = datetime!(2021-07-05 22:06:42 UTC);
        for days in [0, 1, 3, 6, 7, 29, 30, 59, 60, 200, 359] {
            for then in [now + Duration::days(days), now - Duration::days(days)] {
                assert_eq!(
                    relative_time(then, now),
                    crate::talosconfig::info::rel_time(then, now, "ago", "from now"),
                    "{days}"
                );
            }
        }
        assert_eq!(relative_time(now - Duration::days(3), now), "3 days ago");
        assert_eq!(relative_time(now, now), "now");
    }

    // Review: go-humanize rounds years (540 days read "2 years", 1094 days "3 years", a fresh CA
    // with 9.99 years left "10 years" where check-expiration says 9y); every unit rounds down.
    #[test]
    fn relative_time_rounds_years_down_as_short_duration() {
        let now = datetime!(2021-07-05 22:06:42 UTC);
        let cases = [
            (359, "11 months"),
            (360, "12 months"),
            (364, "12 months"),
            (365, "1 year"),
            (540, "1 year"),
            (729, "1 year"),
            (730, "2 years"),
            (1094, "2 years"),
            (1095, "3 years"),
            (3649, "9 years"),
            (3650, "10 years"),
            (40 * 365, "40 years"),
        ];
        for (days, words) in cases {
            let d = Duration::days(days);
            assert_eq!(relative_time(now + d, now), format!("{words} from now"));
            assert_eq!(relative_time(now - d, now), format!("{words} ago"));
        }
        // The 2031 fixture certificates at the spec's clock (talosctl: "10 years from now").
        let not_after = datetime!(2031-07-03 11:18:33 UTC);
        assert_eq!(relative_time(not_after, now), "9 years from now");
        assert_eq!(short_duration(seconds_between(now, not_after)), "9y");
        // One second short of a year is not a year, in either function.
        for secs in [
            365 * DAY - 1,
            365 * DAY,
            2 * 365 * DAY - 1,
            10 * 365 * DAY - 1,
        ] {
            let then = now + Duration::seconds(secs);
            let years = short_duration(secs).trim_end_matches('y').parse::<i64>();
            let words = relative_time(then, now);
            match years {
                Ok(n) => assert!(words.starts_with(&format!("{n} year")), "{secs}: {words}"),
                Err(_) => assert!(words.ends_with("months from now"), "{secs}: {words}"),
            }
        }
    }

    #[test]
    fn exact_duration_keeps_every_unit() {
        for (secs, text) in [
            (0, "0s"),
            (90, "1m30s"),
            (5400, "1h30m"),
            (36 * 3600, "1d12h"),
            (7 * 86400, "7d"),
            (86400 + 1, "1d1s"),
        ] {
            assert_eq!(exact_duration(secs), text, "{secs}");
        }
    }

    #[test]
    fn short_duration_is_kubeadms_residual_time() {
        let cases = [
            (-1, "expired"),
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (HOUR - 1, "59m"),
            (DAY - 1, "23h"),
            (364 * DAY, "364d"),
            (3650 * DAY, "10y"),
        ];
        for (secs, text) in cases {
            assert_eq!(short_duration(secs), text, "{secs}");
        }
    }

    #[test]
    fn serial_drops_only_the_der_sign_byte() {
        assert_eq!(serial_number("0086df87"), "86df87");
        assert_eq!(serial_number("2b8d30af"), "2b8d30af");
        assert_eq!(serial_number("000f"), "0f");
        assert_eq!(serial_number("00"), "00");
        // Negative, as `openssl x509 -serial` prints them (-set_serial -5, -256, -128).
        assert_eq!(serial_number("fb"), "-05");
        assert_eq!(serial_number("ff00"), "-0100");
        assert_eq!(serial_number("80"), "-80");
    }

    #[test]
    fn json_keeps_tree_order() {
        let node = Node::map([
            ("zeta", Node::Int(-3)),
            ("alpha", Node::str_seq(["a"])),
            ("mid", Node::Null),
        ]);
        assert_eq!(
            to_json(&node).unwrap(),
            "{\n  \"zeta\": -3,\n  \"alpha\": [\n    \"a\"\n  ],\n  \"mid\": null\n}\n"
        );
    }

    #[test]
    fn table_aligns_columns_without_trailing_blanks() {
        let rows = vec![
            vec!["NAME".to_string(), "X".to_string()],
            vec!["certs.os".to_string(), "".to_string()],
        ];
        assert_eq!(table(&rows), "NAME       X\ncerts.os\n");
    }
}
