//! The Xet download pipeline (xet-protocol.md §6.4, §7): read token → reconstruction → range
//! fetches → verified bytes in file order.
//!
//! [`XetDownload`] hands out up to `max_in_flight` single-range fetches at once (hf_xet fetches
//! each signed range on its own, and a server must accept any subset of the signed set), in the
//! order the terms need them. Bodies are fed as they arrive ([`XetDownload::job_data`]); each
//! complete chunk is decoded at once and kept only until its terms release it, so a range read in
//! order never sits in memory whole. No new fetch starts while more than `max_buffered_bytes` of
//! decoded chunks wait, and a caller reads the bodies of fetches other than
//! [`XetDownload::head_job`] only while [`XetDownload::held_bytes`] is under that budget. Bytes come
//! out strictly in file order. A dropped fetch goes back to the front of the queue and is asked for again
//! whole (the signature covers exactly that range); bytes already released are never re-delivered,
//! and [`XetDownload::verified_through`] is the resume point. When the presigned URLs expire, a fresh
//! reconstruction of the same range replaces them ([`XetDownload::refresh_urls`]).
//!
//! Integrity: every range must decode to exactly its chunks and every term to its `unpacked_length`;
//! a whole-file download is then checked against the file hash (the Merkle root of every chunk's
//! hash) before [`XetDownload::finish`] succeeds. A ranged download has no hash to check against (the
//! answer names no chunk hashes), so it gets the structural checks only.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;

use super::span::FileSpan;
use crate::xet::reconstruct::{Reconstruction, ReconstructionError};
use crate::xet::xorb::{decode_chunk_data, parse_chunk_header, XorbError, CHUNK_HEADER_LEN};
use crate::xet::{chunk_hash, file_hash, XetHash};

/// The answer of `GET …/xet-read-token/{rev}`: `{accessToken, exp, casUrl}` (xet-protocol.md §7.1).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XetToken {
    pub access_token: String,
    /// Expiry, unix seconds.
    pub exp: u64,
    pub cas_url: String,
}

/// Seconds before `exp` at which a token counts as expired (a request must not race the expiry).
pub const TOKEN_EXPIRY_MARGIN_SECS: u64 = 30;

impl XetToken {
    pub fn parse(json: &[u8]) -> Result<Self, XetDownloadError> {
        serde_json::from_slice(json).map_err(|e| XetDownloadError::BadToken { line: e.line(), column: e.column() })
    }

    pub fn is_expired(&self, now_unix_secs: u64) -> bool {
        now_unix_secs.saturating_add(TOKEN_EXPIRY_MARGIN_SECS) >= self.exp
    }

    /// `{casUrl}/v2/reconstructions/{hash}`, or the V1 route to fall back to on 404/501.
    pub fn reconstruction_url(&self, file: &XetHash, v2: bool) -> String {
        let version = if v2 { "v2" } else { "v1" };
        format!("{}/{version}/reconstructions/{file}", self.cas_url.trim_end_matches('/'))
    }
}

/// Whether a reconstruction request answered with `status` should be retried on the V1 route.
pub fn falls_back_to_v1(status: u16) -> bool {
    status == 404 || status == 501
}

/// The `Range` of the reconstruction request for `span` (`None`: the whole file).
pub fn reconstruction_range(span: &FileSpan) -> Option<String> {
    span.range_header_from(span.start)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XetOptions {
    /// Range fetches under way at once.
    pub max_in_flight: usize,
    /// Bytes held in fetches under way plus decoded ranges not yet released; a single range larger
    /// than this is still fetched, alone.
    pub max_buffered_bytes: u64,
}

impl Default for XetOptions {
    fn default() -> Self {
        Self { max_in_flight: 4, max_buffered_bytes: 64 << 20 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XetDownloadError {
    /// The token answer is not `{accessToken, exp, casUrl}`.
    BadToken { line: usize, column: usize },
    /// The reconstruction or a fetched range is inconsistent, or the file does not hash right.
    Reconstruction(ReconstructionError),
    /// `job_done`/`job_failed` for a job that is not under way.
    UnknownJob(usize),
    /// A fetched range has the wrong length (a cut connection); the job is queued again.
    RangeLength { job: usize, expected: u64, actual: u64 },
    /// The reconstruction delivered fewer or more bytes than the span.
    WrongLength { expected: u64, actual: u64 },
    /// A fresh reconstruction (for new URLs) describes different fetches.
    ReconstructionChanged,
    /// An earlier error ended this download.
    Failed,
}

impl fmt::Display for XetDownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XetDownloadError::BadToken { line, column } => {
                write!(f, "the Xet token answer is not the expected JSON (line {line}, column {column})")
            }
            XetDownloadError::Reconstruction(e) => write!(f, "{e}"),
            XetDownloadError::UnknownJob(j) => write!(f, "range fetch {j} is not under way"),
            XetDownloadError::RangeLength { job, expected, actual } => {
                write!(f, "range fetch {job} brought {actual} bytes instead of {expected}")
            }
            XetDownloadError::WrongLength { expected, actual } => {
                write!(f, "the reconstruction gave {actual} bytes instead of {expected}")
            }
            XetDownloadError::ReconstructionChanged => {
                f.write_str("a fresh reconstruction of the file describes different ranges")
            }
            XetDownloadError::Failed => f.write_str("the download already failed"),
        }
    }
}

impl core::error::Error for XetDownloadError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            XetDownloadError::Reconstruction(e) => Some(e),
            _ => None,
        }
    }
}

