//! Errors crossing into JavaScript. Each variant maps to one JS class with a stable `name` and
//! `code`, so callers can branch on them without parsing messages.
//!
//! [`ERROR_CLASSES`] is the one list of those classes: `error.js` (the classes Rust constructs)
//! and `error.d.ts` (their types) beside this file are generated from it, and a test fails when
//! they drift. To add a class: add a row, a variant that maps to it, then regenerate with
//! `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.

use core::fmt;

use hubwasm_core::api::ApiErrorKind;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/error.js")]
extern "C" {
    /// Constructs one of the classes below. `catch`: it does not throw (the classes define `name`
    /// rather than assign it, so frozen intrinsics cannot refuse it), and should a hostile host
    /// make it throw anyway, the exception comes back here instead of unwinding Rust frames.
    #[wasm_bindgen(catch, js_name = makeHubError)]
    fn make_hub_error(
        class_name: &str,
        message: &str,
        status: Option<u16>,
        request_id: Option<String>,
        cause: JsValue,
        server_message: Option<String>,
        retry_after: Option<f64>,
    ) -> Result<JsValue, JsValue>;
}

/// One JS error class. Only `name` is read at run time; the rest feeds the generated files.
#[cfg_attr(not(all(test, not(target_arch = "wasm32"))), allow(dead_code))]
pub(crate) struct ErrorClass {
    pub(crate) name: &'static str,
    /// The stable `code` its instances carry.
    pub(crate) code: &'static str,
    /// The class it extends: `HubError` or an earlier row.
    pub(crate) parent: &'static str,
    /// What it means, for the `.d.ts`.
    pub(crate) doc: &'static str,
    /// Members it adds to its parent, as `.d.ts` lines (each set by `HubError`'s constructor).
    pub(crate) fields: &'static str,
}

const INVALID_INPUT: ErrorClass = ErrorClass {
    name: "InvalidInputError",
    code: "INVALID_INPUT",
    parent: "HubError",
    doc: "The caller passed a value of the wrong type or shape, or bytes that cannot be read (e.g. a detached buffer).",
    fields: "",
};
const INVALID_STATE: ErrorClass = ErrorClass {
    name: "InvalidStateError",
    code: "INVALID_STATE",
    parent: "HubError",
    doc: "An object was used in a state that does not allow it (e.g. `update()` after `finish()`).",
    fields: "",
};
const SOURCE_READ: ErrorClass = ErrorClass {
    name: "SourceReadError",
    code: "SOURCE_READ_FAILED",
    parent: "HubError",
    doc: "Reading the caller's Blob or ReadableStream failed; `cause` holds the original error.",
    fields: "",
};
const INTERNAL: ErrorClass = ErrorClass {
    name: "InternalError",
    code: "INTERNAL",
    parent: "HubError",
    doc: "hubwasm broke one of its own invariants: a bug to report, never the caller's fault.",
    fields: "",
};

