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

/** The caller passed a value of the wrong type or shape. `code` is `INVALID_INPUT`. */
export declare class InvalidInputError extends HubError {}

/** An object was used in a state that does not allow it. `code` is `INVALID_STATE`. */
export declare class InvalidStateError extends HubError {}

/** Reading the caller's Blob or stream failed; `cause` is the original error. `code` is `SOURCE_READ_FAILED`. */
export declare class SourceReadError extends HubError {}
