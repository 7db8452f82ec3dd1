//! `HubClient.downloadFile({ repo, path, revision, range, abortSignal, onProgress, concurrency,
//! bufferSize })`: a file object whose `stream()` fetches the file — a git blob from resolve, an
//! LFS object from presigned storage, a Xet file from the CAS — and delivers verified bytes in
//! order. The policy (what to ask, how to check each answer, where to resume) is hubwasm-core's
//! `download` module; this file does the requests.
//!
//! - One request names the file ([`probe`]): resolve's Xet file info, or the headers of its first
//!   byte or of its redirect to storage. Where those are hidden (a browser's opaque redirect) the
//!   commit, paths-info and the Xet info are asked instead ([`look_up`]).
//! - A whole file is verified: Xet chunk by chunk and against the file hash, LFS against its
//!   sha256, a regular file against its git blob id.
//! - An LFS object's presigned URL comes from the Git LFS batch API, and like every storage URL it is
//!   fetched without Authorization (the transport sends the token to the Hub's origin only).
//! - Xet: the read token from the `xet-auth` route, refreshed when it expires; the V2 reconstruction
//!   (V1 when the CAS answers 404/501); up to [`XET_WINDOW`] range fetches at once within
//!   [`XET_BUFFER_BYTES`] (defaults of `concurrency` and `bufferSize`); a 403 on a range (expired
//!   URLs) re-asks the reconstruction for fresh URLs.
//! - A dropped connection resumes: a body with a `Range` from the last byte delivered, a Xet range
//!   asked again whole; bytes already delivered are never delivered again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hubwasm_core::download::body::{BodyCheck, ContentDigest};
use hubwasm_core::download::info::{FileInfo, FileKind, ResolveHeaders};
use hubwasm_core::download::lfs::{download_batch_request, parse_download_batch, LfsBatchError};
use hubwasm_core::download::span::FileSpan;
use hubwasm_core::download::xet::{falls_back_to_v1, reconstruction_range};
use hubwasm_core::download::{BodyError, XetDownload, XetDownloadError, XetOptions, XetToken};
use hubwasm_core::repo::{RepoId, Revision};
use hubwasm_core::xet::{Reconstruction, XetHash};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultReader};

use super::options::Options;
use super::{encode_path, file_download_info, spawn, HubClient};
use crate::error::{ApiFailure, Error};
use crate::http::streams::{linked_controller, read_chunk, LinkedController};
use crate::http::{Answer, Request, Transport};
use crate::js::convert::to_js;

/// Xet range fetches under way at once (`concurrency`).
const XET_WINDOW: u32 = 4;
/// Bytes of Xet ranges fetched or decoded but not yet delivered (`bufferSize`; the range the next
/// bytes come from is always read, so one larger range still goes alone).
const XET_BUFFER_BYTES: u32 = 8 << 20;
/// Bytes of a Xet range's body gathered in JS per step (a body comes in reads of 64 KiB or less):
/// one crossing into wasm, one settled promise and one wake of the download per step, not per read.
/// 1 MiB rather than 256 KiB: ~9% less CPU per download in bench/download_js.mjs (256 MiB, Node),
/// for at most 1 MiB more held in JS per range fetch.
const XET_READ_BYTES: f64 = (1 << 20) as f64;
/// Times one body or one Xet range is asked for again after its connection dropped.
const MAX_RESUMES: u32 = 5;
/// Times expired storage URLs are replaced during one download.
const MAX_URL_REFRESHES: u32 = 3;

#[wasm_bindgen(module = "/src/hub/download.js")]
extern "C" {
    #[wasm_bindgen(js_name = pullStream)]
    fn pull_stream(pull: JsValue, cancel: JsValue) -> ReadableStream;

    #[wasm_bindgen(catch, js_name = rangeOption)]
    fn range_option(options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = readSome)]
    fn read_some(reader: &ReadableStreamDefaultReader, serial: f64, min_bytes: f64) -> Promise;
    #[wasm_bindgen(js_name = headerStep)]
    fn header_step(serial: f64) -> JsValue;

    /// What a range fetch did: `{ serial, kind, value }` (kinds in [`StepKind`]).
    type Step;
    #[wasm_bindgen(method, getter)]
    fn serial(this: &Step) -> f64;
    #[wasm_bindgen(method, getter)]
    fn kind(this: &Step) -> u32;
    #[wasm_bindgen(method, getter)]
    fn value(this: &Step) -> JsValue;

    /// The steps of every range fetch, in the order they settle.
    type Settled;
    #[wasm_bindgen(constructor)]
    fn new() -> Settled;
    #[wasm_bindgen(method)]
    fn add(this: &Settled, step: &Promise);
    #[wasm_bindgen(method)]
    fn next(this: &Settled) -> Promise;
    #[wasm_bindgen(js_name = readAs)]
    fn read_as(stream: ReadableStream, kind: &str) -> Promise;
}

#[wasm_bindgen(typescript_custom_section)]
const DOWNLOAD_TYPES: &str = r#"
export interface DownloadFileOptions extends FileOptions {
  /** Bytes `[start, end]`, both inclusive as in HTTP's `Range: bytes=start-end`; an `end` past the
   * file is clamped to its last byte, a `start` at or past its end is an InvalidInputError. */
  range?: [number, number];
  /** Called after each delivered chunk. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Xet files: range fetches under way at once (default 4, at most 64). */
  concurrency?: number;
  /** Xet files: bytes fetched ahead of the reader and held until it reads them (default 8 MiB). The
   * range the next bytes come from is always read, so one range larger than this still goes, alone. */
  bufferSize?: number;
}

export interface DownloadProgress {
  /** Bytes delivered so far. */
  loaded: number;
  /** Bytes this download delivers (the range's length when ranged). */
  total: number;
}
"#;

