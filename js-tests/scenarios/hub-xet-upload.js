// Large files committed through Xet (issue #12 items 3-5), in every runtime, against localhub.
// Every expected value comes from outside the code under test: the bytes' SHA-256 from the
// runtime's crypto.subtle, the stored sizes from localhub's own answers (HEAD on its xorbs, its
// tree listing), and in Node the downloads of @huggingface/hub and of Python's hf_hub_download
// (hf_xet) from the peers venv.
import * as hubwasm from "hubwasm";
import { equal, ok, rejects } from "../lib/assert.js";
import { addFault, clearFaults } from "../lib/faults.js";
import { hub, sha256Hex as sha256 } from "../lib/scenario.js";

const { AbortError, HubClient, InvalidInputError } = hubwasm;
const MIB = 1024 * 1024;


/** Fresh random bytes (crypto.getRandomValues takes at most 64 KiB at once). */
function randomBytes(length) {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)));
  return out;
}

/** A `fetch` that records every request: method, URL, body size, answer status. */
function recordingFetch() {
  const requests = [];
  const fetchFn = async (url, init) => {
    const body = init?.body;
    const entry = { method: init?.method ?? "GET", url: String(url), bodyBytes: body?.byteLength ?? body?.size ?? 0 };
    requests.push(entry);
    const response = await globalThis.fetch(url, init);
    entry.status = response.status;
    return response;
  };
  const cas = (method, route) => requests.filter((r) => r.method === method && new URL(r.url).pathname.includes(route));
  return { fetchFn, requests, cas };
}

/** Chunk `i` (64 KiB) of a generated stream: xorshift32 seeded by `seed` and `i`, made on demand. */
function generatedChunk(seed, i) {
  const words = new Uint32Array(16384);
  let x = (seed * 2654435761 + i * 40503 + 1) >>> 0 || 1;
  for (let k = 0; k < words.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[k] = x >>> 0;
  }
  return new Uint8Array(words.buffer);
}

/** A pull-based stream of `chunks` generated chunks; `pulled()` is how many bytes it gave so far. */
function generatedStream(seed, chunks) {
  let next = 0;
  let given = 0;
  const stream = new ReadableStream(
    {
      pull(controller) {
        if (next === chunks) return controller.close();
        const chunk = generatedChunk(seed, next++);
        given += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => given };
}

/** Whether `bytes` are exactly the generated stream's. */
function isGenerated(bytes, seed, chunks) {
  if (bytes.byteLength !== chunks * 65536) return false;
  for (let i = 0; i < chunks; i++) {
    const expected = generatedChunk(seed, i);
    const got = bytes.subarray(i * 65536, (i + 1) * 65536);
    for (let k = 0; k < 65536; k++) if (got[k] !== expected[k]) return false;
  }
  return true;
}

let repoCounter = 0;
/** A new model repo for one scenario (names never repeat across runtimes and runs). */
async function freshRepo(ctx, hubc, what) {
  const runtime = globalThis.Deno ? "deno" : globalThis.process?.versions?.node ? "node" : "web";
  const repo = `demo/xet-up-${what}-${runtime}-${Date.now().toString(36)}-${repoCounter++}`;
  await hubc.createRepo({ repo });
  return repo;
}

function writer(ctx, extra = {}) {
  // No cache (the default is "auto"): these scenarios count requests and inject faults into
  // repeated downloads of one file, so every download must go to the Hub.
  return new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.write, cache: false, ...extra });
}

async function downloaded(ctx, repo, path) {
  const file = await new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: false }).downloadFile({ repo, path });
  return new Uint8Array(await file.arrayBuffer());
}

async function pendingFaults(ctx) {
  const response = await fetch(`${ctx.hubUrl}/admin/faults`, { headers: { authorization: `Bearer ${ctx.tokens.admin}` } });
  const body = await response.json();
  return (Array.isArray(body) ? body : body.faults ?? []).filter((f) => f.count !== 0);
}

