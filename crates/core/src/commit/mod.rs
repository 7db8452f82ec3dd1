//! The NDJSON body of `POST /api/{type}s/{id}/commit/{rev}` (spec: hub-api.md §8): one JSON
//! object per line, `{"key": …, "value": {…}}`, a `header` line first, then `file`, `lfsFile`,
//! `deletedFile` and `deletedFolder` lines. [`parse_commit_body`] reads it (the server side),
//! with limits on the body, each line and the number of operations; [`write_commit_body`] and
//! the `write_line` methods write it (the client side). A copy, as clients send it, is an
//! `lfsFile` line without `size` naming content the repo already has, or a `file` line.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use crate::repo::{validate_path, PathError};

pub mod operations;
pub mod upload;

/// The commit's message and base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitHeader {
    /// The title line; never empty or blank.
    pub summary: String,
    pub description: String,
    /// The commit the client based its changes on: the branch must still point there (else 412),
    /// or, with `create_pr`, the PR's base.
    pub parent_commit: Option<String>,
}

/// One change a commit makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitOperation {
    /// A regular (non-LFS) file, content inline.
    File {
        path: String,
        content: Vec<u8>,
    },
    /// An LFS file whose content is already uploaded: its SHA-256 (64 lowercase hex digits) and,
    /// except for copies, its size.
    LfsFile {
        path: String,
        sha256: String,
        size: Option<u64>,
    },
    DeletedFile {
        path: String,
    },
    /// Everything under `path/` (given without the trailing `/` clients send).
    DeletedFolder {
        path: String,
    },
}

impl CommitOperation {
    pub fn path(&self) -> &str {
        match self {
            CommitOperation::File { path, .. }
            | CommitOperation::LfsFile { path, .. }
            | CommitOperation::DeletedFile { path }
            | CommitOperation::DeletedFolder { path } => path,
        }
    }
}

/// A whole parsed commit body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitBody {
    pub header: CommitHeader,
    pub operations: Vec<CommitOperation>,
}

/// Bounds on what one commit body may make the parser hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitLimits {
    pub max_body_bytes: usize,
    pub max_line_bytes: usize,
    pub max_operations: usize,
    /// Largest regular file (decoded): the Hub refuses larger ones and asks for LFS.
    pub max_file_bytes: usize,
}

/// The Hub's 10 MiB limit on regular files.
pub const MAX_REGULAR_FILE_BYTES: usize = 10 << 20;

impl Default for CommitLimits {
    /// 1 GiB of body, 16 MiB a line (a 10 MiB file in base64 is 13.4 MiB), 100 000 operations,
    /// 10 MiB a regular file.
    fn default() -> Self {
        CommitLimits {
            max_body_bytes: 1 << 30,
            max_line_bytes: 16 << 20,
            max_operations: 100_000,
            max_file_bytes: MAX_REGULAR_FILE_BYTES,
        }
    }
}

/// Why a commit body was refused. `line` is 1-based; text quoted from the body is cut to 64 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitBodyError {
    BodyTooLarge {
        limit: usize,
    },
    LineTooLong {
        line: usize,
        limit: usize,
    },
    TooManyOperations {
        limit: usize,
    },
    /// The line is not a JSON object with a string `key` (the parser's message).
    InvalidJson {
        line: usize,
        message: String,
    },
    /// No `header` line at all.
    MissingHeader,
    /// An operation came before the header.
    HeaderNotFirst {
        line: usize,
    },
    DuplicateHeader {
        line: usize,
    },
    EmptySummary {
        line: usize,
    },
    UnknownKey {
        line: usize,
        key: String,
    },
    /// A required field is absent or not of its JSON type.
    MissingField {
        line: usize,
        field: &'static str,
    },
    InvalidBase64 {
        line: usize,
    },
    UnknownEncoding {
        line: usize,
        encoding: String,
    },
    /// `lfsFile.oid` is not a SHA-256 in hex.
    InvalidOid {
        line: usize,
    },
    UnsupportedAlgorithm {
        line: usize,
        algo: String,
    },
    InvalidPath {
        line: usize,
        path: String,
        error: PathError,
    },
    /// A regular file over [`CommitLimits::max_file_bytes`]: it must go through LFS.
    FileTooLarge {
        line: usize,
        path: String,
        size: usize,
        limit: usize,
    },
}

