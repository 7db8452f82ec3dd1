// Downloads one file of a Hub repo with hubwasm in Deno, streaming it to disk with progress and
// printing its sha256 (hashed while it streams):
//
//   deno run --allow-read --allow-net --allow-write --allow-env download.js REPO PATH [OUT]
//
// HF_ENDPOINT picks another Hub (default https://huggingface.co), HF_TOKEN a token. Regular, LFS
// and Xet files alike: Xet chunks are fetched concurrently, verified in wasm and written in order.
import { createSha256, HubClient } from "hubwasm";

/** Streams `path` of `repo` into `out` (a path, or undefined to only hash); returns what it saw. */
export async function download({ hubUrl, accessToken, repo, path, out, onProgress }) {
  const client = new HubClient({ hubUrl, accessToken });
  const file = await client.downloadFile({ repo, path, onProgress });
  const hasher = createSha256();
  const sink = out === undefined ? undefined : await Deno.open(out, { write: true, create: true, truncate: true });
  try {
    for await (const chunk of file.stream()) {
      hasher.update(chunk);
      if (sink) for (let at = 0; at < chunk.length; ) at += await sink.write(chunk.subarray(at));
    }
  } finally {
    sink?.close();
  }
  return { size: file.size, commit: file.commit, xetHash: file.xetHash, sha256: hasher.digest() };
}

if (import.meta.main) {
  const [repo, path, out] = Deno.args;
  if (!repo || !path) {
    console.error("usage: deno run --allow-read --allow-net --allow-write --allow-env download.js REPO PATH [OUT]");
    Deno.exit(2);
  }
  const started = performance.now();
  let shown = -10;
  const result = await download({
    hubUrl: Deno.env.get("HF_ENDPOINT"),
    accessToken: Deno.env.get("HF_TOKEN"),
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
