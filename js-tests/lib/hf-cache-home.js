// `cache: "auto"` (the default) writes to the Hugging Face cache folder on Node and Deno: a test run
// must never touch the real one (~/.cache/huggingface/hub). The Node and Deno runners point
// HF_HOME and HF_HUB_CACHE at a fresh temporary folder, removed when the process exits.
import { join } from "node:path";
import process from "node:process";
import { scratchDir } from "./scratch.js";

/** Sets HF_HOME and HF_HUB_CACHE to a new empty folder; returns the cache folder. */
export function isolateHfCache() {
  const home = scratchDir("hubwasm-hf-home-");
  process.env.HF_HOME = home;
  process.env.HF_HUB_CACHE = join(home, "hub");
  return process.env.HF_HUB_CACHE;
}
