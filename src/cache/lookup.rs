//! The hooks `downloadFile` calls (src/hub/download.rs), with Python's `hf_hub_download` rules:
//! - a commit id already in `snapshots/` is served with no request at all;
//! - otherwise one metadata request resolves the revision to its commit; a snapshot of that commit
//!   is served (an unchanged file costs that one request; a moved `main` is a new commit, so its
//!   file is fetched — or linked, when its blob is already stored);
//! - `.no_exist/{commit}/{path}` answers `EntryNotFoundError` without asking, and a file the Hub
//!   says is missing gets that marker;
//! - no answer (a network failure, a 5xx after the retries): the copy of the commit the revision
//!   last resolved to (`refs/{revision}`) is served;
//! - `offline: true`: only the cache is asked; a miss is `LocalEntryNotFoundError`.

use std::rc::Rc;

use hubwasm_core::api::ApiErrorKind;
use hubwasm_core::cache::{BlobId, CommitId, SharedBlob};
use hubwasm_core::repo::{RepoId, Revision};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use super::{BlobWrite, Cache, CachedCopy};
use crate::error::{ApiFailure, Error};
use crate::http::{Request, Transport};

/// What the cache says before anything is downloaded.
pub(crate) enum Lookup {
    /// Served from the cache.
    Hit(Served),
    /// Fetch the file at this commit (the revision's, when it was resolved).
    Miss(Option<CommitId>),
}

/// A cached file and the commit it was served for.
pub(crate) struct Served {
    pub(crate) cache: Rc<Cache>,
    pub(crate) copy: CachedCopy,
    pub(crate) commit: CommitId,
}

/// Where a downloaded file is written once verified.
pub(crate) struct WriteTarget {
    cache: Rc<Cache>,
    repo: RepoId,
    revision: Revision,
    commit: CommitId,
    path: String,
    blob: BlobId,
    size: u64,
    xet: Option<SharedBlob>,
}

impl WriteTarget {
    pub(crate) async fn begin(&self) -> Option<BlobWrite> {
        let (repo, revision, commit) = (self.repo.clone(), self.revision.clone(), self.commit.clone());
        let (path, blob, xet) = (self.path.clone(), self.blob.clone(), self.xet.clone());
        BlobWrite::start(self.cache.clone(), repo, revision, commit, path, blob, self.size, xet).await
    }
}

fn not_local(repo: &RepoId, revision: &Revision, path: &str) -> Error {
    Error::LocalEntryNotFound(format!(
        "{} {path} at {} is not in the cache, and the client is offline",
        repo.as_str(),
        revision.as_str()
    ))
}

fn known_missing(repo: &RepoId, commit: &CommitId, path: &str) -> Error {
    Error::Api(ApiFailure {
        kind: ApiErrorKind::EntryNotFound,
        status: 404,
        server_message: format!("no file {path:?} at {commit} (remembered in the cache's .no_exist)"),
        request_id: None,
        retry_after: None,
        what: format!("{} {path}", repo.as_str()),
    })
}

/// A failure the revision's last known copy may stand in for (Python: no HEAD answer).
fn is_unreachable(e: &Error) -> bool {
    match e {
        Error::Network { .. } => true,
        Error::Api(f) => f.status >= 500 || f.status == 408 || f.status == 429,
        _ => false,
    }
}

/// Store failures while looking up are warnings: the download goes on from the Hub.
fn or_warn<T>(cache: &Cache, result: Result<Option<T>, Error>) -> Option<T> {
    result.unwrap_or_else(|e| {
        cache.warn(e);
        None
    })
}

/// `GET /api/{type}s/{id}/revision/{rev}`: the commit a revision names now.
pub(crate) async fn resolve_commit(
    t: &Transport,
    repo: &RepoId,
    revision: &Revision,
    signal: Option<&AbortSignal>,
) -> Result<CommitId, Error> {
    #[derive(Deserialize)]
    struct Sha {
        sha: Option<String>,
    }
    let url = format!("{}{}/revision/{}", t.hub_url(), repo.api_path(), revision.url_encoded());
    let read = t.send_and_read(Request::get(url, signal).repo_route()).await?;
    let sha = read.json::<Sha>()?.sha.unwrap_or_default();
    CommitId::parse(&sha).map_err(|e| read.answer.unexpected(format!("the repo info answer's sha {sha:?}: {e}")))
}