const HUB_API: ErrorClass = ErrorClass {
    name: "HubApiError",
    code: "HUB_API",
    parent: "HubError",
    doc: "The Hub answered with an error status; the subclasses name the common cases.",
    fields: "  /** HTTP status of the error answer. */\n  readonly status: number;\n  \
             /** The Hub's own message (`X-Error-Message` or the body's), possibly empty. */\n  \
             readonly serverMessage: string;\n",
};
const REPO_NOT_FOUND: ErrorClass = ErrorClass {
    name: "RepoNotFoundError",
    code: "REPO_NOT_FOUND",
    parent: "HubApiError",
    doc: "No such repo, or a private one the caller's token cannot see.",
    fields: "",
};
const REVISION_NOT_FOUND: ErrorClass = ErrorClass {
    name: "RevisionNotFoundError",
    code: "REVISION_NOT_FOUND",
    parent: "HubApiError",
    doc: "The repo exists but has no such branch, tag or commit.",
    fields: "",
};
const ENTRY_NOT_FOUND: ErrorClass = ErrorClass {
    name: "EntryNotFoundError",
    code: "ENTRY_NOT_FOUND",
    parent: "HubApiError",
    doc: "The revision has no file or folder at that path.",
    fields: "",
};
const GATED_REPO: ErrorClass = ErrorClass {
    name: "GatedRepoError",
    code: "GATED_REPO",
    parent: "HubApiError",
    doc: "A gated repo whose files the caller has not been granted access to.",
    fields: "",
};
const UNAUTHORIZED: ErrorClass = ErrorClass {
    name: "UnauthorizedError",
    code: "UNAUTHORIZED",
    parent: "HubApiError",
    doc: "The access token is missing, invalid or expired.",
    fields: "",
};
const FORBIDDEN: ErrorClass = ErrorClass {
    name: "ForbiddenError",
    code: "FORBIDDEN",
    parent: "HubApiError",
    doc: "The token is valid but not allowed to do this (or the repo is disabled).",
    fields: "",
};
const RATE_LIMITED: ErrorClass = ErrorClass {
    name: "RateLimitedError",
    code: "RATE_LIMITED",
    parent: "HubApiError",
    doc: "The Hub answered 429 and the retries ran out.",
    fields: "  /** Seconds the Hub asked to wait (`Retry-After`), when it said. */\n  readonly retryAfter?: number;\n",
};
const NETWORK: ErrorClass = ErrorClass {
    name: "NetworkError",
    code: "NETWORK",
    parent: "HubError",
    doc: "No answer: the connection failed or was cut, after the retries; `cause` holds fetch's error.",
    fields: "",
};
const ABORTED: ErrorClass = ErrorClass {
    name: "AbortError",
    code: "ABORTED",
    parent: "HubError",
    doc: "The caller's AbortSignal fired; `name` is `\"AbortError\"` as the DOM's, `cause` is the signal's reason.",
    fields: "",
};
const INTEGRITY: ErrorClass = ErrorClass {
    name: "IntegrityError",
    code: "INTEGRITY",
    parent: "HubError",
    doc: "Downloaded bytes do not match their hash: nothing unverified was delivered as complete.",
    fields: "",
};

/// Thrown by the package's JS (`ready.js`), not by Rust.
const NOT_READY: ErrorClass = ErrorClass {
    name: "NotReadyError",
    code: "NOT_READY",
    parent: "HubError",
    doc: "A synchronous API was called before the WebAssembly module loaded (browsers): await `ready` first.",
    fields: "",
};
/// Thrown by the package's JS (`ready.js`), not by Rust.
const MODULE_LOAD: ErrorClass = ErrorClass {
    name: "ModuleLoadError",
    code: "MODULE_LOAD_FAILED",
    parent: "HubError",
    doc: "The WebAssembly module failed to fetch or compile; `cause` holds the original error.",
    fields: "",
};

