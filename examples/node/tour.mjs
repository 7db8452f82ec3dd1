// A tour of hubwasm, run by `cargo xtask demo`. Each section shows one capability as a user
// would call it; later features add sections here.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSha256, createXetUploadPlanner, EntryNotFoundError, HubClient, InvalidInputError, sha256, xetHash } from "hubwasm";

// HubClient caches downloads by default (on Node in the Hugging Face cache folder, shared with
// Python); the tour's files come from a throwaway localhub, so it keeps them in a folder of its own.
const tourCache = mkdtempSync(join(tmpdir(), "hubwasm-tour-cache-"));
process.env.HF_HUB_CACHE = tourCache;
process.on("exit", () => rmSync(tourCache, { recursive: true, force: true }));

const mib = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

console.log("hubwasm tour — one WebAssembly module for browsers, Workers, Deno and Node\n");

// 1. SHA-256, the digest Git LFS names files by, over any byte source.
console.log("1. SHA-256 (Git LFS object ids)");
const text = new TextEncoder().encode("hello from hubwasm\n");
console.log(`   sha256(Uint8Array)     ${await sha256(text)}`);
console.log(`   sha256(Blob)           ${await sha256(new Blob([text]))}`);
const stream = new Blob([text]).stream();
console.log(`   sha256(ReadableStream) ${await sha256(stream)}`);

const size = 64 * 1024 * 1024;
const big = new Uint8Array(size);
for (let i = 0; i < size; i += 4096) big[i] = i & 0xff;
const started = performance.now();
const digest = await sha256(new Blob([big]));
const seconds = (performance.now() - started) / 1000;
console.log(`   ${mib(size)} MiB Blob         ${digest}  (${(size / 1e6 / seconds).toFixed(0)} MB/s, yielding to the event loop as it goes)`);

const hasher = createSha256();
for (const word of ["hello ", "from ", "hubwasm\n"]) hasher.update(new TextEncoder().encode(word));
console.log(`   createSha256() pieces  ${hasher.digest()}  (${hasher.bytesHashed} bytes, same digest)`);

// 2. Xet: the content-defined chunks and file hash the Hub names large files by (xetHash in tree
//    listings, X-Xet-Hash on downloads), byte-identical to the official hf_xet.
console.log("\n2. Xet file hashes and deduplication");
const original = new Uint8Array(8 * 1024 * 1024);
let x = 2463534242;
for (let i = 0; i < original.length; i++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  original[i] = x & 0xff;
}
const xetStarted = performance.now();
const digest1 = await xetHash(new Blob([original]));
const xetSeconds = (performance.now() - xetStarted) / 1000;
console.log(`   xetHash(8 MiB Blob)    ${digest1.hash}`);
console.log(`                          ${digest1.chunks.length} chunks, sha256 ${digest1.sha256.slice(0, 16)}…, ${(original.length / 1e6 / xetSeconds).toFixed(0)} MB/s`);
const edited = original.slice();
edited.fill(0, 4_000_000, 4_000_016); // a 16-byte edit in the middle
const digest2 = await xetHash(edited);
const known = new Set(digest1.chunks.map((c) => c.hash));
const reused = digest2.chunks.filter((c) => known.has(c.hash));
const reusedBytes = reused.reduce((n, c) => n + c.size, 0);
console.log(`   after a 16-byte edit   ${digest2.hash}`);
console.log(`                          ${reused.length}/${digest2.chunks.length} chunks unchanged: ${mib(reusedBytes)} of ${mib(edited.length)} MiB would not be uploaded again`);
const legacy = await xetHash(original, { boundaryRule: "legacy" });
console.log(`   huggingface.js's legacy boundary rule: ${legacy.hash === digest1.hash ? "same hash on this input" : "a different hash: " + legacy.hash}`);

