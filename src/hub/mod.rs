//! `HubClient`: the Hub's REST API (repo info, listings, paths-info, refs, commits, whoami) over
//! the one transport in `crate::http`. Method and option names follow `@huggingface/hub`; every
//! method takes one options object whose wrong values are `InvalidInputError`s, and every request
//! takes its `abortSignal`.

mod commit;
mod download;
pub(crate) mod options;
mod pages;
mod repos;
mod types;
mod upload;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use hubwasm_core::api::{ApiErrorKind, TreeEntry};
use hubwasm_core::repo::{RepoId, RepoType, Revision, RevisionKind};
use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::error::{ApiFailure, Error};
use crate::http::{Read, Request, Transport, TransportOptions};
use crate::js::convert::to_js;
use options::Options;
use pages::{iterate, Listing};

/// The Hub everyone means by default.
const DEFAULT_HUB_URL: &str = "https://huggingface.co";
/// The most entries the Hub returns per page.
const MAX_PAGE: u32 = 1000;

/// A client of one Hub: `new HubClient({ accessToken, hubUrl, fetch, userAgent, maxRetries })`.
/// Option and result types are declared in types.rs.
#[wasm_bindgen]
pub struct HubClient {
    transport: Rc<Transport>,
    /// The blob cache (src/cache/), when there is one.
    pub(crate) cache: Option<Rc<crate::cache::Cache>>,
}

/// Runs `work` as the Promise a method returns; its errors reject it as typed errors. Boxed, so
/// that `future_to_promise` is compiled once rather than once per method (-30 KB of wasm).
fn spawn(work: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    run_boxed(Box::pin(work))
}

fn run_boxed(work: Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>) -> Promise {
    future_to_promise(async move { work.await.map_err(JsValue::from) })
}

