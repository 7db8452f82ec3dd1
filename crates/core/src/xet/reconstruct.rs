//! File reconstruction (spec §6.4): from the CAS answer (V1 or V2 JSON) to the list of byte ranges
//! to fetch, and an [`Assembler`] that is fed those ranges in any order and hands back the file's
//! bytes in order. Sans-I/O: the caller does the HTTP.
//!
//! Memory: a fetched range is decoded when it arrives and dropped as soon as the last term that
//! reads it has been emitted, so a caller fetching in term order holds about one range at a time.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use serde::Deserialize;

use super::chunker::MAX_CHUNK_SIZE;
use super::hash::{chunk_hash, file_hash, XetHash};
use super::xorb::{ChunkReader, XorbError, CHUNK_HEADER_LEN, MAX_XORB_BYTES, MAX_XORB_CHUNKS};
// The splitter of multi-range fetch answers lives with the other HTTP code; reachable here too.
pub use crate::http::multipart::{split_byteranges, BytePart, MultipartError};

/// Chunk indices `[start, end)` inside a xorb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct ChunkRange {
    pub start: u32,
    pub end: u32,
}

/// Byte offsets `[start, end]` (both inclusive, like an HTTP `Range`) into a serialized xorb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

#[allow(clippy::len_without_is_empty)] // an inclusive range is never empty
impl ByteRange {
    pub fn len(&self) -> u64 {
        // Saturating: parsed ranges are checked, but the fields are public.
        self.end.saturating_sub(self.start).saturating_add(1)
    }
}

/// One term of the file: chunks `chunks` of xorb `xorb`, `unpacked_length` bytes once decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconstructionTerm {
    pub xorb: XetHash,
    pub unpacked_length: u32,
    pub chunks: ChunkRange,
}

/// A run of serialized chunks to fetch: `bytes` of the xorb hold exactly chunks `chunks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct FetchRange {
    pub chunks: ChunkRange,
    pub bytes: ByteRange,
}

/// One presigned URL and the ranges to request from it in a single `Range` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XorbFetch {
    pub xorb: XetHash,
    pub url: String,
    pub ranges: Vec<FetchRange>,
}

impl XorbFetch {
    /// The `Range` header value: every range of this URL in order (the signature covers exactly
    /// this set).
    pub fn range_header(&self) -> String {
        let mut out = String::from("bytes=");
        for (i, r) in self.ranges.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(out, "{sep}{}-{}", r.bytes.start, r.bytes.end);
        }
        out
    }
}

/// A reconstruction answer, V1 and V2 brought to one shape (V1 has one range per URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconstruction {
    pub offset_into_first_range: u64,
    pub terms: Vec<ReconstructionTerm>,
    pub fetches: Vec<XorbFetch>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReconstructionError {
    /// The answer is not valid JSON of the expected shape.
    Json {
        line: usize,
        column: usize,
    },
    BadHash,
    /// A chunk or byte range is empty or reversed, or a term claims more bytes than its chunks can hold.
    BadRange,
    /// No fetch range covers this term.
    Uncovered {
        term: usize,
    },
    /// `accept` was called for a fetch or range that does not exist.
    UnknownRange {
        fetch: usize,
        range: usize,
    },
    /// A fetched range is not as long as announced.
    RangeLength {
        fetch: usize,
        range: usize,
        expected: u64,
        actual: u64,
    },
    /// A fetched range does not decode to the announced number of chunks.
    ChunkCount {
        fetch: usize,
        range: usize,
        expected: u32,
        actual: u32,
    },
    Xorb {
        fetch: usize,
        range: usize,
        error: XorbError,
    },
    /// A term's decoded bytes disagree with its `unpacked_length`.
    TermLength {
        term: usize,
        expected: u32,
        actual: u64,
    },
    /// The assembled file does not hash to the requested file hash.
    FileHashMismatch {
        actual: XetHash,
    },
    /// `finish` was called before every term was emitted.
    Incomplete {
        next_term: usize,
    },
}

