// HubClient.downloadFile against the seeded localhub (issue #10 item 4), in every runtime. The files
// were written by the official Python client (peers/seed_fixtures.py: regular files, Xet files via
// hf_xet — one spanning two xorbs — and a legacy LFS file); every expected byte is checked against
// the sha256 Python computed from the bytes it generated (the manifest), never against hubwasm.
import * as hubwasm from "hubwasm";
import { equal, ok, rejects } from "../lib/assert.js";
import { addFault, clearFaults } from "../lib/faults.js";
import { hub, sha256Hex as sha256 } from "../lib/scenario.js";

const { AbortError, EntryNotFoundError, HubClient, IntegrityError, InvalidInputError } = hubwasm;

const MIB = 1024 * 1024;

/** A `fetch` that records every request (URL and headers) and can rewrite answers. */
function recordingFetch(rewrite) {
  const requests = [];
  const fetchFn = async (url, init) => {
    requests.push({ url: String(url), headers: { ...(init?.headers ?? {}) } });
    const response = await globalThis.fetch(url, init);
    return rewrite ? rewrite(String(url), response) : response;
  };
  return { fetchFn, requests };
}

function client(ctx, extra = {}) {
  // No cache (the default is "auto"): these scenarios count requests and inject faults into
  // repeated downloads of one file, so every download must go to the Hub.
  return new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: false, ...extra });
}

/** Faults still pending (a fault that never fired would make a test pass without testing). */
async function pendingFaults(ctx) {
  const response = await fetch(`${ctx.hubUrl}/admin/faults`, { headers: { authorization: `Bearer ${ctx.tokens.admin}` } });
  const body = await response.json();
  return (Array.isArray(body) ? body : body.faults ?? []).filter((f) => f.count !== 0);
}

const modelFiles = (ctx) => ctx.manifest.files.filter((f) => f.repo === ctx.manifest.repos.model);
const fixture = (ctx, path) => {
  const f = ctx.manifest.files.find((x) => x.repo === ctx.manifest.repos.model && x.path === path);
  ok(f, `fixture ${path} in the manifest`);
  return f;
};

