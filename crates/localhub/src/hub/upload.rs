//! Writing to repos: preupload (regular vs LFS) and the NDJSON commit (parsed by hubwasm-core),
//! whose parent check and ref update are one compare-and-set.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use base64::Engine as _;
use hubwasm_core::commit::{parse_commit_body, CommitLimits, CommitOperation, MAX_REGULAR_FILE_BYTES};
use hubwasm_core::lfs::gitattributes::pattern_matches;
use hubwasm_core::lfs::GitAttributes;
use serde_json::{json, Value};

use crate::app::App;
use crate::commits::{record_commit, CommitMessage};
use crate::ctx::Ctx;
use crate::discussions;
use crate::git;
use crate::gitattributes::DEFAULT_GITATTRIBUTES;
use crate::http::{self, HubError, HubResult};
use crate::objects;
use crate::repo::{repo_web_url, resolve_revision};
use crate::store::{Entry, RefUpdate, Repo};

/// The largest commit body accepted (the router refuses longer ones before reading them).
pub const MAX_COMMIT_BODY: usize = 100 << 20;
/// Commits without `parentCommit` are rebased on a branch that moved meanwhile; this many times.
const MAX_REBASES: usize = 8;

/// The text of a `.gitattributes` (or `.gitignore`) entry (empty when there is none).
fn gitattributes_text(app: &App, entry: Option<&Entry>) -> HubResult<String> {
    match entry {
        Some(e) => Ok(String::from_utf8_lossy(&app.store.get_object("git", &e.oid)?).into_owned()),
        None => Ok(String::new()),
    }
}

pub fn preupload(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let resolved = resolve_revision(&app.store, repo, rev)?;
    let body = ctx.json()?;
    let entries = app.store.entries(repo.id, &resolved.sha)?;
    let mut attributes = gitattributes_text(app, entries.iter().find(|e| e.path == ".gitattributes"))?;
    if let Some(extra) = body.get("gitAttributes").and_then(Value::as_str) {
        attributes.push('\n');
        attributes.push_str(extra);
    }
    let attributes = GitAttributes::parse(&attributes);
    // The repo's `.gitignore`, or the one committed with these files (Python sends it as `gitIgnore`).
    let ignore = match body.get("gitIgnore").and_then(Value::as_str) {
        Some(text) => text.to_string(),
        None => gitattributes_text(app, entries.iter().find(|e| e.path == ".gitignore"))?,
    };
    let files =
        body.get("files").and_then(Value::as_array).ok_or_else(|| HubError::bad_request("\"files\" is required"))?;
    let mut out = Vec::new();
    for f in files {
        let path =
            f.get("path").and_then(Value::as_str).ok_or_else(|| HubError::bad_request("files[].path is required"))?;
        let size = f.get("size").and_then(Value::as_u64).unwrap_or(0);
        let sample = f
            .get("sample")
            .and_then(Value::as_str)
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            .unwrap_or_default();
        let binary = sample.contains(&0);
        let lfs = size > MAX_REGULAR_FILE_BYTES as u64 || attributes.is_lfs(path) || (binary && size > 0);
        let mut item = json!({ "path": path, "uploadMode": if lfs { "lfs" } else { "regular" }, "shouldIgnore": ignored(&ignore, path) });
        if let Some(e) = entries.iter().find(|e| e.path == path) {
            item["oid"] = json!(e.lfs_sha256.clone().unwrap_or_else(|| e.oid.clone()));
        }
        out.push(item);
    }
    Ok(http::ok_json(json!({ "files": out, "commitOid": resolved.sha })))
}

/// Whether `.gitignore` rules leave `path` out, as git reads them for a file: the last matching
/// line decides, `!` re-includes, a pattern ending in `/` names folders, and a file inside an
/// ignored folder is ignored. Patterns match as `.gitattributes` ones do (hubwasm-core's glob).
fn ignored(rules: &str, path: &str) -> bool {
    let folders: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
    let mut verdict = false;
    for line in rules.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (include, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (pattern, folders_only) = match pattern.strip_suffix('/') {
            Some(folder) => (folder, true),
            None => (pattern, false),
        };
        let hit =
            folders.iter().any(|f| pattern_matches(pattern, f)) || (!folders_only && pattern_matches(pattern, path));
        if hit {
            verdict = !include;
        }
    }
    verdict
}

