//! Byte sources callers hand us — `Uint8Array` (and Node `Buffer`), any other `ArrayBufferView`,
//! `ArrayBuffer`, `Blob` (and `File`), `ReadableStream` of byte chunks — read as a sequence of
//! bounded blocks copied into wasm memory, so memory stays flat whatever the input size.
//!
//! Every look at a caller's value goes through `source.js`, which uses the engine's built-ins
//! rather than the value's own properties, and every import is `catch`: a JS exception unwinding
//! through Rust frames would leave borrow flags set and the shadow stack shifted, killing the
//! instance for every later call.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::error::Error;
use crate::js::pacing::Pacer;

#[wasm_bindgen(module = "/src/js/source.js")]
extern "C" {
    /// A fresh fixed-length view over the value's bytes, or a string describing the value.
    #[wasm_bindgen(catch, js_name = toBytes)]
    fn to_bytes(value: &JsValue) -> Result<JsValue, JsValue>;
    /// 1 for a genuine Blob, 2 for a genuine ReadableStream, 0 otherwise.
    #[wasm_bindgen(catch, js_name = containerKind)]
    fn container_kind(value: &JsValue) -> Result<u32, JsValue>;
    #[wasm_bindgen(catch, js_name = describe)]
    fn describe_value(value: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_name = lengthOf)]
    fn length_of(view: &Uint8Array) -> Result<f64, JsValue>;
    #[wasm_bindgen(catch, js_name = copyBytes)]
    fn copy_bytes(view: &Uint8Array, offset: f64, into: &mut [u8]) -> Result<(), JsValue>;
    /// The same copy into a view of wasm memory the caller made (see [`append_copied`]).
    #[wasm_bindgen(catch, js_name = copyBytes)]
    fn copy_bytes_to_view(view: &Uint8Array, offset: f64, into: &Uint8Array) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = sizeOfBlob)]
    fn size_of_blob(blob: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(catch, js_name = readBlob)]
    fn read_blob(blob: &JsValue, start: f64, end: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = openBlobReader)]
    fn open_blob_reader(blob: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = openReader)]
    fn open_reader(stream: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readChunk)]
    fn read_chunk(reader: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = cancelReader)]
    fn cancel_reader(reader: &JsValue, reason: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = releaseReader)]
    fn release_reader(reader: &JsValue) -> Result<(), JsValue>;
}

/// Largest block copied into wasm memory and handed to a sink at once, and so the unit of work
/// between two looks at the pacer's clock: 1 MiB is ~10 ms of Xet hash plus SHA-256 on a slow
/// machine, so no task comes near the 50 ms a page notices.
const BLOCK_SIZE: u64 = 1 << 20;

const ACCEPTED_TYPES: &str = "Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>";

/// A genuine byte view and its length, both read through the engine's built-ins.
pub(crate) struct Bytes {
    view: Uint8Array,
    len: u64,
}

impl Bytes {
    /// The bytes of any binary value, or what the value is instead.
    fn from_js(value: &JsValue) -> Result<Self, String> {
        let answer = to_bytes(value).map_err(|_| describe(value))?;
        let view =
            answer.dyn_into::<Uint8Array>().map_err(|other| other.as_string().unwrap_or_else(|| describe(value)))?;
        // A length is an integer below 2^53, so the conversion is exact.
        let len = length_of(&view).map_err(|_| describe(value))? as u64;
        Ok(Bytes { view, len })
    }

    /// Copies the bytes into `buf` block by block and hands each block to `sink`. Fails, having
    /// fed only whole blocks, when the buffer is detached or shrunk between two blocks.
    fn copy_blocks(&self, buf: &mut Vec<u8>, mut sink: impl FnMut(&[u8])) -> Result<(), Error> {
        for (offset, n) in block_ranges(self.len) {
            sink(self.copy_block(buf, offset, n)?);
        }
        Ok(())
    }

    async fn copy_blocks_paced(
        &self,
        buf: &mut Vec<u8>,
        sink: &mut impl FnMut(&[u8]),
        pacer: &mut Pacer,
    ) -> Result<(), Error> {
        for (offset, n) in block_ranges(self.len) {
            sink(self.copy_block(buf, offset, n)?);
            pacer.maybe_yield(n).await;
        }
        Ok(())
    }

