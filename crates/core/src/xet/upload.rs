//! The sans-I/O upload planner (spec §8.1). Fed each file's bytes once, it computes in the same
//! pass the SHA-256, the chunks and their hashes and the Xet file hash; it packs chunks it has not
//! seen into xorbs (deduplicating against this session and against an injected [`ChunkIndex`]),
//! hands finished xorbs out as soon as they are full, and at the end writes the shard that
//! registers every file.
//!
//! Global dedup (spec §3.9, §6.3), when enabled with [`UploadPlanner::with_global_dedup`]: every
//! chunk that is eligible (the first of a file, or one whose hash's last word is a multiple of
//! 1024) and not known yet becomes a query for the caller ([`UploadPlanner::take_dedup_query`]).
//! Chunks from the first unanswered query on are *held* (hashed, not yet placed in a xorb) until
//! the caller hands in the answer ([`UploadPlanner::answer_dedup_query`]), so an answer serves the
//! chunk that asked and every chunk after it, and the plan never depends on when answers arrive.
//! The caller bounds the held bytes ([`UploadPlanner::held_bytes`]) by waiting for answers;
//! answers are kept for the whole session.
//!
//! A planner serves one session: after [`UploadPlanner::finish`] has written the shard, `update`,
//! `finish_file` and `finish` answer [`PlannerError::Finished`] (the shard could not list a later
//! file); [`UploadPlanner::take_xorb`] still hands out the last xorbs.
//!
//! Memory: the xorb being filled (≤ 64 MiB), the chunk being cut (≤ 128 KiB), finished xorbs the
//! caller has not taken yet, and 40-odd bytes of metadata per chunk. Take xorbs after each
//! `update` to keep it there: with [`MAX_UNTAKEN_XORBS`] finished xorbs waiting, `update` answers
//! [`PlannerError::TooManyUntakenXorbs`] and feeds nothing, so a caller who never takes them gets
//! an error instead of exhausting memory. (One `update` may still finish several xorbs: as many
//! as its own bytes fill.)

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

use super::chunker::{BoundaryRule, Chunker};
use super::hash::{chunk_hash, file_hash, hmac_chunk_hash, is_global_dedup_eligible, verification_hash, XetHash};
use super::shard::{self, FileEntry, Shard, Term, XorbChunk, XorbEntry};
use super::xorb::{Xorb, XorbBuilder};
use crate::lfs::Sha256;

/// Where already-stored chunks live: `(xorb hash, chunk index)`. Implement it over whatever the
/// caller knows (global-dedup answers, a local cache); lookups must not do I/O.
pub trait ChunkIndex {
    fn find(&self, chunk: &XetHash) -> Option<(XetHash, u32)>;
}

/// No known chunks: only in-session deduplication.
pub struct NoIndex;

impl ChunkIndex for NoIndex {
    fn find(&self, _: &XetHash) -> Option<(XetHash, u32)> {
        None
    }
}

/// The chunks of parsed shards (e.g. global-dedup answers, §5.7), matching HMAC-protected chunk
/// hashes with the shard's key.
#[derive(Default)]
pub struct ShardIndex {
    /// Per key (zero = plain hashes): chunk hash as listed → location.
    by_key: BTreeMap<XetHash, BTreeMap<XetHash, (XetHash, u32)>>,
}

impl ShardIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `shard` may still serve for dedup at `now_unix_secs`: a global-dedup answer's
    /// HMAC key expires (§5.7); a shard without a footer does not.
    pub fn is_usable(shard: &Shard, now_unix_secs: u64) -> bool {
        shard.footer.is_none_or(|f| f.chunk_hash_key == XetHash::ZERO || f.key_expiry > now_unix_secs)
    }

    pub fn add(&mut self, shard: &Shard) {
        let key = shard.footer.map(|f| f.chunk_hash_key).unwrap_or(XetHash::ZERO);
        let map = self.by_key.entry(key).or_default();
        for xorb in &shard.xorbs {
            for (i, c) in xorb.chunks.iter().enumerate() {
                map.insert(c.hash, (xorb.hash, i as u32));
            }
        }
    }
}

impl ChunkIndex for ShardIndex {
    fn find(&self, chunk: &XetHash) -> Option<(XetHash, u32)> {
        self.by_key.iter().find_map(|(key, map)| {
            let listed = if *key == XetHash::ZERO { *chunk } else { hmac_chunk_hash(chunk, key) };
            map.get(&listed).copied()
        })
    }
}

/// A xorb named before it is finished: session xorbs get their hash when they close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum XorbRef {
    Session(u32),
    Stored(XetHash),
}

#[derive(Clone, Copy, Debug)]
struct PlannedTerm {
    xorb: XorbRef,
    chunk_start: u32,
    chunk_end: u32,
    raw_len: u32,
    /// Index of the term's first chunk in the file's chunk list.
    first_file_chunk: usize,
}

struct PlannedFile {
    hash: XetHash,
    sha256: [u8; 32],
    terms: Vec<PlannedTerm>,
    /// One verification hash per term.
    verification: Vec<XetHash>,
}

/// Finished xorbs (≤ 64 MiB each) that may wait for [`UploadPlanner::take_xorb`] before `update`
/// refuses more bytes: 128 MiB. A caller taking xorbs after each `update` never has one waiting.
pub const MAX_UNTAKEN_XORBS: usize = 2;

/// Misuse of a planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlannerError {
    /// `finish` already wrote this session's shard: start a new planner for more files.
    Finished,
    /// This many finished xorbs wait to be taken: take them before feeding more bytes.
    TooManyUntakenXorbs { untaken: usize },
    /// The planner was made [`UploadPlanner::without_sha256`]: finish files with
    /// [`UploadPlanner::finish_file_with_sha256`].
    Sha256Required,
    /// [`UploadPlanner::add_cut_chunk`] while bytes given to `update` end no chunk yet (or the
    /// other way round): a file is fed one way only.
    MixedFeeding,
}

