//! The Hub's REST API (spec hub-api.md §1–§6) and the web routes (`resolve`, `raw`, LFS batch).

use axum::body::Body;
use axum::http::{header, Method, Response, StatusCode};
use serde_json::{json, Map, Value};

use crate::http::{self, HubError, HubResult, Reply};
use crate::store::{Commit, Entry, Repo};
use crate::{commit, git, App, Ctx};

const DEFAULT_PAGE: usize = 1000;
const EXPANDED_PAGE: usize = 50;

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

/// What a new repo starts with, like the Hub: one commit holding a `.gitattributes` that sends
/// the usual binary formats to LFS.
pub const DEFAULT_GITATTRIBUTES: &str = "\
*.7z filter=lfs diff=lfs merge=lfs -text
*.arrow filter=lfs diff=lfs merge=lfs -text
*.bin filter=lfs diff=lfs merge=lfs -text
*.bz2 filter=lfs diff=lfs merge=lfs -text
*.ckpt filter=lfs diff=lfs merge=lfs -text
*.gguf filter=lfs diff=lfs merge=lfs -text
*.gz filter=lfs diff=lfs merge=lfs -text
*.h5 filter=lfs diff=lfs merge=lfs -text
*.joblib filter=lfs diff=lfs merge=lfs -text
*.mlmodel filter=lfs diff=lfs merge=lfs -text
*.model filter=lfs diff=lfs merge=lfs -text
*.npy filter=lfs diff=lfs merge=lfs -text
*.npz filter=lfs diff=lfs merge=lfs -text
*.onnx filter=lfs diff=lfs merge=lfs -text
*.ot filter=lfs diff=lfs merge=lfs -text
*.parquet filter=lfs diff=lfs merge=lfs -text
*.pb filter=lfs diff=lfs merge=lfs -text
*.pickle filter=lfs diff=lfs merge=lfs -text
*.pkl filter=lfs diff=lfs merge=lfs -text
*.pt filter=lfs diff=lfs merge=lfs -text
*.pth filter=lfs diff=lfs merge=lfs -text
*.safetensors filter=lfs diff=lfs merge=lfs -text
*.tar filter=lfs diff=lfs merge=lfs -text
*.tflite filter=lfs diff=lfs merge=lfs -text
*.tgz filter=lfs diff=lfs merge=lfs -text
*.xz filter=lfs diff=lfs merge=lfs -text
*.zip filter=lfs diff=lfs merge=lfs -text
*.zst filter=lfs diff=lfs merge=lfs -text
";

pub fn kind_from_plural(s: &str) -> Option<&'static str> {
    match s {
        "models" => Some("model"),
        "datasets" => Some("dataset"),
        "spaces" => Some("space"),
        _ => None,
    }
}

/// Splits a revision off the front of `rest`: one (decoded) segment, or the raw special refs
/// `refs/pr/N` and `refs/convert/X` that some clients send unencoded.
pub fn split_revision<'a>(rest: &'a [&'a str]) -> (String, &'a [&'a str]) {
    match rest {
        ["refs", kind @ ("pr" | "convert" | "heads" | "tags"), name, tail @ ..] => {
            (format!("refs/{kind}/{name}"), tail)
        }
        [rev, tail @ ..] => (rev.to_string(), tail),
        [] => ("main".to_string(), rest),
    }
}

pub struct Resolved {
    pub sha: String,
    /// The branch name when the revision is a branch (commits may only target branches).
    pub branch: Option<String>,
}

/// The shortest abbreviated commit id accepted as a revision (git's default abbreviation).
const MIN_SHORT_SHA: usize = 7;

pub fn resolve_revision(app: &App, repo: &Repo, rev: &str) -> HubResult<Resolved> {
    let rev = if rev == "HEAD" { "main" } else { rev };
    let store = &app.store;
    if let Some(sha) = store.get_ref(repo.id, &format!("refs/heads/{rev}"))? {
        return Ok(Resolved { sha, branch: Some(rev.to_string()) });
    }
    if let Some(sha) = store.get_ref(repo.id, &format!("refs/tags/{rev}"))? {
        return Ok(Resolved { sha, branch: None });
    }
    if rev.starts_with("refs/") {
        if let Some(sha) = store.get_ref(repo.id, rev)? {
            let branch = rev.strip_prefix("refs/heads/").map(str::to_string);
            // PR refs accept commits too.
            let branch = branch.or_else(|| rev.starts_with("refs/pr/").then(|| rev.to_string()));
            return Ok(Resolved { sha, branch });
        }
    }
    // A commit id, whole or abbreviated (git's 7 digits or more) when the prefix names one commit.
    if (MIN_SHORT_SHA..=40).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let [sha] = store.commits_with_prefix(repo.id, &rev.to_ascii_lowercase())?.as_slice() {
            return Ok(Resolved { sha: sha.clone(), branch: None });
        }
    }
    Err(HubError::revision_not_found(rev))
}

