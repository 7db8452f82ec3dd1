// Generated from ERROR_CLASSES in src/error.rs: edit the table there, then run
// `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.

// Defined, not assigned: assigning would throw where Error.prototype is frozen (SES lockdown makes
// its `name` read-only, and an assignment cannot shadow a read-only inherited property).
const defineProperty = Object.defineProperty;
const setName = (error, name) => defineProperty(error, "name", { value: name, writable: true, configurable: true });

/** Base class of every error hubwasm throws or rejects with. `name` is set explicitly so it survives minification. */
export class HubError extends Error {
  constructor(message, { code = "HUB_ERROR", status, requestId, serverMessage, retryAfter, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    setName(this, "HubError");
    this.code = code;
    if (status !== undefined) this.status = status;
    if (requestId !== undefined) this.requestId = requestId;
    if (serverMessage !== undefined) this.serverMessage = serverMessage;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
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

/** The Hub answered with an error status; the subclasses name the common cases. */
export class HubApiError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "HUB_API", ...options });
    setName(this, "HubApiError");
  }
}

/** No such repo, or a private one the caller's token cannot see. */
export class RepoNotFoundError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "REPO_NOT_FOUND", ...options });
    setName(this, "RepoNotFoundError");
  }
}

/** The repo exists but has no such branch, tag or commit. */
export class RevisionNotFoundError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "REVISION_NOT_FOUND", ...options });
    setName(this, "RevisionNotFoundError");
  }
}

/** The revision has no file or folder at that path. */
export class EntryNotFoundError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "ENTRY_NOT_FOUND", ...options });
    setName(this, "EntryNotFoundError");
  }
}

/** A gated repo whose files the caller has not been granted access to. */
export class GatedRepoError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "GATED_REPO", ...options });
    setName(this, "GatedRepoError");
  }
}

/** The access token is missing, invalid or expired. */
export class UnauthorizedError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "UNAUTHORIZED", ...options });
    setName(this, "UnauthorizedError");
  }
}

/** The token is valid but not allowed to do this (or the repo is disabled). */
export class ForbiddenError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "FORBIDDEN", ...options });
    setName(this, "ForbiddenError");
  }
}

/** The Hub answered 429 and the retries ran out. */
export class RateLimitedError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "RATE_LIMITED", ...options });
    setName(this, "RateLimitedError");
  }
}

/** No answer: the connection failed or was cut, after the retries; `cause` holds fetch's error. */
export class NetworkError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "NETWORK", ...options });
    setName(this, "NetworkError");
  }
}

/** The caller's AbortSignal fired; `name` is `"AbortError"` as the DOM's, `cause` is the signal's reason. */
export class AbortError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "ABORTED", ...options });
    setName(this, "AbortError");
  }
}

/** Downloaded bytes do not match their hash: nothing unverified was delivered as complete. */
export class IntegrityError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "INTEGRITY", ...options });
    setName(this, "IntegrityError");
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

/** The Hub refused a change that conflicts with the repo's state: the branch moved since `parentCommit` (412), or the repo, branch or tag already exists (409). */
export class ConflictError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "CONFLICT", ...options });
    setName(this, "ConflictError");
  }
}

/** The Hub refused a request body (a commit, an upload) as too large (413). */
export class PayloadTooLargeError extends HubApiError {
  constructor(message, options = {}) {
    super(message, { code: "PAYLOAD_TOO_LARGE", ...options });
    setName(this, "PayloadTooLargeError");
  }
}

/** The cache store failed (a full disk, a refused permission, a store that threw); `cause` holds its error. Passed to `onWarning` when a download went on uncached. */
export class CacheError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "CACHE", ...options });
    setName(this, "CacheError");
  }
}

/** Offline (or the Hub unreachable) and the file is not in the cache, as Python's error of that name. */
export class LocalEntryNotFoundError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "LOCAL_ENTRY_NOT_FOUND", ...options });
    setName(this, "LocalEntryNotFoundError");
  }
}

/** An InferenceClient call's arguments are missing or of the wrong shape (no model, no messages, an inputs value of the wrong type). */
export class InferenceInputError extends InvalidInputError {
  constructor(message, options = {}) {
    super(message, { code: "INFERENCE_INPUT", ...options });
    setName(this, "InferenceInputError");
  }
}

/** No way to route the call: unknown provider, a provider that does not serve the model or task, `auto` without a Hugging Face token. */
export class RoutingError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "ROUTING", ...options });
    setName(this, "RoutingError");
  }
}

/** The inference router or provider answered with an error status, after the retries. */
export class ProviderApiError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "PROVIDER_API", ...options });
    setName(this, "ProviderApiError");
  }
}

/** The provider's answer is not of the task's shape, or a stream reported an error inside it (`{"error": …}`). */
export class ProviderOutputError extends HubError {
  constructor(message, options = {}) {
    super(message, { code: "PROVIDER_OUTPUT", ...options });
    setName(this, "ProviderOutputError");
  }
}

const classes = { HubError, InvalidInputError, InvalidStateError, SourceReadError, InternalError, HubApiError, RepoNotFoundError, RevisionNotFoundError, EntryNotFoundError, GatedRepoError, UnauthorizedError, ForbiddenError, RateLimitedError, NetworkError, AbortError, IntegrityError, NotReadyError, ModuleLoadError, ConflictError, PayloadTooLargeError, CacheError, LocalEntryNotFoundError, InferenceInputError, RoutingError, ProviderApiError, ProviderOutputError };
const hasOwn = Object.hasOwn;

// Rust's constructor of the classes above (not re-exported by the package).
export function makeHubError(className, message, status, requestId, cause, serverMessage, retryAfter) {
  const Class = hasOwn(classes, className) ? classes[className] : HubError;
  return new Class(message, { status, requestId, cause, serverMessage, retryAfter });
}
