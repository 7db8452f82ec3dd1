// HubClient's REST methods against the seeded localhub (issue #10 items 1–3), in every runtime. The
// fixtures were written by the official Python client (peers/seed_fixtures.py); every expected
// value below comes from its manifest (sizes and sha256 computed by Python from the bytes it
// generated, commit ids and refs read back with huggingface_hub), never from hubwasm.
import * as hubwasm from "hubwasm";
import { equal, ok, rejects, throws } from "../lib/assert.js";
import { addFault, clearFaults } from "../lib/faults.js";
import { invalid } from "../lib/hostile.js";
import { hub } from "../lib/scenario.js";

const {
  AbortError,
  EntryNotFoundError,
  ForbiddenError,
  GatedRepoError,
  HubApiError,
  HubClient,
  HubError,
  InvalidInputError,
  NetworkError,
  RateLimitedError,
  RepoNotFoundError,
  RevisionNotFoundError,
  UnauthorizedError,
} = hubwasm;

/** The seeded localhub, or a clear failure when the runner was started without one. */
/** A `fetch` for HubClient that records each request's URL, method and headers, then sends it. */
function recordingFetch() {
  const requests = [];
  const fetchFn = (url, init) => {
    requests.push({ url: String(url), method: init?.method ?? "GET", headers: { ...(init?.headers ?? {}) }, at: Date.now() });
    return globalThis.fetch(url, init);
  };
  return { fetchFn, requests };
}

async function collect(iterator) {
  const out = [];
  for await (const item of iterator) out.push(item);
  return out;
}

function client(ctx, token = "write", extra = {}) {
  // No cache (the default is "auto"): these scenarios count requests and inject faults into
  // repeated downloads of one file, so every download must go to the Hub.
  return new HubClient({ hubUrl: ctx.hubUrl, accessToken: token ? ctx.tokens[token] : undefined, cache: false, ...extra });
}

const filesOf = (ctx, repo) => ctx.manifest.files.filter((f) => f.repo === repo);
const sorted = (list) => [...list].sort();

