// The browser blob cache's figures (issue #11), from one run (figures, not assertions): in headless
// Chromium, a BENCH_CACHE_MIB (default 200) MiB Xet file downloaded from a localhub by a page with
// no cache, then for OPFS and for IndexedDB the first download (fetched and written to the store)
// and the second (served from the store), each in a fresh browser context (storage of its own).
// Usage: node cache-browser.mjs HUB_URL (cargo xtask bench starts a release localhub).
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveStatic } from "../js-tests/lib/browser.js";

const packageDir = fileURLToPath(new URL("../dist/npm", import.meta.url));
const [hubUrl] = process.argv.slice(2);
const WRITE_TOKEN = "hf_localhub_demo_write_token"; // localhub's built-in demo user
const MIB = Number(process.env.BENCH_CACHE_MIB ?? 200);
const size = MIB * 1024 * 1024;
const mb = (seconds) => (size / 1e6 / seconds).toFixed(0);

const PAGE = `<!doctype html><script type="module">
import { HubClient, ready } from "/pkg/browser.js";
await ready;
window.download = async (hubUrl, token, repo, cache) => {
  const hub = new HubClient({ hubUrl, accessToken: token, cache, cacheDir: "cache-bench" });
  const started = performance.now();
  const file = await hub.downloadFile({ repo, path: "big.bin" });
  const reader = file.stream().getReader();
  let bytes = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
  return { seconds: (performance.now() - started) / 1000, bytes, fromCache: file.fromCache };
};
window.__ready = true;
</script>`;

/** A fresh repo holding `big.bin` (random bytes, uploaded through hubwasm's Node entry). */
async function seed() {
  const { HubClient } = await import(join(packageDir, "node.js"));
  const hub = new HubClient({ hubUrl, accessToken: WRITE_TOKEN });
  const repo = `demo/cache-bench-${process.pid}`;
  await hub.createRepo({ repo, existOk: true });
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  await hub.uploadFile({ repo, file: { path: "big.bin", content: bytes } });
  return repo;
}

if (hubUrl === undefined) {
  console.error("usage: node cache-browser.mjs HUB_URL");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "hubwasm-cache-bench-"));
symlinkSync(packageDir, join(dir, "pkg"));
const server = await serveStatic(dir, { "/": PAGE });
const browser = await launchChromium();
try {
  const repo = await seed();
  console.log(`\n=== cache bench: Chromium, a ${MIB} MiB Xet file from localhub, one page ===`);
  const run = async (cache, rounds) => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => window.__ready === true, null, { timeout: 120_000 });
      const out = [];
      for (let i = 0; i < rounds; i++) {
        const r = await page.evaluate(([u, t, rp, c]) => window.download(u, t, rp, c), [hubUrl, WRITE_TOKEN, repo, cache]);
        if (r.bytes !== size) throw new Error(`${cache}: ${r.bytes} of ${size} bytes`);
        out.push(r);
      }
      return out;
    } finally {
      await context.close();
    }
  };
  const [uncached] = await run(false, 1);
  console.log(`${"no cache".padEnd(40)} ${mb(uncached.seconds).padStart(6)} MB/s`);
  for (const mode of ["opfs", "indexeddb"]) {
    const [first, second] = await run(mode, 2);
    if (first.fromCache || !second.fromCache) throw new Error(`${mode}: fromCache ${first.fromCache}, then ${second.fromCache}`);
    console.log(`${`${mode}, first (fetched and written)`.padEnd(40)} ${mb(first.seconds).padStart(6)} MB/s`);
    console.log(`${`${mode}, second (from the cache)`.padEnd(40)} ${mb(second.seconds).padStart(6)} MB/s`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
