// One timed download of the benchmark file in this process (run by download.mjs): CLIENT is
// "hubwasm" (HubClient.downloadFile(...).stream()), "huggingface" (@huggingface/hub's
// downloadFile(...).stream()) or "fetch": the floor, the file's xorb ranges read one after the
// other with the runtime's own fetch, neither decoded nor verified (what any client here pays for
// the transfer alone). Prints {seconds, cpuSeconds, bytes, rssGrowth, sha256?}: cpuSeconds is the CPU
// time (user + system, every thread) the process spent during the download, RSS growth the
// process's peak resident size (VmHWM) minus its size just before the download. CHECK=1 also
// hashes the bytes as they stream (then the timing includes node:crypto's SHA-256).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const [client, hubUrl, repo, path, accessToken] = process.argv.slice(2);
const check = process.env.CHECK === "1";

const status = (field) => Number(readFileSync("/proc/self/status", "utf8").match(new RegExp(`${field}:\\s+(\\d+)`))[1]) * 1024;

let open;
if (client === "hubwasm") {
  const { HubClient } = await import("hubwasm");
  // No cache: every round must download (bench/cache.mjs measures the cache).
  const hub = new HubClient({ hubUrl, accessToken, cache: false });
  // BENCH_HUBWASM_OPTIONS: more downloadFile options as JSON, e.g. {"concurrency":2,"bufferSize":4194304}.
  const options = JSON.parse(process.env.BENCH_HUBWASM_OPTIONS ?? "{}");
  open = async () => (await hub.downloadFile({ repo, path, ...options })).stream();
} else if (client === "fetch") {
  open = () => rawXorbRanges(hubUrl, repo, path, accessToken);
} else {
  const { downloadFile } = await import("@huggingface/hub");
  open = async () => (await downloadFile({ repo, path, hubUrl, accessToken })).stream();
}

const hash = check ? createHash("sha256") : undefined;
const before = status("VmRSS");
const cpuBefore = process.cpuUsage();
const started = performance.now();
let bytes = 0;
for await (const chunk of await open()) {
  bytes += chunk.byteLength;
  hash?.update(chunk);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ seconds, cpuSeconds, bytes, rssGrowth: status("VmHWM") - before, sha256: hash?.digest("hex") }));

/** The file's serialized xorb ranges (token, V2 reconstruction, then each range), as one stream. */
async function rawXorbRanges(hubUrl, repo, path, accessToken) {
  const auth = { authorization: `Bearer ${accessToken}` };
  const token = await (await fetch(`${hubUrl}/api/models/${repo}/xet-read-token/main`, { headers: auth })).json();
  const info = await (await fetch(`${hubUrl}/api/models/${repo}/paths-info/main`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ paths: [path] }),
  })).json();
  const rec = await (await fetch(`${token.casUrl}/v2/reconstructions/${info[0].xetHash}`, {
    headers: { authorization: `Bearer ${token.accessToken}` },
  })).json();
  const ranges = Object.values(rec.xorbs).flatMap((fetches) =>
    fetches.flatMap((f) => f.ranges.map((r) => ({ url: f.url, range: `bytes=${r.bytes.start}-${r.bytes.end}` }))),
  );
  return (async function* () {
    for (const { url, range } of ranges) yield* (await fetch(url, { headers: { range } })).body;
  })();
}
