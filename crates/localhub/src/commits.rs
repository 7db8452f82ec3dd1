//! Creating commits: the git ids of the new tree and commit, which paths changed (their
//! `last_commit`), and the ref update, all recorded in one compare-and-set transaction.

use std::collections::HashMap;

use crate::app::App;
use crate::git;
use crate::http::{now_unix, HubResult};
use crate::store::{Commit, Entry, RefUpdate, Repo};

pub struct CommitMessage<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub author: &'a str,
}

/// A recorded commit and the ref now pointing at it.
pub struct Recorded {
    pub sha: String,
    pub ref_name: String,
}

/// Creates a commit on top of `parent` with the full file listing `entries` and moves `target`
/// to it. `Ok(None)` when the target ref moved since the caller read it: nothing was written.
pub fn record_commit(
    app: &App,
    repo: &Repo,
    target: RefUpdate,
    parent: Option<&str>,
    message: &CommitMessage,
    mut entries: Vec<Entry>,
) -> HubResult<Option<Recorded>> {
    let previous = match parent {
        Some(p) => app.store.entries(repo.id, p)?,
        None => Vec::new(),
    };
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let tree = git::tree_oid(entries.iter().map(|e| (e.path.as_str(), e.oid.as_str())));
    let created = now_unix();
    let CommitMessage { title, description, author } = *message;
    let text = if description.is_empty() { title.to_string() } else { format!("{title}\n\n{description}") };
    let sha = git::commit_oid(&git::CommitObject {
        tree: &tree,
        parent,
        author,
        email: &format!("{author}@localhub.invalid"),
        unix_time: created,
        message: &text,
    });
    let previous: HashMap<&str, &Entry> = previous.iter().map(|p| (p.path.as_str(), p)).collect();
    for e in &mut entries {
        e.last_commit = match previous.get(e.path.as_str()).filter(|p| p.oid == e.oid) {
            Some(p) => p.last_commit.clone(),
            None => sha.clone(),
        };
    }
    let commit = Commit {
        sha: sha.clone(),
        parent: parent.map(str::to_string),
        title: title.to_string(),
        message: description.to_string(),
        author: author.to_string(),
        created,
    };
    Ok(app.store.commit_and_move_ref(repo.id, &commit, &entries, &target)?.map(|ref_name| Recorded { sha, ref_name }))
}
