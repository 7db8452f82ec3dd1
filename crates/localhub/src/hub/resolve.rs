//! `resolve` and `raw`: file content with the Hub's headers (`ETag`, `X-Repo-Commit`,
//! `X-Linked-*`, Xet headers), LFS content through a presigned storage redirect.

use axum::body::Body;
use axum::http::{header, Method, Response, StatusCode};
use serde_json::json;

use super::method_not_allowed;
use crate::app::App;
use crate::ctx::Ctx;
use crate::git;
use crate::http::{HubError, HubResult, Reply};
use crate::range;
use crate::repo::resolve_revision;
use crate::store::Repo;

pub fn resolve(app: &App, ctx: &Ctx, repo: &Repo, rev: &str, path: &str, raw: bool) -> HubResult {
    if ctx.method != Method::GET && ctx.method != Method::HEAD {
        return Err(method_not_allowed());
    }
    ctx.caller.require_content_access(&app.store, repo)?;
    let resolved = resolve_revision(&app.store, repo, rev)?;
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
        let mut r = range::ranged_body(&ctx.headers, content, "text/plain; charset=utf-8", ctx.is_head());
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
        let auth =
            format!("{}/api/{}/{}/xet-read-token/{}", app.base_url, repo.plural(), repo.full_name(), resolved.sha);
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
    let location = super::lfs::download_url(app, sha256, entry.xet_hash.as_deref());
    Ok(b.status(StatusCode::FOUND).header(header::LOCATION, location).body(Body::empty()).expect("valid"))
}
