// Runs the Node examples against the localhub `cargo xtask test` seeds (HUBWASM_TEST_HUB names the
// manifest), as a user would: each script in its own process, by its command line. Downloads are
// compared with the sha256 the Python client computed when it wrote the files; uploads with the
// bytes on disk.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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

test("upload.mjs commits a folder; the files read back byte-identical through download.mjs", async () => {
  const manifest = await fixture();
  const dir = await mkdtemp(join(tmpdir(), "hubwasm-node-upload-"));
  const env = { ...process.env, HF_ENDPOINT: manifest.hubUrl, HF_TOKEN: manifest.tokens.write };
  try {
    const name = `node-example-${process.pid}`;
    const created = await fetch(`${manifest.hubUrl}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${manifest.tokens.write}`, "content-type": "application/json" },
      body: JSON.stringify({ name, type: "model" }),
    });
    if (!created.ok) throw new Error(`create repo: ${created.status}`);
    const repo = `${manifest.user}/${name}`;
    const folder = join(dir, "release");
    await mkdir(join(folder, "nested"), { recursive: true });
    const files = { "notes.md": Buffer.from("# notes\n"), "nested/weights.bin": randomBytes(12 * 1024 * 1024) };
    for (const [p, bytes] of Object.entries(files)) await writeFile(join(folder, p), bytes);
    const { stdout } = await run("node", ["upload.mjs", repo, folder], { env, cwd: import.meta.dirname });
    if (!/commit [0-9a-f]{40} \(2 file\(s\)\)/.test(stdout)) throw new Error(`upload.mjs printed ${stdout}`);
    for (const [p, bytes] of Object.entries(files)) {
      const out = join(dir, p.replaceAll("/", "_"));
      await run("node", ["download.mjs", repo, p, out], { env, cwd: import.meta.dirname });
      const digest = createHash("sha256").update(await readFile(out)).digest("hex");
      if (digest !== createHash("sha256").update(bytes).digest("hex")) throw new Error(`${p} came back different`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
