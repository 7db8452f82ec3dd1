//! The Xet download pipeline (xet-protocol.md §6.4, §7): read token → reconstruction → range
//! fetches → verified bytes in file order.
//!
//! [`XetDownload`] wraps [`Assembler`]: it hands out up to `max_in_flight` single-range fetches at
//! once (hf_xet fetches each signed range on its own, and a server must accept any subset of the
//! signed set), in the order the terms need them, and stops handing out new ones while
//! `max_buffered_bytes` are held in fetches under way or decoded but not yet released. Bytes come out
//! strictly in file order. A dropped fetch goes back to the front of the queue and is asked for again
//! whole (the signature covers exactly that range); bytes already released are never re-delivered,
//! and [`XetDownload::verified_through`] is the resume point. When the presigned URLs expire, a fresh
//! reconstruction of the same range replaces them ([`XetDownload::refresh_urls`]).
//!
//! Integrity: every range must decode to exactly its chunks and every term to its `unpacked_length`;
//! a whole-file download is then checked against the file hash (the Merkle root of every chunk's
//! hash) before [`XetDownload::finish`] succeeds. A ranged download has no hash to check against (the
//! answer names no chunk hashes), so it gets the structural checks only.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;

use super::span::FileSpan;
use crate::xet::chunker::MAX_CHUNK_SIZE;
use crate::xet::reconstruct::{AssembleOptions, Assembler, Reconstruction, ReconstructionError};
use crate::xet::XetHash;

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
    /// Decoded inside the assembler until its last term is released.
    Held,
    Released,
}

struct Job {
    fetch: usize,
    range: usize,
    len: u64,
    /// Buffered bytes it accounts for: the larger of its fetched and (estimated) decoded size.
    cost: u64,
    /// Sum of the unpacked lengths of the terms that read it.
    unpacked: u64,
    /// The last term that reads it.
    last_term: usize,
    state: JobState,
}

/// See the module docs.
pub struct XetDownload {
    assembler: Assembler,
    span: FileSpan,
    options: XetOptions,
    jobs: Vec<Job>,
    /// Presigned URL per fetch of the reconstruction.
    urls: Vec<String>,
    /// The next job never handed out.
    next_new: usize,
    /// Dropped jobs, asked for again before any new one (lowest id first: the first needed).
    requeued: BTreeSet<usize>,
    in_flight: usize,
    buffered: u64,
    /// Position in the reconstruction's output (before `offset_into_first_range` is dropped) at
    /// which each term ends.
    term_ends: Vec<u64>,
    /// Terms entirely released.
    released_terms: usize,
    offset_into_first_range: u64,
    emitted: u64,
    failed: bool,
}

