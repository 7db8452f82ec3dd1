// Runs the Node examples against the localhub `cargo xtask test` seeds (HUBWASM_TEST_HUB names the
// manifest), as a user would: each script in its own process, by its command line. Downloads are
// compared with the sha256 the Python client computed when it wrote the files.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const manifestPath = process.env.HUBWASM_TEST_HUB;

async function fixture() {
  if (!manifestPath) throw new Error("no localhub: run through `cargo xtask test` (it sets HUBWASM_TEST_HUB)");
  return JSON.parse(await readFile(manifestPath, "utf8"));
}

test("download.mjs streams every kind of fixture file to disk, byte-identical", async () => {
  const manifest = await fixture();
  const dir = await mkdtemp(join(tmpdir(), "hubwasm-node-example-"));
  const env = { ...process.env, HF_ENDPOINT: manifest.hubUrl, HF_TOKEN: manifest.tokens.read };
  try {
    const kinds = new Set();
    for (const f of manifest.files.filter((x) => x.repo === manifest.repos.model)) {
      const out = join(dir, f.path.replaceAll("/", "_"));
      const { stdout } = await run("node", ["download.mjs", f.repo, f.path, out], { env, cwd: import.meta.dirname });
      const written = await readFile(out);
      const digest = createHash("sha256").update(written).digest("hex");
      if (written.length !== f.size || digest !== f.sha256) throw new Error(`${f.path}: ${written.length} bytes, sha256 ${digest}; expected ${f.size}, ${f.sha256}`);
      if (!stdout.includes(`sha256 ${f.sha256}`)) throw new Error(`${f.path}: the script printed ${stdout}`);
      kinds.add(f.kind);
    }
    if ([...kinds].sort().join() !== "lfs,regular,xet") throw new Error(`kinds seen: ${[...kinds]}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("download.mjs without arguments prints its usage and exits 2", async () => {
  const failure = await run("node", ["download.mjs"], { cwd: import.meta.dirname }).then(() => undefined, (e) => e);
  if (failure?.code !== 2 || !failure.stderr.includes("usage: node download.mjs")) throw new Error(`got ${failure?.code}: ${failure?.stderr}`);
});
