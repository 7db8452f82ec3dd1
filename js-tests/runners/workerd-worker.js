// The Worker that runs the scenarios inside workerd and answers with their results as JSON.
import { scenarios } from "../scenarios/index.js";
import { runScenarios } from "../lib/harness.js";

export default {
  async fetch() {
    return Response.json(await runScenarios(scenarios));
  },
};
