// The chunking thread of an upload in Node (src/hash/chunk_thread.rs): it gets the file's bytes
// block by block from the main thread, cuts them into chunks and hashes each one (wasm), and
// answers each block with the records of the chunks it finished; `null` ends the file (answered
// with the last chunk). A block's buffer is handed back with its answer when the main thread asks
// (it fills it again). Not part of the API.
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { __hubwasmChunkScanner as ChunkScanner, initSync } from "./hubwasm.js";

initSync({ module: readFileSync(new URL("./hubwasm_bg.wasm", import.meta.url)) });

let scanner;

parentPort.on("message", (message) => {
  try {
    scanner ??= new ChunkScanner();
    if (message === null) {
      const records = scanner.finish();
      scanner.free();
      scanner = undefined;
      parentPort.postMessage({ records, ended: true }, [records.buffer]);
      return;
    }
    const { block, giveBack } = message;
    scanner.update(block);
    const records = scanner.take();
    // A buffer the main thread fills again goes back to it; one it gave away stays here.
    if (giveBack) parentPort.postMessage({ records, block: block.buffer }, [records.buffer, block.buffer]);
    else parentPort.postMessage({ records }, [records.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});

parentPort.postMessage({ ready: true });
