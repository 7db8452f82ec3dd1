// Uploads of a fresh random file to localhub, side by side in one run (figures, not assertions):
// hubwasm's HubClient.uploadFile (of a Blob; of the file's `file:` URL, read with fs as Python
// reads its path; and of the Blob with SHA-256 in wasm, to measure what the native digest saves), @huggingface/hub's uploadFiles and Python's upload_file (hf_xet), all
// through Xet. Every upload gets its own fresh random bytes (nothing to deduplicate) and its own
// repo, in a fresh process so its peak RSS growth is its own; rounds are interleaved so drift hits
// every client alike. After each upload the file is downloaded back through hubwasm and compared
// by SHA-256 in the first round.
//
// Usage: node upload.mjs HUB_URL  (cargo xtask bench starts localhub); BENCH_UPLOAD_MIB (default
// 1024) sets the size, BENCH_ROUNDS (default 2: each round stores 4 GiB at localhub) the rounds,
// BENCH_UPLOAD_CLIENTS (a comma list of the names below, e.g. "hubwasm,@huggingface/hub") the
// clients (default all; the ratios need hubwasm and its peers).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [hubUrl] = process.argv.slice(2);
const python = process.env.BENCH_PYTHON ?? "python3";
const SIZE = Number(process.env.BENCH_UPLOAD_MIB ?? 1024) * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const here = fileURLToPath(new URL(".", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "hubwasm-bench-upload-"));

const allClients = {
  hubwasm: (repo, file) => run("node", ["upload_js.mjs", "hubwasm", hubUrl, repo, file]),
  "hubwasm (file: URL)": (repo, file) => run("node", ["upload_js.mjs", "hubwasm-file-url", hubUrl, repo, file]),
  "hubwasm (wasm SHA-256)": (repo, file) => run("node", ["upload_js.mjs", "hubwasm-wasm-sha256", hubUrl, repo, file]),
  "@huggingface/hub": (repo, file) => run("node", ["upload_js.mjs", "huggingface", hubUrl, repo, file]),
  "python upload_file": (repo, file) => run(python, ["upload_py.py", hubUrl, repo, file]),
};

const wanted = process.env.BENCH_UPLOAD_CLIENTS?.split(",").map((name) => name.trim());
const clients = Object.fromEntries(Object.entries(allClients).filter(([name]) => !wanted || wanted.includes(name)));
for (const name of wanted ?? []) {
  if (!(name in allClients)) throw new Error(`BENCH_UPLOAD_CLIENTS: no client ${name} (${Object.keys(allClients).join(", ")})`);
}

function run(command, args) {
  const out = execFileSync(command, args, { cwd: here, env: process.env, maxBuffer: 1 << 20 });
  return JSON.parse(out.toString().trim().split("\n").pop());
}

/** SIZE fresh random bytes in a file; returns [path, sha256]. */
function freshFile(name) {
  const path = join(scratch, name);
  const fd = openSync(path, "w");
  const hash = createHash("sha256");
  for (let at = 0; at < SIZE; at += 16 << 20) {
    const block = randomBytes(Math.min(16 << 20, SIZE - at));
    hash.update(block);
    writeSync(fd, block);
  }
  closeSync(fd);
  return [path, hash.digest("hex")];
}

async function downloadedSha256(repo) {
  const { HubClient } = await import("hubwasm");
  const hub = new HubClient({ hubUrl, accessToken: "hf_localhub_demo_read_token", cache: false });
  const hash = createHash("sha256");
  for await (const chunk of (await hub.downloadFile({ repo, path: "big.bin" })).stream()) hash.update(chunk);
  return hash.digest("hex");
}

const mib = (bytes) => (bytes / (1024 * 1024)).toFixed(1);
console.log(`upload bench: ${mib(SIZE)} MiB of fresh random bytes per upload, localhub at ${hubUrl}`);
const results = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
const stamp = Date.now().toString(36);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, [name, go]] of Object.entries(clients).entries()) {
      const repo = `demo/bench-upload-${stamp}-${round}-${i}`;
      const [file, sha256] = freshFile(`r${round}-${i}.bin`);
      const r = go(repo, file);
      rmSync(file);
      results[name].push(r);
      let verdict = "";
      if (round === 1) verdict = (await downloadedSha256(repo)) === sha256 ? "  reads back byte-identical" : "  READS BACK WRONG";
      console.log(`  round ${round} ${name.padEnd(24)} ${(r.bytes / 1e6 / r.seconds).toFixed(0).padStart(5)} MB/s  RSS +${mib(r.rssGrowth)} MiB${verdict}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    { mbps: median(rs.map((r) => r.bytes / 1e6 / r.seconds)), rss: Math.max(...rs.map((r) => r.rssGrowth)) },
  ]),
);
console.log(`\n  median of ${ROUNDS} rounds           MB/s   peak RSS growth`);
for (const [name, s] of Object.entries(summary)) {
  console.log(`  ${name.padEnd(30)} ${s.mbps.toFixed(0).padStart(5)}   +${mib(s.rss)} MiB`);
}
const ours = summary.hubwasm;
const js = summary["@huggingface/hub"];
const py = summary["python upload_file"];
const wasmSha256 = summary["hubwasm (wasm SHA-256)"];
if (ours && js) {
  console.log(`  hubwasm / @huggingface/hub:       ${(ours.mbps / js.mbps).toFixed(2)}x (target >= 4x)`);
  console.log(`  hubwasm memory / @huggingface/hub: ${(ours.rss / js.rss).toFixed(2)} (target <= 0.5)`);
}
const oursFromPath = summary["hubwasm (file: URL)"];
if (ours && py) console.log(`  hubwasm / python:                 ${(ours.mbps / py.mbps).toFixed(2)}x (target >= 1x)`);
// Python reads the file by its path; a Node script would give hubwasm the file's URL.
if (oursFromPath && py) {
  console.log(`  hubwasm (file: URL) / python:     ${(oursFromPath.mbps / py.mbps).toFixed(2)}x (target >= 1x)`);
}
if (ours && wasmSha256) {
  console.log(`  node:crypto SHA-256 / wasm SHA-256: ${(ours.mbps / wasmSha256.mbps).toFixed(2)}x upload speed`);
}
