//! Repos themselves: create (with the Hub's first commit), delete, move, settings, and the
//! repo info answer with `expand`.

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use base64::Engine as _;
use hubwasm_core::lfs::GitAttributes;
use hubwasm_core::repo::{RepoId, RepoType};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::commits::{record_commit, CommitMessage};
use crate::ctx::Ctx;
use crate::git;
use crate::gitattributes::DEFAULT_GITATTRIBUTES;
use crate::http::{self, HubError, HubResult};
use crate::objects;
use crate::repo::{body_kind, check_path, check_repo_name, find_repo, repo_web_url, resolve_revision};
use crate::store::{Entry, RefUpdate, Repo};

const MODEL_EXPAND: &[&str] = &[
    "author",
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "evalResults",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "mask_token",
    "model-index",
    "pipeline_tag",
    "private",
    "resourceGroup",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "transformersInfo",
    "trendingScore",
    "usedStorage",
    "widgetData",
    "xetEnabled",
];
const DATASET_EXPAND: &[&str] = &[
    "author",
    "cardData",
    "citation",
    "createdAt",
    "description",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "lastModified",
    "likes",
    "mainSize",
    "paperswithcode_id",
    "private",
    "resourceGroup",
    "sha",
    "siblings",
    "tags",
    "trendingScore",
    "usedStorage",
    "xetEnabled",
];
const SPACE_EXPAND: &[&str] = &[
    "author",
    "cardData",
    "createdAt",
    "datasets",
    "disabled",
    "lastModified",
    "likes",
    "models",
    "private",
    "region",
    "resourceGroup",
    "runtime",
    "sdk",
    "sha",
    "siblings",
    "subdomain",
    "tags",
    "trendingScore",
    "usedStorage",
    "xetEnabled",
];

pub fn create_repo(app: &App, ctx: &Ctx) -> HubResult {
    let body = ctx.json()?;
    let kind = body_kind(&body)?;
    let name = body.get("name").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("\"name\" is required"))?;
    let user =
        ctx.caller.user.clone().ok_or_else(|| HubError::unauthorized("You must be authenticated to create a repo"))?;
    let namespace = body.get("organization").and_then(Value::as_str).map(str::to_string).unwrap_or(user);
    check_repo_name(name)?;
    if !ctx.caller.owns(&app.store, &namespace)? || !ctx.caller.can_write_role() {
        return Err(HubError::forbidden(format!(
            "You don't have the rights to create a repo under the namespace {namespace:?}"
        )));
    }
    let private = match body.get("visibility").and_then(Value::as_str) {
        Some(v) => v != "public",
        None => body.get("private").and_then(Value::as_bool).unwrap_or(false),
    };
    let sdk = body.get("sdk").and_then(Value::as_str);
    if kind == "space" && sdk.is_none() {
        return Err(HubError::bad_request("\"sdk\" is required for spaces"));
    }
    if let Some(existing) = app.store.repo(kind, &namespace, name)? {
        let url = repo_web_url(app, &existing);
        let mut r = http::json(
            StatusCode::CONFLICT,
            &json!({ "error": format!("You already created this {kind} repo"), "url": url }),
        );
        r.headers_mut().insert("X-Error-Message", "You already created this repo".parse().expect("ascii"));
        return Ok(r);
    }
    let files = initial_files(body.get("files"), body.get("license").and_then(Value::as_str))?;
    let repo = app.store.insert_repo(kind, &namespace, name, private, sdk)?;
    let entries = store_initial_files(app, &repo, files)?;
    let author = ctx.caller.user.as_deref().unwrap_or("");
    let message = CommitMessage { title: "initial commit", description: "", author };
    let target = RefUpdate::Move { name: "refs/heads/main", expected: None };
    record_commit(app, &repo, target, None, &message, entries)?
        .ok_or_else(|| HubError::conflict("Cannot create repo: another conflicting operation is in progress"))?;
    Ok(http::ok_json(json!({ "url": repo_web_url(app, &repo), "name": repo.full_name(), "id": repo.uid })))
}

