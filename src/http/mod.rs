//! The one transport: every request hubwasm sends to the Hub (and, for downloads, to storage) goes
//! through [`Transport::send`]. The policy is hubwasm-core's (retry schedule, `Retry-After`, error
//! classification); this module owns the I/O around it:
//! - `fetch` is the caller's or the global one (looked up on `globalThis` at each call);
//! - `Authorization` is attached only when the request's origin is the Hub's: storage URLs taken
//!   from JSON answers are presigned and never see the token;
//! - 408, 429, 5xx and network failures are retried with bounded exponential backoff, jitter
//!   drawn from `Math.random`, waits as long as `Retry-After` asks (capped);
//! - the caller's AbortSignal goes to every fetch (so it also ends a body mid-stream) and ends a
//!   backoff wait at once;
//! - an error answer becomes a typed error with its status, `X-Request-Id` and the Hub's message.
//!
//! Redirects are left to fetch: a browser hides a redirect's headers, so the clients here learn
//! storage URLs and Xet links from JSON answers instead of from a 302.

mod fetch;
pub(crate) mod streams;

use std::future::Future;
use std::pin::Pin;

use hubwasm_core::api::{error_message_from_body, ApiErrorKind};
use hubwasm_core::http::retry::{parse_retry_after, Failure, RetryDecision, RetryPolicy};
use js_sys::Function;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, Response, Url};

use crate::error::{ApiFailure, Error};

pub(crate) use fetch::{aborted, body_bytes, reason as abort_reason};

/// A boxed future: one copy of its code, however many callers await it.
pub(crate) type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + 'a>>;

/// Longest error body read for its message (bodies can be whole HTML pages).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Where requests go and how they are sent; one per `HubClient`.
pub(crate) struct Transport {
    /// The Hub's base URL without a trailing `/`.
    hub_url: String,
    hub_origin: String,
    access_token: Option<String>,
    fetch: Option<Function>,
    user_agent: Option<String>,
    policy: RetryPolicy,
}

/// One request, sent as often as the retry policy allows.
#[derive(Clone)]
pub(crate) struct Request<'a> {
    pub(crate) method: &'static str,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    /// A string or byte array (re-sent as is on a retry).
    pub(crate) body: Option<JsValue>,
    pub(crate) signal: Option<&'a AbortSignal>,
    /// Whether the URL is a repo's (`/api/{type}s/…`, `…/resolve/…`): there a 401 without an error
    /// code means "repo not found" (see `ApiErrorKind::classify`).
    pub(crate) repo_route: bool,
    /// A redirect is the answer (its headers name the file), not followed.
    pub(crate) manual_redirect: bool,
    /// Whether resending is harmless. A request that may have taken effect before its answer was
    /// lost (a commit) is retried only when the Hub said it did nothing (429).
    pub(crate) idempotent: bool,
}

