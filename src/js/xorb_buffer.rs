//! A xorb's serialized bytes gathered outside wasm memory as the planner writes them
//! (`UploadPlanner::take_open_xorb_bytes`), so that a finished xorb is never copied out of wasm
//! memory whole in a single task, and wasm memory holds about one block instead of a whole xorb.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::error::Error;

#[wasm_bindgen(module = "/src/js/xorb_buffer.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = xorbBuffer)]
    fn xorb_buffer(length: f64) -> Result<Uint8Array, JsValue>;
}

pub(crate) struct XorbBuffer {
    bytes: Uint8Array,
    len: u64,
}

impl XorbBuffer {
    pub(crate) fn with_capacity(capacity: u64) -> Result<Self, Error> {
        Ok(XorbBuffer { bytes: xorb_buffer(capacity as f64).map_err(refused_buffer)?, len: 0 })
    }

    /// Appends `bytes`; when they do not fit, the buffer grows to `grow_to` bytes (or to exactly
    /// what is needed when that is more). Grow once, to the whole xorb: each growth is a copy in
    /// one task (from 32 to 64 MiB: ~40 ms in Node).
    pub(crate) fn append(&mut self, bytes: &[u8], grow_to: u64) -> Result<(), Error> {
        let end = self.len + bytes.len() as u64;
        if end > u64::from(self.bytes.length()) {
            let mut grown = XorbBuffer::with_capacity(grow_to.max(end))?;
            grown.bytes.set(&self.bytes.subarray(0, self.len as u32).into(), 0);
            grown.len = self.len;
            *self = grown;
        }
        // SAFETY: the view is read only by `set`, which copies the bytes before it returns, and
        // nothing allocates in wasm memory (which would move it) in between. A copy made here
        // instead would be a block of garbage per call for the GC to find.
        self.bytes.set(&unsafe { Uint8Array::view(bytes) }.into(), self.len as u32);
        self.len = end;
        Ok(())
    }

    /// The bytes written, as a view of exactly their length (fetch sends the view's bytes only).
    pub(crate) fn written(&self) -> Uint8Array {
        self.bytes.subarray(0, self.len as u32)
    }

    /// The bytes written: the buffer itself when they fill most of it, else a copy of exactly
    /// their length, so that a small xorb does not keep a whole xorb's buffer alive. That copy is
    /// between JS buffers and under 3/4 of a xorb (48 MiB: ~20 ms in Node, allocation included).
    pub(crate) fn into_snug_bytes(self) -> Result<Uint8Array, Error> {
        let capacity = u64::from(self.bytes.length());
        if self.len >= capacity - capacity / 4 {
            return Ok(self.written());
        }
        let snug = XorbBuffer::with_capacity(self.len)?;
        snug.bytes.set(&self.written().into(), 0);
        Ok(snug.bytes)
    }

    /// Forgets the bytes written, to fill the buffer again.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

fn refused_buffer(_: JsValue) -> Error {
    Error::Internal("the runtime refused a buffer for xorb bytes".into())
}
