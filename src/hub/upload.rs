//! The seam between a commit and the uploads of its large files, and the first uploader behind
//! it: Git LFS (batch, then one PUT or the Hub's multipart parts, then verify), used when the
//! server offers no Xet.
//!
//! A commit (commit.rs) asks preupload which files are large ("lfs"), hands them all to one
//! [`LargeFileUploader`] and writes an `lfsFile` line for each [`UploadedFile`] it gets back.
//! Everything the commit line needs comes back from the uploader: the SHA-256 and size (and,
//! for Xet, the Xet hash). Whatever happens inside (hashing, chunking, dedup, xorbs, shards,
//! retries, progress) is the uploader's business.

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
use crate::js::source::Replayable;

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

/// A file preupload sent to LFS: its path in the repo and its content (readable more than once).
pub(crate) struct LargeFile {
    pub(crate) path: String,
    pub(crate) content: Replayable,
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
            let mut objects = Vec::with_capacity(files.len());
            for file in files {
                objects.push(LfsObject { oid: sha256_of(file, session.progress).await?, size: file.content.len() });
            }
            for (files, objects) in files.chunks(LFS_BATCH).zip(objects.chunks(LFS_BATCH)) {
                let actions = lfs_batch(session, objects).await?;
                for ((file, object), action) in files.iter().zip(objects).zip(actions) {
                    send_object(session, file, object, action).await?;
                    session.progress.file(&file.path, FileState::Uploading, object.size, object.size);
                }
            }
            Ok(objects.into_iter().map(|o| UploadedFile { sha256: o.oid, size: o.size, xet_hash: None }).collect())
        })
    }
}

/// SHA-256 of a file, reporting the bytes hashed.
pub(crate) async fn sha256_of(file: &LargeFile, progress: &Progress) -> Result<String, Error> {
    let total = file.content.len();
    let mut state = Sha256::new();
    let mut last_report = 0u64;
    file.content
        .for_each_block(|block| {
            state.update(block);
            // One event per 16 MiB at most: a callback per 4 MiB block would cost more than it says.
            if state.len() - last_report >= 16 << 20 {
                last_report = state.len();
                progress.file(&file.path, FileState::Hashing, state.len(), total);
            }
        })
        .await?;
    if state.len() != total {
        return Err(Error::SourceRead {
            message: format!("{} changed while it was read: {} bytes, then {}", file.path, total, state.len()),
            cause: JsValue::UNDEFINED,
        });
    }
    progress.file(&file.path, FileState::Hashing, total, total);
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
    file: &LargeFile,
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
            request.body = Some(file.content.body(0, object.size)?);
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
                request.body = Some(file.content.body(start, end)?);
                let answer = t.send(request).await?;
                let etag = answer
                    .header("etag")
                    .ok_or_else(|| answer.unexpected(format!("part {} of {} has no ETag", i + 1, file.path)))?;
                etags.push(etag);
                session.progress.file(&file.path, FileState::Uploading, end, object.size);
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
