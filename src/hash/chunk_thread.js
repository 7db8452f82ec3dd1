// The JS half of src/hash/chunk_thread.rs: a Node worker thread (pkg-templates/chunk-thread.js)
// that cuts an upload's bytes into chunks and hashes them, while the main thread packs and sends
// xorbs. Found at run time through `process.getBuiltinModule`, so no
// bundler sees a `node:` specifier; anywhere else `startChunkThread` gives undefined.

function workerThreads() {
  // Node only: Deno's and Bun's worker_threads are emulations this is not tested on.
  if (globalThis.Deno !== undefined || globalThis.process?.versions?.bun !== undefined) return undefined;
  try {
    const threads = globalThis.process?.getBuiltinModule?.("node:worker_threads");
    return typeof threads?.Worker === "function" ? threads : undefined;
  } catch {
    return undefined;
  }
}

// Blocks under way or kept spare stay few: the upload waits for answers past 4 MiB uncut.
const MAX_SPARE_BLOCKS = 8;
const MIN_BLOCK = 1 << 20;

class ChunkThread {
  #worker;
  #records = [];
  #ended = false;
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
      if (message?.ended === true) this.#ended = true;
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
    this.#worker.postMessage({ block: copy, giveBack: true }, [buffer]);
  }

  /**
   * Sends `array` itself, transferred: the caller's own copy (a Blob's or a file's read), used
   * nowhere else. An array that does not span its whole buffer is copied instead.
   */
  handOver(array) {
    if (this.#failure) throw this.#failure;
    if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength) return this.send(array);
    this.#worker.postMessage({ block: array, giveBack: false }, [array.buffer]);
  }

  /** The file's last bytes were sent: the thread answers with its last chunks. */
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

  /** Whether the file's last records arrived (true once per file). */
  takeEnded() {
    const ended = this.#ended;
    this.#ended = false;
    return ended;
  }

  /** Resolves when a message has arrived, rejects when the thread failed. */
  wait() {
    if (this.#records.length > 0 || this.#ended) return Promise.resolve();
    if (this.#failure) return Promise.reject(this.#failure);
    this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#wake = () => {
        this.#worker.unref();
        if (this.#records.length > 0 || this.#ended) resolve();
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
export const chunkThreadHandOver = (thread, array) => thread.handOver(array);
export const chunkThreadEndFile = (thread) => thread.endFile();
export const chunkThreadTakeRecords = (thread) => thread.takeRecords();
export const chunkThreadTakeEnded = (thread) => thread.takeEnded();
export const chunkThreadWait = (thread) => thread.wait();
export const chunkThreadClose = (thread) => thread.close();
