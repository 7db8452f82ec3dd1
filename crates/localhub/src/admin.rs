//! `/admin/…`: fault injection and stream pacing at run time. Closed unless localhub was started
//! with `--admin-token TOKEN`, and then only for `Authorization: Bearer TOKEN`: a web page in the
//! user's browser must not be able to make the local server misbehave.

use axum::http::{header, Method};
use serde_json::{json, Value};

use crate::app::App;
use crate::ctx::Ctx;
use crate::faults::Fault;
use crate::http::{self, HubError, HubResult};
use crate::signing::constant_time_eq;

/// Whether the request carries the admin token (headers only: checked before any body is read).
pub fn check_admin(app: &App, headers: &axum::http::HeaderMap) -> HubResult<()> {
    let Some(expected) = &app.admin_token else {
        return Err(HubError::not_found("The admin routes are off (start localhub with --admin-token)"));
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let given = given.strip_prefix("Bearer ").unwrap_or(given).trim();
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(HubError::unauthorized("The admin routes need the admin token"));
    }
    Ok(())
}

/// `GET|POST|DELETE /admin/faults`, `PUT /admin/token-delay`, `GET /admin/inference`.
pub fn route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    check_admin(app, &ctx.headers)?;
    match (ctx.method.clone(), segs) {
        (Method::GET, ["faults"]) => {
            let list: Vec<Value> = app
                .faults
                .list()
                .into_iter()
                .map(|(route, kind, count)| json!({ "route": route, "kind": kind, "count": count }))
                .collect();
            Ok(http::ok_json(Value::Array(list)))
        }
        (Method::POST, ["faults"]) => {
            let fault: Fault =
                serde_json::from_slice(&ctx.body).map_err(|e| HubError::bad_request(format!("Invalid fault: {e}")))?;
            app.faults.add(fault);
            Ok(http::ok_json(json!({ "ok": true })))
        }
        (Method::DELETE, ["faults"]) => {
            app.faults.clear();
            Ok(http::ok_json(json!({ "ok": true })))
        }
        (Method::PUT, ["token-delay"]) => {
            let v = ctx.json()?;
            let ms = v.get("ms").and_then(Value::as_u64).ok_or_else(|| HubError::bad_request("\"ms\" is required"))?;
            app.set_token_delay_ms(ms);
            Ok(http::ok_json(json!({ "ok": true })))
        }
        (Method::GET, ["inference"]) => Ok(http::ok_json(app.inference.to_json())),
        _ => Err(HubError::not_found("Unknown admin route")),
    }
}
