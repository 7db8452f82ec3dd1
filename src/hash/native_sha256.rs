//! SHA-256 off wasm's critical path: the runtime's native streaming digest (node:crypto in Node
//! and Deno, `crypto.DigestStream` in workerd) where there is one, detected at run time; `None`
//! elsewhere (browsers), where the caller keeps hubwasm-core's `sha2`. Measured on the bench
//! machine: node:crypto ~1840 MB/s against ~443 MB/s for wasm.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::error::Error;

#[wasm_bindgen(module = "/src/hash/native_sha256.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = createNativeSha256)]
    fn create_native_sha256() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = nativeUpdate)]
    fn native_update(hasher: &JsValue, view: &Uint8Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = nativeDigest)]
    fn native_digest(hasher: &JsValue) -> Result<Promise, JsValue>;
}

/// A native streaming SHA-256 in progress.
pub(crate) struct NativeSha256 {
    hasher: JsValue,
    /// The last write of an asynchronous digest (workerd), awaited before the next one so that
    /// at most one block is queued.
    writing: Option<Promise>,
}

impl NativeSha256 {
    /// The runtime's digest, or `None` when it has none.
    pub(crate) fn new() -> Option<Self> {
        let hasher = create_native_sha256().ok().filter(|h| h.is_object())?;
        Some(NativeSha256 { hasher, writing: None })
    }

    pub(crate) async fn update(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(previous) = self.writing.take() {
            JsFuture::from(previous).await.map_err(failed)?;
        }
        // SAFETY: the view is used only during this call (node:crypto hashes it synchronously, the
        // DigestStream path copies it first) and nothing allocates in wasm memory meanwhile. A copy
        // made here instead would be 4 MiB of garbage per block for the GC to find.
        let written = native_update(&self.hasher, &unsafe { Uint8Array::view(bytes) }).map_err(failed)?;
        if let Ok(promise) = written.dyn_into::<Promise>() {
            self.writing = Some(promise);
        }
        Ok(())
    }

    pub(crate) async fn digest(mut self) -> Result<[u8; 32], Error> {
        if let Some(previous) = self.writing.take() {
            JsFuture::from(previous).await.map_err(failed)?;
        }
        let digest = JsFuture::from(native_digest(&self.hasher).map_err(failed)?).await.map_err(failed)?;
        let digest: Uint8Array =
            digest.dyn_into().map_err(|_| Error::Internal("the native SHA-256 gave no bytes".into()))?;
        let mut out = [0u8; 32];
        if digest.length() != 32 {
            return Err(Error::Internal(format!("the native SHA-256 gave {} bytes", digest.length())));
        }
        digest.copy_to(&mut out);
        Ok(out)
    }
}

fn failed(cause: JsValue) -> Error {
    Error::Internal(format!("the runtime's SHA-256 failed: {}", crate::js::source::describe(&cause)))
}
