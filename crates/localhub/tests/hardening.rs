//! One test per finding of the localhub security review (issue #9): cross-repo reads, lost
//! commits, memory blow-ups, storage-URL signatures and open doors. Each one failed on the code
//! before the fix.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use base64::Engine as _;
use common::*;
use hubwasm_core::xet::{self, shard, BoundaryRule, UploadPlanner, XorbBuilder};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const STRANGER: &str = "hf_stranger_write";

fn body_text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn create_repo_as(url: &str, token: &str, namespace: &str, name: &str, private: bool) {
    let r = post_json(
        &format!("{url}/api/repos/create"),
        Some(token),
        &json!({ "name": name, "organization": namespace, "private": private }),
    );
    assert_eq!(r.status, 200, "{}", body_text(&r));
}

fn commit_lines(url: &str, repo: &str, token: &str, header: Value, ops: &[Value]) -> Reply {
    let mut body = json!({ "key": "header", "value": header }).to_string();
    for op in ops {
        body.push('\n');
        body.push_str(&op.to_string());
    }
    send("POST", &format!("{url}/api/models/{repo}/commit/main"), Some(token), "application/x-ndjson", body.as_bytes())
}

fn file_op(path: &str, content: &[u8]) -> Value {
    json!({ "key": "file", "value": { "path": path, "content": base64::engine::general_purpose::STANDARD.encode(content), "encoding": "base64" } })
}

