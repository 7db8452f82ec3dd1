//! SHA-256 for JavaScript: a streaming hasher and a one-call digest over any byte source.

use wasm_bindgen::prelude::*;

use hubwasm_core::lfs::Sha256;

use crate::js::source::{update_from, ByteSource};

/// Incremental SHA-256. `digest()` may be called at any time and does not end the hasher.
#[wasm_bindgen]
pub struct Sha256Hasher {
    state: Sha256,
    scratch: Vec<u8>,
}

#[wasm_bindgen]
impl Sha256Hasher {
    /// Adds bytes. Large arrays are copied into wasm memory a block at a time. A refused value
    /// (wrong type, detached buffer) adds nothing and leaves the hasher usable.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | ArrayBufferView")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        let state = &mut self.state;
        Ok(update_from(&bytes, &mut self.scratch, |block| state.update(block))?)
    }

    /// Lowercase hex SHA-256 of everything added so far.
    pub fn digest(&self) -> String {
        self.state.clone().finalize_hex()
    }

    /// Number of bytes added so far.
    #[wasm_bindgen(getter, js_name = bytesHashed)]
    pub fn bytes_hashed(&self) -> f64 {
        self.state.len() as f64
    }
}

/// Starts a streaming SHA-256: call `update(bytes)` for each piece, then `digest()`.
#[wasm_bindgen(js_name = createSha256)]
pub fn create_sha256() -> Sha256Hasher {
    Sha256Hasher { state: Sha256::new(), scratch: Vec::new() }
}

/// Lowercase hex SHA-256 of a Blob, byte array or stream, read in bounded blocks without freezing
/// the page.
#[wasm_bindgen(js_name = sha256)]
pub async fn sha256(
    #[wasm_bindgen(unchecked_param_type = "Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>")]
    input: JsValue,
) -> Result<String, JsValue> {
    let source = ByteSource::from_js(input, "sha256() input")?;
    let mut state = Sha256::new();
    source.for_each_block(|block| state.update(block)).await?;
    Ok(state.finalize_hex())
}
