// One timed download of the benchmark file in this process (run by download.mjs): CLIENT is
// "hubwasm" (HubClient.downloadFile(...).stream()) or "huggingface" (@huggingface/hub's
// downloadFile(...).stream()). Prints {seconds, bytes, rssGrowth, sha256?}: RSS growth is the
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
  const hub = new HubClient({ hubUrl, accessToken });
  open = async () => (await hub.downloadFile({ repo, path })).stream();
} else {
  const { downloadFile } = await import("@huggingface/hub");
  open = async () => (await downloadFile({ repo, path, hubUrl, accessToken })).stream();
}

const hash = check ? createHash("sha256") : undefined;
const before = status("VmRSS");
const started = performance.now();
let bytes = 0;
for await (const chunk of await open()) {
  bytes += chunk.byteLength;
  hash?.update(chunk);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, bytes, rssGrowth: status("VmHWM") - before, sha256: hash?.digest("hex") }));