/// The first commit's files of a new repo, checked before the repo exists so a bad request
/// creates nothing: the create call's `files` (`[{path, content, encoding}]`, base64 unless
/// `encoding` says `utf-8`; "a few lightweight files": the router's JSON body limit bounds them),
/// over the default `.gitattributes`, plus a `README.md` carrying `license` metadata when a
/// license is asked for and no README is given.
fn initial_files(files: Option<&Value>, license: Option<&str>) -> HubResult<Vec<(String, Vec<u8>)>> {
    let none = Vec::new();
    let list = match files {
        None | Some(Value::Null) => &none,
        Some(Value::Array(list)) => list,
        Some(_) => return Err(HubError::bad_request("\"files\" must be an array of {path, content, encoding}")),
    };
    let mut given: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, f) in list.iter().enumerate() {
        let field = |name: &str| f.get(name).and_then(Value::as_str);
        let path = field("path").ok_or_else(|| HubError::bad_request(format!("files[{i}].path is required")))?;
        let path = check_path(path)?;
        let content =
            field("content").ok_or_else(|| HubError::bad_request(format!("files[{i}].content is required")))?;
        let content = match field("encoding") {
            None | Some("base64") => base64::engine::general_purpose::STANDARD
                .decode(content)
                .map_err(|_| HubError::bad_request(format!("files[{i}].content is not valid base64")))?,
            Some("utf-8" | "utf8") => content.as_bytes().to_vec(),
            Some(other) => {
                return Err(HubError::bad_request(format!("files[{i}].encoding {other:?} is not supported")))
            }
        };
        if given.iter().any(|(p, _)| *p == path) {
            return Err(HubError::bad_request(format!("files[{i}]: {path} is given twice")));
        }
        given.push((path, content));
    }
    if let Some(license) = license {
        if license.is_empty() || license.contains(['\n', '\r']) {
            return Err(HubError::bad_request(format!("Invalid license {license:?}")));
        }
        if !given.iter().any(|(p, _)| p == "README.md") {
            given.push(("README.md".into(), format!("---\nlicense: {license}\n---\n").into_bytes()));
        }
    }
    if !given.iter().any(|(p, _)| p == ".gitattributes") {
        given.push((".gitattributes".into(), DEFAULT_GITATTRIBUTES.as_bytes().to_vec()));
    }
    Ok(given)
}

/// Stores a new repo's first files as a commit would: LFS objects of the repo where its
/// `.gitattributes` sends them, git blobs otherwise.
fn store_initial_files(app: &App, repo: &Repo, files: Vec<(String, Vec<u8>)>) -> HubResult<Vec<Entry>> {
    let attributes = files.iter().find(|(p, _)| p == ".gitattributes").map(|(_, c)| String::from_utf8_lossy(c));
    let attributes = GitAttributes::parse(attributes.as_deref().unwrap_or_default());
    let mut entries = Vec::new();
    for (path, content) in files {
        let size = content.len() as u64;
        let (oid, lfs_sha256) = if path != ".gitattributes" && attributes.is_lfs(&path) {
            let sha256 = hex::encode(Sha256::digest(&content));
            objects::store_lfs_upload(app, repo.id, &sha256, &content)?;
            (git::blob_oid(git::lfs_pointer(&sha256, size).as_bytes()), Some(sha256))
        } else {
            let oid = git::blob_oid(&content);
            app.store.put_object("git", &oid, &content)?;
            (oid, None)
        };
        entries.push(Entry { path, oid, size, lfs_sha256, xet_hash: None, last_commit: String::new() });
    }
    Ok(entries)
}

fn repo_from_body(app: &App, ctx: &Ctx, body: &Value, field_ns: Option<&str>) -> HubResult<Repo> {
    let kind = body_kind(body)?;
    let (namespace, name) = match field_ns {
        Some(full) => {
            let id = namespaced_id(kind, full)?;
            (id.namespace().unwrap_or_default().to_string(), id.name().to_string())
        }
        None => {
            let name = body
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| HubError::bad_request("\"name\" is required"))?;
            let ns = body
                .get("organization")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| ctx.caller.user.clone());
            (ns.ok_or_else(|| HubError::unauthorized("You must be authenticated"))?, name.to_string())
        }
    };
    find_repo(app, ctx, kind, &namespace, &name)
}

/// A `namespace/name` id from a request body, both parts validated by hubwasm-core.
fn namespaced_id(kind: &str, id: &str) -> HubResult<RepoId> {
    let repo_type = kind.parse::<RepoType>().map_err(|e| HubError::bad_request(e.to_string()))?;
    match RepoId::new(repo_type, id) {
        Ok(parsed) if parsed.namespace().is_some() => Ok(parsed),
        Ok(_) => Err(HubError::bad_request(format!("Invalid repo id {id:?}: it needs a namespace"))),
        Err(e) => Err(HubError::bad_request(format!("Invalid repo id {id:?}: {e}"))),
    }
}

pub fn delete_repo(app: &App, ctx: &Ctx) -> HubResult {
    let body = ctx.json()?;
    let repo = repo_from_body(app, ctx, &body, None)?;
    ctx.caller.require_write(&app.store, &repo)?;
    app.store.delete_repo(repo.id)?;
    Ok(Response::builder().header(header::CONTENT_TYPE, "text/plain").body(Body::from("OK")).expect("valid"))
}