// 3. Typed errors: every failure is a HubError subclass with a stable `name` and `code`.
console.log("\n3. Typed errors");
try {
  await sha256("not bytes");
} catch (error) {
  console.log(`   ${error.name} (code ${error.code}, instanceof InvalidInputError: ${error instanceof InvalidInputError})`);
  console.log(`   message: ${error.message}`);
}

// 4. An upload through Xet to a local Hub, and the file back. `cargo xtask demo` starts localhub;
//    the low-level planner does all the Xet work in wasm and the HTTP calls are written out here;
//    section 7 shows HubClient doing the same in one call (with retries, progress and abort).
const hub = process.env.LOCALHUB_URL;
if (hub) {
  console.log(`\n4. Upload through Xet to localhub (${hub}), then download`);
  const auth = { Authorization: "Bearer hf_localhub_demo_write_token" };
  const call = async (url, init = {}) => {
    const response = await fetch(url, { ...init, headers: { ...auth, ...init.headers } });
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${response.status} ${await response.text()}`);
    return response;
  };
  // 409: the repo is there from an earlier run against the same localhub; its files are replaced.
  const created = await fetch(`${hub}/api/repos/create`, { method: "POST", headers: auth, body: JSON.stringify({ name: "tour", organization: "demo" }) });
  if (!created.ok && created.status !== 409) throw new Error(`create demo/tour: ${created.status} ${await created.text()}`);
  const { casUrl, accessToken } = await (await call(`${hub}/api/models/demo/tour/xet-write-token/main`)).json();
  const cas = { Authorization: `Bearer ${accessToken}` };
  const edited = original.slice();
  edited.set(new TextEncoder().encode("edited in place!"), 4_000_000);
  const planner = createXetUploadPlanner();
  let sent = 0;
  const sendXorbs = async () => {
    for (let xorb = planner.takeXorb(); xorb; xorb = planner.takeXorb()) {
      await fetch(`${casUrl}/v1/xorbs/default/${xorb.hash}`, { method: "POST", headers: cas, body: xorb.bytes });
      sent += xorb.bytes.length;
    }
  };
  const files = [];
  for (const [path, bytes] of [["weights.bin", original], ["weights-edited.bin", edited]]) {
    for (let i = 0; i < bytes.length; i += 1 << 20) planner.update(bytes.subarray(i, i + (1 << 20)));
    files.push({ path, bytes, ...planner.finishFile() });
    await sendXorbs();
  }
  const shard = planner.finish();
  await sendXorbs();
  await call(`${casUrl}/v1/shards`, { method: "POST", headers: cas, body: shard });
  const stats = planner.stats;
  console.log(`   planned ${mib(stats.bytesIn)} MiB in 2 files: ${stats.chunks} chunks, ${stats.deduplicatedChunks} deduplicated, ${mib(sent)} MiB of xorbs sent`);
  const lines = [{ key: "header", value: { summary: "Upload two files through Xet" } }].concat(
    files.map((f) => ({ key: "lfsFile", value: { path: f.path, algo: "sha256", oid: f.sha256, size: f.size } })),
  );
  const commit = await (await call(`${hub}/api/models/demo/tour/commit/main`, {
    method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body: lines.map((l) => JSON.stringify(l)).join("\n"),
  })).json();
  console.log(`   committed ${commit.commitOid}`);
  for (const f of files) {
    // Not following the 302 shows the Hub's own headers (the redirect goes to storage).
    const head = await fetch(`${hub}/demo/tour/resolve/main/${f.path}`, { method: "HEAD", redirect: "manual" });
    const back = new Uint8Array(await (await fetch(`${hub}/demo/tour/resolve/main/${f.path}`)).arrayBuffer());
    const same = back.length === f.bytes.length && back.every((b, i) => b === f.bytes[i]);
    console.log(`   ${f.path.padEnd(19)} X-Xet-Hash ${head.headers.get("x-xet-hash") === f.hash ? "= planner's hash" : "differs!"}, downloaded ${same ? "byte-identical" : "DIFFERENT"}`);
  }

  // 5. HubClient: the repo's info and files, and a Xet file streamed back with progress. Every
  //    chunk is decompressed and verified in wasm; bytes arrive in order, memory stays bounded.
  console.log("\n5. HubClient: info, listing, a streamed Xet download");
  const client = new HubClient({ hubUrl: hub, accessToken: "hf_localhub_demo_read_token" });
  const info = await client.modelInfo({ repo: "demo/tour" });
  console.log(`   modelInfo              ${info.id} at ${info.sha.slice(0, 12)}, ${info.siblings.length} files`);
  for await (const entry of client.listFiles({ repo: "demo/tour", recursive: true })) {
    const storage = entry.xetHash ? `xet ${entry.xetHash.slice(0, 12)}…` : entry.lfs ? "lfs" : "git";
    console.log(`   listFiles              ${entry.path.padEnd(19)} ${String(entry.size).padStart(8)} bytes  ${storage}`);
  }
  let reported = -1;
  const file = await client.downloadFile({
    repo: "demo/tour",
    path: "weights-edited.bin",
    onProgress: ({ loaded, total }) => {
      const percent = Math.floor((100 * loaded) / total);
      if (percent >= reported + 25) {
        reported = percent;
        console.log(`   downloadFile progress  ${String(percent).padStart(3)}%  (${mib(loaded)} of ${mib(total)} MiB)`);
      }
    },
  });
  const streamStarted = performance.now();
  const streamHash = createSha256();
  for await (const chunk of file.stream()) streamHash.update(chunk);
  const streamSeconds = (performance.now() - streamStarted) / 1000;
  const expected = files.find((f) => f.path === "weights-edited.bin");
  console.log(`   stream() sha256        ${streamHash.digest() === expected.sha256 ? "= the uploaded file's" : "DIFFERS"} (xetHash ${file.xetHash.slice(0, 12)}…, ${(file.size / 1e6 / streamSeconds).toFixed(0)} MB/s)`);
  const middle = await client.downloadFile({ repo: "demo/tour", path: "weights-edited.bin", range: [4_000_000, 4_000_015] });
  console.log(`   range [4000000, 4000015] "${await middle.text()}"`);
  // The stream above stored the file in the cache; asked again, it is served from there after one
  // metadata request (is `main` still the same commit?).
  const again = await client.downloadFile({ repo: "demo/tour", path: "weights-edited.bin" });
  const againHash = createSha256();
  for await (const chunk of again.stream()) againHash.update(chunk);
  console.log(`   cache                  fromCache ${again.fromCache}, sha256 ${againHash.digest() === expected.sha256 ? "= the uploaded file's" : "DIFFERS"}`);
  // As Python 2.4 does, a Xet file's bytes sit once in the cache's shared store, blobs/{xx}/{xet hash}.
  const shared = join(tourCache, "blobs", again.xetHash.slice(0, 2), again.xetHash);
  console.log(`   cache                  xetHash ${again.xetHash === file.xetHash ? "kept" : "DIFFERS"}, shared store ${existsSync(shared) ? "blobs/" + again.xetHash.slice(0, 2) + "/" + again.xetHash.slice(0, 12) + "…" : "MISSING"}`);
  try {
    await client.downloadFile({ repo: "demo/tour", path: "missing.bin" });
  } catch (error) {
    console.log(`   a missing file         ${error.name} (instanceof EntryNotFoundError: ${error instanceof EntryNotFoundError})`);
  }

  // 6. InferenceClient: a chat reply streamed from localhub's built-in model, token by token as
  //    the bytes arrive (localhub waits 40 ms between tokens here), then the same call unstreamed.
  console.log("\n6. InferenceClient: a streamed chat reply");
  const { InferenceClient } = await import("hubwasm");
  const ai = new InferenceClient({ accessToken: "hf_localhub_demo_read_token", endpointUrl: hub });
  const question = "[[delay:40]] what does the tour stream";
  const chatStarted = performance.now();
  let reply = "";
  let firstTokenMs;
  for await (const chunk of ai.chatCompletionStream({ model: "localhub/echo-chat", messages: [{ role: "user", content: question }] })) {
    firstTokenMs ??= performance.now() - chatStarted;
    reply += chunk.choices[0]?.delta?.content ?? "";
  }
  const wholeMs = performance.now() - chatStarted;
  const unstreamed = await ai.chatCompletion({ model: "localhub/echo-chat", messages: [{ role: "user", content: question }] });
  console.log(`   chatCompletionStream   "${reply}"`);
  console.log(`   first token after      ${firstTokenMs.toFixed(0)} ms of ${wholeMs.toFixed(0)} ms; unstreamed reply ${unstreamed.choices[0].message.content === reply ? "identical" : "DIFFERS"}`);
}

// 7. Commits through HubClient: a 56 MiB file, then the same file with 1 MiB in the middle
//    rewritten, committed again on top of the first commit. The fetch passed in counts the bytes
//    sent: with Xet (the default when the Hub offers it) the second commit sends only the chunks
//    around the edit; over plain LFS it sends the whole file again.
if (hub) {
  console.log("\n7. HubClient.commit: a 56 MiB file, 1 MiB of it edited in the middle, committed again");
  let sent = 0;
  const sizeOf = (body) =>
    body == null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body instanceof Blob ? body.size : body.byteLength ?? 0;
  const counting = (url, init) => {
    sent += sizeOf(init?.body);
    return fetch(url, init);
  };
  const writer = new HubClient({ hubUrl: hub, accessToken: "hf_localhub_demo_write_token", fetch: counting });
  const repo = "demo/tour-commits";
  await writer.createRepo({ repo, existOk: true });
  const size = 56 << 20;
  const model = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(model.subarray(i, i + 65536));
  const phases = [];
  const first = await writer.uploadFile({
    repo,
    file: { path: "model.bin", content: new Blob([model]) },
    commitTitle: "Add model.bin",
    onProgress: (e) => e.event === "phase" && phases.push(e.phase),
  });
  console.log(`   commit ${first.commit.oid.slice(0, 12)}  phases ${phases.join(" → ")}`);
  console.log(`   sent ${mib(sent).padStart(5)} MiB for the ${mib(size)} MiB file`);
  const edited = model.slice();
  crypto.getRandomValues(edited.subarray(size / 2, size / 2 + 65536));
  for (let i = size / 2 + 65536; i < size / 2 + (1 << 20); i += 65536) crypto.getRandomValues(edited.subarray(i, i + 65536));
  sent = 0;
  const second = await writer.commit({
    repo,
    title: "Edit 1 MiB in the middle of model.bin",
    parentCommit: first.commit.oid,
    operations: [
      { operation: "addOrUpdate", path: "model.bin", content: new Blob([edited]) },
      { operation: "addOrUpdate", path: "NOTES.md", content: "model.bin: 1 MiB rewritten at 28 MiB\n" },
    ],
  });
  console.log(`   commit ${second.commit.oid.slice(0, 12)}  sent ${mib(sent).padStart(5)} MiB for the edited file (1.0 MiB changed)`);
  const back = await writer.downloadFile({ repo, path: "model.bin" });
  const storage = back.xetHash ? "Xet" : "LFS";
  console.log(`   downloaded model.bin   sha256 ${(await sha256(back.stream())) === (await sha256(edited)) ? "= the edited file's" : "DIFFERS"} (stored as ${storage})`);
  try {
    await writer.uploadFile({ repo, file: { path: "NOTES.md", content: "late" }, parentCommit: first.commit.oid });
  } catch (error) {
    console.log(`   a stale parentCommit   ${error.name} (${error.status}), nothing committed`);
  }
}

console.log("\nDone.");
