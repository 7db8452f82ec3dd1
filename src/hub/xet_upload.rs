//! Uploading a commit's large files through Xet (xet-protocol.md §6–§8.1): one session per
//! commit, one pass over each file, xorbs sent while the next ones are chunked.
//!
//! - The write token comes from `xet-write-token` (hub-api.md §4.3), renewed before it expires and
//!   once more on a 401.
//! - Each file is read once in blocks: hubwasm-core's planner chunks, hashes and packs the xorbs;
//!   the SHA-256 runs in the runtime's native digest where there is one (src/hash/native_sha256).
//!   Where the runtime has worker threads (Node), the chunking and chunk hashing run on one
//!   (src/hash/chunk_thread) and this thread takes the SHA-256, packs and sends.
//! - Finished xorbs are posted at once, up to [`XetUploadOptions::max_xorb_bytes_in_flight`]
//!   bytes of bodies under way; chunking goes on meanwhile, and waits only when the window is full
//!   (memory stays bounded whatever the input size).
//! - Every eligible chunk is asked about (`GET /v1/chunks/default/{hash}`); the planner holds the
//!   chunks behind an unanswered query (at most [`XetUploadOptions::max_held_bytes`], then we wait)
//!   and keeps the answers for the session.
//! - Before posting a xorb we ask whether the CAS has it (`HEAD /v1/xorbs/default/{hash}`): a
//!   commit retried after a failure or a killed process sends again only what never arrived.
//! - Every CAS request goes through the transport (bounded retries with backoff, the abort
//!   signal); a failure aborts the requests still under way. The shard goes last.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use hubwasm_core::download::XetToken;
use hubwasm_core::repo::RepoId;
use hubwasm_core::xet::shard::{self, Shard};
use hubwasm_core::xet::{BoundaryRule, PlannerError, ShardIndex, UploadPlanner, XetHash, Xorb};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use super::upload::{FileContent, FileState, LargeFile, LargeFileUploader, LfsUploader, UploadSession, UploadedFile};
use crate::error::{ApiFailure, Error};
use crate::hash::chunk_thread::{ChunkThread, Unfed};
use crate::hash::native_sha256::NativeSha256;
use crate::http::streams::{linked_controller, LinkedController};
use crate::http::{LocalFuture, Request, Transport};
use crate::js::pacing::Pacer;
use crate::js::source::Replayable;
use crate::js::xorb_buffer::XorbBuffer;

/// Bytes read from a file and fed to the planner at a time.
const READ_BLOCK: u64 = 1 << 20;
/// Acknowledged xorbs' buffers kept for the next ones: as many as xorbs in flight in the default
/// window (two), so that no buffer is dropped for the GC while the window stays full.
const MAX_SPARE_BUFFERS: usize = 2;
/// Blocks read ahead of the one being planned, when reads are independent.
const READ_AHEAD_BLOCKS: usize = 4;
/// Dedup queries under way at once (they are rare: one per file and one per ~64 MiB).
const MAX_DEDUP_QUERIES_IN_FLIGHT: usize = 4;
/// Bytes read and sent to the chunking thread before reading waits for its answers.
const MAX_UNCUT_BYTES: usize = 4 << 20;

/// Limits of one session. What a session keeps alive is the xorbs being sent plus the one being
/// filled (held in ArrayBuffers outside wasm memory), the held chunks, the blocks read ahead and
/// ~15 MiB of wasm memory, whatever the input size; the host's GC decides how soon the buffers
/// already used are freed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct XetUploadOptions {
    /// Largest xorb (the protocol's 64 MiB, or less to hold less).
    pub(crate) max_xorb_bytes: u64,
    /// Bytes of xorb bodies being sent at once (one xorb is always allowed).
    pub(crate) max_xorb_bytes_in_flight: u64,
    /// Bytes of chunks waiting for dedup answers before reading waits for them.
    pub(crate) max_held_bytes: u64,
    /// Hash with the runtime's native SHA-256 when it has one (false: wasm's, for measuring).
    pub(crate) native_sha256: bool,
}

