// The error classes every hubwasm API rejects with. Rust builds them through `makeHubError` so that
// users get real `Error` subclasses (instanceof works, stack traces point at the call).
// `name` is set explicitly so it survives minification.

export class HubError extends Error {
  constructor(message, { code = "HUB_ERROR", status, requestId, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "HubError";
    this.code = code;
    if (status !== undefined) this.status = status;
    if (requestId !== undefined) this.requestId = requestId;
  }
}

/** The caller passed something the API cannot use (wrong type, malformed value). */
export class InvalidInputError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "INVALID_INPUT", ...options });
    this.name = "InvalidInputError";
  }
}

/** An object was used in a state that does not allow it (e.g. `update()` after `finish()`). */
export class InvalidStateError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "INVALID_STATE", ...options });
    this.name = "InvalidStateError";
  }
}

/** Reading a caller's Blob or ReadableStream failed; `cause` holds the original error. */
export class SourceReadError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "SOURCE_READ_FAILED", ...options });
    this.name = "SourceReadError";
  }
}

const classes = { HubError, InvalidInputError, InvalidStateError, SourceReadError };

export function makeHubError(className, message, status, requestId, cause) {
  const Class = classes[className] ?? HubError;
  return new Class(message, { status, requestId, cause });
}
