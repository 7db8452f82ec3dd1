//! What the CAS holds: xorbs (every chunk verified against the xorb hash, decoded by
//! hubwasm-core within its limits), shards (referenced xorbs must exist, file and verification
//! hashes must match, expansion bounded), the files they register, and global-dedup answers.

use axum::body::Body;
use axum::http::{header, Response};
use hubwasm_core::xet::{self, shard, xorb, XetHash};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::tokens::TokenScope;
use crate::app::App;
use crate::http::{self, HubError, HubResult};

const MAX_SHARD_BYTES: usize = 64 << 20;
/// Chunk records the terms of one shard may expand to (each term up to a whole xorb): about
/// 64 GiB of files, 40 MiB of bookkeeping.
pub const MAX_EXPANDED_CHUNKS: usize = 1 << 20;

/// Files are readable with a token of a repo that has committed them; a write token (an upload
/// session) may also read back what its repo uploaded but has not committed yet. Others get the
/// 404 of an unknown file, so a hash alone reveals nothing of private repos.
pub fn require_file_access(app: &App, scope: &TokenScope, file: &XetHash) -> HubResult<()> {
    let db = app.store.db();
    let found = |sql: &str| db.query_row(sql, params![scope.repo, file.to_hex()], |_| Ok(())).optional();
    let committed = found("SELECT 1 FROM entries WHERE repo = ?1 AND xet_hash = ?2 LIMIT 1")?;
    let uploaded = match (committed, scope.write) {
        (Some(()), _) => Some(()),
        (None, true) => found("SELECT 1 FROM repo_xet_files WHERE repo = ?1 AND hash = ?2")?,
        (None, false) => None,
    };
    uploaded.ok_or_else(|| HubError::not_found(format!("File {file} not found")))
}

pub fn parse_hash(s: &str) -> HubResult<XetHash> {
    XetHash::from_hex(s).map_err(|_| HubError::bad_request(format!("Invalid hash: {s:?}")))
}

pub struct XorbMeta {
    pub size: u64,
    /// Serialized start offset of each chunk, plus the end.
    pub offsets: Vec<u32>,
    pub chunks: Vec<(XetHash, u64)>,
}

