//! localhub's own behaviour over real HTTP: authorization, Xet validation, reconstruction and
//! storage fetches (checked with hubwasm-core's assembler), resolve headers, pagination, CORS,
//! fault injection and durability across a restart.

mod common;

use common::*;
use hubwasm_core::xet::reconstruct::split_byteranges;
use hubwasm_core::xet::{AssembleOptions, Assembler, BoundaryRule, Reconstruction, UploadPlanner, XorbBuilder};
use serde_json::json;

fn commit_file(url: &str, repo: &str, token: &str, path: &str, content: &[u8]) -> Reply {
    use base64::Engine as _;
    let body = format!(
        "{}\n{}\n",
        json!({ "key": "header", "value": { "summary": format!("add {path}") } }),
        json!({ "key": "file", "value": { "path": path, "content": base64::engine::general_purpose::STANDARD.encode(content), "encoding": "base64" } })
    );
    send(
        "POST",
        &format!("{url}/api/models/demo/{repo}/commit/main"),
        Some(token),
        "application/x-ndjson",
        body.as_bytes(),
    )
}

#[test]
fn authorization_rules() {
    let s = start(fresh_dir("auth"));
    create_repo(&s.url, "private", true);
    create_repo(&s.url, "public", false);
    let info = |token: Option<&str>, repo: &str| get(&format!("{}/api/models/demo/{repo}", s.url), token, &[]);
    assert_eq!(info(Some(WRITE), "private").status, 200);
    assert_eq!(info(Some(READ), "private").status, 200, "the owner's read token sees it");
    let stranger = info(Some("hf_stranger_write"), "private");
    assert_eq!((stranger.status, stranger.header("x-error-code")), (404, Some("RepoNotFound")));
    let anonymous = info(None, "private");
    assert_eq!((anonymous.status, anonymous.header("x-error-code")), (401, Some("RepoNotFound")));
    assert_eq!(info(None, "public").status, 200);
    assert_eq!(info(Some("hf_not_a_token"), "public").status, 401, "unknown hf_ tokens are refused");

    assert_eq!(commit_file(&s.url, "public", READ, "a.txt", b"a").status, 403, "a read token cannot write");
    assert_eq!(commit_file(&s.url, "public", "hf_stranger_write", "a.txt", b"a").status, 403, "nor a stranger");
    assert_eq!(commit_file(&s.url, "private", "hf_stranger_write", "a.txt", b"a").status, 404);
    assert_eq!(commit_file(&s.url, "public", WRITE, "a.txt", b"a").status, 200);
    assert_eq!(commit_file(&s.url, "public", WRITE, "../escape.txt", b"a").status, 400, "paths stay inside the repo");
    let r = get(&format!("{}/api/models/demo/public/xet-write-token/main", s.url), Some(READ), &[]);
    assert_eq!(r.status, 403);
    s.stop();
}

