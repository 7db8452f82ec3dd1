// The JS half of src/js/source.rs: reading a caller's bytes through the engine's own built-ins,
// captured when this module loads. A value's own properties, subclass overrides and Proxy traps
// are never consulted, so nothing it claims about its length or buffer can make Rust copy out of
// bounds, and no user code runs while Rust holds a borrow of a hasher. Every function is imported
// with `catch`, so whatever still throws reaches Rust as a value, never as an unwind through it.

const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const getter = (Class, name) => uncurry(Object.getOwnPropertyDescriptor(Class.prototype, name).get);
const U8 = Uint8Array;
const TypedArray = Object.getPrototypeOf(Uint8Array);

const typedArrayBuffer = getter(TypedArray, "buffer");
const typedArrayByteOffset = getter(TypedArray, "byteOffset");
const typedArrayByteLength = getter(TypedArray, "byteLength");
const typedArrayTag = getter(TypedArray, Symbol.toStringTag);
// ValidateTypedArray: throws on a detached or out-of-bounds view, where the getters answer 0.
const typedArrayValidate = uncurry(TypedArray.prototype.at);
const typedArraySet = uncurry(TypedArray.prototype.set);
const dataViewBuffer = getter(DataView, "buffer");
const dataViewByteOffset = getter(DataView, "byteOffset");
const dataViewByteLength = getter(DataView, "byteLength"); // throws when detached or out of bounds
const arrayBufferByteLength = getter(ArrayBuffer, "byteLength"); // throws for a SharedArrayBuffer
const sharedByteLength = typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer, "byteLength") : undefined;
// Throwing is slow (a stack trace each time), so the common case is tested by a check that passes.
const isShared = (buffer) => !passes(() => arrayBufferByteLength(buffer));
const isArray = Array.isArray;
const blobSize = typeof Blob === "function" ? getter(Blob, "size") : undefined;
const blobSlice = typeof Blob === "function" ? uncurry(Blob.prototype.slice) : undefined;
const blobArrayBuffer = typeof Blob === "function" ? uncurry(Blob.prototype.arrayBuffer) : undefined;
const blobStream = typeof Blob === "function" ? uncurry(Blob.prototype.stream) : undefined;
const streamLocked = typeof ReadableStream === "function" ? getter(ReadableStream, "locked") : undefined;
const streamGetReader = typeof ReadableStream === "function" ? uncurry(ReadableStream.prototype.getReader) : undefined;

/** Whether `call()` succeeds: a brand check through a built-in that throws on foreign receivers. */
function passes(call) {
  try {
    call();
    return true;
  } catch {
    return false;
  }
}

function isDetached(buffer) {
  // `ArrayBuffer.prototype.detached` is recent (not in Node 20); constructing a view is universal.
  return !passes(() => new U8(buffer, 0, 0));
}

/**
 * A fresh, fixed-length Uint8Array over the bytes of a Uint8Array (or Node Buffer), any other
 * typed array, DataView or ArrayBuffer; otherwise a string saying what the value is instead.
 */
export function toBytes(value) {
  try {
    if (typedArrayTag(value) !== undefined) {
      const buffer = typedArrayBuffer(value);
      if (isShared(buffer)) return "a view over a SharedArrayBuffer";
      if (!passes(() => typedArrayValidate(value, 0))) {
        return isDetached(buffer) ? "a view over a detached ArrayBuffer" : "a view outside its shrunk ArrayBuffer";
      }
      return new U8(buffer, typedArrayByteOffset(value), typedArrayByteLength(value));
    }
    if (passes(() => dataViewBuffer(value))) {
      const buffer = dataViewBuffer(value);
      if (isShared(buffer)) return "a view over a SharedArrayBuffer";
      if (!passes(() => dataViewByteLength(value))) {
        return isDetached(buffer) ? "a DataView over a detached ArrayBuffer" : "a DataView outside its shrunk ArrayBuffer";
      }
      return new U8(buffer, dataViewByteOffset(value), dataViewByteLength(value));
    }
    if (passes(() => arrayBufferByteLength(value))) {
      if (isDetached(value)) return "a detached ArrayBuffer";
      return new U8(value, 0, arrayBufferByteLength(value));
    }
    return describe(value);
  } catch {
    // Unreachable with the brand checks above; answering keeps the promise of never throwing.
    return describe(value);
  }
}

/** 1 for a genuine Blob (or File), 2 for a genuine ReadableStream, 0 otherwise. */
export function containerKind(value) {
  if (blobSize && passes(() => blobSize(value))) return 1;
  if (streamLocked && passes(() => streamLocked(value))) return 2;
  return 0;
}

