//! `hub.cache`: `scan()` (the figures of Python's `scan_cache_dir`) and `delete({ repo, revision })`,
//! and the TypeScript of the cache options and of the store interface a caller may pass.

use std::collections::BTreeMap;
use std::rc::Rc;

use hubwasm_core::cache::evict::plan_revision_delete;
use hubwasm_core::cache::keys::blob_of_link_target;
use hubwasm_core::cache::scan::{scan_repo, BlobRef, CachedRepo, RepoListing, SnapshotEntry};
use hubwasm_core::cache::{RepoKeys, SharedBlob, BLOBS_DIR, REFS_DIR, SHARED_LAYOUT, SHARED_MARKER, SNAPSHOTS_DIR};
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::Cache;
use crate::error::Error;
use crate::hub::options::Options;
use crate::hub::HubClient;
use crate::js::convert::to_js;

#[wasm_bindgen(typescript_custom_section)]
const CACHE_TYPES: &str = r#"
export interface HubClientOptions {
  /** Where downloaded files are kept: `"auto"` (the default: the Hugging Face cache folder on Node
   * and Deno, shared with Python; OPFS in pages and Web Workers, IndexedDB where OPFS cannot be
   * written; the Cache API in Cloudflare Workers), `"opfs"`, `"indexeddb"`, `"cacheapi"` (the Cache
   * API: `caches.default` in Workers, else `caches.open(cacheDir ?? "hubwasm")`), `"memory"`,
   * `false` (none), or a store of your own. */
  cache?: "auto" | "opfs" | "indexeddb" | "cacheapi" | "memory" | false | CacheStore;
  /** Node and Deno: the cache folder (default `HF_HUB_CACHE`, else `HF_HOME/hub`, else
   * `~/.cache/huggingface/hub`). Browsers: the OPFS folder or the IndexedDB database (default
   * `hubwasm-cache`). The Cache API: the cache's name (`caches.open(cacheDir)`). */
  cacheDir?: string;
  /** Serve only from the cache and send no request (a miss is a LocalEntryNotFoundError). */
  offline?: boolean;
  /** Bytes of blobs the cache keeps: past it, the least recently used blobs (and the snapshot entries
   * naming them) are evicted after each new one is stored. Default: no limit. */
  cacheSizeLimit?: number;
  /** Called with a CacheError when the cache could not be written; the download still succeeds. */
  onWarning?: (warning: Error) => void;
}

/**
 * A cache backend. Keys are `/`-separated paths relative to the cache root, in the layout Python's
 * huggingface_hub writes (`models--org--name/blobs/{etag}`, `…/snapshots/{commit}/{path}`,
 * `…/refs/{revision}`, `…/.no_exist/{commit}/{path}`); hubwasm validates every key first.
 */
