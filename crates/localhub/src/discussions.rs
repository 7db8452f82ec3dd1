//! Discussions and pull requests (`/api/{type}s/{id}/discussions…`), shaped as huggingface_hub's
//! `get_repo_discussions`, `get_discussion_details`, `create_discussion`, `comment_discussion`,
//! `edit_discussion_comment`, `hide_discussion_comment`, `rename_discussion`,
//! `change_discussion_status` and `merge_pull_request` send and parse them.
//!
//! Discussions and pull requests share one numbering per repo. A pull request is the ref
//! `refs/pr/N`, opened here (empty, as a draft) or by a `create_pr` commit (open), and every commit
//! pushed to it is an event. Merging applies the PR's changes since it forked onto its target
//! branch as one new commit titled `{title} (#N)`, the way merged PRs appear in Hub histories;
//! paths both sides changed differently are conflicts, listed in `filesWithConflicts`, and block it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use axum::http::{Method, StatusCode};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::app::App;
use crate::commits::{record_commit, CommitMessage};
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use crate::repo::resolve_revision;
use crate::store::{Entry, RefUpdate, Repo};

/// Discussions per page of the list (the `p` query parameter counts pages from 0).
const PAGE: usize = 50;

struct Discussion {
    num: u64,
    title: String,
    author: String,
    is_pr: bool,
    /// `open`, `closed`, `merged` or `draft` (the last two only for pull requests).
    status: String,
    /// The branch a pull request merges into, as a full ref (`refs/heads/main`).
    target: Option<String>,
    merge_commit: Option<String>,
    created: i64,
}

struct Event {
    id: String,
    kind: String,
    author: String,
    created: i64,
    data: Value,
}

