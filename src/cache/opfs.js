// The Origin Private File System store (pages and Web Workers): the cache's keys as a folder tree
// under one OPFS folder, driven by src/cache/mod.rs through store.js like every other store.
//
// OPFS has no symbolic links and no access times, so the folder holds three trees:
//   files/<key>  the entries' bytes (blobs, refs, .no_exist markers, blobs being written);
//   links/<key>  a snapshot entry's link, `{"target","blobKey"}` (what a symlink would say);
//   used/<key>   when a file was last read (milliseconds), for the LRU size limit.
// A key is in files/ or in links/, never both.
//
// Writes stream to disk: `createWritable()` (pages and Workers; its bytes reach the file only on
// close(), so an interrupted write leaves an empty file), else `createSyncAccessHandle()` (Workers
// of browsers without createWritable, such as Safari before 26). A blob is written under its
// temporary key and only renamed to its blob key once verified (mod.rs), so an interrupted write
// is never a hit; the temporary files of writers that died (a closed tab) are swept when the store
// next opens, told apart from live writers in other tabs by the Web Lock each writer holds.

const FILES = "files";
const LINKS = "links";
const USED = "used";
const TEMP_SUFFIX = ".incomplete";

/** Whether `key` is a cache key (hubwasm-core checked it already; this is a second guard). */
function checkKey(key) {
  const bad = () => new TypeError(`not a cache key: ${JSON.stringify(key)}`);
  if (typeof key !== "string" || key === "" || key.startsWith("/") || key.includes("\\") || key.includes("\0")) throw bad();
  for (const part of key.split("/")) if (part === "" || part === "." || part === "..") throw bad();
}

const isMissing = (e) => e?.name === "NotFoundError" || e?.name === "TypeMismatchError";

/** Whether this runtime can write OPFS files: createWritable, or sync access handles (Workers only). */
export function opfsWritable() {
  if (typeof navigator === "undefined" || typeof navigator.storage?.getDirectory !== "function") return false;
  const proto = globalThis.FileSystemFileHandle?.prototype;
  return proto !== undefined && ("createWritable" in proto || "createSyncAccessHandle" in proto);
}

/** A byte sink on an OPFS file: `{ write(bytes), close(), abort() }`, whatever the browser offers. */
async function sinkOf(handle) {
  if (typeof handle.createWritable === "function") {
    const writable = await handle.createWritable();
    return {
      write: (bytes) => writable.write(bytes),
      close: () => writable.close(),
      abort: () => writable.abort(),
    };
  }
  if (typeof handle.createSyncAccessHandle === "function") {
    const access = await handle.createSyncAccessHandle();
    access.truncate(0);
    let at = 0;
    return {
      async write(bytes) {
        let written = 0;
        while (written < bytes.byteLength) {
          const n = access.write(bytes.subarray(written), { at: at + written });
          if (n <= 0) throw new DOMException("the file took no bytes", "QuotaExceededError");
          written += n;
        }
        at += written;
      },
      async close() {
        access.flush();
        access.close();
      },
      async abort() {
        access.close();
      },
    };
  }
  throw new TypeError("this browser cannot write OPFS files here (no createWritable, and sync access handles exist only in Workers): use cache: \"indexeddb\"");
}

/**
 * The OPFS store in folder `name` (default "hubwasm-cache") of the origin's private file system;
 * undefined where there is none.
 */
