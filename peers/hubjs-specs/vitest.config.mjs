// Runs @huggingface/hub's own spec files straight from node_modules, unchanged. Two redirections, both
// outside the package: its `../test/consts` (hub-ci URL) resolves to ./consts.mjs, which takes the Hub URL
// from HUBJS_SPECS_HUB_URL, and ./offline.mjs refuses any fetch that leaves loopback.
import { fileURLToPath } from "node:url";
import { dirname, join, sep } from "node:path";
import { defineConfig } from "vitest/config";

const here = dirname(fileURLToPath(import.meta.url));
export const packageRoot = join(here, "node_modules", "@huggingface", "hub");
const packageSources = join(packageRoot, "src") + sep;
const localConsts = join(here, "consts.mjs");

const redirectTestConsts = {
  name: "hubjs-specs:test-consts",
  enforce: "pre",
  resolveId(source, importer) {
    if (importer && importer.startsWith(packageSources) && /(^|\/)test\/consts(\.ts)?$/.test(source)) {
      return localConsts;
    }
    return null;
  },
};

export default defineConfig({
  root: packageRoot,
  plugins: [redirectTestConsts],
  test: {
    include: ["src/lib/**/*.spec.ts"],
    exclude: [],
    setupFiles: [join(here, "offline.mjs")],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each spec makes its own repos with random names; files may run side by side.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