    /// Appends bytes `start..end` (within the length) to `out`, copied straight into it block by
    /// block: no staging buffer, so each byte is copied once.
    fn append_to(&self, out: &mut Vec<u8>, start: u64, end: u64) -> Result<(), Error> {
        let mut offset = start;
        while offset < end {
            // At most BLOCK_SIZE, which fits in usize.
            let n = (end - offset).min(BLOCK_SIZE) as usize;
            append_copied(&self.view, offset as f64, n, out).map_err(|_| {
                Error::invalid_input(
                    "the input's ArrayBuffer was detached (transferred) or shrunk while it was being read",
                )
            })?;
            offset += n as u64;
        }
        Ok(())
    }

    fn copy_block<'a>(&self, buf: &'a mut Vec<u8>, offset: u64, n: usize) -> Result<&'a [u8], Error> {
        if buf.len() < n {
            buf.resize(n, 0);
        }
        // `buf.len() >= n` was just ensured, so the range is in bounds.
        let block = &mut buf[..n];
        self.copy_block_into(block, offset)?;
        Ok(block)
    }

    fn copy_block_into(&self, block: &mut [u8], offset: u64) -> Result<(), Error> {
        // Offsets stay below 2^53 (the largest JS array), so the f64 is exact.
        copy_bytes(&self.view, offset as f64, block).map_err(|_| {
            Error::invalid_input("the input's ArrayBuffer was detached (transferred) or shrunk while it was being read")
        })
    }
}

/// `(offset, length)` of each block of a `len`-byte input.
fn block_ranges(len: u64) -> impl Iterator<Item = (u64, usize)> {
    // Each length is at most BLOCK_SIZE, which fits in usize.
    (0..len).step_by(BLOCK_SIZE as usize).map(move |offset| (offset, (len - offset).min(BLOCK_SIZE) as usize))
}

/// The byte argument of a streaming `update()`, fed to `sink` block by block through `buf`.
pub(crate) fn update_from(value: &JsValue, buf: &mut Vec<u8>, sink: impl FnMut(&[u8])) -> Result<(), Error> {
    let bytes = Bytes::from_js(value).map_err(|what| {
        Error::invalid_input(format!("update() takes a Uint8Array, ArrayBuffer or ArrayBufferView, got {what}"))
    })?;
    bytes.copy_blocks(buf, sink)
}

pub(crate) enum ByteSource {
    Bytes(Bytes),
    Blob(JsValue),
    Stream(JsValue),
}

impl ByteSource {
    /// Classifies a JS value; `what` names the argument in the error message.
    pub(crate) fn from_js(value: JsValue, what: &str) -> Result<Self, Error> {
        let description = match Bytes::from_js(&value) {
            Ok(bytes) => return Ok(ByteSource::Bytes(bytes)),
            Err(description) => description,
        };
        match container_kind(&value) {
            Ok(1) => Ok(ByteSource::Blob(value)),
            Ok(2) => Ok(ByteSource::Stream(value)),
            _ => Err(Error::invalid_input(format!("{what} must be one of {ACCEPTED_TYPES}, got {description}"))),
        }
    }

    /// Feeds the whole source to `sink` in order, in blocks of at most [`BLOCK_SIZE`] bytes,
    /// yielding to the event loop between time slices.
    pub(crate) async fn for_each_block(self, mut sink: impl FnMut(&[u8])) -> Result<(), Error> {
        let mut pacer = Pacer::new();
        let mut buf = Vec::new();
        match self {
            ByteSource::Bytes(bytes) => bytes.copy_blocks_paced(&mut buf, &mut sink, &mut pacer).await,
            ByteSource::Blob(blob) => {
                // The Blob's own stream, not one `arrayBuffer()` slice after another: the host reads
                // ahead while we hash (measured in Chromium: ~2x the read speed of 4 MiB slices),
                // and more so with the reads the JS side asks for ahead (`openBlobReader`).
                let reader = open_blob_reader(&blob).map_err(|e| read_error("reading the Blob failed", e))?;
                read_to_end(&reader, "reading the Blob failed", &mut buf, &mut sink, &mut pacer).await
            }
            ByteSource::Stream(stream) => {
                let reader = open_reader(&stream)
                    .map_err(|_| Error::invalid_input("the ReadableStream is locked: another reader is reading it"))?;
                read_to_end(&reader, "reading the stream failed", &mut buf, &mut sink, &mut pacer).await
            }
        }
    }
}