/// The repo a body names (delete, move): exact id, no redirects.
pub fn find_repo(app: &App, ctx: &Ctx, kind: &str, namespace: &str, name: &str) -> HubResult<Repo> {
    match app.store.repo(kind, namespace, name)? {
        Some(repo) => {
            ctx.caller.require_read(&app.store, &repo)?;
            Ok(repo)
        }
        None => Err(HubError::repo_not_found(ctx.caller.anonymous())),
    }
}

/// The repo a URL path names. Like the Hub, a wrong casing or a renamed repo's old id answers a
/// 307 to the same URL with the canonical id (clients follow such relative redirects).
fn repo_at_path(app: &App, ctx: &Ctx, kind: &str, namespace: &str, name: &str) -> HubResult<Repo> {
    let repo = match app.store.repo(kind, namespace, name)? {
        Some(repo) => repo,
        None => match app.store.renamed(kind, namespace, name)? {
            Some(repo) => repo,
            None => return Err(HubError::repo_not_found(ctx.caller.anonymous())),
        },
    };
    ctx.caller.require_read(&app.store, &repo)?;
    let requested = format!("/{namespace}/{name}/");
    if repo.namespace != namespace || repo.name != name {
        let path = format!("{}/", ctx.path).replacen(&requested, &format!("/{}/", repo.full_name()), 1);
        let mut location = path.trim_end_matches('/').to_string();
        if let Some(q) = &ctx.raw_query {
            location.push('?');
            location.push_str(q);
        }
        let mut e = HubError::new(StatusCode::TEMPORARY_REDIRECT, None, format!("Moved to {}", repo.full_name()));
        e.headers.push(("Location", location));
        return Err(e);
    }
    Ok(repo)
}

pub fn repo_web_url(app: &App, repo: &Repo) -> String {
    format!("{}/{}{}", app.base_url, repo.web_prefix(), repo.full_name())
}

fn method_not_allowed() -> HubError {
    HubError::new(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed")
}

pub fn api_route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    match (ctx.method.clone(), segs) {
        (Method::GET, ["whoami-v2"]) => whoami(app, ctx),
        (Method::POST, ["repos", "create"]) => create_repo(app, ctx),
        (Method::DELETE, ["repos", "delete"]) => delete_repo(app, ctx),
        (Method::POST, ["repos", "move"]) => move_repo(app, ctx),
        (Method::POST, ["validate-yaml"]) => Ok(http::ok_json(json!({}))),
        // An id without a namespace names no repo here: the Hub's typed answer, not a bare 404.
        (_, [plural, _]) if kind_from_plural(plural).is_some() => Err(HubError::repo_not_found(ctx.caller.anonymous())),
        (_, [plural, namespace, name, rest @ ..]) if kind_from_plural(plural).is_some() => {
            let kind = kind_from_plural(plural).expect("checked");
            repo_api(app, ctx, kind, namespace, name, rest)
        }
        _ => Err(HubError::not_found(format!(
            "Sorry, we can't find the page you are looking for: /api/{}",
            segs.join("/")
        ))),
    }
}

