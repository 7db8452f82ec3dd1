// HubClient's write path against localhub (issue #12 items 1, 2, 3, 5, 6), in every runtime: repos,
// branches, tags, atomic commits of inline and LFS files (basic and multipart), deletes, copies,
// pull requests, conflicts, permissions, abort and retries. Expected bytes are generated here and
// judged by WebCrypto's SHA-256 and by downloading them back; a repo named `commit-interop-…` is
// left behind with `expected-sha256.json` (and named in `demo/commit-interop-index`) for the Python
// and @huggingface/hub post-checks
// (peers/check_uploads.py, js-tests/conformance/check-uploads.mjs).
import * as hubwasm from "hubwasm";
import { equal, ok, rejects } from "../lib/assert.js";
import { addFault, clearFaults } from "../lib/faults.js";
import { hub } from "../lib/scenario.js";

const {
  AbortError,
  ConflictError,
  EntryNotFoundError,
  ForbiddenError,
  HubClient,
  HubError,
  InvalidInputError,
  PayloadTooLargeError,
  RepoNotFoundError,
  RevisionNotFoundError,
} = hubwasm;

/** Where the interop scenario names the repos it leaves for the post-checks. */
const INTEROP_INDEX = "demo/commit-interop-index";

/** Above localhub's multipart threshold (20 MiB, parts of 8 MiB): three parts. */
const MULTIPART_SIZE = (20 << 20) + 12345;

function client(ctx, token = "write", extra = {}) {
  // No cache (the default is "auto"): these scenarios count requests and inject faults into
  // repeated downloads of one file, so every download must go to the Hub.
  return new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens[token], cache: false, ...extra });
}

/** A fetch that records every request (URL, method) before sending it. */
function recordingFetch(onRequest = () => {}) {
  const requests = [];
  const fetchFn = (url, init) => {
    const entry = { url: String(url), method: init?.method ?? "GET" };
    requests.push(entry);
    onRequest(entry);
    return globalThis.fetch(url, init);
  };
  return { fetchFn, requests };
}

/** A fresh seed per run: content the Hub already has (from another runtime's run) would not be uploaded again. */
const freshSeed = () => (Math.floor(Math.random() * 0xffffffff) >>> 0) | 1;

