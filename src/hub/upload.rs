//! The seam between a commit and the uploads of its large files, and the first uploader behind
//! it: Git LFS (batch, then one PUT or the Hub's multipart parts, then verify), used when the
//! server offers no Xet.
//!
//! A commit (commit.rs) asks preupload which files are large ("lfs"), hands them all to one
//! [`LargeFileUploader`] and writes an `lfsFile` line for each [`UploadedFile`] it gets back.
//! Everything the commit line needs comes back from the uploader: the SHA-256 and size (and,
//! for Xet, the Xet hash). Whatever happens inside (hashing, chunking, dedup, xorbs, shards,
//! retries, progress) is the uploader's business.

use std::cell::RefCell;
use std::rc::Rc;

use hubwasm_core::api::ApiErrorKind;
use hubwasm_core::commit::upload::{
    lfs_batch_body, multipart_complete_body, parse_lfs_batch_answer, verify_body, LfsAction, LfsObject,
    UploadAnswerError, LFS_BATCH,
};
use hubwasm_core::lfs::Sha256;
use hubwasm_core::repo::RepoId;
use js_sys::Function;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::error::{ApiFailure, Error};
use crate::http::{LocalFuture, Request, Transport};
use crate::js::convert::to_js;
use crate::js::source::{Replayable, StreamChunks};

/// What the uploaders need to know about the commit they upload for.
pub(crate) struct UploadSession<'a> {
    pub(crate) transport: &'a Rc<Transport>,
    pub(crate) repo: &'a RepoId,
    /// The branch committed to (with `is_pull_request`, the branch the PR is opened against).
    pub(crate) branch: &'a str,
    pub(crate) is_pull_request: bool,
    pub(crate) signal: Option<&'a AbortSignal>,
    pub(crate) progress: &'a Progress,
    /// Bytes of file data the uploader may hold at once (the commit's `uploadMemory`).
    pub(crate) memory: u64,
}

/// A file preupload sent to LFS: its path in the repo and its content.
pub(crate) struct LargeFile {
    pub(crate) path: String,
    pub(crate) content: FileContent,
}

/// Bytes of a stream read before preupload: a stream that ends within them is committed like
/// bytes; a longer one is large by the Hub's rule (files above 10 MiB are LFS, hub-api.md §7)
/// and goes through Xet as it is read, in one pass.
pub(crate) const STREAM_HEAD_BYTES: usize = 10 << 20;

/// A commit's file content: readable more than once, or a long stream read once.
pub(crate) enum FileContent {
    Replayable(Replayable),
    Stream(StreamedContent),
}

/// A stream longer than [`STREAM_HEAD_BYTES`]: its first bytes, and the rest still unread.
pub(crate) struct StreamedContent {
    head_len: u64,
    head: RefCell<Option<Vec<u8>>>,
    rest: RefCell<Option<StreamChunks>>,
}

impl FileContent {
    /// Opens a commit content: a stream is read up to [`STREAM_HEAD_BYTES`] (plus one chunk) to
    /// tell a short one from a long one; anything else as [`Replayable::from_js`] opens it.
    pub(crate) async fn open(value: &JsValue, what: &str) -> Result<Self, Error> {
        let Some(opened) = StreamChunks::open(value) else {
            return Ok(FileContent::Replayable(Replayable::from_js(value.clone(), what).await?));
        };
        let mut rest = opened.map_err(|e| match e {
            Error::InvalidInput(message) => Error::invalid_input(format!("{what}: {message}")),
            other => other,
        })?;
        let mut head = Vec::new();
        while head.len() <= STREAM_HEAD_BYTES {
            if !rest.next_into(&mut head).await? {
                return Ok(FileContent::Replayable(Replayable::from_slice(&head)?));
            }
        }
        let head_len = head.len() as u64;
        Ok(FileContent::Stream(StreamedContent {
            head_len,
            head: RefCell::new(Some(head)),
            rest: RefCell::new(Some(rest)),
        }))
    }

