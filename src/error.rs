//! Errors crossing into JavaScript. Each variant maps to one JS class with a stable `name` and
//! `code`, so callers can branch on them without parsing messages.
//!
//! [`ERROR_CLASSES`] is the one list of those classes: `error.js` (the classes Rust constructs)
//! and `error.d.ts` (their types) beside this file are generated from it, and a test fails when
//! they drift. To add a class: add a row, a variant that maps to it, then regenerate with
//! `HUBWASM_REGENERATE=1 cargo test -p hubwasm --lib error`.

use core::fmt;

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
}

const INVALID_INPUT: ErrorClass = ErrorClass {
    name: "InvalidInputError",
    code: "INVALID_INPUT",
    parent: "HubError",
    doc: "The caller passed a value of the wrong type or shape, or bytes that cannot be read (e.g. a detached buffer).",
};
const INVALID_STATE: ErrorClass = ErrorClass {
    name: "InvalidStateError",
    code: "INVALID_STATE",
    parent: "HubError",
    doc: "An object was used in a state that does not allow it (e.g. `update()` after `finish()`).",
};
const SOURCE_READ: ErrorClass = ErrorClass {
    name: "SourceReadError",
    code: "SOURCE_READ_FAILED",
    parent: "HubError",
    doc: "Reading the caller's Blob or ReadableStream failed; `cause` holds the original error.",
};
const INTERNAL: ErrorClass = ErrorClass {
    name: "InternalError",
    code: "INTERNAL",
    parent: "HubError",
    doc: "hubwasm broke one of its own invariants: a bug to report, never the caller's fault.",
};

/// Thrown by the package's JS (`ready.js`), not by Rust.
const NOT_READY: ErrorClass = ErrorClass {
    name: "NotReadyError",
    code: "NOT_READY",
    parent: "HubError",
    doc: "A synchronous API was called before the WebAssembly module loaded (browsers): await `ready` first.",
};
/// Thrown by the package's JS (`ready.js`), not by Rust.
const MODULE_LOAD: ErrorClass = ErrorClass {
    name: "ModuleLoadError",
    code: "MODULE_LOAD_FAILED",
    parent: "HubError",
    doc: "The WebAssembly module failed to fetch or compile; `cause` holds the original error.",
};

/// Every subclass of `HubError`, parents first.
#[cfg_attr(not(all(test, not(target_arch = "wasm32"))), allow(dead_code))]
pub(crate) const ERROR_CLASSES: &[ErrorClass] =
    &[INVALID_INPUT, INVALID_STATE, SOURCE_READ, INTERNAL, NOT_READY, MODULE_LOAD];

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
        }
    }

    fn message(&self) -> &str {
        match self {
            Error::InvalidInput(message) | Error::InvalidState(message) | Error::Internal(message) => message,
            Error::SourceRead { message, .. } => message,
        }
    }
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
        let made = match err {
            Error::SourceRead { message, cause } => make_hub_error(class, &message, None, None, cause),
            other => make_hub_error(class, other.message(), None, None, JsValue::UNDEFINED),
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
  constructor(message, { code = "HUB_ERROR", status, requestId, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    setName(this, "HubError");
    this.code = code;
    if (status !== undefined) this.status = status;
    if (requestId !== undefined) this.requestId = requestId;
  }
}
"#;

    const HUB_ERROR_DTS: &str = r#"
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
             export function makeHubError(className, message, status, requestId, cause) {{\n  \
             const Class = hasOwn(classes, className) ? classes[className] : HubError;\n  \
             return new Class(message, {{ status, requestId, cause }});\n}}\n",
            names.join(", ")
        ));
        out
    }

    pub fn dts() -> String {
        let mut out = String::from(HEADER);
        out.push_str(HUB_ERROR_DTS);
        for class in ERROR_CLASSES {
            let (name, code, parent, doc) = (class.name, class.code, class.parent, class.doc);
            out.push_str(&format!(
                "\n/** {doc} `code` is `{code}`. */\nexport declare class {name} extends {parent} {{}}\n"
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
        ];
        for variant in &variants {
            assert!(ERROR_CLASSES.iter().any(|c| c.name == variant.class().name), "{variant} has no row");
        }
        assert_eq!(Error::InvalidInput("bad".into()).to_string(), "InvalidInputError: bad");
    }
}
