// The referee: Xet file hashes from the official hf_xet (pip) must equal hubwasm's, natively
// (hubwasm-core through `cargo xtask xet-hash`) and in wasm (this Node process), for edge sizes,
// random and repetitive content up to 300 MiB.
import { execFileSync } from "node:child_process";
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { xetHash } from "hubwasm";
import { report } from "../lib/harness.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const MiB = 1024 * 1024;

/** Seeded xorshift32 bytes: fast, and the same files on every run. */
function randomBytes(length, seed) {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

function repeated(block, length) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += block.length) out.set(block.subarray(0, Math.min(block.length, length - i)), i);
  return out;
}

const files = [
  ...[0, 1, 8191, 8192, 65536, 131072, 131073].map((n) => [`edge-${n}`, () => randomBytes(n, n + 1)]),
  ["random-1234567", () => randomBytes(1_234_567, 11)],
  ["random-37MiB+13", () => randomBytes(37 * MiB + 13, 12)],
  ["random-300MiB-7", () => randomBytes(300 * MiB - 7, 13)],
  ["constant-5MiB", () => new Uint8Array(5 * MiB).fill(59)],
  ["repeated-1MiB-block-x20", () => repeated(randomBytes(MiB, 14), 20 * MiB + 5)],
  ["repeated-text", () => repeated(new TextEncoder().encode("the quick brown fox jumps over the lazy dog\n"), 3 * MiB)],
  ["sparse-edits", () => {
    const data = randomBytes(16 * MiB, 15);
    for (let i = 0; i < data.length; i += 999_983) data.fill(0, i, i + 4096);
    return data;
  }],
];

const dir = mkdtempSync(join(tmpdir(), "hubwasm-peers-"));
const results = [];
try {
  const paths = files.map(([name, make]) => {
    const path = join(dir, name);
    writeFileSync(path, make());
    return path;
  });
  const jsonLines = (out) => out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * MiB });
  const referee = jsonLines(run(join(root, "target/peers-venv/bin/python"), [join(root, "peers/hf_xet_hashes.py"), ...paths]));
  const native = jsonLines(run("cargo", ["xtask", "xet-hash", ...paths]));

  for (const [i, path] of paths.entries()) {
    const name = files[i][0];
    const started = Date.now();
    try {
      const wasm = await xetHash(await openAsBlob(path));
      const want = referee[i];
      if (want.path !== path || native[i].path !== path) throw new Error("results out of order");
      const problems = [];
      if (native[i].hash !== want.hash) problems.push(`native ${native[i].hash}`);
      if (wasm.hash !== want.hash) problems.push(`wasm ${wasm.hash}`);
      if (wasm.size !== want.size || native[i].size !== want.size) problems.push(`size ${wasm.size}/${native[i].size} vs ${want.size}`);
      if (wasm.sha256 !== native[i].sha256) problems.push(`sha256 wasm ${wasm.sha256} native ${native[i].sha256}`);
      if (problems.length) throw new Error(`hf_xet says ${want.hash}; ${problems.join(", ")}`);
      results.push({ name: `${name}: ${want.hash.slice(0, 16)}… (${want.size} bytes, ${wasm.chunks.length} chunks)`, ok: true, ms: Date.now() - started });
    } catch (error) {
      results.push({ name, ok: false, ms: Date.now() - started, error: error.stack });
    }
  }
} catch (error) {
  results.push({ name: "running the peers", ok: false, ms: 0, error: error.stack });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = report("hf_xet referee", results);