export function createOpfsStore(name) {
  if (!opfsWritable()) return undefined;
  const folder = name ?? "hubwasm-cache";
  if (typeof folder !== "string" || folder === "" || folder.includes("/") || folder === "." || folder === "..") {
    throw new TypeError(`an OPFS cache folder name must be one plain name, got ${JSON.stringify(folder)}`);
  }
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const writerLock = (key) => `hubwasm-cache-opfs-writer:${folder}:${key}`;
  const trees = (async () => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
    const out = {};
    for (const tree of [FILES, LINKS, USED]) out[tree] = await root.getDirectoryHandle(tree, { create: true });
    await sweep(out).catch(() => {});
    return out;
  })();

  /** The folder holding `key` and its last part; `[null, leaf]` when a folder is missing (and not `create`). */
  async function parentOf(tree, key, create) {
    checkKey(key);
    const parts = key.split("/");
    const leaf = parts.pop();
    let dir = tree;
    try {
      for (const part of parts) dir = await dir.getDirectoryHandle(part, { create });
    } catch (e) {
      if (!create && isMissing(e)) return [null, leaf];
      throw e;
    }
    return [dir, leaf];
  }

  async function fileHandle(tree, key) {
    const [dir, leaf] = await parentOf(tree, key, false);
    if (dir === null) return null;
    try {
      return await dir.getFileHandle(leaf);
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  /** Removes `key` (a file, or a folder with all it holds) from `tree`; missing is fine. */
  async function removeFrom(tree, key) {
    const [dir, leaf] = await parentOf(tree, key, false);
    if (dir === null) return;
    try {
      await dir.removeEntry(leaf, { recursive: true });
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }

  /** A small file written whole: straight through createWritable (published on close), else beside it and moved. */
  async function writeSmall(tree, key, bytes) {
    const [dir, leaf] = await parentOf(tree, key, true);
    const handle = await dir.getFileHandle(leaf, { create: true });
    if (typeof handle.createWritable === "function") {
      const sink = await sinkOf(handle);
      try {
        await sink.write(bytes);
        await sink.close();
      } catch (e) {
        await sink.abort().catch(() => {});
        throw e;
      }
      return;
    }
    const temp = await dir.getFileHandle(`${leaf}.${crypto.randomUUID()}.tmp`, { create: true });
    const sink = await sinkOf(temp);
    await sink.write(bytes);
    await sink.close();
    await dir.removeEntry(leaf).catch(() => {});
    await temp.move(dir, leaf);
  }

  async function linkOf(t, key) {
    const handle = await fileHandle(t[LINKS], key);
    if (handle === null) return null;
    try {
      const record = JSON.parse(await (await handle.getFile()).text());
      if (typeof record?.target === "string" && typeof record?.blobKey === "string") return record;
    } catch {
      // A link record cut short is no link.
    }
    return null;
  }

  /** The file `key` names (itself, or the blob its link names): `{ handle, fileKey, link }`, or null. */
  async function resolve(t, key) {
    const own = await fileHandle(t[FILES], key);
    if (own !== null) return { handle: own, fileKey: key, link: undefined };
    const link = await linkOf(t, key);
    if (link === null) return null;
    checkKey(link.blobKey);
    const blob = await fileHandle(t[FILES], link.blobKey);
    return blob === null ? null : { handle: blob, fileKey: link.blobKey, link: link.target };
  }

  async function usedAt(t, key) {
    const handle = await fileHandle(t[USED], key).catch(() => null);
    if (handle === null) return 0;
    const ms = Number(await (await handle.getFile()).text());
    return Number.isFinite(ms) ? ms : 0;
  }

  /** Calls `visit(key, handle)` for every file of `tree` under `prefix` (itself, when it is a file). */
  async function walk(tree, prefix, visit) {
    let dir = tree;
    if (prefix !== "") {
      const [parent, leaf] = await parentOf(tree, prefix, false);
      if (parent === null) return;
      try {
        dir = await parent.getDirectoryHandle(leaf);
      } catch (e) {
        if (e?.name === "TypeMismatchError") {
          await visit(prefix, await parent.getFileHandle(leaf));
          return;
        }
        if (isMissing(e)) return;
        throw e;
      }
    }
    const walkDir = async (d, keyPrefix) => {
      for await (const [name, handle] of d.entries()) {
        const key = keyPrefix === "" ? name : `${keyPrefix}/${name}`;
        if (handle.kind === "directory") await walkDir(handle, key);
        else await visit(key, handle);
      }
    };
    await walkDir(dir, prefix);
  }

  /** Removes the temporary blobs of writers that are gone (no Web Lock held for them). */
  async function sweep(t) {
    if (locks === undefined) return; // a live writer in another tab could not be told apart
    const held = new Set((await locks.query()).held?.map((l) => l.name) ?? []);
    const dead = [];
    await walk(t[FILES], "", async (key) => {
      if (key.endsWith(TEMP_SUFFIX) && !held.has(writerLock(key))) dead.push(key);
    });
    for (const key of dead) await removeFrom(t[FILES], key).catch(() => {});
  }

  return {
    /** Tabs and Workers on this folder share Web Locks by this name (src/cache/locks.js). */
    lockScope: `opfs:${folder}`,
    async read(key, start, end) {
      const t = await trees;
      const found = await resolve(t, key);
      if (found === null) return null;
      const file = await found.handle.getFile();
      // For the LRU limit (blobs only: nothing else is evicted); a failure costs nothing else.
      if (found.fileKey.includes("/blobs/")) await writeSmall(t[USED], found.fileKey, new TextEncoder().encode(String(Date.now()))).catch(() => {});
      return file.slice(start ?? 0, Math.min(end ?? file.size, file.size));
    },
    async stat(key) {
      const found = await resolve(await trees, key);
      return found === null ? null : { size: (await found.handle.getFile()).size, link: found.link };
    },
    async put(key, bytes) {
      const t = await trees;
      await removeFrom(t[LINKS], key);
      await writeSmall(t[FILES], key, bytes);
    },
    async open(key) {
      const t = await trees;
      await removeFrom(t[LINKS], key);
      const [dir, leaf] = await parentOf(t[FILES], key, true);
      let release;
      if (locks !== undefined) {
        // Held while the write is under way, so another tab's sweep leaves the file alone.
        await new Promise((held) => locks.request(writerLock(key), () => {
          held();
          return new Promise((r) => (release = r));
        }));
      }
      let sink;
      try {
        sink = await sinkOf(await dir.getFileHandle(leaf, { create: true }));
      } catch (e) {
        release?.();
        await dir.removeEntry(leaf).catch(() => {});
        throw e;
      }
      return {
        write: (bytes) => sink.write(bytes),
        async close() {
          try {
            await sink.close();
          } finally {
            release?.();
          }
        },
        async abort() {
          try {
            await sink.abort().catch(() => {});
            await dir.removeEntry(leaf).catch(() => {});
          } finally {
            release?.();
          }
        },
      };
    },
    async rename(from, to) {
      const t = await trees;
      const source = await fileHandle(t[FILES], from);
      if (source === null) {
        const link = await linkOf(t, from);
        if (link === null) throw new TypeError(`no entry ${from}`);
        await this.link(to, link.target, link.blobKey);
        await removeFrom(t[LINKS], from);
        return;
      }
      const [dir, leaf] = await parentOf(t[FILES], to, true);
      await removeFrom(t[LINKS], to);
      await removeFrom(t[FILES], to);
      try {
        await source.move(dir, leaf);
      } catch (e) {
        // Another writer published the same key meanwhile (same key, same verified bytes).
        if ((await fileHandle(t[FILES], to)) === null) throw e;
        await removeFrom(t[FILES], from);
      }
      await removeFrom(t[USED], from);
    },
    async link(key, target, blobKey) {
      checkKey(blobKey);
      const t = await trees;
      await removeFrom(t[FILES], key);
      await writeSmall(t[LINKS], key, new TextEncoder().encode(JSON.stringify({ target, blobKey })));
    },
    async list(prefix) {
      const t = await trees;
      const out = [];
      await walk(t[FILES], prefix, async (key, handle) => {
        const file = await handle.getFile();
        out.push({ key, size: file.size, lastAccessed: await usedAt(t, key), lastModified: file.lastModified });
      });
      await walk(t[LINKS], prefix, async (key) => {
        const link = await linkOf(t, key);
        const blob = link === null ? null : await fileHandle(t[FILES], link.blobKey);
        if (blob === null) return; // a link to a missing blob, as a broken symlink
        const file = await blob.getFile();
        out.push({ key, size: file.size, link: link.target, lastAccessed: await usedAt(t, link.blobKey), lastModified: file.lastModified });
      });
      return out;
    },
    async remove(key) {
      const t = await trees;
      for (const tree of [FILES, LINKS, USED]) await removeFrom(t[tree], key);
    },
  };
}
