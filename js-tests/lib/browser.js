// Headless Chromium (Debian's, driven by playwright-core) and a static server on 127.0.0.1, for
// running code in a real page exactly as a site would load it.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain",
};

/** Serves `root` (and `pages`, a map of path → HTML) on 127.0.0.1; resolves to { url, close }. */
export async function serveStatic(root, pages = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (pages[path] !== undefined) {
      res.writeHead(200, { "content-type": CONTENT_TYPES[".html"] });
      res.end(pages[path]);
      return;
    }
    // A folder's index.html, as static hosts serve a built site.
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Launches headless Chromium with the flags this machine needs (no sandbox as root, no network chatter). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/** Opens `url`, forwards page errors to the console, and waits for `window.__results`. */
export async function resultsFromPage(browser, url, timeoutMs = 300_000) {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
  page.on("console", (m) => m.type() === "error" && console.error(`[page console] ${m.text()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.__results !== undefined, null, { timeout: timeoutMs });
  return page.evaluate(() => window.__results);
}

/** The file a package's `exports["."]` maps to under `condition`. */
export function exportFor(packageJson, condition) {
  const target = packageJson.exports?.["."]?.[condition];
  if (typeof target !== "string") throw new Error(`package has no "${condition}" export`);
  return target.replace(/^\.\//, "");
}

/** Bundles the module `source` (resolving its imports from `resolveDir`) for a page, into `outfile`. */
export async function bundleForPage(source, resolveDir, outfile) {
  await build({ stdin: { contents: source, resolveDir }, bundle: true, format: "esm", platform: "browser", outfile, logLevel: "error" });
}
