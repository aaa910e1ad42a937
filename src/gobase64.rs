//! Go's `base64.StdEncoding.DecodeString`, as talosctl decodes a talosconfig's and a secrets
//! bundle's `ca`, `crt` and `key`: the standard alphabet with padding, `\r` and `\n` anywhere
//! ignored, so a value wrapped at 76 columns (as the `base64` tool prints it) decodes.

use base64::Engine as _;
use zeroize::Zeroizing;

/// Decode `text` as Go's `StdEncoding` does (surrounding blanks trimmed as well). The result is
/// zeroized on drop: it may be a private key.
///
/// # Errors
/// The decoder's error for anything else that is not base64.
pub fn decode(text: &str) -> Result<Zeroizing<Vec<u8>>, base64::DecodeError> {
    let joined: Zeroizing<String> = Zeroizing::new(
        text.trim()
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n'))
            .collect(),
    );
    base64::engine::general_purpose::STANDARD
        .decode(joined.as_bytes())
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_anywhere_are_ignored_as_go_ignores_them() {
        for text in ["aGVsbG8=", "aGVs\nbG8=", "aGVs\r\nbG8=\n", "\naGVsbG8=\n\n"] {
            assert_eq!(decode(text).unwrap().as_slice(), b"hello", "{text:?}");
        }
        for bad in ["aGVs bG8=", "aGVsbG8", "aGVs*bG8="] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }
}
