//! Xet file hashing for JavaScript: the Hub's `xetHash` of any byte source, computed in one pass
//! together with the SHA-256 and the chunk list.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use hubwasm_core::xet::{BoundaryRule, FileDigest, FileHasher};

use crate::error::Error;
use crate::source::{copy_blocks_sync, describe, update_argument, ByteSource};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One content-defined chunk of a file. */
export interface XetChunk {
  /** Chunk hash (Xet hex string). */
  hash: string;
  /** Chunk length in bytes. */
  size: number;
}

/** The identity of a file's content, as the Hub and hf_xet compute it. */
export interface XetFileDigest {
  /** Xet file hash: the `xetHash` of tree listings and the `X-Xet-Hash` header. */
  hash: string;
  /** Size in bytes. */
  size: number;
  /** Lowercase hex SHA-256 (the LFS oid), or null when `sha256: false` was passed. */
  sha256: string | null;
  /** The chunks, in file order. */
  chunks: XetChunk[];
}

export interface XetHashOptions {
  /**
   * "current" (default) is the rule of xet-core and hf_xet; "legacy" reproduces the hashes of
   * huggingface.js, which still uses the boundary rule xet-core dropped in September 2025.
   */
  boundaryRule?: "current" | "legacy";
  /** Also compute the SHA-256 (default true). It costs about as much as the Xet hash itself. */
  sha256?: boolean;
}

/**
 * The Xet hash, size, SHA-256 and chunks of a Blob, byte array or stream, in one pass and in
 * bounded memory, yielding to the event loop as it goes.
 */
export function xetHash(
  input: Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>,
  options?: XetHashOptions,
): Promise<XetFileDigest>;

/** Starts a streaming Xet hash: `createXetHasher().update(bytes)…finish()`. */
export function createXetHasher(options?: XetHashOptions): XetHasher;
"#;

/// Streaming Xet hasher: `createXetHasher().update(bytes)…finish()`.
#[wasm_bindgen]
pub struct XetHasher {
    inner: Option<FileHasher>,
    scratch: Vec<u8>,
}

#[wasm_bindgen]
impl XetHasher {
    /// Adds the next bytes of the file.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | ArrayBufferView")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        let bytes = update_argument(&bytes)?;
        let inner = self.inner.as_mut().ok_or_else(finished_error)?;
        copy_blocks_sync(&bytes, &mut self.scratch, |block| inner.update(block));
        Ok(())
    }

    /// Ends the file and returns its digest; the hasher cannot be used afterwards.
    #[wasm_bindgen(unchecked_return_type = "XetFileDigest")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let inner = self.inner.take().ok_or_else(finished_error)?;
        Ok(digest_to_js(&inner.finish()))
    }

    /// Bytes added so far.
    #[wasm_bindgen(getter, js_name = bytesHashed)]
    pub fn bytes_hashed(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |h| h.len() as f64)
    }
}

fn finished_error() -> JsValue {
    Error::InvalidState("this XetHasher has already finished".into()).into()
}

/// Starts a streaming Xet hash (TypeScript signature in the custom section above: optional options).
#[wasm_bindgen(js_name = createXetHasher, skip_typescript)]
pub fn create_xet_hasher(options: Option<JsValue>) -> Result<XetHasher, JsValue> {
    Ok(XetHasher { inner: Some(file_hasher(&options)?), scratch: Vec::new() })
}

/// The Xet hash, size, SHA-256 and chunks of a Blob, byte array or stream, in one pass and in
/// bounded memory, yielding to the event loop as it goes (TypeScript signature above).
#[wasm_bindgen(js_name = xetHash, skip_typescript)]
pub async fn xet_hash(input: JsValue, options: Option<JsValue>) -> Result<JsValue, JsValue> {
    let mut hasher = file_hasher(&options)?;
    let source = ByteSource::from_js(input, "xetHash() input")?;
    source.for_each_block(|block| hasher.update(block)).await?;
    Ok(digest_to_js(&hasher.finish()))
}

/// A [`FileHasher`] configured from `XetHashOptions`.
fn file_hasher(options: &Option<JsValue>) -> Result<FileHasher, Error> {
    let Some(options) = options.as_ref().filter(|o| !o.is_null() && !o.is_undefined()) else {
        return Ok(FileHasher::new(BoundaryRule::Current));
    };
    let field = |name: &str| Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let sha256 = match field("sha256") {
        v if v.is_undefined() => true,
        v => v
            .as_bool()
            .ok_or_else(|| Error::invalid_input(format!("options.sha256 must be a boolean, got {}", describe(&v))))?,
    };
    Ok(FileHasher::with_sha256(boundary_rule(field("boundaryRule"))?, sha256))
}

fn boundary_rule(value: JsValue) -> Result<BoundaryRule, Error> {
    match value.as_string().as_deref() {
        None if value.is_undefined() => Ok(BoundaryRule::Current),
        Some("current") => Ok(BoundaryRule::Current),
        Some("legacy") => Ok(BoundaryRule::Legacy),
        _ => Err(Error::invalid_input(format!(
            "options.boundaryRule must be \"current\" or \"legacy\", got {}",
            describe(&value)
        ))),
    }
}

fn digest_to_js(digest: &FileDigest) -> JsValue {
    let chunks: Array = digest
        .chunks
        .iter()
        .map(|(hash, size)| {
            let chunk = Object::new();
            set(&chunk, "hash", &hash.to_hex().into());
            set(&chunk, "size", &(*size as f64).into());
            JsValue::from(chunk)
        })
        .collect();
    let out = Object::new();
    set(&out, "hash", &digest.hash.to_hex().into());
    set(&out, "size", &(digest.size as f64).into());
    let sha256 = digest.sha256.map_or(JsValue::NULL, |d| hubwasm_core::hex::encode(&d).into());
    set(&out, "sha256", &sha256);
    set(&out, "chunks", &chunks.into());
    out.into()
}

pub(crate) fn set(object: &Object, key: &str, value: &JsValue) {
    // Defining a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}