impl XetDownloadError {
    /// The fetched bytes are not the file's: corrupt or tampered chunks, or a wrong file hash.
    pub fn is_integrity(&self) -> bool {
        use ReconstructionError as R;
        match self {
            XetDownloadError::Reconstruction(e) => {
                matches!(e, R::ChunkCount { .. } | R::Xorb { .. } | R::TermLength { .. } | R::FileHashMismatch { .. })
            }
            XetDownloadError::WrongLength { .. } => true,
            _ => false,
        }
    }
}

impl From<ReconstructionError> for XetDownloadError {
    fn from(e: ReconstructionError) -> Self {
        XetDownloadError::Reconstruction(e)
    }
}

/// One range to fetch: `GET url` with `Range: range_header`, no Authorization (the URL is signed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchJob {
    pub id: usize,
    pub url: String,
    pub range_header: String,
    /// The body's exact length.
    pub len: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JobState {
    Queued,
    InFlight,
    /// Its whole body arrived; some of its chunks may wait for their terms.
    Held,
    Released,
}

struct Job {
    fetch: usize,
    range: usize,
    len: u64,
    /// The last term that reads it.
    last_term: usize,
    /// Every term that reads it, in file order.
    terms: Vec<usize>,
    state: JobState,
    /// Bytes of the current answer not yet decoded (at most one chunk's worth).
    pending: Vec<u8>,
    /// Bytes of the current answer received so far.
    received: u64,
    /// Chunks decoded from the current answer so far.
    decoded_in_answer: u32,
    /// Chunks of this range ever decoded (a range asked again skips these).
    decoded: u32,
    /// Decoded chunks (by index in the xorb) that a term still has to read, with how many terms will.
    stored: BTreeMap<u32, (Vec<u8>, u32)>,
}

/// See the module docs.
pub struct XetDownload {
    rec: Reconstruction,
    span: FileSpan,
    options: XetOptions,
    jobs: Vec<Job>,
    /// For each term, the job that serves it.
    term_jobs: Vec<usize>,
    /// Presigned URL per fetch of the reconstruction.
    urls: Vec<String>,
    /// The next job never handed out.
    next_new: usize,
    /// Dropped jobs, asked for again before any new one (lowest id first: the first needed).
    requeued: BTreeSet<usize>,
    in_flight: usize,
    /// Decoded bytes waiting for their terms (what the budget bounds).
    held: u64,
    /// The term being released, and how many of its chunks were released.
    next_term: usize,
    next_chunk: u32,
    /// Bytes of the current term released so far (checked against its unpacked length).
    term_bytes: u64,
    /// Reconstruction bytes still to drop (`offset_into_first_range`), then still to deliver.
    skip: u64,
    remaining: u64,
    /// Chunk hashes and lengths of the whole file, for its hash (whole-file downloads only).
    verify: Option<(XetHash, Vec<(XetHash, u64)>)>,
    emitted: u64,
    failed: bool,
}

/// For each term, the (fetch, range) that serves it: the first range of a fetch of its xorb that
/// covers its chunks.
fn term_sources(rec: &Reconstruction) -> Vec<Option<(usize, usize)>> {
    rec.terms
        .iter()
        .map(|term| {
            rec.fetches.iter().enumerate().filter(|(_, f)| f.xorb == term.xorb).find_map(|(fi, f)| {
                f.ranges
                    .iter()
                    .position(|r| r.chunks.start <= term.chunks.start && term.chunks.end <= r.chunks.end)
                    .map(|ri| (fi, ri))
            })
        })
        .collect()
}

