//! Hashing for JavaScript: SHA-256, the Xet file hash, and the Xet upload planner.

pub(crate) mod native_sha256;
pub(crate) mod sha256;
pub(crate) mod xet;
pub(crate) mod xet_upload;
