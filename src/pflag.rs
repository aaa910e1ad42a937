//! List flags as talosctl's pflag `StringSlice` reads them (spf13/pflag `string_slice.go`
//! `readAsCSV`): an empty value is no values; any other value is the first record of a CSV
//! document (Go `encoding/csv`), so `"c,d",e` is the two values `c,d` and `e`, and a comma in a
//! value is written by quoting it. Each use of the flag adds its values.
//!
//! The CSV is read by the `csv` crate. Go's reader is stricter: a `"` inside an unquoted field
//! and anything but a comma after a closing quote are errors there, so they are refused here too.

use crate::goquote::go_quote;

/// Why a list flag value was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum StringSliceError {
    /// Not one CSV record as Go's `encoding/csv` reads it.
    #[error(
        "invalid argument {value} for \"--{flag}\" flag: a value holding a '\"' must be quoted \
         whole, with '\"\"' for each quote inside it (\"a,b\",c)"
    )]
    Syntax {
        /// The flag, without dashes.
        flag: String,
        /// The value given, Go-quoted.
        value: String,
    },
    /// Nothing but line breaks (Go's reader finds no record: `EOF`).
    #[error("invalid argument {value} for \"--{flag}\" flag: EOF")]
    NoRecord {
        /// The flag, without dashes.
        flag: String,
        /// The value given, Go-quoted.
        value: String,
    },
}

/// The values of one use of a `StringSlice` flag (`readAsCSV`).
///
/// # Errors
/// [`StringSliceError`] for what Go's `encoding/csv` refuses.
pub fn split(flag: &str, value: &str) -> Result<Vec<String>, StringSliceError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let given = value;
    let syntax = || StringSliceError::Syntax {
        flag: flag.to_string(),
        value: go_quote(given),
    };
    // Go's reader ends a line only at `\n`, reads `\r\n` as `\n` and drops a `\r` just before
    // the end; any other `\r` is data.
    let mut line = value.replace("\r\n", "\n");
    if line.ends_with('\r') {
        line.pop();
    }
    let value = line.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(value.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            return Err(StringSliceError::NoRecord {
                flag: flag.to_string(),
                value: go_quote(given),
            })
        }
        Err(_) => return Err(syntax()),
    }
    let fields: Vec<String> = record.iter().map(str::to_string).collect();
    if !strict(value, &fields) {
        return Err(syntax());
    }
    Ok(fields)
}

/// Every use of a `StringSlice` flag, its values in order (pflag appends each use's values).
///
/// # Errors
/// As [`split`].
pub fn split_all(flag: &str, values: &[String]) -> Result<Vec<String>, StringSliceError> {
    let mut out = Vec::new();
    for v in values {
        out.extend(split(flag, v)?);
    }
    Ok(out)
}

/// Whether `raw` is `fields` written as Go's reader requires: each field either bare (no `"`)
/// or quoted whole with inner quotes doubled, separated by commas, then the end or a line break
/// (Go, like the `csv` crate, skips blank lines before the record). `raw` has its `\r\n` read
/// as `\n` already.
fn strict(raw: &str, fields: &[String]) -> bool {
    let mut rest = raw.trim_start_matches('\n');
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        let written = if rest.starts_with('"') {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else if field.contains('"') {
            return false;
        } else {
            field.clone()
        };
        match rest.strip_prefix(written.as_str()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty() || rest.starts_with('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: &str) -> Vec<String> {
        split("f", v).unwrap()
    }

    #[test]
    fn splits_as_pflag_read_as_csv() {
        assert_eq!(ok(""), Vec::<String>::new());
        assert_eq!(ok("a"), ["a"]);
        assert_eq!(ok("a,b"), ["a", "b"]);
        assert_eq!(ok("\"c,d\",e"), ["c,d", "e"]);
        assert_eq!(ok("a,"), ["a", ""]);
        assert_eq!(ok(","), ["", ""]);
        assert_eq!(ok("\"\""), [""]);
        assert_eq!(ok("\"a\"\"b\""), ["a\"b"]);
        assert_eq!(ok(" a , b"), [" a ", " b"]);
        // One record: what follows the first line break is not read.
        assert_eq!(ok("a,b\nc"), ["a", "b"]);
        assert_eq!(ok("\n\na"), ["a"]);
        assert_eq!(ok("\"x\ny\",z"), ["x\ny", "z"]);
        // Carriage returns as Go reads them (review r18, against a Go program): data unless in
        // `\r\n` or just before the end.
        assert_eq!(ok("a\rb"), ["a\rb"]);
        assert_eq!(ok("a\r,,"), ["a\r", "", ""]);
        assert_eq!(ok("\r\r"), ["\r"]);
        assert_eq!(ok("a\r"), ["a"]);
        assert_eq!(ok("a,b\r\nc"), ["a", "b"]);
        assert_eq!(ok("\r\na"), ["a"]);
        assert_eq!(ok("\"x\r\ny\""), ["x\ny"]);
    }

    #[test]
    fn refuses_what_go_encoding_csv_refuses() {
        for bad in [
            "a\"b", "\"a\"b", "\"a\" ", " \"a\"", "\"a", "a,b\"c\"", "b\rb\"",
        ] {
            assert!(
                matches!(split("f", bad), Err(StringSliceError::Syntax { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            split("f", "\n"),
            Err(StringSliceError::NoRecord { .. })
        ));
    }

    #[test]
    fn uses_append() {
        let all = split_all("f", &["a,b".into(), String::new(), "c".into()]).unwrap();
        assert_eq!(all, ["a", "b", "c"]);
    }
}
