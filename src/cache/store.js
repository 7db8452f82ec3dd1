// The JS side of the blob cache (src/cache/mod.rs): the store interface Rust drives, the memory
// store, and the Hugging Face cache folder on Node and Deno. Keys are hubwasm-core's (`/`-separated,
// relative to the cache root, validated there); stores only map them to storage.
//
// Every function Rust imports from here returns a Promise and never throws synchronously; a store's
// own failure (a throwing method, a full disk, a refused permission) rejects it, and Rust turns the
// rejection into a CacheError.

import { createOpfsStore, opfsWritable } from "./opfs.js";

const METHODS = ["read", "stat", "put", "open", "rename", "link", "list", "remove"];

/** Whether `key` is safe to map to a path (hubwasm-core checked it already; this is a second guard). */
function checkKey(key) {
  if (typeof key !== "string" || key === "" || key.startsWith("/") || key.includes("\\") || key.includes("\0")) {
    throw new TypeError(`not a cache key: ${JSON.stringify(key)}`);
  }
  for (const part of key.split("/")) {
    if (part === "" || part === "." || part === "..") throw new TypeError(`not a cache key: ${JSON.stringify(key)}`);
  }
}

/**
 * A caller's store, checked once: an object with the eight methods. Returns a string describing
 * what is wrong, or undefined. (Called with `catch` from Rust: a getter that throws is an error.)
 */
export function checkStore(store) {
  if (store === null || typeof store !== "object") return "must be \"auto\", false, or a store object";
  for (const name of METHODS) {
    if (typeof store[name] !== "function") return `a store needs a ${name}() method`;
  }
  return undefined;
}

const call = async (store, name, ...args) => store[name](...args);

/** `read(key, start, end)` as a ReadableStream<Uint8Array> (or null when the entry is missing). */
export async function storeRead(store, key, start, end) {
  const value = await call(store, "read", key, start, end);
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) {
    return new ReadableStream({
      start(controller) {
        if (value.byteLength > 0) controller.enqueue(value);
        controller.close();
      },
    });
  }
  if (value instanceof ReadableStream) return value;
  if (typeof Blob !== "undefined" && value instanceof Blob) return value.stream();
  throw new TypeError("a store's read() must give a Uint8Array, a Blob, a ReadableStream or null");
}

