//! Real git object ids: blob SHA-1s, LFS pointer files, tree and commit objects, so that every
//! `oid`, `sha` and `ETag` localhub hands out is the one git itself would compute.

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

pub fn object_id(kind: &str, body: &[u8]) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(format!("{kind} {}\0", body.len()));
    h.update(body);
    h.finalize().into()
}

pub fn blob_oid(content: &[u8]) -> String {
    hex::encode(object_id("blob", content))
}

/// The Git LFS pointer file committed in place of large content (hubwasm-core writes it);
/// `sha256` is 64 hex digits, as stored.
pub fn lfs_pointer(sha256: &str, size: u64) -> String {
    let mut digest = [0u8; 32];
    // Stored oids were checked when committed; a bad one yields a pointer to zeros, not a panic.
    let _ = hubwasm_core::hex::decode_into(sha256, &mut digest);
    hubwasm_core::lfs::LfsPointer { sha256: digest, size }.to_text()
}

/// Tree id of a set of files (`path → blob oid`), built the way git does: one tree object per
/// directory, entries sorted with directories compared as `name/`.
pub fn tree_oid<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    #[derive(Default)]
    struct Dir<'a> {
        files: BTreeMap<&'a str, &'a str>,
        dirs: BTreeMap<&'a str, Dir<'a>>,
    }
    fn write(dir: &Dir) -> [u8; 20] {
        let mut entries: Vec<(String, &str, [u8; 20])> = Vec::new();
        for (name, oid) in &dir.files {
            let mut raw = [0u8; 20];
            hex::decode_to_slice(oid, &mut raw).expect("stored oids are 40 hex digits");
            entries.push((name.to_string(), "100644", raw));
        }
        for (name, sub) in &dir.dirs {
            entries.push((format!("{name}/"), "40000", write(sub)));
        }
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut body = Vec::new();
        for (name, mode, raw) in entries {
            body.extend_from_slice(format!("{mode} {}\0", name.trim_end_matches('/')).as_bytes());
            body.extend_from_slice(&raw);
        }
        object_id("tree", &body)
    }
    let mut root = Dir::default();
    for (path, oid) in files {
        let mut dir = &mut root;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                dir.files.insert(part, oid);
            } else {
                dir = dir.dirs.entry(part).or_default();
            }
        }
    }
    hex::encode(write(&root))
}

/// Tree id of one directory inside a file set (for tree listings), or `None` if it has no files.
pub fn subtree_oid<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>, dir: &str) -> Option<String> {
    let prefix = format!("{dir}/");
    let inside: Vec<(&str, &str)> =
        files.into_iter().filter_map(|(p, o)| p.strip_prefix(prefix.as_str()).map(|rest| (rest, o))).collect();
    (!inside.is_empty()).then(|| tree_oid(inside))
}

pub struct CommitObject<'a> {
    pub tree: &'a str,
    pub parent: Option<&'a str>,
    pub author: &'a str,
    pub email: &'a str,
    pub unix_time: i64,
    pub message: &'a str,
}

pub fn commit_oid(c: &CommitObject) -> String {
    let mut body = format!("tree {}\n", c.tree);
    if let Some(p) = c.parent {
        body.push_str(&format!("parent {p}\n"));
    }
    let who = format!("{} <{}> {} +0000", c.author, c.email, c.unix_time);
    body.push_str(&format!("author {who}\ncommitter {who}\n\n{}\n", c.message));
    hex::encode(object_id("commit", body.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected ids from git itself (`git hash-object`, `git mktree`), well-known values.
    #[test]
    fn blob_ids_match_git() {
        assert_eq!(blob_oid(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert_eq!(blob_oid(b"hello world\n"), "3b18e512dba79e4c8300dd08aeb37f8e728b8dad");
    }

    #[test]
    fn empty_tree_matches_git() {
        assert_eq!(tree_oid([]), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    }

    #[test]
    fn nested_trees_sort_directories_as_name_slash() {
        // "a.b" sorts before "a/" in git because '.' (0x2e) < '/' (0x2f); "a-" too.
        let blob = blob_oid(b"x");
        let flat_first = tree_oid([("a/x", blob.as_str()), ("a.b", blob.as_str())]);
        let flat_second = tree_oid([("a.b", blob.as_str()), ("a/x", blob.as_str())]);
        assert_eq!(flat_first, flat_second);
        assert_eq!(subtree_oid([("a/x", blob.as_str())], "a").unwrap(), tree_oid([("x", blob.as_str())]));
    }
}