/// Feeds every chunk of the stream behind `reader` to `sink`, then lets the reader go: released
/// at the end or on a read failure, cancelled on our own refusal of a chunk so the producer stops
/// (the stream is unusable anyway). `failure` says what failed in a read error's message.
async fn read_to_end(
    reader: &JsValue,
    failure: &str,
    buf: &mut Vec<u8>,
    sink: &mut impl FnMut(&[u8]),
    pacer: &mut Pacer,
) -> Result<(), Error> {
    let result = read_chunks(reader, failure, buf, sink, pacer).await;
    // Neither call can fail on the reader we opened; a failure would change nothing.
    let _ = match &result {
        Err(Error::InvalidInput(message)) => cancel_reader(reader, &JsValue::from_str(message)),
        _ => release_reader(reader),
    };
    result
}

async fn read_chunks(
    reader: &JsValue,
    failure: &str,
    buf: &mut Vec<u8>,
    sink: &mut impl FnMut(&[u8]),
    pacer: &mut Pacer,
) -> Result<(), Error> {
    loop {
        let next = read_chunk(reader).map_err(|e| read_error(failure, e))?;
        let step: Array = JsFuture::from(next).await.map_err(|e| read_error(failure, e))?.unchecked_into();
        if step.length() == 0 {
            return Ok(());
        }
        let chunk = step.get(0);
        let bytes = Bytes::from_js(&chunk).map_err(|what| {
            Error::invalid_input(format!(
                "stream chunks must be Uint8Array, ArrayBuffer or ArrayBufferView, got {what}"
            ))
        })?;
        bytes.copy_blocks_paced(buf, sink, pacer).await?;
    }
}

/// Appends `n` bytes of `view` from `offset` to `out`, copied by the host straight into the spare
/// capacity: no zero-filling first (a `resize` writes every byte twice, ~5% of an upload's CPU).
/// On failure `out` keeps its length.
fn append_copied(view: &Uint8Array, offset: f64, n: usize, out: &mut Vec<u8>) -> Result<(), JsValue> {
    out.reserve(n);
    let at = out.len();
    // SAFETY: the view covers `n` bytes of the capacity just reserved, made from a raw pointer so
    // no Rust reference to uninitialized bytes exists; the host only writes through it, and
    // nothing allocates in wasm memory (which could move it) before the copy returns. The length
    // grows only after every byte was written.
    let into = unsafe { Uint8Array::view_mut_raw(out.as_mut_ptr().add(at), n) };
    copy_bytes_to_view(view, offset, &into)?;
    unsafe { out.set_len(at + n) };
    Ok(())
}

fn read_error(message: &str, cause: JsValue) -> Error {
    Error::SourceRead { message: message.to_string(), cause }
}

/// What a JS value is, for error messages ("null", "string", "an array", …).
pub(crate) fn describe(value: &JsValue) -> String {
    describe_value(value).unwrap_or_else(|_| "a value that cannot be inspected".into())
}

#[wasm_bindgen(module = "/src/js/source.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = sliceBytes)]
    fn slice_bytes(view: &Uint8Array, start: f64, end: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = sliceBlob)]
    fn slice_blob(blob: &JsValue, start: f64, end: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = streamToBlob)]
    fn stream_to_blob(stream: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = fileUrlHref)]
    fn file_url_href(value: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_name = openLocalFile)]
    fn open_local_file(location: &str) -> Result<Promise, JsValue>;
}

/// The href of a genuine `file:` URL (brand-checked through URL's own getters), else `None`.
pub(crate) fn file_url(value: &JsValue) -> Option<String> {
    file_url_href(value).ok().filter(|href| !href.is_empty())
}

