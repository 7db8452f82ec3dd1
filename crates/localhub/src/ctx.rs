//! Everything a handler needs about a request: method, decoded path segments and query, headers,
//! the caller and the body (read only after the caller passed the route's checks).

use axum::http::{HeaderMap, Method};
use serde_json::Value;

use crate::auth::Caller;
use crate::http::{HubError, HubResult};

pub struct Ctx {
    pub method: Method,
    /// The path as sent (percent-encoded), and the query string.
    pub path: String,
    pub raw_query: Option<String>,
    /// Path segments, percent-decoded one by one.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: axum::body::Bytes,
    pub caller: Caller,
}

impl Ctx {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.query(name), Some("1" | "true" | "True"))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }
    /// The body as JSON, or a 400 naming the problem.
    pub fn json(&self) -> HubResult<Value> {
        serde_json::from_slice(&self.body).map_err(|e| HubError::bad_request(format!("Invalid JSON body: {e}")))
    }
}

/// `application/x-www-form-urlencoded` pairs (query strings and form bodies).
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}
