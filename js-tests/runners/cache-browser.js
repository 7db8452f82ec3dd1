// The browser blob cache (issue #11) in Chromium, for OPFS and for IndexedDB forced: real pages
// served from 127.0.0.1 importing the package's "browser" entry, each test in a fresh browser
// context (its own storage), tabs of one context sharing storage and Web Locks as a site's do.
// Network use is counted by Chromium itself (every request a page sends to localhub), the stored
// entries are read from the raw storage (the OPFS folder, the IndexedDB database), and every byte
// is checked against the sha256 Python computed when it seeded localhub (the manifest).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exportFor, launchChromium, serveStatic } from "../lib/browser.js";
import { steps, report } from "../lib/harness.js";
import { hubContextFromEnv } from "../lib/hub-context.js";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const pkg = JSON.parse(readFileSync(`${root}/node_modules/hubwasm/package.json`, "utf8"));
const ctx = hubContextFromEnv();
const { results, step } = steps();
const WAIT = { timeout: 300_000 };

// The page: hubwasm, and helpers the runner calls with page.evaluate.
const pageHtml = (context) => `<!doctype html>
<meta charset="utf-8">
<title>hubwasm cache</title>
<script type="importmap">${JSON.stringify({ imports: { hubwasm: `/node_modules/hubwasm/${exportFor(pkg, "browser")}` } })}</script>
<script type="module">
import { HubClient, ready } from "hubwasm";
const ctx = ${JSON.stringify(context).replaceAll("<", "\\u003c")};
const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
const digest = async (blob) => hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
/** What this page's clients sent, recorded as each request is made (in order with the page's own steps). */
window.sent = [];
const recordingFetch = (url, init) => {
  window.sent.push(String(url));
  return fetch(url, init);
};
const client = (mode, dir, warnings, extra) => new HubClient({
  hubUrl: ctx.hubUrl, accessToken: ctx.tokens.write, maxRetries: 0, cache: mode, cacheDir: dir, fetch: recordingFetch,
  onWarning: (w) => warnings.push({ name: w.name, message: w.message, cause: w.cause?.name ?? null }),
  ...extra,
});
const describe = async (file, chunks, warnings, fromCacheAtStart) => {
  const blob = new Blob(chunks);
  const text = blob.size < 4096 ? await blob.text() : null;
  return { fromCacheAtStart, fromCache: file.fromCache, commit: file.commit, size: blob.size, sha256: await digest(blob), text, warnings };
};
/** A whole download: what the file object says, the bytes' size and sha256, the warnings. */
window.download = async (mode, dir, options, extra = {}) => {
  const warnings = [];
  const file = await client(mode, dir, warnings, extra).downloadFile(options);
  const fromCacheAtStart = file.fromCache;
  const chunks = [];
  const reader = file.stream().getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return describe(file, chunks, warnings, fromCacheAtStart);
};
/** A download that reads its first chunk, says so (window.firstChunk), then waits for window.resume(). */
window.startPartial = (mode, dir, options) => {
  let resume;
  const resumed = new Promise((r) => (resume = r));
  window.resume = resume;
  window.partial = (async () => {
    const warnings = [];
    const file = await client(mode, dir, warnings, {}).downloadFile(options);
    const fromCacheAtStart = file.fromCache;
    const reader = file.stream().getReader();
    const chunks = [];
    const first = await reader.read();
    chunks.push(first.value);
    window.firstChunk = first.value.byteLength;
    await resumed;
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    return describe(file, chunks, warnings, fromCacheAtStart);
  })();
  window.partial.catch(() => {});
};
window.scan = async (mode, dir) => client(mode, dir, [], {}).cache.scan();
/** Every key the raw storage holds (OPFS: the folder's file paths; IndexedDB: the entries' keys). */
window.rawKeys = async (mode, dir) => {
  if (mode === "opfs") {
    const out = [];
    const walk = async (d, prefix) => {
      for await (const [name, h] of d.entries()) {
        if (h.kind === "directory") await walk(h, prefix + name + "/");
        else out.push(prefix + name);
      }
    };
    let folder;
    try {
      folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(dir);
    } catch {
      return out;
    }
    // The store's files/ (entries) and links/ (snapshot links) trees; used/ only holds read times.
    await walk(folder, "");
    return out.filter((k) => k.startsWith("files/") || k.startsWith("links/")).map((k) => k.slice("files/".length));
  }
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(dir);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  if (!db.objectStoreNames.contains("entries")) return [];
  const keys = await new Promise((resolve, reject) => {
    const request = db.transaction("entries").objectStore("entries").getAllKeys();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return keys;
};
/** Names of the Web Locks held and asked for in this origin. */
window.lockNames = async () => {
  const { held = [], pending = [] } = await navigator.locks.query();
  return { held: held.map((l) => l.name), pending: pending.map((l) => l.name) };
};
await ready;
/**
 * Two downloads in a module Web Worker with cache "auto"; \`withoutCreateWritable\` deletes
 * FileSystemFileHandle.prototype.createWritable first, as in Safari before 26, so the store writes
 * through sync access handles.
 */
window.inWorker = (dir, options, withoutCreateWritable) => new Promise((resolve, reject) => {
  const source = \`
    import { HubClient, ready } from "\${location.origin}/node_modules/hubwasm/${exportFor(pkg, "browser")}";
    const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    onmessage = async ({ data: { ctx, dir, options, withoutCreateWritable } }) => {
      try {
        if (withoutCreateWritable) delete FileSystemFileHandle.prototype.createWritable;
        await ready;
        const warnings = [];
        const once = async () => {
          const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.write, maxRetries: 0, cache: "auto", cacheDir: dir,
            onWarning: (w) => warnings.push(w.name + ": " + w.message + " (" + w.cause + ")") });
          const file = await hub.downloadFile(options);
          const bytes = await file.arrayBuffer();
          return { fromCache: file.fromCache, sha256: hex(await crypto.subtle.digest("SHA-256", bytes)) };
        };
        const first = await once();
        const second = await once();
        postMessage({ first, second, warnings, hasCreateWritable: "createWritable" in FileSystemFileHandle.prototype });
      } catch (e) {
        postMessage({ error: String(e?.stack ?? e) });
      }
    };\`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
  worker.onerror = (e) => reject(new Error(e.message));
  worker.onmessage = ({ data }) => {
    worker.terminate();
    if (data.error) reject(new Error(data.error));
    else resolve(data);
  };
  worker.postMessage({ ctx, dir, options, withoutCreateWritable });
});
window.ready = true;
</script>`;

