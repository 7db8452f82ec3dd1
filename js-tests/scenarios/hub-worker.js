// hubwasm/worker (issue #15 item 3): the same async API run in the package's module Web Worker, in
// the runtimes that have Web Workers (browsers, Deno); elsewhere the entry says so with a typed
// error. Every answer is compared with the main entry's, and bytes with the sha256 the Python
// client computed when it wrote the fixtures.
import * as hubwasm from "hubwasm";
import * as inWorker from "hubwasm/worker";
import { equal, ok, rejects, throws } from "../lib/assert.js";
import { inferenceChecks } from "../lib/inference-checks.js";
import { hub, sha256Hex as digest } from "../lib/scenario.js";

const hasWorkers = typeof Worker === "function";
const NO_WORKERS = { notes: ["no Web Worker in this runtime: the entry's typed refusal is checked instead"] };

const fixture = (ctx, path) => {
  const f = ctx.manifest.files.find((x) => x.repo === ctx.manifest.repos.model && x.path === path);
  ok(f, `fixture ${path} in the manifest`);
  return f;
};

/** The shared InferenceClient checks, with the client in the Worker: its streams are relayed as
 * iterators, `break` and the AbortSignal must still reach localhub, errors keep their classes. */
const inferenceInWorker = inferenceChecks("hub worker: InferenceClient", (ctx) =>
  new inWorker.InferenceClient({ accessToken: ctx.tokens.write, endpointUrl: ctx.hubUrl, maxRetries: 1 }),
).map((check) => ({
  name: check.name,
  async run(context) {
    if (!hasWorkers) return NO_WORKERS;
    const result = (await check.run(hub(context))) ?? {};
    if (check.name.includes("aborting")) ok(result.error instanceof hubwasm.AbortError, `an AbortError, got ${result.error}`);
    if (check.name.includes("inside the stream")) ok(result.error instanceof hubwasm.ProviderOutputError, `a ProviderOutputError, got ${result.error}`);
    return result;
  },
}));

export default [
  {
    name: "hub worker: xetHash and sha256 of a Blob in the Worker equal the main entry's; errors keep their classes",
    async run() {
      const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 7919) & 0xff);
      if (!hasWorkers) {
        await rejects(inWorker.sha256(bytes), { name: "InvalidStateError" }, "sha256 without Workers");
        return NO_WORKERS;
      }
      const blob = new Blob([bytes]);
      equal(await inWorker.sha256(blob), await hubwasm.sha256(bytes), "sha256");
      const [ours, main] = [await inWorker.xetHash(blob), await hubwasm.xetHash(bytes)];
      equal(JSON.stringify(ours), JSON.stringify(main), "xetHash digest");
      const error = await rejects(inWorker.sha256(42), { name: "InvalidInputError", code: "INVALID_INPUT" }, "bad input");
      ok(error instanceof hubwasm.InvalidInputError && error instanceof hubwasm.HubError, "the main entry's error classes");
      throws(() => new inWorker.HubClient({ fetch: globalThis.fetch }), { name: "InvalidInputError" }, "a custom fetch cannot cross");
    },
  },
  {
    name: "hub worker: HubClient in the Worker — info, a paginated listing, a streamed Xet download with progress, a typed missing file",
    async run(context) {
      if (!hasWorkers) return NO_WORKERS;
      const ctx = hub(context);
      const options = { hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read };
      const remote = new inWorker.HubClient(options);
      const local = new hubwasm.HubClient(options);
      const repo = ctx.manifest.repos.model;
      equal((await remote.modelInfo({ repo })).sha, (await local.modelInfo({ repo })).sha, "modelInfo");
      const paths = async (client) => {
        const out = [];
        for await (const entry of client.listFiles({ repo, recursive: true })) out.push(entry.path);
        return out.join("\n");
      };
      equal(await paths(remote), await paths(local), "listFiles");
      const f = fixture(ctx, "xet-multi-xorb.bin");
      let progressCalls = 0;
      const file = await remote.downloadFile({ repo, path: f.path, onProgress: () => progressCalls++ });
      equal(file.size, f.size, "size");
      equal(file.xetHash, (await local.fileDownloadInfo({ repo, path: f.path })).xetHash, "xetHash");
      const chunks = [];
      for await (const chunk of file.stream()) chunks.push(chunk);
      equal(await digest(await new Blob(chunks).arrayBuffer()), f.sha256, "streamed bytes");
      ok(progressCalls > 0, "onProgress was called from the Worker");
      const config = fixture(ctx, "config.json");
      equal(await (await remote.downloadFile({ repo, path: config.path })).text(), await (await local.downloadFile({ repo, path: config.path })).text(), "text()");
      const missing = await rejects(remote.downloadFile({ repo, path: "no/such/file.bin" }), { name: "EntryNotFoundError", status: 404 }, "missing file");
      ok(missing instanceof hubwasm.EntryNotFoundError, "EntryNotFoundError is the main entry's class");
      let seen = 0;
      for await (const entry of remote.listFiles({ repo, recursive: true })) {
        ok(entry.path, "an entry");
        if (++seen === 1) break; // return() reaches the Worker's iterator
      }
      remote.free();
      throws(() => remote.modelInfo({ repo }), { name: "InvalidStateError" }, "after free()");
    },
  },
  {
    name: "hub worker: an AbortSignal reaches the Worker; terminateWorker rejects pending calls and the next call starts afresh",
    async run(context) {
      if (!hasWorkers) return NO_WORKERS;
      const ctx = hub(context);
      // No cache: the abort below must meet a download from the Hub.
      const remote = new inWorker.HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: false });
      const repo = ctx.manifest.repos.model;
      const f = fixture(ctx, "xet-multi-xorb.bin");
      const controller = new AbortController();
      const file = await remote.downloadFile({ repo, path: f.path, abortSignal: controller.signal });
      const reader = file.stream().getReader();
      await reader.read();
      controller.abort();
      await rejects(
        (async () => {
          for (;;) if ((await reader.read()).done) break;
        })(),
        { name: "AbortError" },
        "aborted mid-stream",
      );
      const pending = inWorker.xetHash(new Blob([new Uint8Array(64 * 1024 * 1024)]));
      inWorker.terminateWorker();
      await rejects(pending, { name: "AbortError" }, "pending call after terminateWorker()");
      // A class constructed as the very first call of a new Worker, before its module has loaded.
      const fresh = new inWorker.HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read });
      equal((await fresh.modelInfo({ repo })).id, repo, "a new Worker answers a client made before it loaded");
      equal(await inWorker.sha256(new Uint8Array(0)), await hubwasm.sha256(new Uint8Array(0)), "and a function");
      // A bad option cannot throw in the constructor (the Worker checks it): the first call says it.
      const refused = new inWorker.HubClient({ hubUrl: 42 });
      await rejects(refused.whoAmI(), { name: "InvalidInputError" }, "a bad option, on the first call");
      inWorker.terminateWorker();
    },
  },
  ...inferenceInWorker,
];