pub fn move_repo(app: &App, ctx: &Ctx) -> HubResult {
    let body = ctx.json()?;
    let from = body
        .get("fromRepo")
        .and_then(Value::as_str)
        .ok_or_else(|| HubError::bad_request("\"fromRepo\" is required"))?;
    let to =
        body.get("toRepo").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("\"toRepo\" is required"))?;
    let repo = repo_from_body(app, ctx, &body, Some(from))?;
    ctx.caller.require_write(&app.store, &repo)?;
    let to_id = namespaced_id(&repo.kind, to)?;
    let (ns, name) = (to_id.namespace().unwrap_or_default(), to_id.name());
    if !ctx.caller.owns(&app.store, ns)? {
        return Err(HubError::bad_request(format!("Cannot move to {to}")));
    }
    if app.store.repo(&repo.kind, ns, name)?.is_some() {
        return Err(HubError::conflict(format!("A repo named {to} already exists")));
    }
    app.store.rename_repo(&repo, ns, name)?;
    Ok(http::ok_json(json!({ "url": format!("{}/{}{}", app.base_url, repo.web_prefix(), to) })))
}

pub fn settings(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let body = ctx.json()?;
    let private = match body.get("visibility").and_then(Value::as_str) {
        Some(v) => Some(v != "public"),
        None => body.get("private").and_then(Value::as_bool),
    };
    let gated = match body.get("gated") {
        Some(Value::Bool(false)) => Some(None),
        Some(Value::String(s)) if s == "auto" || s == "manual" => Some(Some(s.clone())),
        Some(other) => return Err(HubError::bad_request(format!("Invalid gated value: {other}"))),
        None => None,
    };
    app.store.update_repo_settings(repo.id, private, gated)?;
    Ok(http::ok_json(json!({})))
}

pub fn repo_info(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    let resolved = resolve_revision(&app.store, repo, rev)?;
    let commit = app.store.commit(repo.id, &resolved.sha)?.ok_or_else(|| HubError::internal("dangling ref"))?;
    let entries = app.store.entries(repo.id, &resolved.sha)?;
    let blobs = ctx.flag("blobs");
    let siblings: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut s = json!({ "rfilename": e.path });
            if blobs {
                s["size"] = json!(e.size);
                s["blobId"] = json!(e.oid);
                if let Some(sha) = &e.lfs_sha256 {
                    s["lfs"] =
                        json!({ "sha256": sha, "size": e.size, "pointerSize": git::lfs_pointer(sha, e.size).len() });
                }
            }
            s
        })
        .collect();
    let gated = repo.gated.as_ref().map(|g| json!(g)).unwrap_or(json!(false));
    let mut info = Map::new();
    let mut put = |k: &str, v: Value| {
        info.insert(k.to_string(), v);
    };
    put("_id", json!(repo.uid));
    put("id", json!(repo.full_name()));
    put("author", json!(repo.namespace));
    put("sha", json!(commit.sha));
    put("lastModified", json!(http::iso_date(commit.created)));
    put("createdAt", json!(http::iso_date(repo.created)));
    put("private", json!(repo.private));
    put("gated", gated);
    put("disabled", json!(false));
    put("downloads", json!(0));
    put("downloadsAllTime", json!(0));
    put("likes", json!(0));
    put("tags", json!([]));
    put("siblings", json!(siblings));
    put("usedStorage", json!(entries.iter().map(|e| e.size).sum::<u64>()));
    put("xetEnabled", json!(true));
    put("cardData", json!({}));
    put("trendingScore", json!(0));
    match repo.kind.as_str() {
        "model" => {
            put("modelId", json!(repo.full_name()));
            put("library_name", Value::Null);
            put("pipeline_tag", Value::Null);
            put("spaces", json!([]));
            put("inferenceProviderMapping", crate::inference::provider_mapping(&repo.full_name()));
        }
        "space" => {
            put("sdk", json!(repo.sdk));
            put("subdomain", json!(repo.full_name().replace('/', "-").to_lowercase()));
            put(
                "runtime",
                json!({ "stage": "RUNNING", "hardware": { "current": "cpu-basic", "requested": "cpu-basic" } }),
            );
            put("models", json!([]));
            put("datasets", json!([]));
        }
        _ => {
            put("description", json!(""));
        }
    }
    let expand: Vec<&str> =
        ctx.query_all("expand").into_iter().chain(ctx.query_all("expand[]")).filter(|s| !s.is_empty()).collect();
    if !expand.is_empty() {
        let allowed = match repo.kind.as_str() {
            "model" => MODEL_EXPAND,
            "dataset" => DATASET_EXPAND,
            _ => SPACE_EXPAND,
        };
        if let Some(bad) = expand.iter().find(|e| !allowed.contains(e)) {
            return Err(HubError::bad_request(format!(
                "\"expand\" must be one of [{}] (got {bad:?})",
                allowed.join(", ")
            )));
        }
        info.retain(|k, _| k == "_id" || k == "id" || expand.contains(&k.as_str()));
    }
    Ok(http::ok_json(Value::Object(info)))
}

