// Downloads of one large Xet file from localhub, side by side in one run (figures, not
// assertions): hubwasm's HubClient.downloadFile(...).stream(), @huggingface/hub's
// downloadFile(...).stream() and Python's hf_hub_download (hf_xet). Each download runs in a fresh
// process so its peak RSS growth is its own; rounds are interleaved so drift hits every client
// alike. A first, unmeasured round checks each client's bytes against the sha256 Python computed
// when it wrote the file (seed_download.py).
//
// Usage: node download.mjs HUB_URL SEED_JSON  (cargo xtask bench starts localhub and seeds it)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [hubUrl, seedPath] = process.argv.slice(2);
const seed = JSON.parse(readFileSync(seedPath, "utf8"));
const python = process.env.BENCH_PYTHON ?? "python3";
const token = "hf_localhub_demo_read_token";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = fileURLToPath(new URL(".", import.meta.url));

const clients = {
  hubwasm: (env) => run("node", ["download_js.mjs", "hubwasm", hubUrl, seed.repo, seed.path, token], env),
  "@huggingface/hub": (env) => run("node", ["download_js.mjs", "huggingface", hubUrl, seed.repo, seed.path, token], env),
  "python hf_hub_download": (env) => run(python, ["download_py.py", hubUrl, seed.repo, seed.path, token], env),
  // The transfer alone (no decoding, no check): what fetch itself costs in this runtime.
  "node fetch, no client": (env) => run("node", ["download_js.mjs", "fetch", hubUrl, seed.repo, seed.path, token], env),
};

function run(command, args, env = {}) {
  const out = execFileSync(command, args, { cwd: here, env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  return JSON.parse(out.toString().trim().split("\n").pop());
}

const mib = (bytes) => (bytes / (1024 * 1024)).toFixed(1);
console.log(`download bench: ${seed.repo}/${seed.path}, ${mib(seed.size)} MiB Xet file written by hf_xet, localhub at ${hubUrl}`);

for (const [name, go] of Object.entries(clients)) {
  if (name === "node fetch, no client") continue; // its bytes are the serialized xorbs, not the file
  const r = go({ CHECK: "1" });
  const verdict = r.bytes === seed.size && r.sha256 === seed.sha256 ? "byte-identical" : `WRONG (${r.bytes} bytes, ${r.sha256})`;
  console.log(`  check ${name.padEnd(24)} ${verdict}`);
}

const results = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, go] of Object.entries(clients)) {
    const r = go();
    if (r.bytes !== seed.size && name !== "node fetch, no client") throw new Error(`${name} delivered ${r.bytes} of ${seed.size} bytes`);
    results[name].push(r);
    const cpu = `${r.cpuSeconds.toFixed(2)} s CPU`;
    console.log(`  round ${round} ${name.padEnd(24)} ${(r.bytes / 1e6 / r.seconds).toFixed(0).padStart(5)} MB/s  ${cpu}  RSS +${mib(r.rssGrowth)} MiB`);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    {
      mbps: median(rs.map((r) => r.bytes / 1e6 / r.seconds)),
      cpu: median(rs.map((r) => r.cpuSeconds)),
      rss: Math.max(...rs.map((r) => r.rssGrowth)),
    },
  ]),
);
// CPU seconds (every thread, user + system) are steadier than wall time on a loaded machine.
console.log(`\n  median of ${ROUNDS} rounds           MB/s   CPU s   peak RSS growth`);
for (const [name, s] of Object.entries(summary)) {
  console.log(`  ${name.padEnd(30)} ${s.mbps.toFixed(0).padStart(5)}   ${s.cpu.toFixed(2).padStart(5)}   +${mib(s.rss)} MiB`);
}
const ours = summary.hubwasm.mbps;
console.log(`  hubwasm / @huggingface/hub: ${(ours / summary["@huggingface/hub"].mbps).toFixed(2)}x (target >= 1.5x)`);
console.log(`  hubwasm / python:           ${(ours / summary["python hf_hub_download"].mbps).toFixed(2)}x (target >= 1x)`);
const cpuRatio = (name) => (summary[name].cpu / summary.hubwasm.cpu).toFixed(2);
console.log(`  CPU time, peer / hubwasm:   @huggingface/hub ${cpuRatio("@huggingface/hub")}x, python ${cpuRatio("python hf_hub_download")}x`);
console.log(`  hubwasm peak RSS growth:    ${mib(summary.hubwasm.rss)} MiB (target <= 64 MiB; fetch alone: ${mib(summary["node fetch, no client"].rss)} MiB)`);
