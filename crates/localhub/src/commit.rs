//! Writing to repos: preupload (regular vs LFS), the NDJSON commit, Git LFS batch (basic,
//! multipart, xet) and the storage routes that presigned URLs point at.

use axum::body::Body;
use axum::http::{header, Method, Response, StatusCode};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::http::{self, HubError, HubResult, Reply};
use crate::hub::{json_body, repo_web_url, resolve_revision, DEFAULT_GITATTRIBUTES};
use crate::store::{Commit, Entry, Repo};
use crate::{git, App, Ctx};

/// Regular (non-LFS) files above this are refused by the Hub's commit endpoint.
const MAX_REGULAR_FILE: u64 = 10 << 20;
/// LFS objects above this are offered multipart uploads.
const MULTIPART_THRESHOLD: u64 = 20 << 20;
const MULTIPART_CHUNK: u64 = 8 << 20;
/// Lifetime of presigned storage URLs.
const URL_LIFETIME_SECS: i64 = 3600;

/// `.gitattributes` patterns that route paths to LFS (`pattern filter=lfs …`), matched like git:
/// a pattern without `/` matches the file name, one with `/` the whole path.
fn lfs_patterns(gitattributes: &str) -> Vec<String> {
    gitattributes
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let pattern = words.next()?;
            (!pattern.starts_with('#') && words.any(|w| w == "filter=lfs")).then(|| pattern.to_string())
        })
        .collect()
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob(&pattern[1..], text) || (!text.is_empty() && text[0] != b'/' && glob(pattern, &text[1..]))
        }
        (Some(b'?'), Some(c)) if *c != b'/' => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(c)) if p == c => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

fn matches_lfs(patterns: &[String], path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    patterns.iter().any(|p| {
        let p = p.trim_start_matches('/');
        if p.contains('/') {
            glob(p.as_bytes(), path.as_bytes())
        } else {
            glob(p.as_bytes(), name.as_bytes())
        }
    })
}

fn repo_gitattributes(app: &App, entries: &[Entry]) -> HubResult<String> {
    match entries.iter().find(|e| e.path == ".gitattributes") {
        Some(e) => Ok(String::from_utf8_lossy(&app.store.get_object("git", &e.oid)?).into_owned()),
        None => Ok(String::new()),
    }
}

pub fn preupload(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let resolved = resolve_revision(app, repo, rev)?;
    let body = json_body(ctx)?;
    let entries = app.store.entries(repo.id, &resolved.sha)?;
    let mut attributes = repo_gitattributes(app, &entries)?;
    if let Some(extra) = body.get("gitAttributes").and_then(Value::as_str) {
        attributes.push('\n');
        attributes.push_str(extra);
    }
    let patterns = lfs_patterns(&attributes);
    let files =
        body.get("files").and_then(Value::as_array).ok_or_else(|| HubError::bad_request("\"files\" is required"))?;
    let mut out = Vec::new();
    for f in files {
        let path =
            f.get("path").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("files[].path is required"))?;
        let size = f.get("size").and_then(Value::as_u64).unwrap_or(0);
        let sample = f
            .get("sample")
            .and_then(Value::as_str)
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            .unwrap_or_default();
        let binary = sample.contains(&0);
        let lfs = size > MAX_REGULAR_FILE || matches_lfs(&patterns, path) || (binary && size > 0);
        let mut item =
            json!({ "path": path, "uploadMode": if lfs { "lfs" } else { "regular" }, "shouldIgnore": false });
        if let Some(e) = entries.iter().find(|e| e.path == path) {
            item["oid"] = json!(e.lfs_sha256.clone().unwrap_or_else(|| e.oid.clone()));
        }
        out.push(item);
    }
    Ok(http::ok_json(json!({ "files": out, "commitOid": resolved.sha })))
}

enum Op {
    File { path: String, content: Vec<u8> },
    Lfs { path: String, sha256: String, size: Option<u64> },
    DeleteFile(String),
    DeleteFolder(String),
}

fn check_path(path: &str) -> HubResult<String> {
    let path = path.trim_start_matches('/');
    let bad = path.is_empty()
        || path.split('/').any(|s| s.is_empty() || s == "." || s == "..")
        || path.starts_with(".git/")
        || path.contains('\0');
    if bad {
        return Err(HubError::bad_request(format!("Invalid path in repo: {path:?}")));
    }
    Ok(path.to_string())
}

