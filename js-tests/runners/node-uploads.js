// Upload paths only Node has (issue #12): the chunking thread (src/hash/chunk_thread.rs), local
// files read with fs (src/js/source.js) and xorbs posted through node:http (src/http/fetch.js).
// The thread is observed and broken through `process.getBuiltinModule`, which the package calls
// each time it looks for node:worker_threads. Expected Xet hashes come from the official hf_xet.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HubClient, HubError } from "hubwasm";
import { equal, ok, rejects } from "../lib/assert.js";
import { hub } from "../lib/scenario.js";

const MIB = 1024 * 1024;
const peersPython = new URL("../../target/peers-venv/bin/python", import.meta.url).pathname;
const hfXetHashes = new URL("../../peers/hf_xet_hashes.py", import.meta.url).pathname;

/** Runs `body` with the builtin module `name` (as the package finds it) replaced by `wrap(module)`. */
async function withBuiltin(name, wrap, body) {
  const outer = process.getBuiltinModule;
  process.getBuiltinModule = (wanted) => {
    const module = outer.call(process, wanted);
    return wanted === name ? wrap(module) : module;
  };
  try {
    return await body();
  } finally {
    process.getBuiltinModule = outer;
  }
}

/** Runs `body` with node:worker_threads' Worker replaced by `makeWorker(RealWorker)`. */
const withWorkerClass = (makeWorker, body) =>
  withBuiltin("node:worker_threads", (threads) => ({ ...threads, Worker: makeWorker(threads.Worker) }), body);

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

function clients(ctx) {
  const options = { hubUrl: ctx.hubUrl, cache: false };
  return { writer: new HubClient({ ...options, accessToken: ctx.tokens.write }), reader: new HubClient({ ...options, accessToken: ctx.tokens.read }) };
}

let counter = 0;
async function freshRepo(writer, what) {
  const repo = `demo/node-upload-${what}-${Date.now().toString(36)}-${counter++}`;
  await writer.createRepo({ repo });
  return repo;
}

async function downloadedSha256(reader, repo, path) {
  const file = await reader.downloadFile({ repo, path });
  return sha256(new Uint8Array(await file.arrayBuffer()));
}

/** A scratch folder with one file of `bytes`; `cleanup()` removes it. */
function scratchFile(bytes) {
  const dir = mkdtempSync(join(tmpdir(), "hubwasm-node-upload-"));
  const path = join(dir, "file.bin");
  writeFileSync(path, bytes);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const nodeUploadTests = [
  {
    name: "node upload: chunking runs on one worker thread, and the file lands byte-identical with hf_xet's Xet hash",
    async run(context) {
      const ctx = hub(context);
      const { writer, reader } = clients(ctx);
      const repo = await freshRepo(writer, "thread");
      const bytes = new Uint8Array(randomBytes(24 * MIB + 12345));
      let started = 0;
      let posted = 0;
      const countRequests = (http) => ({ ...http, request: (...args) => (posted++, http.request(...args)) });
      const upload = () => withWorkerClass(
        (Worker) =>
          class extends Worker {
            constructor(...args) {
              super(...args);
              started += 1;
            }
          },
        () => writer.uploadFile({ repo, file: { path: "big.bin", content: bytes } }),
      );
      await withBuiltin("node:http", countRequests, upload);
      equal(started, 1, "one chunking thread for the commit");
      ok(posted >= 2, `the xorbs (three of 8 MiB) were posted through node:http (${posted} requests)`);
      equal(await downloadedSha256(reader, repo, "big.bin"), sha256(bytes), "reads back");
      const { path, cleanup } = scratchFile(bytes);
      try {
        const expected = JSON.parse(execFileSync(peersPython, [hfXetHashes, path]).toString().trim());
        const [entry] = await reader.pathsInfo({ repo, paths: ["big.bin"] });
        equal(entry.xetHash, expected.hash, "the Xet hash hf_xet computes for the same bytes");
      } finally {
        cleanup();
      }
    },
  },
  {
    name: "node upload: when the worker thread cannot start, the file is chunked on the main thread and lands byte-identical",
    async run(context) {
      const ctx = hub(context);
      const { writer, reader } = clients(ctx);
      const repo = await freshRepo(writer, "no-thread");
      const bytes = new Uint8Array(randomBytes(12 * MIB + 1));
      for (const [what, makeWorker] of [
        ["a Worker constructor that throws", () => class { constructor() { throw new Error("no threads here"); } }],
        ["a worker script that fails to load", (Worker) => class extends Worker { constructor() { super("throw new Error('broken script')", { eval: true }); } }],
      ]) {
        const path = `${what.replaceAll(" ", "-")}.bin`;
        await withWorkerClass(makeWorker, () => writer.uploadFile({ repo, file: { path, content: bytes } }));
        equal(await downloadedSha256(reader, repo, path), sha256(bytes), `reads back after ${what}`);
      }
    },
  },
  {
    name: "node upload: a chunking thread that dies mid-file fails the commit with a HubError and commits nothing",
    async run(context) {
      const ctx = hub(context);
      const { writer } = clients(ctx);
      const repo = await freshRepo(writer, "thread-dies");
      const bytes = new Uint8Array(randomBytes(24 * MIB));
      const error = await withWorkerClass(
        (Worker) =>
          class extends Worker {
            #sent = 0;
            postMessage(...args) {
              // The fifth block never arrives: the thread is stopped instead.
              if (++this.#sent === 5) return void this.terminate();
              return super.postMessage(...args);
            }
          },
        () => rejects(writer.uploadFile({ repo, file: { path: "big.bin", content: bytes } }), { instanceOf: HubError }),
      );
      ok(/chunking thread/.test(error.message), `the message names the thread: ${error.message}`);
      equal(await writer.fileExists({ repo, path: "big.bin" }), false, "nothing committed");
    },
  },
  {
    name: "node upload: a local file (file: URL) read with fs lands byte-identical; one changed mid-upload is a SourceReadError and commits nothing",
    async run(context) {
      const ctx = hub(context);
      const { writer, reader } = clients(ctx);
      const repo = await freshRepo(writer, "local-file");
      const bytes = new Uint8Array(randomBytes(20 * MIB + 3));
      const { path, cleanup } = scratchFile(bytes);
      try {
        let reads = 0;
        const countReads = (fs) => ({ ...fs, read: (...args) => (reads++, fs.read(...args)) });
        await withBuiltin("node:fs", countReads, () =>
          writer.uploadFile({ repo, file: { path: "local.bin", content: pathToFileURL(path) } }),
        );
        ok(reads >= 20, `read with fs in blocks (${reads} reads)`);
        equal(await downloadedSha256(reader, repo, "local.bin"), sha256(bytes), "reads back");
        let grown = false;
        const onProgress = (event) => {
          if (!grown && event.event === "fileProgress" && event.state === "hashing") {
            grown = true;
            appendFileSync(path, "more bytes");
          }
        };
        const upload = writer.uploadFile({ repo, file: { path: "changed.bin", content: pathToFileURL(path) }, onProgress });
        await rejects(upload, { instanceOf: HubError, name: "SourceReadError" }, "the file changed while it was read");
        ok(grown, "the file was changed during the upload");
        equal(await writer.fileExists({ repo, path: "changed.bin" }), false, "nothing committed");
      } finally {
        cleanup();
      }
    },
  },
];