const CONFLICT: ErrorClass = ErrorClass {
    name: "ConflictError",
    code: "CONFLICT",
    parent: "HubApiError",
    doc: "The Hub refused a change that conflicts with the repo's state: the branch moved since `parentCommit` (412), or the repo, branch or tag already exists (409).",
    fields: "",
};
const PAYLOAD_TOO_LARGE: ErrorClass = ErrorClass {
    name: "PayloadTooLargeError",
    code: "PAYLOAD_TOO_LARGE",
    parent: "HubApiError",
    doc: "The Hub refused a request body (a commit, an upload) as too large (413).",
    fields: "",
};
const CACHE: ErrorClass = ErrorClass {
    name: "CacheError",
    code: "CACHE",
    parent: "HubError",
    doc: "The cache store failed (a full disk, a refused permission, a store that threw); `cause` holds its error. Passed to `onWarning` when a download went on uncached.",
    fields: "",
};
const LOCAL_ENTRY_NOT_FOUND: ErrorClass = ErrorClass {
    name: "LocalEntryNotFoundError",
    code: "LOCAL_ENTRY_NOT_FOUND",
    parent: "HubError",
    doc: "Offline (or the Hub unreachable) and the file is not in the cache, as Python's error of that name.",
    fields: "",
};
pub(crate) const INFERENCE_INPUT: ErrorClass = ErrorClass {
    name: "InferenceInputError",
    code: "INFERENCE_INPUT",
    parent: "InvalidInputError",
    doc: "An InferenceClient call's arguments are missing or of the wrong shape (no model, no messages, an inputs value of the wrong type).",
    fields: "",
};
pub(crate) const ROUTING: ErrorClass = ErrorClass {
    name: "RoutingError",
    code: "ROUTING",
    parent: "HubError",
    doc: "No way to route the call: unknown provider, a provider that does not serve the model or task, `auto` without a Hugging Face token.",
    fields: "",
};
pub(crate) const PROVIDER_API: ErrorClass = ErrorClass {
    name: "ProviderApiError",
    code: "PROVIDER_API",
    parent: "HubError",
    doc: "The inference router or provider answered with an error status, after the retries.",
    fields: "  /** HTTP status of the error answer. */\n  readonly status: number;\n  \
             /** The provider's message, possibly empty. */\n  readonly serverMessage: string;\n  \
             /** What was sent; `Authorization` is redacted. */\n  \
             readonly request: { url: string; method: string; headers: Record<string, string>; body?: string };\n  \
             /** What came back: the body as parsed JSON, or its text. */\n  \
             readonly response: { status: number; requestId?: string; body: unknown };\n",
};
pub(crate) const PROVIDER_OUTPUT: ErrorClass = ErrorClass {
    name: "ProviderOutputError",
    code: "PROVIDER_OUTPUT",
    parent: "HubError",
    doc:
        "The provider's answer is not of the task's shape, or a stream reported an error inside it (`{\"error\": …}`).",
    fields: "",
};

/// Every subclass of `HubError`, parents first.
#[cfg_attr(not(all(test, not(target_arch = "wasm32"))), allow(dead_code))]
pub(crate) const ERROR_CLASSES: &[ErrorClass] = &[
    INVALID_INPUT,
    INVALID_STATE,
    SOURCE_READ,
    INTERNAL,
    HUB_API,
    REPO_NOT_FOUND,
    REVISION_NOT_FOUND,
    ENTRY_NOT_FOUND,
    GATED_REPO,
    UNAUTHORIZED,
    FORBIDDEN,
    RATE_LIMITED,
    NETWORK,
    ABORTED,
    INTEGRITY,
    NOT_READY,
    MODULE_LOAD,
    CONFLICT,
    PAYLOAD_TOO_LARGE,
    CACHE,
    LOCAL_ENTRY_NOT_FOUND,
    INFERENCE_INPUT,
    ROUTING,
    PROVIDER_API,
    PROVIDER_OUTPUT,
];

#[derive(Debug)]
pub(crate) enum Error {
    /// The caller passed a value of the wrong type or shape.
    InvalidInput(String),
    /// The object was used after it finished (e.g. `update()` after `finish()`).
    InvalidState(String),
    /// The caller's Blob or stream failed while we read it.
    SourceRead { message: String, cause: JsValue },
    /// A bug in hubwasm (e.g. a result it could not convert to JS).
    Internal(String),
    /// The Hub answered with an error status.
    Api(ApiFailure),
    /// No answer (after the retries); `cause` is fetch's rejection.
    Network { message: String, cause: JsValue },
    /// The caller's AbortSignal fired; `cause` is its reason.
    Aborted { cause: JsValue },
    /// Bytes that do not match their hash.
    #[allow(dead_code)] // raised by the download path, which lands with issue #10 item 4
    Integrity(String),
    /// The cache store failed.
    Cache { message: String, cause: JsValue },
    /// Offline, and the file is not cached.
    LocalEntryNotFound(String),
    /// An InferenceClient failure (its four classes).
    Inference(crate::inference::InferenceFailure),
}