/// The fetches of `rec` without their URLs, to compare two answers for the same range.
fn fetch_shape(rec: &Reconstruction) -> Vec<(XetHash, Vec<crate::xet::reconstruct::FetchRange>)> {
    rec.fetches.iter().map(|f| (f.xorb, f.ranges.clone())).collect()
}

/// Bytes to release at once: pieces are gathered up to this size when the chunks are there.
const PIECE_BYTES: usize = 1 << 20;

impl XetDownload {
    /// `rec` is the reconstruction answer for `span` (asked with [`reconstruction_range`]); `file` the
    /// file hash, checked when `span` is the whole file.
    pub fn new(
        rec: Reconstruction,
        span: FileSpan,
        file: XetHash,
        options: XetOptions,
    ) -> Result<Self, XetDownloadError> {
        let sources = term_sources(&rec);
        let mut jobs: Vec<Job> = Vec::new();
        let mut job_of: Vec<Vec<Option<usize>>> =
            rec.fetches.iter().map(|f| alloc::vec![None; f.ranges.len()]).collect();
        let mut term_jobs = Vec::with_capacity(rec.terms.len());
        for (t, source) in sources.iter().enumerate() {
            let (fi, ri) = source.ok_or(ReconstructionError::Uncovered { term: t })?;
            let j = match job_of[fi][ri] {
                Some(j) => j,
                None => {
                    let r = rec.fetches[fi].ranges[ri];
                    jobs.push(Job {
                        fetch: fi,
                        range: ri,
                        len: r.bytes.len(),
                        last_term: t,
                        terms: Vec::new(),
                        state: JobState::Queued,
                        pending: Vec::new(),
                        received: 0,
                        decoded_in_answer: 0,
                        decoded: 0,
                        stored: BTreeMap::new(),
                    });
                    job_of[fi][ri] = Some(jobs.len() - 1);
                    jobs.len() - 1
                }
            };
            term_jobs.push(j);
            let job = &mut jobs[j];
            job.last_term = t;
            job.terms.push(t);
        }
        let urls = rec.fetches.iter().map(|f| f.url.clone()).collect();
        let whole = span.is_whole_file() && rec.offset_into_first_range == 0;
        Ok(Self {
            skip: rec.offset_into_first_range,
            remaining: span.len,
            verify: whole.then(|| (file, Vec::new())),
            rec,
            span,
            options: XetOptions { max_in_flight: options.max_in_flight.max(1), ..options },
            jobs,
            term_jobs,
            urls,
            next_new: 0,
            requeued: BTreeSet::new(),
            in_flight: 0,
            held: 0,
            next_term: 0,
            next_chunk: 0,
            term_bytes: 0,
            emitted: 0,
            failed: false,
        })
    }

    fn job_request(&self, id: usize) -> FetchJob {
        let job = &self.jobs[id];
        let r = self.rec.fetches[job.fetch].ranges[job.range];
        FetchJob {
            id,
            url: self.urls[job.fetch].clone(),
            range_header: format!("bytes={}-{}", r.bytes.start, r.bytes.end),
            len: job.len,
        }
    }

    /// The next range to fetch, if the window and the budget allow one now.
    pub fn next_job(&mut self) -> Option<FetchJob> {
        if self.failed || self.in_flight >= self.options.max_in_flight {
            return None;
        }
        // A dropped job is needed before everything held: it never waits for the budget.
        let id = if let Some(id) = self.requeued.pop_first() {
            id
        } else {
            let id = self.next_new;
            // The fetch the next bytes wait for is always allowed, and so is any with nothing under way.
            let waited_for = self.head_job() == Some(id) || self.in_flight == 0;
            if id >= self.jobs.len() || (!waited_for && self.held > self.options.max_buffered_bytes) {
                return None;
            }
            self.next_new += 1;
            id
        };
        let job = &mut self.jobs[id];
        job.state = JobState::InFlight;
        job.pending.clear();
        job.received = 0;
        job.decoded_in_answer = 0;
        self.in_flight += 1;
        Some(self.job_request(id))
    }

    fn in_flight_job(&self, id: usize) -> Result<(), XetDownloadError> {
        match self.jobs.get(id) {
            Some(job) if job.state == JobState::InFlight => Ok(()),
            _ => Err(XetDownloadError::UnknownJob(id)),
        }
    }

