//! Xet CAS (spec xet-protocol.md §6): access tokens, xorb upload (every chunk verified against
//! the xorb hash), shard upload (referenced xorbs must exist, file hashes and verification hashes
//! must match), V1 and V2 reconstruction with ranges, and presigned storage fetches with single or
//! multi-range requests. Validation and reconstruction use hubwasm-core.

use axum::body::Body;
use axum::http::{header, Method, Response, StatusCode};
use hubwasm_core::xet::reconstruct::{ByteRange, ChunkRange, FetchRange, ReconstructionTerm, XorbFetch};
use hubwasm_core::xet::{self, shard, xorb, AssembleOptions, Assembler, Reconstruction, XetHash};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::commit::{check_signature, signature};
use crate::http::{self, HubError, HubResult, RangeRequest};
use crate::store::Repo;
use crate::{App, Ctx};

const TOKEN_LIFETIME_SECS: i64 = 3600;
const MAX_SHARD_BYTES: usize = 64 << 20;

pub struct XetToken {
    pub token: String,
    pub exp: i64,
    pub cas_url: String,
}

pub fn new_token(app: &App, repo: &Repo, write: bool) -> HubResult<XetToken> {
    let token = format!("xet_{}", hex::encode(rand::random::<[u8; 24]>()));
    let exp = http::now_unix() + TOKEN_LIFETIME_SECS;
    app.store.db().execute(
        "INSERT INTO xet_tokens(token, repo, write, exp) VALUES (?1, ?2, ?3, ?4)",
        params![token, repo.id, write, exp],
    )?;
    Ok(XetToken { token, exp, cas_url: format!("{}/cas", app.base_url) })
}

/// `GET /api/{type}s/{repo}/xet-{read|write}-token/{rev}`.
pub fn issue_token(app: &App, ctx: &Ctx, repo: &Repo, write: bool, rev: &str) -> HubResult {
    if write {
        ctx.caller.require_write(&app.store, repo)?;
    } else {
        ctx.caller.require_content_access(&app.store, repo)?;
    }
    // Python sends the literal revision "None" (and JS `create_pr=1`) for uploads that become PRs.
    if !(write && (rev == "None" || ctx.flag("create_pr"))) {
        crate::hub::resolve_revision(app, repo, rev)?;
    }
    let t = new_token(app, repo, write)?;
    // huggingface_hub reads the token from these headers; hf_xet's refresher reads the JSON body.
    let mut reply = http::ok_json(json!({ "accessToken": t.token, "exp": t.exp, "casUrl": t.cas_url }));
    let h = reply.headers_mut();
    h.insert("X-Xet-Cas-Url", t.cas_url.parse().map_err(HubError::internal)?);
    h.insert("X-Xet-Access-Token", t.token.parse().map_err(HubError::internal)?);
    h.insert("X-Xet-Token-Expiration", t.exp.into());
    Ok(reply)
}

/// A valid CAS token's scope.
struct TokenScope {
    repo: i64,
    write: bool,
}

