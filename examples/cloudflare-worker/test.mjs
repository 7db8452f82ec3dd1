// Runs the Worker under Miniflare (bundled as wrangler would) against the seeded localhub and reads
// its event stream as a browser's EventSource would: the tokens, in order, arriving one by one; and
// its /files route: a Hub file served twice (the second time from the Cache API) and by ranges.
// Usage (cargo xtask test sets the variable): HUBWASM_TEST_HUB=manifest.json node test.mjs
import { createHash } from "node:crypto";
import { Miniflare } from "../../js-tests/lib/miniflare.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { equal, ok } from "../../js-tests/lib/assert.js";
import { report, runScenarios } from "../../js-tests/lib/harness.js";
import { hubContextFromEnv } from "../../js-tests/lib/hub-context.js";
import { expectedAnswer, judgedCall, uniquePrompt } from "../../js-tests/lib/inference-checks.js";
import { bundleWorker } from "../../js-tests/lib/workerd.js";

const here = dirname(fileURLToPath(import.meta.url));
const context = hubContextFromEnv();
if (!context) {
  console.error("HUBWASM_TEST_HUB is not set: run through `cargo xtask test`");
  process.exit(1);
}
const script = await bundleWorker(join(here, "src/index.js"), { nodePaths: [join(here, "../../js-tests/node_modules")] });
const mf = new Miniflare({
  modules: true,
  scriptPath: script,
  modulesRoot: dirname(script),
  modulesRules: [
    { type: "ESModule", include: ["**/*.js"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2026-04-01",
  bindings: { HF_TOKEN: context.tokens.write, HF_INFERENCE_ENDPOINT: context.hubUrl, HF_ENDPOINT: context.hubUrl, MODEL: "localhub/echo-chat", PROVIDER: "auto" },
});

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
      const delay = 60;
      const prompt = uniquePrompt(`[[delay:${delay}]] one two three four`);
      const response = await mf.dispatchFetch(`http://localhost/?prompt=${encodeURIComponent(prompt)}`);
      equal(response.headers.get("content-type"), "text/event-stream");
      const tokens = [];
      let sawDone = false;
      for await (const e of events(response)) {
        if (e.data === "[DONE]") sawDone = true;
        else tokens.push({ token: JSON.parse(e.data).token, at: e.at });
      }
      ok(sawDone, "the stream ends with [DONE]");
      equal(tokens.map((t) => t.token).join(""), expectedAnswer(prompt), "the tokens");
      const spread = tokens.at(-1).at - tokens[0].at;
      ok(spread >= (tokens.length - 1) * delay * 0.8, `tokens passed on as they came: ${spread} ms over ${tokens.length}`);
      return { notes: [`${tokens.length} tokens over ${spread} ms (localhub ${delay} ms apart)`] };
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
    name: "GET /files serves a Hub file, the second time from the Cache API, and Range requests as 206 with the right bytes",
    async run(ctx) {
      const f = ctx.manifest.files.find((x) => x.repo === ctx.manifest.repos.model && x.path === "xet-multi-xorb.bin");
      const url = `http://localhost/files/${f.repo}/${f.path}`;
      const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
      const first = await mf.dispatchFetch(url);
      equal(first.status, 200, "first");
      equal(first.headers.get("x-hubwasm-from-cache"), "false", "the first is fetched from the Hub");
      const whole = new Uint8Array(await first.arrayBuffer());
      equal(sha256(whole), f.sha256, "the file's bytes (Python's sha256)");
      const second = await mf.dispatchFetch(url);
      equal(second.headers.get("x-hubwasm-from-cache"), "true", "the second is a Cache API hit");
      equal(sha256(new Uint8Array(await second.arrayBuffer())), f.sha256, "cached bytes");
      const MiB = 1 << 20;
      for (const [header, start, end] of [[`bytes=${4 * MiB - 10}-${4 * MiB + 9}`, 4 * MiB - 10, 4 * MiB + 9], ["bytes=-100", f.size - 100, f.size - 1], [`bytes=${f.size - 7}-`, f.size - 7, f.size - 1]]) {
        const part = await mf.dispatchFetch(url, { headers: { range: header } });
        equal(part.status, 206, header);
        equal(part.headers.get("content-range"), `bytes ${start}-${end}/${f.size}`, `${header}: content-range`);
        equal(part.headers.get("x-hubwasm-from-cache"), "true", `${header}: from the Cache API`);
        equal(sha256(new Uint8Array(await part.arrayBuffer())), sha256(whole.subarray(start, end + 1)), `${header}: bytes`);
      }
      const past = await mf.dispatchFetch(url, { headers: { range: `bytes=${f.size}-` } });
      equal(past.status, 416, "a range past the end");
      await past.arrayBuffer();
      const missing = await mf.dispatchFetch(`http://localhost/files/${f.repo}/no/such/file.bin`);
      equal(missing.status, 404, "a missing file");
      equal((await missing.json()).code, "ENTRY_NOT_FOUND", "its typed error");
    },
  },
];

try {
  process.exitCode = report("example cloudflare-worker", await runScenarios(scenarios, context));
} finally {
  await mf.dispose();
}
