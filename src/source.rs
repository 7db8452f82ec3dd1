//! Byte sources callers hand us — `Uint8Array` (and Node `Buffer`), any other `ArrayBufferView`,
//! `ArrayBuffer`, `Blob` (and `File`), `ReadableStream` of `Uint8Array` — read as a sequence of
//! bounded blocks copied into wasm memory, so memory stays flat whatever the input size.

use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader};

use crate::error::Error;
use crate::pacing::Pacer;

/// Largest block copied into wasm memory at once.
pub const BLOCK_SIZE: usize = 4 << 20;

pub const ACCEPTED_TYPES: &str = "Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>";

pub enum ByteSource {
    Bytes(Uint8Array),
    Blob(Blob),
    Stream(ReadableStream),
}

impl ByteSource {
    /// Classifies a JS value; `what` names the argument in the error message.
    pub fn from_js(value: JsValue, what: &str) -> Result<Self, Error> {
        if let Some(bytes) = as_bytes(&value) {
            return Ok(ByteSource::Bytes(bytes));
        }
        if value.is_instance_of::<Blob>() {
            return Ok(ByteSource::Blob(value.unchecked_into()));
        }
        if value.is_instance_of::<ReadableStream>() {
            return Ok(ByteSource::Stream(value.unchecked_into()));
        }
        Err(Error::invalid_input(format!("{what} must be one of {ACCEPTED_TYPES}, got {}", describe(&value))))
    }

    /// Feeds the whole source to `sink` in order, in blocks of at most [`BLOCK_SIZE`] bytes,
    /// yielding to the event loop between time slices. Returns the number of bytes read.
    pub async fn for_each_block(self, mut sink: impl FnMut(&[u8])) -> Result<u64, Error> {
        let mut pacer = Pacer::new();
        let mut buf = Vec::new();
        let mut total = 0u64;
        match self {
            ByteSource::Bytes(bytes) => {
                total += copy_in_blocks(&bytes, &mut buf, &mut sink, &mut pacer).await;
            }
            ByteSource::Blob(blob) => {
                let size = blob.size();
                let mut start = 0.0;
                while start < size {
                    let end = (start + BLOCK_SIZE as f64).min(size);
                    let part = blob
                        .slice_with_f64_and_f64(start, end)
                        .map_err(|e| read_error("slicing the Blob failed", e))?;
                    let buffer = JsFuture::from(part.array_buffer())
                        .await
                        .map_err(|e| read_error("reading the Blob failed", e))?;
                    let bytes = Uint8Array::new(&buffer);
                    total += copy_in_blocks(&bytes, &mut buf, &mut sink, &mut pacer).await;
                    start = end;
                }
            }
            ByteSource::Stream(stream) => {
                let reader: ReadableStreamDefaultReader = stream
                    .get_reader()
                    .dyn_into()
                    .map_err(|e| read_error("the stream has no default reader", e.into()))?;
                let result = read_stream(&reader, &mut buf, &mut sink, &mut pacer).await;
                match &result {
                    // On our own error, cancel so the producer stops; the stream is unusable anyway.
                    Err(Error::InvalidInput(message)) => {
                        let _ = reader.cancel_with_reason(&JsValue::from_str(message));
                    }
                    _ => reader.release_lock(),
                }
                total += result?;
            }
        }
        Ok(total)
    }
}

async fn read_stream(
    reader: &ReadableStreamDefaultReader,
    buf: &mut Vec<u8>,
    sink: &mut impl FnMut(&[u8]),
    pacer: &mut Pacer,
) -> Result<u64, Error> {
    let mut total = 0u64;
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(|e| read_error("reading the stream failed", e))?;
        let done = Reflect::get(&step, &JsValue::from_str("done")).map(|d| d.is_truthy()).unwrap_or(true);
        if done {
            return Ok(total);
        }
        let value = Reflect::get(&step, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        let bytes = as_bytes(&value).ok_or_else(|| {
            Error::invalid_input(format!("stream chunks must be Uint8Array or ArrayBuffer, got {}", describe(&value)))
        })?;
        total += copy_in_blocks(&bytes, buf, sink, pacer).await;
    }
}

/// Copies `bytes` into `buf` one block at a time and hands each block to `sink`, yielding to the
/// event loop between time slices.
async fn copy_in_blocks(bytes: &Uint8Array, buf: &mut Vec<u8>, sink: &mut impl FnMut(&[u8]), pacer: &mut Pacer) -> u64 {
    let len = bytes.length() as usize;
    for (offset, n) in block_ranges(len) {
        sink(copy_block(bytes, buf, offset, n));
        pacer.maybe_yield(n).await;
    }
    len as u64
}

/// Synchronous twin of [`copy_in_blocks`] for APIs that cannot await (streaming `update()`).
pub fn copy_blocks_sync(bytes: &Uint8Array, buf: &mut Vec<u8>, mut sink: impl FnMut(&[u8])) {
    for (offset, n) in block_ranges(bytes.length() as usize) {
        sink(copy_block(bytes, buf, offset, n));
    }
}

/// `(offset, length)` of each block of a `len`-byte input.
fn block_ranges(len: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..len).step_by(BLOCK_SIZE).map(move |offset| (offset, (len - offset).min(BLOCK_SIZE)))
}

/// Copies `bytes[offset..offset + n]` into the reusable buffer and returns that part of it.
fn copy_block<'a>(bytes: &Uint8Array, buf: &'a mut Vec<u8>, offset: usize, n: usize) -> &'a [u8] {
    if buf.len() < n {
        buf.resize(n, 0);
    }
    bytes.subarray(offset as u32, (offset + n) as u32).copy_to(&mut buf[..n]);
    &buf[..n]
}

/// The byte argument of a streaming `update()`: any binary value, or a typed error.
pub fn update_argument(value: &JsValue) -> Result<Uint8Array, Error> {
    as_bytes(value).ok_or_else(|| {
        Error::invalid_input(format!(
            "update() takes a Uint8Array, ArrayBuffer or ArrayBufferView, got {}",
            describe(value)
        ))
    })
}

/// A byte view over any binary value: Uint8Array as is, other ArrayBufferViews and ArrayBuffers
/// re-viewed as bytes without copying.
pub fn as_bytes(value: &JsValue) -> Option<Uint8Array> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Some(bytes.clone());
    }
    if value.is_instance_of::<ArrayBuffer>() {
        return Some(Uint8Array::new(value));
    }
    if ArrayBuffer::is_view(value) {
        let buffer = Reflect::get(value, &JsValue::from_str("buffer")).ok()?;
        let offset = Reflect::get(value, &JsValue::from_str("byteOffset")).ok()?.as_f64()?;
        let length = Reflect::get(value, &JsValue::from_str("byteLength")).ok()?.as_f64()?;
        return Some(Uint8Array::new_with_byte_offset_and_length(&buffer, offset as u32, length as u32));
    }
    None
}

fn read_error(message: &str, cause: JsValue) -> Error {
    Error::SourceRead { message: message.to_string(), cause }
}

/// A short description of a JS value's type for error messages ("null", "string", "Object", …).
pub fn describe(value: &JsValue) -> String {
    if value.is_null() {
        return "null".into();
    }
    if value.is_undefined() {
        return "undefined".into();
    }
    match value.js_typeof().as_string().as_deref() {
        Some("object") => value
            .dyn_ref::<Object>()
            .map(|o| o.constructor().name())
            .and_then(|n| n.as_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "object".into()),
        Some(t) => t.to_string(),
        None => "unknown".into(),
    }
}
