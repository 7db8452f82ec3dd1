// Generated from ERROR_CLASSES in src/error.rs: edit the table there, then run
// `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.

export interface HubErrorOptions {
  code?: string;
  status?: number;
  requestId?: string;
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

/** A synchronous API was called before the WebAssembly module loaded (browsers): await `ready` first. `code` is `NOT_READY`. */
export declare class NotReadyError extends HubError {}

/** The WebAssembly module failed to fetch or compile; `cause` holds the original error. `code` is `MODULE_LOAD_FAILED`. */
export declare class ModuleLoadError extends HubError {}