fn require_token(app: &App, ctx: &Ctx, write: bool) -> HubResult<TokenScope> {
    let token = ctx.caller.bearer.as_deref().ok_or_else(|| HubError::unauthorized("Missing CAS access token"))?;
    let row: Option<(i64, bool, i64)> = app
        .store
        .db()
        .query_row("SELECT repo, write, exp FROM xet_tokens WHERE token = ?1", [token], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match row {
        Some((_, _, exp)) if exp < http::now_unix() => Err(HubError::unauthorized("CAS access token expired")),
        Some((_, false, _)) if write => Err(HubError::forbidden("This CAS token is read-only")),
        Some((repo, write, _)) => Ok(TokenScope { repo, write }),
        None => Err(HubError::unauthorized("Invalid CAS access token")),
    }
}

/// Files are readable with a token of a repo that has committed them; a write token (an upload
/// session) may also read back what it has not committed yet. Others get the 404 of an unknown
/// file, so a hash alone reveals nothing of private repos.
fn require_file_access(app: &App, scope: &TokenScope, file: &XetHash) -> HubResult<()> {
    if scope.write {
        return Ok(());
    }
    let committed = app
        .store
        .db()
        .query_row(
            "SELECT 1 FROM entries WHERE repo = ?1 AND xet_hash = ?2 LIMIT 1",
            params![scope.repo, file.to_hex()],
            |_| Ok(()),
        )
        .optional()?;
    committed.ok_or_else(|| HubError::not_found(format!("File {file} not found")))
}

fn parse_hash(s: &str) -> HubResult<XetHash> {
    XetHash::from_hex(s).map_err(|_| HubError::bad_request(format!("Invalid hash: {s:?}")))
}

pub fn route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    match (ctx.method.clone(), segs) {
        (Method::POST, ["v1", "xorbs", "default", hash]) => {
            require_token(app, ctx, true)?;
            upload_xorb(app, &parse_hash(hash)?, &ctx.body)
        }
        (Method::HEAD | Method::GET, ["v1", "xorbs", "default", hash]) => {
            require_token(app, ctx, false)?;
            let meta = xorb_meta(app, &parse_hash(hash)?)?.ok_or_else(|| HubError::not_found("Xorb not found"))?;
            Ok(Response::builder().header(header::CONTENT_LENGTH, meta.size).body(Body::empty()).expect("valid"))
        }
        (Method::POST, ["v1", "shards"]) => {
            require_token(app, ctx, true)?;
            let inserted = register_shard(app, &ctx.body)?;
            Ok(http::ok_json(json!({ "result": u8::from(inserted) })))
        }
        (Method::POST, ["v2", "shards"]) => {
            require_token(app, ctx, true)?;
            // Streaming variant: success or failure is only in the terminal NDJSON event.
            let last = match register_shard(app, &ctx.body) {
                Ok(inserted) => json!({ "type": "result", "result": u8::from(inserted) }),
                Err(e) => json!({ "type": "error", "message": e.message, "retryable": false }),
            };
            let body = format!("{}\n{last}\n", json!({ "type": "validating", "verified": 1, "total": 1 }));
            Ok(Response::builder()
                .header(header::CONTENT_TYPE, "application/x-ndjson")
                .body(Body::from(body))
                .expect("valid"))
        }
        (Method::GET, ["v1", "chunks", "default" | "default-merkledb", hash]) => {
            require_token(app, ctx, false)?;
            dedup_answer(app, &parse_hash(hash)?)
        }
        (Method::GET, [version @ ("v1" | "v2"), "reconstructions", hash]) => {
            let scope = require_token(app, ctx, false)?;
            let hash = parse_hash(hash)?;
            require_file_access(app, &scope, &hash)?;
            reconstruction(app, ctx, &hash, *version == "v2")
        }
        (Method::GET, ["v1", "files", hash]) | (Method::HEAD, ["v1", "files", hash]) => {
            let scope = require_token(app, ctx, false)?;
            let hash = parse_hash(hash)?;
            require_file_access(app, &scope, &hash)?;
            let file = xet_file(app, &hash)?.ok_or_else(|| HubError::not_found("File not found"))?;
            Ok(Response::builder().header(header::CONTENT_LENGTH, file.size).body(Body::empty()).expect("valid"))
        }
        (Method::GET, ["storage", hash]) => storage(app, ctx, &parse_hash(hash)?),
        (Method::POST, ["v1", "telemetry"]) => Ok(http::ok_json(json!({}))),
        _ => Err(HubError::not_found(format!("Unknown CAS route /{}", segs.join("/")))),
    }
}

struct XorbMeta {
    size: u64,
    /// Serialized start offset of each chunk, plus the end.
    offsets: Vec<u32>,
    chunks: Vec<(XetHash, u64)>,
}

fn xorb_meta(app: &App, hash: &XetHash) -> HubResult<Option<XorbMeta>> {
    let u32s =
        |b: &[u8]| -> Vec<u32> { b.chunks_exact(4).map(|w| u32::from_le_bytes(w.try_into().expect("4"))).collect() };
    Ok(app
        .store
        .db()
        .query_row("SELECT size, offsets, chunk_hashes, chunk_lens FROM xorbs WHERE hash = ?1", [hash.to_hex()], |r| {
            let (offsets, hashes, lens): (Vec<u8>, Vec<u8>, Vec<u8>) = (r.get(1)?, r.get(2)?, r.get(3)?);
            Ok(XorbMeta {
                size: r.get::<_, i64>(0)? as u64,
                offsets: u32s(&offsets),
                chunks: hashes
                    .chunks_exact(32)
                    .map(|h| XetHash(h.try_into().expect("32")))
                    .zip(u32s(&lens).into_iter().map(u64::from))
                    .collect(),
            })
        })
        .optional()?)
}

