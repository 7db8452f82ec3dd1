//! Which LFS objects a repo may use. Objects are scoped to repos: a commit or an LFS batch may
//! name only an object uploaded by an authorised session of that repo (LFS bytes through its
//! presigned URL, or a Xet file through a shard sent with its CAS token), or one already
//! committed in a repo the caller can read. A global oid never reveals or lends another repo's
//! private content.

use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::Caller;
use crate::cas;
use crate::http::{HubError, HubResult};
use crate::store::Repo;

/// An object as a repo sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedObject {
    pub size: u64,
    /// The Xet file holding the bytes, when they were uploaded through Xet.
    pub xet_hash: Option<String>,
}

/// The object `sha256` as `repo` may reference it for `caller`, or `None`.
pub fn referable(app: &App, caller: &Caller, repo: &Repo, sha256: &str) -> HubResult<Option<ScopedObject>> {
    let own = match app.store.repo_object(repo.id, sha256)? {
        Some(found) => Some(found),
        None => app.store.repo_has_committed_lfs(repo.id, sha256)?,
    };
    if let Some((size, xet_hash)) = own {
        return Ok(Some(ScopedObject { size, xet_hash }));
    }
    for (other, size, xet_hash) in app.store.committed_lfs(sha256)? {
        let Some(other) = app.store.repo_by_id(other)? else { continue };
        if caller.require_content_access(&app.store, &other).is_ok() {
            return Ok(Some(ScopedObject { size, xet_hash }));
        }
    }
    Ok(None)
}

/// What a download of `repo`'s object may serve: only objects its commits or uploads hold.
pub fn readable_in(app: &App, repo: &Repo, sha256: &str) -> HubResult<Option<ScopedObject>> {
    let found = match app.store.repo_has_committed_lfs(repo.id, sha256)? {
        Some(found) => Some(found),
        None => app.store.repo_object(repo.id, sha256)?,
    };
    Ok(found.map(|(size, xet_hash)| ScopedObject { size, xet_hash }))
}

/// Stores uploaded LFS bytes after checking they hash to `sha256`, for `repo`.
pub fn store_lfs_upload(app: &App, repo: i64, sha256: &str, content: &[u8]) -> HubResult<()> {
    let actual = hex::encode(Sha256::digest(content));
    if actual != sha256 {
        return Err(HubError::bad_request(format!("Content hashes to {actual}, not {sha256}: upload rejected")));
    }
    if app.store.repo_by_id(repo)?.is_none() {
        return Err(HubError::not_found("The repository this upload was signed for was deleted"));
    }
    app.store.put_object("lfs", sha256, content)?;
    app.store.put_lfs_object(sha256, content.len() as u64)?;
    app.store.add_repo_object(repo, sha256, content.len() as u64, None)
}

/// The bytes of an object. With `xet_hash` (a signed URL naming the Xet file the repo's upload
/// or commit holds) exactly that file is served, rebuilt and hash-checked, never another upload
/// stored under the same oid; its SHA-256 claim was checked when its shard was registered.
/// Without it, the verified LFS bytes.
pub fn content(app: &App, sha256: &str, xet_hash: Option<&str>) -> HubResult<Vec<u8>> {
    let bytes = match xet_hash {
        Some(xet) => {
            let (hash, file) = cas::reconstruct::stored_file(app, xet)?;
            let mut out = Vec::new();
            cas::reconstruct::read_span(app, &hash, &file, 0, file.size.saturating_sub(1), &mut |piece| {
                out.extend_from_slice(piece);
                Ok(())
            })?;
            out
        }
        None => {
            let path = app.store.object_path("lfs", sha256);
            if app.store.lfs_object(sha256)?.is_none() || !path.exists() {
                return Err(HubError::not_found("Object does not exist"));
            }
            std::fs::read(path)?
        }
    };
    if hex::encode(Sha256::digest(&bytes)) != sha256 {
        return Err(HubError::internal(format!("Stored object does not hash to {sha256}")));
    }
    Ok(bytes)
}