impl core::fmt::Display for ReconstructionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReconstructionError::Json { line, column } => {
                write!(f, "reconstruction answer is not the expected JSON (line {line}, column {column})")
            }
            ReconstructionError::BadHash => f.write_str("reconstruction answer has a malformed hash"),
            ReconstructionError::BadRange => {
                f.write_str("reconstruction answer has an empty, reversed or oversized range")
            }
            ReconstructionError::Uncovered { term } => write!(f, "no fetch range covers term {term}"),
            ReconstructionError::UnknownRange { fetch, range } => {
                write!(f, "there is no range {range} in fetch {fetch}")
            }
            ReconstructionError::RangeLength { fetch, range, expected, actual } => {
                write!(f, "fetch {fetch} range {range}: {actual} bytes instead of {expected}")
            }
            ReconstructionError::ChunkCount { fetch, range, expected, actual } => {
                write!(f, "fetch {fetch} range {range}: {actual} chunks instead of {expected}")
            }
            ReconstructionError::Xorb { fetch, range, error } => write!(f, "fetch {fetch} range {range}: {error}"),
            ReconstructionError::TermLength { term, expected, actual } => {
                write!(f, "term {term} decodes to {actual} bytes instead of {expected}")
            }
            ReconstructionError::FileHashMismatch { actual } => {
                write!(f, "the reconstructed file hashes to {actual}, not the requested hash")
            }
            ReconstructionError::Incomplete { next_term } => {
                write!(f, "reconstruction finished early: term {next_term} was not emitted")
            }
        }
    }
}

impl core::error::Error for ReconstructionError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ReconstructionError::Xorb { error, .. } => Some(error),
            _ => None,
        }
    }
}

// The wire shapes, only used while parsing.
#[derive(Deserialize)]
struct WireTerm {
    hash: String,
    unpacked_length: u32,
    range: ChunkRange,
}

#[derive(Deserialize)]
struct WireV2 {
    offset_into_first_range: u64,
    terms: Vec<WireTerm>,
    xorbs: BTreeMap<String, Vec<WireV2Fetch>>,
}

#[derive(Deserialize)]
struct WireV2Fetch {
    url: String,
    ranges: Vec<FetchRange>,
}

#[derive(Deserialize)]
struct WireV1 {
    offset_into_first_range: u64,
    terms: Vec<WireTerm>,
    fetch_info: BTreeMap<String, Vec<WireV1Fetch>>,
}

#[derive(Deserialize)]
struct WireV1Fetch {
    range: ChunkRange,
    url: String,
    url_range: ByteRange,
}

fn json_error(e: serde_json::Error) -> ReconstructionError {
    ReconstructionError::Json { line: e.line(), column: e.column() }
}

fn hash(s: &str) -> Result<XetHash, ReconstructionError> {
    XetHash::from_hex(s).map_err(|_| ReconstructionError::BadHash)
}

fn terms(wire: Vec<WireTerm>) -> Result<Vec<ReconstructionTerm>, ReconstructionError> {
    wire.into_iter()
        .map(|t| Ok(ReconstructionTerm { xorb: hash(&t.hash)?, unpacked_length: t.unpacked_length, chunks: t.range }))
        .collect()
}

impl Reconstruction {
    /// Parses `GET /v2/reconstructions/{file_hash}`.
    pub fn parse_v2(json: &[u8]) -> Result<Self, ReconstructionError> {
        let wire: WireV2 = serde_json::from_slice(json).map_err(json_error)?;
        let mut fetches = Vec::new();
        for (xorb, entries) in wire.xorbs {
            let xorb = hash(&xorb)?;
            for e in entries {
                fetches.push(XorbFetch { xorb, url: e.url, ranges: e.ranges });
            }
        }
        let rec = Self { offset_into_first_range: wire.offset_into_first_range, terms: terms(wire.terms)?, fetches };
        rec.validate()?;
        Ok(rec)
    }

    /// Parses the deprecated `GET /v1/reconstructions/{file_hash}`.
    pub fn parse_v1(json: &[u8]) -> Result<Self, ReconstructionError> {
        let wire: WireV1 = serde_json::from_slice(json).map_err(json_error)?;
        let mut fetches = Vec::new();
        for (xorb, entries) in wire.fetch_info {
            let xorb = hash(&xorb)?;
            for e in entries {
                let ranges = alloc::vec![FetchRange { chunks: e.range, bytes: e.url_range }];
                fetches.push(XorbFetch { xorb, url: e.url, ranges });
            }
        }
        let rec = Self { offset_into_first_range: wire.offset_into_first_range, terms: terms(wire.terms)?, fetches };
        rec.validate()?;
        Ok(rec)
    }

