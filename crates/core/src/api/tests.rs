use super::*;
use alloc::format;
use alloc::string::ToString;

// hub-api.md §2's real example (bert-base-uncased), hashes written out in full length.
#[test]
fn tree_entries_from_the_spec() {
    let json = r#"[{"type":"file","oid":"9eb98c817f04b051b3bcca591bcd4e03cec88018","size":536063208,"path":"tf_model.h5",
        "lfs":{"oid":"a7a17d6d844b5de815ccab5f42cad6d24496db3850a2a43d8258221018ce87d2","size":536063208,"pointerSize":134},
        "xetHash":"879c5715c18a0b7f051dd33f70f0a5c8dd1522e0a43f6f75520f16167f29279b"},
        {"type":"directory","oid":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","size":0,"path":"onnx"},
        {"type":"file","oid":"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391","size":0,"path":"empty","lastCommit":
        {"id":"0123456789abcdef0123456789abcdef01234567","title":"init","date":"2019-09-23T19:48:44.000Z"},
        "securityFileStatus":{"status":"safe"}},
        {"type":"submodule","oid":"x","path":"sub"}]"#;
    let entries: Vec<TreeEntry> = serde_json::from_str(json).unwrap();
    assert_eq!(entries[0].kind, EntryKind::File);
    assert_eq!(entries[0].size, 536_063_208);
    let lfs = entries[0].lfs.as_ref().unwrap();
    assert_eq!((lfs.size, lfs.pointer_size), (536_063_208, 134));
    assert!(entries[0].xet_hash.as_deref().unwrap().starts_with("879c571"));
    assert_eq!(entries[1].kind, EntryKind::Directory);
    assert_eq!(entries[1].lfs, None);
    assert_eq!(entries[2].last_commit.as_ref().unwrap().title, "init");
    assert_eq!(entries[3].kind, EntryKind::Unknown);
    assert_eq!(entries[3].size, 0);
    // Written back, an entry reads the same and carries no null fields.
    let written = serde_json::to_string(&entries[1]).unwrap();
    assert_eq!(
        written,
        r#"{"type":"directory","oid":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","size":0,"path":"onnx"}"#
    );
    assert_eq!(serde_json::from_str::<TreeEntry>(&serde_json::to_string(&entries[0]).unwrap()).unwrap(), entries[0]);
}

// §7's recorded answer.
#[test]
fn preupload_answer_from_the_spec() {
    let json = r#"{"files": [{"path": "app.py", "uploadMode": "regular", "shouldIgnore": false, "oid": "1a42034"},
        {"path": "m.bin", "uploadMode": "lfs"}], "commitOid": "abc"}"#;
    let answer: PreuploadAnswer = serde_json::from_str(json).unwrap();
    assert_eq!(answer.files[0].upload_mode, UploadMode::Regular);
    assert_eq!(answer.files[0].oid.as_deref(), Some("1a42034"));
    assert_eq!(answer.files[1].upload_mode, UploadMode::Lfs);
    assert!(!answer.files[1].should_ignore);
    assert_eq!(answer.commit_oid.as_deref(), Some("abc"));
    assert!(serde_json::from_str::<PreuploadAnswer>(r#"{"files":[{"path":"a","uploadMode":"other"}]}"#).is_err());
}

// §8's recorded answer, plus the PR form huggingface_hub reads the number from.
#[test]
fn commit_answer_from_the_spec() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let json = format!(
        r#"{{"success": true, "commitOid": "{sha}", "commitUrl": "https://huggingface.co/org/m/commit/{sha}", "hookOutput": ""}}"#
    );
    let answer: CommitAnswer = serde_json::from_str(&json).unwrap();
    assert_eq!(answer.commit_oid, sha);
    assert_eq!(answer.pull_request_number(), None);
    let with_pr = CommitAnswer {
        pull_request_url: Some("https://huggingface.co/datasets/org/d/discussions/12".into()),
        ..answer.clone()
    };
    assert_eq!(with_pr.pull_request_number(), Some(12));
    let bad = CommitAnswer { pull_request_url: Some("https://h/discussions/x".into()), ..answer };
    assert_eq!(bad.pull_request_number(), None);
}

