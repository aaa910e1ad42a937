//! PEM blocks as Go's `encoding/pem` writes them: `\n` line ends, 64-column base64 body, no headers.

use zeroize::Zeroizing;

use super::PkiError;

/// PEM label of a certificate.
pub const CERTIFICATE: &str = "CERTIFICATE";
/// PEM label of a CSR.
pub const CERTIFICATE_REQUEST: &str = "CERTIFICATE REQUEST";
/// Talos's label for an Ed25519 PKCS#8 key.
pub const ED25519_PRIVATE_KEY: &str = "ED25519 PRIVATE KEY";
/// SEC1 EC key.
pub const EC_PRIVATE_KEY: &str = "EC PRIVATE KEY";
/// PKCS#1 RSA key.
pub const RSA_PRIVATE_KEY: &str = "RSA PRIVATE KEY";
/// PKCS#8 key of any algorithm.
pub const PRIVATE_KEY: &str = "PRIVATE KEY";

/// Encode one block.
pub fn encode(label: &str, der: &[u8]) -> String {
    let block = pem::Pem::new(label, der.to_vec());
    pem::encode_config(
        &block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// Encode one block holding secret bytes; the text is zeroized on drop.
pub fn encode_secret(label: &str, der: &[u8]) -> Zeroizing<String> {
    let block = pem::Pem::new(label, der.to_vec());
    let text = Zeroizing::new(pem::encode_config(
        &block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    ));
    // The block's own copy of the key bytes is dropped here; zeroize it first.
    let mut contents = block.into_contents();
    zeroize::Zeroize::zeroize(&mut contents);
    text
}

/// Decode the first PEM block (trailing data ignored, as Go's `pem.Decode`): `(label, der)`.
///
/// # Errors
/// [`PkiError::NoPem`] when no block decodes.
pub fn decode_first(text: &[u8]) -> Result<(String, Zeroizing<Vec<u8>>), PkiError> {
    let start = find(text, b"-----BEGIN ").ok_or(PkiError::NoPem)?;
    let rest = text.get(start..).ok_or(PkiError::NoPem)?;
    // pem::parse takes the first block it finds and ignores what follows its END line.
    let block = pem::parse(rest).map_err(|_| PkiError::NoPem)?;
    let label = block.tag().to_string();
    Ok((label, Zeroizing::new(block.into_contents())))
}

/// Decode every CERTIFICATE block in `text` (for `ca` fields holding several CAs).
///
/// # Errors
/// [`PkiError::NoPem`] when there is none.
pub fn decode_all_certificates(text: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
    let blocks = pem::parse_many(text).map_err(|_| PkiError::NoPem)?;
    let certs: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag() == CERTIFICATE)
        .map(pem::Pem::into_contents)
        .collect();
    if certs.is_empty() {
        return Err(PkiError::NoPem);
    }
    Ok(certs)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_go() {
        let text = encode(CERTIFICATE, &[0u8; 60]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last().unwrap(), &"-----END CERTIFICATE-----");
        assert!(text.ends_with("-----\n") && !text.contains('\r'));
    }

    #[test]
    fn decodes_first_block_and_ignores_trailing_data() {
        let mut text = String::from("junk\n");
        text.push_str(&encode(EC_PRIVATE_KEY, b"abc"));
        text.push_str(&encode(CERTIFICATE, b"def"));
        let (label, der) = decode_first(text.as_bytes()).unwrap();
        assert_eq!(
            (label.as_str(), der.as_slice()),
            (EC_PRIVATE_KEY, &b"abc"[..])
        );
        assert!(matches!(decode_first(b""), Err(PkiError::NoPem)));
    }
}