/** The whole entry as bytes (refs are a few bytes), or null. */
export async function storeReadAll(store, key) {
  const stream = await storeRead(store, key, undefined, undefined);
  if (stream === null) return null;
  const chunks = [];
  const reader = stream.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError("a store's stream must give Uint8Array chunks");
    total += value.byteLength;
    if (total > 1 << 20) throw new TypeError("a small cache entry (a ref) is larger than 1 MiB");
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** `[size, link]` (link: a symlink's target, or null) or null when the entry is missing. */
export async function storeStat(store, key) {
  const stat = await call(store, "stat", key);
  if (stat === null || stat === undefined) return null;
  const size = stat.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new TypeError("a store's stat() must give { size, link? } with a whole number of bytes, or null");
  }
  return [size, typeof stat.link === "string" ? stat.link : null];
}

export async function storePut(store, key, bytes) {
  await call(store, "put", key, bytes);
}

/** A writer `{ write(bytes), close(), abort() }` for a new entry at `key`. */
export async function storeOpen(store, key) {
  const writer = await call(store, "open", key);
  if (writer === null || typeof writer !== "object" || typeof writer.write !== "function"
    || typeof writer.close !== "function" || typeof writer.abort !== "function") {
    throw new TypeError("a store's open() must give { write(bytes), close(), abort() }");
  }
  return writer;
}

export async function writerWrite(writer, bytes) {
  await writer.write(bytes);
}

export async function writerClose(writer) {
  await writer.close();
}

export async function writerAbort(writer) {
  await writer.abort();
}

export async function storeRename(store, from, to) {
  await call(store, "rename", from, to);
}

export async function storeLink(store, key, target, blobKey) {
  await call(store, "link", key, target, blobKey);
}

export async function storeRemove(store, key) {
  await call(store, "remove", key);
}

/**
 * Every file under `prefix` (recursively) as `[key, size, link, lastAccessed, lastModified]` rows,
 * `link` the symlink target or null, sizes and times those of the blob a link resolves to.
 */
export async function storeList(store, prefix) {
  const entries = await call(store, "list", prefix);
  if (!Array.isArray(entries)) throw new TypeError("a store's list() must give an array");
  return entries.map((e) => {
    if (e === null || typeof e !== "object" || typeof e.key !== "string" || !Number.isSafeInteger(e.size)) {
      throw new TypeError("a store's list() entries are { key, size, link?, lastAccessed?, lastModified? }");
    }
    const time = (t) => (typeof t === "number" && Number.isFinite(t) && t >= 0 ? Math.floor(t) : 0);
    return [e.key, e.size, typeof e.link === "string" ? e.link : null, time(e.lastAccessed), time(e.lastModified)];
  });
}

/** Eight hex digits for a temporary name, as Python's `uuid4().hex[:8]`. */
export function nonce() {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// The memory store: everything in a Map, for tests and for runtimes without storage.

/** A store that keeps entries in memory; links are resolved on read, as a file system would. */
export function createMemoryStore() {
  const entries = new Map(); // key → { bytes, link?, blobKey?, accessed, modified }
  const resolve = (key) => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    return entry.blobKey === undefined ? entry : entries.get(entry.blobKey);
  };
  const under = (key, prefix) => prefix === "" || key === prefix || key.startsWith(`${prefix}/`);
  return {
    async read(key, start, end) {
      checkKey(key);
      const entry = resolve(key);
      if (entry === undefined) return null;
      entry.accessed = Date.now();
      return entry.bytes.slice(start ?? 0, end ?? entry.bytes.byteLength);
    },
    async stat(key) {
      checkKey(key);
      const entry = resolve(key);
      return entry === undefined ? null : { size: entry.bytes.byteLength, link: entries.get(key).link };
    },
    async put(key, bytes) {
      checkKey(key);
      entries.set(key, { bytes: bytes.slice(), accessed: Date.now(), modified: Date.now() });
    },
    async open(key) {
      checkKey(key);
      const chunks = [];
      let state = "open";
      return {
        async write(bytes) {
          if (state !== "open") throw new TypeError("the writer is closed");
          chunks.push(bytes.slice());
        },
        async close() {
          state = "closed";
          const total = chunks.reduce((n, c) => n + c.byteLength, 0);
          const bytes = new Uint8Array(total);
          let at = 0;
          for (const c of chunks) {
            bytes.set(c, at);
            at += c.byteLength;
          }
          entries.set(key, { bytes, accessed: Date.now(), modified: Date.now() });
        },
        async abort() {
          state = "aborted";
          chunks.length = 0;
        },
      };
    },
    async rename(from, to) {
      checkKey(from);
      checkKey(to);
      const entry = entries.get(from);
      if (entry === undefined) throw new TypeError(`no entry ${from}`);
      entries.delete(from);
      entries.set(to, entry);
    },
    async link(key, target, blobKey) {
      checkKey(key);
      checkKey(blobKey);
      entries.set(key, { link: target, blobKey });
    },
    async list(prefix) {
      const out = [];
      for (const [key, entry] of entries) {
        if (!under(key, prefix)) continue;
        const blob = resolve(key);
        if (blob === undefined) continue;
        out.push({ key, size: blob.bytes.byteLength, link: entry.link, lastAccessed: blob.accessed, lastModified: blob.modified });
      }
      return out;
    },
    async remove(key) {
      checkKey(key);
      for (const k of [...entries.keys()]) if (under(k, key)) entries.delete(k);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The Hugging Face cache folder (Node and Deno, through their node: modules).

/** node:fs/promises, node:path and node:os where the runtime has them (Node ≥ 20.16, Deno 2), else undefined. */
function nodeModules() {
  const process = globalThis.process;
  // workerd's nodejs_compat has a process object but no real file system: stay out of Workers.
  if (typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers") return undefined;
  if (typeof process?.getBuiltinModule !== "function") return undefined;
  if (typeof globalThis.Deno === "undefined" && process.release?.name !== "node") return undefined;
  try {
    const fs = process.getBuiltinModule("node:fs/promises");
    const path = process.getBuiltinModule("node:path");
    const os = process.getBuiltinModule("node:os");
    return fs && path && os ? { fs, path, os } : undefined;
  } catch {
    return undefined;
  }
}

function env(name) {
  try {
    const value = globalThis.process?.env?.[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined; // Deno without --allow-env
  }
}

/** Python's rule: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (XDG_CACHE_HOME honoured). */
function hubCacheDir({ path, os }) {
  const hubCache = env("HF_HUB_CACHE");
  if (hubCache) return hubCache;
  const home = env("HF_HOME");
  if (home) return path.join(home, "hub");
  let xdg = env("XDG_CACHE_HOME");
  if (xdg === undefined) {
    try {
      xdg = path.join(os.homedir(), ".cache");
    } catch {
      return undefined; // Deno without --allow-sys: no folder known, so no cache folder
    }
  }
  return path.join(xdg, "huggingface", "hub");
}

const BLOCK = 1 << 20;

/** What Python's huggingface_hub writes to the cache root before a download (`_create_cachedir_tag`). */
const CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
  + "# This file is a cache directory tag created by huggingface_hub.\n"
  + "# For information about cache directory tags, see:\n"
  + "#\thttps://bford.info/cachedir/\n";

/** The Hugging Face cache folder at `root` (default: Python's). Undefined where there is no file system. */
export function createFileStore(root) {
  const modules = nodeModules();
  if (modules === undefined) return undefined;
  const { fs, path } = modules;
  const base = root ?? hubCacheDir(modules);
  if (base === undefined) return undefined;
  const pathOf = (key) => {
    checkKey(key);
    return path.join(base, ...key.split("/"));
  };
  const missing = (e) => e?.code === "ENOENT" || e?.code === "ENOTDIR" || e?.name === "NotFound";
  const makeParent = (file) => fs.mkdir(path.dirname(file), { recursive: true });

  async function listUnder(dir, keyPrefix, out) {
    let names;
    try {
      names = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (missing(e)) return;
      throw e;
    }
    for (const d of names) {
      const file = path.join(dir, d.name);
      const key = keyPrefix === "" ? d.name : `${keyPrefix}/${d.name}`;
      if (d.isDirectory()) {
        await listUnder(file, key, out);
        continue;
      }
      let link = null;
      if (d.isSymbolicLink()) link = await fs.readlink(file);
      let stat;
      try {
        stat = await fs.stat(file);
      } catch (e) {
        if (missing(e)) continue; // a broken link
        throw e;
      }
      if (stat.isDirectory()) continue;
      out.push({ key, size: stat.size, link, lastAccessed: stat.atimeMs, lastModified: stat.mtimeMs });
    }
  }

  /**
   * Before a blob is written, what Python's hf_hub_download leaves beside it: `CACHEDIR.TAG` at the
   * root (when missing) and the empty lock file `.locks/{repo folder}/{etag}.lock` (mode 0664) its
   * WeakFileLock holds while downloading. hubwasm takes no lock (its temp-then-rename is safe on its
   * own), so the folder is the same whichever client filled it. A failure here costs nothing.
   */
  async function pythonMarks(key) {
    const [folder, area, name] = key.split("/");
    try {
      const tag = path.join(base, "CACHEDIR.TAG");
      await fs.writeFile(tag, CACHEDIR_TAG, { flag: "wx" }).catch((e) => {
        if (e?.code !== "EEXIST" && e?.name !== "AlreadyExists") throw e;
      });
      if (area !== "blobs" || name === undefined) return;
      const lock = path.join(base, ".locks", folder, `${name.split(".")[0]}.lock`);
      await fs.mkdir(path.dirname(lock), { recursive: true });
      await (await fs.open(lock, "a", 0o664)).close();
      await fs.chmod(lock, 0o664);
    } catch {
      // A read-only or odd file system: the cache works without them.
    }
  }

  /**
   * Python 2.4's cache-wide store of Xet blobs (`huggingface_hub/utils/_shared_blobs.py`), with the
   * keys hubwasm-core gives (`SharedBlob`): the same files, modes and order of steps — the manifest
   * line is on disk before the symlink that it names is visible. Python also holds an flock on
   * `{hash}.lock` meanwhile; Node and Deno have none, so hubwasm only leaves the same empty file,
   * and each step stays safe alone (appends, renames).
   */
  const sharedBlobs = (() => {
    const truthy = (name) => ["1", "ON", "YES", "TRUE"].includes((env(name) ?? "").toUpperCase());
    if (truthy("HF_HUB_DISABLE_SHARED_BLOBS") || truthy("HF_HUB_DISABLE_XET")) return undefined;
    const { O_WRONLY, O_CREAT, O_APPEND, O_NOFOLLOW } = fs.constants ?? {};
    const nofollow = O_NOFOLLOW ?? 0;
    const rootMode = async () => (await fs.stat(base)).mode;
    // _shared_blob_mode and _shared_directory_mode: read-only payloads, folders like the root.
    const fileMode = (root) => 0o400 | (root & 0o010 ? 0o040 : 0) | (root & 0o001 ? 0o004 : 0);
    const dirMode = (root) => root & 0o3777;
    const isFile = async (file) => (await fs.lstat(file).catch(() => null))?.isFile() ?? false;
    const repairDir = async (dir, root) => {
      if (((await fs.lstat(dir)).mode & 0o7777) !== dirMode(root)) await fs.chmod(dir, dirMode(root));
    };
    /** `is_shared_blobs_dir`: the folder carries the marker with Python's layout version. */
    const marked = async (markerKey, layout) =>
      (await isFile(pathOf(markerKey))) && (await fs.readFile(pathOf(markerKey), "utf8").catch(() => "")) === layout;
    /** `_ensure_shared_blobs_dir` and `_ensure_prefix_dir`: false where an unmarked folder is in the way. */
    async function ensure(sharedKey, markerKey, layout) {
      const root = await rootMode();
      const dir = path.dirname(pathOf(markerKey));
      await fs.mkdir(dir).catch((e) => {
        if (e?.code !== "EEXIST" && e?.name !== "AlreadyExists") throw e;
      });
      // As Python's `_is_directory`: a symlink planted in place of a folder would send the
      // payload, its manifest and our chmods outside the cache.
      if (!(await fs.lstat(dir)).isDirectory()) return false;
      if (!(await marked(markerKey, layout))) {
        if ((await fs.readdir(dir)).length > 0) return false;
        await repairDir(dir, root);
        const temp = `${pathOf(markerKey)}.${nonce()}.tmp`;
        await fs.writeFile(temp, layout);
        await fs.chmod(temp, fileMode(root));
        await fs.rename(temp, pathOf(markerKey));
      }
      const prefix = path.dirname(pathOf(sharedKey));
      await fs.mkdir(prefix).catch((e) => {
        if (e?.code !== "EEXIST" && e?.name !== "AlreadyExists") throw e;
      });
      if (!(await fs.lstat(prefix)).isDirectory()) return false;
      await repairDir(prefix, root);
      return true;
    }
    /** A 0666 file opened without following a symlink planted in its place (appended to, when asked). */
    async function openShared(file, append) {
      const flags = O_WRONLY === undefined ? "a" : O_WRONLY | O_CREAT | (append ? O_APPEND : 0) | nofollow;
      const handle = await fs.open(file, flags, 0o666);
      try {
        if (!(await handle.stat()).isFile()) throw new TypeError(`${file} is not a regular file`);
        await fs.chmod(file, 0o666).catch(() => {});
      } catch (e) {
        await handle.close();
        throw e;
      }
      return handle;
    }
    async function usable(sharedKey, size) {
      const stat = await fs.lstat(pathOf(sharedKey)).catch(() => null);
      return stat !== null && stat.isFile() && stat.size === size;
    }
    /** `_make_temporary_symlink`: `.{name}.{nonce}.shared` beside the repo blob, renamed over it later. */
    async function temporaryLink(k) {
      const file = pathOf(k.repoBlob);
      await makeParent(file);
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${nonce()}.shared`);
      await fs.symlink(k.target, temp);
      return temp;
    }
    /** The lock file left as Python leaves it, and the manifest line appended and flushed. */
    async function note(k) {
      await (await openShared(pathOf(k.lock), false)).close();
      const manifest = await openShared(pathOf(k.refs), true);
      try {
        await manifest.write(new TextEncoder().encode(k.line));
        await manifest.sync?.();
      } finally {
        await manifest.close();
      }
    }
    return {
      /**
       * `publish_blob_to_shared_store`: the verified blob at `temp` becomes the payload (unless an
       * intact one is there), and the repo blob a symlink to it. Resolves to false, `temp` left
       * untouched, where the store cannot be used (an unmarked folder, symlinks refused).
       */
      async publish(temp, k) {
        let link;
        try {
          if (!(await ensure(k.shared, k.marker, k.layout))) return false;
          link = await temporaryLink(k);
        } catch {
          return false; // best effort, as Python's: the blob stays in the repo folder
        }
        try {
          const fresh = !(await usable(k.shared, k.size));
          await note(k);
          if (fresh) {
            await fs.chmod(pathOf(temp), fileMode(await rootMode()));
            await fs.rename(pathOf(temp), pathOf(k.shared));
          } else {
            await fs.rm(pathOf(temp), { force: true });
          }
          await fs.rename(link, pathOf(k.repoBlob));
        } finally {
          await fs.rm(link, { force: true });
        }
        return true;
      },
      /** `try_link_from_shared_store`: the repo blob linked to an intact payload already there. */
      async adopt(k) {
        if (!(await marked(k.marker, k.layout)) || !(await usable(k.shared, k.size))) return false;
        let link;
        try {
          link = await temporaryLink(k);
          await note(k);
          await fs.rename(link, pathOf(k.repoBlob));
          return true;
        } catch {
          return false;
        } finally {
          if (link !== undefined) await fs.rm(link, { force: true });
        }
      },
      /** The manifest rewritten (`_rewrite_manifest`: a 0666 temporary, flushed, then renamed). */
      async rewrite(refsKey, text) {
        const temp = `${pathOf(refsKey)}.${nonce()}.tmp`;
        await fs.writeFile(temp, text);
        await fs.chmod(temp, 0o666);
        await fs.rename(temp, pathOf(refsKey));
      },
    };
  })();

  return {
    root: base,
    sharedBlobs,
    async read(key, start, end) {
      let handle;
      try {
        handle = await fs.open(pathOf(key), "r");
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
      const size = (await handle.stat()).size;
      let at = start ?? 0;
      const stop = Math.min(end ?? size, size);
      return new ReadableStream({
        async pull(controller) {
          try {
            if (at >= stop) {
              await handle.close();
              controller.close();
              return;
            }
            const length = Math.min(BLOCK, stop - at);
            const buffer = new Uint8Array(length);
            const { bytesRead } = await handle.read(buffer, 0, length, at);
            if (bytesRead === 0) throw new Error(`${pathOf(key)} ended early`);
            at += bytesRead;
            controller.enqueue(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
          } catch (e) {
            await handle.close().catch(() => {});
            controller.error(e);
          }
        },
        async cancel() {
          await handle.close().catch(() => {});
        },
      }, { highWaterMark: 0 });
    },
    async stat(key) {
      try {
        const file = pathOf(key);
        const stat = await fs.stat(file);
        if (!stat.isFile()) return null;
        const link = (await fs.lstat(file)).isSymbolicLink() ? await fs.readlink(file) : undefined;
        return { size: stat.size, link };
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async put(key, bytes) {
      // As Python writes refs: a temporary file beside it, then one rename.
      const file = pathOf(key);
      await makeParent(file);
      const temp = `${file}.${nonce()}.tmp`;
      await fs.writeFile(temp, bytes);
      await fs.rename(temp, file);
    },
    async open(key) {
      const file = pathOf(key);
      await makeParent(file);
      await pythonMarks(key);
      const handle = await fs.open(file, "wx");
      let closed = false;
      return {
        async write(bytes) {
          let at = 0;
          while (at < bytes.byteLength) {
            const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at);
            at += bytesWritten;
          }
        },
        async close() {
          closed = true;
          await handle.close();
        },
        async abort() {
          if (!closed) await handle.close().catch(() => {});
          closed = true;
          await fs.rm(file, { force: true });
        },
      };
    },
    async rename(from, to) {
      const target = pathOf(to);
      await makeParent(target);
      await fs.rename(pathOf(from), target);
    },
    async link(key, target, blobKey) {
      // Python's _create_symlink: a relative symlink, or a copy where links are refused.
      const file = pathOf(key);
      await makeParent(file);
      await fs.rm(file, { force: true });
      try {
        await fs.symlink(target, file);
      } catch (e) {
        if (!["EPERM", "EACCES", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(e?.code)) throw e;
        await fs.copyFile(pathOf(blobKey), file);
      }
    },
    async list(prefix) {
      const out = [];
      await listUnder(prefix === "" ? base : pathOf(prefix), prefix, out);
      return out;
    },
    async remove(key) {
      await fs.rm(pathOf(key), { recursive: true, force: true });
    },
  };
}

/**
 * A file download's bytes from the cache: `opening`'s stream delivered to the reader with progress
 * and the caller's abort signal honoured, chunks checked to be Uint8Arrays and the total to be
 * `total`. `typed(kind, message, cause)` makes the package's error: "abort" an AbortError (the
 * stream errors as soon as the signal fires, whatever was read ahead), "integrity" an
 * IntegrityError (the cached file is shorter or longer than the verified one), "cache" a
 * CacheError (the store's stream failed or gave something else than bytes).
 */
export function servedStream(opening, total, onProgress, signal, typed) {
  let reader;
  let loaded = 0;
  let onAbort;
  const stop = () => {
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    onAbort = undefined;
    reader?.cancel().catch(() => {});
  };
  return new ReadableStream({
    start(controller) {
      if (signal === undefined || signal === null) return;
      onAbort = () => {
        controller.error(typed("abort", "", signal.reason));
        stop();
      };
      signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      const fail = (error) => {
        stop();
        throw error;
      };
      if (signal?.aborted) fail(typed("abort", "", signal.reason));
      reader ??= (await opening).getReader();
      let chunk;
      try {
        chunk = await reader.read();
      } catch (e) {
        fail(signal?.aborted ? typed("abort", "", signal.reason) : typed("cache", "the cache store failed while reading the file", e));
      }
      if (signal?.aborted) fail(typed("abort", "", signal.reason));
      const { done, value } = chunk;
      if (done) {
        if (loaded !== total) fail(typed("integrity", `the cached file ended after ${loaded} of ${total} bytes`));
        stop();
        controller.close();
        return;
      }
      if (!(value instanceof Uint8Array)) fail(typed("cache", "a store's stream must give Uint8Array chunks"));
      loaded += value.byteLength;
      if (loaded > total) fail(typed("integrity", `the cached file is longer than its ${total} bytes`));
      controller.enqueue(value);
      if (onProgress) {
        try {
          onProgress({ loaded, total });
        } catch {
          // The caller's callback cannot break the read.
        }
      }
    },
    async cancel(reason) {
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
      onAbort = undefined;
      if (reader === undefined) reader = (await opening.catch(() => undefined))?.getReader();
      await reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A stream that errors with `error` when read. */
export function failedStream(error) {
  return new ReadableStream({
    start(controller) {
      controller.error(error);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// IndexedDB (pages and Web Workers): entries by key, file bytes in fixed-size chunk records, so a
// multi-GB blob is written and read in bounded memory. A write publishes its entry only on close();
// the chunks of a writer that never closed (a page closed mid-download) are never an entry and are
// swept when the store next opens (Web Locks tell them from a live writer in another tab).

const IDB_CHUNK = 4 << 20;
const ENTRIES = "entries";
const CHUNKS = "chunks";

const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
const finished = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException("the transaction was aborted", "AbortError"));
  });
const chunkRange = (id) => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
const keysUnder = (prefix) => IDBKeyRange.bound(`${prefix}/`, `${prefix}/\uffff`);

/** The IndexedDB store in database `name` (default "hubwasm-cache"); undefined without IndexedDB. */
export function createIndexedDbStore(name) {
  if (typeof indexedDB === "undefined" || typeof IDBKeyRange === "undefined") return undefined;
  const opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(name ?? "hubwasm-cache", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(ENTRIES);
      request.result.createObjectStore(CHUNKS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const lockName = (id) => `hubwasm-cache-writer:${id}`;
  const db = opening.then(async (database) => {
    await sweep(database).catch(() => {});
    return database;
  });

  async function sweep(database) {
    if (locks === undefined) return; // without Web Locks a live writer elsewhere cannot be told apart
    const held = new Set((await locks.query()).held?.map((l) => l.name) ?? []);
    const tx = database.transaction([ENTRIES, CHUNKS], "readwrite");
    const live = new Set((await done(tx.objectStore(ENTRIES).getAll())).filter((e) => e.kind === "file").map((e) => e.id));
    const chunkKeys = await done(tx.objectStore(CHUNKS).getAllKeys());
    for (const [id] of chunkKeys) {
      if (!live.has(id) && !held.has(lockName(id))) tx.objectStore(CHUNKS).delete(chunkRange(id));
    }
    await finished(tx);
  }

  /** Records a read of `key`'s file (its blob, for a link). */
  async function touch(database, key) {
    const tx = database.transaction(ENTRIES, "readwrite");
    const entries = tx.objectStore(ENTRIES);
    const e = await entry(entries, key);
    const fileKey = e?.kind === "link" ? e.blobKey : key;
    const file = await entry(entries, fileKey);
    if (file?.kind === "file") entries.put({ ...file, accessed: Date.now() }, fileKey);
    await finished(tx);
  }

  async function entry(store, key) {
    return (await done(store.get(key))) ?? null;
  }
  /** The file entry `key` names, following a link. */
  async function fileOf(store, key) {
    const e = await entry(store, key);
    if (e === null || e.kind !== "link") return e;
    return entry(store, e.blobKey);
  }
  /** Replaces `key` by `value` (or removes it), dropping the chunks of the file it held. */
  async function replace(tx, key, value) {
    const entries = tx.objectStore(ENTRIES);
    const old = await entry(entries, key);
    if (old?.kind === "file" && old.id !== value?.id) tx.objectStore(CHUNKS).delete(chunkRange(old.id));
    if (value === undefined) entries.delete(key);
    else entries.put(value, key);
  }

  return {
    /** Tabs and Workers on this database share Web Locks by this name (src/cache/locks.js). */
    lockScope: `indexeddb:${name ?? "hubwasm-cache"}`,
    async read(key, start, end) {
      checkKey(key);
      const database = await db;
      const file = await fileOf(database.transaction(ENTRIES).objectStore(ENTRIES), key);
      if (file === null) return null;
      await touch(database, key).catch(() => {}); // for the LRU limit; a failure costs nothing else
      let at = start ?? 0;
      const stop = Math.min(end ?? file.size, file.size);
      return new ReadableStream({
        async pull(controller) {
          if (at >= stop) {
            controller.close();
            return;
          }
          const n = Math.floor(at / IDB_CHUNK);
          const chunk = await done(database.transaction(CHUNKS).objectStore(CHUNKS).get([file.id, n]));
          if (!(chunk instanceof Uint8Array)) throw new TypeError(`${key}: chunk ${n} is missing`);
          const from = at - n * IDB_CHUNK;
          const piece = chunk.subarray(from, Math.min(chunk.byteLength, from + (stop - at)));
          if (piece.byteLength === 0) throw new TypeError(`${key}: chunk ${n} is short`);
          at += piece.byteLength;
          controller.enqueue(piece);
        },
      }, { highWaterMark: 0 });
    },
    async stat(key) {
      checkKey(key);
      const store = (await db).transaction(ENTRIES).objectStore(ENTRIES);
      const e = await entry(store, key);
      if (e === null) return null;
      const file = e.kind === "link" ? await entry(store, e.blobKey) : e;
      return file === null ? null : { size: file.size, link: e.kind === "link" ? e.target : undefined };
    },
    async put(key, bytes) {
      checkKey(key);
      const id = crypto.randomUUID();
      const tx = (await db).transaction([ENTRIES, CHUNKS], "readwrite");
      tx.objectStore(CHUNKS).put(bytes.slice(), [id, 0]);
      await replace(tx, key, { kind: "file", id, size: bytes.byteLength, modified: Date.now() });
      await finished(tx);
    },
    async open(key) {
      checkKey(key);
      const database = await db;
      const id = crypto.randomUUID();
      let release;
      if (locks !== undefined) {
        // Held while the write is under way, so another tab's sweep leaves its chunks alone.
        await new Promise((held) => locks.request(lockName(id), () => {
          held();
          return new Promise((r) => (release = r));
        }));
      }
      let pending = [];
      let pendingBytes = 0;
      let n = 0;
      let size = 0;
      const flush = async (all) => {
        while (pendingBytes >= IDB_CHUNK || (all && pendingBytes > 0)) {
          const chunk = new Uint8Array(Math.min(IDB_CHUNK, pendingBytes));
          let filled = 0;
          while (filled < chunk.byteLength) {
            const head = pending[0];
            const take = Math.min(head.byteLength, chunk.byteLength - filled);
            chunk.set(head.subarray(0, take), filled);
            filled += take;
            if (take === head.byteLength) pending.shift();
            else pending[0] = head.subarray(take);
          }
          pendingBytes -= chunk.byteLength;
          const tx = database.transaction(CHUNKS, "readwrite");
          tx.objectStore(CHUNKS).put(chunk, [id, n++]);
          await finished(tx);
        }
      };
      return {
        async write(bytes) {
          pending.push(bytes.slice());
          pendingBytes += bytes.byteLength;
          size += bytes.byteLength;
          await flush(false);
        },
        async close() {
          try {
            await flush(true);
            const tx = database.transaction([ENTRIES, CHUNKS], "readwrite");
            await replace(tx, key, { kind: "file", id, size, modified: Date.now() });
            await finished(tx);
          } finally {
            release?.();
          }
        },
        async abort() {
          pending = [];
          try {
            const tx = database.transaction(CHUNKS, "readwrite");
            tx.objectStore(CHUNKS).delete(chunkRange(id));
            await finished(tx);
          } finally {
            release?.();
          }
        },
      };
    },
    async rename(from, to) {
      checkKey(from);
      checkKey(to);
      const tx = (await db).transaction([ENTRIES, CHUNKS], "readwrite");
      const moved = await entry(tx.objectStore(ENTRIES), from);
      if (moved === null) throw new TypeError(`no entry ${from}`);
      await replace(tx, to, moved);
      tx.objectStore(ENTRIES).delete(from);
      await finished(tx);
    },
    async link(key, target, blobKey) {
      checkKey(key);
      checkKey(blobKey);
      const tx = (await db).transaction([ENTRIES, CHUNKS], "readwrite");
      await replace(tx, key, { kind: "link", target, blobKey });
      await finished(tx);
    },
    async list(prefix) {
      const store = (await db).transaction(ENTRIES).objectStore(ENTRIES);
      const range = prefix === "" ? undefined : keysUnder(prefix);
      const [keys, values] = await Promise.all([done(store.getAllKeys(range)), done(store.getAll(range))]);
      const byKey = new Map(keys.map((k, i) => [k, values[i]]));
      const out = [];
      for (const [key, e] of byKey) {
        const file = e.kind === "link" ? (byKey.get(e.blobKey) ?? (await entry(store, e.blobKey))) : e;
        if (file === null || file === undefined) continue;
        const link = e.kind === "link" ? e.target : undefined;
        out.push({ key, size: file.size, link, lastAccessed: file.accessed, lastModified: file.modified });
      }
      return out;
    },
    async remove(key) {
      checkKey(key);
      const tx = (await db).transaction([ENTRIES, CHUNKS], "readwrite");
      const entries = tx.objectStore(ENTRIES);
      const keys = [key, ...(await done(entries.getAllKeys(keysUnder(key))))];
      for (const k of keys) await replace(tx, k, undefined);
      await finished(tx);
    },
  };
}

/**
 * What `cache: "auto"` picks: the Hugging Face cache folder on Node and Deno (at `where`, default
 * Python's), OPFS in pages and Web Workers that can write it (folder `where`, src/cache/opfs.js),
 * else IndexedDB (database `where`); undefined elsewhere (workerd).
 */
export function createAutoStore(where) {
  return createFileStore(where) ?? (opfsWritable() ? createOpfsStore(where) : createIndexedDbStore(where));
}

/**
 * Reads a downloaded file's stream to its end (the cache stores it as it is read), calling
 * `report(bytes)` after each chunk; resolves to whether it was served from the cache.
 */
export async function drainFile(file, report) {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return file.fromCache;
    report(value.byteLength);
  }
}

/** The folder of a snapshot in the Hugging Face cache folder, or null for other stores. */
export function snapshotFolder(store, key) {
  const root = store?.root;
  if (typeof root !== "string") return null;
  const path = globalThis.process?.getBuiltinModule?.("node:path");
  return path ? path.join(root, ...key.split("/")) : null;
}

// Python 2.4's shared Xet store (the file store's `sharedBlobs`), as Rust calls it: `k` holds the
// keys hubwasm-core formed (SharedBlob) for one payload and one repo blob.
const sharedOf = (store) => (store?.sharedBlobs && typeof store.sharedBlobs === "object" ? store.sharedBlobs : undefined);
const sharedKeys = (shared, refs, lock, marker, layout, line, repoBlob, target, size) =>
  ({ shared, refs, lock, marker, layout, line, repoBlob, target, size });

/** Whether the store keeps Xet blobs in Python's shared store (the cache folder, unless disabled). */
export function hasSharedBlobs(store) {
  return sharedOf(store) !== undefined;
}

export async function sharedPublish(store, temp, ...keys) {
  return (await sharedOf(store)?.publish(temp, sharedKeys(...keys))) === true;
}

export async function sharedAdopt(store, ...keys) {
  return (await sharedOf(store)?.adopt(sharedKeys(...keys))) === true;
}

export async function sharedRewrite(store, refsKey, text) {
  await sharedOf(store)?.rewrite(refsKey, text);
}
