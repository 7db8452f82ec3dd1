// The Worker side of hubwasm/worker: runs the calls the page relays (worker-relay.js) on the
// package's own browser entry, and keeps what cannot be cloned back — clients, async iterators,
// downloaded files, streams — under the ids the page chose. Only what worker-surface.js (generated
// from the Rust exports) lists can be called.
import * as api from "./browser.js";
import { InternalError, InvalidInputError } from "./errors.js";
import { classes, constructible, functions } from "./worker-surface.js";

const REF = "__hubwasmWorkerRef";
const held = new Map(); // id → { value, className? } | { reader } for streams
const signals = new Map(); // id → AbortController

self.onmessage = ({ data }) => {
  if (data?.op === "abort") {
    signals.get(data.id)?.abort(data.reason);
    return;
  }
  if (data?.op === "release") {
    release(data.id);
    return;
  }
  handle(data).then(
    ([value, transfer = []]) => answer({ id: data.id, ok: true, value }, transfer),
    (error) => answer({ id: data.id, ok: false, error: describeError(error) }),
  );
};

function answer(message, transfer) {
  try {
    self.postMessage(message, transfer);
  } catch (error) {
    self.postMessage({ id: message.id, ok: false, error: describeError(new InternalError(`hubwasm/worker: the result cannot be sent back (${error?.message ?? error})`)) });
  }
}

async function handle(message) {
  // Classes and synchronous calls need the module loaded; async functions would wait anyway.
  await api.ready;
  switch (message?.op) {
    case "call": {
      if (!functions.includes(message.method)) throw new InvalidInputError(`hubwasm/worker: no function ${message.method}`);
      return result(await api[message.method](...decodeArgs(message.args)));
    }
    case "new": {
      if (!constructible.includes(message.class)) throw new InvalidInputError(`hubwasm/worker: no class ${message.class}`);
      try {
        held.set(message.ref, { value: new api[message.class](...decodeArgs(message.args)), className: message.class });
      } catch (error) {
        // The page's constructor returned already: the error is the answer to each method call.
        held.set(message.ref, { error });
        throw error;
      }
      return [undefined];
    }
    case "method": {
      const target = held.get(message.target);
      if (target?.error !== undefined) throw target.error;
      if (target?.className === undefined) throw new InvalidInputError("hubwasm/worker: the object is gone (freed, or its Worker restarted)");
      const returns = classes[target.className]?.methods[message.method];
      if (returns === undefined || returns === "value") throw new InvalidInputError(`hubwasm/worker: ${target.className} has no async method ${message.method}`);
      const value = target.value[message.method](...decodeArgs(message.args));
      if (returns === "iterator") {
        held.set(message.ref, { iterator: value });
        return [undefined];
      }
      if (returns === "stream") {
        held.set(message.ref, { reader: value.getReader() });
        return [undefined];
      }
      return result(await value);
    }
    case "next":
    case "return": {
      const iterator = held.get(message.target)?.iterator;
      if (iterator === undefined) return [{ done: true, value: undefined }];
      const step = message.op === "next" ? await iterator.next() : await iterator.return?.(message.value);
      if (message.op === "return" || step?.done) held.delete(message.target);
      const [value, transfer] = result(step?.value);
      return [{ done: Boolean(step?.done), value }, transfer];
    }
    case "read": {
      const reader = held.get(message.target)?.reader;
      if (reader === undefined) return [{ done: true, value: undefined }];
      const step = await reader.read();
      if (step.done) held.delete(message.target);
      return [{ done: step.done, value: step.value }, step.value ? ownBuffer(step.value) : []];
    }
    case "cancel": {
      const reader = held.get(message.target)?.reader;
      held.delete(message.target);
      await reader?.cancel(message.value);
      return [undefined];
    }
    default:
      throw new InvalidInputError(`hubwasm/worker: unknown request ${message?.op}`);
  }
}

/** A buffer that a chunk alone views can be moved rather than copied. */
function ownBuffer(bytes) {
  const whole = bytes instanceof Uint8Array && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  // SharedArrayBuffer exists only in cross-origin isolated pages; it cannot be transferred.
  const shared = typeof SharedArrayBuffer === "function" && bytes.buffer instanceof SharedArrayBuffer;
  return whole && !shared ? [bytes.buffer] : [];
}

/** What a call returned, as sent back: plain data cloned, an object of one of the classes held. */
function result(value) {
  const className = value?.constructor?.name;
  if (value !== null && typeof value === "object" && classes[className] !== undefined && !(value instanceof Blob)) {
    const id = `w${nextHeld++}`;
    held.set(id, { value, className });
    const props = {};
    for (const getter of classes[className].getters) props[getter] = value[getter];
    return [{ [REF]: "object", id, class: className, props }];
  }
  if (value instanceof ArrayBuffer) return [value, [value]];
  return [value];
}
let nextHeld = 1;

function release(id) {
  const entry = held.get(id);
  held.delete(id);
  try {
    entry?.reader?.cancel();
    entry?.iterator?.return?.();
    entry?.value?.free?.();
  } catch {
    // Already freed or finished.
  }
}

function decodeArgs(args) {
  return Array.isArray(args) ? args.map(decode) : [];
}

function decode(value) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decode);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  if (value[REF] === "callback") {
    const fn = value.fn;
    return (...args) => {
      try {
        self.postMessage({ op: "callback", fn, args });
      } catch {
        // Arguments that cannot be cloned (none of ours) are dropped rather than failing the call.
      }
    };
  }
  if (value[REF] === "signal") {
    const controller = new AbortController();
    signals.set(value.id, controller);
    if (value.aborted) controller.abort(value.reason);
    return controller.signal;
  }
  const out = {};
  for (const [key, item] of Object.entries(value)) out[key] = decode(item);
  return out;
}

/** An error as plain data: its class name, message and the HubError fields. */
function describeError(error) {
  if (error === null || typeof error !== "object") return { name: "Error", message: String(error) };
  const out = { name: String(error.name ?? "Error"), message: String(error.message ?? error) };
  for (const key of ["code", "status", "requestId", "serverMessage", "retryAfter"]) {
    if (error[key] !== undefined) out[key] = error[key];
  }
  if (error.cause !== undefined) out.cause = String(error.cause?.message ?? error.cause);
  return out;
}
