//! Checking a commit's operations before anything is sent: every path is a valid repo path and
//! no path is touched twice (the Hub would apply both in order and the caller would not get
//! what either operation says). A caller's mistake is refused whole: nothing is uploaded, so
//! nothing is half-committed.

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::fmt;

use crate::repo::{validate_path, PathError};

/// What one operation does to a path, for validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    /// Add or replace a file.
    AddOrUpdate,
    /// Delete a file.
    DeleteFile,
    /// Delete everything under a folder.
    DeleteFolder,
    /// Copy `from` (a file of the parent commit) to the path.
    Copy,
}

/// One operation as validation sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedOperation<'a> {
    pub kind: OperationKind,
    pub path: &'a str,
    /// The source of a copy.
    pub from: Option<&'a str>,
}

/// Why a list of operations was refused; `index` is the operation's position (0-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationError {
    /// Nothing to commit.
    Empty,
    InvalidPath {
        index: usize,
        path: String,
        error: PathError,
    },
    /// A copy without a source path.
    MissingSource {
        index: usize,
    },
    /// Two operations on one path.
    DuplicatePath {
        first: usize,
        second: usize,
        path: String,
    },
    /// A copy whose source is also written, deleted or under a deleted folder in this commit: the
    /// copy reads the parent commit, which the caller probably did not mean.
    SourceChanged {
        index: usize,
        from: String,
    },
    /// More operations than one commit may hold.
    TooMany {
        limit: usize,
    },
}

impl fmt::Display for OperationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperationError::Empty => f.write_str("a commit needs at least one operation"),
            OperationError::InvalidPath { index, path, error } => {
                write!(f, "operations[{index}]: invalid path in repo {path:?}: {error}")
            }
            OperationError::MissingSource { index } => write!(f, "operations[{index}]: a copy needs `from`"),
            OperationError::DuplicatePath { first, second, path } => {
                write!(f, "operations[{first}] and operations[{second}] both change {path:?}")
            }
            OperationError::SourceChanged { index, from } => {
                write!(f, "operations[{index}] copies {from:?}, which this commit also changes")
            }
            OperationError::TooMany { limit } => write!(f, "a commit holds at most {limit} operations"),
        }
    }
}

impl core::error::Error for OperationError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            OperationError::InvalidPath { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// The most operations one commit may hold (the commit parser's default limit).
pub const MAX_OPERATIONS: usize = 100_000;

/// Checks `operations` as a whole. Folder paths may be given with a trailing `/`.
pub fn validate_operations(operations: &[PlannedOperation<'_>]) -> Result<(), OperationError> {
    if operations.is_empty() {
        return Err(OperationError::Empty);
    }
    if operations.len() > MAX_OPERATIONS {
        return Err(OperationError::TooMany { limit: MAX_OPERATIONS });
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, op) in operations.iter().enumerate() {
        let path = folder_name(op);
        validate_path(path).map_err(|error| OperationError::InvalidPath { index, path: op.path.into(), error })?;
        if op.kind == OperationKind::Copy {
            let from = op.from.ok_or(OperationError::MissingSource { index })?;
            validate_path(from).map_err(|error| OperationError::InvalidPath { index, path: from.into(), error })?;
        }
        if let Some(first) = seen.insert(path, index) {
            return Err(OperationError::DuplicatePath { first, second: index, path: path.into() });
        }
    }
    for (index, op) in operations.iter().enumerate() {
        let Some(from) = op.from.filter(|_| op.kind == OperationKind::Copy) else { continue };
        let changed = operations.iter().any(|other| match other.kind {
            OperationKind::DeleteFolder => {
                let folder = folder_name(other);
                from.len() > folder.len() && from.starts_with(folder) && from.as_bytes()[folder.len()] == b'/'
            }
            _ => other.path == from,
        });
        if changed {
            return Err(OperationError::SourceChanged { index, from: from.into() });
        }
    }
    Ok(())
}

/// The path, without the trailing `/` a folder deletion may carry.
fn folder_name<'a>(op: &PlannedOperation<'a>) -> &'a str {
    match op.kind {
        OperationKind::DeleteFolder => op.path.strip_suffix('/').unwrap_or(op.path),
        _ => op.path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: OperationKind, path: &str) -> PlannedOperation<'_> {
        PlannedOperation { kind, path, from: None }
    }

    #[test]
    fn an_ordinary_commit_passes() {
        let ops = [
            op(OperationKind::AddOrUpdate, "a.txt"),
            op(OperationKind::DeleteFile, "old.bin"),
            op(OperationKind::DeleteFolder, "logs/"),
            PlannedOperation { kind: OperationKind::Copy, path: "b.txt", from: Some("c.txt") },
        ];
        assert_eq!(validate_operations(&ops), Ok(()));
    }

    // The bad input issue #12 item 6 names: `..`, absolute, empty, backslashes, duplicates.
    #[test]
    fn bad_paths_and_duplicates_are_refused() {
        assert_eq!(validate_operations(&[]), Err(OperationError::Empty));
        for bad in ["../x", "/etc/passwd", "", "a\\b", "a/./b"] {
            let err = validate_operations(&[op(OperationKind::AddOrUpdate, bad)]).unwrap_err();
            assert!(matches!(err, OperationError::InvalidPath { index: 0, .. }), "{bad:?}: {err}");
        }
        let dup = [
            op(OperationKind::AddOrUpdate, "a"),
            op(OperationKind::DeleteFile, "b"),
            op(OperationKind::DeleteFile, "a"),
        ];
        assert_eq!(
            validate_operations(&dup),
            Err(OperationError::DuplicatePath { first: 0, second: 2, path: "a".into() })
        );
        let folder_twice = [op(OperationKind::DeleteFolder, "d/"), op(OperationKind::DeleteFolder, "d")];
        assert!(matches!(validate_operations(&folder_twice), Err(OperationError::DuplicatePath { .. })));
    }

    #[test]
    fn copies_need_an_unchanged_valid_source() {
        let no_source = [op(OperationKind::Copy, "b")];
        assert_eq!(validate_operations(&no_source), Err(OperationError::MissingSource { index: 0 }));
        let bad_source = [PlannedOperation { kind: OperationKind::Copy, path: "b", from: Some("../a") }];
        assert!(matches!(validate_operations(&bad_source), Err(OperationError::InvalidPath { .. })));
        let deleted = [
            op(OperationKind::DeleteFolder, "dir"),
            PlannedOperation { kind: OperationKind::Copy, path: "b", from: Some("dir/a") },
        ];
        assert_eq!(
            validate_operations(&deleted),
            Err(OperationError::SourceChanged { index: 1, from: "dir/a".into() })
        );
        let sibling = [
            op(OperationKind::DeleteFolder, "dir"),
            PlannedOperation { kind: OperationKind::Copy, path: "b", from: Some("dirx/a") },
        ];
        assert_eq!(validate_operations(&sibling), Ok(()));
    }
}
