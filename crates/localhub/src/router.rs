//! The one axum fallback handler. Repo ids contain `/`, revisions may arrive encoded
//! (`refs%2Fpr%2F1`) or raw (`refs/pr/1`) and file paths follow them, which route patterns
//! cannot express, so requests are routed by hand. Order of work for every request: CORS
//! preflight, fault injection, the caller from its token, the route's gate and body limit
//! (checked on headers alone, so a bogus token or an oversized body is refused before a byte of
//! it is read), then the route.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method, Response, StatusCode};

use crate::app::App;
use crate::ctx::{form_pairs, Ctx};
use crate::faults::{drop_mid_body, Injection};
use crate::http::{self, HubError, HubResult, Reply};
use crate::{admin, auth, cas, hub, inference};

const SMALL_BODY: usize = 64 << 10;
/// Refused requests with a body up to this size have it read (and dropped) before the answer.
const DRAIN_LIMIT: usize = 4 << 20;
const JSON_BODY: usize = 8 << 20;
const CHAT_BODY: usize = 16 << 20;
const SHARD_BODY: usize = 64 << 20;
/// A full xorb with its footer (chunk hashes and boundaries).
const XORB_BODY: usize = hubwasm_core::xet::xorb::MAX_XORB_BYTES
    + hubwasm_core::xet::xorb::MAX_XORB_CHUNKS * (hubwasm_core::xet::xorb::CHUNK_HEADER_LEN + 64)
    + 4096;

/// Who may send a body to a route, decided before it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gate {
    /// The route checks its caller itself (reads, anonymous-friendly POSTs).
    Open,
    /// An authenticated localhub user.
    User,
    /// A CAS write token.
    CasUpload,
    /// A presigned storage URL.
    Signed,
    /// The admin token.
    Admin,
    /// A localhub token or a configured provider key.
    Router,
}

fn body_rule(method: &Method, segs: &[&str]) -> (Gate, usize) {
    use hub::lfs::MULTIPART_THRESHOLD;
    if segs.first() == Some(&"admin") {
        return (Gate::Admin, SMALL_BODY);
    }
    if matches!(*method, Method::GET | Method::HEAD) {
        return (Gate::Open, SMALL_BODY);
    }
    match segs {
        ["cas", "v1", "xorbs", ..] => (Gate::CasUpload, XORB_BODY),
        ["cas", "v1" | "v2", "shards"] => (Gate::CasUpload, SHARD_BODY),
        ["cas", ..] => (Gate::Open, SMALL_BODY),
        ["lfs-storage", ..] => (Gate::Signed, MULTIPART_THRESHOLD as usize),
        ["api", _, _, _, "commit", ..] => (Gate::User, hub::upload::MAX_COMMIT_BODY),
        ["api", _, _, _, "paths-info", ..] => (Gate::Open, JSON_BODY),
        ["api", "validate-yaml"] => (Gate::Open, JSON_BODY),
        ["api", ..] => (Gate::User, JSON_BODY),
        [.., "info", "lfs", "objects", "batch"] => (Gate::Open, JSON_BODY),
        _ if inference::handles(segs) => (Gate::Router, CHAT_BODY),
        _ => (Gate::Open, SMALL_BODY),
    }
}

fn pass_gate(app: &App, ctx: &Ctx, gate: Gate) -> HubResult<()> {
    match gate {
        Gate::Open => Ok(()),
        Gate::User if ctx.caller.anonymous() => Err(HubError::unauthorized("You must be authenticated to do this")),
        Gate::User => Ok(()),
        Gate::CasUpload => cas::tokens::require_token(app, ctx, true).map(|_| ()),
        Gate::Signed => app.signer.check(ctx),
        Gate::Admin => admin::check_admin(app, &ctx.headers),
        Gate::Router if inference::authorized(app, ctx) => Ok(()),
        Gate::Router => {
            Err(HubError::unauthorized("The inference router needs a valid localhub token or provider key"))
        }
    }
}

