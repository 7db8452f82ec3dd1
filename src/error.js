// Generated from ERROR_CLASSES in src/error.rs: edit the table there, then run
// `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.

// Defined, not assigned: assigning would throw where Error.prototype is frozen (SES lockdown makes
// its `name` read-only, and an assignment cannot shadow a read-only inherited property).
const defineProperty = Object.defineProperty;
const setName = (error, name) => defineProperty(error, "name", { value: name, writable: true, configurable: true });

/** Base class of every error hubwasm throws or rejects with. `name` is set explicitly so it survives minification. */
export class HubError extends Error {
  constructor(message, { code = "HUB_ERROR", status, requestId, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    setName(this, "HubError");
    this.code = code;
    if (status !== undefined) this.status = status;
    if (requestId !== undefined) this.requestId = requestId;
  }
}

/** The caller passed a value of the wrong type or shape, or bytes that cannot be read (e.g. a detached buffer). */
export class InvalidInputError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "INVALID_INPUT", ...options });
    setName(this, "InvalidInputError");
  }
}

/** An object was used in a state that does not allow it (e.g. `update()` after `finish()`). */
export class InvalidStateError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "INVALID_STATE", ...options });
    setName(this, "InvalidStateError");
  }
}

/** Reading the caller's Blob or ReadableStream failed; `cause` holds the original error. */
export class SourceReadError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "SOURCE_READ_FAILED", ...options });
    setName(this, "SourceReadError");
  }
}

/** hubwasm broke one of its own invariants: a bug to report, never the caller's fault. */
export class InternalError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "INTERNAL", ...options });
    setName(this, "InternalError");
  }
}

/** A synchronous API was called before the WebAssembly module loaded (browsers): await `ready` first. */
export class NotReadyError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "NOT_READY", ...options });
    setName(this, "NotReadyError");
  }
}

/** The WebAssembly module failed to fetch or compile; `cause` holds the original error. */
export class ModuleLoadError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "MODULE_LOAD_FAILED", ...options });
    setName(this, "ModuleLoadError");
  }
}

const classes = { HubError, InvalidInputError, InvalidStateError, SourceReadError, InternalError, NotReadyError, ModuleLoadError };
const hasOwn = Object.hasOwn;

// Rust's constructor of the classes above (not re-exported by the package).
export function makeHubError(className, message, status, requestId, cause) {
  const Class = hasOwn(classes, className) ? classes[className] : HubError;
  return new Class(message, { status, requestId, cause });
}
