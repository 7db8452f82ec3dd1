//! The host calls of the transport: one fetch, one abortable sleep, reading a body. Nothing here
//! decides anything; [`super::Transport`] does.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Response};

use crate::error::Error;

#[wasm_bindgen(module = "/src/http/fetch.js")]
extern "C" {
    #[wasm_bindgen(js_name = callFetch)]
    fn call_fetch(
        fetch: Option<Function>,
        url: &str,
        method: &str,
        headers: &Object,
        body: Option<JsValue>,
        signal: Option<AbortSignal>,
        redirect: Option<&str>,
    ) -> Promise;

    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: f64, signal: Option<AbortSignal>) -> Promise;

    #[wasm_bindgen(js_name = isAborted)]
    fn is_aborted(signal: &AbortSignal) -> bool;

    #[wasm_bindgen(js_name = abortReason)]
    fn abort_reason(signal: &AbortSignal) -> JsValue;

    #[wasm_bindgen(js_name = discardBody)]
    fn discard_body_js(response: &Response);
}

/// Whether the caller's signal has fired.
pub(crate) fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(is_aborted)
}

/// How one attempt ended without an answer.
pub(crate) enum SendFailure {
    /// The signal fired; the value is its reason.
    Aborted(JsValue),
    /// No answer; the value is fetch's rejection.
    Network(JsValue),
    /// The caller's `fetch` resolved to something that is not a `Response`.
    NotAResponse,
}

/// Sends one request with `headers` (name → value) through `fetch` (the global one when `None`);
/// `manual_redirect` answers a redirect with the 3xx itself (opaque, status 0, in browsers).
pub(crate) async fn send(
    fetch: Option<&Function>,
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: Option<&JsValue>,
    signal: Option<&AbortSignal>,
    manual_redirect: bool,
) -> Result<Response, SendFailure> {
    let object = Object::new();
    for (name, value) in headers {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    let redirect = manual_redirect.then_some("manual");
    let promise = call_fetch(fetch.cloned(), url, method, &object, body.cloned(), signal.cloned(), redirect);
    match JsFuture::from(promise).await {
        Ok(value) => value.dyn_into::<Response>().map_err(|_| SendFailure::NotAResponse),
        Err(_) if aborted(signal) => Err(SendFailure::Aborted(reason(signal))),
        Err(error) => Err(SendFailure::Network(error)),
    }
}

/// Waits `ms` milliseconds; an abort ends the wait at once with [`Error::Aborted`].
pub(crate) async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<(), Error> {
    JsFuture::from(sleep_promise(ms as f64, signal.cloned())).await.map(drop).map_err(|cause| Error::Aborted { cause })
}

/// The whole body. An abort or a cut connection while it streams is a typed error.
pub(crate) async fn body_bytes(response: &Response, signal: Option<&AbortSignal>) -> Result<Vec<u8>, Error> {
    let read = |error: JsValue| match aborted(signal) {
        true => Error::Aborted { cause: reason(signal) },
        false => Error::Network { message: "reading the answer's body failed".into(), cause: error },
    };
    let promise = response.array_buffer().map_err(read)?;
    let buffer = JsFuture::from(promise).await.map_err(read)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Cancels an answer's body that will not be read (frees the connection; never throws).
pub(crate) fn discard_body(response: &Response) {
    discard_body_js(response);
}

/// The signal's reason (`undefined` without a signal).
pub(crate) fn reason(signal: Option<&AbortSignal>) -> JsValue {
    signal.map(abort_reason).unwrap_or(JsValue::UNDEFINED)
}
