// The seeded localhub the hub scenarios talk to. `cargo xtask test` starts one localhub for the js
// suites, has peers/seed_fixtures.py (the official Python client) write the fixtures, saves the
// manifest it prints and names that file in HUBWASM_TEST_HUB. Runners read it here (Node and Deno
// both have node:fs) and hand `{ hubUrl, tokens, manifest }` to every scenario's run(context).
import { readFileSync } from "node:fs";
import process from "node:process";

export const HUB_CONTEXT_ENV = "HUBWASM_TEST_HUB";

/** The context of the seeded localhub, or undefined when the runner was started without one. */
export function hubContextFromEnv() {
  const path = process.env[HUB_CONTEXT_ENV];
  if (!path) return undefined;
  const manifest = JSON.parse(readFileSync(path, "utf8"));
  return { hubUrl: manifest.hubUrl, tokens: manifest.tokens, manifest };
}
