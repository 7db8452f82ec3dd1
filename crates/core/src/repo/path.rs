//! In-repo file paths: what a commit may create, delete or read.

use core::fmt;

/// Why an in-repo path was refused. Offsets are byte positions in the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    Empty,
    /// Starts with `/`: paths are relative to the repo root.
    Absolute,
    /// `a//b` or a trailing `/`.
    EmptySegment {
        offset: usize,
    },
    /// A `.` or `..` segment.
    DotSegment {
        offset: usize,
    },
    /// `\`: a separator on Windows, so `a\..\b` would escape on a client's disk.
    Backslash {
        offset: usize,
    },
    /// The NUL byte.
    Nul {
        offset: usize,
    },
    /// Another control character (U+0001–U+001F, U+007F).
    ControlCharacter {
        offset: usize,
    },
    /// A `.git` segment: git's own directory is not content.
    GitDirectory {
        offset: usize,
    },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Empty => f.write_str("the path is empty"),
            PathError::Absolute => f.write_str("the path starts with '/': give it relative to the repo root"),
            PathError::EmptySegment { offset } => {
                write!(f, "empty path segment at byte {offset} ('//' or a trailing '/')")
            }
            PathError::DotSegment { offset } => write!(f, "'.' or '..' segment at byte {offset}"),
            PathError::Backslash { offset } => write!(f, "backslash at byte {offset}: use '/' to separate folders"),
            PathError::Nul { offset } => write!(f, "NUL byte at byte {offset}"),
            PathError::ControlCharacter { offset } => write!(f, "control character at byte {offset}"),
            PathError::GitDirectory { offset } => {
                write!(f, "'.git' segment at byte {offset}: git's directory is not content")
            }
        }
    }
}

impl core::error::Error for PathError {}

/// Checks a repo-relative path (`folder/file.txt`). Refused: empty, absolute, empty / `.` / `..`
/// / `.git` segments, backslashes, NUL and other control characters. Accepted paths are used as
/// they are: this never rewrites one (callers that tolerate a leading `/`, as the Hub's commit
/// endpoint does, strip it first).
pub fn validate_path(path: &str) -> Result<(), PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.starts_with('/') {
        return Err(PathError::Absolute);
    }
    if let Some((offset, b)) = path.bytes().enumerate().find(|&(_, b)| b < 0x20 || b == 0x7f || b == b'\\') {
        return Err(match b {
            0 => PathError::Nul { offset },
            b'\\' => PathError::Backslash { offset },
            _ => PathError::ControlCharacter { offset },
        });
    }
    let mut offset = 0;
    for segment in path.split('/') {
        match segment {
            "" => return Err(PathError::EmptySegment { offset }),
            "." | ".." => return Err(PathError::DotSegment { offset }),
            ".git" => return Err(PathError::GitDirectory { offset }),
            _ => {}
        }
        offset += segment.len() + 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_pass() {
        for ok in
            ["a", "a/b.txt", ".gitattributes", "dir/.hidden", "a.git/x", "x/.github/y", "名前/ファイル", "a b/c d"]
        {
            assert_eq!(validate_path(ok), Ok(()), "{ok}");
        }
    }

    // What localhub's check_path refused, plus what huggingface_hub's _validate_path_in_repo
    // refuses (".." and ".git" parts) and the hardening of issue #8.
    #[test]
    fn unsafe_paths_are_typed_errors() {
        let cases = [
            ("", PathError::Empty),
            ("/etc/passwd", PathError::Absolute),
            ("a//b", PathError::EmptySegment { offset: 2 }),
            ("a/", PathError::EmptySegment { offset: 2 }),
            ("./a", PathError::DotSegment { offset: 0 }),
            ("a/../b", PathError::DotSegment { offset: 2 }),
            ("..", PathError::DotSegment { offset: 0 }),
            ("a\\..\\b", PathError::Backslash { offset: 1 }),
            ("a\0b", PathError::Nul { offset: 1 }),
            ("a\nb", PathError::ControlCharacter { offset: 1 }),
            ("a\x7f", PathError::ControlCharacter { offset: 1 }),
            (".git/config", PathError::GitDirectory { offset: 0 }),
            ("sub/.git/hooks/x", PathError::GitDirectory { offset: 4 }),
            (".git", PathError::GitDirectory { offset: 0 }),
        ];
        for (path, error) in cases {
            assert_eq!(validate_path(path), Err(error), "{path:?}");
        }
    }
}