#[test]
fn cas_rejects_tampered_and_inconsistent_uploads() {
    let s = start(fresh_dir("tamper"));
    create_repo(&s.url, "x", false);
    let (cas, token, _) = xet_write_token(&s.url, "x");
    let data = splitmix(3, 300_000);
    let mut b = XorbBuilder::new();
    for piece in data.chunks(100_000) {
        b.push(hubwasm_core::xet::chunk_hash(piece), piece);
    }
    let xorb = b.finish();
    let url = format!("{cas}/v1/xorbs/default/{}", xorb.hash);
    assert_eq!(send("POST", &url, None, "application/octet-stream", &xorb.bytes).status, 401, "no token");
    let read = get(&format!("{}/api/models/demo/x/xet-read-token/main", s.url), Some(WRITE), &[]).json();
    let read_token = read["accessToken"].as_str().unwrap();
    assert_eq!(
        send("POST", &url, Some(read_token), "application/octet-stream", &xorb.bytes).status,
        403,
        "read-only token"
    );
    let mut tampered = xorb.bytes.clone();
    let last = tampered.len() - 10;
    tampered[last] ^= 1;
    assert_eq!(send("POST", &url, Some(&token), "application/octet-stream", &tampered).status, 400, "tampered bytes");
    assert_eq!(
        send("POST", &url, Some(&token), "application/octet-stream", &xorb.bytes[..1000]).status,
        400,
        "truncated"
    );
    let wrong = format!("{cas}/v1/xorbs/default/{}", "0".repeat(64));
    assert_eq!(send("POST", &wrong, Some(&token), "application/octet-stream", &xorb.bytes).status, 400, "wrong hash");
    let ok = send("POST", &url, Some(&token), "application/octet-stream", &xorb.bytes);
    assert_eq!((ok.status, ok.json()["was_inserted"].as_bool()), (200, Some(true)));
    let again = send("POST", &url, Some(&token), "application/octet-stream", &xorb.bytes);
    assert_eq!(again.json()["was_inserted"].as_bool(), Some(false));

    // A shard naming a xorb that was never uploaded, and one whose file hash is wrong.
    let mut planner = UploadPlanner::new(BoundaryRule::Current);
    planner.update(&splitmix(4, 200_000)).unwrap();
    planner.finish_file().unwrap();
    let shard = planner.finish().unwrap().unwrap();
    let r = send("POST", &format!("{cas}/v1/shards"), Some(&token), "application/octet-stream", &shard);
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let mut forged = hubwasm_core::xet::shard::parse(&shard).unwrap();
    while let Some(x) = planner.take_xorb() {
        send("POST", &format!("{cas}/v1/xorbs/default/{}", x.hash), Some(&token), "application/octet-stream", &x.bytes);
    }
    forged.files[0].hash.0[0] ^= 1;
    let forged = hubwasm_core::xet::shard::write_upload(&forged.files, &forged.xorbs);
    assert_eq!(
        send("POST", &format!("{cas}/v1/shards"), Some(&token), "application/octet-stream", &forged).status,
        400
    );
    assert_eq!(send("POST", &format!("{cas}/v1/shards"), Some(&token), "application/octet-stream", &shard).status, 200);
    assert_eq!(
        send("POST", &format!("{cas}/v1/shards"), Some(&token), "application/octet-stream", b"garbage").status,
        400
    );
    s.stop();
}

/// Fetches every range of a reconstruction the way a client does and assembles the file.
fn fetch_and_assemble(rec: Reconstruction, options: AssembleOptions, multipart: bool) -> Vec<u8> {
    let mut a = Assembler::new(rec, options).unwrap();
    let mut out = Vec::new();
    for fi in a.needed_fetches() {
        let fetch = a.reconstruction().fetches[fi].clone();
        if multipart {
            let r = get(&fetch.url, None, &[("Range", &fetch.range_header())]);
            assert_eq!(r.status, 206);
            if fetch.ranges.len() > 1 {
                let ct = r.header("content-type").unwrap().to_string();
                let boundary = ct.split("boundary=").nth(1).unwrap();
                for (i, part) in split_byteranges(&r.body, boundary).unwrap().iter().enumerate() {
                    assert_eq!((part.start, part.end), (fetch.ranges[i].bytes.start, fetch.ranges[i].bytes.end));
                    a.accept(fi, i, part.bytes).unwrap();
                }
            } else {
                a.accept_concatenated(fi, &r.body).unwrap();
            }
        } else {
            for (i, range) in fetch.ranges.iter().enumerate() {
                let r =
                    get(&fetch.url, None, &[("Range", &format!("bytes={}-{}", range.bytes.start, range.bytes.end))]);
                assert_eq!(r.status, 206);
                a.accept(fi, i, &r.body).unwrap();
            }
        }
        while let Some(piece) = a.next_piece().unwrap() {
            out.extend_from_slice(&piece);
        }
    }
    a.finish().unwrap();
    out
}