export default [
  {
    name: "hub: whoAmI names the token's user and orgs",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const me = await client(ctx, "write", { userAgent: "hubwasm-tests/1.0", fetch: fetchFn }).whoAmI();
      equal(requests[0].headers["user-agent"], "hubwasm-tests/1.0", "userAgent is sent");
      equal(me.name, ctx.manifest.user, "name");
      for (const org of ctx.manifest.orgs) ok(me.orgs.some((o) => o.name === org), `org ${org} listed`);
      equal((await client(ctx, "read").whoAmI({})).name, ctx.manifest.user, "the read token");
      await rejects(() => client(ctx, null).whoAmI(), { instanceOf: UnauthorizedError, status: 401 }, "anonymous");
    },
  },
  {
    name: "hub: modelInfo, datasetInfo, spaceInfo with revision and expand; repos as strings or { type, name }",
    async run(context) {
      const ctx = hub(context);
      const hubc = client(ctx);
      const { model, dataset, space } = ctx.manifest.repos;
      const info = await hubc.modelInfo({ repo: model });
      equal(info.id, model, "id");
      equal(info.sha, ctx.manifest.modelMainSha, "sha of main");
      ok(Array.isArray(info.siblings) && info.siblings.some((s) => s.rfilename === "config.json"), "siblings");
      equal((await hubc.modelInfo({ repo: { type: "model", name: model }, revision: "v1.0" })).sha, ctx.manifest.modelMainSha, "tag");
      ok((await hubc.modelInfo({ repo: model, revision: "dev" })).sha !== ctx.manifest.modelMainSha, "dev is ahead of main");
      const only = await hubc.modelInfo({ repo: model, expand: ["sha"] });
      equal(only.sha, ctx.manifest.modelMainSha, "expanded sha");
      equal(only.siblings, undefined, "expand returns only what was asked");
      const bare = dataset.replace(/^datasets\//, "");
      equal((await hubc.datasetInfo({ repo: dataset })).id, bare, "datasetInfo with the prefix");
      equal((await hubc.datasetInfo({ repo: bare })).id, bare, "datasetInfo without it");
      equal((await hubc.datasetInfo({ repo: { type: "dataset", name: bare } })).id, bare, "datasetInfo { type, name }");
      equal((await hubc.spaceInfo({ repo: space })).id, space.replace(/^spaces\//, ""), "spaceInfo");
      await rejects(() => hubc.modelInfo({ repo: dataset }), { instanceOf: InvalidInputError }, "a dataset to modelInfo");
      await rejects(() => hubc.spaceInfo({ repo: "demo/nope-space" }), { instanceOf: RepoNotFoundError, status: 404 });
    },
  },
  {
    name: "hub: repoExists and fileExists",
    async run(context) {
      const ctx = hub(context);
      const { model, dataset, private: secret } = ctx.manifest.repos;
      const owner = client(ctx);
      const stranger = client(ctx, "stranger");
      equal(await owner.repoExists({ repo: model }), true, "model");
      equal(await owner.repoExists({ repo: dataset }), true, "dataset");
      equal(await owner.repoExists({ repo: { type: "dataset", name: dataset.slice("datasets/".length) } }), true);
      equal(await owner.repoExists({ repo: "demo/does-not-exist" }), false, "missing");
      equal(await owner.repoExists({ repo: model, revision: "no-such-branch" }), false, "missing revision");
      equal(await owner.repoExists({ repo: secret }), true, "private, owner");
      equal(await stranger.repoExists({ repo: secret }), false, "private, stranger");
      equal(await client(ctx, null).repoExists({ repo: secret }), false, "private, anonymous");

      for (const f of filesOf(ctx, model)) equal(await owner.fileExists({ repo: model, path: f.path }), true, f.path);
      equal(await owner.fileExists({ repo: model, path: "no/such/file" }), false, "missing file");
      equal(await owner.fileExists({ repo: model, path: "nested" }), false, "a folder is not a file");
      equal(await owner.fileExists({ repo: model, path: "dev-only.txt" }), false, "not on main");
      equal(await owner.fileExists({ repo: model, path: "dev-only.txt", revision: "dev" }), true, "on dev");
      equal(await owner.fileExists({ repo: model, path: "pr-file.txt", revision: ctx.manifest.refs.pullRequests[0] }), true, "on the PR");
      await rejects(() => stranger.fileExists({ repo: secret, path: "secret.txt" }), { instanceOf: RepoNotFoundError });
    },
  },
  {
    name: "hub: listFiles (root, recursive, a folder, expand) matches the Python client's files",
    async run(context) {
      const ctx = hub(context);
      const { model } = ctx.manifest.repos;
      const hubc = client(ctx);
      const expected = filesOf(ctx, model);
      const root = await collect(hubc.listFiles({ repo: model }));
      ok(root.some((e) => e.path === "nested" && e.type === "directory"), "the nested folder at the root");
      ok(!root.some((e) => e.path.includes("/")), "a root listing has no deeper paths");
      const all = await collect(hubc.listFiles({ repo: model, recursive: true }));
      for (const f of expected) {
        const e = all.find((x) => x.path === f.path);
        ok(e, `${f.path} listed`);
        equal(e.type, "file", f.path);
        equal(e.size, f.size, `${f.path} size`);
        equal(e.lfs?.oid, f.kind === "regular" ? undefined : f.sha256, `${f.path} lfs oid is Python's sha256`);
        equal(typeof e.xetHash, f.kind === "xet" ? "string" : "undefined", `${f.path} xetHash`);
      }
      const nested = await collect(hubc.listFiles({ repo: model, path: "nested", recursive: true }));
      equal(
        sorted(nested.filter((e) => e.type === "file").map((e) => e.path)).join(),
        sorted(expected.filter((f) => f.path.startsWith("nested/")).map((f) => f.path)).join(),
        "the nested folder",
      );
      const withCommits = await collect(hubc.listFiles({ repo: model, expand: true }));
      ok(withCommits.every((e) => e.type !== "file" || /^[0-9a-f]{40}$/.test(e.lastCommit?.id)), "expand adds lastCommit");
      const onDev = await collect(hubc.listFiles({ repo: model, revision: "dev" }));
      ok(onDev.some((e) => e.path === "dev-only.txt"), "revision dev");
      await rejects(() => collect(hubc.listFiles({ repo: model, path: "no-such-folder" })), { instanceOf: EntryNotFoundError });
    },
  },
  {
    name: "hub: listFiles follows Link pagination past 1000 entries, and a break stops fetching",
    async run(context) {
      const ctx = hub(context);
      const { repo, count, folder } = ctx.manifest.many;
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, "write", { fetch: fetchFn });
      const entries = await collect(hubc.listFiles({ repo, path: folder }));
      equal(entries.length, count, "every file of the manifest");
      equal(new Set(entries.map((e) => e.path)).size, count, "no entry twice");
      ok(requests.length >= 2, `more than one page (${requests.length} requests)`);
      ok(requests.slice(1).every((r) => r.url.includes("cursor=")), "later pages come from the Link header");

      requests.length = 0;
      let seen = 0;
      for await (const _ of hubc.listFiles({ repo, path: folder })) if (++seen === 3) break;
      equal(requests.length, 1, "a break after 3 entries fetched one page only");
      const it = hubc.listFiles({ repo, path: folder });
      equal((await it.next()).done, false);
      equal((await it.return()).done, true, "return() ends the iterator");
      equal((await it.next()).done, true, "and it stays ended");
    },
  },
  {
    name: "hub: pathsInfo gives the entries of the paths that exist, with Python's sha256 as LFS oid",
    async run(context) {
      const ctx = hub(context);
      const { model } = ctx.manifest.repos;
      const expected = filesOf(ctx, model);
      const entries = await client(ctx).pathsInfo({ repo: model, paths: [...expected.map((f) => f.path), "missing.bin", "nested"] });
      equal(entries.length, expected.length + 1, "missing paths are left out, the folder is in");
      equal(entries.find((e) => e.path === "nested")?.type, "directory");
      for (const f of expected) {
        const e = entries.find((x) => x.path === f.path);
        equal(e?.size, f.size, f.path);
        if (f.kind !== "regular") equal(e.lfs.oid, f.sha256, `${f.path} oid`);
      }
      const expanded = await client(ctx).pathsInfo({ repo: model, paths: ["config.json"], expand: true });
      ok(/^[0-9a-f]{40}$/.test(expanded[0].lastCommit?.id), "expand adds lastCommit");
      equal((await client(ctx).pathsInfo({ repo: model, paths: ["dev-only.txt"], revision: "dev" })).length, 1, "revision");
    },
  },
  {
    name: "hub: fileDownloadInfo tells regular, LFS and Xet files apart with size, etag and commit",
    async run(context) {
      const ctx = hub(context);
      const { model } = ctx.manifest.repos;
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, "write", { fetch: fetchFn });
      for (const f of filesOf(ctx, model)) {
        const info = await hubc.fileDownloadInfo({ repo: model, path: f.path });
        equal(info.path, f.path);
        equal(info.size, f.size, `${f.path} size`);
        equal(info.kind, f.kind, `${f.path} kind`);
        equal(info.commit, ctx.manifest.modelMainSha, `${f.path} commit`);
        if (f.kind === "regular") {
          equal(info.lfs, null);
          equal(info.etag, info.oid, "a git blob's etag is its id");
        } else {
          equal(info.etag, f.sha256, `${f.path} etag is Python's sha256`);
        }
        if (f.kind === "xet") {
          ok(/^[0-9a-f]{64}$/.test(info.xetHash), "xetHash");
          ok(info.xet.refreshUrl.includes("/xet-read-token/"), "the xet-auth link");
          ok(info.xet.reconstructionUrl.endsWith(info.xetHash), "the reconstruction link");
        } else {
          equal(info.xetHash, null);
          equal(info.xet, null);
        }
      }
      ok(requests.every((r) => !r.url.includes("/resolve/") || r.headers.accept === "application/vnd.xet-fileinfo+json"),
        "resolve is only asked for the fileinfo JSON, never followed to storage");
      const pinned = await hubc.fileDownloadInfo({ repo: model, path: "config.json", revision: ctx.manifest.mainCommits[0] });
      equal(pinned.commit, ctx.manifest.mainCommits[0], "a commit revision");
      await rejects(() => hubc.fileDownloadInfo({ repo: model, path: "no-such.bin" }), { instanceOf: EntryNotFoundError, status: 404 });
      await rejects(() => hubc.fileDownloadInfo({ repo: model, path: "nested" }), { instanceOf: EntryNotFoundError }, "a folder");
    },
  },
  {
    name: "hub: listCommits pages through the history newest first; listRefs lists branches, tags and PRs",
    async run(context) {
      const ctx = hub(context);
      const { model } = ctx.manifest.repos;
      const { fetchFn, requests } = recordingFetch();
      const hubc = client(ctx, "write", { fetch: fetchFn });
      const commits = await collect(hubc.listCommits({ repo: model, batchSize: 1 }));
      equal(commits.map((c) => c.id).join(), ctx.manifest.mainCommits.join(), "Python's list_repo_commits");
      equal(requests.length, ctx.manifest.mainCommits.length, "one page per commit with batchSize 1");
      ok(commits.every((c) => typeof c.title === "string" && typeof c.date === "string"), "title and date");
      equal((await collect(hubc.listCommits({ repo: model, limit: 2 }))).length, 2, "limit");
      const refs = await hubc.listRefs({ repo: model });
      equal(sorted(refs.branches.map((b) => b.name)).join(), sorted(ctx.manifest.refs.branches).join(), "branches");
      equal(refs.tags.map((t) => t.name).join(), ctx.manifest.refs.tags.join(), "tags");
      equal(refs.pullRequests.map((p) => p.ref).join(), ctx.manifest.refs.pullRequests.join(), "pull requests");
      equal(refs.tags[0].targetCommit, ctx.manifest.modelMainSha, "the tag's commit");
      equal((await hubc.listRefs({ repo: model, includePullRequests: false })).pullRequests, undefined, "without PRs");
    },
  },
  {
    name: "hub: listModels and listDatasets judged by localhub: search, author, limit, private repos hidden, Link pages followed",
    async run(context) {
      const ctx = hub(context);
      const { model, many, private: secret, gated, dataset } = ctx.manifest.repos;
      const user = ctx.manifest.user;
      const ids = async (listing) => (await collect(listing)).map((m) => m.id);
      const mine = await ids(client(ctx).listModels({ author: user }));
      for (const repo of [model, many, secret, gated]) ok(mine.includes(repo), `${repo} listed to its owner`);
      const theirs = await ids(client(ctx, "stranger").listModels({ author: user }));
      ok(!theirs.includes(secret), "a private repo is not listed to a stranger");
      ok(theirs.includes(gated) && theirs.includes(model), "public and gated repos are");
      equal((await ids(client(ctx).listModels({ search: "HUB-FIXT" }))).join(), model, "search: part of the id, any case");
      equal((await ids(client(ctx).listModels({ author: "nobody-at-all" }))).length, 0, "an unknown author");
      equal((await ids(client(ctx).listModels({ author: user, limit: 2 }))).length, 2, "limit");
      equal((await ids(client(ctx).listDatasets({ author: user }))).join(), dataset.replace(/^datasets\//, ""), "datasets");
      ok(!mine.includes(dataset.replace(/^datasets\//, "")), "datasets are not models");
      // Pages of two: localhub's Link header (not this fetch) leads to the rest.
      const urls = [];
      const pagesOfTwo = (url, init) => {
        const u = new URL(String(url));
        if (u.pathname === "/api/models" && !u.searchParams.has("cursor")) u.searchParams.set("limit", "2");
        urls.push(String(u));
        return globalThis.fetch(String(u), init);
      };
      const paged = await ids(client(ctx, "write", { fetch: pagesOfTwo }).listModels({ author: user }));
      equal(paged.join(), mine.join(), "the same repos, page by page");
      equal(urls.length, Math.ceil(mine.length / 2), "one request per page of two");
      ok(urls.slice(1).every((u) => new URL(u).searchParams.get("author") === user), "each next page keeps the query");
    },
  },
  {
    name: "hub: typed errors for missing and private repos, revisions, entries, bad tokens and gated repos",
    async run(context) {
      const ctx = hub(context);
      const { model, private: secret, gated } = ctx.manifest.repos;
      const owner = client(ctx);
      const stranger = client(ctx, "stranger");
      const missing = await rejects(() => owner.modelInfo({ repo: "demo/no-such-repo" }), { instanceOf: RepoNotFoundError, status: 404, code: "REPO_NOT_FOUND" });
      ok(missing instanceof HubApiError && missing instanceof HubError, "RepoNotFoundError extends HubApiError and HubError");
      ok(typeof missing.requestId === "string" && missing.requestId.length > 0, "X-Request-Id kept");
      equal(typeof missing.serverMessage, "string");
      await rejects(() => stranger.modelInfo({ repo: secret }), { instanceOf: RepoNotFoundError }, "private to a stranger");
      await rejects(() => client(ctx, null).modelInfo({ repo: secret }), { instanceOf: RepoNotFoundError }, "private, anonymous");
      await rejects(() => owner.modelInfo({ repo: model, revision: "no-such-branch" }), { instanceOf: RevisionNotFoundError, status: 404, code: "REVISION_NOT_FOUND" });
      await rejects(() => collect(owner.listFiles({ repo: model, revision: "no-such-branch" })), { instanceOf: RevisionNotFoundError });
      await rejects(() => owner.fileDownloadInfo({ repo: model, path: "nope.txt" }), { instanceOf: EntryNotFoundError, code: "ENTRY_NOT_FOUND" });
      const bogus = new HubClient({ hubUrl: ctx.hubUrl, accessToken: "hf_bogus_token_that_localhub_never_issued" });
      await rejects(() => bogus.whoAmI(), { instanceOf: UnauthorizedError, status: 401, code: "UNAUTHORIZED" });
      await rejects(() => bogus.modelInfo({ repo: model }), { instanceOf: UnauthorizedError }, "an invalid token on a repo route");
      const gatedXet = filesOf(ctx, gated).find((f) => f.kind === "xet");
      await rejects(() => stranger.fileDownloadInfo({ repo: gated, path: gatedXet.path }), { instanceOf: GatedRepoError, code: "GATED_REPO" });
      equal((await owner.fileDownloadInfo({ repo: gated, path: gatedXet.path })).etag, gatedXet.sha256, "the owner reads it");
      // localhub answers paths-info and resolve of a gated repo with the Hub's 403 GatedRepo.
      await rejects(() => stranger.pathsInfo({ repo: gated, paths: [gatedXet.path] }), { instanceOf: GatedRepoError, status: 403 }, "paths-info");
      await rejects(() => stranger.downloadFile({ repo: gated, path: "gated.txt" }), { instanceOf: GatedRepoError, status: 403 }, "downloadFile");
      await rejects(() => client(ctx, null).pathsInfo({ repo: gated, paths: ["gated.txt"] }), { instanceOf: GatedRepoError, status: 401 }, "anonymous");
      ok(ForbiddenError.prototype instanceof HubApiError, "ForbiddenError extends HubApiError");
    },
  },
  {
    name: "hub: 429 with Retry-After is waited out, or a RateLimitedError once retries run out; 5xx and cut bodies are retried",
    async run(context) {
      const ctx = hub(context);
      const { model } = ctx.manifest.repos;
      const route = `/api/models/${model}/refs`;
      try {
        await addFault(ctx, { route, kind: "rate-limit", retryAfter: 7, count: 1 });
        const noRetry = client(ctx, "write", { maxRetries: 0 });
        await rejects(() => noRetry.listRefs({ repo: model }), { instanceOf: RateLimitedError, status: 429, retryAfter: 7, code: "RATE_LIMITED" });

        // Retry-After 2 s against a first backoff of 0.5–1 s: the wait must be Retry-After's.
        await addFault(ctx, { route, kind: "rate-limit", retryAfter: 2, count: 1 });
        const { fetchFn, requests } = recordingFetch();
        const refs = await client(ctx, "write", { fetch: fetchFn }).listRefs({ repo: model });
        equal(refs.tags[0].name, ctx.manifest.refs.tags[0], "the answer after the retry");
        equal(requests.length, 2, "one retry");
        ok(requests[1].at - requests[0].at >= 1900, `waited ${requests[1].at - requests[0].at} ms, at least Retry-After`);

        await addFault(ctx, { route, kind: "error", status: 503, count: 2 });
        const again = recordingFetch();
        await client(ctx, "write", { fetch: again.fetchFn }).listRefs({ repo: model });
        equal(again.requests.length, 3, "two 503s, then the answer");

        // localhub drops the connection (before any byte: Deno's and Chromium's fetch then retry a
        // GET on their own, Node's and workerd's report it, and the transport retries).
        await addFault(ctx, { route, kind: "drop", count: 1 });
        equal((await client(ctx).listRefs({ repo: model })).tags.length, 1, "after a dropped connection");

        // An answer whose body is cut after its first bytes (served by this fetch, so that every
        // runtime sees the same cut): the request is sent again and the next answer is read.
        let cuts = 0;
        const cutting = recordingFetch();
        const cutFirst = (url, init) => {
          if (cuts++ === 0) {
            const body = new ReadableStream({
              start(c) {
                c.enqueue(new TextEncoder().encode('{"branches": ['));
                c.error(new TypeError("connection reset (cut by the test)"));
              },
            });
            return Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
          }
          return cutting.fetchFn(url, init);
        };
        equal((await client(ctx, "write", { fetch: cutFirst }).listRefs({ repo: model })).tags.length, 1, "after the cut body");
        equal(cuts, 2, "the cut answer, then one more request");
        cuts = 0;
        await rejects(() => client(ctx, "write", { fetch: cutFirst, maxRetries: 0 }).listRefs({ repo: model }), { instanceOf: NetworkError }, "a cut body without retries");

        await addFault(ctx, { route, kind: "error", status: 500, count: 1 });
        await rejects(() => client(ctx, "write", { maxRetries: 0 }).listRefs({ repo: model }), { instanceOf: HubApiError, status: 500, code: "HUB_API" });
      } finally {
        await clearFaults(ctx);
      }
    },
  },
  {
    name: "hub: NetworkError against a closed port (after the retries); AbortError before and during a request",
    async run(context) {
      const ctx = hub(context);
      const { model } = ctx.manifest.repos;
      const { fetchFn, requests } = recordingFetch();
      // Port 47: unassigned, below 1024 (nothing unprivileged listens there) and not on the
      // browsers' list of unsafe ports, which they refuse without trying.
      const closed = new HubClient({ hubUrl: "http://127.0.0.1:47", maxRetries: 1, fetch: fetchFn });
      const network = await rejects(() => closed.whoAmI(), { instanceOf: NetworkError, code: "NETWORK" });
      ok(network.cause !== undefined, "fetch's error is the cause");
      equal(requests.length, 2, "one retry");

      const aborted = new AbortController();
      aborted.abort(new Error("changed my mind"));
      const recorded = recordingFetch();
      const hubc = client(ctx, "write", { fetch: recorded.fetchFn });
      const error = await rejects(() => hubc.modelInfo({ repo: model, abortSignal: aborted.signal }), { instanceOf: AbortError, name: "AbortError", code: "ABORTED" });
      equal(error.cause?.message, "changed my mind", "the signal's reason is the cause");
      await rejects(() => collect(hubc.listFiles({ repo: model, abortSignal: aborted.signal })), { instanceOf: AbortError });
      equal(recorded.requests.length, 0, "nothing sent with an aborted signal");

      // Aborted while waiting out a 503's backoff (at least 0.5 s): no second attempt.
      try {
        await addFault(ctx, { route: `/api/models/${model}/refs`, kind: "error", status: 503, count: 1 });
        const controller = new AbortController();
        const pending = hubc.listRefs({ repo: model, abortSignal: controller.signal });
        setTimeout(() => controller.abort(), 200);
        await rejects(pending, { instanceOf: AbortError }, "abort during the backoff");
        equal(recorded.requests.length, 1, "the retry never went out");
      } finally {
        await clearFaults(ctx);
      }
    },
  },
  {
    name: "hub: Authorization goes to the Hub's origin only",
    async run(context) {
      const ctx = hub(context);
      const { fetchFn, requests } = recordingFetch();
      const token = ctx.tokens.write;
      // `localhost` is the Hub here; localhub's next-page links name `127.0.0.1`, another origin.
      const hubUrl = ctx.hubUrl.replace("127.0.0.1", "localhost");
      const hubc = new HubClient({ hubUrl, accessToken: token, fetch: fetchFn });
      const { repo, count, folder } = ctx.manifest.many;
      equal((await collect(hubc.listFiles({ repo, path: folder }))).length, count);
      ok(requests.length >= 2, "pages on both origins");
      for (const r of requests) {
        const sameOrigin = new URL(r.url).origin === new URL(hubUrl).origin;
        equal(r.headers.authorization, sameOrigin ? `Bearer ${token}` : undefined, `Authorization to ${r.url}`);
      }
      ok(requests.some((r) => new URL(r.url).hostname === "127.0.0.1"), "a page came from the other origin");
    },
  },
  {
    name: "hub: bad options are InvalidInputErrors that name the option",
    async run(context) {
      const ctx = hub(context);
      throws(() => HubClient({}), { instanceOf: InvalidInputError }, "without new");
      for (const options of [{ hubUrl: "ftp://x" }, { hubUrl: "not a url" }, { fetch: 42 }, { maxRetries: -1 }, { maxRetries: 1.5 }, { accessToken: 7 }, { accessToken: "hf_a\nb" }, 42, "x"]) {
        throws(() => new HubClient(options), { instanceOf: InvalidInputError }, JSON.stringify(options));
      }
      const hubc = client(ctx);
      const model = ctx.manifest.repos.model;
      for (const [what, call] of [
        ["no repo", () => hubc.modelInfo({})],
        ["two slashes", () => hubc.modelInfo({ repo: "a/b/c" })],
        ["models/ prefix", () => hubc.modelInfo({ repo: "models/a/b" })],
        ["a space without namespace", () => hubc.spaceInfo({ repo: "spaces/x" })],
        ["unknown type", () => hubc.repoExists({ repo: { type: "kernel", name: "a/b" } })],
        ["bad revision", () => hubc.modelInfo({ repo: model, revision: "a..b" })],
        ["path escaping the repo", () => hubc.fileExists({ repo: model, path: "../etc/passwd" })],
        ["no path", () => hubc.fileDownloadInfo({ repo: model })],
        ["paths not strings", () => hubc.pathsInfo({ repo: model, paths: [1] })],
        ["expand not an array", () => hubc.modelInfo({ repo: model, expand: "sha" })],
        ["a fake signal", () => hubc.whoAmI({ abortSignal: { aborted: true } })],
        ["options not an object", () => hubc.whoAmI(5)],
      ]) {
        await rejects(call, { instanceOf: InvalidInputError }, what);
      }
      throws(() => hubc.listFiles({ repo: "a/b/c" }), { instanceOf: InvalidInputError }, "listFiles checks at once");
      throws(() => hubc.listCommits({ repo: model, batchSize: 0.5 }), { instanceOf: InvalidInputError });
      throws(() => hubc.listModels({ limit: -3 }), { instanceOf: InvalidInputError });
    },
  },
  {
    name: "hub: hostile option values at every HubClient method are HubErrors, and the client keeps working",
    async run(context) {
      const ctx = hub(context);
      // Requests that get through the checks are answered at once, so no hostile value reaches a Hub.
      let sent = 0;
      const fetchFn = async () => {
        sent++;
        return new Response("[]", { headers: { "content-type": "application/json" } });
      };
      const hubc = new HubClient({ hubUrl: "https://hub.test", fetch: fetchFn, maxRetries: 0 });
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(hubc)).filter(
        (m) => m !== "constructor" && m !== "free" && typeof hubc[m] === "function",
      );
      ok(methods.length >= 13, `methods enumerated: ${methods}`);
      const hostile = invalid.map(([, make]) => make);
      const fields = ["repo", "revision", "path", "paths", "expand", "recursive", "abortSignal", "limit", "batchSize", "search", "author", "includePullRequests"];
      const optionSets = [
        ...hostile.map((make) => () => make()),
        ...fields.flatMap((field) => hostile.map((make) => () => ({ repo: "org/model", path: "a.txt", paths: ["a.txt"], [field]: make() }))),
        () => ({ get repo() { throw new Error("hostile getter"); } }),
        () => new Proxy({}, { get() { throw new Error("hostile trap"); } }),
        () => ({ repo: { type: "model", get name() { throw new Error("hostile name"); } } }),
        () => ({ repo: "org/model", paths: new Array(3).fill({ toString() { throw new Error("x"); } }) }),
      ];
      const failures = [];
      let calls = 0;
      for (const method of methods) {
        for (const makeOptions of optionSets) {
          calls++;
          try {
            const result = hubc[method](makeOptions());
            if (result instanceof Promise) await result;
            else if (result && typeof result.next === "function") await result.next();
          } catch (error) {
            if (!(error instanceof HubError)) failures.push(`${method}: ${error?.name}: ${error?.message}`);
          }
        }
      }
      equal(failures.length, 0, `untyped failures (${failures.length}) in ${calls} calls, first: ${failures.slice(0, 3).join(" | ")}`);
      ok(sent > 0, "some calls were valid and sent");
      equal((await client(ctx).whoAmI()).name, ctx.manifest.user, "a client works afterwards");
      equal(await hubc.repoExists({ repo: "org/model" }), true, "and so does the fuzzed one");
    },
  },
];