impl XetUploadOptions {
    /// Limits that hold about `memory` bytes of file data: a quarter for the xorb being filled, a
    /// quarter for a finished one waiting to be sent, the rest for those being sent (two below
    /// 256 MiB, where xorbs reach the protocol's 64 MiB). Measured in Node on fresh 1 GiB files at
    /// 32 MiB, interleaved rounds: two 8 MiB xorbs in flight upload ~8% faster than one of 16 MiB
    /// (6.21 -> 5.76 s median; the sender no longer idles while each answer comes), as fast as
    /// three of 8 MiB (which held 40 MiB) and faster than seven of 4 MiB.
    pub(crate) fn within(memory: u64) -> Self {
        let max_xorb_bytes = (memory / 4).clamp(1 << 20, 64 << 20);
        XetUploadOptions {
            max_xorb_bytes,
            max_xorb_bytes_in_flight: memory.saturating_sub(2 * max_xorb_bytes).max(max_xorb_bytes),
            max_held_bytes: (memory / 8).min(8 << 20),
            native_sha256: true,
        }
    }
}

/// A file's bytes, read once in order (a commit's content: bytes, a Blob or a stream).
pub(crate) trait XetContent {
    /// The size, when known before reading (not for a stream).
    fn known_len(&self) -> Option<u64>;
    /// Whether blocks at different offsets may be read at once (not a stream's, read in order).
    fn reads_at_any_offset(&self) -> bool;
    /// The bytes at `offset` (where the last block ended), about [`READ_BLOCK`] of them; `None`
    /// at the end.
    fn next_block<'a>(&'a self, offset: u64) -> LocalFuture<'a, Option<Block>>;
}

/// A block of a file, in wasm memory; with the host's array it was copied from when that array
/// is the read's own, so that it can be handed to the chunking thread instead of a copy.
pub(crate) struct Block {
    bytes: Vec<u8>,
    host_copy: Option<Uint8Array>,
}

/// What a file is known by once its xorbs and the session's shard are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct XetUploadedFile {
    pub(crate) xet_hash: String,
    /// Lowercase hex (the LFS oid of the commit line).
    pub(crate) sha256: String,
    pub(crate) size: u64,
}

/// Per-file progress, in bytes of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum XetFileProgress {
    /// Read, chunked and hashed.
    Hashed,
    /// Found already stored (this session, or the CAS's dedup answers): never sent.
    Deduplicated,
    /// Stored at the CAS: deduplicated, or in a xorb the CAS acknowledged (or already had).
    Stored,
}

/// Where progress goes: `(file index, what, loaded, total)`.
pub(crate) type ProgressSink<'a> = &'a dyn Fn(usize, XetFileProgress, u64, u64);

/// Session-wide counters (also what a test or the tour reports).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct XetSessionStats {
    pub(crate) xorbs_sent: u64,
    /// Serialized bytes of the xorbs sent.
    pub(crate) xorb_bytes_sent: u64,
    /// Xorbs the CAS already had (HEAD answered 200): not sent again.
    pub(crate) xorbs_already_stored: u64,
    pub(crate) dedup_queries: u64,
    pub(crate) deduplicated_bytes: u64,
    pub(crate) bytes_hashed: u64,
}

/// The commit's large-file uploader when Xet is wanted: one [`XetSession`] for all the files;
/// Git LFS when the Hub gives no Xet write token (404 or 501 on `xet-write-token`).
pub(crate) struct XetUploader;

impl LargeFileUploader for XetUploader {
    fn upload<'a>(
        &'a self,
        session: &'a UploadSession<'a>,
        files: &'a [LargeFile],
    ) -> LocalFuture<'a, Vec<UploadedFile>> {
        Box::pin(async move {
            let started = XetSession::start(
                session.transport.clone(),
                session.repo,
                session.branch,
                session.is_pull_request,
                session.signal,
                XetUploadOptions::within(session.memory),
            )
            .await;
            let mut xet = match started {
                Ok(xet) => xet,
                Err(Error::Api(f)) if matches!(f.status, 404 | 501) => return LfsUploader.upload(session, files).await,
                Err(e) => return Err(e),
            };
            let progress = |file: usize, what: XetFileProgress, loaded: u64, total: u64| {
                let state = match what {
                    XetFileProgress::Hashed => FileState::Hashing,
                    XetFileProgress::Deduplicated => FileState::Deduplicated,
                    XetFileProgress::Stored => FileState::Uploading,
                };
                if let Some(f) = files.get(file) {
                    session.progress.file(&f.path, state, loaded, total);
                }
            };
            let mut uploaded = Vec::with_capacity(files.len());
            for file in files {
                let info = xet.upload_file(&file.content, &progress).await?;
                uploaded.push(UploadedFile { sha256: info.sha256, size: info.size, xet_hash: Some(info.xet_hash) });
            }
            xet.finish(&progress).await?;
            Ok(uploaded)
        })
    }
}

