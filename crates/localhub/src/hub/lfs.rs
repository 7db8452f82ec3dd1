//! Git LFS: the batch API (basic, multipart, xet) and the presigned storage routes its URLs
//! point at. Every URL is signed for one method on one object of one repo (with its size or
//! part number), and a batch only answers "present" for objects the repo may use.

use axum::body::Body;
use axum::http::{header, Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::app::App;
use crate::cas::tokens::{new_token, XetToken};
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult, Reply};
use crate::objects;
use crate::store::Repo;
use crate::{git, range};

/// LFS objects above this are offered multipart uploads; smaller ones one PUT.
pub const MULTIPART_THRESHOLD: u64 = 20 << 20;
/// Size of each multipart part (the last may be shorter).
pub const MULTIPART_CHUNK: u64 = 8 << 20;
/// Most parts one multipart upload is offered (S3's limit): the answer lists a URL per part.
pub const MAX_PARTS: u64 = 10_000;
/// Largest object a batch offers to upload.
pub const MAX_UPLOAD_SIZE: u64 = MAX_PARTS * MULTIPART_CHUNK;

fn is_sha256(oid: &str) -> bool {
    oid.len() == 64 && oid.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A presigned download of object `sha256` (bytes from `xet_hash` when not stored whole).
pub fn download_url(app: &App, sha256: &str, xet_hash: Option<&str>) -> String {
    let path = format!("/lfs-cdn/{sha256}");
    let params: Vec<(&str, String)> = xet_hash.map(|x| ("xet", x.to_string())).into_iter().collect();
    format!("{}{path}?{}", app.storage_url, app.signer.sign("GET", &path, &params))
}

pub fn lfs_batch(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    let body = ctx.json()?;
    // The Git LFS batch API knows two operations; anything else would be a read that hands out
    // upload URLs.
    match body.get("operation").and_then(Value::as_str) {
        Some("upload") => ctx.caller.require_write(&app.store, repo)?,
        Some("download") => ctx.caller.require_content_access(&app.store, repo)?,
        _ => {
            return Err(HubError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                "\"operation\" must be \"upload\" or \"download\"",
            ))
        }
    }
    let operation = body.get("operation").and_then(Value::as_str).unwrap_or_default();
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
    let xet_token = if use_xet { Some(new_token(app, repo, true)?) } else { None };
    let mut out = Vec::new();
    for o in objects {
        let oid = o.get("oid").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let size = o.get("size").and_then(Value::as_u64).unwrap_or(0);
        let mut item = json!({ "oid": oid, "size": size, "authenticated": true });
        if !is_sha256(&oid) {
            item["error"] = json!({ "code": 422, "message": "oid must be a sha256" });
            out.push(item);
            continue;
        }
        if operation == "upload" && size > MAX_UPLOAD_SIZE {
            item["error"] = json!({ "code": 422, "message": format!("size must be at most {MAX_UPLOAD_SIZE} bytes") });
            out.push(item);
            continue;
        }
        if operation == "download" {
            match objects::readable_in(app, repo, &oid)? {
                Some(object) => {
                    item["actions"] =
                        json!({ "download": { "href": download_url(app, &oid, object.xet_hash.as_deref()) } })
                }
                None => item["error"] = json!({ "code": 404, "message": "Object does not exist" }),
            }
        } else if objects::referable(app, &ctx.caller, repo, &oid)?.is_none() {
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
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(ct));
    r
}

fn upload_actions(app: &App, ctx: &Ctx, repo: &Repo, oid: &str, size: u64, xet: Option<&XetToken>) -> Value {
    if let Some(t) = xet {
        let href = format!("{}/api/{}/{}/xet-write-token/main", app.base_url, repo.plural(), repo.full_name());
        let session = ctx.header("x-xet-session-id").map(str::to_string).unwrap_or_else(crate::store::new_uid);
        return json!({ "upload": { "href": href, "header": {
            "X-Xet-Cas-Url": t.cas_url, "X-Xet-Access-Token": t.token,
            "X-Xet-Token-Expiration": t.exp.to_string(), "X-Xet-Session-Id": session,
        } } });
    }
    let base = format!("/lfs-storage/{oid}");
    let params = [("repo", repo.id.to_string()), ("size", size.to_string())];
    let url = |method: &str, path: String| {
        let query = app.signer.sign(method, &path, &params);
        format!("{}{path}?{query}", app.storage_url)
    };
    let verify = json!({ "href": url("POST", format!("{base}/verify")) });
    if size > MULTIPART_THRESHOLD {
        let mut header = serde_json::Map::new();
        header.insert("chunk_size".into(), json!(MULTIPART_CHUNK.to_string()));
        for part in 1..=size.div_ceil(MULTIPART_CHUNK) {
            header.insert(format!("{part:05}"), json!(url("PUT", format!("{base}/part/{part}"))));
        }
        return json!({ "upload": { "href": url("POST", format!("{base}/complete")), "header": header }, "verify": verify });
    }
    json!({ "upload": { "href": url("PUT", base.clone()) }, "verify": verify })
}

/// `/lfs-storage/{oid}[/part/N|/complete|/verify]` (uploads) and `/lfs-cdn/{oid}` (content). The
/// signature is checked first (before the router reads a body), so only the exact operation a
/// batch answer granted runs.
pub fn storage_route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    let oid = segs.get(1).copied().unwrap_or_default();
    if !is_sha256(oid) {
        return Err(HubError::not_found("Unknown object"));
    }
    app.signer.check(ctx)?;
    let signed_number = |name: &str| -> HubResult<u64> {
        ctx.query(name).and_then(|v| v.parse().ok()).ok_or_else(|| HubError::forbidden("URL not signed for uploads"))
    };
    match (segs, ctx.method.clone()) {
        (["lfs-cdn", _], Method::GET | Method::HEAD) => {
            let content = objects::content(app, oid, ctx.query("xet"))?;
            let read = |start, end| content.pieces(app, start, end);
            let mut reply =
                range::ranged_pieces(&ctx.headers, content.size(), "application/octet-stream", ctx.is_head(), read);
            // Like a CDN answer: clients that followed the redirect only see these headers.
            reply.headers_mut().insert(header::ETAG, format!("\"{oid}\"").parse().map_err(HubError::internal)?);
            Ok(reply)
        }
        (["lfs-storage", _], Method::PUT) => {
            let (repo, size) = (signed_number("repo")?, signed_number("size")?);
            if ctx.body.len() as u64 != size {
                return Err(HubError::bad_request(format!("Expected {size} bytes, got {}", ctx.body.len())));
            }
            objects::store_lfs_upload(app, repo as i64, oid, &ctx.body)?;
            Ok(http::ok_json(json!({})))
        }
        (["lfs-storage", _, "part", n], Method::PUT) => {
            let (repo, size) = (signed_number("repo")?, signed_number("size")?);
            let n: u64 = n.parse().map_err(|_| HubError::bad_request("bad part number"))?;
            if n == 0 || n > size.div_ceil(MULTIPART_CHUNK) {
                return Err(HubError::bad_request(format!("There is no part {n} of a {size}-byte object")));
            }
            let expected = (size - (n - 1) * MULTIPART_CHUNK).min(MULTIPART_CHUNK);
            if ctx.body.len() as u64 != expected {
                return Err(HubError::bad_request(format!(
                    "Part {n} must be {expected} bytes, got {}",
                    ctx.body.len()
                )));
            }
            let dir = app.store.root().join("uploads").join(format!("{repo}-{oid}"));
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(format!("{n:05}")), &ctx.body)?;
            let etag = format!("\"{}\"", git::blob_oid(&ctx.body));
            Response::builder().header(header::ETAG, etag).body(Body::empty()).map_err(HubError::internal)
        }
        (["lfs-storage", _, "complete"], Method::POST) => {
            let (repo, size) = (signed_number("repo")?, signed_number("size")?);
            let body = ctx.json()?;
            let parts = body
                .get("parts")
                .and_then(Value::as_array)
                .ok_or_else(|| HubError::bad_request("\"parts\" is required"))?;
            if parts.len() as u64 != size.div_ceil(MULTIPART_CHUNK) {
                return Err(HubError::bad_request("every part must be listed"));
            }
            let dir = app.store.root().join("uploads").join(format!("{repo}-{oid}"));
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
            objects::store_lfs_upload(app, repo as i64, oid, &content)?;
            let _ = std::fs::remove_dir_all(&dir);
            Ok(http::ok_json(json!({})))
        }
        (["lfs-storage", _, "verify"], Method::POST) => {
            match app.store.repo_object(signed_number("repo")? as i64, oid)? {
                Some(_) => Ok(http::ok_json(json!({}))),
                None => Err(HubError::not_found("Object does not exist")),
            }
        }
        _ => Err(HubError::new(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed")),
    }
}