fn repo_api(app: &App, ctx: &Ctx, kind: &str, namespace: &str, name: &str, rest: &[&str]) -> HubResult {
    let repo = repo_at_path(app, ctx, kind, namespace, name)?;
    let m = ctx.method.clone();
    match rest {
        [] if m == Method::GET => repo_info(app, ctx, &repo, "main"),
        ["revision", rev @ ..] if m == Method::GET => repo_info(app, ctx, &repo, &split_revision(rev).0),
        ["tree", rest @ ..] if m == Method::GET => {
            let (rev, path) = split_revision(rest);
            tree(app, ctx, &repo, &rev, &path.join("/"))
        }
        ["paths-info", rev @ ..] if m == Method::POST => paths_info(app, ctx, &repo, &split_revision(rev).0),
        ["commits", rev @ ..] if m == Method::GET => commits(app, ctx, &repo, &split_revision(rev).0),
        ["refs"] if m == Method::GET => refs(app, ctx, &repo),
        ["branch", branch @ ..] => branch_route(app, ctx, &repo, &branch.join("/")),
        ["tag", tag @ ..] => tag_route(app, ctx, &repo, &tag.join("/")),
        ["discussions", rest @ ..] => crate::discussions::route(app, ctx, &repo, rest),
        ["settings"] if m == Method::PUT => settings(app, ctx, &repo),
        ["auth-check"] => {
            ctx.caller.require_content_access(&app.store, &repo)?;
            Ok(http::ok_json(json!({})))
        }
        ["auth-check", "write"] => {
            ctx.caller.require_write(&app.store, &repo)?;
            Ok(http::ok_json(json!({})))
        }
        ["preupload", rev @ ..] if m == Method::POST => commit::preupload(app, ctx, &repo, &split_revision(rev).0),
        ["commit", rev @ ..] if m == Method::POST => commit::commit(app, ctx, &repo, &split_revision(rev).0),
        [token @ ("xet-read-token" | "xet-write-token"), rev @ ..] if m == Method::GET => {
            crate::cas::issue_token(app, ctx, &repo, *token == "xet-write-token", &split_revision(rev).0)
        }
        _ => Err(method_not_allowed()),
    }
}

fn whoami(app: &App, ctx: &Ctx) -> HubResult {
    let Some(user) = &ctx.caller.user else {
        return Err(HubError::unauthorized("Invalid credentials in Authorization header"));
    };
    let account = app.store.account(user)?.ok_or_else(|| HubError::unauthorized("Unknown user"))?;
    let orgs: Vec<Value> = app
        .store
        .orgs_of(user)?
        .into_iter()
        .map(|o| {
            json!({ "type": "org", "id": o.uid, "name": o.name, "fullname": o.fullname, "email": null,
                    "canPay": false, "avatarUrl": format!("/avatars/{}.svg", o.name), "periodEnd": null,
                    "roleInOrg": "admin", "isEnterprise": false })
        })
        .collect();
    Ok(http::ok_json(json!({
        "type": "user",
        "id": account.uid,
        "name": account.name,
        "fullname": account.fullname,
        "email": format!("{}@localhub.invalid", account.name),
        "emailVerified": true,
        "avatarUrl": format!("/avatars/{}.svg", account.name),
        "isPro": false,
        "canPay": false,
        "periodEnd": null,
        "billingMode": "postpaid",
        "orgs": orgs,
        "auth": {
            "type": "access_token",
            "accessToken": {
                "displayName": ctx.caller.token_name,
                "role": ctx.caller.role,
                "createdAt": http::iso_date(ctx.caller.token_created),
            }
        }
    })))
}

/// Reads a JSON body, or fails with a 400 naming the problem.
pub fn json_body(ctx: &Ctx) -> HubResult<Value> {
    serde_json::from_slice(&ctx.body).map_err(|e| HubError::bad_request(format!("Invalid JSON body: {e}")))
}

