// workerd: bundle the scenario Worker as wrangler would and run it in Miniflare.
import { fileURLToPath } from "node:url";
import { report } from "../lib/harness.js";
import { bundleWorker, fetchFromWorker } from "../lib/workerd.js";

const entry = fileURLToPath(new URL("./workerd-worker.js", import.meta.url));
const results = await fetchFromWorker(await bundleWorker(entry));
process.exitCode = report("workerd", results);