fn parent_moved() -> HubError {
    HubError::new(
        StatusCode::PRECONDITION_FAILED,
        None,
        "The branch was updated since you opened this page. Please refresh and try again.",
    )
}

pub fn commit(app: &App, ctx: &Ctx, repo: &Repo, rev: &str) -> HubResult {
    ctx.caller.require_write(&app.store, repo)?;
    let limits = CommitLimits { max_body_bytes: MAX_COMMIT_BODY, ..CommitLimits::default() };
    let body = parse_commit_body(&ctx.body, &limits)
        .map_err(|e| HubError::bad_request(format!("Bad request for commit endpoint: {e}")))?;
    let header = &body.header;
    let create_pr = ctx.flag("create_pr");
    let author = ctx.caller.user.clone().unwrap_or_default();
    let message = CommitMessage { title: &header.summary, description: &header.description, author: &author };
    for _ in 0..MAX_REBASES {
        let resolved = resolve_revision(&app.store, repo, rev)?;
        let Some(branch) = resolved.branch.clone().filter(|b| !b.starts_with("refs/") || b.starts_with("refs/pr/"))
        else {
            return Err(HubError::revision_not_found(rev));
        };
        let base = match header.parent_commit.as_deref() {
            Some(p) if create_pr => {
                app.store.commit(repo.id, p)?.ok_or_else(|| HubError::revision_not_found(p))?;
                p.to_string()
            }
            Some(p) if p != resolved.sha => return Err(parent_moved()),
            _ => resolved.sha.clone(),
        };
        let entries = apply(app, ctx, repo, &base, &body.operations)?;
        let ref_name = if branch.starts_with("refs/") { branch.clone() } else { format!("refs/heads/{branch}") };
        let target = if create_pr {
            RefUpdate::NewPullRequest { into: &ref_name }
        } else {
            RefUpdate::Move { name: &ref_name, expected: Some(&resolved.sha) }
        };
        let Some(recorded) = record_commit(app, repo, target, Some(&base), &message, entries)? else {
            // Another commit moved the branch first. A client that named its parent must learn it.
            if header.parent_commit.is_some() {
                return Err(parent_moved());
            }
            continue;
        };
        if create_pr {
            discussions::describe_pull_request(app, repo, &recorded.ref_name, &author, &header.description)?;
        }
        discussions::note_commit(app, repo, &recorded.ref_name, &author, &header.summary, &recorded.sha)?;
        let web = repo_web_url(app, repo);
        let sha = recorded.sha;
        let mut out =
            json!({ "success": true, "commitOid": sha, "commitUrl": format!("{web}/commit/{sha}"), "hookOutput": "" });
        if let Some(n) = recorded.ref_name.strip_prefix("refs/pr/").filter(|_| create_pr) {
            out["pullRequestUrl"] = json!(format!("{web}/discussions/{n}"));
        }
        return Ok(http::ok_json(out));
    }
    Err(HubError::conflict("The branch keeps moving: another conflicting operation is in progress, try again"))
}

