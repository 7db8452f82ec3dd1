//! InferenceClient's four error classes (rows of `ERROR_CLASSES` in src/error.rs).

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::error::{with_server_details, ErrorClass, INFERENCE_INPUT, PROVIDER_API, PROVIDER_OUTPUT, ROUTING};

/// Why an InferenceClient call failed, besides the transport's own errors (abort, network).
#[derive(Debug)]
pub(crate) enum InferenceFailure {
    /// The call's arguments: `InferenceInputError`.
    Input(String),
    /// No route to a provider: `RoutingError`.
    Routing(String),
    /// The provider's answer, or an error it reported inside a stream: `ProviderOutputError`.
    Output(String),
    /// An error status from the router or provider: `ProviderApiError`.
    Api(Box<ProviderApiFailure>),
}

/// An error answer and what was sent to get it.
#[derive(Debug)]
pub(crate) struct ProviderApiFailure {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    /// The provider's message (from the body), possibly empty.
    pub(crate) server_message: String,
    pub(crate) method: &'static str,
    pub(crate) url: String,
    /// The request's headers, `Authorization` redacted.
    pub(crate) headers: Vec<(String, String)>,
    /// The request's body when it was text (JSON).
    pub(crate) request_body: Option<String>,
    /// The answer's body as text (bounded).
    pub(crate) response_body: String,
}

/// What stands for a credential in errors.
const REDACTED: &str = "Bearer [redacted]";

impl ProviderApiFailure {
    /// Headers as an error may show them.
    pub(crate) fn redact(headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| match name.eq_ignore_ascii_case("authorization") {
                true => (name.clone(), REDACTED.to_string()),
                false => (name.clone(), value.clone()),
            })
            .collect()
    }
}

impl InferenceFailure {
    pub(crate) fn class(&self) -> &'static ErrorClass {
        match self {
            InferenceFailure::Input(_) => &INFERENCE_INPUT,
            InferenceFailure::Routing(_) => &ROUTING,
            InferenceFailure::Output(_) => &PROVIDER_OUTPUT,
            InferenceFailure::Api(_) => &PROVIDER_API,
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            InferenceFailure::Input(m) | InferenceFailure::Routing(m) | InferenceFailure::Output(m) => m.clone(),
            InferenceFailure::Api(f) => with_server_details(
                format!("the provider answered {} for {} {}", f.status, f.method, f.url),
                &f.server_message,
                f.request_id.as_deref(),
            ),
        }
    }

    /// `status`, `requestId` and `serverMessage` for the base class's constructor.
    pub(crate) fn status_fields(&self) -> (Option<u16>, Option<String>, Option<String>) {
        match self {
            InferenceFailure::Api(f) => (Some(f.status), f.request_id.clone(), Some(f.server_message.clone())),
            _ => (None, None, None),
        }
    }

    /// Adds `request` and `response` to a `ProviderApiError` (setting properties on a fresh
    /// error object cannot fail).
    pub(crate) fn decorate(&self, error: &JsValue) {
        let InferenceFailure::Api(f) = self else { return };
        let set = |target: &JsValue, key: &str, value: &JsValue| {
            let _ = Reflect::set(target, &JsValue::from_str(key), value);
        };
        let headers: JsValue = Object::new().into();
        for (name, value) in &f.headers {
            set(&headers, name, &JsValue::from_str(value));
        }
        let request: JsValue = Object::new().into();
        set(&request, "url", &JsValue::from_str(&f.url));
        set(&request, "method", &JsValue::from_str(f.method));
        set(&request, "headers", &headers);
        if let Some(body) = &f.request_body {
            set(&request, "body", &JsValue::from_str(body));
        }
        let response: JsValue = Object::new().into();
        set(&response, "status", &JsValue::from(f.status));
        if let Some(id) = &f.request_id {
            set(&response, "requestId", &JsValue::from_str(id));
        }
        let body = js_sys::JSON::parse(&f.response_body).unwrap_or_else(|_| JsValue::from_str(&f.response_body));
        set(&response, "body", &body);
        set(error, "request", &request);
        set(error, "response", &response);
    }
}
