//! localhub: a local Hugging Face Hub that the official clients accept unchanged.
//!
//! One axum fallback handler routes by hand: repo ids contain `/`, revisions may arrive encoded
//! (`refs%2Fpr%2F1`) or raw (`refs/pr/1`), and file paths follow them, which route patterns
//! cannot express. Each concern has its module: `hub` (REST), `commit` (preupload, commit, LFS),
//! `cas` (Xet), `discussions` (discussions and pull requests), `inference` (router), `store` (SQLite + objects), `git` (object ids).

pub mod auth;
pub mod cas;
pub mod commit;
pub mod discussions;
pub mod git;
pub mod http;
pub mod hub;
pub mod inference;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};

use crate::http::{HubError, HubResult, Reply};

/// The demo account every example uses (documented in the README).
pub const DEMO_USER: &str = "demo";
pub const DEMO_WRITE_TOKEN: &str = "hf_localhub_demo_write_token";
pub const DEMO_READ_TOKEN: &str = "hf_localhub_demo_read_token";
pub const DEMO_ORG: &str = "demo-org";

pub struct Config {
    pub data: PathBuf,
    pub host: String,
    pub port: u16,
    /// Port of the storage origin (0 = any free port).
    pub storage_port: u16,
    /// Extra accounts: `(user, token, role)`.
    pub users: Vec<(String, String, String)>,
    /// Extra organisations: `(org, members)`.
    pub orgs: Vec<(String, Vec<String>)>,
    pub faults: Vec<inference::Fault>,
    pub token_delay_ms: u64,
}

pub struct AppState {
    pub store: store::Store,
    /// Public base URL, e.g. `http://127.0.0.1:8080` (no trailing slash).
    pub base_url: String,
    /// Base URL of presigned storage (LFS and xorb bytes), on a second port: like the Hub's CDN it
    /// is another origin, so clients neither follow redirects to it with their token nor send it.
    pub storage_url: String,
    /// Key for presigned storage URLs.
    pub signing_key: [u8; 32],
    pub inference: inference::Settings,
}

pub type App = Arc<AppState>;

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub url: String,
    pub storage_url: String,
    pub app: App,
    handle: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn abort(&self) {
        self.handle.abort();
    }
    pub async fn wait(self) {
        let _ = self.handle.await;
    }
}

pub async fn start(config: Config) -> HubResult<Server> {
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{}:{}", config.host, addr.port());
    let storage_listener = tokio::net::TcpListener::bind((config.host.as_str(), config.storage_port)).await?;
    let storage_url = format!("http://{}:{}", config.host, storage_listener.local_addr()?.port());
    let store = store::Store::open(&config.data)?;
    seed_accounts(&store, &config)?;
    let signing_key = signing_key(&store)?;
    let inference = inference::Settings::default();
    *inference.faults.lock().unwrap_or_else(|p| p.into_inner()) = config.faults;
    *inference.token_delay_ms.lock().unwrap_or_else(|p| p.into_inner()) = config.token_delay_ms;
    let app: App =
        Arc::new(AppState { store, base_url: url.clone(), storage_url: storage_url.clone(), signing_key, inference });
    let router = axum::Router::new().fallback(dispatch).with_state(app.clone());
    let storage_router = router.clone();
    let handle = tokio::spawn(async move {
        let storage = tokio::spawn(async move {
            let _ = axum::serve(storage_listener, storage_router).await;
        });
        let _ = axum::serve(listener, router).await;
        storage.abort();
    });
    Ok(Server { addr, url, storage_url, app, handle })
}

fn seed_accounts(store: &store::Store, config: &Config) -> HubResult<()> {
    store.ensure_account(DEMO_USER, "user", "Demo User")?;
    store.ensure_account(DEMO_ORG, "org", "Demo Org")?;
    store.add_member(DEMO_ORG, DEMO_USER)?;
    store.add_token(DEMO_WRITE_TOKEN, DEMO_USER, "write", "demo-write")?;
    store.add_token(DEMO_READ_TOKEN, DEMO_USER, "read", "demo-read")?;
    for (user, token, role) in &config.users {
        store.ensure_account(user, "user", user)?;
        store.add_token(token, user, role, &format!("{user}-{role}"))?;
    }
    for (org, members) in &config.orgs {
        store.ensure_account(org, "org", org)?;
        for member in members {
            store.ensure_account(member, "user", member)?;
            store.add_member(org, member)?;
        }
    }
    Ok(())
}

/// The storage-URL signing key, created once per data folder so URLs survive restarts.
fn signing_key(store: &store::Store) -> HubResult<[u8; 32]> {
    let path = store.root().join("signing.key");
    if let Ok(bytes) = std::fs::read(&path) {
        if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(key);
        }
    }
    let key: [u8; 32] = rand::random();
    std::fs::write(&path, key)?;
    Ok(key)
}

/// Everything a handler needs about the request, with the body already read.
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
    pub caller: auth::Caller,
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
}

const MAX_BODY: usize = 2 << 30;

async fn dispatch(State(app): State<App>, request: Request) -> Reply {
    let (parts, body) = request.into_parts();
    if parts.method == Method::OPTIONS {
        let mut reply = http::preflight(&parts.headers);
        http::add_cors(&parts.headers, &mut reply);
        return reply;
    }
    let request_headers = parts.headers.clone();
    let injection = if parts.uri.path().starts_with("/admin/") {
        inference::Injection::None
    } else {
        app.inference.injection(parts.uri.path())
    };
    let mut reply = match injection {
        inference::Injection::Fail(reply) => reply,
        other => {
            if let inference::Injection::Delay(ms) = other {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            let reply = match handle(&app, parts, body).await {
                Ok(reply) => reply,
                Err(e) => e.into_reply(),
            };
            if matches!(other, inference::Injection::Drop) {
                inference::drop_mid_body(reply)
            } else {
                reply
            }
        }
    };
    http::add_cors(&request_headers, &mut reply);
    reply.headers_mut().insert("X-Request-Id", format!("Root=1-{}", store::new_uid()).parse().expect("ascii"));
    reply
}

async fn handle(app: &App, parts: axum::http::request::Parts, body: Body) -> HubResult {
    let body = axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| HubError::bad_request(format!("body: {e}")))?;
    let raw_path = parts.uri.path();
    let segments: Vec<String> = raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let query = parts
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (form_decode(k), form_decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let caller = auth::caller(&app.store, &parts.headers)?;
    let ctx = Ctx {
        method: parts.method,
        path: raw_path.to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        segments,
        query,
        headers: parts.headers,
        body,
        caller,
    };
    let segs: Vec<&str> = ctx.segments.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["cas", rest @ ..] => cas::route(app, &ctx, rest),
        ["api", ..] => hub::api_route(app, &ctx, &segs[1..]),
        ["admin", ..] => inference::admin_route(app, &ctx, &segs[1..]),
        ["lfs-storage", ..] | ["lfs-cdn", ..] => commit::storage_route(app, &ctx, &segs),
        [] => Ok(http::ok_json(serde_json::json!({ "name": "localhub", "version": env!("CARGO_PKG_VERSION") }))),
        _ if inference::handles(&segs) => inference::route(app, &ctx, &segs).await,
        _ => hub::web_route(app, &ctx, &segs),
    }
}

fn form_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}