// §6.5's fields, as recorded from hub-ci.
#[test]
fn whoami_from_the_spec() {
    let json = r#"{"type":"user","id":"6266513d539521e602b5dc3a","name":"hub.js","fullname":"@huggingface/hub CI bot",
        "email":"eliott@huggingface.co","emailVerified":true,"canPay":false,"isPro":false,"periodEnd":null,
        "avatarUrl":"/avatars/x.svg","orgs":[{"type":"org","name":"huggingface","fullname":"Hugging Face"}],
        "auth":{"type":"access_token","accessToken":{"displayName":"ci-hub.js","role":"write","createdAt":"2021-01-01T00:00:00.000Z"}}}"#;
    let me: WhoAmI = serde_json::from_str(json).unwrap();
    assert_eq!((me.kind.as_str(), me.name.as_str()), ("user", "hub.js"));
    assert_eq!(me.orgs[0].name, "huggingface");
    assert_eq!(me.auth.unwrap().access_token.unwrap().role, "write");
}

// Every row of §5.2's table.
#[test]
fn error_table_rows() {
    use ApiErrorKind::*;
    let c = |status, code, message: &str, repo| ApiErrorKind::classify(status, code, Some(message), repo);
    assert_eq!(c(404, Some("RepoNotFound"), "", true), RepoNotFound);
    assert_eq!(c(401, Some("RepoNotFound"), "", true), RepoNotFound);
    assert_eq!(c(401, None, "", true), RepoNotFound, "Python's reading of a bare 401 on a repo URL");
    assert_eq!(c(401, None, "Invalid credentials in Authorization header", true), Unauthorized);
    assert_eq!(c(401, None, "", false), Unauthorized);
    assert_eq!(c(404, Some("RevisionNotFound"), "", true), RevisionNotFound);
    assert_eq!(c(404, Some("EntryNotFound"), "", true), EntryNotFound);
    assert_eq!(c(401, Some("GatedRepo"), "Access to model X is restricted. Please log in.", true), GatedRepo);
    assert_eq!(c(403, Some("GatedRepo"), "not in the authorized list", true), GatedRepo);
    assert_eq!(c(403, None, "Access to this resource is disabled.", true), DisabledRepo);
    assert_eq!(c(403, None, "", true), Forbidden);
    assert_eq!(c(400, None, "Invalid reference for a branch", true), BadRequest);
    assert_eq!(c(409, None, "You already created this model repo", false), Conflict);
    assert_eq!(c(412, None, "The branch was updated since you opened this page.", true), PreconditionFailed);
    assert_eq!(c(413, None, "too many parameters", true), PayloadTooLarge);
    assert_eq!(c(429, None, "", true), RateLimited);
    for s in [500, 502, 503, 504] {
        assert_eq!(c(s, None, "", true), ServerError);
    }
    assert_eq!(c(404, None, "", false), NotFound);
    assert_eq!(c(418, None, "", false), Other);
    assert_eq!(c(404, Some("SomethingNew"), "", false), NotFound);
}

// §5.1's body shapes.
#[test]
fn error_bodies_and_display() {
    let m = |b: &str| error_message_from_body(b.as_bytes());
    assert_eq!(m(r#"{"error": "Repository not found"}"#).as_deref(), Some("Repository not found"));
    assert_eq!(m(r#"{"error": ["m1", "m2"]}"#).as_deref(), Some("m1\nm2"));
    assert_eq!(m(r#"{"error": "invalid_grant", "error_description": "expired"}"#).as_deref(), Some("expired"));
    assert_eq!(m(r#"{"errors": [{"message": "bad yaml"}]}"#).as_deref(), Some("bad yaml"));
    assert_eq!(m(r#"{"message": "js shape"}"#).as_deref(), Some("js shape"));
    assert_eq!(m("plain text\n").as_deref(), Some("plain text"));
    assert_eq!(m("<html><body>502</body></html>"), None);
    assert_eq!(m(r#"{"other": 1}"#), None);
    assert_eq!(m(""), None);
    assert_eq!(m(&"x".repeat(5000)).unwrap().len(), 1000);
    let e = ApiError::from_answer(404, Some("EntryNotFound"), None, Some("Root=1-abc"), br#"{"error":"gone"}"#, true);
    assert_eq!(e.kind, ApiErrorKind::EntryNotFound);
    assert_eq!(e.to_string(), "entry not found (404): gone [request id Root=1-abc]");
    let e = ApiError::from_answer(403, None, Some("Access to this resource is disabled."), None, b"", true);
    assert_eq!(e.kind, ApiErrorKind::DisabledRepo);
    assert_eq!(e.to_string(), "repository disabled (403): Access to this resource is disabled.");
}
