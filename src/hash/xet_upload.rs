//! The Xet upload planner for JavaScript: feed each file's bytes once; get finished xorbs to
//! upload as they fill, each file's identity, and at the end the shard that registers the files.
//! No I/O here — the caller (today: user code; later: the commit API) posts the bytes.

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use hubwasm_core::xet::{BoundaryRule, PlannerError, UploadPlanner};

use crate::error::Error;
use crate::js::convert::{to_js, Bytes};
use crate::js::source::update_from;
use crate::js::xorb_buffer::XorbBuffer;

/// The open xorb's buffer starts at 4 times the first bytes moved onto it, at least this, and
/// then grows once to the largest xorb (a small xorb that ends in it is then copied out snug).
const MIN_BUFFER_BYTES: u64 = 1 << 20;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A finished xorb: `POST {casUrl}/v1/xorbs/default/{hash}` with `bytes` as the body. */
export interface XetXorb {
  hash: string;
  /** The serialized xorb; possibly a view of a larger buffer: post the view, not `bytes.buffer`. */
  bytes: Uint8Array;
  /** Number of chunks in the xorb. */
  chunkCount: number;
}

/** What a planned file is known by: its Xet hash, size and SHA-256 (the LFS oid to commit). */
export interface XetPlannedFile {
  hash: string;
  size: number;
  sha256: string;
}

export interface XetUploadStats {
  bytesIn: number;
  chunks: number;
  deduplicatedChunks: number;
  deduplicatedBytes: number;
  xorbs: number;
  xorbBytes: number;
}

/** Starts an upload plan (one session: chunks repeated across its files are stored once). */
export function createXetUploadPlanner(): XetUploadPlanner;
"#;

/// One upload session's planner: `update(bytes)` per file, `finishFile()`, `takeXorb()` after
/// every update, `finish()` for the shard.
#[wasm_bindgen]
pub struct XetUploadPlanner {
    /// Owns the session's state, including "finished": after `finish()` it refuses more files.
    inner: UploadPlanner,
    scratch: Vec<u8>,
    /// The open xorb's bytes, moved out after every update: `takeXorb` then copies only the
    /// xorb's tail (copying a whole 64 MiB xorb at once was a 60-370 ms task, measured in Node).
    building: Option<XorbBuffer>,
    /// Set when bytes had left the planner and the runtime refused a buffer for them: the xorb
    /// they belong to is incomplete, so every later call is refused.
    lost_bytes: bool,
}