    /// The size preupload is told: a long stream's is the bytes read so far (already above the
    /// Hub's 10 MiB, all that its verdict depends on).
    pub(crate) fn preupload_size(&self) -> u64 {
        match self {
            FileContent::Replayable(r) => r.len(),
            FileContent::Stream(s) => s.head_len,
        }
    }

    /// The first `n` bytes (at most), for preupload's sample and `.gitattributes`.
    pub(crate) async fn head(&self, n: usize) -> Result<Vec<u8>, Error> {
        match self {
            FileContent::Replayable(r) => r.read(0, n as u64).await,
            FileContent::Stream(s) => match &*s.head.borrow() {
                Some(head) => Ok(head[..n.min(head.len())].to_vec()),
                None => Err(stream_already_read()),
            },
        }
    }

    /// Replayable content: itself, or a stream read to its end into a Blob (the LFS and regular
    /// paths read a file more than once). `None` for content that already is replayable.
    pub(crate) async fn buffered(&self) -> Result<Option<Replayable>, Error> {
        let FileContent::Stream(s) = self else { return Ok(None) };
        let (Some(head), Some(rest)) = (s.head.borrow_mut().take(), s.rest.borrow_mut().take()) else {
            return Err(stream_already_read());
        };
        rest.into_replayable(&head).await.map(Some)
    }
}

impl StreamedContent {
    /// The next bytes in order (the head first, then about `block` bytes at a time); `None` at
    /// the end.
    pub(crate) async fn next_block(&self, block: usize) -> Result<Option<Vec<u8>>, Error> {
        if let Some(head) = self.head.borrow_mut().take() {
            return Ok(Some(head));
        }
        let Some(mut rest) = self.rest.borrow_mut().take() else { return Ok(None) };
        let mut out = Vec::with_capacity(block);
        let mut more = true;
        while more && out.len() < block {
            more = rest.next_into(&mut out).await?;
        }
        if more {
            *self.rest.borrow_mut() = Some(rest);
        }
        Ok((!out.is_empty()).then_some(out))
    }
}

fn stream_already_read() -> Error {
    Error::InvalidState("this commit's ReadableStream content was already read (a stream is read once)".into())
}

/// What an `lfsFile` commit line needs of an uploaded file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UploadedFile {
    /// SHA-256 of the content, 64 lowercase hex digits (the LFS oid).
    pub(crate) sha256: String,
    pub(crate) size: u64,
    /// The Xet file hash, when the content went through Xet (the Hub learns it from the shard;
    /// kept for the caller's result and for checks).
    #[allow(dead_code)] // set by the Xet uploader (XETUP)
    pub(crate) xet_hash: Option<String>,
}

/// Uploads a commit's large files; answers one [`UploadedFile`] per [`LargeFile`], in order.
/// Every request takes `session.signal` and is retried by the transport; progress goes to
/// `session.progress` per file.
pub(crate) trait LargeFileUploader {
    fn upload<'a>(
        &'a self,
        session: &'a UploadSession<'a>,
        files: &'a [LargeFile],
    ) -> LocalFuture<'a, Vec<UploadedFile>>;
}

/// THE SEAM: which uploader a commit's large files go through.
///
/// XETUP plugs the Xet uploader in here (src/hub/xet_upload*): when Xet is available (the Hub
/// answers `xet-write-token`, or an LFS batch offered `xet` chooses it), return it; it uploads
/// each file in one pass (SHA-256 + chunking + xorbs, global dedup, then the shard) and fills
/// `UploadedFile::xet_hash`. [`LfsUploader`] stays the fallback when the server offers no Xet.
/// `prefer_xet` is the commit's `useXet` option (default true).
pub(crate) fn large_file_uploader(prefer_xet: bool) -> Box<dyn LargeFileUploader> {
    if prefer_xet {
        return Box::new(super::xet_upload::XetUploader);
    }
    Box::new(LfsUploader)
}

/// The phases of a commit, reported as `{ event: "phase", phase }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Phase {
    /// Asking the Hub which files go inline and which are large.
    Preuploading,
    /// Hashing and uploading the large files.
    UploadingLargeFiles,
    /// Sending the commit itself.
    Committing,
}