fn valid_repo_name(name: &str) -> bool {
    let ok_chars = name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    ok_chars
        && !name.is_empty()
        && name.len() <= 96
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
        && !name.contains("--")
        && !name.contains("..")
        && !name.ends_with(".git")
}

fn body_kind(body: &Value) -> HubResult<&'static str> {
    match body.get("type").and_then(Value::as_str) {
        None | Some("model") => Ok("model"),
        Some("dataset") => Ok("dataset"),
        Some("space") => Ok("space"),
        Some(other) => Err(HubError::bad_request(format!("Invalid repo type: {other}"))),
    }
}

fn create_repo(app: &App, ctx: &Ctx) -> HubResult {
    let body = json_body(ctx)?;
    let kind = body_kind(&body)?;
    let name = body.get("name").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("\"name\" is required"))?;
    let user =
        ctx.caller.user.clone().ok_or_else(|| HubError::unauthorized("You must be authenticated to create a repo"))?;
    let namespace = body.get("organization").and_then(Value::as_str).map(str::to_string).unwrap_or(user);
    if !valid_repo_name(name) {
        return Err(HubError::bad_request(format!(
            "Invalid repo name {name:?}: use letters, digits, '-', '_' and '.', not starting or ending with '-' or '.', at most 96 characters"
        )));
    }
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
    let entries = commit::initial_entries(app, body.get("files"), body.get("license").and_then(Value::as_str))?;
    let repo = app.store.insert_repo(kind, &namespace, name, private, sdk)?;
    commit::record_commit(
        app,
        &repo,
        "main",
        None,
        "initial commit",
        "",
        ctx.caller.user.as_deref().unwrap_or(""),
        entries,
    )?;
    Ok(http::ok_json(json!({ "url": repo_web_url(app, &repo), "name": repo.full_name(), "id": repo.uid })))
}

