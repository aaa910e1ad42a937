//! Scalar style decisions, as go-yaml v4 makes them for `yaml.Marshal` (v3 defaults,
//! `QuoteLegacy`).
//!
//! Three go-yaml stages decide how a string is written (go-yaml v4.0.0-rc.6):
//! - the representer (`internal/libyaml/representer.go:261-300`, `stringv`): strings with a
//!   newline become literal blocks (double-quoted if only whitespace); YAML 1.1 booleans
//!   (`yes`, `off`, …), base-60 floats (`1:20`) and `<<` are single-quoted;
//! - the desolver (`desolver.go:87-120`): a string that would resolve to another type when read
//!   back (`true`, `10`, `1e3`, `null`, `""`, timestamps, …) is double-quoted;
//! - the emitter (`emitter.go:1322-1475` `analyzeScalar`, `1547-1596` `selectScalarStyle`):
//!   a plain string that cannot be plain (indicators, `: `, ` #`, leading/trailing space, …) is
//!   single-quoted (`requiredQuoteStyle`, `QuoteLegacy`), and double-quoted when single quotes
//!   cannot carry it (tabs, control characters, non-BMP characters, …).
//!
//! The type resolver (`resolver.go:96-190`) is reimplemented here for the quoting decision.

/// A scalar's output style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// What the emitter may do with a scalar (`analyzeScalar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Analysis {
    pub multiline: bool,
    pub block_plain_allowed: bool,
    pub single_quoted_allowed: bool,
    pub block_allowed: bool,
}

/// The style the representer and desolver give a string, before the emitter checks it.
pub(super) fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        if should_use_literal_style(s) {
            Style::Literal
        } else {
            Style::DoubleQuoted
        }
    } else if is_base60_float(s) || is_old_bool(s) || s == "<<" {
        Style::SingleQuoted
    } else if resolves_to_non_string(s) {
        Style::DoubleQuoted
    } else {
        Style::Plain
    }
}