/// What one download fetches; shared by every `stream()` of a [`DownloadedFile`].
struct Plan {
    transport: Rc<Transport>,
    repo: RepoId,
    path: String,
    commit: String,
    etag: String,
    span: FileSpan,
    kind: Kind,
    signal: Option<AbortSignal>,
    on_progress: Option<Function>,
    xet_options: XetOptions,
    /// Where a whole-file read is cached once verified (src/cache/).
    cache_write: Option<crate::cache::lookup::WriteTarget>,
    /// Set when a read found the blob stored by another tab meanwhile and served it from the cache.
    served_by_claim: std::cell::Cell<bool>,
}

enum Kind {
    Regular,
    Lfs { sha256: String },
    Xet { hash: XetHash, refresh_url: String },
}

/// A file of a repo at one commit, ready to be read (`downloadFile`'s result). Each `stream()`,
/// `blob()`, `arrayBuffer()`, `text()` or `json()` downloads it again.
#[wasm_bindgen]
pub struct DownloadedFile {
    plan: Rc<Plan>,
    /// Set when the cache serves the file (src/cache/lookup.rs).
    served: Option<Rc<crate::cache::lookup::Served>>,
}

#[wasm_bindgen]
impl HubClient {
    /// Looks the file up (missing: `EntryNotFoundError`) and returns the object that reads it.
    #[wasm_bindgen(js_name = downloadFile, unchecked_return_type = "Promise<DownloadedFile>")]
    pub fn download_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DownloadFileOptions")] options: JsValue,
    ) -> Promise {
        let transport = self.transport().clone();
        let cache = self.cache.clone();
        spawn(async move {
            let o = Options::new(options.clone(), "downloadFile")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            let path = o.required("path", o.repo_path("path")?)?;
            let range = read_range(&options)?;
            let on_progress = o.function("onProgress")?;
            let concurrency = o.count("concurrency", 64)?.unwrap_or(XET_WINDOW);
            if concurrency == 0 {
                return Err(Error::invalid_input("downloadFile() option concurrency must be from 1 to 64"));
            }
            let buffer_size = o.count("bufferSize", u32::MAX)?.unwrap_or(XET_BUFFER_BYTES);
            let xet_options =
                XetOptions { max_in_flight: concurrency as usize, max_buffered_bytes: buffer_size.into() };
            // The cache first: served from it, or the commit to fetch (src/cache/lookup.rs).
            let asked = revision.clone().unwrap_or_else(Revision::main);
            let mut resolved = None;
            if let Some(cache) = &cache {
                use crate::cache::lookup::{before_download, Lookup};
                match before_download(cache, &transport, &repo, &asked, &path, signal.as_ref()).await? {
                    Lookup::Hit(served) => {
                        return served_file(transport, repo, path, range, served, signal, on_progress)
                    }
                    Lookup::Miss(commit) => resolved = commit,
                }
            }
            let revision = resolved.as_ref().and_then(|c| Revision::parse(c.as_str()).ok()).or(revision);
            let found = async {
                match probe(&transport, &repo, revision.as_ref(), &path, signal.as_ref()).await? {
                    Some(found) => Ok(found),
                    None => look_up(&transport, &repo, revision, &path, signal.as_ref()).await,
                }
            };
            let found = match found.await {
                Err(Error::Api(f)) if f.kind == hubwasm_core::api::ApiErrorKind::EntryNotFound => {
                    if let (Some(cache), Some(commit)) = (&cache, &resolved) {
                        crate::cache::lookup::record_missing(cache, &repo, commit, &path).await;
                    }
                    return Err(Error::Api(f));
                }
                other => other?,
            };
            let mut cache_write = None;
            if let Some(cache) = &cache {
                use crate::cache::lookup::{after_info, AfterInfo};
                let xet_hash = match &found.kind {
                    Kind::Xet { hash, .. } => Some(hash.to_string()),
                    _ => None,
                };
                let xet_hash = xet_hash.as_deref();
                match after_info(cache, &repo, &asked, &found.commit, &path, &found.etag, found.size, xet_hash).await {
                    AfterInfo::Served(served) => {
                        return served_file(transport, repo, path, range, served, signal, on_progress)
                    }
                    AfterInfo::Write(target) => cache_write = range.is_none().then_some(target),
                    AfterInfo::Uncached => {}
                }
            }
            let span = FileSpan::new(range, found.size)
                .map_err(|e| Error::invalid_input(format!("downloadFile() option range: {e}")))?;
            let plan = Plan {
                transport,
                repo,
                path,
                commit: found.commit,
                etag: found.etag,
                span,
                kind: found.kind,
                signal,
                on_progress,
                xet_options,
                cache_write,
                served_by_claim: Default::default(),
            };
            Ok(DownloadedFile { plan: Rc::new(plan), served: None }.into())
        })
    }
}

/// The file object of a file the cache serves.
fn served_file(
    transport: Rc<Transport>,
    repo: RepoId,
    path: String,
    range: Option<[u64; 2]>,
    served: crate::cache::lookup::Served,
    signal: Option<AbortSignal>,
    on_progress: Option<Function>,
) -> Result<JsValue, Error> {
    let span = FileSpan::new(range, served.copy.size)
        .map_err(|e| Error::invalid_input(format!("downloadFile() option range: {e}")))?;
    let etag = served.copy.blob.as_ref().map(|b| b.to_string()).unwrap_or_default();
    let commit = served.commit.to_string();
    let (kind, cache_write) = (Kind::Regular, None);
    // Nothing is fetched: the Xet window is never used.
    let xet_options = XetOptions { max_in_flight: XET_WINDOW as usize, max_buffered_bytes: XET_BUFFER_BYTES.into() };
    let served_by_claim = Default::default();
    let plan = Plan {
        transport,
        repo,
        path,
        commit,
        etag,
        span,
        kind,
        signal,
        on_progress,
        xet_options,
        cache_write,
        served_by_claim,
    };
    Ok(DownloadedFile { plan: Rc::new(plan), served: Some(Rc::new(served)) }.into())
}