#[test]
fn reconstruction_v1_v2_ranges_and_multipart_storage() {
    let s = start(fresh_dir("recon"));
    create_repo(&s.url, "r", false);
    let a = splitmix(9, 3_000_000);
    let mut b = a.clone(); // reuses a's chunks around an edit: several ranges of one xorb
    b[1_500_000..1_500_010].fill(1);
    let infos = upload_with_planner(&s.url, "r", &[&a, &b]);
    let (cas, token, _) = xet_write_token(&s.url, "r");
    let v2 = |range: Option<&str>| {
        let headers: Vec<(&str, &str)> = range.map(|r| vec![("Range", r)]).unwrap_or_default();
        let r = get(&format!("{cas}/v2/reconstructions/{}", infos[1].hash), Some(&token), &headers);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        Reconstruction::parse_v2(&r.body).unwrap()
    };
    let whole = v2(None);
    assert!(whole.fetches.iter().any(|f| f.ranges.len() > 1), "the edited copy needs a multi-range fetch");
    let verify = AssembleOptions { length: None, verify_file: Some(infos[1].hash) };
    assert!(fetch_and_assemble(whole.clone(), verify, true) == b, "multipart fetches");
    assert!(fetch_and_assemble(whole, verify, false) == b, "one range per request (hf_xet's way)");

    let ranged = v2(Some("bytes=1000000-2200000"));
    assert!(ranged.offset_into_first_range > 0);
    let part = fetch_and_assemble(ranged, AssembleOptions { length: Some(1_200_001), verify_file: None }, true);
    assert!(part == b[1_000_000..=2_200_000]);

    let r = get(&format!("{cas}/v1/reconstructions/{}", infos[0].hash), Some(&token), &[]);
    let v1 = Reconstruction::parse_v1(&r.body).unwrap();
    // A read token only reads files its repo has committed: these were uploaded, not committed.
    let read = get(&format!("{}/api/models/demo/r/xet-read-token/main", s.url), Some(WRITE), &[]).json();
    let read_token = read["accessToken"].as_str().unwrap();
    let hidden = get(&format!("{cas}/v1/reconstructions/{}", infos[0].hash), Some(read_token), &[]);
    assert_eq!(hidden.status, 404);
    commit_lfs(&s.url, "r", &[("a.bin", &infos[0])]);
    assert_eq!(get(&format!("{cas}/v1/reconstructions/{}", infos[0].hash), Some(read_token), &[]).status, 200);
    create_repo(&s.url, "other", false);
    let other = get(&format!("{}/api/models/demo/other/xet-read-token/main", s.url), Some(WRITE), &[]).json();
    let other_token = other["accessToken"].as_str().unwrap();
    assert_eq!(get(&format!("{cas}/v1/reconstructions/{}", infos[0].hash), Some(other_token), &[]).status, 404);
    assert!(fetch_and_assemble(v1, AssembleOptions { length: None, verify_file: Some(infos[0].hash) }, true) == a);

    let past_end =
        get(&format!("{cas}/v2/reconstructions/{}", infos[0].hash), Some(&token), &[("Range", "bytes=3000000-")]);
    assert_eq!(past_end.status, 416);
    let unknown = get(&format!("{cas}/v2/reconstructions/{}", "ab".repeat(32)), Some(&token), &[]);
    assert_eq!(unknown.status, 404);
    // A storage URL only serves the ranges it was signed for.
    let fetch = &v2(None).fetches[0];
    let r = get(&fetch.url, None, &[("Range", "bytes=0-99999999")]);
    assert_eq!(r.status, 403);
    s.stop();
}