impl<'a> Request<'a> {
    pub(crate) fn get(url: String, signal: Option<&'a AbortSignal>) -> Self {
        Request {
            method: "GET",
            url,
            headers: Vec::new(),
            body: None,
            signal,
            repo_route: false,
            manual_redirect: false,
            idempotent: true,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn repo_route(mut self) -> Self {
        self.repo_route = true;
        self
    }

    pub(crate) fn manual_redirect(mut self) -> Self {
        self.manual_redirect = true;
        self
    }

    pub(crate) fn not_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

/// A successful answer (status below 400): its headers and its unread body.
pub(crate) struct Answer {
    pub(crate) method: &'static str,
    pub(crate) response: Response,
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.response.headers().get(name).ok().flatten()
    }

    pub(crate) fn bytes<'a>(&'a self, signal: Option<&'a AbortSignal>) -> LocalFuture<'a, Vec<u8>> {
        Box::pin(body_bytes(&self.response, signal))
    }

    /// An answer that is not what the Hub sends: a [`Error::Api`] of kind `Other`.
    pub(crate) fn unexpected(&self, message: String) -> Error {
        Error::Api(ApiFailure {
            kind: ApiErrorKind::Other,
            status: self.status,
            server_message: message,
            request_id: self.request_id.clone(),
            retry_after: None,
            what: format!("{} {}", self.method, without_query(&self.response.url())),
        })
    }
}

/// An answer read to its end.
pub(crate) struct Read {
    pub(crate) answer: Answer,
    pub(crate) body: Vec<u8>,
}

impl Read {
    /// The body parsed as `T`; an answer of another shape is a [`Error::Api`] of kind `Other`,
    /// with the request id kept.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body)
            .map_err(|e| self.answer.unexpected(format!("the answer is not the JSON expected: {e}")))
    }

    /// The body parsed by the engine's own `JSON.parse`, for answers handed to JS as they are.
    pub(crate) fn js_json(&self) -> Result<JsValue, Error> {
        let text =
            core::str::from_utf8(&self.body).map_err(|_| self.answer.unexpected("the answer is not UTF-8".into()))?;
        js_sys::JSON::parse(text).map_err(|_| self.answer.unexpected("the answer is not JSON".into()))
    }
}

/// What `HubClient`'s constructor validated.
pub(crate) struct TransportOptions {
    pub(crate) hub_url: String,
    pub(crate) access_token: Option<String>,
    pub(crate) fetch: Option<Function>,
    pub(crate) user_agent: Option<String>,
    /// Retries after the first attempt; `None` is the default policy's.
    pub(crate) max_retries: Option<u32>,
}

impl Transport {
    pub(crate) fn new(options: TransportOptions) -> Result<Self, Error> {
        let url = Url::new(&options.hub_url)
            .map_err(|_| Error::invalid_input(format!("hubUrl {:?} is not a URL", options.hub_url)))?;
        let protocol = url.protocol();
        if protocol != "https:" && protocol != "http:" {
            return Err(Error::invalid_input(format!("hubUrl must be http: or https:, got {protocol}")));
        }
        if !url.search().is_empty() || !url.hash().is_empty() {
            return Err(Error::invalid_input("hubUrl must not have a query or a fragment"));
        }
        let mut policy = RetryPolicy::default();
        if let Some(retries) = options.max_retries {
            policy.max_attempts = retries.saturating_add(1);
        }
        Ok(Transport {
            hub_url: options.hub_url.trim_end_matches('/').to_string(),
            hub_origin: url.origin(),
            access_token: options.access_token,
            fetch: options.fetch,
            user_agent: options.user_agent,
            policy,
        })
    }

    pub(crate) fn hub_url(&self) -> &str {
        &self.hub_url
    }

    /// Whether `url` is on the Hub's origin (scheme, host and port), where the token may go.
    fn is_hub_origin(&self, url: &str) -> Result<bool, Error> {
        let parsed = Url::new(url).map_err(|_| Error::invalid_input(format!("{url:?} is not a URL")))?;
        Ok(parsed.origin() == self.hub_origin)
    }

    /// Sends `request`, retrying as the policy says; an answer with status 400 or above (after the
    /// retries) is a typed error.
    ///
    /// Boxed: an `async fn` called from many places is compiled into each caller's state machine,
    /// which made every HubClient method carry its own copy of the retry loop (+70 KB brotli).
    pub(crate) fn send<'a>(&'a self, request: Request<'a>) -> LocalFuture<'a, Answer> {
        Box::pin(self.send_with_retries(request, false))
    }

    /// As [`Transport::send`], but the last error answer (status 400 or above, once the retries
    /// ran out or for a status not worth retrying) comes back as an `Answer` with its body unread,
    /// for callers that report the whole answer themselves (the inference providers' errors).
    pub(crate) fn send_keeping_error_answer<'a>(&'a self, request: Request<'a>) -> LocalFuture<'a, Answer> {
        Box::pin(self.send_with_retries(request, true))
    }

    /// Sends `request` and reads its whole body; a connection cut in the middle of the body is
    /// retried like one that gave no answer (small JSON answers: nothing to resume).
    pub(crate) fn send_and_read<'a>(&'a self, request: Request<'a>) -> LocalFuture<'a, Read> {
        Box::pin(async move {
            let signal = request.signal;
            let mut attempt = 1;
            loop {
                let answer = self.send(request.clone()).await?;
                let error = match answer.bytes(signal).await {
                    Ok(body) => return Ok(Read { answer, body }),
                    Err(error @ Error::Network { .. }) if request.idempotent => error,
                    Err(other) => return Err(other),
                };
                match self.policy.decide(attempt, Failure::Network, js_sys::Math::random(), now_unix_secs()) {
                    RetryDecision::RetryAfter { delay_ms } => fetch::sleep(delay_ms, signal).await?,
                    RetryDecision::GiveUp => return Err(error),
                }
                attempt += 1;
            }
        })
    }

