// Deno: the scenarios under `deno test`, resolving "hubwasm" through node_modules like a Deno
// project with a package.json.
import { scenarios } from "../scenarios/index.js";

for (const { name, run } of scenarios) {
  Deno.test(name, async () => {
    for (const note of (await run())?.notes ?? []) console.log(`# ${name}: ${note}`);
  });
}
