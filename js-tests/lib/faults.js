// localhub's fault injection (its admin routes, open to the suites' admin token), for scenarios.
import { equal } from "./assert.js";

/** Adds a localhub fault for the next requests under `fault.route`. */
export async function addFault(ctx, fault) {
  const response = await fetch(`${ctx.hubUrl}/admin/faults`, {
    method: "POST",
    headers: { authorization: `Bearer ${ctx.tokens.admin}`, "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  equal(response.status, 200, `adding fault ${JSON.stringify(fault)}: ${await response.text()}`);
}

/** Removes every fault, fired or not. */
export async function clearFaults(ctx) {
  const response = await fetch(`${ctx.hubUrl}/admin/faults`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ctx.tokens.admin}` },
  });
  await response.body?.cancel();
}