impl XetContent for Replayable {
    fn known_len(&self) -> Option<u64> {
        Some(self.len())
    }

    fn reads_at_any_offset(&self) -> bool {
        true
    }

    fn next_block<'a>(&'a self, offset: u64) -> LocalFuture<'a, Option<Block>> {
        Box::pin(async move {
            let end = (offset + READ_BLOCK).min(self.len());
            if offset >= end {
                return Ok(None);
            }
            let (block, host_copy) = self.read_with_host_copy(offset, end).await?;
            if block.len() as u64 != end - offset {
                return Err(Error::SourceRead {
                    message: format!("the content gave {} bytes at {offset}, {} expected", block.len(), end - offset),
                    cause: JsValue::UNDEFINED,
                });
            }
            Ok(Some(Block { bytes: block, host_copy }))
        })
    }
}

impl XetContent for FileContent {
    fn known_len(&self) -> Option<u64> {
        match self {
            FileContent::Replayable(r) => r.known_len(),
            FileContent::Stream(_) => None,
        }
    }

    fn reads_at_any_offset(&self) -> bool {
        matches!(self, FileContent::Replayable(_))
    }

    fn next_block<'a>(&'a self, offset: u64) -> LocalFuture<'a, Option<Block>> {
        match self {
            FileContent::Replayable(r) => r.next_block(offset),
            FileContent::Stream(s) => Box::pin(async move {
                let bytes = s.next_block(READ_BLOCK as usize).await?;
                Ok(bytes.map(|bytes| Block { bytes, host_copy: None }))
            }),
        }
    }
}

/// The write token, shared by the requests under way and renewed when it expires.
struct Credentials {
    transport: Rc<Transport>,
    token_url: String,
    token: RefCell<XetToken>,
}

impl Credentials {
    async fn fetch(transport: &Transport, url: &str, signal: &AbortSignal) -> Result<XetToken, Error> {
        let read = transport.send_and_read(Request::get(url.to_string(), Some(signal)).repo_route()).await?;
        XetToken::parse(&read.body).map_err(|e| read.answer.unexpected(format!("the Xet token answer: {e}")))
    }

    async fn current(&self, signal: &AbortSignal) -> Result<XetToken, Error> {
        if self.token.borrow().is_expired(now_unix_secs()) {
            self.renew(signal).await?;
        }
        Ok(self.token.borrow().clone())
    }

    async fn renew(&self, signal: &AbortSignal) -> Result<(), Error> {
        let fresh = Self::fetch(&self.transport, &self.token_url, signal).await?;
        *self.token.borrow_mut() = fresh;
        Ok(())
    }

    /// One CAS request (`path` after the CAS URL), with the token; a 401 renews it and retries once.
    /// The transport retries 408/429/5xx and dropped connections with backoff.
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        body: Option<JsValue>,
        signal: &AbortSignal,
    ) -> Result<Vec<u8>, Error> {
        let mut renewed = false;
        loop {
            let token = self.current(signal).await?;
            let url = format!("{}{path}", token.cas_url.trim_end_matches('/'));
            let mut request =
                Request::get(url, Some(signal)).header("authorization", format!("Bearer {}", token.access_token));
            request.method = method;
            request.body = body.clone();
            match self.transport.send_and_read(request).await {
                Err(Error::Api(f)) if f.status == 401 && !renewed => {
                    renewed = true;
                    self.renew(signal).await?;
                }
                Ok(read) => return Ok(read.body),
                Err(e) => return Err(e),
            }
        }
    }
}

