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
  const remove = () => rmSync(home, { recursive: true, force: true });
  // `deno test` fires no process "exit" event, but a global "unload" one.
  if (typeof globalThis.Deno !== "undefined") globalThis.addEventListener("unload", remove);
  else process.on("exit", remove);
  return process.env.HF_HUB_CACHE;
}
