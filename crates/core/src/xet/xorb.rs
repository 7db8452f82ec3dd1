//! Xorbs (spec §4): up to 8192 chunks / 64 MiB, each stored as an 8-byte header and its data,
//! compressed with LZ4 or byte grouping + LZ4 when that is smaller. Uploaded without footer;
//! stored xorbs may carry one, which [`parse_footer`] reads.

use alloc::vec::Vec;
use core::fmt;

use super::bg4;
use super::chunker::MAX_CHUNK_SIZE;
use super::hash::{chunk_hash, xorb_hash, XetHash};
use super::le_reader::LeReader;
use super::lz4_frame::{self, Lz4FrameError};

pub const MAX_XORB_BYTES: usize = 64 << 20;
pub const MAX_XORB_CHUNKS: usize = 8192;
pub const CHUNK_HEADER_LEN: usize = 8;
const FOOTER_IDENT: &[u8; 7] = b"XETBLOB";

/// How a chunk's bytes are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None = 0,
    Lz4 = 1,
    ByteGrouping4Lz4 = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XorbError {
    Truncated {
        offset: usize,
    },
    UnsupportedVersion {
        offset: usize,
        version: u8,
    },
    UnknownCompression {
        offset: usize,
        scheme: u8,
    },
    ChunkTooLarge {
        offset: usize,
        len: usize,
    },
    Lz4 {
        offset: usize,
        error: Lz4FrameError,
    },
    /// A stored chunk's length disagrees with its header.
    LengthMismatch {
        offset: usize,
    },
    /// A chunk's content does not hash to the expected chunk hash.
    ChunkHashMismatch {
        index: usize,
    },
    /// The chunks do not hash to the expected xorb hash.
    XorbHashMismatch {
        actual: XetHash,
    },
    /// More than [`MAX_XORB_CHUNKS`] chunks (in the data, or claimed by a footer).
    TooManyChunks {
        offset: usize,
    },
    /// The chunks decode to more than [`MAX_XORB_BYTES`].
    TooLarge {
        offset: usize,
    },
    /// The footer's layout is not V0 or V1 (spec §4.5).
    BadFooter,
}

impl fmt::Display for XorbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XorbError::Truncated { offset } => write!(f, "xorb cut short at byte {offset}"),
            XorbError::UnsupportedVersion { offset, version } => {
                write!(f, "xorb chunk at byte {offset} has unsupported version {version}")
            }
            XorbError::UnknownCompression { offset, scheme } => {
                write!(f, "xorb chunk at byte {offset} has unknown compression scheme {scheme}")
            }
            XorbError::ChunkTooLarge { offset, len } => {
                write!(f, "xorb chunk at byte {offset} claims {len} bytes, more than a chunk can hold")
            }
            XorbError::Lz4 { offset, error } => write!(f, "xorb chunk at byte {offset}: {error}"),
            XorbError::LengthMismatch { offset } => {
                write!(f, "xorb chunk at byte {offset} is not as long as its header says")
            }
            XorbError::ChunkHashMismatch { index } => write!(f, "xorb chunk {index} does not have the expected hash"),
            XorbError::XorbHashMismatch { actual } => {
                write!(f, "the xorb's chunks hash to {actual}, not the expected hash")
            }
            XorbError::TooManyChunks { offset } => {
                write!(f, "xorb has more than {MAX_XORB_CHUNKS} chunks (at byte {offset})")
            }
            XorbError::TooLarge { offset } => {
                write!(f, "xorb decodes to more than {MAX_XORB_BYTES} bytes (at byte {offset})")
            }
            XorbError::BadFooter => f.write_str("the xorb footer is malformed"),
        }
    }
}