impl core::fmt::Display for PlannerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PlannerError::Finished => {
                f.write_str("the upload planner has finished: take its last xorbs, then start a new planner")
            }
            PlannerError::TooManyUntakenXorbs { untaken } => write!(
                f,
                "{untaken} finished xorbs wait to be taken (at most {MAX_UNTAKEN_XORBS}): take them before feeding more bytes"
            ),
            PlannerError::Sha256Required => {
                f.write_str("this planner does not compute SHA-256: finish the file with the SHA-256 of its bytes")
            }
            PlannerError::MixedFeeding => {
                f.write_str("a file is fed either as bytes (update) or as chunks cut elsewhere (add_cut_chunk), not both")
            }
        }
    }
}

impl core::error::Error for PlannerError {}

/// What a finished file is known by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedFileInfo {
    pub hash: XetHash,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// Counters for progress and dedup reporting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UploadStats {
    pub bytes_in: u64,
    pub chunks: u64,
    /// Chunks found in this session or in the index, and their bytes.
    pub deduplicated_chunks: u64,
    pub deduplicated_bytes: u64,
    pub xorbs: u64,
    /// Serialized bytes of finished xorbs (what goes over the wire).
    pub xorb_bytes: u64,
}

/// A chunk hashed but not yet placed: it waits for the dedup answers asked before it.
struct HeldChunk {
    hash: XetHash,
    data: Vec<u8>,
    /// Queries numbered below this must be answered before the chunk is placed.
    after_queries: u64,
}

struct CurrentFile {
    chunker: Chunker,
    /// `None` when the caller computes the SHA-256 (see [`UploadPlanner::without_sha256`]).
    sha256: Option<Sha256>,
    /// Chunks cut so far (placed or held): the first one is always worth a dedup query.
    cut_chunks: u64,
    /// Bytes of a chunk that began in an earlier `update`.
    pending: Vec<u8>,
    /// Fed by [`UploadPlanner::add_cut_chunk`]: `update` is refused for the rest of the file.
    cut_elsewhere: bool,
    size: u64,
    chunks: Vec<(XetHash, u64)>,
    terms: Vec<PlannedTerm>,
}

impl CurrentFile {
    fn new(rule: BoundaryRule, sha256: bool) -> Self {
        Self {
            chunker: Chunker::new(rule),
            sha256: sha256.then(Sha256::new),
            cut_chunks: 0,
            pending: Vec::new(),
            cut_elsewhere: false,
            size: 0,
            chunks: Vec::new(),
            terms: Vec::new(),
        }
    }
}

pub struct UploadPlanner<I: ChunkIndex = NoIndex> {
    index: I,
    rule: BoundaryRule,
    /// Chunks stored by this session or found in the index.
    seen: BTreeMap<XetHash, (XorbRef, u32)>,
    builder: XorbBuilder,
    /// Hashes of this session's finished xorbs, by session number.
    closed: Vec<XetHash>,
    xorb_entries: Vec<XorbEntry>,
    ready: VecDeque<Xorb>,
    files: Vec<PlannedFile>,
    file: Option<CurrentFile>,
    stats: UploadStats,
    /// Set by `finish`: the shard is written.
    finished: bool,
    compute_sha256: bool,
    global_dedup: Option<GlobalDedup>,
}

/// The session's global-dedup queries and answers.
#[derive(Default)]
struct GlobalDedup {
    answers: ShardIndex,
    /// Every chunk asked about in this session, with its query number (never asked twice).
    asked: BTreeMap<XetHash, u64>,
    unanswered: BTreeSet<u64>,
    /// Queries not yet taken by the caller.
    outbox: VecDeque<XetHash>,
    next_query: u64,
    held: VecDeque<HeldChunk>,
    held_bytes: u64,
}

impl GlobalDedup {
    /// Whether every query numbered below `n` is answered.
    fn answered_below(&self, n: u64) -> bool {
        self.unanswered.first().is_none_or(|&first| first >= n)
    }
}

impl UploadPlanner<NoIndex> {
    pub fn new(rule: BoundaryRule) -> Self {
        Self::with_index(rule, NoIndex)
    }
}

impl<I: ChunkIndex> UploadPlanner<I> {
    pub fn with_index(rule: BoundaryRule, index: I) -> Self {
        Self {
            index,
            rule,
            seen: BTreeMap::new(),
            builder: XorbBuilder::new(),
            closed: Vec::new(),
            xorb_entries: Vec::new(),
            ready: VecDeque::new(),
            files: Vec::new(),
            file: None,
            stats: UploadStats::default(),
            finished: false,
            compute_sha256: true,
            global_dedup: None,
        }
    }

    /// Closes xorbs before they pass `max_bytes` (see [`XorbBuilder::with_max_bytes`]): a caller
    /// that holds a finished xorb while it is sent and the next one fills holds about twice this.
    /// Call before feeding any bytes.
    pub fn with_max_xorb_bytes(mut self, max_bytes: usize) -> Self {
        self.builder = XorbBuilder::with_max_bytes(max_bytes);
        self
    }

    /// Asks the caller about eligible chunks (see the module docs) before storing them.
    pub fn with_global_dedup(mut self) -> Self {
        self.global_dedup = Some(GlobalDedup::default());
        self
    }

    /// Leaves the SHA-256 to the caller (a native digest is faster than ours in wasm); files are
    /// then ended with [`UploadPlanner::finish_file_with_sha256`].
    pub fn without_sha256(mut self) -> Self {
        self.compute_sha256 = false;
        self
    }

    /// The next chunk to ask the CAS about (`GET /v1/chunks/default/{hash}`), oldest first.
    pub fn take_dedup_query(&mut self) -> Option<XetHash> {
        self.global_dedup.as_mut()?.outbox.pop_front()
    }

