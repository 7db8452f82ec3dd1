// The cache bench's Worker (bundled by cache.mjs, run in Miniflare): GET /?check=1 downloads the
// file with `cache: "auto"` (the Cache API in workerd) and answers {seconds, bytes, fromCache} of
// that download, timed inside workerd, plus its sha256 with check=1.
import { createSha256, HubClient } from "hubwasm";

export default {
  async fetch(request, env) {
    const check = new URL(request.url).searchParams.get("check") === "1";
    const hub = new HubClient({ hubUrl: env.HUB_URL, accessToken: env.TOKEN });
    const hasher = check ? createSha256() : undefined;
    const started = performance.now();
    const file = await hub.downloadFile({ repo: env.REPO, path: env.PATH });
    let bytes = 0;
    for await (const chunk of file.stream()) {
      bytes += chunk.byteLength;
      hasher?.update(chunk);
    }
    const seconds = (performance.now() - started) / 1000;
    return Response.json({ seconds, bytes, fromCache: file.fromCache, sha256: hasher?.digest() });
  },
};