/// What a request under way ended with.
enum Outcome {
    /// `buffer` held the body: free for the next xorb.
    Xorb {
        file: usize,
        raw_bytes: u64,
        body_bytes: u64,
        already_stored: bool,
        buffer: XorbBuffer,
    },
    Dedup {
        chunk: XetHash,
        shard: Option<Shard>,
    },
}

/// Results of ended requests, by task id, until the session takes them.
type Ended = Rc<RefCell<Vec<(u32, Result<Outcome, Error>)>>>;

/// Requests under way, each a promise that runs on its own; their results wait in `done`.
#[derive(Default)]
struct Tasks {
    next_id: u32,
    running: Vec<(u32, Promise)>,
    done: Ended,
}

impl Tasks {
    fn spawn(&mut self, work: impl Future<Output = Result<Outcome, Error>> + 'static) {
        let (id, done) = (self.next_id, self.done.clone());
        self.next_id = self.next_id.wrapping_add(1);
        let promise = future_to_promise(async move {
            let result = work.await;
            done.borrow_mut().push((id, result));
            Ok(JsValue::UNDEFINED)
        });
        self.running.push((id, promise));
    }

    fn take_done(&mut self) -> Vec<Result<Outcome, Error>> {
        let done = std::mem::take(&mut *self.done.borrow_mut());
        self.running.retain(|(id, _)| !done.iter().any(|(d, _)| d == id));
        done.into_iter().map(|(_, result)| result).collect()
    }

    /// Waits until at least one request has ended.
    async fn wait_any(&mut self) -> Result<(), Error> {
        if !self.done.borrow().is_empty() {
            return Ok(());
        }
        if self.running.is_empty() {
            return Err(Error::Internal("the Xet upload waited with no request under way".into()));
        }
        let promises: Array = self.running.iter().map(|(_, p)| JsValue::from(p)).collect();
        // The promises never reject (results go to `done`).
        let _ = JsFuture::from(Promise::race(&promises)).await;
        Ok(())
    }
}

/// One commit's Xet uploads: [`XetSession::upload_file`] for each large file, then
/// [`XetSession::finish`] (the shard) before the commit.
pub(crate) struct XetSession {
    credentials: Rc<Credentials>,
    /// Follows the caller's signal; aborted on our own failure so no request outlives it.
    abort: LinkedController,
    planner: UploadPlanner,
    options: XetUploadOptions,
    tasks: Tasks,
    /// A finished xorb waiting for room in the window.
    waiting_xorb: Option<XorbBody>,
    /// The serialized bytes of the xorb being filled, moved out of wasm memory as they come.
    building: Option<XorbBuffer>,
    /// Buffers of xorbs the CAS acknowledged, filled again by the next ones: no allocation (and
    /// no garbage) per xorb.
    spare_buffers: Vec<XorbBuffer>,
    xorb_bytes_in_flight: u64,
    dedup_in_flight: usize,
    /// Per file: bytes stored so far (deduplicated + acknowledged xorb bytes) and its size.
    stored: Vec<(u64, u64)>,
    stats: Rc<Cell<XetSessionStats>>,
    current_file: usize,
    failed: bool,
    /// The second thread that cuts and hashes the files' bytes, when there is one.
    chunk_thread: Option<ChunkThread>,
}

impl XetSession {
    /// Gets the write token for `branch` (`create_pr`: for a pull request against it).
    pub(crate) async fn start(
        transport: Rc<Transport>,
        repo: &RepoId,
        branch: &str,
        create_pr: bool,
        signal: Option<&AbortSignal>,
        options: XetUploadOptions,
    ) -> Result<Self, Error> {
        let abort = linked_controller(signal.cloned());
        // Started first so that it loads while the token is fetched; wasm's SHA-256 is measured
        // on this thread alone (`native_sha256: false`).
        let chunk_thread = if options.native_sha256 { ChunkThread::spawn() } else { None };
        let token_url = format!(
            "{}{}/xet-write-token/{}{}",
            transport.hub_url(),
            repo.api_path(),
            String::from(js_sys::encode_uri_component(branch)),
            if create_pr { "?create_pr=1" } else { "" }
        );
        let token = Credentials::fetch(&transport, &token_url, &abort.signal()).await?;
        let chunk_thread = match chunk_thread {
            Some(thread) if thread.ready().await => Some(thread),
            _ => None,
        };
        let credentials = Rc::new(Credentials { transport, token_url, token: RefCell::new(token) });
        let mut planner = UploadPlanner::new(BoundaryRule::Current)
            .with_max_xorb_bytes(usize::try_from(options.max_xorb_bytes).unwrap_or(usize::MAX))
            .with_global_dedup();
        if options.native_sha256 && NativeSha256::new().is_some() {
            planner = planner.without_sha256();
        }
        Ok(XetSession {
            credentials,
            abort,
            planner,
            options,
            tasks: Tasks::default(),
            waiting_xorb: None,
            building: None,
            spare_buffers: Vec::new(),
            xorb_bytes_in_flight: 0,
            dedup_in_flight: 0,
            stored: Vec::new(),
            stats: Rc::default(),
            current_file: 0,
            failed: false,
            chunk_thread,
        })
    }

