// When the WebAssembly module is usable. Node, Deno and workerd load it synchronously at import;
// browsers fetch and compile it in the background, and async APIs wait for it here.
import { ModuleLoadError, NotReadyError } from "./errors.js";

let resolveReady;
let rejectReady;
let loaded = false;

export const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
// A load failure surfaces through whichever API call awaits `ready`, not as an unhandled rejection.
ready.catch(() => {});

/** Called once by the runtime entry with the pending load (or nothing when already loaded). */
export function startLoading(loading) {
  if (loading === undefined) {
    // Loaded synchronously (Node, Deno, workerd): usable during the importer's own top level,
    // before any microtask runs.
    loaded = true;
    resolveReady();
    return;
  }
  Promise.resolve(loading).then(
    () => {
      loaded = true;
      resolveReady();
    },
    (cause) => rejectReady(new ModuleLoadError("the hubwasm WebAssembly module failed to load", { cause })),
  );
}

/** Throws a typed error when a synchronous API is called before the module has loaded. */
export function assertLoaded(apiName) {
  if (!loaded) {
    throw new NotReadyError(`hubwasm is still loading: await \`ready\` before calling ${apiName}() synchronously`);
  }
}