fn lfs_op(path: &str, sha256: &str, size: usize) -> Value {
    json!({ "key": "lfsFile", "value": { "path": path, "algo": "sha256", "oid": sha256, "size": size } })
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn batch(url: &str, repo: &str, token: Option<&str>, operation: &str, oid: &str, size: usize) -> Value {
    let r = post_json(
        &format!("{url}/{repo}.git/info/lfs/objects/batch"),
        token,
        &json!({ "operation": operation, "transfers": ["basic"], "objects": [{ "oid": oid, "size": size }] }),
    );
    assert_eq!(r.status, 200, "{}", body_text(&r));
    r.json()["objects"][0].clone()
}

/// Uploads `content` through the LFS batch API (basic transfer) for `repo`.
fn lfs_upload(url: &str, repo: &str, token: &str, content: &[u8]) -> String {
    let oid = sha256_hex(content);
    let object = batch(url, repo, Some(token), "upload", &oid, content.len());
    let href = object["actions"]["upload"]["href"].as_str().expect("upload action").to_string();
    let r = send("PUT", &href, None, "application/octet-stream", content);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    oid
}

/// Plans `files`, lets `tamper` edit the shard, uploads xorbs and shard to `repo`'s CAS with
/// `token`; returns the planned file infos and the shard upload reply.
fn upload_xet(
    url: &str,
    repo: &str,
    token: &str,
    files: &[&[u8]],
    tamper: impl Fn(&mut shard::Shard),
) -> (Vec<xet::PlannedFileInfo>, Reply) {
    let r = get(&format!("{url}/api/models/{repo}/xet-write-token/main"), Some(token), &[]);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let v = r.json();
    let (cas, cas_token) = (v["casUrl"].as_str().unwrap().to_string(), v["accessToken"].as_str().unwrap().to_string());
    let mut planner = UploadPlanner::new(BoundaryRule::Current);
    let mut infos = Vec::new();
    for data in files {
        planner.update(data).unwrap();
        infos.push(planner.finish_file().unwrap());
    }
    let shard_bytes = planner.finish().unwrap().unwrap();
    while let Some(x) = planner.take_xorb() {
        let r = send("POST", &format!("{cas}/v1/xorbs/default/{}", x.hash), Some(&cas_token), "a/b", &x.bytes);
        assert_eq!(r.status, 200, "{}", body_text(&r));
    }
    let mut parsed = shard::parse(&shard_bytes).unwrap();
    tamper(&mut parsed);
    let shard_bytes = shard::write_upload(&parsed.files, &parsed.xorbs);
    let r = send("POST", &format!("{cas}/v1/shards"), Some(&cas_token), "application/octet-stream", &shard_bytes);
    (infos, r)
}

/// Follows a resolve redirect to storage and returns the bytes served.
fn download(url: &str, repo: &str, path: &str, token: Option<&str>) -> Reply {
    let r = get(&format!("{url}/{repo}/resolve/main/{path}"), token, &[]);
    match r.status {
        302 => get(r.header("location").unwrap(), None, &[]),
        _ => r,
    }
}

// ---- 1. Cross-repo reads ----

#[test]
fn a_shard_claiming_the_oid_of_a_private_file_does_not_replace_its_content() {
    let s = start(fresh_dir("shard-claim"));
    create_repo(&s.url, "secret", true);
    let secret = splitmix(21, 200_000);
    let (infos, r) = upload_xet(&s.url, "demo/secret", WRITE, &[&secret], |_| {});
    assert_eq!(r.status, 200);
    commit_lfs(&s.url, "secret", &[("weights.bin", &infos[0])]);

    create_repo_as(&s.url, STRANGER, "stranger", "evil", false);
    let bogus = splitmix(22, 150_000);
    let claimed = infos[0].sha256;
    let (_, r) = upload_xet(&s.url, "stranger/evil", STRANGER, &[&bogus], |sh| sh.files[0].sha256 = Some(claimed));
    assert_eq!(r.status, 400, "a SHA-256 claim the bytes do not match is refused: {}", body_text(&r));

    let served = download(&s.url, "demo/secret", "weights.bin", Some(WRITE));
    assert_eq!(served.status, 200, "{}", body_text(&served));
    assert!(served.body == secret, "the owner gets their own bytes, not the stranger's");
    s.stop();
}

#[test]
fn a_shard_claiming_the_oid_of_a_private_lfs_upload_does_not_lend_its_bytes() {
    let s = start(fresh_dir("shard-claim-lfs"));
    create_repo(&s.url, "vault", true);
    let secret = splitmix(31, 60_000);
    let oid = lfs_upload(&s.url, "demo/vault", WRITE, &secret);

    create_repo_as(&s.url, STRANGER, "stranger", "evil", false);
    let own = splitmix(32, 40_000);
    let mut claimed = [0u8; 32];
    hex::decode_to_slice(&oid, &mut claimed).unwrap();
    let (_, r) = upload_xet(&s.url, "stranger/evil", STRANGER, &[&own], |sh| sh.files[0].sha256 = Some(claimed));
    assert_eq!(r.status, 400, "a SHA-256 claim the bytes do not match is refused: {}", body_text(&r));

    let object = batch(&s.url, "stranger/evil", None, "download", &oid, secret.len());
    assert_eq!(object["error"]["code"], 404, "{object}");
    assert!(object["actions"].is_null(), "no download URL for another repo's private oid: {object}");
    s.stop();
}

#[test]
fn an_lfs_commit_cannot_reference_another_repos_private_object() {
    let s = start(fresh_dir("lfs-steal"));
    create_repo(&s.url, "vault", true);
    let secret = splitmix(23, 50_000);
    let oid = lfs_upload(&s.url, "demo/vault", WRITE, &secret);
    assert_eq!(
        commit_lines(&s.url, "demo/vault", WRITE, json!({ "summary": "s" }), &[lfs_op("s.bin", &oid, secret.len())])
            .status,
        200
    );

    create_repo_as(&s.url, STRANGER, "stranger", "loot", false);
    let r = commit_lines(
        &s.url,
        "stranger/loot",
        STRANGER,
        json!({ "summary": "steal" }),
        &[lfs_op("s.bin", &oid, secret.len())],
    );
    assert_eq!(r.status, 400, "{}", body_text(&r));
    let anonymous = download(&s.url, "stranger/loot", "s.bin", None);
    assert_ne!(anonymous.body, secret);
    s.stop();
}

#[test]
fn the_lfs_batch_api_does_not_reveal_objects_of_other_repos() {
    let s = start(fresh_dir("batch-probe"));
    create_repo(&s.url, "vault", true);
    let secret = splitmix(24, 40_000);
    let oid = lfs_upload(&s.url, "demo/vault", WRITE, &secret);
    assert_eq!(
        commit_lines(&s.url, "demo/vault", WRITE, json!({ "summary": "s" }), &[lfs_op("s.bin", &oid, secret.len())])
            .status,
        200
    );
    create_repo_as(&s.url, STRANGER, "stranger", "probe", false);
    let upload = batch(&s.url, "stranger/probe", Some(STRANGER), "upload", &oid, secret.len());
    assert!(upload["actions"]["upload"].is_object(), "must upload it like any unknown object: {upload}");
    let download = batch(&s.url, "stranger/probe", Some(STRANGER), "download", &oid, secret.len());
    assert_eq!(download["error"]["code"], 404, "{download}");
    // The owner still sees it as present.
    let own = batch(&s.url, "demo/vault", Some(WRITE), "upload", &oid, secret.len());
    assert!(own.get("actions").is_none(), "{own}");
    s.stop();
}

#[test]
fn a_xet_write_token_cannot_reconstruct_files_of_other_repos() {
    let s = start(fresh_dir("xet-read"));
    create_repo(&s.url, "secret", true);
    let secret = splitmix(25, 100_000);
    let (infos, _) = upload_xet(&s.url, "demo/secret", WRITE, &[&secret], |_| {});
    commit_lfs(&s.url, "secret", &[("s.bin", &infos[0])]);
    create_repo_as(&s.url, STRANGER, "stranger", "mine", false);
    let v = get(&format!("{}/api/models/stranger/mine/xet-write-token/main", s.url), Some(STRANGER), &[]).json();
    let (cas, token) = (v["casUrl"].as_str().unwrap(), v["accessToken"].as_str().unwrap());
    for version in ["v1", "v2"] {
        let r = get(&format!("{cas}/{version}/reconstructions/{}", infos[0].hash), Some(token), &[]);
        assert_eq!(r.status, 404, "{version}: {}", body_text(&r));
    }
    s.stop();
}

// ---- 2. Lost commits ----

#[test]
fn concurrent_commits_on_one_parent_have_exactly_one_winner() {
    let s = start(fresh_dir("race"));
    create_repo(&s.url, "race", false);
    for round in 0..20 {
        let head = get(&format!("{}/api/models/demo/race", s.url), Some(WRITE), &[]).json()["sha"]
            .as_str()
            .unwrap()
            .to_string();
        let start = std::sync::Barrier::new(6);
        let replies: Vec<Reply> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..6)
                .map(|t| {
                    let (url, head, start) = (&s.url, &head, &start);
                    // A few MiB per commit widen the window between the parent check and the ref update.
                    let content = splitmix(round * 6 + t, 1 << 20);
                    scope.spawn(move || {
                        let header = json!({ "summary": format!("round {round} thread {t}"), "parentCommit": head });
                        let ops = [file_op(&format!("f{t}.txt"), &content)];
                        start.wait();
                        commit_lines(url, "demo/race", WRITE, header, &ops)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(winners.len(), 1, "round {round}: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        assert!(replies.iter().all(|r| r.status == 200 || r.status == 412), "losers get the Hub's 412");
        let main = get(&format!("{}/api/models/demo/race", s.url), Some(WRITE), &[]).json()["sha"].clone();
        assert_eq!(main, winners[0].json()["commitOid"], "round {round}: main holds the acknowledged commit");
    }
    s.stop();
}

#[test]
fn concurrent_pull_requests_get_distinct_numbers() {
    let s = start(fresh_dir("pr-race"));
    create_repo(&s.url, "prs", false);
    // Many files make each commit's listing slow to write: the window a PR-number race needs.
    let files: Vec<Value> = (0..3000).map(|i| file_op(&format!("seed/{i}.txt"), b"s")).collect();
    assert_eq!(commit_lines(&s.url, "demo/prs", WRITE, json!({ "summary": "seed" }), &files).status, 200);
    let start = std::sync::Barrier::new(6);
    let urls: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let (url, start) = (&s.url, &start);
                scope.spawn(move || {
                    let body = format!(
                        "{}\n{}\n",
                        json!({ "key": "header", "value": { "summary": format!("pr {t}") } }),
                        file_op(&format!("p{t}.txt"), &splitmix(100 + t, 1 << 20))
                    );
                    start.wait();
                    let r = send(
                        "POST",
                        &format!("{url}/api/models/demo/prs/commit/main?create_pr=1"),
                        Some(WRITE),
                        "application/x-ndjson",
                        body.as_bytes(),
                    );
                    assert_eq!(r.status, 200, "{}", body_text(&r));
                    r.json()["pullRequestUrl"].as_str().unwrap().to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut numbers: Vec<String> = urls.iter().map(|u| u.rsplit('/').next().unwrap().to_string()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 6, "{urls:?}");
    let refs = get(&format!("{}/api/models/demo/prs/refs?include_prs=1", s.url), Some(WRITE), &[]).json();
    assert_eq!(refs["pullRequests"].as_array().unwrap().len(), 6);
    s.stop();
}

// ---- 3. Memory blow-ups ----

/// Sends only the head of a request announcing a huge body and returns the status line that
/// arrives (the test never sends the body).
fn status_before_body(url: &str, head: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(head.replace('\n', "\r\n").as_bytes()).unwrap();
    stream.write_all(b"\r\n").unwrap();
    let mut answer = [0u8; 512];
    let n = stream.read(&mut answer).unwrap_or(0);
    let text = String::from_utf8_lossy(&answer[..n]).into_owned();
    text.lines().next().unwrap_or("").to_string()
}

#[test]
fn a_bogus_token_is_refused_before_a_huge_body_is_read() {
    let s = start(fresh_dir("body-auth"));
    create_repo(&s.url, "b", false);
    let host = s.url.trim_start_matches("http://");
    let line = status_before_body(
        &s.url,
        &format!("POST /api/models/demo/b/commit/main HTTP/1.1\nHost: {host}\nAuthorization: Bearer hf_bogus\nContent-Type: application/x-ndjson\nContent-Length: 1200000000\n"),
    );
    assert!(line.contains(" 401 "), "{line:?}");
    let line = status_before_body(
        &s.url,
        &format!("POST /api/models/demo/b/commit/main HTTP/1.1\nHost: {host}\nContent-Type: application/x-ndjson\nContent-Length: 1200000000\n"),
    );
    assert!(line.contains(" 401 "), "anonymous writes are refused before the body: {line:?}");
    let line = status_before_body(
        &s.url,
        &format!("POST /api/models/demo/b/commit/main HTTP/1.1\nHost: {host}\nAuthorization: Bearer {WRITE}\nContent-Type: application/x-ndjson\nContent-Length: 1200000000\n"),
    );
    assert!(line.contains(" 413 "), "a valid token still has a per-route limit: {line:?}");
    s.stop();
}

#[test]
fn many_overlapping_ranges_do_not_multiply_the_answer() {
    let s = start(fresh_dir("ranges"));
    create_repo(&s.url, "r", false);
    let content = b"0123456789".repeat(10_000);
    assert_eq!(
        commit_lines(&s.url, "demo/r", WRITE, json!({ "summary": "s" }), &[file_op("big.txt", &content)]).status,
        200
    );
    let header = format!("bytes={}", vec!["0-"; 1000].join(","));
    let r = get(&format!("{}/demo/r/resolve/main/big.txt", s.url), None, &[("Range", &header)]);
    assert!(matches!(r.status, 200 | 206 | 416), "{}", r.status);
    assert!(r.body.len() <= content.len() + 1024, "{} bytes for a {}-byte file", r.body.len(), content.len());
    let two = get(&format!("{}/demo/r/resolve/main/big.txt", s.url), None, &[("Range", "bytes=0-9,5-19")]);
    assert_eq!((two.status, two.header("content-range")), (206, Some("bytes 0-19/100000")), "overlaps merge");
    s.stop();
}

fn cas_write_token(url: &str, repo: &str) -> (String, String) {
    let v = get(&format!("{url}/api/models/{repo}/xet-write-token/main"), Some(WRITE), &[]).json();
    (v["casUrl"].as_str().unwrap().to_string(), v["accessToken"].as_str().unwrap().to_string())
}

#[test]
fn a_xorb_that_decodes_past_the_limits_is_refused_before_decoding() {
    let s = start(fresh_dir("xorb-bomb"));
    create_repo(&s.url, "x", false);
    let (cas, token) = cas_write_token(&s.url, "demo/x");
    // 600 copies of one LZ4 chunk of 128 KiB of zeros: 75 MiB decoded from a few hundred KiB.
    let zeros = vec![0u8; 128 << 10];
    let mut chunk = Vec::new();
    hubwasm_core::xet::xorb::encode_chunk(&zeros, &mut chunk);
    let bomb: Vec<u8> = chunk.iter().copied().cycle().take(chunk.len() * 600).collect();
    let r = send("POST", &format!("{cas}/v1/xorbs/default/{}", "1".repeat(64)), Some(&token), "a/b", &bomb);
    assert_eq!(r.status, 400);
    let limit = hubwasm_core::xet::xorb::MAX_XORB_BYTES.to_string();
    assert!(body_text(&r).contains(&limit), "{}", body_text(&r));
    // 9000 one-byte chunks: more than a xorb may hold.
    let tiny = [0u8, 1, 0, 0, 0, 1, 0, 0, 7];
    let many: Vec<u8> = tiny.iter().copied().cycle().take(tiny.len() * 9000).collect();
    let r = send("POST", &format!("{cas}/v1/xorbs/default/{}", "1".repeat(64)), Some(&token), "a/b", &many);
    assert_eq!(r.status, 400);
    assert!(body_text(&r).contains("8192"), "{}", body_text(&r));
    s.stop();
}

#[test]
fn a_shard_whose_terms_expand_past_the_limit_is_refused() {
    let s = start(fresh_dir("shard-expand"));
    create_repo(&s.url, "x", false);
    let (cas, token) = cas_write_token(&s.url, "demo/x");
    let mut b = XorbBuilder::new();
    for i in 0..8192u32 {
        let data = [(i % 251) as u8];
        b.push(xet::chunk_hash(&data), &data);
    }
    let xorb = b.finish();
    let r = send("POST", &format!("{cas}/v1/xorbs/default/{}", xorb.hash), Some(&token), "a/b", &xorb.bytes);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let term = shard::Term { xorb: xorb.hash, raw_len: 8192, chunk_start: 0, chunk_end: 8192 };
    let file =
        shard::FileEntry { hash: xet::XetHash([7; 32]), terms: vec![term; 300], verification: None, sha256: None };
    let bytes = shard::write_upload(&[file], &[]);
    let r = send("POST", &format!("{cas}/v1/shards"), Some(&token), "application/octet-stream", &bytes);
    assert_eq!(r.status, 400);
    assert!(body_text(&r).contains("chunks"), "{}", body_text(&r));
    s.stop();
}

#[test]
fn gitattributes_patterns_from_the_request_match_in_polynomial_time() {
    let s = start(fresh_dir("glob"));
    create_repo(&s.url, "g", false);
    let pattern = format!("{}b filter=lfs", "*a".repeat(40));
    let r = post_json(
        &format!("{}/api/models/demo/g/preupload/main", s.url),
        Some(WRITE),
        &json!({ "gitAttributes": pattern, "files": [{ "path": "a".repeat(80), "size": 1, "sample": "" }] }),
    );
    assert_eq!(r.status, 200, "{}", body_text(&r));
    assert_eq!(r.json()["files"][0]["uploadMode"], "regular");
    s.stop();
}

// ---- 4. Signatures ----

#[test]
fn a_download_url_does_not_authorise_uploads() {
    let s = start(fresh_dir("sig"));
    create_repo(&s.url, "sig", false);
    let content = splitmix(26, 30_000);
    let oid = lfs_upload(&s.url, "demo/sig", WRITE, &content);
    assert_eq!(
        commit_lines(&s.url, "demo/sig", WRITE, json!({ "summary": "s" }), &[lfs_op("s.bin", &oid, content.len())])
            .status,
        200
    );
    let r = get(&format!("{}/demo/sig/resolve/main/s.bin", s.url), None, &[]);
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap().to_string();
    let query = location.split_once('?').unwrap().1;
    let storage = location.split("/lfs-cdn/").next().unwrap();
    let put = send("PUT", &format!("{storage}/lfs-storage/{oid}/part/4294967295?{query}"), None, "a/b", &[0u8; 1024]);
    assert_eq!(put.status, 403, "{}", body_text(&put));
    let put = send("PUT", &format!("{storage}/lfs-storage/{oid}?{query}"), None, "a/b", &content);
    assert_eq!(put.status, 403, "{}", body_text(&put));
    // The upload URL of a small object is for one PUT of its size, not for parts.
    let other = splitmix(27, 1000);
    let object = batch(&s.url, "demo/sig", Some(WRITE), "upload", &sha256_hex(&other), other.len());
    let href = object["actions"]["upload"]["href"].as_str().unwrap();
    let (base, q) = href.split_once('?').unwrap();
    let part = send("PUT", &format!("{base}/part/1?{q}"), None, "a/b", &other);
    assert_eq!(part.status, 403, "{}", body_text(&part));
    s.stop();
}

// ---- 5. Open doors ----

fn preflight(url: &str, origin: &str) -> (u16, Option<String>) {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).allow_non_standard_methods(true).build().into();
    let request = ureq::http::Request::builder()
        .method("OPTIONS")
        .uri(format!("{url}/api/whoami-v2"))
        .header("Origin", origin)
        .header("Access-Control-Request-Headers", "authorization")
        .body(())
        .unwrap();
    let r = agent.run(request).unwrap();
    let allowed = r.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
    (r.status().as_u16(), allowed)
}

#[test]
fn cors_does_not_answer_foreign_origins_by_default() {
    let s = start(fresh_dir("cors-lock"));
    let r = get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[("Origin", "https://evil.example")]);
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(preflight(&s.url, "https://evil.example"), (403, None), "no preflight, so no Authorization sent");
    let local = get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[("Origin", "http://127.0.0.1:5173")]);
    assert_eq!(local.header("access-control-allow-origin"), Some("http://127.0.0.1:5173"));
    assert_eq!(preflight(&s.url, "http://localhost:8000"), (204, Some("http://localhost:8000".into())));
    s.stop();

    let listed = start_with(fresh_dir("cors-listed"), |c| c.cors.origins.push("https://app.example".into()));
    assert_eq!(preflight(&listed.url, "https://app.example"), (204, Some("https://app.example".into())));
    assert_eq!(preflight(&listed.url, "https://evil.example"), (403, None));
    listed.stop();
    let open = start_with(fresh_dir("cors-any"), |c| c.cors.any = true);
    assert_eq!(preflight(&open.url, "https://evil.example"), (204, Some("https://evil.example".into())));
    open.stop();
}

#[test]
fn admin_routes_are_closed_without_an_admin_token() {
    let s = start(fresh_dir("admin-lock"));
    let r = post_json(&format!("{}/admin/faults", s.url), Some(WRITE), &json!({ "route": "/", "kind": "error" }));
    assert!(r.status == 404 || r.status == 403, "{}", r.status);
    assert_eq!(get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[]).status, 200, "no fault was set");
    s.stop();
    let admin = start_with_admin(fresh_dir("admin-open"));
    let fault = json!({ "route": "/api/whoami", "kind": "error", "status": 503, "count": 1 });
    assert_eq!(post_json(&format!("{}/admin/faults", admin.url), Some(WRITE), &fault).status, 401, "Hub tokens");
    assert_eq!(post_json(&format!("{}/admin/faults", admin.url), Some(ADMIN), &fault).status, 200);
    assert_eq!(get(&format!("{}/api/whoami-v2", admin.url), Some(WRITE), &[]).status, 503);
    admin.stop();
}

#[test]
fn the_inference_router_checks_tokens() {
    let s = start(fresh_dir("router-auth"));
    let body = json!({ "model": "localhub/echo-chat", "messages": [{ "role": "user", "content": "hi" }] });
    let r = post_json(&format!("{}/v1/chat/completions", s.url), Some("not-a-localhub-token"), &body);
    assert_eq!(r.status, 401, "{}", body_text(&r));
    assert_eq!(post_json(&format!("{}/v1/chat/completions", s.url), None, &body).status, 401);
    assert_eq!(post_json(&format!("{}/v1/chat/completions", s.url), Some(READ), &body).status, 200);
    s.stop();
    let keyed = start_with(fresh_dir("router-key"), |c| c.provider_keys.push("provider-key-1".into()));
    let url = format!("{}/together/v1/chat/completions", keyed.url);
    assert_eq!(post_json(&url, Some("provider-key-1"), &body).status, 200, "a configured provider key");
    assert_eq!(post_json(&url, Some("provider-key-2"), &body).status, 401);
    keyed.stop();
}

#[test]
fn backslash_and_control_character_paths_are_refused() {
    let s = start(fresh_dir("paths"));
    create_repo(&s.url, "p", false);
    for bad in ["a\\b.txt", "a\u{1}b.txt", "dir/\u{7f}", "a\nb"] {
        let r = commit_lines(&s.url, "demo/p", WRITE, json!({ "summary": "s" }), &[file_op(bad, b"x")]);
        assert_eq!(r.status, 400, "{bad:?}: {}", body_text(&r));
    }
    s.stop();
}

// ---- 6. Second review (main 87ed1e1) ----

#[test]
fn an_lfs_batch_with_an_unknown_operation_is_refused_without_upload_urls() {
    let s = start(fresh_dir("batch-operation"));
    create_repo(&s.url, "open", false);
    let oid = sha256_hex(b"anything");
    let url = format!("{}/demo/open.git/info/lfs/objects/batch", s.url);
    for operation in [json!("steal"), json!(null), json!(7)] {
        let body = json!({ "operation": operation, "transfers": ["basic"], "objects": [{ "oid": oid, "size": 8 }] });
        let r = post_json(&url, None, &body);
        assert_eq!(r.status, 422, "{operation}: {}", body_text(&r));
        assert!(!body_text(&r).contains("lfs-storage"), "no upload URL for {operation}: {}", body_text(&r));
    }
    s.stop();
}

#[test]
fn an_lfs_batch_upload_refuses_sizes_past_the_part_limit() {
    let s = start(fresh_dir("batch-size"));
    create_repo(&s.url, "big", false);
    let oid = sha256_hex(b"huge");
    // One part past 10 000 parts of 8 MiB, and the size that asked for 2^41 part URLs.
    for size in [10_000u64 * (8 << 20) + 1, u64::MAX] {
        let body = json!({ "operation": "upload", "transfers": ["basic", "multipart"], "objects": [{ "oid": oid, "size": size }] });
        let r = post_json(&format!("{}/demo/big.git/info/lfs/objects/batch", s.url), Some(WRITE), &body);
        assert_eq!(r.status, 200, "{}", body_text(&r));
        let object = &r.json()["objects"][0];
        assert_eq!(object["error"]["code"], 422, "{size}: {object}");
        assert!(object["actions"].is_null(), "{size}: {object}");
    }
    // The largest allowed size is still offered its 10 000 parts.
    let body = json!({ "operation": "upload", "transfers": ["multipart"], "objects": [{ "oid": oid, "size": 10_000u64 * (8 << 20) }] });
    let r = post_json(&format!("{}/demo/big.git/info/lfs/objects/batch", s.url), Some(WRITE), &body);
    let header = r.json()["objects"][0]["actions"]["upload"]["header"].clone();
    assert!(header["10000"].is_string() && header["10001"].is_null(), "{}", body_text(&r));
    s.stop();
}

#[test]
fn huge_page_numbers_and_limits_do_not_overflow() {
    let s = start(fresh_dir("paging-overflow"));
    create_repo(&s.url, "pages", false);
    for i in 0..3 {
        let r =
            commit_lines(&s.url, "demo/pages", WRITE, json!({ "summary": "s" }), &[file_op(&format!("f{i}"), b"x")]);
        assert_eq!(r.status, 200, "{}", body_text(&r));
    }
    let max = usize::MAX.to_string();
    let tree = format!("{}/api/models/demo/pages/tree/main", s.url);
    let r = get(&format!("{tree}?limit={max}&cursor=1"), None, &[]);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    assert_eq!(
        r.json().as_array().map(Vec::len),
        Some(3),
        "entries after the first of four (three files and .gitattributes)"
    );
    assert!(r.header("link").is_none());
    let r = get(&format!("{tree}?limit=1&cursor={max}"), None, &[]);
    assert_eq!((r.status, r.json()), (200, json!([])));

    let commits = format!("{}/api/models/demo/pages/commits/main", s.url);
    let r = get(&format!("{commits}?p={max}&limit=1000"), None, &[]);
    assert_eq!((r.status, r.json()), (200, json!([])), "{}", body_text(&r));
    assert!(r.header("link").is_none());
    let r = get(&format!("{commits}?p={}&limit=2", usize::MAX / 2), None, &[]);
    assert_eq!((r.status, r.json()), (200, json!([])), "{}", body_text(&r));
    s.stop();
}

#[test]
fn an_upload_url_of_a_deleted_repo_does_not_apply_to_the_next_repo() {
    let s = start(fresh_dir("repo-id-reuse"));
    create_repo(&s.url, "first", false);
    let content = splitmix(41, 5_000);
    let oid = sha256_hex(&content);
    let object = batch(&s.url, "demo/first", Some(WRITE), "upload", &oid, content.len());
    let upload = object["actions"]["upload"]["href"].as_str().expect("upload action").to_string();
    let verify = object["actions"]["verify"]["href"].as_str().expect("verify action").to_string();
    let r = send(
        "DELETE",
        &format!("{}/api/repos/delete", s.url),
        Some(WRITE),
        "application/json",
        br#"{"name":"first","organization":"demo"}"#,
    );
    assert_eq!(r.status, 200, "{}", body_text(&r));

    create_repo(&s.url, "second", false);
    let r = send("PUT", &upload, None, "application/octet-stream", &content);
    assert_eq!(r.status, 404, "the signed repo is gone: {}", body_text(&r));
    assert_eq!(send("POST", &verify, None, "application/json", b"{}").status, 404);
    let object = batch(&s.url, "demo/second", None, "download", &oid, content.len());
    assert_eq!(object["error"]["code"], 404, "the new repo holds nothing it did not upload: {object}");
    s.stop();
}

#[test]
fn a_commit_of_100_000_operations_over_100_000_files_is_applied() {
    // Scale, not speed: each operation used to scan the whole listing (10^10 comparisons here).
    let s = start(fresh_dir("wide-commit"));
    create_repo(&s.url, "wide", false);
    let ops =
        |tag: &[u8]| -> Vec<Value> { (0..100_000).map(|i| file_op(&format!("d{}/f{i}", i % 100), tag)).collect() };
    let r = commit_lines(&s.url, "demo/wide", WRITE, json!({ "summary": "add" }), &ops(b"a"));
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let mut second = ops(b"b");
    second.truncate(99_000);
    second.push(json!({ "key": "deletedFolder", "value": { "path": "d7" } }));
    let r = commit_lines(&s.url, "demo/wide", WRITE, json!({ "summary": "edit" }), &second);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let r = get(&format!("{}/api/models/demo/wide/tree/main/d7", s.url), None, &[]);
    assert_eq!(r.status, 404, "the deleted folder is gone");
    let r = get(&format!("{}/demo/wide/resolve/main/d99/f99999", s.url), None, &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"a"[..]), "a file the second commit did not list is kept");
    let r = get(&format!("{}/demo/wide/resolve/main/d98/f98998", s.url), None, &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"b"[..]));
    s.stop();
}

#[test]
fn a_host_header_naming_another_site_is_refused() {
    let s = start(fresh_dir("host-check"));
    let port = s.url.rsplit(':').next().unwrap().to_string();
    let status = |url: &str, host: &str| {
        status_before_body(
            url,
            &format!("GET /api/whoami-v2 HTTP/1.1\nHost: {host}\nAuthorization: Bearer {WRITE}\nConnection: close\n"),
        )
    };
    // A rebinding page on evil.example reaches 127.0.0.1 with its own name in Host.
    for foreign in [format!("evil.example:{port}"), "evil.example".into(), format!("127.0.0.1.evil.example:{port}")] {
        assert!(status(&s.url, &foreign).contains(" 421 "), "{foreign}: {}", status(&s.url, &foreign));
    }
    for own in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "LOCALHOST".into(), format!("[::1]:{port}")] {
        assert!(status(&s.url, &own).contains(" 200 "), "{own}: {}", status(&s.url, &own));
    }
    s.stop();
    let open = start_with(fresh_dir("host-check-any"), |c| c.cors.any = true);
    assert!(status(&open.url, "evil.example").contains(" 200 "), "--cors-any opens every host");
    open.stop();
}

