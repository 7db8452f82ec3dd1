// What hubwasm uploaded, read back by the official @huggingface/hub (downloadFile, listFiles),
// the npm half of the interop post-check (the Python half is peers/check_uploads.py; see there for
// what the hub-commit scenario leaves behind). SHA-256 by node:crypto. And the other way: files
// @huggingface/hub uploads (through Xet, and over LFS with useXet: false) read back by hubwasm.
// Usage: node conformance/check-uploads.mjs LOCALHUB_URL [MIN_REPOS]
import { createHash, randomBytes } from "node:crypto";
import { createRepo, downloadFile, listFiles, uploadFiles } from "@huggingface/hub";
import { HubClient } from "hubwasm";
import { report } from "../lib/harness.js";

const hubUrl = process.argv[2].replace(/\/$/, "");
const minRepos = Number(process.argv[3] ?? 1);
const accessToken = "hf_localhub_demo_write_token";
const INDEX = "demo/commit-interop-index";

const text = async (repo, path) => (await downloadFile({ repo, path, hubUrl, accessToken })).text();
const sha256 = async (blob) => createHash("sha256").update(new Uint8Array(await blob.arrayBuffer())).digest("hex");

const repos = [];
for await (const f of listFiles({ repo: INDEX, hubUrl, accessToken })) {
  if (f.type === "file" && f.path.endsWith(".txt")) repos.push((await text(INDEX, f.path)).trim());
}
const results = [];
if (repos.length < minRepos) results.push({ name: `at least ${minRepos} repos uploaded by hubwasm`, ok: false, error: `found ${repos.length}` });
for (const repo of repos) {
  const started = Date.now();
  try {
    const expected = JSON.parse(await text(repo, "expected-sha256.json"));
    const listed = new Map();
    for await (const f of listFiles({ repo, recursive: true, hubUrl, accessToken })) listed.set(f.path, f);
    for (const [path, sha] of Object.entries(expected)) {
      const blob = await downloadFile({ repo, path, hubUrl, accessToken });
      if (!blob) throw new Error(`${path}: not found`);
      const got = await sha256(blob);
      if (got !== sha) throw new Error(`${path}: sha256 ${got}, hubwasm's scenario expected ${sha}`);
      const lfs = listed.get(path)?.lfs;
      if (lfs && lfs.oid !== sha) throw new Error(`${path}: LFS oid ${lfs.oid} is not the content's sha256`);
    }
    results.push({ name: `${repo}: ${Object.keys(expected).length} files byte-identical through @huggingface/hub`, ok: true, ms: Date.now() - started });
  } catch (error) {
    results.push({ name: repo, ok: false, error: String(error?.stack ?? error) });
  }
}
{
  const started = Date.now();
  const repo = `demo/hubjs-uploads-${Date.now().toString(36)}`;
  try {
    await createRepo({ repo, hubUrl, accessToken });
    const files = [
      ["xet.bin", new Uint8Array(randomBytes(3_000_000)), true],
      ["lfs.bin", new Uint8Array(randomBytes(1_500_000)), false],
      ["small.txt", new TextEncoder().encode("from @huggingface/hub\n"), true],
    ];
    for (const [path, bytes, useXet] of files) {
      await uploadFiles({ repo, hubUrl, accessToken, useXet, files: [{ path, content: new Blob([bytes]) }] });
    }
    // No cache: the bytes must come from the Hub.
    const hub = new HubClient({ hubUrl, accessToken, cache: false });
    for (const [path, bytes] of files) {
      const back = new Uint8Array(await (await hub.downloadFile({ repo, path })).arrayBuffer());
      const digest = (b) => createHash("sha256").update(b).digest("hex");
      if (digest(back) !== digest(bytes)) throw new Error(`${path}: hubwasm read different bytes`);
    }
    const kinds = [];
    for await (const f of hub.listFiles({ repo })) if (f.path.endsWith(".bin")) kinds.push(`${f.path}: ${f.xetHash ? "xet" : "lfs"}`);
    if (kinds.join() !== "lfs.bin: lfs,xet.bin: xet") throw new Error(`stored as ${kinds.join()}`);
    results.push({ name: `${repo}: @huggingface/hub's Xet, LFS and regular uploads read back by hubwasm`, ok: true, ms: Date.now() - started });
  } catch (error) {
    results.push({ name: repo, ok: false, error: String(error?.stack ?? error) });
  }
}
process.exitCode = report("check-uploads", results);
