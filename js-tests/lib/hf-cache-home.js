// `cache: "auto"` (the default) writes to the Hugging Face cache folder on Node and Deno: a test run
// must never touch the real one (~/.cache/huggingface/hub). The Node and Deno runners point
// HF_HOME and HF_HUB_CACHE at a fresh temporary folder, removed when the process exits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** Sets HF_HOME and HF_HUB_CACHE to a new empty folder; returns the cache folder. */
export function isolateHfCache() {
  const home = mkdtempSync(join(tmpdir(), "hubwasm-hf-home-"));
  process.env.HF_HOME = home;
  process.env.HF_HUB_CACHE = join(home, "hub");
  process.on("exit", () => rmSync(home, { recursive: true, force: true }));
  return process.env.HF_HUB_CACHE;
}
