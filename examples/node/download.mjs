// Downloads one file of a Hub repo with hubwasm in Node, streaming it to disk with progress and
// printing its sha256 (hashed while it streams):
//
//   node download.mjs REPO PATH [OUT]
//
// HF_ENDPOINT picks another Hub (default https://huggingface.co), HF_TOKEN a token. Regular, LFS
// and Xet files alike: Xet chunks are fetched concurrently, verified in wasm and written in order.
import { open } from "node:fs/promises";
import { createSha256, HubClient } from "hubwasm";

/** Streams `path` of `repo` into `out` (a path, or undefined to only hash); returns what it saw. */
export async function download({ hubUrl, accessToken, repo, path, out, onProgress }) {
  const client = new HubClient({ hubUrl, accessToken });
  const file = await client.downloadFile({ repo, path, onProgress });
  const hasher = createSha256();
  const sink = out === undefined ? undefined : await open(out, "w");
  try {
    for await (const chunk of file.stream()) {
      hasher.update(chunk);
      if (sink) await sink.write(chunk);
    }
  } finally {
    await sink?.close();
  }
  return { size: file.size, commit: file.commit, xetHash: file.xetHash, sha256: hasher.digest() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [repo, path, out] = process.argv.slice(2);
  if (!repo || !path) {
    console.error("usage: node download.mjs REPO PATH [OUT]");
    process.exit(2);
  }
  const started = performance.now();
  let shown = -10;
  const result = await download({
    hubUrl: process.env.HF_ENDPOINT,
    accessToken: process.env.HF_TOKEN,
    repo,
    path,
    out,
    onProgress: ({ loaded, total }) => {
      const percent = Math.floor((100 * loaded) / Math.max(total, 1));
      if (percent >= shown + 10) {
        shown = percent;
        console.error(`${percent}% of ${total} bytes`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${repo}/${path} at ${result.commit}: ${result.size} bytes, sha256 ${result.sha256}` +
    (result.xetHash ? `, xet ${result.xetHash}` : "") + `, ${(result.size / 1e6 / seconds).toFixed(1)} MB/s`);
}
