//! History and refs: `commits/{rev}` (paged, `X-Total-Count`), `refs`.

use axum::http::header;
use serde_json::{json, Value};

use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use crate::repo::resolve_revision;
use crate::store::Repo;

pub fn commits(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    let resolved = resolve_revision(&app.store, repo, rev)?;
    let history = app.store.history(repo.id, &resolved.sha)?;
    let limit: usize = ctx.query("limit").and_then(|l| l.parse().ok()).unwrap_or(50).clamp(1, 1000);
    let page: usize = ctx.query("p").and_then(|p| p.parse().ok()).unwrap_or(0);
    let formatted = ctx.query_all("expand[]").contains(&"formatted") || ctx.query_all("expand").contains(&"formatted");
    let items: Vec<Value> = history
        .iter()
        .skip(page.saturating_mul(limit))
        .take(limit)
        .map(|c| {
            let mut v = json!({
                "id": c.sha, "title": c.title, "message": c.message,
                "authors": [{ "user": c.author, "avatar": format!("/avatars/{}.svg", c.author) }],
                "date": http::iso_date(c.created),
            });
            if formatted {
                v["formatted"] =
                    json!({ "title": http::html_escape(&c.title), "message": http::html_escape(&c.message) });
            }
            v
        })
        .collect();
    let mut reply = http::ok_json(Value::Array(items));
    reply.headers_mut().insert("X-Total-Count", history.len().into());
    if page.saturating_add(1).saturating_mul(limit) < history.len() {
        let url = format!(
            "{}/api/{}/{}/commits/{}?limit={limit}&p={}",
            app.base_url,
            repo.plural(),
            repo.full_name(),
            percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC),
            page.saturating_add(1)
        );
        reply.headers_mut().insert(header::LINK, format!("<{url}>; rel=\"next\"").parse().map_err(HubError::internal)?);
    }
    Ok(reply)
}

pub fn refs(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
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
