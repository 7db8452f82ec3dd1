//! The write path as the official clients use it, over real HTTP: preupload's `shouldIgnore`
//! follows the repo's `.gitignore` or the one sent with the files (`gitIgnore`, as
//! huggingface_hub sends it), which Python relies on to skip ignored files.

mod common;

use base64::Engine as _;
use common::*;
use serde_json::json;

fn commit_regular(url: &str, repo: &str, path: &str, content: &[u8]) {
    let content = base64::engine::general_purpose::STANDARD.encode(content);
    let body = format!(
        "{}\n{}\n",
        json!({ "key": "header", "value": { "summary": "add" } }),
        json!({ "key": "file", "value": { "path": path, "content": content, "encoding": "base64" } })
    );
    let r = send(
        "POST",
        &format!("{url}/api/models/{repo}/commit/main"),
        Some(WRITE),
        "application/x-ndjson",
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

fn should_ignore(url: &str, repo: &str, body: serde_json::Value) -> Vec<bool> {
    let r = post_json(&format!("{url}/api/models/{repo}/preupload/main"), Some(WRITE), &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["files"].as_array().unwrap().iter().map(|f| f["shouldIgnore"].as_bool().unwrap()).collect()
}

#[test]
fn preupload_should_ignore_follows_gitignore() {
    let s = start(fresh_dir("gitignore"));
    create_repo(&s.url, "ign", false);
    let sample = base64::engine::general_purpose::STANDARD.encode(splitmix(3, 64));
    let files = json!([
        { "path": "train.log", "size": 64, "sample": sample },
        { "path": "cache/x.bin", "size": 64, "sample": sample },
        { "path": "model.bin", "size": 64, "sample": sample },
    ]);
    assert_eq!(should_ignore(&s.url, "demo/ign", json!({ "files": files })), [false, false, false], "no .gitignore");
    let sent = json!({ "files": files, "gitIgnore": "*.log\ncache/\n" });
    assert_eq!(should_ignore(&s.url, "demo/ign", sent), [true, true, false], "the gitIgnore sent");
    commit_regular(&s.url, "demo/ign", ".gitignore", b"# ours\ncache/\n");
    assert_eq!(should_ignore(&s.url, "demo/ign", json!({ "files": files })), [false, true, false], "the repo's");
    s.stop();
}
