//! What leaves the cache: a revision deletion (Python's `HFCacheInfo.delete_revisions` rules) and
//! the blobs an LRU size limit evicts.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use super::keys::{BlobId, BLOBS_DIR, REFS_DIR, SNAPSHOTS_DIR};
use super::scan::CachedRepo;

/// Keys to remove, each a whole folder or file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DeletePlan {
    /// Every revision goes: the repo folder itself is removed (and nothing else is listed).
    pub whole_repo: Option<String>,
    pub snapshots: Vec<String>,
    pub refs: Vec<String>,
    pub blobs: Vec<String>,
    /// Bytes freed (the blobs no kept revision names).
    pub freed: u64,
}

/// Deleting `commits` of `repo`: their snapshot folders, the refs naming them, and the blobs no
/// other revision names; all of them at once removes the repo folder. Unknown commits are ignored.
pub fn plan_revision_delete(repo: &CachedRepo, commits: &[&str]) -> DeletePlan {
    let doomed: BTreeSet<&str> =
        repo.revisions.iter().map(|r| r.commit.as_str()).filter(|c| commits.contains(c)).collect();
    if doomed.is_empty() {
        return DeletePlan::default();
    }
    if doomed.len() == repo.revisions.len() {
        return DeletePlan { whole_repo: Some(repo.folder.clone()), freed: repo.size_on_disk, ..DeletePlan::default() };
    }
    let kept: BTreeSet<&BlobId> = repo
        .revisions
        .iter()
        .filter(|r| !doomed.contains(r.commit.as_str()))
        .flat_map(|r| r.files.iter().filter_map(|f| f.blob.as_ref()))
        .collect();
    let mut plan = DeletePlan::default();
    let mut gone: BTreeSet<&BlobId> = BTreeSet::new();
    for revision in repo.revisions.iter().filter(|r| doomed.contains(r.commit.as_str())) {
        plan.snapshots.push(alloc::format!("{}/{SNAPSHOTS_DIR}/{}", repo.folder, revision.commit));
        for name in &revision.refs {
            plan.refs.push(alloc::format!("{}/{REFS_DIR}/{name}", repo.folder));
        }
        for file in &revision.files {
            match &file.blob {
                Some(blob) if !kept.contains(blob) && gone.insert(blob) => plan.freed += file.size,
                Some(_) => {}
                // A copy lives in the snapshot folder and goes with it.
                None => plan.freed += file.size,
            }
        }
    }
    plan.blobs = gone.into_iter().map(|b| alloc::format!("{}/{BLOBS_DIR}/{b}", repo.folder)).collect();
    plan
}

/// A stored blob as the LRU sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobUse {
    pub key: String,
    pub size: u64,
    /// Last read or write, milliseconds since the epoch.
    pub last_used: u64,
}

/// The blobs to evict, least recently used first, so that the rest fit in `limit` bytes
/// (ties broken by key, so the choice is the same everywhere).
pub fn select_lru_evictions(blobs: &[BlobUse], limit: u64) -> Vec<String> {
    let mut total: u64 = blobs.iter().map(|b| b.size).sum();
    let mut order: Vec<&BlobUse> = blobs.iter().collect();
    order.sort_by(|a, b| a.last_used.cmp(&b.last_used).then_with(|| a.key.cmp(&b.key)));
    let mut out = Vec::new();
    for blob in order {
        if total <= limit {
            break;
        }
        total -= blob.size;
        out.push(blob.key.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::scan::{scan_repo, BlobRef, RepoListing, SnapshotEntry};
    use alloc::vec;

    fn entry(path: &str, blob: &str, size: u64) -> SnapshotEntry {
        let blob = BlobRef::Blob(BlobId::from_etag(blob).unwrap());
        SnapshotEntry { path: path.into(), blob, size, last_accessed: 0, last_modified: 0 }
    }

    fn repo() -> CachedRepo {
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        scan_repo(&RepoListing {
            folder: "models--org--name".into(),
            refs: vec![("main".into(), b.clone()), ("v1".into(), a.clone())],
            snapshots: vec![
                (a.clone(), vec![entry("m.bin", &"1".repeat(64), 1000), entry("c.json", &"2".repeat(40), 20)]),
                (b.clone(), vec![entry("m.bin", &"1".repeat(64), 1000), entry("c.json", &"3".repeat(40), 30)]),
            ],
            ..RepoListing::default()
        })
        .unwrap()
    }

    #[test]
    fn a_revision_takes_only_its_own_blobs() {
        let plan = plan_revision_delete(&repo(), &[&"a".repeat(40)]);
        assert_eq!(plan.whole_repo, None);
        assert_eq!(plan.snapshots, vec![alloc::format!("models--org--name/snapshots/{}", "a".repeat(40))]);
        assert_eq!(plan.refs, vec![String::from("models--org--name/refs/v1")]);
        assert_eq!(plan.blobs, vec![alloc::format!("models--org--name/blobs/{}", "2".repeat(40))]);
        assert_eq!(plan.freed, 20);
    }

    #[test]
    fn every_revision_takes_the_repo() {
        let plan = plan_revision_delete(&repo(), &[&"a".repeat(40), &"b".repeat(40)]);
        assert_eq!(plan.whole_repo.as_deref(), Some("models--org--name"));
        assert_eq!(plan.freed, 1050);
        assert_eq!(plan_revision_delete(&repo(), &[&"f".repeat(40)]), DeletePlan::default());
    }

    #[test]
    fn lru_evicts_oldest_until_it_fits() {
        let blobs = [
            BlobUse { key: "x".into(), size: 50, last_used: 3 },
            BlobUse { key: "y".into(), size: 30, last_used: 1 },
            BlobUse { key: "z".into(), size: 40, last_used: 2 },
        ];
        assert_eq!(select_lru_evictions(&blobs, 120), Vec::<String>::new());
        assert_eq!(select_lru_evictions(&blobs, 90), vec![String::from("y")]);
        assert_eq!(select_lru_evictions(&blobs, 50), vec![String::from("y"), "z".into()]);
        assert_eq!(select_lru_evictions(&blobs, 0), vec![String::from("y"), "z".into(), "x".into()]);
    }
}