#[wasm_bindgen]
impl DownloadedFile {
    #[wasm_bindgen(getter)]
    pub fn path(&self) -> String {
        self.plan.path.clone()
    }

    /// Bytes a read delivers: the file's size, or the range's length.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.plan.span.len as f64
    }

    /// The sha256 of LFS and Xet content, the git blob id of a regular file.
    #[wasm_bindgen(getter)]
    pub fn etag(&self) -> String {
        self.plan.etag.clone()
    }

    /// The commit the revision resolved to: every read fetches that commit's file.
    #[wasm_bindgen(getter)]
    pub fn commit(&self) -> String {
        self.plan.commit.clone()
    }

    /// A Xet file's hash (the Hub's `X-Xet-Hash`). Served from the cache: the shared store entry
    /// its blob links to (the Hugging Face folder), or the Hub's answer; undefined when not known.
    #[wasm_bindgen(getter, js_name = xetHash)]
    pub fn xet_hash(&self) -> Option<String> {
        match &self.plan.kind {
            Kind::Xet { hash, .. } => Some(hash.to_string()),
            // Served from the cache: the Hub's answer, or the shared store entry the blob links to.
            _ => self.served.as_ref().and_then(|s| s.copy.xet.as_ref()).map(|x| x.xet_hash().to_string()),
        }
    }

    /// Whether the cache serves the file (no byte of it is fetched); also true once a read found
    /// the blob stored meanwhile by another tab or Worker (it waited on that blob's Web Lock).
    #[wasm_bindgen(getter, js_name = fromCache)]
    pub fn is_from_cache(&self) -> bool {
        self.served.is_some() || self.plan.served_by_claim.get()
    }

    /// The bytes as a `ReadableStream<Uint8Array>` that fetches as it is read; cancelling it stops
    /// the fetches. An error (`IntegrityError`, `AbortError`, `NetworkError`…) errors the stream, so
    /// bytes that fail verification never end as a complete file.
    #[wasm_bindgen(unchecked_return_type = "ReadableStream<Uint8Array>")]
    pub fn stream(&self) -> ReadableStream {
        if let Some(served) = &self.served {
            let plan = &self.plan;
            let range = (!plan.span.is_whole_file()).then(|| (plan.span.start, plan.span.end_exclusive()));
            match served.stream(range, plan.on_progress.clone(), plan.signal.clone()) {
                Ok(stream) => return stream,
                Err(e) => return crate::cache::lookup::failed_stream(e),
            }
        }
        open_stream(self.plan.clone())
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<Blob>")]
    pub fn blob(&self) -> Promise {
        read_as(self.stream(), "blob")
    }

    #[wasm_bindgen(js_name = arrayBuffer, unchecked_return_type = "Promise<ArrayBuffer>")]
    pub fn array_buffer(&self) -> Promise {
        read_as(self.stream(), "arrayBuffer")
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn text(&self) -> Promise {
        read_as(self.stream(), "text")
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn json(&self) -> Promise {
        read_as(self.stream(), "json")
    }
}

/// What `downloadFile` learns about the file before reading it.
struct Found {
    size: u64,
    etag: String,
    commit: String,
    kind: Kind,
}

/// One request names the file: `GET resolve/{rev}/{path}` asking for the Xet file info, one byte
/// (`Range: bytes=0-0`) and no redirect. A Xet file answers its info (hash, token route, size,
/// etag); a regular file its first byte with `ETag`, `Content-Range` and `X-Repo-Commit`; LFS
/// content a 302 to storage with `X-Linked-Etag`/`X-Linked-Size` (hub-api.md §4.1–4.2). `None`
/// when the answer does not say it all — a browser sees a redirect as an opaque answer with no
/// headers (hub-api.md corrections, item 7), an empty file cannot be ranged — and
/// [`look_up`] asks paths-info instead.
async fn probe(
    t: &Transport,
    repo: &RepoId,
    revision: Option<&Revision>,
    path: &str,
    signal: Option<&AbortSignal>,
) -> Result<Option<Found>, Error> {
    let revision = revision.map_or_else(|| Revision::main().url_encoded(), Revision::url_encoded);
    let url = format!("{}/{}/resolve/{revision}/{}", t.hub_url(), repo.web_path(), encode_path(path));
    let request = Request::get(url, signal)
        .repo_route()
        .manual_redirect()
        .header("accept", "application/vnd.xet-fileinfo+json, */*");
    let mut answer = match t.send(request.clone().header("range", "bytes=0-0")).await {
        Ok(answer) => answer,
        Err(Error::Api(f)) if f.status == 416 => return Ok(None),
        Err(e) => return Err(e),
    };
    if answer.status == 206 && is_fileinfo(&answer) {
        // A browser cut the info from its cache to the byte asked for: ask for all of it.
        answer = t.send(request).await?;
    }
    let header = |name: &str| answer.header(name);
    let names = [
        "etag",
        "x-linked-etag",
        "x-linked-size",
        "content-length",
        "content-range",
        "content-type",
        "x-repo-commit",
        "location",
        "x-xet-hash",
        "link",
        "x-xet-refresh-route",
    ];
    let values: Vec<Option<String>> = names.iter().map(|n| header(n)).collect();
    let v = |i: usize| values[i].as_deref();
    let headers = ResolveHeaders {
        etag: v(0),
        linked_etag: v(1),
        linked_size: v(2),
        content_length: v(3),
        content_range: v(4),
        content_type: v(5),
        repo_commit: v(6),
        location: v(7),
        xet_hash: v(8),
        link: v(9),
        xet_refresh_route: v(10),
    };
    let info = if answer.status == 0 {
        return Ok(None); // an opaque redirect
    } else if is_fileinfo(&answer) {
        FileInfo::from_xet_fileinfo(&answer.bytes(signal).await?, &headers)
    } else {
        if let Some(body) = answer.response.body() {
            let _ = body.cancel(); // one byte, or a redirect's page
        }
        FileInfo::from_resolve(answer.status, &headers)
    };
    let Ok(info) = info else { return Ok(None) };
    let Some(commit) = info.commit.filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit())) else {
        return Ok(None);
    };
    let kind = match info.kind {
        FileKind::Regular => Kind::Regular,
        FileKind::Lfs { sha256, .. } => Kind::Lfs { sha256 },
        FileKind::Xet { hash, refresh_url, .. } => Kind::Xet { hash, refresh_url },
    };
    Ok(Some(Found { size: info.size, etag: info.etag, commit: commit.to_ascii_lowercase(), kind }))
}

