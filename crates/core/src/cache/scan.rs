//! `scan_cache_dir`'s figures over an abstract listing of one repo folder, with Python's rules
//! (`huggingface_hub/utils/_cache_manager.py`, `_scan_cached_repo`):
//! - a revision's files are the files under `snapshots/{commit}/`; each resolves to its blob — the
//!   first symlink hop, or the file itself when it is a copy;
//! - a revision's size is the sum of its distinct blobs; the repo's size and `nb_files` count the
//!   distinct blobs of all revisions (blobs no snapshot names are not counted);
//! - refs are `refs/**` files, named by their path under `refs/`; a ref naming a commit without a
//!   snapshot makes the repo corrupted (Python reports it as a warning and skips the repo).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::keys::{parse_repo_folder, BlobId, CacheKeyError};
use crate::repo::RepoId;

/// Where a snapshot entry's bytes are.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlobRef {
    /// A link to `blobs/{id}`.
    Blob(BlobId),
    /// The entry holds its own copy (where links are refused): a blob of its own.
    Copy,
}

/// One file under `snapshots/{commit}/`, as a backend lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotEntry {
    /// Its path under `snapshots/{commit}/`.
    pub path: String,
    pub blob: BlobRef,
    /// Bytes of the blob it resolves to.
    pub size: u64,
    /// The blob's last access and modification, milliseconds since the epoch (0 when unknown).
    pub last_accessed: u64,
    pub last_modified: u64,
}

