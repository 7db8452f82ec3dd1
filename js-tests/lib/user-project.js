// A user's project: the built package packed with `npm pack` and installed from the tarball into a
// scratch folder, with one `check.js` that imports the package by name and calls its API. The
// packaging and bundler suites both start here, so every runtime and bundler runs the same code.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scratchDir } from "./scratch.js";

const packageDir = fileURLToPath(new URL("../../dist/npm", import.meta.url));
export const ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

// Sync and async APIs, a typed error, a class, and a Blob input (what a page hashes from a File).
const CHECK = `import { sha256, createSha256, xetHash, HubClient, InvalidInputError } from "hubwasm";
export async function check() {
  const digest = await sha256(new TextEncoder().encode("abc"));
  if (digest !== "${ABC_SHA256}") throw new Error("sha256 gave " + digest);
  const hasher = createSha256();
  hasher.update(new TextEncoder().encode("ab"));
  hasher.update(new TextEncoder().encode("c"));
  if (hasher.digest() !== "${ABC_SHA256}") throw new Error("createSha256 gave " + hasher.digest());
  const fromBlob = await xetHash(new Blob(["abc"]));
  const fromBytes = await xetHash(new TextEncoder().encode("abc"));
  if (JSON.stringify(fromBlob) !== JSON.stringify(fromBytes)) throw new Error("xetHash of a Blob differs from the bytes'");
  try { await sha256(1); throw new Error("no error for bad input"); }
  catch (e) { if (!(e instanceof InvalidInputError)) throw e; }
  const hub = new HubClient({ hubUrl: "https://hub.test" });
  if (!(hub instanceof HubClient) || typeof hub.listFiles !== "function") throw new Error("new HubClient() gave " + hub);
  return "ok";
}
`;

/** Packs dist/npm, installs the tarball into a fresh project and writes check.js; returns { project, sh }. */
export function userProject(prefix = "hubwasm-user-") {
  const project = scratchDir(prefix);
  const sh = (cmd, args, options = {}) =>
    execFileSync(cmd, args, { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });
  const tarball = JSON.parse(sh("npm", ["pack", packageDir, "--json", "--pack-destination", project]))[0].filename;
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-app", private: true, type: "module" }));
  sh("npm", ["install", "--no-audit", "--no-fund", `./${tarball}`]);
  writeFileSync(join(project, "check.js"), CHECK);
  return { project, sh };
}