/// An error answer of the Hub, classified by hubwasm-core.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    pub(crate) kind: ApiErrorKind,
    pub(crate) status: u16,
    /// The Hub's message, possibly empty.
    pub(crate) server_message: String,
    pub(crate) request_id: Option<String>,
    /// `Retry-After` in seconds, on 429.
    pub(crate) retry_after: Option<u64>,
    /// What was asked, for the message (method and URL without its query).
    pub(crate) what: String,
}

impl Error {
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    pub(crate) fn class(&self) -> &'static ErrorClass {
        match self {
            Error::InvalidInput(_) => &INVALID_INPUT,
            Error::InvalidState(_) => &INVALID_STATE,
            Error::SourceRead { .. } => &SOURCE_READ,
            Error::Internal(_) => &INTERNAL,
            Error::Api(failure) => match failure.kind {
                ApiErrorKind::RepoNotFound => &REPO_NOT_FOUND,
                ApiErrorKind::RevisionNotFound => &REVISION_NOT_FOUND,
                ApiErrorKind::EntryNotFound => &ENTRY_NOT_FOUND,
                ApiErrorKind::GatedRepo => &GATED_REPO,
                ApiErrorKind::Unauthorized => &UNAUTHORIZED,
                ApiErrorKind::Forbidden | ApiErrorKind::DisabledRepo => &FORBIDDEN,
                ApiErrorKind::RateLimited => &RATE_LIMITED,
                ApiErrorKind::Conflict | ApiErrorKind::PreconditionFailed => &CONFLICT,
                ApiErrorKind::PayloadTooLarge => &PAYLOAD_TOO_LARGE,
                _ => &HUB_API,
            },
            Error::Network { .. } => &NETWORK,
            Error::Aborted { .. } => &ABORTED,
            Error::Integrity(_) => &INTEGRITY,
            Error::Cache { .. } => &CACHE,
            Error::LocalEntryNotFound(_) => &LOCAL_ENTRY_NOT_FOUND,
            Error::Inference(f) => f.class(),
        }
    }

    fn message(&self) -> String {
        match self {
            Error::InvalidInput(message)
            | Error::InvalidState(message)
            | Error::Internal(message)
            | Error::Integrity(message)
            | Error::LocalEntryNotFound(message)
            | Error::Cache { message, .. }
            | Error::SourceRead { message, .. }
            | Error::Network { message, .. } => message.clone(),
            Error::Aborted { .. } => "the operation was aborted".into(),
            Error::Inference(f) => f.message(),
            Error::Api(f) => with_server_details(
                format!("{} ({}) for {}", f.kind, f.status, f.what),
                &f.server_message,
                f.request_id.as_deref(),
            ),
        }
    }
}

/// `message`, then the server's own message and the request id, when the answer had them.
pub(crate) fn with_server_details(mut message: String, server_message: &str, request_id: Option<&str>) -> String {
    if !server_message.is_empty() {
        message.push_str(": ");
        message.push_str(server_message);
    }
    if let Some(id) = request_id {
        message.push_str(&format!(" [request id {id}]"));
    }
    message
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class().name, self.message())
    }
}

impl core::error::Error for Error {}

impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        let class = err.class().name;
        let message = err.message();
        let made = match err {
            Error::SourceRead { cause, .. }
            | Error::Network { cause, .. }
            | Error::Aborted { cause }
            | Error::Cache { cause, .. } => make_hub_error(class, &message, None, None, cause, None, None),
            Error::Api(f) => make_hub_error(
                class,
                &message,
                Some(f.status),
                f.request_id,
                JsValue::UNDEFINED,
                Some(f.server_message),
                f.retry_after.map(|s| s as f64),
            ),
            Error::Inference(f) => {
                let (status, request_id, server_message) = f.status_fields();
                let made =
                    make_hub_error(class, &message, status, request_id, JsValue::UNDEFINED, server_message, None);
                if let Ok(error) = &made {
                    f.decorate(error);
                }
                made
            }
            _ => make_hub_error(class, &message, None, None, JsValue::UNDEFINED, None, None),
        };
        // What the host threw instead is still an error value to reject with.
        made.unwrap_or_else(|thrown| thrown)
    }
}