fn is_fileinfo(answer: &Answer) -> bool {
    answer.header("content-type").is_some_and(|c| c.contains("application/vnd.xet-fileinfo+json"))
}

/// Where the probe's answer cannot be read: the commit, paths-info, and the Xet file info.
async fn look_up(
    t: &Transport,
    repo: &RepoId,
    revision: Option<Revision>,
    path: &str,
    signal: Option<&AbortSignal>,
) -> Result<Found, Error> {
    let info = file_download_info(t, repo, revision, path, signal).await?;
    let kind = match (info.xet_hash.as_deref(), &info.lfs, &info.xet) {
        (Some(hash), _, Some(links)) => Kind::Xet {
            hash: XetHash::from_hex(hash).map_err(|_| protocol(&info.path, "a malformed xetHash"))?,
            refresh_url: links.refresh_url.clone(),
        },
        (Some(_), _, None) => return Err(protocol(&info.path, "a Xet file without its token route")),
        (None, Some(lfs), _) => Kind::Lfs { sha256: lfs.oid.clone() },
        (None, None, _) => Kind::Regular,
    };
    Ok(Found { size: info.size, etag: info.etag, commit: info.commit, kind })
}

/// `range`: `[start, end]` of two whole numbers (JS numbers are exact up to 2^53). The JS side reads
/// it (a throwing getter or a revoked Proxy is an error value there, never an exception in wasm).
fn read_range(options: &JsValue) -> Result<Option<[u64; 2]>, Error> {
    let value = range_option(options)
        .map_err(|_| Error::invalid_input("reading downloadFile() option range threw (a getter or a Proxy trap)"))?;
    if value.is_undefined() {
        return Ok(None);
    }
    let bad = || Error::invalid_input("downloadFile() option range must be [start, end], two whole numbers from 0");
    let mut bounds = [0u64; 2];
    for (i, bound) in bounds.iter_mut().enumerate() {
        // `value` is null or an array of two numbers that rangeOption built.
        let item =
            if value.is_null() { JsValue::UNDEFINED } else { Reflect::get_u32(&value, i as u32).map_err(|_| bad())? };
        match item.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => *bound = n as u64,
            _ => return Err(bad()),
        }
    }
    Ok(Some(bounds))
}

/// An answer that breaks the protocol (not the caller's fault, not a transfer failure).
fn protocol(what: &str, message: &str) -> Error {
    Error::Api(ApiFailure {
        kind: hubwasm_core::api::ApiErrorKind::Other,
        status: 200,
        server_message: format!("the answer has {message}"),
        request_id: None,
        retry_after: None,
        what: what.to_string(),
    })
}

fn body_error(what: &str, e: BodyError) -> Error {
    match e {
        e if e.is_integrity() => Error::Integrity(format!("{what}: {e}")),
        BodyError::Truncated { .. } => Error::Network { message: format!("{what}: {e}"), cause: JsValue::UNDEFINED },
        e => protocol(what, &e.to_string()),
    }
}

fn xet_error(what: &str, e: XetDownloadError) -> Error {
    if e.is_integrity() {
        Error::Integrity(format!("{what}: {e}"))
    } else {
        protocol(what, &e.to_string())
    }
}

/// The next chunk of a blob served from the cache, `None` at its end.
async fn next_cached(reader: &ReadableStreamDefaultReader) -> Result<Option<Uint8Array>, Error> {
    match JsFuture::from(read_chunk(reader)).await {
        Ok(chunk) if chunk.is_undefined() => Ok(None),
        Ok(chunk) => Ok(Some(chunk.unchecked_into())),
        Err(cause) => Err(Error::Cache { message: "the cached blob could not be read".into(), cause }),
    }
}

/// One read of the file.
struct Reader {
    plan: Rc<Plan>,
    abort: LinkedController,
    state: State,
    delivered: u64,
    /// The blob being cached as it is read (src/cache/), dropped (and removed) on error or cancel.
    cache_write: RefCell<Option<crate::cache::BlobWrite>>,
    /// The Web Lock of the blob being cached, released when the read ends (src/cache/browser.rs).
    blob_lock: Option<crate::cache::browser::BlobLock>,
}

enum State {
    Start,
    Body(Box<BodyRead>),
    /// The blob another tab stored while this read waited for its Web Lock.
    Cached(ReadableStreamDefaultReader),
    Xet(Box<XetRead>),
    Done,
}