/// Largest page of `GET /api/{models,datasets,spaces}`; `limit` asks for less, `Link` carries on.
const LIST_PAGE: usize = 1000;

/// `GET /api/models`, `/api/datasets`, `/api/spaces`: the repos the caller can see (private ones
/// only to their owners; gated ones are listed, their metadata is public), filtered by `search`
/// (a case-insensitive part of the id) and `author` (the namespace), ordered by `sort`
/// (`createdAt`, `lastModified`, `likes`, `downloads`, `trendingScore` or `id`, descending unless
/// `direction=1`; creation order without one), `limit` per page with a `Link: rel="next"` to the
/// rest (hub-api.md §0.4), as the Python and JS clients read it.
pub fn list_repos(app: &App, ctx: &Ctx, kind: RepoType) -> HubResult {
    let ids: Vec<i64> = {
        let db = app.store.db();
        let mut statement = db.prepare("SELECT id FROM repos WHERE kind = ?1 ORDER BY created, id")?;
        let rows = statement.query_map([kind.as_str()], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let search = ctx.query("search").map(str::to_lowercase).filter(|s| !s.is_empty());
    let author = ctx.query("author").filter(|a| !a.is_empty());
    let mut repos: Vec<(Repo, i64)> = Vec::new();
    for id in ids {
        let Some(repo) = app.store.repo_by_id(id)? else { continue };
        if !ctx.caller.can_read(&app.store, &repo)?
            || author.is_some_and(|a| !repo.namespace.eq_ignore_ascii_case(a))
            || search.as_ref().is_some_and(|s| !repo.full_name().to_lowercase().contains(s.as_str()))
        {
            continue;
        }
        let modified = resolve_revision(&app.store, &repo, "main")
            .ok()
            .and_then(|r| app.store.commit(repo.id, &r.sha).ok().flatten())
            .map_or(repo.created, |c| c.created);
        repos.push((repo, modified));
    }
    // Every repo here has no likes, downloads or trend: those sorts keep creation order.
    match ctx.query("sort") {
        None | Some("createdAt" | "likes" | "downloads" | "trendingScore") => {}
        Some("lastModified" | "last_modified") => repos.sort_by_key(|(_, modified)| *modified),
        Some("id") => repos.sort_by_key(|(repo, _)| repo.full_name()),
        Some(other) => {
            return Err(HubError::bad_request(format!(
                "\"sort\" must be one of [createdAt, downloads, id, lastModified, likes, trendingScore], got {other:?}"
            )))
        }
    }
    // A sort is descending (the Hub's only order, and all huggingface_hub 1.x+ asks for) unless
    // `direction=1`; without one, creation order.
    let descending = match ctx.query("direction") {
        None => ctx.query("sort").is_some(),
        Some("-1") => true,
        Some("1") => false,
        Some(other) => return Err(HubError::bad_request(format!("\"direction\" must be 1 or -1, got {other:?}"))),
    };
    if descending {
        repos.reverse();
    }
    let limit = match ctx.query("limit") {
        None => LIST_PAGE,
        Some(l) => l.parse::<usize>().map_err(|_| HubError::bad_request("\"limit\" must be a whole number"))?,
    }
    .clamp(1, LIST_PAGE);
    let start: usize = ctx.query("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = repos
        .iter()
        .skip(start)
        .take(limit)
        .map(|(repo, modified)| {
            let mut item = json!({
                "_id": repo.uid,
                "id": repo.full_name(),
                "author": repo.namespace,
                "private": repo.private,
                "gated": repo.gated.as_ref().map_or(json!(false), |g| json!(g)),
                "disabled": false,
                "downloads": 0,
                "likes": 0,
                "trendingScore": 0,
                "tags": [],
                "createdAt": http::iso_date(repo.created),
                "lastModified": http::iso_date(*modified),
            });
            if kind == RepoType::Model {
                item["modelId"] = json!(repo.full_name());
            }
            if let Some(sdk) = &repo.sdk {
                item["sdk"] = json!(sdk);
            }
            item
        })
        .collect();
    let mut reply = http::ok_json(Value::Array(page));
    let next = start.saturating_add(limit);
    if next < repos.len() {
        // The same query, with the cursor moved on.
        let mut url = format!("{}/api/{}?", app.base_url, kind.plural());
        for (name, value) in ctx.query.iter().filter(|(k, _)| k != "cursor") {
            url.push_str(&format!("{}={}&", encode(name), encode(value)));
        }
        url.push_str(&format!("cursor={next}"));
        reply.headers_mut().insert(header::LINK, format!("<{url}>; rel=\"next\"").parse().map_err(HubError::internal)?);
    }
    Ok(reply)
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