/** Bytes localhub stores for a xorb, from its own `HEAD /v1/xorbs/default/{hash}` (404: absent). */
async function storedXorbBytes(ctx, repo, xorbUrl) {
  const tokenAnswer = await fetch(`${ctx.hubUrl}/api/models/${repo}/xet-read-token/main`, {
    headers: { authorization: `Bearer ${ctx.tokens.write}` },
  });
  const { accessToken } = await tokenAnswer.json();
  const response = await fetch(xorbUrl, { method: "HEAD", headers: { authorization: `Bearer ${accessToken}` } });
  equal(response.status, 200, `localhub stores ${xorbUrl}`);
  return Number(response.headers.get("content-length"));
}

/** In Node only: the sha256 of the file as the official clients download it, each run in a child
 * process (the scenario itself stays importable by every runtime's bundler). */
function peerDownloads(ctx, repo, path) {
  if (!globalThis.process?.versions?.node || globalThis.Deno) return {};
  const childProcess = globalThis.process.getBuiltinModule?.("node:child_process");
  const jsTests = new URL("..", import.meta.url).pathname;
  const args = [ctx.hubUrl, repo, path, ctx.tokens.read];
  const js = [
    'import { createHash } from "node:crypto";',
    'import { downloadFile } from "@huggingface/hub";',
    "const [hubUrl, repo, path, accessToken] = process.argv.slice(1);",
    "const blob = await downloadFile({ repo, path, hubUrl, accessToken });",
    'console.log(createHash("sha256").update(new Uint8Array(await blob.arrayBuffer())).digest("hex"));',
  ].join("\n");
  const python = [
    "import hashlib, os, sys, tempfile",
    "os.environ['HF_HUB_DISABLE_TELEMETRY'] = '1'",
    "from huggingface_hub import hf_hub_download",
    "with tempfile.TemporaryDirectory() as cache:",
    "    p = hf_hub_download(sys.argv[2], sys.argv[3], endpoint=sys.argv[1], token=sys.argv[4], cache_dir=cache)",
    "    h = hashlib.sha256()",
    "    with open(p, 'rb') as f:",
    "        [h.update(b) for b in iter(lambda: f.read(1 << 20), b'')]",
    "print(h.hexdigest())",
  ].join("\n");
  const run = (command, argv) =>
    childProcess
      .execFileSync(command, argv, { cwd: jsTests, env: { ...globalThis.process.env, HF_XET_TELEMETRY_ENABLED: "false" } })
      .toString()
      .trim();
  return {
    js: run(globalThis.process.execPath, ["--input-type=module", "-e", js, ...args]),
    python: run(new URL("../../target/peers-venv/bin/python", import.meta.url).pathname, ["-c", python, ...args]),
  };
}

