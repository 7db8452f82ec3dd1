// The public surface every runtime entry re-exports: the wasm-bindgen bindings, with the functions
// that need the module guarded so that nobody ever calls an init() by hand.
import * as bindings from "./hubwasm.js";
import { assertLoaded, ready } from "./ready.js";

export * from "./hubwasm.js";
export * from "./errors.js";
export { ready };

export async function sha256(input) {
  await ready;
  return bindings.sha256(input);
}

export function createSha256() {
  assertLoaded("createSha256");
  return bindings.createSha256();
}

export async function xetHash(input, options) {
  await ready;
  return bindings.xetHash(input, options);
}

export function createXetHasher(options) {
  assertLoaded("createXetHasher");
  return bindings.createXetHasher(options);
}

export function createXetUploadPlanner() {
  assertLoaded("createXetUploadPlanner");
  return bindings.createXetUploadPlanner();
}
