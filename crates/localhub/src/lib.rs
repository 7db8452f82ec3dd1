//! localhub: a local Hugging Face Hub that the official clients accept unchanged.
//!
//! Modules, imports going one way (routes → services → store):
//! - routing: `router` (gates, body limits, dispatch), `ctx` (the request), `http` (errors,
//!   replies), `range`, `cors`, `faults`, `admin`;
//! - routes: `hub` (REST API and web routes, one module per concern), `discussions` (discussions
//!   and pull requests), `cas` (Xet), `inference`;
//! - services: `auth` (callers), `repo` (lookup, revisions, names), `commits` (commit creation
//!   with compare-and-set ref updates), `objects` (LFS objects scoped to repos), `signing`
//!   (presigned URLs), `gitattributes`, `git` (object ids);
//! - `store` (SQLite and the object files).

pub mod admin;
pub mod app;
pub mod auth;
pub mod cas;
pub mod commits;
pub mod cors;
pub mod ctx;
pub mod discussions;
pub mod faults;
pub mod git;
pub mod gitattributes;
pub mod http;
pub mod hub;
pub mod inference;
pub mod objects;
pub mod range;
pub mod repo;
pub mod router;
pub mod signing;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::App;
use crate::http::HubResult;

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
    pub faults: Vec<faults::Fault>,
    pub token_delay_ms: u64,
    /// `/admin` is closed unless this is set; then it takes this bearer token.
    pub admin_token: Option<String>,
    /// Origins whose pages may read answers (loopback ones always may).
    pub cors: cors::CorsPolicy,
    /// Bearer keys the inference router accepts besides localhub tokens.
    pub provider_keys: Vec<String>,
}

impl Config {
    /// Defaults for a server on free loopback ports in `data`.
    pub fn new(data: PathBuf) -> Self {
        Self {
            data,
            host: "127.0.0.1".into(),
            port: 0,
            storage_port: 0,
            users: Vec::new(),
            orgs: Vec::new(),
            faults: Vec::new(),
            token_delay_ms: 0,
            admin_token: None,
            cors: cors::CorsPolicy::default(),
            provider_keys: Vec::new(),
        }
    }
}

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
    let signer = signing::Signer::load_or_create(store.root())?;
    let app: App = Arc::new(app::AppState {
        store,
        base_url: url.clone(),
        storage_url: storage_url.clone(),
        signer,
        faults: faults::Faults::new(config.faults),
        token_delay_ms: std::sync::Mutex::new(config.token_delay_ms),
        provider_keys: config.provider_keys,
        inference: Default::default(),
        cors: config.cors,
        admin_token: config.admin_token.filter(|t| !t.is_empty()),
    });
    let router = axum::Router::new().fallback(router::dispatch).with_state(app.clone());
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