fn upload_xorb(app: &App, hash: &XetHash, body: &[u8]) -> HubResult {
    if body.len() > xorb::MAX_XORB_BYTES + xorb::MAX_XORB_CHUNKS * xorb::CHUNK_HEADER_LEN {
        return Err(HubError::bad_request("Xorb too large"));
    }
    if xorb_meta(app, hash)?.is_some() {
        return Ok(http::ok_json(json!({ "was_inserted": false })));
    }
    let chunks =
        xorb::decode_and_verify(body, hash).map_err(|e| HubError::bad_request(format!("Xorb rejected: {e:?}")))?;
    let mut offsets = Vec::with_capacity(chunks.len() + 1);
    let mut pos = 0usize;
    for _ in &chunks {
        offsets.push(pos as u32);
        let h = xorb::parse_chunk_header(&body[pos..], pos)
            .ok()
            .flatten()
            .ok_or_else(|| HubError::bad_request("Xorb rejected: bad chunk header"))?;
        pos += xorb::CHUNK_HEADER_LEN + h.stored_len;
    }
    offsets.push(pos as u32);
    app.store.put_object("xorbs", &hash.to_hex(), &body[..pos])?;
    let hashes: Vec<u8> = chunks.iter().flat_map(|c| xet::chunk_hash(c).0).collect();
    let lens: Vec<u8> = chunks.iter().flat_map(|c| (c.len() as u32).to_le_bytes()).collect();
    let offsets: Vec<u8> = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
    app.store.db().execute(
        "INSERT OR IGNORE INTO xorbs(hash, size, offsets, chunk_hashes, chunk_lens) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash.to_hex(), pos as i64, offsets, hashes, lens],
    )?;
    Ok(http::ok_json(json!({ "was_inserted": true })))
}

/// Checks and registers a shard; `Ok(false)` when it was already registered.
fn register_shard(app: &App, bytes: &[u8]) -> HubResult<bool> {
    if bytes.len() > MAX_SHARD_BYTES {
        return Err(HubError::bad_request("Shard too large"));
    }
    let id = hex::encode(Sha256::digest(bytes));
    if app.store.db().query_row("SELECT 1 FROM shards WHERE hash = ?1", [&id], |_| Ok(())).optional()?.is_some() {
        return Ok(false);
    }
    let parsed = shard::parse(bytes).map_err(|e| HubError::bad_request(format!("Shard rejected: {e:?}")))?;
    for x in &parsed.xorbs {
        let meta = xorb_meta(app, &x.hash)?
            .ok_or_else(|| HubError::bad_request(format!("Shard rejected: xorb {} was not uploaded", x.hash)))?;
        let listed: Vec<XetHash> = x.chunks.iter().map(|c| c.hash).collect();
        let stored: Vec<XetHash> = meta.chunks.iter().map(|c| c.0).collect();
        if listed != stored {
            return Err(HubError::bad_request(format!(
                "Shard rejected: chunks of xorb {} do not match the uploaded xorb",
                x.hash
            )));
        }
    }
    let mut registrations = Vec::new();
    let mut eligible = Vec::new();
    for (i, f) in parsed.files.iter().enumerate() {
        let mut chunks = Vec::new();
        let mut terms = Vec::new();
        for (t_index, t) in f.terms.iter().enumerate() {
            let meta = xorb_meta(app, &t.xorb)?
                .ok_or_else(|| HubError::bad_request(format!("Shard rejected: xorb {} was not uploaded", t.xorb)))?;
            let range = meta.chunks.get(t.chunk_start as usize..t.chunk_end as usize).filter(|r| !r.is_empty());
            let range = range.ok_or_else(|| {
                HubError::bad_request(format!("Shard rejected: file {i} term {t_index} is outside its xorb"))
            })?;
            if range.iter().map(|c| c.1).sum::<u64>() != u64::from(t.raw_len) {
                return Err(HubError::bad_request(format!(
                    "Shard rejected: file {i} term {t_index} has the wrong length"
                )));
            }
            if let Some(v) = &f.verification {
                if v.get(t_index) != Some(&xet::verification_hash(range.iter().map(|c| c.0))) {
                    return Err(HubError::bad_request(format!(
                        "Shard rejected: file {i} term {t_index} fails verification"
                    )));
                }
            }
            chunks.extend_from_slice(range);
            terms.push(json!([t.xorb.to_hex(), t.chunk_start, t.chunk_end, t.raw_len]));
        }
        let actual = xet::file_hash(&chunks);
        if actual != f.hash {
            return Err(HubError::bad_request(format!("Shard rejected: file {i} hashes to {actual}, not {}", f.hash)));
        }
        for (index, (chunk, _)) in chunks.iter().enumerate() {
            if xet::is_global_dedup_eligible(chunk, index == 0) {
                eligible.push((chunk.to_hex(), chunk_xorb(&f.terms, index).to_hex()));
            }
        }
        registrations.push((f.hash.to_hex(), f.size(), f.sha256.map(hex::encode), Value::Array(terms).to_string()));
    }
    app.store.put_object("shards", &id, bytes)?;
    {
        let mut db = app.store.db();
        let tx = db.transaction()?;
        for (hash, size, sha256, terms) in &registrations {
            tx.execute(
                "INSERT OR REPLACE INTO xet_files(hash, size, sha256, terms) VALUES (?1, ?2, ?3, ?4)",
                params![hash, *size as i64, sha256, terms],
            )?;
        }
        for (chunk, xorb) in &eligible {
            tx.execute("INSERT OR IGNORE INTO dedup_chunks(chunk, xorb) VALUES (?1, ?2)", params![chunk, xorb])?;
        }
        tx.execute("INSERT INTO shards(hash) VALUES (?1)", [&id])?;
        tx.commit()?;
    }
    for (hash, size, sha256, _) in registrations {
        if let Some(sha) = sha256 {
            app.store.put_lfs_object(&sha, size, Some(&hash))?;
        }
    }
    Ok(true)
}