const unique = () => `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;

/** Pseudo-random bytes (xorshift32), fast enough for tens of MiB in every runtime. */
function randomBytes(length, seed) {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

const text = (s) => new TextEncoder().encode(s);

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function newRepo(hubc, prefix, options = {}) {
  const repo = `demo/${prefix}-${unique()}`;
  await hubc.createRepo({ repo, ...options });
  return repo;
}

async function filesOf(hubc, repo, revision) {
  const out = new Map();
  for await (const f of hubc.listFiles({ repo, revision, recursive: true })) if (f.type === "file") out.set(f.path, f);
  return out;
}

async function bytesOf(hubc, repo, path, revision) {
  return new Uint8Array(await (await hubc.downloadFile({ repo, path, revision })).arrayBuffer());
}

async function headOf(hubc, repo, branch = "main") {
  return (await hubc.modelInfo({ repo, revision: branch, expand: ["sha"] })).sha;
}

/** Node's and Deno's fs (with `openAsBlob`, what hubwasm reads local files through), else undefined. */
function hostFs() {
  try {
    const fs = globalThis.process?.getBuiltinModule?.("node:fs");
    return typeof fs?.openAsBlob === "function" ? fs : undefined;
  } catch {
    return undefined;
  }
}

function sameBytes(actual, expected, what) {
  equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) throw new Error(`${what}: byte ${i} differs`);
}

export default [
  {
    name: "hub commit: createRepo (model, dataset, private space; existOk), moveRepo, updateRepoSettings, deleteRepo (missingOk)",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const name = `demo/commit-repos-${unique()}`;
      const created = await hubc.createRepo({ repo: name });
      equal(created.repoUrl, `${ctx.hubUrl}/${name}`, "repoUrl");
      ok(/^[0-9a-f]{24}$/.test(created.id), `id ${created.id}`);
      ok(await hubc.repoExists({ repo: name }), "the model exists");
      await rejects(hubc.createRepo({ repo: name }), { instanceOf: ConflictError, status: 409, code: "CONFLICT" }, "again");
      const again = await hubc.createRepo({ repo: name, existOk: true });
      equal(again.id, created.id, "existOk answers the existing repo");

      const dataset = `datasets/demo/commit-ds-${unique()}`;
      await hubc.createRepo({ repo: dataset });
      ok(await hubc.repoExists({ repo: dataset }), "the dataset exists");
      const space = `spaces/demo/commit-space-${unique()}`;
      await hubc.createRepo({ repo: space, private: true, sdk: "static" });
      equal((await hubc.spaceInfo({ repo: space })).private, true, "the space is private");
      await rejects(client(ctx, "stranger").spaceInfo({ repo: space }), { instanceOf: RepoNotFoundError }, "hidden from others");

      await hubc.updateRepoSettings({ repo: space, private: false });
      equal((await client(ctx, "stranger").spaceInfo({ repo: space })).private, false, "made public");

      const moved = `demo/commit-moved-${unique()}`;
      await hubc.moveRepo({ fromRepo: name, toRepo: moved });
      ok(await hubc.repoExists({ repo: moved }), "moved");

      for (const repo of [moved, dataset, space]) await hubc.deleteRepo({ repo });
      ok(!(await hubc.repoExists({ repo: dataset })), "the dataset is gone");
      await rejects(hubc.deleteRepo({ repo: dataset }), { instanceOf: RepoNotFoundError }, "deleting twice");
      await hubc.deleteRepo({ repo: dataset, missingOk: true });
      await rejects(hubc.createRepo({ repo: "no-namespace" }), { instanceOf: InvalidInputError }, "a repo without namespace");
      await rejects(
        client(ctx, "stranger").createRepo({ repo: `demo/commit-not-yours-${unique()}` }),
        { instanceOf: ForbiddenError },
        "another user's namespace",
      );
    },
  },
  {
    name: "hub commit: inline and LFS files (one PUT and multipart) land byte for byte; deletes of a file and a folder; copies",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, "write", { fetch: fetchFn });
      const repo = await newRepo(hubc, "commit-interop");
      const small = text("hello from hubwasm\n");
      const binary = randomBytes(70_000, freshSeed()); // binary: preupload sends it to LFS, one PUT
      const multipart = randomBytes(MULTIPART_SIZE, freshSeed());
      const nested = text("{\"a\": 1}\n");
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(text("streamed "));
          controller.enqueue(text("content\n"));
          controller.close();
        },
      });
      const events = [];
      const first = await hubc.commit({
        repo,
        title: "Add files",
        description: "inline, LFS and multipart",
        useXet: false,
        operations: [
          { operation: "addOrUpdate", path: "README.md", content: "# hubwasm upload\n" },
          { operation: "addOrUpdate", path: "small.txt", content: small },
          { operation: "addOrUpdate", path: "data/binary.bin", content: new Blob([binary]) },
          { operation: "addOrUpdate", path: "data/multipart.bin", content: new Blob([multipart]) },
          { operation: "addOrUpdate", path: "logs/a.json", content: nested.buffer.slice(0) },
          { operation: "addOrUpdate", path: "logs/b.txt", content: "b" },
          { operation: "addOrUpdate", path: "stream.txt", content: stream },
        ],
        onProgress: (event) => events.push(event),
      });
      ok(/^[0-9a-f]{40}$/.test(first.commit.oid), `commit oid ${first.commit.oid}`);
      equal(first.commit.url, `${ctx.hubUrl}/${repo}/commit/${first.commit.oid}`, "commit url");
      equal(first.pullRequestUrl, undefined, "no PR");
      equal(await headOf(hubc, repo), first.commit.oid, "main points at the commit");
      const phases = events.filter((e) => e.event === "phase").map((e) => e.phase);
      equal(phases.join(","), "preuploading,uploadingLargeFiles,committing", "phases in order");
      const last = events.filter((e) => e.event === "fileProgress" && e.path === "data/multipart.bin").at(-1);
      equal(last?.state, "uploading", "the multipart file's last event");
      equal(last?.loaded, MULTIPART_SIZE, "all bytes acknowledged");
      const parts = requests.filter((r) => r.method === "PUT" && r.url.includes("/part/"));
      equal(parts.length, 3, "three multipart parts");
      ok(requests.some((r) => r.url.includes(".git/info/lfs/objects/batch")), "an LFS batch");

      const listed = await filesOf(hubc, repo);
      equal(listed.get("data/multipart.bin")?.lfs?.oid, await sha256Hex(multipart), "LFS oid is WebCrypto's SHA-256");
      equal(listed.get("data/binary.bin")?.lfs?.oid, await sha256Hex(binary), "one-PUT LFS oid");
      equal(listed.get("small.txt")?.lfs, undefined, "small.txt is inline");
      sameBytes(await bytesOf(hubc, repo, "data/multipart.bin"), multipart, "multipart.bin");
      sameBytes(await bytesOf(hubc, repo, "data/binary.bin"), binary, "binary.bin");
      sameBytes(await bytesOf(hubc, repo, "small.txt"), small, "small.txt");
      sameBytes(await bytesOf(hubc, repo, "stream.txt"), text("streamed content\n"), "stream.txt");

      // Deletes (a file, a folder by lookup) and copies (regular and LFS) in one commit.
      const second = await hubc.commit({
        repo,
        title: "Move things around",
        parentCommit: first.commit.oid,
        operations: [
          { operation: "delete", path: "stream.txt" },
          { operation: "delete", path: "logs" },
          { operation: "copy", path: "copies/small.txt", from: "small.txt" },
          { operation: "copy", path: "copies/multipart.bin", from: "data/multipart.bin" },
        ],
      });
      const after = await filesOf(hubc, repo);
      ok(!after.has("stream.txt") && !after.has("logs/a.json") && !after.has("logs/b.txt"), "deleted");
      equal(after.get("copies/multipart.bin")?.lfs?.oid, await sha256Hex(multipart), "the LFS copy names the same object");
      sameBytes(await bytesOf(hubc, repo, "copies/small.txt"), small, "the regular copy");
      sameBytes(await bytesOf(hubc, repo, "copies/multipart.bin"), multipart, "the LFS copy");
      equal(await headOf(hubc, repo), second.commit.oid, "main moved");

      // What the post-checks verify with Python and @huggingface/hub.
      const expected = {};
      for (const [path, bytes] of [
        ["small.txt", small],
        ["data/binary.bin", binary],
        ["data/multipart.bin", multipart],
        ["copies/small.txt", small],
        ["copies/multipart.bin", multipart],
      ]) {
        expected[path] = await sha256Hex(bytes);
      }
      await hubc.uploadFile({ repo, file: { path: "expected-sha256.json", content: JSON.stringify(expected, null, 1) } });
      // localhub lists no repos: the post-checks find this one through an index repo.
      await hubc.createRepo({ repo: INTEROP_INDEX, existOk: true });
      await hubc.uploadFile({ repo: INTEROP_INDEX, file: { path: `${repo.split("/")[1]}.txt`, content: repo } });
    },
  },
  {
    name: "hub commit: commitIter yields the events then the commit; uploadFile(s), deleteFile(s)",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const repo = await newRepo(hubc, "commit-conveniences");
      const iterator = hubc.commitIter({
        repo,
        title: "Iterated",
        useXet: false,
        operations: [{ operation: "addOrUpdate", path: "w.bin", content: randomBytes(300_000, freshSeed()) }],
      });
      const events = [];
      let step;
      while (!(step = await iterator.next()).done) events.push(step.value);
      ok(/^[0-9a-f]{40}$/.test(step.value?.commit?.oid), "the return value is the commit");
      ok(events.some((e) => e.event === "fileProgress" && e.state === "hashing" && e.progress === 1), "hashing done");
      equal(events.at(-1).phase, "committing", "the last event");

      // Stopping early aborts the commit.
      const before = await headOf(hubc, repo);
      const abandoned = hubc.commitIter({
        repo,
        title: "Abandoned",
        useXet: false,
        operations: [{ operation: "addOrUpdate", path: "never.bin", content: randomBytes(2_000_000, freshSeed()) }],
      });
      for await (const event of abandoned) if (event.event === "phase") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
      equal(await headOf(hubc, repo), before, "a break commits nothing");
      equal((await abandoned.next()).done, true, "the iterator is closed");

      const file = new File([text("a file")], "from-file.txt");
      const one = await hubc.uploadFile({ repo, file });
      const many = await hubc.uploadFiles({
        repo,
        commitTitle: "Two more",
        files: [
          { path: "dir/x.txt", content: "x" },
          { path: "dir/y.txt", content: "y" },
        ],
      });
      ok(one.commit.oid !== many.commit.oid, "two commits");
      const commits = [];
      for await (const c of hubc.listCommits({ repo, limit: 3 })) commits.push(c.title);
      equal(commits[0], "Two more", "commitTitle");
      equal(commits[1], "Upload from-file.txt", "the default title names the file");
      sameBytes(await bytesOf(hubc, repo, "from-file.txt"), text("a file"), "a File's name is its path");

      // A .gitignore committed with the files: preupload marks what it ignores, which stays out.
      await hubc.uploadFiles({
        repo,
        files: [
          { path: ".gitignore", content: "*.log\n" },
          { path: "debug.log", content: "noise" },
          { path: "kept.txt", content: "kept" },
        ],
      });
      const withIgnore = await filesOf(hubc, repo);
      ok(withIgnore.has(".gitignore") && withIgnore.has("kept.txt") && !withIgnore.has("debug.log"), "debug.log ignored");
      await hubc.deleteFiles({ repo, paths: [".gitignore", "kept.txt"] });

      await hubc.deleteFile({ repo, path: "from-file.txt" });
      await hubc.deleteFiles({ repo, paths: ["dir/x.txt", "dir/y.txt"] });
      const left = [...(await filesOf(hubc, repo)).keys()].sort().join(",");
      equal(left, ".gitattributes,w.bin", "what is left");
      await rejects(hubc.deleteFile({ repo, path: "nope.txt" }), { instanceOf: EntryNotFoundError }, "a missing file");
      await hubc.deleteRepo({ repo });
    },
  },
  {
    name: "hub commit: branches, tags and pull requests",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const repo = await newRepo(hubc, "commit-refs");
      const base = await hubc.uploadFile({ repo, file: { path: "a.txt", content: "main" } });
      await hubc.createBranch({ repo, branch: "dev" });
      await rejects(hubc.createBranch({ repo, branch: "dev" }), { instanceOf: ConflictError }, "an existing branch");
      await hubc.createBranch({ repo, branch: "empty", empty: true });
      const onDev = await hubc.uploadFile({ repo, branch: "dev", file: { path: "a.txt", content: "dev" } });
      sameBytes(await bytesOf(hubc, repo, "a.txt", "dev"), text("dev"), "dev has its own a.txt");
      sameBytes(await bytesOf(hubc, repo, "a.txt"), text("main"), "main is unchanged");
      equal((await filesOf(hubc, repo, "empty")).size, 0, "the empty branch has no files");

      await hubc.createTag({ repo, tag: "v1", revision: base.commit.oid, message: "first" });
      await rejects(hubc.createTag({ repo, tag: "v1" }), { instanceOf: ConflictError }, "an existing tag");
      await hubc.createTag({ repo, tag: "v1", existOk: true });
      const refs = await hubc.listRefs({ repo });
      equal(refs.tags.find((t) => t.name === "v1")?.targetCommit, base.commit.oid, "the tag");
      equal(refs.branches.find((b) => b.name === "dev")?.targetCommit, onDev.commit.oid, "the branch");
      await rejects(
        hubc.commit({ repo, branch: "v1", title: "x", operations: [{ operation: "delete", path: "a.txt" }] }),
        { instanceOf: RevisionNotFoundError },
        "a tag is not a branch to commit to",
      );

      const pr = await hubc.commit({
        repo,
        title: "Proposal",
        isPullRequest: true,
        operations: [{ operation: "addOrUpdate", path: "proposal.txt", content: "please" }],
      });
      const number = /\/discussions\/(\d+)$/.exec(pr.pullRequestUrl ?? "")?.[1];
      ok(number, `pullRequestUrl ${pr.pullRequestUrl}`);
      sameBytes(await bytesOf(hubc, repo, "proposal.txt", `refs/pr/${number}`), text("please"), "the PR's content");
      ok(!(await filesOf(hubc, repo)).has("proposal.txt"), "main is unchanged by the PR");
      await hubc.uploadFile({ repo, branch: `refs/pr/${number}`, file: { path: "more.txt", content: "more" } });
      ok((await filesOf(hubc, repo, `refs/pr/${number}`)).has("more.txt"), "a commit onto the PR");

      await hubc.deleteTag({ repo, tag: "v1" });
      await hubc.deleteBranch({ repo, branch: "dev" });
      const after = await hubc.listRefs({ repo });
      ok(!after.tags.some((t) => t.name === "v1") && !after.branches.some((b) => b.name === "dev"), "deleted refs");
      await rejects(hubc.deleteTag({ repo, tag: "v1" }), { instanceOf: RevisionNotFoundError }, "a missing tag");
      await hubc.deleteRepo({ repo });
    },
  },
  {
    name: "hub commit: a stale parentCommit is a ConflictError and changes nothing; no write permission is a ForbiddenError",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const repo = await newRepo(hubc, "commit-conflict");
      const first = await hubc.uploadFile({ repo, file: { path: "a.txt", content: "1" } });
      const second = await hubc.uploadFile({ repo, file: { path: "a.txt", content: "2" }, parentCommit: first.commit.oid });
      const stale = hubc.commit({
        repo,
        title: "late",
        parentCommit: first.commit.oid,
        operations: [{ operation: "addOrUpdate", path: "a.txt", content: "3" }],
      });
      const error = await rejects(stale, { instanceOf: ConflictError, status: 412, code: "CONFLICT" }, "stale parent");
      ok(error instanceof hubwasm.HubApiError, "a HubApiError");
      equal(await headOf(hubc, repo), second.commit.oid, "the branch did not move");
      sameBytes(await bytesOf(hubc, repo, "a.txt"), text("2"), "content unchanged");

      for (const token of ["stranger", "read"]) {
        const other = client(ctx, token);
        await rejects(
          other.uploadFile({ repo, useXet: false, file: { path: "big.bin", content: randomBytes(200_000, freshSeed()) } }),
          { instanceOf: ForbiddenError, status: 403 },
          `${token}: commit`,
        );
        await rejects(other.createBranch({ repo, branch: "b" }), { instanceOf: ForbiddenError }, `${token}: branch`);
        await rejects(other.deleteRepo({ repo }), { instanceOf: ForbiddenError }, `${token}: delete`);
      }
      equal(await headOf(hubc, repo), second.commit.oid, "nothing changed");
      await hubc.deleteRepo({ repo });
    },
  },
  {
    name: "hub commit: a commit the Hub refuses as too large (413) is a PayloadTooLargeError and commits nothing",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const repo = await newRepo(hubc, "commit-too-large");
      const head = await headOf(hubc, repo);
      // localhub refuses a commit body over 100 MiB before reading it; a client still sending then
      // races the connection's close (a reset or the 413), so the answer is injected here.
      try {
        await addFault(ctx, { route: `/api/models/${repo}/commit/`, kind: "error", status: 413, count: 1 });
        await rejects(
          hubc.uploadFile({ repo, file: { path: "a.txt", content: "a" } }),
          { instanceOf: PayloadTooLargeError, status: 413, code: "PAYLOAD_TOO_LARGE" },
          "the commit",
        );
      } finally {
        await clearFaults(ctx);
      }
      equal(await headOf(hubc, repo), head, "nothing committed");
      await hubc.deleteRepo({ repo });
    },
  },
  {
    name: "hub commit: bad input (paths, duplicates, options) is an InvalidInputError before any request",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, "write", { fetch: fetchFn });
      const repo = "demo/commit-never-created";
      const add = (path) => ({ operation: "addOrUpdate", path, content: "x" });
      const cases = [
        [{ title: "t", operations: [add("../escape")] }, /operations\[0\].*'\.' or '\.\.'/],
        [{ title: "t", operations: [add("/abs")] }, /starts with '\/'/],
        [{ title: "t", operations: [add("")] }, /empty/],
        [{ title: "t", operations: [add("a\\b")] }, /backslash/],
        [{ title: "t", operations: [add("a"), add("b"), { operation: "delete", path: "a" }] }, /operations\[0\] and operations\[2\]/],
        [{ title: "t", operations: [] }, /at least one operation/],
        [{ title: "", operations: [add("a")] }, /non-empty title/],
        [{ title: "t", operations: [{ operation: "rename", path: "a" }] }, /unknown operation/],
        [{ title: "t", operations: [{ operation: "addOrUpdate", path: "a" }] }, /needs content/],
        [{ title: "t", operations: [{ operation: "addOrUpdate", path: "a", content: 42 }] }, /content of a/],
        [{ title: "t", operations: [{ operation: "copy", path: "b" }] }, /from/],
        [{ title: "t", operations: [{ operation: "delete", path: "d/" }, { operation: "copy", path: "b", from: "d/x" }] }, /also changes/],
        [{ title: "t", operations: [add("a")], branch: "a".repeat(40) }, /branch/],
        [{ title: "t", operations: [add("a")], parentCommit: "abc" }, /parentCommit/],
        [{ title: "t", operations: "nope" }, /operations/],
      ];
      for (const [options, message] of cases) {
        await rejects(hubc.commit({ repo, ...options }), { instanceOf: InvalidInputError, message }, JSON.stringify(options));
      }
      let thrown;
      try {
        hubc.commitIter({ repo, title: "t", operations: [add("..")] });
      } catch (e) {
        thrown = e;
      }
      ok(thrown instanceof InvalidInputError, `commitIter refuses at once (got ${thrown})`);
      await rejects(hubc.uploadFiles({ repo, files: [{ path: "a" }] }), { instanceOf: InvalidInputError }, "no content");
      await rejects(hubc.uploadFile({ repo, file: new Blob(["x"]) }), { instanceOf: InvalidInputError }, "a nameless Blob");
      await rejects(hubc.createBranch({ repo, branch: "a..b" }), { instanceOf: InvalidInputError }, "a bad branch");
      // Look-alikes made from the real prototypes: URL's and AbortSignal's getters would throw on them.
      const fakeUrl = Object.create(URL.prototype);
      await rejects(hubc.uploadFile({ repo, file: fakeUrl }), { instanceOf: InvalidInputError }, "a URL look-alike file");
      await rejects(
        hubc.commit({ repo, title: "t", operations: [{ operation: "addOrUpdate", path: "a", content: fakeUrl }] }),
        { instanceOf: InvalidInputError },
        "a URL look-alike content",
      );
      let fakeSignal;
      try {
        hubc.commitIter({ repo, title: "t", operations: [add("a")], abortSignal: Object.create(AbortSignal.prototype) });
      } catch (e) {
        fakeSignal = e;
      }
      ok(fakeSignal instanceof InvalidInputError, `an AbortSignal look-alike (got ${fakeSignal})`);
      equal(requests.length, 0, `no request was sent (${requests.map((r) => r.url).join(", ")})`);
      // The client still works.
      ok(await hubc.repoExists({ repo: "demo/hub-fixtures" }) !== undefined, "usable afterwards");
    },
  },
  {
    name: "hub commit: an abort in the middle of a multipart upload is an AbortError and commits nothing",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const repo = await newRepo(hubc, "commit-abort");
      const head = await headOf(hubc, repo);
      const controller = new AbortController();
      const { fetchFn, requests } = recordingFetch((r) => {
        if (r.method === "PUT" && r.url.includes("/part/2")) controller.abort(new Error("user cancelled"));
      });
      const aborting = client(ctx, "write", { fetch: fetchFn });
      const error = await rejects(
        aborting.uploadFile({
          repo,
          useXet: false,
          abortSignal: controller.signal,
          file: { path: "big.bin", content: new Blob([randomBytes(MULTIPART_SIZE, freshSeed())]) },
        }),
        { instanceOf: AbortError, name: "AbortError", code: "ABORTED" },
        "aborted",
      );
      equal(error.cause?.message, "user cancelled", "the signal's reason is the cause");
      const count = requests.length;
      ok(requests.some((r) => r.url.includes("/part/2")), "the abort came in the middle of the parts");
      ok(!requests.some((r) => r.url.includes("/part/3")), "no part after it");
      ok(!requests.some((r) => r.url.includes("/commit/")), "no commit was sent");
      await new Promise((resolve) => setTimeout(resolve, 300));
      equal(requests.length, count, "no request after the abort");
      equal(await headOf(hubc, repo), head, "nothing committed");
      await rejects(
        aborting.uploadFile({ repo, abortSignal: AbortSignal.abort(), file: { path: "x", content: "x" } }),
        { instanceOf: AbortError },
        "an aborted signal",
      );
      await hubc.deleteRepo({ repo });
    },
  },
  {
    name: "hub commit: 5xx, 429 and dropped connections on preupload, LFS batch, storage and the commit are retried",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx, "write", { maxRetries: 4 });
      const repo = await newRepo(hubc, "commit-faults");
      const content = randomBytes(MULTIPART_SIZE, freshSeed());
      const faults = [
        { route: `/api/models/${repo}/preupload/`, kind: "error", status: 503, count: 1 },
        { route: `/${repo}.git/info/lfs/objects/batch`, kind: "error", status: 500, count: 1 },
        { route: "/lfs-storage/", kind: "drop", count: 2 },
        { route: "/lfs-storage/", kind: "error", status: 502, count: 1 },
        { route: `/api/models/${repo}/commit/`, kind: "rate-limit", retryAfter: 1, count: 1 },
      ];
      try {
        for (const fault of faults) await addFault(ctx, fault);
        await hubc.commit({
          repo,
          title: "Under faults",
          useXet: false,
          operations: [
            { operation: "addOrUpdate", path: "big.bin", content: new Blob([content]) },
            { operation: "addOrUpdate", path: "small.txt", content: "small" },
          ],
        });
      } finally {
        await clearFaults(ctx);
      }
      sameBytes(await bytesOf(hubc, repo, "big.bin"), content, "big.bin");
      equal((await filesOf(hubc, repo)).get("big.bin")?.lfs?.oid, await sha256Hex(content), "its oid");
      const titles = [];
      for await (const c of hubc.listCommits({ repo })) titles.push(c.title);
      equal(titles.filter((t) => t === "Under faults").length, 1, "exactly one commit");

      // A commit is never resent after a 5xx: it may have landed.
      try {
        await addFault(ctx, { route: `/api/models/${repo}/commit/`, kind: "error", status: 500, count: 1 });
        await rejects(
          hubc.uploadFile({ repo, file: { path: "x.txt", content: "x" } }),
          { instanceOf: HubError, status: 500 },
          "a 5xx on the commit",
        );
      } finally {
        await clearFaults(ctx);
      }
      await hubc.deleteRepo({ repo });
    },
  },
  {
    name: "hub commit: a file: URL is read through the runtime's fs on Node and Deno, and refused clearly elsewhere",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const fs = hostFs();
      const repo = await newRepo(hubc, "commit-local-file");
      try {
        if (!fs || !import.meta.url.startsWith("file:")) {
          await rejects(
            hubc.uploadFile({ repo, file: new URL("file:///nonexistent/hubwasm.bin") }),
            { instanceOf: HubError },
            "no fs here",
          );
          return { notes: ["no local files in this runtime: refused with a HubError"] };
        }
        // This very file, as the runtime loaded it (no write access needed: Deno runs with --allow-read).
        const url = new URL(import.meta.url);
        const bytes = new Uint8Array(fs.readFileSync(url));
        await hubc.uploadFile({ repo, file: url });
        sameBytes(await bytesOf(hubc, repo, "hub-commit.js"), bytes, "uploadFile of a file: URL");
        await hubc.commit({
          repo,
          title: "as content",
          operations: [{ operation: "addOrUpdate", path: "again.js", content: url }],
        });
        sameBytes(await bytesOf(hubc, repo, "again.js"), bytes, "a file: URL as content");
      } finally {
        await hubc.deleteRepo({ repo });
      }
    },
  },
];