export default [
  {
    name: "hub xet upload: a 20 MiB file goes through Xet in one pass (token, dedup query, xorbs, shard) and reads back byte-identical; progress per file",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, cas } = recordingFetch();
      const hubc = writer(ctx, { fetch: fetchFn });
      const repo = await freshRepo(ctx, hubc, "big");
      const bytes = randomBytes(20 * MIB + 12345);
      const expected = await sha256(bytes);
      const events = [];
      await hubc.uploadFile({ repo, file: { path: "weights.bin", content: new Blob([bytes]) }, onProgress: (e) => events.push(e) });
      equal(cas("GET", "/xet-write-token/").length, 1, "one write token for the commit");
      ok(cas("GET", "/v1/chunks/").length >= 1, "the first chunk was asked about (global dedup)");
      const posted = cas("POST", "/v1/xorbs/default/");
      ok(posted.length >= 1, "xorbs posted");
      ok(posted.reduce((n, r) => n + r.bodyBytes, 0) >= bytes.byteLength, "every byte travelled in a xorb (random data)");
      equal(cas("POST", "/v1/shards").length, 1, "one shard");
      const [entry] = await hubc.pathsInfo({ repo, paths: ["weights.bin"] });
      equal(entry.size, bytes.byteLength, "size in the tree");
      equal(entry.lfs?.oid, expected, "LFS oid is the sha256 of the bytes");
      ok(typeof entry.xetHash === "string" && entry.xetHash.length === 64, "the tree lists a Xet hash");
      equal(await sha256(await downloaded(ctx, repo, "weights.bin")), expected, "hubwasm reads it back");
      const peers = peerDownloads(ctx, repo, "weights.bin");
      if (peers.js) equal(peers.js, expected, "@huggingface/hub reads it back");
      if (peers.python) equal(peers.python, expected, "Python hf_hub_download (hf_xet) reads it back");
      const mine = events.filter((e) => e.event === "fileProgress" && e.path === "weights.bin");
      const last = (state) => mine.filter((e) => e.state === state).pop();
      equal(last("hashing")?.loaded, bytes.byteLength, "hashing reaches the whole file");
      equal(last("uploading")?.loaded, bytes.byteLength, "uploading reaches the whole file");
      ok(mine.some((e) => e.state === "deduplicated"), "a deduplicated-bytes event");
    },
  },
  {
    name: "hub xet upload: re-uploading a 48 MiB file with 1 MiB changed in the middle stores at most 3 MiB of new data at localhub",
    async run(context) {
      const ctx = hub(context);
      const first = writer(ctx);
      const repo = await freshRepo(ctx, first, "dedup");
      const bytes = randomBytes(48 * MIB);
      await first.uploadFile({ repo, file: { path: "model.bin", content: bytes } });
      const edited = bytes.slice();
      edited.set(randomBytes(MIB), 24 * MIB);
      const { fetchFn, cas } = recordingFetch();
      const events = [];
      await writer(ctx, { fetch: fetchFn }).uploadFile({
        repo,
        file: { path: "model.bin", content: new Blob([edited]) },
        onProgress: (e) => events.push(e),
      });
      let stored = 0;
      for (const r of cas("POST", "/v1/xorbs/default/")) stored += await storedXorbBytes(ctx, repo, r.url);
      ok(stored > 0, "the changed chunks are new");
      ok(stored <= 3 * MIB, `at most 3 MiB stored anew, localhub has ${stored} new bytes`);
      const dedup = events.filter((e) => e.event === "fileProgress" && e.state === "deduplicated").pop();
      ok(dedup?.loaded >= 44 * MIB, `progress reports the deduplicated bytes (${dedup?.loaded})`);
      equal(await sha256(await downloaded(ctx, repo, "model.bin")), await sha256(edited), "the edited file reads back");
    },
  },
  {
    name: "hub xet upload: abort mid-upload rejects with AbortError, commits nothing and leaves no request running",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const hubc = writer(ctx, { fetch: fetchFn });
      const repo = await freshRepo(ctx, hubc, "abort");
      const before = (await hubc.listCommits({ repo }).next()).value?.oid;
      const controller = new AbortController();
      const bytes = randomBytes(40 * MIB);
      const upload = hubc.uploadFile({
        repo,
        file: { path: "cut.bin", content: new Blob([bytes]) },
        abortSignal: controller.signal,
        onProgress: (e) => {
          if (e.event === "fileProgress" && e.state === "hashing" && e.loaded >= 8 * MIB) controller.abort();
        },
      });
      await rejects(upload, { instanceOf: AbortError }, "aborted upload");
      const sent = requests.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      equal(requests.length, sent, "no request after the rejection");
      equal(requests.filter((r) => new URL(r.url).pathname.includes("/commit/")).length, 0, "no commit sent");
      equal((await hubc.listCommits({ repo }).next()).value?.oid, before, "the branch did not move");
    },
  },
  {
    name: "hub xet upload: 5xx and dropped connections on the CAS are retried and the file lands byte-identical",
    async run(context) {
      const ctx = hub(context);
      const hubc = writer(ctx);
      const repo = await freshRepo(ctx, hubc, "faults");
      const bytes = randomBytes(6 * MIB + 7);
      try {
        await addFault(ctx, { route: "/cas/v1/xorbs", kind: "error", status: 503, count: 1 });
        await addFault(ctx, { route: "/cas/v1/xorbs", kind: "drop", count: 1 });
        await addFault(ctx, { route: "/cas/v1/shards", kind: "error", status: 500, count: 1 });
        await addFault(ctx, { route: "/cas/v1/chunks", kind: "error", status: 502, count: 1 });
        await hubc.uploadFile({ repo, file: { path: "flaky.bin", content: bytes } });
        equal((await pendingFaults(ctx)).length, 0, "every fault fired");
      } finally {
        await clearFaults(ctx);
      }
      equal(await sha256(await downloaded(ctx, repo, "flaky.bin")), await sha256(bytes), "reads back");
    },
  },
  {
    name: "hub xet upload: a commit retried after a failed shard or commit resends no xorb localhub already has",
    async run(context) {
      const ctx = hub(context);
      const hubc = writer(ctx, { maxRetries: 0 });
      const repo = await freshRepo(ctx, hubc, "retry");
      const bytes = randomBytes(10 * MIB);
      // The shard never arrives (as if the process were killed after the xorbs).
      try {
        await addFault(ctx, { route: "/cas/v1/shards", kind: "error", status: 500, count: 100 });
        await rejects(hubc.uploadFile({ repo, file: { path: "again.bin", content: bytes } }), { status: 500 }, "the shard fails");
      } finally {
        await clearFaults(ctx);
      }
      const { fetchFn, cas } = recordingFetch();
      await writer(ctx, { fetch: fetchFn }).uploadFile({ repo, file: { path: "again.bin", content: bytes } });
      equal(cas("POST", "/v1/xorbs/default/").length, 0, "no xorb sent again after a failed shard");
      ok(cas("HEAD", "/v1/xorbs/default/").length >= 1, "localhub was asked whether it has them");
      // The commit itself fails after the xorbs and the shard are stored: the retry sends none of
      // those xorbs again. (Its plan may differ: the failed attempt's shard now answers dedup
      // queries, so a chunk the first attempt stored can be found where it was not before.)
      const edited = bytes.slice();
      edited.set(randomBytes(1000), 0);
      const failed = recordingFetch();
      try {
        await addFault(ctx, { route: `/api/models/${repo}/commit/`, kind: "error", status: 500, count: 100 });
        await rejects(
          writer(ctx, { maxRetries: 0, fetch: failed.fetchFn }).uploadFile({ repo, file: { path: "again.bin", content: edited } }),
          { status: 500 },
          "the commit fails",
        );
      } finally {
        await clearFaults(ctx);
      }
      const xorbOf = (r) => new URL(r.url).pathname.split("/").pop();
      const stored = new Set(failed.cas("POST", "/v1/xorbs/default/").map(xorbOf));
      ok(stored.size >= 1, "the failed attempt stored the edited chunks' xorb");
      const second = recordingFetch();
      await writer(ctx, { fetch: second.fetchFn }).uploadFile({ repo, file: { path: "again.bin", content: edited } });
      const resent = second.cas("POST", "/v1/xorbs/default/").filter((r) => stored.has(xorbOf(r)));
      equal(resent.length, 0, "no xorb the failed commit stored is sent again");
      equal(await sha256(await downloaded(ctx, repo, "again.bin")), await sha256(edited), "reads back");
    },
  },
  {
    name: "hub xet upload: re-uploading a multi-xorb file sends nothing: one dedup answer lists every xorb of the shard that stored it",
    async run(context) {
      const ctx = hub(context);
      const first = writer(ctx);
      const repo = await freshRepo(ctx, first, "multi");
      // uploadMemory 8 MiB closes xorbs at 2 MiB: 24 MiB of random bytes make twelve or more.
      const bytes = randomBytes(24 * MIB);
      const stored = recordingFetch();
      await writer(ctx, { fetch: stored.fetchFn }).uploadFile({
        repo,
        file: { path: "multi.bin", content: new Blob([bytes]) },
        uploadMemory: 8 * MIB,
      });
      const xorbs = stored.cas("POST", "/v1/xorbs/default/");
      ok(xorbs.length >= 12, `a multi-xorb upload (${xorbs.length} xorbs)`);
      ok(xorbs.every((r) => r.bodyBytes <= 2 * MIB), "no xorb above a quarter of uploadMemory");
      const { fetchFn, cas } = recordingFetch();
      const events = [];
      await writer(ctx, { fetch: fetchFn }).uploadFile({
        repo,
        file: { path: "again.bin", content: new Blob([bytes]) },
        uploadMemory: 8 * MIB,
        onProgress: (e) => events.push(e),
      });
      equal(cas("POST", "/v1/xorbs/default/").length, 0, "no xorb posted");
      equal(cas("HEAD", "/v1/xorbs/default/").length, 0, "no xorb even planned: the dedup answer covered the file");
      const dedup = events.filter((e) => e.event === "fileProgress" && e.state === "deduplicated").pop();
      equal(dedup?.loaded, bytes.byteLength, "every byte deduplicated");
      equal(await sha256(await downloaded(ctx, repo, "again.bin")), await sha256(bytes), "the copy reads back");
    },
  },
  {
    name: "hub xet upload: uploadMemory below 8 MiB or not a whole number is refused before any request",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const hubc = writer(ctx, { fetch: fetchFn });
      for (const uploadMemory of [MIB, -1, 8 * MIB + 0.5, "64", Number.NaN]) {
        await rejects(
          hubc.uploadFile({ repo: "demo/none", file: { path: "a.bin", content: new Uint8Array(4) }, uploadMemory }),
          { instanceOf: InvalidInputError },
          `uploadMemory ${String(uploadMemory)}`,
        );
      }
      equal(requests.length, 0, "nothing sent");
    },
  },
  {
    name: "hub xet upload: a 72 MiB ReadableStream is uploaded as it is read (not buffered first) and reads back byte-identical",
    async run(context) {
      const ctx = hub(context);
      const chunks = 72 * 16; // 72 MiB of 64 KiB chunks, generated as they are pulled
      const seed = crypto.getRandomValues(new Uint32Array(1))[0]; // fresh bytes: nothing to deduplicate
      const { stream, pulled } = generatedStream(seed, chunks);
      let pulledAtFirstXorb;
      const { fetchFn, cas } = recordingFetch();
      const watching = async (url, init) => {
        const response = await fetchFn(url, init);
        const xorbPost = init?.method === "POST" && new URL(String(url)).pathname.includes("/v1/xorbs/");
        if (xorbPost && pulledAtFirstXorb === undefined) pulledAtFirstXorb = pulled();
        return response;
      };
      const hubc = writer(ctx, { fetch: watching });
      const repo = await freshRepo(ctx, hubc, "stream");
      const events = [];
      // 8 MiB of upload memory: 4 MiB xorbs, one being sent while the next fills.
      await hubc.uploadFile({
        repo,
        file: { path: "streamed.bin", content: stream },
        uploadMemory: 8 * MIB,
        onProgress: (e) => events.push(e),
      });
      equal(pulled(), chunks * 65536, "the whole stream was read");
      ok(cas("POST", "/v1/xorbs/default/").length >= 10, "several xorbs");
      // Reading waits while a finished xorb waits for the one being sent: when the first xorb is
      // acknowledged, at most the 10 MiB read before preupload and two xorbs were read.
      ok(pulledAtFirstXorb <= 24 * MIB, `read ${pulledAtFirstXorb} bytes before the first xorb was stored`);
      const back = await downloaded(ctx, repo, "streamed.bin");
      ok(isGenerated(back, seed, chunks), "hubwasm reads back the stream's bytes");
      const [entry] = await hubc.pathsInfo({ repo, paths: ["streamed.bin"] });
      equal(entry.size, chunks * 65536, "size in the tree");
      equal(entry.lfs?.oid, await sha256(back), "LFS oid is the SHA-256 of the bytes");
      const hashed = events.filter((e) => e.event === "fileProgress" && e.state === "hashing").pop();
      equal(hashed?.loaded, chunks * 65536, "hashing progress reaches the stream's length");
    },
  },
  {
    name: "hub xet upload: a long ReadableStream still commits through LFS (useXet: false), beside a short one",
    async run(context) {
      const ctx = hub(context);
      const hubc = writer(ctx);
      const repo = await freshRepo(ctx, hubc, "stream-lfs");
      const long = generatedStream(8, 12 * 16); // 12 MiB: above the 10 MiB read before preupload
      const short = generatedStream(9, 3);
      await hubc.uploadFiles({
        repo,
        useXet: false,
        files: [
          { path: "long.bin", content: long.stream },
          { path: "short.txt", content: short.stream },
        ],
      });
      ok(isGenerated(await downloaded(ctx, repo, "long.bin"), 8, 12 * 16), "the long stream reads back");
      ok(isGenerated(await downloaded(ctx, repo, "short.txt"), 9, 3), "the short stream reads back");
      const entries = await hubc.pathsInfo({ repo, paths: ["long.bin"] });
      ok(entries[0].lfs, "the long stream is an LFS file");
    },
  },
];