    fn validate(&self) -> Result<(), ReconstructionError> {
        // Chunk indices live inside one xorb: at most 8192 of them.
        let chunks_ok = |c: &ChunkRange| c.start < c.end && c.end as usize <= MAX_XORB_CHUNKS;
        for t in &self.terms {
            let max = u64::from(t.chunks.end - t.chunks.start.min(t.chunks.end)) * MAX_CHUNK_SIZE as u64;
            if !chunks_ok(&t.chunks) || u64::from(t.unpacked_length) > max {
                return Err(ReconstructionError::BadRange);
            }
        }
        for f in &self.fetches {
            // A range holds whole serialized chunks of one xorb: at most a xorb's 64 MiB of content
            // plus one header per chunk (hf_xet fills xorbs to 64 MiB of content, so a whole-xorb
            // range of incompressible data is longer than 64 MiB).
            let max_len = (MAX_XORB_BYTES + MAX_XORB_CHUNKS * CHUNK_HEADER_LEN) as u64;
            let bytes_ok = |b: &ByteRange| b.start <= b.end && b.end - b.start < max_len;
            if f.ranges.iter().any(|r| !chunks_ok(&r.chunks) || !bytes_ok(&r.bytes)) {
                return Err(ReconstructionError::BadRange);
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssembleOptions {
    /// Stop after this many bytes (the length of a ranged request).
    pub length: Option<u64>,
    /// Check the whole file against this Xet hash (only meaningful for a full, unranged download).
    pub verify_file: Option<XetHash>,
}

enum Slot {
    Waiting,
    /// Decoded chunks of the range, kept until its last reader has been emitted.
    Ready(Vec<Vec<u8>>),
    Released,
}

/// Turns fetched ranges into the file's bytes, in order. See the module docs.
pub struct Assembler {
    rec: Reconstruction,
    /// For each term, the (fetch, range) it reads from.
    sources: Vec<(usize, usize)>,
    /// For each fetch, for each range: its state and how many unemitted terms still read it.
    slots: Vec<Vec<(Slot, u32)>>,
    next_term: usize,
    skip: u64,
    remaining: Option<u64>,
    verify: Option<(XetHash, Vec<(XetHash, u64)>)>,
}

impl Assembler {
    pub fn new(rec: Reconstruction, options: AssembleOptions) -> Result<Self, ReconstructionError> {
        let mut slots: Vec<Vec<(Slot, u32)>> =
            rec.fetches.iter().map(|f| f.ranges.iter().map(|_| (Slot::Released, 0)).collect()).collect();
        let mut sources = Vec::with_capacity(rec.terms.len());
        for (index, term) in rec.terms.iter().enumerate() {
            let found = rec.fetches.iter().enumerate().filter(|(_, f)| f.xorb == term.xorb).find_map(|(fi, f)| {
                f.ranges
                    .iter()
                    .position(|r| r.chunks.start <= term.chunks.start && term.chunks.end <= r.chunks.end)
                    .map(|ri| (fi, ri))
            });
            let (fi, ri) = found.ok_or(ReconstructionError::Uncovered { term: index })?;
            slots[fi][ri] = (Slot::Waiting, slots[fi][ri].1 + 1);
            sources.push((fi, ri));
        }
        let whole_file = options.length.is_none() && rec.offset_into_first_range == 0;
        let verify = options.verify_file.filter(|_| whole_file).map(|h| (h, Vec::new()));
        Ok(Self {
            skip: rec.offset_into_first_range,
            rec,
            sources,
            slots,
            next_term: 0,
            remaining: options.length,
            verify,
        })
    }

    pub fn reconstruction(&self) -> &Reconstruction {
        &self.rec
    }

    /// Indices into `reconstruction().fetches` of the fetches some term needs, in the order the
    /// terms need them first: fetching in this order keeps memory to about one range.
    pub fn needed_fetches(&self) -> Vec<usize> {
        let mut seen = alloc::vec![false; self.rec.fetches.len()];
        let mut order = Vec::new();
        for &(fi, _) in &self.sources {
            if !seen[fi] {
                seen[fi] = true;
                order.push(fi);
            }
        }
        order
    }

    /// Hands over the bytes of range `range` of fetch `fetch` (one part of a multi-range answer).
    /// Ranges nobody needs are ignored.
    pub fn accept(&mut self, fetch: usize, range: usize, bytes: &[u8]) -> Result<(), ReconstructionError> {
        let spec = *self
            .rec
            .fetches
            .get(fetch)
            .and_then(|f| f.ranges.get(range))
            .ok_or(ReconstructionError::UnknownRange { fetch, range })?;
        let slot = &mut self.slots[fetch][range];
        if !matches!(slot.0, Slot::Waiting) {
            return Ok(());
        }
        if bytes.len() as u64 != spec.bytes.len() {
            return Err(ReconstructionError::RangeLength {
                fetch,
                range,
                expected: spec.bytes.len(),
                actual: bytes.len() as u64,
            });
        }
        let expected = spec.chunks.end - spec.chunks.start;
        let mut chunks = Vec::new();
        for chunk in ChunkReader::new(bytes) {
            if chunks.len() as u32 == expected {
                return Err(ReconstructionError::ChunkCount {
                    fetch,
                    range,
                    expected,
                    actual: expected.saturating_add(1),
                });
            }
            chunks.push(chunk.map_err(|error| ReconstructionError::Xorb { fetch, range, error })?);
        }
        if chunks.len() as u32 != expected {
            return Err(ReconstructionError::ChunkCount { fetch, range, expected, actual: chunks.len() as u32 });
        }
        slot.0 = Slot::Ready(chunks);
        Ok(())
    }

    /// Hands over a whole fetch answer whose ranges are concatenated (a single-range `206`, or the
    /// parts of a multipart answer joined in order).
    pub fn accept_concatenated(&mut self, fetch: usize, mut body: &[u8]) -> Result<(), ReconstructionError> {
        let lens: Vec<u64> = match self.rec.fetches.get(fetch) {
            Some(f) => f.ranges.iter().map(|r| r.bytes.len()).collect(),
            None => return Err(ReconstructionError::UnknownRange { fetch, range: 0 }),
        };
        for (range, len) in lens.into_iter().enumerate() {
            let take = usize::try_from(len).unwrap_or(usize::MAX).min(body.len());
            self.accept(fetch, range, &body[..take])?;
            body = &body[take..];
        }
        if !body.is_empty() {
            return Err(ReconstructionError::RangeLength { fetch, range: 0, expected: 0, actual: body.len() as u64 });
        }
        Ok(())
    }

    /// The next piece of the file, if the range it needs has arrived; `Ok(None)` means "feed me
    /// more" until [`Assembler::is_complete`].
    pub fn next_piece(&mut self) -> Result<Option<Vec<u8>>, ReconstructionError> {
        while self.next_term < self.rec.terms.len() && self.remaining != Some(0) {
            let index = self.next_term;
            let term = self.rec.terms[index];
            let (fi, ri) = self.sources[index];
            let first = self.rec.fetches[fi].ranges[ri].chunks.start;
            let (slot, readers) = &mut self.slots[fi][ri];
            let Slot::Ready(chunks) = slot else { return Ok(None) };
            let selected = &chunks[(term.chunks.start - first) as usize..(term.chunks.end - first) as usize];
            let actual: u64 = selected.iter().map(|c| c.len() as u64).sum();
            if actual != u64::from(term.unpacked_length) {
                return Err(ReconstructionError::TermLength { term: index, expected: term.unpacked_length, actual });
            }
            if let Some((_, list)) = &mut self.verify {
                list.extend(selected.iter().map(|c| (chunk_hash(c), c.len() as u64)));
            }
            let mut piece = Vec::with_capacity(actual as usize);
            for c in selected {
                piece.extend_from_slice(c);
            }
            *readers -= 1;
            if *readers == 0 {
                *slot = Slot::Released;
            }
            self.next_term += 1;
            let skip = self.skip.min(piece.len() as u64) as usize;
            self.skip -= skip as u64;
            piece.drain(..skip);
            if let Some(remaining) = &mut self.remaining {
                piece.truncate(usize::try_from(*remaining).unwrap_or(usize::MAX).min(piece.len()));
                *remaining -= piece.len() as u64;
            }
            if !piece.is_empty() {
                return Ok(Some(piece));
            }
        }
        Ok(None)
    }

    /// Every byte has been emitted.
    pub fn is_complete(&self) -> bool {
        self.next_term == self.rec.terms.len() || self.remaining == Some(0)
    }

    /// Checks that everything was emitted and, when asked, that the file hashes as requested.
    pub fn finish(self) -> Result<(), ReconstructionError> {
        if !self.is_complete() {
            return Err(ReconstructionError::Incomplete { next_term: self.next_term });
        }
        if let Some((expected, chunks)) = self.verify {
            let actual = file_hash(&chunks);
            if actual != expected {
                return Err(ReconstructionError::FileHashMismatch { actual });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::test_data::splitmix64_bytes;
    use crate::xet::{hash_file, BoundaryRule, XorbBuilder};
    use alloc::format;
    use alloc::string::ToString;

    /// A file cut into chunks, stored in two xorbs, and a V2 answer describing it.
    struct Fixture {
        data: Vec<u8>,
        file: XetHash,
        xorbs: Vec<super::super::Xorb>,
        /// (xorb index, first chunk, end chunk) per term, in file order.
        terms: Vec<(usize, u32, u32)>,
    }

    fn fixture() -> Fixture {
        let data = splitmix64_bytes(7, 900_000);
        let digest = hash_file(&data, BoundaryRule::Current);
        let bounds: Vec<(usize, usize)> = digest
            .chunks
            .iter()
            .scan(0usize, |pos, (_, len)| {
                let start = *pos;
                *pos += *len as usize;
                Some((start, *pos))
            })
            .collect();
        let half = bounds.len() / 2;
        let mut xorbs = Vec::new();
        for part in [&bounds[..half], &bounds[half..]] {
            let mut b = XorbBuilder::new();
            for &(s, e) in part {
                b.push(chunk_hash(&data[s..e]), &data[s..e]);
            }
            xorbs.push(b.finish());
        }
        let n1 = (bounds.len() - half) as u32;
        let terms = alloc::vec![(0, 0, half as u32), (1, 0, n1)];
        Fixture { data, file: digest.hash, xorbs, terms }
    }

    fn v2_json(f: &Fixture, offset: u64, terms: &[(usize, u32, u32)]) -> String {
        let mut term_json = Vec::new();
        let mut xorb_json = Vec::new();
        for &(x, s, e) in terms {
            let xorb = &f.xorbs[x];
            let len: u64 = xorb.chunks[s as usize..e as usize].iter().map(|c| c.1).sum();
            term_json.push(format!(
                r#"{{"hash":"{}","unpacked_length":{len},"range":{{"start":{s},"end":{e}}}}}"#,
                xorb.hash
            ));
        }
        for (x, xorb) in f.xorbs.iter().enumerate() {
            let (s, e) = (0u32, xorb.chunks.len() as u32);
            if terms.iter().all(|t| t.0 != x) {
                continue;
            }
            xorb_json.push(format!(
                r#""{}":[{{"url":"http://cas/x{x}","ranges":[{{"chunks":{{"start":{s},"end":{e}}},"bytes":{{"start":{},"end":{}}}}}]}}]"#,
                xorb.hash,
                xorb.offsets[s as usize],
                xorb.offsets[e as usize] - 1
            ));
        }
        format!(
            r#"{{"offset_into_first_range":{offset},"terms":[{}],"xorbs":{{{}}}}}"#,
            term_json.join(","),
            xorb_json.join(",")
        )
    }

    fn fetch_bytes<'a>(f: &'a Fixture, fetch: &XorbFetch, r: &FetchRange) -> &'a [u8] {
        let xorb = f.xorbs.iter().find(|x| x.hash == fetch.xorb).unwrap();
        &xorb.bytes[r.bytes.start as usize..=r.bytes.end as usize]
    }

    fn run(f: &Fixture, mut a: Assembler, reverse: bool) -> Result<Vec<u8>, ReconstructionError> {
        let mut order = a.needed_fetches();
        if reverse {
            order.reverse();
        }
        let mut out = Vec::new();
        for fi in order {
            let fetch = a.reconstruction().fetches[fi].clone();
            for (ri, r) in fetch.ranges.iter().enumerate() {
                a.accept(fi, ri, fetch_bytes(f, &fetch, r))?;
            }
            while let Some(piece) = a.next_piece()? {
                out.extend_from_slice(&piece);
            }
        }
        a.finish()?;
        Ok(out)
    }

    #[test]
    fn v2_whole_file_in_either_fetch_order_verifies_the_file_hash() {
        let f = fixture();
        let json = v2_json(&f, 0, &f.terms);
        for reverse in [false, true] {
            let rec = Reconstruction::parse_v2(json.as_bytes()).unwrap();
            let a = Assembler::new(rec, AssembleOptions { length: None, verify_file: Some(f.file) }).unwrap();
            assert_eq!(run(&f, a, reverse).unwrap(), f.data);
        }
    }

    #[test]
    fn wrong_file_hash_is_reported() {
        let f = fixture();
        let rec = Reconstruction::parse_v2(v2_json(&f, 0, &f.terms).as_bytes()).unwrap();
        let a = Assembler::new(rec, AssembleOptions { length: None, verify_file: Some(XetHash([3; 32])) }).unwrap();
        assert!(matches!(run(&f, a, false), Err(ReconstructionError::FileHashMismatch { .. })));
    }

    #[test]
    fn ranged_answer_drops_the_offset_and_stops_at_the_length() {
        let f = fixture();
        // Bytes 70_000 .. 70_000+500_000 of the file: starts inside the first term.
        let rec = Reconstruction::parse_v2(v2_json(&f, 70_000, &f.terms).as_bytes()).unwrap();
        let a = Assembler::new(rec, AssembleOptions { length: Some(500_000), verify_file: Some(f.file) }).unwrap();
        assert_eq!(run(&f, a, false).unwrap(), &f.data[70_000..570_000]);
    }

    #[test]
    fn one_range_can_serve_repeated_terms() {
        let f = fixture();
        // The second xorb's content twice: both terms read the same fetched range.
        let twice = [f.terms[1], f.terms[1]];
        let rec = Reconstruction::parse_v2(v2_json(&f, 0, &twice).as_bytes()).unwrap();
        let a = Assembler::new(rec, AssembleOptions::default()).unwrap();
        let second = &f.data[f.xorbs[0].chunks.iter().map(|c| c.1 as usize).sum::<usize>()..];
        assert_eq!(run(&f, a, false).unwrap(), [second, second].concat());
    }

    #[test]
    fn v1_answer_assembles_the_same_file() {
        let f = fixture();
        let mut terms = Vec::new();
        let mut infos = Vec::new();
        for &(x, s, e) in &f.terms {
            let xorb = &f.xorbs[x];
            let len: u64 = xorb.chunks[s as usize..e as usize].iter().map(|c| c.1).sum();
            terms.push(format!(
                r#"{{"hash":"{}","unpacked_length":{len},"range":{{"start":{s},"end":{e}}}}}"#,
                xorb.hash
            ));
            infos.push(format!(
                r#""{}":[{{"range":{{"start":{s},"end":{e}}},"url":"u","url_range":{{"start":{},"end":{}}}}}]"#,
                xorb.hash,
                xorb.offsets[s as usize],
                xorb.offsets[e as usize] - 1
            ));
        }
        let json = format!(
            r#"{{"offset_into_first_range":0,"terms":[{}],"fetch_info":{{{}}}}}"#,
            terms.join(","),
            infos.join(",")
        );
        let rec = Reconstruction::parse_v1(json.as_bytes()).unwrap();
        assert_eq!(rec.fetches.len(), 2);
        let a = Assembler::new(rec, AssembleOptions { length: None, verify_file: Some(f.file) }).unwrap();
        assert_eq!(run(&f, a, false).unwrap(), f.data);
    }

    #[test]
    fn tampered_or_short_ranges_are_typed_errors() {
        let f = fixture();
        let rec = Reconstruction::parse_v2(v2_json(&f, 0, &f.terms).as_bytes()).unwrap();
        let mut a = Assembler::new(rec, AssembleOptions::default()).unwrap();
        let fi = a.needed_fetches()[0];
        let fetch = a.reconstruction().fetches[fi].clone();
        let good = fetch_bytes(&f, &fetch, &fetch.ranges[0]);
        assert!(matches!(a.accept(fi, 0, &good[..good.len() - 1]), Err(ReconstructionError::RangeLength { .. })));
        let mut bad = good.to_vec();
        bad[4] = 9; // unknown compression scheme in the first header
        assert!(matches!(a.accept(fi, 0, &bad), Err(ReconstructionError::Xorb { .. })));
        assert!(matches!(a.accept(fi, 7, good), Err(ReconstructionError::UnknownRange { .. })));
        a.accept(fi, 0, good).unwrap();
        assert!(matches!(a.finish(), Err(ReconstructionError::Incomplete { next_term: 0 })));
    }

    #[test]
    fn a_term_no_range_covers_is_refused() {
        let f = fixture();
        let json = v2_json(&f, 0, &f.terms[..1]).replace(&f.xorbs[0].hash.to_string(), &XetHash([1; 32]).to_string());
        let mut rec = Reconstruction::parse_v2(json.as_bytes()).unwrap();
        rec.terms[0].xorb = f.xorbs[0].hash;
        assert!(matches!(
            Assembler::new(rec, AssembleOptions::default()),
            Err(ReconstructionError::Uncovered { term: 0 })
        ));
    }

    #[test]
    fn malformed_answers_are_typed_errors() {
        assert!(matches!(Reconstruction::parse_v2(b"{"), Err(ReconstructionError::Json { .. })));
        assert!(matches!(Reconstruction::parse_v2(b"[]"), Err(ReconstructionError::Json { .. })));
        let bad_hash = r#"{"offset_into_first_range":0,"terms":[{"hash":"xyz","unpacked_length":1,"range":{"start":0,"end":1}}],"xorbs":{}}"#;
        assert_eq!(Reconstruction::parse_v2(bad_hash.as_bytes()), Err(ReconstructionError::BadHash));
        let h = XetHash([0; 32]).to_string();
        let empty = format!(
            r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{h}","unpacked_length":0,"range":{{"start":1,"end":1}}}}],"xorbs":{{}}}}"#
        );
        assert_eq!(Reconstruction::parse_v2(empty.as_bytes()), Err(ReconstructionError::BadRange));
        let huge = format!(
            r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{h}","unpacked_length":4000000,"range":{{"start":0,"end":1}}}}],"xorbs":{{}}}}"#
        );
        assert_eq!(Reconstruction::parse_v2(huge.as_bytes()), Err(ReconstructionError::BadRange));
        // A term past chunk 8192 cannot exist in any xorb.
        let far = format!(
            r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{h}","unpacked_length":1,"range":{{"start":8192,"end":8193}}}}],"xorbs":{{}}}}"#
        );
        assert_eq!(Reconstruction::parse_v2(far.as_bytes()), Err(ReconstructionError::BadRange));
        let last = far.replace("8192", "8191").replace("8193", "8192");
        assert!(Reconstruction::parse_v2(last.as_bytes()).is_ok());
        // A whole xorb as hf_xet 1.8 writes it (seen from localhub): 1060 incompressible chunks,
        // 67_104_121 bytes of content, 67_112_601 serialized with their headers: past 64 MiB.
        let full = |end: u64| {
            format!(
                r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{h}","unpacked_length":67104121,"range":{{"start":0,"end":1060}}}}],"xorbs":{{"{h}":[{{"url":"u","ranges":[{{"chunks":{{"start":0,"end":1060}},"bytes":{{"start":0,"end":{end}}}}}]}}]}}}}"#
            )
        };
        assert!(Reconstruction::parse_v2(full(67_112_600).as_bytes()).is_ok());
        let limit = (64 << 20) + 8192 * 8;
        assert_eq!(Reconstruction::parse_v2(full(limit).as_bytes()), Err(ReconstructionError::BadRange));
        assert_eq!(ByteRange { start: 5, end: 1 }.len(), 1, "no underflow on a hand-built range");
    }

    #[test]
    fn range_header_lists_every_range_in_order() {
        let fetch = XorbFetch {
            xorb: XetHash::ZERO,
            url: String::new(),
            ranges: alloc::vec![
                FetchRange { chunks: ChunkRange { start: 0, end: 2 }, bytes: ByteRange { start: 0, end: 99 } },
                FetchRange { chunks: ChunkRange { start: 5, end: 6 }, bytes: ByteRange { start: 400, end: 449 } },
            ],
        };
        assert_eq!(fetch.range_header(), "bytes=0-99,400-449");
    }
}
