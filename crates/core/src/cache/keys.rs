//! The cache's keys, named as Python's `huggingface_hub` names its files (`file_download.py`:
//! `repo_folder_name`, `_create_symlink`, `_cache_commit_hash_for_specific_revision`, the
//! `.no_exist` markers and `_download_to_tmp_and_move`'s temporary names).
//!
//! Python 2.4's cache-wide store of Xet blobs (`utils/_shared_blobs.py`) has its keys here too:
//! `blobs/{xx}/{xet hash}` at the cache root, its `.refs` manifest and `.lock`, the
//! `blobs/.huggingface-shared-blobs` marker, and the repo blob's symlink into it.
//!
//! Every part of a key is validated before it is joined, so no repo id, revision, path or etag —
//! whatever a caller or a server sends — names anything outside its repo folder.

use alloc::string::String;
use core::fmt;

use crate::repo::{validate_path, PathError, RefNameError, RepoId, RepoIdError, RepoType, Revision};

pub const BLOBS_DIR: &str = "blobs";
pub const REFS_DIR: &str = "refs";
pub const SNAPSHOTS_DIR: &str = "snapshots";
pub const NO_EXIST_DIR: &str = ".no_exist";
/// Python's `REPO_ID_SEPARATOR`.
const SEPARATOR: &str = "--";

/// Why a cache key could not be formed or read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheKeyError {
    /// An etag that is neither a git blob id (40 hex) nor a SHA-256 (64 hex).
    BadBlobId,
    /// A commit id that is not 40 hex digits.
    BadCommitId,
    Revision(RefNameError),
    Path(PathError),
    /// A repo folder name that is not `{models|datasets|spaces}--[namespace--]name`.
    BadRepoFolder,
    RepoId(RepoIdError),
    /// A temporary-name nonce that is not 1 to 16 hex digits.
    BadNonce,
    /// A Xet file hash that is not 64 lowercase hex digits.
    BadXetHash,
}

impl fmt::Display for CacheKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheKeyError::BadBlobId => f.write_str("a blob id is a 40-digit git blob id or a 64-digit SHA-256 in hex"),
            CacheKeyError::BadCommitId => f.write_str("a commit id is 40 hex digits"),
            CacheKeyError::Revision(e) => write!(f, "revision: {e}"),
            CacheKeyError::Path(e) => write!(f, "path: {e}"),
            CacheKeyError::BadRepoFolder => {
                f.write_str("a repo folder is named {models|datasets|spaces}--[namespace--]name")
            }
            CacheKeyError::RepoId(e) => write!(f, "repo folder: {e}"),
            CacheKeyError::BadNonce => f.write_str("a temporary name's nonce is 1 to 16 hex digits"),
            CacheKeyError::BadXetHash => f.write_str("a Xet file hash is 64 lowercase hex digits"),
        }
    }
}

impl core::error::Error for CacheKeyError {}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A blob's content id: the Hub's ETag normalised as Python does (`W/` and quotes removed),
/// lowercase — the SHA-256 of LFS and Xet content, the git blob id (SHA-1) of a regular file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId(String);

