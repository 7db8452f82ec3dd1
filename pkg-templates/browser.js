// Browsers and web workers: fetch and compile in the background (no top-level await, so bundlers
// and older engines are happy). Async APIs wait for it; `ready` says when sync ones may be called.
import init from "./hubwasm.js";
import { startLoading } from "./ready.js";

startLoading(init({ module_or_path: new URL("./hubwasm_bg.wasm", import.meta.url) }));

export * from "./api.js";
