//! The blob cache: a store (the caller's, the memory store, or the Hugging Face cache folder on Node
//! and Deno, all in `store.js`) driven with hubwasm-core's keys (`hubwasm_core::cache`), so every
//! backend holds the layout Python's `huggingface_hub` writes.
//!
//! In workerd the store is the Cache API's (`cache_api.js`, an index entry standing in for listing).
//!
//! - [`Store`]: the store interface as Rust calls it, every failure a `CacheError`;
//! - [`Cache`]: one `HubClient`'s cache — lookups by revision (refs, snapshots, `.no_exist`), blobs
//!   written under a temporary key, verified against their id, then renamed and linked;
//! - `lookup`: the hooks `downloadFile` calls (served from the cache, offline, fallback);
//! - `client`: `hub.cache.scan()` and `hub.cache.delete()`.

pub(crate) mod browser;
mod client;
pub(crate) mod lookup;
mod snapshot;

use std::cell::RefCell;
use std::rc::Rc;

use hubwasm_core::cache::keys::snapshot_link_target;
use hubwasm_core::cache::{BlobId, BlobVerifier, CommitId, RepoKeys, SharedBlob, SHARED_LAYOUT, SHARED_MARKER};
use hubwasm_core::repo::{RepoId, Revision};
use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStream};

use crate::error::Error;

#[wasm_bindgen(module = "/src/cache/store.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = checkStore)]
    fn check_store(store: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = createMemoryStore)]
    fn create_memory_store() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = createAutoStore)]
    fn create_auto_store(where_: Option<String>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = createIndexedDbStore)]
    fn create_indexed_db_store(name: Option<String>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = storeRead)]
    fn store_read(store: &JsValue, key: &str, start: Option<f64>, end: Option<f64>) -> Promise;
    #[wasm_bindgen(js_name = storeReadAll)]
    fn store_read_all(store: &JsValue, key: &str) -> Promise;
    #[wasm_bindgen(js_name = storeStat)]
    fn store_stat(store: &JsValue, key: &str) -> Promise;
    #[wasm_bindgen(js_name = storePut)]
    fn store_put(store: &JsValue, key: &str, bytes: &Uint8Array) -> Promise;
    #[wasm_bindgen(js_name = storeOpen)]
    fn store_open(store: &JsValue, key: &str) -> Promise;
    #[wasm_bindgen(js_name = writerWrite)]
    fn writer_write(writer: &JsValue, bytes: &Uint8Array) -> Promise;
    #[wasm_bindgen(js_name = writerClose)]
    fn writer_close(writer: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = writerAbort)]
    fn writer_abort(writer: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = storeRename)]
    fn store_rename(store: &JsValue, from: &str, to: &str) -> Promise;
    #[wasm_bindgen(js_name = storeLink)]
    fn store_link(store: &JsValue, key: &str, target: &str, blob_key: &str) -> Promise;
    #[wasm_bindgen(js_name = storeList)]
    fn store_list(store: &JsValue, prefix: &str) -> Promise;
    #[wasm_bindgen(js_name = storeRemove)]
    fn store_remove(store: &JsValue, key: &str) -> Promise;
    #[wasm_bindgen(catch)]
    fn nonce() -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = hasSharedBlobs)]
    fn has_shared_blobs(store: &JsValue) -> bool;
    #[wasm_bindgen(js_name = sharedPublish)]
    #[allow(clippy::too_many_arguments)]
    fn shared_publish(
        store: &JsValue,
        temp: &str,
        shared: &str,
        refs: &str,
        lock: &str,
        marker: &str,
        layout: &str,
        line: &str,
        repo_blob: &str,
        target: &str,
        size: f64,
    ) -> Promise;
    #[wasm_bindgen(js_name = sharedAdopt)]
    #[allow(clippy::too_many_arguments)]
    fn shared_adopt(
        store: &JsValue,
        shared: &str,
        refs: &str,
        lock: &str,
        marker: &str,
        layout: &str,
        line: &str,
        repo_blob: &str,
        target: &str,
        size: f64,
    ) -> Promise;
    #[wasm_bindgen(js_name = sharedRewrite)]
    fn shared_rewrite(store: &JsValue, refs: &str, text: &str) -> Promise;
    #[wasm_bindgen(js_name = failedStream)]
    fn failed_stream(error: &JsValue) -> ReadableStream;
    #[wasm_bindgen(catch, js_name = servedStream)]
    fn served_stream(
        opening: &Promise,
        total: f64,
        on_progress: Option<Function>,
        signal: Option<AbortSignal>,
        typed: &JsValue,
    ) -> Result<ReadableStream, JsValue>;
}

