// Generated from ERROR_CLASSES in src/error.rs: edit the table there, then run
// `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.

export interface HubErrorOptions {
  code?: string;
  status?: number;
  requestId?: string;
  serverMessage?: string;
  retryAfter?: number;
  cause?: unknown;
}

/** Base class of every error hubwasm throws or rejects with. */
export declare class HubError extends Error {
  constructor(message: string, options?: HubErrorOptions);
  /** Stable machine-readable code, e.g. `INVALID_INPUT`. */
  readonly code: string;
  /** HTTP status of the response that caused it, when there was one. */
  readonly status?: number;
  /** The server's `X-Request-Id`, when there was one. */
  readonly requestId?: string;
}

/** The caller passed a value of the wrong type or shape, or bytes that cannot be read (e.g. a detached buffer). `code` is `INVALID_INPUT`. */
export declare class InvalidInputError extends HubError {}

/** An object was used in a state that does not allow it (e.g. `update()` after `finish()`). `code` is `INVALID_STATE`. */
export declare class InvalidStateError extends HubError {}

/** Reading the caller's Blob or ReadableStream failed; `cause` holds the original error. `code` is `SOURCE_READ_FAILED`. */
export declare class SourceReadError extends HubError {}

/** hubwasm broke one of its own invariants: a bug to report, never the caller's fault. `code` is `INTERNAL`. */
export declare class InternalError extends HubError {}

/** The Hub answered with an error status; the subclasses name the common cases. `code` is `HUB_API`. */
export declare class HubApiError extends HubError {
  /** HTTP status of the error answer. */
  readonly status: number;
  /** The Hub's own message (`X-Error-Message` or the body's), possibly empty. */
  readonly serverMessage: string;
}

/** No such repo, or a private one the caller's token cannot see. `code` is `REPO_NOT_FOUND`. */
export declare class RepoNotFoundError extends HubApiError {}

/** The repo exists but has no such branch, tag or commit. `code` is `REVISION_NOT_FOUND`. */
export declare class RevisionNotFoundError extends HubApiError {}

/** The revision has no file or folder at that path. `code` is `ENTRY_NOT_FOUND`. */
export declare class EntryNotFoundError extends HubApiError {}

/** A gated repo whose files the caller has not been granted access to. `code` is `GATED_REPO`. */
export declare class GatedRepoError extends HubApiError {}

/** The access token is missing, invalid or expired. `code` is `UNAUTHORIZED`. */
export declare class UnauthorizedError extends HubApiError {}

/** The token is valid but not allowed to do this (or the repo is disabled). `code` is `FORBIDDEN`. */
export declare class ForbiddenError extends HubApiError {}

/** The Hub answered 429 and the retries ran out. `code` is `RATE_LIMITED`. */
export declare class RateLimitedError extends HubApiError {
  /** Seconds the Hub asked to wait (`Retry-After`), when it said. */
  readonly retryAfter?: number;
}

/** No answer: the connection failed or was cut, after the retries; `cause` holds fetch's error. `code` is `NETWORK`. */
export declare class NetworkError extends HubError {}

/** The caller's AbortSignal fired; `name` is `"AbortError"` as the DOM's, `cause` is the signal's reason. `code` is `ABORTED`. */
export declare class AbortError extends HubError {}

/** Downloaded bytes do not match their hash: nothing unverified was delivered as complete. `code` is `INTEGRITY`. */
export declare class IntegrityError extends HubError {}

/** A synchronous API was called before the WebAssembly module loaded (browsers): await `ready` first. `code` is `NOT_READY`. */
export declare class NotReadyError extends HubError {}

/** The WebAssembly module failed to fetch or compile; `cause` holds the original error. `code` is `MODULE_LOAD_FAILED`. */
export declare class ModuleLoadError extends HubError {}

/** The Hub refused a change that conflicts with the repo's state: the branch moved since `parentCommit` (412), or the repo, branch or tag already exists (409). `code` is `CONFLICT`. */
export declare class ConflictError extends HubApiError {}

/** The Hub refused a request body (a commit, an upload) as too large (413). `code` is `PAYLOAD_TOO_LARGE`. */
export declare class PayloadTooLargeError extends HubApiError {}

/** The cache store failed (a full disk, a refused permission, a store that threw); `cause` holds its error. Passed to `onWarning` when a download went on uncached. `code` is `CACHE`. */
export declare class CacheError extends HubError {}

/** Offline (or the Hub unreachable) and the file is not in the cache, as Python's error of that name. `code` is `LOCAL_ENTRY_NOT_FOUND`. */
export declare class LocalEntryNotFoundError extends HubError {}

/** An InferenceClient call's arguments are missing or of the wrong shape (no model, no messages, an inputs value of the wrong type). `code` is `INFERENCE_INPUT`. */
export declare class InferenceInputError extends InvalidInputError {}

/** No way to route the call: unknown provider, a provider that does not serve the model or task, `auto` without a Hugging Face token. `code` is `ROUTING`. */
export declare class RoutingError extends HubError {}

/** The inference router or provider answered with an error status, after the retries. `code` is `PROVIDER_API`. */
export declare class ProviderApiError extends HubError {
  /** HTTP status of the error answer. */
  readonly status: number;
  /** The provider's message, possibly empty. */
  readonly serverMessage: string;
  /** What was sent; `Authorization` is redacted. */
  readonly request: { url: string; method: string; headers: Record<string, string>; body?: string };
  /** What came back: the body as parsed JSON, or its text. */
  readonly response: { status: number; requestId?: string; body: unknown };
}

/** The provider's answer is not of the task's shape, or a stream reported an error inside it (`{"error": …}`). `code` is `PROVIDER_OUTPUT`. */
export declare class ProviderOutputError extends HubError {}
