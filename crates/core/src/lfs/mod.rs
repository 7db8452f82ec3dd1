//! Git LFS: the content digest (SHA-256) and, later, pointer files.

mod sha256;

pub use sha256::{Sha256, SHA256_LEN};
