//! Persistence: SQLite for users, tokens, repos, commits, refs and file listings; content-addressed
//! files on disk for git blobs, LFS objects, xorbs and shards. Everything survives a restart.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use hubwasm_core::repo::RepoType;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::http::{HubError, HubResult};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts(name TEXT PRIMARY KEY COLLATE NOCASE, kind TEXT NOT NULL, fullname TEXT NOT NULL, uid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members(org TEXT NOT NULL COLLATE NOCASE, user TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY(org, user));
CREATE TABLE IF NOT EXISTS tokens(token TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS repos(id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, namespace TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE, private INTEGER NOT NULL, gated TEXT, sdk TEXT, uid TEXT NOT NULL, created INTEGER NOT NULL,
  UNIQUE(kind, namespace, name));
CREATE TABLE IF NOT EXISTS commits(repo INTEGER NOT NULL, sha TEXT NOT NULL, parent TEXT, title TEXT NOT NULL, message TEXT NOT NULL,
  author TEXT NOT NULL, created INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(repo, sha));
CREATE TABLE IF NOT EXISTS entries(repo INTEGER NOT NULL, sha TEXT NOT NULL, path TEXT NOT NULL, oid TEXT NOT NULL, size INTEGER NOT NULL,
  lfs_sha256 TEXT, xet_hash TEXT, last_commit TEXT NOT NULL, PRIMARY KEY(repo, sha, path));
CREATE TABLE IF NOT EXISTS renames(kind TEXT NOT NULL, namespace TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  repo INTEGER NOT NULL, PRIMARY KEY(kind, namespace, name));
CREATE TABLE IF NOT EXISTS refs(repo INTEGER NOT NULL, name TEXT NOT NULL, sha TEXT NOT NULL, PRIMARY KEY(repo, name));
CREATE TABLE IF NOT EXISTS lfs_objects(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, xet_hash TEXT);
CREATE TABLE IF NOT EXISTS xorbs(hash TEXT PRIMARY KEY, size INTEGER NOT NULL, offsets BLOB NOT NULL, chunk_hashes BLOB NOT NULL, chunk_lens BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS xet_files(hash TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT, terms TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards(hash TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dedup_chunks(chunk TEXT PRIMARY KEY, xorb TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup_chunk_shards(chunk TEXT PRIMARY KEY, shard TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS discussions(repo INTEGER NOT NULL, num INTEGER NOT NULL, title TEXT NOT NULL, author TEXT NOT NULL,
  is_pr INTEGER NOT NULL, status TEXT NOT NULL, target TEXT, merge_commit TEXT, created INTEGER NOT NULL, PRIMARY KEY(repo, num));
CREATE TABLE IF NOT EXISTS discussion_events(id TEXT PRIMARY KEY, repo INTEGER NOT NULL, num INTEGER NOT NULL, kind TEXT NOT NULL,
  author TEXT NOT NULL, created INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS xet_tokens(token TEXT PRIMARY KEY, repo INTEGER NOT NULL, write INTEGER NOT NULL, exp INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS repo_objects(repo INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, xet_hash TEXT,
  PRIMARY KEY(repo, sha256));
CREATE TABLE IF NOT EXISTS repo_xet_files(repo INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY(repo, hash));
CREATE INDEX IF NOT EXISTS entries_by_lfs ON entries(lfs_sha256);
";

/// Tables holding rows of one repo, by the column naming it.
const REPO_TABLES: &[(&str, &str)] = &[
    ("repos", "id"),
    ("commits", "repo"),
    ("entries", "repo"),
    ("refs", "repo"),
    ("xet_tokens", "repo"),
    ("renames", "repo"),
    ("repo_objects", "repo"),
    ("repo_xet_files", "repo"),
    ("discussions", "repo"),
    ("discussion_events", "repo"),
];

pub struct Store {
    db: Mutex<Connection>,
    root: PathBuf,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub kind: String,
    pub fullname: String,
    pub uid: String,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub user: String,
    pub role: String,
    pub name: String,
    pub created: i64,
}

#[derive(Clone, Debug)]
pub struct Repo {
    pub id: i64,
    /// `model`, `dataset` or `space`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub private: bool,
    pub gated: Option<String>,
    pub sdk: Option<String>,
    pub uid: String,
    pub created: i64,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    /// URL prefix of the web routes: empty for models, `datasets/`, `spaces/`.
    pub fn web_prefix(&self) -> &'static str {
        self.kind.parse::<RepoType>().map(RepoType::url_prefix).unwrap_or("")
    }

    /// `models`, `datasets` or `spaces`, as in `/api/{plural}/…`.
    pub fn plural(&self) -> &'static str {
        self.kind.parse::<RepoType>().map(RepoType::plural).unwrap_or("models")
    }
}

#[derive(Clone, Debug)]
pub struct Commit {
    pub sha: String,
    pub parent: Option<String>,
    pub title: String,
    pub message: String,
    pub author: String,
    pub created: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    /// Git blob id (of the pointer file for LFS content).
    pub oid: String,
    /// Real content size.
    pub size: u64,
    pub lfs_sha256: Option<String>,
    pub xet_hash: Option<String>,
    /// The commit that last changed this path.
    pub last_commit: String,
}

impl Store {
    pub fn open(root: &Path) -> HubResult<Self> {
        for dir in ["objects/git", "objects/lfs", "objects/xorbs", "objects/shards"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        let conn = Connection::open(root.join("localhub.sqlite3"))?;
        // FULL: a commit acknowledged to a client is on disk (WAL is fsynced at each commit).
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { db: Mutex::new(conn), root: root.to_path_buf() })
    }

    pub fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of a content-addressed object (`kind` is one of `git`, `lfs`, `xorbs`, `shards`).
    pub fn object_path(&self, kind: &str, id: &str) -> PathBuf {
        debug_assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        self.root.join("objects").join(kind).join(id)
    }

    /// Writes an object atomically and durably: temp file, fsync, rename, fsync of the folder, so
    /// a published name never points at missing or partial bytes after a crash. Existing objects
    /// are left alone.
    pub fn put_object(&self, kind: &str, id: &str, bytes: &[u8]) -> HubResult<()> {
        use std::io::Write as _;
        let path = self.object_path(kind, id);
        if path.exists() {
            return Ok(());
        }
        let tmp = path.with_extension(format!("tmp{}", rand::random::<u64>()));
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            // The rename itself is durable once the folder is synced (not possible on every
            // platform: best effort).
            if let Some(dir) = path.parent() {
                let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
            }
            Ok::<(), std::io::Error>(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        Ok(written?)
    }

    pub fn get_object(&self, kind: &str, id: &str) -> HubResult<Vec<u8>> {
        std::fs::read(self.object_path(kind, id)).map_err(|e| HubError::internal(format!("object {kind}/{id}: {e}")))
    }

    // ---- accounts and tokens ----

    pub fn ensure_account(&self, name: &str, kind: &str, fullname: &str) -> HubResult<()> {
        self.db().execute(
            "INSERT OR IGNORE INTO accounts(name, kind, fullname, uid) VALUES (?1, ?2, ?3, ?4)",
            params![name, kind, fullname, new_uid()],
        )?;
        Ok(())
    }

    pub fn add_member(&self, org: &str, user: &str) -> HubResult<()> {
        self.db().execute("INSERT OR IGNORE INTO members(org, user) VALUES (?1, ?2)", params![org, user])?;
        Ok(())
    }

    pub fn add_token(&self, token: &str, user: &str, role: &str, name: &str) -> HubResult<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO tokens(token, user, role, name, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token, user, role, name, crate::http::now_unix()],
        )?;
        Ok(())
    }

    pub fn account(&self, name: &str) -> HubResult<Option<Account>> {
        Ok(self
            .db()
            .query_row("SELECT name, kind, fullname, uid FROM accounts WHERE name = ?1", [name], |r| {
                Ok(Account { name: r.get(0)?, kind: r.get(1)?, fullname: r.get(2)?, uid: r.get(3)? })
            })
            .optional()?)
    }

    pub fn token(&self, token: &str) -> HubResult<Option<Token>> {
        Ok(self
            .db()
            .query_row("SELECT user, role, name, created FROM tokens WHERE token = ?1", [token], |r| {
                Ok(Token { user: r.get(0)?, role: r.get(1)?, name: r.get(2)?, created: r.get(3)? })
            })
            .optional()?)
    }

    pub fn orgs_of(&self, user: &str) -> HubResult<Vec<Account>> {
        let db = self.db();
        let mut q = db.prepare(
            "SELECT a.name, a.kind, a.fullname, a.uid FROM members m JOIN accounts a ON a.name = m.org WHERE m.user = ?1 ORDER BY a.name",
        )?;
        let rows = q.query_map([user], |r| {
            Ok(Account { name: r.get(0)?, kind: r.get(1)?, fullname: r.get(2)?, uid: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---- repos ----

    pub fn repo(&self, kind: &str, namespace: &str, name: &str) -> HubResult<Option<Repo>> {
        Ok(self
            .db()
            .query_row(
                "SELECT id, kind, namespace, name, private, gated, sdk, uid, created FROM repos WHERE kind = ?1 AND namespace = ?2 AND name = ?3",
                params![kind, namespace, name],
                repo_row,
            )
            .optional()?)
    }

    pub fn repo_by_id(&self, id: i64) -> HubResult<Option<Repo>> {
        Ok(self
            .db()
            .query_row(
                "SELECT id, kind, namespace, name, private, gated, sdk, uid, created FROM repos WHERE id = ?1",
                [id],
                repo_row,
            )
            .optional()?)
    }

    pub fn insert_repo(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        private: bool,
        sdk: Option<&str>,
    ) -> HubResult<Repo> {
        let created = crate::http::now_unix();
        self.db().execute(
            "INSERT INTO repos(kind, namespace, name, private, sdk, uid, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![kind, namespace, name, private, sdk, new_uid(), created],
        )?;
        self.repo(kind, namespace, name)?.ok_or_else(|| HubError::internal("repo vanished after insert"))
    }

    /// Removes a repo and everything of it in one transaction: all or nothing.
    pub fn delete_repo(&self, id: i64) -> HubResult<()> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (table, column) in REPO_TABLES {
            tx.execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Moves a repo; its old id keeps pointing at it (see [`Store::renamed`]).
    pub fn rename_repo(&self, repo: &Repo, namespace: &str, name: &str) -> HubResult<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute("UPDATE repos SET namespace = ?2, name = ?3 WHERE id = ?1", params![repo.id, namespace, name])?;
        tx.execute(
            "INSERT OR REPLACE INTO renames(kind, namespace, name, repo) VALUES (?1, ?2, ?3, ?4)",
            params![repo.kind, repo.namespace, repo.name, repo.id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The repo now living where an old id pointed before a move.
    pub fn renamed(&self, kind: &str, namespace: &str, name: &str) -> HubResult<Option<Repo>> {
        let id: Option<i64> = self
            .db()
            .query_row(
                "SELECT repo FROM renames WHERE kind = ?1 AND namespace = ?2 AND name = ?3",
                params![kind, namespace, name],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.repo_by_id(id),
            None => Ok(None),
        }
    }

    pub fn update_repo_settings(&self, id: i64, private: Option<bool>, gated: Option<Option<String>>) -> HubResult<()> {
        let db = self.db();
        if let Some(p) = private {
            db.execute("UPDATE repos SET private = ?2 WHERE id = ?1", params![id, p])?;
        }
        if let Some(g) = gated {
            db.execute("UPDATE repos SET gated = ?2 WHERE id = ?1", params![id, g])?;
        }
        Ok(())
    }

    // ---- refs and commits ----

    pub fn refs(&self, repo: i64) -> HubResult<Vec<(String, String)>> {
        let db = self.db();
        let mut q = db.prepare("SELECT name, sha FROM refs WHERE repo = ?1 ORDER BY name")?;
        let rows = q.query_map([repo], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn get_ref(&self, repo: i64, name: &str) -> HubResult<Option<String>> {
        Ok(self
            .db()
            .query_row("SELECT sha FROM refs WHERE repo = ?1 AND name = ?2", params![repo, name], |r| r.get(0))
            .optional()?)
    }

    /// Creates a ref; `false` when it already exists (nothing changed).
    pub fn create_ref(&self, repo: i64, name: &str, sha: &str) -> HubResult<bool> {
        Ok(self
            .db()
            .execute("INSERT OR IGNORE INTO refs(repo, name, sha) VALUES (?1, ?2, ?3)", params![repo, name, sha])?
            > 0)
    }

    pub fn set_ref(&self, repo: i64, name: &str, sha: &str) -> HubResult<()> {
        self.db()
            .execute("INSERT OR REPLACE INTO refs(repo, name, sha) VALUES (?1, ?2, ?3)", params![repo, name, sha])?;
        Ok(())
    }

    pub fn delete_ref(&self, repo: i64, name: &str) -> HubResult<bool> {
        Ok(self.db().execute("DELETE FROM refs WHERE repo = ?1 AND name = ?2", params![repo, name])? > 0)
    }

    pub fn commit(&self, repo: i64, sha: &str) -> HubResult<Option<Commit>> {
        Ok(self
            .db()
            .query_row(
                "SELECT sha, parent, title, message, author, created FROM commits WHERE repo = ?1 AND sha = ?2",
                params![repo, sha],
                commit_row,
            )
            .optional()?)
    }

    /// Ids of the repo's commits that start with `prefix` (lowercase hex); at most two, enough to
    /// tell a unique abbreviation from an ambiguous one.
    pub fn commits_with_prefix(&self, repo: i64, prefix: &str) -> HubResult<Vec<String>> {
        let db = self.db();
        let mut q = db.prepare("SELECT sha FROM commits WHERE repo = ?1 AND substr(sha, 1, ?2) = ?3 LIMIT 2")?;
        let rows = q.query_map(params![repo, prefix.len() as i64, prefix], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Commits reachable from `head`, newest first.
    pub fn history(&self, repo: i64, head: &str) -> HubResult<Vec<Commit>> {
        let mut out = Vec::new();
        let mut next = Some(head.to_string());
        while let Some(sha) = next {
            let Some(c) = self.commit(repo, &sha)? else { break };
            next = c.parent.clone();
            out.push(c);
        }
        Ok(out)
    }

    pub fn entries(&self, repo: i64, sha: &str) -> HubResult<Vec<Entry>> {
        let db = self.db();
        let mut q = db.prepare(
            "SELECT path, oid, size, lfs_sha256, xet_hash, last_commit FROM entries WHERE repo = ?1 AND sha = ?2 ORDER BY path",
        )?;
        let rows = q.query_map(params![repo, sha], |r| {
            Ok(Entry {
                path: r.get(0)?,
                oid: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                lfs_sha256: r.get(3)?,
                xet_hash: r.get(4)?,
                last_commit: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a commit with its full file listing and moves a ref to it, in one transaction,
    /// only if the ref still is where the caller saw it (compare-and-set). Returns the ref name,
    /// or `None` when another commit moved the ref first (nothing is written then).
    pub fn commit_and_move_ref(
        &self,
        repo: i64,
        commit: &Commit,
        entries: &[Entry],
        target: &RefUpdate,
    ) -> HubResult<Option<String>> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ref_name = match target {
            RefUpdate::Move { name, expected } => {
                let current: Option<String> = tx
                    .query_row("SELECT sha FROM refs WHERE repo = ?1 AND name = ?2", params![repo, name], |r| r.get(0))
                    .optional()?;
                if current.as_deref() != *expected {
                    return Ok(None);
                }
                name.to_string()
            }
            RefUpdate::NewPullRequest { into } => {
                let mut q = tx.prepare("SELECT name FROM refs WHERE repo = ?1 AND name LIKE 'refs/pr/%'")?;
                let names = q.query_map([repo], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
                let max = names.iter().filter_map(|n| n.strip_prefix("refs/pr/")?.parse::<u64>().ok()).max();
                // Pull requests and discussions share one numbering; the PR is listed as it opens.
                let discussions: i64 =
                    tx.query_row("SELECT COALESCE(MAX(num), 0) FROM discussions WHERE repo = ?1", [repo], |r| {
                        r.get(0)
                    })?;
                let num = max.unwrap_or(0).max(discussions.max(0) as u64) + 1;
                tx.execute(
                    "INSERT INTO discussions(repo, num, title, author, is_pr, status, target, created) VALUES (?1, ?2, ?3, ?4, 1, 'open', ?5, ?6)",
                    params![repo, num as i64, commit.title, commit.author, into, commit.created],
                )?;
                format!("refs/pr/{num}")
            }
        };
        let seq: i64 =
            tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM commits WHERE repo = ?1", [repo], |r| r.get(0))?;
        tx.execute(
            "INSERT OR IGNORE INTO commits(repo, sha, parent, title, message, author, created, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![repo, commit.sha, commit.parent, commit.title, commit.message, commit.author, commit.created, seq],
        )?;
        {
            let mut ins = tx.prepare(
                "INSERT OR REPLACE INTO entries(repo, sha, path, oid, size, lfs_sha256, xet_hash, last_commit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in entries {
                ins.execute(params![
                    repo,
                    commit.sha,
                    e.path,
                    e.oid,
                    e.size as i64,
                    e.lfs_sha256,
                    e.xet_hash,
                    e.last_commit
                ])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO refs(repo, name, sha) VALUES (?1, ?2, ?3)",
            params![repo, ref_name, commit.sha],
        )?;
        tx.commit()?;
        Ok(Some(ref_name))
    }

    // ---- LFS / Xet ----

    /// Size of verified LFS bytes stored under `objects/lfs` (whoever uploaded them: only a
    /// repo's own objects may be referenced, see `objects`).
    pub fn lfs_object(&self, sha256: &str) -> HubResult<Option<u64>> {
        Ok(self
            .db()
            .query_row("SELECT size FROM lfs_objects WHERE sha256 = ?1", [sha256], |r| Ok(r.get::<_, i64>(0)? as u64))
            .optional()?)
    }

    /// Records verified LFS bytes stored under `objects/lfs`.
    pub fn put_lfs_object(&self, sha256: &str, size: u64) -> HubResult<()> {
        self.db()
            .execute("INSERT OR IGNORE INTO lfs_objects(sha256, size) VALUES (?1, ?2)", params![sha256, size as i64])?;
        Ok(())
    }

    /// Records that an authorised session of `repo` uploaded the object `sha256` (as LFS bytes,
    /// or as the Xet file `xet_hash`). A registration is never replaced: the first one holds.
    pub fn add_repo_object(&self, repo: i64, sha256: &str, size: u64, xet_hash: Option<&str>) -> HubResult<()> {
        self.db().execute(
            "INSERT OR IGNORE INTO repo_objects(repo, sha256, size, xet_hash) VALUES (?1, ?2, ?3, ?4)",
            params![repo, sha256, size as i64, xet_hash],
        )?;
        Ok(())
    }

    /// `(size, xet_hash)` of an object uploaded for `repo`.
    pub fn repo_object(&self, repo: i64, sha256: &str) -> HubResult<Option<(u64, Option<String>)>> {
        Ok(self
            .db()
            .query_row(
                "SELECT size, xet_hash FROM repo_objects WHERE repo = ?1 AND sha256 = ?2",
                params![repo, sha256],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
    }

    /// `(repo, size, xet_hash)` of each repo that has committed the LFS object `sha256`.
    pub fn committed_lfs(&self, sha256: &str) -> HubResult<Vec<(i64, u64, Option<String>)>> {
        let db = self.db();
        let mut q = db.prepare("SELECT DISTINCT repo, size, xet_hash FROM entries WHERE lfs_sha256 = ?1")?;
        let rows = q.query_map([sha256], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether `repo` has committed the LFS object `sha256` in any commit.
    pub fn repo_has_committed_lfs(&self, repo: i64, sha256: &str) -> HubResult<Option<(u64, Option<String>)>> {
        Ok(self
            .db()
            .query_row(
                "SELECT size, xet_hash FROM entries WHERE repo = ?1 AND lfs_sha256 = ?2 LIMIT 1",
                params![repo, sha256],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
    }
}

/// Where a new commit goes: a ref expected at `expected` (`None`: absent), or the ref of a new
/// pull request into the branch `into` (a full ref).
pub enum RefUpdate<'a> {
    Move { name: &'a str, expected: Option<&'a str> },
    NewPullRequest { into: &'a str },
}

fn repo_row(r: &rusqlite::Row) -> rusqlite::Result<Repo> {
    Ok(Repo {
        id: r.get(0)?,
        kind: r.get(1)?,
        namespace: r.get(2)?,
        name: r.get(3)?,
        private: r.get(4)?,
        gated: r.get(5)?,
        sdk: r.get(6)?,
        uid: r.get(7)?,
        created: r.get(8)?,
    })
}

fn commit_row(r: &rusqlite::Row) -> rusqlite::Result<Commit> {
    Ok(Commit {
        sha: r.get(0)?,
        parent: r.get(1)?,
        title: r.get(2)?,
        message: r.get(3)?,
        author: r.get(4)?,
        created: r.get(5)?,
    })
}

/// A 24-hex id like the Hub's Mongo-style `_id`.
pub fn new_uid() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}
