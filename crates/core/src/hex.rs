//! Plain lowercase hexadecimal, as used for SHA-256 digests and git object ids.
//! (Xet hashes use a different byte order in text; that lives with the Xet code.)

use alloc::string::String;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes`, two digits per byte, in byte order.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Hex text that is not exactly two hex digits (either case) per output byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidHex;

impl core::fmt::Display for InvalidHex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("not a hexadecimal string of the expected length")
    }
}

impl core::error::Error for InvalidHex {}

/// Decodes `hex` (2 digits a byte, byte order) into `out`, which it must fill exactly.
pub fn decode_into(hex: &str, out: &mut [u8]) -> Result<(), InvalidHex> {
    if hex.len() != out.len() * 2 {
        return Err(InvalidHex);
    }
    let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8).ok_or(InvalidHex);
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{decode_into, encode, InvalidHex};

    #[test]
    fn decodes_both_cases_and_refuses_the_rest() {
        let mut out = [0u8; 3];
        assert_eq!(decode_into("0aFf10", &mut out), Ok(()));
        assert_eq!(out, [0x0a, 0xff, 0x10]);
        assert_eq!(decode_into("0aFf1", &mut out), Err(InvalidHex));
        assert_eq!(decode_into("0aFf1g", &mut out), Err(InvalidHex));
        assert_eq!(decode_into("+aFf10", &mut out), Err(InvalidHex));
    }

    #[test]
    fn encodes_every_nibble_in_byte_order() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0x00, 0x0f, 0xf0, 0xab, 0xff]), "000ff0abff");
    }
}
