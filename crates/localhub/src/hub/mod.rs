//! The Hub's REST API (spec hub-api.md §1–§8) and web routes (`resolve`, `raw`, LFS batch), one
//! module per concern; this one only routes.

pub mod account;
pub mod branches;
pub mod history;
pub mod lfs;
pub mod repos;
pub mod resolve;
pub mod tree;
pub mod upload;

use axum::http::{Method, StatusCode};
use hubwasm_core::repo::RepoType;
use serde_json::json;

use crate::app::App;
use crate::cas::tokens::issue_token;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use crate::repo::{repo_at_path, split_revision};
use crate::store::Repo;

pub fn method_not_allowed() -> HubError {
    HubError::new(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed")
}

pub fn api_route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    match (ctx.method.clone(), segs) {
        (Method::GET, ["whoami-v2"]) => account::whoami(app, ctx),
        (Method::POST, ["repos", "create"]) => repos::create_repo(app, ctx),
        (Method::DELETE, ["repos", "delete"]) => repos::delete_repo(app, ctx),
        (Method::POST, ["repos", "move"]) => repos::move_repo(app, ctx),
        (Method::POST, ["validate-yaml"]) => Ok(http::ok_json(json!({}))),
        (Method::GET, [plural]) if RepoType::from_plural(plural).is_some() => {
            repos::list_repos(app, ctx, RepoType::from_plural(plural).unwrap_or(RepoType::Model))
        }
        // An id without a namespace names no repo here: the Hub's typed answer, not a bare 404.
        (_, [plural, _]) if RepoType::from_plural(plural).is_some() => {
            Err(HubError::repo_not_found(ctx.caller.anonymous()))
        }
        (_, [plural, namespace, name, rest @ ..]) if RepoType::from_plural(plural).is_some() => {
            let kind = RepoType::from_plural(plural).unwrap_or(RepoType::Model);
            let repo = repo_at_path(app, ctx, kind.as_str(), namespace, name)?;
            repo_api(app, ctx, &repo, rest)
        }
        _ => Err(HubError::not_found(format!(
            "Sorry, we can't find the page you are looking for: /api/{}",
            segs.join("/")
        ))),
    }
}

fn repo_api(app: &App, ctx: &Ctx, repo: &Repo, rest: &[&str]) -> HubResult {
    let m = ctx.method.clone();
    match rest {
        [] if m == Method::GET => repos::repo_info(app, ctx, repo, "main"),
        ["revision", rev @ ..] if m == Method::GET => repos::repo_info(app, ctx, repo, &split_revision(rev).0),
        ["tree", rest @ ..] if m == Method::GET => {
            let (rev, path) = split_revision(rest);
            tree::tree(app, ctx, repo, &rev, &path.join("/"))
        }
        ["paths-info", rev @ ..] if m == Method::POST => tree::paths_info(app, ctx, repo, &split_revision(rev).0),
        ["commits", rev @ ..] if m == Method::GET => history::commits(app, ctx, repo, &split_revision(rev).0),
        ["refs"] if m == Method::GET => history::refs(app, ctx, repo),
        ["branch", branch @ ..] => branches::branch_route(app, ctx, repo, &branch.join("/")),
        ["tag", tag @ ..] => branches::tag_route(app, ctx, repo, &tag.join("/")),
        ["discussions", rest @ ..] => crate::discussions::route(app, ctx, repo, rest),
        ["settings"] if m == Method::PUT => repos::settings(app, ctx, repo),
        ["auth-check"] => {
            ctx.caller.require_content_access(&app.store, repo)?;
            Ok(http::ok_json(json!({})))
        }
        ["auth-check", "write"] => {
            ctx.caller.require_write(&app.store, repo)?;
            Ok(http::ok_json(json!({})))
        }
        ["preupload", rev @ ..] if m == Method::POST => upload::preupload(app, ctx, repo, &split_revision(rev).0),
        ["commit", rev @ ..] if m == Method::POST => upload::commit(app, ctx, repo, &split_revision(rev).0),
        [token @ ("xet-read-token" | "xet-write-token"), rev @ ..] if m == Method::GET => {
            issue_token(app, ctx, repo, *token == "xet-write-token", &split_revision(rev).0)
        }
        _ => Err(method_not_allowed()),
    }
}

/// `/{prefix}{ns}/{name}/resolve|raw/{rev}/{path}` and `/{prefix}{ns}/{name}.git/info/lfs/...`.
pub fn web_route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    // Datasets and spaces carry their plural as a prefix; models have none.
    let (kind, rest) = match segs.split_first() {
        Some((first, rest)) if RepoType::from_plural(first).is_some_and(|t| t != RepoType::Model) => {
            (RepoType::from_plural(first).unwrap_or(RepoType::Model).as_str(), rest)
        }
        _ => (RepoType::Model.as_str(), segs),
    };
    match rest {
        [ns, name, "info", "lfs", "objects", "batch"] if name.ends_with(".git") => {
            let repo = repo_at_path(app, ctx, kind, ns, name.trim_end_matches(".git"))?;
            lfs::lfs_batch(app, ctx, &repo)
        }
        [ns, name, mode @ ("resolve" | "raw"), rest @ ..] => {
            let repo = repo_at_path(app, ctx, kind, ns, name)?;
            let (rev, path) = split_revision(rest);
            resolve::resolve(app, ctx, &repo, &rev, &path.join("/"), *mode == "raw")
        }
        [_, "resolve" | "raw", _, ..] => Err(HubError::repo_not_found(ctx.caller.anonymous())),
        _ => {
            Err(HubError::not_found(format!("Sorry, we can't find the page you are looking for: /{}", segs.join("/"))))
        }
    }
}