/// What is happening to one file, reported as `{ event: "fileProgress", path, state, … }`.
/// An uploader may add states (e.g. bytes found already stored by dedup).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum FileState {
    /// Bytes read and hashed.
    Hashing,
    /// Bytes the server has acknowledged (already stored counts as sent).
    Uploading,
    /// Bytes found already stored (Xet dedup): never sent.
    Deduplicated,
}

/// Where a commit's progress events go: the caller's `onProgress`, or `commitIter`'s queue.
/// A callback that throws is ignored: progress must not break a commit.
pub(crate) struct Progress {
    sink: Option<Function>,
}

impl Progress {
    pub(crate) fn new(sink: Option<Function>) -> Self {
        Progress { sink }
    }

    fn emit<T: Serialize>(&self, event: &T) {
        let Some(sink) = &self.sink else { return };
        if let Ok(value) = to_js(event) {
            let _ = sink.call1(&JsValue::UNDEFINED, &value);
        }
    }

    pub(crate) fn phase(&self, phase: Phase) {
        #[derive(Serialize)]
        struct Event {
            event: &'static str,
            phase: Phase,
        }
        self.emit(&Event { event: "phase", phase });
    }

    /// `loaded` of `total` bytes of `path` are in `state`.
    pub(crate) fn file(&self, path: &str, state: FileState, loaded: u64, total: u64) {
        #[derive(Serialize)]
        struct Event<'a> {
            event: &'static str,
            path: &'a str,
            state: FileState,
            /// 0 to 1.
            progress: f64,
            loaded: u64,
            total: u64,
        }
        let progress = if total == 0 { 1.0 } else { loaded as f64 / total as f64 };
        self.emit(&Event { event: "fileProgress", path, state, progress, loaded, total });
    }
}

/// Git LFS: hash each file (core's streaming SHA-256), ask the batch API what to send, send it
/// (one PUT, or the multipart parts one after the other, then the completion), verify.
pub(crate) struct LfsUploader;

impl LargeFileUploader for LfsUploader {
    fn upload<'a>(
        &'a self,
        session: &'a UploadSession<'a>,
        files: &'a [LargeFile],
    ) -> LocalFuture<'a, Vec<UploadedFile>> {
        Box::pin(async move {
            // LFS hashes a file before sending it: streams are read into Blobs first.
            let mut contents = Vec::with_capacity(files.len());
            for file in files {
                contents.push(file.content.buffered().await?);
            }
            let contents: Vec<&Replayable> = files
                .iter()
                .zip(&contents)
                .map(|(file, buffered)| match (buffered, &file.content) {
                    (Some(buffered), _) => Ok(buffered),
                    (None, FileContent::Replayable(r)) => Ok(r),
                    (None, FileContent::Stream(_)) => Err(stream_already_read()),
                })
                .collect::<Result<_, Error>>()?;
            let mut objects = Vec::with_capacity(files.len());
            for (file, content) in files.iter().zip(&contents) {
                objects.push(LfsObject {
                    oid: sha256_of(&file.path, content, session.progress).await?,
                    size: content.len(),
                });
            }
            let batches = files.chunks(LFS_BATCH).zip(contents.chunks(LFS_BATCH)).zip(objects.chunks(LFS_BATCH));
            for ((files, contents), objects) in batches {
                let actions = lfs_batch(session, objects).await?;
                for (((file, content), object), action) in files.iter().zip(contents).zip(objects).zip(actions) {
                    send_object(session, &file.path, content, object, action).await?;
                    session.progress.file(&file.path, FileState::Uploading, object.size, object.size);
                }
            }
            Ok(objects.into_iter().map(|o| UploadedFile { sha256: o.oid, size: o.size, xet_hash: None }).collect())
        })
    }
}

