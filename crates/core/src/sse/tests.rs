use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::xet::test_data::SplitMix64;

fn parse_pieces(pieces: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::new(SseLimits::default());
    let mut out = Vec::new();
    for piece in pieces {
        parser.feed(piece, &mut out).unwrap();
    }
    parser.finish();
    out
}

fn parse(stream: &str) -> Vec<SseEvent> {
    parse_pieces(&[stream.as_bytes()])
}

fn data(events: &[SseEvent]) -> Vec<&str> {
    events.iter().map(|e| e.data.as_str()).collect()
}

// The examples of WHATWG HTML §9.2.5 "Event stream format".
#[test]
fn the_standards_examples() {
    assert_eq!(data(&parse("data: YHOO\ndata: +2\ndata: 10\n\n")), ["YHOO\n+2\n10"]);

    let events = parse(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
    assert_eq!(data(&events), ["first event", "second event", " third event"]);
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["1", "", ""], "an `id` without value resets the last event id");

    // "The first block fires events with the data set to the empty string, as would the last block
    // if it was followed by a blank line. The middle block fires an event with the data set to a
    // single newline character. The last block is discarded because it is not followed by a blank
    // line."
    assert_eq!(data(&parse("data\n\ndata\ndata\n\ndata:")), ["", "\n"]);

    // "The following stream fires two identical events."
    assert_eq!(data(&parse("data:test\n\ndata: test\n\n")), ["test", "test"]);
}

#[test]
fn fields_names_ids_and_retry() {
    let events = parse("event: add\nid: 7\nretry: 2500\ndata: a\n\ndata: b\n\nretry: soon\nevent\ndata: c\n\n");
    let seen: Vec<(&str, &str, &str, Option<u64>)> =
        events.iter().map(|e| (e.event.as_str(), e.data.as_str(), e.id.as_str(), e.retry_ms)).collect();
    assert_eq!(
        seen,
        [("add", "a", "7", Some(2500)), ("message", "b", "7", Some(2500)), ("message", "c", "7", Some(2500))],
        "the id and retry persist, the event name does not; `retry: soon` is ignored"
    );
    assert_eq!(parse("id: a\0b\ndata: x\n\n")[0].id, "", "an id holding NUL is ignored");
    assert_eq!(data(&parse("unknown: 1\ndata:x\n\n")), ["x"]);
    assert_eq!(parse("event: only\n\n"), [], "no data, no event");
    assert_eq!(parse("retry: 99999999999999999999999\ndata: x\n\n")[0].retry_ms, Some(u64::MAX));
}