/** Every chunk of a stream, and whether it ended normally. */
async function drain(stream) {
  const chunks = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// The multi-xorb file, verified against the manifest once and reused to check ranges.
let verifiedBig;
async function bigFile(ctx) {
  const f = fixture(ctx, "xet-multi-xorb.bin");
  if (!verifiedBig) {
    const bytes = new Uint8Array(await (await client(ctx).downloadFile({ repo: f.repo, path: f.path })).arrayBuffer());
    equal(await sha256(bytes), f.sha256, "xet-multi-xorb.bin sha256");
    verifiedBig = bytes;
  }
  return { f, bytes: verifiedBig };
}

function sameBytes(actual, expected, what) {
  equal(actual.byteLength, expected.byteLength, `${what}: length`);
  for (let i = 0; i < expected.byteLength; i++) {
    if (actual[i] !== expected[i]) throw new Error(`${what}: byte ${i} differs`);
  }
}

export default [
  {
    name: "hub download: regular, Xet and LFS files are byte-identical to what Python wrote; storage never sees Authorization",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, { fetch: fetchFn });
      const kinds = new Set();
      for (const f of modelFiles(ctx)) {
        const file = await hubc.downloadFile({ repo: f.repo, path: f.path });
        equal(file.path, f.path, "path");
        equal(file.size, f.size, `${f.path} size`);
        equal(file.commit, ctx.manifest.modelMainSha, `${f.path} commit`);
        if (f.kind !== "regular") equal(file.etag, f.sha256, `${f.path} etag is the sha256`);
        equal(file.xetHash !== undefined, f.kind === "xet", `${f.path} xetHash`);
        const bytes = await drain(file.stream());
        equal(await sha256(bytes), f.sha256, `${f.path} (${f.kind}) sha256`);
        kinds.add(f.kind);
      }
      equal([...kinds].sort().join(","), "lfs,regular,xet", "every kind downloaded");
      const hubOrigin = new URL(ctx.hubUrl).origin;
      const elsewhere = requests.filter((r) => new URL(r.url).origin !== hubOrigin);
      ok(elsewhere.length > 0, "some bytes came from the storage origin");
      for (const r of elsewhere) {
        const auth = Object.keys(r.headers).find((h) => h.toLowerCase() === "authorization");
        equal(auth, undefined, `no Authorization to ${r.url.split("?")[0]}`);
      }
      const small = fixture(ctx, "config.json");
      const file = await hubc.downloadFile({ repo: small.repo, path: small.path, revision: "v1.0" });
      equal((await file.json()).model_type, "fixture", "json()");
      equal(await file.text(), new TextDecoder().decode(await drain(file.stream())), "text()");
      equal((await file.blob()).size, small.size, "blob()");
    },
  },
  {
    name: "hub download: ranges at the start, middle and end, across chunk and xorb boundaries, for all three kinds",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const { f, bytes } = await bigFile(ctx);
      const size = f.size;
      const cases = [
        [0, 0],
        [0, 99_999],
        [1_234_567, 2_345_678], // several chunks, inside the first xorb
        [60 * MIB + 3, 68 * MIB + 5], // from the first xorb into the second (64 MiB of content each at most)
        [size - 1000, size - 1],
        [size - 10, size + 1_000_000], // an end past the file is clamped
      ];
      for (const [start, end] of cases) {
        const file = await hubc.downloadFile({ repo: f.repo, path: f.path, range: [start, end] });
        const expected = bytes.subarray(start, Math.min(end, size - 1) + 1);
        equal(file.size, expected.byteLength, `size of [${start}, ${end}]`);
        equal(file.fileSize, size, `fileSize with [${start}, ${end}]`);
        equal(file.rangeStart, start, `rangeStart of [${start}, ${end}]`);
        sameBytes(await drain(file.stream()), expected, `xet range [${start}, ${end}]`);
      }
      for (const path of ["lfs-legacy.bin", "README.md"]) {
        const g = fixture(ctx, path);
        const whole = new Uint8Array(await (await hubc.downloadFile({ repo: g.repo, path })).arrayBuffer());
        equal(await sha256(whole), g.sha256, `${path} sha256`);
        for (const [start, end] of [[0, 9], [Math.floor(g.size / 2), Math.floor(g.size / 2) + 20], [g.size - 5, g.size + 5]]) {
          const file = await hubc.downloadFile({ repo: g.repo, path, range: [start, end] });
          sameBytes(await drain(file.stream()), whole.subarray(start, Math.min(end, g.size - 1) + 1), `${path} [${start}, ${end}]`);
        }
      }
      for (const range of [[5, 4], [size, size + 1], [-1, 3], [0.5, 3], "0-3", [0]]) {
        await rejects(() => hubc.downloadFile({ repo: f.repo, path: f.path, range }), { instanceOf: InvalidInputError }, `range ${JSON.stringify(range)}`);
      }
    },
  },
  {
    name: "hub download: a missing file is EntryNotFoundError; abort before and during a download is AbortError",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, { fetch: fetchFn });
      const { model } = ctx.manifest.repos;
      await rejects(() => hubc.downloadFile({ repo: model, path: "no/such/file.bin" }), { instanceOf: EntryNotFoundError }, "missing");
      await rejects(() => hubc.downloadFile({ repo: model, path: "dev-only.txt" }), { instanceOf: EntryNotFoundError }, "not on main");
      const before = new AbortController();
      before.abort();
      await rejects(() => hubc.downloadFile({ repo: model, path: "config.json", abortSignal: before.signal }), { instanceOf: AbortError });

      const f = fixture(ctx, "xet-multi-xorb.bin");
      const during = new AbortController();
      const file = await hubc.downloadFile({ repo: f.repo, path: f.path, abortSignal: during.signal });
      const reader = file.stream().getReader();
      const first = await reader.read();
      ok(!first.done && first.value.byteLength > 0, "a first chunk arrives");
      during.abort();
      let error;
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch (e) {
        error = e;
      }
      ok(error instanceof AbortError, `reading after abort rejects with AbortError (got ${error?.name})`);
      equal(error.name, "AbortError", "the DOM's name");

      // Cancelling the stream stops the fetches: no request starts afterwards.
      const again = await hubc.downloadFile({ repo: f.repo, path: f.path });
      const r2 = again.stream().getReader();
      await r2.read();
      await r2.cancel("enough");
      const count = requests.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      equal(requests.length, count, "no request after cancel");
    },
  },
  {
    name: "hub download: 5xx, dropped connections and 429 with Retry-After on resolve, storage and CAS still give byte-identical files",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx, { maxRetries: 4 });
      const big = fixture(ctx, "xet-multi-xorb.bin");
      const lfs = fixture(ctx, "lfs-legacy.bin");
      const regular = fixture(ctx, "nested/deeper/notes.txt");
      const plans = [
        { file: big, faults: [{ route: "/cas/storage/", kind: "drop", count: 2 }] },
        { file: big, faults: [{ route: "/cas/storage/", kind: "error", status: 503, count: 2 }] },
        { file: big, faults: [{ route: "/cas/storage/", kind: "rate-limit", retryAfter: 1, count: 1 }] },
        { file: big, faults: [{ route: "/cas/v2/reconstructions/", kind: "error", status: 500, count: 1 }] },
        { file: big, faults: [{ route: "/api/models/", kind: "rate-limit", retryAfter: 1, count: 1 }] },
        { file: lfs, faults: [{ route: "/lfs-cdn/", kind: "drop", count: 2 }] },
        { file: lfs, faults: [{ route: "/lfs-cdn/", kind: "error", status: 502, count: 1 }] },
        { file: regular, faults: [{ route: `/${regular.repo}/resolve/`, kind: "drop", count: 1 }] },
        { file: regular, faults: [{ route: `/${regular.repo}/resolve/`, kind: "error", status: 500, count: 2 }] },
      ];
      try {
        for (const { file: f, faults } of plans) {
          for (const fault of faults) await addFault(ctx, fault);
          const what = `${f.path} under ${JSON.stringify(faults)}`;
          const bytes = new Uint8Array(await (await hubc.downloadFile({ repo: f.repo, path: f.path })).arrayBuffer());
          equal(await sha256(bytes), f.sha256, what);
          equal((await pendingFaults(ctx)).length, 0, `${what}: every fault fired`);
          await clearFaults(ctx);
        }
      } finally {
        await clearFaults(ctx);
      }
    },
  },
  {
    name: "hub download: one request names the file before any byte; paths-info only where a redirect's headers are hidden",
    async run(context) {
      const ctx = hub(context);
      const notes = [];
      const lfs = fixture(ctx, "lfs-legacy.bin");
      // Whether this runtime shows a redirect's headers (browsers give an opaque answer instead).
      const probe = await fetch(`${ctx.hubUrl}/${lfs.repo}/resolve/main/${lfs.path}`, {
        redirect: "manual",
        headers: { authorization: `Bearer ${ctx.tokens.read}` },
      });
      await probe.body?.cancel();
      const hidden = probe.type === "opaqueredirect" || probe.status === 0;
      if (hidden) notes.push("this runtime hides redirects: the LFS file is named by paths-info");
      const route = (url) => {
        const u = new URL(url);
        if (u.origin !== new URL(ctx.hubUrl).origin) return "storage";
        return ["resolve", "paths-info", "revision", "xet-read-token", "reconstructions", "batch"].find((r) => u.pathname.includes(`/${r}`)) ?? u.pathname;
      };
      // A browser may answer the one-byte ask for a Xet file's info from its cache, cut to that
      // byte (a 206 of the JSON): then the whole info is asked for once more.
      let cutFromCache = false;
      const noteCut = (url, response) => {
        const type = response.headers.get("content-type") ?? "";
        if (response.status === 206 && type.includes("xet-fileinfo")) cutFromCache = true;
        return response;
      };
      const cases = [
        ["xet-small.bin", ["resolve"], ["xet-read-token", "reconstructions", "storage"]],
        ["README.md", ["resolve"], ["resolve"]],
        ["lfs-legacy.bin", hidden ? ["resolve", "revision", "paths-info"] : ["resolve"], ["batch", "storage"]],
      ];
      for (const [path, lookup, read] of cases) {
        const f = fixture(ctx, path);
        const { fetchFn, requests } = recordingFetch(noteCut);
        cutFromCache = false;
        const file = await client(ctx, { fetch: fetchFn }).downloadFile({ repo: f.repo, path });
        if (cutFromCache) notes.push(`${path}: the browser cut the Xet info from its cache; asked again`);
        const expected = cutFromCache ? ["resolve", ...lookup] : lookup;
        equal(requests.map((r) => route(r.url)).join(" "), expected.join(" "), `${path}: downloadFile() asks`);
        equal(file.size, f.size, `${path} size`);
        equal(file.commit, ctx.manifest.modelMainSha, `${path} commit`);
        if (f.kind !== "regular") equal(file.etag, f.sha256, `${path} etag`);
        const asked = requests.length;
        equal(await sha256(await drain(file.stream())), f.sha256, `${path} bytes`);
        equal(requests.slice(asked).map((r) => route(r.url)).join(" "), read.join(" "), `${path}: stream() asks`);
      }
      return { notes };
    },
  },
  {
    name: "hub download: concurrency and bufferSize bound the Xet range fetches; every setting gives the same bytes",
    async run(context) {
      const ctx = hub(context);
      const f = fixture(ctx, "xet-multi-xorb.bin");
      // Storage fetches from the call until their body ends, and the most under way at once; one
      // counter per download (a body of an earlier one may still close late).
      const countingFetch = () => {
        const open = { now: 0, max: 0 };
        const fetchFn = async (url, init) => {
          if (!String(url).includes("/cas/storage/")) return globalThis.fetch(url, init);
          open.max = Math.max(open.max, ++open.now);
          let closed = false;
          const close = () => {
            if (!closed) open.now--;
            closed = true;
          };
          let response;
          try {
            response = await globalThis.fetch(url, init);
          } catch (e) {
            close();
            throw e;
          }
          if (!response.body) {
            close();
            return response;
          }
          const reader = response.body.getReader();
          const body = new ReadableStream({
            async pull(controller) {
              const { done, value } = await reader.read();
              if (done) {
                close();
                controller.close();
              } else controller.enqueue(value);
            },
            cancel(reason) {
              close();
              return reader.cancel(reason);
            },
          });
          return new Response(body, { status: response.status, headers: response.headers });
        };
        return { open, fetchFn };
      };
      for (const [options, most] of [[{}, 2], [{ concurrency: 1 }, 1], [{ concurrency: 1, bufferSize: 0 }, 1], [{ concurrency: 8, bufferSize: 64 * MIB }, 2]]) {
        const { open, fetchFn } = countingFetch();
        const hubc = client(ctx, { fetch: fetchFn });
        const bytes = new Uint8Array(await (await hubc.downloadFile({ repo: f.repo, path: f.path, ...options })).arrayBuffer());
        equal(await sha256(bytes), f.sha256, `${JSON.stringify(options)}: sha256`);
        // Two xorbs: two range fetches, both asked at once unless concurrency says one at a time.
        equal(open.max, most, `${JSON.stringify(options)}: storage fetches under way at once`);
      }
      const hubc = client(ctx);
      for (const bad of [{ concurrency: 0 }, { concurrency: 65 }, { concurrency: 1.5 }, { bufferSize: -1 }, { bufferSize: "8M" }]) {
        await rejects(() => hubc.downloadFile({ repo: f.repo, path: f.path, ...bad }), { instanceOf: InvalidInputError }, JSON.stringify(bad));
      }
    },
  },
  {
    name: "hub download: a tampered xorb, LFS object or git blob is IntegrityError and never a complete file",
    async run(context) {
      const ctx = hub(context);
      // Flips one content byte (past the first chunk header) of every answer from xorb or LFS
      // storage, and one byte of every whole regular file resolve answers.
      const flip = async (url, response) => {
        const blob = url.includes("/resolve/") && response.status === 200 && !response.headers.get("content-type")?.includes("xet-fileinfo");
        if (!url.includes("/cas/storage/") && !url.includes("/lfs-cdn/") && !blob) return response;
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (bytes.length > 1000) bytes[1000] ^= 0x20;
        else if (blob && bytes.length > 0) bytes[bytes.length >> 1] ^= 0x20;
        return new Response(bytes, { status: response.status, headers: response.headers });
      };
      const hubc = client(ctx, { fetch: recordingFetch(flip).fetchFn });
      for (const path of ["xet-small.bin", "xet-multi-xorb.bin", "lfs-legacy.bin", "README.md", "nested/deeper/notes.txt"]) {
        const f = fixture(ctx, path);
        const file = await hubc.downloadFile({ repo: f.repo, path });
        await rejects(() => file.arrayBuffer(), { instanceOf: IntegrityError }, `${path} arrayBuffer()`);
        let ended = false;
        let error;
        try {
          await drain(file.stream());
          ended = true;
        } catch (e) {
          error = e;
        }
        ok(!ended, `${path}: the stream never ends normally`);
        ok(error instanceof IntegrityError, `${path}: stream error is IntegrityError (got ${error?.name}: ${error?.message})`);
      }
      // A corrupt chunk header is caught as the range is decoded, before its bytes are delivered.
      const header = async (url, response) => {
        if (!url.includes("/cas/storage/")) return response;
        const bytes = new Uint8Array(await response.arrayBuffer());
        bytes[4] = 9; // an unknown compression scheme
        return new Response(bytes, { status: response.status, headers: response.headers });
      };
      const f = fixture(ctx, "xet-small.bin");
      const file = await client(ctx, { fetch: recordingFetch(header).fetchFn }).downloadFile({ repo: f.repo, path: f.path });
      const reader = file.stream().getReader();
      await rejects(() => reader.read(), { instanceOf: IntegrityError }, "no chunk is delivered from a corrupt range");
    },
  },
];
