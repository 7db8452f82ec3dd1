//! What a file is and where its bytes live, from the answers a client can read (hub-api.md §4.1–4.2,
//! xet-protocol.md §7.2):
//! - the headers of `GET`/`HEAD resolve/{rev}/{path}` when redirects are not followed (Node, Deno,
//!   workerd): a 200 for a regular file, a 302 to storage for LFS/Xet content;
//! - the `application/vnd.xet-fileinfo+json` answer a browser gets for a Xet file (it cannot read a
//!   redirect's headers);
//! - a paths-info entry (`size`, `oid`, `lfs.oid`, `xetHash`).

use alloc::string::{String, ToString};

use serde::Deserialize;

use crate::api::TreeEntry;
use crate::http::link::find_link;
use crate::http::range::{parse_content_range, ContentRange};
use crate::repo::{RepoId, Revision};
use crate::xet::XetHash;

/// How the file's bytes are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A git blob served by resolve itself; the etag is the blob id (sha1).
    Regular,
    /// A Git LFS object: `sha256` of the content, fetched from `storage_url` (another origin, no
    /// Authorization) when the answer named it.
    Lfs { sha256: String, storage_url: Option<String> },
    /// A Xet file: its file hash and the route that hands out a CAS read token.
    Xet { hash: XetHash, refresh_url: String, sha256: Option<String> },
}

/// A file to download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub size: u64,
    /// Without quotes or `W/`: the blob id for regular files, the sha256 for LFS and Xet files.
    pub etag: String,
    /// `X-Repo-Commit`, when the answer carried it.
    pub commit: Option<String>,
    pub kind: FileKind,
}

impl FileInfo {
    pub fn xet_hash(&self) -> Option<XetHash> {
        match &self.kind {
            FileKind::Xet { hash, .. } => Some(*hash),
            _ => None,
        }
    }
}

/// The headers of a resolve answer that matter here (names are case-insensitive on the wire; the
/// caller looks them up).
#[derive(Clone, Copy, Debug, Default)]
pub struct ResolveHeaders<'a> {
    pub etag: Option<&'a str>,
    pub linked_etag: Option<&'a str>,
    pub linked_size: Option<&'a str>,
    pub content_length: Option<&'a str>,
    pub content_range: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub repo_commit: Option<&'a str>,
    pub location: Option<&'a str>,
    pub xet_hash: Option<&'a str>,
    pub link: Option<&'a str>,
    pub xet_refresh_route: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileInfoError {
    /// A header every client requires is absent (`ETag`, or any size).
    MissingHeader(&'static str),
    /// A header is present but unreadable.
    BadHeader(&'static str),
    /// The xet-fileinfo body is not the expected JSON.
    BadFileInfo { line: usize, column: usize },
    /// A Xet file without a token route (`Link rel="xet-auth"` or `X-Xet-Refresh-Route`).
    NoXetAuthRoute,
    /// The paths-info entry is a folder, not a file.
    NotAFile,
}

impl core::fmt::Display for FileInfoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FileInfoError::MissingHeader(h) => write!(f, "the resolve answer has no {h} header"),
            FileInfoError::BadHeader(h) => write!(f, "the resolve answer's {h} header is malformed"),
            FileInfoError::BadFileInfo { line, column } => {
                write!(f, "the xet file info is not the expected JSON (line {line}, column {column})")
            }
            FileInfoError::NoXetAuthRoute => f.write_str("a Xet file's answer names no route for a read token"),
            FileInfoError::NotAFile => f.write_str("the path is a folder, not a file"),
        }
    }
}

impl core::error::Error for FileInfoError {}

/// `"abc"`, `W/"abc"` → `abc` (Python strips both, hub-api.md §4.1).
pub fn normalize_etag(value: &str) -> String {
    let v = value.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"').to_string()
}

fn parse_u64(value: &str, name: &'static str) -> Result<u64, FileInfoError> {
    value.trim().parse().map_err(|_| FileInfoError::BadHeader(name))
}

fn xet_hash(value: &str) -> Result<XetHash, FileInfoError> {
    XetHash::from_hex(value.trim()).map_err(|_| FileInfoError::BadHeader("X-Xet-Hash"))
}

