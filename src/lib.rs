//! hubwasm: the JavaScript-facing Hugging Face Hub SDK.
//!
//! Everything that touches the host lives here (JS values, streams, timers, errors); the protocol
//! logic is in `hubwasm-core`. Public names follow `@huggingface/hub` where an equivalent exists.
//!
//! Layout, by concern (DESIGN.md, "Where things go"):
//! - `error`: the one error type and the table of JS error classes generated from it;
//! - `js/`: the boundary itself — result conversion (one configured serializer), byte sources
//!   read through the engine's built-ins, pacing — with each JS snippet beside its Rust user;
//! - `hash/`: SHA-256, the Xet file hash and the Xet upload planner;
//! - `http/`: the one transport (fetch, retries, abort, `Authorization` to the Hub's origin only,
//!   typed errors from error answers);
//! - `hub/`: HubClient, the Hub's REST API over that transport.
//!
//! Planned, and added with their first code rather than as empty modules: `cache/` (the
//! BlobStore trait and its backends) and `inference/` (InferenceClient, chat streams).

mod cache;
mod error;
mod hash;
mod http;
mod hub;
mod inference;
mod js;

pub use hash::sha256::{create_sha256, sha256, Sha256Hasher};
pub use hash::xet::{create_xet_hasher, xet_hash, XetHasher};
pub use hash::xet_upload::{create_xet_upload_planner, XetUploadPlanner};
pub use hub::HubClient;
pub use inference::InferenceClient;
