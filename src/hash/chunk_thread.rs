//! An upload's chunking and hashing on a second thread, where the runtime has one to give (Node's
//! worker_threads): the main thread reads the file, takes its SHA-256 (node:crypto), packs the
//! xorbs and sends them; the worker (pkg-templates/chunk-thread.js) cuts the same bytes with the
//! same boundary rule and hashes each chunk (BLAKE3). On the bench machine chunking and hashing
//! were ~1.4 of the ~5.2 CPU seconds the main thread spent per 512 MiB uploaded; the SHA-256
//! (~0.6 s) stays on the main thread, which otherwise waits for the worker.
//!
//! - The Node entry names the worker script once ([`use_chunk_thread`]); elsewhere, or when the
//!   thread does not start, uploads chunk on the main thread as before.
//! - The main thread sends each block it read (a copy, transferred); the worker answers with
//!   [`RECORD_LEN`]-byte records (length, hash) of the chunks that block finished, and the last
//!   chunk when the file ends. The planner gets each chunk's bytes and hash
//!   (`UploadPlanner::add_cut_chunk`): the output is the same as chunking in one thread.

use std::cell::RefCell;
use std::collections::VecDeque;

use hubwasm_core::xet::{BoundaryRule, ChunkHasher, Chunker, XetHash};
use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::error::Error;
use crate::js::source::update_from;

/// One record: the chunk's length (u32, little-endian), then its hash.
pub(crate) const RECORD_LEN: usize = 36;

/// The boundary rule of uploads (xet-core's).
const RULE: BoundaryRule = BoundaryRule::Current;

thread_local! {
    static WORKER_SCRIPT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Called once by the Node entry with the URL of the worker script: from then on, uploads chunk
/// on a worker thread. Internal (the `__hubwasm` prefix keeps it out of the package's API).
#[wasm_bindgen(js_name = "__hubwasmUseChunkThread")]
pub fn use_chunk_thread(url: String) {
    WORKER_SCRIPT.with(|script| *script.borrow_mut() = Some(url));
}

/// The worker's half: cuts the bytes it is given and keeps the records of finished chunks.
#[wasm_bindgen(js_name = "__hubwasmChunkScanner")]
pub struct ChunkScanner {
    chunker: Chunker,
    hasher: ChunkHasher,
    records: Vec<u8>,
    scratch: Vec<u8>,
}

impl Default for ChunkScanner {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_class = "__hubwasmChunkScanner")]
impl ChunkScanner {
    #[wasm_bindgen(constructor)]
    pub fn new() -> ChunkScanner {
        ChunkScanner {
            chunker: Chunker::new(RULE),
            hasher: ChunkHasher::new(),
            records: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Cuts the file's next bytes.
    pub fn update(&mut self, bytes: JsValue) -> Result<(), JsValue> {
        let ChunkScanner { chunker, hasher, records, scratch } = self;
        Ok(update_from(&bytes, scratch, |mut data| loop {
            let before = chunker.pending_len();
            match chunker.next_boundary(data) {
                Some(n) => {
                    hasher.update(&data[..n]);
                    push_record(records, before + n, &hasher.finish_and_reset());
                    data = &data[n..];
                }
                None => {
                    hasher.update(data);
                    return;
                }
            }
        })?)
    }

    /// The records of the chunks finished since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.records)
    }

    /// Ends the file: the records left, the last (shorter) chunk's included.
    pub fn finish(&mut self) -> Vec<u8> {
        if let Some(last) = self.chunker.finish() {
            push_record(&mut self.records, last, &self.hasher.finish_and_reset());
        }
        self.take()
    }
}

fn push_record(records: &mut Vec<u8>, len: usize, hash: &XetHash) {
    // A chunk is at most 128 KiB.
    records.extend_from_slice(&(len as u32).to_le_bytes());
    records.extend_from_slice(&hash.0);
}

/// Appends the records of `bytes` to `into`; `None` when they are not whole records.
fn parse_records(bytes: &[u8], into: &mut VecDeque<(usize, XetHash)>) -> Option<()> {
    if bytes.len() % RECORD_LEN != 0 {
        return None;
    }
    for record in bytes.chunks_exact(RECORD_LEN) {
        let (len, hash) = record.split_at(4);
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        into.push_back((len, XetHash(hash.try_into().ok()?)));
    }
    Some(())
}

#[wasm_bindgen(module = "/src/hash/chunk_thread.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = startChunkThread)]
    fn start_chunk_thread(url: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadReady)]
    fn chunk_thread_ready(thread: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadSend)]
    fn chunk_thread_send(thread: &JsValue, view: &Uint8Array) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadHandOver)]
    fn chunk_thread_hand_over(thread: &JsValue, array: &Uint8Array) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadEndFile)]
    fn chunk_thread_end_file(thread: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadTakeRecords)]
    fn chunk_thread_take_records(thread: &JsValue) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadTakeEnded)]
    fn chunk_thread_take_ended(thread: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadWait)]
    fn chunk_thread_wait(thread: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = chunkThreadClose)]
    fn chunk_thread_close(thread: &JsValue) -> Result<(), JsValue>;
}