pub fn commit(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let resolved = resolve_revision(app, repo, rev)?;
    let Some(branch) = resolved.branch.clone().filter(|b| !b.starts_with("refs/") || b.starts_with("refs/pr/")) else {
        return Err(HubError::revision_not_found(rev));
    };
    let mut header: Option<Value> = None;
    let mut ops = Vec::new();
    for (n, line) in ctx.body.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: Value = serde_json::from_slice(line)
            .map_err(|e| HubError::bad_request(format!("Bad request for commit endpoint: line {}: {e}", n + 1)))?;
        let key = v.get("key").and_then(Value::as_str).unwrap_or_default();
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        let path =
            || -> HubResult<String> { check_path(value.get("path").and_then(Value::as_str).unwrap_or_default()) };
        match key {
            "header" => header = Some(value.clone()),
            "file" => {
                let content = value.get("content").and_then(Value::as_str).unwrap_or_default();
                let content = match value.get("encoding").and_then(Value::as_str) {
                    Some("base64") | None => {
                        base64::engine::general_purpose::STANDARD.decode(content).map_err(|_| {
                            HubError::bad_request("Bad request for commit endpoint: invalid base64 content")
                        })?
                    }
                    Some(_) => content.as_bytes().to_vec(),
                };
                ops.push(Op::File { path: path()?, content });
            }
            "lfsFile" => {
                let sha256 = value.get("oid").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
                if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(HubError::bad_request("Bad request for commit endpoint: lfsFile.oid must be a sha256"));
                }
                ops.push(Op::Lfs { path: path()?, sha256, size: value.get("size").and_then(Value::as_u64) });
            }
            "deletedFile" => ops.push(Op::DeleteFile(path()?)),
            "deletedFolder" => {
                let raw = value.get("path").and_then(Value::as_str).unwrap_or_default();
                ops.push(Op::DeleteFolder(check_path(raw.trim_end_matches('/'))?));
            }
            other => {
                return Err(HubError::bad_request(format!("Bad request for commit endpoint: unknown key {other:?}")))
            }
        }
    }
    let header = header.ok_or_else(|| HubError::bad_request("Bad request for commit endpoint: missing header line"))?;
    let summary = header.get("summary").and_then(Value::as_str).unwrap_or_default();
    if summary.trim().is_empty() {
        return Err(HubError::bad_request("Bad request for commit endpoint: the summary must not be empty"));
    }
    let description = header.get("description").and_then(Value::as_str).unwrap_or_default();
    let parent_commit = header.get("parentCommit").and_then(Value::as_str);
    let create_pr = ctx.flag("create_pr");
    let base = match parent_commit {
        Some(p) if create_pr => {
            app.store.commit(repo.id, p)?.ok_or_else(|| HubError::revision_not_found(p))?;
            p.to_string()
        }
        Some(p) if p != resolved.sha => {
            return Err(HubError::new(
                StatusCode::PRECONDITION_FAILED,
                None,
                "The branch was updated since you opened this page. Please refresh and try again.",
            ))
        }
        _ => resolved.sha.clone(),
    };

    let mut entries = app.store.entries(repo.id, &base)?;
    let mut new_lfs_paths = Vec::new();
    for op in ops {
        match op {
            Op::File { path, content } => {
                if content.len() as u64 > MAX_REGULAR_FILE {
                    return Err(HubError::bad_request(format!(
                        "Your push was rejected because it contains files larger than 10 MiB ({path}). Use LFS (Xet) for large files."
                    )));
                }
                let oid = git::blob_oid(&content);
                app.store.put_object("git", &oid, &content)?;
                upsert(
                    &mut entries,
                    Entry {
                        path,
                        oid,
                        size: content.len() as u64,
                        lfs_sha256: None,
                        xet_hash: None,
                        last_commit: String::new(),
                    },
                );
            }
            Op::Lfs { path, sha256, size } => {
                let (stored_size, xet_hash) = app.store.lfs_object(&sha256)?.ok_or_else(|| {
                    HubError::bad_request(format!(
                        "Bad request for commit endpoint: LFS object {sha256} ({path}) was not uploaded"
                    ))
                })?;
                if size.is_some_and(|s| s != stored_size) {
                    return Err(HubError::bad_request(format!(
                        "Bad request for commit endpoint: size mismatch for {path}"
                    )));
                }
                let pointer = git::lfs_pointer(&sha256, stored_size);
                let oid = git::blob_oid(pointer.as_bytes());
                new_lfs_paths.push(path.clone());
                upsert(
                    &mut entries,
                    Entry {
                        path,
                        oid,
                        size: stored_size,
                        lfs_sha256: Some(sha256),
                        xet_hash,
                        last_commit: String::new(),
                    },
                );
            }
            Op::DeleteFile(path) => {
                let before = entries.len();
                entries.retain(|e| e.path != path);
                if entries.len() == before {
                    return Err(HubError::entry_not_found(&path, Some(&base)));
                }
            }
            Op::DeleteFolder(path) => {
                let prefix = format!("{path}/");
                let before = entries.len();
                entries.retain(|e| !e.path.starts_with(&prefix));
                if entries.len() == before {
                    return Err(HubError::entry_not_found(&path, Some(&base)));
                }
            }
        }
    }
    add_lfs_attributes(app, &mut entries, &new_lfs_paths)?;
    let author = ctx.caller.user.clone().unwrap_or_default();
    let (target, pr_number) = if create_pr {
        let into = if branch.starts_with("refs/") { branch.clone() } else { format!("refs/heads/{branch}") };
        let n = crate::discussions::open_pull_request(app, repo, &author, summary, description, &into)?;
        (format!("refs/pr/{n}"), Some(n))
    } else {
        (branch.clone(), None)
    };
    let sha = match record_commit(app, repo, &target, Some(base), summary, description, &author, entries) {
        Ok(sha) => sha,
        Err(e) => {
            if let Some(n) = pr_number {
                crate::discussions::discard(app, repo, n)?;
            }
            return Err(e);
        }
    };
    crate::discussions::note_commit(app, repo, &target, &author, summary, &sha)?;
    let web = repo_web_url(app, repo);
    let mut out =
        json!({ "success": true, "commitOid": sha, "commitUrl": format!("{web}/commit/{sha}"), "hookOutput": "" });
    if let Some(n) = pr_number {
        out["pullRequestUrl"] = json!(format!("{web}/discussions/{n}"));
    }
    Ok(http::ok_json(out))
}

