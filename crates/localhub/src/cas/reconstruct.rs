//! Reading files back: V1 and V2 reconstruction answers for a byte range, presigned xorb
//! fetches with single or multiple ranges, and whole files rebuilt with hubwasm-core's assembler.

use axum::http::StatusCode;
use hubwasm_core::http::range::{parse_range, ByteSpan, RangeRequest, MAX_RANGES};
use hubwasm_core::xet::reconstruct::{ByteRange, ChunkRange, FetchRange, ReconstructionTerm, XorbFetch};
use hubwasm_core::xet::{AssembleOptions, Assembler, Reconstruction, XetHash};
use serde_json::{json, Map, Value};

use super::index::{parse_hash, xet_file, xorb_meta, XetFile};
use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};
use crate::range;

/// The terms covering bytes `[start, end]` of a file, the offset into the first, and per xorb the
/// merged chunk intervals to fetch.
pub struct Plan {
    offset_into_first_range: u64,
    terms: Vec<(XetHash, u32, u32, u32)>,
    /// Per xorb (in first-use order): chunk intervals and their inclusive byte ranges.
    fetches: Vec<(XetHash, Vec<FetchRange>)>,
}

pub fn plan(app: &App, file: &XetFile, start: u64, end: u64) -> HubResult<Plan> {
    let mut pos = 0u64;
    let mut terms = Vec::new();
    let mut offset = 0;
    for &t in &file.terms {
        let (t_start, t_end) = (pos, pos + u64::from(t.3));
        pos = t_end;
        if t_end <= start || t_start > end {
            continue;
        }
        if terms.is_empty() {
            offset = start - t_start;
        }
        terms.push(t);
    }
    let mut fetches: Vec<(XetHash, Vec<(u32, u32)>)> = Vec::new();
    for &(x, s, e, _) in &terms {
        match fetches.iter_mut().find(|f| f.0 == x) {
            Some(f) => f.1.push((s, e)),
            None => fetches.push((x, vec![(s, e)])),
        }
    }
    let mut out = Vec::new();
    for (x, mut intervals) in fetches {
        intervals.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (s, e) in intervals {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let meta = xorb_meta(app, &x)?.ok_or_else(|| HubError::internal(format!("xorb {x} missing")))?;
        let ranges = merged
            .into_iter()
            .map(|(s, e)| FetchRange {
                chunks: ChunkRange { start: s, end: e },
                bytes: ByteRange {
                    start: u64::from(meta.offsets[s as usize]),
                    end: u64::from(meta.offsets[e as usize]) - 1,
                },
            })
            .collect();
        out.push((x, ranges));
    }
    Ok(Plan { offset_into_first_range: offset, terms, fetches: out })
}

/// A presigned GET of these byte ranges of a xorb.
fn storage_url(app: &App, xorb: &XetHash, ranges: &[FetchRange]) -> String {
    let list: Vec<String> = ranges.iter().map(|r| format!("{}-{}", r.bytes.start, r.bytes.end)).collect();
    let path = format!("/cas/storage/{xorb}");
    let query = app.signer.sign("GET", &path, &[("X-Xet-Signed-Range", format!("bytes={}", list.join(",")))]);
    format!("{}{path}?{query}", app.storage_url)
}

pub fn reconstruction(app: &App, ctx: &Ctx, hash: &XetHash, v2: bool) -> HubResult {
    let file = xet_file(app, hash)?.ok_or_else(|| HubError::not_found(format!("File {hash} not found")))?;
    let (start, end) = match range::requested(&ctx.headers, file.size) {
        RangeRequest::Whole => (0, file.size.saturating_sub(1)),
        RangeRequest::Spans(s) if s.len() == 1 => (s[0].start, s[0].end),
        RangeRequest::Spans(_) => return Err(HubError::bad_request("Only one range is supported")),
        RangeRequest::Unsatisfiable => {
            return Err(HubError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                None,
                "Range start is beyond the end of the file",
            ))
        }
    };
    let plan = plan(app, &file, start, end)?;
    let terms: Vec<Value> = plan
        .terms
        .iter()
        .map(|(x, s, e, l)| json!({ "hash": x.to_hex(), "unpacked_length": l, "range": { "start": s, "end": e } }))
        .collect();
    let mut by_xorb = Map::new();
    for (x, ranges) in &plan.fetches {
        let value = if v2 {
            let rs: Vec<Value> = ranges
                .iter()
                .map(|r| json!({ "chunks": { "start": r.chunks.start, "end": r.chunks.end }, "bytes": { "start": r.bytes.start, "end": r.bytes.end } }))
                .collect();
            // One URL per group of ranges a single Range header can carry.
            let groups: Vec<Value> = ranges
                .chunks(MAX_RANGES)
                .zip(rs.chunks(MAX_RANGES))
                .map(|(group, rs)| json!({ "url": storage_url(app, x, group), "ranges": rs }))
                .collect();
            Value::Array(groups)
        } else {
            Value::Array(
                ranges
                    .iter()
                    .map(|r| {
                        json!({ "range": { "start": r.chunks.start, "end": r.chunks.end },
                                "url": storage_url(app, x, std::slice::from_ref(r)),
                                "url_range": { "start": r.bytes.start, "end": r.bytes.end } })
                    })
                    .collect(),
            )
        };
        by_xorb.insert(x.to_hex(), value);
    }
    let key = if v2 { "xorbs" } else { "fetch_info" };
    Ok(http::ok_json(json!({ "offset_into_first_range": plan.offset_into_first_range, "terms": terms, key: by_xorb })))
}