    /// Queries asked (taken or not) and not answered yet.
    pub fn unanswered_dedup_queries(&self) -> usize {
        self.global_dedup.as_ref().map_or(0, |g| g.unanswered.len())
    }

    /// Bytes of chunks waiting for dedup answers: wait for answers when it grows past your budget.
    pub fn held_bytes(&self) -> u64 {
        self.global_dedup.as_ref().map_or(0, |g| g.held_bytes)
    }

    /// The CAS's answer to the query for `chunk`: its shard (usable — see
    /// [`ShardIndex::is_usable`]), or `None` for "unknown" or a query that failed (dedup is an
    /// optimisation). Places the chunks that waited for it; may finish xorbs. Returns whether the
    /// query was waiting for its answer.
    pub fn answer_dedup_query(&mut self, chunk: &XetHash, shard: Option<&Shard>) -> bool {
        let Some(g) = self.global_dedup.as_mut() else { return false };
        let Some(&n) = g.asked.get(chunk) else { return false };
        if !g.unanswered.remove(&n) {
            return false;
        }
        if let Some(shard) = shard {
            g.answers.add(shard);
        }
        if let Some(mut file) = self.file.take() {
            self.place_held(&mut file, false);
            self.file = Some(file);
        }
        true
    }

    pub fn stats(&self) -> UploadStats {
        self.stats
    }

