//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), here so that the same checks also run
//! as ordinary and wasm32 tests (`tests/core_parsers_wasm.rs`) over seeds and deterministic
//! mutations of them. Each takes arbitrary bytes and panics only when a parser breaks one of its
//! documented promises. Not part of the API.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::api::error_message_from_body;
use crate::commit::{parse_commit_body, write_commit_body, CommitLimits};
use crate::http::link::parse_next_link;
use crate::http::range::{content_range, parse_content_range, parse_range, ContentRange, RangeRequest, MAX_RANGES};
use crate::http::retry::{parse_http_date, parse_retry_after};
use crate::lfs::gitattributes::{pattern_matches, segment_matches};
use crate::lfs::{GitAttributes, LfsPointer};
use crate::repo::{validate_path, validate_ref_name, RepoId, Revision};
use crate::xet::test_data::SplitMix64;

/// `Range` parsing: the first 8 bytes are the resource size, the rest the header value. Served
/// spans are sorted, disjoint, not adjacent, inside the resource and few; a `Content-Range`
/// written for one reads back the same.
pub fn range_header(data: &[u8]) {
    let (size, header) = match data.split_first_chunk::<8>() {
        Some((size, rest)) => (u64::from_le_bytes(*size), rest),
        None => (1000, data),
    };
    let header = String::from_utf8_lossy(header);
    match parse_range(Some(&header), size) {
        RangeRequest::Whole | RangeRequest::Unsatisfiable => {}
        RangeRequest::Spans(spans) => {
            assert!(!spans.is_empty() && spans.len() <= MAX_RANGES);
            let mut total = 0u64;
            for (i, span) in spans.iter().enumerate() {
                assert!(span.start <= span.end && span.end < size, "{span:?} outside {size}");
                if let Some(next) = spans.get(i + 1) {
                    assert!(span.end + 1 < next.start, "{span:?} and {next:?} should have merged");
                }
                total += span.byte_count();
                let written = content_range(*span, size);
                assert_eq!(parse_content_range(&written), Ok(ContentRange::Bytes { span: *span, size: Some(size) }));
            }
            assert!(total <= size);
        }
    }
    let _ = parse_content_range(&header);
}

/// The NDJSON commit body: with small limits, whatever parses writes back to a body that parses
/// to the same commit.
pub fn commit_body(data: &[u8]) {
    let limits =
        CommitLimits { max_body_bytes: 1 << 20, max_line_bytes: 64 << 10, max_operations: 64, max_file_bytes: 4096 };
    let Ok(body) = parse_commit_body(data, &limits) else { return };
    assert!(body.operations.len() <= limits.max_operations);
    for op in &body.operations {
        assert_eq!(validate_path(op.path()), Ok(()));
    }
    let written = write_commit_body(&body.header, &body.operations);
    assert_eq!(parse_commit_body(&written, &CommitLimits::default()).as_ref(), Ok(&body));
}

/// Repo ids, revisions, ref names and in-repo paths: accepted values keep the promises of
/// their validators and read back the same from their written forms.
pub fn repo_path(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if validate_path(&text).is_ok() {
        assert!(!text.is_empty() && !text.starts_with('/'));
        assert!(!text.bytes().any(|b| b < 0x20 || b == 0x7f || b == b'\\'));
        assert!(!text.split('/').any(|s| matches!(s, "" | "." | ".." | ".git")));
    }
    if let Ok(id) = RepoId::parse(&text) {
        assert_eq!(RepoId::parse(&alloc::format!("{id}")).as_ref(), Ok(&id));
        assert!(id.name().len() <= crate::repo::MAX_REPO_NAME_LEN);
    }
    if let Ok(revision) = Revision::parse(&text) {
        let encoded = revision.url_encoded();
        assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        let _ = revision.kind();
    }
    if validate_ref_name(&text).is_ok() {
        assert!(Revision::parse(&text).is_ok(), "a valid branch name is a valid revision");
    }
    if let Ok(pointer) = LfsPointer::parse(data) {
        assert_eq!(LfsPointer::parse(pointer.to_text().as_bytes()), Ok(pointer));
    }
}

/// `.gitattributes` matching: the first line is a pattern, the second a path, the rest a whole
/// attributes file. The two-pointer matcher agrees with a dynamic-programming one on the
/// patterns both understand, and everything terminates.
pub fn gitattributes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let pattern = lines.next().unwrap_or_default();
    let path = lines.next().unwrap_or_default();
    let _ = pattern_matches(pattern, path);
    if !pattern.bytes().any(|b| b == b'[' || b == b'\\') {
        for segment in path.split('/') {
            assert_eq!(
                segment_matches(pattern.as_bytes(), segment.as_bytes()),
                dp_match(pattern.as_bytes(), segment.as_bytes()),
                "{pattern:?} on {segment:?}"
            );
        }
    }
    let attributes = GitAttributes::parse(lines.next().unwrap_or_default());
    let _ = attributes.is_lfs(path);
}

