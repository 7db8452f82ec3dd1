// Types of the hubwasm package. Function and class types come from the Rust sources through
// wasm-bindgen (hubwasm.d.ts); errors.d.ts describes the error classes.
export * from "./hubwasm.js";
export * from "./errors.js";

/**
 * Resolves once the WebAssembly module is loaded. Async APIs wait for it themselves; in a browser,
 * await it before calling a synchronous API such as `createSha256()` as the first call.
 */
export declare const ready: Promise<void>;