impl fmt::Display for CommitBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CommitBodyError::*;
        match self {
            BodyTooLarge { limit } => write!(f, "the commit body is larger than {limit} bytes"),
            LineTooLong { line, limit } => write!(f, "line {line}: longer than {limit} bytes"),
            TooManyOperations { limit } => write!(f, "the commit has more than {limit} operations"),
            InvalidJson { line, message } => write!(f, "line {line}: {message}"),
            MissingHeader => f.write_str("missing header line"),
            HeaderNotFirst { line } => write!(f, "line {line}: the header line must come first"),
            DuplicateHeader { line } => write!(f, "line {line}: a second header line"),
            EmptySummary { line } => write!(f, "line {line}: the summary must not be empty"),
            UnknownKey { line, key } => write!(f, "line {line}: unknown key {key:?}"),
            MissingField { line, field } => write!(f, "line {line}: {field} is required"),
            InvalidBase64 { line } => write!(f, "line {line}: invalid base64 content"),
            UnknownEncoding { line, encoding } => {
                write!(f, "line {line}: unknown encoding {encoding:?} (base64 or utf-8)")
            }
            InvalidOid { line } => write!(f, "line {line}: lfsFile.oid must be a sha256"),
            UnsupportedAlgorithm { line, algo } => write!(f, "line {line}: unsupported algo {algo:?} (sha256)"),
            InvalidPath { line, path, error } => write!(f, "line {line}: invalid path in repo {path:?}: {error}"),
            FileTooLarge { line, path, size, limit } => write!(
                f,
                "line {line}: {path} is {size} bytes, larger than {limit} bytes for a regular file: use LFS (Xet)"
            ),
        }
    }
}

impl core::error::Error for CommitBodyError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            CommitBodyError::InvalidPath { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Text from the body, cut to 64 bytes (at a char boundary) for an error message.
fn quoted(text: &str) -> String {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Reads a commit body. Blank lines are skipped; `\r\n` line ends are fine. Paths may carry a
/// leading `/` (dropped, as the Hub does) and `deletedFolder` paths a trailing `/`; what is left
/// must pass [`validate_path`]. A `file` is base64 unless `encoding` is `utf-8`.
pub fn parse_commit_body(body: &[u8], limits: &CommitLimits) -> Result<CommitBody, CommitBodyError> {
    if body.len() > limits.max_body_bytes {
        return Err(CommitBodyError::BodyTooLarge { limit: limits.max_body_bytes });
    }
    let mut header = None;
    let mut operations = Vec::new();
    for (index, line) in body.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        if line.len() > limits.max_line_bytes {
            return Err(CommitBodyError::LineTooLong { line: number, limit: limits.max_line_bytes });
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (key, value) = parse_line(line, number)?;
        if key == "header" {
            if header.is_some() {
                return Err(CommitBodyError::DuplicateHeader { line: number });
            }
            header = Some(parse_header(&value, number)?);
            continue;
        }
        if header.is_none() {
            return Err(match key.as_str() {
                "file" | "lfsFile" | "deletedFile" | "deletedFolder" => {
                    CommitBodyError::HeaderNotFirst { line: number }
                }
                _ => CommitBodyError::UnknownKey { line: number, key: quoted(&key) },
            });
        }
        if operations.len() == limits.max_operations {
            return Err(CommitBodyError::TooManyOperations { limit: limits.max_operations });
        }
        operations.push(parse_operation(&key, &value, number, limits)?);
    }
    let header = header.ok_or(CommitBodyError::MissingHeader)?;
    Ok(CommitBody { header, operations })
}

fn parse_line(line: &[u8], number: usize) -> Result<(String, Value), CommitBodyError> {
    #[derive(serde::Deserialize)]
    struct Line {
        key: String,
        #[serde(default)]
        value: Value,
    }
    let parsed: Line = serde_json::from_slice(line)
        .map_err(|e| CommitBodyError::InvalidJson { line: number, message: e.to_string() })?;
    Ok((parsed.key, parsed.value))
}

fn string_field<'v>(value: &'v Value, field: &'static str, line: usize) -> Result<&'v str, CommitBodyError> {
    value.get(field).and_then(Value::as_str).ok_or(CommitBodyError::MissingField { line, field })
}

/// An optional field: absent and `null` are `None`; any other non-string is an error.
fn optional_string<'v>(value: &'v Value, field: &'static str, line: usize) -> Result<Option<&'v str>, CommitBodyError> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(CommitBodyError::MissingField { line, field }),
    }
}

fn parse_header(value: &Value, line: usize) -> Result<CommitHeader, CommitBodyError> {
    let summary = optional_string(value, "summary", line)?.unwrap_or_default();
    if summary.trim().is_empty() {
        return Err(CommitBodyError::EmptySummary { line });
    }
    Ok(CommitHeader {
        summary: summary.into(),
        description: optional_string(value, "description", line)?.unwrap_or_default().into(),
        parent_commit: optional_string(value, "parentCommit", line)?.map(String::from),
    })
}

fn repo_path(raw: &str, line: usize, folder: bool) -> Result<String, CommitBodyError> {
    let mut path = raw.trim_start_matches('/');
    if folder {
        path = path.trim_end_matches('/');
    }
    validate_path(path).map_err(|error| CommitBodyError::InvalidPath { line, path: quoted(raw), error })?;
    Ok(path.into())
}