#[wasm_bindgen]
impl HubClient {
    /// `new HubClient({ accessToken, hubUrl, fetch, userAgent, maxRetries })`, all optional.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "HubClientOptions")] options: Option<JsValue>,
    ) -> Result<HubClient, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let cache = options::cache_from(&options)?;
        Ok(HubClient { transport: Rc::new(transport_from(options)?), cache })
    }

    #[wasm_bindgen(js_name = whoAmI, unchecked_return_type = "Promise<WhoAmI>")]
    pub fn who_am_i(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ abortSignal?: AbortSignal }")] options: Option<JsValue>,
    ) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options.unwrap_or(JsValue::UNDEFINED), "whoAmI")?;
            let signal = o.signal()?;
            let url = format!("{}/api/whoami-v2", t.hub_url());
            t.send_and_read(Request::get(url, signal.as_ref())).await?.js_json()
        })
    }

    #[wasm_bindgen(js_name = modelInfo, unchecked_return_type = "Promise<RepoInfo>")]
    pub fn model_info(&self, #[wasm_bindgen(unchecked_param_type = "RepoInfoOptions")] options: JsValue) -> Promise {
        self.info(options, RepoType::Model, "modelInfo")
    }

    #[wasm_bindgen(js_name = datasetInfo, unchecked_return_type = "Promise<RepoInfo>")]
    pub fn dataset_info(&self, #[wasm_bindgen(unchecked_param_type = "RepoInfoOptions")] options: JsValue) -> Promise {
        self.info(options, RepoType::Dataset, "datasetInfo")
    }

    #[wasm_bindgen(js_name = spaceInfo, unchecked_return_type = "Promise<RepoInfo>")]
    pub fn space_info(&self, #[wasm_bindgen(unchecked_param_type = "RepoInfoOptions")] options: JsValue) -> Promise {
        self.info(options, RepoType::Space, "spaceInfo")
    }

    #[wasm_bindgen(js_name = repoExists, unchecked_return_type = "Promise<boolean>")]
    pub fn repo_exists(&self, #[wasm_bindgen(unchecked_param_type = "RepoExistsOptions")] options: JsValue) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options, "repoExists")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            match repo_info(&t, &repo, revision.as_ref(), &[], signal.as_ref()).await {
                Ok(_) => Ok(JsValue::TRUE),
                Err(Error::Api(f)) if matches!(f.kind, ApiErrorKind::RepoNotFound | ApiErrorKind::RevisionNotFound) => {
                    Ok(JsValue::FALSE)
                }
                Err(other) => Err(other),
            }
        })
    }

    #[wasm_bindgen(js_name = fileExists, unchecked_return_type = "Promise<boolean>")]
    pub fn file_exists(&self, #[wasm_bindgen(unchecked_param_type = "FileOptions")] options: JsValue) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options, "fileExists")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            let path = o.required("path", o.repo_path("path")?)?;
            let revision = revision.unwrap_or_else(Revision::main);
            let answer = paths_info(&t, &repo, &revision, std::slice::from_ref(&path), false, signal.as_ref()).await?;
            let entries: Vec<TreeEntry> = answer.json()?;
            Ok(JsValue::from_bool(
                entries.iter().any(|e| e.path == path && e.kind == hubwasm_core::api::EntryKind::File),
            ))
        })
    }

    #[wasm_bindgen(js_name = pathsInfo, unchecked_return_type = "Promise<ListFileEntry[]>")]
    pub fn paths_info(&self, #[wasm_bindgen(unchecked_param_type = "PathsInfoOptions")] options: JsValue) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options, "pathsInfo")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            let paths = o.required("paths", o.strings("paths")?)?;
            for path in &paths {
                hubwasm_core::repo::validate_path(path)
                    .map_err(|e| Error::invalid_input(format!("pathsInfo() option paths: {path:?}: {e}")))?;
            }
            let expand = o.bool("expand")?.unwrap_or(false);
            let revision = revision.unwrap_or_else(Revision::main);
            paths_info(&t, &repo, &revision, &paths, expand, signal.as_ref()).await?.js_json()
        })
    }

    /// An async iterator over the files (and folders) of a revision, following pagination.
    #[wasm_bindgen(js_name = listFiles, unchecked_return_type = "HubAsyncIterator<ListFileEntry>")]
    pub fn list_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListFilesOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o = Options::new(options, "listFiles")?;
        let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
        let path = o.repo_path("path")?;
        let recursive = o.bool("recursive")?.unwrap_or(false);
        let expand = o.bool("expand")?.unwrap_or(false);
        let revision = revision.unwrap_or_else(Revision::main);
        let mut url = format!("{}{}/tree/{}", self.transport.hub_url(), repo.api_path(), revision.url_encoded());
        if let Some(path) = path {
            url.push('/');
            url.push_str(&encode_path(&path));
        }
        url.push_str(&format!("?recursive={recursive}&expand={expand}"));
        let listing = Listing { first_url: url, limit: None, signal, repo_route: true };
        Ok(iterate(self.transport.clone(), listing))
    }

    /// An async iterator over a revision's commits, newest first.
    #[wasm_bindgen(js_name = listCommits, unchecked_return_type = "HubAsyncIterator<CommitData>")]
    pub fn list_commits(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListCommitsOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o = Options::new(options, "listCommits")?;
        let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
        let batch = o.count("batchSize", MAX_PAGE)?.unwrap_or(100).max(1);
        let limit = o.count("limit", u32::MAX)?.map(u64::from);
        let revision = revision.unwrap_or_else(Revision::main);
        let url = format!(
            "{}{}/commits/{}?limit={}",
            self.transport.hub_url(),
            repo.api_path(),
            revision.url_encoded(),
            limit.map_or(batch, |l| batch.min(l.max(1) as u32))
        );
        let listing = Listing { first_url: url, limit, signal, repo_route: true };
        Ok(iterate(self.transport.clone(), listing))
    }

    #[wasm_bindgen(js_name = listRefs, unchecked_return_type = "Promise<RefsInfo>")]
    pub fn list_refs(&self, #[wasm_bindgen(unchecked_param_type = "ListRefsOptions")] options: JsValue) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options, "listRefs")?;
            let (repo, signal) = (o.repo(None)?, o.signal()?);
            let prs = o.bool("includePullRequests")?.unwrap_or(true);
            let mut url = format!("{}{}/refs", t.hub_url(), repo.api_path());
            if prs {
                url.push_str("?include_prs=1");
            }
            t.send_and_read(Request::get(url, signal.as_ref()).repo_route()).await?.js_json()
        })
    }

    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "HubAsyncIterator<RepoInfo>")]
    pub fn list_models(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListReposOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        Ok(self.list_repos(options.unwrap_or(JsValue::UNDEFINED), RepoType::Model, "listModels")?)
    }

    #[wasm_bindgen(js_name = listDatasets, unchecked_return_type = "HubAsyncIterator<RepoInfo>")]
    pub fn list_datasets(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListReposOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        Ok(self.list_repos(options.unwrap_or(JsValue::UNDEFINED), RepoType::Dataset, "listDatasets")?)
    }

    /// What a download of the file would fetch: size, etag, commit, and whether it is a plain git
    /// blob, an LFS object or a Xet file (with its hash and the Xet links).
    #[wasm_bindgen(js_name = fileDownloadInfo, unchecked_return_type = "Promise<FileDownloadInfo>")]
    pub fn file_download_info(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FileOptions")] options: JsValue,
    ) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options, "fileDownloadInfo")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            let path = o.required("path", o.repo_path("path")?)?;
            let info = file_download_info(&t, &repo, revision, &path, signal.as_ref()).await?;
            to_js(&info)
        })
    }
}

