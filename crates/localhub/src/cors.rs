//! CORS (spec hub-api §0.3). By default only pages served from this machine (http or https on
//! 127.0.0.1, localhost or [::1], any port) may read answers; `--cors-origin` adds origins and
//! `--cors-any` opens it to every origin, for tests. A refused origin gets no CORS headers, so
//! a browser neither shows it the answer nor sends it credentials on a preflighted request.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};

use crate::http::Reply;

/// Every custom header a client reads must be exposed or `fetch` hides it.
pub const EXPOSED_HEADERS: &str = "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,\
Accept-Ranges,Content-Range,Content-Length,X-Linked-Size,X-Linked-Etag,X-Xet-Hash,X-Xet-Access-Token,\
X-Xet-Token-Expiration,X-Xet-Refresh-Route,X-Xet-Cas-Url,X-Xet-Session-Id,Retry-After";

#[derive(Clone, Debug, Default)]
pub struct CorsPolicy {
    /// Any origin is allowed.
    pub any: bool,
    /// Origins allowed besides loopback ones, e.g. `https://app.example`.
    pub origins: Vec<String>,
}

impl CorsPolicy {
    pub fn allows(&self, origin: &str) -> bool {
        self.any || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) || is_loopback(origin)
    }

    /// Whether a request's `Host` names this server: a loopback name, or the host it was bound
    /// to (from `base_url`). A page that DNS-rebinds its own name to 127.0.0.1 is same-origin
    /// with us, so CORS cannot stop it; its `Host` still carries its own name. `--cors-any` lifts
    /// this too. A request without `Host` (HTTP/1.0, not a browser) passes.
    pub fn allows_host(&self, request: &HeaderMap, base_url: &str) -> bool {
        let Some(host) = request.get(header::HOST) else { return true };
        let Ok(host) = host.to_str() else { return false };
        if self.any {
            return true;
        }
        let own = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
        let name = |h: &str| -> String {
            let h = match h.strip_prefix('[') {
                Some(v6) => v6.split_once(']').map_or(v6, |(n, _)| n),
                None => h.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(h, |(n, _)| n),
            };
            h.trim_end_matches('.').to_ascii_lowercase()
        };
        let host = name(host);
        matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") || host == name(own)
    }

    fn allowed<'a>(&self, request: &'a HeaderMap) -> Option<&'a HeaderValue> {
        request.get(header::ORIGIN).filter(|o| o.to_str().is_ok_and(|o| self.allows(o)))
    }

    pub fn add_headers(&self, request: &HeaderMap, reply: &mut Reply) {
        let h = reply.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("Origin, Accept"));
        if let Some(origin) = self.allowed(request) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
        }
    }

    /// The answer to an `OPTIONS` preflight: 204 with the allowances, or 403 without any.
    pub fn preflight(&self, request: &HeaderMap) -> Reply {
        let mut reply = if self.allowed(request).is_some() {
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
        } else {
            Response::builder().status(StatusCode::FORBIDDEN).body(Body::empty())
        }
        .unwrap_or_else(|e| crate::http::HubError::internal(e).into_reply());
        self.add_headers(request, &mut reply);
        reply
    }
}

/// `http(s)://127.0.0.1[:port]`, `localhost` or `[::1]`.
fn is_loopback(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    let host = match rest.strip_prefix("[::1]") {
        Some(port) => return port.is_empty() || is_port(port),
        None => rest,
    };
    let (name, port) = host.split_once(':').map_or((host, None), |(n, p)| (n, Some(p)));
    port.is_none_or(|p| is_port(&format!(":{p}"))) && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins_only_by_default() {
        let p = CorsPolicy::default();
        for ok in ["http://127.0.0.1:8080", "http://localhost:3000", "https://localhost", "http://[::1]:9"] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "https://evil.example",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example:80",
            "http://localhost:80@evil.example",
            "null",
            "file://",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
        let listed = CorsPolicy { any: false, origins: vec!["https://app.example".into()] };
        assert!(listed.allows("https://app.example") && !listed.allows("https://evil.example"));
        assert!(CorsPolicy { any: true, origins: vec![] }.allows("https://evil.example"));
    }
}
