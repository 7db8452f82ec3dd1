//! Error answers: status + `X-Error-Code` + message → [`ApiErrorKind`] (hub-api.md §5.2).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

/// What went wrong, as the official clients tell error answers apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// No such repo, or a private one the caller cannot see (404, or 401 when anonymous).
    RepoNotFound,
    RevisionNotFound,
    /// No such file or folder at the revision.
    EntryNotFound,
    /// A gated repo the caller has no access to (401 anonymous, 403 not approved).
    GatedRepo,
    /// "Access to this resource is disabled."
    DisabledRepo,
    /// The token is missing, invalid or expired.
    Unauthorized,
    /// Authenticated but not allowed (e.g. no write access).
    Forbidden,
    /// Some other 404.
    NotFound,
    BadRequest,
    /// Already exists, or another operation is in progress (409).
    Conflict,
    /// The branch moved since the client read it (412).
    PreconditionFailed,
    PayloadTooLarge,
    RangeNotSatisfiable,
    RateLimited,
    /// 5xx.
    ServerError,
    /// Any other status.
    Other,
}

impl ApiErrorKind {
    /// Classifies an error answer. `code` is `X-Error-Code`, `message` the answer's message
    /// (`X-Error-Message` or the body's). `repo_route` says whether the URL is a repo's
    /// (`/api/{models,datasets,spaces}/…` or `…/resolve/…`): there huggingface_hub reads a
    /// 401 without a code as "repo not found" unless the message says the token is invalid.
    pub fn classify(status: u16, code: Option<&str>, message: Option<&str>, repo_route: bool) -> Self {
        match code {
            Some("RepoNotFound") => return ApiErrorKind::RepoNotFound,
            Some("RevisionNotFound") => return ApiErrorKind::RevisionNotFound,
            Some("EntryNotFound") => return ApiErrorKind::EntryNotFound,
            Some("GatedRepo") => return ApiErrorKind::GatedRepo,
            _ => {}
        }
        let message = message.unwrap_or_default();
        match status {
            400 => ApiErrorKind::BadRequest,
            401 if repo_route && !message.contains("Invalid credentials in Authorization header") => {
                ApiErrorKind::RepoNotFound
            }
            401 => ApiErrorKind::Unauthorized,
            403 if message.contains("Access to this resource is disabled") => ApiErrorKind::DisabledRepo,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            409 => ApiErrorKind::Conflict,
            412 => ApiErrorKind::PreconditionFailed,
            413 => ApiErrorKind::PayloadTooLarge,
            416 => ApiErrorKind::RangeNotSatisfiable,
            429 => ApiErrorKind::RateLimited,
            500..=599 => ApiErrorKind::ServerError,
            _ => ApiErrorKind::Other,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ApiErrorKind::RepoNotFound => "repository not found",
            ApiErrorKind::RevisionNotFound => "revision not found",
            ApiErrorKind::EntryNotFound => "entry not found",
            ApiErrorKind::GatedRepo => "gated repository",
            ApiErrorKind::DisabledRepo => "repository disabled",
            ApiErrorKind::Unauthorized => "unauthorized",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::BadRequest => "bad request",
            ApiErrorKind::Conflict => "conflict",
            ApiErrorKind::PreconditionFailed => "precondition failed",
            ApiErrorKind::PayloadTooLarge => "payload too large",
            ApiErrorKind::RangeNotSatisfiable => "range not satisfiable",
            ApiErrorKind::RateLimited => "rate limited",
            ApiErrorKind::ServerError => "server error",
            ApiErrorKind::Other => "request failed",
        }
    }
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Longest message kept from an answer (bodies can be whole HTML pages).
const MAX_MESSAGE_LEN: usize = 1000;

/// A Hub error answer, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub kind: ApiErrorKind,
    /// `X-Error-Message`, else the body's message; may be empty.
    pub message: String,
    /// `X-Request-Id`, for reports to the Hub.
    pub request_id: Option<String>,
}

impl ApiError {
    /// Builds the error of an answer from its status, `X-Error-Code`, `X-Error-Message` and
    /// `X-Request-Id` headers and its body (see [`error_message_from_body`]).
    pub fn from_answer(
        status: u16,
        code: Option<&str>,
        header_message: Option<&str>,
        request_id: Option<&str>,
        body: &[u8],
        repo_route: bool,
    ) -> Self {
        let message = match header_message.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => cut(m),
            None => error_message_from_body(body).unwrap_or_default(),
        };
        ApiError {
            status,
            kind: ApiErrorKind::classify(status, code, Some(&message), repo_route),
            message,
            request_id: request_id.map(String::from),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl core::error::Error for ApiError {}

fn cut(text: &str) -> String {
    let mut end = text.len().min(MAX_MESSAGE_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The message of an error body, in every shape the clients read (§5.1): `{"error": "m"}`,
/// `{"error": ["m1", "m2"]}` (joined with newlines), `{"error": "code", "error_description":
/// "d"}`, `{"errors": [{"message": "m"}]}`, `{"message": "m"}`; a non-JSON body that is not HTML
/// is the message itself. Cut to 1000 bytes.
pub fn error_message_from_body(body: &[u8]) -> Option<String> {
    let text = core::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    let Ok(json) = serde_json::from_str::<Value>(text) else {
        let html = text.get(..1).is_some_and(|c| c == "<");
        return (!html).then(|| cut(text));
    };
    let message = match (json.get("error"), json.get("error_description")) {
        (_, Some(Value::String(d))) => d.clone(),
        (Some(Value::String(m)), _) => m.clone(),
        (Some(Value::Array(list)), _) => list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
        _ => match (json.get("errors"), json.get("message")) {
            (Some(Value::Array(list)), _) => {
                list.iter().filter_map(|e| e.get("message")?.as_str()).collect::<Vec<_>>().join("\n")
            }
            (_, Some(Value::String(m))) => m.clone(),
            _ => return None,
        },
    };
    (!message.is_empty()).then(|| cut(&message))
}