/// SHA-256 of a file, reporting the bytes hashed.
pub(crate) async fn sha256_of(path: &str, content: &Replayable, progress: &Progress) -> Result<String, Error> {
    let total = content.len();
    let mut state = Sha256::new();
    let mut last_report = 0u64;
    content
        .for_each_block(|block| {
            state.update(block);
            // One event per 16 MiB at most: a callback per 4 MiB block would cost more than it says.
            if state.len() - last_report >= 16 << 20 {
                last_report = state.len();
                progress.file(path, FileState::Hashing, state.len(), total);
            }
        })
        .await?;
    if state.len() != total {
        return Err(Error::SourceRead {
            message: format!("{} changed while it was read: {} bytes, then {}", path, total, state.len()),
            cause: JsValue::UNDEFINED,
        });
    }
    progress.file(path, FileState::Hashing, total, total);
    Ok(state.finalize_hex())
}

/// `POST {hub}/{prefix}{id}.git/info/lfs/objects/batch`, offering basic and multipart.
async fn lfs_batch(session: &UploadSession<'_>, objects: &[LfsObject]) -> Result<Vec<LfsAction>, Error> {
    let t = session.transport;
    let url = format!("{}/{}.git/info/lfs/objects/batch", t.hub_url(), session.repo.web_path());
    let branch = (!session.is_pull_request).then_some(session.branch);
    let body = lfs_batch_body(objects, &["basic", "multipart"], branch);
    let request = post(url, body, "application/vnd.git-lfs+json", session.signal)
        .repo_route()
        .header("accept", "application/vnd.git-lfs+json");
    let read = t.send_and_read(request).await?;
    let answer = parse_lfs_batch_answer(&read.body, objects).map_err(|e| match e {
        // The Hub refused one object (too large, a bad oid): typed by its code, like an answer's status.
        UploadAnswerError::Object { oid, code, message } => {
            let status = u16::try_from(code).unwrap_or(0);
            Error::Api(ApiFailure {
                kind: ApiErrorKind::classify(status, None, Some(&message), false),
                status,
                server_message: format!("LFS object {oid}: {message}"),
                request_id: read.answer.request_id.clone(),
                retry_after: None,
                what: format!("POST {}/{}.git/info/lfs/objects/batch", t.hub_url(), session.repo.web_path()),
            })
        }
        other => read.answer.unexpected(other.to_string()),
    })?;
    Ok(answer.actions)
}

async fn send_object(
    session: &UploadSession<'_>,
    path: &str,
    content: &Replayable,
    object: &LfsObject,
    action: LfsAction,
) -> Result<(), Error> {
    let t = session.transport;
    let verify = match action {
        LfsAction::Present => return Ok(()),
        LfsAction::Xet { .. } => {
            return Err(Error::Internal("the LFS batch chose Xet, which this upload did not offer".into()))
        }
        LfsAction::Basic { href, headers, verify } => {
            let mut request = Request::get(href, session.signal);
            request.method = "PUT";
            request.headers = headers;
            request.body = Some(content.body(0, object.size)?);
            t.send(request).await?;
            verify
        }
        LfsAction::Multipart { complete_href, chunk_size, parts, verify } => {
            let mut etags = Vec::with_capacity(parts.len());
            for (i, url) in parts.into_iter().enumerate() {
                let start = i as u64 * chunk_size;
                let end = (start + chunk_size).min(object.size);
                let mut request = Request::get(url, session.signal);
                request.method = "PUT";
                request.body = Some(content.body(start, end)?);
                let answer = t.send(request).await?;
                let etag = answer
                    .header("etag")
                    .ok_or_else(|| answer.unexpected(format!("part {} of {} has no ETag", i + 1, path)))?;
                etags.push(etag);
                session.progress.file(path, FileState::Uploading, end, object.size);
            }
            let body = multipart_complete_body(&object.oid, &etags);
            t.send_and_read(post(complete_href, body, "application/vnd.git-lfs+json", session.signal)).await?;
            verify
        }
    };
    if let Some(href) = verify {
        t.send_and_read(post(href, verify_body(object), "application/vnd.git-lfs+json", session.signal)).await?;
    }
    Ok(())
}

/// A `POST` of a text body.
pub(crate) fn post<'a>(url: String, body: String, content_type: &str, signal: Option<&'a AbortSignal>) -> Request<'a> {
    let mut request = Request::get(url, signal).header("content-type", content_type);
    request.method = "POST";
    request.body = Some(JsValue::from_str(&body));
    request
}
