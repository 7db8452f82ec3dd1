//! `InferenceClient`: chat completions (streamed or not) and the common tasks through the Hugging
//! Face router or a provider's own API, with the method names of `@huggingface/inference`.
//!
//! - Routing is hubwasm-core's (`inference::routing`): a Hugging Face token goes to the router, a
//!   provider key to the provider's base URL (overridable with `providerUrls`), `endpointUrl`
//!   replaces both. Provider `auto` for chat lets the router choose; every other call reads the
//!   model's provider mapping from the Hub — with the caller's token (only an `hf_` one) and
//!   `fetch` — cached per model for `mappingTtlMs`.
//! - Requests go through the one transport (src/http): bounded retries with backoff on 429 and
//!   5xx, the caller's `abortSignal` on every fetch. An error answer becomes a `ProviderApiError`
//!   holding the request (Authorization redacted) and the answer.
//! - Streams are parsed by hubwasm-core's SSE parser as bytes arrive (stream.rs); `break`,
//!   `return()` or the signal cancel the upstream body at once.

mod error;
mod stream;
mod types;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hubwasm_core::inference::mapping::{choose, parse_model_mapping, MappingError, ProviderMapping};
use hubwasm_core::inference::routing::{request_url, Credential, RouteRequest, CONVERSATIONAL, DEFAULT_ROUTER_URL};
use hubwasm_core::inference::stream::{ChunkShape, OutputError};
use hubwasm_core::inference::tasks::task_output;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortSignal, Response};

pub(crate) use error::InferenceFailure;
use error::ProviderApiFailure;

use crate::error::Error;
use crate::http::{Answer, Request, Transport, TransportOptions};

/// The Hub everyone means by default (where provider mappings come from).
const DEFAULT_HUB_URL: &str = "https://huggingface.co";
/// How long a model's provider mapping is reused.
const DEFAULT_MAPPING_TTL_MS: f64 = 5.0 * 60.0 * 1000.0;
/// Longest error body kept for a `ProviderApiError`.
const MAX_ERROR_BODY: usize = 64 * 1024;

#[wasm_bindgen(module = "/src/inference/inference.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = clientOptions)]
    fn client_options(options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = callArgs)]
    fn call_args(args: &JsValue, options: &JsValue, kind: &str, method: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = makeBody)]
    fn make_body(rest: &JsValue, kind: &str, model: Option<String>, stream: bool) -> Result<String, JsValue>;
}

/// A client of the router and providers:
/// `new InferenceClient({ accessToken, provider, endpointUrl, hubUrl, routerUrl, providerUrls, fetch, billTo, maxRetries, mappingTtlMs })`.
#[wasm_bindgen]
pub struct InferenceClient {
    inner: Rc<Inner>,
}

struct Inner {
    /// Requests to the Hub (mappings), the router and providers; it holds the token only when it
    /// is a Hugging Face one, for the Hub's origin.
    transport: Transport,
    access_token: Option<String>,
    credential: Credential,
    provider: String,
    endpoint_url: Option<String>,
    router_url: String,
    provider_urls: Vec<(String, String)>,
    bill_to: Option<String>,
    mapping_ttl_ms: f64,
    mappings: RefCell<HashMap<String, CachedMapping>>,
}

/// A model's mapping and when it was fetched (ms since the epoch).
type CachedMapping = (f64, Rc<Vec<ProviderMapping>>);

/// What kind of arguments a method takes (see `callArgs` in inference.js).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgsKind {
    Chat,
    Text,
    Json,
    Binary,
    Any,
}

impl ArgsKind {
    fn as_str(self) -> &'static str {
        match self {
            ArgsKind::Chat => "chat",
            ArgsKind::Text => "text",
            ArgsKind::Json => "json",
            ArgsKind::Binary => "binary",
            ArgsKind::Any => "any",
        }
    }
}

/// A method: its name (for messages), task and arguments.
#[derive(Clone, Copy)]
pub(crate) struct Method {
    pub(crate) name: &'static str,
    pub(crate) task: &'static str,
    pub(crate) kind: ArgsKind,
}

