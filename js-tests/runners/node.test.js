// Node: the scenarios under node:test, importing the package as any Node project would.
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isolateHfCache } from "../lib/hf-cache-home.js";
import { hubContextFromEnv } from "../lib/hub-context.js";
import { scenarios } from "../scenarios/index.js";
import { nodeUploadTests } from "./node-uploads.js";

// Host abilities the portable scenarios cannot have: a Blob whose read fails (its file changes
// after openAsBlob, so Node's read rejects with NotReadableError).
globalThis.hubwasmTestHost = {
  async failingBlob() {
    const dir = mkdtempSync(join(tmpdir(), "hubwasm-blob-"));
    const path = join(dir, "file.bin");
    writeFileSync(path, "abc");
    const blob = await openAsBlob(path);
    writeFileSync(path, "a longer content that changes the file");
    return { blob, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
};

isolateHfCache();
const context = hubContextFromEnv();
for (const { name, run } of [...scenarios, ...nodeUploadTests]) {
  test(name, async () => {
    for (const note of (await run(context))?.notes ?? []) console.log(`# ${name}: ${note}`);
  });
}
