//! `multipart/byteranges` bodies (RFC 9110 §14.6): the answer to a multi-range request.

use alloc::vec::Vec;
use core::fmt;

use super::range::{content_range, parse_content_range, ByteSpan, ContentRange};

/// Errors splitting a `multipart/byteranges` body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultipartError {
    /// The body does not start with, or a part is not followed by, the boundary delimiter.
    MissingBoundary { offset: usize },
    /// A part has no `Content-Range: bytes a-b/n` header.
    MissingContentRange { part: usize },
    /// A part's data is shorter than its `Content-Range` says.
    Truncated { part: usize },
}

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MultipartError::MissingBoundary { offset } => write!(f, "multipart body: no boundary at byte {offset}"),
            MultipartError::MissingContentRange { part } => {
                write!(f, "multipart body: part {part} has no 'Content-Range: bytes a-b/n' header")
            }
            MultipartError::Truncated { part } => write!(f, "multipart body: part {part} is cut short"),
        }
    }
}

impl core::error::Error for MultipartError {}

/// One part of a `multipart/byteranges` answer: inclusive range and the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BytePart<'a> {
    pub start: u64,
    pub end: u64,
    pub bytes: &'a [u8],
}

/// Splits a `multipart/byteranges` body. Each part's length comes from its `Content-Range`, so
/// boundary-like bytes inside the data are harmless.
pub fn split_byteranges<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<BytePart<'a>>, MultipartError> {
    let delimiter = {
        let mut d = Vec::with_capacity(boundary.len() + 2);
        d.extend_from_slice(b"--");
        d.extend_from_slice(boundary.as_bytes());
        d
    };
    let mut pos = find(body, &delimiter, 0).ok_or(MultipartError::MissingBoundary { offset: 0 })?;
    let mut parts = Vec::new();
    loop {
        pos += delimiter.len();
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        let part = parts.len();
        pos = skip_line_end(body, pos).ok_or(MultipartError::MissingBoundary { offset: pos })?;
        let headers_end = find(body, b"\r\n\r\n", pos).ok_or(MultipartError::Truncated { part })?;
        let (start, end) =
            part_content_range(&body[pos..headers_end]).ok_or(MultipartError::MissingContentRange { part })?;
        let data_start = headers_end + 4;
        // `end - start + 1` overflows for `bytes 0-18446744073709551615/*`: checked.
        let len = (end - start).checked_add(1).and_then(|n| usize::try_from(n).ok());
        let data_end = len
            .and_then(|len| data_start.checked_add(len))
            .filter(|&e| e <= body.len())
            .ok_or(MultipartError::Truncated { part })?;
        parts.push(BytePart { start, end, bytes: &body[data_start..data_end] });
        pos = skip_line_end(body, data_end).ok_or(MultipartError::MissingBoundary { offset: data_end })?;
        if !body[pos..].starts_with(&delimiter) {
            return Err(MultipartError::MissingBoundary { offset: pos });
        }
    }
}

/// Writes the `multipart/byteranges` body serving `spans` of `data` (the answer's `Content-Type`
/// is `multipart/byteranges; boundary={boundary}`). `None` if a span is not inside `data`.
pub fn write_byteranges(data: &[u8], spans: &[ByteSpan], content_type: &str, boundary: &str) -> Option<Vec<u8>> {
    let mut parts = Vec::with_capacity(spans.len());
    for span in spans {
        let start = usize::try_from(span.start).ok()?;
        let end = usize::try_from(span.end).ok()?;
        parts.push((*span, data.get(start..=end)?));
    }
    Some(write_byterange_parts(&parts, data.len() as u64, content_type, boundary))
}