#[test]
fn resolve_headers_for_regular_and_xet_files() {
    let s = start(fresh_dir("resolve"));
    create_repo(&s.url, "f", false);
    assert_eq!(commit_file(&s.url, "f", WRITE, "dir/hello.txt", b"hello world\n").status, 200);
    let big = splitmix(5, 400_000);
    let infos = upload_with_planner(&s.url, "f", &[&big]);
    let commit = commit_lfs(&s.url, "f", &[("w.bin", &infos[0])]);

    let r = get(&format!("{}/demo/f/resolve/main/dir/hello.txt", s.url), None, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"hello world\n");
    // The git blob id of "hello world\n", as `git hash-object` prints it.
    assert_eq!(r.header("etag"), Some("\"3b18e512dba79e4c8300dd08aeb37f8e728b8dad\""));
    assert_eq!(r.header("x-repo-commit"), Some(commit.as_str()));
    let r = get(
        &format!("{}/demo/f/resolve/main/dir/hello.txt", s.url),
        None,
        &[("If-None-Match", "\"3b18e512dba79e4c8300dd08aeb37f8e728b8dad\"")],
    );
    assert_eq!(r.status, 304);
    let r = get(&format!("{}/demo/f/resolve/main/dir/hello.txt", s.url), None, &[("Range", "bytes=6-")]);
    assert_eq!((r.status, r.body.as_slice(), r.header("content-range")), (206, &b"world\n"[..], Some("bytes 6-11/12")));

    let r = get(&format!("{}/demo/f/resolve/main/w.bin", s.url), None, &[]);
    assert_eq!(r.status, 302);
    let sha = hex::encode(infos[0].sha256);
    assert_eq!(r.header("x-linked-etag"), Some(format!("\"{sha}\"").as_str()));
    assert_eq!(r.header("x-linked-size"), Some("400000"));
    assert_eq!(r.header("x-xet-hash"), Some(infos[0].hash.to_hex().as_str()));
    let link = r.header("link").unwrap();
    assert!(link.contains("rel=\"xet-auth\"") && link.contains("rel=\"xet-reconstruction-info\""), "{link}");
    let location = r.header("location").unwrap().to_string();
    assert!(!location.starts_with(&s.url), "storage is another origin");
    let bridged = get(&location, None, &[]);
    assert!(bridged.status == 200 && bridged.body == big, "the LFS bridge rebuilds the Xet file");
    let info = get(
        &format!("{}/demo/f/resolve/main/w.bin", s.url),
        None,
        &[("Accept", "application/vnd.xet-fileinfo+json, */*")],
    );
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["hash"].as_str(), Some(infos[0].hash.to_hex().as_str()));

    let raw = get(&format!("{}/demo/f/raw/main/w.bin", s.url), None, &[]);
    assert_eq!(
        String::from_utf8(raw.body).unwrap(),
        format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize 400000\n")
    );
    let missing = get(&format!("{}/demo/f/resolve/main/nope.txt", s.url), None, &[]);
    assert_eq!((missing.status, missing.header("x-error-code")), (404, Some("EntryNotFound")));
    assert_eq!(missing.header("x-repo-commit"), Some(commit.as_str()));
    let bad_rev = get(&format!("{}/demo/f/resolve/nope/w.bin", s.url), None, &[]);
    assert_eq!((bad_rev.status, bad_rev.header("x-error-code")), (404, Some("RevisionNotFound")));
    s.stop();
}

#[test]
fn tree_pagination_follows_link_headers() {
    let s = start(fresh_dir("tree"));
    create_repo(&s.url, "t", false);
    for i in 0..5 {
        assert_eq!(commit_file(&s.url, "t", WRITE, &format!("d/f{i}.txt"), b"x").status, 200);
    }
    let mut next = Some(format!("{}/api/models/demo/t/tree/main?recursive=true&limit=2", s.url));
    let mut paths = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let r = get(&url, None, &[]);
        pages += 1;
        paths.extend(r.json().as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().to_string()));
        next = r.header("link").map(|l| l.trim_start_matches('<').split(">; rel=\"next\"").next().unwrap().to_string());
    }
    assert_eq!(pages, 4);
    assert_eq!(paths, [".gitattributes", "d", "d/f0.txt", "d/f1.txt", "d/f2.txt", "d/f3.txt", "d/f4.txt"]);
    s.stop();
}

#[test]
fn cors_preflight_and_exposed_headers() {
    let s = start(fresh_dir("cors"));
    let r = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .build()
        .new_agent()
        .run(
            ureq::http::Request::builder()
                .method("OPTIONS")
                .uri(format!("{}/api/whoami-v2", s.url))
                .header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Headers", "authorization,range")
                .body(())
                .unwrap(),
        )
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers().get("access-control-allow-headers").unwrap(), "authorization,range");
    let r = get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[("Origin", "http://localhost:5173")]);
    let exposed = r.header("access-control-expose-headers").unwrap();
    for h in ["X-Repo-Commit", "X-Linked-Size", "X-Linked-Etag", "X-Xet-Hash", "Link", "Content-Range", "X-Error-Code"]
    {
        assert!(exposed.contains(h), "{h} not exposed");
    }
    s.stop();
}