impl core::error::Error for XorbError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            XorbError::Lz4 { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Serializes one chunk (header + data), choosing the smallest of LZ4, BG4+LZ4 and raw. BG4+LZ4
/// is only tried when [`bg4_promising`] says so (xet-core predicts it too, rather than trying
/// both), and LZ4 only when a probe of the chunk's start compresses: random or already
/// compressed data costs a fraction of a compression instead of two.
pub fn encode_chunk(data: &[u8], out: &mut Vec<u8>) -> Compression {
    debug_assert!(data.len() <= MAX_CHUNK_SIZE);
    let grouped = if bg4_promising(data) { lz4_frame::compress(&bg4::split(data)) } else { Vec::new() };
    if grouped.is_empty() && !lz4_probe_shrinks(data) {
        // Random or already-compressed bytes: stored as they are, without a full LZ4 attempt.
        write_chunk_header(out, data.len(), Compression::None, data.len());
        out.extend_from_slice(data);
        return Compression::None;
    }
    let lz4 = lz4_frame::compress(data);
    let (scheme, stored): (Compression, &[u8]) =
        if !grouped.is_empty() && grouped.len() < lz4.len() && grouped.len() < data.len() {
            (Compression::ByteGrouping4Lz4, &grouped)
        } else if lz4.len() < data.len() {
            (Compression::Lz4, &lz4)
        } else {
            (Compression::None, data)
        };
    write_chunk_header(out, stored.len(), scheme, data.len());
    out.extend_from_slice(stored);
    scheme
}

/// Whether grouping bytes by their position mod 4 may help: some byte lane is far from uniform
/// (the exponent bytes of floats, the high bytes of small integers). On uniform lanes, such as
/// random or already-compressed data, grouping cannot create redundancy.
pub fn bg4_promising(data: &[u8]) -> bool {
    if data.len() < 1024 {
        return false;
    }
    // The first 4 KiB are a large enough sample: 1024 values a lane, where a uniform lane's most
    // common value is seen ~4 times (rarely over 15) and the test below asks for 128. A larger
    // sample cost ~3% of an upload's CPU, for a choice that only sets the upload size, never a hash.
    let sample = &data[..data.len().min(4 << 10)];
    let mut counts = [[0u32; 256]; 4];
    for quad in sample.chunks_exact(4) {
        counts[0][usize::from(quad[0])] += 1;
        counts[1][usize::from(quad[1])] += 1;
        counts[2][usize::from(quad[2])] += 1;
        counts[3][usize::from(quad[3])] += 1;
    }
    let per_lane = (sample.len() / 4) as u32;
    // Uniform lanes peak near per_lane/256; one value taking an eighth of a lane is far off that.
    counts.iter().any(|lane| lane.iter().copied().max().unwrap_or(0) > per_lane / 8)
}

/// LZ4 on the chunk's first 4 KiB saves at least 2%: a cheap test that skips the full attempt
/// on incompressible chunks (the choice only changes upload size, never a hash).
fn lz4_probe_shrinks(data: &[u8]) -> bool {
    const PROBE: usize = 4 << 10;
    if data.len() <= 2 * PROBE {
        return true; // small chunks: the full attempt is cheap anyway
    }
    let sample = &data[..PROBE];
    lz4_frame::compress(sample).len() < sample.len() - sample.len() / 50
}

fn write_chunk_header(out: &mut Vec<u8>, stored_len: usize, scheme: Compression, raw_len: usize) {
    out.push(0); // version
    out.extend_from_slice(&(stored_len as u32).to_le_bytes()[..3]);
    out.push(scheme as u8);
    out.extend_from_slice(&(raw_len as u32).to_le_bytes()[..3]);
}

/// Most room [`XorbBuilder::take_bytes`] reserves for the bytes after those it hands out.
const MAX_KEPT_ROOM: usize = 2 << 20;

/// A xorb being filled, and the finished result.
#[derive(Clone, Debug)]
pub struct XorbBuilder {
    /// Largest serialized (and raw) size this xorb grows to: [`MAX_XORB_BYTES`] unless the
    /// caller bounds its memory with smaller xorbs ([`XorbBuilder::with_max_bytes`]).
    max_bytes: usize,
    /// Serialized chunks not yet handed out by [`XorbBuilder::take_bytes`].
    bytes: Vec<u8>,
    /// Serialized bytes already handed out.
    taken: usize,
    chunks: Vec<(XetHash, u64)>,
    /// Serialized start offset of each chunk.
    offsets: Vec<u32>,
    raw_len: usize,
}

/// A complete xorb: its hash, upload body and chunk list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xorb {
    pub hash: XetHash,
    /// Serialized chunks, no footer: the body of `POST /v1/xorbs/default/{hash}` — or its tail,
    /// after the bytes taken while it was built ([`XorbBuilder::take_bytes`]).
    pub bytes: Vec<u8>,
    pub chunks: Vec<(XetHash, u64)>,
    /// Serialized start offset of each chunk, plus the total length at the end.
    pub offsets: Vec<u32>,
}