#[cfg(unix)]
#[test]
fn the_url_signing_key_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let s = start(fresh_dir("key-mode"));
    let data = s.stop_keeping_data();
    let mode = std::fs::metadata(data.join("signing.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let _ = std::fs::remove_dir_all(data);
}

#[test]
fn a_ranged_download_reads_only_the_xorbs_of_its_span() {
    let s = start(fresh_dir("ranged-read"));
    create_repo(&s.url, "spans", false);
    let (head, tail) = (splitmix(51, 120_000), splitmix(52, 90_000));
    let joined = [head.as_slice(), tail.as_slice()].concat();
    let first = std::cell::RefCell::new(None);
    let (_, r) = upload_xet(&s.url, "demo/spans", WRITE, &[&head], |sh| *first.borrow_mut() = Some(sh.clone()));
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let first: shard::Shard = first.into_inner().unwrap();
    let second_xorb = std::cell::RefCell::new(None);
    let (_, r) = upload_xet(&s.url, "demo/spans", WRITE, &[&tail], |sh| {
        // One file made of the head's terms (first xorb) then the tail's (second xorb).
        let mut terms = first.files[0].terms.clone();
        terms.extend(sh.files[0].terms.iter().copied());
        let xorbs: Vec<&shard::XorbEntry> = first.xorbs.iter().chain(&sh.xorbs).collect();
        let chunks: Vec<(xet::XetHash, u64)> = terms
            .iter()
            .flat_map(|t| {
                let x = xorbs.iter().find(|x| x.hash == t.xorb).unwrap();
                x.chunks[t.chunk_start as usize..t.chunk_end as usize].iter().map(|c| (c.hash, u64::from(c.len)))
            })
            .collect();
        let sha256 = Sha256::digest(&joined).into();
        sh.files[0] =
            shard::FileEntry { hash: xet::file_hash(&chunks), terms, verification: None, sha256: Some(sha256) };
        *second_xorb.borrow_mut() = Some(sh.xorbs[0].hash);
    });
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let r = commit_lines(
        &s.url,
        "demo/spans",
        WRITE,
        json!({ "summary": "s" }),
        &[lfs_op("joined.bin", &sha256_hex(&joined), joined.len())],
    );
    assert_eq!(r.status, 200, "{}", body_text(&r));

    // Lose the second xorb: only a read that needs it may fail.
    let second_xorb = second_xorb.into_inner().unwrap();
    std::fs::remove_file(s.data.join("objects/xorbs").join(second_xorb.to_hex())).unwrap();
    let r = get(&format!("{}/demo/spans/resolve/main/joined.bin", s.url), None, &[]);
    let location = r.header("location").expect("redirect to storage").to_string();
    for (range, expected) in [("bytes=0-0", &head[..1]), ("bytes=1000-119999", &head[1000..])] {
        let served = get(&location, None, &[("Range", range)]);
        assert_eq!(served.status, 206, "{range}: {}", body_text(&served));
        assert!(served.body == expected, "{range}");
    }
    // The whole file needs the lost xorb: the answer is cut short once its bytes are reached.
    let whole = ureq::get(&location).call().ok().and_then(|mut r| r.body_mut().read_to_vec().ok());
    assert!(whole.is_none_or(|w| w != joined));
    s.stop();
}

#[test]
fn a_move_names_both_repos_as_valid_namespaced_ids() {
    let s = start(fresh_dir("move-ids"));
    create_repo(&s.url, "here", false);
    let url = format!("{}/api/repos/move", s.url);
    for (from, to) in [
        ("demo/here/extra", "demo/there"),
        ("demo/here", "there"),
        ("demo/here", "demo/../there"),
        ("demo/here", "de mo/there"),
    ] {
        let r = post_json(&url, Some(WRITE), &json!({ "fromRepo": from, "toRepo": to, "type": "model" }));
        assert_eq!(r.status, 400, "{from} -> {to}: {}", body_text(&r));
    }
    let r = post_json(&url, Some(WRITE), &json!({ "fromRepo": "demo/here", "toRepo": "demo/there", "type": "model" }));
    assert_eq!(r.status, 200, "{}", body_text(&r));
    s.stop();
}
