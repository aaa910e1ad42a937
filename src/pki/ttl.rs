//! Certificate lifetimes in Go duration syntax (`8h`, `90m`, `1h30m`, `17520h`) plus `d` for days.

use std::fmt;
use std::str::FromStr;

/// A positive certificate lifetime, whole seconds (X.509 times have second precision).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ttl(u64);

/// Why a TTL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TtlError {
    /// Not Go duration syntax.
    #[error("invalid TTL {0:?}: use Go duration syntax such as 8h, 90m, 1h30m or 7d")]
    Syntax(String),
    /// Zero or negative.
    #[error("invalid TTL {0:?}: the TTL must be positive, e.g. 8h")]
    NotPositive(String),
}

impl Ttl {
    /// A TTL of `secs` seconds (must be > 0 to be useful).
    pub const fn from_secs(secs: u64) -> Self {
        Ttl(secs)
    }

    /// A TTL of `hours` hours.
    pub const fn from_hours(hours: u64) -> Self {
        Ttl(hours * 3600)
    }

    /// Seconds.
    pub fn as_secs(&self) -> u64 {
        self.0
    }

    /// As a `time::Duration`.
    pub fn duration(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.0).unwrap_or(i64::MAX))
    }
}

impl FromStr for Ttl {
    type Err = TtlError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let syntax = || TtlError::Syntax(input.to_string());
        let s = input.trim();
        let (negative, mut rest) = match s.as_bytes().first() {
            Some(b'-') => (true, s.get(1..).unwrap_or("")),
            Some(b'+') => (false, s.get(1..).unwrap_or("")),
            _ => (false, s),
        };
        if rest == "0" {
            return Err(TtlError::NotPositive(input.to_string()));
        }
        if rest.is_empty() {
            return Err(syntax());
        }
        let mut nanos: u128 = 0;
        while !rest.is_empty() {
            let int_end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let (int_part, after) = rest.split_at(int_end);
            let (frac_part, after) = match after.strip_prefix('.') {
                Some(a) => {
                    let end = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
                    a.split_at(end)
                }
                None => ("", after),
            };
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(syntax());
            }
            let unit_end = after
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(after.len());
            let (unit, after) = after.split_at(unit_end);
            let scale: u128 = match unit {
                "ns" => 1,
                "us" | "µs" | "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                "d" => 86_400_000_000_000,
                _ => return Err(syntax()),
            };
            let int: u128 = if int_part.is_empty() {
                0
            } else {
                int_part.parse().map_err(|_| syntax())?
            };
            let mut frac: u128 = 0;
            let mut denom: u128 = 1;
            for c in frac_part.bytes().take(18) {
                frac = frac * 10 + u128::from(c - b'0');
                denom *= 10;
            }
            nanos = int
                .checked_mul(scale)
                .and_then(|v| v.checked_add(frac * scale / denom))
                .and_then(|v| nanos.checked_add(v))
                .ok_or_else(syntax)?;
            rest = after;
        }
        let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| syntax())?;
        if negative || secs == 0 {
            return Err(TtlError::NotPositive(input.to_string()));
        }
        Ok(Ttl(secs))
    }
}

impl fmt::Display for Ttl {
    /// Go's `time.Duration.String()` for whole seconds: `8760h0m0s`, `1m30s`, `45s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, (self.0 % 3600) / 60, self.0 % 60);
        if h > 0 {
            write!(f, "{h}h{m}m{s}s")
        } else if m > 0 {
            write!(f, "{m}m{s}s")
        } else {
            write!(f, "{s}s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn go_duration_syntax_and_days() {
        let cases = [
            ("8h", 8 * 3600),
            ("90m", 5400),
            ("1h30m", 5400),
            ("17520h", 17520 * 3600),
            ("7d", 7 * 86400),
            ("1.5h", 5400),
            ("8760h0m0s", 8760 * 3600),
            ("2h45m30s", 2 * 3600 + 45 * 60 + 30),
        ];
        for (text, secs) in cases {
            assert_eq!(text.parse::<Ttl>(), Ok(Ttl(secs)), "{text}");
        }
    }

    #[test]
    fn zero_negative_and_junk_are_refused() {
        for bad in ["0", "0h", "-1h", "500ms"] {
            assert!(
                matches!(bad.parse::<Ttl>(), Err(TtlError::NotPositive(_))),
                "{bad}"
            );
        }
        for bad in ["abc", "", "8", "h", "1x", "1h-", "--1h", ".h"] {
            assert!(
                matches!(bad.parse::<Ttl>(), Err(TtlError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn displays_like_go() {
        assert_eq!(Ttl::from_hours(8760).to_string(), "8760h0m0s");
        assert_eq!(Ttl(90).to_string(), "1m30s");
        assert_eq!(Ttl(5).to_string(), "5s");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(secs in 1u64..10_000_000_000) {
            let ttl = Ttl(secs);
            prop_assert_eq!(ttl.to_string().parse::<Ttl>(), Ok(ttl));
        }
    }
}
