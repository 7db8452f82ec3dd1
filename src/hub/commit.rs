//! `HubClient.commit`, `commitIter` and the conveniences over them (`uploadFile(s)`,
//! `deleteFile(s)`): one atomic commit of adds, deletes and copies.
//!
//! Order, so that a caller's mistake loses nothing and nothing is half-committed: the options and
//! every operation are checked first (hubwasm-core's path rules, no path twice); then contents are
//! opened; deletes and copies are looked up (paths-info: a missing path is a typed error before
//! anything is sent); preupload sorts files into inline ("regular") and large ("lfs"); the large
//! ones go through the uploader seam (upload.rs); last, one NDJSON commit. Uploaded objects that
//! never get committed are invisible in the repo.

use std::collections::BTreeMap;
use std::rc::Rc;

use hubwasm_core::api::{ApiErrorKind, CommitAnswer, EntryKind, TreeEntry, UploadMode};
use hubwasm_core::commit::operations::{validate_operations, OperationKind, PlannedOperation};
use hubwasm_core::commit::upload::{
    parse_preupload_answer, preupload_body, PreuploadFile, PREUPLOAD_BATCH, PREUPLOAD_SAMPLE_BYTES,
};
use hubwasm_core::commit::{write_commit_body, CommitHeader, CommitOperation};
use hubwasm_core::repo::{RepoId, Revision, RevisionKind};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::options::Options;
use super::upload::{large_file_uploader, post, FileContent, LargeFile, Phase, Progress, UploadSession};
use super::{encode_path, paths_info, spawn, HubClient};
use crate::error::{ApiFailure, Error};
use crate::http::{Request, Transport};
use crate::js::convert::to_js;

#[wasm_bindgen(module = "/src/hub/commit.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = createEventQueue)]
    fn create_event_queue(caller_signal: Option<AbortSignal>) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const COMMIT_TYPES: &str = r#"
/** The content of a file to commit: bytes, a Blob or File, a stream (uploaded as it is read when
 * it is longer than 10 MiB and goes through Xet; read into a Blob first otherwise), a
 * string (its UTF-8 bytes) or, on Node and Deno, a `file:` URL of a local file. */
export type CommitContent = Blob | Uint8Array | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | string | URL;

export type CommitOperation =
  | { operation: "addOrUpdate"; path: string; content: CommitContent }
  /** A file, or a folder and everything under it (found by looking the path up, or given with a trailing `/`). */
  | { operation: "delete"; path: string }
  /** A copy of a file of the commit's parent revision. */
  | { operation: "copy"; path: string; from: string };

export interface CommitOptions {
  repo: RepoDesignation;
  title: string;
  description?: string;
  operations: CommitOperation[];
  /** Default `main`. */
  branch?: string;
  /** The commit the changes are based on: the commit fails with a `ConflictError` if the branch moved since. */
  parentCommit?: string;
  /** Open a pull request against `branch` instead of committing to it. */
  isPullRequest?: boolean;
  /** Upload large files through Xet when the Hub offers it (default true). */
  useXet?: boolean;
  /** Bytes of large-file data the upload holds at once (xorbs being sent and filled; default
   * 32 MiB, at least 8 MiB): xorbs close at a quarter of it, up to the protocol's 64 MiB (from
   * 256 MiB on), and half of it is sent at once. Less memory means smaller xorbs and more requests. */
  uploadMemory?: number;
  abortSignal?: AbortSignal;
  onProgress?: (event: CommitProgressEvent) => void;
}

export type CommitProgressEvent =
  | { event: "phase"; phase: "preuploading" | "uploadingLargeFiles" | "committing" }
  | { event: "fileProgress"; path: string; state: "hashing" | "uploading" | "deduplicated"; progress: number; loaded: number; total: number };

export interface CommitOutput {
  commit: { oid: string; url: string };
  /** With `isPullRequest`: `…/discussions/N`. */
  pullRequestUrl?: string;
  hookOutput: string;
}

/** `commitIter`'s events, then (as the iterator's return value) the commit. Stopping early (`break`) aborts the commit. */
export interface CommitIterator extends AsyncIterableIterator<CommitProgressEvent> {
  next(): Promise<IteratorResult<CommitProgressEvent, CommitOutput>>;
}

