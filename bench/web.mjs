// The web figures of issue #15, from one run (figures, not assertions; the wasm size is printed by
// the build that `cargo xtask bench` runs first):
// - in headless Chromium, `xetHash` and the upload planner on a disk-backed `File` (what a page gets
//   from <input type=file>) beside the same bytes as a `Uint8Array`, and `xetHash` through
//   hubwasm/worker, with the longest main-thread task seen during each (PerformanceObserver
//   "longtask", which reports tasks over 50 ms);
// - with a localhub, the upload of a fresh File from one page: hubwasm, hubwasm/worker and
//   @huggingface/hub's uploadFiles, MB/s and the longest main-thread task of each;
// - workerd cold start to the first answer, a Worker calling hubwasm beside an empty Worker and
//   beside Workers that stop at each stage of loading it (BENCH_COLD_SAMPLES, default 9, per stage).
// BENCH_WEB_PARTS=chromium or =workerd runs one part only; BENCH_WEB_ROUNDS (default 3) sets the rounds.
import { copyFileSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForPage, launchChromium, serveStatic } from "../js-tests/lib/browser.js";
import { bundleWorker, fetchFromWorker } from "../js-tests/lib/workerd.js";

const packageDir = fileURLToPath(new URL("../dist/npm", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));
// Usage: node web.mjs [HUB_URL]: with a localhub (cargo xtask bench starts one), uploads from the page too.
const [hubUrl] = process.argv.slice(2);
const WRITE_TOKEN = "hf_localhub_demo_write_token"; // localhub's built-in demo user
const MIB = Number(process.env.BENCH_WEB_MIB ?? 200);
const ROUNDS = Number(process.env.BENCH_WEB_ROUNDS ?? 3);
const COLD_SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 9);

const mb = (bytes, seconds) => (bytes / 1e6 / seconds).toFixed(0);

// Runs in the page: each contender ROUNDS times interleaved, best round kept; the longest task is
// the worst seen over all rounds of that contender.
const PAGE = `<!doctype html><input type="file" id="file"><input type="file" id="up0"><input type="file" id="up1"><input type="file" id="up2"><script type="module">
import { xetHash, createXetUploadPlanner } from "/pkg/browser.js";
import * as inWorker from "/pkg/worker.js";
const longest = { current: 0 };
new PerformanceObserver((list) => { for (const e of list.getEntries()) longest.current = Math.max(longest.current, e.duration); })
  .observe({ type: "longtask", buffered: false });
// 1 MiB per update(): a synchronous call is one task, and 1 MiB keeps it far under 50 ms.
const SLICE = 1024 * 1024;
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
// A macrotask without the 4 ms clamp nested zero-delay timers get.
const idle = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => { c.port1.close(); r(); }; c.port2.postMessage(null); });
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
    ["planner, Uint8Array (1 MiB slices)", () => plan(async (update) => {
      for (let at = 0; at < bytes.length; at += SLICE) { update(bytes.subarray(at, at + SLICE)); await idle(); }
    })],
    // The stream's own chunks, each 1 MiB at most, yielding once per 1 MiB fed like the bytes above.
    ["planner, File (file.stream())", () => plan(async (update) => {
      let sinceYield = 0;
      for await (const chunk of file.stream()) {
        for (let at = 0; at < chunk.length; at += SLICE) {
          const piece = chunk.subarray(at, at + SLICE);
          update(piece);
          sinceYield += piece.length;
          if (sinceYield >= SLICE) { sinceYield = 0; await idle(); }
        }
      }
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
// Uploads of a fresh File (one per contender), each into its own repo: hubwasm on the main thread,
// through hubwasm/worker, and @huggingface/hub's uploadFiles (bundled for browsers by esbuild).
window.upload = async (which, input, hubUrl, accessToken, repo) => {
  const file = document.getElementById(input).files[0];
  const { HubClient } = which === "hubwasm/worker" ? inWorker : await import("/pkg/browser.js");
  await new Promise((r) => setTimeout(r, 50));
  longest.current = 0;
  const started = performance.now();
  if (which === "@huggingface/hub") {
    const { uploadFiles } = await import("/hubjs.js");
    await uploadFiles({ repo: { type: "model", name: repo }, accessToken, hubUrl, files: [{ path: "big.bin", content: file }] });
  } else {
    await new HubClient({ hubUrl, accessToken }).uploadFile({ repo, file: { path: "big.bin", content: file } });
  }
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  return { seconds, longestTaskMs: longest.current };
};
window.__ready = true;
</script>`;

/** `size` pseudo-random bytes from `seed` (xorshift32), written at `path`. */
function writeRandom(path, size, seed) {
  const data = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  writeFileSync(path, data);
}