thread_local! {
    /// `servedStream`'s `typed(kind, message, cause)`: the package's error for a cached file's stream.
    static TYPED_ERROR: JsValue = Closure::<dyn Fn(String, String, JsValue) -> JsValue>::new(
        |kind: String, message: String, cause: JsValue| {
            JsValue::from(match kind.as_str() {
                "abort" => Error::Aborted { cause },
                "integrity" => Error::Integrity(message),
                _ => Error::Cache { message, cause },
            })
        },
    )
    .into_js_value();
}

#[wasm_bindgen(module = "/src/cache/cache_api.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = isWorkerd)]
    fn is_workerd() -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_name = createCacheApiStore)]
    fn create_cache_api_store(name: Option<String>) -> Result<JsValue, JsValue>;
}

/// `cache` when the caller gives none (issue #11): the runtime's own store.
const DEFAULT_CACHE: &str = "auto";

/// Runs `work` as the Promise a method returns, its errors typed.
fn spawn(work: impl std::future::Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move { work.await.map_err(JsValue::from) })
}

/// A failing store call as a `CacheError`.
fn store_error(what: &str, cause: JsValue) -> Error {
    Error::Cache { message: format!("the cache store failed to {what}"), cause }
}

async fn settle(promise: Promise, what: &str) -> Result<JsValue, Error> {
    JsFuture::from(promise).await.map_err(|cause| store_error(what, cause))
}

/// A store as Rust calls it (the JS glue checks what it answers).
pub(crate) struct Store {
    object: JsValue,
}

/// One file under a listed prefix.
pub(crate) struct ListedFile {
    pub(crate) key: String,
    pub(crate) size: u64,
    pub(crate) link: Option<String>,
    pub(crate) last_accessed: u64,
    pub(crate) last_modified: u64,
}

impl Store {
    async fn read(&self, key: &str, range: Option<(u64, u64)>) -> Result<Option<ReadableStream>, Error> {
        let (start, end) = range.map_or((None, None), |(s, e)| (Some(s as f64), Some(e as f64)));
        let value = settle(store_read(&self.object, key, start, end), &format!("read {key}")).await?;
        Ok(if value.is_null() { None } else { Some(value.unchecked_into()) })
    }

    async fn read_all(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let value = settle(store_read_all(&self.object, key), &format!("read {key}")).await?;
        Ok(if value.is_null() { None } else { Some(Uint8Array::new(&value).to_vec()) })
    }

    /// `(size, symlink target)` of an entry.
    async fn stat(&self, key: &str) -> Result<Option<(u64, Option<String>)>, Error> {
        let value = settle(store_stat(&self.object, key), &format!("stat {key}")).await?;
        if value.is_null() {
            return Ok(None);
        }
        let row: Array = value.unchecked_into();
        Ok(Some((row.get(0).as_f64().unwrap_or(0.0) as u64, row.get(1).as_string())))
    }

    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), Error> {
        settle(store_put(&self.object, key, &Uint8Array::from(bytes)), &format!("write {key}")).await.map(drop)
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), Error> {
        settle(store_rename(&self.object, from, to), &format!("rename {from} to {to}")).await.map(drop)
    }

    async fn link(&self, key: &str, target: &str, blob_key: &str) -> Result<(), Error> {
        settle(store_link(&self.object, key, target, blob_key), &format!("link {key}")).await.map(drop)
    }

    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<ListedFile>, Error> {
        let value = settle(store_list(&self.object, prefix), &format!("list {prefix:?}")).await?;
        let rows: Array = value.unchecked_into();
        Ok(rows
            .iter()
            .map(|row| {
                let row: Array = row.unchecked_into();
                ListedFile {
                    key: row.get(0).as_string().unwrap_or_default(),
                    size: row.get(1).as_f64().unwrap_or(0.0) as u64,
                    link: row.get(2).as_string(),
                    last_accessed: row.get(3).as_f64().unwrap_or(0.0) as u64,
                    last_modified: row.get(4).as_f64().unwrap_or(0.0) as u64,
                }
            })
            .collect())
    }

    pub(crate) async fn remove(&self, key: &str) -> Result<(), Error> {
        settle(store_remove(&self.object, key), &format!("remove {key}")).await.map(drop)
    }

    /// Whether Xet blobs go to Python's shared store (the cache folder; not browser stores).
    pub(crate) fn has_shared_blobs(&self) -> bool {
        has_shared_blobs(&self.object)
    }
}