/// The xorb holding the `index`-th chunk of a file with these terms.
fn chunk_xorb(terms: &[shard::Term], mut index: usize) -> XetHash {
    for t in terms {
        let n = (t.chunk_end - t.chunk_start) as usize;
        if index < n {
            return t.xorb;
        }
        index -= n;
    }
    unreachable!("chunk index within the file's terms")
}

/// How long clients may use the chunk list of a dedup answer (observed on the Hub: 7 days).
const DEDUP_KEY_LIFETIME_SECS: u64 = 7 * 24 * 3600;

/// `GET /v1/chunks/default/{chunk}`: for a known global-dedup-eligible chunk, a shard listing the
/// xorb that holds it, chunk hashes keyed with a key derived per xorb (§5.7); 404 otherwise.
fn dedup_answer(app: &App, chunk: &XetHash) -> HubResult {
    let xorb: Option<String> = app
        .store
        .db()
        .query_row("SELECT xorb FROM dedup_chunks WHERE chunk = ?1", [chunk.to_hex()], |r| r.get(0))
        .optional()?;
    let Some(xorb) = xorb else { return Err(HubError::not_found("Chunk not found")) };
    let xorb = parse_hash(&xorb)?;
    let meta = xorb_meta(app, &xorb)?.ok_or_else(|| HubError::internal("dedup index names a missing xorb"))?;
    let mut raw_offset = 0u32;
    let chunks = meta
        .chunks
        .iter()
        .enumerate()
        .map(|(i, &(hash, len))| {
            let flags = if xet::is_global_dedup_eligible(&hash, i == 0) { 0x8000_0000 } else { 0 };
            let c = shard::XorbChunk { hash, raw_offset, len: len as u32, flags };
            raw_offset += len as u32;
            c
        })
        .collect();
    let entry = shard::XorbEntry { hash: xorb, raw_len: raw_offset, bytes_on_disk: meta.size as u32, chunks };
    let mut key = Sha256::new();
    key.update(app.signing_key);
    key.update(xorb.0);
    let now = http::now_unix() as u64;
    let footer = shard::ShardFooter {
        chunk_hash_key: XetHash(key.finalize().into()),
        creation_timestamp: now,
        key_expiry: now + DEDUP_KEY_LIFETIME_SECS,
    };
    let body = shard::write_dedup_answer(&[entry], &footer);
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(body))
        .expect("valid"))
}

pub struct XetFile {
    pub size: u64,
    /// `(xorb, chunk_start, chunk_end, raw_len)` in file order.
    pub terms: Vec<(XetHash, u32, u32, u32)>,
}