#[test]
fn faults_can_be_injected_at_run_time() {
    let s = start_with_admin(fresh_dir("faults"));
    let add = |fault: serde_json::Value| {
        assert_eq!(post_json(&format!("{}/admin/faults", s.url), Some(ADMIN), &fault).status, 200)
    };
    add(json!({ "route": "/api/whoami", "kind": "rate-limit", "retryAfter": 3, "count": 1 }));
    let listed = get(&format!("{}/admin/faults", s.url), Some(ADMIN), &[]);
    assert_eq!((listed.status, listed.json()[0]["kind"].as_str()), (200, Some("rate-limit")));
    let r = get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[]);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("3")));
    assert_eq!(get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[]).status, 200, "count exhausted");
    add(json!({ "route": "/api/whoami", "kind": "error", "status": 502, "rate": 0.5 }));
    let statuses: Vec<u16> =
        (0..4).map(|_| get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[]).status).collect();
    assert_eq!(statuses, [200, 502, 200, 502]);
    assert_eq!(send("DELETE", &format!("{}/admin/faults", s.url), Some(ADMIN), "application/json", b"").status, 200);
    add(json!({ "route": "/api/whoami", "kind": "drop", "count": 1 }));
    let dropped = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
        .get(format!("{}/api/whoami-v2", s.url))
        .header("Authorization", format!("Bearer {WRITE}"))
        .call();
    let body = dropped.map(|mut r| r.body_mut().read_to_vec());
    assert!(!matches!(body, Ok(Ok(_))), "the body was cut off");
    for token in [READ, WRITE] {
        let fault = json!({ "route": "/", "kind": "error" });
        assert_eq!(post_json(&format!("{}/admin/faults", s.url), Some(token), &fault).status, 401, "Hub tokens");
    }
    let typo = json!({ "route": "/", "kind": "explode" });
    assert_eq!(post_json(&format!("{}/admin/faults", s.url), Some(ADMIN), &typo).status, 400, "typed kinds");
    s.stop();
}

#[test]
fn data_survives_a_restart() {
    let s = start(fresh_dir("restart"));
    create_repo(&s.url, "keep", true);
    assert_eq!(commit_file(&s.url, "keep", WRITE, "a.txt", b"kept").status, 200);
    let big = splitmix(8, 250_000);
    let infos = upload_with_planner(&s.url, "keep", &[&big]);
    let commit = commit_lfs(&s.url, "keep", &[("big.bin", &infos[0])]);
    let data = s.stop_keeping_data();

    let s = start(data);
    let info = get(&format!("{}/api/models/demo/keep", s.url), Some(WRITE), &[]).json();
    assert_eq!(info["sha"].as_str(), Some(commit.as_str()));
    assert_eq!(info["private"].as_bool(), Some(true));
    assert_eq!(get(&format!("{}/demo/keep/resolve/main/a.txt", s.url), Some(WRITE), &[]).body, b"kept");
    let r = get(&format!("{}/demo/keep/resolve/main/big.bin", s.url), Some(WRITE), &[]);
    let bridged = get(r.header("location").unwrap(), None, &[]);
    assert!(bridged.body == big);
    s.stop();
}

