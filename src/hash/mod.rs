//! Hashing for JavaScript: SHA-256, the Xet file hash, the Xet upload planner, and an upload's
//! chunking on a second thread.

pub(crate) mod chunk_thread;
pub(crate) mod native_sha256;
pub(crate) mod sha256;
pub(crate) mod xet;
pub(crate) mod xet_upload;
