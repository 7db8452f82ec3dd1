//! Answers to `Range` requests: hubwasm-core parses the header (ranges merged, counted and
//! bounded, so an answer never exceeds the resource plus the framing of a few parts) and writes
//! `multipart/byteranges`; this sends the 200, 206 or 416.

use axum::body::Body;
use axum::http::{header, HeaderMap, Response, StatusCode};
use hubwasm_core::http::multipart::write_byteranges;
use hubwasm_core::http::range::{content_range, parse_range, unsatisfied_content_range, RangeRequest};

use crate::http::{HubError, Reply};

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
