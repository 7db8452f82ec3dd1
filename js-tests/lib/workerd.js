// Bundling and running a Worker the way wrangler does: esbuild resolves packages with the
// workerd conditions and leaves `.wasm` imports as CompiledWasm modules for workerd.
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { scratchDir } from "./scratch.js";

/** Bundles `entry` (resolving from `resolveDir`) into a fresh folder with its wasm files beside it. */
export async function bundleWorker(entry, { nodePaths = [] } = {}) {
  const outdir = scratchDir("hubwasm-worker-");
  const wasmFiles = new Set();
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    outfile: join(outdir, "worker.js"),
    conditions: ["workerd", "worker", "browser"],
    nodePaths,
    logLevel: "warning",
    plugins: [
      {
        name: "wasm-modules",
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            const path = join(args.resolveDir, args.path);
            wasmFiles.add(path);
            return { path: "./" + path.split("/").pop(), external: true };
          });
        },
      },
    ],
  });
  for (const file of wasmFiles) copyFileSync(file, join(outdir, file.split("/").pop()));
  return join(outdir, "worker.js");
}

/** Miniflare's options for a bundle from bundleWorker, as wrangler would run it; `extra` adds or overrides. */
export function workerOptions(scriptPath, extra = {}) {
  return {
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    ...extra,
  };
}

/** Starts workerd on the bundle (with text `bindings`), sends one request, returns the JSON answer, stops workerd. */
export async function fetchFromWorker(scriptPath, path = "/", bindings = {}) {
  const mf = new Miniflare(workerOptions(scriptPath, { bindings }));
  try {
    const response = await mf.dispatchFetch(`http://localhost${path}`);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`the worker answered ${response.status} with: ${text.slice(0, 2000)}`);
    }
  } finally {
    await mf.dispose();
  }
}