/// A 64-hex sha256, the form of an LFS oid.
fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl FileInfo {
    /// From a resolve answer read without following redirects: `status` 200/206 (regular file, or
    /// LFS/Xet served directly) or a 3xx to storage.
    pub fn from_resolve(status: u16, h: &ResolveHeaders<'_>) -> Result<Self, FileInfoError> {
        let redirect = (300..400).contains(&status);
        let size = if let Some(v) = h.linked_size {
            parse_u64(v, "X-Linked-Size")?
        } else if let Some(v) = h.content_range {
            match parse_content_range(v).map_err(|_| FileInfoError::BadHeader("Content-Range"))? {
                ContentRange::Bytes { size: Some(size), .. } | ContentRange::Unsatisfied { size } => size,
                ContentRange::Bytes { size: None, .. } => return Err(FileInfoError::MissingHeader("X-Linked-Size")),
            }
        } else if let (false, Some(v)) = (redirect, h.content_length) {
            // A redirect's Content-Length is its own body, not the file (hub-api.md §4.2).
            parse_u64(v, "Content-Length")?
        } else {
            return Err(FileInfoError::MissingHeader("X-Linked-Size"));
        };
        let etag = h.linked_etag.or(h.etag).map(normalize_etag).ok_or(FileInfoError::MissingHeader("ETag"))?;
        let commit = h.repo_commit.map(|c| c.trim().to_string());
        let kind = if let Some(hash) = h.xet_hash {
            let refresh_url = h
                .link
                .and_then(|l| find_link(l, "xet-auth"))
                .or(h.xet_refresh_route)
                .ok_or(FileInfoError::NoXetAuthRoute)?;
            let sha256 = Some(etag.clone()).filter(|e| is_sha256(e));
            FileKind::Xet { hash: xet_hash(hash)?, refresh_url: refresh_url.to_string(), sha256 }
        } else if h.linked_etag.is_some() && is_sha256(&etag) {
            FileKind::Lfs {
                sha256: etag.clone(),
                storage_url: h.location.filter(|_| redirect).map(ToString::to_string),
            }
        } else {
            FileKind::Regular
        };
        Ok(Self { size, etag, commit, kind })
    }

    /// From the `application/vnd.xet-fileinfo+json` answer (`hash`, `refreshUrl`, `etag`, `size`;
    /// `reconstructionUrl` is not needed: the token names the CAS). Headers fill what the body lacks.
    pub fn from_xet_fileinfo(body: &[u8], h: &ResolveHeaders<'_>) -> Result<Self, FileInfoError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            hash: String,
            refresh_url: String,
            #[serde(default)]
            etag: Option<String>,
            #[serde(default)]
            size: Option<u64>,
        }
        let wire: Wire = serde_json::from_slice(body)
            .map_err(|e| FileInfoError::BadFileInfo { line: e.line(), column: e.column() })?;
        let size = match (wire.size, h.linked_size) {
            (Some(s), _) => s,
            (None, Some(v)) => parse_u64(v, "X-Linked-Size")?,
            (None, None) => return Err(FileInfoError::MissingHeader("X-Linked-Size")),
        };
        let etag = wire
            .etag
            .as_deref()
            .or(h.linked_etag)
            .or(h.etag)
            .map(normalize_etag)
            .ok_or(FileInfoError::MissingHeader("ETag"))?;
        let sha256 = Some(etag.clone()).filter(|e| is_sha256(e));
        let hash = XetHash::from_hex(wire.hash.trim()).map_err(|_| FileInfoError::BadHeader("hash"))?;
        Ok(Self {
            size,
            etag,
            commit: h.repo_commit.map(|c| c.trim().to_string()),
            kind: FileKind::Xet { hash, refresh_url: wire.refresh_url, sha256 },
        })
    }

    /// From a paths-info entry (what a browser can read without redirects). `hub_url` without a
    /// trailing slash builds the token route the resolve answer would have linked.
    pub fn from_entry(
        entry: &TreeEntry,
        hub_url: &str,
        repo: &RepoId,
        revision: &Revision,
    ) -> Result<Self, FileInfoError> {
        if entry.kind != crate::api::EntryKind::File {
            return Err(FileInfoError::NotAFile);
        }
        let sha256 = entry.lfs.as_ref().map(|l| l.oid.clone());
        let etag = sha256.clone().unwrap_or_else(|| entry.oid.clone());
        let kind = match (&entry.xet_hash, &sha256) {
            (Some(hash), _) => FileKind::Xet {
                hash: XetHash::from_hex(hash).map_err(|_| FileInfoError::BadHeader("xetHash"))?,
                refresh_url: xet_read_token_url(hub_url, repo, revision),
                sha256,
            },
            (None, Some(sha)) => FileKind::Lfs { sha256: sha.clone(), storage_url: None },
            (None, None) => FileKind::Regular,
        };
        Ok(Self { size: entry.size, etag, commit: None, kind })
    }
}

