//! Shards (MDB format, spec §5): the file reconstructions and xorb contents a commit registers,
//! and the form global-dedup answers come in. Every record is 48 bytes; integers little-endian.
//!
//! [`parse`] reads the upload form (no footer), full shards (footer, lookup tables) and dedup
//! answers (HMAC'd chunk hashes). [`write_upload`] writes the upload form: header with
//! `footer_size = 0`, file blocks with verification and SHA-256 entries, xorb blocks.

use alloc::vec::Vec;
use core::fmt;

use super::chunker::MAX_CHUNK_SIZE;
use super::hash::XetHash;
use super::le_reader::LeReader;
use super::xorb::{MAX_XORB_BYTES, MAX_XORB_CHUNKS};

/// Most chunk references the terms of one shard may make in all (2^24 chunks, about 1 TiB of
/// files at the 64 KiB average chunk). Each 48-byte term record can name up to 8192 chunks, so
/// without a total a small shard could make a reader walk billions of chunk records.
pub const MAX_SHARD_CHUNK_REFERENCES: u64 = 1 << 24;

const MAGIC: [u8; 32] = [
    0x48, 0x46, 0x52, 0x65, 0x70, 0x6f, 0x4d, 0x65, 0x74, 0x61, 0x44, 0x61, 0x74, 0x61, 0x00, 0x55, 0x69, 0x67, 0x45,
    0x6a, 0x7b, 0x81, 0x57, 0x83, 0xa5, 0xbd, 0xd9, 0x5c, 0xcd, 0xd1, 0x4a, 0xa9,
];
const HEADER_VERSION: u64 = 2;
const FOOTER_VERSION: u64 = 1;
const RECORD: usize = 48;
const FOOTER_LEN: usize = 200;
const FLAG_VERIFICATION: u32 = 0x8000_0000;
const FLAG_METADATA_EXT: u32 = 0x4000_0000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardError {
    Truncated,
    BadMagic,
    UnsupportedVersion(u64),
    /// A record count does not fit in the bytes that follow.
    BadCount,
    BadFooter,
    /// A term's chunk range is empty or reversed.
    BadTerm {
        file: usize,
        term: usize,
    },
    /// A term claims chunks or bytes past what one xorb can hold (8192 chunks, 64 MiB), or a
    /// length its chunks cannot have (each chunk holds 1 byte to 128 KiB).
    TermOutOfBounds {
        file: usize,
        term: usize,
    },
    /// A xorb entry lists more than 8192 chunks or more than 64 MiB.
    XorbOutOfBounds {
        xorb: usize,
    },
    /// The terms reference more than [`MAX_SHARD_CHUNK_REFERENCES`] chunks in all.
    TooManyChunkReferences,
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardError::Truncated => f.write_str("shard cut short"),
            ShardError::BadMagic => f.write_str("not a shard (bad magic tag)"),
            ShardError::UnsupportedVersion(v) => write!(f, "unsupported shard version {v}"),
            ShardError::BadCount => f.write_str("a shard record count is larger than the data that follows"),
            ShardError::BadFooter => f.write_str("the shard footer is malformed"),
            ShardError::BadTerm { file, term } => {
                write!(f, "shard file {file}, term {term}: empty or reversed chunk range")
            }
            ShardError::TermOutOfBounds { file, term } => {
                write!(f, "shard file {file}, term {term}: claims more than one xorb can hold")
            }
            ShardError::XorbOutOfBounds { xorb } => {
                write!(f, "shard xorb {xorb}: more chunks or bytes than a xorb can hold")
            }
            ShardError::TooManyChunkReferences => {
                write!(f, "the shard's terms reference more than {MAX_SHARD_CHUNK_REFERENCES} chunks")
            }
        }
    }
}

impl core::error::Error for ShardError {}

/// One term of a file: chunks `[chunk_start, chunk_end)` of a xorb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub xorb: XetHash,
    /// Sum of the term's uncompressed chunk sizes.
    pub raw_len: u32,
    pub chunk_start: u32,
    pub chunk_end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    pub hash: XetHash,
    pub terms: Vec<Term>,
    /// One verification (range) hash per term, when present.
    pub verification: Option<Vec<XetHash>>,
    /// SHA-256 of the file in normal byte order, when the metadata extension is present.
    pub sha256: Option<[u8; 32]>,
}

