//! Fault injection for reliability tests: every route can be made to fail, rate-limit, drop the
//! connection mid-body or answer slowly, set by `--faults` or `/admin/faults`.

use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::http::{header, Response, StatusCode};
use serde::{Deserialize, Serialize};

use crate::http::{HubError, Reply};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Answer with `status`.
    Error,
    /// 429 with `Retry-After: retry_after`.
    RateLimit,
    /// Cut the connection in the middle of the body.
    Drop,
    /// Wait `delay_ms` before answering.
    Slow,
}

/// One injected failure mode for requests whose path starts with `route`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// Path prefix, e.g. `/api/` or `/cas/v1/xorbs`.
    pub route: String,
    pub kind: FaultKind,
    #[serde(default = "default_status")]
    pub status: u16,
    /// Fraction of matching requests affected (deterministic: every 1/rate-th request).
    #[serde(default = "one")]
    pub rate: f64,
    #[serde(default)]
    pub retry_after: u64,
    #[serde(default)]
    pub delay_ms: u64,
    /// Stop after this many injections.
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(skip)]
    credit: f64,
}

fn default_status() -> u16 {
    500
}
fn one() -> f64 {
    1.0
}

pub enum Injection {
    None,
    Fail(Reply),
    Drop,
    Delay(u64),
}

#[derive(Default)]
pub struct Faults {
    list: Mutex<Vec<Fault>>,
}

impl Faults {
    pub fn new(list: Vec<Fault>) -> Self {
        Self { list: Mutex::new(list) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add(&self, fault: Fault) {
        self.lock().push(fault);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// `(route, kind, remaining count)` of each fault.
    pub fn list(&self) -> Vec<(String, FaultKind, Option<u64>)> {
        self.lock().iter().map(|f| (f.route.clone(), f.kind, f.count)).collect()
    }

    /// Decides what (if anything) to inject for this request.
    pub fn injection(&self, path: &str) -> Injection {
        let mut faults = self.lock();
        for f in faults.iter_mut() {
            if !path.starts_with(&f.route) || f.count == Some(0) {
                continue;
            }
            f.credit += f.rate;
            if f.credit < 1.0 {
                continue;
            }
            f.credit -= 1.0;
            if let Some(c) = &mut f.count {
                *c -= 1;
            }
            return match f.kind {
                FaultKind::RateLimit => {
                    let mut r = HubError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        None,
                        "You have exceeded the rate limit (injected)",
                    )
                    .into_reply();
                    r.headers_mut().insert(header::RETRY_AFTER, f.retry_after.into());
                    if let Ok(v) = format!("\"api\";r=0;t={}", f.retry_after).parse() {
                        r.headers_mut().insert("RateLimit", v);
                    }
                    Injection::Fail(r)
                }
                FaultKind::Drop => Injection::Drop,
                FaultKind::Slow => Injection::Delay(f.delay_ms),
                FaultKind::Error => {
                    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    Injection::Fail(HubError::new(status, None, "Injected failure").into_reply())
                }
            };
        }
        Injection::None
    }
}

pub fn parse_faults(json_text: &str) -> Result<Vec<Fault>, String> {
    serde_json::from_str(json_text).map_err(|e| format!("--faults: {e}"))
}

/// Replaces a body with its first half followed by a transport error: hyper then cuts the
/// connection without finishing the message, like a dropped link.
pub fn drop_mid_body(reply: Reply) -> Reply {
    let (parts, body) = reply.into_parts();
    let stream = futures_util::stream::once(async move {
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        Ok::<Bytes, std::io::Error>(bytes.slice(..bytes.len() / 2))
    });
    let broken = futures_util::StreamExt::chain(
        stream,
        futures_util::stream::once(async { Err(std::io::Error::other("connection dropped (injected)")) }),
    );
    let mut reply = Response::from_parts(parts, Body::from_stream(broken));
    reply.headers_mut().remove(header::CONTENT_LENGTH);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_rate_is_deterministic() {
        let faults = parse_faults(r#"[{"route":"/api/","kind":"error","status":502,"rate":0.5}]"#).unwrap();
        let s = Faults::new(faults);
        let hits: Vec<bool> = (0..4).map(|_| matches!(s.injection("/api/x"), Injection::Fail(_))).collect();
        assert_eq!(hits, [false, true, false, true]);
        assert!(matches!(s.injection("/cas/x"), Injection::None));
    }

    #[test]
    fn unknown_kinds_are_refused_when_parsed() {
        let e = parse_faults(r#"[{"route":"/","kind":"explode"}]"#).unwrap_err();
        assert!(e.contains("explode"), "{e}");
        assert_eq!(parse_faults(r#"[{"route":"/","kind":"rate-limit"}]"#).unwrap()[0].kind, FaultKind::RateLimit);
    }
}