/// `{hub}/api/{type}s/{id}/xet-read-token/{revision}` (xet-protocol.md §7.1).
pub fn xet_read_token_url(hub_url: &str, repo: &RepoId, revision: &Revision) -> String {
    let mut url = String::from(hub_url.trim_end_matches('/'));
    url.push_str(&repo.api_path());
    url.push_str("/xet-read-token/");
    url.push_str(&revision.url_encoded());
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{EntryKind, LfsInfo};

    const SHA: &str = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
    const XET: &str = "6b5a47b1d4fcc1a8e41a4d4e1a1de9d1b7d38e55f9e3c6a3e1a2b3c4d5e6f708";

    #[test]
    fn regular_file_answered_directly() {
        // localhub / an older Hub: 200 with ETag = blob id and Content-Length = size.
        let h = ResolveHeaders {
            etag: Some("\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\""),
            content_length: Some("42"),
            repo_commit: Some("0123456789abcdef0123456789abcdef01234567"),
            ..Default::default()
        };
        let info = FileInfo::from_resolve(200, &h).unwrap();
        assert_eq!(info.kind, FileKind::Regular);
        assert_eq!(info.size, 42);
        assert_eq!(info.etag, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert_eq!(info.commit.as_deref(), Some("0123456789abcdef0123456789abcdef01234567"));
        // A `bytes=0-0` probe: the size is Content-Range's total, not Content-Length.
        let h = ResolveHeaders {
            etag: Some("W/\"x\""),
            content_length: Some("1"),
            content_range: Some("bytes 0-0/77"),
            ..h
        };
        let info = FileInfo::from_resolve(206, &h).unwrap();
        assert_eq!((info.size, info.etag.as_str()), (77, "x"));
    }

    #[test]
    fn lfs_redirect_gives_the_storage_url_and_ignores_the_redirect_length() {
        let linked = alloc::format!("\"{SHA}\"");
        let h = ResolveHeaders {
            etag: Some(&linked),
            linked_etag: Some(&linked),
            linked_size: Some("1048576"),
            content_length: Some("913"),
            location: Some("https://cdn.example/lfs/abc?sig=1"),
            ..Default::default()
        };
        let info = FileInfo::from_resolve(302, &h).unwrap();
        assert_eq!(info.size, 1_048_576);
        assert_eq!(
            info.kind,
            FileKind::Lfs { sha256: SHA.into(), storage_url: Some("https://cdn.example/lfs/abc?sig=1".into()) }
        );
        // Without X-Linked-Size a redirect has no usable size.
        let h = ResolveHeaders { linked_size: None, ..h };
        assert_eq!(FileInfo::from_resolve(302, &h), Err(FileInfoError::MissingHeader("X-Linked-Size")));
    }

    #[test]
    fn xet_redirect_reads_the_hash_and_the_auth_link() {
        let link = "<https://hub/api/models/o/r/xet-read-token/c0ffee>; rel=\"xet-auth\", \
                    <https://cas/v1/reconstructions/x>; rel=\"xet-reconstruction-info\"";
        let h = ResolveHeaders {
            linked_etag: Some(SHA),
            linked_size: Some("5"),
            xet_hash: Some(XET),
            link: Some(link),
            ..Default::default()
        };
        let info = FileInfo::from_resolve(302, &h).unwrap();
        assert_eq!(info.xet_hash().unwrap().to_string(), XET);
        let FileKind::Xet { refresh_url, sha256, .. } = &info.kind else { panic!("not xet: {:?}", info.kind) };
        assert_eq!(refresh_url, "https://hub/api/models/o/r/xet-read-token/c0ffee");
        assert_eq!(sha256.as_deref(), Some(SHA));
        // The older X-Xet-Refresh-Route stands in for the link; neither is an error.
        let h2 = ResolveHeaders { link: None, xet_refresh_route: Some("https://hub/route"), ..h };
        assert!(matches!(FileInfo::from_resolve(302, &h2).unwrap().kind, FileKind::Xet { .. }));
        let h3 = ResolveHeaders { link: None, ..h };
        assert_eq!(FileInfo::from_resolve(302, &h3), Err(FileInfoError::NoXetAuthRoute));
        let h4 = ResolveHeaders { xet_hash: Some("zz"), ..h };
        assert_eq!(FileInfo::from_resolve(302, &h4), Err(FileInfoError::BadHeader("X-Xet-Hash")));
        let h5 = ResolveHeaders { linked_size: Some("-1"), ..h };
        assert_eq!(FileInfo::from_resolve(302, &h5), Err(FileInfoError::BadHeader("X-Linked-Size")));
    }

    #[test]
    fn xet_fileinfo_body_as_localhub_and_the_hub_send_it() {
        let body = alloc::format!(
            r#"{{"hash":"{XET}","refreshUrl":"http://h/api/models/o/r/xet-read-token/c","reconstructionUrl":"http://h/cas/v1/reconstructions/{XET}","etag":"{SHA}","size":12345}}"#
        );
        let info = FileInfo::from_xet_fileinfo(body.as_bytes(), &ResolveHeaders::default()).unwrap();
        assert_eq!(info.size, 12345);
        assert_eq!(info.etag, SHA);
        assert!(matches!(&info.kind, FileKind::Xet { refresh_url, .. } if refresh_url.ends_with("xet-read-token/c")));
        assert!(matches!(
            FileInfo::from_xet_fileinfo(b"{\"hash\":1}", &ResolveHeaders::default()),
            Err(FileInfoError::BadFileInfo { .. })
        ));
        let no_size = alloc::format!(r#"{{"hash":"{XET}","refreshUrl":"u"}}"#);
        assert_eq!(
            FileInfo::from_xet_fileinfo(no_size.as_bytes(), &ResolveHeaders::default()),
            Err(FileInfoError::MissingHeader("X-Linked-Size"))
        );
    }

    #[test]
    fn paths_info_entries_of_each_kind() {
        let repo = RepoId::parse("datasets/o/r").unwrap();
        let rev = Revision::parse("refs/pr/1").unwrap();
        let mut e = TreeEntry {
            kind: EntryKind::File,
            oid: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391".into(),
            size: 9,
            path: "a.txt".into(),
            lfs: None,
            xet_hash: None,
            last_commit: None,
        };
        let regular = FileInfo::from_entry(&e, "http://h/", &repo, &rev).unwrap();
        assert_eq!(
            (regular.kind, regular.etag.as_str()),
            (FileKind::Regular, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        );
        e.lfs = Some(LfsInfo { oid: SHA.into(), size: 9, pointer_size: 134 });
        let lfs = FileInfo::from_entry(&e, "http://h", &repo, &rev).unwrap();
        assert_eq!(lfs.kind, FileKind::Lfs { sha256: SHA.into(), storage_url: None });
        e.xet_hash = Some(XET.into());
        let xet = FileInfo::from_entry(&e, "http://h", &repo, &rev).unwrap();
        let FileKind::Xet { refresh_url, .. } = xet.kind else { panic!("not xet") };
        assert_eq!(refresh_url, "http://h/api/datasets/o/r/xet-read-token/refs%2Fpr%2F1");
        e.kind = EntryKind::Directory;
        assert_eq!(FileInfo::from_entry(&e, "http://h", &repo, &rev), Err(FileInfoError::NotAFile));
    }
}