struct BodyRead {
    url: String,
    /// Headers the storage asked for (LFS batch `header`).
    headers: Vec<(String, String)>,
    check: Option<BodyCheck>,
    reader: Option<ReadableStreamDefaultReader>,
    resumes: u32,
}

/// The answers (headers) of range fetches, by [`RangeFetch::serial`], stored by the fetch's own future.
type JobAnswers = Rc<RefCell<HashMap<usize, Result<Answer, Error>>>>;

/// A range fetch under way. Its steps go to [`XetRead::settled`] tagged with its `serial` (a job
/// asked again gets a new one): a [`StepKind::Header`] once its answer is in [`JobAnswers`], then
/// one step per [`XET_READ_BYTES`] of its body.
struct RangeFetch {
    id: usize,
    serial: usize,
    reader: Option<ReadableStreamDefaultReader>,
    /// Whether a step of it is pending; not while its body waits (more than the budget is held and
    /// the next bytes wait for another fetch; the connection's own backpressure holds the rest).
    reading: bool,
}

/// [`Step::kind`], as download.js numbers them.
struct StepKind;
impl StepKind {
    const HEADER: u32 = 0;
    const DATA: u32 = 1;
    const END: u32 = 2;
    const ERROR: u32 = 3;
}

struct XetRead {
    hash: XetHash,
    refresh_url: String,
    token: XetToken,
    download: Option<XetDownload>,
    /// Fetches under way, their bodies read as the chunks are needed.
    in_flight: Vec<RangeFetch>,
    settled: Settled,
    next_serial: usize,
    answers: JobAnswers,
    attempts: HashMap<usize, u32>,
    url_refreshes: u32,
    /// One buffer for every body read copied into wasm, one for every piece delivered: the download
    /// allocates neither per read.
    input: Vec<u8>,
    output: Vec<u8>,
}

/// A ReadableStream pulling from a fresh [`Reader`]; the reader is dropped at the end, on error and
/// on cancel, so only the two small closures outlive it.
fn open_stream(plan: Rc<Plan>) -> ReadableStream {
    let abort = linked_controller(plan.signal.clone());
    let cancel_abort: LinkedController = JsValue::from(&abort).unchecked_into();
    let cell: Rc<RefCell<Option<Reader>>> = Rc::new(RefCell::new(Some(Reader {
        plan,
        abort,
        state: State::Start,
        delivered: 0,
        cache_write: RefCell::default(),
        blob_lock: None,
    })));
    let cancelled = Rc::new(RefCell::new(false));
    let (pull_cell, pull_cancelled) = (cell.clone(), cancelled.clone());
    let pull = Closure::<dyn FnMut() -> Promise>::new(move || {
        let (cell, cancelled) = (pull_cell.clone(), pull_cancelled.clone());
        future_to_promise(async move {
            // The stream never pulls twice at once; taking the reader out keeps no borrow across awaits.
            let Some(mut reader) = cell.borrow_mut().take() else {
                return Err(Error::InvalidState("the download stream has ended".into()).into());
            };
            let result = reader.next().await;
            let keep = matches!(result, Ok(Some(_))) && !*cancelled.borrow();
            if keep {
                *cell.borrow_mut() = Some(reader);
            }
            match result {
                Ok(Some(chunk)) => Ok(chunk.into()),
                Ok(None) => Ok(JsValue::UNDEFINED),
                Err(e) => Err(e.into()),
            }
        })
    });
    let cancel = Closure::<dyn FnMut(JsValue)>::new(move |reason: JsValue| {
        *cancelled.borrow_mut() = true;
        // Ends the fetches under way, also those of a pull in progress (which then drops the reader).
        cancel_abort.abort(reason);
        if let Ok(mut slot) = cell.try_borrow_mut() {
            slot.take();
        }
    });
    pull_stream(pull.into_js_value(), cancel.into_js_value())
}

impl Reader {
    fn signal(&self) -> AbortSignal {
        self.abort.signal()
    }

    fn what(&self) -> String {
        format!("download of {} {} at {}", self.plan.repo.as_str(), self.plan.path, self.plan.commit)
    }

    /// The next chunk to deliver, `None` at the (verified) end.
    async fn next(&mut self) -> Result<Option<Uint8Array>, Error> {
        // Bytes already fetched must not complete the file after the caller aborted: a fetch's
        // body errors at once too, whatever it had buffered.
        let signal = self.signal();
        if signal.aborted() && !matches!(self.state, State::Done) {
            self.cache_write.borrow_mut().take();
            self.state = State::Done;
            return Err(Error::Aborted { cause: signal.reason() });
        }
        if self.plan.span.len == 0 {
            // Nothing to fetch (an empty file, or nothing left of it).
            self.state = State::Done;
        }
        if matches!(self.state, State::Start) {
            if let Err(e) = self.claim().await {
                self.state = State::Done;
                return Err(e);
            }
        }
        let piece = loop {
            let step = match &mut self.state {
                State::Start => match self.start().await {
                    Ok(state) => {
                        if let Some(target) = &self.plan.cache_write {
                            *self.cache_write.borrow_mut() = target.begin().await;
                        }
                        self.state = state;
                        continue;
                    }
                    Err(e) => Err(e),
                },
                State::Body(_) => self.next_body().await,
                State::Cached(reader) => next_cached(reader).await,
                State::Xet(_) => self.next_xet().await,
                State::Done => Ok(None),
            };
            match step {
                Ok(piece) => break piece,
                Err(e) => {
                    // Nothing more will be read: end the fetches still under way.
                    self.cache_write.borrow_mut().take();
                    self.state = State::Done;
                    self.abort.abort(JsValue::UNDEFINED);
                    return Err(e);
                }
            }
        };
        let Some(piece) = piece else {
            self.state = State::Done;
            crate::cache::BlobWrite::finish(&self.cache_write).await;
            return Ok(None);
        };
        crate::cache::BlobWrite::feed(&self.cache_write, &piece).await;
        self.delivered += u64::from(piece.length());
        if let Some(callback) = &self.plan.on_progress {
            #[derive(Serialize)]
            struct Progress {
                loaded: f64,
                total: f64,
            }
            let progress = to_js(&Progress { loaded: self.delivered as f64, total: self.plan.span.len as f64 })?;
            // The caller's callback cannot break the download.
            let _ = callback.call1(&JsValue::UNDEFINED, &progress);
        }
        Ok(Some(piece))
    }

