// The Worker that runs the scenarios inside workerd and answers with their results as JSON.
import { scenarios } from "../scenarios/index.js";
import { runScenarios } from "../lib/harness.js";

export default {
  // The runner binds the seeded localhub's context as JSON text (HUB_CONTEXT).
  async fetch(_request, env) {
    const context = env.HUB_CONTEXT ? JSON.parse(env.HUB_CONTEXT) : undefined;
    return Response.json(await runScenarios(scenarios, context));
  },
};