/// The keys of one repo blob's link into the shared store (hubwasm-core's `SharedBlob`).
struct SharedKeys {
    shared: String,
    refs: String,
    lock: String,
    line: String,
    repo_blob: String,
    target: String,
}

impl SharedKeys {
    fn new(keys: &RepoKeys, blob: &BlobId, shared: &SharedBlob) -> Self {
        SharedKeys {
            shared: shared.key(),
            refs: shared.refs_key(),
            lock: shared.lock_key(),
            line: SharedBlob::reference_line(keys, blob),
            repo_blob: keys.blob(blob),
            target: shared.link_target(),
        }
    }
}

/// One `HubClient`'s cache.
pub(crate) struct Cache {
    pub(crate) store: Store,
    /// `offline: true`: nothing is asked of the network.
    pub(crate) offline: bool,
    on_warning: Option<Function>,
    /// `cacheSizeLimit`: bytes of blobs kept; the least recently used go first.
    size_limit: Option<u64>,
}

/// A file the cache holds: `snapshots/{commit}/{path}` and the blob it names.
pub(crate) struct CachedCopy {
    pub(crate) key: String,
    pub(crate) size: u64,
    /// The blob id (the file's etag), when the entry is a link to one.
    pub(crate) blob: Option<BlobId>,
    /// The Xet file hash, when known: the shared store entry the blob links to, or the Hub's answer.
    pub(crate) xet: Option<SharedBlob>,
}

impl Cache {
    /// From HubClient's options `cache` ("auto", "opfs", "indexeddb", "cacheapi", "memory", false, or a
    /// store), `cacheDir`
    /// and `offline`; `None` when there is no cache.
    pub(crate) fn from_options(
        cache: JsValue,
        cache_dir: Option<String>,
        offline: bool,
        on_warning: Option<Function>,
        size_limit: Option<u64>,
    ) -> Result<Option<Rc<Cache>>, Error> {
        let bad = |message: &str| Error::invalid_input(format!("HubClient option cache {message}"));
        let mode = if cache.is_undefined() { Some(DEFAULT_CACHE.to_string()) } else { cache.as_string() };
        let object = match (mode.as_deref(), cache.as_bool()) {
            (_, Some(false)) | (Some("off"), _) => None,
            // workerd has no file system and no IndexedDB: its Cache API (src/cache/cache_api.js).
            (Some("auto"), _) if is_workerd().unwrap_or(false) => {
                let store = create_cache_api_store(cache_dir).map_err(|e| store_error("open the Cache API", e))?;
                (!store.is_undefined()).then_some(store)
            }
            // The implicit default never makes `new HubClient()` throw: a store that cannot open
            // (Deno without --allow-sys) is an `onWarning`, and there is no cache.
            (Some("auto"), _) if cache.is_undefined() => match create_auto_store(cache_dir) {
                Ok(store) => (!store.is_undefined()).then_some(store),
                Err(e) => {
                    if let Some(callback) = &on_warning {
                        let _ = callback.call1(&JsValue::UNDEFINED, &JsValue::from(store_error("open the cache", e)));
                    }
                    None
                }
            },
            (Some("auto"), _) => {
                let store = create_auto_store(cache_dir).map_err(|e| store_error("open the cache", e))?;
                (!store.is_undefined()).then_some(store)
            }
            (Some("cacheapi"), _) => {
                let store = create_cache_api_store(cache_dir).map_err(|e| store_error("open the Cache API", e))?;
                if store.is_undefined() {
                    return Err(bad("\"cacheapi\" needs the Cache API (caches.open), which this runtime lacks"));
                }
                Some(store)
            }
            (Some("indexeddb"), _) => {
                let store = create_indexed_db_store(cache_dir).map_err(|e| store_error("open IndexedDB", e))?;
                if store.is_undefined() {
                    return Err(bad("\"indexeddb\" needs IndexedDB, which this runtime lacks"));
                }
                Some(store)
            }
            (Some("memory"), _) => Some(create_memory_store().map_err(|e| store_error("start", e))?),
            (Some("opfs"), _) => match browser::opfs_store(cache_dir)? {
                Some(store) => Some(store),
                None => {
                    return Err(bad("\"opfs\" needs a writable Origin Private File System, which this runtime lacks"))
                }
            },
            (Some(other), _) => {
                return Err(bad(&format!(
                "must be \"auto\", \"opfs\", \"indexeddb\", \"cacheapi\", \"memory\", false or a store, got {other:?}"
            )))
            }
            (None, Some(true)) => return Err(bad("must be \"auto\", \"memory\", false or a store, got true")),
            (None, _) => {
                let problem =
                    check_store(&cache).map_err(|_| bad("cannot be inspected (a getter or a Proxy trap threw)"))?;
                if let Some(problem) = problem.as_string() {
                    return Err(bad(&problem));
                }
                Some(cache)
            }
        };
        match object {
            Some(object) => Ok(Some(Rc::new(Cache { store: Store { object }, offline, on_warning, size_limit }))),
            None if offline => Err(Error::invalid_input("HubClient option offline needs a cache")),
            None => Ok(None),
        }
    }

