// Packaging: `npm pack` the built package, install the tarball into a scratch project as a user
// would, and call the API from Node, Deno, a workerd Worker and a Chromium page.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportFor, launchChromium, resultsFromPage, serveStatic } from "../lib/browser.js";
import { report } from "../lib/harness.js";
import { bundleWorker, fetchFromWorker } from "../lib/workerd.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const packageDir = fileURLToPath(new URL("../../dist/npm", import.meta.url));
const deno = join(here, "../node_modules/.bin/deno");
const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

const project = mkdtempSync(join(tmpdir(), "hubwasm-user-"));
const sh = (cmd, args, cwd = project) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const tarballName = JSON.parse(sh("npm", ["pack", packageDir, "--json", "--pack-destination", project]))[0].filename;
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-app", private: true, type: "module" }));
sh("npm", ["install", "--no-audit", "--no-fund", `./${tarballName}`]);

// The same user code in every runtime: import by package name, call the API.
writeFileSync(
  join(project, "check.js"),
  `import { sha256, createSha256, InvalidInputError } from "hubwasm";
export async function check() {
  const digest = await sha256(new TextEncoder().encode("abc"));
  if (digest !== "${ABC}") throw new Error("sha256 gave " + digest);
  const hasher = createSha256();
  hasher.update(new TextEncoder().encode("ab"));
  hasher.update(new TextEncoder().encode("c"));
  if (hasher.digest() !== "${ABC}") throw new Error("createSha256 gave " + hasher.digest());
  try { await sha256(1); throw new Error("no error for bad input"); }
  catch (e) { if (!(e instanceof InvalidInputError)) throw e; }
  return "ok";
}
`,
);
writeFileSync(join(project, "main.js"), `import { check } from "./check.js";\nconsole.log(await check());\n`);
// Synchronous APIs at the importer's top level, with nothing awaited first (Node, Deno, workerd load
// the module during import).
writeFileSync(
  join(project, "sync.js"),
  `import { createSha256 } from "hubwasm";
const hasher = createSha256();
hasher.update(new TextEncoder().encode("abc"));
console.log(hasher.digest() === "${ABC}" ? "ok" : "wrong digest " + hasher.digest());
`,
);
writeFileSync(
  join(project, "worker.js"),
  `import { check } from "./check.js";\nexport default { async fetch() { try { return Response.json(await check()); } catch (e) { return Response.json(String(e.stack)); } } };\n`,
);

const results = [];
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - started });
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - started, error: error.stderr ? `${error.message}\n${error.stderr}` : error.stack });
  }
}
const expectOk = (out, where) => {
  if (String(out).trim() !== "ok") throw new Error(`${where} printed: ${out}`);
};
const installed = join(project, "node_modules/hubwasm");
const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));

await step("tarball: every export target and the wasm are in the package", () => {
  for (const condition of Object.keys(pkg.exports["."])) {
    const file = join(installed, exportFor(pkg, condition));
    if (!existsSync(file)) throw new Error(`export "${condition}" points at a missing ${file}`);
  }
  for (const file of ["hubwasm_bg.wasm", "hubwasm.js", "index.d.ts", "errors.js", "errors.d.ts", "README.md"]) {
    if (!existsSync(join(installed, file))) throw new Error(`${file} is missing from the tarball`);
  }
});
await step("node: import from the installed tarball", () => expectOk(sh("node", ["main.js"]), "node"));
await step("node: synchronous API at the top level right after import", () => expectOk(sh("node", ["sync.js"]), "node"));
await step("deno: synchronous API at the top level right after import", () =>
  expectOk(sh(deno, ["run", "--allow-read", "--no-check", "sync.js"]), "deno"),
);
await step("deno: import from the installed tarball", () =>
  expectOk(sh(deno, ["run", "--allow-read", "--no-check", "main.js"]), "deno"),
);
await step("workerd: a Worker bundled from the installed tarball", async () =>
  expectOk(await fetchFromWorker(await bundleWorker(join(project, "worker.js"))), "workerd"),
);
await step("chromium: a page importing the installed tarball", async () => {
  const page = `<!doctype html><script type="importmap">${JSON.stringify({
    imports: { hubwasm: `/node_modules/hubwasm/${exportFor(pkg, "browser")}` },
  })}</script><script type="module">import { check } from "/check.js"; window.__results = await check().catch((e) => String(e.stack));</script>`;
  const server = await serveStatic(project, { "/": page });
  const browser = await launchChromium();
  try {
    expectOk(await resultsFromPage(browser, `${server.url}/`), "chromium");
  } finally {
    await browser.close();
    await server.close();
  }
});

process.exitCode = report("packaging", results);
