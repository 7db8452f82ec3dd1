// The web figures of issue #15, from one run (figures, not assertions; the wasm size is printed by
// the build that `cargo xtask bench` runs first):
// - in headless Chromium, `xetHash` and the upload planner on a disk-backed `File` (what a page gets
//   from <input type=file>) beside the same bytes as a `Uint8Array`, and `xetHash` through
//   hubwasm/worker, with the longest main-thread task seen during each (PerformanceObserver
//   "longtask", which reports tasks over 50 ms);
// - workerd cold start to the first answer, a Worker calling hubwasm beside an empty Worker.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveStatic } from "../js-tests/lib/browser.js";
import { bundleWorker, fetchFromWorker } from "../js-tests/lib/workerd.js";

const packageDir = fileURLToPath(new URL("../dist/npm", import.meta.url));
const MIB = Number(process.env.BENCH_WEB_MIB ?? 200);
const ROUNDS = 3;

const mb = (bytes, seconds) => (bytes / 1e6 / seconds).toFixed(0);

// Runs in the page: each contender ROUNDS times interleaved, best round kept; the longest task is
// the worst seen over all rounds of that contender.
const PAGE = `<!doctype html><input type="file" id="file"><script type="module">
import { xetHash, createXetUploadPlanner } from "/pkg/browser.js";
import * as inWorker from "/pkg/worker.js";
const longest = { current: 0 };
new PerformanceObserver((list) => { for (const e of list.getEntries()) longest.current = Math.max(longest.current, e.duration); })
  .observe({ type: "longtask", buffered: false });
const SLICE = 4 * 1024 * 1024;
async function plan(feed) {
  const planner = createXetUploadPlanner();
  let xorbs = 0;
  await feed((piece) => {
    planner.update(piece);
    for (let x = planner.takeXorb(); x; x = planner.takeXorb()) xorbs++;
  });
  planner.finishFile();
  planner.finish();
  for (let x = planner.takeXorb(); x; x = planner.takeXorb()) xorbs++;
  return xorbs;
}
const idle = () => new Promise((r) => setTimeout(r, 0));
window.bench = async (rounds) => {
  const file = document.getElementById("file").files[0];
  const bytes = new Uint8Array(await file.arrayBuffer());
  await inWorker.sha256(new Uint8Array(1)); // start the Worker before timing it
  const contenders = [
    ["xetHash, Uint8Array, no SHA-256", () => xetHash(bytes, { sha256: false })],
    ["xetHash, File, no SHA-256", () => xetHash(file, { sha256: false })],
    ["xetHash, Uint8Array, with SHA-256", () => xetHash(bytes)],
    ["xetHash, File, with SHA-256", () => xetHash(file)],
    ["xetHash, File, with SHA-256, hubwasm/worker", () => inWorker.xetHash(file)],
    ["planner, Uint8Array (4 MiB slices)", () => plan(async (update) => {
      for (let at = 0; at < bytes.length; at += SLICE) { update(bytes.subarray(at, at + SLICE)); await idle(); }
    })],
    ["planner, File (file.stream())", () => plan(async (update) => {
      for await (const piece of file.stream()) { update(piece); await idle(); }
    })],
  ];
  const best = contenders.map(() => ({ seconds: Infinity, longestTaskMs: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, run]] of contenders.entries()) {
      await new Promise((r) => setTimeout(r, 50));
      longest.current = 0;
      const started = performance.now();
      await run();
      const seconds = (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 50));
      best[i].seconds = Math.min(best[i].seconds, seconds);
      best[i].longestTaskMs = Math.max(best[i].longestTaskMs, longest.current);
    }
  }
  return contenders.map(([name], i) => ({ name, ...best[i] }));
};
window.__ready = true;
</script>`;

async function chromium() {
  const dir = mkdtempSync(join(tmpdir(), "hubwasm-web-bench-"));
  const path = join(dir, "input.bin");
  const size = MIB * 1024 * 1024;
  const data = Buffer.alloc(size);
  let x = 0x2545f491;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  writeFileSync(path, data);
  symlinkSync(packageDir, join(dir, "pkg"));
  const pageServer = await serveStatic(dir, { "/": PAGE });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    await page.goto(`${pageServer.url}/`);
    await page.waitForFunction(() => window.__ready === true);
    await page.setInputFiles("#file", path);
    const rows = await page.evaluate((rounds) => window.bench(rounds), ROUNDS);
    console.log(`\n=== web bench: Chromium, ${MIB} MiB, best of ${ROUNDS} ===`);
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const r of rows) {
      console.log(`${r.name.padEnd(46)} ${mb(size, r.seconds).padStart(6)} MB/s   longest main-thread task ${r.longestTaskMs.toFixed(0).padStart(4)} ms`);
    }
    for (const [fileRow, bytesRow] of [
      ["xetHash, File, no SHA-256", "xetHash, Uint8Array, no SHA-256"],
      ["xetHash, File, with SHA-256", "xetHash, Uint8Array, with SHA-256"],
      ["planner, File (file.stream())", "planner, Uint8Array (4 MiB slices)"],
    ]) {
      const ratio = byName.get(bytesRow).seconds / byName.get(fileRow).seconds;
      console.log(`ratio ${fileRow} / bytes: ${ratio.toFixed(2)}x (target >= 0.9x)`);
    }
  } finally {
    await browser.close();
    await pageServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Cold start: a fresh workerd per sample (Miniflare start, module compile, first request), the
// same for an empty Worker; the difference is what the package costs before its first answer.
async function workerdColdStart() {
  const dir = mkdtempSync(join(tmpdir(), "hubwasm-cold-"));
  writeFileSync(join(dir, "empty.js"), `export default { async fetch() { return Response.json("ok"); } };\n`);
  writeFileSync(
    join(dir, "hubwasm.js"),
    `import { sha256 } from "hubwasm";
export default { async fetch() { return Response.json((await sha256(new Uint8Array(3))).length === 64 ? "ok" : "bad"); } };\n`,
  );
  const nodePaths = [fileURLToPath(new URL("./node_modules", import.meta.url))];
  const workers = { empty: await bundleWorker(join(dir, "empty.js")), hubwasm: await bundleWorker(join(dir, "hubwasm.js"), { nodePaths }) };
  const samples = { empty: [], hubwasm: [] };
  for (let i = 0; i < 5; i++) {
    for (const [name, script] of Object.entries(workers)) {
      const started = performance.now();
      const answer = await fetchFromWorker(script);
      if (answer !== "ok") throw new Error(`${name} worker answered ${answer}`);
      samples[name].push(performance.now() - started);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [empty, withPackage] = [median(samples.empty), median(samples.hubwasm)];
  console.log(`\n=== web bench: workerd cold start (median of 5, Miniflare start to first answer) ===`);
  console.log(`empty Worker ${empty.toFixed(0)} ms   hubwasm Worker ${withPackage.toFixed(0)} ms   package cost ${(withPackage - empty).toFixed(0)} ms (goal <= 20 ms)`);
  rmSync(dir, { recursive: true, force: true });
}

await chromium();
await workerdColdStart();
