// What hubwasm uploaded, read back by the official @huggingface/hub (downloadFile, listFiles),
// the npm half of the interop post-check (the Python half is peers/check_uploads.py; see there for
// what the hub-commit scenario leaves behind). SHA-256 by node:crypto.
// Usage: node conformance/check-uploads.mjs LOCALHUB_URL [MIN_REPOS]
import { createHash } from "node:crypto";
import { downloadFile, listFiles } from "@huggingface/hub";
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
process.exitCode = report("check-uploads", results);
