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
  if (fetchFn === undefined) {
    const http = largeBodyHttp(url, body);
    if (http !== undefined) return sendWithNodeHttp(http, url, init);
  }
  if (inBrowser() && ArrayBuffer.isView(body) && body.byteLength >= LARGE_BODY) {
    // Chromium sends a byte-array body at ~10-16 MB/s and the same bytes as a Blob at 110-230
    // (headless, to a local server, measured side by side): one copy into a Blob is far cheaper.
    init.body = new Blob([body]);
  }
  return new Promise((resolve) => resolve(fetchFn === undefined ? globalThis.fetch(url, init) : fetchFn(url, init)));
}

// Node's fetch copies a byte body twice before it sends it (once as the Request is made, once more
// as the body's stream hands it on): ~1 s of CPU and 1 GiB of garbage per 512 MiB of xorbs on the
// bench machine. node:http writes the bytes as they are. Used for large byte bodies in Node alone
// (Deno's fetch is its own), when the caller gave no fetch of their own.
const LARGE_BODY = 1 << 20;

/** A page or a Web Worker of a browser (not Deno, whose workers have the same globals). */
function inBrowser() {
  return globalThis.Deno === undefined && (typeof globalThis.document === "object" || typeof globalThis.WorkerGlobalScope === "function");
}

function largeBodyHttp(url, body) {
  const process = globalThis.process;
  if (!ArrayBuffer.isView(body) || body.byteLength < LARGE_BODY) return undefined;
  if (typeof process?.versions?.node !== "string" || globalThis.Deno !== undefined || process.versions.bun) return undefined;
  const secure = url.startsWith("https:");
  if (!secure && !url.startsWith("http:")) return undefined;
  try {
    const http = process.getBuiltinModule?.(secure ? "node:https" : "node:http");
    const stream = process.getBuiltinModule?.("node:stream");
    if (typeof http?.request !== "function" || typeof stream?.Readable?.toWeb !== "function") return undefined;
    return { request: http.request, toWeb: stream.Readable.toWeb };
  } catch {
    return undefined;
  }
}

/** One request through node:http, answered as fetch would: a `Response` (redirects to fetch). */
function sendWithNodeHttp({ request, toWeb }, url, init) {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers, "content-length": String(init.body.byteLength) };
    const req = request(url, { method: init.method, headers, signal: init.signal }, (res) => {
      try {
        const status = res.statusCode ?? 0;
        if (init.redirect !== "manual" && [301, 302, 303, 307, 308].includes(status)) {
          res.resume();
          resolve(globalThis.fetch(url, init));
          return;
        }
        const answerHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answerHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const empty = init.method === "HEAD" || status === 204 || status === 304;
        if (empty) res.resume();
        resolve(new Response(empty ? null : toWeb(res), { status, statusText: res.statusMessage, headers: answerHeaders }));
      } catch (error) {
        res.destroy();
        reject(new TypeError("the answer could not be read", { cause: error }));
      }
    });
    req.on("error", (error) => reject(error));
    req.end(init.body);
  });
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
