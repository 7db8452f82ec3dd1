//! Rust results to plain JS values, through one serializer configured here for every API:
//! - `None` becomes `null` (a digest without SHA-256 has `sha256: null`, as the types say);
//! - maps become plain objects, not `Map`s, so results read like JSON;
//! - 64-bit integers become numbers (sizes and counts stay far below 2^53; a larger one is an
//!   error rather than a silently rounded number), not BigInts, so `size + 1` works;
//! - [`Bytes`] becomes a fresh `Uint8Array` (a copy, so wasm memory growth cannot invalidate it).
//!
//! Top-level "nothing" results (`takeXorb()` with no xorb) are `undefined`; the APIs return those
//! themselves.

use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::JsValue;

use crate::error::Error;

const SERIALIZER: Serializer = Serializer::new()
    .serialize_missing_as_null(true)
    .serialize_maps_as_objects(true)
    .serialize_large_number_types_as_bigints(false);

/// `value` as a plain JS value.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value.serialize(&SERIALIZER).map_err(|e| Error::Internal(format!("converting a result to JS failed: {e}")))
}

/// Bytes that cross as a `Uint8Array` (plain `&[u8]` would cross as an array of numbers).
pub(crate) struct Bytes<'a>(pub &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}
