//! localhub's answers read through hubwasm-core's `api` types, the ones the HubClient parses
//! the real Hub's answers with: a field localhub names or shapes differently fails here.

mod common;

use base64::Engine as _;
use common::*;
use hubwasm_core::api::{CommitAnswer, EntryKind, PreuploadAnswer, TreeEntry, UploadMode, WhoAmI};
use serde_json::json;

#[test]
fn whoami_reads_as_core_whoami() {
    let s = start(fresh_dir("api-whoami"));
    let me: WhoAmI = serde_json::from_slice(&get(&format!("{}/api/whoami-v2", s.url), Some(WRITE), &[]).body).unwrap();
    assert_eq!((me.kind.as_str(), me.name.as_str()), ("user", "demo"));
    assert!(me.orgs.iter().any(|o| o.name == "demo-org"), "{me:?}");
    assert_eq!(me.auth.and_then(|a| a.access_token).map(|t| t.role), Some("write".to_string()));
    s.stop();
}

#[test]
fn commit_preupload_and_tree_answers_read_as_core_types() {
    let s = start(fresh_dir("api-commit"));
    create_repo(&s.url, "typed", false);
    let infos = upload_with_planner(&s.url, "typed", &[&splitmix(61, 70_000)]);
    commit_lfs(&s.url, "typed", &[("weights.bin", &infos[0])]);

    let body = [
        json!({ "key": "header", "value": { "summary": "a pull request" } }),
        json!({ "key": "file", "value": { "path": "notes.txt", "content": base64::engine::general_purpose::STANDARD.encode(b"hi"), "encoding": "base64" } }),
    ]
    .map(|l| l.to_string())
    .join("\n");
    let url = format!("{}/api/models/demo/typed/commit/main?create_pr=1", s.url);
    let r = send("POST", &url, Some(WRITE), "application/x-ndjson", body.as_bytes());
    let answer: CommitAnswer = serde_json::from_slice(&r.body).unwrap();
    assert!(answer.success && answer.commit_oid.len() == 40, "{answer:?}");
    assert_eq!(answer.pull_request_number(), Some(1));

    let sample = base64::engine::general_purpose::STANDARD.encode(b"text");
    let files = json!({ "files": [
        { "path": "weights.bin", "sample": sample, "size": 70_000 },
        { "path": "readme.txt", "sample": sample, "size": 4 },
    ] });
    let r = post_json(&format!("{}/api/models/demo/typed/preupload/main", s.url), Some(WRITE), &files);
    let answer: PreuploadAnswer = serde_json::from_slice(&r.body).unwrap();
    let modes: Vec<(&str, UploadMode)> = answer.files.iter().map(|f| (f.path.as_str(), f.upload_mode)).collect();
    assert_eq!(modes, [("weights.bin", UploadMode::Lfs), ("readme.txt", UploadMode::Regular)]);
    assert_eq!(answer.files[0].oid.as_deref(), Some(hex::encode(infos[0].sha256).as_str()), "the committed object");

    let r = get(&format!("{}/api/models/demo/typed/tree/main?expand=true", s.url), None, &[]);
    let entries: Vec<TreeEntry> = serde_json::from_slice(&r.body).unwrap();
    let weights = entries.iter().find(|e| e.path == "weights.bin").expect("listed");
    assert_eq!((weights.kind, weights.size), (EntryKind::File, 70_000));
    let lfs = weights.lfs.as_ref().expect("an LFS entry");
    assert_eq!((lfs.oid.as_str(), lfs.size), (hex::encode(infos[0].sha256).as_str(), 70_000));
    assert_eq!(weights.xet_hash.as_deref(), Some(infos[0].hash.to_hex().as_str()));
    assert_eq!(weights.last_commit.as_ref().map(|c| c.id.len()), Some(40));
    s.stop();
}
