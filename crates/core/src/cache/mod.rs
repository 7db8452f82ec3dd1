//! The blob cache's pure logic, one scheme for every backend: the Hugging Face cache layout that
//! Python's `huggingface_hub` writes (docs/protocol/hub-api.md §13.3), so that on Node and Deno the
//! folder is shared with Python, and browser stores use the same keys.
//!
//! - [`keys`]: repo folder names, blob / ref / snapshot / `.no_exist` / temporary keys, the relative
//!   symlink target of a snapshot entry, and the validation that keeps every key under the root;
//! - [`verify`]: a blob checked against its id (SHA-256, or the git blob id) before it is published;
//! - [`scan`]: `scan_cache_dir`'s figures (sizes, file counts, refs) over an abstract listing;
//! - [`evict`]: what a revision deletion removes, and which blobs an LRU size limit evicts.
//!
//! Keys are `/`-separated and relative to the cache root (`models--org--name/blobs/{id}`); a
//! backend maps them to files, OPFS entries or database rows.

pub mod evict;
pub mod keys;
pub mod patterns;
pub mod scan;
pub mod verify;

pub use evict::{plan_revision_delete, select_lru_evictions, BlobUse, DeletePlan};
pub use keys::{blob_of_link_target, snapshot_link_target};
pub use keys::{
    parse_repo_folder, repo_folder_name, BlobId, CacheKeyError, CommitId, RepoKeys, SharedBlob, BLOBS_DIR,
    NO_EXIST_DIR, REFS_DIR, SHARED_LAYOUT, SHARED_MARKER, SNAPSHOTS_DIR,
};
pub use scan::{scan_repo, BlobRef, CachedFile, CachedRepo, CachedRevision, RepoListing, ScanError, SnapshotEntry};
pub use verify::{BlobMismatch, BlobVerifier};
