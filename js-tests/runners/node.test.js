// Node: the scenarios under node:test, importing the package as any Node project would.
import { test } from "node:test";
import { scenarios } from "../scenarios/index.js";

for (const { name, run } of scenarios) {
  test(name, async () => {
    for (const note of (await run())?.notes ?? []) console.log(`# ${name}: ${note}`);
  });
}