    /// A fetch failed before its whole body arrived (network error, 5xx after retries, dropped
    /// connection): it is handed out again first. Chunks it already delivered are kept.
    pub fn job_failed(&mut self, id: usize) -> Result<(), XetDownloadError> {
        self.in_flight_job(id)?;
        let job = &mut self.jobs[id];
        job.state = JobState::Queued;
        job.pending = Vec::new();
        self.in_flight -= 1;
        self.requeued.insert(id);
        Ok(())
    }

    /// The whole body of a fetch at once: [`Self::job_data`] then [`Self::job_end`].
    pub fn job_done(&mut self, id: usize, body: &[u8]) -> Result<(), XetDownloadError> {
        self.job_data(id, body)?;
        self.job_end(id)
    }

    fn fail<T>(&mut self, e: impl Into<XetDownloadError>) -> Result<T, XetDownloadError> {
        self.failed = true;
        Err(e.into())
    }

    /// Bytes of a fetch's body as they arrive: every complete chunk is decoded (and checked) at once
    /// and kept only until its term releases it, so a range in file order never sits in memory whole.
    pub fn job_data(&mut self, id: usize, bytes: &[u8]) -> Result<(), XetDownloadError> {
        if self.failed {
            return Err(XetDownloadError::Failed);
        }
        self.in_flight_job(id)?;
        let (fetch, range) = (self.jobs[id].fetch, self.jobs[id].range);
        let spec = self.rec.fetches[fetch].ranges[range];
        let expected = spec.chunks.end - spec.chunks.start;
        let job = &mut self.jobs[id];
        if job.received + bytes.len() as u64 > job.len {
            let actual = job.received + bytes.len() as u64;
            let expected_len = job.len;
            self.job_failed(id)?;
            return Err(XetDownloadError::RangeLength { job: id, expected: expected_len, actual });
        }
        job.received += bytes.len() as u64;
        let mut input = bytes;
        loop {
            let job = &mut self.jobs[id];
            // The chunk's bytes: completed from `pending`, or straight from the input.
            let need = match chunk_len(&job.pending, input) {
                Ok(Some(n)) => n,
                Ok(None) => {
                    job.pending.extend_from_slice(input);
                    return Ok(());
                }
                Err(error) => return self.fail(ReconstructionError::Xorb { fetch, range, error }),
            };
            let chunk_result = if job.pending.is_empty() {
                if input.len() < need {
                    // Room for the whole chunk at once: it is completed by the next reads.
                    job.pending.reserve(need);
                    job.pending.extend_from_slice(input);
                    return Ok(());
                }
                let (chunk, rest) = input.split_at(need);
                input = rest;
                decode_one(chunk)
            } else {
                let missing = need - job.pending.len();
                if input.len() < missing {
                    job.pending.extend_from_slice(input);
                    return Ok(());
                }
                job.pending.reserve(missing);
                job.pending.extend_from_slice(&input[..missing]);
                input = &input[missing..];
                // Cleared, not dropped: the next chunk that spans two reads reuses its room.
                let decoded = decode_one(&job.pending);
                job.pending.clear();
                decoded
            };
            let data = match chunk_result {
                Ok(data) => data,
                Err(error) => return self.fail(ReconstructionError::Xorb { fetch, range, error }),
            };
            let job = &mut self.jobs[id];
            let index_in_range = job.decoded_in_answer;
            if index_in_range == expected {
                let actual = expected.saturating_add(1);
                return self.fail(ReconstructionError::ChunkCount { fetch, range, expected, actual });
            }
            job.decoded_in_answer += 1;
            if index_in_range < job.decoded {
                continue; // delivered by an earlier answer for this range
            }
            job.decoded += 1;
            let chunk = spec.chunks.start + index_in_range;
            let readers = self.readers_of(id, chunk);
            if readers > 0 {
                self.held += data.len() as u64;
                self.jobs[id].stored.insert(chunk, (data, readers));
            }
            if input.is_empty() {
                return Ok(());
            }
        }
    }

    /// Unreleased terms served by job `id` that read `chunk`.
    fn readers_of(&self, id: usize, chunk: u32) -> u32 {
        let mut readers = 0;
        for &t in self.jobs[id].terms.iter().filter(|&&t| t >= self.next_term) {
            let term = &self.rec.terms[t];
            let from = if t == self.next_term { term.chunks.start + self.next_chunk } else { term.chunks.start };
            if from <= chunk && chunk < term.chunks.end {
                readers += 1;
            }
        }
        readers
    }

