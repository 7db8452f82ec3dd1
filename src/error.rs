//! Errors crossing into JavaScript. Each variant maps to one JS class from `js/errors.js` with a
//! stable `name` and `code`, so callers can branch on them without parsing messages.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeHubError)]
    fn make_hub_error(
        class_name: &str,
        message: &str,
        status: Option<u16>,
        request_id: Option<String>,
        cause: JsValue,
    ) -> JsValue;
}

#[derive(Debug)]
pub enum Error {
    /// The caller passed a value of the wrong type or shape.
    InvalidInput(String),
    /// The object was used after it finished (e.g. `update()` after `finish()`).
    InvalidState(String),
    /// The caller's Blob or stream failed while we read it.
    SourceRead { message: String, cause: JsValue },
}

impl Error {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }
}

impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        match err {
            Error::InvalidInput(message) => {
                make_hub_error("InvalidInputError", &message, None, None, JsValue::UNDEFINED)
            }
            Error::InvalidState(message) => {
                make_hub_error("InvalidStateError", &message, None, None, JsValue::UNDEFINED)
            }
            Error::SourceRead { message, cause } => make_hub_error("SourceReadError", &message, None, None, cause),
        }
    }
}
