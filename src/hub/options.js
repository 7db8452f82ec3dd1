// Shape checks for src/hub/options.rs. Every import of these is `catch`: a revoked Proxy or a
// throwing trap reaches Rust as an error value, never as an exception unwinding through wasm.

export function isArray(value) {
  return Array.isArray(value);
}

/** An array's length as a number (-1 if it is not one). */
export function arrayLength(value) {
  const length = value.length;
  return typeof length === "number" ? length : -1;
}
