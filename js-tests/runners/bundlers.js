// Bundlers: the packed tarball, installed into a user's project, built unchanged by the real tools a
// web developer uses — Vite (build and dev server), webpack 5, esbuild and wrangler — and loaded
// where the output runs: Chromium pages with a module Web Worker, and workerd for wrangler's bundle.
// Each page runs check.js on the main thread and in a module Worker, and hubwasm/worker (the
// package's own Worker), and reports "ok ok ok".
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, resultsFromPage, serveStatic } from "../lib/browser.js";
import { report, steps } from "../lib/harness.js";
import { ABC_SHA256, userProject } from "../lib/user-project.js";
import { fetchFromWorker } from "../lib/workerd.js";

const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const { project, sh } = userProject("hubwasm-bundlers-");
const { results, step } = steps();

// The app: check.js on the page and in a module Worker, started the way bundlers recognise
// (`new Worker(new URL(..., import.meta.url), { type: "module" })`).
// hubwasm/worker, the package's own Worker: the bundler must follow its `new Worker(new URL(...))`.
writeFileSync(
  join(project, "check-worker-entry.js"),
  `import { sha256 } from "hubwasm/worker";
export async function checkWorkerEntry() {
  const digest = await sha256(new Blob(["abc"]));
  if (digest !== "${ABC_SHA256}") throw new Error("hubwasm/worker sha256 gave " + digest);
  return "ok";
}
`,
);
writeFileSync(
  join(project, "main.js"),
  `import { check } from "./check.js";
import { checkWorkerEntry } from "./check-worker-entry.js";
const failed = (e) => String(e?.stack ?? e);
const onPage = check().catch(failed);
const viaWorkerEntry = checkWorkerEntry().catch(failed);
const inWorker = new Promise((resolve) => {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event) => resolve(event.data);
  worker.onerror = (event) => resolve("worker error: " + (event.message || "failed to load"));
});
Promise.all([onPage, inWorker, viaWorkerEntry]).then((parts) => { window.__results = parts.join(" "); });
`,
);
writeFileSync(
  join(project, "worker.js"),
  `import { check } from "./check.js";
check().then((r) => postMessage(r), (e) => postMessage(String(e?.stack ?? e)));
`,
);
const indexHtml = (script, type = "module") =>
  `<!doctype html><html><head><meta charset="utf-8"><title>user app</title></head><body><script type="${type}" src="${script}"></script></body></html>`;
writeFileSync(join(project, "index.html"), indexHtml("/main.js"));

const expectOk = (out, where) => {
  if (String(out).trim() !== "ok ok ok") throw new Error(`${where} gave: ${out}`);
};
const browser = await launchChromium();
/** Serves a built folder statically and checks the page and its Worker. */
async function checkBuilt(folder, where, pages = {}) {
  const server = await serveStatic(folder, pages);
  try {
    expectOk(await resultsFromPage(browser, `${server.url}/`, 60_000), where);
  } finally {
    await server.close();
  }
}

try {
  // Bundlers are imported from js-tests' node_modules but run with the user's project as root, so
  // they resolve `hubwasm` from the installed tarball as a user's build would.
  const vite = await import("vite");

  await step("vite 6: production build: page, module Worker, hubwasm/worker in Chromium", async () => {
    const outDir = join(project, "dist-vite");
    await vite.build({ root: project, logLevel: "warn", configFile: false, build: { outDir, emptyOutDir: true } });
    await checkBuilt(outDir, "vite build");
  });

  await step("vite 6: dev server: page, module Worker, hubwasm/worker in Chromium", async () => {
    const server = await vite.createServer({
      root: project,
      logLevel: "warn",
      configFile: false,
      server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false },
      // The one option Vite needs (README): its dev-time dependency pre-bundling moves the package's
      // JS into .vite/deps without the wasm file that `new URL(..., import.meta.url)` points at.
      optimizeDeps: { exclude: ["hubwasm"] },
    });
    await server.listen();
    try {
      const url = server.resolvedUrls.local[0];
      expectOk(await resultsFromPage(browser, url, 60_000), "vite dev");
    } finally {
      await server.close();
    }
  });

  await step("webpack 5: production build: page, module Worker, hubwasm/worker in Chromium", async () => {
    const { default: webpack } = await import("webpack");
    const outDir = join(project, "dist-webpack");
    const stats = await new Promise((resolve, reject) =>
      webpack(
        {
          mode: "production",
          context: project,
          entry: "./main.js",
          target: "web",
          output: { path: outDir, filename: "main.js", publicPath: "auto", clean: true },
          performance: { hints: false },
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    if (stats.hasErrors() || stats.hasWarnings()) throw new Error(stats.toString({ all: false, errors: true, warnings: true }));
    writeFileSync(join(outDir, "index.html"), indexHtml("/main.js", "text/javascript"));
    await checkBuilt(outDir, "webpack");
  });

  await step("esbuild: bundle with the wasm copied beside it: page, module Worker, hubwasm/worker in Chromium", async () => {
    const esbuild = await import("esbuild");
    const outDir = join(project, "dist-esbuild");
    // esbuild leaves `new URL("./hubwasm_bg.wasm", import.meta.url)` as written, so the wasm file is
    // copied next to the bundle (the README says so); the Worker is a second entry point.
    const built = await esbuild.build({
      // hubwasm/worker's Worker script is a third entry, written as worker-host.js beside the bundle.
      entryPoints: [
        join(project, "main.js"),
        join(project, "worker.js"),
        { in: "hubwasm/worker-host.js", out: "worker-host" },
      ],
      absWorkingDir: project,
      bundle: true,
      format: "esm",
      platform: "browser",
      outdir: outDir,
      logLevel: "silent",
    });
    // A user's build should be quiet: a warning about the package (e.g. duplicate keys in the
    // generated glue) is a failure here.
    if (built.warnings.length > 0) throw new Error(`esbuild warned:\n${JSON.stringify(built.warnings, null, 1)}`);
    cpSync(join(project, "node_modules/hubwasm/hubwasm_bg.wasm"), join(outDir, "hubwasm_bg.wasm"));
    writeFileSync(join(outDir, "index.html"), indexHtml("/main.js"));
    await checkBuilt(outDir, "esbuild");
  });

  await step("wrangler 4: `wrangler deploy --dry-run` bundle with default rules, run in workerd", async () => {
    const dir = join(project, "worker-app");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(
      join(dir, "src/index.js"),
      `import { check } from "../../check.js";
export default {
  async fetch() {
    const outcome = await check().catch((e) => String(e?.stack ?? e));
    // No Web Workers in workerd: the page-only hubwasm/worker check does not apply.
    return Response.json(outcome === "ok" ? "ok ok ok" : outcome);
  },
};
`,
    );
    writeFileSync(join(dir, "wrangler.toml"), `name = "user-worker"\nmain = "src/index.js"\ncompatibility_date = "2026-04-01"\n`);
    const outDir = join(dir, "out");
    sh(bin("wrangler"), ["deploy", "--dry-run", "--outdir", outDir], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1", WRANGLER_LOG_PATH: join(dir, "logs") },
    });
    expectOk(await fetchFromWorker(join(outDir, "index.js")), "wrangler");
  });
} finally {
  await browser.close();
}

process.exitCode = report("bundlers", results);