/// The file listing of `base` with `operations` applied.
fn apply(app: &App, ctx: &Ctx, repo: &Repo, base: &str, operations: &[CommitOperation]) -> HubResult<Vec<Entry>> {
    // By path, so each operation costs a lookup, not a scan (commits may hold 10^5 operations).
    let mut entries: Entries = app.store.entries(repo.id, base)?.into_iter().map(|e| (e.path.clone(), e)).collect();
    let mut new_lfs_paths = Vec::new();
    for op in operations {
        match op {
            CommitOperation::File { path, content } => {
                let oid = git::blob_oid(content);
                app.store.put_object("git", &oid, content)?;
                let size = content.len() as u64;
                upsert(
                    &mut entries,
                    Entry {
                        path: path.clone(),
                        oid,
                        size,
                        lfs_sha256: None,
                        xet_hash: None,
                        last_commit: String::new(),
                    },
                );
            }
            CommitOperation::LfsFile { path, sha256, size } => {
                let object = objects::referable(app, &ctx.caller, repo, sha256)?.ok_or_else(|| {
                    HubError::bad_request(format!(
                        "Bad request for commit endpoint: LFS object {sha256} ({path}) was not uploaded to this repo"
                    ))
                })?;
                if size.is_some_and(|s| s != object.size) {
                    return Err(HubError::bad_request(format!(
                        "Bad request for commit endpoint: size mismatch for {path}"
                    )));
                }
                let oid = git::blob_oid(git::lfs_pointer(sha256, object.size).as_bytes());
                new_lfs_paths.push(path.clone());
                upsert(
                    &mut entries,
                    Entry {
                        path: path.clone(),
                        oid,
                        size: object.size,
                        lfs_sha256: Some(sha256.clone()),
                        xet_hash: object.xet_hash,
                        last_commit: String::new(),
                    },
                );
            }
            CommitOperation::DeletedFile { path } => {
                if entries.remove(path).is_none() {
                    return Err(HubError::entry_not_found(path, Some(base)));
                }
            }
            CommitOperation::DeletedFolder { path } => {
                let prefix = format!("{path}/");
                let under: Vec<String> = entries
                    .range(prefix.clone()..)
                    .map(|(p, _)| p)
                    .take_while(|p| p.starts_with(&prefix))
                    .cloned()
                    .collect();
                if under.is_empty() {
                    return Err(HubError::entry_not_found(path, Some(base)));
                }
                for p in under {
                    entries.remove(&p);
                }
            }
        }
    }
    add_lfs_attributes(app, &mut entries, &new_lfs_paths)?;
    Ok(entries.into_values().collect())
}

/// A file listing being edited, by path.
type Entries = BTreeMap<String, Entry>;

fn upsert(entries: &mut Entries, entry: Entry) {
    entries.insert(entry.path.clone(), entry);
}

/// Like the Hub, paths committed as LFS that no pattern covers get their own `.gitattributes` line.
fn add_lfs_attributes(app: &App, entries: &mut Entries, paths: &[String]) -> HubResult<()> {
    let mut attributes = gitattributes_text(app, entries.get(".gitattributes"))?;
    let parsed = GitAttributes::parse(&attributes);
    let missing: Vec<&String> =
        paths.iter().filter(|p| !p.contains(char::is_whitespace) && !parsed.is_lfs(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if attributes.is_empty() {
        attributes = DEFAULT_GITATTRIBUTES.to_string();
    }
    for p in missing {
        if !attributes.ends_with('\n') {
            attributes.push('\n');
        }
        attributes.push_str(&format!("{p} filter=lfs diff=lfs merge=lfs -text\n"));
    }
    let oid = git::blob_oid(attributes.as_bytes());
    app.store.put_object("git", &oid, attributes.as_bytes())?;
    upsert(
        entries,
        Entry {
            path: ".gitattributes".into(),
            oid,
            size: attributes.len() as u64,
            lfs_sha256: None,
            xet_hash: None,
            last_commit: String::new(),
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ignored;

    // git's documented examples (gitignore(5)): names at any depth, anchored paths, folders,
    // re-inclusion, comments.
    #[test]
    fn gitignore_rules_as_git_reads_them_for_files() {
        let rules = "# build output\n*.log\n/secret.txt\nbuild/\n!keep.log\ndocs/*.tmp\n";
        for path in ["a.log", "deep/er/b.log", "secret.txt", "build/x.bin", "src/build/y", "docs/a.tmp"] {
            assert!(ignored(rules, path), "{path} is ignored");
        }
        for path in ["keep.log", "sub/keep.log", "sub/secret.txt", "build.rs", "docs/sub/a.tmp", "readme.md"] {
            assert!(!ignored(rules, path), "{path} is kept");
        }
        assert!(!ignored("", "a.log"), "no rules");
    }
}