    /// A read that will cache the file first takes its blob's Web Lock; when another tab stored
    /// the blob meanwhile, the read is served from the cache instead.
    async fn claim(&mut self) -> Result<(), Error> {
        let Some(target) = &self.plan.cache_write else { return Ok(()) };
        match target.claim(&self.signal()).await? {
            crate::cache::lookup::Claim::Fetch(lock) => self.blob_lock = lock,
            crate::cache::lookup::Claim::Cached(served) => {
                let stream = served.stream(None, None, None)?;
                self.state = State::Cached(stream.get_reader().unchecked_into());
                self.plan.served_by_claim.set(true);
            }
        }
        Ok(())
    }

    async fn start(&self) -> Result<State, Error> {
        let plan = &self.plan;
        let t = &plan.transport;
        let signal = self.signal();
        match &plan.kind {
            Kind::Regular => {
                let url = format!(
                    "{}/{}/resolve/{}/{}",
                    t.hub_url(),
                    plan.repo.web_path(),
                    plan.commit,
                    encode_path(&plan.path)
                );
                let digest = Some(ContentDigest::GitBlob(&plan.etag));
                let check = BodyCheck::new(plan.span, digest).map_err(|e| body_error(&self.what(), e))?;
                Ok(State::Body(Box::new(BodyRead {
                    url,
                    headers: Vec::new(),
                    check: Some(check),
                    reader: None,
                    resumes: 0,
                })))
            }
            Kind::Lfs { sha256 } => {
                let url = format!("{}/{}.git/info/lfs/objects/batch", t.hub_url(), plan.repo.web_path());
                let mut request = Request::get(url, Some(&signal))
                    .repo_route()
                    .header("accept", "application/vnd.git-lfs+json")
                    .header("content-type", "application/vnd.git-lfs+json");
                request.method = "POST";
                request.body = Some(JsValue::from_str(&download_batch_request(sha256, plan.span.file_size)));
                let answer = t.send(request).await?;
                let bytes = answer.bytes(Some(&signal)).await?;
                let action = parse_download_batch(&bytes, sha256).map_err(|e| match e {
                    LfsBatchError::Object { code: 404, .. } => Error::Api(ApiFailure {
                        kind: hubwasm_core::api::ApiErrorKind::EntryNotFound,
                        status: 404,
                        server_message: e.to_string(),
                        request_id: answer.request_id.clone(),
                        retry_after: None,
                        what: self.what(),
                    }),
                    e => protocol(&self.what(), &e.to_string()),
                })?;
                let digest = Some(ContentDigest::Sha256(sha256));
                let check = BodyCheck::new(plan.span, digest).map_err(|e| body_error(&self.what(), e))?;
                Ok(State::Body(Box::new(BodyRead {
                    url: action.href,
                    headers: action.headers,
                    check: Some(check),
                    reader: None,
                    resumes: 0,
                })))
            }
            Kind::Xet { hash, refresh_url } => {
                let token = fetch_token(t, refresh_url, &signal).await?;
                let rec = fetch_reconstruction(t, &token, hash, &plan.span, &signal).await?;
                let download = XetDownload::new(rec, plan.span, *hash, plan.xet_options)
                    .map_err(|e| xet_error(&self.what(), e))?;
                Ok(State::Xet(Box::new(XetRead {
                    hash: *hash,
                    refresh_url: refresh_url.clone(),
                    token,
                    download: Some(download),
                    in_flight: Vec::new(),
                    settled: Settled::new(),
                    next_serial: 0,
                    answers: Rc::default(),
                    attempts: HashMap::new(),
                    url_refreshes: 0,
                    input: Vec::new(),
                    output: Vec::new(),
                })))
            }
        }
    }

    async fn next_body(&mut self) -> Result<Option<Uint8Array>, Error> {
        let what = self.what();
        let signal = self.signal();
        let transport = self.plan.transport.clone();
        let State::Body(b) = &mut self.state else { return Ok(None) };
        loop {
            let check = b.check.as_mut().ok_or_else(|| Error::Internal("a finished body was read".into()))?;
            let reader = match &b.reader {
                Some(reader) => reader.clone(),
                None => {
                    let mut request = Request::get(b.url.clone(), Some(&signal));
                    if let Some(range) = check.range_header() {
                        request = request.header("range", range);
                    }
                    for (name, value) in &b.headers {
                        request = request.header(name, value.clone());
                    }
                    let answer: Answer = transport.send(request).await?;
                    check
                        .start_answer(answer.status, answer.header("content-range").as_deref())
                        .map_err(|e| body_error(&what, e))?;
                    let Some(body) = answer.response.body() else {
                        // No body at all: the end of this answer.
                        b.reader = None;
                        return finish_body(b, &what);
                    };
                    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
                    b.reader = Some(reader.clone());
                    reader
                }
            };
            match JsFuture::from(read_chunk(&reader)).await {
                Ok(chunk) if chunk.is_undefined() => {
                    b.reader = None;
                    let check = b.check.as_ref().ok_or_else(|| Error::Internal("a finished body was read".into()))?;
                    if check.is_complete() {
                        return finish_body(b, &what);
                    }
                    resume(b, &what)?;
                }
                Ok(chunk) => {
                    let bytes = Uint8Array::new(&chunk).to_vec();
                    let check = b.check.as_mut().ok_or_else(|| Error::Internal("a finished body was read".into()))?;
                    let out = check.accept(&bytes).map_err(|e| body_error(&what, e))?;
                    if !out.is_empty() {
                        return Ok(Some(Uint8Array::from(out)));
                    }
                    if check.is_complete() {
                        let _ = reader.cancel();
                        b.reader = None;
                        return finish_body(b, &what);
                    }
                }
                Err(cause) => {
                    if signal.aborted() {
                        return Err(Error::Aborted { cause: signal.reason() });
                    }
                    b.reader = None;
                    resume(b, &what).map_err(|_| Error::Network {
                        message: format!("{what}: the connection dropped {MAX_RESUMES} times"),
                        cause,
                    })?;
                }
            }
        }
    }

