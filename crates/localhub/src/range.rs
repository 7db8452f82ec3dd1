//! Answers to `Range` requests: hubwasm-core parses the header (ranges merged, counted and
//! bounded, so an answer never exceeds the resource plus the framing of a few parts) and writes
//! `multipart/byteranges`; this sends the 200, 206 or 416.

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, Response, StatusCode};
use hubwasm_core::http::multipart::{write_byterange_parts, write_byteranges};
use hubwasm_core::http::range::{content_range, parse_range, unsatisfied_content_range, RangeRequest};

use crate::http::{HubError, HubResult, Reply};
use crate::objects::Pieces;

const BOUNDARY: &str = "localhub-byteranges";

/// The parsed `Range` header of a request, against a resource of `size` bytes.
pub fn requested(headers: &HeaderMap, size: u64) -> RangeRequest {
    parse_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), size)
}

/// Serves `data` honouring a `Range` header: 200, 206 (single or `multipart/byteranges`) or 416.
pub fn ranged_body(request: &HeaderMap, data: Vec<u8>, content_type: &str, head: bool) -> Reply {
    let size = data.len() as u64;
    let builder = Response::builder().header(header::ACCEPT_RANGES, "bytes");
    let body = |bytes: Vec<u8>| if head { Body::empty() } else { Body::from(bytes) };
    let reply = match requested(request, size) {
        RangeRequest::Whole => builder
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, size)
            .body(body(data)),
        RangeRequest::Unsatisfiable => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, unsatisfied_content_range(size))
            .body(Body::empty()),
        RangeRequest::Spans(spans) if spans.len() == 1 => {
            let s = spans[0];
            let Some(part) =
                usize::try_from(s.start).ok().zip(usize::try_from(s.end).ok()).and_then(|(a, b)| data.get(a..=b))
            else {
                return HubError::internal("range outside the resource").into_reply();
            };
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_RANGE, content_range(s, size))
                .header(header::CONTENT_LENGTH, part.len())
                .body(body(part.to_vec()))
        }
        RangeRequest::Spans(spans) => {
            let Some(out) = write_byteranges(&data, &spans, content_type, BOUNDARY) else {
                return HubError::internal("range outside the resource").into_reply();
            };
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, format!("multipart/byteranges; boundary={BOUNDARY}"))
                .header(header::CONTENT_LENGTH, out.len())
                .body(body(out))
        }
    };
    reply.unwrap_or_else(|e| HubError::internal(e).into_reply())
}

/// Like [`ranged_body`] for a resource of `size` bytes that `read(start, end)` yields piece by
/// piece: only the requested spans are read, and a whole or single-span answer is streamed.
pub fn ranged_pieces(
    request: &HeaderMap,
    size: u64,
    content_type: &str,
    head: bool,
    read: impl Fn(u64, u64) -> HubResult<Pieces>,
) -> Reply {
    let builder = Response::builder().header(header::ACCEPT_RANGES, "bytes");
    let streamed = |start: u64, end: u64| -> HubResult<Body> {
        if head || size == 0 {
            return Ok(Body::empty());
        }
        Ok(stream(read(start, end)?))
    };
    let reply = match requested(request, size) {
        RangeRequest::Whole => streamed(0, size.saturating_sub(1)).map(|body| {
            builder
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_LENGTH, size)
                .body(body)
        }),
        RangeRequest::Unsatisfiable => Ok(builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, unsatisfied_content_range(size))
            .body(Body::empty())),
        RangeRequest::Spans(spans) if spans.len() == 1 => {
            let s = spans[0];
            streamed(s.start, s.end).map(|body| {
                builder
                    .status(StatusCode::PARTIAL_CONTENT)
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::CONTENT_RANGE, content_range(s, size))
                    .header(header::CONTENT_LENGTH, s.end - s.start + 1)
                    .body(body)
            })
        }
        RangeRequest::Spans(spans) => (|| {
            // A few merged spans (the parser bounds them), each read on its own.
            let mut read_spans = Vec::with_capacity(spans.len());
            for s in &spans {
                let mut pieces = read(s.start, s.end)?;
                let mut bytes = Vec::new();
                while let Some(piece) = pieces()? {
                    bytes.extend_from_slice(&piece);
                }
                read_spans.push((*s, bytes));
            }
            let parts: Vec<_> = read_spans.iter().map(|(s, b)| (*s, b.as_slice())).collect();
            let out = write_byterange_parts(&parts, size, content_type, BOUNDARY);
            Ok(builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, format!("multipart/byteranges; boundary={BOUNDARY}"))
                .header(header::CONTENT_LENGTH, out.len())
                .body(if head { Body::empty() } else { Body::from(out) }))
        })(),
    };
    match reply {
        Ok(reply) => reply.unwrap_or_else(|e| HubError::internal(e).into_reply()),
        Err(e) => e.into_reply(),
    }
}

/// A body sent as `pieces` yields them; a read error cuts the connection (the length is short).
fn stream(pieces: Pieces) -> Body {
    let stream = futures_util::stream::unfold(Some(pieces), |state| async move {
        let mut pieces = state?;
        match pieces() {
            Ok(Some(piece)) => Some((Ok(Bytes::from(piece)), Some(pieces))),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.message)), None)),
        }
    });
    Body::from_stream(stream)
}