/** A file for `uploadFile(s)`: `{ path, content }`, a `File` (its name is the path) or a `file:` URL (its file name). */
export type UploadFileInput = { path: string; content: CommitContent } | File | URL;

export interface CommitCommonOptions {
  repo: RepoDesignation;
  commitTitle?: string;
  commitDescription?: string;
  branch?: string;
  parentCommit?: string;
  isPullRequest?: boolean;
  useXet?: boolean;
  uploadMemory?: number;
  abortSignal?: AbortSignal;
  onProgress?: (event: CommitProgressEvent) => void;
}
export interface UploadFileOptions extends CommitCommonOptions { file: UploadFileInput }
export interface UploadFilesOptions extends CommitCommonOptions { files: UploadFileInput[] }
export interface DeleteFileOptions extends CommitCommonOptions { path: string }
export interface DeleteFilesOptions extends CommitCommonOptions { paths: string[] }
"#;

/// The default and the least of the `uploadMemory` option (see [`super::xet_upload::XetUploadOptions`]).
/// Measured on fresh 512 MiB files in Node (bench/upload.mjs, chunking on a worker thread, when
/// xorbs closed at half the budget): 32 MiB uploaded ~15% faster than 16 MiB for a peak RSS
/// growth of ~165 MiB instead of ~130 (Python's upload_file: ~270-400).
const DEFAULT_UPLOAD_MEMORY: u64 = 32 << 20;
const MIN_UPLOAD_MEMORY: u64 = 8 << 20;
/// Most operations read from one options object (the commit parser's limit).
const MAX_OPERATIONS: u32 = 100_000;
/// Paths per paths-info request when looking up deletes and copy sources.
const PATHS_INFO_BATCH: usize = 500;

/// A commit as the caller asked for it, checked.
struct CommitRequest {
    repo: RepoId,
    title: String,
    description: String,
    operations: Vec<Operation>,
    branch: Revision,
    parent_commit: Option<String>,
    is_pull_request: bool,
    use_xet: bool,
    upload_memory: Option<u64>,
    signal: Option<AbortSignal>,
}

enum Operation {
    Add {
        path: String,
        content: JsValue,
    },
    /// `folder` when the caller wrote a trailing `/`; otherwise paths-info decides.
    Delete {
        path: String,
        folder: bool,
    },
    Copy {
        path: String,
        from: String,
    },
}

impl Operation {
    fn planned(&self) -> PlannedOperation<'_> {
        match self {
            Operation::Add { path, .. } => PlannedOperation { kind: OperationKind::AddOrUpdate, path, from: None },
            Operation::Delete { path, folder: true } => {
                PlannedOperation { kind: OperationKind::DeleteFolder, path, from: None }
            }
            Operation::Delete { path, .. } => PlannedOperation { kind: OperationKind::DeleteFile, path, from: None },
            Operation::Copy { path, from } => PlannedOperation { kind: OperationKind::Copy, path, from: Some(from) },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommitOutput {
    commit: CommitRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pull_request_url: Option<String>,
    hook_output: String,
}

#[derive(Serialize)]
struct CommitRef {
    oid: String,
    url: String,
}

#[wasm_bindgen]
impl HubClient {
    /// One atomic commit: `{ repo, title, operations, branch, parentCommit, isPullRequest, … }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CommitOutput>")]
    pub fn commit(&self, #[wasm_bindgen(unchecked_param_type = "CommitOptions")] options: JsValue) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "commit")?;
            let request = commit_request(&o)?;
            let progress = Progress::new(o.function("onProgress")?);
            to_js(&run_commit(&t, request, &progress).await?)
        })
    }