impl BlobId {
    /// From an ETag header or a bare id: `W/"abc…"`, `"abc…"` or `abc…` (either case).
    pub fn from_etag(etag: &str) -> Result<Self, CacheKeyError> {
        let bare = etag.trim().strip_prefix("W/").unwrap_or(etag.trim());
        let bare = bare.trim_matches('"').to_ascii_lowercase();
        if is_lower_hex(&bare, 40) || is_lower_hex(&bare, 64) {
            Ok(BlobId(bare))
        } else {
            Err(CacheKeyError::BadBlobId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A SHA-256 (LFS and Xet content) rather than a git blob id.
    pub fn is_sha256(&self) -> bool {
        self.0.len() == 64
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A full commit id, lowercase: what `snapshots/` and `.no_exist/` are keyed by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitId(String);

impl CommitId {
    pub fn parse(text: &str) -> Result<Self, CacheKeyError> {
        let lower = text.to_ascii_lowercase();
        if is_lower_hex(&lower, 40) {
            Ok(CommitId(lower))
        } else {
            Err(CacheKeyError::BadCommitId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Python's `repo_folder_name`: `models--org--name`, `datasets--name`, `spaces--org--name`.
pub fn repo_folder_name(repo: &RepoId) -> String {
    let mut out = String::from(repo.repo_type().plural());
    for part in repo.as_str().split('/') {
        out.push_str(SEPARATOR);
        out.push_str(part);
    }
    out
}

/// The repo a folder name stands for (`scan_cache_dir`'s reading: the type prefix, then `--` as `/`).
pub fn parse_repo_folder(folder: &str) -> Result<RepoId, CacheKeyError> {
    let (prefix, rest) = folder.split_once(SEPARATOR).ok_or(CacheKeyError::BadRepoFolder)?;
    let repo_type = RepoType::from_plural(prefix).ok_or(CacheKeyError::BadRepoFolder)?;
    if rest.contains('/') {
        return Err(CacheKeyError::BadRepoFolder);
    }
    let id = rest.replace(SEPARATOR, "/");
    RepoId::new(repo_type, &id).map_err(CacheKeyError::RepoId)
}

/// The keys of one repo's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoKeys {
    folder: String,
}

impl RepoKeys {
    pub fn new(repo: &RepoId) -> Self {
        RepoKeys { folder: repo_folder_name(repo) }
    }

    /// `models--org--name`: the repo's folder under the cache root.
    pub fn folder(&self) -> &str {
        &self.folder
    }

    fn join(&self, parts: &[&str]) -> String {
        let mut out = self.folder.clone();
        for part in parts {
            out.push('/');
            out.push_str(part);
        }
        out
    }

    /// `{folder}/blobs/{id}`.
    pub fn blob(&self, blob: &BlobId) -> String {
        self.join(&[BLOBS_DIR, blob.as_str()])
    }

    /// `{folder}/blobs/{id}.{nonce}.incomplete`: where a blob is written before it is verified and
    /// renamed (Python's per-process temporary name, so two writers never share one file).
    pub fn temp_blob(&self, blob: &BlobId, nonce: &str) -> Result<String, CacheKeyError> {
        if nonce.is_empty() || nonce.len() > 16 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CacheKeyError::BadNonce);
        }
        let mut name = String::from(blob.as_str());
        name.push('.');
        name.push_str(nonce);
        name.push_str(".incomplete");
        Ok(self.join(&[BLOBS_DIR, &name]))
    }

    /// `{folder}/refs/{revision}`: the file holding the commit a branch or tag pointed at
    /// (`refs/pr/1` nests: `refs/refs/pr/1`). A commit id is not a ref: `None`, as Python writes none.
    pub fn reference(&self, revision: &Revision) -> Option<String> {
        if CommitId::parse(revision.as_str()).is_ok() {
            return None;
        }
        // Revision::parse refused `..`, `.`-led components, `\` and control characters.
        Some(self.join(&[REFS_DIR, revision.as_str()]))
    }

    /// `{folder}/snapshots/{commit}`.
    pub fn snapshot_dir(&self, commit: &CommitId) -> String {
        self.join(&[SNAPSHOTS_DIR, commit.as_str()])
    }

    /// `{folder}/snapshots/{commit}/{path}`.
    pub fn snapshot(&self, commit: &CommitId, path: &str) -> Result<String, CacheKeyError> {
        validate_path(path).map_err(CacheKeyError::Path)?;
        Ok(self.join(&[SNAPSHOTS_DIR, commit.as_str(), path]))
    }

    /// `{folder}/.no_exist/{commit}/{path}`: the empty marker of a file known to be missing.
    pub fn no_exist(&self, commit: &CommitId, path: &str) -> Result<String, CacheKeyError> {
        validate_path(path).map_err(CacheKeyError::Path)?;
        Ok(self.join(&[NO_EXIST_DIR, commit.as_str(), path]))
    }
}

/// The marker Python writes in the shared store's folder (`SHARED_BLOBS_MARKER_NAME`): a folder
/// without it is not adopted.
pub const SHARED_MARKER: &str = "blobs/.huggingface-shared-blobs";
/// The marker's whole content (`SHARED_BLOBS_LAYOUT_VERSION` and a newline).
pub const SHARED_LAYOUT: &str = "1\n";

/// A Xet file's entry in the cache-wide shared store: `blobs/{first 2 hex}/{xet hash}` at the
/// root, a regular file that each repo's `{folder}/blobs/{etag}` symlinks to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedBlob(String);

impl SharedBlob {
    /// From a Xet file hash as the Hub sends it (`X-Xet-Hash`, `xetHash`): 64 lowercase hex digits.
    pub fn from_xet_hash(hash: &str) -> Result<Self, CacheKeyError> {
        if is_lower_hex(hash, 64) {
            Ok(SharedBlob(String::from(hash)))
        } else {
            Err(CacheKeyError::BadXetHash)
        }
    }

    pub fn xet_hash(&self) -> &str {
        &self.0
    }

    fn with_suffix(&self, suffix: &str) -> String {
        let mut out = String::from(BLOBS_DIR);
        out.push('/');
        out.push_str(&self.0[..2]);
        out.push('/');
        out.push_str(&self.0);
        out.push_str(suffix);
        out
    }

    /// `blobs/{xx}/{hash}`: the payload.
    pub fn key(&self) -> String {
        self.with_suffix("")
    }

    /// `blobs/{xx}/{hash}.refs`: the manifest, one repo blob key a line, of the links to it.
    pub fn refs_key(&self) -> String {
        self.with_suffix(".refs")
    }

    /// `blobs/{xx}/{hash}.lock`: the empty file Python's FileLock holds (and leaves).
    pub fn lock_key(&self) -> String {
        self.with_suffix(".lock")
    }

    /// The repo blob's symlink target: `os.path.relpath` from `{folder}/blobs/` to the payload.
    pub fn link_target(&self) -> String {
        let mut out = String::from("../../");
        out.push_str(&self.key());
        out
    }

    /// The shared blob a repo blob's symlink names, if it is Python's `../../blobs/{xx}/{hash}`.
    pub fn of_link_target(target: &str) -> Option<SharedBlob> {
        let rest = target.strip_prefix("../../blobs/")?;
        let (prefix, hash) = rest.split_once('/')?;
        let blob = SharedBlob::from_xet_hash(hash).ok()?;
        (prefix == &hash[..2]).then_some(blob)
    }

    /// The manifest line naming `keys`' blob `blob` (`_relative_blob_path`, then a newline).
    pub fn reference_line(keys: &RepoKeys, blob: &BlobId) -> String {
        let mut line = keys.blob(blob);
        line.push('\n');
        line
    }

    /// The repo blob keys a manifest names, in order; a line that is not `{repo folder}/blobs/{name}`
    /// is skipped. The test is Python's (`_relative_blob_path`), not ours: a line naming a repo
    /// kind hubwasm does not know (Python's `kernels--…`) still keeps the payload alive, and the
    /// link check that follows decides whether it still refers to it.
    pub fn references(manifest: &str) -> alloc::vec::Vec<String> {
        const PYTHON_REPO_KINDS: [&str; 4] = ["datasets", "spaces", "models", "kernels"];
        let repo_folder = |folder: &str| {
            folder
                .split_once(SEPARATOR)
                .is_some_and(|(kind, rest)| PYTHON_REPO_KINDS.contains(&kind) && !rest.is_empty())
        };
        manifest
            .lines()
            .filter(|line| {
                let mut parts = line.split('/');
                match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some(folder), Some(BLOBS_DIR), Some(name), None) => {
                        repo_folder(folder) && !name.is_empty() && name != "." && name != ".."
                    }
                    _ => false,
                }
            })
            .map(String::from)
            .collect()
    }
}

/// The symlink a snapshot entry is on POSIX: `os.path.relpath(blob, dirname(entry))`, i.e. one `..`
/// per folder between the entry and the repo folder, then `blobs/{id}`.
pub fn snapshot_link_target(path: &str, blob: &BlobId) -> Result<String, CacheKeyError> {
    validate_path(path).map_err(CacheKeyError::Path)?;
    // snapshots/{commit}/ plus the path's own folders.
    let depth = 2 + path.bytes().filter(|&b| b == b'/').count();
    let mut out = String::with_capacity(depth * 3 + 6 + blob.as_str().len());
    for _ in 0..depth {
        out.push_str("../");
    }
    out.push_str(BLOBS_DIR);
    out.push('/');
    out.push_str(blob.as_str());
    Ok(out)
}

/// The blob a snapshot symlink's target names, if it is one of ours (`../../blobs/{id}`) for an
/// entry at `path`; anything else (another depth, another folder) is `None`.
pub fn blob_of_link_target(path: &str, target: &str) -> Option<BlobId> {
    let id = target.rsplit('/').next()?;
    let blob = BlobId::from_etag(id).ok().filter(|b| b.as_str() == id)?;
    (snapshot_link_target(path, &blob).ok()? == target).then_some(blob)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const SHA1: &str = "d7edf6bd2a681fb0175f7735299831ee1b22b812";
    const SHA256: &str = "403450e234d65943a7dcf7e05a771ce3c92faa84dd07db4ac20f592037a1e4bd";
    const COMMIT: &str = "2439f60ef33a0d46d85da5001d52aeda5b00ce9f";

    fn repo(designation: &str) -> RepoId {
        RepoId::parse(designation).unwrap()
    }

    // Expected values printed by huggingface_hub 2.4.0 in target/peers-venv:
    //   repo_folder_name(repo_id="julien-c/EsperBERTo-small", repo_type="model")
    //     -> 'models--julien-c--EsperBERTo-small'
    //   repo_folder_name(repo_id="squad", repo_type="dataset") -> 'datasets--squad'
    //   repo_folder_name(repo_id="org/my.space_1", repo_type="space") -> 'spaces--org--my.space_1'
    #[test]
    fn repo_folder_names_match_python() {
        assert_eq!(repo_folder_name(&repo("julien-c/EsperBERTo-small")), "models--julien-c--EsperBERTo-small");
        assert_eq!(repo_folder_name(&repo("datasets/squad")), "datasets--squad");
        assert_eq!(repo_folder_name(&repo("spaces/org/my.space_1")), "spaces--org--my.space_1");
        assert_eq!(parse_repo_folder("models--julien-c--EsperBERTo-small").unwrap(), repo("julien-c/EsperBERTo-small"));
        assert_eq!(parse_repo_folder("datasets--squad").unwrap(), repo("datasets/squad"));
        for bad in ["models", "model--a--b", "models--a--b--c", "models--..", "models--a/b", ".locks", "CACHEDIR.TAG"] {
            assert!(parse_repo_folder(bad).is_err(), "{bad}");
        }
    }

    // Expected values: os.path.relpath as _create_symlink computes it, printed by Python 3.11:
    //   os.path.relpath("/c/r/blobs/" + SHA256, "/c/r/snapshots/" + COMMIT)        -> '../../blobs/4034…'
    //   os.path.relpath("/c/r/blobs/" + SHA1, "/c/r/snapshots/" + COMMIT + "/a/b") -> '../../../../blobs/d7ed…'
    #[test]
    fn link_targets_match_relpath() {
        let lfs = BlobId::from_etag(SHA256).unwrap();
        let git = BlobId::from_etag(SHA1).unwrap();
        assert_eq!(snapshot_link_target("pytorch_model.bin", &lfs).unwrap(), alloc::format!("../../blobs/{SHA256}"));
        assert_eq!(snapshot_link_target("a/b/c.txt", &git).unwrap(), alloc::format!("../../../../blobs/{SHA1}"));
        assert_eq!(blob_of_link_target("a/b/c.txt", &alloc::format!("../../../../blobs/{SHA1}")), Some(git.clone()));
        assert_eq!(blob_of_link_target("c.txt", &alloc::format!("../../../../blobs/{SHA1}")), None);
        assert_eq!(blob_of_link_target("c.txt", "../../blobs/../../../etc/passwd"), None);
    }

    #[test]
    fn keys_follow_the_layout() {
        let keys = RepoKeys::new(&repo("org/name"));
        let blob = BlobId::from_etag(&alloc::format!("W/\"{}\"", SHA256.to_ascii_uppercase())).unwrap();
        let commit = CommitId::parse(COMMIT).unwrap();
        assert_eq!(keys.blob(&blob), alloc::format!("models--org--name/blobs/{SHA256}"));
        assert_eq!(
            keys.temp_blob(&blob, "1a2b3c4d").unwrap(),
            alloc::format!("models--org--name/blobs/{SHA256}.1a2b3c4d.incomplete")
        );
        assert_eq!(keys.reference(&Revision::main()).unwrap(), "models--org--name/refs/main");
        assert_eq!(keys.reference(&Revision::parse("refs/pr/1").unwrap()).unwrap(), "models--org--name/refs/refs/pr/1");
        assert_eq!(keys.reference(&Revision::parse(COMMIT).unwrap()), None);
        assert_eq!(
            keys.snapshot(&commit, "a/b.txt").unwrap(),
            alloc::format!("models--org--name/snapshots/{COMMIT}/a/b.txt")
        );
        assert_eq!(
            keys.no_exist(&commit, "x.json").unwrap(),
            alloc::format!("models--org--name/.no_exist/{COMMIT}/x.json")
        );
    }

    // Expected values: what huggingface_hub 2.4.0 (target/peers-venv) wrote for xet-small.bin from
    // localhub (hf_hub_download into an empty cache):
    //   blobs/.huggingface-shared-blobs                 "1\n"
    //   blobs/7f/7f280f20…cf0c                          the payload (and .lock, .refs beside it)
    //   blobs/7f/7f280f20…cf0c.refs                     "models--demo--hub-fixtures/blobs/abe89731…a67a\n"
    //   models--demo--hub-fixtures/blobs/abe89731…a67a -> ../../blobs/7f/7f280f20…cf0c
    #[test]
    fn shared_blob_keys_match_python() {
        const XET: &str = "7f280f20b036d6050dcaab92a4a89190f89b072fc85b2a8b8ecab5446b78cf0c";
        const ETAG: &str = "abe89731246ca4d10c3fc10c5d76c9a92375591bbeafaf0fc68c767c987da67a";
        let shared = SharedBlob::from_xet_hash(XET).unwrap();
        assert_eq!(SHARED_MARKER, "blobs/.huggingface-shared-blobs");
        assert_eq!(SHARED_LAYOUT, "1\n");
        assert_eq!(shared.key(), alloc::format!("blobs/7f/{XET}"));
        assert_eq!(shared.refs_key(), alloc::format!("blobs/7f/{XET}.refs"));
        assert_eq!(shared.lock_key(), alloc::format!("blobs/7f/{XET}.lock"));
        assert_eq!(shared.link_target(), alloc::format!("../../blobs/7f/{XET}"));
        assert_eq!(SharedBlob::of_link_target(&shared.link_target()), Some(shared.clone()));
        let keys = RepoKeys::new(&repo("demo/hub-fixtures"));
        let blob = BlobId::from_etag(ETAG).unwrap();
        let line = SharedBlob::reference_line(&keys, &blob);
        assert_eq!(line, alloc::format!("models--demo--hub-fixtures/blobs/{ETAG}\n"));
        let manifest =
            alloc::format!("{line}../x/blobs/{ETAG}\n/abs\ndatasets--d/blobs/{ETAG}\nkernels--k--v/blobs/{ETAG}\nmodels--a/blobs/zz\nmodels--a/blobs/..\nmodels--/blobs/{ETAG}\nwidgets--w/blobs/{ETAG}\nmodels--a/refs/main\n");
        // Python's `_relative_blob_path` rule: its `kernels` kind counts, any non-empty blob name counts.
        assert_eq!(
            SharedBlob::references(&manifest),
            vec![
                alloc::format!("models--demo--hub-fixtures/blobs/{ETAG}"),
                alloc::format!("datasets--d/blobs/{ETAG}"),
                alloc::format!("kernels--k--v/blobs/{ETAG}"),
                "models--a/blobs/zz".into(),
            ]
        );
        for bad in [&XET[..63], &XET.to_ascii_uppercase(), "../../etc/passwd"] {
            assert_eq!(SharedBlob::from_xet_hash(bad), Err(CacheKeyError::BadXetHash), "{bad}");
        }
        for target in [
            alloc::format!("../../blobs/7e/{XET}"),
            alloc::format!("../blobs/7f/{XET}"),
            alloc::format!("../../blobs/{ETAG}"),
            alloc::format!("../../blobs/7f/{XET}/x"),
        ] {
            assert_eq!(SharedBlob::of_link_target(&target), None, "{target}");
        }
    }

    #[test]
    fn hostile_parts_never_escape() {
        for etag in [
            "../../etc/passwd",
            "",
            "abc",
            &alloc::format!("{SHA1}/x"),
            &alloc::format!("{SHA1}0"),
            "g".repeat(40).as_str(),
        ] {
            assert_eq!(BlobId::from_etag(etag), Err(CacheKeyError::BadBlobId), "{etag}");
        }
        for commit in ["../x", "main", &SHA256[..39], SHA256] {
            assert_eq!(CommitId::parse(commit), Err(CacheKeyError::BadCommitId), "{commit}");
        }
        let keys = RepoKeys::new(&repo("org/name"));
        let commit = CommitId::parse(COMMIT).unwrap();
        for path in vec!["../x", "a/../../x", "/etc/passwd", "a\\..\\b", "a//b", "", "a/./b", "x\0y", ".git/config"] {
            assert!(keys.snapshot(&commit, path).is_err(), "{path}");
            assert!(keys.no_exist(&commit, path).is_err(), "{path}");
        }
        for revision in ["..", "a/../b", ".hidden", "refs/../x", "a\\b", "x\ny"] {
            assert!(Revision::parse(revision).is_err(), "{revision}");
        }
        let blob = BlobId::from_etag(SHA1).unwrap();
        for nonce in ["", "../x", "zz", "0123456789abcdef0"] {
            assert_eq!(keys.temp_blob(&blob, nonce), Err(CacheKeyError::BadNonce), "{nonce}");
        }
    }
}
