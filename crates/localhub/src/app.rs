//! The state every route shares: the store, public URLs, the URL signer and the run-time
//! settings (faults, CORS policy, admin token, router keys).

use std::sync::{Arc, Mutex};

use crate::{cors, faults, signing, store};

pub struct AppState {
    pub store: store::Store,
    /// Public base URL, e.g. `http://127.0.0.1:8080` (no trailing slash).
    pub base_url: String,
    /// Base URL of presigned storage (LFS and xorb bytes), on a second port: like the Hub's CDN it
    /// is another origin, so clients neither follow redirects to it with their token nor send it.
    pub storage_url: String,
    pub signer: signing::Signer,
    pub faults: faults::Faults,
    /// Delay between streamed chat tokens (settable at run time through `/admin`).
    pub token_delay_ms: Mutex<u64>,
    /// Bearer keys the inference router accepts besides localhub tokens.
    pub provider_keys: Vec<String>,
    /// The log of inference calls (`GET /admin/inference`).
    pub inference: crate::inference::Stats,
    pub cors: cors::CorsPolicy,
    pub admin_token: Option<String>,
}

impl AppState {
    pub fn token_delay_ms(&self) -> u64 {
        *self.token_delay_ms.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_token_delay_ms(&self, ms: u64) {
        *self.token_delay_ms.lock().unwrap_or_else(|p| p.into_inner()) = ms;
    }
}

pub type App = Arc<AppState>;
