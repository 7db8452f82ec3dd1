//! What every streamed exchange (a download, a Xet upload, an inference stream) needs from JS
//! around its body: a controller that the caller's signal or the stream's consumer can abort, and
//! the next chunk of a body reader.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStreamDefaultReader};

#[wasm_bindgen(module = "/src/http/streams.js")]
extern "C" {
    /// An `AbortController` whose signal also fires when the caller's does.
    pub(crate) type LinkedController;
    #[wasm_bindgen(js_name = linkedController)]
    pub(crate) fn linked_controller(signal: Option<AbortSignal>) -> LinkedController;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn signal(this: &LinkedController) -> AbortSignal;
    #[wasm_bindgen(method)]
    pub(crate) fn abort(this: &LinkedController, reason: JsValue);

    /// Resolves to the reader's next chunk (a `Uint8Array`), or `undefined` at the end.
    #[wasm_bindgen(js_name = readChunk)]
    pub(crate) fn read_chunk(reader: &ReadableStreamDefaultReader) -> Promise;
}