    /// A failed write reported to `onWarning` (the download goes on, uncached).
    pub(crate) fn warn(&self, error: Error) {
        if let Some(callback) = &self.on_warning {
            let _ = callback.call1(&JsValue::UNDEFINED, &JsValue::from(error));
        }
    }

    /// The commit a revision last resolved to here: itself for a commit id, else `refs/{revision}`.
    pub(crate) async fn known_commit(&self, repo: &RepoId, revision: &Revision) -> Result<Option<CommitId>, Error> {
        if let Ok(commit) = CommitId::parse(revision.as_str()) {
            return Ok(Some(commit));
        }
        let Some(key) = RepoKeys::new(repo).reference(revision) else { return Ok(None) };
        let Some(bytes) = self.store.read_all(&key).await? else { return Ok(None) };
        Ok(std::str::from_utf8(&bytes).ok().and_then(|text| CommitId::parse(text.trim()).ok()))
    }

    /// Writes `refs/{revision}` when it is a name and does not already say `commit`.
    pub(crate) async fn record_ref(&self, repo: &RepoId, revision: &Revision, commit: &CommitId) -> Result<(), Error> {
        let Some(key) = RepoKeys::new(repo).reference(revision) else { return Ok(()) };
        if self.store.read_all(&key).await?.as_deref() == Some(commit.as_str().as_bytes()) {
            return Ok(());
        }
        self.store.put(&key, commit.as_str().as_bytes()).await
    }

    pub(crate) async fn snapshot(
        &self,
        repo: &RepoId,
        commit: &CommitId,
        path: &str,
    ) -> Result<Option<CachedCopy>, Error> {
        let key = RepoKeys::new(repo).snapshot(commit, path).map_err(|e| Error::Internal(e.to_string()))?;
        let Some((size, link)) = self.store.stat(&key).await? else { return Ok(None) };
        let blob = link.and_then(|target| hubwasm_core::cache::keys::blob_of_link_target(path, &target));
        let xet = match &blob {
            Some(blob) if blob.is_sha256() => self.shared_target(&RepoKeys::new(repo).blob(blob)).await?,
            _ => None,
        };
        Ok(Some(CachedCopy { key, size, blob, xet }))
    }

    pub(crate) async fn is_missing(&self, repo: &RepoId, commit: &CommitId, path: &str) -> Result<bool, Error> {
        let key = RepoKeys::new(repo).no_exist(commit, path).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(self.store.stat(&key).await?.is_some())
    }

    pub(crate) async fn record_missing(&self, repo: &RepoId, commit: &CommitId, path: &str) -> Result<(), Error> {
        let key = RepoKeys::new(repo).no_exist(commit, path).map_err(|e| Error::Internal(e.to_string()))?;
        self.store.put(&key, &[]).await
    }

