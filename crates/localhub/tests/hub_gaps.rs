//! Gaps that the official clients' own suites found (issue #14): initial `files` (and `license`) on
//! repo creation, abbreviated commit ids as revisions, and the typed `RepoNotFound` answer for ids
//! without a namespace.

// This suite does not need common's test data re-export.
#[allow(unused_imports)]
mod common;

use base64::Engine as _;
use common::*;
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn create(url: &str, body: serde_json::Value) -> Reply {
    post_json(&format!("{url}/api/repos/create"), Some(WRITE), &body)
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[test]
fn repo_creation_commits_the_given_files() {
    let s = start(fresh_dir("initial-files"));
    let attributes = "*.html filter=lfs diff=lfs merge=lfs -text";
    let page = b"<html>big page</html>";
    let r = create(
        &s.url,
        json!({ "name": "seeded", "organization": "demo", "type": "model", "files": [
            { "path": ".gitattributes", "content": b64(attributes.as_bytes()), "encoding": "base64" },
            { "path": "docs/index.html", "content": b64(page), "encoding": "base64" },
            { "path": "notes.txt", "content": "plain text", "encoding": "utf-8" },
        ]}),
    );
    assert_eq!(r.status, 200, "{}", text(&r));
    let file = |path: &str, mode: &str| get(&format!("{}/demo/seeded/{mode}/main/{path}", s.url), None, &[]);
    assert_eq!(file(".gitattributes", "resolve").body, attributes.as_bytes(), "the given one replaces the default");
    assert_eq!(file("notes.txt", "resolve").body, b"plain text");
    // `.gitattributes` sends *.html to LFS: the file is an LFS object behind a pointer, like a commit makes it.
    let pointer = text(&file("docs/index.html", "raw"));
    assert!(pointer.starts_with("version https://git-lfs.github.com/spec/v1\noid sha256:"), "{pointer}");
    let redirect = file("docs/index.html", "resolve");
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap().to_string();
    assert_eq!(get(&location, None, &[]).body, page);
    let commits = get(&format!("{}/api/models/demo/seeded/commits/main", s.url), None, &[]).json();
    assert_eq!(commits.as_array().unwrap().len(), 1, "the files are the first commit, not a second one");

    let r = create(&s.url, json!({ "name": "licensed", "organization": "demo", "license": "mit" }));
    assert_eq!(r.status, 200, "{}", text(&r));
    let readme = get(&format!("{}/demo/licensed/resolve/main/README.md", s.url), None, &[]);
    // What clients read: huggingface_hub's RepoCard takes the YAML block between the leading
    // `---` lines (repocard.py, REGEX_YAML_BLOCK) and its `license` key.
    let readme = text(&readme);
    let front_matter = readme.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---")).map(|(yaml, _)| yaml);
    assert!(front_matter.is_some_and(|yaml| yaml.lines().any(|l| l.trim_end() == "license: mit")), "{readme}");
    assert!(text(&get(&format!("{}/demo/licensed/resolve/main/.gitattributes", s.url), None, &[]))
        .contains("*.safetensors filter=lfs"));
    s.stop();
}

#[test]
fn bad_initial_files_create_nothing() {
    let s = start(fresh_dir("initial-files-bad"));
    let bad = [
        json!("not a list"),
        json!([{ "path": "a.txt" }]),
        json!([{ "content": b64(b"x") }]),
        json!([{ "path": "a.txt", "content": "%%% not base64" }]),
        json!([{ "path": "../escape.txt", "content": b64(b"x") }]),
        json!([{ "path": "a.txt", "content": b64(b"1") }, { "path": "a.txt", "content": b64(b"2") }]),
        json!([{ "path": "a.txt", "content": "x", "encoding": "rot13" }]),
    ];
    for files in bad {
        let r = create(&s.url, json!({ "name": "never", "organization": "demo", "files": files }));
        assert_eq!(r.status, 400, "{files:.60}: {}", text(&r));
        assert!(r.json()["error"].as_str().is_some_and(|e| !e.is_empty()));
        let info = get(&format!("{}/api/models/demo/never", s.url), Some(WRITE), &[]);
        assert_eq!(info.status, 404, "a refused creation leaves no repo behind");
    }
    let r = create(&s.url, json!({ "name": "never", "organization": "demo", "license": "mit\nx" }));
    assert_eq!(r.status, 400);
    s.stop();
}

#[test]
fn abbreviated_commit_ids_are_revisions() {
    let s = start(fresh_dir("short-ids"));
    create_repo(&s.url, "short", false);
    let api = format!("{}/api/models/demo/short", s.url);
    let full = get(&api, None, &[]).json()["sha"].as_str().unwrap().to_string();
    let short = &full[..7];

    let info = get(&format!("{api}/revision/{short}"), None, &[]);
    assert_eq!(info.json()["sha"], json!(full));
    let resolved = get(&format!("{}/demo/short/resolve/{short}/.gitattributes", s.url), None, &[]);
    assert_eq!((resolved.status, resolved.header("x-repo-commit")), (200, Some(full.as_str())));
    assert_eq!(get(&format!("{api}/tree/{}", &full[..12]), None, &[]).status, 200);
    assert_eq!(get(&format!("{api}/revision/{}", short.to_ascii_uppercase()), None, &[]).json()["sha"], json!(full));

    let tag = post_json(&format!("{api}/tag/{short}"), Some(WRITE), &json!({ "tag": "v-short" }));
    assert_eq!(tag.status, 200, "{}", text(&tag));
    let refs = get(&format!("{api}/refs"), None, &[]).json();
    assert_eq!(refs["tags"][0]["targetCommit"], json!(full));
    let branch = post_json(&format!("{api}/branch/from-short"), Some(WRITE), &json!({ "startingPoint": short }));
    assert_eq!(branch.status, 200, "{}", text(&branch));

    for not_a_revision in [&full[..6], "0000000", "abcdefg"] {
        let r = get(&format!("{api}/revision/{not_a_revision}"), None, &[]);
        assert_eq!((r.status, r.header("x-error-code")), (404, Some("RevisionNotFound")), "{not_a_revision}");
    }
    // A commit id is not a branch: commits on it are refused, as for a full id.
    let body = format!("{}\n", json!({ "key": "header", "value": { "summary": "on a commit" } }));
    let r = send("POST", &format!("{api}/commit/{short}"), Some(WRITE), "application/x-ndjson", body.as_bytes());
    assert_eq!((r.status, r.header("x-error-code")), (404, Some("RevisionNotFound")));
    s.stop();
}

#[test]
fn ids_without_a_namespace_answer_repo_not_found() {
    let s = start(fresh_dir("no-namespace"));
    for path in
        ["api/models/repo-that-does-not-exist", "api/datasets/nope", "api/spaces/nope", "nope/resolve/main/a.txt"]
    {
        let signed_in = get(&format!("{}/{path}", s.url), Some(WRITE), &[]);
        assert_eq!((signed_in.status, signed_in.header("x-error-code")), (404, Some("RepoNotFound")), "{path}");
        let anonymous = get(&format!("{}/{path}", s.url), None, &[]);
        assert_eq!((anonymous.status, anonymous.header("x-error-code")), (401, Some("RepoNotFound")), "{path}");
    }
    s.stop();
}
