// The JS half of src/hash/chunk_thread.rs: a Node worker thread (pkg-templates/chunk-thread.js)
// that cuts an upload's bytes into chunks, hashes them and takes their SHA-256, while the main
// thread packs and sends xorbs. Found at run time through `process.getBuiltinModule`, so no
// bundler sees a `node:` specifier; anywhere else `startChunkThread` gives undefined.

function workerThreads() {
  try {
    const threads = globalThis.process?.getBuiltinModule?.("node:worker_threads");
    return typeof threads?.Worker === "function" ? threads : undefined;
  } catch {
    return undefined;
  }
}

// Blocks under way or kept spare stay few: the upload waits for answers past 8 MiB uncut.
const MAX_SPARE_BLOCKS = 16;
const MIN_BLOCK = 1 << 20;

class ChunkThread {
  #worker;
  #records = [];
  #digest;
  #failure;
  #wake;
  #ready;
  // Buffers the thread handed back with its answers, filled again by `send`: no garbage per block.
  #spare = [];

  constructor(worker) {
    this.#worker = worker;
    this.#ready = new Promise((resolve, reject) => {
      worker.once("message", (first) => (first?.ready === true ? resolve() : reject(new Error("the chunking thread did not start"))));
      worker.once("error", reject);
      worker.once("exit", () => reject(new Error("the chunking thread stopped before it started")));
    });
    // Once started, the thread keeps the process alive only while the upload waits for it (`wait`).
    this.#ready.then(() => worker.unref(), () => {});
    worker.on("message", (message) => {
      if (message?.ready === true) return;
      if (typeof message?.error === "string") {
        this.#fail(new Error(`the chunking thread failed: ${message.error}`));
        return;
      }
      if (message?.records instanceof Uint8Array) this.#records.push(message.records);
      if (message?.block instanceof ArrayBuffer && this.#spare.length < MAX_SPARE_BLOCKS) this.#spare.push(message.block);
      if (message?.sha256 instanceof Uint8Array) this.#digest = message.sha256;
      this.#notify();
    });
    worker.on("error", (error) => this.#fail(error));
    worker.on("exit", () => this.#fail(new Error("the chunking thread stopped")));
  }

  #fail(error) {
    this.#failure ??= error;
    this.#notify();
  }

  #notify() {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  ready() {
    return this.#ready;
  }

  /** Sends a copy of `view` (wasm memory, valid only during this call) to be cut. */
  send(view) {
    if (this.#failure) throw this.#failure;
    let buffer = this.#spare.pop();
    if (buffer === undefined || buffer.byteLength < view.length) buffer = new ArrayBuffer(Math.max(view.length, MIN_BLOCK));
    const copy = new Uint8Array(buffer, 0, view.length);
    copy.set(view);
    this.#worker.postMessage(copy, [buffer]);
  }

  /** The file's last bytes were sent: the thread answers with its last chunks and the SHA-256. */
  endFile() {
    if (this.#failure) throw this.#failure;
    this.#worker.postMessage(null);
  }

  /** The records arrived since the last call, as one array (36 bytes per chunk). */
  takeRecords() {
    const parts = this.#records;
    this.#records = [];
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** The SHA-256 of the file once its last records arrived (taken once), else undefined. */
  takeDigest() {
    const digest = this.#digest;
    this.#digest = undefined;
    return digest;
  }

  /** Resolves when a message has arrived, rejects when the thread failed. */
  wait() {
    if (this.#records.length > 0 || this.#digest !== undefined) return Promise.resolve();
    if (this.#failure) return Promise.reject(this.#failure);
    this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#wake = () => {
        this.#worker.unref();
        if (this.#records.length > 0 || this.#digest !== undefined) resolve();
        else reject(this.#failure);
      };
    });
  }

  close() {
    this.#failure ??= new Error("the chunking thread was closed");
    this.#worker.terminate().catch(() => {});
  }
}

/** A started chunking thread running the script at `url`, or undefined where there are none. */
export function startChunkThread(url) {
  const threads = workerThreads();
  if (!threads) return undefined;
  try {
    return new ChunkThread(new threads.Worker(new URL(url)));
  } catch {
    return undefined;
  }
}

// Free functions over the thread: Rust calls them with `catch`, so a throw is an Err.
export const chunkThreadReady = (thread) => thread.ready();
export const chunkThreadSend = (thread, view) => thread.send(view);
export const chunkThreadEndFile = (thread) => thread.endFile();
export const chunkThreadTakeRecords = (thread) => thread.takeRecords();
export const chunkThreadTakeDigest = (thread) => thread.takeDigest();
export const chunkThreadWait = (thread) => thread.wait();
export const chunkThreadClose = (thread) => thread.close();