fn repo_from_body(app: &App, ctx: &Ctx, body: &Value, field_ns: Option<&str>) -> HubResult<Repo> {
    let kind = body_kind(body)?;
    let (namespace, name) = match field_ns {
        Some(full) => full
            .split_once('/')
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .ok_or_else(|| HubError::bad_request("Invalid repo id"))?,
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

fn delete_repo(app: &App, ctx: &Ctx) -> HubResult {
    let body = json_body(ctx)?;
    let repo = repo_from_body(app, ctx, &body, None)?;
    ctx.caller.require_write(&app.store, &repo)?;
    app.store.delete_repo(repo.id)?;
    Ok(Response::builder().header(header::CONTENT_TYPE, "text/plain").body(Body::from("OK")).expect("valid"))
}

fn move_repo(app: &App, ctx: &Ctx) -> HubResult {
    let body = json_body(ctx)?;
    let from = body
        .get("fromRepo")
        .and_then(Value::as_str)
        .ok_or_else(|| HubError::bad_request("\"fromRepo\" is required"))?;
    let to =
        body.get("toRepo").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("\"toRepo\" is required"))?;
    let repo = repo_from_body(app, ctx, &body, Some(from))?;
    ctx.caller.require_write(&app.store, &repo)?;
    let (ns, name) = to.split_once('/').ok_or_else(|| HubError::bad_request("Invalid toRepo"))?;
    if !valid_repo_name(name) || !ctx.caller.owns(&app.store, ns)? {
        return Err(HubError::bad_request(format!("Cannot move to {to}")));
    }
    if app.store.repo(&repo.kind, ns, name)?.is_some() {
        return Err(HubError::conflict(format!("A repo named {to} already exists")));
    }
    app.store.rename_repo(&repo, ns, name)?;
    Ok(http::ok_json(json!({ "url": format!("{}/{}{}", app.base_url, repo.web_prefix(), to) })))
}

fn settings(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let body = json_body(ctx)?;
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

fn entry_json(e: &Entry, expand: Option<&Commit>) -> Value {
    let mut v = json!({ "type": "file", "oid": e.oid, "size": e.size, "path": e.path });
    if let Some(sha) = &e.lfs_sha256 {
        v["lfs"] = json!({ "oid": sha, "size": e.size, "pointerSize": git::lfs_pointer(sha, e.size).len() });
    }
    if let Some(x) = &e.xet_hash {
        v["xetHash"] = json!(x);
    }
    if let Some(c) = expand {
        v["lastCommit"] = json!({ "id": c.sha, "title": c.title, "date": http::iso_date(c.created) });
        v["securityFileStatus"] = json!({
            "status": "safe",
            "avScan": { "virusFound": false, "virusNames": null },
            "pickleImportScan": { "highestSafetyLevel": "innocuous", "imports": [] },
        });
    }
    v
}

fn dir_json(entries: &[Entry], path: &str, expand: Option<&Commit>) -> Value {
    let oid = git::subtree_oid(entries.iter().map(|e| (e.path.as_str(), e.oid.as_str())), path).unwrap_or_default();
    let mut v = json!({ "type": "directory", "oid": oid, "size": 0, "path": path });
    if let Some(c) = expand {
        v["lastCommit"] = json!({ "id": c.sha, "title": c.title, "date": http::iso_date(c.created) });
    }
    v
}

/// Directories implied by the file paths, each once.
fn directories(entries: &[Entry]) -> std::collections::BTreeSet<String> {
    let mut dirs = std::collections::BTreeSet::new();
    for e in entries {
        let mut p = e.path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            dirs.insert(parent.to_string());
            p = parent;
        }
    }
    dirs
}

fn repo_info(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    let resolved = resolve_revision(app, repo, rev)?;
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

fn tree(app: &App, ctx: &Ctx, repo: &Repo, rev: &str, path: &str) -> HubResult {
    let resolved = resolve_revision(app, repo, rev)?;
    let entries = app.store.entries(repo.id, &resolved.sha)?;
    let path = path.trim_matches('/');
    let recursive = ctx.flag("recursive");
    let expand = ctx.flag("expand");
    let dirs = directories(&entries);
    if !path.is_empty() && !dirs.contains(path) {
        return Err(HubError::entry_not_found(path, Some(&resolved.sha)));
    }
    let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
    let under = |p: &str| p.strip_prefix(prefix.as_str()).filter(|rest| recursive || !rest.contains('/')).is_some();
    // Directories and files, path-sorted (byte order) like the Hub.
    let mut items: Vec<(String, Option<&Entry>)> =
        dirs.iter().filter(|d| under(d)).map(|d| (d.clone(), None)).collect();
    items.extend(entries.iter().filter(|e| under(&e.path)).map(|e| (e.path.clone(), Some(e))));
    items.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let limit = ctx
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(if expand { EXPANDED_PAGE } else { DEFAULT_PAGE })
        .max(1);
    let start: usize = ctx.query("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = items
        .iter()
        .skip(start)
        .take(limit)
        .map(|(p, e)| {
            let last =
                if expand { last_commit(app, repo, e.map(|e| e.last_commit.as_str()), &resolved.sha) } else { None };
            match e {
                Some(e) => entry_json(e, last.as_ref()),
                None => dir_json(&entries, p, last.as_ref()),
            }
        })
        .collect();
    let mut reply = http::ok_json(Value::Array(page));
    if start + limit < items.len() {
        let mut url = format!(
            "{}/api/{}s/{}/tree/{}",
            app.base_url,
            repo.kind,
            repo.full_name(),
            percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC)
        );
        if !path.is_empty() {
            url.push('/');
            url.push_str(path);
        }
        url.push_str(&format!("?recursive={recursive}&expand={expand}&limit={limit}&cursor={}", start + limit));
        reply.headers_mut().insert(header::LINK, format!("<{url}>; rel=\"next\"").parse().map_err(HubError::internal)?);
    }
    Ok(reply)
}

fn last_commit(app: &App, repo: &Repo, sha: Option<&str>, head: &str) -> Option<Commit> {
    app.store.commit(repo.id, sha.unwrap_or(head)).ok().flatten()
}

fn paths_info(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    let resolved = resolve_revision(app, repo, rev)?;
    let is_json = ctx.header("content-type").is_some_and(|c| c.contains("json"));
    let (paths, expand): (Vec<String>, bool) = if is_json {
        let body = json_body(ctx)?;
        let paths = body
            .get("paths")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect());
        (paths.unwrap_or_default(), body.get("expand").and_then(Value::as_bool).unwrap_or(false))
    } else {
        let form: Vec<(String, String)> = String::from_utf8_lossy(&ctx.body)
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (crate::form_decode(k), crate::form_decode(v))
            })
            .collect();
        let paths = form.iter().filter(|(k, _)| k == "paths" || k == "paths[]").map(|(_, v)| v.clone()).collect();
        (paths, form.iter().any(|(k, v)| k == "expand" && (v == "true" || v == "1")))
    };
    if paths.len() > 1000 {
        return Err(HubError::new(StatusCode::PAYLOAD_TOO_LARGE, None, "too many parameters"));
    }
    let entries = app.store.entries(repo.id, &resolved.sha)?;
    let dirs = directories(&entries);
    let mut out = Vec::new();
    for p in paths {
        let p = p.trim_matches('/');
        let last = |sha: Option<&str>| if expand { last_commit(app, repo, sha, &resolved.sha) } else { None };
        if let Some(e) = entries.iter().find(|e| e.path == p) {
            out.push(entry_json(e, last(Some(&e.last_commit)).as_ref()));
        } else if dirs.contains(p) {
            out.push(dir_json(&entries, p, last(None).as_ref()));
        }
    }
    Ok(http::ok_json(Value::Array(out)))
}

