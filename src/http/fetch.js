// The two host calls of the transport (src/http/fetch.rs): a fetch through the caller's function or
// the global one, and a sleep that an AbortSignal ends. Both go through `globalThis`, never `window`,
// so they work in a page, a Web Worker, workerd, Deno and Node.

/**
 * Sends one request; a synchronous throw of the fetch function becomes a rejection. `redirect` is
 * fetch's option ("manual" shows a redirect's headers outside browsers), left out when undefined.
 */
export function callFetch(fetchFn, url, method, headers, body, signal, redirect) {
  const init = { method, headers };
  if (body !== undefined) init.body = body;
  if (signal !== undefined) init.signal = signal;
  if (redirect !== undefined) init.redirect = redirect;
  return new Promise((resolve) => resolve(fetchFn === undefined ? globalThis.fetch(url, init) : fetchFn(url, init)));
}

/** Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      globalThis.clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = globalThis.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `signal.aborted`, read without letting an own getter's exception unwind through wasm. */
export function isAborted(signal) {
  try {
    return signal.aborted === true;
  } catch {
    return false;
  }
}

/** `signal.reason` (undefined if reading it throws). */
export function abortReason(signal) {
  try {
    return signal.reason;
  } catch {
    return undefined;
  }
}

/** Cancels a body nobody will read; a body already used or locked is left alone. */
export function discardBody(response) {
  try {
    response.body?.cancel().catch(() => {});
  } catch {
    // A locked or disturbed body: nothing to free.
  }
}