const CHAT: Method = Method { name: "chatCompletion", task: CONVERSATIONAL, kind: ArgsKind::Chat };
const CHAT_STREAM: Method = Method { name: "chatCompletionStream", task: CONVERSATIONAL, kind: ArgsKind::Chat };
const TEXT: Method = Method { name: "textGeneration", task: "text-generation", kind: ArgsKind::Text };
const TEXT_STREAM: Method = Method { name: "textGenerationStream", task: "text-generation", kind: ArgsKind::Text };
const FEATURES: Method = Method { name: "featureExtraction", task: "feature-extraction", kind: ArgsKind::Json };
const CLASSIFY: Method = Method { name: "textClassification", task: "text-classification", kind: ArgsKind::Json };
const IMAGE: Method = Method { name: "textToImage", task: "text-to-image", kind: ArgsKind::Json };
const ASR: Method =
    Method { name: "automaticSpeechRecognition", task: "automatic-speech-recognition", kind: ArgsKind::Binary };
const IMAGE_CLASSIFY: Method =
    Method { name: "imageClassification", task: "image-classification", kind: ArgsKind::Binary };
const REQUEST: Method = Method { name: "request", task: "", kind: ArgsKind::Any };
const STREAMING_REQUEST: Method = Method { name: "streamingRequest", task: "", kind: ArgsKind::Any };

fn input_error(thrown: JsValue, what: &str) -> Error {
    let message = thrown.as_string().unwrap_or_else(|| format!("{what} cannot be read (a throwing getter or a Proxy)"));
    Error::Inference(InferenceFailure::Input(message))
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_string(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Runs `work` as the Promise a method returns; its errors reject it as typed errors.
fn spawn(work: impl std::future::Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, Error>>>> = Box::pin(work);
    future_to_promise(async move { boxed.await.map_err(JsValue::from) })
}

#[wasm_bindgen]
impl InferenceClient {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceClientOptions")] options: Option<JsValue>,
    ) -> Result<InferenceClient, JsValue> {
        Ok(InferenceClient { inner: Rc::new(Inner::new(&options.unwrap_or(JsValue::UNDEFINED))?) })
    }

    #[wasm_bindgen(js_name = chatCompletion, unchecked_return_type = "Promise<ChatCompletionOutput>")]
    pub fn chat_completion(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChatCompletionArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.json_call(CHAT, args, options)
    }

    #[wasm_bindgen(js_name = chatCompletionStream, unchecked_return_type = "InferenceAsyncIterator<ChatCompletionStreamOutput>")]
    pub fn chat_completion_stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChatCompletionArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        Ok(stream::start(self.inner.clone(), CHAT_STREAM, ChunkShape::Chat, args, options)?)
    }

    #[wasm_bindgen(js_name = textGeneration, unchecked_return_type = "Promise<{ generated_text: string }>")]
    pub fn text_generation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TextGenerationArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.json_call(TEXT, args, options)
    }

    #[wasm_bindgen(js_name = textGenerationStream, unchecked_return_type = "InferenceAsyncIterator<TextGenerationStreamOutput>")]
    pub fn text_generation_stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TextGenerationArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        Ok(stream::start(self.inner.clone(), TEXT_STREAM, ChunkShape::TextGeneration, args, options)?)
    }

    #[wasm_bindgen(js_name = featureExtraction, unchecked_return_type = "Promise<number[] | number[][]>")]
    pub fn feature_extraction(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TaskArgs<string | string[]>")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.json_call(FEATURES, args, options)
    }

    #[wasm_bindgen(js_name = textClassification, unchecked_return_type = "Promise<ClassificationOutput>")]
    pub fn text_classification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TaskArgs<string>")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.json_call(CLASSIFY, args, options)
    }

    #[wasm_bindgen(js_name = textToImage, unchecked_return_type = "Promise<Blob>")]
    pub fn text_to_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TaskArgs<string>")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        spawn(async move {
            let (answer, _) = inner.send(IMAGE, &args, &options.unwrap_or(JsValue::UNDEFINED), false).await?;
            let kind = answer.header("content-type").unwrap_or_default();
            if !kind.starts_with("image/") {
                let body = answer.bytes(None).await.unwrap_or_default();
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                return Err(output_error(format!("textToImage expected an image, got {kind:?}: {text}")));
            }
            blob_of(&answer.response).await
        })
    }

    #[wasm_bindgen(js_name = automaticSpeechRecognition, unchecked_return_type = "Promise<{ text: string }>")]
    pub fn automatic_speech_recognition(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BinaryTaskArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.json_call(ASR, args, options)
    }

    #[wasm_bindgen(js_name = imageClassification, unchecked_return_type = "Promise<ClassificationOutput>")]
    pub fn image_classification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BinaryTaskArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.json_call(IMAGE_CLASSIFY, args, options)
    }

    /// A call of any task: `{ model, task, endpointUrl, provider, ...body }` (`data` sends raw
    /// bytes); resolves to the JSON answer, or a Blob for other content.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        spawn(async move {
            let (answer, _) = inner.send(REQUEST, &args, &options.unwrap_or(JsValue::UNDEFINED), false).await?;
            if answer.header("content-type").is_some_and(|t| t.contains("json")) {
                let body = answer.bytes(None).await?;
                let text = std::str::from_utf8(&body).map_err(|_| output_error("the answer is not UTF-8".into()))?;
                return js_sys::JSON::parse(text).map_err(|_| output_error("the answer is not JSON".into()));
            }
            blob_of(&answer.response).await
        })
    }

    /// As `request`, for a streamed answer: an async iterator of its events' JSON.
    #[wasm_bindgen(js_name = streamingRequest, unchecked_return_type = "InferenceAsyncIterator<unknown>")]
    pub fn streaming_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestArgs")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InferenceCallOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        Ok(stream::start(self.inner.clone(), STREAMING_REQUEST, ChunkShape::Any, args, options)?)
    }
}