/// The emitter's final choice (`selectScalarStyle`, block context, unlimited width).
pub(super) fn select_style(style: Style, value: &str, a: &Analysis, simple_key: bool) -> Style {
    let mut style = style;
    if simple_key && a.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!a.block_plain_allowed || (value.is_empty() && simple_key)) {
        // Talos compat: QuoteLegacy makes the emitter's required quote style single quotes.
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !a.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!a.block_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

/// `node.go:249` `shouldUseLiteralStyle`: a newline, at least two bytes and one non-space.
fn should_use_literal_style(s: &str) -> bool {
    s.contains('\n') && s.len() >= 2 && s.chars().any(|c| !c.is_whitespace())
}

/// `representer.go:566` `isOldBool`: YAML 1.1 booleans.
fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// `representer.go:548` `isBase60Float`:
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // `[0-5]?[0-9]`: one digit, or two with the first in 0-5.
        match (b.get(i), b.get(i + 1)) {
            (Some(b'0'..=b'5'), Some(d1)) if d1.is_ascii_digit() => i += 2,
            (Some(d), _) if d.is_ascii_digit() => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether go-yaml's resolver reads this plain scalar as anything but a string
/// (`resolver.go:96-190`): null, bool, int, float, timestamp or the merge key.
pub(super) fn resolves_to_non_string(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true; // "" is null
    };
    const IN_MAP: &[&str] = &[
        "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL", ".nan",
        ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
        "-.INF", "-0", "-0.0", "<<",
    ];
    match first {
        b'+'
        | b'-'
        | b'0'..=b'9'
        | b'y'
        | b'Y'
        | b'n'
        | b'N'
        | b't'
        | b'T'
        | b'f'
        | b'F'
        | b'o'
        | b'O'
        | b'~'
        | b'<'
        | b'.' => {}
        _ => return false,
    }
    if IN_MAP.contains(&s) {
        return true;
    }
    match first {
        b'.' => go_parse_float_ok(s),
        b'+' | b'-' | b'0'..=b'9' => {
            if is_timestamp(s) {
                return true;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            go_parse_int_ok(&plain) || (is_yaml_style_float(&plain) && go_parse_float_ok(&plain))
        }
        _ => false,
    }
}

/// Go `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds.
fn go_parse_int_ok(s: &str) -> bool {
    let (neg, signed, rest) = if let Some(rest) = s.strip_prefix('-') {
        (true, true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, true, rest)
    } else {
        (false, false, s)
    };
    let Some(magnitude) = go_parse_uint(rest) else {
        return false;
    };
    if neg {
        magnitude <= 1u64 << 63
    } else if signed {
        magnitude < 1u64 << 63
    } else {
        // ParseInt fails above i64::MAX, but ParseUint takes the unsigned value.
        true
    }
}

/// Go `strconv.ParseUint(s, 0, 64)` (underscores already removed).
fn go_parse_uint(s: &str) -> Option<u64> {
    let prefixed = |p: [&str; 2]| s.strip_prefix(p[0]).or_else(|| s.strip_prefix(p[1]));
    let (radix, digits) = if let Some(d) = prefixed(["0x", "0X"]) {
        (16, d)
    } else if let Some(d) = prefixed(["0o", "0O"]) {
        (8, d)
    } else if let Some(d) = prefixed(["0b", "0B"]) {
        (2, d)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, s.get(1..).unwrap_or_default())
    } else {
        (10, s)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// `^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$` (`resolver.go:209`).
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go `strconv.ParseFloat(s, 64)` succeeds, for the inputs the resolver hands it: decimal
/// forms (checked by syntax, finite when parsed), plus Go's special and hexadecimal forms.
fn go_parse_float_ok(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        return true;
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        return is_go_hex_float(hex);
    }
    is_yaml_style_float(s) && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The part after `0x` of a Go hexadecimal float: mantissa digits with an optional point,
/// then a mandatory `p` exponent. Overflow is ignored (an extremely rare input).
fn is_go_hex_float(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once('p') else {
        return false;
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let hex = |t: &str| t.chars().all(|c| c.is_ascii_hexdigit());
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    (int.len() + frac.len()) > 0
        && hex(int)
        && hex(frac)
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
}

/// go-yaml `parseTimestamp` (`resolver.go:265-286`): `YYYY-` then one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`,
/// `2006-1-2`, with Go `time.Parse` rules (1–2 digit fields, ranges, day within month).
pub(super) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b.iter().take(4).all(u8::is_ascii_digit) || b.get(4) != Some(&b'-') {
        return false;
    }
    let mut p = Cursor { b, i: 5 };
    let year = b
        .iter()
        .take(4)
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    let Some(month) = p.num(1, 12) else {
        return false;
    };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num(0, 99) else {
        return false;
    };
    if day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.done() {
        return true; // 2006-1-2
    }
    let zoned = if p.eat(b'T') || p.eat(b't') {
        true
    } else if p.eat(b' ') {
        false
    } else {
        return false;
    };
    if p.num(0, 23).is_none() || !p.eat(b':') || p.num(0, 59).is_none() || !p.eat(b':') {
        return false;
    }
    if p.num(0, 59).is_none() {
        return false;
    }
    // Fractional seconds: `.` or `,` and at least one digit.
    if matches!(p.peek(0), Some(b'.' | b',')) && p.peek(1).is_some_and(|c| c.is_ascii_digit()) {
        p.i += 1;
        while p.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            p.i += 1;
        }
    }
    if !zoned {
        return p.done();
    }
    if p.eat(b'Z') {
        return p.done();
    }
    // ±hh:mm, two digits each; Go accepts hours up to 24 and minutes up to 60.
    let rest = b.get(p.i..).unwrap_or_default();
    match rest {
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-')
                && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 24
                && (m1 - b'0') * 10 + (m2 - b'0') <= 60
        }
        _ => false,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek(0) == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    /// Go `getnum(s, false)`: one or two digits, then a range check.
    fn num(&mut self, min: u32, max: u32) -> Option<u32> {
        let d0 = self.peek(0).filter(u8::is_ascii_digit)?;
        let mut n = u32::from(d0 - b'0');
        self.i += 1;
        if let Some(d1) = self.peek(0).filter(u8::is_ascii_digit) {
            n = n * 10 + u32::from(d1 - b'0');
            self.i += 1;
        }
        (min..=max).contains(&n).then_some(n)
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether every byte of `s` is in `class`: checked a block at a time, without stopping inside a
/// block, so that the compiler can use vector instructions (talosconfigs and bundles hold
/// kilobytes of base64, which the byte-at-a-time loop took microseconds to scan).
pub(super) fn all_bytes(s: &str, class: impl Fn(u8) -> bool) -> bool {
    s.as_bytes()
        .chunks(64)
        .all(|block| block.iter().fold(true, |all, &b| all & class(b)))
}

/// A letter, a digit or `+/=`, in arithmetic the compiler can vectorize.
fn is_base64(b: u8) -> bool {
    // `| 0x20` folds upper case onto lower case and nothing else onto `a..=z`.
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'+')
        | (b == b'/')
        | (b == b'=')
}

/// `analyzeScalar` (`emitter.go:1322-1475`) for a non-empty or empty value.
pub(super) fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    // Fast path for the long base64 values of talosconfigs and bundles: letters, digits and
    // `+/=` can neither start an indicator nor need any escaping, so the full scan below would
    // find nothing.
    if all_bytes(value, is_base64) {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special, mut tabs) = (false, false, false);
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let followed_by_whitespace = matches!(next, None | Some(' ' | '\t'));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        let last = next.is_none();
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_line_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = matches!(c, ' ' | '\t' | '\0') || is_line_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tabs || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// libyaml `is_printable`: `\n`, printable ASCII, U+00A0–U+D7FF, U+E000–U+FFFD except the BOM.
/// Characters beyond the BMP count as unprintable (go-yaml escapes them as `\UXXXXXXXX`).
pub(super) fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

/// libyaml line breaks: CR, LF, NEL, LS, PS.
pub(super) fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The text of a float as go-yaml writes it: `strconv.FormatFloat(f, 'g', -1, 64)`, with
/// `.inf`, `-.inf`, `.nan` (`representer.go:358-380`).
pub(super) fn format_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let neg = f.is_sign_negative();
    let sign = if neg { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    // Shortest round-trip digits, as Go's shortest formatting.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    // Go uses %e when the exponent is < -4 or >= 6 (precision 6 for the shortest form).
    if !(-4..6).contains(&exp) {
        let (d0, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{d0}{frac}e{esign}{:02}", exp.abs());
    }
    // %f with exactly the significant digits.
    let dp = exp + 1; // digits before the decimal point
    let mut out = String::from(sign);
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(&digits);
    } else if dp >= nd {
        out.push_str(&digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        let (int, frac) = digits.split_at(usize::try_from(dp).unwrap_or(0));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_paths_accept_exactly_their_bytes() {
        for b in 0..=u8::MAX {
            let plain = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
            assert_eq!(is_base64(b), plain, "byte {b:#04x}");
        }
        // Every position of a long value counts, the last block's included.
        let long = "QUJD".repeat(100);
        assert!(all_bytes(&long, is_base64));
        for at in [0, 63, 64, 200, 399] {
            let mut bad = long.clone().into_bytes();
            bad[at] = b'-';
            let bad = String::from_utf8(bad).unwrap();
            assert!(!all_bytes(&bad, is_base64), "at {at}");
            assert!(all_bytes(&bad, |b| b.is_ascii_graphic()));
        }
    }

    #[test]
    fn representer_and_desolver_styles() {
        for (s, style) in [
            ("hello", Style::Plain),
            ("", Style::DoubleQuoted),
            ("true", Style::DoubleQuoted),
            ("False", Style::DoubleQuoted),
            ("null", Style::DoubleQuoted),
            ("~", Style::DoubleQuoted),
            ("10", Style::DoubleQuoted),
            ("-5", Style::DoubleQuoted),
            ("0x1F", Style::DoubleQuoted),
            ("0o17", Style::DoubleQuoted),
            ("0b101", Style::DoubleQuoted),
            ("017", Style::DoubleQuoted),
            ("1_000", Style::DoubleQuoted),
            ("1e3", Style::DoubleQuoted),
            ("1.5", Style::DoubleQuoted),
            (".5", Style::DoubleQuoted),
            ("1.", Style::DoubleQuoted),
            (".inf", Style::DoubleQuoted),
            ("-.INF", Style::DoubleQuoted),
            (".NaN", Style::DoubleQuoted),
            ("-0", Style::DoubleQuoted),
            ("18446744073709551615", Style::DoubleQuoted),
            ("2015-02-24T18:19:39Z", Style::DoubleQuoted),
            ("2001-12-14", Style::DoubleQuoted),
            ("2001-12-14 21:59:43.10", Style::DoubleQuoted),
            ("2001-12-14t21:59:43.10-05:00", Style::DoubleQuoted),
            ("yes", Style::SingleQuoted),
            ("Off", Style::SingleQuoted),
            ("y", Style::SingleQuoted),
            ("1:20", Style::SingleQuoted),
            ("-1:20:30.5", Style::SingleQuoted),
            ("<<", Style::SingleQuoted),
            ("a\nb", Style::Literal),
            ("\n", Style::DoubleQuoted),
            (" \n ", Style::DoubleQuoted),
            // Plain: not a YAML 1.2 value, so the resolver keeps them strings.
            ("1e999", Style::Plain),
            ("0x", Style::Plain),
            ("1.2.3", Style::Plain),
            ("2015-13-01", Style::Plain),
            ("2015-02-30", Style::Plain),
            ("yess", Style::Plain),
            ("nULL", Style::Plain),
            ("168h0m0s", Style::Plain),
            ("1:60", Style::Plain),
            ("inf", Style::Plain),
            ("v1.28.0", Style::Plain),
            ("10.244.0.0/16", Style::Plain),
        ] {
            assert_eq!(string_style(s), style, "{s:?}");
        }
    }

    #[test]
    fn emitter_demotes_styles() {
        let pick = |s: &str| select_style(string_style(s), s, &analyze(s), false);
        for (s, style) in [
            ("-", Style::SingleQuoted),
            ("- a", Style::SingleQuoted),
            ("-a", Style::Plain),
            ("b: c", Style::SingleQuoted),
            ("b:c", Style::Plain),
            ("a:", Style::SingleQuoted),
            ("Hello #comment", Style::SingleQuoted),
            ("Hello#comment", Style::Plain),
            ("#x", Style::SingleQuoted),
            ("*x", Style::SingleQuoted),
            ("&x", Style::SingleQuoted),
            ("!x", Style::SingleQuoted),
            ("%x", Style::SingleQuoted),
            ("@x", Style::SingleQuoted),
            ("`x", Style::SingleQuoted),
            ("'x", Style::SingleQuoted),
            ("\"x", Style::SingleQuoted),
            ("[x", Style::SingleQuoted),
            ("x]", Style::Plain),
            ("? x", Style::SingleQuoted),
            ("?x", Style::Plain),
            ("---x", Style::SingleQuoted),
            ("...", Style::SingleQuoted),
            (" hello", Style::SingleQuoted),
            ("hello ", Style::SingleQuoted),
            ("a\tb", Style::DoubleQuoted),
            ("a\u{7}b", Style::DoubleQuoted),
            ("a\rb", Style::DoubleQuoted),
            ("a\u{85}b", Style::DoubleQuoted),
            ("\u{1F600}", Style::DoubleQuoted),
            ("a\u{2028}b", Style::SingleQuoted),
            ("你好", Style::Plain),
            ("<foo>", Style::Plain),
            ("hello\n", Style::Literal),
            ("hello  \n", Style::DoubleQuoted),
            ("a \nb", Style::DoubleQuoted),
            ("a\n\tb", Style::Literal),
            ("a\n\u{1}", Style::DoubleQuoted),
            ("disk.dev_path == \"/dev/vda\"", Style::Plain),
        ] {
            assert_eq!(pick(s), style, "{s:?}");
        }
    }

    #[test]
    fn simple_keys_never_use_blocks_or_empty_plain() {
        let a = analyze("a\nb");
        assert_eq!(
            select_style(Style::Literal, "a\nb", &a, true),
            Style::DoubleQuoted
        );
        assert_eq!(
            select_style(Style::Plain, "", &analyze(""), true),
            Style::SingleQuoted
        );
    }

    #[test]
    fn floats_format_like_go_g() {
        for (f, s) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (123456.0, "123456"),
            (1_000_000.0, "1e+06"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (0.1, "0.1"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ] {
            assert_eq!(format_float(f), s, "{f}");
        }
    }
}