impl Xorb {
    /// The whole upload body's length (also when some of it was taken while building).
    pub fn serialized_len(&self) -> usize {
        self.offsets.last().map_or(0, |&n| n as usize)
    }
}

impl Default for XorbBuilder {
    fn default() -> Self {
        Self::with_max_bytes(MAX_XORB_BYTES)
    }
}

/// The smallest xorb size [`XorbBuilder::with_max_bytes`] accepts: one chunk at its largest.
pub const MIN_XORB_BYTES: usize = 1 << 20;

impl XorbBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder whose xorb closes before it passes `max_bytes` (clamped to
    /// [`MIN_XORB_BYTES`]..=[`MAX_XORB_BYTES`]). Any size is valid for the CAS; smaller xorbs
    /// mean less memory held per xorb and more requests. Hashes of files do not change.
    pub fn with_max_bytes(max_bytes: usize) -> Self {
        XorbBuilder {
            max_bytes: max_bytes.clamp(MIN_XORB_BYTES, MAX_XORB_BYTES),
            bytes: Vec::new(),
            taken: 0,
            chunks: Vec::new(),
            offsets: Vec::new(),
            raw_len: 0,
        }
    }

    /// The size this builder's xorb stays under.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Whether a chunk of `len` bytes still fits under every limit (count, raw and serialized size,
    /// counting the worst case of a stored chunk).
    pub fn fits(&self, len: usize) -> bool {
        self.chunks.len() < MAX_XORB_CHUNKS
            && self.raw_len + len <= self.max_bytes
            && self.serialized_len() + CHUNK_HEADER_LEN + len <= self.max_bytes
    }

    /// Serialized length so far, taken or not.
    pub fn serialized_len(&self) -> usize {
        self.taken + self.bytes.len()
    }

    /// The serialized bytes written since the last call, so a caller can move them out of this
    /// memory while the xorb fills; the finished [`Xorb`] then holds only the rest.
    pub fn take_bytes(&mut self) -> Vec<u8> {
        self.taken += self.bytes.len();
        // The next bytes get room like the last ones' (capped: one large take need not be held
        // twice), so a caller taking them every block does not regrow a buffer each time.
        let room = self.bytes.capacity().min(MAX_KEPT_ROOM);
        core::mem::replace(&mut self.bytes, Vec::with_capacity(room))
    }

    /// Appends a chunk; the caller checks [`XorbBuilder::fits`] first. Returns its index.
    pub fn push(&mut self, hash: XetHash, data: &[u8]) -> u32 {
        debug_assert!(self.fits(data.len()));
        self.offsets.push(self.serialized_len() as u32);
        encode_chunk(data, &mut self.bytes);
        self.chunks.push((hash, data.len() as u64));
        self.raw_len += data.len();
        (self.chunks.len() - 1) as u32
    }

    pub fn finish(self) -> Xorb {
        let mut offsets = self.offsets;
        offsets.push((self.taken + self.bytes.len()) as u32);
        Xorb { hash: xorb_hash(&self.chunks), bytes: self.bytes, chunks: self.chunks, offsets }
    }
}

/// One decoded chunk header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkHeader {
    pub stored_len: usize,
    pub compression: Compression,
    pub raw_len: usize,
}