impl HubClient {
    /// A client over the same transport and cache (snapshotDownload's per-file downloads, src/cache/).
    pub(crate) fn with_parts(transport: Rc<Transport>, cache: Option<Rc<crate::cache::Cache>>) -> HubClient {
        HubClient { transport, cache }
    }

    /// For the download path (issue #10 item 4), which shares this client's transport.
    #[allow(dead_code)]
    pub(crate) fn transport(&self) -> &Rc<Transport> {
        &self.transport
    }

    fn info(&self, options: JsValue, repo_type: RepoType, method: &'static str) -> Promise {
        let t = self.transport.clone();
        spawn(async move {
            let o = Options::new(options, method)?;
            let (repo, revision, signal) = (o.repo(Some(repo_type))?, o.revision()?, o.signal()?);
            let expand = o.strings("expand")?.unwrap_or_default();
            repo_info(&t, &repo, revision.as_ref(), &expand, signal.as_ref()).await?.js_json()
        })
    }

    fn list_repos(&self, options: JsValue, repo_type: RepoType, method: &'static str) -> Result<JsValue, Error> {
        let o = Options::new(options, method)?;
        let signal = o.signal()?;
        let search = o.string("search")?;
        let author = o.string("author")?;
        let limit = o.count("limit", u32::MAX)?.map(u64::from);
        let mut url = format!("{}/api/{}?", self.transport.hub_url(), repo_type.plural());
        if let Some(search) = search {
            url.push_str(&format!("search={}&", encode(&search)));
        }
        if let Some(author) = author {
            url.push_str(&format!("author={}&", encode(&author)));
        }
        let page = limit.map_or(MAX_PAGE, |l| l.clamp(1, u64::from(MAX_PAGE)) as u32);
        url.push_str(&format!("limit={page}"));
        let listing = Listing { first_url: url, limit, signal, repo_route: false };
        Ok(iterate(self.transport.clone(), listing))
    }
}

fn transport_from(options: JsValue) -> Result<Transport, Error> {
    let o = Options::new(options, "HubClient")?;
    let access_token = o.string("accessToken")?.filter(|t| !t.is_empty());
    if let Some(token) = &access_token {
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_input("HubClient option accessToken may only hold visible ASCII characters"));
        }
    }
    let user_agent = o.string("userAgent")?;
    if let Some(agent) = &user_agent {
        if !agent.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(Error::invalid_input("HubClient option userAgent may only hold printable ASCII characters"));
        }
    }
    Transport::new(TransportOptions {
        hub_url: o.string("hubUrl")?.unwrap_or_else(|| DEFAULT_HUB_URL.into()),
        access_token,
        fetch: o.function("fetch")?,
        user_agent,
        max_retries: o.count("maxRetries", 20)?,
    })
}

/// `encodeURIComponent`.
fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// A repo path for a URL: each segment encoded, the `/`s kept.
fn encode_path(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// `GET /api/{type}s/{id}[/revision/{rev}]`, read.
async fn repo_info(
    t: &Transport,
    repo: &RepoId,
    revision: Option<&Revision>,
    expand: &[String],
    signal: Option<&AbortSignal>,
) -> Result<Read, Error> {
    let mut url = format!("{}{}", t.hub_url(), repo.api_path());
    if let Some(revision) = revision {
        url.push_str("/revision/");
        url.push_str(&revision.url_encoded());
    }
    for (i, field) in expand.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str("expand[]=");
        url.push_str(&encode(field));
    }
    t.send_and_read(Request::get(url, signal).repo_route()).await
}

