// Cargo's test runner for wasm32 test binaries in headless Chromium (set as
// CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER by `cargo xtask test`).
//
// Why not `wasm-pack test --headless --chrome`: wasm-bindgen-test-runner's own file server stalls on
// some of Chromium's pooled keep-alive connections once a page imports more than a handful of JS
// snippets (the page then sits at "Loading scripts..." until the 300 s renderer timeout). Here the
// runner only serves; the page's requests go through playwright's request API, one fresh
// connection each, and the test report is read from the page.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "../lib/browser.js";

const TIMEOUT_MS = 300_000;
const [wasm, ...testArgs] = process.argv.slice(2);
if (!wasm) {
  console.error("usage: node wasm-bindgen-chromium.js TEST.wasm [test args]");
  process.exit(2);
}

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const runnerBin = process.env.WASM_BINDGEN_TEST_RUNNER ?? join(homedir(), ".cargo/bin/wasm-bindgen-test-runner");
const server = spawn(runnerBin, [wasm, ...testArgs], {
  env: { ...process.env, NO_HEADLESS: "1", WASM_BINDGEN_USE_BROWSER: "1", WASM_BINDGEN_TEST_ADDRESS: `127.0.0.1:${port}` },
  stdio: ["ignore", "pipe", "inherit"],
});
const serverExit = new Promise((resolve) => server.on("exit", (code) => resolve(code ?? 1)));

// The runner prints the page's address once it serves; with no test to run it exits instead.
const served = await new Promise((resolve) => {
  let text = "";
  server.stdout.on("data", (data) => {
    text += data;
    if (text.includes(`127.0.0.1:${port}`)) resolve(true);
  });
  serverExit.then(() => {
    process.stdout.write(text);
    resolve(false);
  });
});
if (!served) process.exit(await serverExit);

const browser = await launchChromium();
let exitCode = 1;
try {
  const page = await browser.newPage();
  await page.route("**/*", async (route) => route.fulfill({ response: await route.fetch() }));
  page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
  await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: "commit" });
  // The interactive page writes the harness's report into the document; poll it for the summary.
  const deadline = Date.now() + TIMEOUT_MS;
  let report = "";
  let outcome = "timeout";
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    report = await page.evaluate(() => document.body?.innerText ?? "").catch(() => report);
    const summary = report.split("\n").find((line) => line.trim().startsWith("test result:"));
    if (summary) {
      outcome = summary.includes("test result: ok.");
      break;
    }
  }
  console.log(report);
  if (outcome === "timeout") console.log(`no test result within ${TIMEOUT_MS / 1000} s`);
  exitCode = outcome === true ? 0 : 1;
} finally {
  await browser.close();
  server.kill();
}
process.exit(exitCode);
