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
    /// Beyond Go's `time.Duration` (about 292 years), which talosctl's duration flags refuse.
    #[error("invalid TTL {0:?}: longer than Go's longest duration, 2562047h47m16s")]
    TooLong(String),
    /// Positive but under a second: certificates count whole seconds.
    #[error("invalid TTL {0:?}: the TTL must be at least 1s (certificates count whole seconds)")]
    UnderASecond(String),
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
        let nanos = crate::goduration::parse_nanos(input.trim(), true).ok_or_else(syntax)?;
        if nanos <= 0 {
            return Err(TtlError::NotPositive(input.to_string()));
        }
        if nanos > i128::from(i64::MAX) {
            return Err(TtlError::TooLong(input.to_string()));
        }
        match u64::try_from(nanos / 1_000_000_000) {
            Ok(0) => Err(TtlError::UnderASecond(input.to_string())),
            Ok(secs) => Ok(Ttl(secs)),
            Err(_) => Err(syntax()),
        }
    }
}

impl fmt::Display for Ttl {
    /// Go's `time.Duration.String()` for whole seconds: `8760h0m0s`, `1m30s`, `45s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::goduration::format(
            i128::from(self.0) * 1_000_000_000,
        ))
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
        for bad in ["0", "0h", "-1h"] {
            assert!(
                matches!(bad.parse::<Ttl>(), Err(TtlError::NotPositive(_))),
                "{bad}"
            );
        }
        // Positive, but a certificate cannot say it: the message must not claim it is not.
        for short in ["500ms", "999999us", "1ns"] {
            let err = short.parse::<Ttl>().unwrap_err();
            assert_eq!(err, TtlError::UnderASecond(short.into()));
            assert!(err.to_string().contains("at least 1s"), "{err}");
        }
        // Go's longest duration is the limit, as for talosctl's --crt-ttl.
        assert!("2562047h47m16s".parse::<Ttl>().is_ok());
        for long in ["2562048h", "9999999999999h", "106752d"] {
            assert_eq!(long.parse::<Ttl>(), Err(TtlError::TooLong(long.into())));
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
        // Up to Go's longest duration, 2562047h47m16s.
        fn display_parse_round_trip(secs in 1u64..=9_223_372_036) {
            let ttl = Ttl(secs);
            prop_assert_eq!(ttl.to_string().parse::<Ttl>(), Ok(ttl));
        }
    }
}