/// The first commit's files of a new repo: the create call's `files` (`[{path, content, encoding}]`,
/// base64 unless `encoding` says `utf-8`), over the default `.gitattributes`, plus a `README.md`
/// carrying `license` metadata when a license is asked for and no README is given. Files the
/// `.gitattributes` routes to LFS are stored as LFS objects, like a commit would store them.
/// Everything is checked before anything is stored, so a bad request creates nothing.
pub fn initial_entries(app: &App, files: Option<&Value>, license: Option<&str>) -> HubResult<Vec<Entry>> {
    let mut given: Vec<(String, Vec<u8>)> = Vec::new();
    let list = match files {
        None | Some(Value::Null) => &Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(HubError::bad_request("\"files\" must be an array of {path, content, encoding}")),
    };
    for (i, f) in list.iter().enumerate() {
        let field = |name: &str| f.get(name).and_then(Value::as_str);
        let path =
            check_path(field("path").ok_or_else(|| HubError::bad_request(format!("files[{i}].path is required")))?)?;
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
        if content.len() as u64 > MAX_REGULAR_FILE {
            return Err(HubError::bad_request(format!(
                "files[{i}] ({path}) is larger than 10 MiB: upload it in a commit"
            )));
        }
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
    let attributes = given.iter().find(|(p, _)| p == ".gitattributes").map(|(_, c)| String::from_utf8_lossy(c));
    let patterns = lfs_patterns(attributes.as_deref().unwrap_or_default());
    let mut entries = Vec::new();
    for (path, content) in given {
        let size = content.len() as u64;
        let entry = if path != ".gitattributes" && matches_lfs(&patterns, &path) {
            let sha256 = hex::encode(Sha256::digest(&content));
            store_lfs(app, &sha256, &content)?;
            let oid = git::blob_oid(git::lfs_pointer(&sha256, size).as_bytes());
            Entry { path, oid, size, lfs_sha256: Some(sha256), xet_hash: None, last_commit: String::new() }
        } else {
            let oid = git::blob_oid(&content);
            app.store.put_object("git", &oid, &content)?;
            Entry { path, oid, size, lfs_sha256: None, xet_hash: None, last_commit: String::new() }
        };
        entries.push(entry);
    }
    Ok(entries)
}

fn upsert(entries: &mut Vec<Entry>, entry: Entry) {
    match entries.iter_mut().find(|e| e.path == entry.path) {
        Some(e) => *e = entry,
        None => entries.push(entry),
    }
}

/// Like the Hub, paths committed as LFS that no pattern covers get their own `.gitattributes` line.
fn add_lfs_attributes(app: &App, entries: &mut Vec<Entry>, paths: &[String]) -> HubResult<()> {
    let mut attributes = repo_gitattributes(app, entries)?;
    let patterns = lfs_patterns(&attributes);
    let missing: Vec<&String> =
        paths.iter().filter(|p| !p.contains(char::is_whitespace) && !matches_lfs(&patterns, p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if attributes.is_empty() {
        attributes = DEFAULT_GITATTRIBUTES.to_string();
    }
    for p in missing {
        if !attributes.ends_with('\n') {
            attributes.push('\n');
        }
        attributes.push_str(&format!("{p} filter=lfs diff=lfs merge=lfs -text\n"));
    }
    let oid = git::blob_oid(attributes.as_bytes());
    app.store.put_object("git", &oid, attributes.as_bytes())?;
    upsert(
        entries,
        Entry {
            path: ".gitattributes".into(),
            oid,
            size: attributes.len() as u64,
            lfs_sha256: None,
            xet_hash: None,
            last_commit: String::new(),
        },
    );
    Ok(())
}

/// Creates a commit with the full file listing `entries` on `target` (a branch name or a full
/// `refs/…` name); `parent` defaults to the target's current head. Returns the commit id.
#[allow(clippy::too_many_arguments)]
pub fn record_commit(
    app: &App,
    repo: &Repo,
    target: &str,
    parent: Option<String>,
    title: &str,
    description: &str,
    author: &str,
    mut entries: Vec<Entry>,
) -> HubResult<String> {
    let ref_name = if target.starts_with("refs/") { target.to_string() } else { format!("refs/heads/{target}") };
    let parent = match parent {
        Some(p) => Some(p),
        None => app.store.get_ref(repo.id, &ref_name)?,
    };
    let previous = match &parent {
        Some(p) => app.store.entries(repo.id, p)?,
        None => Vec::new(),
    };
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let tree = git::tree_oid(entries.iter().map(|e| (e.path.as_str(), e.oid.as_str())));
    let created = http::now_unix();
    let message = if description.is_empty() { title.to_string() } else { format!("{title}\n\n{description}") };
    let sha = git::commit_oid(&git::CommitObject {
        tree: &tree,
        parent: parent.as_deref(),
        author,
        email: &format!("{author}@localhub.invalid"),
        unix_time: created,
        message: &message,
    });
    for e in &mut entries {
        e.last_commit = match previous.iter().find(|p| p.path == e.path && p.oid == e.oid) {
            Some(p) => p.last_commit.clone(),
            None => sha.clone(),
        };
    }
    let commit = Commit {
        sha: sha.clone(),
        parent,
        title: title.to_string(),
        message: description.to_string(),
        author: author.to_string(),
        created,
    };
    app.store.insert_commit(repo.id, &commit, &entries)?;
    app.store.set_ref(repo.id, &ref_name, &sha)?;
    Ok(sha)
}

// ---- Git LFS batch ----

pub fn lfs_batch(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    let body = json_body(ctx)?;
    let operation = body.get("operation").and_then(Value::as_str).unwrap_or("upload");
    if operation == "upload" {
        ctx.caller.require_write(&app.store, repo)?;
    } else {
        ctx.caller.require_content_access(&app.store, repo)?;
    }
    let transfers: Vec<&str> = body
        .get("transfers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let use_xet = operation == "upload" && transfers.contains(&"xet");
    let objects = body
        .get("objects")
        .and_then(Value::as_array)
        .ok_or_else(|| HubError::bad_request("\"objects\" is required"))?;
    let xet_token = if use_xet { Some(crate::cas::new_token(app, repo, true)?) } else { None };
    let mut out = Vec::new();
    for o in objects {
        let oid = o.get("oid").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let size = o.get("size").and_then(Value::as_u64).unwrap_or(0);
        let mut item = json!({ "oid": oid, "size": size, "authenticated": true });
        if oid.len() != 64 || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            item["error"] = json!({ "code": 422, "message": "oid must be a sha256" });
            out.push(item);
            continue;
        }
        let stored = app.store.lfs_object(&oid)?;
        if operation == "download" {
            match stored {
                Some(_) => {
                    item["actions"] = json!({ "download": { "href": format!("{}/lfs-cdn/{oid}?{}", app.storage_url, sign_object(app, &oid)) } })
                }
                None => item["error"] = json!({ "code": 404, "message": "Object does not exist" }),
            }
        } else if stored.is_none() {
            item["actions"] = upload_actions(app, ctx, repo, &oid, size, xet_token.as_ref());
        }
        out.push(item);
    }
    let transfer = if use_xet {
        "xet"
    } else if transfers.contains(&"multipart") {
        "multipart"
    } else {
        "basic"
    };
    let reply = http::ok_json(json!({ "transfer": transfer, "objects": out, "hash_algo": "sha256" }));
    Ok(with_content_type(reply, "application/vnd.git-lfs+json"))
}

fn with_content_type(mut r: Reply, ct: &'static str) -> Reply {
    r.headers_mut().insert(header::CONTENT_TYPE, ct.parse().expect("ascii"));
    r
}

fn upload_actions(
    app: &App,
    ctx: &Ctx,
    repo: &Repo,
    oid: &str,
    size: u64,
    xet: Option<&crate::cas::XetToken>,
) -> Value {
    if let Some(t) = xet {
        let href = format!("{}/api/{}s/{}/xet-write-token/main", app.base_url, repo.kind, repo.full_name());
        let session = ctx.header("x-xet-session-id").map(str::to_string).unwrap_or_else(crate::store::new_uid);
        return json!({ "upload": { "href": href, "header": {
            "X-Xet-Cas-Url": t.cas_url, "X-Xet-Access-Token": t.token,
            "X-Xet-Token-Expiration": t.exp.to_string(), "X-Xet-Session-Id": session,
        } } });
    }
    let signed = sign_object(app, oid);
    let base = format!("{}/lfs-storage/{oid}", app.storage_url);
    let verify = json!({ "href": format!("{base}/verify?{signed}") });
    if size > MULTIPART_THRESHOLD {
        let mut header = serde_json::Map::new();
        header.insert("chunk_size".into(), json!(MULTIPART_CHUNK.to_string()));
        for part in 1..=size.div_ceil(MULTIPART_CHUNK) {
            header.insert(format!("{part:05}"), json!(format!("{base}/part/{part}?{signed}")));
        }
        return json!({ "upload": { "href": format!("{base}/complete?{signed}&size={size}"), "header": header }, "verify": verify });
    }
    json!({ "upload": { "href": format!("{base}?{signed}&size={size}") }, "verify": verify })
}

/// Query string presigning access to object `id` (no Authorization header needed, like a CDN URL).
pub fn sign_object(app: &App, id: &str) -> String {
    let exp = http::now_unix() + URL_LIFETIME_SECS;
    format!("exp={exp}&sig={}", signature(app, id, exp))
}

pub fn signature(app: &App, what: &str, exp: i64) -> String {
    let mut h = Sha256::new();
    h.update(app.signing_key);
    h.update(what.as_bytes());
    h.update(exp.to_le_bytes());
    hex::encode(&h.finalize()[..16])
}

pub fn check_signature(app: &App, ctx: &Ctx, what: &str) -> HubResult<()> {
    let exp: i64 = ctx.query("exp").and_then(|e| e.parse().ok()).unwrap_or(0);
    if exp < http::now_unix() || ctx.query("sig") != Some(signature(app, what, exp).as_str()) {
        return Err(HubError::forbidden("Request has expired or its signature does not match"));
    }
    Ok(())
}

/// `/lfs-storage/{oid}[/part/N|/complete|/verify]` (uploads) and `/lfs-cdn/{oid}` (content).
pub fn storage_route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    let oid = segs.get(1).copied().unwrap_or_default();
    if oid.len() != 64 || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HubError::not_found("Unknown object"));
    }
    check_signature(app, ctx, oid)?;
    match (segs, ctx.method.clone()) {
        (["lfs-cdn", _], Method::GET | Method::HEAD) => {
            let content = object_content(app, oid)?;
            let mut reply = http::ranged_body(&ctx.headers, content, "application/octet-stream", ctx.is_head());
            // Like a CDN answer: clients that followed the redirect only see these headers.
            reply.headers_mut().insert(header::ETAG, format!("\"{oid}\"").parse().map_err(HubError::internal)?);
            Ok(reply)
        }
        (["lfs-storage", _], Method::PUT) => {
            store_lfs(app, oid, &ctx.body)?;
            Ok(http::ok_json(json!({})))
        }
        (["lfs-storage", _, "part", n], Method::PUT) => {
            let n: u32 = n.parse().map_err(|_| HubError::bad_request("bad part number"))?;
            let dir = app.store.root().join("uploads").join(oid);
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(format!("{n:05}")), &ctx.body)?;
            let etag = format!("\"{}\"", git::blob_oid(&ctx.body));
            Ok(Response::builder().header(header::ETAG, etag).body(Body::empty()).expect("valid"))
        }
        (["lfs-storage", _, "complete"], Method::POST) => {
            let body = json_body(ctx)?;
            let parts = body
                .get("parts")
                .and_then(Value::as_array)
                .ok_or_else(|| HubError::bad_request("\"parts\" is required"))?;
            let dir = app.store.root().join("uploads").join(oid);
            let mut content = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                let n = p.get("partNumber").and_then(Value::as_u64).unwrap_or(0);
                if n != i as u64 + 1 {
                    return Err(HubError::bad_request("parts must be listed in order from 1"));
                }
                let bytes = std::fs::read(dir.join(format!("{n:05}")))
                    .map_err(|_| HubError::bad_request(format!("part {n} was not uploaded")))?;
                let etag = format!("\"{}\"", git::blob_oid(&bytes));
                if p.get("etag").and_then(Value::as_str) != Some(etag.as_str()) {
                    return Err(HubError::bad_request(format!("etag of part {n} does not match")));
                }
                content.extend_from_slice(&bytes);
            }
            store_lfs(app, oid, &content)?;
            let _ = std::fs::remove_dir_all(&dir);
            Ok(http::ok_json(json!({})))
        }
        (["lfs-storage", _, "verify"], Method::POST) => match app.store.lfs_object(oid)? {
            Some(_) => Ok(http::ok_json(json!({}))),
            None => Err(HubError::not_found("Object does not exist")),
        },
        _ => Err(HubError::new(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed")),
    }
}

