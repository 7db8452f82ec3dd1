//! The discussions and pull-request API over real HTTP: shapes huggingface_hub parses, the
//! shared numbering with `create_pr` commits, filters and pagination, who may change what,
//! squash merges and their conflicts, private repos, and what survives a repo's deletion.

// This suite does not need common's test data re-export.
#[allow(unused_imports)]
mod common;

use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

const STRANGER: &str = "hf_stranger_write";

fn discussions(url: &str, repo: &str) -> String {
    format!("{url}/api/models/demo/{repo}/discussions")
}

fn open(url: &str, repo: &str, token: &str, title: &str, pull_request: bool) -> Value {
    let r = post_json(
        &discussions(url, repo),
        Some(token),
        &json!({ "title": title, "description": format!("About {title}"), "pullRequest": pull_request }),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn details(url: &str, repo: &str, num: u64) -> Value {
    let r = get(&format!("{}/{num}?diff=1", discussions(url, repo)), Some(WRITE), &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn list(url: &str, repo: &str, query: &str) -> Value {
    let r = get(&format!("{}?{query}", discussions(url, repo)), Some(WRITE), &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn nums(listing: &Value) -> Vec<u64> {
    listing["discussions"].as_array().unwrap().iter().map(|d| d["num"].as_u64().unwrap()).collect()
}

fn change(url: &str, repo: &str, num: u64, resource: &str, token: &str, body: Value) -> Reply {
    post_json(&format!("{}/{num}/{resource}", discussions(url, repo)), Some(token), &body)
}

/// Commits one file to `revision` (a branch or `refs/pr/N`), or opens a PR with it.
fn commit(url: &str, repo: &str, revision: &str, path: &str, content: &[u8], create_pr: bool) -> Value {
    let body = format!(
        "{}\n{}\n",
        json!({ "key": "header", "value": { "summary": format!("write {path}"), "description": "the change" } }),
        json!({ "key": "file", "value": { "path": path, "content": base64::engine::general_purpose::STANDARD.encode(content), "encoding": "base64" } })
    );
    let query = if create_pr { "?create_pr=1" } else { "" };
    let revision = revision.replace('/', "%2F");
    let r = send(
        "POST",
        &format!("{url}/api/models/demo/{repo}/commit/{revision}{query}"),
        Some(WRITE),
        "application/x-ndjson",
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn main_sha(url: &str, repo: &str) -> String {
    get(&format!("{url}/api/models/demo/{repo}"), Some(WRITE), &[]).json()["sha"].as_str().unwrap().to_string()
}

fn read(url: &str, repo: &str, revision: &str, path: &str) -> Reply {
    get(&format!("{url}/demo/{repo}/resolve/{}/{path}", revision.replace('/', "%2F")), Some(WRITE), &[])
}

#[test]
fn discussions_and_their_events() {
    let s = start(fresh_dir("discussions"));
    create_repo(&s.url, "talk", false);
    let pr = open(&s.url, "talk", WRITE, "A pull request", true);
    assert_eq!(
        (pr["num"].as_u64(), pr["isPullRequest"].as_bool(), pr["status"].as_str()),
        (Some(1), Some(true), Some("draft"))
    );
    assert_eq!(pr["changes"]["base"], json!("refs/heads/main"));
    assert_eq!(pr["filesWithConflicts"], json!([]));
    let refs = get(&format!("{}/api/models/demo/talk/refs?include_prs=1", s.url), None, &[]).json();
    assert_eq!(refs["pullRequests"][0]["targetCommit"], json!(main_sha(&s.url, "talk")), "an empty PR starts at main");

    let talk = open(&s.url, "talk", WRITE, "  A question  ", false);
    assert_eq!((talk["num"].as_u64(), talk["title"].as_str()), (Some(2), Some("A question")));
    assert_eq!(talk["repo"], json!({ "name": "demo/talk", "type": "model" }));
    assert_eq!(talk["author"]["name"], json!("demo"));
    assert!(talk.get("changes").is_none(), "only pull requests have changes");
    let first = &talk["events"][0];
    assert_eq!(
        (first["type"].as_str(), first["data"]["latest"]["raw"].as_str()),
        (Some("comment"), Some("About   A question  "))
    );
    assert_eq!(first["data"]["edited"], json!(false));
    assert_eq!(first["id"].as_str().unwrap().len(), 24);

    let said = change(&s.url, "talk", 2, "comment", WRITE, json!({ "comment": "a <b> & c\n\nsecond" }));
    let said = said.json()["newMessage"].clone();
    // Clients read `latest.html` as the rendered text (huggingface_hub community.py: DiscussionComment.rendered);
    // its markup is the Hub's own, but the author's text must arrive escaped.
    let html = said["data"]["latest"]["html"].as_str().expect("rendered comment");
    assert!(html.contains("a &lt;b&gt; &amp; c") && html.contains("second") && !html.contains("<b>"), "{html}");
    let comment_id = first["id"].as_str().unwrap().to_uppercase();
    let edited =
        change(&s.url, "talk", 2, &format!("comment/{comment_id}/edit"), WRITE, json!({ "content": "Edited" }));
    let edited = edited.json()["updatedComment"].clone();
    assert_eq!(
        (edited["data"]["edited"].as_bool(), edited["data"]["latest"]["raw"].as_str()),
        (Some(true), Some("Edited"))
    );
    assert_eq!(edited["data"]["history"][0]["raw"], json!("About   A question  "), "the earlier version is kept");
    let renamed = change(&s.url, "talk", 2, "title", WRITE, json!({ "title": "Renamed" })).json()["newTitle"].clone();
    assert_eq!(renamed["data"], json!({ "from": "A question", "to": "Renamed" }));
    let closed = change(&s.url, "talk", 2, "status", WRITE, json!({ "status": "closed", "comment": "bye" }));
    assert_eq!(closed.json()["newStatus"]["data"], json!({ "status": "closed" }));
    let hidden = change(&s.url, "talk", 2, &format!("comment/{}/hide", said["id"].as_str().unwrap()), WRITE, json!({}));
    // huggingface_hub reads `data.hidden` (community.py, deserialize_event); what a hidden comment's text
    // and history become is not in the specs or the clients, so it is not asserted.
    assert_eq!(hidden.json()["updatedComment"]["data"]["hidden"], json!(true));

    let now = details(&s.url, "talk", 2);
    let kinds: Vec<&str> = now["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["comment", "comment", "title-change", "status-change", "comment"]);
    assert_eq!((now["title"].as_str(), now["status"].as_str()), (Some("Renamed"), Some("closed")));
    assert_eq!(now["events"][0]["data"]["latest"]["raw"], json!("Edited"));

    let all = list(&s.url, "talk", "");
    assert_eq!((nums(&all), all["count"].as_u64(), all["start"].as_u64()), (vec![2, 1], Some(2), Some(0)));
    assert_eq!(all["discussions"][0]["numComments"], json!(3));
    assert!(all["discussions"][0].get("events").is_none(), "the list carries no events");
    assert_eq!(nums(&list(&s.url, "talk", "type=pull_request")), [1]);
    assert_eq!(nums(&list(&s.url, "talk", "type=discussion")), [2]);
    assert_eq!(nums(&list(&s.url, "talk", "status=open")), [1], "drafts are open");
    assert_eq!(nums(&list(&s.url, "talk", "status=closed")), [2]);
    assert_eq!(nums(&list(&s.url, "talk", "author=nobody")), Vec::<u64>::new());
    assert_eq!(nums(&list(&s.url, "talk", "search=renam")), [2]);
    s.stop();
}

#[test]
fn bad_requests_get_typed_answers() {
    let s = start(fresh_dir("discussions-bad"));
    create_repo(&s.url, "talk", false);
    open(&s.url, "talk", WRITE, "Here", false);
    let url = discussions(&s.url, "talk");
    for (body, why) in [(json!({ "title": "  " }), "blank title"), (json!({}), "no title")] {
        assert_eq!(post_json(&url, Some(WRITE), &body).status, 400, "{why}");
    }
    assert_eq!(send("POST", &url, Some(WRITE), "application/json", b"{not json").status, 400);
    for query in ["type=issues", "status=merged", "p=-1"] {
        assert_eq!(get(&format!("{url}?{query}"), None, &[]).status, 400, "{query}");
    }
    for num in ["9", "0", "abc"] {
        assert_eq!(get(&format!("{url}/{num}"), None, &[]).status, 404, "{num}");
    }
    assert_eq!(change(&s.url, "talk", 1, "comment", WRITE, json!({ "comment": " " })).status, 400);
    assert_eq!(change(&s.url, "talk", 1, "status", WRITE, json!({ "status": "published" })).status, 400);
    assert_eq!(
        change(&s.url, "talk", 1, "comment/0123456789abcdef01234567/edit", WRITE, json!({ "content": "x" })).status,
        404
    );
    assert_eq!(change(&s.url, "talk", 1, "merge", WRITE, json!({})).status, 400, "a discussion is not a PR");
    assert_eq!(post_json(&format!("{url}/1/comment"), None, &json!({ "comment": "hi" })).status, 401);
    assert_eq!(
        change(&s.url, "talk", 1, "comment", READ, json!({ "comment": "hi" })).status,
        403,
        "read tokens only read"
    );
    assert_eq!(details(&s.url, "talk", 1)["events"].as_array().unwrap().len(), 1, "refused changes left no event");
    s.stop();
}

#[test]
fn create_pr_commits_are_pull_requests_and_pushes_are_events() {
    let s = start(fresh_dir("discussions-prs"));
    create_repo(&s.url, "prs", false);
    open(&s.url, "prs", WRITE, "First a discussion", false);
    let made = commit(&s.url, "prs", "main", "proposed.txt", b"proposal", true);
    assert!(made["pullRequestUrl"].as_str().unwrap().ends_with("/demo/prs/discussions/2"), "{made}");
    let pushed = commit(&s.url, "prs", "refs/pr/2", "more.txt", b"more", false);
    let pr = details(&s.url, "prs", 2);
    assert_eq!((pr["isPullRequest"].as_bool(), pr["status"].as_str()), (Some(true), Some("open")));
    assert_eq!(pr["title"], json!("write proposed.txt"));
    let events: Vec<(&str, Option<&str>)> = pr["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["data"]["oid"].as_str()))
        .collect();
    assert_eq!(
        events,
        [("comment", None), ("commit", made["commitOid"].as_str()), ("commit", pushed["commitOid"].as_str())]
    );
    assert_eq!(pr["events"][0]["data"]["latest"]["raw"], json!("the change"), "the commit's description opens it");
    assert_eq!(nums(&list(&s.url, "prs", "type=pull_request")), [2]);
    s.stop();
}

#[test]
fn merging_squashes_onto_the_target_or_reports_conflicts() {
    let s = start(fresh_dir("discussions-merge"));
    create_repo(&s.url, "merge", false);
    let pr = open(&s.url, "merge", WRITE, "Add a file", true);
    let num = pr["num"].as_u64().unwrap();
    commit(&s.url, "merge", &format!("refs/pr/{num}"), "added.txt", b"added", false);
    assert_eq!(change(&s.url, "merge", num, "merge", WRITE, json!({})).status, 400, "a draft does not merge");
    assert_eq!(change(&s.url, "merge", num, "status", WRITE, json!({ "status": "open" })).status, 200);
    assert_eq!(change(&s.url, "merge", num, "merge", STRANGER, json!({})).status, 403, "only writers merge");
    let before = main_sha(&s.url, "merge");
    assert_eq!(change(&s.url, "merge", num, "merge", WRITE, json!({ "comment": "merged!" })).status, 200);
    let after = main_sha(&s.url, "merge");
    let merged = details(&s.url, "merge", num);
    assert_eq!(
        (merged["status"].as_str(), merged["changes"]["mergeCommitId"].as_str()),
        (Some("merged"), Some(after.as_str()))
    );
    let history = get(&format!("{}/api/models/demo/merge/commits/main", s.url), None, &[]).json();
    assert_eq!(history[0]["title"], json!("Add a file (#1)"));
    assert_eq!(history[1]["id"], json!(before), "one commit on top of main");
    assert_eq!(read(&s.url, "merge", "main", "added.txt").body, b"added");
    assert_eq!(change(&s.url, "merge", num, "status", WRITE, json!({ "status": "open" })).status, 400);
    assert_eq!(change(&s.url, "merge", num, "merge", WRITE, json!({})).status, 400, "merged once");

    // Two PRs forked from the same main: one touches what main then changes, one does not.
    commit(&s.url, "merge", "main", "shared.txt", b"base", false);
    let clash = commit(&s.url, "merge", "main", "shared.txt", b"from the PR", true)["pullRequestUrl"].clone();
    let clash: u64 = clash.as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let apart = commit(&s.url, "merge", "main", "apart.txt", b"apart", true)["pullRequestUrl"].clone();
    let apart: u64 = apart.as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    commit(&s.url, "merge", "main", "shared.txt", b"from main", false);
    assert_eq!(details(&s.url, "merge", clash)["filesWithConflicts"], json!(["shared.txt"]));
    assert_eq!(details(&s.url, "merge", apart)["filesWithConflicts"], json!([]));
    let refused = change(&s.url, "merge", clash, "merge", WRITE, json!({}));
    assert_eq!(refused.status, 409, "{}", String::from_utf8_lossy(&refused.body));
    assert_eq!(details(&s.url, "merge", clash)["status"], json!("open"), "a refused merge changes nothing");
    assert_eq!(change(&s.url, "merge", apart, "merge", WRITE, json!({})).status, 200);
    assert_eq!(read(&s.url, "merge", "main", "shared.txt").body, b"from main", "main's own change stays");
    assert_eq!(read(&s.url, "merge", "main", "apart.txt").body, b"apart");
    assert_eq!(read(&s.url, "merge", "main", "added.txt").body, b"added");

    // A PR into a branch that is later deleted still shows, and refuses to merge.
    assert_eq!(post_json(&format!("{}/api/models/demo/merge/branch/dev", s.url), Some(WRITE), &json!({})).status, 200);
    let orphan = commit(&s.url, "merge", "dev", "dev.txt", b"dev", true)["pullRequestUrl"].clone();
    let orphan: u64 = orphan.as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(details(&s.url, "merge", orphan)["changes"]["base"], json!("refs/heads/dev"));
    let gone =
        send("DELETE", &format!("{}/api/models/demo/merge/branch/dev", s.url), Some(WRITE), "application/json", b"");
    assert_eq!(gone.status, 200);
    assert_eq!(details(&s.url, "merge", orphan)["filesWithConflicts"], json!([]));
    assert_eq!(change(&s.url, "merge", orphan, "merge", WRITE, json!({})).status, 400);
    s.stop();
}

#[test]
fn strangers_see_public_discussions_only_and_change_only_their_own() {
    let s = start(fresh_dir("discussions-rights"));
    create_repo(&s.url, "secret", true);
    create_repo(&s.url, "open", false);
    open(&s.url, "secret", WRITE, "Private talk", false);
    open(&s.url, "open", WRITE, "Owner's talk", false);
    for token in [Some(STRANGER), None] {
        let listing = get(&discussions(&s.url, "secret"), token, &[]);
        let one = get(&format!("{}/1", discussions(&s.url, "secret")), token, &[]);
        let expected = if token.is_some() { 404 } else { 401 };
        for r in [&listing, &one] {
            assert_eq!((r.status, r.header("x-error-code")), (expected, Some("RepoNotFound")));
        }
    }
    let post = post_json(&discussions(&s.url, "secret"), Some(STRANGER), &json!({ "title": "let me in" }));
    assert_eq!(post.status, 404);

    assert_eq!(get(&discussions(&s.url, "open"), None, &[]).status, 200, "public discussions are public");
    let theirs = open(&s.url, "open", STRANGER, "A stranger's idea", false);
    assert_eq!(theirs["author"]["name"], json!("stranger"));
    let num = theirs["num"].as_u64().unwrap();
    assert_eq!(change(&s.url, "open", num, "title", STRANGER, json!({ "title": "Better idea" })).status, 200);
    assert_eq!(change(&s.url, "open", 1, "title", STRANGER, json!({ "title": "Mine now" })).status, 403);
    assert_eq!(change(&s.url, "open", 1, "status", STRANGER, json!({ "status": "closed" })).status, 403);
    let owners_comment = details(&s.url, "open", 1)["events"][0]["id"].as_str().unwrap().to_string();
    let edit =
        change(&s.url, "open", 1, &format!("comment/{owners_comment}/edit"), STRANGER, json!({ "content": "x" }));
    assert_eq!(edit.status, 403);
    assert_eq!(
        change(&s.url, "open", num, "status", WRITE, json!({ "status": "closed" })).status,
        200,
        "owners moderate"
    );
    s.stop();
}

#[test]
fn the_list_is_paginated_and_deleted_repos_forget_their_discussions() {
    let s = start(fresh_dir("discussions-pages"));
    create_repo(&s.url, "many", false);
    for i in 1..=55 {
        open(&s.url, "many", WRITE, &format!("number {i}"), i % 5 == 0);
    }
    let first = list(&s.url, "many", "p=0");
    assert_eq!((first["count"].as_u64(), first["start"].as_u64()), (Some(55), Some(0)));
    assert_eq!(nums(&first), (6..=55).rev().collect::<Vec<u64>>());
    let second = list(&s.url, "many", "p=1");
    assert_eq!((second["start"].as_u64(), nums(&second)), (Some(50), vec![5, 4, 3, 2, 1]));
    assert_eq!(nums(&list(&s.url, "many", "p=2")), Vec::<u64>::new());
    let prs = list(&s.url, "many", "type=pull_request");
    assert_eq!((prs["count"].as_u64(), nums(&prs)), (Some(11), vec![55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5]));

    let data = s.stop_keeping_data();
    let s = start(data);
    assert_eq!(list(&s.url, "many", "")["count"], json!(55), "discussions survive a restart");
    let r = send(
        "DELETE",
        &format!("{}/api/repos/delete", s.url),
        Some(WRITE),
        "application/json",
        br#"{"name":"many","organization":"demo"}"#,
    );
    assert_eq!(r.status, 200);
    create_repo(&s.url, "many", false);
    assert_eq!(list(&s.url, "many", "")["count"], json!(0), "a new repo under the old name starts clean");
    assert_eq!(open(&s.url, "many", WRITE, "fresh", false)["num"], json!(1));
    s.stop();
}
