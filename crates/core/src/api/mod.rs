//! The Hub's JSON answers that clients read first (spec: hub-api.md §2, §3, §6.5, §7, §8), and
//! the mapping of error answers to an [`ApiErrorKind`] (§5). Fields absent from an answer take
//! their defaults; unknown fields are ignored, so newer Hub answers still parse.

mod error;

pub use error::{error_message_from_body, ApiError, ApiErrorKind};

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// What a tree or paths-info entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Directory,
    /// Anything newer (huggingface.js allows `"unknown"`).
    #[serde(other)]
    Unknown,
}

/// `lfs` of an entry: the LFS object behind a pointer file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LfsInfo {
    /// SHA-256 of the content, hex.
    pub oid: String,
    pub size: u64,
    /// Size of the pointer file committed in git (typically 134).
    #[serde(default)]
    pub pointer_size: u64,
}

/// `lastCommit` of an entry (with `expand=true`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCommit {
    pub id: String,
    #[serde(default)]
    pub title: String,
    /// ISO-8601.
    #[serde(default)]
    pub date: String,
}

/// One entry of `GET …/tree/{rev}[/{path}]` or `POST …/paths-info/{rev}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeEntry {
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// Git object id: the blob's (the pointer's for LFS files) or the tree's.
    pub oid: String,
    /// The real content size for files (LFS size, not pointer size); 0 for folders.
    #[serde(default)]
    pub size: u64,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs: Option<LfsInfo>,
    /// 64-hex Xet file hash, for files stored in Xet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xet_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<LastCommit>,
}

/// An organisation in a whoami answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmIOrg {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The token part of a whoami answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    #[serde(default)]
    pub display_name: String,
    /// `read`, `write`, `contributor`, `admin` or `fineGrained`.
    #[serde(default)]
    pub role: String,
}

/// `auth` of a whoami answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmIAuth {
    /// `access_token`, `app_token`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessToken>,
}

/// `GET /api/whoami-v2`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    /// `user`, `org` or `app`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user name: the namespace of the caller's repos.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub orgs: Vec<WhoAmIOrg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<WhoAmIAuth>,
}

/// `POST …/commit/{rev}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitAnswer {
    #[serde(default = "yes")]
    pub success: bool,
    pub commit_oid: String,
    pub commit_url: String,
    #[serde(default)]
    pub hook_output: String,
    /// With `create_pr=1`: `…/discussions/{N}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request_url: Option<String>,
}

fn yes() -> bool {
    true
}

impl CommitAnswer {
    /// The PR number, from the trailing `/discussions/{N}` of the URL (what huggingface_hub reads).
    pub fn pull_request_number(&self) -> Option<u64> {
        let url = self.pull_request_url.as_deref()?;
        let (_, number) = url.trim_end_matches('/').rsplit_once("/discussions/")?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        number.parse().ok()
    }
}

/// How the commit endpoint wants a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadMode {
    Lfs,
    Regular,
}

/// One file of a preupload answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreuploadFile {
    pub path: String,
    pub upload_mode: UploadMode,
    /// The path matches the repo's `.gitignore`: leave it out of the commit.
    #[serde(default)]
    pub should_ignore: bool,
    /// Present when the path exists at the revision: blob sha1 (regular) or sha256 (LFS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
}

/// `POST …/preupload/{rev}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreuploadAnswer {
    pub files: Vec<PreuploadFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_oid: Option<String>,
}

#[cfg(test)]
mod tests;
