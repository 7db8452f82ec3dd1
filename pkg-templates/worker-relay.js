// hubwasm/worker's machinery (the entry itself, worker.js, is generated from the Rust exports by
// cargo xtask build): the package's async API run in a module Web Worker that the package starts,
// so that hashing, uploads and downloads never hold the page's main thread. What each class's
// methods return is in worker-surface.js, generated too.
//
// Arguments cross by structured clone: a File or Blob by reference (no bytes are copied), a
// ReadableStream transferred; functions (onProgress) and AbortSignals anywhere in plain option
// objects are relayed. Results come back cloned; async iterators and objects such as a downloaded
// file stay in the Worker and are reached by reference, a file's stream() pulled chunk by chunk.
import * as errorClasses from "./errors.js";
import { HubError, InternalError, InvalidInputError, InvalidStateError, ModuleLoadError } from "./errors.js";
import { classes } from "./worker-surface.js";

/** Tags a relayed value (callback, signal, iterator, object) inside a message. */
const REF = "__hubwasmWorkerRef";
const MAX_DEPTH = 32;

let connection; // the one Worker, started on first use
let nextId = 1;

function connect() {
  if (connection !== undefined) return connection;
  if (typeof Worker !== "function") throw new InvalidStateError("hubwasm/worker needs Web Workers (a page, a Worker or Deno); use the main entry here");
  const worker = new Worker(new URL("./worker-host.js", import.meta.url), { type: "module", name: "hubwasm" });
  const current = { worker, pending: new Map(), callbacks: new Map() };
  worker.onmessage = ({ data }) => {
    if (data?.op === "callback") {
      const callback = current.callbacks.get(data.fn);
      try {
        callback?.(...data.args);
      } catch {
        // A throwing progress callback must not break the call it reports on.
      }
      return;
    }
    const waiter = current.pending.get(data?.id);
    if (waiter === undefined) return;
    current.pending.delete(data.id);
    if (data.ok) waiter.resolve(data.value);
    else waiter.reject(reviveError(data.error));
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    closeConnection(current, new ModuleLoadError(`hubwasm/worker: the Worker failed: ${event.message || "it could not be loaded"}`));
  };
  worker.onmessageerror = () => {
    closeConnection(current, new InternalError("hubwasm/worker: a message from the Worker could not be read"));
  };
  connection = current;
  return current;
}

function closeConnection(current, error) {
  if (connection === current) connection = undefined;
  current.worker.terminate();
  for (const waiter of current.pending.values()) waiter.reject(error);
  current.pending.clear();
  current.callbacks.clear();
}

/** Stops the package's Worker; calls still pending reject with AbortError. The next call starts a new one. */
export function terminateWorker() {
  if (connection !== undefined) closeConnection(connection, new errorClasses.AbortError("hubwasm/worker: the Worker was terminated"));
}

/** Sends one request; resolves with the Worker's answer. `relay` holds the request's callbacks and signals. */
function request(message, relay = newRelay()) {
  let current;
  try {
    current = connect();
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const id = nextId++;
    current.pending.set(id, { resolve, reject });
    for (const [fn, callback] of relay.callbacks) current.callbacks.set(fn, callback);
    for (const [signalId, signal] of relay.signals) {
      signal.addEventListener("abort", () => post(current, { op: "abort", id: signalId, reason: cloneable(signal.reason) }), { once: true });
    }
    try {
      current.worker.postMessage({ ...message, id }, relay.transfer);
    } catch (error) {
      current.pending.delete(id);
      reject(new InvalidInputError(`hubwasm/worker: an argument cannot be sent to the Worker (${error?.message ?? error})`, { cause: error }));
    }
  });
}

function post(current, message) {
  try {
    current.worker.postMessage(message);
  } catch {
    // The Worker is gone: its calls have been rejected already.
  }
}

function newRelay() {
  return { callbacks: [], signals: [], transfer: [] };
}

const isSignal = (v) => typeof AbortSignal === "function" && v instanceof AbortSignal;
const isStream = (v) => typeof ReadableStream === "function" && v instanceof ReadableStream;

