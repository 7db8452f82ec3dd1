// First vs cached download of one Xet file (BENCH_CACHE_MIB, default 200 MiB, written by hf_xet into
// a release localhub) per cache backend, in MB/s (figures, not assertions): the Hugging Face cache
// folder in Node and in Deno, the memory store in Node, and the Cache API in workerd (Miniflare).
// Each backend runs in a fresh process (a fresh Miniflare for workerd) with an empty cache; a third,
// unmeasured read of the cached file is hashed and checked against the sha256 Python computed.
// Everything written (cache folders, the Worker bundle, Miniflare's storage) is deleted at the end.
//
// Usage: node cache.mjs HUB_URL SEED_JSON  (cargo xtask bench starts localhub and seeds it)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "../js-tests/lib/miniflare.js";
import { bundleWorker, workerOptions } from "../js-tests/lib/workerd.js";

const [hubUrl, seedPath] = process.argv.slice(2);
const seed = JSON.parse(readFileSync(seedPath, "utf8"));
const token = "hf_localhub_demo_read_token";
const here = fileURLToPath(new URL(".", import.meta.url));
const deno = join(here, "../js-tests/node_modules/.bin/deno");
const cleanup = [];
const scratch = (name) => {
  const dir = mkdtempSync(join(tmpdir(), `hubwasm-bench-cache-${name}-`));
  cleanup.push(dir);
  return dir;
};

function runProcess(command, args) {
  const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  const out = execFileSync(command, args, { cwd: here, env, maxBuffer: 1 << 20 });
  return JSON.parse(out.toString().trim().split("\n").pop());
}

const inProcess = (runtime, backend) => () => {
  const dir = scratch(backend);
  const script = [backend, hubUrl, seed.repo, seed.path, token, dir];
  return runtime === "node"
    ? runProcess("node", ["cache_run.mjs", ...script])
    : runProcess(deno, ["run", "--allow-read", "--allow-write", "--allow-net", "--allow-env", "cache_run.mjs", ...script]);
};

async function workerd() {
  const scriptPath = await bundleWorker(join(here, "cache_worker.js"));
  cleanup.push(dirname(scriptPath));
  const persist = scratch("miniflare");
  const mf = new Miniflare(
    workerOptions(scriptPath, { bindings: { HUB_URL: hubUrl, TOKEN: token, REPO: seed.repo, PATH: seed.path }, cachePersist: persist }),
  );
  try {
    // Timed from Node around each request: workerd's own clock stands still between I/O events.
    const request = async (query = "") => {
      const started = performance.now();
      const answer = await mf.dispatchFetch(`http://localhost/${query}`);
      const text = await answer.text();
      const seconds = (performance.now() - started) / 1000;
      try {
        return { ...JSON.parse(text), seconds };
      } catch {
        throw new Error(`the Worker answered ${answer.status}: ${text.slice(0, 500)}`);
      }
    };
    const first = await request();
    const second = await request();
    const { sha256 } = await request("?check=1");
    return { first, second, sha256 };
  } finally {
    await mf.dispose();
  }
}

const backends = {
  "HF cache folder (Node)": inProcess("node", "folder"),
  "memory store (Node)": inProcess("node", "memory"),
  "HF cache folder (Deno)": inProcess("deno", "folder"),
  "Cache API (workerd, Miniflare)": workerd,
};

const mib = (bytes) => (bytes / (1024 * 1024)).toFixed(0);
const mbps = (r) => (r.bytes / 1e6 / r.seconds).toFixed(0).padStart(6);
console.log(`cache bench: ${seed.repo}/${seed.path}, ${mib(seed.size)} MiB Xet file, localhub at ${hubUrl}`);
console.log(`  ${"backend".padEnd(32)} first (fetched)   cached   cached bytes`);
try {
  for (const [name, go] of Object.entries(backends)) {
    try {
      const { first, second, sha256 } = await go();
      const problems = [];
      if (first.fromCache || !second.fromCache) problems.push(`fromCache ${first.fromCache}/${second.fromCache}`);
      if (first.bytes !== seed.size || second.bytes !== seed.size) problems.push(`${first.bytes}/${second.bytes} bytes`);
      const verdict = sha256 === seed.sha256 ? "byte-identical" : `WRONG sha256 ${sha256}`;
      console.log(`  ${name.padEnd(32)} ${mbps(first)} MB/s   ${mbps(second)} MB/s   ${verdict} ${problems.join(" ")}`);
    } catch (e) {
      console.log(`  ${name.padEnd(32)} failed: ${String(e?.message ?? e).split("\n")[0]}`);
    }
  }
} finally {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
}