    /// Reads `content` once and plans it; its xorbs go out as they fill. The file is stored once
    /// [`XetSession::finish`] has sent the shard.
    pub(crate) async fn upload_file(
        &mut self,
        content: &dyn XetContent,
        progress: ProgressSink<'_>,
    ) -> Result<XetUploadedFile, Error> {
        let result = self.plan_file(content, progress).await;
        self.fail_on_error(result)
    }

    /// Sends the last xorbs, waits for every one, then the shard that registers the files.
    pub(crate) async fn finish(mut self, progress: ProgressSink<'_>) -> Result<XetSessionStats, Error> {
        let result = self.send_shard(progress).await;
        self.fail_on_error(result)?;
        Ok(self.stats.get())
    }

    fn fail_on_error<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        if result.is_err() {
            self.failed = true;
            self.abort.abort(JsValue::UNDEFINED);
        }
        result
    }

    async fn plan_file(
        &mut self,
        content: &dyn XetContent,
        progress: ProgressSink<'_>,
    ) -> Result<XetUploadedFile, Error> {
        if self.failed {
            return Err(Error::InvalidState("this Xet upload session failed".into()));
        }
        let file = self.stored.len();
        self.current_file = file;
        let known = content.known_len();
        self.stored.push((0, known.unwrap_or(0)));
        let dedup_before = self.planner.stats().deduplicated_bytes;
        // Taken for the file (`feed_cut` needs `self`), put back when it ends.
        let chunk_thread = self.chunk_thread.take();
        let mut cut = chunk_thread.as_ref().map(|_| CutElsewhere::default());
        let mut native = if self.options.native_sha256 { NativeSha256::new() } else { None };
        let mut pacer = Pacer::new();
        let mut offset = 0;
        // Later blocks are asked for before this one is planned, so the host reads while wasm
        // chunks: several at once where reads are independent (a Blob's host reads a slice in
        // small steps, each waiting for a turn of the event loop that chunking holds up).
        let depth = if content.reads_at_any_offset() { READ_AHEAD_BLOCKS } else { 1 };
        let mut reads = std::collections::VecDeque::with_capacity(depth);
        // The offset of the next block to ask for.
        let mut asked = 0;
        if known != Some(0) {
            reads.push_back(read_ahead(content, 0));
            asked = READ_BLOCK;
        }
        while let Some(reading) = reads.pop_front() {
            let Some(Block { bytes: block, host_copy }) = reading.await? else { break };
            offset += block.len() as u64;
            // A stream's size is what it gave so far.
            let total = known.unwrap_or(offset);
            if let Some(size) = self.stored.get_mut(file) {
                size.1 = total;
            }
            match known {
                // At most `depth` reads under way, none past the end.
                Some(len) => {
                    while reads.len() < depth && asked < len {
                        reads.push_back(read_ahead(content, asked));
                        asked += READ_BLOCK;
                    }
                }
                None => reads.push_back(read_ahead(content, offset)),
            }
            let block_len = block.len() as u64;
            if let Some(sha) = &mut native {
                sha.update(&block).await?;
            }
            match (&mut cut, &chunk_thread) {
                (Some(cut), Some(thread)) => {
                    match &host_copy {
                        Some(array) => thread.hand_over(array)?,
                        None => thread.send(&block)?,
                    }
                    cut.unfed.push(block);
                    self.feed_cut(thread, cut, false, progress).await?;
                }
                _ => self.update_planner(&block, progress).await?,
            }
            self.add_stats(|s| s.bytes_hashed += block_len);
            progress(file, XetFileProgress::Hashed, offset, total);
            self.pump(false, progress).await?;
            pacer.maybe_yield(block_len as usize).await;
        }
        if let (Some(cut), Some(thread)) = (&mut cut, &chunk_thread) {
            thread.end_file()?;
            self.feed_cut(thread, cut, true, progress).await?;
            if cut.unfed.len() > 0 {
                return Err(Error::Internal("the chunking thread left bytes uncut".into()));
            }
        }
        self.chunk_thread = chunk_thread;
        if known.is_some_and(|len| offset != len) {
            return Err(Error::SourceRead {
                message: format!("the content gave {offset} bytes, {} expected", known.unwrap_or(0)),
                cause: JsValue::UNDEFINED,
            });
        }
        let total = offset;
        // The last chunks wait for their answers: ask them all before ending the file.
        while self.planner.unanswered_dedup_queries() > 0 {
            self.pump(true, progress).await?;
        }
        let info = match native {
            Some(sha) => self.planner.finish_file_with_sha256(sha.digest().await?),
            None => self.planner.finish_file(),
        }
        .map_err(|e| Error::Internal(format!("the upload planner refused to end the file: {e}")))?;
        let deduplicated = self.planner.stats().deduplicated_bytes - dedup_before;
        self.add_stats(|s| s.deduplicated_bytes += deduplicated);
        progress(file, XetFileProgress::Deduplicated, deduplicated, total);
        self.count_stored(file, deduplicated, progress);
        self.pump(false, progress).await?;
        Ok(XetUploadedFile {
            xet_hash: info.hash.to_hex(),
            sha256: hubwasm_core::hex::encode(&info.sha256),
            size: info.size,
        })
    }

    async fn update_planner(&mut self, block: &[u8], progress: ProgressSink<'_>) -> Result<(), Error> {
        loop {
            match self.planner.update(block) {
                Ok(()) => return Ok(()),
                Err(PlannerError::TooManyUntakenXorbs { .. }) => self.pump(true, progress).await?,
                Err(e) => return Err(Error::Internal(format!("the upload planner refused a block: {e}"))),
            }
        }
    }

    /// Gives the planner the chunks the thread has cut, with their bytes; waits for more while
    /// too many bytes are uncut, or (`to_end`) until the file's last chunk arrived.
    async fn feed_cut(
        &mut self,
        thread: &ChunkThread,
        cut: &mut CutElsewhere,
        to_end: bool,
        progress: ProgressSink<'_>,
    ) -> Result<(), Error> {
        loop {
            if thread.take(&mut cut.records)? {
                cut.ended = true;
            }
            while let Some(&(len, hash)) = cut.records.front() {
                let Some(chunk) = cut.unfed.take(len) else {
                    return Err(Error::Internal("the chunking thread cut more bytes than it was sent".into()));
                };
                loop {
                    match self.planner.add_cut_chunk(chunk, hash) {
                        Ok(()) => break,
                        Err(PlannerError::TooManyUntakenXorbs { .. }) => self.pump(true, progress).await?,
                        Err(e) => return Err(Error::Internal(format!("the upload planner refused a chunk: {e}"))),
                    }
                }
                cut.records.pop_front();
            }
            let waits = if to_end { !cut.ended } else { cut.unfed.len() > MAX_UNCUT_BYTES };
            if !waits {
                return Ok(());
            }
            thread.wait().await?;
        }
    }

    async fn send_shard(&mut self, progress: ProgressSink<'_>) -> Result<(), Error> {
        if self.failed {
            return Err(Error::InvalidState("this Xet upload session failed".into()));
        }
        let shard = self.planner.finish().map_err(|e| Error::Internal(format!("the upload planner: {e}")))?;
        while self.waiting_xorb.is_some() || !self.tasks.running.is_empty() || self.has_untaken_xorbs() {
            self.pump(true, progress).await?;
        }
        let Some(shard) = shard else { return Ok(()) };
        let signal = self.abort.signal();
        let body = Uint8Array::from(shard.as_slice());
        let answer = self.credentials.send("POST", "/v1/shards", Some(body.into()), &signal).await?;
        if serde_json::from_slice::<serde_json::Value>(&answer).is_err() {
            return Err(protocol_error("POST /v1/shards", "its answer is not JSON"));
        }
        for (file, &(_, total)) in self.stored.iter().enumerate() {
            progress(file, XetFileProgress::Stored, total, total);
        }
        Ok(())
    }

    fn has_untaken_xorbs(&mut self) -> bool {
        self.planner.untaken_xorbs() > 0
    }

    /// Moves serialized bytes of the open xorb out of wasm memory, onto its buffer.
    fn append_building(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.is_empty() {
            return Ok(());
        }
        // A whole xorb's room (chunk headers included: a xorb's serialized size stays under it).
        let capacity = self.options.max_xorb_bytes;
        let buffer = match self.building.take() {
            Some(buffer) => buffer,
            None => match self.spare_buffers.pop() {
                Some(spare) => spare,
                None => XorbBuffer::with_capacity(capacity.max(bytes.len() as u64))?,
            },
        };
        self.building.insert(buffer).append(bytes, capacity)
    }

    /// The upload body of a finished xorb: the bytes moved out while it filled, then its tail.
    fn xorb_body(&mut self, xorb: Xorb) -> Result<XorbBody, Error> {
        self.append_building(&xorb.bytes)?;
        let body = match self.building.take() {
            Some(buffer) => buffer,
            None => XorbBuffer::with_capacity(0)?,
        };
        Ok(XorbBody {
            file: self.current_file,
            path: format!("/v1/xorbs/default/{}", xorb.hash),
            body,
            raw_bytes: xorb.chunks.iter().map(|c| c.1).sum(),
            body_bytes: xorb.serialized_len() as u64,
        })
    }

    fn add_stats(&self, change: impl FnOnce(&mut XetSessionStats)) {
        let mut stats = self.stats.get();
        change(&mut stats);
        self.stats.set(stats);
    }

    fn count_stored(&mut self, file: usize, bytes: u64, progress: ProgressSink<'_>) {
        if let Some((stored, total)) = self.stored.get_mut(file) {
            *stored = (*stored + bytes).min(*total);
            progress(file, XetFileProgress::Stored, *stored, *total);
        }
    }

    /// Starts what can start (dedup queries, xorbs within the window), takes in what ended, and
    /// with `wait` or while a limit is reached, waits for requests to end.
    async fn pump(&mut self, mut wait: bool, progress: ProgressSink<'_>) -> Result<(), Error> {
        loop {
            while self.dedup_in_flight < MAX_DEDUP_QUERIES_IN_FLIGHT {
                let Some(chunk) = self.planner.take_dedup_query() else { break };
                self.start_dedup_query(chunk);
            }
            loop {
                if self.waiting_xorb.is_none() {
                    if let Some(xorb) = self.planner.take_xorb() {
                        self.waiting_xorb = Some(self.xorb_body(xorb)?);
                    }
                }
                let Some(xorb) = self.waiting_xorb.take() else { break };
                let in_flight = self.xorb_bytes_in_flight;
                if in_flight > 0 && in_flight + xorb.body_bytes > self.options.max_xorb_bytes_in_flight {
                    self.waiting_xorb = Some(xorb);
                    break;
                }
                self.start_xorb(xorb);
            }
            // With no finished xorb left in the planner, what it wrote belongs to the open one.
            if self.planner.untaken_xorbs() == 0 {
                let bytes = self.planner.take_open_xorb_bytes();
                self.append_building(&bytes)?;
            }
            let mut changed = false;
            for outcome in self.tasks.take_done() {
                changed = true;
                match outcome? {
                    Outcome::Xorb { file, raw_bytes, body_bytes, already_stored, mut buffer } => {
                        self.xorb_bytes_in_flight -= body_bytes;
                        if self.spare_buffers.len() < MAX_SPARE_BUFFERS {
                            buffer.clear();
                            self.spare_buffers.push(buffer);
                        }
                        self.add_stats(|s| match already_stored {
                            true => s.xorbs_already_stored += 1,
                            false => {
                                s.xorbs_sent += 1;
                                s.xorb_bytes_sent += body_bytes;
                            }
                        });
                        self.count_stored(file, raw_bytes, progress);
                    }
                    Outcome::Dedup { chunk, shard } => {
                        self.dedup_in_flight -= 1;
                        self.planner.answer_dedup_query(&chunk, shard.as_ref());
                    }
                }
            }
            if changed {
                wait = false;
                continue; // answers and acknowledgements may let more start
            }
            let over_limit = self.waiting_xorb.is_some() || self.planner.held_bytes() > self.options.max_held_bytes;
            if !wait && !over_limit {
                return Ok(());
            }
            if self.tasks.running.is_empty() {
                return Ok(());
            }
            self.tasks.wait_any().await?;
        }
    }

    fn start_dedup_query(&mut self, chunk: XetHash) {
        self.dedup_in_flight += 1;
        self.add_stats(|s| s.dedup_queries += 1);
        let (credentials, signal) = (self.credentials.clone(), self.abort.signal());
        self.tasks.spawn(async move {
            let path = format!("/v1/chunks/default/{chunk}");
            let shard = match credentials.send("GET", &path, None, &signal).await {
                Ok(body) => shard::parse(&body).ok().filter(|s| ShardIndex::is_usable(s, now_unix_secs())),
                Err(e @ Error::Aborted { .. }) => return Err(e),
                // 404 is "unknown"; any other failure only costs the deduplication.
                Err(_) => None,
            };
            Ok(Outcome::Dedup { chunk, shard })
        });
    }

    fn start_xorb(&mut self, xorb: XorbBody) {
        self.xorb_bytes_in_flight += xorb.body_bytes;
        let XorbBody { file, path, body, raw_bytes, body_bytes } = xorb;
        let (credentials, signal) = (self.credentials.clone(), self.abort.signal());
        self.tasks.spawn(async move {
            // A xorb sent by an earlier attempt (a failed commit, a killed process) is not sent again.
            let already_stored = match credentials.send("HEAD", &path, None, &signal).await {
                Ok(_) => true,
                Err(Error::Api(f)) if f.status == 404 => false,
                Err(e @ Error::Aborted { .. }) => return Err(e),
                Err(_) => false,
            };
            if !already_stored {
                // fetch copies the body when it is called (the Fetch standard's "extract a body"),
                // so the buffer is free again once the request has ended.
                credentials.send("POST", &path, Some(body.written().into()), &signal).await?;
            }
            Ok(Outcome::Xorb { file, raw_bytes, body_bytes, already_stored, buffer: body })
        });
    }
}