/// For each term, the (fetch, range) that serves it: the first range of a fetch of its xorb that
/// covers its chunks, the rule [`Assembler::new`] applies.
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
        let mut term_ends = Vec::with_capacity(rec.terms.len());
        let mut end = 0u64;
        for (t, (term, source)) in rec.terms.iter().zip(&sources).enumerate() {
            end += u64::from(term.unpacked_length);
            term_ends.push(end);
            let (fi, ri) = source.ok_or(ReconstructionError::Uncovered { term: t })?;
            let j = match job_of[fi][ri] {
                Some(j) => j,
                None => {
                    let r = rec.fetches[fi].ranges[ri];
                    jobs.push(Job {
                        fetch: fi,
                        range: ri,
                        len: r.bytes.len(),
                        cost: 0,
                        unpacked: 0,
                        last_term: t,
                        state: JobState::Queued,
                    });
                    job_of[fi][ri] = Some(jobs.len() - 1);
                    jobs.len() - 1
                }
            };
            let job = &mut jobs[j];
            job.last_term = t;
            job.unpacked = job.unpacked.saturating_add(u64::from(term.unpacked_length));
        }
        for job in &mut jobs {
            // Decoded, the range holds its chunks: at least what its terms read (repeats counted
            // once at most by the cap), at most a full chunk each.
            let chunks = rec.fetches[job.fetch].ranges[job.range].chunks;
            let cap = u64::from(chunks.end - chunks.start) * MAX_CHUNK_SIZE as u64;
            job.cost = job.len.max(job.unpacked.min(cap));
        }
        let urls = rec.fetches.iter().map(|f| f.url.clone()).collect();
        let offset_into_first_range = rec.offset_into_first_range;
        let assemble = AssembleOptions {
            length: (!span.is_whole_file()).then_some(span.len),
            verify_file: span.is_whole_file().then_some(file),
        };
        let assembler = Assembler::new(rec, assemble)?;
        Ok(Self {
            assembler,
            span,
            options: XetOptions { max_in_flight: options.max_in_flight.max(1), ..options },
            jobs,
            urls,
            next_new: 0,
            requeued: BTreeSet::new(),
            in_flight: 0,
            buffered: 0,
            term_ends,
            released_terms: 0,
            offset_into_first_range,
            emitted: 0,
            failed: false,
        })
    }

    fn job_request(&self, id: usize) -> FetchJob {
        let job = &self.jobs[id];
        let r = self.assembler.reconstruction().fetches[job.fetch].ranges[job.range];
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
            let job = self.jobs.get(id)?;
            // With nothing under way the next job is what the next term waits for: always allowed.
            if self.in_flight > 0 && self.buffered + job.cost > self.options.max_buffered_bytes {
                return None;
            }
            self.next_new += 1;
            id
        };
        self.jobs[id].state = JobState::InFlight;
        self.in_flight += 1;
        self.buffered += self.jobs[id].cost;
        Some(self.job_request(id))
    }

    fn in_flight_job(&self, id: usize) -> Result<(), XetDownloadError> {
        match self.jobs.get(id) {
            Some(job) if job.state == JobState::InFlight => Ok(()),
            _ => Err(XetDownloadError::UnknownJob(id)),
        }
    }

    /// A fetch failed before its whole body arrived (network error, 5xx after retries, dropped
    /// connection): it is handed out again first.
    pub fn job_failed(&mut self, id: usize) -> Result<(), XetDownloadError> {
        self.in_flight_job(id)?;
        let job = &mut self.jobs[id];
        job.state = JobState::Queued;
        self.in_flight -= 1;
        self.buffered -= job.cost;
        self.requeued.insert(id);
        Ok(())
    }

    /// The whole body of a fetch. A body of the wrong length counts as a dropped fetch (queued
    /// again, [`XetDownloadError::RangeLength`]); bytes that do not decode end the download.
    pub fn job_done(&mut self, id: usize, body: &[u8]) -> Result<(), XetDownloadError> {
        if self.failed {
            return Err(XetDownloadError::Failed);
        }
        self.in_flight_job(id)?;
        let (fetch, range, len) = (self.jobs[id].fetch, self.jobs[id].range, self.jobs[id].len);
        if body.len() as u64 != len {
            self.job_failed(id)?;
            return Err(XetDownloadError::RangeLength { job: id, expected: len, actual: body.len() as u64 });
        }
        self.in_flight -= 1;
        self.jobs[id].state = JobState::Held;
        if let Err(e) = self.assembler.accept(fetch, range, body) {
            self.failed = true;
            return Err(e.into());
        }
        Ok(())
    }

    /// The next verified bytes in file order, if they have arrived (`Ok(None)`: fetch more, or
    /// [`Self::is_complete`]). After an error nothing more comes out.
    pub fn next_piece(&mut self) -> Result<Option<Vec<u8>>, XetDownloadError> {
        if self.failed {
            return Err(XetDownloadError::Failed);
        }
        let piece = match self.assembler.next_piece() {
            Ok(p) => p,
            Err(e) => {
                self.failed = true;
                return Err(e.into());
            }
        };
        if let Some(p) = &piece {
            self.emitted += p.len() as u64;
            if self.emitted > self.span.len {
                self.failed = true;
                return Err(XetDownloadError::WrongLength { expected: self.span.len, actual: self.emitted });
            }
            self.release_done_terms();
        }
        Ok(piece)
    }

    fn release_done_terms(&mut self) {
        let position = self.offset_into_first_range + self.emitted;
        let complete = self.assembler.is_complete();
        while self.released_terms < self.term_ends.len()
            && (complete || self.term_ends[self.released_terms] <= position)
        {
            self.released_terms += 1;
        }
        for job in &mut self.jobs {
            if job.state == JobState::Held && job.last_term < self.released_terms {
                job.state = JobState::Released;
                self.buffered -= job.cost;
            }
        }
    }

    pub fn is_complete(&self) -> bool {
        !self.failed && self.assembler.is_complete()
    }

    /// Fetches under way.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Bytes counted against [`XetOptions::max_buffered_bytes`] now.
    pub fn buffered_bytes(&self) -> u64 {
        self.buffered
    }

    /// The absolute file offset up to which bytes were released (verified): where a restarted
    /// download would begin.
    pub fn verified_through(&self) -> u64 {
        self.span.start + self.emitted
    }

    /// Takes the URLs of a fresh reconstruction of the same span (after a 403 on expired URLs). It
    /// must describe the same terms and ranges, so nothing fetched or released is lost.
    pub fn refresh_urls(&mut self, fresh: &Reconstruction) -> Result<(), XetDownloadError> {
        let current = self.assembler.reconstruction();
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
        let emitted = self.emitted;
        self.assembler.finish()?;
        if emitted != self.span.len {
            return Err(XetDownloadError::WrongLength { expected: self.span.len, actual: emitted });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
