// The cache folder shared with Python, both ways (issue #11 Proof), run by Node and by Deno:
// - Python's hf_hub_download fills a cache from localhub; hubwasm reads every file from it offline
//   and with the Hub unreachable, and its scan gives scan_cache_dir's figures;
// - hubwasm fills another cache; Python reads every file with HF_HUB_OFFLINE=1, scan_cache_dir sees
//   hubwasm's entries with the right sizes, and both folders hold the same refs, snapshot links and
//   blobs, the same CACHEDIR.TAG and .locks/ files, and the same shared Xet store (huggingface_hub
//   2.4's root blobs/: payloads, .refs manifests, .lock files, the marker, their modes and links);
// - a Xet file in two repos is one payload in both folders; scan_cache_dir and hubwasm count it
//   once in the total, and deleting one repo keeps the payload the other links to, as Python's does.
// Expected bytes are the sha256 Python computed when it seeded localhub (the manifest).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { HubClient } from "hubwasm";
import { equal, ok } from "../lib/assert.js";
import { report, steps } from "../lib/harness.js";
import { hubContextFromEnv } from "../lib/hub-context.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const runtime = typeof globalThis.Deno === "undefined" ? "node" : "deno";
const python = process.env.HUBWASM_PEERS_PYTHON ?? join(root, "target/peers-venv/bin/python");
const UNREACHABLE = "http://127.0.0.1:9";

const ctx = hubContextFromEnv();
const { results, step } = steps();
const dirs = [];
const tempDir = (name) => {
  const dir = mkdtempSync(join(tmpdir(), `hubwasm-cache-${name}-`));
  dirs.push(dir);
  return dir;
};