    /// Whether `finish` has run: only `take_xorb` and `stats` remain useful.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn check_open(&self) -> Result<(), PlannerError> {
        if self.finished {
            return Err(PlannerError::Finished);
        }
        Ok(())
    }

    /// Feeds the next bytes of the current file (a file starts implicitly). Refused, feeding
    /// nothing, after `finish` or while [`MAX_UNTAKEN_XORBS`] finished xorbs wait to be taken.
    pub fn update(&mut self, data: &[u8]) -> Result<(), PlannerError> {
        self.feed()?.update(data);
        Ok(())
    }

    /// The checks of [`UploadPlanner::update`], made once for bytes that arrive in several
    /// pieces (one caller-level value copied in blocks): every piece of the returned [`Feed`] is
    /// accepted, so a value is never fed in part.
    pub fn feed(&mut self) -> Result<Feed<'_, I>, PlannerError> {
        self.check_feedable()?;
        if self.file.as_ref().is_some_and(|f| f.cut_elsewhere) {
            return Err(PlannerError::MixedFeeding);
        }
        Ok(Feed { planner: self })
    }

    fn check_feedable(&self) -> Result<(), PlannerError> {
        self.check_open()?;
        if self.ready.len() >= MAX_UNTAKEN_XORBS {
            return Err(PlannerError::TooManyUntakenXorbs { untaken: self.ready.len() });
        }
        Ok(())
    }

    /// Feeds the current file's next chunk, cut and hashed elsewhere (a second thread running the
    /// planner's boundary rule and [`chunk_hash`] over the same bytes), so this thread neither
    /// chunks nor hashes. Refused as [`UploadPlanner::update`] is, and with
    /// [`PlannerError::MixedFeeding`] while the file has bytes from `update` that end no chunk.
    /// The hash is trusted: a wrong one is a corrupt upload, which the CAS refuses.
    pub fn add_cut_chunk(&mut self, data: &[u8], hash: XetHash) -> Result<(), PlannerError> {
        self.check_feedable()?;
        let mut file = self.file.take().unwrap_or_else(|| CurrentFile::new(self.rule, self.compute_sha256));
        if !file.pending.is_empty() || file.chunker.pending_len() > 0 {
            self.file = Some(file);
            return Err(PlannerError::MixedFeeding);
        }
        file.cut_elsewhere = true;
        if let Some(sha256) = &mut file.sha256 {
            sha256.update(data);
        }
        file.size += data.len() as u64;
        self.stats.bytes_in += data.len() as u64;
        self.add_hashed_chunk(&mut file, hash, data);
        self.file = Some(file);
        Ok(())
    }

    fn feed_unchecked(&mut self, mut data: &[u8]) {
        let mut file = self.file.take().unwrap_or_else(|| CurrentFile::new(self.rule, self.compute_sha256));
        if let Some(sha256) = &mut file.sha256 {
            sha256.update(data);
        }
        file.size += data.len() as u64;
        self.stats.bytes_in += data.len() as u64;
        while let Some(n) = file.chunker.next_boundary(data) {
            if file.pending.is_empty() {
                self.add_chunk(&mut file, &data[..n]);
            } else {
                let mut chunk = core::mem::take(&mut file.pending);
                chunk.extend_from_slice(&data[..n]);
                self.add_chunk(&mut file, &chunk);
                chunk.clear();
                file.pending = chunk; // keep the allocation for the next straddling chunk
            }
            data = &data[n..];
        }
        file.pending.extend_from_slice(data);
        self.file = Some(file);
    }

    /// Ends the current file (an empty one if nothing was fed) and returns its identity. Chunks
    /// still waiting for dedup answers are placed without them: answer the queries first.
    pub fn finish_file(&mut self) -> Result<PlannedFileInfo, PlannerError> {
        self.end_file(None)
    }

    /// [`UploadPlanner::finish_file`] with the SHA-256 the caller computed over the same bytes.
    pub fn finish_file_with_sha256(&mut self, sha256: [u8; 32]) -> Result<PlannedFileInfo, PlannerError> {
        self.end_file(Some(sha256))
    }

    fn end_file(&mut self, given_sha256: Option<[u8; 32]>) -> Result<PlannedFileInfo, PlannerError> {
        self.check_open()?;
        if given_sha256.is_none() && !self.compute_sha256 {
            return Err(PlannerError::Sha256Required);
        }
        let mut file = self.file.take().unwrap_or_else(|| CurrentFile::new(self.rule, self.compute_sha256));
        if file.chunker.finish().is_some() {
            let last = core::mem::take(&mut file.pending);
            self.add_chunk(&mut file, &last);
        }
        self.place_held(&mut file, true);
        let hash = file_hash(&file.chunks);
        let sha256 = match (given_sha256, file.sha256.take()) {
            (Some(given), _) => given,
            (None, Some(ours)) => ours.finalize(),
            (None, None) => return Err(PlannerError::Sha256Required),
        };
        let verification = file
            .terms
            .iter()
            .map(|t| {
                let n = (t.chunk_end - t.chunk_start) as usize;
                verification_hash(file.chunks[t.first_file_chunk..t.first_file_chunk + n].iter().map(|c| c.0))
            })
            .collect();
        // An empty file has no terms: the Hub stores it as a regular (non-Xet) file.
        if !file.terms.is_empty() {
            self.files.push(PlannedFile { hash, sha256, terms: file.terms, verification });
        }
        Ok(PlannedFileInfo { hash, size: file.size, sha256 })
    }

    /// The serialized bytes of the xorb being filled, written since the last call: a caller that
    /// moves them out of this memory as they come keeps about one block here instead of a whole
    /// xorb. They belong to the xorb that closes after those waiting in [`UploadPlanner::take_xorb`]
    /// (take those first to keep the order simple); that [`Xorb`] then holds only the rest.
    pub fn take_open_xorb_bytes(&mut self) -> Vec<u8> {
        self.builder.take_bytes()
    }

    /// The serialized size every xorb of this plan stays under.
    pub fn max_xorb_bytes(&self) -> usize {
        self.builder.max_bytes()
    }

    /// Finished xorbs waiting for [`UploadPlanner::take_xorb`].
    pub fn untaken_xorbs(&self) -> usize {
        self.ready.len()
    }

    /// A finished xorb ready to upload (`POST /v1/xorbs/default/{hash}`), oldest first.
    pub fn take_xorb(&mut self) -> Option<Xorb> {
        self.ready.pop_front()
    }

    /// Ends the current file if one is open, closes the last xorb and writes the shard listing
    /// every file of the session. Upload every xorb from [`UploadPlanner::take_xorb`] (call it
    /// until `None` after this) before the shard. `Ok(None)` when no file had content. A second
    /// call is [`PlannerError::Finished`].
    pub fn finish(&mut self) -> Result<Option<Vec<u8>>, PlannerError> {
        if self.file.is_some() {
            self.end_file(None)?;
        }
        self.check_open()?;
        self.finished = true;
        if !self.builder.is_empty() {
            self.close_xorb();
        }
        if self.files.is_empty() {
            return Ok(None);
        }
        let closed = &self.closed;
        let resolve = |x: XorbRef| match x {
            XorbRef::Session(n) => closed[n as usize],
            XorbRef::Stored(hash) => hash,
        };
        let files: Vec<FileEntry> = self
            .files
            .iter()
            .map(|f| FileEntry {
                hash: f.hash,
                terms: f
                    .terms
                    .iter()
                    .map(|t| Term {
                        xorb: resolve(t.xorb),
                        raw_len: t.raw_len,
                        chunk_start: t.chunk_start,
                        chunk_end: t.chunk_end,
                    })
                    .collect(),
                verification: Some(f.verification.clone()),
                sha256: Some(f.sha256),
            })
            .collect();
        Ok(Some(shard::write_upload(&files, &self.xorb_entries)))
    }

    fn add_chunk(&mut self, file: &mut CurrentFile, data: &[u8]) {
        self.add_hashed_chunk(file, chunk_hash(data), data);
    }

    fn add_hashed_chunk(&mut self, file: &mut CurrentFile, hash: XetHash, data: &[u8]) {
        self.stats.chunks += 1;
        let first_of_file = file.cut_chunks == 0;
        file.cut_chunks += 1;
        if self.global_dedup.is_none() {
            return self.place_chunk(file, hash, data);
        }
        let worth_asking = is_global_dedup_eligible(&hash, first_of_file) && self.find_known(&hash).is_none();
        let Some(g) = self.global_dedup.as_mut() else { return };
        if worth_asking && !g.asked.contains_key(&hash) {
            g.asked.insert(hash, g.next_query);
            g.unanswered.insert(g.next_query);
            g.outbox.push_back(hash);
            g.next_query += 1;
        }
        if g.held.is_empty() && g.answered_below(g.next_query) {
            return self.place_chunk(file, hash, data);
        }
        g.held_bytes += data.len() as u64;
        g.held.push_back(HeldChunk { hash, data: data.to_vec(), after_queries: g.next_query });
    }

    /// Places the held chunks whose queries are answered (all of them when `all`).
    fn place_held(&mut self, file: &mut CurrentFile, all: bool) {
        loop {
            let Some(g) = self.global_dedup.as_mut() else { return };
            if !g.held.front().is_some_and(|c| all || g.answered_below(c.after_queries)) {
                return;
            }
            let Some(chunk) = g.held.pop_front() else { return };
            g.held_bytes -= chunk.data.len() as u64;
            self.place_chunk(file, chunk.hash, &chunk.data);
        }
    }

    /// Where a chunk is already stored: this session, the injected index or a dedup answer.
    fn find_known(&mut self, hash: &XetHash) -> Option<(XorbRef, u32)> {
        if let Some(known) = self.seen.get(hash) {
            return Some(*known);
        }
        let (xorb, index) =
            self.index.find(hash).or_else(|| self.global_dedup.as_ref().and_then(|g| g.answers.find(hash)))?;
        self.seen.insert(*hash, (XorbRef::Stored(xorb), index));
        Some((XorbRef::Stored(xorb), index))
    }

    fn place_chunk(&mut self, file: &mut CurrentFile, hash: XetHash, data: &[u8]) {
        let len = data.len() as u64;
        let known = self.find_known(&hash);
        let (xorb, index) = match known {
            Some(location) => {
                self.stats.deduplicated_chunks += 1;
                self.stats.deduplicated_bytes += len;
                location
            }
            None => {
                if !self.builder.fits(data.len()) {
                    self.close_xorb();
                }
                let location = (XorbRef::Session(self.closed.len() as u32), self.builder.push(hash, data));
                self.seen.insert(hash, location);
                location
            }
        };
        file.chunks.push((hash, len));
        match file.terms.last_mut() {
            // A term stays inside one xorb's 8192 chunks, whatever an index claims.
            Some(t) if t.xorb == xorb && t.chunk_end == index && (index as usize) < super::xorb::MAX_XORB_CHUNKS => {
                t.chunk_end += 1;
                t.raw_len += len as u32;
            }
            _ => file.terms.push(PlannedTerm {
                xorb,
                chunk_start: index,
                chunk_end: index.saturating_add(1),
                raw_len: len as u32,
                first_file_chunk: file.chunks.len() - 1,
            }),
        }
    }

    fn close_xorb(&mut self) {
        let next = XorbBuilder::with_max_bytes(self.builder.max_bytes());
        let xorb = core::mem::replace(&mut self.builder, next).finish();
        let mut raw_offset = 0u32;
        let chunks = xorb
            .chunks
            .iter()
            .map(|&(hash, len)| {
                let c = XorbChunk { hash, raw_offset, len: len as u32, flags: 0 };
                raw_offset += len as u32;
                c
            })
            .collect();
        self.xorb_entries.push(XorbEntry {
            hash: xorb.hash,
            raw_len: raw_offset,
            bytes_on_disk: xorb.serialized_len() as u32,
            chunks,
        });
        self.closed.push(xorb.hash);
        self.stats.xorbs += 1;
        self.stats.xorb_bytes += xorb.serialized_len() as u64;
        self.ready.push_back(xorb);
    }
}

