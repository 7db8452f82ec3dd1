// Deno: same as Node, through Deno's own file API (needs read access to the package folder).
import { initSync } from "./hubwasm.js";
import { startLoading } from "./ready.js";

initSync({ module: Deno.readFileSync(new URL("./hubwasm_bg.wasm", import.meta.url)) });
startLoading();

export * from "./api.js";