    /// `snapshots/{commit}/{path}` → `blobs/{id}`, when that blob is stored with `size` bytes —
    /// in the repo folder, or (a Xet file) in the shared store, which the repo blob then links to.
    pub(crate) async fn link_existing_blob(
        &self,
        repo: &RepoId,
        commit: &CommitId,
        path: &str,
        blob: &BlobId,
        size: u64,
        xet: Option<&SharedBlob>,
    ) -> Result<Option<CachedCopy>, Error> {
        let keys = RepoKeys::new(repo);
        let blob_key = keys.blob(blob);
        match self.store.stat(&blob_key).await? {
            Some((stored, _)) if stored == size => {}
            _ => match xet {
                Some(shared) if self.store.has_shared_blobs() => {
                    let keys_of = SharedKeys::new(&keys, blob, shared);
                    let adopted = shared_adopt(
                        &self.store.object,
                        &keys_of.shared,
                        &keys_of.refs,
                        &keys_of.lock,
                        SHARED_MARKER,
                        SHARED_LAYOUT,
                        &keys_of.line,
                        &keys_of.repo_blob,
                        &keys_of.target,
                        size as f64,
                    );
                    if settle(adopted, "link a shared blob").await?.as_bool() != Some(true) {
                        return Ok(None);
                    }
                }
                _ => return Ok(None),
            },
        }
        self.link(&keys, commit, path, blob).await?;
        let mut copy = self.snapshot(repo, commit, path).await?;
        if let Some(copy) = copy.as_mut() {
            copy.xet = copy.xet.take().or_else(|| xet.cloned());
        }
        Ok(copy)
    }

    /// The shared store entry the repo blob at `blob_key` is a symlink to, if it is one.
    pub(crate) async fn shared_target(&self, blob_key: &str) -> Result<Option<SharedBlob>, Error> {
        let link = self.store.stat(blob_key).await?.and_then(|(_, link)| link);
        Ok(link.and_then(|target| SharedBlob::of_link_target(&target)))
    }

    /// Python's `sweep_shared_blob`, after repo blobs linking to `shared` were removed: the manifest
    /// keeps the references still valid (symlinks to this payload); with none, the payload and its
    /// manifest go. A missing or unreadable manifest, or an unmarked store, keeps everything.
    pub(crate) async fn sweep_shared(&self, shared: &SharedBlob) -> Result<(), Error> {
        if !self.store.has_shared_blobs()
            || self.store.read_all(SHARED_MARKER).await?.as_deref() != Some(SHARED_LAYOUT.as_bytes())
        {
            return Ok(());
        }
        let Some(manifest) = self.store.read_all(&shared.refs_key()).await? else { return Ok(()) };
        let Ok(manifest) = String::from_utf8(manifest) else { return Ok(()) };
        let mut kept = std::collections::BTreeSet::new();
        for key in SharedBlob::references(&manifest) {
            if self.shared_target(&key).await?.as_ref() == Some(shared) {
                kept.insert(key);
            }
        }
        if kept.is_empty() {
            self.store.remove(&shared.key()).await?;
            return self.store.remove(&shared.refs_key()).await;
        }
        // Python rewrites under a file lock that Node and Deno lack: lines appended since the first
        // read (another download linking this payload meanwhile) are kept, so a rewrite loses none
        // but those of a writer inside the few awaits between this read and the rename.
        let first: std::collections::BTreeSet<String> = SharedBlob::references(&manifest).into_iter().collect();
        if let Some(now) = self.store.read_all(&shared.refs_key()).await?.and_then(|b| String::from_utf8(b).ok()) {
            kept.extend(SharedBlob::references(&now).into_iter().filter(|key| !first.contains(key)));
        }
        let text: String = kept.iter().map(|key| format!("{key}\n")).collect();
        settle(shared_rewrite(&self.store.object, &shared.refs_key(), &text), "rewrite a shared blob manifest")
            .await
            .map(drop)
    }

    async fn link(&self, keys: &RepoKeys, commit: &CommitId, path: &str, blob: &BlobId) -> Result<(), Error> {
        let key = keys.snapshot(commit, path).map_err(|e| Error::Internal(e.to_string()))?;
        let target = snapshot_link_target(path, blob).map_err(|e| Error::Internal(e.to_string()))?;
        self.store.link(&key, &target, &keys.blob(blob)).await
    }

    /// The bytes of a cached copy (`range`: `[start, end)`), delivered with progress and abort;
    /// the store is opened when the stream is first read.
    pub(crate) fn open(
        self: &Rc<Self>,
        copy: &CachedCopy,
        range: Option<(u64, u64)>,
        on_progress: Option<Function>,
        signal: Option<AbortSignal>,
    ) -> Result<ReadableStream, Error> {
        let total = range.map_or(copy.size, |(s, e)| e - s);
        let (cache, key) = (self.clone(), copy.key.clone());
        let opening = wasm_bindgen_futures::future_to_promise(async move {
            let stream = cache.store.read(&key, range).await?;
            let missing =
                || Error::Cache { message: format!("{key} vanished from the cache"), cause: JsValue::UNDEFINED };
            Ok(stream.ok_or_else(missing)?.into())
        });
        TYPED_ERROR
            .with(|typed| served_stream(&opening, total as f64, on_progress, signal, typed))
            .map_err(|e| store_error("serve a file", e))
    }
}

