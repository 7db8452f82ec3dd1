// Minimal assertions that run unchanged in Node, Deno, workerd and browsers.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

export function ok(value, message = "expected a truthy value") {
  if (!value) throw new AssertionError(message);
}

export function equal(actual, expected, message = "") {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Awaits `promiseOrFn` and checks it rejects with an error matching every field of `expected`. */
export async function rejects(promiseOrFn, expected, message = "") {
  let error;
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new AssertionError(`${message || "expected a rejection"}, but it resolved`);
  matchError(error, expected, message);
  return error;
}

/** Calls `fn` and checks it throws synchronously an error matching `expected`. */
export function throws(fn, expected, message = "") {
  try {
    fn();
  } catch (e) {
    matchError(e, expected, message);
    return e;
  }
  throw new AssertionError(`${message || "expected a throw"}, but it returned`);
}

function matchError(error, expected, message) {
  if (expected.instanceOf && !(error instanceof expected.instanceOf)) {
    throw new AssertionError(`${message}: expected an instance of ${expected.instanceOf.name}, got ${show(error)}`);
  }
  for (const [key, value] of Object.entries(expected)) {
    if (key === "instanceOf") continue;
    if (value instanceof RegExp ? !value.test(String(error?.[key])) : error?.[key] !== value) {
      throw new AssertionError(`${message}: error.${key} should be ${show(value)}, got ${show(error?.[key])} (${error})`);
    }
  }
}

function show(value) {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}
