//! One pass over a file's bytes giving everything a Xet upload needs to name it: the chunk list,
//! the Xet file hash and the SHA-256 (for the LFS pointer), with no buffering of file data.

use alloc::vec::Vec;

use super::chunker::{BoundaryRule, Chunker};
use super::hash::{file_hash, ChunkHasher, XetHash};
use crate::lfs::Sha256;

/// The identity of a file's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    /// Xet file hash (the Hub's `xetHash`).
    pub hash: XetHash,
    pub size: u64,
    /// Plain SHA-256 of the content (the LFS oid), unless it was turned off.
    pub sha256: Option<[u8; 32]>,
    /// `(chunk hash, chunk length)` in file order.
    pub chunks: Vec<(XetHash, u64)>,
}

/// Streaming file hasher: feed the bytes in pieces of any size, then [`FileHasher::finish`].
#[derive(Clone)]
pub struct FileHasher {
    chunker: Chunker,
    chunk: ChunkHasher,
    sha256: Option<Sha256>,
    size: u64,
    chunks: Vec<(XetHash, u64)>,
}

impl FileHasher {
    /// A hasher that also computes the SHA-256 (needed to commit the file).
    pub fn new(rule: BoundaryRule) -> Self {
        Self::with_sha256(rule, true)
    }

    /// `sha256: false` skips the SHA-256 when only the Xet identity is wanted (it costs about as
    /// much as chunking and hashing together).
    pub fn with_sha256(rule: BoundaryRule, sha256: bool) -> Self {
        Self {
            chunker: Chunker::new(rule),
            chunk: ChunkHasher::new(),
            sha256: sha256.then(Sha256::new),
            size: 0,
            chunks: Vec::new(),
        }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.size += data.len() as u64;
        if let Some(sha256) = &mut self.sha256 {
            sha256.update(data);
        }
        loop {
            let pending = self.chunker.pending_len();
            match self.chunker.next_boundary(data) {
                Some(n) => {
                    self.chunk.update(&data[..n]);
                    self.chunks.push((self.chunk.finish_and_reset(), (pending + n) as u64));
                    data = &data[n..];
                }
                None => {
                    self.chunk.update(data);
                    return;
                }
            }
        }
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn finish(mut self) -> FileDigest {
        if let Some(last) = self.chunker.finish() {
            self.chunks.push((self.chunk.finish_and_reset(), last as u64));
        }
        FileDigest {
            hash: file_hash(&self.chunks),
            size: self.size,
            sha256: self.sha256.map(Sha256::finalize),
            chunks: self.chunks,
        }
    }
}

/// [`FileHasher`] over a whole buffer.
pub fn hash_file(data: &[u8], rule: BoundaryRule) -> FileDigest {
    let mut hasher = FileHasher::new(rule);
    hasher.update(data);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::chunker::chunk_boundaries;
    use crate::xet::hash::chunk_hash;
    use crate::xet::test_data::splitmix64_bytes;

    #[test]
    fn matches_chunking_then_hashing_and_ignores_piece_size() {
        let data = splitmix64_bytes(7, 700_001);
        let mut start = 0;
        let expected: Vec<(XetHash, u64)> = chunk_boundaries(&data, BoundaryRule::Current)
            .into_iter()
            .map(|end| {
                let c = (chunk_hash(&data[start..end]), (end - start) as u64);
                start = end;
                c
            })
            .collect();
        let whole = hash_file(&data, BoundaryRule::Current);
        assert_eq!(whole.chunks, expected);
        assert_eq!(whole.hash, file_hash(&expected));
        assert_eq!(whole.size, data.len() as u64);
        assert_eq!(whole.sha256, Some(Sha256::digest(&data)));
        let without = {
            let mut h = FileHasher::with_sha256(BoundaryRule::Current, false);
            h.update(&data);
            h.finish()
        };
        assert_eq!((without.hash, without.sha256), (whole.hash, None));
        for piece in [1usize, 1000, 65_536, 131_073] {
            let mut hasher = FileHasher::new(BoundaryRule::Current);
            data.chunks(piece).for_each(|p| hasher.update(p));
            assert_eq!(hasher.finish(), whole, "piece {piece}");
        }
    }

    // Spec §9.6: huggingface.js end-to-end vectors on periodic data (forced maximum-size cuts).
    #[test]
    fn periodic_data_end_to_end() {
        let make = |n: usize, a: usize, b: usize| (0..n).map(|i| ((i * a + b) & 0xff) as u8).collect::<Vec<u8>>();
        for rule in [BoundaryRule::Current, BoundaryRule::Legacy] {
            let small = hash_file(&make(200_000, 7, 13), rule);
            assert_eq!(small.chunks.len(), 2);
            assert_eq!(
                crate::xet::hash::xorb_hash(&small.chunks).to_hex(),
                "f0755d96ee199d4f01e83da9fe2c38353de7fd38fb79a320a7d50be510026f74"
            );
            assert_eq!(small.hash.to_hex(), "d88d9e0b760f32c90b7c6592b4cb85251c01bb797371e3c637087b96ac578723");
            let large = hash_file(&make(1_000_000, 13, 37), rule);
            assert_eq!(large.chunks.len(), 8);
            assert_eq!(
                crate::xet::hash::xorb_hash(&large.chunks).to_hex(),
                "7be289d851485c40dcde52dbcf37a7823a5ef0bfcdf1ca1c5a32ad9594c71571"
            );
            assert_eq!(large.hash.to_hex(), "041a50f3639f4a080a89237025d643e2a3e22935ca5d7dbc1a38f5c1e859f859");
        }
    }

    #[test]
    fn empty_file_has_the_zero_hash_and_no_chunks() {
        let digest = hash_file(&[], BoundaryRule::Current);
        assert_eq!(digest.hash, XetHash::ZERO);
        assert!(digest.chunks.is_empty());
        assert_eq!(digest.size, 0);
    }
}