impl Cache {
    /// Evicts the least recently used blobs (and the snapshot entries naming them) until the blobs
    /// fit in `cacheSizeLimit`; `keep` (the blob just stored) is never among them. A payload in the
    /// shared Xet store counts once: it is one candidate, evicted with every repo blob linking to it.
    async fn enforce_limit(&self, keep: &str) -> Result<(), Error> {
        let Some(limit) = self.size_limit else { return Ok(()) };
        let files = self.store.list("").await?;
        let is_blob = |key: &str| {
            let parts: Vec<&str> = key.split('/').collect();
            parts.len() == 3 && parts[1] == hubwasm_core::cache::BLOBS_DIR && BlobId::from_etag(parts[2]).is_ok()
        };
        // Candidate (a repo blob, or a shared payload) → its use and the repo blobs it stands for.
        let mut groups: std::collections::BTreeMap<String, (hubwasm_core::cache::BlobUse, Vec<String>, bool)> =
            Default::default();
        for file in files.iter().filter(|f| is_blob(&f.key)) {
            let shared = file.link.as_deref().and_then(SharedBlob::of_link_target);
            let key = shared.as_ref().map_or_else(|| file.key.clone(), SharedBlob::key);
            let last_used = file.last_accessed.max(file.last_modified);
            let use_ = hubwasm_core::cache::BlobUse { key: key.clone(), size: file.size, last_used };
            let group = groups.entry(key).or_insert((use_, Vec::new(), false));
            group.0.last_used = group.0.last_used.max(last_used);
            group.1.push(file.key.clone());
            group.2 |= file.key == keep;
        }
        let kept: u64 = groups.values().filter(|g| g.2).map(|g| g.0.size).sum();
        let candidates: Vec<_> = groups.values().filter(|g| !g.2).map(|g| g.0.clone()).collect();
        let evicted = hubwasm_core::cache::select_lru_evictions(&candidates, limit.saturating_sub(kept));
        for candidate in &evicted {
            let Some((_, members, _)) = groups.get(candidate) else { continue };
            for blob_key in members {
                let (folder, id) = blob_key.split_once("/blobs/").unwrap_or_default();
                // The snapshot entries that link to it go first, so no entry ever names a missing blob.
                let snapshots = format!("{folder}/{}/", hubwasm_core::cache::SNAPSHOTS_DIR);
                for file in files.iter().filter(|f| f.key.starts_with(&snapshots)) {
                    let Some((_, path)) = file.key[snapshots.len()..].split_once('/') else { continue };
                    let target =
                        file.link.as_deref().and_then(|t| hubwasm_core::cache::keys::blob_of_link_target(path, t));
                    if target.as_ref().map(BlobId::as_str) == Some(id) {
                        self.store.remove(&file.key).await?;
                    }
                }
                self.store.remove(blob_key).await?;
            }
            if let Some(shared) = candidate.rsplit('/').next().and_then(|h| SharedBlob::from_xet_hash(h).ok()) {
                if shared.key() == *candidate {
                    self.sweep_shared(&shared).await?;
                }
            }
        }
        Ok(())
    }
}

/// A blob being written: under a temporary key, each chunk fed to its verifier; published (renamed,
/// linked from the snapshot, the ref recorded) only when every byte matched. Dropped unfinished
/// (an error, a cancelled stream), the temporary entry is removed.
pub(crate) struct BlobWrite {
    cache: Rc<Cache>,
    repo: RepoId,
    revision: Revision,
    commit: CommitId,
    path: String,
    blob: BlobId,
    /// A Xet file's hash: its blob goes to the shared store where the store keeps one.
    xet: Option<SharedBlob>,
    size: u64,
    temp_key: String,
    writer: Option<JsValue>,
    verifier: Option<BlobVerifier>,
}

