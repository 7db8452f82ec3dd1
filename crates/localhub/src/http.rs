//! Response helpers shared by every route: Hub-shaped errors (`X-Error-Code`, `X-Error-Message`,
//! JSON body), JSON answers and dates.

use axum::body::Body;
use axum::http::{header, Response, StatusCode};

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
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!("Request body is larger than this route accepts ({limit} bytes)"),
        )
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
        r.body(Body::from(body)).unwrap_or_else(|_| {
            let mut plain = Response::new(Body::from("Internal error: invalid error headers"));
            *plain.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            plain
        })
    }
}

impl std::fmt::Display for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for HubError {}

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

/// Text made safe inside HTML elements and quoted attributes.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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
}