pub(crate) async fn before_download(
    cache: &Rc<Cache>,
    t: &Transport,
    repo: &RepoId,
    revision: &Revision,
    path: &str,
    signal: Option<&AbortSignal>,
) -> Result<Lookup, Error> {
    let hit = |copy, commit| Lookup::Hit(Served { cache: cache.clone(), copy, commit });
    if cache.offline {
        let commit = cache.known_commit(repo, revision).await?.ok_or_else(|| not_local(repo, revision, path))?;
        if cache.is_missing(repo, &commit, path).await? {
            return Err(known_missing(repo, &commit, path));
        }
        let copy = cache.snapshot(repo, &commit, path).await?.ok_or_else(|| not_local(repo, revision, path))?;
        return Ok(hit(copy, commit));
    }
    let commit = match CommitId::parse(revision.as_str()) {
        Ok(commit) => commit,
        Err(_) => match resolve_commit(t, repo, revision, signal).await {
            Ok(commit) => commit,
            Err(e) if is_unreachable(&e) => {
                // No answer: the copy of the commit this revision last resolved to, as Python does.
                let Some(commit) = or_warn(cache, cache.known_commit(repo, revision).await) else { return Err(e) };
                let Some(copy) = or_warn(cache, cache.snapshot(repo, &commit, path).await) else { return Err(e) };
                return Ok(hit(copy, commit));
            }
            Err(e) => return Err(e),
        },
    };
    if cache.is_missing(repo, &commit, path).await.unwrap_or(false) {
        return Err(known_missing(repo, &commit, path));
    }
    match or_warn(cache, cache.snapshot(repo, &commit, path).await) {
        Some(copy) => {
            if let Err(e) = cache.record_ref(repo, revision, &commit).await {
                cache.warn(e);
            }
            Ok(hit(copy, commit))
        }
        None => Ok(Lookup::Miss(Some(commit))),
    }
}

/// The Hub said the file is missing at `commit`: remember it in `.no_exist`.
pub(crate) async fn record_missing(cache: &Cache, repo: &RepoId, commit: &CommitId, path: &str) {
    if let Err(e) = cache.record_missing(repo, commit, path).await {
        cache.warn(e);
    }
}

/// The file's metadata is known: a blob already stored (another commit's, the same content, or a
/// Xet file's payload in the shared store) is linked and served; otherwise a whole-file download is
/// written as it is read.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn after_info(
    cache: &Rc<Cache>,
    repo: &RepoId,
    revision: &Revision,
    commit: &str,
    path: &str,
    etag: &str,
    size: u64,
    xet_hash: Option<&str>,
) -> AfterInfo {
    let (Ok(commit), Ok(blob)) = (CommitId::parse(commit), BlobId::from_etag(etag)) else {
        // Not a shape the layout can hold: nothing is cached (never a key outside the cache).
        return AfterInfo::Uncached;
    };
    let xet = xet_hash.and_then(|hash| SharedBlob::from_xet_hash(hash).ok());
    let linked = or_warn(cache, cache.link_existing_blob(repo, &commit, path, &blob, size, xet.as_ref()).await);
    if let Some(copy) = linked {
        if let Err(e) = cache.record_ref(repo, revision, &commit).await {
            cache.warn(e);
        }
        return AfterInfo::Served(Served { cache: cache.clone(), copy, commit });
    }
    let (repo, revision, path) = (repo.clone(), revision.clone(), path.to_string());
    AfterInfo::Write(WriteTarget { cache: cache.clone(), repo, revision, commit, path, blob, size, xet })
}

pub(crate) enum AfterInfo {
    /// Its blob was stored already: linked, and served from the cache.
    Served(Served),
    /// Download it, writing it as it is read.
    Write(WriteTarget),
    Uncached,
}

impl Served {
    /// The file object's stream: `span` of the cached copy, with progress and abort.
    pub(crate) fn stream(
        &self,
        range: Option<(u64, u64)>,
        on_progress: Option<js_sys::Function>,
        signal: Option<AbortSignal>,
    ) -> Result<web_sys::ReadableStream, Error> {
        self.cache.open(&self.copy, range, on_progress, signal)
    }
}

/// A stream that fails at once with `error` (a cached copy that cannot be opened).
pub(crate) fn failed_stream(error: Error) -> web_sys::ReadableStream {
    super::failed_stream(&JsValue::from(error))
}

/// What a read does before fetching a file it will cache (src/cache/browser.rs).
pub(crate) enum Claim {
    /// Fetch and write it, holding the blob's Web Lock (where there is one) until the read ends.
    Fetch(Option<super::browser::BlobLock>),
    /// Another tab or Worker stored the blob while this one waited: serve it from the cache.
    Cached(Served),
}

impl WriteTarget {
    /// Takes the blob's Web Lock, waiting while another tab or Worker holds it, then looks again:
    /// a blob stored meanwhile is linked and served instead of fetched a second time. A lock that
    /// cannot be taken is a warning, and the read goes on as without Web Locks.
    pub(crate) async fn claim(&self, signal: &AbortSignal) -> Result<Claim, Error> {
        let blob_key = hubwasm_core::cache::RepoKeys::new(&self.repo).blob(&self.blob);
        let lock = match super::browser::BlobLock::hold(&self.cache.store, &blob_key, signal).await {
            Ok(lock) => lock,
            Err(e @ Error::Aborted { .. }) => return Err(e),
            Err(e) => {
                self.cache.warn(e);
                None
            }
        };
        if lock.is_some() {
            let (commit, xet) = (&self.commit, self.xet.as_ref());
            let linked =
                self.cache.link_existing_blob(&self.repo, commit, &self.path, &self.blob, self.size, xet).await;
            if let Some(copy) = or_warn(&self.cache, linked) {
                if let Err(e) = self.cache.record_ref(&self.repo, &self.revision, &self.commit).await {
                    self.cache.warn(e);
                }
                return Ok(Claim::Cached(Served { cache: self.cache.clone(), copy, commit: self.commit.clone() }));
            }
        }
        Ok(Claim::Fetch(lock))
    }
}