impl FileEntry {
    pub fn size(&self) -> u64 {
        self.terms.iter().map(|t| u64::from(t.raw_len)).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XorbChunk {
    /// Chunk hash; HMAC'd with the footer's key in dedup answers.
    pub hash: XetHash,
    /// Uncompressed offset of the chunk inside the xorb.
    pub raw_offset: u32,
    pub len: u32,
    /// Bit 31: eligible for global dedup (set by the server).
    pub flags: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XorbEntry {
    pub hash: XetHash,
    pub raw_len: u32,
    pub bytes_on_disk: u32,
    pub chunks: Vec<XorbChunk>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardFooter {
    /// Key that chunk hashes are HMAC'd with; zero when they are plain.
    pub chunk_hash_key: XetHash,
    pub creation_timestamp: u64,
    pub key_expiry: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Shard {
    pub files: Vec<FileEntry>,
    pub xorbs: Vec<XorbEntry>,
    pub footer: Option<ShardFooter>,
}

pub fn parse(bytes: &[u8]) -> Result<Shard, ShardError> {
    let mut r = Reader::new(bytes, ShardError::Truncated);
    if r.take(32)? != MAGIC {
        return Err(ShardError::BadMagic);
    }
    let version = r.u64()?;
    if version != HEADER_VERSION {
        return Err(ShardError::UnsupportedVersion(version));
    }
    let footer_size = r.u64()?;
    let footer = match footer_size {
        0 => None,
        200 => Some(parse_footer(bytes)?),
        _ => return Err(ShardError::BadFooter),
    };
    // Sections never reach into the footer.
    let body_end = bytes.len() - if footer.is_some() { FOOTER_LEN } else { 0 };
    let mut r = Reader::at(&bytes[..body_end], RECORD, ShardError::Truncated);

    let mut files = Vec::new();
    let mut chunk_references = 0u64;
    loop {
        let hash = r.hash()?;
        let flags = r.u32()?;
        let n = r.u32()? as usize;
        r.skip(8)?;
        if hash.0 == [0xff; 32] {
            break;
        }
        // Checked: on 32-bit targets (wasm32) 2n + 1 overflows for a crafted n.
        let records = n
            .checked_mul(if flags & FLAG_VERIFICATION != 0 { 2 } else { 1 })
            .and_then(|r| r.checked_add(usize::from(flags & FLAG_METADATA_EXT != 0)))
            .ok_or(ShardError::BadCount)?;
        check_records(&r, records)?;
        let mut terms = Vec::with_capacity(n);
        for index in 0..n {
            let term = Term {
                xorb: r.hash()?,
                raw_len: {
                    r.skip(4)?;
                    r.u32()?
                },
                chunk_start: r.u32()?,
                chunk_end: r.u32()?,
            };
            if term.chunk_end <= term.chunk_start {
                return Err(ShardError::BadTerm { file: files.len(), term: index });
            }
            let chunks = u64::from(term.chunk_end - term.chunk_start);
            let raw_len = u64::from(term.raw_len);
            if term.chunk_end as usize > MAX_XORB_CHUNKS
                || raw_len > MAX_XORB_BYTES as u64
                || raw_len < chunks
                || raw_len > chunks * MAX_CHUNK_SIZE as u64
            {
                return Err(ShardError::TermOutOfBounds { file: files.len(), term: index });
            }
            chunk_references += chunks;
            if chunk_references > MAX_SHARD_CHUNK_REFERENCES {
                return Err(ShardError::TooManyChunkReferences);
            }
            terms.push(term);
        }
        let verification = if flags & FLAG_VERIFICATION != 0 {
            let mut hashes = Vec::with_capacity(n);
            for _ in 0..n {
                hashes.push(r.hash()?);
                r.skip(16)?;
            }
            Some(hashes)
        } else {
            None
        };
        let sha256 = if flags & FLAG_METADATA_EXT != 0 {
            let stored = r.hash()?;
            r.skip(16)?;
            Some(stored.to_sha256())
        } else {
            None
        };
        files.push(FileEntry { hash, terms, verification, sha256 });
    }

    let mut xorbs = Vec::new();
    loop {
        let hash = r.hash()?;
        let _flags = r.u32()?;
        let n = r.u32()? as usize;
        let raw_len = r.u32()?;
        let bytes_on_disk = r.u32()?;
        if hash.0 == [0xff; 32] {
            break;
        }
        if n > MAX_XORB_CHUNKS || raw_len as usize > MAX_XORB_BYTES {
            return Err(ShardError::XorbOutOfBounds { xorb: xorbs.len() });
        }
        check_records(&r, n)?;
        let mut chunks = Vec::with_capacity(n);
        for _ in 0..n {
            chunks.push(XorbChunk { hash: r.hash()?, raw_offset: r.u32()?, len: r.u32()?, flags: r.u32()? });
            r.skip(4)?;
        }
        xorbs.push(XorbEntry { hash, raw_len, bytes_on_disk, chunks });
    }
    Ok(Shard { files, xorbs, footer })
}

fn parse_footer(bytes: &[u8]) -> Result<ShardFooter, ShardError> {
    if bytes.len() < RECORD + FOOTER_LEN {
        return Err(ShardError::Truncated);
    }
    let start = bytes.len() - FOOTER_LEN;
    let mut r = Reader::at(bytes, start, ShardError::Truncated);
    if r.u64()? != FOOTER_VERSION {
        return Err(ShardError::BadFooter);
    }
    r.skip(64)?; // section offsets and lookup-table sizes: not needed to read the sections in order
    let chunk_hash_key = r.hash()?;
    let creation_timestamp = r.u64()?;
    let key_expiry = r.u64()?;
    r.skip(48 + 24)?;
    if r.u64()? != start as u64 {
        return Err(ShardError::BadFooter);
    }
    Ok(ShardFooter { chunk_hash_key, creation_timestamp, key_expiry })
}

/// Serializes the upload form (§5.6): header with `footer_size = 0`, the file blocks (with
/// verification and SHA-256 entries where given) and the xorb blocks, each section closed by a
/// bookend.
pub fn write_upload(files: &[FileEntry], xorbs: &[XorbEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&HEADER_VERSION.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    for file in files {
        let mut flags = 0;
        if file.verification.is_some() {
            flags |= FLAG_VERIFICATION;
        }
        if file.sha256.is_some() {
            flags |= FLAG_METADATA_EXT;
        }
        record(&mut out, &file.hash, &[flags, file.terms.len() as u32, 0, 0]);
        for t in &file.terms {
            record(&mut out, &t.xorb, &[0, t.raw_len, t.chunk_start, t.chunk_end]);
        }
        for hash in file.verification.iter().flatten() {
            record(&mut out, hash, &[0; 4]);
        }
        if let Some(sha256) = &file.sha256 {
            record(&mut out, &XetHash::from_sha256(sha256), &[0; 4]);
        }
    }
    bookend(&mut out);
    for xorb in xorbs {
        record(&mut out, &xorb.hash, &[0, xorb.chunks.len() as u32, xorb.raw_len, xorb.bytes_on_disk]);
        for c in &xorb.chunks {
            record(&mut out, &c.hash, &[c.raw_offset, c.len, c.flags, 0]);
        }
    }
    bookend(&mut out);
    out
}

/// Serializes a global-dedup answer (§5.7): header with a footer, no files, the xorb blocks with
/// every chunk hash keyed by `footer.chunk_hash_key` (HMAC, §3.7; plain when the key is zero), and
/// the 200-byte footer without lookup tables.
pub fn write_dedup_answer(xorbs: &[XorbEntry], footer: &ShardFooter) -> Vec<u8> {
    let keyed = footer.chunk_hash_key != XetHash::ZERO;
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&HEADER_VERSION.to_le_bytes());
    out.extend_from_slice(&(FOOTER_LEN as u64).to_le_bytes());
    bookend(&mut out);
    let xorb_info_offset = out.len() as u64;
    for xorb in xorbs {
        record(&mut out, &xorb.hash, &[0, xorb.chunks.len() as u32, xorb.raw_len, xorb.bytes_on_disk]);
        for c in &xorb.chunks {
            let hash = if keyed { super::hash::hmac_chunk_hash(&c.hash, &footer.chunk_hash_key) } else { c.hash };
            record(&mut out, &hash, &[c.raw_offset, c.len, c.flags, 0]);
        }
    }
    bookend(&mut out);
    let footer_offset = out.len() as u64;
    let stored: u64 = xorbs.iter().map(|x| u64::from(x.bytes_on_disk)).sum();
    let materialized: u64 = xorbs.iter().map(|x| u64::from(x.raw_len)).sum();
    let words: [u64; 8] = [RECORD as u64, xorb_info_offset, footer_offset, 0, footer_offset, 0, footer_offset, 0];
    out.extend_from_slice(&FOOTER_VERSION.to_le_bytes());
    words.iter().for_each(|w| out.extend_from_slice(&w.to_le_bytes()));
    out.extend_from_slice(&footer.chunk_hash_key.0);
    out.extend_from_slice(&footer.creation_timestamp.to_le_bytes());
    out.extend_from_slice(&footer.key_expiry.to_le_bytes());
    out.extend_from_slice(&[0; 48]);
    for w in [stored, materialized, materialized, footer_offset] {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out
}

fn record(out: &mut Vec<u8>, hash: &XetHash, words: &[u32; 4]) {
    out.extend_from_slice(&hash.0);
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

fn bookend(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0xff; 32]);
    out.extend_from_slice(&[0; 16]);
}

type Reader<'a> = LeReader<'a, ShardError>;

/// Refuses record counts that cannot fit in the remaining bytes, before anything is allocated.
fn check_records(r: &Reader, records: usize) -> Result<(), ShardError> {
    let need = records.checked_mul(RECORD).ok_or(ShardError::BadCount)?;
    if need > r.remaining() {
        return Err(ShardError::BadCount);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(byte: u8) -> XetHash {
        XetHash([byte; 32])
    }

    fn sample() -> (Vec<FileEntry>, Vec<XorbEntry>) {
        let files = alloc::vec![FileEntry {
            hash: h(1),
            terms: alloc::vec![
                Term { xorb: h(2), raw_len: 300, chunk_start: 0, chunk_end: 2 },
                Term { xorb: h(3), raw_len: 50, chunk_start: 4, chunk_end: 5 },
            ],
            verification: Some(alloc::vec![h(4), h(5)]),
            sha256: Some([7; 32]),
        }];
        let xorbs = alloc::vec![XorbEntry {
            hash: h(2),
            raw_len: 300,
            bytes_on_disk: 316,
            chunks: alloc::vec![
                XorbChunk { hash: h(8), raw_offset: 0, len: 100, flags: 0 },
                XorbChunk { hash: h(9), raw_offset: 100, len: 200, flags: 0 },
            ],
        }];
        (files, xorbs)
    }

    #[test]
    fn upload_form_layout_and_round_trip() {
        let (files, xorbs) = sample();
        let bytes = write_upload(&files, &xorbs);
        // header + file header + 2 terms + 2 verification + 1 metadata + bookend + xorb header + 2 chunks + bookend
        assert_eq!(bytes.len(), 48 * (1 + 1 + 2 + 2 + 1 + 1 + 1 + 2 + 1));
        assert_eq!(&bytes[32..48], &[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "version 2, no footer");
        assert_eq!(&bytes[48 + 32..48 + 40], &[0, 0, 0, 0xc0, 2, 0, 0, 0], "both flags, two terms");
        let shard = parse(&bytes).unwrap();
        assert_eq!(shard.files, files);
        assert_eq!(shard.xorbs, xorbs);
        assert_eq!(shard.files[0].size(), 350);
        assert!(shard.footer.is_none());
    }

    #[test]
    fn corrupt_shards_are_typed_errors() {
        let (files, xorbs) = sample();
        let bytes = write_upload(&files, &xorbs);
        assert_eq!(parse(&bytes[..bytes.len() - 1]), Err(ShardError::Truncated));
        let mut bad = bytes.clone();
        bad[0] ^= 1;
        assert_eq!(parse(&bad), Err(ShardError::BadMagic));
        let mut huge = bytes.clone();
        huge[48 + 36..48 + 40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse(&huge), Err(ShardError::BadCount), "no allocation from a forged count");
        let mut reversed = bytes.clone();
        reversed[96 + 40..96 + 44].copy_from_slice(&9u32.to_le_bytes());
        assert_eq!(parse(&reversed), Err(ShardError::BadTerm { file: 0, term: 0 }));
        for cut in 0..bytes.len() {
            assert!(parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    // Terms and xorb entries may not claim more than one xorb holds: a 48-byte record naming
    // 4 billion chunks or bytes would otherwise set the size of later work.
    #[test]
    fn terms_and_xorbs_past_the_xorb_limits_are_refused() {
        let (files, xorbs) = sample();
        let bytes = write_upload(&files, &xorbs);
        let patched = |at: usize, value: u32| {
            let mut b = bytes.clone();
            b[at..at + 4].copy_from_slice(&value.to_le_bytes());
            parse(&b)
        };
        let term = ShardError::TermOutOfBounds { file: 0, term: 0 };
        assert_eq!(patched(96 + 44, MAX_XORB_CHUNKS as u32 + 1), Err(term), "chunk_end past 8192");
        let mut last = bytes.clone();
        last[96 + 36..96 + 40].copy_from_slice(&(MAX_XORB_CHUNKS as u32).to_le_bytes());
        last[96 + 44..96 + 48].copy_from_slice(&(MAX_XORB_CHUNKS as u32).to_le_bytes());
        assert_eq!(parse(&last).map(|s| s.files[0].terms[0].chunk_end), Ok(8192), "chunk 8191 is the last");
        assert_eq!(patched(96 + 36, MAX_XORB_BYTES as u32 + 1), Err(term), "raw_len past 64 MiB");
        assert_eq!(patched(96 + 36, 1), Err(term), "two chunks cannot hold one byte");
        assert_eq!(patched(96 + 36, 2 * MAX_CHUNK_SIZE as u32 + 1), Err(term), "nor more than 2 x 128 KiB");
        assert_eq!(patched(96 + 36, 2).map(|s| s.files[0].terms[0].raw_len), Ok(2));
        let xorb = ShardError::XorbOutOfBounds { xorb: 0 };
        assert_eq!(patched(384 + 36, MAX_XORB_CHUNKS as u32 + 1), Err(xorb), "more than 8192 chunks");
        assert_eq!(patched(384 + 40, MAX_XORB_BYTES as u32 + 1), Err(xorb), "more than 64 MiB");
    }

    // 2049 terms of 8192 chunks each: 98 KB of shard naming 16.8 million chunks.
    #[test]
    fn total_chunk_references_are_bounded() {
        let term = Term { xorb: h(2), raw_len: 8192, chunk_start: 0, chunk_end: 8192 };
        let file = |n| FileEntry { hash: h(1), terms: alloc::vec![term; n], verification: None, sha256: None };
        assert_eq!(parse(&write_upload(&[file(2049)], &[])), Err(ShardError::TooManyChunkReferences));
        assert_eq!(parse(&write_upload(&[file(2048)], &[])).map(|s| s.files[0].terms.len()), Ok(2048));
        let split = [file(1024), file(1025)];
        assert_eq!(parse(&write_upload(&split, &[])), Err(ShardError::TooManyChunkReferences), "counted across files");
    }

    #[test]
    fn dedup_answers_round_trip_and_key_their_chunk_hashes() {
        let plain = XetHash([5; 32]);
        let xorb = XorbEntry {
            hash: XetHash([1; 32]),
            raw_len: 30,
            bytes_on_disk: 46,
            chunks: alloc::vec![
                XorbChunk { hash: plain, raw_offset: 0, len: 10, flags: 0x8000_0000 },
                XorbChunk { hash: XetHash([6; 32]), raw_offset: 10, len: 20, flags: 0 },
            ],
        };
        let footer = ShardFooter {
            chunk_hash_key: XetHash([9; 32]),
            creation_timestamp: 1_700_000_000,
            key_expiry: 1_700_604_800,
        };
        let bytes = write_dedup_answer(core::slice::from_ref(&xorb), &footer);
        // Header, file bookend, xorb header + 2 chunks, bookend, footer.
        assert_eq!(bytes.len(), 48 * 6 + 200);
        assert_eq!(&bytes[40..48], &200u64.to_le_bytes());
        let parsed = parse(&bytes).unwrap();
        assert!(parsed.files.is_empty());
        assert_eq!(parsed.footer, Some(footer));
        assert_eq!(parsed.xorbs[0].chunks[0].hash, super::super::hash::hmac_chunk_hash(&plain, &footer.chunk_hash_key));
        assert_eq!(parsed.xorbs[0].chunks[1].raw_offset, 10);
    }
}
