// Temporary folders for the test and bench helpers, removed when the process exits, so a full run
// leaves nothing in the temp folder (bundles, packed projects, Hugging Face homes).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const made = [];
let hooked = false;

/** A new empty folder under the temp folder, named `prefix` + random; gone when the process exits. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    const removeAll = () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    };
    // `deno test` fires no process "exit" event, but a global "unload" one.
    if (typeof globalThis.Deno !== "undefined") globalThis.addEventListener("unload", removeAll);
    else process.on("exit", removeAll);
  }
  return dir;
}