#[wasm_bindgen]
impl XetUploadPlanner {
    /// Adds the next bytes of the current file (a file starts implicitly). A refused value adds
    /// nothing and leaves the planner usable: after `finish()`, or while `MAX_UNTAKEN_XORBS` (2)
    /// finished xorbs wait for `takeXorb()` (an `InvalidStateError`).
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | ArrayBufferView")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        self.check_intact()?;
        // Checked once, before the first block: the value is then fed whole or not at all.
        let mut feed = self.inner.feed().map_err(planner_error)?;
        update_from(&bytes, &mut self.scratch, |block| feed.update(block))?;
        self.move_open_xorb_bytes()
    }

    /// Ends the current file and returns its identity.
    #[wasm_bindgen(js_name = finishFile, unchecked_return_type = "XetPlannedFile")]
    pub fn finish_file(&mut self) -> Result<JsValue, JsValue> {
        self.check_intact()?;
        let info = self.inner.finish_file().map_err(planner_error)?;
        let file = PlannedFileJs {
            hash: info.hash.to_hex(),
            size: info.size,
            sha256: hubwasm_core::hex::encode(&info.sha256),
        };
        Ok(to_js(&file)?)
    }

    /// The oldest finished xorb not yet taken, or `undefined`. Call after every `update` (and
    /// after `finish`) to keep memory to one xorb in progress.
    #[wasm_bindgen(js_name = takeXorb, unchecked_return_type = "XetXorb | undefined")]
    pub fn take_xorb(&mut self) -> Result<JsValue, JsValue> {
        self.check_intact()?;
        let Some(xorb) = self.inner.take_xorb() else { return Ok(JsValue::UNDEFINED) };
        let whole = xorb.serialized_len() as u64;
        let body = self
            .building
            .take()
            .map_or_else(|| XorbBuffer::with_capacity(whole), Ok)
            .and_then(|mut buffer| buffer.append(&xorb.bytes, whole).map(|()| buffer))
            .and_then(XorbBuffer::into_snug_bytes);
        let body = body.inspect_err(|_| self.lost_bytes = true)?;
        // `bytes` set after the rest: the buffer itself, not a copy made by the serializer.
        let taken = to_js(&XorbJs { hash: xorb.hash.to_hex(), chunk_count: xorb.chunks.len() })?;
        Reflect::set(&taken, &JsValue::from_str("bytes"), &body)
            .map_err(|_| Error::Internal("setting a xorb's bytes failed".into()))?;
        // What the planner wrote after this xorb belongs to the next one.
        self.move_open_xorb_bytes()?;
        Ok(taken)
    }

    /// Closes the last xorb (take it with `takeXorb`) and returns the shard to
    /// `POST {casUrl}/v1/shards` once every xorb is uploaded; `undefined` when no file had content.
    #[wasm_bindgen(unchecked_return_type = "Uint8Array | undefined")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        self.check_intact()?;
        match self.inner.finish().map_err(planner_error)? {
            Some(shard) => Ok(to_js(&Bytes(&shard))?),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Counters for progress and deduplication reports.
    #[wasm_bindgen(getter, unchecked_return_type = "XetUploadStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let s = self.inner.stats();
        let stats = StatsJs {
            bytes_in: s.bytes_in,
            chunks: s.chunks,
            deduplicated_chunks: s.deduplicated_chunks,
            deduplicated_bytes: s.deduplicated_bytes,
            xorbs: s.xorbs,
            xorb_bytes: s.xorb_bytes,
        };
        Ok(to_js(&stats)?)
    }
}

impl XetUploadPlanner {
    /// Moves what the planner wrote of the open xorb onto its buffer, unless finished xorbs wait
    /// to be taken (the bytes then belong to the xorb after them).
    fn move_open_xorb_bytes(&mut self) -> Result<(), JsValue> {
        if self.inner.untaken_xorbs() > 0 {
            return Ok(());
        }
        let bytes = self.inner.take_open_xorb_bytes();
        if bytes.is_empty() {
            return Ok(());
        }
        let largest = self.inner.max_xorb_bytes() as u64;
        let moved = match self.building.take() {
            Some(buffer) => Ok(buffer),
            None => XorbBuffer::with_capacity((bytes.len() as u64 * 4).max(MIN_BUFFER_BYTES).min(largest)),
        }
        .and_then(|buffer| self.building.insert(buffer).append(&bytes, largest));
        Ok(moved.inspect_err(|_| self.lost_bytes = true)?)
    }

    fn check_intact(&self) -> Result<(), JsValue> {
        if self.lost_bytes {
            let message = "this planner lost xorb bytes when the runtime refused memory for them: start a new one";
            return Err(Error::InvalidState(message.into()).into());
        }
        Ok(())
    }
}

/// `XetPlannedFile` in the custom section above.
#[derive(Serialize)]
struct PlannedFileJs {
    hash: String,
    size: u64,
    sha256: String,
}

/// `XetXorb` in the custom section above, but for `bytes`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XorbJs {
    hash: String,
    chunk_count: usize,
}

/// `XetUploadStats` in the custom section above.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsJs {
    bytes_in: u64,
    chunks: u64,
    deduplicated_chunks: u64,
    deduplicated_bytes: u64,
    xorbs: u64,
    xorb_bytes: u64,
}

/// The core planner's misuse errors (finished, too many untaken xorbs), as the InvalidStateError JS sees.
fn planner_error(error: PlannerError) -> JsValue {
    Error::InvalidState(error.to_string()).into()
}

/// Starts an upload plan (TypeScript signature in the custom section above).
#[wasm_bindgen(js_name = createXetUploadPlanner, skip_typescript)]
pub fn create_xet_upload_planner() -> XetUploadPlanner {
    XetUploadPlanner {
        inner: UploadPlanner::new(BoundaryRule::Current),
        scratch: Vec::new(),
        building: None,
        lost_bytes: false,
    }
}
