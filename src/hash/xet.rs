//! Xet file hashing for JavaScript: the Hub's `xetHash` of any byte source, computed in one pass
//! together with the SHA-256 and the chunk list.

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use hubwasm_core::xet::{BoundaryRule, FileDigest, FileHasher};

use crate::error::Error;
use crate::js::convert::to_js;
use crate::js::source::{describe, update_from, ByteSource};

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

/** Starts a streaming Xet hash: call `update(bytes)` for each piece, then `finish()`. */
export function createXetHasher(options?: XetHashOptions): XetHasher;
"#;

/// Streaming Xet hasher: `update(bytes)` for each piece of the file, then `finish()`.
#[wasm_bindgen]
pub struct XetHasher {
    inner: Option<FileHasher>,
    scratch: Vec<u8>,
}

#[wasm_bindgen]
impl XetHasher {
    /// Adds the next bytes of the file. A refused value adds nothing and leaves the hasher usable.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | ArrayBufferView")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(finished_error)?;
        Ok(update_from(&bytes, &mut self.scratch, |block| inner.update(block))?)
    }

    /// Ends the file and returns its digest; the hasher cannot be used afterwards.
    #[wasm_bindgen(unchecked_return_type = "XetFileDigest")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let inner = self.inner.take().ok_or_else(finished_error)?;
        Ok(digest_to_js(&inner.finish())?)
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
    Ok(digest_to_js(&hasher.finish())?)
}

/// A [`FileHasher`] configured from `XetHashOptions` (`undefined` or `null`: the defaults).
fn file_hasher(options: &Option<JsValue>) -> Result<FileHasher, Error> {
    let Some(options) = options.as_ref().filter(|o| !o.is_null() && !o.is_undefined()) else {
        return Ok(FileHasher::new(BoundaryRule::Current));
    };
    if !options.is_object() {
        return Err(Error::invalid_input(format!("options must be an object, got {}", describe(options))));
    }
    let sha256 = match option_field(options, "sha256")? {
        v if v.is_undefined() => true,
        v => v
            .as_bool()
            .ok_or_else(|| Error::invalid_input(format!("options.sha256 must be a boolean, got {}", describe(&v))))?,
    };
    Ok(FileHasher::with_sha256(boundary_rule(option_field(options, "boundaryRule")?)?, sha256))
}

/// `options[name]`; a throwing getter or Proxy trap is the caller's error, not a default.
fn option_field(options: &JsValue, name: &str) -> Result<JsValue, Error> {
    Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| Error::invalid_input(format!("reading options.{name} threw (a getter or a Proxy trap)")))
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

/// `XetFileDigest` in the custom section above.
#[derive(Serialize)]
struct DigestJs {
    hash: String,
    size: u64,
    sha256: Option<String>,
    chunks: Vec<ChunkJs>,
}

#[derive(Serialize)]
struct ChunkJs {
    hash: String,
    size: u64,
}

fn digest_to_js(digest: &FileDigest) -> Result<JsValue, Error> {
    to_js(&DigestJs {
        hash: digest.hash.to_hex(),
        size: digest.size,
        sha256: digest.sha256.map(|d| hubwasm_core::hex::encode(&d)),
        chunks: digest.chunks.iter().map(|(hash, size)| ChunkJs { hash: hash.to_hex(), size: *size }).collect(),
    })
}
