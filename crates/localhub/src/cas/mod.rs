//! Xet CAS (spec xet-protocol.md §6): access tokens, xorb and shard uploads, global dedup, V1
//! and V2 reconstructions and presigned storage fetches. Validation and reconstruction use
//! hubwasm-core.

pub mod index;
pub mod reconstruct;
pub mod tokens;

use axum::body::Body;
use axum::http::{header, Method, Response};
use serde_json::json;

use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use index::parse_hash;
use tokens::require_token;

pub fn route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    match (ctx.method.clone(), segs) {
        (Method::POST, ["v1", "xorbs", "default", hash]) => {
            require_token(app, ctx, true)?;
            index::upload_xorb(app, &parse_hash(hash)?, &ctx.body)
        }
        (Method::HEAD | Method::GET, ["v1", "xorbs", "default", hash]) => {
            require_token(app, ctx, false)?;
            let meta =
                index::xorb_meta(app, &parse_hash(hash)?)?.ok_or_else(|| HubError::not_found("Xorb not found"))?;
            Ok(Response::builder().header(header::CONTENT_LENGTH, meta.size).body(Body::empty()).expect("valid"))
        }
        (Method::POST, ["v1", "shards"]) => {
            let scope = require_token(app, ctx, true)?;
            let inserted = index::register_shard(app, &scope, &ctx.body)?;
            Ok(http::ok_json(json!({ "result": u8::from(inserted) })))
        }
        (Method::POST, ["v2", "shards"]) => {
            let scope = require_token(app, ctx, true)?;
            // Streaming variant: success or failure is only in the terminal NDJSON event.
            let last = match index::register_shard(app, &scope, &ctx.body) {
                Ok(inserted) => json!({ "type": "result", "result": u8::from(inserted) }),
                Err(e) => json!({ "type": "error", "message": e.message, "retryable": false }),
            };
            let body = format!("{}\n{last}\n", json!({ "type": "validating", "verified": 1, "total": 1 }));
            Ok(Response::builder()
                .header(header::CONTENT_TYPE, "application/x-ndjson")
                .body(Body::from(body))
                .expect("valid"))
        }
        (Method::GET, ["v1", "chunks", "default" | "default-merkledb", hash]) => {
            require_token(app, ctx, false)?;
            index::dedup_answer(app, &parse_hash(hash)?)
        }
        (Method::GET, [version @ ("v1" | "v2"), "reconstructions", hash]) => {
            let scope = require_token(app, ctx, false)?;
            let hash = parse_hash(hash)?;
            index::require_file_access(app, &scope, &hash)?;
            reconstruct::reconstruction(app, ctx, &hash, *version == "v2")
        }
        (Method::GET, ["v1", "files", hash]) | (Method::HEAD, ["v1", "files", hash]) => {
            let scope = require_token(app, ctx, false)?;
            let hash = parse_hash(hash)?;
            index::require_file_access(app, &scope, &hash)?;
            let file = index::xet_file(app, &hash)?.ok_or_else(|| HubError::not_found("File not found"))?;
            Ok(Response::builder().header(header::CONTENT_LENGTH, file.size).body(Body::empty()).expect("valid"))
        }
        (Method::GET | Method::HEAD, ["storage", hash]) => reconstruct::storage(app, ctx, &parse_hash(hash)?),
        (Method::POST, ["v1", "telemetry"]) => Ok(http::ok_json(json!({}))),
        _ => Err(HubError::not_found(format!("Unknown CAS route /{}", segs.join("/")))),
    }
}
