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

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn encodes_every_nibble_in_byte_order() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0x00, 0x0f, 0xf0, 0xab, 0xff]), "000ff0abff");
    }
}
