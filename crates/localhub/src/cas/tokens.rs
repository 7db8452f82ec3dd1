//! CAS access tokens: issued per repo by the Hub API (read or write), checked by every CAS route.

use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use crate::repo::resolve_revision;
use crate::store::Repo;

const TOKEN_LIFETIME_SECS: i64 = 3600;

pub struct XetToken {
    pub token: String,
    pub exp: i64,
    pub cas_url: String,
}

pub fn new_token(app: &App, repo: &Repo, write: bool) -> HubResult<XetToken> {
    let token = format!("xet_{}", hex::encode(rand::random::<[u8; 24]>()));
    let exp = http::now_unix() + TOKEN_LIFETIME_SECS;
    app.store.db().execute(
        "INSERT INTO xet_tokens(token, repo, write, exp) VALUES (?1, ?2, ?3, ?4)",
        params![token, repo.id, write, exp],
    )?;
    Ok(XetToken { token, exp, cas_url: format!("{}/cas", app.base_url) })
}

/// `GET /api/{type}s/{repo}/xet-{read|write}-token/{rev}`.
pub fn issue_token(app: &App, ctx: &Ctx, repo: &Repo, write: bool, rev: &str) -> HubResult {
    if write {
        ctx.caller.require_write(&app.store, repo)?;
    } else {
        ctx.caller.require_content_access(&app.store, repo)?;
    }
    // Python sends the literal revision "None" (and JS `create_pr=1`) for uploads that become PRs.
    if !(write && (rev == "None" || ctx.flag("create_pr"))) {
        resolve_revision(&app.store, repo, rev)?;
    }
    let t = new_token(app, repo, write)?;
    // huggingface_hub reads the token from these headers; hf_xet's refresher reads the JSON body.
    let mut reply = http::ok_json(json!({ "accessToken": t.token, "exp": t.exp, "casUrl": t.cas_url }));
    let h = reply.headers_mut();
    h.insert("X-Xet-Cas-Url", t.cas_url.parse().map_err(HubError::internal)?);
    h.insert("X-Xet-Access-Token", t.token.parse().map_err(HubError::internal)?);
    h.insert("X-Xet-Token-Expiration", t.exp.into());
    Ok(reply)
}

/// A valid CAS token's scope: the repo it was issued for, and whether it may upload.
pub struct TokenScope {
    pub repo: i64,
    pub write: bool,
}

/// The scope of the request's CAS token; `write` asks for an upload token. Headers only, so
/// uploads are checked before their body is read.
pub fn require_token(app: &App, ctx: &Ctx, write: bool) -> HubResult<TokenScope> {
    let token = ctx.caller.bearer.as_deref().ok_or_else(|| HubError::unauthorized("Missing CAS access token"))?;
    let row: Option<(i64, bool, i64)> = app
        .store
        .db()
        .query_row("SELECT repo, write, exp FROM xet_tokens WHERE token = ?1", [token], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match row {
        Some((_, _, exp)) if exp < http::now_unix() => Err(HubError::unauthorized("CAS access token expired")),
        Some((_, false, _)) if write => Err(HubError::forbidden("This CAS token is read-only")),
        Some((repo, write, _)) => Ok(TokenScope { repo, write }),
        None => Err(HubError::unauthorized("Invalid CAS access token")),
    }
}