/// The main thread's handle on a started worker; closing it (on drop) stops the worker.
pub(crate) struct ChunkThread {
    thread: JsValue,
}

impl ChunkThread {
    /// Starts the worker when the entry named one (Node); `None` otherwise. Await [`Self::ready`]
    /// before use.
    pub(crate) fn spawn() -> Option<ChunkThread> {
        let url = WORKER_SCRIPT.with(|script| script.borrow().clone())?;
        let thread = start_chunk_thread(&url).ok().filter(JsValue::is_object)?;
        Some(ChunkThread { thread })
    }

    /// Whether the worker started (loaded its script and the module).
    pub(crate) async fn ready(&self) -> bool {
        match chunk_thread_ready(&self.thread) {
            Ok(promise) => JsFuture::from(promise).await.is_ok(),
            Err(_) => false,
        }
    }

    /// Sends the file's next bytes.
    pub(crate) fn send(&self, bytes: &[u8]) -> Result<(), Error> {
        // SAFETY: the JS side copies the view before it returns, and nothing allocates in wasm
        // memory (which would move it) meanwhile.
        chunk_thread_send(&self.thread, &unsafe { Uint8Array::view(bytes) }).map_err(failed)
    }

    /// Sends the file's next bytes as `array`, which the caller gives away: transferred, not
    /// copied (it must be the only view of its buffer, and is unusable afterwards).
    pub(crate) fn hand_over(&self, array: &Uint8Array) -> Result<(), Error> {
        chunk_thread_hand_over(&self.thread, array).map_err(failed)
    }

    pub(crate) fn end_file(&self) -> Result<(), Error> {
        chunk_thread_end_file(&self.thread).map_err(failed)
    }

    /// Moves the records that arrived into `into`; true once the file's last ones arrived.
    pub(crate) fn take(&self, into: &mut VecDeque<(usize, XetHash)>) -> Result<bool, Error> {
        let records = chunk_thread_take_records(&self.thread).map_err(failed)?.to_vec();
        parse_records(&records, into).ok_or_else(|| broken("records that are not whole"))?;
        chunk_thread_take_ended(&self.thread).map_err(failed)
    }

    /// Waits until something arrived.
    pub(crate) async fn wait(&self) -> Result<(), Error> {
        JsFuture::from(chunk_thread_wait(&self.thread).map_err(failed)?).await.map_err(failed)?;
        Ok(())
    }
}

impl Drop for ChunkThread {
    fn drop(&mut self) {
        let _ = chunk_thread_close(&self.thread);
    }
}

fn failed(cause: JsValue) -> Error {
    let message = cause
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "the chunking thread failed".into());
    Error::Internal(message)
}

fn broken(what: &str) -> Error {
    Error::Internal(format!("the chunking thread answered with {what}"))
}

/// Bytes read and sent to the thread whose chunks have not reached the planner yet.
#[derive(Default)]
pub(crate) struct Unfed {
    blocks: VecDeque<Vec<u8>>,
    /// Bytes of the front block already handed out.
    at: usize,
    len: usize,
    /// A chunk that spans blocks, gathered.
    scratch: Vec<u8>,
}

impl Unfed {
    pub(crate) fn push(&mut self, block: Vec<u8>) {
        self.len += block.len();
        self.blocks.push_back(block);
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The next `n` bytes, or `None` when fewer are here.
    pub(crate) fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.len {
            return None;
        }
        while self.blocks.front().is_some_and(|b| self.at == b.len()) {
            self.blocks.pop_front();
            self.at = 0;
        }
        self.len -= n;
        let start = self.at;
        if self.blocks.front()?.len() - start >= n {
            self.at += n;
            return Some(&self.blocks.front()?[start..start + n]);
        }
        self.scratch.clear();
        while self.scratch.len() < n {
            let front = self.blocks.front()?;
            let step = (n - self.scratch.len()).min(front.len() - self.at);
            self.scratch.extend_from_slice(&front[self.at..self.at + step]);
            self.at += step;
            if self.at == front.len() {
                self.blocks.pop_front();
                self.at = 0;
            }
        }
        Some(&self.scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfed_bytes_come_out_in_order_across_blocks() {
        let mut unfed = Unfed::default();
        unfed.push(vec![1, 2, 3]);
        unfed.push(vec![4]);
        unfed.push(vec![5, 6, 7, 8]);
        assert_eq!(unfed.take(2), Some(&[1, 2][..]));
        assert_eq!(unfed.take(4), Some(&[3, 4, 5, 6][..]));
        assert_eq!(unfed.take(3), None);
        assert_eq!(unfed.take(2), Some(&[7, 8][..]));
        assert_eq!(unfed.len(), 0);
    }

    #[test]
    fn records_are_whole_or_refused() {
        let mut records = Vec::new();
        push_record(&mut records, 70_000, &XetHash([7; 32]));
        let mut parsed = VecDeque::new();
        assert_eq!(parse_records(&records, &mut parsed), Some(()));
        assert_eq!(parsed, VecDeque::from([(70_000, XetHash([7; 32]))]));
        assert_eq!(parse_records(&records[..35], &mut parsed), None);
    }
}