fn parse_operation(
    key: &str,
    value: &Value,
    line: usize,
    limits: &CommitLimits,
) -> Result<CommitOperation, CommitBodyError> {
    let path = |folder| repo_path(string_field(value, "path", line)?, line, folder);
    match key {
        "file" => {
            let path = path(false)?;
            let content = optional_string(value, "content", line)?.unwrap_or_default();
            let content = match optional_string(value, "encoding", line)? {
                None => decode_base64(content, line)?,
                Some(e) if e.eq_ignore_ascii_case("base64") => decode_base64(content, line)?,
                Some(e) if e.eq_ignore_ascii_case("utf-8") || e.eq_ignore_ascii_case("utf8") => {
                    content.as_bytes().to_vec()
                }
                Some(other) => return Err(CommitBodyError::UnknownEncoding { line, encoding: quoted(other) }),
            };
            if content.len() > limits.max_file_bytes {
                return Err(CommitBodyError::FileTooLarge {
                    line,
                    path,
                    size: content.len(),
                    limit: limits.max_file_bytes,
                });
            }
            Ok(CommitOperation::File { path, content })
        }
        "lfsFile" => {
            let path = path(false)?;
            if let Some(algo) = optional_string(value, "algo", line)? {
                if algo != "sha256" {
                    return Err(CommitBodyError::UnsupportedAlgorithm { line, algo: quoted(algo) });
                }
            }
            let oid = optional_string(value, "oid", line)?.unwrap_or_default();
            if oid.len() != 64 || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(CommitBodyError::InvalidOid { line });
            }
            let size = match value.get("size") {
                None | Some(Value::Null) => None,
                Some(size) => Some(size.as_u64().ok_or(CommitBodyError::MissingField { line, field: "size" })?),
            };
            Ok(CommitOperation::LfsFile { path, sha256: oid.to_ascii_lowercase(), size })
        }
        "deletedFile" => Ok(CommitOperation::DeletedFile { path: path(false)? }),
        "deletedFolder" => Ok(CommitOperation::DeletedFolder { path: path(true)? }),
        other => Err(CommitBodyError::UnknownKey { line, key: quoted(other) }),
    }
}

fn decode_base64(content: &str, line: usize) -> Result<Vec<u8>, CommitBodyError> {
    base64::engine::general_purpose::STANDARD.decode(content).map_err(|_| CommitBodyError::InvalidBase64 { line })
}

#[derive(Serialize)]
struct Line<'a, V> {
    key: &'a str,
    value: V,
}

impl CommitHeader {
    /// Appends the `header` line (with its `\n`).
    pub fn write_line(&self, out: &mut Vec<u8>) {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Header<'a> {
            summary: &'a str,
            description: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            parent_commit: Option<&'a str>,
        }
        let value = Header {
            summary: &self.summary,
            description: &self.description,
            parent_commit: self.parent_commit.as_deref(),
        };
        push_line(out, &Line { key: "header", value });
    }
}

impl CommitOperation {
    /// Appends this operation's line (with its `\n`); file content goes as base64.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        #[derive(Serialize)]
        struct File<'a> {
            path: &'a str,
            content: String,
            encoding: &'static str,
        }
        #[derive(Serialize)]
        struct Lfs<'a> {
            path: &'a str,
            algo: &'static str,
            oid: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            size: Option<u64>,
        }
        #[derive(Serialize)]
        struct Path<'a> {
            path: &'a str,
        }
        match self {
            CommitOperation::File { path, content } => {
                let content = base64::engine::general_purpose::STANDARD.encode(content);
                push_line(out, &Line { key: "file", value: File { path, content, encoding: "base64" } })
            }
            CommitOperation::LfsFile { path, sha256, size } => {
                push_line(out, &Line { key: "lfsFile", value: Lfs { path, algo: "sha256", oid: sha256, size: *size } })
            }
            CommitOperation::DeletedFile { path } => push_line(out, &Line { key: "deletedFile", value: Path { path } }),
            // Python's form, with the trailing `/`.
            CommitOperation::DeletedFolder { path } => {
                let mut folder = String::with_capacity(path.len() + 1);
                folder.push_str(path);
                folder.push('/');
                push_line(out, &Line { key: "deletedFolder", value: Path { path: &folder } })
            }
        }
    }
}

fn push_line<T: Serialize>(out: &mut Vec<u8>, line: &T) {
    // Serializing these plain structs of strings and numbers cannot fail.
    if let Ok(bytes) = serde_json::to_vec(line) {
        out.extend_from_slice(&bytes);
    }
    out.push(b'\n');
}

/// The whole NDJSON body: the header line, then one line per operation.
pub fn write_commit_body(header: &CommitHeader, operations: &[CommitOperation]) -> Vec<u8> {
    let mut out = Vec::new();
    header.write_line(&mut out);
    for op in operations {
        op.write_line(&mut out);
    }
    out
}

#[cfg(test)]
mod tests;
