//! `Range: bytes=…` requests (RFC 9110 §14.1–14.4) and `Content-Range` answers.
//!
//! A server reads the header with [`parse_range`]: the ranges come back sorted, with overlapping
//! and adjacent ones merged (RFC 9110 §14.2 lets a server coalesce them), so the bytes served
//! never exceed the resource's size however the header is written. A header with more than
//! [`MAX_RANGE_SPECS`] ranges, or more than [`MAX_RANGES`] after merging, is ignored (the whole
//! resource is served, as the RFC allows for a header a server will not honour), so a request
//! cannot make the server assemble thousands of tiny parts.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Most ranges a header may list before it is ignored.
pub const MAX_RANGE_SPECS: usize = 256;
/// Most ranges served after merging; past that the whole resource is served.
pub const MAX_RANGES: usize = 32;

/// An inclusive byte range `start..=end` (the form both headers write).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSpan {
    pub start: u64,
    pub end: u64,
}

impl ByteSpan {
    /// Number of bytes (at least 1: a span is never empty).
    pub fn byte_count(&self) -> u64 {
        self.end.saturating_sub(self.start).saturating_add(1)
    }
}

/// What to serve for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RangeRequest {
    /// No usable `Range` header: 200 with the whole resource.
    Whole,
    /// 206: one span, or several for `multipart/byteranges`; sorted, disjoint, non-adjacent,
    /// within the resource, at most [`MAX_RANGES`].
    Spans(Vec<ByteSpan>),
    /// 416 with `Content-Range: bytes */{size}`: every range starts past the end.
    Unsatisfiable,
}

/// Reads a `Range` header value against a resource of `size` bytes. Forms: `bytes=a-b`, `a-`
/// (to the end), `-n` (the last n bytes), comma-separated; the unit is case-insensitive,
/// whitespace around items and empty list items are allowed. A syntax error anywhere makes
/// the header ignored ([`RangeRequest::Whole`]), as RFC 9110 asks.
pub fn parse_range(header: Option<&str>, size: u64) -> RangeRequest {
    let Some(value) = header.map(str::trim) else { return RangeRequest::Whole };
    let Some((unit, specs)) = value.split_once('=') else { return RangeRequest::Whole };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return RangeRequest::Whole;
    }
    let mut spans = Vec::new();
    let mut listed = 0;
    for spec in specs.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        listed += 1;
        if listed > MAX_RANGE_SPECS {
            return RangeRequest::Whole;
        }
        let Some((first, last)) = spec.split_once('-') else { return RangeRequest::Whole };
        let span = match (first.trim(), last.trim()) {
            ("", suffix) => match digits(suffix) {
                None => return RangeRequest::Whole,
                Some(0) => continue, // a zero-length suffix selects nothing
                Some(n) => ByteSpan { start: size.saturating_sub(n), end: size.saturating_sub(1) },
            },
            (first, "") => match digits(first) {
                None => return RangeRequest::Whole,
                Some(first) => ByteSpan { start: first, end: size.saturating_sub(1) },
            },
            (first, last) => match (digits(first), digits(last)) {
                (Some(first), Some(last)) if first <= last => {
                    ByteSpan { start: first, end: last.min(size.saturating_sub(1)) }
                }
                _ => return RangeRequest::Whole,
            },
        };
        if span.start < size {
            spans.push(span);
        }
    }
    if spans.is_empty() {
        return if listed == 0 { RangeRequest::Whole } else { RangeRequest::Unsatisfiable };
    }
    let merged = merge(spans);
    if merged.len() > MAX_RANGES {
        return RangeRequest::Whole;
    }
    RangeRequest::Spans(merged)
}

/// Sorts spans and merges overlapping or adjacent ones.
fn merge(mut spans: Vec<ByteSpan>) -> Vec<ByteSpan> {
    spans.sort_unstable();
    let mut out: Vec<ByteSpan> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end.saturating_add(1) => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// `1*DIGIT` as a u64 (no sign, no spaces, not past u64).
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The `Content-Range` value of a 206 part: `bytes {start}-{end}/{size}`.
pub fn content_range(span: ByteSpan, size: u64) -> String {
    format!("bytes {}-{}/{size}", span.start, span.end)
}

/// The `Content-Range` value of a 416 answer: `bytes */{size}`.
pub fn unsatisfied_content_range(size: u64) -> String {
    format!("bytes */{size}")
}

/// A parsed `Content-Range` value (client side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentRange {
    /// `bytes a-b/size`, or `bytes a-b/*` when the server does not know the size.
    Bytes { span: ByteSpan, size: Option<u64> },
    /// `bytes */size`, from a 416.
    Unsatisfied { size: u64 },
}

