//! Streaming SHA-256, the digest Git LFS names objects by (`oid sha256:…`).

use alloc::string::String;
use sha2::Digest;

/// Length of a SHA-256 digest in bytes.
pub const SHA256_LEN: usize = 32;

/// Incremental SHA-256: feed any number of byte slices of any size, then take the digest.
/// The result never depends on how the input was split.
#[derive(Clone, Default)]
pub struct Sha256 {
    state: sha2::Sha256,
    len: u64,
}

impl Sha256 {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.state.update(bytes);
        self.len += bytes.len() as u64;
    }

    /// Number of bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn finalize(self) -> [u8; SHA256_LEN] {
        self.state.finalize().into()
    }

    /// The digest as 64 lowercase hex digits, the form used in LFS pointers and `ETag`s.
    pub fn finalize_hex(self) -> String {
        crate::hex::encode(&self.finalize())
    }

    /// One-shot digest of a byte slice.
    pub fn digest(bytes: &[u8]) -> [u8; SHA256_LEN] {
        let mut h = Self::new();
        h.update(bytes);
        h.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::Sha256;
    use alloc::vec;

    fn hex_of(bytes: &[u8]) -> alloc::string::String {
        let mut h = Sha256::new();
        h.update(bytes);
        h.finalize_hex()
    }

    // Vectors from FIPS 180-2, Appendix B, and the empty-message digest.
    #[test]
    fn fips_180_2_vectors() {
        assert_eq!(hex_of(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex_of(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex_of(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(hex_of(&vec![b'a'; 1_000_000]), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    #[test]
    fn digest_does_not_depend_on_how_input_is_split() {
        let data: alloc::vec::Vec<u8> = (0..1000u32).map(|i| (i * 31 + 7) as u8).collect();
        let whole = Sha256::digest(&data);
        for piece in [1, 3, 63, 64, 65, 127, 999] {
            let mut h = Sha256::new();
            for part in data.chunks(piece) {
                h.update(part);
            }
            assert_eq!(h.len(), data.len() as u64);
            assert_eq!(h.finalize(), whole, "piece size {piece}");
        }
    }
}