#[test]
fn global_dedup_answers_let_a_planner_skip_known_chunks() {
    use hubwasm_core::xet::{shard, ShardIndex};
    let s = start(fresh_dir("dedup"));
    create_repo(&s.url, "d", false);
    let data = splitmix(12, 2_000_000);
    upload_with_planner(&s.url, "d", &[&data]);
    let (cas, token, _) = xet_write_token(&s.url, "d");
    // The first chunk of a file is always eligible (§3.9).
    let first = hubwasm_core::xet::hash_file(&data, BoundaryRule::Current).chunks[0].0;
    let r = get(&format!("{cas}/v1/chunks/default/{first}"), Some(&token), &[]);
    assert_eq!(r.status, 200);
    let answer = shard::parse(&r.body).unwrap();
    let footer = answer.footer.unwrap();
    assert_ne!(footer.chunk_hash_key, hubwasm_core::xet::XetHash::ZERO, "chunk hashes are keyed");
    assert!(answer.xorbs[0].chunks.iter().all(|c| c.hash != first), "no plain chunk hash leaks");
    let mut index = ShardIndex::new();
    index.add(&answer);
    let mut planner = UploadPlanner::with_index(BoundaryRule::Current, index);
    planner.update(&data).unwrap();
    planner.finish_file().unwrap();
    planner.finish().unwrap();
    assert!(planner.take_xorb().is_none(), "every chunk was found through the dedup answer");
    let unknown = get(&format!("{cas}/v1/chunks/default/{}", "cd".repeat(32)), Some(&token), &[]);
    assert_eq!(unknown.status, 404);
    s.stop();
}

#[test]
fn a_dedup_answer_lists_every_xorb_of_the_registering_shard() {
    use hubwasm_core::xet::{shard, ShardIndex};
    let s = start(fresh_dir("dedup-shard"));
    create_repo(&s.url, "d", false);
    // 8 MiB of random bytes in xorbs of at most 1 MiB: at least 8 xorbs, and the file's only
    // eligible chunk is (very likely) its first.
    let data = splitmix(13, 8 << 20);
    upload_with_planner_in_xorbs_of(&s.url, "d", &[&data], 1 << 20);
    let (cas, token, _) = xet_write_token(&s.url, "d");
    let first = hubwasm_core::xet::hash_file(&data, BoundaryRule::Current).chunks[0].0;
    let r = get(&format!("{cas}/v1/chunks/default/{first}"), Some(&token), &[]);
    assert_eq!(r.status, 200);
    let answer = shard::parse(&r.body).unwrap();
    assert!(answer.xorbs.len() >= 8, "the answer lists {} xorbs", answer.xorbs.len());
    let mut index = ShardIndex::new();
    index.add(&answer);
    let mut planner = UploadPlanner::with_index(BoundaryRule::Current, index);
    planner.update(&data).unwrap();
    planner.finish_file().unwrap();
    planner.finish().unwrap();
    assert!(planner.take_xorb().is_none(), "one answer covers the whole multi-xorb file");
    s.stop();
}