/** Replaces functions and AbortSignals in plain objects and arrays by references the Worker resolves. */
function encode(value, relay, depth = 0) {
  if (typeof value === "function") {
    const fn = nextId++;
    relay.callbacks.push([fn, value]);
    return { [REF]: "callback", fn };
  }
  if (isSignal(value)) {
    const id = nextId++;
    relay.signals.push([id, value]);
    return { [REF]: "signal", id, aborted: value.aborted, reason: value.aborted ? cloneable(value.reason) : undefined };
  }
  if (isStream(value)) {
    relay.transfer.push(value);
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) throw new InvalidInputError("hubwasm/worker: arguments nested too deeply");
  if (Array.isArray(value)) return value.map((item) => encode(item, relay, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value; // Blob, File, bytes: cloned as they are
  const out = {};
  for (const [key, item] of Object.entries(value)) out[key] = encode(item, relay, depth + 1);
  return out;
}

function encodeArgs(args, relay) {
  try {
    return args.map((arg) => encode(arg, relay));
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new InvalidInputError(`hubwasm/worker: an argument cannot be read (${error?.message ?? error})`, { cause: error });
  }
}

/** A value the structured clone accepts, or its description. */
function cloneable(value) {
  try {
    structuredClone(value);
    return value;
  } catch {
    return String(value);
  }
}

/** The Worker's error as the same class the main entry throws. */
function reviveError(error) {
  if (error === null || typeof error !== "object") return new InternalError(`hubwasm/worker: ${String(error)}`);
  const { name, message, ...fields } = error;
  const Class = errorClasses[name];
  if (typeof Class === "function" && (Class === HubError || Class.prototype instanceof HubError)) {
    const revived = new Class(message, fields);
    if (fields.code !== undefined) revived.code = fields.code;
    return revived;
  }
  // Not one of ours (e.g. a built-in's TypeError inside the Worker): an InternalError naming it.
  return new InternalError(`hubwasm/worker: ${name}: ${message}`);
}

// Remote objects: references to values that stay in the Worker, released when collected.
const collected =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry((id) => connection && post(connection, { op: "release", id })) : undefined;

function remoteIterator(opened, ref) {
  let finished = false;
  const step = (op, value) =>
    opened.then(() => request({ op, target: ref, value })).then((result) => {
      if (result.done) finished = true;
      return result;
    });
  const iterator = {
    next: () => (finished ? Promise.resolve({ done: true, value: undefined }) : step("next")),
    return: (value) => (finished ? Promise.resolve({ done: true, value }) : ((finished = true), step("return", value).catch(() => ({ done: true, value })))),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  collected?.register(iterator, ref);
  return iterator;
}

function remoteStream(opened, ref) {
  return new ReadableStream({
    async pull(controller) {
      await opened;
      const { done, value } = await request({ op: "read", target: ref });
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return opened.then(() => request({ op: "cancel", target: ref, value: cloneable(reason) })).catch(() => {});
    },
  });
}

/** Calls `method` of the Worker-side object `target` according to what it returns. */
function callRemote(target, className, method, args) {
  const returns = classes[className]?.methods[method];
  const relay = newRelay();
  const message = { op: "method", target, method, args: encodeArgs(args, relay) };
  if (returns === "iterator" || returns === "stream") {
    const ref = nextId++;
    const opened = request({ ...message, ref }, relay);
    opened.catch(() => {}); // surfaced by the first read
    return returns === "iterator" ? remoteIterator(opened, ref) : remoteStream(opened, ref);
  }
  return request(message, relay).then(revive);
}

/** A result: plain data as it came, or a proxy for a Worker-side object. */
function revive(value) {
  if (value === null || typeof value !== "object" || value[REF] !== "object") return value;
  const proxy = proxyFor(value.class, value.id);
  for (const [key, item] of Object.entries(value.props)) Object.defineProperty(proxy, key, { value: item, enumerable: true });
  return proxy;
}

function proxyFor(className, id) {
  const proxy = Object.create(remotePrototype(className));
  remoteIds.set(proxy, id);
  collected?.register(proxy, id);
  return proxy;
}

const remoteIds = new WeakMap(); // proxy → the id of its Worker-side object
const prototypes = new Map();

function remoteIdOf(self, className, member) {
  const id = remoteIds.get(self);
  if (id === undefined) throw new InvalidInputError(`${className}.${member} was called on something that is not a ${className}`);
  if (id === null) throw new InvalidStateError(`${className}.${member} was called after free()`);
  return id;
}

function remotePrototype(className) {
  let prototype = prototypes.get(className);
  if (prototype !== undefined) return prototype;
  prototype = {};
  for (const [method, returns] of Object.entries(classes[className]?.methods ?? {})) {
    if (method === "free") {
      prototype.free = function free() {
        const id = remoteIdOf(this, className, "free()");
        remoteIds.set(this, null);
        if (connection) post(connection, { op: "release", id });
      };
    } else if (returns === "value") {
      prototype[method] = () => {
        throw new InvalidStateError(`${className}.${method}() is synchronous and cannot run in the Worker; use the main entry`);
      };
    } else {
      prototype[method] = {
        [method](...args) {
          return callRemote(remoteIdOf(this, className, `${method}()`), className, method, args);
        },
      }[method];
    }
  }
  prototype[Symbol.dispose] = function dispose() {
    if (remoteIds.get(this)) this.free();
  };
  prototypes.set(className, prototype);
  return prototype;
}

/** The class `className` (one users construct), its instances living in the Worker. */
export function relayClass(className) {
  const Remote = function (...args) {
    if (new.target === undefined) throw new InvalidInputError(`${className} is a class: call it with new`);
    const options = args[0];
    if (options !== null && typeof options === "object" && typeof options.fetch === "function") {
      throw new InvalidInputError(`hubwasm/worker: a custom fetch cannot run in the Worker; pass it to the main entry's ${className}`);
    }
    const id = nextId++;
    const relay = newRelay();
    const created = request({ op: "new", class: className, ref: id, args: encodeArgs(args, relay) }, relay);
    created.catch(() => {}); // a bad option surfaces on the first call, as the Worker reports it
    remoteIds.set(this, id);
    collected?.register(this, id);
  };
  Object.defineProperty(Remote, "name", { value: className });
  Remote.prototype = remotePrototype(className);
  Object.defineProperty(Remote.prototype, "constructor", { value: Remote });
  return Remote;
}

/** The module function `name`, run in the Worker. */
export function relayFunction(name) {
  return {
    [name](...args) {
      let relay;
      let encoded;
      try {
        relay = newRelay();
        encoded = encodeArgs(args, relay);
      } catch (error) {
        return Promise.reject(error);
      }
      return request({ op: "call", method: name, args: encoded }, relay).then(revive);
    },
  }[name];
}