    async fn send_with_retries(&self, request: Request<'_>, keep_error_answer: bool) -> Result<Answer, Error> {
        let signal = request.signal;
        let mut headers = request.headers.clone();
        // A request that brings its own credentials (the CAS's Xet token) keeps them.
        let has_own = headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        if let (Some(token), false, true) = (&self.access_token, has_own, self.is_hub_origin(&request.url)?) {
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        if let Some(agent) = &self.user_agent {
            headers.push(("user-agent".into(), agent.clone()));
        }
        let mut attempt = 1;
        loop {
            if aborted(signal) {
                return Err(Error::Aborted { cause: abort_reason(signal) });
            }
            let sent = fetch::send(
                self.fetch.as_ref(),
                &request.url,
                request.method,
                &headers,
                request.body.as_ref(),
                signal,
                request.manual_redirect,
            )
            .await;
            let (error, retry_after) = match sent {
                Ok(response) if response.status() < 400 => {
                    let request_id = response.headers().get("x-request-id").ok().flatten();
                    return Ok(Answer { method: request.method, status: response.status(), response, request_id });
                }
                Ok(response) if keep_error_answer => {
                    let status = response.status();
                    let retry_after = response.headers().get("retry-after").ok().flatten();
                    let failure = Failure::Status { status, retry_after: retry_after.as_deref() };
                    match self.policy.decide(attempt, failure, js_sys::Math::random(), now_unix_secs()) {
                        RetryDecision::GiveUp => {
                            let request_id = response.headers().get("x-request-id").ok().flatten();
                            return Ok(Answer { method: request.method, status, response, request_id });
                        }
                        RetryDecision::RetryAfter { delay_ms } => {
                            fetch::discard_body(&response);
                            fetch::sleep(delay_ms, signal).await?;
                            attempt += 1;
                            continue;
                        }
                    }
                }
                Ok(response) => {
                    let retry_after = response.headers().get("retry-after").ok().flatten();
                    (self.error_of(&request, &response, signal, retry_after.as_deref()).await?, retry_after)
                }
                Err(fetch::SendFailure::Aborted(cause)) => return Err(Error::Aborted { cause }),
                Err(fetch::SendFailure::NotAResponse) => {
                    return Err(Error::invalid_input(
                        "the fetch passed to HubClient resolved to something that is not a Response",
                    ))
                }
                Err(fetch::SendFailure::Network(cause)) => {
                    let message = format!("{} {} failed: no answer", request.method, without_query(&request.url));
                    (Error::Network { message, cause }, None)
                }
            };
            let failure = match &error {
                Error::Api(f) => Failure::Status { status: f.status, retry_after: retry_after.as_deref() },
                _ => Failure::Network,
            };
            let nothing_done = matches!(failure, Failure::Status { status: 429, .. });
            if !request.idempotent && !nothing_done {
                return Err(error);
            }
            match self.policy.decide(attempt, failure, js_sys::Math::random(), now_unix_secs()) {
                RetryDecision::RetryAfter { delay_ms } => fetch::sleep(delay_ms, signal).await?,
                RetryDecision::GiveUp => return Err(error),
            }
            attempt += 1;
        }
    }

    /// The typed error of an error answer (its body read for the message, up to a bound).
    async fn error_of(
        &self,
        request: &Request<'_>,
        response: &Response,
        signal: Option<&AbortSignal>,
        retry_after: Option<&str>,
    ) -> Result<Error, Error> {
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let body = match body_bytes(response, signal).await {
            Ok(mut body) => {
                body.truncate(MAX_ERROR_BODY);
                body
            }
            Err(aborted @ Error::Aborted { .. }) => return Err(aborted),
            Err(_) => Vec::new(),
        };
        let status = response.status();
        let header_message = header("x-error-message").filter(|m| !m.trim().is_empty());
        let server_message = header_message.or_else(|| error_message_from_body(&body)).unwrap_or_default();
        let code = header("x-error-code");
        let kind = ApiErrorKind::classify(status, code.as_deref(), Some(&server_message), request.repo_route);
        Ok(Error::Api(ApiFailure {
            kind,
            status,
            server_message,
            request_id: header("x-request-id"),
            retry_after: retry_after.and_then(|v| parse_retry_after(v, now_unix_secs())),
            what: format!("{} {}", request.method, without_query(&request.url)),
        }))
    }
}

fn now_unix_secs() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// A URL for messages: queries can carry signatures.
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
