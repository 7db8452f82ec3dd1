//! Git LFS: the content digest (SHA-256), pointer files and `.gitattributes` routing.

pub mod gitattributes;
pub mod pointer;
mod sha256;

pub use gitattributes::GitAttributes;
pub use pointer::{LfsPointer, PointerError};
pub use sha256::{Sha256, SHA256_LEN};