fn commits(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    let resolved = resolve_revision(app, repo, rev)?;
    let history = app.store.history(repo.id, &resolved.sha)?;
    let limit: usize = ctx.query("limit").and_then(|l| l.parse().ok()).unwrap_or(50).clamp(1, 1000);
    let page: usize = ctx.query("p").and_then(|p| p.parse().ok()).unwrap_or(0);
    let formatted = ctx.query_all("expand[]").contains(&"formatted") || ctx.query_all("expand").contains(&"formatted");
    let items: Vec<Value> = history
        .iter()
        .skip(page * limit)
        .take(limit)
        .map(|c| {
            let mut v = json!({
                "id": c.sha, "title": c.title, "message": c.message,
                "authors": [{ "user": c.author, "avatar": format!("/avatars/{}.svg", c.author) }],
                "date": http::iso_date(c.created),
            });
            if formatted {
                v["formatted"] = json!({ "title": html_escape(&c.title), "message": html_escape(&c.message) });
            }
            v
        })
        .collect();
    let mut reply = http::ok_json(Value::Array(items));
    reply.headers_mut().insert("X-Total-Count", history.len().into());
    if (page + 1) * limit < history.len() {
        let url = format!(
            "{}/api/{}s/{}/commits/{}?limit={limit}&p={}",
            app.base_url,
            repo.kind,
            repo.full_name(),
            percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC),
            page + 1
        );
        reply.headers_mut().insert(header::LINK, format!("<{url}>; rel=\"next\"").parse().map_err(HubError::internal)?);
    }
    Ok(reply)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn refs(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    let mut out = json!({ "branches": [], "converts": [], "tags": [] });
    let include_prs = ctx.flag("include_prs");
    if include_prs {
        out["pullRequests"] = json!([]);
    }
    for (name, sha) in app.store.refs(repo.id)? {
        let (list, short) = if let Some(s) = name.strip_prefix("refs/heads/") {
            ("branches", s)
        } else if let Some(s) = name.strip_prefix("refs/tags/") {
            ("tags", s)
        } else if let Some(s) = name.strip_prefix("refs/convert/") {
            ("converts", s)
        } else if name.starts_with("refs/pr/") && include_prs {
            ("pullRequests", name.as_str())
        } else {
            continue;
        };
        let item = json!({ "name": short, "ref": name, "targetCommit": sha });
        out[list].as_array_mut().expect("array").push(item);
    }
    Ok(http::ok_json(out))
}