impl BlobWrite {
    /// Starts the write; a store that cannot is a warning, and the download goes on uncached.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn start(
        cache: Rc<Cache>,
        repo: RepoId,
        revision: Revision,
        commit: CommitId,
        path: String,
        blob: BlobId,
        size: u64,
        xet: Option<SharedBlob>,
    ) -> Option<BlobWrite> {
        let keys = RepoKeys::new(&repo);
        let opened = async {
            let nonce = nonce().map_err(|e| store_error("draw a temporary name", e))?;
            let temp_key = keys.temp_blob(&blob, &nonce).map_err(|e| Error::Internal(e.to_string()))?;
            let writer = settle(store_open(&cache.store.object, &temp_key), &format!("create {temp_key}")).await?;
            Ok::<_, Error>((temp_key, writer))
        };
        match opened.await {
            Ok((temp_key, writer)) => {
                let verifier = Some(BlobVerifier::new(blob.clone(), size));
                let writer = Some(writer);
                Some(BlobWrite { cache, repo, revision, commit, path, blob, xet, size, temp_key, writer, verifier })
            }
            Err(e) => {
                cache.warn(e);
                None
            }
        }
    }

    /// Feeds delivered bytes; a store failure ends the write (with a warning), never the download.
    /// The store is handed the caller's chunk itself (it is awaited before the next one is made).
    pub(crate) async fn feed(this: &RefCell<Option<BlobWrite>>, piece: &Uint8Array) {
        let Some(mut write) = this.borrow_mut().take() else { return };
        let Some(writer) = write.writer.clone() else { return };
        if let Some(v) = write.verifier.as_mut() {
            v.update(&piece.to_vec());
        }
        match settle(writer_write(&writer, piece), "write a blob").await {
            Ok(_) => *this.borrow_mut() = Some(write),
            Err(e) => {
                write.cache.warn(e);
                // Dropping it removes the temporary entry.
            }
        }
    }

    /// The download ended verified: check the blob against its id, publish it.
    pub(crate) async fn finish(this: &RefCell<Option<BlobWrite>>) {
        let Some(mut write) = this.borrow_mut().take() else { return };
        let cache = write.cache.clone();
        if let Err(e) = write.publish().await {
            cache.warn(e);
        }
    }

    async fn publish(&mut self) -> Result<(), Error> {
        let writer = self.writer.take().ok_or_else(|| Error::Internal("a blob write published twice".into()))?;
        settle(writer_close(&writer), "close a blob").await?;
        let verifier = self.verifier.take().ok_or_else(|| Error::Internal("a blob write published twice".into()))?;
        if let Err(mismatch) = verifier.finish() {
            let _ = self.cache.store.remove(&self.temp_key).await;
            self.temp_key.clear();
            return Err(Error::Cache {
                message: format!("{} was not cached: {mismatch}", self.path),
                cause: JsValue::UNDEFINED,
            });
        }
        let keys = RepoKeys::new(&self.repo);
        let published = match &self.xet {
            Some(shared) if self.cache.store.has_shared_blobs() => {
                let k = SharedKeys::new(&keys, &self.blob, shared);
                let shared = shared_publish(
                    &self.cache.store.object,
                    &self.temp_key,
                    &k.shared,
                    &k.refs,
                    &k.lock,
                    SHARED_MARKER,
                    SHARED_LAYOUT,
                    &k.line,
                    &k.repo_blob,
                    &k.target,
                    self.size as f64,
                );
                match settle(shared, "publish a shared blob").await {
                    Ok(done) if done.as_bool() == Some(true) => Ok(()),
                    // The store refused (an unmarked folder, no symlinks): the blob stays in the repo.
                    Ok(_) => self.cache.store.rename(&self.temp_key, &keys.blob(&self.blob)).await,
                    Err(e) => Err(e),
                }
            }
            _ => self.cache.store.rename(&self.temp_key, &keys.blob(&self.blob)).await,
        };
        if published.is_err() {
            let _ = self.cache.store.remove(&self.temp_key).await;
        }
        self.temp_key.clear();
        published?;
        self.cache.link(&keys, &self.commit, &self.path, &self.blob).await?;
        self.cache.record_ref(&self.repo, &self.revision, &self.commit).await?;
        self.cache.enforce_limit(&keys.blob(&self.blob)).await
    }
}

impl Drop for BlobWrite {
    fn drop(&mut self) {
        if self.temp_key.is_empty() {
            return;
        }
        let (store, key, writer) =
            (self.cache.store.object.clone(), std::mem::take(&mut self.temp_key), self.writer.take());
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(writer) = writer {
                let _ = JsFuture::from(writer_abort(&writer)).await;
            }
            let _ = JsFuture::from(store_remove(&store, &key)).await;
        });
    }
}
