//! Downloading a file from the Hub, sans I/O (spec: hub-api.md §4, xet-protocol.md §6.4, §7.2).
//!
//! The caller does every request; this module says which request to make and checks every answer:
//! - [`info`]: from a resolve answer (its headers, or the `application/vnd.xet-fileinfo+json` body a
//!   browser can read) or a paths-info entry to a [`FileInfo`]: a regular git blob (etag = blob id),
//!   an LFS object (sha256 + storage URL) or a Xet file (file hash + token refresh route).
//! - [`lfs`]: the Git LFS batch API's download action, the presigned storage URL of an LFS object.
//! - [`span`]: the caller's `range: [start, end]`, inclusive like HTTP's `Range`, checked against the
//!   file size once for all three kinds.
//! - [`body`]: one streamed body (regular file or LFS object): status and `Content-Range` checks, the
//!   byte count, the LFS sha256, and the `Range` that resumes a dropped connection after the last byte
//!   delivered.
//! - [`xet`]: the Xet pipeline around [`crate::xet::reconstruct`]: a scheduler handing out up to N
//!   range fetches at once within a buffered-bytes budget, releasing verified bytes strictly in file
//!   order.

pub mod body;
pub mod info;
pub mod lfs;
pub mod span;
pub mod xet;

pub use body::{BodyCheck, BodyError, ContentDigest};
pub use info::{FileInfo, FileInfoError, FileKind, ResolveHeaders};
pub use lfs::{LfsBatchError, LfsDownload};
pub use span::{FileSpan, SpanError};
pub use xet::{FetchJob, XetDownload, XetDownloadError, XetOptions, XetToken};
