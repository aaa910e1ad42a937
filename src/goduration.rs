//! Go's `time.Duration` text: `time.ParseDuration` and `Duration.String()`, shared by certificate
//! TTLs (`8h`, `1h30m`, plus talmint's `7d`) and the machine-config duration fields.

/// Nanoseconds of a Go duration (`1h30m`, `-1.5s`, `300ms`, `0`), as `time.ParseDuration` reads
/// it; with `days`, also `d` for 24h (certificate TTLs only; Go has no such unit). Fractions keep
/// their first 18 digits, finer than a nanosecond for every unit. `None` for anything else, or a
/// value beyond `i128`; callers that need Go's `int64` range check it themselves.
pub fn parse_nanos(s: &str, days: bool) -> Option<i128> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = rest.get(..int_len)?;
        rest = rest.get(int_len..)?;
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = r.get(..n)?;
            rest = r.get(n..)?;
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = rest
            .bytes()
            .take_while(|c| !c.is_ascii_digit() && *c != b'.')
            .count();
        let unit = rest.get(..unit_len)?;
        rest = rest.get(unit_len..)?;
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" if days => 86_400_000_000_000,
            _ => return None,
        };
        let int: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let (mut frac, mut denom): (i128, i128) = (0, 1);
        for c in frac_part.bytes().take(18) {
            frac = frac * 10 + i128::from(c - b'0');
            denom *= 10;
        }
        let value = int.checked_mul(scale)?.checked_add(frac * scale / denom)?;
        total = total.checked_add(value)?;
    }
    Some(if neg { -total } else { total })
}

/// Go's `Duration.String()` of `nanos`: `0s`, `1.5µs`, `300ms`, `1m30s`, `8760h0m0s`.
pub fn format(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", decimal(u, div));
    }
    let h = u / 3_600_000_000_000;
    let m = (u / 60_000_000_000) % 60;
    let s = decimal(u % 60_000_000_000, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// `value / div` with the fraction's trailing zeros removed.
fn decimal(value: u128, div: u128) -> String {
    let int = value / div;
    let rem = value % div;
    if rem == 0 {
        return int.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rem:0width$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}
