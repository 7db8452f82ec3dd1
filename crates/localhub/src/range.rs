//! Answers to `Range` requests: hubwasm-core parses the header (ranges merged, counted and
//! bounded, so an answer never exceeds the resource plus the framing of a few parts); this
//! writes the 200, 206 (single or `multipart/byteranges`) or 416.

use axum::body::Body;
use axum::http::{header, HeaderMap, Response, StatusCode};
use hubwasm_core::http::range::{content_range, parse_range, unsatisfied_content_range, RangeRequest};

use crate::http::Reply;

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
            let part = data[s.start as usize..=s.end as usize].to_vec();
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_RANGE, content_range(s, size))
                .header(header::CONTENT_LENGTH, part.len())
                .body(body(part))
        }
        RangeRequest::Spans(spans) => {
            let boundary = "localhub-byteranges";
            let mut out = Vec::new();
            for s in spans {
                out.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: {}\r\n\r\n",
                        content_range(s, size)
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&data[s.start as usize..=s.end as usize]);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, format!("multipart/byteranges; boundary={boundary}"))
                .header(header::CONTENT_LENGTH, out.len())
                .body(body(out))
        }
    };
    reply.unwrap_or_else(|e| crate::http::HubError::internal(e).into_reply())
}
