// The JS half of InferenceClient (src/inference/mod.rs): reading the caller's option objects into
// plain records, writing request bodies, and the async iterator over a stream's chunks. Every
// import of these is `catch` on the Rust side: a throwing getter or a revoked Proxy becomes an
// error value there. Messages thrown here are strings; Rust turns them into InferenceInputErrors.

const hasOwn = Object.hasOwn;
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (v) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

function optionalString(o, name, where) {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw `${where} option ${name} must be a string, got ${describe(v)}`;
  return v;
}

/** InferenceClient's constructor options, checked. */
export function clientOptions(o) {
  const where = "InferenceClient";
  if (o === undefined || o === null) o = {};
  if (!isObject(o)) throw `${where} takes an options object, got ${describe(o)}`;
  const out = {};
  for (const name of ["accessToken", "provider", "endpointUrl", "hubUrl", "routerUrl", "billTo"]) {
    out[name] = optionalString(o, name, where);
  }
  const fetchFn = o.fetch;
  if (fetchFn !== undefined && typeof fetchFn !== "function") throw `${where} option fetch must be a function`;
  out.fetch = fetchFn;
  for (const name of ["maxRetries", "mappingTtlMs"]) {
    const v = o[name];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 86_400_000)) {
      throw `${where} option ${name} must be a whole number from 0, got ${describe(v)}`;
    }
    out[name] = v;
  }
  const urls = o.providerUrls;
  out.providerUrls = [];
  if (urls !== undefined) {
    if (!isObject(urls)) throw `${where} option providerUrls must be an object of provider name to URL`;
    for (const name of Object.keys(urls)) {
      const url = urls[name];
      if (typeof url !== "string") throw `${where} option providerUrls.${name} must be a string`;
      out.providerUrls.push([name, url]);
    }
  }
  return out;
}

const CLIENT_KEYS = ["model", "provider", "endpointUrl", "accessToken", "abortSignal", "billTo", "task"];

/**
 * One call's arguments: `{ model, provider, endpointUrl, billTo, task, signal, rest, binary }`,
 * where `rest` is the task's own fields and `binary` the raw body of audio and image tasks.
 * `kind` is "chat", "text", "json", "binary" or "any"; `options` the optional second argument
 * (`{ signal, billTo }`, as @huggingface/inference takes them).
 */
export function callArgs(args, options, kind, where) {
  if (!isObject(args)) throw `${where}() takes an arguments object, got ${describe(args)}`;
  const out = {};
  for (const name of ["model", "provider", "endpointUrl", "billTo", "task"]) out[name] = optionalString(args, name, where);
  let signal = args.abortSignal;
  if (options !== undefined && options !== null) {
    if (!isObject(options)) throw `${where}() options must be an object`;
    signal ??= options.signal;
    out.billTo ??= optionalString(options, "billTo", where);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw `${where}() option abortSignal must be an AbortSignal`;
  out.signal = signal;
  const rest = {};
  for (const key of Object.keys(args)) if (!CLIENT_KEYS.includes(key)) rest[key] = args[key];
  if (kind === "chat" && !(Array.isArray(rest.messages) && rest.messages.length > 0)) {
    throw `${where}() needs messages, a non-empty array`;
  }
  if (kind === "text" && typeof rest.inputs !== "string") throw `${where}() needs inputs, a string`;
  if (kind === "json" && rest.inputs === undefined) throw `${where}() needs inputs`;
  if (kind === "binary") {
    const data = rest.data ?? rest.inputs;
    if (!(data instanceof Blob || data instanceof ArrayBuffer || ArrayBuffer.isView(data))) {
      throw `${where}() needs data (or inputs): a Blob, ArrayBuffer or typed array`;
    }
    out.binary = data;
  } else if (kind === "any" && (rest.data instanceof Blob || rest.data instanceof ArrayBuffer || ArrayBuffer.isView(rest.data))) {
    out.binary = rest.data;
  }
  if (rest.stream !== undefined) delete rest.stream;
  out.rest = rest;
  return out;
}

/**
 * The JSON body: `model` first (the router reads it from the start), then the task's fields. For
 * "text" (text generation, OpenAI completions): `prompt` from `inputs`, `max_tokens` from
 * `parameters.max_new_tokens`, the other parameters at the top level.
 */
export function makeBody(rest, kind, model, stream) {
  let body;
  if (kind === "text") {
    const { inputs, parameters, ...others } = rest;
    const { max_new_tokens, ...params } = parameters ?? {};
    body = { model, ...others, ...(max_new_tokens === undefined ? {} : { max_tokens: max_new_tokens }), ...params, prompt: inputs };
  } else if (kind === "chat") {
    body = { model, ...rest };
  } else {
    body = { ...rest };
  }
  if (stream) body.stream = true;
  const text = JSON.stringify(body);
  if (typeof text !== "string") throw "the arguments cannot be written as JSON";
  return text;
}

/** Cancels a body reader without letting its rejection go unhandled. */
export function cancelReader(reader, reason) {
  try {
    reader.cancel(reason).catch(() => {});
  } catch {
    // Already released: nothing to cancel.
  }
}

/**
 * The async iterator of a stream's chunks over Rust's `reader.next()` (a chunk, or undefined at
 * the end). Calls are queued so two `next()`s never read at once; `return()` — a `break` out of
 * `for await` — cancels the upstream body at once, without waiting for a pending read.
 */
export function chunkIterator(reader) {
  let finished = false;
  let queue = Promise.resolve();
  const finish = () => {
    if (!finished) {
      finished = true;
      reader.cancel();
      reader.free();
    }
  };
  const step = async () => {
    if (finished) return { done: true, value: undefined };
    let value;
    try {
      value = await reader.next();
    } catch (error) {
      finish();
      throw error;
    }
    if (value === undefined) {
      finish();
      return { done: true, value: undefined };
    }
    return { done: false, value };
  };
  return {
    next() {
      const result = queue.then(step);
      queue = result.catch(() => {});
      return result;
    },
    return(value) {
      finish();
      return Promise.resolve({ done: true, value });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
