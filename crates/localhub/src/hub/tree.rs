//! File listings: `tree` (paged with `Link`), `paths-info` (JSON and form bodies).

use axum::http::{header, StatusCode};
use serde_json::{json, Value};

use crate::app::App;
use crate::ctx::{form_pairs, Ctx};
use crate::git;
use crate::http::{self, HubError, HubResult};
use crate::repo::resolve_revision;
use crate::store::{Commit, Entry, Repo};

const DEFAULT_PAGE: usize = 1000;
const EXPANDED_PAGE: usize = 50;
/// Largest page served, whatever `limit` asks: the `Link` header carries on from there.
const MAX_PAGE: usize = DEFAULT_PAGE;

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

pub fn tree(app: &App, ctx: &Ctx, repo: &Repo, rev: &str, path: &str) -> HubResult {
    let resolved = resolve_revision(&app.store, repo, rev)?;
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
        .clamp(1, MAX_PAGE);
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
    let next = start.saturating_add(limit);
    if next < items.len() {
        let mut url = format!(
            "{}/api/{}/{}/tree/{}",
            app.base_url,
            repo.plural(),
            repo.full_name(),
            percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC)
        );
        if !path.is_empty() {
            url.push('/');
            url.push_str(path);
        }
        url.push_str(&format!("?recursive={recursive}&expand={expand}&limit={limit}&cursor={next}"));
        reply.headers_mut().insert(header::LINK, format!("<{url}>; rel=\"next\"").parse().map_err(HubError::internal)?);
    }
    Ok(reply)
}

fn last_commit(app: &App, repo: &Repo, sha: Option<&str>, head: &str) -> Option<Commit> {
    app.store.commit(repo.id, sha.unwrap_or(head)).ok().flatten()
}

pub fn paths_info(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    // Gated without access: 401/403 `GatedRepo`, as the Hub answers paths-info (hub-api.md §3).
    ctx.caller.require_content_access(&app.store, repo)?;
    let resolved = resolve_revision(&app.store, repo, rev)?;
    let is_json = ctx.header("content-type").is_some_and(|c| c.contains("json"));
    let (paths, expand): (Vec<String>, bool) = if is_json {
        let body = ctx.json()?;
        let paths = body
            .get("paths")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect());
        (paths.unwrap_or_default(), body.get("expand").and_then(Value::as_bool).unwrap_or(false))
    } else {
        let form = form_pairs(&String::from_utf8_lossy(&ctx.body));
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