fn valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with("refs/")
        && !name.starts_with('-')
        && !name.contains("..")
        && !name.ends_with('/')
        && !name.ends_with(".lock")
        && name.bytes().all(|b| b.is_ascii_graphic() && !b"~^:?*[\\".contains(&b))
}

fn branch_route(app: &App, ctx: &Ctx, repo: &Repo, branch: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let full = format!("refs/heads/{branch}");
    match ctx.method {
        Method::POST => {
            if !valid_ref_name(branch) {
                return Err(HubError::bad_request("Invalid reference for a branch"));
            }
            let body: Value = if ctx.body.is_empty() { json!({}) } else { json_body(ctx)? };
            let overwrite = body.get("overwrite").and_then(Value::as_bool).unwrap_or(false);
            if app.store.get_ref(repo.id, &full)?.is_some() && !overwrite {
                return Err(HubError::conflict(format!("Reference {full} already exists")));
            }
            if body.get("emptyBranch").and_then(Value::as_bool).unwrap_or(false) {
                let author = ctx.caller.user.clone().unwrap_or_default();
                commit::record_commit(app, repo, branch, None, "empty branch", "", &author, Vec::new())?;
            } else {
                let start = body.get("startingPoint").and_then(Value::as_str).unwrap_or("main");
                let resolved = resolve_revision(app, repo, start)?;
                app.store.set_ref(repo.id, &full, &resolved.sha)?;
            }
            Ok(http::ok_json(json!({})))
        }
        Method::DELETE => {
            if branch == "main" {
                return Err(HubError::forbidden("Cannot delete refs/heads/main"));
            }
            if !app.store.delete_ref(repo.id, &full)? {
                return Err(HubError::revision_not_found(branch));
            }
            Ok(http::ok_json(json!({})))
        }
        _ => Err(method_not_allowed()),
    }
}

fn tag_route(app: &App, ctx: &Ctx, repo: &Repo, name: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    match ctx.method {
        Method::POST => {
            let body = json_body(ctx)?;
            let tag =
                body.get("tag").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("\"tag\" is required"))?;
            if !valid_ref_name(tag) {
                return Err(HubError::bad_request(format!("Invalid tag name {tag:?}")));
            }
            let resolved = resolve_revision(app, repo, if name.is_empty() { "main" } else { name })?;
            let full = format!("refs/tags/{tag}");
            if app.store.get_ref(repo.id, &full)?.is_some() {
                return Err(HubError::conflict(format!("Tag {tag} already exists")));
            }
            app.store.set_ref(repo.id, &full, &resolved.sha)?;
            Ok(http::ok_json(json!({})))
        }
        Method::DELETE => {
            if !app.store.delete_ref(repo.id, &format!("refs/tags/{name}"))? {
                return Err(HubError::revision_not_found(name));
            }
            Ok(http::ok_json(json!({})))
        }
        _ => Err(method_not_allowed()),
    }
}

/// `/{prefix}{ns}/{name}/resolve|raw/{rev}/{path}` and `/{prefix}{ns}/{name}.git/info/lfs/...`.
pub fn web_route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    let (kind, rest) = match segs {
        ["datasets", rest @ ..] => ("dataset", rest),
        ["spaces", rest @ ..] => ("space", rest),
        rest => ("model", rest),
    };
    match rest {
        [ns, name, "info", "lfs", "objects", "batch"] if name.ends_with(".git") => {
            let repo = repo_at_path(app, ctx, kind, ns, name.trim_end_matches(".git"))?;
            commit::lfs_batch(app, ctx, &repo)
        }
        [ns, name, mode @ ("resolve" | "raw"), rest @ ..] => {
            let repo = repo_at_path(app, ctx, kind, ns, name)?;
            let (rev, path) = split_revision(rest);
            resolve(app, ctx, &repo, &rev, &path.join("/"), *mode == "raw")
        }
        [_, "resolve" | "raw", _, ..] => Err(HubError::repo_not_found(ctx.caller.anonymous())),
        _ => {
            Err(HubError::not_found(format!("Sorry, we can't find the page you are looking for: /{}", segs.join("/"))))
        }
    }
}