/// Presigned xorb bytes. The URL signs a set of ranges; a request may ask for all of them at
/// once (`multipart/byteranges`) or for any of them alone — hf_xet 1.8 fetches the ranges of a
/// multi-range V2 entry one request at a time.
pub fn storage(app: &App, ctx: &Ctx, xorb: &XetHash) -> HubResult {
    app.signer.check(ctx)?;
    let signed = ctx.query("X-Xet-Signed-Range").unwrap_or_default();
    let path = app.store.object_path("xorbs", &xorb.to_hex());
    let size = std::fs::metadata(&path).map_err(|e| HubError::internal(format!("object xorbs/{xorb}: {e}")))?.len();
    let spans = |value: Option<&str>| match parse_range(value, size) {
        RangeRequest::Spans(s) => s,
        _ => Vec::new(),
    };
    let allowed = spans(Some(signed));
    let requested = spans(ctx.header("range"));
    let covered = |r: &ByteSpan| allowed.iter().any(|a| a.start <= r.start && r.end <= a.end);
    if requested.is_empty() || !requested.iter().all(covered) {
        return Err(HubError::forbidden("The Range header asks for bytes this URL was not signed for"));
    }
    // Streamed from the file: only the asked bytes are read, a piece at a time (the ranges a
    // client asks are often whole 64 MiB xorbs).
    let read = |start, end| crate::objects::file_pieces(&path, start, end);
    Ok(range::ranged_pieces(&ctx.headers, size, "application/octet-stream", ctx.is_head(), read))
}

/// Bytes `[start, end]` of a stored Xet file, decoded one xorb at a time and checked by
/// hubwasm-core's assembler; a whole-file read is also checked against the file hash.
pub struct XetReader {
    app: App,
    /// `None` once finished (or for an empty read).
    assembler: Option<Assembler>,
    fetches: std::vec::IntoIter<usize>,
}

impl XetReader {
    pub fn open(app: &App, hash: &XetHash, file: &XetFile, start: u64, end: u64) -> HubResult<Self> {
        let empty = Self { app: app.clone(), assembler: None, fetches: Vec::new().into_iter() };
        if file.size == 0 || start > end || end >= file.size {
            return Ok(empty);
        }
        let plan = plan(app, file, start, end)?;
        let whole = start == 0 && end + 1 == file.size;
        let rec = Reconstruction {
            offset_into_first_range: plan.offset_into_first_range,
            terms: plan
                .terms
                .iter()
                .map(|&(xorb, s, e, l)| ReconstructionTerm {
                    xorb,
                    unpacked_length: l,
                    chunks: ChunkRange { start: s, end: e },
                })
                .collect(),
            fetches: plan
                .fetches
                .iter()
                .map(|(x, r)| XorbFetch { xorb: *x, url: String::new(), ranges: r.clone() })
                .collect(),
        };
        // The assembler checks the file hash only on unbounded reads.
        let options = if whole {
            AssembleOptions { length: None, verify_file: Some(*hash) }
        } else {
            AssembleOptions { length: Some(end - start + 1), verify_file: None }
        };
        let assembler = Assembler::new(rec, options).map_err(HubError::internal)?;
        let fetches = assembler.needed_fetches().into_iter();
        Ok(Self { app: app.clone(), assembler: Some(assembler), fetches })
    }

    /// The next decoded bytes, `None` at the end (after the final checks passed).
    pub fn next_piece(&mut self) -> HubResult<Option<Vec<u8>>> {
        loop {
            let Some(assembler) = self.assembler.as_mut() else { return Ok(None) };
            if let Some(piece) = assembler.next_piece().map_err(HubError::internal)? {
                return Ok(Some(piece));
            }
            let Some(fetch) = self.fetches.next() else {
                let done = self.assembler.take().map(Assembler::finish);
                done.transpose().map_err(|e| HubError::internal(format!("stored Xet file is corrupt: {e}")))?;
                return Ok(None);
            };
            let f = assembler.reconstruction().fetches[fetch].clone();
            let bytes = self.app.store.get_object("xorbs", &f.xorb.to_hex())?;
            for (i, r) in f.ranges.iter().enumerate() {
                let part = usize::try_from(r.bytes.start)
                    .ok()
                    .zip(usize::try_from(r.bytes.end).ok())
                    .and_then(|(a, b)| bytes.get(a..=b))
                    .ok_or_else(|| HubError::internal(format!("xorb {} is shorter than its index", f.xorb)))?;
                assembler.accept(fetch, i, part).map_err(HubError::internal)?;
            }
        }
    }
}

/// A stored Xet file by its hex hash.
pub fn stored_file(app: &App, hash_hex: &str) -> HubResult<(XetHash, XetFile)> {
    let hash = parse_hash(hash_hex)?;
    let file = xet_file(app, &hash)?.ok_or_else(|| HubError::not_found("File not found"))?;
    Ok((hash, file))
}