#[test]
fn line_ends_bom_and_utf8() {
    assert_eq!(data(&parse("data: a\r\n\r\ndata: b\r\rdata: c\n\n")), ["a", "b", "c"]);
    assert_eq!(data(&parse("\u{feff}data: bom\n\n")), ["bom"]);
    assert_eq!(data(&parse("\u{feff}\u{feff}data: x\n\n")), [] as [&str; 0], "only one BOM is skipped");
    // A CR ending one piece and an LF starting the next are one line end, not two.
    let events = parse_pieces(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
    assert_eq!(data(&events), ["a\nb"]);
    // A character split across pieces; invalid bytes become U+FFFD.
    let events = parse_pieces(&[b"data: \xc3", b"\xa9 \xff\n\n"]);
    assert_eq!(data(&events), ["\u{e9} \u{fffd}"]);
    let events = parse_pieces(&[b"\xEF\xBB", b"\xBFdata: split bom\n\n"]);
    assert_eq!(data(&events), ["split bom"]);
}

#[test]
fn the_end_of_the_stream_discards_an_open_event() {
    let mut parser = SseParser::new(SseLimits::default());
    let mut out = Vec::new();
    parser.feed(b"data: done\n\ndata: half", &mut out).unwrap();
    assert_eq!(data(&out), ["done"]);
    assert!(parser.finish(), "something was cut off");
    assert!(!parser.finish());
}

#[test]
fn limits_are_typed_errors_and_stick() {
    let limits = SseLimits { max_line_bytes: 16, max_event_bytes: 24 };
    let mut parser = SseParser::new(limits);
    let mut out = Vec::new();
    parser.feed(b": c\ndata: 0123456789", &mut out).unwrap();
    assert_eq!(parser.feed(b"x", &mut out), Err(SseError::LineTooLong { limit: 16 }), "counted across pieces");
    assert_eq!(parser.feed(b"\n\n", &mut out), Err(SseError::LineTooLong { limit: 16 }), "the parser stays failed");

    let mut parser = SseParser::new(SseLimits { max_event_bytes: 20, ..limits });
    let result = parser.feed(b"data: 0123456789\ndata: 0123456789\n\n", &mut out);
    assert_eq!(result, Err(SseError::EventTooLarge { limit: 20 }));
    assert_eq!(SseError::EventTooLarge { limit: 24 }.to_string(), "an event-stream event carries more than 24 bytes");

    // A BOM does not count towards the first line's length.
    let mut parser = SseParser::new(limits);
    let mut out = Vec::new();
    parser.feed(b"\xEF\xBB\xBFdata: 0123456789\n\n", &mut out).unwrap();
    assert_eq!(data(&out), ["0123456789"]);
}

/// A stream with every construct: CRLF, lone CR, comments, multi-line data, BOM, ids, names,
/// fields without colon, non-ASCII text.
const MIXED: &[u8] =
    b"\xEF\xBB\xBF: hello\r\nretry: 10\r\n\r\ndata: {\"a\":1}\r\n\r\nevent: x\rid: 42\rdata: l1\rdata: l2\r\r\
    data\n\ndata: caf\xc3\xa9 \xe2\x82\xac\n\n: c\ndata:[DONE]\n\n";

fn expected_mixed() -> Vec<SseEvent> {
    let e = |event: &str, data: &str, id: &str| SseEvent {
        event: event.to_string(),
        data: data.to_string(),
        id: id.to_string(),
        retry_ms: Some(10),
    };
    vec![
        e("message", "{\"a\":1}", ""),
        e("x", "l1\nl2", "42"),
        e("message", "", "42"),
        e("message", "caf\u{e9} \u{20ac}", "42"),
        e("message", "[DONE]", "42"),
    ]
}

// Issue #13's proof: a stream split at every byte position (and every pair of positions) parses
// to the same events as the whole stream.
#[test]
fn splitting_at_any_byte_gives_the_same_events() {
    let whole = parse_pieces(&[MIXED]);
    assert_eq!(whole, expected_mixed());
    for i in 0..=MIXED.len() {
        assert_eq!(parse_pieces(&[&MIXED[..i], &MIXED[i..]]), whole, "split at {i}");
        for j in i..=MIXED.len() {
            assert_eq!(parse_pieces(&[&MIXED[..i], &MIXED[i..j], &MIXED[j..]]), whole, "split at {i}, {j}");
        }
    }
    let bytes: Vec<&[u8]> = MIXED.chunks(1).collect();
    assert_eq!(parse_pieces(&bytes), whole, "one byte at a time");
}

#[test]
fn random_pieces_give_the_same_events() {
    let mut rng = SplitMix64::new(13);
    // A longer stream: many chat-like events with all three line ends.
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for n in 0..200u64 {
        let end: &[u8] = match n % 3 {
            0 => b"\n",
            1 => b"\r\n",
            _ => b"\r",
        };
        let text: String = (0..(rng.next() % 40)).map(|i| char::from(b'a' + ((n + i) % 26) as u8)).collect();
        stream.extend_from_slice(b"data: ");
        stream.extend_from_slice(text.as_bytes());
        stream.extend_from_slice(end);
        if n % 7 == 0 {
            stream.extend_from_slice(b": keep-alive");
            stream.extend_from_slice(end);
        }
        stream.extend_from_slice(end);
        expected.push(text);
    }
    for _ in 0..300 {
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < stream.len() {
            let len = 1 + (rng.next() % 64) as usize;
            let end = (at + len).min(stream.len());
            pieces.push(&stream[at..end]);
            at = end;
        }
        let events = parse_pieces(&pieces);
        assert_eq!(data(&events), expected.iter().map(String::as_str).collect::<Vec<_>>());
    }
}