export interface CacheStore {
  /** Set it when tabs and Workers of one origin share the store's storage: a download that will
   * cache a blob then holds the Web Lock of `{lockScope}` + the blob key, so a second tab waits
   * and is served the stored blob instead of fetching it again. The built-in OPFS and IndexedDB
   * stores set it. */
  readonly lockScope?: string;
  /** Bytes `[start, end)` of an entry (a link is followed), the whole entry without them; null when missing. */
  read(key: string, start?: number, end?: number): Promise<Uint8Array | Blob | ReadableStream<Uint8Array> | null>;
  /** An entry's size (a link's blob's) and, for a link, its target; null when missing. */
  stat(key: string): Promise<{ size: number; link?: string } | null>;
  /** Writes a small entry (a ref, a marker) atomically. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** A writer for a new entry (a blob's temporary key: hubwasm renames it once verified). Each chunk
   * given to `write` is awaited before the next; keep a copy if you hold on to it. */
  open(key: string): Promise<{ write(bytes: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  /** Makes `key` a link to `blobKey`; `target` is the relative path a symlink holds. */
  link(key: string, target: string, blobKey: string): Promise<void>;
  /** Every entry under `prefix` ("" for all), recursively; sizes and times are those of a link's blob. */
  list(prefix: string): Promise<{ key: string; size: number; link?: string; lastAccessed?: number; lastModified?: number }[]>;
  /** Removes an entry, or everything under a prefix. */
  remove(key: string): Promise<void>;
}

export interface CacheScan {
  repos: CachedRepoInfo[];
  /** Bytes of every repo's blobs. */
  sizeOnDisk: number;
  /** Folders that are not readable cache repos, as Python's CorruptedCacheException messages. */
  warnings: string[];
}

export interface CachedRepoInfo {
  /** `org/name`. */
  repo: string;
  type: "model" | "dataset" | "space";
  /** Distinct blobs named by a snapshot, and their bytes (Python's `nb_files`, `size_on_disk`). */
  nbFiles: number;
  sizeOnDisk: number;
  lastAccessed: number;
  lastModified: number;
  revisions: { commit: string; refs: string[]; nbFiles: number; sizeOnDisk: number; files: { path: string; blob: string | null; size: number }[] }[];
}

export interface CacheDeleteOptions {
  repo: RepoDesignation;
  /** A commit or a ref the cache knows; without it, the whole repo. */
  revision?: string;
}
"#;

/// `hub.cache`: the client's cache.
#[wasm_bindgen]
pub struct HubCache {
    cache: Rc<Cache>,
}

#[wasm_bindgen]
impl HubClient {
    /// The client's cache, or undefined when it has none.
    #[wasm_bindgen(getter)]
    pub fn cache(&self) -> Option<HubCache> {
        self.cache.clone().map(|cache| HubCache { cache })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScanAnswer {
    repos: Vec<RepoAnswer>,
    size_on_disk: u64,
    warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RepoAnswer {
    repo: String,
    #[serde(rename = "type")]
    kind: &'static str,
    nb_files: usize,
    size_on_disk: u64,
    last_accessed: u64,
    last_modified: u64,
    revisions: Vec<RevisionAnswer>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevisionAnswer {
    commit: String,
    refs: Vec<String>,
    nb_files: usize,
    size_on_disk: u64,
    files: Vec<FileAnswer>,
}

#[derive(Serialize)]
struct FileAnswer {
    path: String,
    blob: Option<String>,
    size: u64,
}

impl From<CachedRepo> for RepoAnswer {
    fn from(repo: CachedRepo) -> Self {
        RepoAnswer {
            repo: repo.repo.as_str().to_string(),
            kind: repo.repo.repo_type().as_str(),
            nb_files: repo.nb_files,
            size_on_disk: repo.size_on_disk,
            last_accessed: repo.last_accessed,
            last_modified: repo.last_modified,
            revisions: repo
                .revisions
                .into_iter()
                .map(|r| RevisionAnswer {
                    commit: r.commit,
                    refs: r.refs,
                    nb_files: r.nb_files,
                    size_on_disk: r.size_on_disk,
                    files: r
                        .files
                        .into_iter()
                        .map(|f| FileAnswer { path: f.path, blob: f.blob.map(|b| b.to_string()), size: f.size })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Entries at the root that are not repos (Python skips the same; `blobs` is its shared Xet store).
const NOT_REPOS: &[&str] = &[".locks", "CACHEDIR.TAG", "blobs", ".DS_Store", "Thumbs.db", "desktop.ini"];

/// What the shared Xet store adds to a scan: the repo blobs that are symlinks into it (counted once,
/// as their payload), and the bytes of every payload (Python's `shared_store_blob_paths`).
#[derive(Default)]
struct SharedUse {
    linked: std::collections::BTreeSet<String>,
    payload_bytes: u64,
}

/// Lists every repo folder (or only `only`) and reads its refs: the listings `scan_repo` takes.
async fn listings(cache: &Cache, only: Option<&str>) -> Result<Vec<RepoListing>, Error> {
    Ok(listings_and_shared(cache, only).await?.0)
}

async fn listings_and_shared(cache: &Cache, only: Option<&str>) -> Result<(Vec<RepoListing>, SharedUse), Error> {
    let files = cache.store.list(only.unwrap_or("")).await?;
    let mut shared = SharedUse::default();
    let mut marked = None;
    for file in files.iter().filter(|f| f.link.is_none() && f.key.starts_with("blobs/")) {
        let hash = file.key.rsplit('/').next().unwrap_or_default();
        if SharedBlob::from_xet_hash(hash).is_ok_and(|s| s.key() == file.key) {
            if marked.is_none() {
                let marker = cache.store.read_all(SHARED_MARKER).await?;
                marked = Some(marker.as_deref() == Some(SHARED_LAYOUT.as_bytes()));
            }
            if marked == Some(true) {
                shared.payload_bytes += file.size;
            }
        }
    }
    let mut by_folder: BTreeMap<String, RepoListing> = BTreeMap::new();
    let mut snapshots: BTreeMap<(String, String), Vec<SnapshotEntry>> = BTreeMap::new();
    let mut refs: Vec<(String, String, String)> = Vec::new();
    for file in files {
        let mut parts = file.key.splitn(3, '/');
        let (Some(folder), Some(area), Some(rest)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if NOT_REPOS.contains(&folder) {
            continue;
        }
        let listing = by_folder
            .entry(folder.to_string())
            .or_insert_with(|| RepoListing { folder: folder.to_string(), ..RepoListing::default() });
        listing.last_accessed = listing.last_accessed.max(file.last_accessed);
        listing.last_modified = listing.last_modified.max(file.last_modified);
        if area == BLOBS_DIR && file.link.as_deref().and_then(SharedBlob::of_link_target).is_some() {
            shared.linked.insert(file.key.clone());
        } else if area == REFS_DIR {
            refs.push((folder.to_string(), rest.to_string(), file.key.clone()));
        } else if area == SNAPSHOTS_DIR {
            let Some((commit, path)) = rest.split_once('/') else { continue };
            let blob = match file.link.as_deref().and_then(|target| blob_of_link_target(path, target)) {
                Some(blob) => BlobRef::Blob(blob),
                None => BlobRef::Copy,
            };
            let entry = SnapshotEntry {
                path: path.to_string(),
                blob,
                size: file.size,
                last_accessed: file.last_accessed,
                last_modified: file.last_modified,
            };
            snapshots.entry((folder.to_string(), commit.to_string())).or_default().push(entry);
        }
    }
    for ((folder, commit), entries) in snapshots {
        if let Some(listing) = by_folder.get_mut(&folder) {
            listing.snapshots.push((commit, entries));
        }
    }
    for (folder, name, key) in refs {
        // Python's temporary ref files are `{name}.{8 hex}.tmp`; one left behind is not a ref.
        if name.ends_with(".tmp") {
            continue;
        }
        let content = cache.store.read_all(&key).await?.unwrap_or_default();
        if let Some(listing) = by_folder.get_mut(&folder) {
            listing.refs.push((name, String::from_utf8_lossy(&content).into_owned()));
        }
    }
    if marked != Some(true) {
        shared.linked.clear();
    }
    Ok((by_folder.into_values().collect(), shared))
}

#[wasm_bindgen]
impl HubCache {
    /// Repos, revisions, files and sizes, with the figures Python's `scan_cache_dir` gives.
    #[wasm_bindgen(unchecked_return_type = "Promise<CacheScan>")]
    pub fn scan(&self) -> Promise {
        let cache = self.cache.clone();
        super::spawn(async move {
            let mut answer = ScanAnswer { repos: Vec::new(), size_on_disk: 0, warnings: Vec::new() };
            let (listings, shared) = listings_and_shared(&cache, None).await?;
            // Python's total is physical: a shared payload counts once, through the store.
            answer.size_on_disk = shared.payload_bytes;
            for listing in listings {
                match scan_repo(&listing) {
                    Ok(repo) => {
                        let mut linked = std::collections::BTreeMap::new();
                        for file in repo.revisions.iter().flat_map(|r| &r.files) {
                            let Some(blob) = &file.blob else { continue };
                            let key = format!("{}/{BLOBS_DIR}/{blob}", listing.folder);
                            if shared.linked.contains(&key) {
                                linked.insert(key, file.size);
                            }
                        }
                        answer.size_on_disk += repo.size_on_disk - linked.values().sum::<u64>();
                        answer.repos.push(repo.into());
                    }
                    Err(e) => answer.warnings.push(format!("{}: {e}", listing.folder)),
                }
            }
            to_js(&answer)
        })
    }

    /// Removes a revision (its snapshot, the refs naming it, the blobs no other revision uses) or,
    /// without `revision`, the whole repo. Resolves to `{ freed }`, the bytes removed.
    #[wasm_bindgen(unchecked_return_type = "Promise<{ freed: number }>")]
    pub fn delete(&self, #[wasm_bindgen(unchecked_param_type = "CacheDeleteOptions")] options: JsValue) -> Promise {
        let cache = self.cache.clone();
        super::spawn(async move {
            let o = Options::new(options, "cache.delete")?;
            let (repo, revision) = (o.repo(None)?, o.revision()?);
            let keys = RepoKeys::new(&repo);
            let listing = listings(&cache, Some(keys.folder())).await?.pop();
            let scanned = listing.as_ref().map(scan_repo).transpose().ok().flatten();
            let freed = match revision {
                None => {
                    let blobs = format!("{}/{BLOBS_DIR}", keys.folder());
                    let mut shared = Vec::new();
                    for file in cache.store.list(&blobs).await? {
                        shared.extend(file.link.as_deref().and_then(SharedBlob::of_link_target));
                    }
                    cache.store.remove(keys.folder()).await?;
                    for blob in &shared {
                        cache.sweep_shared(blob).await?;
                    }
                    scanned.map_or(0, |r| r.size_on_disk)
                }
                Some(revision) => {
                    let Some(repo_scan) = scanned else { return to_js(&Freed { freed: 0 }) };
                    let Some(commit) = cache.known_commit(&repo, &revision).await? else {
                        return to_js(&Freed { freed: 0 });
                    };
                    let plan = plan_revision_delete(&repo_scan, &[commit.as_str()]);
                    let mut shared = Vec::new();
                    for key in &plan.blobs {
                        shared.extend(cache.shared_target(key).await?);
                    }
                    if let Some(folder) = &plan.whole_repo {
                        let blobs = format!("{folder}/{BLOBS_DIR}");
                        for file in cache.store.list(&blobs).await? {
                            shared.extend(file.link.as_deref().and_then(SharedBlob::of_link_target));
                        }
                        cache.store.remove(folder).await?;
                    }
                    for key in plan.snapshots.iter().chain(&plan.refs).chain(&plan.blobs) {
                        cache.store.remove(key).await?;
                    }
                    // As Python's delete: a payload goes only when no repo links to it any more.
                    for blob in &shared {
                        cache.sweep_shared(blob).await?;
                    }
                    // The marker folder of that commit goes with it.
                    let no_exist = format!("{}/{}/{commit}", keys.folder(), hubwasm_core::cache::NO_EXIST_DIR);
                    cache.store.remove(&no_exist).await?;
                    plan.freed
                }
            };
            to_js(&Freed { freed })
        })
    }
}

#[derive(Serialize)]
struct Freed {
    freed: u64,
}