impl InferenceClient {
    /// A call whose JSON answer `task_output` checks and normalises.
    fn json_call(&self, method: Method, args: JsValue, options: Option<JsValue>) -> Promise {
        let inner = self.inner.clone();
        spawn(async move {
            let (answer, _) = inner.send(method, &args, &options.unwrap_or(JsValue::UNDEFINED), false).await?;
            let body = answer.bytes(None).await?;
            let value = task_output(method.task, &body).map_err(output_failure)?;
            js_sys::JSON::parse(&value.to_string()).map_err(|_| output_error("the answer cannot be read".into()))
        })
    }
}

async fn blob_of(response: &Response) -> Result<JsValue, Error> {
    let promise = response.blob().map_err(|_| output_error("the answer's body was already read".into()))?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|cause| Error::Network { message: "reading the answer's body failed".into(), cause })
}

pub(crate) fn output_error(message: String) -> Error {
    Error::Inference(InferenceFailure::Output(message))
}

pub(crate) fn output_failure(error: OutputError) -> Error {
    output_error(error.to_string())
}

fn routing_error(message: String) -> Error {
    Error::Inference(InferenceFailure::Routing(message))
}

/// One call's arguments, read.
pub(crate) struct CallArgs {
    model: Option<String>,
    provider: Option<String>,
    endpoint_url: Option<String>,
    bill_to: Option<String>,
    task: Option<String>,
    pub(crate) signal: Option<AbortSignal>,
    rest: JsValue,
    binary: Option<JsValue>,
}

impl CallArgs {
    pub(crate) fn read(args: &JsValue, options: &JsValue, method: Method) -> Result<Self, Error> {
        let read = call_args(args, options, method.kind.as_str(), method.name)
            .map_err(|e| input_error(e, &format!("{}() arguments", method.name)))?;
        let signal = get(&read, "signal");
        Ok(CallArgs {
            model: get_string(&read, "model"),
            provider: get_string(&read, "provider"),
            endpoint_url: get_string(&read, "endpointUrl"),
            bill_to: get_string(&read, "billTo"),
            task: get_string(&read, "task"),
            signal: if signal.is_undefined() { None } else { signal.dyn_into().ok() },
            rest: get(&read, "rest"),
            binary: Some(get(&read, "binary")).filter(|b| !b.is_undefined()),
        })
    }
}