    /// `commit` as an async iterator of its progress events; the commit is the iterator's return
    /// value. A `break` (or `return()`) before the end aborts the commit: nothing is committed.
    #[wasm_bindgen(js_name = commitIter, unchecked_return_type = "CommitIterator")]
    pub fn commit_iter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CommitOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o = Options::new(options, "commitIter")?;
        let mut request = commit_request(&o)?;
        // Only reading the caller's signal can fail here (a look-alike AbortSignal).
        let queue = create_event_queue(request.signal.clone())
            .map_err(|_| Error::invalid_input("commitIter() option abortSignal cannot be read"))?;
        let member = |name: &str| -> Result<Function, Error> {
            Reflect::get(&queue, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| Error::Internal(format!("the event queue has no {name}()")))
        };
        let (push, finish, fail) = (member("push")?, member("finish")?, member("fail")?);
        let iterator = Reflect::get(&queue, &JsValue::from_str("iterator"))
            .map_err(|_| Error::Internal("the event queue has no iterator".into()))?;
        // The caller's signal, or the consumer stopping early.
        let signal =
            Reflect::get(&queue, &JsValue::from_str("signal")).ok().and_then(|s| s.dyn_into::<AbortSignal>().ok());
        request.signal = Some(signal.ok_or_else(|| Error::Internal("the event queue has no signal".into()))?);
        let t = self.transport().clone();
        wasm_bindgen_futures::spawn_local(async move {
            let progress = Progress::new(Some(push));
            let outcome = match run_commit(&t, request, &progress).await {
                Ok(output) => to_js(&output),
                Err(e) => Err(e),
            };
            // The queue's own functions do not throw.
            let _ = match outcome {
                Ok(value) => finish.call1(&JsValue::UNDEFINED, &value),
                Err(e) => fail.call1(&JsValue::UNDEFINED, &JsValue::from(e)),
            };
        });
        Ok(iterator)
    }

    /// `uploadFile({ repo, file, commitTitle, branch, … })`: a commit of one file.
    #[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Promise<CommitOutput>")]
    pub fn upload_file(&self, #[wasm_bindgen(unchecked_param_type = "UploadFileOptions")] options: JsValue) -> Promise {
        self.convenience(options, "uploadFile", |o| {
            let file = o.value("file")?;
            if file.is_undefined() {
                return Err(Error::invalid_input("uploadFile() needs the option file"));
            }
            Ok(vec![upload_input(o, &file, "file")?])
        })
    }

    /// `uploadFiles({ repo, files, commitTitle, branch, … })`: a commit of several files.
    #[wasm_bindgen(js_name = uploadFiles, unchecked_return_type = "Promise<CommitOutput>")]
    pub fn upload_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UploadFilesOptions")] options: JsValue,
    ) -> Promise {
        self.convenience(options, "uploadFiles", |o| {
            let files = o.required("files", o.array("files", MAX_OPERATIONS)?)?;
            files.iter().enumerate().map(|(i, f)| upload_input(o, f, &format!("files[{i}]"))).collect()
        })
    }

    /// `deleteFile({ repo, path, … })`.
    #[wasm_bindgen(js_name = deleteFile, unchecked_return_type = "Promise<CommitOutput>")]
    pub fn delete_file(&self, #[wasm_bindgen(unchecked_param_type = "DeleteFileOptions")] options: JsValue) -> Promise {
        self.convenience(options, "deleteFile", |o| {
            let path = o.required("path", o.string("path")?)?;
            Ok(vec![Operation::Delete { path, folder: false }])
        })
    }

    /// `deleteFiles({ repo, paths, … })`.
    #[wasm_bindgen(js_name = deleteFiles, unchecked_return_type = "Promise<CommitOutput>")]
    pub fn delete_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteFilesOptions")] options: JsValue,
    ) -> Promise {
        self.convenience(options, "deleteFiles", |o| {
            let paths = o.required("paths", o.strings("paths")?)?;
            Ok(paths.into_iter().map(|path| Operation::Delete { path, folder: false }).collect())
        })
    }
}

impl HubClient {
    /// The conveniences: `operations` from `make`, the title from `commitTitle` (or a default
    /// naming the method, as `@huggingface/hub` does).
    fn convenience(
        &self,
        options: JsValue,
        method: &'static str,
        make: impl FnOnce(&Options) -> Result<Vec<Operation>, Error> + 'static,
    ) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, method)?;
            let operations = make(&o)?;
            let default_title = match method {
                "uploadFile" | "uploadFiles" => {
                    let names: Vec<&str> = operations
                        .iter()
                        .filter_map(|op| match op {
                            Operation::Add { path, .. } => Some(path.as_str()),
                            _ => None,
                        })
                        .collect();
                    format!("Upload {}", summary_of(&names))
                }
                _ => {
                    let names: Vec<&str> = operations
                        .iter()
                        .filter_map(|op| match op {
                            Operation::Delete { path, .. } => Some(path.as_str()),
                            _ => None,
                        })
                        .collect();
                    format!("Delete {}", summary_of(&names))
                }
            };
            let mut request = common_request(&o, operations)?;
            request.title = o.string("commitTitle")?.unwrap_or(default_title);
            request.description = o.string("commitDescription")?.unwrap_or_default();
            check_request(&o, &request)?;
            let progress = Progress::new(o.function("onProgress")?);
            to_js(&run_commit(&t, request, &progress).await?)
        })
    }
}