    async fn next_xet(&mut self) -> Result<Option<Uint8Array>, Error> {
        let what = self.what();
        let signal = self.signal();
        let plan = self.plan.clone();
        let budget = plan.xet_options.max_buffered_bytes;
        let State::Xet(x) = &mut self.state else { return Ok(None) };
        loop {
            let download = x.download.as_mut().ok_or_else(|| Error::Internal("a finished Xet read".into()))?;
            if download.next_piece_into(&mut x.output).map_err(|e| xet_error(&what, e))? {
                return Ok(Some(Uint8Array::from(x.output.as_slice())));
            }
            if download.is_complete() {
                let download = x.download.take().ok_or_else(|| Error::Internal("a finished Xet read".into()))?;
                download.finish().map_err(|e| xet_error(&what, e))?;
                return Ok(None);
            }
            while let Some(job) = download.next_job() {
                let (t, answers, signal) = (plan.transport.clone(), x.answers.clone(), signal.clone());
                let (id, serial) = (job.id, x.next_serial);
                x.next_serial += 1;
                let step = future_to_promise(async move {
                    let request =
                        Request::get(job.url.clone(), Some(&signal)).header("range", job.range_header.clone());
                    let answer = t.send(request).await;
                    answers.borrow_mut().insert(serial, answer);
                    Ok(header_step(serial as f64))
                });
                x.settled.add(&step);
                x.in_flight.push(RangeFetch { id, serial, reader: None, reading: true });
            }
            // Resume the bodies that waited, if the budget or the order now allows.
            let (head, room) = (download.head_job(), download.held_bytes() <= budget);
            for fetch in x.in_flight.iter_mut().filter(|f| !f.reading) {
                if let (Some(reader), true) = (&fetch.reader, room || head == Some(fetch.id)) {
                    x.settled.add(&read_some(reader, fetch.serial as f64, XET_READ_BYTES));
                    fetch.reading = true;
                }
            }
            if !x.in_flight.iter().any(|f| f.reading) {
                return Err(Error::Internal(format!("{what}: the Xet download stalled")));
            }
            let step: Step = JsFuture::from(x.settled.next()).await.unwrap_or(JsValue::UNDEFINED).unchecked_into();
            let serial = step.serial() as usize;
            // A step of a fetch no longer under way (dropped, then asked again) is stale.
            let Some(slot) = x.in_flight.iter().position(|f| f.serial == serial) else { continue };
            let id = x.in_flight[slot].id;
            x.in_flight[slot].reading = false;
            let download = x.download.as_mut().ok_or_else(|| Error::Internal("a finished Xet read".into()))?;
            match step.kind() {
                StepKind::HEADER => {
                    let answer = x.answers.borrow_mut().remove(&serial);
                    let answer =
                        answer.ok_or_else(|| Error::Internal(format!("{what}: range fetch {id} has no answer")))?;
                    match answer {
                        Ok(answer) => match answer.response.body() {
                            Some(body) if answer.status == 206 || answer.status == 200 => {
                                let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
                                x.settled.add(&read_some(&reader, serial as f64, XET_READ_BYTES));
                                x.in_flight[slot].reading = true;
                                x.in_flight[slot].reader = Some(reader);
                            }
                            _ => {
                                x.in_flight.remove(slot);
                                download.job_failed(id).map_err(|e| xet_error(&what, e))?;
                                count_attempt(x, id, &what, JsValue::UNDEFINED)?;
                            }
                        },
                        Err(e @ Error::Aborted { .. }) => return Err(e),
                        Err(Error::Api(f)) if f.status == 403 && x.url_refreshes < MAX_URL_REFRESHES => {
                            // The presigned URLs expired: the same reconstruction again, with fresh ones.
                            x.in_flight.remove(slot);
                            download.job_failed(id).map_err(|e| xet_error(&what, e))?;
                            x.url_refreshes += 1;
                            let now = (js_sys::Date::now() / 1000.0) as u64;
                            if x.token.is_expired(now) {
                                x.token = fetch_token(&plan.transport, &x.refresh_url, &signal).await?;
                            }
                            let fresh =
                                fetch_reconstruction(&plan.transport, &x.token, &x.hash, &plan.span, &signal).await?;
                            let download =
                                x.download.as_mut().ok_or_else(|| Error::Internal("a finished Xet read".into()))?;
                            download.refresh_urls(&fresh).map_err(|e| xet_error(&what, e))?;
                        }
                        Err(e @ Error::Network { .. }) => {
                            x.in_flight.remove(slot);
                            download.job_failed(id).map_err(|e| xet_error(&what, e))?;
                            let cause = match &e {
                                Error::Network { cause, .. } => cause.clone(),
                                _ => JsValue::UNDEFINED,
                            };
                            count_attempt(x, id, &what, cause).map_err(|_| e)?;
                        }
                        Err(e) => return Err(e),
                    }
                }
                kind @ (StepKind::DATA | StepKind::END) => {
                    let ended = kind == StepKind::END;
                    let fed = feed(download, id, &mut x.input, &step.value().unchecked_into());
                    let fed = match fed {
                        Ok(()) if ended => {
                            x.in_flight.remove(slot);
                            download.job_end(id)
                        }
                        Ok(()) => {
                            let read_on = download.head_job() == Some(id) || download.held_bytes() <= budget;
                            let fetch = &mut x.in_flight[slot];
                            if let (Some(reader), true) = (&fetch.reader, read_on) {
                                x.settled.add(&read_some(reader, serial as f64, XET_READ_BYTES));
                                fetch.reading = true;
                            }
                            Ok(())
                        }
                        Err(e) => {
                            if let Some(reader) = x.in_flight.remove(slot).reader {
                                let _ = reader.cancel();
                            }
                            Err(e)
                        }
                    };
                    match fed {
                        Ok(()) => {}
                        // Core queued the range again (its body was long or short).
                        Err(XetDownloadError::RangeLength { .. }) => count_attempt(x, id, &what, JsValue::UNDEFINED)?,
                        Err(e) => return Err(xet_error(&what, e)),
                    }
                }
                StepKind::ERROR => {
                    // The body broke off (a dropped connection): the range is asked again.
                    if signal.aborted() {
                        return Err(Error::Aborted { cause: signal.reason() });
                    }
                    x.in_flight.remove(slot);
                    download.job_failed(id).map_err(|e| xet_error(&what, e))?;
                    count_attempt(x, id, &what, step.value())?;
                }
                kind => return Err(Error::Internal(format!("{what}: range fetch {id} reported step {kind}"))),
            }
        }
    }
}