    /// The end of a fetch's body: it must have held exactly its range's bytes and chunks. A short
    /// body counts as a dropped fetch (queued again, [`XetDownloadError::RangeLength`]).
    pub fn job_end(&mut self, id: usize) -> Result<(), XetDownloadError> {
        if self.failed {
            return Err(XetDownloadError::Failed);
        }
        self.in_flight_job(id)?;
        let job = &self.jobs[id];
        if job.received != job.len {
            let (expected, actual) = (job.len, job.received);
            self.job_failed(id)?;
            return Err(XetDownloadError::RangeLength { job: id, expected, actual });
        }
        let spec = self.rec.fetches[job.fetch].ranges[job.range];
        let expected = spec.chunks.end - spec.chunks.start;
        if !job.pending.is_empty() || job.decoded_in_answer != expected {
            let (fetch, range, actual) = (job.fetch, job.range, job.decoded_in_answer);
            return self.fail(ReconstructionError::ChunkCount { fetch, range, expected, actual });
        }
        self.in_flight -= 1;
        self.jobs[id].state = JobState::Held;
        self.jobs[id].pending = Vec::new();
        self.release_jobs();
        Ok(())
    }

    /// The next verified bytes in file order, if they have arrived (`Ok(None)`: fetch more, or
    /// [`Self::is_complete`]). After an error nothing more comes out.
    pub fn next_piece(&mut self) -> Result<Option<Vec<u8>>, XetDownloadError> {
        let mut out = Vec::new();
        Ok(self.next_piece_into(&mut out)?.then_some(out))
    }

    /// [`Self::next_piece`] written into `out` (cleared first), so a caller can keep one buffer for
    /// the whole download instead of allocating (and growing) one per piece. `Ok(false)`: nothing
    /// new yet, or the end.
    pub fn next_piece_into(&mut self, out: &mut Vec<u8>) -> Result<bool, XetDownloadError> {
        out.clear();
        if self.failed {
            return Err(XetDownloadError::Failed);
        }
        while self.remaining > 0 && self.next_term < self.rec.terms.len() && out.len() < PIECE_BYTES {
            let term = self.rec.terms[self.next_term];
            let id = self.term_jobs[self.next_term];
            let chunk = term.chunks.start + self.next_chunk;
            if chunk == term.chunks.end {
                if self.term_bytes != u64::from(term.unpacked_length) {
                    let (t, expected, actual) = (self.next_term, term.unpacked_length, self.term_bytes);
                    return self.fail(ReconstructionError::TermLength { term: t, expected, actual });
                }
                self.next_term += 1;
                self.next_chunk = 0;
                self.term_bytes = 0;
                self.release_jobs();
                continue;
            }
            let Some(entry) = self.jobs[id].stored.get_mut(&chunk) else { break };
            entry.1 -= 1;
            let data = if entry.1 == 0 {
                let data = self.jobs[id].stored.remove(&chunk).map(|(d, _)| d).unwrap_or_default();
                self.held -= data.len() as u64;
                data
            } else {
                entry.0.clone()
            };
            self.next_chunk += 1;
            self.term_bytes += data.len() as u64;
            if self.term_bytes > u64::from(term.unpacked_length) {
                let (t, expected, actual) = (self.next_term, term.unpacked_length, self.term_bytes);
                return self.fail(ReconstructionError::TermLength { term: t, expected, actual });
            }
            if let Some((_, list)) = &mut self.verify {
                list.push((chunk_hash(&data), data.len() as u64));
            }
            let skip = self.skip.min(data.len() as u64) as usize;
            self.skip -= skip as u64;
            let take = (data.len() - skip).min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
            out.extend_from_slice(&data[skip..skip + take]);
            self.remaining -= take as u64;
        }
        if self.remaining == 0 {
            self.release_jobs();
        } else if self.next_term == self.rec.terms.len() && out.is_empty() {
            // Every term released, yet bytes are missing: the reconstruction was short.
            let actual = self.emitted;
            return self.fail(XetDownloadError::WrongLength { expected: self.span.len, actual });
        }
        if out.is_empty() {
            return Ok(false);
        }
        self.emitted += out.len() as u64;
        Ok(true)
    }

