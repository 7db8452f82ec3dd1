// Chromium: the scenarios in a real page served from 127.0.0.1, importing the package's
// "browser" entry through an import map, as a site without a bundler would.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exportFor, launchChromium, resultsFromPage, serveStatic } from "../lib/browser.js";
import { report } from "../lib/harness.js";
import { hubContextFromEnv } from "../lib/hub-context.js";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const pkg = JSON.parse(readFileSync(`${root}/node_modules/hubwasm/package.json`, "utf8"));
// The page (on its own 127.0.0.1 port) reaches localhub on another port: cross-origin, real CORS.
const context = hubContextFromEnv();
const contextJson = JSON.stringify(context ?? null).replaceAll("<", "\\u003c");
const page = `<!doctype html>
<meta charset="utf-8">
<title>hubwasm scenarios</title>
<script type="importmap">${JSON.stringify({ imports: { hubwasm: `/node_modules/hubwasm/${exportFor(pkg, "browser")}`, "hubwasm/worker": "/node_modules/hubwasm/worker.js" } })}</script>
<script type="module">
  import { scenarios } from "/scenarios/index.js";
  import { runScenarios } from "/lib/harness.js";
  window.__results = await runScenarios(scenarios, ${contextJson} ?? undefined);
</script>`;

const server = await serveStatic(root, { "/": page });
const browser = await launchChromium();
try {
  process.exitCode = report("chromium", await resultsFromPage(browser, `${server.url}/`));
} finally {
  await browser.close();
  await server.close();
}
