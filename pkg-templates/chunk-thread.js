// The chunking thread of an upload in Node (src/hash/chunk_thread.rs): it gets the file's bytes
// block by block from the main thread, cuts them into chunks and hashes each one (wasm), takes
// the SHA-256 (node:crypto), and answers each block with the records of the chunks it finished;
// `null` ends the file (answered with the last chunk and the SHA-256). Each block's buffer is
// handed back with its answer. Not part of the API.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { __hubwasmChunkScanner as ChunkScanner, initSync } from "./hubwasm.js";

initSync({ module: readFileSync(new URL("./hubwasm_bg.wasm", import.meta.url)) });

let scanner;
let sha256;

parentPort.on("message", (block) => {
  try {
    scanner ??= new ChunkScanner();
    sha256 ??= createHash("sha256");
    if (block === null) {
      const records = scanner.finish();
      const digest = new Uint8Array(sha256.digest());
      scanner.free();
      scanner = sha256 = undefined;
      parentPort.postMessage({ records, sha256: digest }, [records.buffer, digest.buffer]);
      return;
    }
    scanner.update(block);
    sha256.update(block);
    // The block's buffer goes back to be filled again.
    const records = scanner.take();
    parentPort.postMessage({ records, block: block.buffer }, [records.buffer, block.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});

parentPort.postMessage({ ready: true });