async function createRepo(hubUrl, name) {
  const response = await fetch(`${hubUrl}/api/repos/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${WRITE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name, type: "model" }),
  });
  if (!response.ok) throw new Error(`creating ${name}: ${response.status} ${await response.text()}`);
  return `demo/${name}`;
}

async function chromium(hubUrl) {
  const dir = mkdtempSync(join(tmpdir(), "hubwasm-web-bench-"));
  const path = join(dir, "input.bin");
  const size = MIB * 1024 * 1024;
  writeRandom(path, size, 0x2545f491);
  symlinkSync(packageDir, join(dir, "pkg"));
  if (hubUrl !== undefined) {
    // @huggingface/hub's own browser build (what its package.json "browser" field gives bundlers).
    const browserBuild = "./node_modules/@huggingface/hub/dist/browser/index.mjs";
    await bundleForPage(`export { uploadFiles } from "${browserBuild}";`, here, join(dir, "hubjs.js"));
  }
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
      ["planner, File (file.stream())", "planner, Uint8Array (1 MiB slices)"],
    ]) {
      const ratio = byName.get(bytesRow).seconds / byName.get(fileRow).seconds;
      console.log(`ratio ${fileRow} / bytes: ${ratio.toFixed(2)}x (target >= 0.9x)`);
    }
    if (hubUrl !== undefined) {
      console.log(`\n=== web bench: Chromium, upload of a fresh ${MIB} MiB File to localhub, one page ===`);
      const uploads = {};
      for (const [i, which] of ["hubwasm", "hubwasm/worker", "@huggingface/hub"].entries()) {
        const file = join(dir, `upload-${i}.bin`);
        writeRandom(file, size, 0x9e3779b9 + i * 7919 + Date.now() % 1000);
        await page.setInputFiles(`#up${i}`, file);
        const repo = await createRepo(hubUrl, `web-bench-${process.pid}-${i}`);
        const r = await page.evaluate(([w, input, url, token, name]) => window.upload(w, input, url, token, name), [which, `up${i}`, hubUrl, WRITE_TOKEN, repo]);
        uploads[which] = r;
        console.log(`${which.padEnd(20)} ${mb(size, r.seconds).padStart(6)} MB/s   longest main-thread task ${r.longestTaskMs.toFixed(0).padStart(5)} ms`);
      }
      const peer = uploads["@huggingface/hub"].seconds;
      console.log(`ratio hubwasm / @huggingface/hub: ${(peer / uploads.hubwasm.seconds).toFixed(2)}x, hubwasm/worker: ${(peer / uploads["hubwasm/worker"].seconds).toFixed(2)}x (main-thread task target <= 50 ms)`);
    }
  } finally {
    await browser.close();
    await pageServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Cold start: a fresh workerd per sample (Miniflare start, module compile, first request), and the
// same for Workers that stop at each stage of loading hubwasm, so the cost splits into its parts:
// compiling the wasm module, evaluating the package (its JS, instantiation), the first call.
// workerd freezes its clocks while a script runs, so only the outside view can time it.
async function workerdColdStart() {
  const dir = mkdtempSync(join(tmpdir(), "hubwasm-cold-"));
  copyFileSync(join(packageDir, "hubwasm_bg.wasm"), join(dir, "hubwasm_bg.wasm"));
  const entries = {
    "empty Worker": `export default { async fetch() { return Response.json("ok"); } };`,
    "+ wasm module compiled": `import wasm from "./hubwasm_bg.wasm";
export default { async fetch() { return Response.json(wasm instanceof WebAssembly.Module ? "ok" : "bad"); } };`,
    "+ instantiated, stub imports, no JS": `import wasm from "./hubwasm_bg.wasm";
const imports = {};
for (const { module, name } of WebAssembly.Module.imports(wasm)) (imports[module] ??= {})[name] = () => {};
const instance = new WebAssembly.Instance(wasm, imports);
export default { async fetch() { return Response.json(instance.exports.memory ? "ok" : "bad"); } };`,
    "+ package imported (instantiated)": `import { ready } from "hubwasm";
export default { async fetch() { await ready; return Response.json("ok"); } };`,
    "+ first call (sha256)": `import { sha256 } from "hubwasm";
export default { async fetch() { return Response.json((await sha256(new Uint8Array(3))).length === 64 ? "ok" : "bad"); } };`,
  };
  const nodePaths = [fileURLToPath(new URL("./node_modules", import.meta.url))];
  const workers = {};
  for (const [i, [name, source]] of Object.entries(entries).entries()) {
    writeFileSync(join(dir, `entry${i}.js`), `${source}\n`);
    workers[name] = await bundleWorker(join(dir, `entry${i}.js`), { nodePaths });
  }
  const samples = Object.fromEntries(Object.keys(workers).map((name) => [name, []]));
  for (let i = 0; i < COLD_SAMPLES; i++) {
    for (const [name, script] of Object.entries(workers)) {
      const started = performance.now();
      const answer = await fetchFromWorker(script);
      if (answer !== "ok") throw new Error(`${name} answered ${answer}`);
      samples[name].push(performance.now() - started);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\n=== web bench: workerd cold start (median of ${COLD_SAMPLES}, Miniflare start to first answer) ===`);
  const scriptBytes = statSync(workers["+ first call (sha256)"]).size;
  const empty = median(samples["empty Worker"]);
  let previous = empty;
  for (const name of Object.keys(workers)) {
    const ms = median(samples[name]);
    const step = name === "empty Worker" ? "" : `   step ${(ms - previous).toFixed(0).padStart(4)} ms   over empty ${(ms - empty).toFixed(0).padStart(4)} ms`;
    console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(5)} ms${step}`);
    previous = ms;
  }
  console.log(`package cost ${(median(samples["+ first call (sha256)"]) - empty).toFixed(0)} ms (goal <= 20 ms); bundled JS ${scriptBytes} bytes`);
  rmSync(dir, { recursive: true, force: true });
  for (const script of Object.values(workers)) rmSync(dirname(script), { recursive: true, force: true });
}

// BENCH_WEB_PARTS (default "chromium,workerd") picks which parts run.
const parts = new Set((process.env.BENCH_WEB_PARTS ?? "chromium,workerd").split(","));
if (parts.has("chromium")) await chromium(hubUrl);
if (parts.has("workerd")) await workerdColdStart();