pub fn xorb_meta(app: &App, hash: &XetHash) -> HubResult<Option<XorbMeta>> {
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

pub fn upload_xorb(app: &App, hash: &XetHash, body: &[u8]) -> HubResult {
    if body.len() > xorb::MAX_XORB_BYTES + xorb::MAX_XORB_CHUNKS * xorb::CHUNK_HEADER_LEN {
        return Err(HubError::bad_request("Xorb too large"));
    }
    if xorb_meta(app, hash)?.is_some() {
        return Ok(http::ok_json(json!({ "was_inserted": false })));
    }
    // hubwasm-core enforces the 8192-chunk and 64 MiB limits while decoding, before each chunk.
    let chunks =
        xorb::decode_and_verify_hashed(body, hash).map_err(|e| HubError::bad_request(format!("Xorb rejected: {e}")))?;
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
    let hashes: Vec<u8> = chunks.iter().flat_map(|(_, hash)| hash.0).collect();
    let lens: Vec<u8> = chunks.iter().flat_map(|(c, _)| (c.len() as u32).to_le_bytes()).collect();
    let offsets: Vec<u8> = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
    app.store.db().execute(
        "INSERT OR IGNORE INTO xorbs(hash, size, offsets, chunk_hashes, chunk_lens) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash.to_hex(), pos as i64, offsets, hashes, lens],
    )?;
    Ok(http::ok_json(json!({ "was_inserted": true })))
}

/// Checks and registers a shard sent with a write token of `scope.repo`; `Ok(false)` when it was
/// already registered. Its files become readable by that repo's tokens and its SHA-256 claims
/// referable by that repo's commits only; a file or claim registered before is never replaced.
pub fn register_shard(app: &App, scope: &TokenScope, bytes: &[u8]) -> HubResult<bool> {
    if bytes.len() > MAX_SHARD_BYTES {
        return Err(HubError::bad_request("Shard too large"));
    }
    let id = hex::encode(Sha256::digest(bytes));
    let known = app.store.db().query_row("SELECT 1 FROM shards WHERE hash = ?1", [&id], |_| Ok(())).optional()?;
    let parsed = shard::parse(bytes).map_err(|e| HubError::bad_request(format!("Shard rejected: {e}")))?;
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
    let mut expanded = 0usize;
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
            expanded += range.len();
            if expanded > MAX_EXPANDED_CHUNKS {
                return Err(HubError::bad_request(format!(
                    "Shard rejected: its file terms expand to more than {MAX_EXPANDED_CHUNKS} chunks"
                )));
            }
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
        if let Some(claim) = f.sha256 {
            check_sha256_claim(app, f, &claim).map_err(|e| match e.status {
                axum::http::StatusCode::BAD_REQUEST => e,
                _ => HubError::bad_request(format!("Shard rejected: file {i} cannot be read back: {e}")),
            })?;
        }
        for (index, (chunk, _)) in chunks.iter().enumerate() {
            if xet::is_global_dedup_eligible(chunk, index == 0) {
                if let Some(xorb) = chunk_xorb(&f.terms, index) {
                    eligible.push((chunk.to_hex(), xorb.to_hex()));
                }
            }
        }
        registrations.push((f.hash.to_hex(), f.size(), f.sha256.map(hex::encode), Value::Array(terms).to_string()));
    }
    app.store.put_object("shards", &id, bytes)?;
    {
        let mut db = app.store.db();
        let tx = db.transaction()?;
        for (hash, size, sha256, terms) in &registrations {
            // A file hash names its content (checked above): the first registration stands.
            tx.execute(
                "INSERT OR IGNORE INTO xet_files(hash, size, sha256, terms) VALUES (?1, ?2, ?3, ?4)",
                params![hash, *size as i64, sha256, terms],
            )?;
            tx.execute("INSERT OR IGNORE INTO repo_xet_files(repo, hash) VALUES (?1, ?2)", params![scope.repo, hash])?;
            if let Some(sha) = sha256 {
                tx.execute(
                    "INSERT OR IGNORE INTO repo_objects(repo, sha256, size, xet_hash) VALUES (?1, ?2, ?3, ?4)",
                    params![scope.repo, sha, *size as i64, hash],
                )?;
            }
        }
        for (chunk, xorb) in &eligible {
            tx.execute("INSERT OR IGNORE INTO dedup_chunks(chunk, xorb) VALUES (?1, ?2)", params![chunk, xorb])?;
            tx.execute("INSERT OR IGNORE INTO dedup_chunk_shards(chunk, shard) VALUES (?1, ?2)", params![chunk, id])?;
        }
        tx.execute("INSERT OR IGNORE INTO shards(hash) VALUES (?1)", [&id])?;
        tx.commit()?;
    }
    Ok(known.is_none())
}

/// Rebuilds a shard's file from its (already checked) xorbs and compares its SHA-256 with the
/// shard's claim: the claim is what lets LFS clients and commits name the file by oid, so a
/// false one would serve these bytes under another upload's oid.
fn check_sha256_claim(app: &App, f: &shard::FileEntry, claim: &[u8; 32]) -> HubResult<()> {
    let terms = f.terms.iter().map(|t| (t.xorb, t.chunk_start, t.chunk_end, t.raw_len)).collect();
    let file = XetFile { size: f.size(), terms };
    let mut hasher = Sha256::new();
    let mut reader = super::reconstruct::XetReader::open(app, &f.hash, &file, 0, f.size().saturating_sub(1))?;
    while let Some(piece) = reader.next_piece()? {
        hasher.update(&piece);
    }
    if hasher.finalize()[..] != claim[..] {
        return Err(HubError::bad_request(format!(
            "Shard rejected: file {} does not have the SHA-256 {} it claims",
            f.hash,
            hex::encode(claim)
        )));
    }
    Ok(())
}

/// The xorb holding the `index`-th chunk of a file with these terms.
fn chunk_xorb(terms: &[shard::Term], mut index: usize) -> Option<XetHash> {
    for t in terms {
        let n = t.chunk_end.saturating_sub(t.chunk_start) as usize;
        if index < n {
            return Some(t.xorb);
        }
        index -= n;
    }
    None
}

/// How long clients may use the chunk list of a dedup answer (observed on the Hub: 7 days).
const DEDUP_KEY_LIFETIME_SECS: u64 = 7 * 24 * 3600;

