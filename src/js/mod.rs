//! The JS side of the boundary: conversions of results, byte sources, pacing, xorb buffers. Each
//! `.js` file here is a wasm-bindgen snippet imported only by the `.rs` file of the same name.

pub(crate) mod convert;
pub(crate) mod pacing;
pub(crate) mod source;
pub(crate) mod xorb_buffer;