/// `Retry-After` and HTTP-dates: the first 8 bytes are "now" in Unix seconds, the rest the
/// header value. A date that parses, written back as an IMF-fixdate by an independent formatter,
/// reads back to the same instant; a `Retry-After` that is not delay-seconds waits exactly until
/// its date (0 when past).
pub fn retry_after(data: &[u8]) {
    let (now, value) = match data.split_first_chunk::<8>() {
        Some((now, rest)) => (u64::from_le_bytes(*now), rest),
        None => (0, data),
    };
    let value = String::from_utf8_lossy(value);
    if let Some(at) = parse_http_date(&value) {
        // Years past 9999 (a leap second on 31 Dec 9999) have no four-digit form to write.
        if let Some(written) = imf_fixdate(at) {
            assert_eq!(parse_http_date(&written), Some(at), "{value:?} written as {written:?}");
        }
    }
    let trimmed = value.trim();
    let delay_seconds = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
    match parse_retry_after(&value, now) {
        Some(_) if delay_seconds => {}
        Some(wait) => {
            let at = parse_http_date(trimmed).expect("a non-numeric Retry-After is a date");
            assert_eq!(wait, at.saturating_sub(now));
        }
        None => assert!(!delay_seconds && parse_http_date(trimmed).is_none(), "{value:?} is readable"),
    }
}

/// `at` (Unix seconds) as `Sun, 06 Nov 1994 08:49:37 GMT`, by days-to-civil (the inverse of the
/// parser's conversion); `None` past year 9999.
fn imf_fixdate(at: u64) -> Option<String> {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (days, secs) = (at / 86_400, at % 86_400);
    let z = days + 719_468;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = era * 400 + yoe + u64::from(month <= 2);
    if year > 9999 {
        return None;
    }
    // 1 January 1970 was a Thursday.
    let weekday = WEEKDAYS[((days + 4) % 7) as usize];
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    Some(alloc::format!("{weekday}, {day:02} {} {year:04} {h:02}:{m:02}:{s:02} GMT", MONTHS[(month - 1) as usize]))
}

/// `Link` pagination: a `rel="next"` target found is a slice of the header enclosed in `<…>`,
/// followed by parameters that name `rel` and `next`.
pub fn next_link(data: &[u8]) {
    let header = String::from_utf8_lossy(data);
    let Some(target) = parse_next_link(&header) else { return };
    let start = target.as_ptr() as usize - header.as_ptr() as usize;
    let end = start + target.len();
    assert!(end <= header.len() && &header[start..end] == target, "{target:?} is not part of {header:?}");
    assert!(!target.contains('>'));
    assert!(start > 0 && header.as_bytes()[start - 1] == b'<' && header.as_bytes().get(end) == Some(&b'>'));
    let params = header[end + 1..].to_ascii_lowercase();
    assert!(params.contains("rel") && params.contains("next"), "{header:?}");
}

/// Error bodies: a message found is non-empty, at most 1000 bytes (the documented cut) and from
/// a UTF-8 body; the bytes as `{"error": …}` read back as their own text, cut on a character
/// boundary.
pub fn error_body(data: &[u8]) {
    if let Some(message) = error_message_from_body(data) {
        assert!(!message.is_empty() && message.len() <= 1000, "{} bytes", message.len());
        assert!(core::str::from_utf8(data).is_ok());
    }
    let text = String::from_utf8_lossy(data);
    let body = serde_json::json!({ "error": text }).to_string();
    match error_message_from_body(body.as_bytes()) {
        None => assert!(text.is_empty()),
        Some(message) => {
            assert!(text.starts_with(message.as_str()), "{message:?} is not a prefix of {text:?}");
            assert!(message.len() == text.len() || message.len() > 1000 - 4, "cut too short: {}", message.len());
        }
    }
}

/// `*` (any run), `?` (one byte but `/`) and literals, by the O(p·t) table: an independent
/// reference for [`segment_matches`] on one segment.
fn dp_match(pattern: &[u8], text: &[u8]) -> bool {
    // row[j]: pattern[..i] matches text[..j].
    let mut row = alloc::vec![false; text.len() + 1];
    row[0] = true;
    for &p in pattern {
        let mut next = alloc::vec![false; text.len() + 1];
        if p == b'*' {
            next[0] = row[0];
        }
        for j in 1..=text.len() {
            next[j] = match p {
                b'*' => row[j] || (next[j - 1] && text[j - 1] != b'/'),
                b'?' => row[j - 1] && text[j - 1] != b'/',
                literal => row[j - 1] && text[j - 1] == literal,
            };
        }
        row = next;
    }
    row[text.len()]
}

