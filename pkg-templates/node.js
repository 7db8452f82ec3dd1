// Node.js: read and compile the module synchronously so every API works right after import.
import { readFileSync } from "node:fs";
import { __hubwasmUseChunkThread, initSync } from "./hubwasm.js";
import { startLoading } from "./ready.js";

initSync({ module: readFileSync(new URL("./hubwasm_bg.wasm", import.meta.url)) });
startLoading();
// Uploads chunk and hash on a worker thread running this script (src/hash/chunk_thread.rs).
__hubwasmUseChunkThread(new URL("./chunk-thread.js", import.meta.url).href);

export * from "./api.js";