function py(args, env = {}) {
  const out = execFileSync(python, [join(root, "peers/hf_cache_interop.py"), ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: { ...process.env, HF_ENDPOINT: ctx.hubUrl, HF_TOKEN: ctx.tokens.read, ...env },
  });
  return out.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (bytes) => hex(await crypto.subtle.digest("SHA-256", bytes));

/** The jobs: [repo, revision, path] and the sha256 Python wrote, each file kind and a tag, a branch, a dataset. */
function jobs() {
  const m = ctx.manifest;
  const pick = (repo, path) => m.files.find((f) => f.repo === repo && f.path === path);
  const list = [
    [m.repos.model, "main", "config.json"],
    [m.repos.model, "main", "nested/deeper/notes.txt"],
    [m.repos.model, "main", "nested/a file with spaces.txt"],
    [m.repos.model, "main", "xet-small.bin"],
    [m.repos.model, "main", "lfs-legacy.bin"],
    [m.repos.model, "v1.0", "README.md"],
    [m.repos.dataset, "main", "data/train.csv"],
  ];
  return list.map(([repo, revision, path]) => ({ repo, revision, path, sha256: pick(repo, path)?.sha256 }));
}

/** Python's figures and ours, in one shape. */
const figures = (scan) =>
  scan.repos
    .map((r) => ({
      repo: `${r.type}:${r.repo}`,
      nbFiles: r.nbFiles,
      sizeOnDisk: r.sizeOnDisk,
      revisions: r.revisions.map((v) => `${v.commit} ${v.nbFiles} ${v.sizeOnDisk} [${[...v.refs].sort()}]`).sort(),
    }))
    .sort((a, b) => a.repo.localeCompare(b.repo));

/**
 * A folder's refs, snapshot links, repo blobs (a file, or a link into the shared store) and the
 * shared store whole: what Python and hubwasm must agree on.
 */
function layout(dir) {
  const [entries] = py(["layout", dir]);
  const out = {};
  for (const [key, entry] of Object.entries(entries)) {
    const [top, area] = key.split("/");
    if (top === ".locks" || top === "CACHEDIR.TAG" || area === ".no_exist") continue;
    if (top === "blobs") {
      const mode = entry.mode?.toString(8);
      out[key] = entry.dir ? `folder ${mode}` : `file ${entry.size} ${mode}${entry.content === undefined ? "" : ` ${JSON.stringify(entry.content)}`}`;
    } else if (entry.dir) continue;
    else if (area === "blobs") out[key] = entry.link !== undefined ? `link ${entry.link}` : "blob";
    else if (area === "refs") out[key] = `ref ${entry.content}`;
    else out[key] = entry.link !== undefined ? `link ${entry.link}` : `copy of ${entry.size}`;
  }
  return out;
}

/** The Xet hash Python keyed a repo blob by in its shared store (the link's last part), or null. */
function pythonXetHash(dir, repo, sha) {
  const link = py(["layout", dir])[0][`${repo}/blobs/${sha}`]?.link;
  return link === undefined ? null : link.split("/").pop();
}

/** Reads every job's file from the cache; `xet` is the Xet hash expected of xet-small.bin. */
async function readAll(hub, what, xet) {
  for (const job of jobs()) {
    const file = await hub.downloadFile({ repo: job.repo, path: job.path, revision: job.revision });
    equal(file.fromCache, true, `${what}: ${job.path} from the cache`);
    equal(await sha256(await file.arrayBuffer()), job.sha256, `${what}: ${job.path} bytes`);
    const kind = ctx.manifest.files.find((f) => f.repo === job.repo && f.path === job.path)?.kind;
    equal(file.xetHash ?? null, kind === "xet" ? xet : null, `${what}: ${job.path} xetHash`);
  }
}

if (!ctx) {
  results.push({ name: "context", ok: false, ms: 0, error: "no HUBWASM_TEST_HUB: run through cargo xtask test" });
} else {
  const fromPython = tempDir("python");
  const fromHubwasm = tempDir("hubwasm");
  const spec = JSON.stringify(jobs().map((j) => [j.repo, j.revision, j.path]));
  const xetJob = jobs().find((j) => j.path === "xet-small.bin");
  const folderOf = (repo) => `models--${repo.replaceAll("/", "--")}`;
  let xetHash;

  await step(`${runtime}: Python's hf_hub_download fills a cache`, async () => {
    for (const line of py(["download", fromPython, spec])) {
      equal(line.sha256, jobs().find((j) => j.path === line.path).sha256, `python ${line.path}`);
    }
    xetHash = pythonXetHash(fromPython, folderOf(xetJob.repo), xetJob.sha256);
    ok(/^[0-9a-f]{64}$/.test(xetHash ?? ""), `python keeps xet-small.bin in its shared store: ${xetHash}`);
  });
  await step(`${runtime}: hubwasm reads Python's cache offline, sending nothing`, async () => {
    let requests = 0;
    const fetch = () => {
      requests++;
      throw new TypeError("offline");
    };
    await readAll(new HubClient({ hubUrl: UNREACHABLE, cache: "auto", cacheDir: fromPython, offline: true, fetch }), "offline", xetHash);
    equal(requests, 0, "no request");
  });
  await step(`${runtime}: hubwasm reads Python's cache with the Hub unreachable (last known commits)`, async () => {
    await readAll(new HubClient({ hubUrl: UNREACHABLE, cache: "auto", cacheDir: fromPython, maxRetries: 0 }), "unreachable", xetHash);
  });
  await step(`${runtime}: hubwasm's scan of Python's cache gives scan_cache_dir's figures`, async () => {
    const [theirs] = py(["scan", fromPython]);
    equal(theirs.warnings.length, 0, `python warnings: ${theirs.warnings}`);
    const ours = await new HubClient({ cache: "auto", cacheDir: fromPython, offline: true }).cache.scan();
    equal(JSON.stringify(figures(ours)), JSON.stringify(figures(theirs)), "scan figures");
    equal(ours.sizeOnDisk, theirs.sizeOnDisk, "total size");
  });
  await step(`${runtime}: hubwasm fills a cache that Python reads with HF_HUB_OFFLINE=1`, async () => {
    const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: "auto", cacheDir: fromHubwasm });
    for (const job of jobs()) {
      const file = await hub.downloadFile({ repo: job.repo, path: job.path, revision: job.revision });
      equal(await sha256(await file.arrayBuffer()), job.sha256, `hubwasm ${job.path}`);
    }
    const lines = py(["read", fromHubwasm, spec], { HF_HUB_OFFLINE: "1", HF_ENDPOINT: UNREACHABLE });
    equal(lines.length, jobs().length, "every file read");
    for (const line of lines) {
      equal(line.sha256, jobs().find((j) => j.path === line.path).sha256, `python offline ${line.path}`);
      ok(line.local.startsWith(fromHubwasm), `${line.local} is in hubwasm's cache`);
    }
    await readAll(new HubClient({ hubUrl: UNREACHABLE, cache: "auto", cacheDir: fromHubwasm, offline: true }), "hubwasm's own, offline", xetHash);
  });
  await step(`${runtime}: scan_cache_dir sees hubwasm's entries with the right sizes`, async () => {
    const [theirs] = py(["scan", fromHubwasm]);
    equal(theirs.warnings.length, 0, `python warnings: ${theirs.warnings}`);
    const [reference] = py(["scan", fromPython]);
    equal(JSON.stringify(figures(theirs)), JSON.stringify(figures(reference)), "the same figures as for Python's own cache");
    const ours = await new HubClient({ cache: "auto", cacheDir: fromHubwasm, offline: true }).cache.scan();
    equal(JSON.stringify(figures(ours)), JSON.stringify(figures(theirs)), "hubwasm's scan of its cache");
  });
  await step(`${runtime}: snapshotDownload's folder is the one Python's snapshot_download finds`, async () => {
    const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: "auto", cacheDir: fromHubwasm });
    const repo = ctx.manifest.repos.model;
    const snapshot = await hub.snapshotDownload({ repo, revision: "v1.0", allowPatterns: ["*.md", "*.json"] });
    ok(snapshot.files.length >= 2 && snapshot.files.every((f) => f.fromCache), `already cached: ${JSON.stringify(snapshot.files)}`);
    const [python] = py(["snapshot", fromHubwasm, repo, "v1.0"], { HF_HUB_OFFLINE: "1", HF_ENDPOINT: UNREACHABLE });
    equal(snapshot.folder, python.folder, "the snapshot folder");
  });
  await step(`${runtime}: both folders hold the same refs, snapshot links and blobs`, async () => {
    const theirs = layout(fromPython);
    const ours = layout(fromHubwasm);
    ok(Object.keys(theirs).length > 10, "python's layout is not empty");
    ok(theirs["blobs/.huggingface-shared-blobs"] && Object.keys(theirs).some((k) => k.endsWith(".refs")), "python's shared Xet store is compared");
    equal(JSON.stringify(ours, null, 1), JSON.stringify(theirs, null, 1), "layouts");
    const incomplete = Object.keys(ours).filter((k) => k.includes(".incomplete") || k.endsWith(".tmp"));
    equal(incomplete.length, 0, "no temporary file left");
  });
  await step(`${runtime}: both folders hold Python's CACHEDIR.TAG (byte for byte) and the same .locks files (mode 0664)`, async () => {
    const marks = (dir) => {
      const [entries] = py(["layout", dir]);
      return Object.keys(entries)
        .filter((k) => k === "CACHEDIR.TAG" || k.startsWith(".locks/"))
        .sort()
        .map((k) => `${k} ${entries[k].size} ${(statSync(join(dir, k)).mode & 0o777).toString(8)}`);
    };
    const theirs = marks(fromPython);
    ok(theirs.some((k) => k.startsWith(".locks/")) && theirs.some((k) => k.startsWith("CACHEDIR.TAG")), `python wrote both: ${theirs}`);
    equal(marks(fromHubwasm).join("\n"), theirs.join("\n"), "the same tag and lock files");
    equal(readFileSync(join(fromHubwasm, "CACHEDIR.TAG"), "latin1"), readFileSync(join(fromPython, "CACHEDIR.TAG"), "latin1"), "CACHEDIR.TAG bytes");
  });
  // The same Xet file in a second repo of this run's own (uploaded by huggingface_hub).
  const second = `demo/cache-shared-${runtime}-${Math.random().toString(16).slice(2, 10)}`;
  const secondSpec = JSON.stringify([[second, "main", xetJob.path]]);
  await step(`${runtime}: a Xet file in two repos is one shared payload in both folders, linked from each`, async () => {
    py(["share", fromPython, second, xetJob.path], { HF_TOKEN: ctx.tokens.write });
    const [line] = py(["download", fromPython, secondSpec]);
    equal(line.sha256, xetJob.sha256, "python's second copy");
    const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: "auto", cacheDir: fromHubwasm });
    const file = await hub.downloadFile({ repo: second, path: xetJob.path });
    equal(file.fromCache, true, "linked to the payload hubwasm already had: nothing downloaded");
    equal(file.xetHash, xetHash, "its xetHash");
    equal(await sha256(await file.arrayBuffer()), xetJob.sha256, "bytes");
    const theirs = layout(fromPython);
    ok(theirs[`blobs/${xetHash.slice(0, 2)}/${xetHash}.refs`]?.includes(folderOf(second)), `python's manifest names both: ${JSON.stringify(theirs)}`);
    equal(JSON.stringify(layout(fromHubwasm), null, 1), JSON.stringify(theirs, null, 1), "layouts");
    const [read] = py(["read", fromHubwasm, secondSpec], { HF_HUB_OFFLINE: "1", HF_ENDPOINT: UNREACHABLE });
    equal(read.sha256, xetJob.sha256, "python reads hubwasm's second link offline");
  });
  await step(`${runtime}: scan_cache_dir and hubwasm count a shared payload once in the total, in both folders`, async () => {
    const [theirs] = py(["scan", fromPython]);
    equal(theirs.warnings.length, 0, `python warnings: ${theirs.warnings}`);
    const perRepo = theirs.repos.reduce((n, r) => n + r.sizeOnDisk, 0);
    equal(perRepo - theirs.sizeOnDisk, ctx.manifest.files.find((f) => f.path === xetJob.path).size, "python counts the payload once");
    for (const dir of [fromPython, fromHubwasm]) {
      const [python] = py(["scan", dir]);
      const ours = await new HubClient({ cache: "auto", cacheDir: dir, offline: true }).cache.scan();
      equal(JSON.stringify(figures(ours)), JSON.stringify(figures(python)), `${dir}: scan figures`);
      equal(ours.sizeOnDisk, python.sizeOnDisk, `${dir}: total size`);
      equal(python.sizeOnDisk, theirs.sizeOnDisk, `${dir}: the same total as python's own folder`);
    }
  });
  await step(`${runtime}: cacheSizeLimit counts a shared payload once and evicts it with every link to it`, async () => {
    const dir = tempDir("evict");
    const size = (path) => ctx.manifest.files.find((f) => f.repo === xetJob.repo && f.path === path).size;
    const lfs = "lfs-legacy.bin";
    // Room for the payload once (not twice), then not for it and lfs-legacy.bin together.
    const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: "auto", cacheDir: dir, cacheSizeLimit: size(xetJob.path) + 1024 });
    for (const repo of [xetJob.repo, second]) await (await hub.downloadFile({ repo, path: xetJob.path })).arrayBuffer();
    const payload = `blobs/${xetHash.slice(0, 2)}/${xetHash}`;
    const both = layout(dir);
    ok(both[payload], "the payload is stored");
    ok(both[`${folderOf(xetJob.repo)}/blobs/${xetJob.sha256}`]?.startsWith("link") && both[`${folderOf(second)}/blobs/${xetJob.sha256}`]?.startsWith("link"), `both repos link to it, nothing evicted: ${JSON.stringify(both)}`);
    await (await hub.downloadFile({ repo: xetJob.repo, path: lfs })).arrayBuffer();
    const after = layout(dir);
    equal(after[payload], undefined, "the least recently used payload is evicted");
    equal(after[`${payload}.refs`], undefined, "with its manifest");
    equal(Object.keys(after).filter((k) => k.endsWith(xetJob.sha256) || k.endsWith(xetJob.path)).join(), "", "and every repo blob and snapshot entry naming it");
    const [python] = py(["scan", dir]);
    equal(python.warnings.length, 0, `python warnings: ${python.warnings}`);
    equal(python.sizeOnDisk, size(lfs), "scan_cache_dir sees only lfs-legacy.bin");
  });
  await step(`${runtime}: with HF_HUB_DISABLE_SHARED_BLOBS=1 both keep a Xet blob in the repo folder`, async () => {
    const [theirs, ours] = [tempDir("unshared-python"), tempDir("unshared-hubwasm")];
    const only = JSON.stringify([[xetJob.repo, "main", xetJob.path]]);
    py(["download", theirs, only], { HF_HUB_DISABLE_SHARED_BLOBS: "1" });
    process.env.HF_HUB_DISABLE_SHARED_BLOBS = "1";
    try {
      const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: "auto", cacheDir: ours });
      await (await hub.downloadFile({ repo: xetJob.repo, path: xetJob.path })).arrayBuffer();
    } finally {
      delete process.env.HF_HUB_DISABLE_SHARED_BLOBS;
    }
    const python = layout(theirs);
    equal(python[`${folderOf(xetJob.repo)}/blobs/${xetJob.sha256}`], "blob", "python's blob is a file in the repo");
    equal(JSON.stringify(layout(ours), null, 1), JSON.stringify(python, null, 1), "layouts");
  });
  await step(`${runtime}: a symlink planted in place of a shared-store folder is not followed: the blob stays in the repo folder`, async () => {
    // (Python 2.4 follows such a link, so this is hubwasm's own rule, not a comparison.)
    const dir = tempDir("planted");
    mkdirSync(join(dir, "outside"));
    mkdirSync(join(dir, "blobs"));
    writeFileSync(join(dir, "blobs", ".huggingface-shared-blobs"), "1\n"); // a store in use
    symlinkSync("../outside", join(dir, "blobs", xetHash.slice(0, 2)));
    const hub = new HubClient({ hubUrl: ctx.hubUrl, accessToken: ctx.tokens.read, cache: "auto", cacheDir: dir });
    await (await hub.downloadFile({ repo: xetJob.repo, path: xetJob.path })).arrayBuffer();
    equal(readdirSync(join(dir, "outside")).length, 0, "nothing written through the link");
    equal(layout(dir)[`${folderOf(xetJob.repo)}/blobs/${xetJob.sha256}`], "blob", "the blob is a file in the repo");
    const offline = new HubClient({ hubUrl: UNREACHABLE, cache: "auto", cacheDir: dir, offline: true });
    equal(await sha256(await (await offline.downloadFile({ repo: xetJob.repo, path: xetJob.path })).arrayBuffer()), xetJob.sha256, "read back");
  });
  await step(`${runtime}: deleting one repo keeps the payload the other links to, as Python's delete does`, async () => {
    py(["delete", fromPython, second]);
    await new HubClient({ cache: "auto", cacheDir: fromHubwasm, offline: true }).cache.delete({ repo: second });
    const theirs = layout(fromPython);
    ok(theirs[`blobs/${xetHash.slice(0, 2)}/${xetHash}`], "python kept the payload");
    equal(JSON.stringify(layout(fromHubwasm), null, 1), JSON.stringify(theirs, null, 1), "layouts after the delete");
    const hub = new HubClient({ hubUrl: UNREACHABLE, cache: "auto", cacheDir: fromHubwasm, offline: true });
    const file = await hub.downloadFile({ repo: xetJob.repo, path: xetJob.path });
    equal(await sha256(await file.arrayBuffer()), xetJob.sha256, "the first repo's copy still reads");
  });
  await step(`${runtime}: deleting the last repo linking to a payload removes it, as Python's delete does`, async () => {
    py(["delete", fromPython, xetJob.repo]);
    await new HubClient({ cache: "auto", cacheDir: fromHubwasm, offline: true }).cache.delete({ repo: xetJob.repo });
    const theirs = layout(fromPython);
    equal(theirs[`blobs/${xetHash.slice(0, 2)}/${xetHash}`], undefined, "python removed the payload");
    equal(JSON.stringify(layout(fromHubwasm), null, 1), JSON.stringify(theirs, null, 1), "layouts after the last delete");
  });
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
process.exitCode = report(`Python cache interop (${runtime})`, results);
