// Uploads a local file (or a folder's files) to a Hub repo as one commit with hubwasm in Node,
// with progress, and prints the commit and what travelled:
//
//   node upload.mjs REPO PATH [PATH_IN_REPO]
//
// HF_ENDPOINT picks another Hub (default https://huggingface.co), HF_TOKEN a write token. Large
// files go through Xet in one pass (SHA-256 by node:crypto, chunks deduplicated against what the
// Hub already has); the file is read from disk as it is sent, never whole into memory.
import { readdir, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { HubClient } from "hubwasm";

/** `path` itself, or every file under it, as [path in the repo, file: URL] pairs. */
async function filesAt(path, inRepo) {
  if (!(await stat(path)).isDirectory()) return [[inRepo ?? basename(path), pathToFileURL(path)]];
  const out = [];
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? entry.path, entry.name);
    const rel = relative(path, full).split("\\").join("/");
    out.push([inRepo ? `${inRepo}/${rel}` : rel, pathToFileURL(full)]);
  }
  return out;
}

/** Commits `path` (a file or a folder) to `repo`; returns the commit and the byte counts. */
export async function upload({ hubUrl, accessToken, repo, path, inRepo, onProgress }) {
  const hub = new HubClient({ hubUrl, accessToken });
  const files = await filesAt(path, inRepo);
  const stored = new Map();
  const deduplicated = new Map();
  const { commit } = await hub.commit({
    repo,
    title: `Upload ${files.length} file(s) with hubwasm`,
    operations: files.map(([p, content]) => ({ operation: "addOrUpdate", path: p, content })),
    onProgress: (event) => {
      if (event.event === "fileProgress" && event.state === "uploading") stored.set(event.path, event.loaded);
      if (event.event === "fileProgress" && event.state === "deduplicated") deduplicated.set(event.path, event.loaded);
      onProgress?.(event);
    },
  });
  const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  return { commit, files: files.length, stored: sum(stored), deduplicated: sum(deduplicated) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [repo, path, inRepo] = process.argv.slice(2);
  if (!repo || !path) {
    console.error("usage: node upload.mjs REPO PATH [PATH_IN_REPO]");
    process.exit(2);
  }
  const started = performance.now();
  let phase = "";
  const result = await upload({
    hubUrl: process.env.HF_ENDPOINT,
    accessToken: process.env.HF_TOKEN,
    repo,
    path,
    inRepo,
    onProgress: (event) => {
      if (event.event === "phase" && event.phase !== phase) console.error(`${(phase = event.phase)}…`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const mib = (n) => (n / (1024 * 1024)).toFixed(1);
  console.log(
    `${repo}: commit ${result.commit.oid} (${result.files} file(s)); large files: ${mib(result.stored)} MiB stored, ` +
      `${mib(result.deduplicated)} MiB already on the Hub, ${mib(result.stored - result.deduplicated)} MiB sent, ${seconds.toFixed(1)} s`,
  );
}