fn resolve(app: &App, ctx: &Ctx, repo: &Repo, rev: &str, path: &str, raw: bool) -> HubResult {
    if ctx.method != Method::GET && ctx.method != Method::HEAD {
        return Err(method_not_allowed());
    }
    ctx.caller.require_content_access(&app.store, repo)?;
    let resolved = resolve_revision(app, repo, rev)?;
    let entries = app.store.entries(repo.id, &resolved.sha)?;
    let entry =
        entries.iter().find(|e| e.path == path).ok_or_else(|| HubError::entry_not_found(path, Some(&resolved.sha)))?;
    let commit_header = |mut r: Reply| {
        r.headers_mut().insert("X-Repo-Commit", resolved.sha.parse().expect("hex"));
        r
    };
    let Some(sha256) = entry.lfs_sha256.as_ref().filter(|_| !raw) else {
        // A git blob: the file itself, or the pointer text of LFS content on `raw`.
        let content = match &entry.lfs_sha256 {
            Some(sha) => git::lfs_pointer(sha, entry.size).into_bytes(),
            None => app.store.get_object("git", &entry.oid)?,
        };
        let etag = format!("\"{}\"", entry.oid);
        if !raw && ctx.header("if-none-match") == Some(etag.as_str()) {
            let r =
                Response::builder().status(StatusCode::NOT_MODIFIED).header(header::ETAG, &etag).body(Body::empty());
            return Ok(commit_header(r.expect("valid")));
        }
        let mut r = http::ranged_body(&ctx.headers, content, "text/plain; charset=utf-8", ctx.is_head());
        r.headers_mut().insert(header::ETAG, etag.parse().expect("ascii"));
        return Ok(commit_header(r));
    };
    let etag = format!("\"{sha256}\"");
    if ctx.header("if-none-match") == Some(etag.as_str()) {
        let r = Response::builder().status(StatusCode::NOT_MODIFIED).header(header::ETAG, &etag).body(Body::empty());
        return Ok(commit_header(r.expect("valid")));
    }
    let mut b = Response::builder()
        .header(header::ETAG, &etag)
        .header("X-Linked-Etag", &etag)
        .header("X-Linked-Size", entry.size)
        .header(header::ACCEPT_RANGES, "bytes")
        .header("X-Repo-Commit", &resolved.sha);
    if let Some(xet) = &entry.xet_hash {
        let auth = format!("{}/api/{}s/{}/xet-read-token/{}", app.base_url, repo.kind, repo.full_name(), resolved.sha);
        let recon = format!("{}/cas/v1/reconstructions/{xet}", app.base_url);
        b = b
            .header("X-Xet-Hash", xet)
            .header(header::LINK, format!("<{auth}>; rel=\"xet-auth\", <{recon}>; rel=\"xet-reconstruction-info\""));
        if ctx.header("accept").is_some_and(|a| a.contains("application/vnd.xet-fileinfo+json")) {
            let body = json!({ "hash": xet, "refreshUrl": auth, "reconstructionUrl": recon, "etag": sha256, "size": entry.size });
            return Ok(b
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/vnd.xet-fileinfo+json")
                .body(if ctx.is_head() { Body::empty() } else { Body::from(body.to_string()) })
                .expect("valid"));
        }
    }
    // Storage URL that needs no Authorization header (like the Hub's presigned CDN URLs).
    let location = format!("{}/lfs-cdn/{sha256}?{}", app.storage_url, commit::sign_object(app, sha256));
    Ok(b.status(StatusCode::FOUND).header(header::LOCATION, location).body(Body::empty()).expect("valid"))
}
