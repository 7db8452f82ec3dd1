//! `hub.snapshotDownload({ repo, revision, allowPatterns, ignorePatterns, concurrency, onProgress })`:
//! every file of one commit (filtered as Python's `snapshot_download` filters), downloaded into the
//! cache through `downloadFile` (so each is verified, and a cached one costs no request), a bounded
//! number at once, with progress across files. On Node and Deno the answer names the snapshot folder,
//! as Python's returns its path; elsewhere the files are read back with `downloadFile`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use hubwasm_core::api::{EntryKind, TreeEntry};
use hubwasm_core::cache::patterns::is_selected;
use hubwasm_core::cache::{CommitId, RepoKeys};
use hubwasm_core::http::link::parse_next_link;
use hubwasm_core::repo::{RepoId, Revision};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use super::lookup::resolve_commit;
use super::Cache;
use crate::error::Error;
use crate::http::{Request, Transport};
use crate::hub::options::Options;
use crate::hub::HubClient;
use crate::js::convert::to_js;

#[wasm_bindgen(module = "/src/cache/store.js")]
extern "C" {
    #[wasm_bindgen(js_name = drainFile)]
    fn drain_file(file: &JsValue, report: &Function) -> Promise;
    #[wasm_bindgen(catch, js_name = snapshotFolder)]
    fn snapshot_folder(store: &JsValue, key: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const SNAPSHOT_TYPES: &str = r#"
export interface SnapshotDownloadOptions {
  repo: RepoDesignation;
  /** Default `main`. */
  revision?: string;
  /** Only paths matching one of these (Python's fnmatch rules: `*` crosses `/`; `folder/` is everything in it). */
  allowPatterns?: string[];
  /** Not the paths matching one of these. */
  ignorePatterns?: string[];
  /** Files downloaded at once (default 8, at most 64). */
  concurrency?: number;
  /** Called as bytes arrive, across all files. */
  onProgress?: (progress: { loaded: number; total: number; files: number; filesDone: number }) => void;
  abortSignal?: AbortSignal;
}

export interface SnapshotDownload {
  /** The commit the revision resolved to. */
  commit: string;
  /** Node and Deno with the Hugging Face cache folder: `…/snapshots/{commit}`, as Python's snapshot_download returns. */
  folder: string | null;
  files: { path: string; size: number; fromCache: boolean }[];
}
"#;

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct SnapshotFile {
    path: String,
    size: u64,
    from_cache: bool,
}

#[derive(Serialize)]
struct Answer {
    commit: String,
    folder: Option<String>,
    files: Vec<SnapshotFile>,
}

#[wasm_bindgen]
impl HubClient {
    #[wasm_bindgen(js_name = snapshotDownload, unchecked_return_type = "Promise<SnapshotDownload>")]
    pub fn snapshot_download(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SnapshotDownloadOptions")] options: JsValue,
    ) -> Promise {
        let (transport, cache) = (self.transport().clone(), self.cache.clone());
        future_to_promise(async move { snapshot(transport, cache, options).await })
    }
}

async fn snapshot(transport: Rc<Transport>, cache: Option<Rc<Cache>>, options: JsValue) -> Result<JsValue, JsValue> {
    let o = Options::new(options, "snapshotDownload")?;
    let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
    let allow = o.strings("allowPatterns")?;
    let ignore = o.strings("ignorePatterns")?.unwrap_or_default();
    let concurrency = o.count("concurrency", 64)?.unwrap_or(8).max(1) as usize;
    let on_progress = o.function("onProgress")?;
    let cache = cache
        .ok_or_else(|| Error::invalid_input("snapshotDownload() needs a cache: new HubClient({ cache: \"auto\" })"))?;
    let revision = revision.unwrap_or_else(Revision::main);
    let commit = if cache.offline {
        cache.known_commit(&repo, &revision).await?.ok_or_else(|| {
            Error::LocalEntryNotFound(format!("{} {} is not in the cache", repo.as_str(), revision.as_str()))
        })?
    } else {
        match CommitId::parse(revision.as_str()) {
            Ok(commit) => commit,
            Err(_) => resolve_commit(&transport, &repo, &revision, signal.as_ref()).await?,
        }
    };
    let files = if cache.offline {
        cached_files(&cache, &repo, &commit).await?
    } else {
        tree(&transport, &repo, &commit, signal.as_ref()).await?
    };
    let files: Vec<(String, u64)> =
        files.into_iter().filter(|(path, _)| is_selected(path, allow.as_deref(), &ignore)).collect();
    let total: u64 = files.iter().map(|f| f.1).sum();
    let count = files.len() as u32;
    let (loaded, done) = (Rc::new(Cell::new(0u64)), Rc::new(Cell::new(0u32)));
    let report = {
        let (loaded, done, on_progress) = (loaded.clone(), done.clone(), on_progress.clone());
        Closure::<dyn FnMut(f64)>::new(move |bytes: f64| {
            loaded.set(loaded.get() + bytes as u64);
            progress(&on_progress, loaded.get(), total, count, done.get());
        })
    };
    let results: Rc<RefCell<Vec<SnapshotFile>>> = Rc::default();
    // `concurrency` lanes, each downloading its share of the files one after the other.
    let lanes = Array::new();
    for lane in 0..concurrency.min(files.len()) {
        let mine: Vec<(String, u64)> = files.iter().skip(lane).step_by(concurrency).cloned().collect();
        let client = HubClient::with_parts(transport.clone(), Some(cache.clone()));
        let report: Function = report.as_ref().unchecked_ref::<Function>().clone();
        let (designation, at, signal) = (repo.web_path(), commit.to_string(), signal.clone());
        let (done, on_progress, loaded, results) = (done.clone(), on_progress.clone(), loaded.clone(), results.clone());
        lanes.push(&future_to_promise(async move {
            for (path, size) in mine {
                let options = Object::new();
                let set = |k: &str, v: &JsValue| Reflect::set(&options, &JsValue::from_str(k), v).map(drop);
                set("repo", &JsValue::from_str(&designation))?;
                set("path", &JsValue::from_str(&path))?;
                set("revision", &JsValue::from_str(&at))?;
                if let Some(signal) = &signal {
                    set("abortSignal", signal)?;
                }
                let file = JsFuture::from(client.download_file(options.into())).await?;
                let from_cache = JsFuture::from(drain_file(&file, &report)).await?.is_truthy();
                done.set(done.get() + 1);
                progress(&on_progress, loaded.get(), total, count, done.get());
                results.borrow_mut().push(SnapshotFile { path, size, from_cache });
            }
            Ok(JsValue::UNDEFINED)
        }));
    }
    JsFuture::from(Promise::all(&lanes)).await?;
    drop(report);
    if let Err(e) = cache.record_ref(&repo, &revision, &commit).await {
        cache.warn(e);
    }
    let folder = snapshot_folder(&cache.store.object, &RepoKeys::new(&repo).snapshot_dir(&commit))
        .ok()
        .and_then(|f| f.as_string());
    let mut files = results.take();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(to_js(&Answer { commit: commit.to_string(), folder, files })?)
}

/// The files of a cached snapshot (offline).
async fn cached_files(cache: &Cache, repo: &RepoId, commit: &CommitId) -> Result<Vec<(String, u64)>, Error> {
    let prefix = RepoKeys::new(repo).snapshot_dir(commit);
    let listed = cache.store.list(&prefix).await?;
    Ok(listed
        .into_iter()
        .filter_map(|f| Some((f.key.strip_prefix(&format!("{prefix}/"))?.to_string(), f.size)))
        .collect())
}

/// Every file of `commit`, following the tree listing's pages.
async fn tree(
    t: &Transport,
    repo: &RepoId,
    commit: &CommitId,
    signal: Option<&AbortSignal>,
) -> Result<Vec<(String, u64)>, Error> {
    let mut url = Some(format!("{}{}/tree/{commit}?recursive=true&expand=false", t.hub_url(), repo.api_path()));
    let mut out = Vec::new();
    while let Some(page) = url.take() {
        let read = t.send_and_read(Request::get(page.clone(), signal).repo_route()).await?;
        let entries: Vec<TreeEntry> = read.json()?;
        out.extend(entries.into_iter().filter(|e| e.kind == EntryKind::File).map(|e| (e.path, e.size)));
        if let Some(next) = read.answer.header("link").and_then(|l| parse_next_link(&l).map(str::to_string)) {
            let absolute = web_sys::Url::new_with_base(&next, &page)
                .map_err(|_| read.answer.unexpected(format!("the next-page link {next:?} is not a URL")))?;
            url = Some(absolute.href());
        }
    }
    Ok(out)
}

fn progress(on_progress: &Option<Function>, loaded: u64, total: u64, files: u32, done: u32) {
    let Some(callback) = on_progress else { return };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Progress {
        loaded: f64,
        total: f64,
        files: u32,
        files_done: u32,
    }
    if let Ok(value) = to_js(&Progress { loaded: loaded as f64, total: total as f64, files, files_done: done }) {
        let _ = callback.call1(&JsValue::UNDEFINED, &value);
    }
}
