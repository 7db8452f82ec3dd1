//! The browser side of the cache: the OPFS store (`opfs.js`) and the Web Locks (`locks.js`) that
//! make two tabs or Workers fetching one file store one blob.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::{store_error, Store};
use crate::error::Error;

#[wasm_bindgen(module = "/src/cache/opfs.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = createOpfsStore)]
    fn create_opfs_store(name: Option<String>) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/src/cache/locks.js")]
extern "C" {
    #[wasm_bindgen(js_name = holdBlobLock)]
    fn hold_blob_lock(store: &JsValue, blob_key: &str, signal: &AbortSignal) -> Promise;
}

/// `cache: "opfs"`: the store in OPFS folder `name`, or `None` where this runtime cannot write OPFS.
pub(super) fn opfs_store(name: Option<String>) -> Result<Option<JsValue>, Error> {
    let store = create_opfs_store(name).map_err(|e| store_error("open OPFS", e))?;
    Ok((!store.is_undefined()).then_some(store))
}

/// The Web Lock of one blob key, held until dropped.
pub(crate) struct BlobLock {
    release: Function,
}

impl BlobLock {
    /// Waits for the lock of `blob_key` (another tab or Worker may be writing that blob); `None`
    /// where there is none to take. An abort of `signal` ends the wait with `AbortError`.
    pub(crate) async fn hold(store: &Store, blob_key: &str, signal: &AbortSignal) -> Result<Option<Self>, Error> {
        match JsFuture::from(hold_blob_lock(&store.object, blob_key, signal)).await {
            Ok(release) => Ok(release.dyn_into::<Function>().ok().map(|release| BlobLock { release })),
            Err(cause) if signal.aborted() => Err(Error::Aborted { cause }),
            Err(cause) => Err(store_error(&format!("take the Web Lock of {blob_key}"), cause)),
        }
    }
}

impl Drop for BlobLock {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}
