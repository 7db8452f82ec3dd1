// One process of the cache bench (run by cache.mjs, under Node or Deno): BACKEND is "folder" (the
// Hugging Face cache folder, `cache: "auto"` with cacheDir DIR) or "memory". Downloads the file
// twice with one HubClient — the first from localhub (written to the cache as it streams), the
// second served from the cache — then reads it a third time, unmeasured, hashing it to check the
// cached bytes. Prints {first, second} (seconds, bytes, fromCache) and the third read's sha256.
import { createSha256, HubClient } from "hubwasm";

const args = globalThis.Deno?.args ?? process.argv.slice(2);
const [backend, hubUrl, repo, path, accessToken, dir] = args;
const cache = backend === "memory" ? "memory" : "auto";
const hub = new HubClient({ hubUrl, accessToken, cache, cacheDir: backend === "memory" ? undefined : dir });

async function once(hash) {
  const started = performance.now();
  const file = await hub.downloadFile({ repo, path });
  let bytes = 0;
  for await (const chunk of file.stream()) {
    bytes += chunk.byteLength;
    hash?.update(chunk);
  }
  return { seconds: (performance.now() - started) / 1000, bytes, fromCache: file.fromCache };
}

const first = await once();
const second = await once();
const hasher = createSha256();
await once(hasher);
console.log(JSON.stringify({ first, second, sha256: hasher.digest() }));