/**
 * Polls `fn(arg)` in `page` until it gives a truthy value, and returns it (Web Locks have no events:
 * their state can only be asked). Playwright's waitForFunction does not await an async predicate.
 */
async function until(page, fn, arg, what) {
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const equal = (actual, expected, what) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};
const ok = (value, what) => {
  if (!value) throw new Error(what);
};

function fixture(path) {
  const f = ctx.manifest.files.find((x) => x.repo === ctx.manifest.repos.model && x.path === path);
  ok(f, `fixture ${path} in the manifest`);
  return f;
}
const repoFolder = (repo) => `models--${repo.replaceAll("/", "--")}`;
const blobKeysOf = (keys, sha) => keys.filter((k) => k.endsWith(`/blobs/${sha}`));
const tempKeys = (keys) => keys.filter((k) => k.endsWith(".incomplete"));

/** A repo of this run's own, so that its `main` can be moved (localhub's commit API, the write token). */
async function ownRepo(files) {
  const name = `cache-browser-${Math.random().toString(16).slice(2, 10)}`;
  const headers = { authorization: `Bearer ${ctx.tokens.write}`, "content-type": "application/json" };
  const created = await fetch(`${ctx.hubUrl}/api/repos/create`, { method: "POST", headers, body: JSON.stringify({ name, organization: "demo", type: "model" }) });
  equal(created.status, 200, `create ${name}: ${await created.clone().text()}`);
  const repo = `demo/${name}`;
  const commit = async (contents) => {
    const lines = [{ key: "header", value: { summary: "cache-browser scenario" } }];
    for (const [path, text] of Object.entries(contents)) {
      lines.push({ key: "file", value: { path, content: Buffer.from(text).toString("base64"), encoding: "base64" } });
    }
    const answer = await fetch(`${ctx.hubUrl}/api/models/${repo}/commit/main`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-ndjson" },
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    });
    equal(answer.status, 200, `commit to ${repo}: ${await answer.clone().text()}`);
    return (await answer.json()).commitOid;
  };
  return { repo, commit, first: await commit(files) };
}