/// One repo folder, as a backend lists it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RepoListing {
    /// `models--org--name`.
    pub folder: String,
    /// `(name under refs/, content)`: `("main", "{commit}")`, `("refs/pr/1", "{commit}")`.
    pub refs: Vec<(String, String)>,
    /// `(commit folder name, its files)`, empty revisions included.
    pub snapshots: Vec<(String, Vec<SnapshotEntry>)>,
    /// The repo folder's own times, used when it holds no file.
    pub last_accessed: u64,
    pub last_modified: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedFile {
    pub path: String,
    /// `None` for a copy.
    pub blob: Option<BlobId>,
    pub size: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedRevision {
    pub commit: String,
    /// Sorted.
    pub refs: Vec<String>,
    pub size_on_disk: u64,
    pub nb_files: usize,
    pub files: Vec<CachedFile>,
    pub last_modified: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedRepo {
    pub repo: RepoId,
    pub folder: String,
    pub size_on_disk: u64,
    pub nb_files: usize,
    /// Sorted by commit.
    pub revisions: Vec<CachedRevision>,
    pub last_accessed: u64,
    pub last_modified: u64,
}

/// A folder `scan_cache_dir` would report as corrupted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanError {
    Folder(CacheKeyError),
    /// Refs naming commits that have no snapshot.
    DanglingRefs(Vec<String>),
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Folder(e) => write!(f, "not a repo folder: {e}"),
            ScanError::DanglingRefs(refs) => {
                f.write_str("refs name commits without a snapshot:")?;
                for r in refs {
                    write!(f, " {r}")?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for ScanError {}

/// Blob identity as Python keys `blob_stats`: the blob file, or the copy's own path.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum BlobKey {
    Blob(BlobId),
    Copy(String, String),
}

/// The figures `scan_cache_dir` reports for one repo folder.
pub fn scan_repo(listing: &RepoListing) -> Result<CachedRepo, ScanError> {
    let repo = parse_repo_folder(&listing.folder).map_err(ScanError::Folder)?;
    let mut refs_by_commit: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, commit) in &listing.refs {
        refs_by_commit.entry(commit.as_str()).or_default().insert(name.as_str());
    }
    // blob key -> (size, accessed, modified)
    let mut blobs: BTreeMap<BlobKey, (u64, u64, u64)> = BTreeMap::new();
    let mut revisions = Vec::with_capacity(listing.snapshots.len());
    for (commit, entries) in &listing.snapshots {
        let mut own: BTreeMap<BlobKey, u64> = BTreeMap::new();
        let mut files = Vec::with_capacity(entries.len());
        let mut last_modified = 0;
        for entry in entries {
            let key = match &entry.blob {
                BlobRef::Blob(id) => BlobKey::Blob(id.clone()),
                BlobRef::Copy => BlobKey::Copy(commit.clone(), entry.path.clone()),
            };
            let stat = *blobs.entry(key.clone()).or_insert((entry.size, entry.last_accessed, entry.last_modified));
            own.insert(key, stat.0);
            last_modified = last_modified.max(stat.2);
            let blob = match &entry.blob {
                BlobRef::Blob(id) => Some(id.clone()),
                BlobRef::Copy => None,
            };
            files.push(CachedFile { path: entry.path.clone(), blob, size: stat.0 });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let refs = refs_by_commit.remove(commit.as_str()).unwrap_or_default();
        revisions.push(CachedRevision {
            commit: commit.clone(),
            refs: refs.into_iter().map(String::from).collect(),
            size_on_disk: own.values().sum(),
            nb_files: files.len(),
            files,
            last_modified,
        });
    }
    if !refs_by_commit.is_empty() {
        let dangling = refs_by_commit.values().flatten().map(|r| String::from(*r)).collect();
        return Err(ScanError::DanglingRefs(dangling));
    }
    revisions.sort_by(|a, b| a.commit.cmp(&b.commit));
    let (last_accessed, last_modified) = if blobs.is_empty() {
        (listing.last_accessed, listing.last_modified)
    } else {
        (blobs.values().map(|b| b.1).max().unwrap_or(0), blobs.values().map(|b| b.2).max().unwrap_or(0))
    };
    Ok(CachedRepo {
        repo,
        folder: listing.folder.clone(),
        size_on_disk: blobs.values().map(|b| b.0).sum(),
        nb_files: blobs.len(),
        revisions,
        last_accessed,
        last_modified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    fn linked(path: &str, blob: &str, size: u64) -> SnapshotEntry {
        let blob = BlobRef::Blob(BlobId::from_etag(blob).unwrap());
        SnapshotEntry { path: path.into(), blob, size, last_accessed: 0, last_modified: 0 }
    }

    /// The folder built by a Python script (symlinks made with os.path.relpath, a copy, an empty
    /// revision, a blob no snapshot names, nested refs); `scan_cache_dir` of huggingface_hub 2.4.0
    /// printed:
    ///   org/name model size 1060 nb_files 4
    ///     aaaa size 1020 nb_files 3 refs ['refs/pr/1', 'v1']
    ///     bbbb size 1040 nb_files 3 refs ['main']
    ///     eeee size 0 nb_files 0 refs []
    /// and with one more ref naming a commit without snapshot: 0 repos, one CorruptedCacheException.
    fn python_folder() -> RepoListing {
        let (a, b, e) = ("a".repeat(40), "b".repeat(40), "e".repeat(40));
        let (big, small, readme) = ("1".repeat(64), "2".repeat(40), "3".repeat(40));
        RepoListing {
            folder: "models--org--name".into(),
            refs: vec![("main".into(), b.clone()), ("v1".into(), a.clone()), ("refs/pr/1".into(), a.clone())],
            snapshots: vec![
                (
                    a.clone(),
                    vec![
                        linked("model.bin", &big, 1000),
                        linked("config.json", &small, 20),
                        linked("sub/dir/x.txt", &small, 20),
                    ],
                ),
                (
                    b.clone(),
                    vec![
                        linked("model.bin", &big, 1000),
                        linked("README.md", &readme, 7),
                        SnapshotEntry {
                            path: "copy.txt".into(),
                            blob: BlobRef::Copy,
                            size: 33,
                            last_accessed: 0,
                            last_modified: 0,
                        },
                    ],
                ),
                (e.clone(), vec![]),
            ],
            last_accessed: 0,
            last_modified: 0,
        }
    }

    #[test]
    fn figures_match_scan_cache_dir() {
        let repo = scan_repo(&python_folder()).unwrap();
        assert_eq!(repo.repo.as_str(), "org/name");
        assert_eq!((repo.size_on_disk, repo.nb_files), (1060, 4));
        let figures: Vec<_> = repo
            .revisions
            .iter()
            .map(|r| (r.commit[..4].to_string(), r.size_on_disk, r.nb_files, r.refs.clone()))
            .collect();
        assert_eq!(
            figures,
            vec![
                ("aaaa".into(), 1020, 3, vec!["refs/pr/1".to_string(), "v1".into()]),
                ("bbbb".into(), 1040, 3, vec!["main".to_string()]),
                ("eeee".into(), 0, 0, vec![]),
            ]
        );
    }

    #[test]
    fn a_dangling_ref_corrupts_the_repo() {
        let mut listing = python_folder();
        listing.refs.push(("dead".into(), "c".repeat(40)));
        assert_eq!(scan_repo(&listing), Err(ScanError::DanglingRefs(vec!["dead".into()])));
        listing.folder = format!("models--{}", "..");
        assert!(matches!(scan_repo(&listing), Err(ScanError::Folder(_))));
    }
}