/// Reads the header at the start of `bytes`; `None` at a footer or the end. `offset` is only
/// used in error positions.
pub fn parse_chunk_header(bytes: &[u8], offset: usize) -> Result<Option<ChunkHeader>, XorbError> {
    if bytes.is_empty() || bytes.starts_with(FOOTER_IDENT) {
        return Ok(None);
    }
    if bytes.len() < CHUNK_HEADER_LEN {
        return Err(XorbError::Truncated { offset });
    }
    if bytes[0] != 0 {
        return Err(XorbError::UnsupportedVersion { offset, version: bytes[0] });
    }
    let u24 = |b: &[u8]| usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16;
    let compression = match bytes[4] {
        0 => Compression::None,
        1 => Compression::Lz4,
        2 => Compression::ByteGrouping4Lz4,
        scheme => return Err(XorbError::UnknownCompression { offset, scheme }),
    };
    let header = ChunkHeader { stored_len: u24(&bytes[1..4]), compression, raw_len: u24(&bytes[5..8]) };
    if header.raw_len > MAX_CHUNK_SIZE || header.stored_len > 2 * MAX_CHUNK_SIZE {
        return Err(XorbError::ChunkTooLarge { offset, len: header.raw_len.max(header.stored_len) });
    }
    Ok(Some(header))
}

/// Decodes the chunk data that follows `header`.
pub fn decode_chunk_data(header: &ChunkHeader, stored: &[u8], offset: usize) -> Result<Vec<u8>, XorbError> {
    let lz4 =
        |data: &[u8]| lz4_frame::decompress(data, header.raw_len).map_err(|error| XorbError::Lz4 { offset, error });
    match header.compression {
        Compression::None if stored.len() == header.raw_len => Ok(stored.to_vec()),
        Compression::None => Err(XorbError::LengthMismatch { offset }),
        Compression::Lz4 => lz4(stored),
        Compression::ByteGrouping4Lz4 => Ok(bg4::join(&lz4(stored)?)),
    }
}

/// Iterates over the serialized chunks of a xorb (or of a fetched range of one), decoding each.
/// A xorb holds at most [`MAX_XORB_CHUNKS`] chunks and [`MAX_XORB_BYTES`] decoded bytes, so the
/// reader stops with an error before decoding a chunk past either limit: a crafted xorb of tiny
/// LZ4 frames cannot make it expand megabytes into gigabytes.
pub struct ChunkReader<'a> {
    bytes: &'a [u8],
    offset: usize,
    chunks: usize,
    decoded: usize,
}

impl<'a> ChunkReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0, chunks: 0, decoded: 0 }
    }

    /// Offset of the next chunk in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl Iterator for ChunkReader<'_> {
    type Item = Result<Vec<u8>, XorbError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.bytes[self.offset..];
        let header = match parse_chunk_header(rest, self.offset) {
            Ok(Some(header)) => header,
            Ok(None) => return None,
            Err(e) => {
                self.offset = self.bytes.len();
                return Some(Err(e));
            }
        };
        let offset = self.offset;
        let limit = if self.chunks == MAX_XORB_CHUNKS {
            Some(XorbError::TooManyChunks { offset })
        } else if self.decoded + header.raw_len > MAX_XORB_BYTES {
            Some(XorbError::TooLarge { offset })
        } else {
            None
        };
        if let Some(error) = limit {
            self.offset = self.bytes.len();
            return Some(Err(error));
        }
        let end = CHUNK_HEADER_LEN + header.stored_len;
        if rest.len() < end {
            self.offset = self.bytes.len();
            return Some(Err(XorbError::Truncated { offset }));
        }
        self.chunks += 1;
        self.decoded += header.raw_len;
        let result = decode_chunk_data(&header, &rest[CHUNK_HEADER_LEN..end], self.offset);
        self.offset = if result.is_ok() { self.offset + end } else { self.bytes.len() };
        Some(result)
    }
}

/// Decodes a whole xorb and checks it hashes to `expected`; returns the chunks' contents.
pub fn decode_and_verify(bytes: &[u8], expected: &XetHash) -> Result<Vec<Vec<u8>>, XorbError> {
    Ok(decode_and_verify_hashed(bytes, expected)?.into_iter().map(|(chunk, _)| chunk).collect())
}