if (ctx === undefined) {
  results.push({ name: "cache-browser", ok: false, error: "no localhub: run through `cargo xtask test` (it sets HUBWASM_TEST_HUB)" });
} else {
  const server = await serveStatic(root, { "/cache.html": pageHtml(ctx) });
  const browser = await launchChromium();
  /** A tab of `context` on the cache page; `requests` lists what it sent to localhub. */
  async function openTab(context) {
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    const requests = [];
    page.on("request", (r) => {
      if (r.url().startsWith(ctx.hubUrl)) requests.push(`${r.method()} ${r.url().slice(ctx.hubUrl.length)}`);
    });
    await page.goto(`${server.url}/cache.html`);
    await page.waitForFunction(() => window.ready === true, null, WAIT);
    return { page, requests };
  }
  /** Runs `body(context)` in a fresh browser context (storage of its own), closed after. */
  async function inContext(body) {
    const context = await browser.newContext();
    try {
      await body(context);
    } finally {
      await context.close();
    }
  }

  try {
    await step("auto in a page is OPFS: the blob is in the OPFS folder, and served from it by a new client", () =>
      inContext(async (context) => {
        const f = fixture("xet-small.bin");
        const tab = await openTab(context);
        const fetched = await tab.page.evaluate(([o]) => window.download("auto", "auto-folder", o), [{ repo: f.repo, path: f.path }]);
        equal(fetched.fromCache, false, "fetched");
        equal(fetched.sha256, f.sha256, "bytes");
        const keys = await tab.page.evaluate(() => window.rawKeys("opfs", "auto-folder"));
        equal(blobKeysOf(keys, f.sha256).length, 1, `the blob is in OPFS (${keys.join(", ")})`);
        const served = await tab.page.evaluate(([o]) => window.download("auto", "auto-folder", o), [{ repo: f.repo, path: f.path }]);
        equal(served.fromCache, true, "served from the cache");
        equal(served.sha256, f.sha256, "cached bytes");
      }),
    );

    await step("auto in a Web Worker without createWritable (as Safari before 26) is OPFS written through sync access handles; a page reads what it stored", () =>
      inContext(async (context) => {
        const f = fixture("xet-small.bin");
        const tab = await openTab(context);
        const out = await tab.page.evaluate(([o]) => window.inWorker("worker-folder", o, true), [{ repo: f.repo, path: f.path }]);
        equal(out.hasCreateWritable, false, "the Worker had no createWritable");
        equal(out.warnings.length, 0, `no warning: ${out.warnings.join("; ")}`);
        equal(out.first.fromCache, false, "the Worker's first download is fetched");
        equal(out.first.sha256, f.sha256, "its bytes");
        equal(out.second.fromCache, true, "the Worker's second download is served from the cache");
        equal(out.second.sha256, f.sha256, "the cached bytes");
        const keys = await tab.page.evaluate(() => window.rawKeys("opfs", "worker-folder"));
        equal(blobKeysOf(keys, f.sha256).length, 1, `the blob is in OPFS (${keys.join(", ")})`);
        equal(tempKeys(keys).length, 0, `no temporary blob left (${keys.join(", ")})`);
        const inPage = await tab.page.evaluate(([o]) => window.download("opfs", "worker-folder", o), [{ repo: f.repo, path: f.path }]);
        equal(inPage.fromCache, true, "the page is served what the Worker stored");
        equal(inPage.sha256, f.sha256, "the bytes the page reads");
      }),
    );

    for (const mode of ["opfs", "indexeddb"]) {
      const dir = `cache-browser-${mode}`;

      await step(`${mode}: a second download (a new page, as after a reload) is served from the cache: main costs one metadata request, a commit id none`, () =>
        inContext(async (context) => {
          for (const path of ["xet-small.bin", "lfs-legacy.bin", "config.json"]) {
            const f = fixture(path);
            const first = await openTab(context);
            const fetched = await first.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo: f.repo, path }]);
            equal(fetched.fromCache, false, `${path}: the first download is not from the cache`);
            equal(fetched.sha256, f.sha256, `${path}: the first download's bytes`);
            equal(fetched.warnings.length, 0, `${path}: no warning (${JSON.stringify(fetched.warnings)})`);
            ok(first.requests.some((r) => r.startsWith("GET ") && !r.includes("/revision/")), `${path}: the first download fetched the file`);
            await first.page.close();

            const again = await openTab(context);
            const served = await again.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo: f.repo, path }]);
            equal(served.fromCacheAtStart, true, `${path}: served from the cache`);
            equal(served.sha256, f.sha256, `${path}: the cached bytes`);
            equal(served.commit, ctx.manifest.modelMainSha, `${path}: the commit`);
            equal(again.requests.length, 1, `${path}: one request, main's commit (${again.requests.join(", ")})`);
            ok(again.requests[0].includes("/revision/main"), `${path}: the one request asks for main's commit: ${again.requests[0]}`);
            const pinned = await again.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo: f.repo, path, revision: ctx.manifest.modelMainSha }]);
            equal(pinned.fromCacheAtStart, true, `${path}: at its commit id, from the cache`);
            equal(pinned.sha256, f.sha256, `${path}: the cached bytes at the commit id`);
            equal(again.requests.length, 1, `${path}: a commit id costs no request (${again.requests.join(", ")})`);
            await again.page.close();
          }
        }),
      );

      await step(`${mode}: a page closed mid-download leaves no entry: no blob, nothing in scan(), the next download is not from the cache`, () =>
        inContext(async (context) => {
          const f = fixture("xet-multi-xorb.bin");
          const closing = await openTab(context);
          await closing.page.evaluate(([m, d, o]) => window.startPartial(m, d, o), [mode, dir, { repo: f.repo, path: f.path }]);
          await closing.page.waitForFunction(() => window.firstChunk > 0, null, WAIT);
          await closing.page.close();

          const next = await openTab(context);
          // The closed page's locks go with it; wait for that, so this page sees it gone.
          await until(next.page, async () => (await window.lockNames()).held.length === 0, null, "the closed page's locks to go");
          const scan = await next.page.evaluate(([m, d]) => window.scan(m, d), [mode, dir]);
          const files = scan.repos.flatMap((r) => r.revisions.flatMap((v) => v.files.map((x) => x.path)));
          ok(!files.includes(f.path), `scan() lists ${f.path}: ${JSON.stringify(scan)}`);
          const keys = await next.page.evaluate(([m, d]) => window.rawKeys(m, d), [mode, dir]);
          equal(blobKeysOf(keys, f.sha256).length, 0, `no blob stored (${keys.join(", ")})`);
          // The store swept the dead writer's temporary file when it opened (no Web Lock held for it).
          equal(tempKeys(keys).length, 0, `no temporary blob left (${keys.join(", ")})`);
          const fetched = await next.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo: f.repo, path: f.path }]);
          equal(fetched.fromCache, false, "the next download is fetched");
          equal(fetched.sha256, f.sha256, "its bytes");
          const after = await next.page.evaluate(([m, d]) => window.rawKeys(m, d), [mode, dir]);
          equal(blobKeysOf(after, f.sha256).length, 1, `the complete download is stored (${after.join(", ")})`);
        }),
      );

      await step(`${mode}: a moved main is revalidated: the new bytes are fetched and served`, () =>
        inContext(async (context) => {
          const { repo, commit, first } = await ownRepo({ "a.txt": "first version\n" });
          const tab = await openTab(context);
          const get = () => tab.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo, path: "a.txt" }]);
          const fetched = await get();
          equal(fetched.fromCache, false, "first download fetched");
          equal(fetched.text, "first version\n", "first content");
          equal(fetched.commit, first, "at the first commit");
          const cached = await get();
          equal(cached.fromCache, true, "then served from the cache");
          equal(cached.text, "first version\n", "cached content");
          const second = await commit({ "a.txt": "second version\n" });
          ok(second !== first, "main moved");
          const moved = await get();
          equal(moved.fromCache, false, "the new a.txt is fetched");
          equal(moved.commit, second, "at the new commit");
          equal(moved.text, "second version\n", "the new content");
          const again = await get();
          equal(again.fromCache, true, "the new a.txt is then cached");
          equal(again.text, "second version\n", "the new content from the cache");
        }),
      );

      await step(`${mode}: two tabs fetching one file at once store one blob; the second waits on the Web Lock and is served from the cache`, () =>
        inContext(async (context) => {
          const f = fixture("xet-multi-xorb.bin");
          const [a, b] = [await openTab(context), await openTab(context)];
          const options = { repo: f.repo, path: f.path };
          // Tab A starts and holds the blob's lock, its first chunk read.
          await a.page.evaluate(([m, d, o]) => window.startPartial(m, d, o), [mode, dir, options]);
          await a.page.waitForFunction(() => window.firstChunk > 0, null, WAIT);
          // Tab B starts the same file while A is under way: it must wait for A's lock.
          const bDone = b.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, options]);
          // (Locks are per origin: a pending one is B's, A holds the lock. The page counts what B sent
          // at that moment, in order with its own steps.)
          const bSentWhileWaiting = await until(b.page, async () => {
            const waiting = (await window.lockNames()).pending.some((n) => n.startsWith("hubwasm-cache-blob:"));
            return waiting && window.sent.length;
          }, null, "tab B to wait for the blob's Web Lock");
          await a.page.evaluate(() => window.resume());
          const fromA = await a.page.evaluate(() => window.partial);
          const fromB = await bDone;
          equal(fromA.sha256, f.sha256, "tab A's bytes");
          equal(fromB.sha256, f.sha256, "tab B's bytes");
          equal(fromA.fromCache, false, "tab A fetched the file");
          equal(fromB.fromCacheAtStart, false, "tab B started as a fetch");
          equal(fromB.fromCache, true, "tab B was served from the cache");
          const bSent = await b.page.evaluate(() => window.sent);
          equal(bSent.length, bSentWhileWaiting, `tab B sent nothing after waiting (${bSent.slice(bSentWhileWaiting).join(", ")})`);
          // Chromium's own count: B asked only for metadata (main's commit, the file's resolve
          // answer); A also fetched the content (a Xet read token, the reconstruction, the xorbs).
          const metadata = (r) => r.includes("/revision/main") || r.includes(`/resolve/${ctx.manifest.modelMainSha}/`);
          ok(b.requests.every(metadata), `tab B fetched no file content: ${b.requests.join(", ")}`);
          ok(a.requests.some((r) => !metadata(r)), `tab A fetched the content: ${a.requests.join(", ")}`);
          const keys = await a.page.evaluate(([m, d]) => window.rawKeys(m, d), [mode, dir]);
          equal(blobKeysOf(keys, f.sha256).length, 1, `one blob (${keys.join(", ")})`);
          equal(tempKeys(keys).length, 0, `no temporary blob left (${keys.join(", ")})`);
          const scan = await a.page.evaluate(([m, d]) => window.scan(m, d), [mode, dir]);
          const blobs = new Set(scan.repos.filter((r) => r.repo === f.repo).flatMap((r) => r.revisions.flatMap((v) => v.files.filter((x) => x.path === f.path).map((x) => x.blob))));
          equal(blobs.size, 1, `scan() shows one blob for ${f.path}: ${[...blobs]}`);
          ok(keys.some((k) => k.includes(repoFolder(f.repo))), "the blob is in the repo's folder");
        }),
      );

      await step(`${mode}: cacheSizeLimit evicts the least recently used blob (a read counts as a use)`, () =>
        inContext(async (context) => {
          const [a, b, c] = ["xet-small.bin", "lfs-legacy.bin", "config.json"].map(fixture);
          const limit = { cacheSizeLimit: a.size + b.size + c.size - 1 };
          const tab = await openTab(context);
          const get = (f) => tab.page.evaluate(([m, d, o, e]) => window.download(m, d, o, e), [mode, dir, { repo: f.repo, path: f.path }, limit]);
          equal((await get(a)).fromCache, false, `${a.path} fetched`);
          equal((await get(b)).fromCache, false, `${b.path} fetched`);
          const read = await get(a);
          equal(read.fromCache, true, `${a.path} read again, from the cache`);
          equal(read.sha256, a.sha256, `${a.path} bytes`);
          // Storing config.json takes the blobs past the limit: lfs-legacy.bin, stored after
          // xet-small.bin but read before it, is the least recently used.
          const third = await get(c);
          equal(third.fromCache, false, `${c.path} fetched`);
          equal(third.sha256, c.sha256, `${c.path} bytes`);
          const keys = await tab.page.evaluate(([m, d]) => window.rawKeys(m, d), [mode, dir]);
          equal(blobKeysOf(keys, a.sha256).length, 1, `${a.path} kept (${keys.join(", ")})`);
          equal(blobKeysOf(keys, b.sha256).length, 0, `${b.path} evicted (${keys.join(", ")})`);
          const gone = await get(b);
          equal(gone.fromCache, false, `${b.path} is fetched again`);
          equal(gone.sha256, b.sha256, `${b.path} bytes`);
        }),
      );

      await step(`${mode}: a full quota (Chromium's quota for the origin set below the file): the download succeeds uncached and onWarning gets a CacheError caused by QuotaExceededError`, () =>
        inContext(async (context) => {
          const f = fixture("xet-small.bin");
          const tab = await openTab(context);
          const cdp = await context.newCDPSession(tab.page);
          await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize: 256 * 1024 });
          const fetched = await tab.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo: f.repo, path: f.path }]);
          equal(fetched.sha256, f.sha256, "the bytes");
          equal(fetched.fromCache, false, "fetched");
          const quota = fetched.warnings.filter((w) => w.name === "CacheError" && w.cause === "QuotaExceededError");
          ok(quota.length >= 1, `a CacheError caused by QuotaExceededError: ${JSON.stringify(fetched.warnings)}`);
          const keys = await tab.page.evaluate(([m, d]) => window.rawKeys(m, d), [mode, dir]);
          equal(blobKeysOf(keys, f.sha256).length, 0, `no blob stored (${keys.join(", ")})`);
          const again = await tab.page.evaluate(([m, d, o]) => window.download(m, d, o), [mode, dir, { repo: f.repo, path: f.path }]);
          equal(again.fromCache, false, "the next download is fetched again");
          equal(again.sha256, f.sha256, "its bytes");
          await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url });
        }),
      );
    }
  } catch (error) {
    results.push({ name: "cache-browser: the harness itself", ok: false, error: error?.stack ?? String(error) });
  } finally {
    await browser.close();
    await server.close();
  }
}

process.exitCode = report("cache-browser", results);
