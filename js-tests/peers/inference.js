// The referee for InferenceClient: the shared inference checks (js-tests/lib/inference-checks.js)
// run unchanged with the official @huggingface/inference client pointed at the same localhub
// (`endpointUrl`, as its docs say), so localhub's router and the checks themselves are judged by
// the client hubwasm imitates. Usage (cargo xtask test sets the variable):
//   HUBWASM_TEST_HUB=manifest.json node peers/inference.js
//
// Not refereed, and why: 503 retries (4.13.30 retries a 503 at once, by recursion, without limit:
// a test would never end) and the provider mapping (its lookup goes to a hard-coded
// https://huggingface.co, ignoring the caller's fetch). And a `break` out of its stream does not
// cancel the upstream body (it reads on to the end): the break check expects localhub to see that.
import { InferenceClient } from "@huggingface/inference";
import { report, runScenarios } from "../lib/harness.js";
import { hubContextFromEnv } from "../lib/hub-context.js";
import { inferenceChecks } from "../lib/inference-checks.js";

const context = hubContextFromEnv();
if (!context) {
  console.error("HUBWASM_TEST_HUB is not set: run through `cargo xtask test`");
  process.exit(1);
}
const checks = inferenceChecks(
  "@huggingface/inference",
  (ctx) => new InferenceClient(ctx.tokens.write, { endpointUrl: ctx.hubUrl }),
  { cancelsOnBreak: false },
);
process.exitCode = report("@huggingface/inference referee", await runScenarios(checks, context));
