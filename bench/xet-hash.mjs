// Side-by-side throughput on the same bytes in one run (figures, not assertions):
// Xet chunk+hash and SHA-256 in wasm (hubwasm) vs @huggingface/xetchunk-wasm, hash-wasm and
// node:crypto; and the same file hashed by hf_xet (Python) and natively by hubwasm-core.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createChunker, fileHash, finalize, hashToHex, nextBlock } from "@huggingface/xetchunk-wasm";
import { createSHA256 } from "hash-wasm";
import { createXetUploadPlanner, sha256, xetHash } from "hubwasm";

const root = fileURLToPath(new URL("..", import.meta.url));
const SIZE = Number(process.env.BENCH_MIB ?? 256) * 1024 * 1024;
const SLICE = 4 * 1024 * 1024;
const ROUNDS = 3;

const data = new Uint8Array(SIZE);
{
  const words = new Uint32Array(data.buffer);
  let x = 0x2545f491;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
}

async function best(fn) {
  let seconds = Infinity;
  let result;
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    result = await fn();
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  return { seconds, result };
}

const rows = [];
function row(name, { seconds, result }, note = "") {
  rows.push({ name, mbps: SIZE / 1e6 / seconds, result, note });
}

row("hubwasm xetHash (wasm: chunk + BLAKE3)", await best(async () => (await xetHash(data, { sha256: false })).hash));
row("hubwasm xetHash (wasm: chunk + BLAKE3 + SHA-256)", await best(async () => (await xetHash(data)).hash));
row("@huggingface/xetchunk-wasm (chunk + BLAKE3)", await best(() => {
  const chunker = createChunker();
  const chunks = [];
  for (let i = 0; i < SIZE; i += SLICE) chunks.push(...nextBlock(chunker, data.subarray(i, i + SLICE)));
  const last = finalize(chunker);
  if (last) chunks.push(last);
  return hashToHex(fileHash(chunks));
}), "legacy boundary rule");
row("hubwasm XetUploadPlanner (wasm: SHA-256 + chunk + BLAKE3 + LZ4/BG4 + xorbs + shard)", await best(() => {
  const planner = createXetUploadPlanner();
  let xorbBytes = 0;
  for (let i = 0; i < SIZE; i += SLICE) {
    planner.update(data.subarray(i, i + SLICE));
    for (let x = planner.takeXorb(); x; x = planner.takeXorb()) xorbBytes += x.bytes.length;
  }
  const file = planner.finishFile();
  planner.finish();
  for (let x = planner.takeXorb(); x; x = planner.takeXorb()) xorbBytes += x.bytes.length;
  planner.free();
  return `${file.hash} (${xorbBytes} xorb bytes)`;
}), "one thread");
row("hubwasm sha256 (wasm)", await best(() => sha256(data)));
row("hash-wasm sha256", await best(async () => {
  const h = await createSHA256();
  for (let i = 0; i < SIZE; i += SLICE) h.update(data.subarray(i, i + SLICE));
  return h.digest("hex");
}));
row("node:crypto sha256 (native OpenSSL)", await best(() => createHash("sha256").update(data).digest("hex")));

const dir = mkdtempSync(join(tmpdir(), "hubwasm-bench-"));
try {
  const file = join(dir, "random.bin");
  writeFileSync(file, data);
  const python = join(root, "target/peers-venv/bin/python");
  const hfXet = await best(() => {
    const out = execFileSync(python, ["-c", `
import os, sys, time, json
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
import hf_xet
t = time.perf_counter(); r = hf_xet.hash_files([sys.argv[1]]); t = time.perf_counter() - t
print(json.dumps({"s": t, "hash": r[0].hash}))`, file], { encoding: "utf8" });
    return JSON.parse(out);
  });
  rows.push({ name: "hf_xet.hash_files (native, from disk, in-process time)", mbps: SIZE / 1e6 / hfXet.result.s, result: hfXet.result.hash, note: "all cores" });
  const xtask = join(root, "target/debug/xtask");
  row("hubwasm-core native (file read + chunk + BLAKE3)", await best(() => JSON.parse(execFileSync(xtask, ["xet-hash", "--no-sha256", file], { encoding: "utf8" })).hash), "2-thread pipeline, incl. process start");
  const hfXetUpload = await best(() => {
    const store = mkdtempSync(join(dir, "store-"));
    const out = execFileSync(python, ["-c", `
import os, sys, time, json
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
import hf_xet
t = time.perf_counter()
with hf_xet.XetSession().new_upload_commit(endpoint="local://" + sys.argv[2]) as c:
    u = c.start_upload_file(sys.argv[1])
t = time.perf_counter() - t
print(json.dumps({"s": t, "hash": u.result().xet_info.hash}))`, file, store], { encoding: "utf8" });
    rmSync(store, { recursive: true, force: true });
    return JSON.parse(out);
  });
  rows.push({ name: "hf_xet upload to local:// (chunk + hash + compress + write)", mbps: SIZE / 1e6 / hfXetUpload.result.s, result: hfXetUpload.result.hash, note: "all cores, in-process time" });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nthroughput on ${SIZE / 1024 / 1024} MiB of random bytes, best of ${ROUNDS} (MB/s, higher is better)\n`);
for (const r of rows) console.log(`${r.mbps.toFixed(0).padStart(7)}  ${r.name}${r.note ? ` [${r.note}]` : ""}  ${String(r.result).slice(0, 16)}…`);
const by = (prefix) => rows.find((r) => r.name.startsWith(prefix)).mbps;
console.log(`\nratios: xetHash / xetchunk-wasm = ${(by("hubwasm xetHash (wasm: chunk + BLAKE3)") / by("@huggingface/xetchunk-wasm")).toFixed(2)}x, ` +
  `sha256 / hash-wasm = ${(by("hubwasm sha256") / by("hash-wasm")).toFixed(2)}x, ` +
  `native / hf_xet = ${(by("hubwasm-core native") / by("hf_xet.hash_files")).toFixed(2)}x, ` +
  `wasm planner / hf_xet local upload = ${(by("hubwasm XetUploadPlanner") / by("hf_xet upload")).toFixed(2)}x`);
