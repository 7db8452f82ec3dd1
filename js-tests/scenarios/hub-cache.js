// The blob cache (issue #11) in every runtime, through a store written here against the documented
// CacheStore interface (so two clients can share one store) and the built-in memory store. Every
// expected byte is checked against the sha256 Python computed when it seeded localhub (the
// manifest); requests are counted by a recording fetch.
import * as hubwasm from "hubwasm";
import { equal, ok, rejects } from "../lib/assert.js";
import { hub, sha256Hex as sha256 } from "../lib/scenario.js";

const { AbortError, CacheError, EntryNotFoundError, HubClient, IntegrityError, InvalidInputError, LocalEntryNotFoundError, NetworkError } = hubwasm;

const COMMIT = /^[0-9a-f]{40}$/;

/** A CacheStore over a Map, written from the interface's documentation only. */
export function mapStore() {
  const entries = new Map(); // key → { bytes } | { link, blobKey }
  const follow = (key) => {
    const e = entries.get(key);
    return e?.blobKey === undefined ? e : entries.get(e.blobKey);
  };
  const under = (key, prefix) => prefix === "" || key === prefix || key.startsWith(`${prefix}/`);
  return {
    entries,
    keys: () => [...entries.keys()],
    async read(key, start, end) {
      const e = follow(key);
      return e === undefined ? null : e.bytes.slice(start ?? 0, end ?? e.bytes.byteLength);
    },
    async stat(key) {
      const e = follow(key);
      return e === undefined ? null : { size: e.bytes.byteLength, link: entries.get(key).link };
    },
    async put(key, bytes) {
      entries.set(key, { bytes: bytes.slice() });
    },
    async open(key) {
      const chunks = [];
      return {
        async write(bytes) {
          chunks.push(bytes.slice());
          // Visible while written, as a file is: an unfinished blob must never be a hit.
          entries.set(key, { bytes: new Uint8Array(await new Blob(chunks).arrayBuffer()) });
        },
        async close() {},
        async abort() {
          entries.delete(key);
        },
      };
    },
    async rename(from, to) {
      entries.set(to, entries.get(from));
      entries.delete(from);
    },
    async link(key, target, blobKey) {
      entries.set(key, { link: target, blobKey });
    },
    async list(prefix) {
      return [...entries].filter(([k]) => under(k, prefix) && follow(k)).map(([key, e]) => ({ key, size: follow(key).bytes.byteLength, link: e.link }));
    },
    async remove(key) {
      for (const k of [...entries.keys()]) if (under(k, key)) entries.delete(k);
    },
  };
}

/** A `fetch` that records every URL (and its Range); `fail()` makes it fail as a dropped network would. */
function recordingFetch() {
  const requests = [];
  let failing = false;
  const fetchFn = async (url, init) => {
    const range = new Headers(init?.headers ?? {}).get("range");
    requests.push(range === null ? String(url) : `${url} ${range}`);
    if (failing) throw new TypeError("fetch failed (the scenario cut the network)");
    return globalThis.fetch(url, init);
  };
  return { fetchFn, requests, fail: () => (failing = true) };
}

const fixture = (ctx, path) => {
  const f = ctx.manifest.files.find((x) => x.repo === ctx.manifest.repos.model && x.path === path);
  ok(f, `fixture ${path} in the manifest`);
  return f;
};

function client(ctx, extra = {}) {
  return new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, maxRetries: 0, ...extra });
}

/** A repo of this run's own, so that its `main` can be moved. */
async function ownRepo(ctx, files) {
  const name = `cache-${Math.random().toString(16).slice(2, 10)}`;
  const headers = { authorization: `Bearer ${ctx.tokens.write}`, "content-type": "application/json" };
  const created = await fetch(`${ctx.hubUrl}/api/repos/create`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name, organization: "demo", type: "model" }),
  });
  equal(created.status, 200, `create ${name}: ${await created.clone().text()}`);
  const repo = `demo/${name}`;
  const commit = async (contents) => {
    const lines = [{ key: "header", value: { summary: "cache scenario" } }];
    for (const [path, text] of Object.entries(contents)) {
      const content = btoa(String.fromCharCode(...new TextEncoder().encode(text)));
      lines.push({ key: "file", value: { path, content, encoding: "base64" } });
    }
    const answer = await fetch(`${ctx.hubUrl}/api/models/${repo}/commit/main`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-ndjson" },
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    });
    equal(answer.status, 200, `commit to ${repo}: ${await answer.clone().text()}`);
    return (await answer.json()).commitOid;
  };
  const first = await commit(files);
  return { repo, commit, first };
}

