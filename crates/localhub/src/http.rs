//! Response helpers shared by every route: Hub-shaped errors (`X-Error-Code`, `X-Error-Message`,
//! JSON body), JSON answers, CORS, and `Range` parsing.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};

pub type Reply = Response<Body>;

/// An error as the Hub sends it; clients map `status` + `code` to their typed errors.
#[derive(Debug)]
pub struct HubError {
    pub status: StatusCode,
    pub code: Option<&'static str>,
    pub message: String,
    /// Extra headers (e.g. `X-Repo-Commit` on a missing entry, which Python needs to cache the miss).
    pub headers: Vec<(&'static str, String)>,
}

pub type HubResult<T = Reply> = Result<T, HubError>;

impl HubError {
    pub fn new(status: StatusCode, code: Option<&'static str>, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), headers: Vec::new() }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, None, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, None, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, None, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, None, message)
    }
    /// Missing, or private and not visible: 404 when authenticated, 401 when anonymous (spec §5.2).
    pub fn repo_not_found(anonymous: bool) -> Self {
        let status = if anonymous { StatusCode::UNAUTHORIZED } else { StatusCode::NOT_FOUND };
        Self::new(status, Some("RepoNotFound"), "Repository not found")
    }
    pub fn revision_not_found(rev: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, Some("RevisionNotFound"), format!("Invalid rev id: {rev}"))
    }
    pub fn entry_not_found(path: &str, commit: Option<&str>) -> Self {
        let mut e = Self::new(StatusCode::NOT_FOUND, Some("EntryNotFound"), format!("Entry not found: {path}"));
        if let Some(c) = commit {
            e.headers.push(("X-Repo-Commit", c.to_string()));
        }
        e
    }
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, format!("Internal error: {message}"))
    }

    pub fn into_reply(self) -> Reply {
        let body = serde_json::json!({ "error": self.message }).to_string();
        let mut r = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header("X-Error-Message", header_safe(&self.message));
        if let Some(code) = self.code {
            r = r.header("X-Error-Code", code);
        }
        for (name, value) in self.headers {
            r = r.header(name, value);
        }
        r.body(Body::from(body)).expect("valid error response")
    }
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        HubError::internal(format!("database: {e}"))
    }
}

impl From<std::io::Error> for HubError {
    fn from(e: std::io::Error) -> Self {
        HubError::internal(format!("storage: {e}"))
    }
}

fn header_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { ' ' }).collect()
}

pub fn json(status: StatusCode, value: &serde_json::Value) -> Reply {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(value.to_string()))
        .expect("valid json response")
}

pub fn ok_json(value: serde_json::Value) -> Reply {
    json(StatusCode::OK, &value)
}

/// Headers every answer carries for browsers (spec hub-api §0.3): every custom header a client
/// reads must be exposed or `fetch` hides it.
pub const EXPOSED_HEADERS: &str = "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,\
Accept-Ranges,Content-Range,Content-Length,X-Linked-Size,X-Linked-Etag,X-Xet-Hash,X-Xet-Access-Token,\
X-Xet-Token-Expiration,X-Xet-Refresh-Route,X-Xet-Cas-Url,X-Xet-Session-Id,Retry-After";

pub fn add_cors(request: &HeaderMap, reply: &mut Reply) {
    let h = reply.headers_mut();
    let origin = request.get(header::ORIGIN).cloned().unwrap_or(HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    h.insert(header::VARY, HeaderValue::from_static("Origin, Accept"));
}

pub fn preflight(request: &HeaderMap) -> Reply {
    let allow_headers = request
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("Authorization, Content-Type, Range, Accept"));
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, POST, PUT, DELETE, OPTIONS")
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers)
        .header(header::ACCESS_CONTROL_MAX_AGE, "86400")
        .body(Body::empty())
        .expect("valid preflight")
}

/// One satisfiable inclusive range of a `size`-byte resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteSpan {
    pub start: u64,
    pub end: u64,
}

pub enum RangeRequest {
    Whole,
    Spans(Vec<ByteSpan>),
    Unsatisfiable,
}

