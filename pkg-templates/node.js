// Node.js: read and compile the module synchronously so every API works right after import.
import { readFileSync } from "node:fs";
import { initSync } from "./hubwasm.js";
import { startLoading } from "./ready.js";

initSync({ module: readFileSync(new URL("./hubwasm_bg.wasm", import.meta.url)) });
startLoading();

export * from "./api.js";
