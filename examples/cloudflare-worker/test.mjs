// Runs the Worker under Miniflare (bundled as wrangler would) against the seeded localhub: reads its
// chat event stream as a browser's EventSource would (the tokens, in order, arriving one by one),
// fetches Hub files through it whole and by ranges, and commits a file through its upload route.
// Bytes are judged by the fixture manifest's SHA-256 (written by the Python client) and by
// localhub's own resolve route, never by the worker's answers.
// Usage (cargo xtask test sets the variable): HUBWASM_TEST_HUB=manifest.json node test.mjs
import { Miniflare } from "../../js-tests/lib/miniflare.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { equal, ok } from "../../js-tests/lib/assert.js";
import { report, runScenarios } from "../../js-tests/lib/harness.js";
import { hubContextFromEnv } from "../../js-tests/lib/hub-context.js";
import { expectedAnswer, judgedCall, loggedCall, uniquePrompt } from "../../js-tests/lib/inference-checks.js";
import { createHash, randomBytes } from "node:crypto";
import { bundleWorker, workerOptions } from "../../js-tests/lib/workerd.js";

const here = dirname(fileURLToPath(import.meta.url));
const context = hubContextFromEnv();
if (!context) {
  console.error("HUBWASM_TEST_HUB is not set: run through `cargo xtask test`");
  process.exit(1);
}
const UPLOAD_SECRET = `upload-${randomBytes(8).toString("hex")}`;
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const fixture = (path) => context.manifest.files.find((f) => f.repo === context.manifest.repos.model && f.path === path);
const bytesOf = async (response) => new Uint8Array(await response.arrayBuffer());
const script = await bundleWorker(join(here, "src/index.js"), { nodePaths: [join(here, "../../js-tests/node_modules")] });
const mf = new Miniflare(
  workerOptions(script, {
    bindings: {
      HF_TOKEN: context.tokens.write,
      HF_HUB_URL: context.hubUrl,
      HF_INFERENCE_ENDPOINT: context.hubUrl,
      MODEL: "localhub/echo-chat",
      PROVIDER: "auto",
      UPLOAD_SECRET,
    },
  }),
);

/** The worker's events as they arrive: `{ data, at }` each. */
async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf("\n\n")) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      yield { data, error: block.startsWith("event: error"), at: Date.now() };
    }
  }
}

