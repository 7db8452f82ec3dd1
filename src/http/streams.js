// The JS half of src/http/streams.rs: what every streamed exchange (a download, a Xet upload, an
// inference stream) needs around its body.

/** An AbortController whose signal also fires when the caller's `signal` does: a stream can then be
 * ended by its consumer (cancel, `break`) as well as by the caller. */
export function linkedController(signal) {
  const controller = new AbortController();
  if (signal !== undefined) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller;
}

/** The next chunk of a body reader: a Uint8Array, or undefined at the end. */
export async function readChunk(reader) {
  const { done, value } = await reader.read();
  return done ? undefined : value;
}
