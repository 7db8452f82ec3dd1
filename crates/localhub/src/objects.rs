//! Which LFS objects a repo may use. Objects are scoped to repos: a commit or an LFS batch may
//! name only an object uploaded by an authorised session of that repo (LFS bytes through its
//! presigned URL, or a Xet file through a shard sent with its CAS token), or one already
//! committed in a repo the caller can read. A global oid never reveals or lends another repo's
//! private content.

use std::path::PathBuf;

use hubwasm_core::xet::XetHash;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::Caller;
use crate::cas;
use crate::cas::index::XetFile;
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

/// Where the bytes of an object come from.
pub enum Content {
    /// Verified LFS bytes stored whole.
    Lfs { path: PathBuf, size: u64 },
    /// A Xet file, rebuilt span by span.
    Xet { hash: XetHash, file: XetFile },
}

/// Bytes of an object, a piece at a time (`None` at the end): only what a request asked for is
/// read, and never all of it at once.
pub type Pieces = Box<dyn FnMut() -> HubResult<Option<Vec<u8>>> + Send>;

/// Largest piece read from a stored file at a time.
const FILE_PIECE: u64 = 1 << 20;

/// Bytes `[start, end]` (inclusive, inside the file) of a stored file (an LFS object, a xorb), read
/// a piece at a time: a request for a large range never holds it whole, nor the rest of the file.
pub fn file_pieces(path: &std::path::Path, start: u64, end: u64) -> HubResult<Pieces> {
    use std::io::{Read as _, Seek as _};
    let mut file = std::fs::File::open(path)?;
    file.seek(std::io::SeekFrom::Start(start))?;
    let mut left = (end + 1).saturating_sub(start);
    Ok(Box::new(move || {
        if left == 0 {
            return Ok(None);
        }
        let mut piece = vec![0; left.min(FILE_PIECE) as usize];
        file.read_exact(&mut piece)?;
        left -= piece.len() as u64;
        Ok(Some(piece))
    }))
}

/// The content of object `sha256`. With `xet_hash` (a signed URL naming the Xet file the repo's
/// upload or commit holds) exactly that file, never another upload stored under the same oid; its
/// SHA-256 claim was checked when its shard was registered. Without it, the verified LFS bytes.
pub fn content(app: &App, sha256: &str, xet_hash: Option<&str>) -> HubResult<Content> {
    if let Some(xet) = xet_hash {
        let (hash, file) = cas::reconstruct::stored_file(app, xet)?;
        return Ok(Content::Xet { hash, file });
    }
    let path = app.store.object_path("lfs", sha256);
    match app.store.lfs_object(sha256)? {
        Some(_) if path.exists() => Ok(Content::Lfs { size: std::fs::metadata(&path)?.len(), path }),
        _ => Err(HubError::not_found("Object does not exist")),
    }
}

impl Content {
    pub fn size(&self) -> u64 {
        match self {
            Content::Lfs { size, .. } => *size,
            Content::Xet { file, .. } => file.size,
        }
    }

    /// Bytes `[start, end]` (inclusive, inside the object).
    pub fn pieces(&self, app: &App, start: u64, end: u64) -> HubResult<Pieces> {
        match self {
            Content::Lfs { path, .. } => file_pieces(path, start, end),
            Content::Xet { hash, file } => {
                let mut reader = cas::reconstruct::XetReader::open(app, hash, file, start, end)?;
                Ok(Box::new(move || reader.next_piece()))
            }
        }
    }
}