fn xet_file(app: &App, hash: &XetHash) -> HubResult<Option<XetFile>> {
    let row: Option<(i64, String)> = app
        .store
        .db()
        .query_row("SELECT size, terms FROM xet_files WHERE hash = ?1", [hash.to_hex()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((size, terms)) = row else { return Ok(None) };
    let terms: Vec<(String, u32, u32, u32)> = serde_json::from_str(&terms).map_err(HubError::internal)?;
    let terms = terms.into_iter().map(|(x, s, e, l)| Ok((parse_hash(&x)?, s, e, l))).collect::<HubResult<_>>()?;
    Ok(Some(XetFile { size: size as u64, terms }))
}

/// The terms covering bytes `[start, end]` of a file, the offset into the first, and per xorb the
/// merged chunk intervals to fetch.
struct Plan {
    offset_into_first_range: u64,
    terms: Vec<(XetHash, u32, u32, u32)>,
    /// Per xorb (in first-use order): chunk intervals and their inclusive byte ranges.
    fetches: Vec<(XetHash, Vec<FetchRange>)>,
}

fn plan(app: &App, file: &XetFile, start: u64, end: u64) -> HubResult<Plan> {
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

fn storage_url(app: &App, xorb: &XetHash, ranges: &[FetchRange]) -> String {
    let list: Vec<String> = ranges.iter().map(|r| format!("{}-{}", r.bytes.start, r.bytes.end)).collect();
    let list = list.join(",");
    let exp = http::now_unix() + TOKEN_LIFETIME_SECS;
    let sig = signature(app, &format!("{xorb}:{list}"), exp);
    format!("{}/cas/storage/{xorb}?X-Xet-Signed-Range=bytes%3D{list}&exp={exp}&sig={sig}", app.storage_url)
}

fn reconstruction(app: &App, ctx: &Ctx, hash: &XetHash, v2: bool) -> HubResult {
    let file = xet_file(app, hash)?.ok_or_else(|| HubError::not_found(format!("File {hash} not found")))?;
    let (start, end) = match http::parse_range(ctx.headers.get(header::RANGE), file.size) {
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
            json!([{ "url": storage_url(app, x, ranges), "ranges": rs }])
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
fn storage(app: &App, ctx: &Ctx, xorb: &XetHash) -> HubResult {
    let signed = ctx.query("X-Xet-Signed-Range").unwrap_or_default();
    let list = signed.strip_prefix("bytes=").unwrap_or_default();
    check_signature(app, ctx, &format!("{xorb}:{list}"))?;
    let bytes = app.store.get_object("xorbs", &xorb.to_hex())?;
    let size = bytes.len() as u64;
    let spans = |value: Option<&str>| match value.and_then(|v| header::HeaderValue::from_str(v).ok()) {
        Some(v) => match http::parse_range(Some(&v), size) {
            RangeRequest::Spans(s) => s,
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let allowed = spans(Some(signed));
    let requested = spans(ctx.header("range"));
    let covered = |r: &http::ByteSpan| allowed.iter().any(|a| a.start <= r.start && r.end <= a.end);
    if requested.is_empty() || !requested.iter().all(covered) {
        return Err(HubError::forbidden("The Range header asks for bytes this URL was not signed for"));
    }
    Ok(http::ranged_body(&ctx.headers, bytes, "application/octet-stream", false))
}

/// A whole Xet file rebuilt from stored xorbs with hubwasm-core's assembler, hash-checked (the
/// LFS-compatible bridge for clients without Xet support).
pub fn reconstruct_file(app: &App, hash_hex: &str) -> HubResult<Vec<u8>> {
    let hash = parse_hash(hash_hex)?;
    let file = xet_file(app, &hash)?.ok_or_else(|| HubError::not_found("File not found"))?;
    if file.size == 0 {
        return Ok(Vec::new());
    }
    let plan = plan(app, &file, 0, file.size - 1)?;
    let rec = Reconstruction {
        offset_into_first_range: 0,
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
    let mut assembler = Assembler::new(rec, AssembleOptions { length: None, verify_file: Some(hash) })
        .map_err(|e| HubError::internal(format!("{e:?}")))?;
    let mut out = Vec::with_capacity(file.size as usize);
    for fetch in assembler.needed_fetches() {
        let f = assembler.reconstruction().fetches[fetch].clone();
        let bytes = app.store.get_object("xorbs", &f.xorb.to_hex())?;
        for (i, r) in f.ranges.iter().enumerate() {
            let part = &bytes[r.bytes.start as usize..=r.bytes.end as usize];
            assembler.accept(fetch, i, part).map_err(|e| HubError::internal(format!("{e:?}")))?;
        }
        while let Some(piece) = assembler.next_piece().map_err(|e| HubError::internal(format!("{e:?}")))? {
            out.extend_from_slice(&piece);
        }
    }
    assembler.finish().map_err(|e| HubError::internal(format!("stored Xet file is corrupt: {e:?}")))?;
    Ok(out)
}