    /// Jobs whose last term has been released stop counting against the budget.
    fn release_jobs(&mut self) {
        let done = self.remaining == 0;
        for job in &mut self.jobs {
            if job.state == JobState::Held && (done || job.last_term < self.next_term) {
                job.state = JobState::Released;
                self.held -= job.stored.values().map(|(d, _)| d.len() as u64).sum::<u64>();
                job.stored.clear();
            }
        }
    }

    pub fn is_complete(&self) -> bool {
        !self.failed && self.remaining == 0
    }

    /// Fetches under way.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Decoded bytes held now, waiting for their terms: what [`XetOptions::max_buffered_bytes`]
    /// bounds (plus, per fetch, the partial chunk being received).
    pub fn held_bytes(&self) -> u64 {
        self.held
    }

    /// The fetch the next bytes wait for: its body should be read even when the budget is spent
    /// (the others can wait, which keeps memory bounded).
    pub fn head_job(&self) -> Option<usize> {
        self.term_jobs.get(self.next_term).copied().filter(|_| self.remaining > 0)
    }

    /// The absolute file offset up to which bytes were released (verified): where a restarted
    /// download would begin.
    pub fn verified_through(&self) -> u64 {
        self.span.start + self.emitted
    }

    /// Takes the URLs of a fresh reconstruction of the same span (after a 403 on expired URLs). It
    /// must describe the same terms and ranges, so nothing fetched or released is lost.
    pub fn refresh_urls(&mut self, fresh: &Reconstruction) -> Result<(), XetDownloadError> {
        let current = &self.rec;
        if fresh.terms != current.terms
            || fresh.offset_into_first_range != current.offset_into_first_range
            || fetch_shape(fresh) != fetch_shape(current)
        {
            return Err(XetDownloadError::ReconstructionChanged);
        }
        self.urls = fresh.fetches.iter().map(|f| f.url.clone()).collect();
        Ok(())
    }

    /// Every byte was released, in the span's length, and a whole file hashed as requested.
    pub fn finish(self) -> Result<(), XetDownloadError> {
        if self.failed {
            return Err(XetDownloadError::Failed);
        }
        if self.remaining != 0 {
            return Err(XetDownloadError::WrongLength { expected: self.span.len, actual: self.emitted });
        }
        // The whole file: every term must have been read, then the chunks hash to the file hash.
        if let Some((expected, chunks)) = self.verify {
            let terms = &self.rec.terms;
            let last_read = |t: usize| {
                let term = &terms[t];
                self.next_chunk == term.chunks.end - term.chunks.start
                    && self.term_bytes == u64::from(term.unpacked_length)
            };
            let all_read =
                self.next_term == terms.len() || (self.next_term + 1 == terms.len() && last_read(self.next_term));
            let total: u64 = terms.iter().map(|t| u64::from(t.unpacked_length)).sum();
            if !all_read || total != self.span.len {
                return Err(XetDownloadError::WrongLength { expected: self.span.len, actual: total });
            }
            let actual = file_hash(&chunks);
            if actual != expected {
                return Err(ReconstructionError::FileHashMismatch { actual }.into());
            }
        }
        Ok(())
    }
}

/// The serialized length (header + stored bytes) of the chunk that starts in `pending ++ input`, or
/// `None` while its header is incomplete.
fn chunk_len(pending: &[u8], input: &[u8]) -> Result<Option<usize>, XorbError> {
    let mut header = [0u8; CHUNK_HEADER_LEN];
    let have = pending.len().min(CHUNK_HEADER_LEN);
    header[..have].copy_from_slice(&pending[..have]);
    let more = (CHUNK_HEADER_LEN - have).min(input.len());
    header[have..have + more].copy_from_slice(&input[..more]);
    if have + more < CHUNK_HEADER_LEN {
        return Ok(None);
    }
    match parse_chunk_header(&header, 0)? {
        Some(h) => Ok(Some(CHUNK_HEADER_LEN + h.stored_len)),
        // A footer inside a range: not a chunk.
        None => Err(XorbError::Truncated { offset: 0 }),
    }
}

/// Decodes one serialized chunk (header included).
fn decode_one(chunk: &[u8]) -> Result<Vec<u8>, XorbError> {
    let header = parse_chunk_header(chunk, 0)?.ok_or(XorbError::Truncated { offset: 0 })?;
    decode_chunk_data(&header, &chunk[CHUNK_HEADER_LEN..], 0)
}

#[cfg(test)]
mod tests;