/// The chunks of one step of range fetch `id`, each copied into `input` (one buffer for the whole
/// download) and fed to the core.
fn feed(
    download: &mut XetDownload,
    id: usize,
    input: &mut Vec<u8>,
    chunks: &js_sys::Array,
) -> Result<(), XetDownloadError> {
    for chunk in chunks.iter() {
        let chunk: Uint8Array = chunk.unchecked_into();
        input.resize(chunk.length() as usize, 0);
        chunk.copy_to(input);
        download.job_data(id, input)?;
    }
    Ok(())
}

fn finish_body(b: &mut BodyRead, what: &str) -> Result<Option<Uint8Array>, Error> {
    let check = b.check.take().ok_or_else(|| Error::Internal("a finished body was read".into()))?;
    check.finish().map_err(|e| body_error(what, e))?;
    Ok(None)
}

/// A body ended early: the next answer resumes after the last byte delivered.
fn resume(b: &mut BodyRead, what: &str) -> Result<(), Error> {
    b.resumes += 1;
    if b.resumes > MAX_RESUMES {
        return Err(Error::Network {
            message: format!("{what}: the connection dropped {MAX_RESUMES} times"),
            cause: JsValue::UNDEFINED,
        });
    }
    Ok(())
}

/// A Xet range that must be asked again (already requeued by the core); gives up after MAX_RESUMES.
fn count_attempt(x: &mut XetRead, id: usize, what: &str, cause: JsValue) -> Result<(), Error> {
    let attempts = x.attempts.entry(id).or_insert(0);
    *attempts += 1;
    if *attempts > MAX_RESUMES {
        return Err(Error::Network { message: format!("{what}: a Xet range failed {MAX_RESUMES} times"), cause });
    }
    Ok(())
}

/// `GET {xet-auth route}` with the Hub token.
async fn fetch_token(t: &Transport, refresh_url: &str, signal: &AbortSignal) -> Result<XetToken, Error> {
    let answer = t.send(Request::get(refresh_url.to_string(), Some(signal)).repo_route()).await?;
    let bytes = answer.bytes(Some(signal)).await?;
    XetToken::parse(&bytes).map_err(|e| protocol(refresh_url, &e.to_string()))
}

/// The V2 reconstruction of `span`, or V1 when the CAS has no V2 route.
async fn fetch_reconstruction(
    t: &Transport,
    token: &XetToken,
    hash: &XetHash,
    span: &FileSpan,
    signal: &AbortSignal,
) -> Result<Reconstruction, Error> {
    let ask = |v2: bool| {
        let mut request = Request::get(token.reconstruction_url(hash, v2), Some(signal))
            .header("authorization", format!("Bearer {}", token.access_token));
        if let Some(range) = reconstruction_range(span) {
            request = request.header("range", range);
        }
        request
    };
    let (answer, v2) = match t.send(ask(true)).await {
        Ok(answer) => (answer, true),
        Err(Error::Api(f)) if falls_back_to_v1(f.status) => (t.send(ask(false)).await?, false),
        Err(e) => return Err(e),
    };
    let bytes = answer.bytes(Some(signal)).await?;
    let parsed = if v2 { Reconstruction::parse_v2(&bytes) } else { Reconstruction::parse_v1(&bytes) };
    parsed.map_err(|e| protocol(&token.reconstruction_url(hash, v2), &e.to_string()))
}

#[wasm_bindgen]
impl DownloadedFile {
    /// The whole file's size, also when a `range` was asked (`size` is then the range's length):
    /// what an HTTP server needs for `Content-Range`.
    #[wasm_bindgen(getter, js_name = fileSize)]
    pub fn file_size(&self) -> f64 {
        self.plan.span.file_size as f64
    }

    /// The first byte a read delivers: 0, or the start of the `range` asked.
    #[wasm_bindgen(getter, js_name = rangeStart)]
    pub fn range_start(&self) -> f64 {
        self.plan.span.start as f64
    }
}