impl Inner {
    fn new(options: &JsValue) -> Result<Self, Error> {
        let o = client_options(options).map_err(|e| input_error(e, "InferenceClient options"))?;
        let access_token = get_string(&o, "accessToken").filter(|t| !t.is_empty());
        if let Some(token) = &access_token {
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::invalid_input("InferenceClient option accessToken may only hold visible ASCII"));
            }
        }
        let credential = Credential::of(access_token.as_deref());
        let url_option = |name: &str| -> Result<Option<String>, Error> {
            match get_string(&o, name) {
                None => Ok(None),
                Some(url) => match web_sys::Url::new(&url) {
                    Ok(parsed) if parsed.protocol() == "https:" || parsed.protocol() == "http:" => {
                        Ok(Some(url.trim_end_matches('/').to_string()))
                    }
                    _ => Err(Error::Inference(InferenceFailure::Input(format!(
                        "InferenceClient option {name} must be an http(s) URL, got {url:?}"
                    )))),
                },
            }
        };
        let endpoint_url = url_option("endpointUrl")?;
        let router_url = url_option("routerUrl")?.unwrap_or_else(|| DEFAULT_ROUTER_URL.into());
        let hub_url = url_option("hubUrl")?.unwrap_or_else(|| DEFAULT_HUB_URL.into());
        let mut provider_urls = Vec::new();
        let pairs: Array = get(&o, "providerUrls").dyn_into().unwrap_or_default();
        for pair in pairs.iter() {
            let pair: Array = pair.unchecked_into();
            let (name, url) =
                (pair.get(0).as_string().unwrap_or_default(), pair.get(1).as_string().unwrap_or_default());
            if web_sys::Url::new(&url).is_err() {
                return Err(Error::Inference(InferenceFailure::Input(format!(
                    "InferenceClient option providerUrls.{name} must be a URL, got {url:?}"
                ))));
            }
            provider_urls.push((name, url.trim_end_matches('/').to_string()));
        }
        let provider = get_string(&o, "provider").unwrap_or_else(|| "auto".into());
        let fetch: Option<Function> = get(&o, "fetch").dyn_into().ok();
        let max_retries = get(&o, "maxRetries").as_f64().map(|n| n.min(20.0) as u32);
        let transport = Transport::new(TransportOptions {
            hub_url,
            // The Hub sees the token only when it is a Hugging Face one (as @huggingface/inference).
            access_token: access_token.clone().filter(|_| credential == Credential::HfToken),
            fetch,
            user_agent: None,
            max_retries,
        })?;
        Ok(Inner {
            transport,
            access_token,
            credential,
            provider,
            endpoint_url,
            router_url,
            provider_urls,
            bill_to: get_string(&o, "billTo"),
            mapping_ttl_ms: get(&o, "mappingTtlMs").as_f64().unwrap_or(DEFAULT_MAPPING_TTL_MS),
            mappings: RefCell::new(HashMap::new()),
        })
    }

    /// The model's provider mapping, from the cache while it is fresh.
    async fn mapping(&self, model: &str, signal: Option<&AbortSignal>) -> Result<Rc<Vec<ProviderMapping>>, Error> {
        if let Some((at, list)) = self.mappings.borrow().get(model) {
            if now_ms() - at < self.mapping_ttl_ms {
                return Ok(list.clone());
            }
        }
        let path: Vec<String> = model.split('/').map(|s| String::from(js_sys::encode_uri_component(s))).collect();
        let url =
            format!("{}/api/models/{}?expand[]=inferenceProviderMapping", self.transport.hub_url(), path.join("/"));
        let read = self.transport.send_and_read(Request::get(url, signal).repo_route()).await?;
        let list = match parse_model_mapping(&read.body) {
            Ok(list) => Rc::new(list),
            Err(MappingError::NoMapping) => {
                return Err(routing_error(format!("no inference provider serves {model} (it has no provider mapping)")))
            }
            Err(other) => return Err(read.answer.unexpected(other.to_string())),
        };
        self.mappings.borrow_mut().insert(model.to_string(), (now_ms(), list.clone()));
        Ok(list)
    }

    /// Resolves the route and sends the call; an error status is a `ProviderApiError`. Returns
    /// the answer and the request's signal.
    pub(crate) async fn send(
        &self,
        method: Method,
        args: &JsValue,
        options: &JsValue,
        stream: bool,
    ) -> Result<(Answer, Option<AbortSignal>), Error> {
        let call = CallArgs::read(args, options, method)?;
        self.send_read(method, call, stream, None).await
    }

    /// As [`Inner::send`] with arguments already read, and the signal to give fetch (a stream's
    /// own, which its `return()` aborts).
    pub(crate) async fn send_read(
        &self,
        method: Method,
        call: CallArgs,
        stream: bool,
        fetch_signal: Option<AbortSignal>,
    ) -> Result<(Answer, Option<AbortSignal>), Error> {
        let signal = fetch_signal.or(call.signal.clone());
        let task = match method.task {
            "" => call.task.clone().unwrap_or_else(|| "text-classification".into()),
            task => task.to_string(),
        };
        let provider = call.provider.clone().unwrap_or_else(|| self.provider.clone());
        let endpoint = call.endpoint_url.clone().or_else(|| self.endpoint_url.clone());
        let model = call.model.clone();
        let (url, body_model) = match (&endpoint, &model) {
            (Some(endpoint), _) => {
                let route = self.route_request(&task, "hf-inference", model.as_deref().unwrap_or(""), Some(endpoint));
                (request_url(&route).map_err(|e| routing_error(e.to_string()))?, model.clone())
            }
            (None, None) => {
                return Err(Error::Inference(InferenceFailure::Input(format!("{}() needs a model", method.name))))
            }
            (None, Some(model)) if provider == "auto" && task == CONVERSATIONAL => {
                let route = self.route_request(&task, "auto", model, None);
                (request_url(&route).map_err(|e| routing_error(e.to_string()))?, Some(model.clone()))
            }
            (None, Some(model)) => {
                let mappings = self.mapping(model, signal.as_ref()).await?;
                let entry =
                    choose(&mappings, &provider, &task).map_err(|e| routing_error(format!("{model}: {e}")))?.clone();
                let route = self.route_request(&task, &entry.provider, &entry.provider_id, None);
                (request_url(&route).map_err(|e| routing_error(e.to_string()))?, Some(entry.provider_id))
            }
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(token) = &self.access_token {
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        if let Some(bill_to) = call.bill_to.as_ref().or(self.bill_to.as_ref()) {
            headers.push(("x-hf-bill-to".into(), bill_to.clone()));
        }
        let (body, text_body) = match &call.binary {
            Some(binary) => (binary.clone(), None),
            None => {
                let kind = match method.kind {
                    ArgsKind::Any => "json",
                    other => other.as_str(),
                };
                let text = make_body(&call.rest, kind, body_model.clone(), stream)
                    .map_err(|e| input_error(e, &format!("{}() arguments", method.name)))?;
                headers.push(("content-type".into(), "application/json".into()));
                (JsValue::from_str(&text), Some(text))
            }
        };
        if stream {
            headers.push(("accept".into(), "text/event-stream".into()));
        }
        let mut request = Request::get(url.clone(), signal.as_ref());
        request.method = "POST";
        request.headers = headers.clone();
        request.body = Some(body);
        let answer = self.transport.send_keeping_error_answer(request).await?;
        if answer.status >= 400 {
            let mut body = answer.bytes(signal.as_ref()).await.unwrap_or_default();
            body.truncate(MAX_ERROR_BODY);
            let server_message = answer
                .header("x-error-message")
                .or_else(|| hubwasm_core::api::error_message_from_body(&body))
                .unwrap_or_default();
            return Err(Error::Inference(InferenceFailure::Api(Box::new(ProviderApiFailure {
                status: answer.status,
                request_id: answer.request_id.clone(),
                server_message,
                method: "POST",
                url,
                headers: ProviderApiFailure::redact(&headers),
                request_body: text_body,
                response_body: String::from_utf8_lossy(&body).into_owned(),
            }))));
        }
        Ok((answer, signal))
    }

    fn route_request<'a>(
        &'a self,
        task: &'a str,
        provider: &'a str,
        model: &'a str,
        endpoint: Option<&'a str>,
    ) -> RouteRequest<'a> {
        RouteRequest {
            router_url: &self.router_url,
            endpoint_url: endpoint,
            provider,
            provider_url: self.provider_urls.iter().find(|(name, _)| name == provider).map(|(_, url)| url.as_str()),
            task,
            model,
            credential: self.credential,
        }
    }
}