/** A short description of what a value is, found without running any of its code. */
export function describe(value) {
  if (value === null) return "null";
  const type = typeof value;
  if (type !== "object") return type;
  if (sharedByteLength && passes(() => sharedByteLength(value))) return "a SharedArrayBuffer";
  if (blobSize && passes(() => blobSize(value))) return "a Blob";
  if (streamLocked && passes(() => streamLocked(value))) return "a ReadableStream";
  let array = false;
  if (!passes(() => (array = isArray(value)))) return "a revoked Proxy";
  return array ? "an array" : "an object that is not a genuine byte source (a plain object, a Proxy or a look-alike)";
}

/** A view's length as a number: js-sys's `byte_length()` is a u32 and would wrap above 4 GiB. */
export function lengthOf(view) {
  return typedArrayByteLength(view);
}

/** Copies `into.length` bytes of `view`, from `offset`, into `into` (a view of wasm memory). */
export function copyBytes(view, offset, into) {
  // Throws when the buffer was detached or shrunk since `toBytes` made the view.
  typedArrayValidate(view, 0);
  if (offset + into.length > typedArrayByteLength(view)) throw new RangeError("the view shrank");
  typedArraySet(into, new U8(typedArrayBuffer(view), typedArrayByteOffset(view) + offset, into.length));
}

/** The size of a genuine Blob, whatever its own `size` property says. */
export function sizeOfBlob(blob) {
  return blobSize(blob);
}

/**
 * Bytes `start..end` of a genuine Blob, read through Blob's own `slice` and `arrayBuffer`; a
 * local file that `openLocalFile` opened is read with fs instead (below).
 */
export async function readBlob(blob, start, end) {
  const local = localFiles.get(blob);
  if (local !== undefined) return await readLocalFile(blob, local, start, end);
  return new U8(await blobArrayBuffer(blobSlice(blob, start, end)));
}

/**
 * A reader of a genuine Blob's own stream, made by Blob's and ReadableStream's own methods, that
 * keeps reading ahead of its consumer: Chromium's Blob stream fills only as far as the reads asked
 * of it, and a File was hashed at ~0.6x the speed of the same bytes in memory.
 */
export function openBlobReader(blob) {
  return new ReadAhead(streamGetReader(blobStream(blob)), BLOB_READS_AHEAD);
}

/** Reads kept asked for ahead of the consumer of a Blob's stream. */
const BLOB_READS_AHEAD = 4;

/**
 * Up to `depth` reads of `reader` asked for before they are wanted, one after another: each is
 * made when the one before it settles, so only one is ever pending, which is all workerd's
 * streams allow ("only supports a single pending read request at a time").
 */
class ReadAhead {
  #reader;
  #depth;
  #asked = [];
  #last = Promise.resolve({ done: false });
  #finished = false;

  constructor(reader, depth) {
    this.#reader = reader;
    this.#depth = depth;
    this.#topUp();
  }

  read() {
    // The queue is full here (the constructor and every read top it up).
    const next = this.#asked.shift();
    this.#topUp();
    return next;
  }

  /** Stops the stream: a Blob's stream is ours alone, so nothing is left half read for anyone. */
  cancel(reason) {
    this.#finished = true;
    return this.#reader.cancel(reason);
  }

  /** Called at the end or after a failure; a read may still be under way, so cancel rather than release. */
  releaseLock() {
    this.cancel().catch(() => {});
  }

  #topUp() {
    while (this.#asked.length < this.#depth) {
      const read = this.#last.then((step) => (step.done || this.#finished ? { done: true } : this.#reader.read()));
      // A read asked ahead and never wanted (the stream failed first) is no unhandled rejection;
      // whoever takes it still sees the failure.
      read.catch(() => {});
      this.#last = read;
      this.#asked.push(read);
    }
  }
}

/** A reader of a genuine stream; throws when the stream is already locked to another reader. */
export function openReader(stream) {
  return streamGetReader(stream);
}

/** The next chunk as `[chunk]`, or `[]` once the stream is done. */
export async function readChunk(reader) {
  const { done, value } = await reader.read();
  return done ? [] : [value];
}

/** Cancels the stream behind `reader`; the producer's own cancel errors are its business. */
export function cancelReader(reader, reason) {
  reader.cancel(reason).catch(() => {});
}

export function releaseReader(reader) {
  reader.releaseLock();
}

// Replayable content (src/js/source.rs `Replayable`): what a commit reads twice (hash, then upload)
// or resends on a retry.
const urlHref = typeof URL === "function" ? getter(URL, "href") : undefined;
const urlProtocol = typeof URL === "function" ? getter(URL, "protocol") : undefined;

/** A copy of bytes `start..end` of a view made by `toBytes` (a fetch body the caller cannot change). */
export function sliceBytes(view, start, end) {
  const out = new U8(end - start);
  typedArraySet(out, new U8(typedArrayBuffer(view), typedArrayByteOffset(view) + start, end - start));
  return out;
}

