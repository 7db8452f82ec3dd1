//! The Xet upload planner for JavaScript: feed each file's bytes once; get finished xorbs to
//! upload as they fill, each file's identity, and at the end the shard that registers the files.
//! No I/O here — the caller (today: user code; later: the commit API) posts the bytes.

use js_sys::{Object, Uint8Array};
use wasm_bindgen::prelude::*;

use hubwasm_core::xet::{BoundaryRule, UploadPlanner};

use crate::error::Error;
use crate::source::{copy_blocks_sync, update_argument};
use crate::xet::set;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A finished xorb: `POST {casUrl}/v1/xorbs/default/{hash}` with `bytes` as the body. */
export interface XetXorb {
  hash: string;
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
    inner: UploadPlanner,
    /// Set by `finish()`: the shard is written, so no more files may join this session.
    finished: bool,
    scratch: Vec<u8>,
}

#[wasm_bindgen]
impl XetUploadPlanner {
    /// Adds the next bytes of the current file (a file starts implicitly).
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | ArrayBufferView")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        self.check_open()?;
        let bytes = update_argument(&bytes)?;
        let inner = &mut self.inner;
        let mut result = Ok(());
        copy_blocks_sync(&bytes, &mut self.scratch, |block| result = result.and_then(|()| inner.update(block)));
        result.map_err(planner_error)
    }

    /// Ends the current file and returns its identity.
    #[wasm_bindgen(js_name = finishFile, unchecked_return_type = "XetPlannedFile")]
    pub fn finish_file(&mut self) -> Result<JsValue, JsValue> {
        self.check_open()?;
        let info = self.inner.finish_file().map_err(planner_error)?;
        let out = Object::new();
        set(&out, "hash", &info.hash.to_hex().into());
        set(&out, "size", &(info.size as f64).into());
        set(&out, "sha256", &hubwasm_core::hex::encode(&info.sha256).into());
        Ok(out.into())
    }

    /// The oldest finished xorb not yet taken, or `undefined`. Call after every `update` (and
    /// after `finish`) to keep memory to one xorb in progress.
    #[wasm_bindgen(js_name = takeXorb, unchecked_return_type = "XetXorb | undefined")]
    pub fn take_xorb(&mut self) -> JsValue {
        let Some(xorb) = self.inner.take_xorb() else { return JsValue::UNDEFINED };
        let out = Object::new();
        set(&out, "hash", &xorb.hash.to_hex().into());
        set(&out, "bytes", &Uint8Array::from(xorb.bytes.as_slice()).into());
        set(&out, "chunkCount", &(xorb.chunks.len() as f64).into());
        out.into()
    }

    /// Closes the last xorb (take it with `takeXorb`) and returns the shard to
    /// `POST {casUrl}/v1/shards` once every xorb is uploaded; `undefined` when no file had content.
    #[wasm_bindgen(unchecked_return_type = "Uint8Array | undefined")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        self.check_open()?;
        self.finished = true;
        let shard = self.inner.finish().map_err(planner_error)?;
        Ok(shard.map_or(JsValue::UNDEFINED, |s| Uint8Array::from(s.as_slice()).into()))
    }

    /// Counters for progress and deduplication reports.
    #[wasm_bindgen(getter, unchecked_return_type = "XetUploadStats")]
    pub fn stats(&self) -> JsValue {
        let s = self.inner.stats();
        let out = Object::new();
        for (key, value) in [
            ("bytesIn", s.bytes_in),
            ("chunks", s.chunks),
            ("deduplicatedChunks", s.deduplicated_chunks),
            ("deduplicatedBytes", s.deduplicated_bytes),
            ("xorbs", s.xorbs),
            ("xorbBytes", s.xorb_bytes),
        ] {
            set(&out, key, &(value as f64).into());
        }
        out.into()
    }
}

impl XetUploadPlanner {
    fn check_open(&self) -> Result<(), JsValue> {
        if self.finished {
            return Err(Error::InvalidState(
                "this XetUploadPlanner has finished: take its last xorbs, then start a new one".into(),
            )
            .into());
        }
        Ok(())
    }
}

/// The core planner's misuse error (only `Finished`), as the InvalidStateError JS sees.
fn planner_error(error: hubwasm_core::xet::PlannerError) -> JsValue {
    Error::InvalidState(error.to_string()).into()
}

/// Starts an upload plan (TypeScript signature in the custom section above).
#[wasm_bindgen(js_name = createXetUploadPlanner, skip_typescript)]
pub fn create_xet_upload_planner() -> XetUploadPlanner {
    XetUploadPlanner { inner: UploadPlanner::new(BoundaryRule::Current), finished: false, scratch: Vec::new() }
}
