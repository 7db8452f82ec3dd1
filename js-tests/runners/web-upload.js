// examples/web-upload run as a user would: built by Vite from its own folder, served, and driven in
// Chromium by playwright (a folder and a file set on its inputs, its buttons clicked) against the
// seeded localhub. What the page committed is checked by the official Python client
// (huggingface_hub, downloading every file and hashing it) against the bytes on disk.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { launchChromium, serveStatic } from "../lib/browser.js";
import { report, steps } from "../lib/harness.js";
import { hubContextFromEnv } from "../lib/hub-context.js";

const appRoot = fileURLToPath(new URL("../../examples/web-upload", import.meta.url));
const python = process.env.HUBWASM_PEERS_PYTHON ?? fileURLToPath(new URL("../../target/peers-venv/bin/python", import.meta.url));
const ctx = hubContextFromEnv();
const { results, step } = steps();
const MIB = 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), "hubwasm-web-upload-"));
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
/** Writes `bytes` at `path` under `root`; returns { path (as the page will commit it), sha256, size }. */
function put(root, path, bytes) {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), bytes);
  return { path, sha256: sha256(bytes), size: bytes.length };
}

// The official client's view of a commit: every listed file downloaded and hashed.
const CHECK_COMMIT = `
import hashlib, json, sys
from huggingface_hub import HfApi, hf_hub_download
endpoint, token, repo, revision, expected_path = sys.argv[1:6]
expected = json.load(open(expected_path))
api = HfApi(endpoint=endpoint, token=token)
listed = set(api.list_repo_files(repo, revision=revision))
problems = [f"{e['path']} is not in the commit" for e in expected if e["path"] not in listed]
for e in expected:
    if e["path"] not in listed:
        continue
    local = hf_hub_download(repo, e["path"], revision=revision, endpoint=endpoint, token=token, cache_dir=sys.argv[6])
    digest = hashlib.sha256(open(local, "rb").read()).hexdigest()
    if digest != e["sha256"]:
        problems.append(f"{e['path']}: sha256 {digest}, expected {e['sha256']}")
print(json.dumps({"problems": problems, "head": api.repo_info(repo).sha}))
`;

function pythonView(repo, revision, expected) {
  const expectedPath = join(work, `expected-${Date.now()}.json`);
  writeFileSync(expectedPath, JSON.stringify(expected));
  const out = execFileSync(python, ["-c", CHECK_COMMIT, ctx.hubUrl, ctx.tokens.write, repo, revision, expectedPath, join(work, "hf-cache")], {
    encoding: "utf8",
    env: { ...process.env, HF_HUB_DISABLE_TELEMETRY: "1", HF_XET_TELEMETRY_ENABLED: "false" },
  });
  return JSON.parse(out.trim().split("\n").pop());
}

async function createRepo(name) {
  const response = await fetch(`${ctx.hubUrl}/api/repos/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${ctx.tokens.write}`, "content-type": "application/json" },
    body: JSON.stringify({ name, type: "model" }),
  });
  if (!response.ok) throw new Error(`creating ${name}: ${response.status} ${await response.text()}`);
  return `${ctx.manifest.user}/${name}`;
}

if (ctx === undefined) {
  results.push({ name: "web-upload", ok: false, error: "no localhub: run through `cargo xtask test` (it sets HUBWASM_TEST_HUB)" });
} else {
  const outDir = join(work, "dist");
  const browser = await launchChromium();
  try {
    await step("examples/web-upload builds with Vite", () =>
      build({ root: appRoot, logLevel: "warn", build: { outDir, emptyOutDir: true } }),
    );
    const server = await serveStatic(outDir);
    const repo = await createRepo(`web-upload-${process.pid}`);
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    const state = (states) =>
      page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout: 300_000 }).then(() => page.evaluate(() => document.body.dataset.state));
    await page.goto(`${server.url}/?${new URLSearchParams({ hub: ctx.hubUrl, token: ctx.tokens.write, repo })}`);

    let firstCommit;
    const folderRoot = join(work, "picked");
    const expected = [];
    await step("a folder and a file picked, uploaded as one commit; the Python client reads every file back byte-identical", async () => {
      // A folder (regular files inline and an LFS/Xet-sized one) and a separate large file.
      expected.push(put(folderRoot, "release/README.md", Buffer.from("# Uploaded from a page\n")));
      expected.push(put(folderRoot, "release/nested/data.bin", randomBytes(3 * MIB)));
      const single = join(work, "single");
      expected.push(put(single, "weights.bin", randomBytes(24 * MIB)));
      await page.setInputFiles("#folder", join(folderRoot, "release"));
      await page.setInputFiles("#files", join(single, "weights.bin"));
      await page.click("#start");
      const end = await state(["done", "failed", "aborted"]);
      if (end !== "done") throw new Error(`the page ended ${end}: ${await page.textContent("#status")}`);
      firstCommit = await page.evaluate(() => document.body.dataset.commit);
      const stats = await page.textContent("#stats");
      if (!/stored/.test(stats)) throw new Error(`no upload statistics shown: ${stats}`);
      const view = pythonView(repo, firstCommit, expected);
      if (view.problems.length > 0) throw new Error(view.problems.join("\n"));
      if (view.head !== firstCommit) throw new Error(`main is at ${view.head}, the page committed ${firstCommit}`);
    });

    await step("abort during a large upload: the page says so and nothing is committed", async () => {
      const big = join(work, "big");
      put(big, "huge.bin", randomBytes(160 * MIB));
      await page.setInputFiles("#files", join(big, "huge.bin"));
      await page.click("#start");
      await page.waitForFunction(() => Number(document.body.dataset.progress ?? 0) > 0 || document.body.dataset.state !== "uploading", null, { timeout: 120_000 });
      await page.click("#abort");
      const end = await state(["done", "failed", "aborted"]);
      if (end !== "aborted") throw new Error(`the page ended ${end}: ${await page.textContent("#status")}`);
      const view = pythonView(repo, "main", []);
      if (view.head !== firstCommit) throw new Error(`main moved to ${view.head} after the abort`);
    });

    await step("the download panel streams a file of the commit with progress", async () => {
      await page.fill("#download-path", "weights.bin");
      await page.click("#download");
      await page.waitForFunction(() => ["done", "failed"].includes(document.body.dataset.download), null, { timeout: 120_000 });
      const bytes = Number(await page.evaluate(() => document.body.dataset.downloadBytes));
      const weights = expected.find((e) => e.path === "weights.bin");
      if (bytes !== weights.size) throw new Error(`downloaded ${bytes} bytes: ${await page.textContent("#download-status")}`);
    });
    await server.close();
  } catch (error) {
    results.push({ name: "web-upload: the harness itself", ok: false, error: error?.stack ?? String(error) });
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = report("web-upload", results);
