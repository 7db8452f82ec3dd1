// The Cache API as a CacheStore (src/cache/mod.rs): what `cache: "auto"` picks in Cloudflare Workers
// (workerd), and `cache: "cacheapi"` wherever `caches.open` exists.
//
// The Cache API stores Responses by URL and cannot list them, rename them or link them. So:
// - file bytes are Responses under `https://hubwasm.cache/data/{random id}`, streamed in by `open()`
//   (a `put` of a ReadableStream body: never the whole file in memory) and out by `read()` (a Range
//   request, so a range of a cached blob reads only that range);
// - the keys of hubwasm-core's layout (`models--org--name/blobs/…`, `snapshots/…`, `refs/…`) live in
//   one small index entry, `https://hubwasm.cache/index`, mapping each key to its data id, its size,
//   a link's blob, or (refs and `.no_exist` markers) its bytes inline. rename, link and remove are
//   index updates, so a blob is published (renamed from its temporary key, then linked) only after
//   hubwasm verified it, in one index write each;
// - `list()` reads the index, so `hub.cache.scan()`, `delete()` and `cacheSizeLimit` work.
//
// Limits, as the Cache API imposes them:
// - the runtime may drop any entry at any time; `stat()` checks that a file's data is still there, so
//   a dropped blob is a miss (fetched again), never a hit that fails. `list()` reports what the index
//   holds (sizes as written) without asking for every entry;
// - index updates are serialized within one isolate; two isolates updating it at the same moment can
//   lose one update (an entry is forgotten: a later miss, never wrong bytes, since data ids are never
//   reused and an entry names only verified data);
// - reads are not recorded (that would be an index write per hit): `cacheSizeLimit` evicts the least
//   recently written blobs first;
// - on `*.workers.dev` and in the dashboard preview Cloudflare's Cache API stores nothing: every
//   download is then a miss.

const ORIGIN = "https://hubwasm.cache";
const INDEX_URL = `${ORIGIN}/index`;
const dataUrl = (id) => `${ORIGIN}/data/${id}`;
const KEEP = { "cache-control": "public, max-age=31536000, immutable" };

/** Index updates of each cache (by name) in this isolate, one after the other. */
const queues = new Map();

/** Whether this is workerd (Cloudflare Workers, Miniflare). */
export function isWorkerd() {
  return typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";
}