/// `error.js` and `error.d.ts` as [`ERROR_CLASSES`] describes them.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod generated {
    use super::ERROR_CLASSES;

    const HEADER: &str = "// Generated from ERROR_CLASSES in src/error.rs: edit the table there, then run\n\
                          // `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.\n";

    const HUB_ERROR_JS: &str = r#"
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
"#;

    const HUB_ERROR_DTS: &str = r#"
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
"#;

    pub fn js() -> String {
        let mut out = String::from(HEADER);
        out.push_str(HUB_ERROR_JS);
        for class in ERROR_CLASSES {
            let (name, code, parent, doc) = (class.name, class.code, class.parent, class.doc);
            out.push_str(&format!(
                "\n/** {doc} */\nexport class {name} extends {parent} {{\n  constructor(message, options = {{}}) {{\n    \
                 super(message, {{ code: \"{code}\", ...options }});\n    setName(this, \"{name}\");\n  }}\n}}\n"
            ));
        }
        let names: Vec<&str> = ERROR_CLASSES.iter().map(|c| c.name).collect();
        out.push_str(&format!(
            "\nconst classes = {{ HubError, {} }};\nconst hasOwn = Object.hasOwn;\n\n\
             // Rust's constructor of the classes above (not re-exported by the package).\n\
             export function makeHubError(className, message, status, requestId, cause, serverMessage, retryAfter) {{\n  \
             const Class = hasOwn(classes, className) ? classes[className] : HubError;\n  \
             return new Class(message, {{ status, requestId, cause, serverMessage, retryAfter }});\n}}\n",
            names.join(", ")
        ));
        out
    }

    pub fn dts() -> String {
        let mut out = String::from(HEADER);
        out.push_str(HUB_ERROR_DTS);
        for class in ERROR_CLASSES {
            let (name, code, parent, doc, fields) = (class.name, class.code, class.parent, class.doc, class.fields);
            let body = if fields.is_empty() { String::new() } else { format!("\n{fields}") };
            out.push_str(&format!(
                "\n/** {doc} `code` is `{code}`. */\nexport declare class {name} extends {parent} {{{body}}}\n"
            ));
        }
        out
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;

    use super::*;

    fn check_generated(file: &str, expected: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(file);
        if std::env::var_os("HUBWASM_REGENERATE").is_some() {
            std::fs::write(&path, expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap();
        assert!(
            actual == expected,
            "src/{file} differs from ERROR_CLASSES: run `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`"
        );
    }

    #[test]
    fn error_js_matches_the_table() {
        check_generated("error.js", &generated::js());
    }

    #[test]
    fn error_dts_matches_the_table() {
        check_generated("error.d.ts", &generated::dts());
    }

    #[test]
    fn the_table_is_well_formed() {
        let mut seen = HashSet::from(["HubError"]);
        let mut codes = HashSet::from(["HUB_ERROR"]);
        for class in ERROR_CLASSES {
            assert!(seen.contains(class.parent), "{}: parent {} must come first", class.name, class.parent);
            assert!(seen.insert(class.name), "{} listed twice", class.name);
            assert!(codes.insert(class.code), "code {} used twice", class.code);
            assert!(class.name.ends_with("Error"), "{}", class.name);
            assert!(class.code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{}", class.code);
            assert!(!class.doc.contains("*/"), "{}: the doc would end its comment", class.name);
        }
    }

    // The package's own JS throws only classes of the table, never a hand-written code, and the
    // README lists every code a caller can branch on.
    #[test]
    fn the_package_js_and_the_readme_use_the_table() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(root.join("pkg-templates")).unwrap() {
            let path = entry.unwrap().path();
            let js = std::fs::read_to_string(&path).unwrap();
            let file = path.display();
            assert!(!js.contains("code:"), "{file} writes an error code by hand: add a row to ERROR_CLASSES");
            for thrown in js.split("new ").skip(1) {
                let class: String = thrown.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                if class.ends_with("Error") {
                    assert!(ERROR_CLASSES.iter().any(|c| c.name == class), "{file} throws {class}, not in the table");
                }
            }
        }
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        for class in ERROR_CLASSES {
            let listed = format!("`{}` / `{}`", class.name, class.code);
            assert!(readme.contains(&listed), "README.md does not list {listed}");
        }
    }

    #[test]
    fn every_variant_names_a_class_in_the_table() {
        let variants = [
            Error::InvalidInput(String::new()),
            Error::InvalidState(String::new()),
            Error::SourceRead { message: String::new(), cause: JsValue::UNDEFINED },
            Error::Internal(String::new()),
            Error::Network { message: String::new(), cause: JsValue::UNDEFINED },
            Error::Aborted { cause: JsValue::UNDEFINED },
            Error::Integrity(String::new()),
            Error::Cache { message: String::new(), cause: JsValue::UNDEFINED },
            Error::LocalEntryNotFound(String::new()),
            Error::Inference(crate::inference::InferenceFailure::Input(String::new())),
            Error::Inference(crate::inference::InferenceFailure::Routing(String::new())),
            Error::Inference(crate::inference::InferenceFailure::Output(String::new())),
        ];
        for variant in &variants {
            assert!(ERROR_CLASSES.iter().any(|c| c.name == variant.class().name), "{variant} has no row");
        }
        assert_eq!(Error::InvalidInput("bad".into()).to_string(), "InvalidInputError: bad");
    }

    fn api(kind: ApiErrorKind, status: u16) -> Error {
        Error::Api(ApiFailure {
            kind,
            status,
            server_message: "Repository not found".into(),
            request_id: Some("Root=1-abc".into()),
            retry_after: None,
            what: "GET https://hub.test/api/models/a/b".into(),
        })
    }

    // Issue #10 item 2: the classes a caller branches on, one per kind the Hub tells apart.
    #[test]
    fn api_error_kinds_map_to_their_classes() {
        let cases = [
            (ApiErrorKind::RepoNotFound, "RepoNotFoundError"),
            (ApiErrorKind::RevisionNotFound, "RevisionNotFoundError"),
            (ApiErrorKind::EntryNotFound, "EntryNotFoundError"),
            (ApiErrorKind::GatedRepo, "GatedRepoError"),
            (ApiErrorKind::Unauthorized, "UnauthorizedError"),
            (ApiErrorKind::Forbidden, "ForbiddenError"),
            (ApiErrorKind::DisabledRepo, "ForbiddenError"),
            (ApiErrorKind::RateLimited, "RateLimitedError"),
            (ApiErrorKind::ServerError, "HubApiError"),
            (ApiErrorKind::Conflict, "ConflictError"),
            (ApiErrorKind::PreconditionFailed, "ConflictError"),
            (ApiErrorKind::PayloadTooLarge, "PayloadTooLargeError"),
            (ApiErrorKind::NotFound, "HubApiError"),
        ];
        for (kind, class) in cases {
            assert_eq!(api(kind, 404).class().name, class, "{kind}");
            let parent = ERROR_CLASSES.iter().find(|c| c.name == class).map(|c| c.parent);
            assert!(class == "HubApiError" || parent == Some("HubApiError"), "{class} extends HubApiError");
        }
        assert_eq!(Error::Aborted { cause: JsValue::UNDEFINED }.class().name, "AbortError", "the DOM's name");
        assert_eq!(
            api(ApiErrorKind::RepoNotFound, 404).to_string(),
            "RepoNotFoundError: repository not found (404) for GET https://hub.test/api/models/a/b: \
             Repository not found [request id Root=1-abc]"
        );
    }
}
