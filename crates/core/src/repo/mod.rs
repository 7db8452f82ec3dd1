//! Repos: their type, id, revisions and in-repo paths, validated by the Hub's rules
//! (spec: docs/protocol/hub-api.md §0.1, §6; the official clients where the spec is silent).

mod id;
mod path;
mod revision;

pub use id::{validate_repo_name, RepoId, RepoIdError, RepoType, MAX_REPO_NAME_LEN};
pub use path::{validate_path, PathError};
pub use revision::{split_revision, validate_ref_name, RefNameError, Revision, RevisionKind, MIN_SHORT_COMMIT_LEN};