/// Like [`write_byteranges`] for parts already read (each span with its bytes) of a resource of
/// `size` bytes, so a server need not hold the whole resource.
pub fn write_byterange_parts(parts: &[(ByteSpan, &[u8])], size: u64, content_type: &str, boundary: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (span, part) in parts {
        for piece in ["--", boundary, "\r\nContent-Type: ", content_type, "\r\nContent-Range: "] {
            body.extend_from_slice(piece.as_bytes());
        }
        body.extend_from_slice(content_range(*span, size).as_bytes());
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(part);
        body.extend_from_slice(b"\r\n");
    }
    for piece in ["--", boundary, "--\r\n"] {
        body.extend_from_slice(piece.as_bytes());
    }
    body
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn skip_line_end(body: &[u8], pos: usize) -> Option<usize> {
    let rest = body.get(pos..)?;
    if rest.starts_with(b"\r\n") {
        Some(pos + 2)
    } else if rest.starts_with(b"\n") {
        Some(pos + 1)
    } else {
        None
    }
}

/// `Content-Range: bytes a-b/n` among the part's header lines (name case-insensitive).
fn part_content_range(headers: &[u8]) -> Option<(u64, u64)> {
    let text = core::str::from_utf8(headers).ok()?;
    let value = text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("content-range").then_some(value)
    })?;
    match parse_content_range(value).ok()? {
        ContentRange::Bytes { span, .. } => Some((span.start, span.end)),
        ContentRange::Unsatisfied { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_byteranges_split_by_content_range() {
        // Shape of RFC 9110 §14.6's example; the data contains a boundary-like line on purpose.
        let body = b"--THIS\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/100\r\n\r\n--THIS\r\nab\r\n--THIS\r\ncontent-range: bytes 50-52/100\r\n\r\nxyz\r\n--THIS--\r\n";
        let parts = split_byteranges(body, "THIS").unwrap();
        assert_eq!(
            parts,
            [BytePart { start: 0, end: 9, bytes: b"--THIS\r\nab" }, BytePart { start: 50, end: 52, bytes: b"xyz" },]
        );
        assert_eq!(split_byteranges(&body[..40], "THIS"), Err(MultipartError::Truncated { part: 0 }));
        assert_eq!(split_byteranges(b"nothing", "THIS"), Err(MultipartError::MissingBoundary { offset: 0 }));
        let no_range = b"--B\r\nContent-Type: x\r\n\r\nabc\r\n--B--";
        assert_eq!(split_byteranges(no_range, "B"), Err(MultipartError::MissingContentRange { part: 0 }));
    }

    #[test]
    fn written_bodies_split_back() {
        let data: Vec<u8> = (0..=255).collect();
        let spans = [ByteSpan { start: 0, end: 9 }, ByteSpan { start: 45, end: 45 }, ByteSpan { start: 250, end: 255 }];
        let body = write_byteranges(&data, &spans, "application/octet-stream", "localhub-byteranges").unwrap();
        assert!(body.starts_with(
            b"--localhub-byteranges\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/256\r\n\r\n"
        ));
        assert!(body.ends_with(b"\r\n--localhub-byteranges--\r\n"));
        let parts = split_byteranges(&body, "localhub-byteranges").unwrap();
        assert_eq!(parts.len(), 3);
        for (part, span) in parts.iter().zip(spans) {
            assert_eq!((part.start, part.end), (span.start, span.end));
            assert_eq!(part.bytes, &data[span.start as usize..=span.end as usize]);
        }
        assert_eq!(write_byteranges(&data, &[ByteSpan { start: 250, end: 256 }], "x", "b"), None);
    }

    #[test]
    fn a_range_of_the_whole_address_space_is_truncated_not_an_overflow() {
        let body = b"--B\r\nContent-Range: bytes 0-18446744073709551615/*\r\n\r\nabc\r\n--B--";
        assert_eq!(split_byteranges(body, "B"), Err(MultipartError::Truncated { part: 0 }));
        let reversed = b"--B\r\nContent-Range: bytes 5-1/9\r\n\r\nabc\r\n--B--";
        assert_eq!(split_byteranges(reversed, "B"), Err(MultipartError::MissingContentRange { part: 0 }));
    }
}