/// A `Content-Range` value that is not `bytes a-b/n`, `bytes a-b/*` or `bytes */n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentRangeError {
    /// A unit other than `bytes`, or no unit.
    NotBytes,
    /// The text after the unit is not of the forms above.
    Malformed,
    /// `a > b`, or `b` not below a known size.
    Inconsistent,
}

impl fmt::Display for ContentRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContentRangeError::NotBytes => "the Content-Range is not in bytes",
            ContentRangeError::Malformed => "the Content-Range is not 'bytes first-last/size'",
            ContentRangeError::Inconsistent => "the Content-Range's range is reversed or past the size",
        })
    }
}

impl core::error::Error for ContentRangeError {}

/// Reads a `Content-Range` header value.
pub fn parse_content_range(value: &str) -> Result<ContentRange, ContentRangeError> {
    let value = value.trim();
    let rest = match value.get(..5) {
        Some(unit) if unit.eq_ignore_ascii_case("bytes") => &value[5..],
        _ => return Err(ContentRangeError::NotBytes),
    };
    if !rest.starts_with(' ') {
        return Err(ContentRangeError::NotBytes);
    }
    let (range, size) = rest.trim_start().split_once('/').ok_or(ContentRangeError::Malformed)?;
    let size = match size {
        "*" => None,
        n => Some(digits(n).ok_or(ContentRangeError::Malformed)?),
    };
    if range == "*" {
        return size.map(|size| ContentRange::Unsatisfied { size }).ok_or(ContentRangeError::Malformed);
    }
    let (first, last) = range.split_once('-').ok_or(ContentRangeError::Malformed)?;
    let (start, end) = match (digits(first), digits(last)) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(ContentRangeError::Malformed),
    };
    if start > end || size.is_some_and(|n| end >= n) {
        return Err(ContentRangeError::Inconsistent);
    }
    Ok(ContentRange::Bytes { span: ByteSpan { start, end }, size })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn spans(header: &str, size: u64) -> Vec<(u64, u64)> {
        match parse_range(Some(header), size) {
            RangeRequest::Spans(s) => s.iter().map(|s| (s.start, s.end)).collect(),
            other => panic!("{header}: {other:?}"),
        }
    }

    // RFC 9110 §14.1.2's examples on a 10000-byte representation.
    #[test]
    fn rfc_examples() {
        assert_eq!(spans("bytes=0-499", 10_000), [(0, 499)]);
        assert_eq!(spans("bytes=500-999", 10_000), [(500, 999)]);
        assert_eq!(spans("bytes=-500", 10_000), [(9500, 9999)]);
        assert_eq!(spans("bytes=9500-", 10_000), [(9500, 9999)]);
        assert_eq!(spans("bytes=0-0,-1", 10_000), [(0, 0), (9999, 9999)]);
        // "bytes=500-600,601-999" and "bytes=500-700,601-999" both select 500-999.
        assert_eq!(spans("bytes=500-600,601-999", 10_000), [(500, 999)]);
        assert_eq!(spans("bytes=500-700,601-999", 10_000), [(500, 999)]);
    }

    // What localhub's parse_range accepted, unchanged.
    #[test]
    fn localhub_cases() {
        assert_eq!(spans("bytes=0-0", 10), [(0, 0)]);
        assert_eq!(spans("bytes=5-", 10), [(5, 9)]);
        assert_eq!(spans("bytes=-3", 10), [(7, 9)]);
        assert_eq!(spans("bytes=8-100", 10), [(8, 9)]);
        assert_eq!(spans("bytes=0-1, 4-5", 10), [(0, 1), (4, 5)]);
        assert_eq!(spans("bytes=-30", 10), [(0, 9)]);
        assert_eq!(parse_range(Some("bytes=10-"), 10), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range(None, 10), RangeRequest::Whole);
    }

    #[test]
    fn invalid_headers_are_ignored() {
        for bad in
            ["bytes=5-1", "bytes=a-b", "bytes=+1-2", "bytes=1", "items=0-1", "bytes 0-1", "bytes=0-1,x", "bytes= - "]
        {
            assert_eq!(parse_range(Some(bad), 10), RangeRequest::Whole, "{bad}");
        }
        assert_eq!(parse_range(Some("Bytes=0-1"), 10), RangeRequest::Spans(vec![ByteSpan { start: 0, end: 1 }]));
        assert_eq!(spans("bytes=0-1,,3-4", 10), [(0, 1), (3, 4)]);
        assert_eq!(parse_range(Some("bytes=99999999999999999999-"), 10), RangeRequest::Whole);
    }

    #[test]
    fn overlapping_ranges_are_merged_and_bounded() {
        // A thousand overlapping ranges used to be served as a thousand copies of the file.
        let header = format!("bytes={}", vec!["0-"; 200].join(","));
        assert_eq!(spans(&header, 1 << 20), [(0, (1 << 20) - 1)]);
        let header = format!("bytes={}", vec!["-100"; 200].join(","));
        assert_eq!(spans(&header, 1000), [(900, 999)]);
        assert_eq!(spans("bytes=4-5,0-1,1-2", 10), [(0, 2), (4, 5)]);
        assert_eq!(spans("bytes=0-0,1-1,2-2", 10), [(0, 2)]);
        // Too many disjoint ranges, or too many listed: the whole resource.
        let many: Vec<String> = (0..33).map(|i| format!("{}-{}", 2 * i, 2 * i)).collect();
        assert_eq!(parse_range(Some(&format!("bytes={}", many.join(","))), 1000), RangeRequest::Whole);
        let fine: Vec<String> = (0..32).map(|i| format!("{}-{}", 2 * i, 2 * i)).collect();
        assert_eq!(spans(&format!("bytes={}", fine.join(",")), 1000).len(), 32);
        let listed = format!("bytes={}", vec!["0-0"; 257].join(","));
        assert_eq!(parse_range(Some(&listed), 1000), RangeRequest::Whole);
        assert_eq!(spans("bytes=0-18446744073709551615", u64::MAX), [(0, u64::MAX - 1)]);
    }

    #[test]
    fn content_ranges_write_and_read() {
        let span = ByteSpan { start: 0, end: 0 };
        assert_eq!(content_range(span, 1234), "bytes 0-0/1234");
        assert_eq!(unsatisfied_content_range(7), "bytes */7");
        assert_eq!(parse_content_range("bytes 0-0/1234"), Ok(ContentRange::Bytes { span, size: Some(1234) }));
        // RFC 9110 §14.4's examples.
        assert_eq!(
            parse_content_range("bytes 42-1233/1234"),
            Ok(ContentRange::Bytes { span: ByteSpan { start: 42, end: 1233 }, size: Some(1234) })
        );
        assert_eq!(
            parse_content_range("bytes 42-1233/*"),
            Ok(ContentRange::Bytes { span: ByteSpan { start: 42, end: 1233 }, size: None })
        );
        assert_eq!(parse_content_range("bytes */1234"), Ok(ContentRange::Unsatisfied { size: 1234 }));
        assert_eq!(parse_content_range("items 0-1/2"), Err(ContentRangeError::NotBytes));
        assert_eq!(parse_content_range("bytes0-1/2"), Err(ContentRangeError::NotBytes));
        assert_eq!(parse_content_range("bytes */*"), Err(ContentRangeError::Malformed));
        assert_eq!(parse_content_range("bytes 1-/2"), Err(ContentRangeError::Malformed));
        assert_eq!(parse_content_range("bytes 2-1/5"), Err(ContentRangeError::Inconsistent));
        assert_eq!(parse_content_range("bytes 0-5/5"), Err(ContentRangeError::Inconsistent));
        assert_eq!(parse_content_range("b"), Err(ContentRangeError::NotBytes));
        assert_eq!(ByteSpan { start: 3, end: 3 }.byte_count(), 1);
    }
}
