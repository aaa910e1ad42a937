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

/// Every PEM block of `text` in order, as a loop over Go's `pem.Decode` finds them: text around
/// the blocks is skipped, and so is a block that does not decode (Go starts over after its BEGIN
/// line). The contents are zeroized on drop, as a caller may be looking for a key.
pub fn decode_all_like_go(text: &[u8]) -> Vec<(String, Zeroizing<Vec<u8>>)> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(start) = text
        .get(pos..)
        .and_then(|t| find(t, BEGIN))
        .map(|i| pos + i)
    {
        let rest = text.get(start..).unwrap_or_default();
        // pem::parse reads the block that starts at `rest` (its framing ends at the first
        // "-----END "), so a bad block is never silently replaced by a later one.
        match pem::parse(rest) {
            Ok(block) => {
                let end = find(rest, b"-----END ")
                    .and_then(|e| {
                        let after = e + 9;
                        rest.get(after..)
                            .and_then(|t| find(t, b"-----"))
                            .map(|d| after + d + 5)
                    })
                    .unwrap_or(rest.len());
                let label = block.tag().to_string();
                blocks.push((label, Zeroizing::new(block.into_contents())));
                pos = start + end.max(BEGIN.len());
            }
            Err(_) => {
                let line = rest
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(rest.len(), |n| n + 1);
                pos = start + line.max(BEGIN.len());
            }
        }
    }
    blocks
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

    #[test]
    fn decode_all_like_go_skips_text_and_undecodable_blocks() {
        let mut text = String::from("junk\n");
        text.push_str(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n",
        );
        text.push_str("-----BEGIN BROKEN-----\n!!!not base64!!!\n-----END BROKEN-----\n");
        text.push_str("-----BEGIN A-----\nAAAA\n-----END B-----\n");
        text.push_str(&encode(CERTIFICATE, b"def"));
        text.push_str("trailing");
        let blocks: Vec<(String, Vec<u8>)> = decode_all_like_go(text.as_bytes())
            .into_iter()
            .map(|(l, d)| (l, d.to_vec()))
            .collect();
        assert_eq!(
            blocks,
            vec![
                (
                    "EC PARAMETERS".to_string(),
                    vec![6, 8, 42, 134, 72, 206, 61, 3, 1, 7]
                ),
                (CERTIFICATE.to_string(), b"def".to_vec()),
            ]
        );
        assert!(decode_all_like_go(b"").is_empty());
        assert!(decode_all_like_go(b"-----BEGIN ").is_empty());
    }
}
