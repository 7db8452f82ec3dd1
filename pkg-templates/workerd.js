// Cloudflare Workers (workerd): the bundler hands us the compiled module; no fetch, no eval.
import wasmModule from "./hubwasm_bg.wasm";
import { initSync } from "./hubwasm.js";
import { startLoading } from "./ready.js";

initSync({ module: wasmModule });
startLoading();

export * from "./api.js";