/// `POST /api/{type}s/{id}/paths-info/{rev}`, read: the entries of the paths that exist.
async fn paths_info(
    t: &Transport,
    repo: &RepoId,
    revision: &Revision,
    paths: &[String],
    expand: bool,
    signal: Option<&AbortSignal>,
) -> Result<Read, Error> {
    #[derive(Serialize)]
    struct Body<'a> {
        paths: &'a [String],
        expand: bool,
    }
    let url = format!("{}{}/paths-info/{}", t.hub_url(), repo.api_path(), revision.url_encoded());
    let body = serde_json::to_string(&Body { paths, expand })
        .map_err(|e| Error::Internal(format!("encoding a paths-info body failed: {e}")))?;
    let mut request = Request::get(url, signal).repo_route().header("content-type", "application/json");
    request.method = "POST";
    request.body = Some(JsValue::from_str(&body));
    t.send_and_read(request).await
}

/// `fileDownloadInfo`'s answer (`FileDownloadInfo` in types.rs).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileDownloadInfo {
    path: String,
    size: u64,
    /// The Hub's ETag without quotes: the sha256 of LFS and Xet content, the git blob id otherwise.
    etag: String,
    /// The commit the revision resolved to.
    commit: String,
    /// `regular`, `lfs` or `xet`.
    kind: &'static str,
    /// The git blob id (of the pointer file for LFS and Xet content).
    oid: String,
    lfs: Option<hubwasm_core::api::LfsInfo>,
    xet_hash: Option<String>,
    /// From the `application/vnd.xet-fileinfo+json` answer, for Xet files.
    xet: Option<XetLinks>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XetLinks {
    /// Where a Xet read token is fetched (the `xet-auth` link).
    refresh_url: String,
    /// The CAS reconstruction of the file.
    reconstruction_url: String,
}

/// The commit first (so the entry and the links all describe that one commit), then the entry
/// from paths-info, then for Xet files the fileinfo JSON answer of `resolve` (a browser cannot read
/// a redirect's headers, so nothing here comes from a 302).
async fn file_download_info(
    t: &Transport,
    repo: &RepoId,
    revision: Option<Revision>,
    path: &str,
    signal: Option<&AbortSignal>,
) -> Result<FileDownloadInfo, Error> {
    let revision = revision.unwrap_or_else(Revision::main);
    let (commit, at_commit) = match revision.kind() {
        RevisionKind::CommitSha(sha) => (sha.to_ascii_lowercase(), revision.clone()),
        _ => {
            #[derive(Deserialize)]
            struct Sha {
                sha: Option<String>,
            }
            let read = repo_info(t, repo, Some(&revision), &[], signal).await?;
            let info: Sha = read.json()?;
            let sha = info.sha.ok_or_else(|| read.answer.unexpected("the repo info answer has no sha".into()))?;
            let at = Revision::parse(&sha)
                .map_err(|e| read.answer.unexpected(format!("the repo info answer's sha {sha:?}: {e}")))?;
            (sha, at)
        }
    };
    let entries: Vec<TreeEntry> = paths_info(t, repo, &at_commit, &[path.to_string()], false, signal).await?.json()?;
    let entry = entries
        .into_iter()
        .find(|e| e.path == path && e.kind == hubwasm_core::api::EntryKind::File)
        .ok_or_else(|| {
            Error::Api(ApiFailure {
                kind: ApiErrorKind::EntryNotFound,
                status: 404,
                server_message: format!("no file {path:?} at {commit}"),
                request_id: None,
                retry_after: None,
                what: format!("POST {}{}/paths-info/{commit}", t.hub_url(), repo.api_path()),
            })
        })?;
    let xet = match &entry.xet_hash {
        None => None,
        Some(_) => {
            let url = format!("{}/{}/resolve/{}/{}", t.hub_url(), repo.web_path(), commit, encode_path(path));
            let request = Request::get(url, signal).repo_route().header("accept", "application/vnd.xet-fileinfo+json");
            Some(t.send_and_read(request).await?.json::<XetLinks>()?)
        }
    };
    let kind = match (&entry.xet_hash, &entry.lfs) {
        (Some(_), _) => "xet",
        (None, Some(_)) => "lfs",
        (None, None) => "regular",
    };
    Ok(FileDownloadInfo {
        etag: entry.lfs.as_ref().map_or_else(|| entry.oid.clone(), |lfs| lfs.oid.clone()),
        path: entry.path,
        size: entry.size,
        commit,
        kind,
        oid: entry.oid,
        lfs: entry.lfs,
        xet_hash: entry.xet_hash,
        xet,
    })
}
