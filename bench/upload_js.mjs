// One timed upload of a fresh file in this process (run by upload.mjs): CLIENT is "hubwasm"
// (HubClient.uploadFile of the file as a Blob), "hubwasm-file-url" (the same given the file's
// `file:` URL, as a Node script would), "hubwasm-wasm-sha256" (the Blob with SHA-256 in wasm instead of
// node:crypto: the runtime's native digest is hidden from it) or "huggingface" (@huggingface/hub's uploadFiles, through Xet). The file is a
// file-backed Blob (fs.openAsBlob), as a page's File would be. Prints {seconds, bytes, rssGrowth}:
// RSS growth is the process's peak resident size (VmHWM) minus its size just before the upload.
// BENCH_UPLOAD_MEMORY_MIB sets hubwasm's uploadMemory (default: the SDK's own).
import { openAsBlob } from "node:fs";
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";

const [client, hubUrl, repo, filePath] = process.argv.slice(2);
const accessToken = "hf_localhub_demo_write_token";
const status = (field) => Number(readFileSync("/proc/self/status", "utf8").match(new RegExp(`${field}:\\s+(\\d+)`))[1]) * 1024;

const blob = await openAsBlob(filePath);
let upload;
if (client.startsWith("hubwasm")) {
  // hubwasm finds node:crypto through process.getBuiltinModule (src/hash/native_sha256.js).
  if (client === "hubwasm-wasm-sha256") process.getBuiltinModule = undefined;
  const { HubClient } = await import("hubwasm");
  const hub = new HubClient({ hubUrl, accessToken });
  await hub.createRepo({ repo });
  const uploadMemory = process.env.BENCH_UPLOAD_MEMORY_MIB ? Number(process.env.BENCH_UPLOAD_MEMORY_MIB) << 20 : undefined;
  const content = client === "hubwasm-file-url" ? pathToFileURL(filePath) : blob;
  upload = () => hub.uploadFile({ repo, file: { path: "big.bin", content }, uploadMemory });
} else {
  const { createRepo, uploadFiles } = await import("@huggingface/hub");
  await createRepo({ repo, hubUrl, accessToken });
  upload = () => uploadFiles({ repo, files: [{ path: "big.bin", content: blob }], hubUrl, accessToken, useXet: true });
}

const before = status("VmRSS");
const started = performance.now();
await upload();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, bytes: blob.size, rssGrowth: status("VmHWM") - before }));
