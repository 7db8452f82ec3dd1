//! Branches and tags: create (compare-and-set, so two creators cannot both succeed), delete.

use axum::http::Method;
use serde_json::{json, Value};

use super::method_not_allowed;
use crate::app::App;
use crate::commits::{record_commit, CommitMessage};
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use crate::repo::{check_ref_name, resolve_revision};
use crate::store::{RefUpdate, Repo};

pub fn branch_route(app: &App, ctx: &Ctx, repo: &Repo, branch: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let full = format!("refs/heads/{branch}");
    match ctx.method {
        Method::POST => {
            check_ref_name(branch)?;
            let body: Value = if ctx.body.is_empty() { json!({}) } else { ctx.json()? };
            let overwrite = body.get("overwrite").and_then(Value::as_bool).unwrap_or(false);
            let exists = || HubError::conflict(format!("Reference {full} already exists"));
            let current = app.store.get_ref(repo.id, &full)?;
            if current.is_some() && !overwrite {
                return Err(exists());
            }
            if body.get("emptyBranch").and_then(Value::as_bool).unwrap_or(false) {
                let author = ctx.caller.user.clone().unwrap_or_default();
                let message = CommitMessage { title: "empty branch", description: "", author: &author };
                let target = RefUpdate::Move { name: &full, expected: current.as_deref() };
                record_commit(app, repo, target, None, &message, Vec::new())?.ok_or_else(exists)?;
            } else {
                let start = body.get("startingPoint").and_then(Value::as_str).unwrap_or("main");
                let resolved = resolve_revision(&app.store, repo, start)?;
                if overwrite {
                    app.store.set_ref(repo.id, &full, &resolved.sha)?;
                } else if !app.store.create_ref(repo.id, &full, &resolved.sha)? {
                    return Err(exists());
                }
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

pub fn tag_route(app: &App, ctx: &Ctx, repo: &Repo, name: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    match ctx.method {
        Method::POST => {
            let body = ctx.json()?;
            let tag =
                body.get("tag").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("\"tag\" is required"))?;
            check_ref_name(tag)?;
            let resolved = resolve_revision(&app.store, repo, if name.is_empty() { "main" } else { name })?;
            let full = format!("refs/tags/{tag}");
            if !app.store.create_ref(repo.id, &full, &resolved.sha)? {
                return Err(HubError::conflict(format!("Tag {tag} already exists")));
            }
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