fn store_lfs(app: &App, oid: &str, content: &[u8]) -> HubResult<()> {
    let actual = hex::encode(Sha256::digest(content));
    if actual != oid {
        return Err(HubError::bad_request(format!("Content hashes to {actual}, not {oid}: upload rejected")));
    }
    app.store.put_object("lfs", oid, content)?;
    app.store.put_lfs_object(oid, content.len() as u64, None)
}

/// The bytes of an LFS object: stored whole, or rebuilt from Xet storage (the "bridge").
pub fn object_content(app: &App, sha256: &str) -> HubResult<Vec<u8>> {
    let path = app.store.object_path("lfs", sha256);
    if path.exists() {
        return Ok(std::fs::read(path)?);
    }
    match app.store.lfs_object(sha256)? {
        Some((_, Some(xet))) => crate::cas::reconstruct_file(app, &xet),
        _ => Err(HubError::not_found("Object does not exist")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitattributes_patterns_match_like_git() {
        let p = lfs_patterns("*.bin filter=lfs diff=lfs merge=lfs -text\n# c\ndata/*.csv filter=lfs\n*.txt text\n");
        assert_eq!(p, ["*.bin", "data/*.csv"]);
        assert!(matches_lfs(&p, "model.bin"));
        assert!(matches_lfs(&p, "sub/dir/model.bin"));
        assert!(matches_lfs(&p, "data/a.csv"));
        assert!(!matches_lfs(&p, "other/data/a.csv"));
        assert!(!matches_lfs(&p, "a.txt"));
    }

    #[test]
    fn repo_paths_are_checked() {
        assert!(check_path("a/b.txt").is_ok());
        for bad in ["", "a/../b", "./a", "a//b", ".git/config"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