/// [`decode_and_verify`], keeping each chunk's hash and length (computed to check the xorb's
/// hash): a server indexing the xorb needs them and need not hash every chunk a second time.
pub fn decode_and_verify_hashed(bytes: &[u8], expected: &XetHash) -> Result<Vec<(Vec<u8>, XetHash)>, XorbError> {
    let chunks = ChunkReader::new(bytes).collect::<Result<Vec<_>, _>>()?;
    let list: Vec<(XetHash, u64)> = chunks.iter().map(|c| (chunk_hash(c), c.len() as u64)).collect();
    let actual = xorb_hash(&list);
    if actual != *expected {
        return Err(XorbError::XorbHashMismatch { actual });
    }
    Ok(chunks.into_iter().zip(list).map(|(chunk, (hash, _))| (chunk, hash)).collect())
}

/// Decodes chunks and checks each against its known hash (e.g. from a shard).
pub fn decode_with_hashes(bytes: &[u8], hashes: &[XetHash]) -> Result<Vec<Vec<u8>>, XorbError> {
    let mut out = Vec::with_capacity(hashes.len());
    for (index, chunk) in ChunkReader::new(bytes).enumerate() {
        let chunk = chunk?;
        if hashes.get(index) != Some(&chunk_hash(&chunk)) {
            return Err(XorbError::ChunkHashMismatch { index });
        }
        out.push(chunk);
    }
    if out.len() != hashes.len() {
        return Err(XorbError::ChunkHashMismatch { index: out.len() });
    }
    Ok(out)
}

/// The footer of a stored xorb (§4.5), V1 or legacy V0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XorbFooter {
    pub hash: XetHash,
    pub chunk_hashes: Vec<XetHash>,
    /// Serialized end offset of each chunk.
    pub chunk_ends: Vec<u32>,
    /// Uncompressed end offset of each chunk (V1 only; empty for V0).
    pub raw_ends: Vec<u32>,
}