/// "a.txt", "a.txt and b.txt" or "3 files".
fn summary_of(paths: &[&str]) -> String {
    match paths {
        [one] => (*one).to_string(),
        [a, b] => format!("{a} and {b}"),
        many => format!("{} files", many.len()),
    }
}

/// One file of `uploadFile(s)`: `{ path, content }`, a File, or a `file:` URL.
fn upload_input(o: &Options, value: &JsValue, what: &str) -> Result<Operation, Error> {
    let method = o.method();
    let kind = crate::js::source::describe(value);
    if kind == "a Blob" {
        let name = Reflect::get(value, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
        let path = name.filter(|n| !n.is_empty()).ok_or_else(|| {
            Error::invalid_input(format!("{method}() {what}: a Blob without a name needs {{ path, content }}"))
        })?;
        return Ok(Operation::Add { path, content: value.clone() });
    }
    if let Some(name) = file_url_name(value) {
        return Ok(Operation::Add { path: name, content: value.clone() });
    }
    if !value.is_object() || value.is_function() {
        return Err(Error::invalid_input(format!(
            "{method}() {what} must be {{ path, content }}, a File or a file: URL, got {kind}"
        )));
    }
    let fields = Options::new(value.clone(), method)?;
    let path =
        fields.string("path")?.ok_or_else(|| Error::invalid_input(format!("{method}() {what} needs a string path")))?;
    let content = fields.value("content")?;
    if content.is_undefined() {
        return Err(Error::invalid_input(format!("{method}() {what} needs content")));
    }
    Ok(Operation::Add { path, content })
}

/// The last segment of a genuine `file:` URL, decoded (never through the value's own properties:
/// an object made from `URL.prototype` would throw from URL's getters).
fn file_url_name(value: &JsValue) -> Option<String> {
    let href = crate::js::source::file_url(value)?;
    let path = href.split(['?', '#']).next()?;
    let last = path.rsplit('/').next()?;
    js_sys::decode_uri_component(last).ok().map(String::from).filter(|n| !n.is_empty())
}

/// `commit`'s options, checked whole before anything is sent.
fn commit_request(o: &Options) -> Result<CommitRequest, Error> {
    let items = o.required("operations", o.array("operations", MAX_OPERATIONS)?)?;
    let operations = items.iter().enumerate().map(|(i, item)| operation_from(o, i, item)).collect::<Result<_, _>>()?;
    let mut request = common_request(o, operations)?;
    request.title = o.required("title", o.string("title")?)?;
    request.description = o.string("description")?.unwrap_or_default();
    check_request(o, &request)?;
    Ok(request)
}

fn operation_from(o: &Options, index: usize, item: &JsValue) -> Result<Operation, Error> {
    let method = o.method();
    let at = |message: String| Error::invalid_input(format!("{method}() operations[{index}]: {message}"));
    if !item.is_object() || item.is_function() {
        return Err(at(format!("must be an operation object, got {}", crate::js::source::describe(item))));
    }
    let fields = Options::new(item.clone(), method)?;
    let path = fields.string("path")?.ok_or_else(|| at("needs a string path".into()))?;
    match fields.string("operation")?.as_deref() {
        Some("addOrUpdate") => {
            let content = fields.value("content")?;
            if content.is_undefined() {
                return Err(at("addOrUpdate needs content".into()));
            }
            Ok(Operation::Add { path, content })
        }
        Some("delete") => match path.strip_suffix('/') {
            Some(folder) => Ok(Operation::Delete { path: folder.to_string(), folder: true }),
            None => Ok(Operation::Delete { path, folder: false }),
        },
        Some("copy") => {
            let from = fields.string("from")?.ok_or_else(|| at("copy needs a string from".into()))?;
            Ok(Operation::Copy { path, from })
        }
        Some(other) => Err(at(format!("unknown operation {other:?} (addOrUpdate, delete or copy)"))),
        None => Err(at("needs operation: \"addOrUpdate\", \"delete\" or \"copy\"".into())),
    }
}

/// What `commit` and the conveniences share: repo, branch, parent, PR, signal.
fn common_request(o: &Options, operations: Vec<Operation>) -> Result<CommitRequest, Error> {
    let method = o.method();
    let repo = o.repo(None)?;
    let branch = match o.string("branch")? {
        None => Revision::main(),
        Some(b) => {
            let revision = Revision::parse(&b)
                .map_err(|e| Error::invalid_input(format!("{method}() option branch {b:?}: {e}")))?;
            match revision.kind() {
                RevisionKind::Name(_) | RevisionKind::Branch(_) | RevisionKind::PullRequest(_) => revision,
                _ => {
                    return Err(Error::invalid_input(format!(
                        "{method}() option branch {b:?}: commits go to a branch (or refs/pr/N), not a commit, tag or convert ref"
                    )))
                }
            }
        }
    };
    let parent_commit = match o.string("parentCommit")? {
        None => None,
        Some(p) if p.len() == 40 && p.bytes().all(|b| b.is_ascii_hexdigit()) => Some(p.to_ascii_lowercase()),
        Some(p) => {
            return Err(Error::invalid_input(format!(
                "{method}() option parentCommit must be a 40-digit commit id, got {p:?}"
            )))
        }
    };
    Ok(CommitRequest {
        repo,
        title: String::new(),
        description: String::new(),
        operations,
        branch,
        parent_commit,
        is_pull_request: o.bool("isPullRequest")?.unwrap_or(false),
        use_xet: o.bool("useXet")?.unwrap_or(true),
        upload_memory: upload_memory(o)?,
        signal: o.signal()?,
    })
}

/// The `uploadMemory` option: bytes of large-file data an upload holds at once.
fn upload_memory(o: &Options) -> Result<Option<u64>, Error> {
    let Some(bytes) = o.count("uploadMemory", u32::MAX)? else { return Ok(None) };
    if u64::from(bytes) < MIN_UPLOAD_MEMORY {
        return Err(Error::invalid_input(format!(
            "{}() option uploadMemory must be at least {MIN_UPLOAD_MEMORY} bytes (8 MiB), got {bytes}",
            o.method()
        )));
    }
    Ok(Some(u64::from(bytes)))
}

fn check_request(o: &Options, request: &CommitRequest) -> Result<(), Error> {
    let method = o.method();
    if request.title.trim().is_empty() {
        return Err(Error::invalid_input(format!("{method}() needs a non-empty title")));
    }
    let planned: Vec<PlannedOperation<'_>> = request.operations.iter().map(Operation::planned).collect();
    validate_operations(&planned).map_err(|e| Error::invalid_input(format!("{method}(): {e}")))
}

/// A file to commit, once its content is open.
struct OpenFile {
    path: String,
    content: FileContent,
}

async fn run_commit(t: &Rc<Transport>, request: CommitRequest, progress: &Progress) -> Result<CommitOutput, Error> {
    let signal = request.signal.as_ref();
    let mut adds = Vec::new();
    let mut lookups = Vec::new();
    for op in &request.operations {
        match op {
            Operation::Add { path, content } => {
                let content = FileContent::open(content, &format!("the content of {path}")).await?;
                adds.push(OpenFile { path: path.clone(), content });
            }
            Operation::Delete { path, folder: false } => lookups.push(path.clone()),
            Operation::Copy { from, .. } => lookups.push(from.clone()),
            Operation::Delete { folder: true, .. } => {}
        }
    }
    // Deletes and copies read the parent the commit is based on.
    let base = match &request.parent_commit {
        Some(sha) => Revision::parse(sha).map_err(|e| Error::Internal(format!("a checked commit id: {e}")))?,
        None => request.branch.clone(),
    };
    let entries = look_up(t, &request.repo, &base, &lookups, signal).await?;

    progress.phase(Phase::Preuploading);
    let modes = preupload(t, &request, &adds).await?;
    let mut regular = Vec::new();
    let mut large = Vec::new();
    for (file, mode) in adds.into_iter().zip(modes) {
        match mode {
            None => {}
            Some(UploadMode::Regular) => regular.push(file),
            Some(UploadMode::Lfs) => large.push(LargeFile { path: file.path, content: file.content }),
        }
    }

    progress.phase(Phase::UploadingLargeFiles);
    let session = UploadSession {
        transport: t,
        repo: &request.repo,
        branch: request.branch.as_str(),
        is_pull_request: request.is_pull_request,
        signal,
        progress,
        memory: request.upload_memory.unwrap_or(DEFAULT_UPLOAD_MEMORY),
    };
    let uploaded = large_file_uploader(request.use_xet).upload(&session, &large).await?;
    if uploaded.len() != large.len() {
        return Err(Error::Internal(format!("{} large files, {} uploaded", large.len(), uploaded.len())));
    }
    let mut lines: BTreeMap<String, CommitOperation> = BTreeMap::new();
    for (file, done) in large.iter().zip(uploaded) {
        let line = CommitOperation::LfsFile { path: file.path.clone(), sha256: done.sha256, size: Some(done.size) };
        lines.insert(file.path.clone(), line);
    }
    for file in regular {
        let buffered = file.content.buffered().await?;
        let replayable = match (&buffered, &file.content) {
            (Some(buffered), _) => buffered,
            (None, FileContent::Replayable(r)) => r,
            (None, FileContent::Stream(_)) => return Err(Error::Internal("a stream left unbuffered".into())),
        };
        let content = replayable.read(0, replayable.len()).await?;
        if content.len() as u64 != replayable.len() {
            return Err(Error::SourceRead {
                message: format!("{} changed while it was read", file.path),
                cause: JsValue::UNDEFINED,
            });
        }
        lines.insert(file.path.clone(), CommitOperation::File { path: file.path, content });
    }

    // In the caller's order: the Hub applies lines in order.
    let mut operations = Vec::with_capacity(request.operations.len());
    for op in &request.operations {
        match op {
            Operation::Add { path, .. } => operations.extend(lines.remove(path)),
            Operation::Delete { path, folder: true } => {
                operations.push(CommitOperation::DeletedFolder { path: path.clone() })
            }
            Operation::Delete { path, folder: false } => {
                let entry = found(&entries, path, &base, t, &request.repo)?;
                operations.push(match entry.kind {
                    EntryKind::Directory => CommitOperation::DeletedFolder { path: path.clone() },
                    _ => CommitOperation::DeletedFile { path: path.clone() },
                });
            }
            Operation::Copy { path, from } => {
                let entry = found(&entries, from, &base, t, &request.repo)?;
                if entry.kind != EntryKind::File {
                    return Err(Error::invalid_input(format!("copy from {from:?}: it is a folder, not a file")));
                }
                operations.push(match &entry.lfs {
                    // LFS content the repo already has: named by its SHA-256, as Python sends copies.
                    Some(lfs) => CommitOperation::LfsFile { path: path.clone(), sha256: lfs.oid.clone(), size: None },
                    None => {
                        let content = download_regular(t, &request.repo, &base, from, signal).await?;
                        CommitOperation::File { path: path.clone(), content }
                    }
                });
            }
        }
    }

    progress.phase(Phase::Committing);
    let header = CommitHeader {
        summary: request.title.clone(),
        description: request.description.clone(),
        parent_commit: request.parent_commit.clone(),
    };
    let body = write_commit_body(&header, &operations);
    drop(operations);
    let mut url = format!("{}{}/commit/{}", t.hub_url(), request.repo.api_path(), request.branch.url_encoded());
    if request.is_pull_request {
        url.push_str("?create_pr=1");
    }
    // Not retried after a 5xx or a lost answer: the commit may have landed, and a second one
    // would land twice (or, with parentCommit, fail as a conflict).
    let mut post =
        Request::get(url, signal).repo_route().not_idempotent().header("content-type", "application/x-ndjson");
    post.method = "POST";
    post.body = Some(Uint8Array::from(body.as_slice()).into());
    drop(body);
    let read = t.send_and_read(post).await?;
    let answer: CommitAnswer = read.json()?;
    Ok(CommitOutput {
        commit: CommitRef { oid: answer.commit_oid, url: answer.commit_url },
        pull_request_url: answer.pull_request_url,
        hook_output: answer.hook_output,
    })
}

/// The entries of `paths` at `base`, by path.
async fn look_up(
    t: &Transport,
    repo: &RepoId,
    base: &Revision,
    paths: &[String],
    signal: Option<&AbortSignal>,
) -> Result<BTreeMap<String, TreeEntry>, Error> {
    let mut out = BTreeMap::new();
    for batch in paths.chunks(PATHS_INFO_BATCH) {
        let entries: Vec<TreeEntry> = paths_info(t, repo, base, batch, false, signal).await?.json()?;
        out.extend(entries.into_iter().map(|e| (e.path.clone(), e)));
    }
    Ok(out)
}

fn found<'a>(
    entries: &'a BTreeMap<String, TreeEntry>,
    path: &str,
    base: &Revision,
    t: &Transport,
    repo: &RepoId,
) -> Result<&'a TreeEntry, Error> {
    entries.get(path).ok_or_else(|| {
        Error::Api(ApiFailure {
            kind: ApiErrorKind::EntryNotFound,
            status: 404,
            server_message: format!("no file or folder {path:?} at {base}"),
            request_id: None,
            retry_after: None,
            what: format!("POST {}{}/paths-info/{}", t.hub_url(), repo.api_path(), base.url_encoded()),
        })
    })
}