pub fn route(app: &App, ctx: &Ctx, repo: &Repo, rest: &[&str]) -> HubResult {
    let method = &ctx.method;
    match rest {
        [] if method == Method::GET => list(app, ctx, repo),
        [] if method == Method::POST => create(app, ctx, repo),
        [num, tail @ ..] => {
            let discussion = find(app, repo, num)?;
            match (method.clone(), tail) {
                (Method::GET, []) => details(app, repo, &discussion),
                (Method::POST, ["comment"]) => comment(app, ctx, repo, &discussion),
                (Method::POST, ["comment", id, "edit"]) => edit_comment(app, ctx, repo, &discussion, id),
                (Method::POST | Method::PUT, ["comment", id, "hide"]) => hide_comment(app, ctx, repo, &discussion, id),
                (Method::POST, ["title"]) => rename(app, ctx, repo, &discussion),
                (Method::POST, ["status"]) => change_status(app, ctx, repo, &discussion),
                (Method::POST, ["merge"]) => merge(app, ctx, repo, &discussion),
                _ => Err(HubError::new(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed")),
            }
        }
        _ => Err(HubError::new(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed")),
    }
}

// ---- what the write path calls ----

/// Opens the conversation of the pull request a `create_pr` commit just made on `ref_name` (the
/// store listed it as it allocated the number): the commit's description is its first comment.
pub fn describe_pull_request(app: &App, repo: &Repo, ref_name: &str, author: &str, description: &str) -> HubResult<()> {
    let Some(num) = ref_name.strip_prefix("refs/pr/").and_then(|n| n.parse::<u64>().ok()) else { return Ok(()) };
    if !description.trim().is_empty() && load(app, repo, num)?.is_some() {
        add_comment(app, repo, num, author, description)?;
    }
    Ok(())
}

/// Records a commit made on `ref_name` as an event of its pull request when it is one.
pub fn note_commit(app: &App, repo: &Repo, ref_name: &str, author: &str, title: &str, sha: &str) -> HubResult<()> {
    let Some(num) = ref_name.strip_prefix("refs/pr/").and_then(|n| n.parse::<u64>().ok()) else { return Ok(()) };
    if load(app, repo, num)?.is_some() {
        add_event(app, repo, num, "commit", author, &json!({ "subject": title, "oid": sha }))?;
    }
    Ok(())
}

// ---- routes ----

fn list(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    let want_prs = match ctx.query("type").unwrap_or("all") {
        "all" => None,
        "discussion" => Some(false),
        "pull_request" => Some(true),
        other => return Err(HubError::bad_request(format!("Invalid type {other:?}: all, discussion or pull_request"))),
    };
    let status = ctx.query("status").unwrap_or("all");
    if !["all", "open", "closed"].contains(&status) {
        return Err(HubError::bad_request(format!("Invalid status {status:?}: all, open or closed")));
    }
    let page: usize = match ctx.query("p") {
        None => 0,
        Some(p) => p.parse().map_err(|_| HubError::bad_request(format!("Invalid page {p:?}")))?,
    };
    let author = ctx.query("author");
    let search = ctx.query("search").map(str::to_lowercase);
    let matching: Vec<Discussion> = load_all(app, repo)?
        .into_iter()
        .filter(|d| want_prs.is_none_or(|prs| d.is_pr == prs))
        // Drafts count as open, merged pull requests as closed (the Hub's two tabs).
        .filter(|d| match status {
            "open" => matches!(d.status.as_str(), "open" | "draft"),
            "closed" => matches!(d.status.as_str(), "closed" | "merged"),
            _ => true,
        })
        .filter(|d| author.is_none_or(|a| d.author.eq_ignore_ascii_case(a)))
        .filter(|d| search.as_ref().is_none_or(|s| d.title.to_lowercase().contains(s)))
        .collect();
    let start = page.saturating_mul(PAGE);
    let mut shown = Vec::new();
    for d in matching.iter().skip(start).take(PAGE) {
        shown.push(summary_json(app, repo, d)?);
    }
    Ok(http::ok_json(json!({ "discussions": shown, "count": matching.len(), "start": start })))
}

fn create(app: &App, ctx: &Ctx, repo: &Repo) -> HubResult {
    let author = participant(app, ctx)?;
    let body = ctx.json()?;
    let title = body.get("title").and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if title.is_empty() {
        return Err(HubError::bad_request("\"title\" is required"));
    }
    let description = body.get("description").and_then(Value::as_str).unwrap_or_default();
    let num = if body.get("pullRequest").and_then(Value::as_bool).unwrap_or(false) {
        // An empty pull request starts as a draft at the head of main.
        let main = resolve_revision(&app.store, repo, "main")?;
        let num = insert(app, repo, title, &author, Some("refs/heads/main"), "draft")?;
        app.store.set_ref(repo.id, &format!("refs/pr/{num}"), &main.sha)?;
        num
    } else {
        insert(app, repo, title, &author, None, "open")?
    };
    if !description.trim().is_empty() {
        add_comment(app, repo, num, &author, description)?;
    }
    let discussion = load(app, repo, num)?.ok_or_else(|| HubError::internal("discussion vanished after insert"))?;
    details(app, repo, &discussion)
}

fn details(app: &App, repo: &Repo, d: &Discussion) -> HubResult {
    let mut out = summary_json(app, repo, d)?;
    let events: Vec<Value> = events(app, repo, d.num)?.iter().map(|e| event_json(app, e)).collect::<HubResult<_>>()?;
    out["events"] = json!(events);
    if d.is_pr {
        let mut changes = json!({ "base": d.target });
        if let Some(sha) = &d.merge_commit {
            changes["mergeCommitId"] = json!(sha);
        }
        out["changes"] = changes;
        let conflicts = match d.status.as_str() {
            "open" | "draft" => match squash(app, repo, d)? {
                Squash::Conflicts(paths) => paths,
                Squash::Clean { .. } | Squash::Unmergeable(_) => Vec::new(),
            },
            _ => Vec::new(),
        };
        out["filesWithConflicts"] = json!(conflicts);
    }
    Ok(http::ok_json(out))
}

fn comment(app: &App, ctx: &Ctx, repo: &Repo, d: &Discussion) -> HubResult {
    let author = participant(app, ctx)?;
    let body = ctx.json()?;
    let text = body.get("comment").and_then(Value::as_str).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(HubError::bad_request("\"comment\" must not be empty"));
    }
    let event = add_comment(app, repo, d.num, &author, text)?;
    Ok(http::ok_json(json!({ "newMessage": event_json(app, &event)? })))
}

fn edit_comment(app: &App, ctx: &Ctx, repo: &Repo, d: &Discussion, id: &str) -> HubResult {
    let editor = participant(app, ctx)?;
    let body = ctx.json()?;
    let content = body.get("content").and_then(Value::as_str).unwrap_or_default();
    if content.trim().is_empty() {
        return Err(HubError::bad_request("\"content\" must not be empty"));
    }
    let mut event = comment_event(app, repo, d, id)?;
    may_moderate(app, ctx, repo, &event.author)?;
    if event.data["hidden"] == json!(true) {
        return Err(HubError::forbidden("A hidden comment cannot be edited"));
    }
    let previous =
        json!({ "raw": event.data["raw"], "updatedAt": event.data["updatedAt"], "author": event.data["editor"] });
    let mut history = event.data["history"].as_array().cloned().unwrap_or_default();
    history.insert(0, previous);
    event.data["history"] = json!(history);
    event.data["raw"] = json!(content);
    event.data["updatedAt"] = json!(http::now_unix());
    event.data["editor"] = json!(editor);
    save_event_data(app, &event)?;
    Ok(http::ok_json(json!({ "updatedComment": event_json(app, &event)? })))
}

fn hide_comment(app: &App, ctx: &Ctx, repo: &Repo, d: &Discussion, id: &str) -> HubResult {
    let editor = participant(app, ctx)?;
    let mut event = comment_event(app, repo, d, id)?;
    may_moderate(app, ctx, repo, &event.author)?;
    // Hiding is for good: the content and its history are dropped, as on the Hub.
    event.data = json!({ "raw": "", "hidden": true, "updatedAt": http::now_unix(), "editor": editor, "history": [] });
    save_event_data(app, &event)?;
    Ok(http::ok_json(json!({ "updatedComment": event_json(app, &event)? })))
}

fn rename(app: &App, ctx: &Ctx, repo: &Repo, d: &Discussion) -> HubResult {
    let author = participant(app, ctx)?;
    may_moderate(app, ctx, repo, &d.author)?;
    let body = ctx.json()?;
    let title = body.get("title").and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if title.is_empty() {
        return Err(HubError::bad_request("\"title\" must not be empty"));
    }
    app.store.db().execute(
        "UPDATE discussions SET title = ?3 WHERE repo = ?1 AND num = ?2",
        params![repo.id, d.num as i64, title],
    )?;
    let event = add_event(app, repo, d.num, "title-change", &author, &json!({ "from": d.title, "to": title }))?;
    Ok(http::ok_json(json!({ "newTitle": event_json(app, &event)? })))
}

fn change_status(app: &App, ctx: &Ctx, repo: &Repo, d: &Discussion) -> HubResult {
    let author = participant(app, ctx)?;
    may_moderate(app, ctx, repo, &d.author)?;
    let body = ctx.json()?;
    let status = body.get("status").and_then(Value::as_str).unwrap_or_default();
    if status != "open" && status != "closed" {
        return Err(HubError::bad_request(format!("Invalid status {status:?}: open or closed")));
    }
    if d.status == "merged" {
        return Err(HubError::bad_request("A merged pull request cannot change status"));
    }
    set_status(app, repo, d.num, status, None)?;
    let event = add_event(app, repo, d.num, "status-change", &author, &json!({ "status": status }))?;
    add_optional_comment(app, repo, d.num, &author, &body)?;
    Ok(http::ok_json(json!({ "newStatus": event_json(app, &event)? })))
}

fn merge(app: &App, ctx: &Ctx, repo: &Repo, d: &Discussion) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let merger = ctx.caller.user.clone().unwrap_or_default();
    if !d.is_pr {
        return Err(HubError::bad_request(format!("#{} is a discussion, not a pull request", d.num)));
    }
    match d.status.as_str() {
        "open" => {}
        "draft" => return Err(HubError::bad_request("This pull request is a draft: open it before merging")),
        other => return Err(HubError::bad_request(format!("This pull request is {other}"))),
    }
    let body: Value = if ctx.body.is_empty() { json!({}) } else { ctx.json()? };
    let (target, head, entries) = match squash(app, repo, d)? {
        Squash::Clean { target, head, entries } => (target, head, entries),
        Squash::Conflicts(paths) => {
            return Err(HubError::conflict(format!("Cannot merge: conflicting files {}", paths.join(", "))))
        }
        Squash::Unmergeable(why) => return Err(HubError::bad_request(why)),
    };
    let title = format!("{} (#{})", d.title, d.num);
    let message = CommitMessage { title: &title, description: "", author: &d.author };
    let onto = RefUpdate::Move { name: &target, expected: Some(&head) };
    let recorded = record_commit(app, repo, onto, Some(&head), &message, entries)?
        .ok_or_else(|| HubError::conflict(format!("{target} moved while merging: nothing was merged, try again")))?;
    let sha = recorded.sha;
    set_status(app, repo, d.num, "merged", Some(&sha))?;
    add_event(app, repo, d.num, "status-change", &merger, &json!({ "status": "merged" }))?;
    add_optional_comment(app, repo, d.num, &merger, &body)?;
    Ok(http::ok_json(json!({})))
}

// ---- rules ----

/// Posting needs an account and a write token; any account may take part in a repo it can see.
fn participant(app: &App, ctx: &Ctx) -> HubResult<String> {
    let Some(user) = ctx.caller.user.clone() else {
        return Err(HubError::unauthorized("You must be authenticated to take part in discussions"));
    };
    if !ctx.caller.can_write_role() {
        return Err(HubError::forbidden("A write token is needed to take part in discussions"));
    }
    app.store.account(&user)?.ok_or_else(|| HubError::unauthorized("Unknown user"))?;
    Ok(user)
}

/// Titles, statuses and comments change by their author or by whoever may write to the repo.
fn may_moderate(app: &App, ctx: &Ctx, repo: &Repo, author: &str) -> HubResult<()> {
    let is_author = ctx.caller.user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(author));
    if is_author || ctx.caller.owns(&app.store, &repo.namespace)? {
        Ok(())
    } else {
        Err(HubError::forbidden("Only the author or the repo's owners may change this"))
    }
}

/// What merging a pull request would give.
enum Squash {
    /// The target's files with the PR's changes since the two forked, to commit on `head`.
    Clean { target: String, head: String, entries: Vec<Entry> },
    /// Paths both sides changed, each its own way.
    Conflicts(Vec<String>),
    /// Why there is nothing to merge (its ref or its target branch is gone).
    Unmergeable(String),
}

fn squash(app: &App, repo: &Repo, d: &Discussion) -> HubResult<Squash> {
    let Some(target) = d.target.clone() else {
        return Ok(Squash::Unmergeable(format!("#{} is a discussion, not a pull request", d.num)));
    };
    let pr_head = app.store.get_ref(repo.id, &format!("refs/pr/{}", d.num))?;
    let target_head = app.store.get_ref(repo.id, &target)?;
    let (Some(pr_head), Some(target_head)) = (pr_head, target_head) else {
        return Ok(Squash::Unmergeable(format!("#{}: its ref or its target {target} is gone", d.num)));
    };
    let on_target: HashSet<String> = app.store.history(repo.id, &target_head)?.into_iter().map(|c| c.sha).collect();
    let fork = app.store.history(repo.id, &pr_head)?.into_iter().map(|c| c.sha).find(|sha| on_target.contains(sha));
    let files = |sha: Option<&str>| -> HubResult<BTreeMap<String, Entry>> {
        let entries = match sha {
            Some(sha) => app.store.entries(repo.id, sha)?,
            None => Vec::new(),
        };
        Ok(entries.into_iter().map(|e| (e.path.clone(), e)).collect())
    };
    let (base, theirs, ours) = (files(fork.as_deref())?, files(Some(&pr_head))?, files(Some(&target_head))?);
    let paths: BTreeSet<&String> = base.keys().chain(theirs.keys()).chain(ours.keys()).collect();
    let same = |a: Option<&Entry>, b: Option<&Entry>| a.map(|e| &e.oid) == b.map(|e| &e.oid);
    let mut merged = Vec::new();
    let mut conflicts = Vec::new();
    for path in paths {
        let (b, t, o) = (base.get(path), theirs.get(path), ours.get(path));
        let kept = if same(t, b) || same(t, o) {
            o
        } else if same(o, b) {
            t
        } else {
            conflicts.push(path.clone());
            continue;
        };
        merged.extend(kept.cloned());
    }
    Ok(if conflicts.is_empty() {
        Squash::Clean { target, head: target_head, entries: merged }
    } else {
        Squash::Conflicts(conflicts)
    })
}

// ---- storage ----

fn find(app: &App, repo: &Repo, num: &str) -> HubResult<Discussion> {
    let missing = || HubError::not_found(format!("Discussion #{num} not found in {}", repo.full_name()));
    let num: u64 = num.parse().ok().filter(|n| *n > 0).ok_or_else(missing)?;
    load(app, repo, num)?.ok_or_else(missing)
}

/// A new discussion's number: one above every discussion and every `refs/pr/N` of the repo.
fn insert(app: &App, repo: &Repo, title: &str, author: &str, target: Option<&str>, status: &str) -> HubResult<u64> {
    let mut db = app.store.db();
    let tx = db.transaction()?;
    let highest_discussion: i64 =
        tx.query_row("SELECT COALESCE(MAX(num), 0) FROM discussions WHERE repo = ?1", [repo.id], |r| r.get(0))?;
    let highest_ref: i64 = tx.query_row(
        "SELECT COALESCE(MAX(CAST(substr(name, 9) AS INTEGER)), 0) FROM refs WHERE repo = ?1 AND name LIKE 'refs/pr/%'",
        [repo.id],
        |r| r.get(0),
    )?;
    let num = highest_discussion.max(highest_ref) + 1;
    tx.execute(
        "INSERT INTO discussions(repo, num, title, author, is_pr, status, target, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![repo.id, num, title, author, target.is_some(), status, target, http::now_unix()],
    )?;
    tx.commit()?;
    Ok(num as u64)
}

const DISCUSSION_COLUMNS: &str = "num, title, author, is_pr, status, target, merge_commit, created";

fn discussion_row(r: &rusqlite::Row) -> rusqlite::Result<Discussion> {
    Ok(Discussion {
        num: r.get::<_, i64>(0)? as u64,
        title: r.get(1)?,
        author: r.get(2)?,
        is_pr: r.get(3)?,
        status: r.get(4)?,
        target: r.get(5)?,
        merge_commit: r.get(6)?,
        created: r.get(7)?,
    })
}

fn load(app: &App, repo: &Repo, num: u64) -> HubResult<Option<Discussion>> {
    Ok(app
        .store
        .db()
        .query_row(
            &format!("SELECT {DISCUSSION_COLUMNS} FROM discussions WHERE repo = ?1 AND num = ?2"),
            params![repo.id, num as i64],
            discussion_row,
        )
        .optional()?)
}

/// Every discussion of the repo, newest first.
fn load_all(app: &App, repo: &Repo) -> HubResult<Vec<Discussion>> {
    let db = app.store.db();
    let mut q =
        db.prepare(&format!("SELECT {DISCUSSION_COLUMNS} FROM discussions WHERE repo = ?1 ORDER BY num DESC"))?;
    let rows = q.query_map([repo.id], discussion_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn set_status(app: &App, repo: &Repo, num: u64, status: &str, merge_commit: Option<&str>) -> HubResult<()> {
    app.store.db().execute(
        "UPDATE discussions SET status = ?3, merge_commit = COALESCE(?4, merge_commit) WHERE repo = ?1 AND num = ?2",
        params![repo.id, num as i64, status, merge_commit],
    )?;
    Ok(())
}

fn add_event(app: &App, repo: &Repo, num: u64, kind: &str, author: &str, data: &Value) -> HubResult<Event> {
    let event = Event {
        id: crate::store::new_uid(),
        kind: kind.into(),
        author: author.into(),
        created: http::now_unix(),
        data: data.clone(),
    };
    app.store.db().execute(
        "INSERT INTO discussion_events(id, repo, num, kind, author, created, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![event.id, repo.id, num as i64, event.kind, event.author, event.created, event.data.to_string()],
    )?;
    Ok(event)
}

fn add_comment(app: &App, repo: &Repo, num: u64, author: &str, text: &str) -> HubResult<Event> {
    let data = json!({ "raw": text, "hidden": false, "updatedAt": http::now_unix(), "editor": author, "history": [] });
    add_event(app, repo, num, "comment", author, &data)
}

/// The `comment` that status changes and merges may carry.
fn add_optional_comment(app: &App, repo: &Repo, num: u64, author: &str, body: &Value) -> HubResult<()> {
    match body.get("comment").and_then(Value::as_str).map(str::trim) {
        Some(text) if !text.is_empty() => add_comment(app, repo, num, author, text).map(drop),
        _ => Ok(()),
    }
}

/// Events in the order they happened.
fn events(app: &App, repo: &Repo, num: u64) -> HubResult<Vec<Event>> {
    let db = app.store.db();
    let mut q = db.prepare(
        "SELECT id, kind, author, created, data FROM discussion_events WHERE repo = ?1 AND num = ?2 ORDER BY rowid",
    )?;
    let rows = q.query_map(params![repo.id, num as i64], |r| {
        let data: String = r.get(4)?;
        Ok(Event {
            id: r.get(0)?,
            kind: r.get(1)?,
            author: r.get(2)?,
            created: r.get(3)?,
            data: serde_json::from_str(&data).unwrap_or(Value::Null),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn comment_event(app: &App, repo: &Repo, d: &Discussion, id: &str) -> HubResult<Event> {
    events(app, repo, d.num)?
        .into_iter()
        .find(|e| e.kind == "comment" && e.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| HubError::not_found(format!("Comment {id} not found in #{}", d.num)))
}

fn save_event_data(app: &App, event: &Event) -> HubResult<()> {
    app.store
        .db()
        .execute("UPDATE discussion_events SET data = ?2 WHERE id = ?1", params![event.id, event.data.to_string()])?;
    Ok(())
}

// ---- JSON ----

fn author_json(app: &App, name: &str) -> HubResult<Value> {
    let account = app.store.account(name)?;
    Ok(json!({
        "_id": account.as_ref().map(|a| a.uid.clone()),
        "name": name,
        "fullname": account.as_ref().map_or(name.to_string(), |a| a.fullname.clone()),
        "avatarUrl": format!("/avatars/{name}.svg"),
        "type": "user",
        "isPro": false,
        "isHf": false,
        "isMod": false,
    }))
}

fn summary_json(app: &App, repo: &Repo, d: &Discussion) -> HubResult<Value> {
    let comments = app.store.db().query_row(
        "SELECT COUNT(*) FROM discussion_events WHERE repo = ?1 AND num = ?2 AND kind = 'comment'",
        params![repo.id, d.num as i64],
        |r| r.get::<_, i64>(0),
    )?;
    Ok(json!({
        "num": d.num,
        "title": d.title,
        "status": d.status,
        "createdAt": http::iso_date(d.created),
        "isPullRequest": d.is_pr,
        "author": author_json(app, &d.author)?,
        "repo": { "name": repo.full_name(), "type": repo.kind },
        "numComments": comments,
        "pinned": false,
        "topReactions": [],
    }))
}

fn event_json(app: &App, e: &Event) -> HubResult<Value> {
    let data = match e.kind.as_str() {
        "comment" => {
            let raw = e.data["raw"].as_str().unwrap_or_default();
            let hidden = e.data["hidden"] == json!(true);
            let history: Vec<Value> = e.data["history"].as_array().cloned().unwrap_or_default();
            let editor = e.data["editor"].as_str().unwrap_or(&e.author);
            let updated = e.data["updatedAt"].as_i64().unwrap_or(e.created);
            let mut editors: Vec<String> =
                history.iter().filter_map(|h| h["author"].as_str().map(str::to_string)).collect();
            editors.insert(0, editor.to_string());
            editors.dedup();
            let versions: Vec<Value> = history
                .iter()
                .map(|h| {
                    let raw = h["raw"].as_str().unwrap_or_default();
                    let at = h["updatedAt"].as_i64().unwrap_or(e.created);
                    let by = h["author"].as_str().unwrap_or(&e.author);
                    Ok(json!({ "raw": raw, "html": html(raw), "updatedAt": http::iso_date(at), "author": author_json(app, by)? }))
                })
                .collect::<HubResult<_>>()?;
            json!({
                "edited": !history.is_empty(),
                "hidden": hidden,
                "numEdits": history.len(),
                "editors": editors,
                "reactions": [],
                "latest": {
                    "raw": raw,
                    "html": if hidden { "This comment has been hidden".to_string() } else { html(raw) },
                    "updatedAt": http::iso_date(updated),
                    "author": author_json(app, editor)?,
                },
                "history": versions,
            })
        }
        _ => e.data.clone(),
    };
    Ok(json!({
        "id": e.id,
        "type": e.kind,
        "createdAt": http::iso_date(e.created),
        "author": author_json(app, &e.author)?,
        "data": data,
    }))
}

/// Comment text as HTML: escaped and kept as one paragraph per blank-line-separated block
/// (the Hub renders Markdown; clients only display this field).
fn html(raw: &str) -> String {
    raw.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let escaped = http::html_escape(block);
            format!("<p>{}</p>", escaped.trim().replace('\n', "<br>\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