/// Chunks one dedup answer lists at most (48 bytes each: about 3 MiB), the chunk's own xorb
/// always included.
const MAX_DEDUP_ANSWER_CHUNKS: usize = 1 << 16;

/// `GET /v1/chunks/default/{chunk}`: for a known global-dedup-eligible chunk, the xorbs of the
/// shard that registered it (§5.7: the real CAS answers with that shard's xorb section, so one
/// query serves a whole multi-xorb file), chunk hashes keyed with a key derived per answer;
/// 404 otherwise.
pub fn dedup_answer(app: &App, chunk: &XetHash) -> HubResult {
    let xorb: Option<String> = app
        .store
        .db()
        .query_row("SELECT xorb FROM dedup_chunks WHERE chunk = ?1", [chunk.to_hex()], |r| r.get(0))
        .optional()?;
    let Some(xorb) = xorb else { return Err(HubError::not_found("Chunk not found")) };
    let xorb = parse_hash(&xorb)?;
    let mut listed = vec![xorb];
    for other in registering_shard_xorbs(app, chunk)? {
        if !listed.contains(&other) {
            listed.push(other);
        }
    }
    let mut entries = Vec::with_capacity(listed.len());
    let mut chunk_count = 0;
    for hash in listed {
        let Some(meta) = xorb_meta(app, &hash)? else {
            return Err(HubError::internal("dedup index names a missing xorb"));
        };
        chunk_count += meta.chunks.len();
        if chunk_count > MAX_DEDUP_ANSWER_CHUNKS && !entries.is_empty() {
            break;
        }
        entries.push(dedup_entry(hash, &meta));
    }
    let now = http::now_unix() as u64;
    let footer = shard::ShardFooter {
        chunk_hash_key: XetHash(app.signer.derive("dedup-chunk-key", &xorb.0)),
        creation_timestamp: now,
        key_expiry: now + DEDUP_KEY_LIFETIME_SECS,
    };
    let body = shard::write_dedup_answer(&entries, &footer);
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(body))
        .expect("valid"))
}

/// The xorbs of the shard that first registered `chunk` as eligible: its xorb section, then the
/// xorbs its files reference, in order. Empty for chunks registered before shards were recorded.
fn registering_shard_xorbs(app: &App, chunk: &XetHash) -> HubResult<Vec<XetHash>> {
    let shard_id: Option<String> = app
        .store
        .db()
        .query_row("SELECT shard FROM dedup_chunk_shards WHERE chunk = ?1", [chunk.to_hex()], |r| r.get(0))
        .optional()?;
    let Some(shard_id) = shard_id else { return Ok(Vec::new()) };
    let bytes = app.store.get_object("shards", &shard_id)?;
    let parsed = shard::parse(&bytes).map_err(|e| HubError::internal(format!("stored shard {shard_id}: {e}")))?;
    let mut xorbs: Vec<XetHash> = parsed.xorbs.iter().map(|x| x.hash).collect();
    for term in parsed.files.iter().flat_map(|f| &f.terms) {
        if !xorbs.contains(&term.xorb) {
            xorbs.push(term.xorb);
        }
    }
    Ok(xorbs)
}

/// A stored xorb as a dedup answer lists it (flags mark the eligible chunks).
fn dedup_entry(hash: XetHash, meta: &XorbMeta) -> shard::XorbEntry {
    let mut raw_offset = 0u32;
    let chunks = meta
        .chunks
        .iter()
        .enumerate()
        .map(|(i, &(chunk, len))| {
            let flags = if xet::is_global_dedup_eligible(&chunk, i == 0) { 0x8000_0000 } else { 0 };
            let c = shard::XorbChunk { hash: chunk, raw_offset, len: len as u32, flags };
            raw_offset += len as u32;
            c
        })
        .collect();
    shard::XorbEntry { hash, raw_len: raw_offset, bytes_on_disk: meta.size as u32, chunks }
}

pub struct XetFile {
    pub size: u64,
    /// `(xorb, chunk_start, chunk_end, raw_len)` in file order.
    pub terms: Vec<(XetHash, u32, u32, u32)>,
}

pub fn xet_file(app: &App, hash: &XetHash) -> HubResult<Option<XetFile>> {
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