const under = (key, prefix) => prefix === "" || key === prefix || key.startsWith(`${prefix}/`);

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.byteLength; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The body of `response` from byte `skip`, at most `length` bytes (a Cache API that ignored Range). */
function sliced(body, skip, length) {
  const reader = body.getReader();
  let at = 0;
  let left = length;
  return new ReadableStream({
    async pull(controller) {
      for (;;) {
        if (left === 0) {
          await reader.cancel().catch(() => {});
          controller.close();
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const from = Math.max(0, Math.min(value.byteLength, skip - at));
        at += value.byteLength;
        const piece = value.subarray(from, Math.min(value.byteLength, from + left));
        if (piece.byteLength === 0) continue;
        left -= piece.byteLength;
        controller.enqueue(piece);
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * The store over the Cache API cache `name` (`caches.default` when `name` is absent in workerd,
 * `caches.open("hubwasm")` elsewhere); undefined when the runtime has no Cache API.
 */
export function createCacheApiStore(name) {
  if (typeof caches === "undefined" || typeof caches.open !== "function") return undefined;
  const label = name ?? "";
  // Opened on first use: a client made in a Worker's global scope must not do I/O there.
  let opening;
  const cache = () => {
    opening ??= name === undefined && caches.default !== undefined ? Promise.resolve(caches.default) : caches.open(name ?? "hubwasm");
    return opening;
  };

  async function load() {
    const answer = await (await cache()).match(INDEX_URL);
    if (answer === undefined) return {};
    try {
      const index = await answer.json();
      return index !== null && typeof index === "object" && index.entries !== null && typeof index.entries === "object" ? index.entries : {};
    } catch {
      return {}; // an unreadable index is an empty cache (its data entries are then unreachable)
    }
  }

  /** Runs `change(entries)` on a fresh copy of the index and writes it back; resolves to its result. */
  function update(change) {
    const run = (queues.get(label) ?? Promise.resolve()).then(async () => {
      const entries = await load();
      const { result, dropped = [] } = change(entries) ?? {};
      const body = JSON.stringify({ version: 1, entries });
      await (await cache()).put(INDEX_URL, new Response(body, { headers: { ...KEEP, "content-type": "application/json" } }));
      // The data of replaced or removed files goes only once no entry names it.
      for (const id of dropped) await (await cache()).delete(dataUrl(id)).catch(() => false);
      return result;
    });
    queues.set(label, run.catch(() => {}));
    return run;
  }

  const follow = (entries, key) => {
    const e = entries[key];
    return e?.kind === "link" ? entries[e.blobKey] : e;
  };
  /** The data id a replaced or removed entry leaves behind, if no other entry names it. */
  const orphaned = (entries, old) => {
    if (old?.kind !== "file") return [];
    return Object.values(entries).some((e) => e.kind === "file" && e.id === old.id) ? [] : [old.id];
  };

  return {
    async read(key, start, end) {
      const entries = await load();
      const file = follow(entries, key);
      if (file === undefined) return null;
      const from = start ?? 0;
      const stop = Math.min(end ?? file.size, file.size);
      if (file.kind === "inline") return fromBase64(file.data).slice(from, stop);
      if (stop <= from) return new Uint8Array(0);
      const whole = from === 0 && stop === file.size;
      const request = new Request(dataUrl(file.id), whole ? {} : { headers: { range: `bytes=${from}-${stop - 1}` } });
      const answer = await (await cache()).match(request);
      if (answer === undefined || answer.body === null) return null;
      if (whole || answer.status === 206) return answer.body;
      return sliced(answer.body, from, stop - from);
    },
    async stat(key) {
      const entries = await load();
      const e = entries[key];
      const file = follow(entries, key);
      if (file === undefined) return null;
      if (file.kind === "file") {
        // The runtime may have dropped the data: then the entry is a miss, not a hit that fails.
        const answer = await (await cache()).match(dataUrl(file.id));
        if (answer === undefined) return null;
        await answer.body?.cancel().catch(() => {});
      }
      return { size: file.size, link: e.kind === "link" ? e.target : undefined };
    },
    async put(key, bytes) {
      const record = { kind: "inline", data: toBase64(bytes), size: bytes.byteLength, modified: Date.now() };
      await update((entries) => {
        const old = entries[key];
        entries[key] = record;
        return { dropped: orphaned(entries, old) };
      });
    },
    async open(key) {
      const id = crypto.randomUUID();
      const { readable, writable } = new TransformStream();
      const headers = { ...KEEP, "content-type": "application/octet-stream" };
      // The put reads the body as it is written: memory stays at a chunk or two.
      const putting = cache().then((c) => c.put(dataUrl(id), new Response(readable, { headers })));
      putting.catch(() => {});
      const writer = writable.getWriter();
      const endedEarly = putting.then(() => {
        throw new TypeError("the Cache API put ended before the blob was written");
      });
      endedEarly.catch(() => {});
      let size = 0;
      return {
        async write(bytes) {
          // A copy: the stream holds the chunk until the put reads it.
          await Promise.race([writer.write(bytes.slice()), endedEarly]);
          size += bytes.byteLength;
        },
        async close() {
          await writer.close();
          await putting;
          await update((entries) => {
            const old = entries[key];
            entries[key] = { kind: "file", id, size, modified: Date.now() };
            return { dropped: orphaned(entries, old) };
          });
        },
        async abort() {
          await writer.abort(new DOMException("the download ended", "AbortError")).catch(() => {});
          await putting.catch(() => {});
          await (await cache()).delete(dataUrl(id)).catch(() => false);
        },
      };
    },
    async rename(from, to) {
      await update((entries) => {
        const moved = entries[from];
        if (moved === undefined) throw new TypeError(`no entry ${from}`);
        const old = entries[to];
        entries[to] = moved;
        delete entries[from];
        return { dropped: old?.id === moved.id ? [] : orphaned(entries, old) };
      });
    },
    async link(key, target, blobKey) {
      await update((entries) => {
        const old = entries[key];
        entries[key] = { kind: "link", target, blobKey };
        return { dropped: orphaned(entries, old) };
      });
    },
    async list(prefix) {
      const entries = await load();
      const out = [];
      for (const [key, e] of Object.entries(entries)) {
        if (!under(key, prefix)) continue;
        const file = follow(entries, key);
        if (file === undefined) continue;
        const link = e.kind === "link" ? e.target : undefined;
        out.push({ key, size: file.size, link, lastAccessed: file.modified, lastModified: file.modified });
      }
      return out;
    },
    async remove(key) {
      await update((entries) => {
        const gone = Object.keys(entries).filter((k) => under(k, key));
        const old = gone.map((k) => entries[k]);
        for (const k of gone) delete entries[k];
        return { dropped: old.flatMap((e) => orphaned(entries, e)) };
      });
    },
  };
}