/// Parses `Range: bytes=a-b,c-,-n` against a resource of `size` bytes.
pub fn parse_range(value: Option<&HeaderValue>, size: u64) -> RangeRequest {
    let Some(spec) = value.and_then(|v| v.to_str().ok()).and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Whole;
    };
    let mut spans = Vec::new();
    for part in spec.split(',') {
        let Some((a, b)) = part.trim().split_once('-') else { return RangeRequest::Whole };
        let span = match (a.trim(), b.trim()) {
            ("", n) => match n.parse::<u64>() {
                Ok(0) | Err(_) => continue,
                Ok(n) => ByteSpan { start: size.saturating_sub(n), end: size.saturating_sub(1) },
            },
            (a, "") => match a.parse::<u64>() {
                Ok(a) => ByteSpan { start: a, end: size.saturating_sub(1) },
                Err(_) => return RangeRequest::Whole,
            },
            (a, b) => match (a.parse::<u64>(), b.parse::<u64>()) {
                (Ok(a), Ok(b)) if a <= b => ByteSpan { start: a, end: b.min(size.saturating_sub(1)) },
                _ => return RangeRequest::Whole,
            },
        };
        if span.start < size {
            spans.push(span);
        }
    }
    if spans.is_empty() {
        RangeRequest::Unsatisfiable
    } else {
        RangeRequest::Spans(spans)
    }
}

/// Serves `data` honouring a `Range` header: 200, 206 (single or `multipart/byteranges`) or 416.
pub fn ranged_body(request: &HeaderMap, data: Vec<u8>, content_type: &str, head: bool) -> Reply {
    let size = data.len() as u64;
    let builder = Response::builder().header(header::ACCEPT_RANGES, "bytes");
    let reply = match parse_range(request.get(header::RANGE), size) {
        RangeRequest::Whole => builder
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, size)
            .body(if head { Body::empty() } else { Body::from(data) }),
        RangeRequest::Unsatisfiable => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{size}"))
            .body(Body::empty()),
        RangeRequest::Spans(spans) if spans.len() == 1 => {
            let s = spans[0];
            let part = data[s.start as usize..=s.end as usize].to_vec();
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_RANGE, format!("bytes {}-{}/{size}", s.start, s.end))
                .header(header::CONTENT_LENGTH, part.len())
                .body(if head { Body::empty() } else { Body::from(part) })
        }
        RangeRequest::Spans(spans) => {
            let boundary = "localhub-byteranges";
            let mut body = Vec::new();
            for s in spans {
                body.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: bytes {}-{}/{size}\r\n\r\n",
                        s.start, s.end
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(&data[s.start as usize..=s.end as usize]);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, format!("multipart/byteranges; boundary={boundary}"))
                .header(header::CONTENT_LENGTH, body.len())
                .body(if head { Body::empty() } else { Body::from(body) })
        }
    };
    reply.expect("valid ranged response")
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// ISO-8601 UTC with milliseconds, as the Hub writes dates.
pub fn iso_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_date(1_569_268_124), "2019-09-23T19:48:44.000Z");
        assert_eq!(iso_date(951_782_400), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn ranges() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        let spans = |r| match r {
            RangeRequest::Spans(s) => s.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(),
            RangeRequest::Whole => vec![(9, 9)],
            RangeRequest::Unsatisfiable => vec![],
        };
        assert_eq!(spans(parse_range(Some(&v("bytes=0-0")), 10)), [(0, 0)]);
        assert_eq!(spans(parse_range(Some(&v("bytes=5-")), 10)), [(5, 9)]);
        assert_eq!(spans(parse_range(Some(&v("bytes=-3")), 10)), [(7, 9)]);
        assert_eq!(spans(parse_range(Some(&v("bytes=8-100")), 10)), [(8, 9)]);
        assert_eq!(spans(parse_range(Some(&v("bytes=0-1, 4-5")), 10)), [(0, 1), (4, 5)]);
        assert!(matches!(parse_range(Some(&v("bytes=10-")), 10), RangeRequest::Unsatisfiable));
        assert!(matches!(parse_range(None, 10), RangeRequest::Whole));
    }
}