/// Preupload's verdict per file, in order (`None`: the repo's `.gitignore` leaves it out).
async fn preupload(
    t: &Transport,
    request: &CommitRequest,
    files: &[OpenFile],
) -> Result<Vec<Option<UploadMode>>, Error> {
    // A `.gitattributes` or `.gitignore` committed with the files decides for them too.
    let git_attributes = text_of(files, ".gitattributes").await?;
    let git_ignore = text_of(files, ".gitignore").await?;
    let mut modes = Vec::with_capacity(files.len());
    for batch in files.chunks(PREUPLOAD_BATCH) {
        let mut samples = Vec::with_capacity(batch.len());
        for file in batch {
            samples.push(file.content.head(PREUPLOAD_SAMPLE_BYTES).await?);
        }
        let asked: Vec<PreuploadFile<'_>> = batch
            .iter()
            .zip(&samples)
            .map(|(f, sample)| PreuploadFile { path: &f.path, size: f.content.preupload_size(), sample })
            .collect();
        let mut url = format!("{}{}/preupload/{}", t.hub_url(), request.repo.api_path(), request.branch.url_encoded());
        if request.is_pull_request {
            url.push_str("?create_pr=1");
        }
        let body = preupload_body(&asked, git_attributes.as_deref(), git_ignore.as_deref());
        let read = t.send_and_read(post(url, body, "application/json", request.signal.as_ref()).repo_route()).await?;
        let paths: Vec<&str> = batch.iter().map(|f| f.path.as_str()).collect();
        let verdicts = parse_preupload_answer(&read.body, &paths).map_err(|e| read.answer.unexpected(e.to_string()))?;
        for (file, verdict) in batch.iter().zip(verdicts) {
            modes.push(match verdict {
                v if v.should_ignore => None,
                // Empty files always go inline (as Python sends them).
                _ if file.content.preupload_size() == 0 => Some(UploadMode::Regular),
                v => Some(v.upload_mode),
            });
        }
    }
    Ok(modes)
}

/// The text of the file committed at `path` (its first MiB), if there is one.
async fn text_of(files: &[OpenFile], path: &str) -> Result<Option<String>, Error> {
    match files.iter().find(|f| f.path == path) {
        Some(file) => Ok(Some(String::from_utf8_lossy(&file.content.head(1 << 20).await?).into_owned())),
        None => Ok(None),
    }
}

/// A regular file's bytes at `base`, through `resolve`.
async fn download_regular(
    t: &Transport,
    repo: &RepoId,
    base: &Revision,
    path: &str,
    signal: Option<&AbortSignal>,
) -> Result<Vec<u8>, Error> {
    let url = format!("{}/{}/resolve/{}/{}", t.hub_url(), repo.web_path(), base.url_encoded(), encode_path(path));
    Ok(t.send_and_read(Request::get(url, signal).repo_route()).await?.body)
}
