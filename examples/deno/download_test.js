// Runs the example against the localhub `cargo xtask test` seeds (HUBWASM_TEST_HUB names the
// manifest): every file of the fixture model, written to disk and compared with the sha256 the
// Python client computed when it wrote the file.
import { download } from "./download.js";

const manifestPath = Deno.env.get("HUBWASM_TEST_HUB");

Deno.test("examples/deno/download.js streams every kind of fixture file to disk, byte-identical", async () => {
  if (!manifestPath) throw new Error("no localhub: run through `cargo xtask test` (it sets HUBWASM_TEST_HUB)");
  const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
  const dir = await Deno.makeTempDir({ prefix: "hubwasm-deno-example-" });
  try {
    const kinds = new Set();
    for (const f of manifest.files.filter((x) => x.repo === manifest.repos.model)) {
      const out = `${dir}/${f.path.replaceAll("/", "_")}`;
      const result = await download({ hubUrl: manifest.hubUrl, accessToken: manifest.tokens.read, repo: f.repo, path: f.path, out });
      const written = await Deno.readFile(out);
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", written)), (b) => b.toString(16).padStart(2, "0")).join("");
      if (written.length !== f.size || digest !== f.sha256) throw new Error(`${f.path}: ${written.length} bytes, sha256 ${digest}; expected ${f.size}, ${f.sha256}`);
      if (result.sha256 !== f.sha256) throw new Error(`${f.path}: the example's own sha256 ${result.sha256} is wrong`);
      kinds.add(f.kind);
    }
    if ([...kinds].sort().join() !== "lfs,regular,xet") throw new Error(`kinds seen: ${[...kinds]}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