const scenarios = [
  {
    name: "the worker streams the chat completion token by token",
    async run() {
      // localhub waits 150 ms between tokens: at the worker's first token it must still be sending.
      const prompt = uniquePrompt("[[delay:150]] one two three four five six seven eight");
      const response = await mf.dispatchFetch(`http://localhost/?prompt=${encodeURIComponent(prompt)}`);
      equal(response.headers.get("content-type"), "text/event-stream");
      const tokens = [];
      let sawDone = false;
      let atFirst;
      for await (const e of events(response)) {
        if (e.data === "[DONE]") sawDone = true;
        else tokens.push(JSON.parse(e.data).token);
        atFirst ??= await loggedCall(context, prompt);
      }
      ok(sawDone, "the stream ends with [DONE]");
      equal(tokens.join(""), expectedAnswer(prompt), "the tokens");
      equal(atFirst?.outcome, "streaming", "localhub was still sending when the first token reached the client");
      return { notes: [`${tokens.length} tokens; at the first, localhub had sent ${atFirst.tokensSent} of ${atFirst.tokensTotal}`] };
    },
  },
  {
    name: "a client that goes away cancels the upstream stream",
    async run() {
      const prompt = uniquePrompt("[[delay:100]] a b c d e f g h i j");
      const response = await mf.dispatchFetch(`http://localhost/?prompt=${encodeURIComponent(prompt)}`);
      const reader = response.body.getReader();
      await reader.read();
      await reader.cancel();
      const call = await judgedCall(context, prompt);
      equal(call?.outcome, "cancelled", "localhub saw the worker's request go away");
    },
  },
  {
    name: "errors reach the client as a typed error event",
    async run() {
      const response = await mf.dispatchFetch(`http://localhost/?prompt=${encodeURIComponent("[[stream-error]] x")}`);
      let error;
      for await (const e of events(response)) if (e.error) error = JSON.parse(e.data);
      equal(error?.name, "ProviderOutputError", JSON.stringify(error));
      equal(error?.code, "PROVIDER_OUTPUT");
    },
  },
  {
    name: "Hub files through the worker: whole, then from the Cache API, and by ranges (206, Content-Range)",
    async run() {
      const f = fixture("xet-multi-xorb.bin");
      // Miniflare's Cache API starts empty in each run (no persistence is configured).
      const url = `http://localhost/${f.repo}/resolve/${context.manifest.modelMainSha}/${encodeURIComponent(f.path)}`;
      const first = await mf.dispatchFetch(url);
      equal(first.status, 200, "whole file");
      equal(first.headers.get("content-length"), String(f.size), "content-length");
      equal(first.headers.get("accept-ranges"), "bytes");
      equal(first.headers.get("x-repo-commit"), context.manifest.modelMainSha, "the commit");
      equal(first.headers.get("x-cache"), "MISS", "fetched from the Hub the first time");
      const whole = await bytesOf(first);
      equal(sha256(whole), f.sha256, "the bytes Python uploaded");
      const second = await mf.dispatchFetch(url);
      equal(second.headers.get("x-cache"), "HIT", "the second request is served from the Cache API");
      equal(sha256(await bytesOf(second)), f.sha256, "cached bytes");
      const MiB = 1 << 20;
      for (const [start, end] of [[0, 99], [4 * MiB - 10, 4 * MiB + 10], [f.size - 7, f.size + 100]]) {
        const part = await mf.dispatchFetch(url, { headers: { range: `bytes=${start}-${end}` } });
        const last = Math.min(end, f.size - 1);
        equal(part.status, 206, `bytes=${start}-${end}`);
        equal(part.headers.get("content-range"), `bytes ${start}-${last}/${f.size}`, "content-range");
        equal(sha256(await bytesOf(part)), sha256(whole.subarray(start, last + 1)), `bytes ${start}-${last}`);
      }
      const open = await mf.dispatchFetch(url, { headers: { range: `bytes=${f.size - 3}-` } });
      equal(open.status, 206, "an open-ended range");
      equal(sha256(await bytesOf(open)), sha256(whole.subarray(f.size - 3)), "the last 3 bytes");
      const past = await mf.dispatchFetch(url, { headers: { range: `bytes=${f.size}-` } });
      equal(past.status, 416, "a range past the end");
      equal(past.headers.get("content-range"), `bytes */${f.size}`);
      await past.body?.cancel();
      const head = await mf.dispatchFetch(url, { method: "HEAD" });
      equal(head.headers.get("content-length"), String(f.size), "HEAD");
    },
  },
  {
    name: "Hub errors through the worker are typed JSON with the Hub's status",
    async run() {
      const missing = await mf.dispatchFetch(`http://localhost/${context.manifest.repos.model}/resolve/main/no/such/file.bin`);
      equal(missing.status, 404, "a missing file");
      equal((await missing.json()).name, "EntryNotFoundError");
      const noRepo = await mf.dispatchFetch("http://localhost/demo/no-such-repo-here/resolve/main/x.bin");
      equal(noRepo.status, 404, "a missing repo");
      equal((await noRepo.json()).name, "RepoNotFoundError");
      const bad = await mf.dispatchFetch("http://localhost/demo/bad..name/resolve/main/x.bin");
      equal(bad.status, 400, "an invalid repo id");
      equal((await bad.json()).name, "InvalidInputError");
    },
  },
  {
    name: "the upload route commits the request body, and only with the upload secret",
    async run() {
      const name = `worker-upload-${randomBytes(5).toString("hex")}`;
      const created = await fetch(`${context.hubUrl}/api/repos/create`, {
        method: "POST",
        headers: { authorization: `Bearer ${context.tokens.write}`, "content-type": "application/json" },
        body: JSON.stringify({ name, organization: "demo", type: "model" }),
      });
      equal(created.status, 200, `create demo/${name}`);
      const url = `http://localhost/demo/${name}/upload/main/weights/model.bin`;
      // Past 10 MiB, so the body goes through Xet as it is read (a stream, not bytes in memory).
      const content = randomBytes(12 * (1 << 20) + 12345);
      // Refused before the body is read: small bodies, so the client is not still sending when the
      // answer comes (undici then reports a reset instead of the answer).
      const refused = await mf.dispatchFetch(url, { method: "PUT", body: "x" });
      equal(refused.status, 401, "no secret, no upload");
      await refused.arrayBuffer();
      const wrong = await mf.dispatchFetch(url, { method: "PUT", body: "x", headers: { authorization: "Bearer nope" } });
      equal(wrong.status, 401, "a wrong secret");
      await wrong.arrayBuffer();
      const answer = await mf.dispatchFetch(url, { method: "PUT", body: content, headers: { authorization: `Bearer ${UPLOAD_SECRET}`, "x-commit-title": "From the test" } });
      const result = await answer.json();
      equal(answer.status, 201, JSON.stringify(result));
      ok(/^[0-9a-f]{40}$/.test(result.commit?.oid), `a commit id (${JSON.stringify(result)})`);
      // Read back straight from localhub, without hubwasm.
      const back = await fetch(`${context.hubUrl}/demo/${name}/resolve/${result.commit.oid}/weights/model.bin`, {
        headers: { authorization: `Bearer ${context.tokens.write}` },
      });
      equal(back.status, 200, "localhub serves the committed file");
      equal(sha256(await bytesOf(back)), sha256(content), "the committed bytes");
      const commits = await (await fetch(`${context.hubUrl}/api/models/demo/${name}/commits/main`, { headers: { authorization: `Bearer ${context.tokens.write}` } })).json();
      equal(commits[0]?.title, "From the test", "the commit title");
    },
  },
];

try {
  process.exitCode = report("example cloudflare-worker", await runScenarios(scenarios, context));
} finally {
  await mf.dispose();
}