pub async fn dispatch(State(app): State<App>, request: Request) -> Reply {
    let (parts, body) = request.into_parts();
    if !app.cors.allows_host(&parts.headers, &app.base_url) {
        return HubError::new(StatusCode::MISDIRECTED_REQUEST, None, "This server answers only to its own host names")
            .into_reply();
    }
    if parts.method == Method::OPTIONS {
        return app.cors.preflight(&parts.headers);
    }
    let request_headers = parts.headers.clone();
    let injection =
        if parts.uri.path().starts_with("/admin/") { Injection::None } else { app.faults.injection(parts.uri.path()) };
    let mut reply = match injection {
        Injection::Fail(reply) => reply,
        other => {
            if let Injection::Delay(ms) = other {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            let reply = handle(&app, parts, body).await.unwrap_or_else(HubError::into_reply);
            if matches!(other, Injection::Drop) {
                drop_mid_body(reply)
            } else {
                reply
            }
        }
    };
    app.cors.add_headers(&request_headers, &mut reply);
    if let Ok(id) = format!("Root=1-{}", crate::store::new_uid()).parse() {
        reply.headers_mut().insert("X-Request-Id", id);
    }
    reply
}

async fn handle(app: &App, parts: axum::http::request::Parts, body: Body) -> HubResult {
    let raw_path = parts.uri.path();
    let segments: Vec<String> = raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    if let Some(refusal) = storage_refuses_authorization(&parts.method, &segs, &parts.headers) {
        return Ok(refusal);
    }
    let (gate, limit) = body_rule(&parts.method, &segs);
    // The admin token is not a Hub token: it is checked by its gate, not resolved as a user.
    let caller = if gate == Gate::Admin { auth::Caller::default() } else { auth::caller(&app.store, &parts.headers)? };
    let mut ctx = Ctx {
        method: parts.method,
        path: raw_path.to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        segments: segments.clone(),
        query: parts.uri.query().map(form_pairs).unwrap_or_default(),
        headers: parts.headers,
        body: Bytes::new(),
        caller,
    };
    let announced = ctx.header(header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    let refused = match pass_gate(app, &ctx, gate) {
        Err(e) => Some(e),
        Ok(()) if announced.is_some_and(|n| n > limit as u64) => Some(HubError::payload_too_large(limit)),
        Ok(()) => None,
    };
    if let Some(e) = refused {
        // A small body is read and dropped so the client, still sending it, sees the answer
        // instead of a reset connection; a large one is not read at all.
        if announced.is_some_and(|n| n <= DRAIN_LIMIT as u64) {
            discard(body, DRAIN_LIMIT).await;
        }
        return Err(e);
    }
    ctx.body = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if e.to_string().contains("length limit") {
            HubError::payload_too_large(limit)
        } else {
            HubError::bad_request(format!("Could not read the request body: {e}"))
        }
    })?;
    route(app, &ctx, &segs).await
}

/// Presigned storage (S3, CloudFront) answers 400 when a request carries an `Authorization` header
/// besides the URL's signature; localhub's storage routes do the same, so a client that leaks its
/// Hub token to storage fails its tests instead of passing unnoticed. The POSTs that end an LFS
/// upload (`complete`, `verify`) are the Hub's own routes on the real Hub, so they stay open.
fn storage_refuses_authorization(method: &Method, segs: &[&str], headers: &axum::http::HeaderMap) -> Option<Reply> {
    let storage = matches!(segs, ["lfs-cdn", ..] | ["cas", "storage", ..])
        || (matches!(segs, ["lfs-storage", ..]) && *method != Method::POST);
    if !storage || !headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code>\
                <Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature \
                query string parameter or the Authorization header should be specified</Message>\
                <ArgumentName>Authorization</ArgumentName></Error>";
    Response::builder()
        .status(StatusCode::BAD_REQUEST)
        .header(header::CONTENT_TYPE, "application/xml")
        .body(Body::from(body))
        .ok()
}

/// Reads and drops up to `limit` bytes of a body.
async fn discard(body: Body, limit: usize) {
    let mut stream = body.into_data_stream();
    let mut seen = 0;
    while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut stream).await {
        seen += chunk.len();
        if seen > limit {
            break;
        }
    }
}

async fn route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    match segs {
        ["cas", rest @ ..] => cas::route(app, ctx, rest),
        ["api", rest @ ..] => hub::api_route(app, ctx, rest),
        ["admin", rest @ ..] => admin::route(app, ctx, rest),
        ["lfs-storage", ..] | ["lfs-cdn", ..] => hub::lfs::storage_route(app, ctx, segs),
        [] => Ok(http::ok_json(serde_json::json!({ "name": "localhub", "version": env!("CARGO_PKG_VERSION") }))),
        _ if inference::handles(segs) => inference::route(app, ctx, segs).await,
        _ => hub::web_route(app, ctx, segs),
    }
}