/// Content that can be read more than once — hashed, then uploaded, and resent on a retry:
/// bytes in a view, or a Blob (a stream is read into a Blob first, a local file opened as one).
pub(crate) enum Replayable {
    Bytes(Bytes),
    Blob { blob: JsValue, len: u64 },
}

impl Replayable {
    /// Any byte source, a `file:` URL (Node, Deno) or a string (its UTF-8 bytes).
    pub(crate) async fn from_js(value: JsValue, what: &str) -> Result<Self, Error> {
        if let Some(text) = value.as_string() {
            return Self::from_slice(text.as_bytes());
        }
        if let Some(href) = file_url(&value) {
            return Self::from_local_file(&href).await;
        }
        match ByteSource::from_js(value, what).map_err(|e| match e {
            Error::InvalidInput(message) => {
                Error::invalid_input(format!("{message}, a string or (on Node and Deno) a file: URL"))
            }
            other => other,
        })? {
            ByteSource::Bytes(bytes) => Ok(Replayable::Bytes(bytes)),
            ByteSource::Blob(blob) => Self::from_blob(blob),
            ByteSource::Stream(stream) => {
                let promise = stream_to_blob(&stream).map_err(|e| read_error("reading the stream failed", e))?;
                let blob = JsFuture::from(promise).await.map_err(|e| read_error("reading the stream failed", e))?;
                Self::from_blob(blob)
            }
        }
    }

    /// A local file (a path or a `file:` URL), opened as a file-backed Blob.
    pub(crate) async fn from_local_file(location: &str) -> Result<Self, Error> {
        let opening = |e| read_error(&format!("opening the local file {location:?} failed"), e);
        let blob = JsFuture::from(open_local_file(location).map_err(opening)?).await.map_err(opening)?;
        Self::from_blob(blob)
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let view = Uint8Array::from(bytes);
        Bytes::from_js(&view).map(Replayable::Bytes).map_err(|what| Error::Internal(format!("a fresh array is {what}")))
    }

    fn from_blob(blob: JsValue) -> Result<Self, Error> {
        let size = size_of_blob(&blob).map_err(|e| read_error("reading the Blob's size failed", e))?;
        Ok(Replayable::Blob { blob, len: size as u64 })
    }

    pub(crate) fn len(&self) -> u64 {
        match self {
            Replayable::Bytes(bytes) => bytes.len,
            Replayable::Blob { len, .. } => *len,
        }
    }

    /// Bytes `start..end` copied into wasm memory (`end` is clamped to the length).
    pub(crate) async fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, Error> {
        Ok(self.read_with_host_copy(start, end).await?.0)
    }

    /// [`Replayable::read`], and the host's array the bytes were copied from when it belongs to
    /// this read alone (a Blob's or a local file's read gives a fresh one): the caller may give
    /// it away (transfer it to a worker) rather than copy the bytes once more.
    pub(crate) async fn read_with_host_copy(
        &self,
        start: u64,
        end: u64,
    ) -> Result<(Vec<u8>, Option<Uint8Array>), Error> {
        let end = end.min(self.len());
        let mut out = Vec::with_capacity(end.saturating_sub(start) as usize);
        match self {
            Replayable::Bytes(bytes) => {
                bytes.append_to(&mut out, start, end)?;
                Ok((out, None))
            }
            Replayable::Blob { blob, .. } if start < end => {
                let part =
                    read_blob(blob, start as f64, end as f64).map_err(|e| read_error("reading the Blob failed", e))?;
                let part = JsFuture::from(part).await.map_err(|e| read_error("reading the Blob failed", e))?;
                let bytes = Bytes::from_js(&part)
                    .map_err(|what| Error::SourceRead { message: format!("the Blob gave {what}"), cause: part })?;
                bytes.append_to(&mut out, 0, bytes.len)?;
                Ok((out, Some(bytes.view)))
            }
            Replayable::Blob { .. } => Ok((out, None)),
        }
    }

    /// Bytes `start..end` as a fetch body: a Blob slice (streamed by the host) or a copy of the bytes.
    pub(crate) fn body(&self, start: u64, end: u64) -> Result<JsValue, Error> {
        let end = end.min(self.len());
        match self {
            Replayable::Bytes(bytes) => slice_bytes(&bytes.view, start as f64, end as f64).map_err(|_| {
                Error::invalid_input(
                    "the input's ArrayBuffer was detached (transferred) or shrunk while it was being read",
                )
            }),
            Replayable::Blob { blob, .. } => {
                slice_blob(blob, start as f64, end as f64).map_err(|e| read_error("slicing the Blob failed", e))
            }
        }
    }