/// Bytes of the current file accepted by [`UploadPlanner::feed`]'s checks.
pub struct Feed<'a, I: ChunkIndex> {
    planner: &'a mut UploadPlanner<I>,
}

impl<I: ChunkIndex> Feed<'_, I> {
    /// Feeds the next piece; never refused.
    pub fn update(&mut self, data: &[u8]) {
        self.planner.feed_unchecked(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::test_data::splitmix64_bytes;
    use crate::xet::{hash_file, xorb};

    /// Every xorb the planner produced, and the shard; rebuilds each file from them alone.
    struct Uploaded {
        xorbs: BTreeMap<XetHash, Vec<Vec<u8>>>,
        shard: Shard,
    }

    impl Uploaded {
        fn take_all<I: ChunkIndex>(p: &mut UploadPlanner<I>, into: &mut BTreeMap<XetHash, Vec<Vec<u8>>>) {
            while let Some(x) = p.take_xorb() {
                let chunks = xorb::decode_and_verify(&x.bytes, &x.hash).expect("planner xorbs decode and verify");
                into.insert(x.hash, chunks);
            }
        }

        fn file(&self, hash: &XetHash) -> Vec<u8> {
            let entry = self.shard.files.iter().find(|f| f.hash == *hash).expect("file registered");
            let mut out = Vec::new();
            for t in &entry.terms {
                let chunks = &self.xorbs[&t.xorb][t.chunk_start as usize..t.chunk_end as usize];
                let before = out.len();
                chunks.iter().for_each(|c| out.extend_from_slice(c));
                assert_eq!(out.len() - before, t.raw_len as usize);
            }
            out
        }
    }

    fn plan(files: &[&[u8]], piece: usize, index: impl ChunkIndex) -> (Vec<PlannedFileInfo>, Uploaded) {
        let mut p = UploadPlanner::with_index(BoundaryRule::Current, index);
        let mut xorbs = BTreeMap::new();
        let mut infos = Vec::new();
        for data in files {
            for part in data.chunks(piece) {
                p.update(part).unwrap();
                Uploaded::take_all(&mut p, &mut xorbs);
            }
            infos.push(p.finish_file().unwrap());
        }
        let shard = shard::parse(&p.finish().unwrap().expect("a shard")).expect("our shard parses");
        Uploaded::take_all(&mut p, &mut xorbs);
        (infos, Uploaded { xorbs, shard })
    }

    #[test]
    fn one_pass_gives_the_hashes_and_a_reconstructible_file() {
        let data = splitmix64_bytes(11, 3_000_000);
        let (infos, up) = plan(&[&data], 1 << 20, NoIndex);
        let digest = hash_file(&data, BoundaryRule::Current);
        assert_eq!(
            infos[0],
            PlannedFileInfo { hash: digest.hash, size: data.len() as u64, sha256: digest.sha256.unwrap() }
        );
        assert_eq!(up.file(&digest.hash), data);
        let entry = &up.shard.files[0];
        assert_eq!(entry.sha256, digest.sha256);
        let verification = entry.verification.as_ref().unwrap();
        assert_eq!(verification.len(), entry.terms.len());
        assert_eq!(verification[0], verification_hash(digest.chunks.iter().map(|c| c.0)));
        assert_eq!(up.shard.xorbs.len(), up.xorbs.len());
    }

    #[test]
    fn output_does_not_depend_on_how_the_bytes_are_split() {
        let data = splitmix64_bytes(5, 700_000);
        let (_, whole) = plan(&[&data], data.len(), NoIndex);
        for piece in [1, 37, 8191, 70_000] {
            let (_, split) = plan(&[&data], piece, NoIndex);
            assert_eq!(split.shard, whole.shard, "piece {piece}");
        }
    }

    #[test]
    fn chunks_cut_elsewhere_plan_as_the_same_bytes_do() {
        let data = splitmix64_bytes(7, 3_000_000);
        let (infos, whole) = plan(&[&data], 1 << 20, NoIndex);
        let mut p = UploadPlanner::new(BoundaryRule::Current);
        let mut xorbs = BTreeMap::new();
        let mut start = 0;
        for end in crate::xet::chunk_boundaries(&data, BoundaryRule::Current) {
            p.add_cut_chunk(&data[start..end], chunk_hash(&data[start..end])).unwrap();
            Uploaded::take_all(&mut p, &mut xorbs);
            start = end;
        }
        assert_eq!(start, data.len());
        assert_eq!(p.finish_file().unwrap(), infos[0]);
        let shard = shard::parse(&p.finish().unwrap().unwrap()).unwrap();
        Uploaded::take_all(&mut p, &mut xorbs);
        assert_eq!(shard, whole.shard);
        assert_eq!(xorbs, whole.xorbs);
    }

    #[test]
    fn a_file_is_fed_one_way_only() {
        let data = splitmix64_bytes(8, 200_000);
        let mut p = UploadPlanner::new(BoundaryRule::Current);
        p.update(&data[..1000]).unwrap();
        assert_eq!(p.add_cut_chunk(&data[..10], chunk_hash(&data[..10])), Err(PlannerError::MixedFeeding));
        p.update(&data[1000..]).unwrap();
        let bytes_first = p.finish_file().unwrap();
        p.add_cut_chunk(&data[..10], chunk_hash(&data[..10])).unwrap();
        assert_eq!(p.update(&data[..10]), Err(PlannerError::MixedFeeding));
        assert_eq!(p.finish_file().unwrap().size, 10, "the refused bytes were not fed");
        assert_eq!(bytes_first.hash, hash_file(&data, BoundaryRule::Current).hash);
    }

    #[test]
    fn an_edited_copy_reuses_the_session_chunks() {
        let a = splitmix64_bytes(1, 4_000_000);
        let mut b = a.clone();
        b[2_000_000..2_000_100].fill(0);
        let (infos, up) = plan(&[&a, &b], 1 << 20, NoIndex);
        assert_eq!(up.file(&infos[0].hash), a);
        assert_eq!(up.file(&infos[1].hash), b);
        let new_in_b: usize = up.xorbs.values().map(|x| x.iter().map(Vec::len).sum::<usize>()).sum::<usize>() - a.len();
        assert!(new_in_b < 300_000, "only the edited chunks are new, got {new_in_b} bytes");
        assert!(up.shard.files[1].terms.len() >= 2);
    }

    #[test]
    fn chunks_in_the_index_are_referenced_not_uploaded() {
        let a = splitmix64_bytes(2, 2_000_000);
        let (_, first) = plan(&[&a], 1 << 20, NoIndex);
        let mut index = ShardIndex::new();
        index.add(&first.shard);
        let mut p = UploadPlanner::with_index(BoundaryRule::Current, index);
        p.update(&a).unwrap();
        let info = p.finish_file().unwrap();
        let shard = shard::parse(&p.finish().unwrap().unwrap()).unwrap();
        assert!(p.take_xorb().is_none(), "nothing new to upload");
        assert!(shard.xorbs.is_empty());
        assert_eq!(shard.files[0].terms, first.shard.files[0].terms);
        assert_eq!(info.hash, first.shard.files[0].hash);
        assert_eq!(p.stats().deduplicated_bytes, a.len() as u64);
    }

    #[test]
    fn hmac_protected_index_entries_match() {
        let a = splitmix64_bytes(3, 300_000);
        let (_, first) = plan(&[&a], 1 << 20, NoIndex);
        let key = XetHash([9; 32]);
        let mut dedup = first.shard.clone();
        for x in &mut dedup.xorbs {
            x.chunks.iter_mut().for_each(|c| c.hash = hmac_chunk_hash(&c.hash, &key));
        }
        dedup.footer = Some(shard::ShardFooter { chunk_hash_key: key, creation_timestamp: 0, key_expiry: u64::MAX });
        let mut index = ShardIndex::new();
        index.add(&dedup);
        let (_, second) = plan(&[&a], 1 << 20, index);
        assert!(second.xorbs.is_empty());
    }

    #[test]
    fn xorbs_close_at_the_size_limit() {
        // 70 MiB of low-entropy data: max-size chunks that compress, more than one xorb's worth raw.
        let data: Vec<u8> = splitmix64_bytes(4, 70 << 20).iter().map(|b| b & 3).collect();
        let (infos, up) = plan(&[&data], 8 << 20, NoIndex);
        assert!(up.xorbs.len() >= 2);
        for x in &up.shard.xorbs {
            assert!(x.raw_len as usize <= xorb::MAX_XORB_BYTES && x.chunks.len() <= xorb::MAX_XORB_CHUNKS);
        }
        assert_eq!(up.file(&infos[0].hash), data);
    }

    #[test]
    fn smaller_xorbs_keep_the_file_hash_and_reconstruct() {
        // 10 MiB of random bytes under a 2 MiB xorb limit: five or more xorbs, each under it.
        let data = splitmix64_bytes(6, 10 << 20);
        let mut p = UploadPlanner::new(BoundaryRule::Current).with_max_xorb_bytes(2 << 20);
        let mut xorbs = BTreeMap::new();
        for part in data.chunks(1 << 20) {
            p.update(part).unwrap();
            Uploaded::take_all(&mut p, &mut xorbs);
        }
        let info = p.finish_file().unwrap();
        let shard = shard::parse(&p.finish().unwrap().unwrap()).unwrap();
        Uploaded::take_all(&mut p, &mut xorbs);
        let up = Uploaded { xorbs, shard };
        assert!(up.xorbs.len() >= 5, "{} xorbs", up.xorbs.len());
        for x in &up.shard.xorbs {
            assert!(x.bytes_on_disk as usize <= 2 << 20 && x.raw_len as usize <= 2 << 20);
        }
        assert_eq!(info.hash, hash_file(&data, BoundaryRule::Current).hash);
        assert_eq!(up.file(&info.hash), data);
    }

    // A caller who never takes xorbs is refused past MAX_UNTAKEN_XORBS; the refused bytes are not
    // fed, and after taking the xorbs the same bytes go in and the file is whole.
    #[test]
    fn untaken_xorbs_are_bounded() {
        // Low-entropy bytes cut into max-size chunks: a xorb closes every 64 MiB of input.
        let data: Vec<u8> = splitmix64_bytes(5, 192 << 20).iter().map(|b| b & 3).collect();
        let mut p = UploadPlanner::new(BoundaryRule::Current);
        let mut pieces = data.chunks(16 << 20);
        let refused = loop {
            let piece = pieces.next().expect("refused before the data ran out");
            let before = p.stats();
            match p.update(piece) {
                Ok(()) => {}
                Err(e) => {
                    assert_eq!(e, PlannerError::TooManyUntakenXorbs { untaken: MAX_UNTAKEN_XORBS });
                    assert_eq!(p.stats(), before, "a refused update feeds nothing");
                    break piece;
                }
            }
        };
        assert_eq!(p.stats().xorbs, MAX_UNTAKEN_XORBS as u64);
        let mut xorbs = BTreeMap::new();
        Uploaded::take_all(&mut p, &mut xorbs);
        assert_eq!(xorbs.len(), MAX_UNTAKEN_XORBS);
        p.update(refused).unwrap();
        for piece in pieces {
            p.update(piece).unwrap();
            Uploaded::take_all(&mut p, &mut xorbs);
        }
        let info = p.finish_file().unwrap();
        let shard = shard::parse(&p.finish().unwrap().expect("a shard")).expect("our shard parses");
        Uploaded::take_all(&mut p, &mut xorbs);
        assert_eq!(info.hash, hash_file(&data, BoundaryRule::Current).hash);
        assert_eq!(Uploaded { xorbs, shard }.file(&info.hash), data);
        assert!(alloc::format!("{}", PlannerError::TooManyUntakenXorbs { untaken: 2 }).contains("take them"));
    }

    #[test]
    fn empty_files_are_hashed_but_not_registered() {
        let mut p = UploadPlanner::new(BoundaryRule::Current);
        let info = p.finish_file().unwrap();
        assert_eq!(info.hash, XetHash::ZERO);
        assert_eq!(info.size, 0);
        assert_eq!(p.finish(), Ok(None));
        assert_eq!(plan(&[b"", b"x"], 1, NoIndex).1.shard.files.len(), 1);
    }

    // Issue #8: after finish() wrote the shard, a later file could never be registered; it used
    // to be silently planned into a second, unreported shard.
    #[test]
    fn a_finished_planner_refuses_more_work_but_hands_out_its_xorbs() {
        let mut p = UploadPlanner::new(BoundaryRule::Current);
        p.update(&splitmix64_bytes(8, 100_000)).unwrap();
        let shard = p.finish().unwrap().expect("a shard");
        assert!(p.is_finished());
        let before = p.stats();
        assert_eq!(p.update(b"more"), Err(PlannerError::Finished));
        assert_eq!(p.finish_file(), Err(PlannerError::Finished));
        assert_eq!(p.finish(), Err(PlannerError::Finished));
        assert_eq!(p.stats(), before, "refused calls change nothing");
        let xorb = p.take_xorb().expect("the last xorb is still there");
        assert_eq!(shard::parse(&shard).unwrap().xorbs[0].hash, xorb.hash);
        assert!(p.take_xorb().is_none());
        assert!(!alloc::format!("{}", PlannerError::Finished).is_empty());
    }

    /// What a CAS answers to a dedup query (§5.7): the xorbs of `stored` with HMAC'd chunk hashes.
    fn dedup_answer(stored: &Shard, key: XetHash, key_expiry: u64) -> Shard {
        let mut answer = Shard { files: Vec::new(), xorbs: stored.xorbs.clone(), footer: None };
        for x in &mut answer.xorbs {
            x.chunks.iter_mut().for_each(|c| c.hash = hmac_chunk_hash(&c.hash, &key));
        }
        answer.footer = Some(shard::ShardFooter { chunk_hash_key: key, creation_timestamp: 0, key_expiry });
        answer
    }

    /// Feeds `data` in `piece`s to a global-dedup planner; `answer_each_update` answers the
    /// queries as they appear, otherwise only once the file is fed (as a slow CAS would).
    fn plan_with_global_dedup(
        data: &[u8],
        piece: usize,
        answer: &Shard,
        answer_each_update: bool,
    ) -> (PlannedFileInfo, Uploaded, Vec<XetHash>, u64) {
        let mut p = UploadPlanner::new(BoundaryRule::Current).with_global_dedup();
        let (mut xorbs, mut asked, mut max_held) = (BTreeMap::new(), Vec::new(), 0);
        let respond = |p: &mut UploadPlanner, asked: &mut Vec<XetHash>| {
            while let Some(q) = p.take_dedup_query() {
                asked.push(q);
                assert!(p.answer_dedup_query(&q, Some(answer)));
            }
        };
        for part in data.chunks(piece) {
            p.update(part).unwrap();
            max_held = max_held.max(p.held_bytes());
            if answer_each_update {
                respond(&mut p, &mut asked);
            }
            Uploaded::take_all(&mut p, &mut xorbs);
        }
        respond(&mut p, &mut asked);
        assert_eq!((p.unanswered_dedup_queries(), p.held_bytes()), (0, 0));
        let info = p.finish_file().unwrap();
        let shard = shard::parse(&p.finish().unwrap().expect("a shard")).unwrap();
        Uploaded::take_all(&mut p, &mut xorbs);
        (info, Uploaded { xorbs, shard }, asked, max_held)
    }

    // Issue #12: an edited copy uploaded in a new session stores only the edited chunks once the
    // CAS answers the query for the file's first chunk; chunks wait for the answer, so the plan
    // does not depend on when it comes.
    #[test]
    fn global_dedup_answers_serve_the_chunks_after_the_query() {
        let a = splitmix64_bytes(21, 6_000_000);
        let (_, first) = plan(&[&a], 1 << 20, NoIndex);
        let answer = dedup_answer(&first.shard, XetHash([7; 32]), u64::MAX);
        let mut b = a.clone();
        b[3_000_000..3_100_000].fill(1);
        let (info, now, asked, _) = plan_with_global_dedup(&b, 1 << 20, &answer, true);
        let (late_info, late, _, held) = plan_with_global_dedup(&b, 1 << 20, &answer, false);
        let digest = hash_file(&b, BoundaryRule::Current);
        assert_eq!(info.hash, digest.hash);
        assert_eq!((late_info, &late.shard), (info, &now.shard), "the plan waits for the answers");
        assert!(held >= b.len() as u64 - 200_000, "unanswered, the chunks were held ({held} bytes)");
        let new_bytes: usize = now.xorbs.values().flatten().map(Vec::len).sum();
        assert!(new_bytes < 400_000, "only the edited chunks are new, got {new_bytes} bytes");
        assert_eq!(asked[0], digest.chunks[0].0, "the first chunk of a file is always asked about");
        assert!(asked[1..].iter().all(|c| is_global_dedup_eligible(c, false)));
        let mut all = now;
        all.xorbs.extend(first.xorbs);
        assert_eq!(all.file(&info.hash), b, "stored and new xorbs rebuild the file");
    }

    #[test]
    fn unanswered_or_unknown_queries_store_everything_and_are_asked_once() {
        let a = splitmix64_bytes(22, 2_000_000);
        let mut p = UploadPlanner::new(BoundaryRule::Current).with_global_dedup();
        p.update(&a).unwrap();
        let q = p.take_dedup_query().expect("the first chunk is asked about");
        assert!(p.held_bytes() > 1_000_000);
        assert!(p.take_xorb().is_none(), "nothing is placed before the answer");
        assert!(p.answer_dedup_query(&q, None));
        assert!(!p.answer_dedup_query(&q, None), "an answer counts once");
        assert!(!p.answer_dedup_query(&XetHash([1; 32]), None), "a chunk never asked about");
        p.finish_file().unwrap();
        // The same file again in this session: known chunks, no new query.
        p.update(&a).unwrap();
        assert!(p.take_dedup_query().is_none());
        p.finish_file().unwrap();
        p.finish().unwrap().unwrap();
        let stored: usize = core::iter::from_fn(|| p.take_xorb()).map(|x| x.chunks.len()).sum();
        assert_eq!(stored as u64, p.stats().chunks - p.stats().deduplicated_chunks);
        assert_eq!(p.stats().deduplicated_bytes, a.len() as u64);
    }

    #[test]
    fn expired_dedup_answers_are_not_usable() {
        let (_, first) = plan(&[&splitmix64_bytes(23, 100_000)], 1 << 20, NoIndex);
        let answer = dedup_answer(&first.shard, XetHash([3; 32]), 1_000);
        assert!(ShardIndex::is_usable(&answer, 999));
        assert!(!ShardIndex::is_usable(&answer, 1_000));
        assert!(ShardIndex::is_usable(&first.shard, u64::MAX), "no footer, no key to expire");
    }

    #[test]
    fn a_caller_computed_sha256_gives_the_same_shard() {
        let a = splitmix64_bytes(24, 500_000);
        let (infos, whole) = plan(&[&a], 1 << 20, NoIndex);
        let mut p = UploadPlanner::new(BoundaryRule::Current).without_sha256();
        p.update(&a).unwrap();
        assert_eq!(p.finish_file(), Err(PlannerError::Sha256Required));
        let info = p.finish_file_with_sha256(infos[0].sha256).unwrap();
        assert_eq!(info, infos[0]);
        assert_eq!(shard::parse(&p.finish().unwrap().unwrap()).unwrap(), whole.shard);
        assert!(!alloc::format!("{}", PlannerError::Sha256Required).is_empty());
    }

    // Issue #12: a caller that moves the open xorb's bytes out after every update gets, with each
    // xorb's tail, exactly the bodies of a planner that kept them.
    #[test]
    fn bytes_taken_while_filling_plus_the_tail_are_the_whole_xorb() {
        let data: Vec<u8> = splitmix64_bytes(25, 150 << 20).iter().map(|b| b & 7).collect();
        let mut whole = UploadPlanner::new(BoundaryRule::Current);
        let mut streamed = UploadPlanner::new(BoundaryRule::Current);
        let (mut expected, mut got, mut pieces) = (Vec::new(), Vec::new(), Vec::new());
        let mut largest_piece = 0;
        for part in data.chunks(4 << 20) {
            whole.update(part).unwrap();
            expected.extend(core::iter::from_fn(|| whole.take_xorb()));
            streamed.update(part).unwrap();
            while let Some(x) = streamed.take_xorb() {
                pieces.extend_from_slice(&x.bytes);
                assert_eq!(pieces.len(), x.serialized_len());
                got.push((x.hash, core::mem::take(&mut pieces)));
            }
            let piece = streamed.take_open_xorb_bytes();
            largest_piece = largest_piece.max(piece.len());
            pieces.extend_from_slice(&piece);
        }
        let shard_whole = whole.finish().unwrap();
        expected.extend(core::iter::from_fn(|| whole.take_xorb()));
        assert_eq!(streamed.finish().unwrap(), shard_whole, "the same shard");
        while let Some(x) = streamed.take_xorb() {
            pieces.extend_from_slice(&x.bytes);
            got.push((x.hash, core::mem::take(&mut pieces)));
        }
        assert!(expected.len() >= 3, "several xorbs");
        assert_eq!(got, expected.into_iter().map(|x| (x.hash, x.bytes)).collect::<Vec<_>>());
        assert!(largest_piece <= 5 << 20, "about one block at a time, got {largest_piece}");
    }
}
