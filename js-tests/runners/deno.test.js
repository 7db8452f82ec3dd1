// Deno: the scenarios under `deno test`, resolving "hubwasm" through node_modules like a Deno
// project with a package.json.
import { isolateHfCache } from "../lib/hf-cache-home.js";
import { hubContextFromEnv } from "../lib/hub-context.js";
import { scenarios } from "../scenarios/index.js";

isolateHfCache();
const context = hubContextFromEnv();
for (const { name, run } of scenarios) {
  // Hub scenarios leave fetch's keep-alive connections to localhub open between tests by design.
  const talksToHub = name.startsWith("hub");
  Deno.test({ name, sanitizeResources: !talksToHub, sanitizeOps: !talksToHub }, async () => {
    for (const note of (await run(context))?.notes ?? []) console.log(`# ${name}: ${note}`);
  });
}