    /// Feeds the whole content to `sink` in bounded blocks, yielding to the event loop between
    /// time slices (as [`ByteSource::for_each_block`]).
    pub(crate) async fn for_each_block(&self, sink: impl FnMut(&[u8])) -> Result<(), Error> {
        let source = match self {
            Replayable::Bytes(bytes) => ByteSource::Bytes(Bytes { view: bytes.view.clone(), len: bytes.len }),
            Replayable::Blob { blob, .. } => ByteSource::Blob(blob.clone()),
        };
        source.for_each_block(sink).await
    }
}

#[wasm_bindgen(module = "/src/js/source.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = restIntoBlob)]
    fn rest_into_blob(reader: &JsValue, head: &Uint8Array) -> Result<Promise, JsValue>;
}

/// A genuine `ReadableStream` read chunk by chunk, once: commit content uploaded as it is read.
/// Dropped before its end, it cancels the stream (the producer stops).
pub(crate) struct StreamChunks {
    reader: JsValue,
    done: bool,
}

impl StreamChunks {
    /// `None` when `value` is not a genuine ReadableStream; a locked one is an error.
    pub(crate) fn open(value: &JsValue) -> Option<Result<Self, Error>> {
        if Bytes::from_js(value).is_ok() || container_kind(value).ok() != Some(2) {
            return None;
        }
        Some(
            open_reader(value)
                .map(|reader| StreamChunks { reader, done: false })
                .map_err(|_| Error::invalid_input("the ReadableStream is locked: another reader is reading it")),
        )
    }

    /// Appends the next chunk's bytes to `out`; `false` at the end of the stream.
    pub(crate) async fn next_into(&mut self, out: &mut Vec<u8>) -> Result<bool, Error> {
        if self.done {
            return Ok(false);
        }
        let next = read_chunk(&self.reader).map_err(|e| read_error("reading the stream failed", e))?;
        let step: Array =
            JsFuture::from(next).await.map_err(|e| read_error("reading the stream failed", e))?.unchecked_into();
        if step.length() == 0 {
            self.done = true;
            let _ = release_reader(&self.reader);
            return Ok(false);
        }
        let chunk = step.get(0);
        let bytes = Bytes::from_js(&chunk).map_err(|what| {
            Error::invalid_input(format!(
                "stream chunks must be Uint8Array, ArrayBuffer or ArrayBufferView, got {what}"
            ))
        })?;
        let len = usize::try_from(bytes.len).map_err(|_| Error::invalid_input("a stream chunk too large to read"))?;
        append_copied(&bytes.view, 0.0, len, out).map_err(|_| {
            Error::invalid_input("a stream chunk's ArrayBuffer was detached (transferred) or shrunk while it was read")
        })?;
        Ok(true)
    }

    /// `head` (the bytes already read) and the rest of the stream, as replayable content (a Blob
    /// held by the host: the whole stream in memory on Node and Deno).
    pub(crate) async fn into_replayable(mut self, head: &[u8]) -> Result<Replayable, Error> {
        if self.done {
            return Replayable::from_slice(head);
        }
        self.done = true; // the reader now belongs to restIntoBlob
        let head = Uint8Array::from(head);
        let promise = rest_into_blob(&self.reader, &head).map_err(|e| read_error("reading the stream failed", e))?;
        let blob = JsFuture::from(promise).await.map_err(|e| match e.has_type::<js_sys::TypeError>() {
            true => {
                Error::invalid_input("stream chunks must be Uint8Array, ArrayBuffer or ArrayBufferView".to_string())
            }
            false => read_error("reading the stream failed", e),
        })?;
        Replayable::from_blob(blob)
    }
}

impl Drop for StreamChunks {
    fn drop(&mut self) {
        if !self.done {
            let _ = cancel_reader(&self.reader, &JsValue::from_str("the upload ended before the stream"));
        }
    }
}
