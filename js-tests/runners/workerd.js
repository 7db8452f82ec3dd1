// workerd: bundle the scenario Worker as wrangler would and run it in Miniflare.
import { fileURLToPath } from "node:url";
import { report } from "../lib/harness.js";
import { hubContextFromEnv } from "../lib/hub-context.js";
import { bundleWorker, fetchFromWorker } from "../lib/workerd.js";

const entry = fileURLToPath(new URL("./workerd-worker.js", import.meta.url));
const context = hubContextFromEnv();
const bindings = context === undefined ? {} : { HUB_CONTEXT: JSON.stringify(context) };
const results = await fetchFromWorker(await bundleWorker(entry), "/", bindings);
process.exitCode = report("workerd", results);
