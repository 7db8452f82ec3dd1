//! Repos as the routes see them: names and kinds, the repo a URL or a body names (with the
//! Hub's redirects for moved repos and wrong casing), revisions resolved to commits, and
//! in-repo paths checked.

use axum::http::StatusCode;
use serde_json::Value;

pub use hubwasm_core::repo::split_revision;
use hubwasm_core::repo::{validate_path, validate_ref_name, validate_repo_name, RepoType, Revision};

use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{HubError, HubResult};
use crate::store::{Repo, Store};

/// The `type` of a request body (`model` when absent).
pub fn body_kind(body: &Value) -> HubResult<&'static str> {
    match body.get("type").and_then(Value::as_str) {
        None => Ok(RepoType::Model.as_str()),
        Some(t) => t
            .parse::<RepoType>()
            .map(RepoType::as_str)
            .map_err(|e| HubError::bad_request(format!("Invalid repo type {t:?}: {e}"))),
    }
}

pub fn check_repo_name(name: &str) -> HubResult<()> {
    validate_repo_name(name).map_err(|e| HubError::bad_request(format!("Invalid repo name {name:?}: {e}")))
}

pub fn check_ref_name(name: &str) -> HubResult<()> {
    validate_ref_name(name).map_err(|e| HubError::bad_request(format!("Invalid reference {name:?}: {e}")))
}

/// A path inside a repo as the commit endpoint takes it (a leading `/` tolerated), checked by
/// hubwasm-core's rules: no backslash, control character, empty, `.`, `..` or `.git` segment.
pub fn check_path(path: &str) -> HubResult<String> {
    let path = path.trim_start_matches('/');
    validate_path(path).map_err(|e| HubError::bad_request(format!("Invalid path in repo {path:?}: {e}")))?;
    Ok(path.to_string())
}

pub struct Resolved {
    pub sha: String,
    /// The branch name when the revision is a branch (commits may only target branches).
    pub branch: Option<String>,
}

pub fn resolve_revision(store: &Store, repo: &Repo, rev: &str) -> HubResult<Resolved> {
    let rev = if rev == "HEAD" { "main" } else { rev };
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
    // A commit id, whole or abbreviated, when the prefix names one commit.
    if let Some(prefix) = Revision::parse(rev).ok().and_then(|r| r.commit_prefix()) {
        if let [sha] = store.commits_with_prefix(repo.id, &prefix)?.as_slice() {
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
pub fn repo_at_path(app: &App, ctx: &Ctx, kind: &str, namespace: &str, name: &str) -> HubResult<Repo> {
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