/// The SSE parser: the input split at a point its first byte chooses gives the same events (and
/// the same error) as the input whole, each within the limits; chunks read without panicking.
pub fn sse(data: &[u8]) {
    use crate::inference::stream::{read_stream_data, ChunkShape};
    use crate::sse::{SseLimits, SseParser};
    let limits = SseLimits { max_line_bytes: 256, max_event_bytes: 1024 };
    let run = |pieces: &[&[u8]]| {
        let mut parser = SseParser::new(limits);
        let mut events = Vec::new();
        let mut result = Ok(());
        for piece in pieces {
            result = parser.feed(piece, &mut events);
            if result.is_err() {
                break;
            }
        }
        (events, result)
    };
    let whole = run(&[data]);
    let at = data.first().map_or(0, |&b| usize::from(b) % (data.len() + 1));
    let split = run(&[&data[..at], &data[at..]]);
    match (&whole.1, &split.1) {
        (Ok(()), Ok(())) => assert_eq!(whole.0, split.0, "split at {at}"),
        // An error may come a piece later when split, but the same one, after the same events.
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert!(split.0.starts_with(&whole.0) || whole.0.starts_with(&split.0));
        }
        _ => panic!("whole {:?} but split at {at} {:?}", whole.1, split.1),
    }
    for event in &whole.0 {
        assert!(event.data.len() <= limits.max_event_bytes);
        for shape in [ChunkShape::Chat, ChunkShape::TextGeneration, ChunkShape::Any] {
            let _ = read_stream_data(&event.data, shape);
        }
    }
}

/// A deterministic mutation of `seed`: flips, inserts, deletes, duplicates a slice, or splices
/// in bytes the parsers care about, a few times over.
pub fn mutate(seed: &[u8], rng: &mut SplitMix64) -> Vec<u8> {
    const INTERESTING: &[&[u8]] = &[
        b"\n",
        b"/",
        b"..",
        b"-",
        b",",
        b"\"",
        b"*",
        b"**/",
        b"\\",
        b"\0",
        b"=",
        b" ",
        b"0",
        b"18446744073709551616",
        b"{",
        b"}",
    ];
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.next() % 4 {
        let at = if out.is_empty() { 0 } else { (rng.next() % out.len() as u64) as usize };
        match rng.next() % 5 {
            0 if !out.is_empty() => out[at] ^= 1 << (rng.next() % 8),
            1 if !out.is_empty() => {
                out.remove(at);
            }
            2 => {
                let piece = INTERESTING[(rng.next() % INTERESTING.len() as u64) as usize];
                out.splice(at..at, piece.iter().copied());
            }
            3 if !out.is_empty() => {
                let end = (at + 1 + (rng.next() % 16) as usize).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            _ => out.insert(at, rng.next() as u8),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type FuzzBody = fn(&[u8]);

    const SEEDS: &[(FuzzBody, &[u8])] = &[
        (range_header, b"\x10\x27\0\0\0\0\0\0bytes=0-499,-500,400-"),
        (commit_body, b"{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"aGk=\"}}\n{\"key\":\"deletedFolder\",\"value\":{\"path\":\"d/\"}}\n"),
        (repo_path, b"datasets/org/name"),
        (repo_path, b"refs/pr/1"),
        (gitattributes, b"*a*?b\nx/aab\n*.bin filter=lfs\nsmall.bin -filter\n"),
        (retry_after, b"\xa1\xe2\xbc\x2e\0\0\0\0Sun, 06 Nov 1994 08:49:37 GMT"),
        (retry_after, b"\0\0\0\0\0\0\0\0 120 "),
        (next_link, b"<https://h/p1>; rel=\"prev\"; title=\"a, b\", <https://h/p3,x>; REL=\"last Next\""),
        (error_body, b"{\"error\": \"Repository Not Found\"}"),
        (error_body, b"{\"error\": \"invalid_grant\", \"error_description\": \"expired\"}"),
        (sse, b"\x07\xEF\xBB\xBF: c\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\rid: 1\nevent: x\ndata\n\ndata: [DONE]\n\n"),
    ];

    // The fuzz bodies over a few thousand mutations each (also run as wasm32 tests).
    #[test]
    fn fuzz_bodies_hold_on_mutated_seeds() {
        let mut rng = SplitMix64::new(42);
        for (body, seed) in SEEDS {
            body(seed);
            for _ in 0..3000 {
                body(&mutate(seed, &mut rng));
            }
        }
    }

    // RFC 9110 §5.6.7's example instant, and the epoch.
    #[test]
    fn the_date_writer_matches_the_rfc_example() {
        assert_eq!(imf_fixdate(784_111_777).as_deref(), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert_eq!(imf_fixdate(0).as_deref(), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
        assert_eq!(imf_fixdate(951_825_600).as_deref(), Some("Tue, 29 Feb 2000 12:00:00 GMT"));
        assert_eq!(imf_fixdate(253_402_300_800), None, "year 10000");
    }

    #[test]
    fn the_dp_reference_matches_the_naive_cases() {
        assert!(dp_match(b"*.bin", b"model.bin"));
        assert!(!dp_match(b"*.bin", b"model.bi"));
        assert!(dp_match(b"a*?c", b"abbc"));
        assert!(!dp_match(b"?", b""));
        assert!(dp_match(b"*", b""));
    }
}