/// A file being cut on the chunking thread: its bytes until their chunks come back.
#[derive(Default)]
struct CutElsewhere {
    unfed: Unfed,
    records: std::collections::VecDeque<(usize, XetHash)>,
    /// The thread's records of the file's last chunk arrived.
    ended: bool,
}

/// A finished xorb as it is sent: its serialized chunks (outside wasm memory).
struct XorbBody {
    file: usize,
    /// `/v1/xorbs/default/{hash}`.
    path: String,
    body: XorbBuffer,
    raw_bytes: u64,
    body_bytes: u64,
}

impl Drop for XetSession {
    /// A session dropped before `finish` (the commit failed or was abandoned) ends its requests.
    fn drop(&mut self) {
        if !self.tasks.running.is_empty() {
            self.abort.abort(JsValue::UNDEFINED);
        }
    }
}

/// The read of the block at `start`, already started: polled once, so the host begins the read
/// at once; awaiting it later picks the result up (a JS promise's future checks its settled state
/// whenever it is polled).
fn read_ahead<'a>(content: &'a dyn XetContent, offset: u64) -> LocalFuture<'a, Option<Block>> {
    let mut reading = content.next_block(offset);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match reading.as_mut().poll(&mut context) {
        std::task::Poll::Ready(result) => Box::pin(std::future::ready(result)),
        std::task::Poll::Pending => reading,
    }
}

fn now_unix_secs() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// A CAS answer that breaks the protocol.
fn protocol_error(what: &str, message: &str) -> Error {
    Error::Api(ApiFailure {
        kind: hubwasm_core::api::ApiErrorKind::Other,
        status: 200,
        server_message: message.to_string(),
        request_id: None,
        retry_after: None,
        what: what.to_string(),
    })
}