/// Parses the footer at the end of a stored xorb; returns it and where it starts.
pub fn parse_footer(bytes: &[u8]) -> Result<(XorbFooter, usize), XorbError> {
    let bad = XorbError::BadFooter;
    let n_total = bytes.len();
    let info_len =
        u32::from_le_bytes(bytes.get(n_total.checked_sub(4).ok_or(bad)?..).ok_or(bad)?.try_into().map_err(|_| bad)?)
            as usize;
    let start = info_len.checked_add(4).and_then(|len| n_total.checked_sub(len)).ok_or(bad)?;
    let mut r = LeReader::new(&bytes[start..n_total - 4], XorbError::BadFooter);
    if r.take(7)? != FOOTER_IDENT {
        return Err(bad);
    }
    let version = r.take(1)?[0];
    let hash = r.hash()?;
    let footer = match version {
        1 => {
            if r.take(7)? != b"XBLBHSH" || r.take(1)?[0] != 0 {
                return Err(bad);
            }
            let n = r.u32()? as usize;
            if n > MAX_XORB_CHUNKS {
                return Err(XorbError::TooManyChunks { offset: start });
            }
            if info_len != 92 + 40 * n {
                return Err(bad);
            }
            let chunk_hashes = (0..n).map(|_| r.hash()).collect::<Result<Vec<_>, _>>()?;
            if r.take(7)? != b"XBLBBND" || r.take(1)?[0] != 1 || r.u32()? as usize != n {
                return Err(bad);
            }
            let chunk_ends = (0..n).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
            let raw_ends = (0..n).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
            if r.u32()? as usize != n {
                return Err(bad);
            }
            XorbFooter { hash, chunk_hashes, chunk_ends, raw_ends }
        }
        0 => {
            let n = r.u32()? as usize;
            if n > MAX_XORB_CHUNKS {
                return Err(XorbError::TooManyChunks { offset: start });
            }
            if info_len != 60 + 36 * n {
                return Err(bad);
            }
            let chunk_ends = (0..n).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
            let chunk_hashes = (0..n).map(|_| r.hash()).collect::<Result<Vec<_>, _>>()?;
            XorbFooter { hash, chunk_hashes, chunk_ends, raw_ends: Vec::new() }
        }
        _ => return Err(bad),
    };
    Ok((footer, start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::hash_file;
    use crate::xet::test_data::splitmix64_bytes;
    use crate::xet::BoundaryRule;

    fn build(chunks: &[&[u8]]) -> Xorb {
        let mut builder = XorbBuilder::new();
        for c in chunks {
            assert!(builder.fits(c.len()));
            builder.push(chunk_hash(c), c);
        }
        builder.finish()
    }

    #[test]
    fn bg4_is_predicted_for_floats_not_for_random_bytes() {
        let floats: Vec<u8> = (0..16_384u32).flat_map(|i| (1.0f32 + i as f32 * 1e-4).to_le_bytes()).collect();
        let halves: Vec<u8> = (0..30_000u16).flat_map(|i| (i % 1000).to_le_bytes()).collect();
        assert!(bg4_promising(&floats));
        assert!(bg4_promising(&halves));
        assert!(!bg4_promising(&splitmix64_bytes(2, 100_000)));
        assert!(!bg4_promising(b"short"));
    }

    #[test]
    fn round_trip_with_every_compression() {
        let random = splitmix64_bytes(1, 70_000);
        let text: Vec<u8> = b"0123456789abcdef".iter().copied().cycle().take(65_536).collect();
        let floats: Vec<u8> = (0..16_384u32).flat_map(|i| (1.0f32 + i as f32 * 1e-4).to_le_bytes()).collect();
        let xorb = build(&[&random, &text, &floats, b"tiny"]);
        let schemes: Vec<u8> = xorb.offsets[..4].iter().map(|&o| xorb.bytes[o as usize + 4]).collect();
        assert_eq!(schemes[0], Compression::None as u8, "random data is stored");
        assert_eq!(schemes[1], Compression::Lz4 as u8, "text compresses with LZ4");
        assert_eq!(schemes[2], Compression::ByteGrouping4Lz4 as u8, "floats compress better grouped");
        let decoded = decode_and_verify(&xorb.bytes, &xorb.hash).unwrap();
        assert_eq!(decoded, [random, text, floats, b"tiny".to_vec()]);
        let hashes: Vec<XetHash> = xorb.chunks.iter().map(|c| c.0).collect();
        assert_eq!(decode_with_hashes(&xorb.bytes, &hashes).unwrap().len(), 4);
        // The hashed variant gives the same chunks, each with the hash the xorb was built from.
        let hashed = decode_and_verify_hashed(&xorb.bytes, &xorb.hash).unwrap();
        assert_eq!(hashed.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(), decoded);
        assert_eq!(hashed.iter().map(|(_, h)| *h).collect::<Vec<_>>(), hashes);
        let mut tampered = xorb.bytes.clone();
        tampered[xorb.offsets[0] as usize + CHUNK_HEADER_LEN] ^= 1;
        assert!(matches!(decode_and_verify_hashed(&tampered, &xorb.hash), Err(XorbError::XorbHashMismatch { .. })));
    }

    #[test]
    fn xorb_hash_of_a_file_in_one_xorb_is_its_chunk_aggregate() {
        let data = splitmix64_bytes(0, 1_000_000);
        let digest = hash_file(&data, BoundaryRule::Current);
        let mut start = 0;
        let pieces: Vec<&[u8]> = digest
            .chunks
            .iter()
            .map(|(_, len)| {
                let piece = &data[start..start + *len as usize];
                start += *len as usize;
                piece
            })
            .collect();
        let xorb = build(&pieces);
        assert_eq!(xorb.chunks, digest.chunks);
        assert_eq!(xorb.hash, xorb_hash(&digest.chunks));
    }

    #[test]
    fn tampered_or_truncated_xorbs_are_typed_errors() {
        let text: Vec<u8> = b"hello xorb ".iter().copied().cycle().take(20_000).collect();
        let random = splitmix64_bytes(5, 10_000); // stored raw, so a flipped byte still decodes
        let xorb = build(&[&text, &random]);
        let mut tampered = xorb.bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0xff;
        assert!(matches!(decode_and_verify(&tampered, &xorb.hash), Err(XorbError::XorbHashMismatch { .. })));
        let mut broken_frame = xorb.bytes.clone();
        broken_frame[CHUNK_HEADER_LEN + 12] ^= 0xff; // inside the first chunk's LZ4 frame
        assert!(decode_and_verify(&broken_frame, &xorb.hash).is_err());
        assert!(matches!(
            decode_and_verify(&xorb.bytes[..xorb.bytes.len() - 5], &xorb.hash),
            Err(XorbError::Truncated { .. })
        ));
        let mut bad_scheme = xorb.bytes.clone();
        bad_scheme[4] = 7;
        assert_eq!(
            decode_and_verify(&bad_scheme, &xorb.hash),
            Err(XorbError::UnknownCompression { offset: 0, scheme: 7 })
        );
        let hashes = [xorb.chunks[1].0, xorb.chunks[0].0];
        assert_eq!(decode_with_hashes(&xorb.bytes, &hashes), Err(XorbError::ChunkHashMismatch { index: 0 }));
    }

    // Issue #8: 8.7 MB of tiny LZ4 frames used to decode to 2 GB. The reader now refuses the
    // chunk that would pass 64 MiB, before decoding it.
    #[test]
    fn decoding_stops_at_64_mib_unpacked() {
        let mut one = Vec::new();
        assert_eq!(encode_chunk(&[0u8; MAX_CHUNK_SIZE], &mut one), Compression::Lz4);
        assert!(one.len() < 1024, "a 128 KiB zero chunk compresses to {} bytes", one.len());
        let crafted = one.repeat(16_384);
        let mut decoded = 0;
        let mut reader = ChunkReader::new(&crafted);
        let error = loop {
            match reader.next() {
                Some(Ok(chunk)) => decoded += chunk.len(),
                Some(Err(error)) => break error,
                None => panic!("a 2 GiB xorb decoded"),
            }
        };
        assert_eq!(decoded, MAX_XORB_BYTES);
        assert_eq!(error, XorbError::TooLarge { offset: 512 * one.len() });
        assert_eq!(reader.next(), None, "the reader stops after an error");
    }

    #[test]
    fn decoding_stops_after_8192_chunks() {
        let mut one = Vec::new();
        encode_chunk(b"x", &mut one);
        let crafted = one.repeat(MAX_XORB_CHUNKS + 1);
        assert_eq!(
            decode_and_verify(&crafted, &XetHash::ZERO),
            Err(XorbError::TooManyChunks { offset: MAX_XORB_CHUNKS * one.len() })
        );
        let fine = one.repeat(MAX_XORB_CHUNKS);
        assert_eq!(ChunkReader::new(&fine).filter(Result::is_ok).count(), MAX_XORB_CHUNKS);
    }

    #[test]
    fn footers_claiming_too_many_chunks_have_their_own_error() {
        let mut info = Vec::new();
        info.extend_from_slice(FOOTER_IDENT);
        info.push(0);
        info.extend_from_slice(&[0u8; 32]);
        info.extend_from_slice(&(MAX_XORB_CHUNKS as u32 + 1).to_le_bytes());
        let mut bytes = info.clone();
        bytes.extend_from_slice(&(info.len() as u32).to_le_bytes());
        assert_eq!(parse_footer(&bytes), Err(XorbError::TooManyChunks { offset: 0 }));
        assert_eq!(parse_footer(&u32::MAX.to_le_bytes()), Err(XorbError::BadFooter));
        assert_eq!(parse_footer(&[1, 2]), Err(XorbError::BadFooter));
    }

    #[test]
    fn limits_are_enforced_by_fits() {
        let mut builder = XorbBuilder::new();
        let chunk = [0u8; 16];
        for _ in 0..MAX_XORB_CHUNKS {
            builder.push(chunk_hash(&chunk), &chunk);
        }
        assert!(!builder.fits(16), "8192 chunks at most");
        assert!(!XorbBuilder::new().fits(MAX_XORB_BYTES + 1));
    }
}