/** Bytes `start..end` of a genuine Blob, as a Blob (fetch streams it; nothing is copied here). */
export function sliceBlob(blob, start, end) {
  return blobSlice(blob, start, end);
}

/** A genuine stream read to its end into a Blob (held by the host: in memory on Node and Deno). */
export async function streamToBlob(stream) {
  if (streamLocked(stream)) throw new TypeError("the ReadableStream is locked: another reader is reading it");
  return await new Response(stream).blob();
}

/** The href of a genuine `file:` URL, "" for any other value. */
export function fileUrlHref(value) {
  if (!urlHref || !passes(() => urlHref(value))) return "";
  return urlProtocol(value) === "file:" ? urlHref(value) : "";
}

/**
 * A local file as a file-backed Blob, through the runtime's own fs (Node >= 20.16 and Deno have
 * `process.getBuiltinModule`); nothing is imported, so browsers and workerd load this module
 * unchanged and get a clear refusal instead.
 */
export async function openLocalFile(location) {
  let fs;
  try {
    fs = globalThis.process?.getBuiltinModule?.("node:fs");
  } catch {
    fs = undefined;
  }
  if (typeof fs?.openAsBlob !== "function") {
    throw new TypeError("reading a local file needs Node (>= 20.16) or Deno: pass a Blob or bytes instead");
  }
  const path = location.startsWith("file:") ? new URL(location) : location;
  const blob = await fs.openAsBlob(path);
  const stat = await promised((done) => fs.stat(path, done));
  if (typeof fs.open === "function" && typeof fs.read === "function" && stat.size === blobSize(blob)) {
    localFiles.set(blob, { fs, path, size: stat.size, mtimeMs: stat.mtimeMs, fd: undefined });
  }
  return blob;
}

// The Blobs of local files, with what to read them by: Node's file-backed Blob reads a block in
// 64 KiB steps and joins them (~750 ms of CPU per 512 MiB here), fs reads it in one call (~120).
// The file stays open while it is read: closed once its last byte was read, or with its Blob.
const localFiles = new WeakMap();
const closeWithBlob =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry(({ fs, fd }) => fs.close(fd, () => {})) : undefined;

function promised(call) {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));
}

/**
 * Bytes `start..end` of a local file, refused (as the Blob would) if it changed since it was
 * opened: checked when the file is opened and when its last block is read.
 */
async function readLocalFile(blob, local, start, end) {
  const { fs, path, size, mtimeMs } = local;
  const changed = () => new DOMException("the file changed after it was opened", "NotReadableError");
  const checkUnchanged = async (fd) => {
    const stat = await promised((done) => fs.fstat(fd, done));
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) throw changed();
  };
  if (local.open === undefined) {
    const open = { fd: undefined, readers: 0, ended: false };
    open.fd = promised((done) => fs.open(path, "r", done)).then(async (fd) => {
      try {
        await checkUnchanged(fd);
      } catch (error) {
        fs.close(fd, () => {});
        throw error;
      }
      closeWithBlob?.register(blob, { fs, fd }, open);
      return fd;
    });
    // A failed open is not kept: the next read tries again.
    open.fd.catch(() => {
      if (local.open === open) local.open = undefined;
    });
    local.open = open;
  }
  const open = local.open;
  open.readers += 1;
  try {
    const fd = await open.fd;
    const out = new U8(end - start);
    let at = 0;
    while (at < out.length) {
      const n = await promised((done) => fs.read(fd, out, at, out.length - at, start + at, done));
      if (n === 0) throw changed();
      at += n;
    }
    if (end >= size) {
      await checkUnchanged(fd);
      // A later read (a retry, a second pass) opens the file again.
      open.ended = true;
      if (local.open === open) local.open = undefined;
    }
    return out;
  } finally {
    open.readers -= 1;
    if (open.ended && open.readers === 0) {
      closeWithBlob?.unregister(open);
      open.fd.then((fd) => fs.close(fd, () => {}), () => {});
    }
  }
}

// Streamed commit content (src/js/source.rs `StreamChunks`): a stream read once, in one pass.

/**
 * The rest of a stream whose first bytes `head` were already read, as one Blob (for uploads
 * that need to read a file twice). Chunks that are not bytes reject with a TypeError.
 */
export async function restIntoBlob(reader, head) {
  const parts = [head];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const bytes = toBytes(value);
    if (typeof bytes === "string") {
      reader.cancel(new TypeError(`stream chunks must be bytes, got ${bytes}`)).catch(() => {});
      throw new TypeError(`stream chunks must be Uint8Array, ArrayBuffer or ArrayBufferView, got ${bytes}`);
    }
    parts.push(bytes.slice());
  }
  reader.releaseLock();
  return new Blob(parts);
}