const scenarios = [
  {
    name: "hub cache: a second download is served from the cache after one metadata request, a commit id after none",
    async run(context) {
      const ctx = hub(context);
      const store = mapStore();
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, { cache: store, fetch: fetchFn });
      for (const path of ["config.json", "nested/deeper/notes.txt", "xet-small.bin", "lfs-legacy.bin"]) {
        const f = fixture(ctx, path);
        const first = await hubc.downloadFile({ repo: f.repo, path });
        equal(first.fromCache, false, `${path}: the first download is fetched`);
        equal(await sha256(await first.arrayBuffer()), f.sha256, `${path}: fetched bytes`);
        const before = requests.length;
        const again = await hubc.downloadFile({ repo: f.repo, path });
        equal(again.fromCache, true, `${path}: the second is served from the cache`);
        equal(again.commit, ctx.manifest.modelMainSha, `${path}: commit`);
        equal(again.size, f.size, `${path}: size`);
        if (f.kind !== "regular") equal(again.etag, f.sha256, `${path}: etag`);
        equal(await sha256(await again.arrayBuffer()), f.sha256, `${path}: cached bytes`);
        equal(requests.length - before, 1, `${path}: one request (the revision's commit): ${requests.slice(before)}`);
        const pinned = await hubc.downloadFile({ repo: f.repo, path, revision: ctx.manifest.modelMainSha });
        equal(pinned.fromCache, true, `${path} at its commit id`);
        equal(await sha256(await pinned.arrayBuffer()), f.sha256, `${path}: bytes at the commit id`);
        equal(requests.length - before, 1, `${path}: a commit id already cached costs no request`);
      }
      const keys = store.keys();
      const folder = "models--demo--hub-fixtures";
      equal(new TextDecoder().decode(store.entries.get(`${folder}/refs/main`).bytes), ctx.manifest.modelMainSha, "refs/main");
      const lfs = fixture(ctx, "lfs-legacy.bin");
      ok(keys.includes(`${folder}/blobs/${lfs.sha256}`), "the LFS blob is keyed by its sha256");
      equal(
        store.entries.get(`${folder}/snapshots/${ctx.manifest.modelMainSha}/nested/deeper/notes.txt`).link.split("/blobs/")[0],
        "../../../..",
        "a nested entry links two folders further up",
      );
      ok(!keys.some((k) => k.endsWith(".incomplete")), "no temporary entry is left");
    },
  },
  {
    name: "hub cache: ranges come from a cached blob; the memory store; a range of an uncached file is not stored",
    async run(context) {
      const ctx = hub(context);
      const f = fixture(ctx, "xet-small.bin");
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, { cache: "memory", fetch: fetchFn });
      const partial = await hubc.downloadFile({ repo: f.repo, path: f.path, range: [10, 20] });
      equal(partial.fromCache, false, "an uncached range is fetched");
      equal((await partial.arrayBuffer()).byteLength, 11, "range length");
      equal((await hubc.downloadFile({ repo: f.repo, path: f.path, range: [10, 20] })).fromCache, false, "a range stores nothing");
      const whole = new Uint8Array(await (await hubc.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer());
      equal(await sha256(whole), f.sha256, "whole file");
      const before = requests.length;
      for (const [start, end] of [[0, 0], [1000, 2_000_000], [f.size - 5, f.size + 100]]) {
        const file = await hubc.downloadFile({ repo: f.repo, path: f.path, range: [start, end] });
        equal(file.fromCache, true, `[${start}, ${end}] from the cache`);
        const bytes = new Uint8Array(await file.arrayBuffer());
        const expected = whole.subarray(start, Math.min(end, f.size - 1) + 1);
        equal(await sha256(bytes), await sha256(expected), `[${start}, ${end}] bytes`);
      }
      equal(requests.length - before, 3, "one metadata request per cached range");
      ok(hubc.cache, "hub.cache exists");
      equal(client(ctx, { cache: false }).cache, undefined, "cache: false has none");
      ok(client(ctx).cache, "a cache by default (\"auto\")");
    },
  },
  {
    name: "hub cache: offline serves only from the cache (no request at all) and a miss is LocalEntryNotFoundError",
    async run(context) {
      const ctx = hub(context);
      const store = mapStore();
      const f = fixture(ctx, "config.json");
      const online = client(ctx, { cache: store });
      await (await online.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer();
      await (await online.downloadFile({ repo: f.repo, path: "README.md", revision: "v1.0" })).arrayBuffer();
      const { fetchFn, requests } = recordingFetch();
      const offline = new HubClient({ hubUrl: "http://127.0.0.1:9", cache: store, offline: true, fetch: fetchFn });
      const file = await offline.downloadFile({ repo: f.repo, path: f.path });
      equal(file.fromCache, true, "served offline");
      equal(await sha256(await file.arrayBuffer()), f.sha256, "offline bytes");
      equal((await offline.downloadFile({ repo: f.repo, path: "README.md", revision: "v1.0" })).commit, ctx.manifest.modelMainSha, "a tag resolves through refs/v1.0");
      await rejects(() => offline.downloadFile({ repo: f.repo, path: "xet-small.bin" }), { instanceOf: LocalEntryNotFoundError }, "an uncached file");
      await rejects(() => offline.downloadFile({ repo: f.repo, path: f.path, revision: "dev" }), { instanceOf: LocalEntryNotFoundError }, "an unknown revision");
      equal(requests.length, 0, `offline sends nothing: ${requests}`);
      const err = await offline.downloadFile({ repo: f.repo, path: "xet-small.bin" }).catch((e) => e);
      equal(err.code, "LOCAL_ENTRY_NOT_FOUND", "code");
      try {
        new HubClient({ offline: true, cache: false });
        throw new Error("offline without a cache was accepted");
      } catch (e) {
        ok(e instanceof InvalidInputError, `offline needs a cache (got ${e?.name})`);
      }
      for (const bad of [true, "disk", 3, {}, { read() {} }, []]) {
        try {
          new HubClient({ cache: bad });
          throw new Error(`cache ${JSON.stringify(bad)} was accepted`);
        } catch (e) {
          ok(e instanceof InvalidInputError, `cache ${JSON.stringify(bad)} is an InvalidInputError (got ${e?.name})`);
        }
      }
    },
  },
  {
    name: "hub cache: with the network gone, the copy of the revision's last known commit is served",
    async run(context) {
      const ctx = hub(context);
      const f = fixture(ctx, "config.json");
      const { fetchFn, fail } = recordingFetch();
      const hubc = client(ctx, { cache: "memory", fetch: fetchFn });
      await (await hubc.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer();
      fail();
      const file = await hubc.downloadFile({ repo: f.repo, path: f.path });
      equal(file.fromCache, true, "served from the cache");
      equal(await sha256(await file.arrayBuffer()), f.sha256, "bytes");
      await rejects(() => hubc.downloadFile({ repo: f.repo, path: "README.md" }), { instanceOf: NetworkError }, "an uncached file still fails");
    },
  },
  {
    name: "hub cache: a moved main is seen and its new file fetched; unchanged content is linked without a download",
    async run(context) {
      const ctx = hub(context);
      const store = mapStore();
      const { repo, commit, first } = await ownRepo(ctx, { "a.txt": "first version\n", "same.txt": "never changes\n" });
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, { cache: store, fetch: fetchFn, accessToken: ctx.tokens.write });
      equal(await (await hubc.downloadFile({ repo, path: "a.txt" })).text(), "first version\n", "first a.txt");
      await (await hubc.downloadFile({ repo, path: "same.txt" })).text();
      const second = await commit({ "a.txt": "second version\n" });
      ok(COMMIT.test(second) && second !== first, "main moved");
      const moved = await hubc.downloadFile({ repo, path: "a.txt" });
      equal(moved.fromCache, false, "the new a.txt is fetched");
      equal(moved.commit, second, "at the new commit");
      equal(await moved.text(), "second version\n", "new content");
      const before = requests.length;
      const same = await hubc.downloadFile({ repo, path: "same.txt" });
      equal(same.fromCache, true, "same.txt's blob is stored: linked, not downloaded");
      equal(same.commit, second, "linked into the new commit");
      // At most a metadata probe of resolve (one byte), never the file's body.
      const bodies = requests.slice(before).filter((u) => u.includes("/resolve/") && !u.endsWith("bytes=0-0"));
      equal(bodies.length, 0, `no file body fetched: ${requests.slice(before)}`);
      const folder = `models--${repo.replace("/", "--")}`;
      equal(new TextDecoder().decode(store.entries.get(`${folder}/refs/main`).bytes), second, "refs/main moved");
      const scan = await hubc.cache.scan();
      const mine = scan.repos.find((r) => r.repo === repo);
      equal(mine.revisions.length, 2, "two revisions");
      // Three distinct blobs: both a.txt versions and same.txt.
      equal(mine.nbFiles, 3, "nbFiles counts distinct blobs");
      equal(mine.sizeOnDisk, "first version\n".length + "second version\n".length + "never changes\n".length, "sizeOnDisk");
      const old = mine.revisions.find((r) => r.commit === first);
      equal(old.refs.length, 0, "the old commit has no ref");
      const { freed } = await hubc.cache.delete({ repo, revision: first });
      equal(freed, "first version\n".length, "deleting the old revision frees only its own blob");
      const after = (await hubc.cache.scan()).repos.find((r) => r.repo === repo);
      equal(after.revisions.length, 1, "one revision left");
      equal(await (await hubc.downloadFile({ repo, path: "same.txt" })).text(), "never changes\n", "the shared blob survived");
      await hubc.cache.delete({ repo });
      equal((await hubc.cache.scan()).repos.find((r) => r.repo === repo), undefined, "the repo is gone");
    },
  },
  {
    name: "hub cache: a missing file is remembered in .no_exist; a failing store is a CacheError warning and the download succeeds",
    async run(context) {
      const ctx = hub(context);
      const store = mapStore();
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, { cache: store, fetch: fetchFn });
      const repo = ctx.manifest.repos.model;
      await rejects(() => hubc.downloadFile({ repo, path: "no/such/file.txt" }), { instanceOf: EntryNotFoundError }, "missing");
      ok(store.keys().includes(`models--demo--hub-fixtures/.no_exist/${ctx.manifest.modelMainSha}/no/such/file.txt`), `.no_exist marker: ${store.keys()}`);
      const before = requests.length;
      await rejects(() => hubc.downloadFile({ repo, path: "no/such/file.txt" }), { instanceOf: EntryNotFoundError }, "missing again");
      equal(requests.length - before, 1, "known missing: only the revision is asked");

      const warnings = [];
      const full = {
        ...mapStore(),
        async open() {
          throw new DOMException("the quota is exceeded", "QuotaExceededError");
        },
      };
      const f = fixture(ctx, "xet-small.bin");
      const quota = client(ctx, { cache: full, onWarning: (w) => warnings.push(w) });
      const file = await quota.downloadFile({ repo, path: f.path });
      equal(await sha256(await file.arrayBuffer()), f.sha256, "the download succeeds uncached");
      equal(warnings.length, 1, "one warning");
      ok(warnings[0] instanceof CacheError, `a CacheError (got ${warnings[0]?.name})`);
      equal(warnings[0].cause?.name, "QuotaExceededError", "its cause is the store's error");
      const throwing = client(ctx, { cache: { ...mapStore(), stat() { throw new Error("broken store"); } } });
      const g = fixture(ctx, "config.json");
      equal(await sha256(await (await throwing.downloadFile({ repo, path: g.path })).arrayBuffer()), g.sha256, "a store that throws loses nothing");
    },
  },
  {
    name: "hub cache: a download cancelled or failed midway leaves no entry behind",
    async run(context) {
      const ctx = hub(context);
      const store = mapStore();
      const f = fixture(ctx, "xet-multi-xorb.bin");
      const hubc = client(ctx, { cache: store });
      const file = await hubc.downloadFile({ repo: f.repo, path: f.path });
      const reader = file.stream().getReader();
      let got = 0;
      while (got < 8 * 1024 * 1024) {
        const { done, value } = await reader.read();
        if (done) break;
        got += value.byteLength;
        ok(store.keys().some((k) => k.endsWith(".incomplete")), "written under a temporary key while it downloads");
      }
      await reader.cancel("enough");
      for (let i = 0; i < 50 && store.keys().some((k) => k.includes("/blobs/")); i++) await new Promise((r) => setTimeout(r, 20));
      equal(store.keys().filter((k) => k.includes("/blobs/") || k.includes("/snapshots/")).join(","), "", "nothing of it stays");
      equal((await hubc.downloadFile({ repo: f.repo, path: f.path })).fromCache, false, "so it is no hit");
    },
  },
  {
    name: "hub cache: IndexedDB (pages and Web Workers) keeps files across clients, serves ranges across its chunks, leaves nothing of a cancelled download",
    async run(context) {
      if (typeof indexedDB === "undefined") return { notes: ["no IndexedDB in this runtime: the IndexedDB store is checked in Chromium"] };
      const ctx = hub(context);
      const database = `hubwasm-cache-scenario-${Math.random().toString(16).slice(2)}`;
      const f = fixture(ctx, "xet-multi-xorb.bin");
      const small = fixture(ctx, "lfs-legacy.bin");
      const first = client(ctx, { cache: "indexeddb", cacheDir: database });
      const whole = new Uint8Array(await (await first.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer());
      equal(await sha256(whole), f.sha256, "fetched bytes");
      await (await first.downloadFile({ repo: small.repo, path: small.path })).arrayBuffer();
      // A new client on the same database, as after a reload: a commit id is served with no request.
      const { fetchFn, requests } = recordingFetch();
      const again = client(ctx, { cache: "indexeddb", cacheDir: database, fetch: fetchFn });
      const file = await again.downloadFile({ repo: f.repo, path: f.path, revision: ctx.manifest.modelMainSha });
      equal(file.fromCache, true, "served from IndexedDB");
      equal(await sha256(await file.arrayBuffer()), f.sha256, "cached bytes");
      const MiB = 1 << 20;
      for (const [start, end] of [[4 * MiB - 10, 4 * MiB + 10], [0, 9 * MiB], [f.size - 3, f.size - 1]]) {
        const part = await again.downloadFile({ repo: f.repo, path: f.path, revision: ctx.manifest.modelMainSha, range: [start, end] });
        equal(await sha256(await part.arrayBuffer()), await sha256(whole.subarray(start, end + 1)), `[${start}, ${end}]`);
      }
      equal(requests.length, 0, `no request: ${requests}`);
      const scan = await again.cache.scan();
      const repo = scan.repos.find((r) => r.repo === f.repo);
      equal(repo.sizeOnDisk, f.size + small.size, "scan: both blobs");
      equal(repo.revisions[0].refs.join(), "main", "scan: refs/main");
      // A download cancelled midway: its chunks go, and no entry names it.
      await again.cache.delete({ repo: f.repo });
      const cancelled = await again.downloadFile({ repo: f.repo, path: f.path });
      const reader = cancelled.stream().getReader();
      for (let got = 0; got < 10 * MiB; ) got += (await reader.read()).value.byteLength;
      await reader.cancel("enough");
      await new Promise((r) => setTimeout(r, 200));
      equal((await again.cache.scan()).repos.find((r) => r.repo === f.repo), undefined, "no entry left");
      equal((await again.downloadFile({ repo: f.repo, path: f.path, revision: ctx.manifest.modelMainSha })).fromCache, false, "so no hit");
      // Two clients (two tabs) fetching one file at once store one blob: the second rename replaces
      // the first, and its chunks go with it.
      const [x, y] = [0, 1].map(() => client(ctx, { cache: "indexeddb", cacheDir: database }));
      await Promise.all([x, y].map(async (c) => (await c.downloadFile({ repo: small.repo, path: small.path })).arrayBuffer()));
      const after = (await x.cache.scan()).repos.find((r) => r.repo === small.repo);
      equal(after.sizeOnDisk, small.size, "one blob's bytes");
      const chunks = await new Promise((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => {
          const count = open.result.transaction("chunks").objectStore("chunks").count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
        };
        open.onerror = () => reject(open.error);
      });
      // Refs and snapshot links are small records too; the blob's are ceil(size / 4 MiB).
      const refs = 1;
      equal(chunks, Math.ceil(small.size / (4 * MiB)) + refs, "chunk records of one blob and one ref");
      indexedDB.deleteDatabase(database);
    },
  },
  {
    name: "hub cache: past cacheSizeLimit the least recently used blob and its snapshot entries are evicted",
    async run(context) {
      const ctx = hub(context);
      const [a, b, c] = ["lfs-legacy.bin", "xet-small.bin", "config.json"].map((p) => fixture(ctx, p));
      const hubc = client(ctx, { cache: "memory", cacheSizeLimit: a.size + b.size });
      const pause = () => new Promise((r) => setTimeout(r, 5));
      for (const f of [a, b]) {
        await (await hubc.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer();
        await pause();
      }
      await (await hubc.downloadFile({ repo: a.repo, path: a.path })).arrayBuffer(); // a is now the most recent
      await pause();
      await (await hubc.downloadFile({ repo: c.repo, path: c.path })).arrayBuffer(); // over the limit: b goes
      const files = (await hubc.cache.scan()).repos[0].revisions[0].files.map((f) => f.path).sort();
      equal(files.join(), [a.path, c.path].sort().join(), "b (least recently used) was evicted with its entry");
      equal((await hubc.downloadFile({ repo: b.repo, path: b.path })).fromCache, false, "b is fetched again");
      equal((await hubc.downloadFile({ repo: a.repo, path: a.path })).fromCache, true, "a stays");
      try {
        new HubClient({ cache: "memory", cacheSizeLimit: -1 });
        throw new Error("a negative limit was accepted");
      } catch (e) {
        ok(e instanceof InvalidInputError, `cacheSizeLimit is checked (got ${e?.name})`);
      }
    },
  },
  {
    name: "hub cache: snapshotDownload takes a commit's files (Python's pattern rules) into the cache, with progress across files, and works offline",
    async run(context) {
      const ctx = hub(context);
      const store = mapStore();
      const repo = ctx.manifest.repos.model;
      const hubc = client(ctx, { cache: store });
      const progress = [];
      const options = { repo, allowPatterns: ["*.json", "nested/"], ignorePatterns: ["*.bin"], concurrency: 2 };
      const first = await hubc.snapshotDownload({ ...options, onProgress: (p) => progress.push(p) });
      equal(first.commit, ctx.manifest.modelMainSha, "commit");
      const expected = ["config.json", "nested/a file with spaces.txt", "nested/deeper/notes.txt"];
      equal(first.files.map((f) => f.path).join(), expected.join(), "the files the patterns select");
      ok(first.files.every((f) => !f.fromCache), "fetched the first time");
      const total = expected.reduce((n, p) => n + fixture(ctx, p).size, 0);
      const last = progress.at(-1);
      equal(`${last.loaded}/${last.total} ${last.filesDone}/${last.files}`, `${total}/${total} 3/3`, "progress across files");
      const again = await hubc.snapshotDownload(options);
      ok(again.files.every((f) => f.fromCache), "the second time from the cache");
      for (const path of expected) {
        const file = await hubc.downloadFile({ repo, path, revision: first.commit });
        equal(file.fromCache, true, `${path} cached`);
        equal(await sha256(await file.arrayBuffer()), fixture(ctx, path).sha256, `${path} bytes`);
      }
      const offline = new HubClient({ hubUrl: "http://127.0.0.1:9", cache: store, offline: true });
      const cached = await offline.snapshotDownload({ repo, allowPatterns: ["nested/"] });
      equal(cached.files.map((f) => f.path).join(), expected.slice(1).join(), "offline: the cached snapshot's files");
      await rejects(() => client(ctx, { cache: false }).snapshotDownload({ repo }), { instanceOf: InvalidInputError }, "needs a cache");
    },
  },
];

/** The Cache API store's index (src/cache/cache_api.js), read straight from the Cache API. */
async function cacheApiIndex(cache) {
  const answer = await cache.match("https://hubwasm.cache/index");
  return answer === undefined ? {} : (await answer.json()).entries;
}

/** Deletes a scenario's own cache where the runtime can (workerd cannot: Miniflare starts each run empty). */
async function dropCache(name) {
  await Promise.resolve().then(() => caches.delete(name)).catch(() => {});
}

const cacheApiScenarios = [
  {
    name: "hub cache: the Cache API store serves the second download and ranges with no file fetched, scans, deletes, and forgets a dropped entry",
    async run(context) {
      if (typeof caches === "undefined" || typeof caches.open !== "function") return { notes: ["no Cache API in this runtime"] };
      const ctx = hub(context);
      const name = `hubwasm-scenario-${Math.random().toString(16).slice(2)}`;
      const f = fixture(ctx, "xet-multi-xorb.bin");
      const small = fixture(ctx, "config.json");
      const first = client(ctx, { cache: "cacheapi", cacheDir: name });
      const whole = new Uint8Array(await (await first.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer());
      equal(await sha256(whole), f.sha256, "fetched bytes");
      await (await first.downloadFile({ repo: small.repo, path: small.path })).arrayBuffer();
      // A new client on the same cache, as the next request to a Worker.
      const { fetchFn, requests, fail } = recordingFetch();
      const again = client(ctx, { cache: "cacheapi", cacheDir: name, fetch: fetchFn });
      const hit = await again.downloadFile({ repo: f.repo, path: f.path });
      equal(hit.fromCache, true, "the second download is served from the Cache API");
      equal(await sha256(await hit.arrayBuffer()), f.sha256, "cached bytes");
      equal(requests.length, 1, `one request, the revision's commit: ${requests}`);
      const MiB = 1 << 20;
      for (const [start, end] of [[4 * MiB - 10, 4 * MiB + 10], [0, 0], [f.size - 3, f.size - 1]]) {
        const part = await again.downloadFile({ repo: f.repo, path: f.path, revision: ctx.manifest.modelMainSha, range: [start, end] });
        equal(part.fromCache, true, `[${start}, ${end}] from the cache`);
        equal(await sha256(await part.arrayBuffer()), await sha256(whole.subarray(start, end + 1)), `[${start}, ${end}]`);
      }
      equal(requests.length, 1, `a cached commit id costs no request: ${requests}`);
      fail();
      equal((await again.downloadFile({ repo: small.repo, path: small.path })).fromCache, true, "network gone: the last known commit's copy");
      const offline = new HubClient({ hubUrl: "http://127.0.0.1:9", cache: "cacheapi", cacheDir: name, offline: true });
      equal(await sha256(await (await offline.downloadFile({ repo: small.repo, path: small.path })).arrayBuffer()), small.sha256, "offline");
      const scan = await offline.cache.scan();
      const repo = scan.repos.find((r) => r.repo === f.repo);
      equal(repo.sizeOnDisk, f.size + small.size, "scan: both blobs (from the store's index)");
      equal(repo.revisions[0].refs.join(), "main", "scan: refs/main");
      // The runtime may drop any entry: a blob whose data is gone is a miss, fetched again.
      const cache = await caches.open(name);
      const index = await cacheApiIndex(cache);
      const linked = index[`models--demo--hub-fixtures/snapshots/${ctx.manifest.modelMainSha}/${small.path}`];
      const blobKey = linked?.blobKey;
      ok(index[blobKey]?.kind === "file", `the index names the blob: ${Object.keys(index)}`);
      ok(!Object.keys(index).some((k) => k.endsWith(".incomplete")), "no temporary entry is left");
      ok(await cache.delete(`https://hubwasm.cache/data/${index[blobKey].id}`), "the blob's data is dropped");
      const refetched = client(ctx, { cache: "cacheapi", cacheDir: name });
      const miss = await refetched.downloadFile({ repo: small.repo, path: small.path });
      equal(miss.fromCache, false, "a dropped blob is fetched again");
      equal(await sha256(await miss.arrayBuffer()), small.sha256, "refetched bytes");
      equal((await refetched.downloadFile({ repo: small.repo, path: small.path })).fromCache, true, "and cached again");
      const { freed } = await refetched.cache.delete({ repo: f.repo });
      equal(freed, f.size + small.size, "delete frees both blobs");
      equal(Object.keys(await cacheApiIndex(cache)).length, 0, "the index is empty");
      equal((await refetched.downloadFile({ repo: small.repo, path: small.path })).fromCache, false, "so no hit");
      await dropCache(name);
    },
  },
  {
    name: "hub cache: a download cancelled midway leaves nothing in the Cache API; in workerd `cache: \"auto\"` is the Cache API",
    async run(context) {
      if (typeof caches === "undefined" || typeof caches.open !== "function") return { notes: ["no Cache API in this runtime"] };
      const ctx = hub(context);
      const name = `hubwasm-scenario-${Math.random().toString(16).slice(2)}`;
      const f = fixture(ctx, "xet-multi-xorb.bin");
      const hubc = client(ctx, { cache: "cacheapi", cacheDir: name });
      const reader = (await hubc.downloadFile({ repo: f.repo, path: f.path })).stream().getReader();
      for (let got = 0; got < 8 * 1024 * 1024; ) got += (await reader.read()).value.byteLength;
      await reader.cancel("enough");
      // The store publishes an entry only when hubwasm closes a verified write: there is none to wait for.
      const cache = await caches.open(name);
      equal(Object.keys(await cacheApiIndex(cache)).filter((k) => k.includes("/blobs/") || k.includes("/snapshots/")).join(), "", "no entry names it");
      equal((await hubc.downloadFile({ repo: f.repo, path: f.path })).fromCache, false, "so it is no hit");
      await dropCache(name);
      if (caches.default === undefined) return { notes: ["not workerd: `cache: \"auto\"` is another store here"] };
      const small = fixture(ctx, "lfs-legacy.bin");
      const { fetchFn, requests } = recordingFetch();
      const auto = client(ctx, { fetch: fetchFn });
      ok(auto.cache, "a cache by default");
      await (await auto.downloadFile({ repo: small.repo, path: small.path })).arrayBuffer();
      const index = await cacheApiIndex(caches.default);
      ok(index[`models--demo--hub-fixtures/blobs/${small.sha256}`], "stored in caches.default");
      const before = requests.length;
      const hit = await client(ctx, { fetch: fetchFn }).downloadFile({ repo: small.repo, path: small.path });
      equal(hit.fromCache, true, "the next request's client is served from caches.default");
      equal(await sha256(await hit.arrayBuffer()), small.sha256, "bytes");
      equal(requests.length - before, 1, `one metadata request: ${requests.slice(before)}`);
      return undefined;
    },
  },
];


/** A mapStore whose reads of `key` give `bytes` instead, in `pieces` chunks all queued at once. */
function lyingStore(key, bytes, pieces = 1) {
  const store = mapStore();
  const read = store.read;
  store.read = async (k, start, end) => {
    if (!k.endsWith(key)) return read(k, start, end);
    return new ReadableStream({
      start(controller) {
        const size = Math.ceil(bytes.byteLength / pieces);
        for (let at = 0; at < bytes.byteLength; at += size) controller.enqueue(bytes.slice(at, at + size));
        controller.close();
      },
    });
  };
  return store;
}

const edgeScenarios = [
  {
    name: "hub cache: a cached file's stream fails typed — AbortError after an abort even with its bytes read ahead, IntegrityError when short or long, CacheError when the store fails",
    async run(context) {
      const ctx = hub(context);
      const f = fixture(ctx, "xet-small.bin");
      const key = `/snapshots/${ctx.manifest.modelMainSha}/${f.path}`;
      const cachedWith = async (store) => {
        const hubc = client(ctx, { cache: store });
        await (await hubc.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer();
        return hubc;
      };
      // The file's own bytes, in 16 chunks all in the store's stream before the first read.
      const good = mapStore();
      const whole = new Uint8Array(await (await (await cachedWith(good)).downloadFile({ repo: f.repo, path: f.path })).arrayBuffer());
      const buffered = lyingStore(key, whole, 16);
      for (const [k, v] of good.entries) buffered.entries.set(k, v);
      const controller = new AbortController();
      const file = await client(ctx, { cache: buffered }).downloadFile({ repo: f.repo, path: f.path, abortSignal: controller.signal });
      equal(file.fromCache, true, "served from the cache");
      const reader = file.stream().getReader();
      ok((await reader.read()).value.byteLength > 0, "a first chunk");
      controller.abort();
      const aborted = await rejects(() => reader.read(), { instanceOf: AbortError }, "the next read after abort");
      equal(aborted.code, "ABORTED", `the package's AbortError (${aborted.name})`);
      const before = new AbortController();
      before.abort();
      const late = await client(ctx, { cache: buffered }).downloadFile({ repo: f.repo, path: f.path, revision: ctx.manifest.modelMainSha, abortSignal: before.signal }).catch((e) => e);
      ok(late instanceof AbortError || (await late.arrayBuffer().then(() => null, (e) => e)) instanceof AbortError, "aborted before: AbortError");
      for (const [what, bytes] of [["short", whole.subarray(0, whole.byteLength - 1)], ["long", new Uint8Array(whole.byteLength + 1)]]) {
        const store = lyingStore(key, bytes);
        for (const [k, v] of good.entries) store.entries.set(k, v);
        const lied = await client(ctx, { cache: store }).downloadFile({ repo: f.repo, path: f.path });
        equal(lied.fromCache, true, `${what}: served from the cache`);
        await rejects(() => lied.arrayBuffer(), { instanceOf: IntegrityError }, `a ${what} cached file`);
      }
      const broken = mapStore();
      for (const [k, v] of good.entries) broken.entries.set(k, v);
      broken.read = async () => new ReadableStream({ pull() { throw new Error("the disk went away"); } });
      const failing = await client(ctx, { cache: broken }).downloadFile({ repo: f.repo, path: f.path });
      const error = await rejects(() => failing.arrayBuffer(), { instanceOf: CacheError }, "a store whose stream fails");
      equal(error.cause?.message, "the disk went away", "its cause is the store's error");
    },
  },
  {
    name: "hub cache: the default store (\"auto\": the HF folder on Node and Deno, IndexedDB in pages, the Cache API in workerd) serves offline and when the network is gone",
    async run(context) {
      const ctx = hub(context);
      const f = fixture(ctx, "nested/deeper/notes.txt");
      const online = client(ctx);
      ok(online.cache, "a cache by default");
      await (await online.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer();
      const { fetchFn, requests, fail } = recordingFetch();
      const offline = new HubClient({ hubUrl: ctx.hubUrl, offline: true, fetch: fetchFn });
      const file = await offline.downloadFile({ repo: f.repo, path: f.path });
      equal(file.fromCache, true, "offline: from the default cache");
      equal(await sha256(await file.arrayBuffer()), f.sha256, "offline bytes");
      await rejects(() => offline.downloadFile({ repo: f.repo, path: "no/such/thing.txt" }), { instanceOf: LocalEntryNotFoundError }, "offline miss");
      equal(requests.length, 0, `offline sends nothing: ${requests}`);
      fail();
      const cut = client(ctx, { fetch: fetchFn });
      const fallback = await cut.downloadFile({ repo: f.repo, path: f.path });
      equal(fallback.fromCache, true, "network gone: the last known commit's copy");
      equal(await sha256(await fallback.arrayBuffer()), f.sha256, "fallback bytes");
      ok(requests.length > 0, "the network was asked first");
      await rejects(() => cut.downloadFile({ repo: f.repo, path: "config.json", revision: "v1.0-missing-tag" }), { instanceOf: NetworkError }, "nothing cached: the NetworkError");
      const fs = globalThis.process?.getBuiltinModule?.("node:fs");
      const folder = globalThis.process?.env?.HF_HUB_CACHE;
      if (fs === undefined || folder === undefined || typeof indexedDB !== "undefined" || (typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers")) {
        return { notes: ["no HF cache folder in this runtime: its default store was used"] };
      }
      const entry = `${folder}/models--demo--hub-fixtures/snapshots/${ctx.manifest.modelMainSha}/${f.path}`;
      ok(fs.lstatSync(entry).isSymbolicLink(), `the default folder is HF_HUB_CACHE: ${entry}`);
      // A Xet file's blob is in Python's shared store there: a cached copy still knows its Xet hash.
      const x = fixture(ctx, "xet-small.bin");
      const stored = await client(ctx).downloadFile({ repo: x.repo, path: x.path });
      equal(await sha256(await stored.arrayBuffer()), x.sha256, "xet-small.bin bytes");
      const fetched = await client(ctx, { cache: false }).downloadFile({ repo: x.repo, path: x.path });
      ok(/^[0-9a-f]{64}$/.test(fetched.xetHash ?? ""), `the Hub's xetHash: ${fetched.xetHash}`);
      const cached = await new HubClient({ hubUrl: ctx.hubUrl, offline: true }).downloadFile({ repo: x.repo, path: x.path });
      equal(cached.fromCache, true, "xet-small.bin offline: from the folder");
      equal(cached.xetHash, fetched.xetHash, "a cached Xet file's xetHash is the Hub's");
      const payload = `${folder}/blobs/${fetched.xetHash.slice(0, 2)}/${fetched.xetHash}`;
      equal(fs.statSync(payload).size, x.size, `its payload is in the shared store: ${payload}`);
      return undefined;
    },
  },
];

export default [...scenarios, ...cacheApiScenarios, ...edgeScenarios];
