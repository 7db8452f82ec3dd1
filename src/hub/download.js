// The JS side of downloadFile (src/hub/download.rs): a pull-based ReadableStream over Rust's
// `pull()`, an AbortController that follows the caller's signal, and one read of a response body.

/**
 * A byte stream that asks `pull()` for its next chunk (a Uint8Array, or undefined at the end) only
 * when its reader wants one (highWaterMark 0): nothing is fetched ahead of the reader beyond what
 * Rust's window allows, so memory stays bounded. `cancel(reason)` stops the fetches.
 */
export function pullStream(pull, cancel) {
  return new ReadableStream(
    {
      async pull(controller) {
        const chunk = await pull();
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel(reason) {
        cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The whole stream as `kind`: "blob", "arrayBuffer", "text" or "json". Read here rather than
 * through `new Response(stream)`, which in some runtimes replaces the stream's error (our typed
 * IntegrityError, AbortError…) with its own TypeError.
 */
export async function readAs(stream, kind) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  if (kind === "blob") return new Blob(chunks);
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  if (kind === "arrayBuffer") return bytes.buffer;
  const text = new TextDecoder().decode(bytes);
  return kind === "json" ? JSON.parse(text) : text;
}

// The steps of a Xet range fetch, `{ serial, kind, value }`; the kinds are Rust's `StepKind`.
const HEADER = 0;
const DATA = 1;
const END = 2;
const ERROR = 3;

/** A range fetch's answer is in (Rust stored it). */
export function headerStep(serial) {
  return { serial, kind: HEADER, value: undefined };
}

/**
 * Reads of a range's body until `minBytes` arrived or the body ended, settled (never rejected) as
 * one step: DATA with the chunks read (an array of Uint8Array), END with the last chunks before the
 * end, or ERROR with the failure (chunks read before it are dropped: the range is asked again
 * whole). Gathering a few reads per step costs one crossing into wasm instead of one per read
 * (a fetch body comes in pieces of 64 KiB or less); a body never runs more than one step ahead.
 */
export async function readSome(reader, serial, minBytes) {
  const chunks = [];
  let bytes = 0;
  try {
    while (bytes < minBytes) {
      const { done, value } = await reader.read();
      if (done) return { serial, kind: END, value: chunks };
      chunks.push(value);
      bytes += value.byteLength;
    }
  } catch (error) {
    return { serial, kind: ERROR, value: error };
  }
  return { serial, kind: DATA, value: chunks };
}

/**
 * The steps of every range fetch of one download, in the order they settle: `add` watches one
 * (a promise that never rejects), `next()` resolves to the first not yet taken. One queue rather
 * than `Promise.race` over every pending read at each step, which subscribes to each of them again
 * every time.
 */
export class Settled {
  constructor() {
    this.results = [];
    this.waiting = undefined;
  }

  add(step) {
    step.then((result) => {
      const waiting = this.waiting;
      if (waiting === undefined) this.results.push(result);
      else {
        this.waiting = undefined;
        waiting(result);
      }
    });
  }

  next() {
    if (this.results.length > 0) return Promise.resolve(this.results.shift());
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

/**
 * downloadFile's `range` option: undefined when absent, `[start, end]` when it is an array of two
 * numbers, null otherwise (Rust checks the numbers). Imported with `catch`: a throwing getter or a
 * revoked Proxy becomes an error value in Rust.
 */
export function rangeOption(options) {
  const range = options?.range;
  if (range === undefined) return undefined;
  if (!Array.isArray(range) || range.length !== 2) return null;
  const start = range[0];
  const end = range[1];
  return typeof start === "number" && typeof end === "number" ? [start, end] : null;
}
