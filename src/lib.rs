//! hubwasm: the JavaScript-facing Hugging Face Hub SDK.
//!
//! Everything that touches the host lives here (JS values, streams, timers, errors); the protocol
//! logic is in `hubwasm-core`. Public names follow `@huggingface/hub` where an equivalent exists.

mod error;
mod pacing;
mod sha256;
mod source;
mod xet;
mod xet_upload;

pub use error::Error;
pub use sha256::{create_sha256, sha256, Sha256Hasher};
pub use xet::{create_xet_hasher, xet_hash, XetHasher};
pub use xet_upload::{create_xet_upload_planner, XetUploadPlanner};
