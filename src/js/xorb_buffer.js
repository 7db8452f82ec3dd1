// The JS half of src/js/xorb_buffer.rs: the buffer a xorb's serialized bytes are gathered in
// outside wasm memory. A plain Uint8Array, not a Blob: the engine's GC sees an ArrayBuffer's size
// and collects used ones soon, while a Blob's bytes are invisible to it (measured in Node: a
// Blob per xorb let ~300 MiB of sent xorbs wait for a collection per GiB uploaded).

/** A zeroed buffer of `length` bytes; throws (caught by Rust) when the engine refuses it. */
export function xorbBuffer(length) {
  return new Uint8Array(length);
}