#[test]
fn orgs_gated_repos_and_settings() {
    let s = start(fresh_dir("gated"));
    // demo and colleague are both members of `team` (from the test config).
    let r = post_json(
        &format!("{}/api/repos/create", s.url),
        Some("hf_colleague_write"),
        &json!({ "name": "shared", "organization": "team" }),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = post_json(
        &format!("{}/api/repos/create", s.url),
        Some("hf_stranger_write"),
        &json!({ "name": "nope", "organization": "team" }),
    );
    assert_eq!(r.status, 403, "only members create repos in an org");
    let settings = |token: &str, body: serde_json::Value| {
        send(
            "PUT",
            &format!("{}/api/models/team/shared/settings", s.url),
            Some(token),
            "application/json",
            body.to_string().as_bytes(),
        )
    };
    assert_eq!(settings("hf_stranger_write", json!({ "gated": "auto" })).status, 403);
    assert_eq!(settings(WRITE, json!({ "gated": "auto" })).status, 200);
    let file = format!("{}/team/shared/resolve/main/.gitattributes", s.url);
    let anonymous = get(&file, None, &[]);
    assert_eq!((anonymous.status, anonymous.header("x-error-code")), (401, Some("GatedRepo")));
    let stranger = get(&file, Some("hf_stranger_write"), &[]);
    assert_eq!((stranger.status, stranger.header("x-error-code")), (403, Some("GatedRepo")));
    assert_eq!(get(&file, Some("hf_colleague_write"), &[]).status, 200);
    let info = get(&format!("{}/api/models/team/shared", s.url), None, &[]);
    assert_eq!((info.status, info.json()["gated"].as_str()), (200, Some("auto")), "repo info stays readable");
    assert_eq!(settings(WRITE, json!({ "private": true })).status, 200);
    assert_eq!(get(&format!("{}/api/models/team/shared", s.url), Some("hf_stranger_write"), &[]).status, 404);
    s.stop();
}

#[test]
fn inference_routes_and_provider_mapping() {
    let s = start(fresh_dir("inference"));
    create_repo(&s.url, "echo", false);
    let mapping = get(&format!("{}/api/models/demo/echo?expand[]=inferenceProviderMapping", s.url), None, &[]).json();
    assert_eq!(mapping["inferenceProviderMapping"]["together"]["status"].as_str(), Some("live"));
    assert_eq!(mapping.as_object().unwrap().len(), 3, "_id, id and the expanded field only");
    let chat = |path: &str| {
        post_json(
            &format!("{}{path}", s.url),
            Some(WRITE),
            &json!({ "model": "demo/echo", "messages": [{ "role": "user", "content": "hi there" }] }),
        )
    };
    for path in [
        "/v1/chat/completions",
        "/together/v1/chat/completions",
        "/groq/openai/v1/chat/completions",
        "/hf-inference/models/demo/echo/v1/chat/completions",
    ] {
        let r = chat(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.json()["choices"][0]["message"]["content"].as_str(), Some("You said: there hi"), "{path}");
    }
    assert_eq!(post_json(&format!("{}/v1/chat/completions", s.url), None, &json!({ "messages": [] })).status, 401);
    let embed = post_json(
        &format!("{}/hf-inference/models/demo/embedder/pipeline/feature-extraction", s.url),
        Some(WRITE),
        &json!({ "inputs": ["a", "b"] }),
    )
    .json();
    let v: Vec<f64> = embed[0].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(v.len(), 8);
    assert!((v.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-9, "unit vector");
    let labels = post_json(
        &format!("{}/hf-inference/models/demo/sentiment", s.url),
        Some(WRITE),
        &json!({ "inputs": "I love it, great" }),
    )
    .json();
    assert_eq!(labels[0][0]["label"].as_str(), Some("POSITIVE"), "one list per input");
    let png =
        post_json(&format!("{}/hf-inference/models/demo/painter", s.url), Some(WRITE), &json!({ "inputs": "a cat" }));
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png.body[png.body.len() - 8..], b"IEND\xae\x42\x60\x82", "IEND with its well-known CRC");
    let stream = post_json(
        &format!("{}/v1/chat/completions", s.url),
        Some(WRITE),
        &json!({ "stream": true, "max_tokens": 2, "messages": [{ "role": "user", "content": "x y" }] }),
    );
    let text = String::from_utf8(stream.body).unwrap();
    assert!(text.starts_with("data: {") && text.ends_with("data: [DONE]\n\n"), "{text}");
    assert!(text.contains("\"finish_reason\":\"length\""));
    s.stop();
}

#[test]
fn moved_repos_and_wrong_casing_redirect_to_the_canonical_id() {
    let s = start(fresh_dir("move"));
    create_repo(&s.url, "Old-Name", false);
    let r = get(&format!("{}/api/models/demo/old-name/revision/main?blobs=true", s.url), None, &[]);
    assert_eq!((r.status, r.header("location")), (307, Some("/api/models/demo/Old-Name/revision/main?blobs=true")));
    let moved = post_json(
        &format!("{}/api/repos/move", s.url),
        Some(WRITE),
        &json!({ "fromRepo": "demo/Old-Name", "toRepo": "demo-org/new-name", "type": "model" }),
    );
    assert_eq!(moved.status, 200, "{}", String::from_utf8_lossy(&moved.body));
    let r = get(&format!("{}/demo/Old-Name/resolve/main/.gitattributes", s.url), None, &[]);
    assert_eq!((r.status, r.header("location")), (307, Some("/demo-org/new-name/resolve/main/.gitattributes")));
    let r = get(&format!("{}/api/models/demo-org/new-name", s.url), None, &[]);
    assert_eq!(r.json()["id"].as_str(), Some("demo-org/new-name"));
    s.stop();
}
