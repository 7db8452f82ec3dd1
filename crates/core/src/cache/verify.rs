//! A blob checked against its id while it is written, so that only verified bytes are published:
//! SHA-256 for LFS and Xet content, the git blob id (SHA-1 of `blob {size}\0` + content) otherwise.

use core::fmt;

use sha1::{Digest, Sha1};

use super::keys::BlobId;
use crate::lfs::Sha256;

/// Bytes that do not match the blob id they were written under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobMismatch {
    /// A git blob id is over a known size; more or fewer bytes came.
    Size {
        expected: u64,
        got: u64,
    },
    Digest {
        expected: BlobId,
        got: alloc::string::String,
    },
}

impl fmt::Display for BlobMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobMismatch::Size { expected, got } => write!(f, "the blob is {got} bytes, its id says {expected}"),
            BlobMismatch::Digest { expected, got } => write!(f, "the blob hashes to {got}, not to its id {expected}"),
        }
    }
}

impl core::error::Error for BlobMismatch {}

enum Hasher {
    Sha256(Sha256),
    Git { sha1: Sha1, expected_size: u64 },
}

/// Fed the bytes of a blob as they are written; `finish` says whether they are the blob.
pub struct BlobVerifier {
    id: BlobId,
    hasher: Hasher,
    seen: u64,
}

impl BlobVerifier {
    /// `size` is the file's size as the Hub announced it (a git blob id hashes it first).
    pub fn new(id: BlobId, size: u64) -> Self {
        let hasher = if id.is_sha256() {
            Hasher::Sha256(Sha256::new())
        } else {
            let mut sha1 = Sha1::new();
            sha1.update(b"blob ");
            sha1.update(alloc::format!("{size}").as_bytes());
            sha1.update([0u8]);
            Hasher::Git { sha1, expected_size: size }
        };
        BlobVerifier { id, hasher, seen: 0 }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.seen = self.seen.saturating_add(bytes.len() as u64);
        match &mut self.hasher {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Git { sha1, .. } => sha1.update(bytes),
        }
    }

    pub fn len(&self) -> u64 {
        self.seen
    }

    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    pub fn finish(self) -> Result<BlobId, BlobMismatch> {
        let got = match self.hasher {
            Hasher::Sha256(h) => h.finalize_hex(),
            Hasher::Git { sha1, expected_size } => {
                if self.seen != expected_size {
                    return Err(BlobMismatch::Size { expected: expected_size, got: self.seen });
                }
                crate::hex::encode(&sha1.finalize())
            }
        };
        if got == self.id.as_str() {
            Ok(self.id)
        } else {
            Err(BlobMismatch::Digest { expected: self.id, got })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected ids from git itself: `printf 'hello\n' | git hash-object --stdin` and
    // `printf '' | git hash-object --stdin`; the SHA-256 from `printf 'hello\n' | sha256sum`.
    const HELLO_GIT: &str = "ce013625030ba8dba906f756967f9e9ca394464a";
    const EMPTY_GIT: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    const HELLO_SHA256: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    #[test]
    fn accepts_the_blob_its_id_names() {
        let mut v = BlobVerifier::new(BlobId::from_etag(HELLO_GIT).unwrap(), 6);
        v.update(b"hel");
        v.update(b"lo\n");
        assert!(v.finish().is_ok());
        assert!(BlobVerifier::new(BlobId::from_etag(EMPTY_GIT).unwrap(), 0).finish().is_ok());
        let mut v = BlobVerifier::new(BlobId::from_etag(HELLO_SHA256).unwrap(), 6);
        v.update(b"hello\n");
        assert!(v.finish().is_ok());
    }

    #[test]
    fn refuses_other_bytes() {
        let mut v = BlobVerifier::new(BlobId::from_etag(HELLO_GIT).unwrap(), 6);
        v.update(b"hello!");
        assert!(matches!(v.finish(), Err(BlobMismatch::Digest { .. })));
        let mut v = BlobVerifier::new(BlobId::from_etag(HELLO_GIT).unwrap(), 6);
        v.update(b"hello");
        assert_eq!(v.finish(), Err(BlobMismatch::Size { expected: 6, got: 5 }));
        let mut v = BlobVerifier::new(BlobId::from_etag(HELLO_SHA256).unwrap(), 6);
        v.update(b"hello");
        assert!(matches!(v.finish(), Err(BlobMismatch::Digest { .. })));
    }
}
