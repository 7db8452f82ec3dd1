//! The `range` option of a download: `[start, end]`, both inclusive, as in HTTP's `Range: bytes=start-end`.
//!
//! Semantics (RFC 9110 §14.1.2, the same for regular, LFS and Xet files): `end` past the last byte is
//! clamped to it; `start` at or past the end of the file is unsatisfiable (what a server answers with
//! 416); `start > end` is refused. No range means the whole file, which may be empty.

use alloc::format;
use alloc::string::String;
use core::fmt;

/// The bytes of a file a download delivers: `start .. start + len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileSpan {
    pub start: u64,
    pub len: u64,
    /// The whole file's size.
    pub file_size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanError {
    /// `start > end`.
    Reversed { start: u64, end: u64 },
    /// `start` is not inside the file (HTTP 416).
    Unsatisfiable { start: u64, file_size: u64 },
}

impl fmt::Display for SpanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpanError::Reversed { start, end } => write!(f, "range [{start}, {end}] ends before it starts"),
            SpanError::Unsatisfiable { start, file_size } => {
                write!(f, "range starts at byte {start}, past the end of a {file_size}-byte file")
            }
        }
    }
}

impl core::error::Error for SpanError {}

impl FileSpan {
    /// Checks `range` (inclusive `[start, end]`) against a file of `file_size` bytes.
    pub fn new(range: Option<[u64; 2]>, file_size: u64) -> Result<Self, SpanError> {
        let Some([start, end]) = range else { return Ok(Self { start: 0, len: file_size, file_size }) };
        if start > end {
            return Err(SpanError::Reversed { start, end });
        }
        if start >= file_size {
            return Err(SpanError::Unsatisfiable { start, file_size });
        }
        let last = end.min(file_size - 1);
        Ok(Self { start, len: last - start + 1, file_size })
    }

    /// The whole file, not a part of it.
    pub fn is_whole_file(&self) -> bool {
        self.start == 0 && self.len == self.file_size
    }

    /// One past the last byte.
    pub fn end_exclusive(&self) -> u64 {
        self.start + self.len
    }

    /// The `Range` header asking for the bytes from `offset` (absolute in the file) to the span's end,
    /// or `None` when that is the whole file (nothing to restrict) or nothing is left.
    pub fn range_header_from(&self, offset: u64) -> Option<String> {
        if offset >= self.end_exclusive() || (offset == 0 && self.is_whole_file()) {
            return None;
        }
        Some(format!("bytes={offset}-{}", self.end_exclusive() - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_semantics_of_inclusive_ranges() {
        assert_eq!(FileSpan::new(None, 10).unwrap(), FileSpan { start: 0, len: 10, file_size: 10 });
        assert_eq!(FileSpan::new(Some([0, 0]), 10).unwrap().len, 1);
        assert_eq!(FileSpan::new(Some([2, 5]), 10).unwrap(), FileSpan { start: 2, len: 4, file_size: 10 });
        // An end past the file is clamped, as a server clamps `bytes=9-100`.
        assert_eq!(FileSpan::new(Some([9, 100]), 10).unwrap().len, 1);
        assert_eq!(FileSpan::new(Some([0, u64::MAX]), 10).unwrap().len, 10);
        assert_eq!(FileSpan::new(Some([10, 12]), 10), Err(SpanError::Unsatisfiable { start: 10, file_size: 10 }));
        assert_eq!(FileSpan::new(Some([0, 0]), 0), Err(SpanError::Unsatisfiable { start: 0, file_size: 0 }));
        assert_eq!(FileSpan::new(Some([5, 4]), 10), Err(SpanError::Reversed { start: 5, end: 4 }));
        assert!(FileSpan::new(None, 0).unwrap().is_whole_file());
    }

    #[test]
    fn range_headers_resume_from_an_offset() {
        let whole = FileSpan::new(None, 10).unwrap();
        assert_eq!(whole.range_header_from(0), None);
        assert_eq!(whole.range_header_from(4).as_deref(), Some("bytes=4-9"));
        assert_eq!(whole.range_header_from(10), None);
        let part = FileSpan::new(Some([2, 5]), 10).unwrap();
        assert_eq!(part.range_header_from(2).as_deref(), Some("bytes=2-5"));
        assert_eq!(part.range_header_from(5).as_deref(), Some("bytes=5-5"));
        assert_eq!(part.range_header_from(6), None);
    }
}
