use super::*;
use alloc::format;
use alloc::vec;

const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

fn parse(body: &str) -> Result<CommitBody, CommitBodyError> {
    parse_commit_body(body.as_bytes(), &CommitLimits::default())
}

fn header(summary: &str) -> CommitHeader {
    CommitHeader { summary: summary.into(), description: String::new(), parent_commit: None }
}

// The lines of hub-api.md §8 as Python writes them (trailing newline, deletedFolder with "/").
#[test]
fn python_body_from_the_spec() {
    let body = format!(
        "{{\"key\": \"header\", \"value\": {{\"summary\": \"Upload\", \"description\": \"\", \"parentCommit\": \"{}\"}}}}\n\
         {{\"key\": \"file\", \"value\": {{\"content\": \"aGVsbG8=\", \"path\": \"a.txt\", \"encoding\": \"base64\"}}}}\n\
         {{\"key\": \"lfsFile\", \"value\": {{\"path\": \"big.bin\", \"algo\": \"sha256\", \"oid\": \"{OID}\", \"size\": 12345}}}}\n\
         {{\"key\": \"lfsFile\", \"value\": {{\"path\": \"copy.bin\", \"algo\": \"sha256\", \"oid\": \"{OID}\"}}}}\n\
         {{\"key\": \"deletedFile\", \"value\": {{\"path\": \"old.txt\"}}}}\n\
         {{\"key\": \"deletedFolder\", \"value\": {{\"path\": \"folder/\"}}}}\n",
        "a".repeat(40)
    );
    let parsed = parse(&body).unwrap();
    assert_eq!(
        parsed.header,
        CommitHeader { summary: "Upload".into(), description: String::new(), parent_commit: Some("a".repeat(40)) }
    );
    assert_eq!(
        parsed.operations,
        [
            CommitOperation::File { path: "a.txt".into(), content: b"hello".to_vec() },
            CommitOperation::LfsFile { path: "big.bin".into(), sha256: OID.into(), size: Some(12345) },
            CommitOperation::LfsFile { path: "copy.bin".into(), sha256: OID.into(), size: None },
            CommitOperation::DeletedFile { path: "old.txt".into() },
            CommitOperation::DeletedFolder { path: "folder".into() },
        ]
    );
}

// JS sends no trailing newline, may omit description, and may send utf-8 content.
#[test]
fn js_body_and_leniencies_localhub_had() {
    let body = format!(
        "{{\"key\":\"header\",\"value\":{{\"summary\":\"s\"}}}}\r\n\n   \n\
         {{\"key\":\"file\",\"value\":{{\"path\":\"/lead.txt\",\"content\":\"h\u{e9}\",\"encoding\":\"utf-8\"}}}}\n\
         {{\"key\":\"file\",\"value\":{{\"path\":\"empty.txt\"}}}}\n\
         {{\"key\":\"lfsFile\",\"value\":{{\"path\":\"x.bin\",\"oid\":\"{}\",\"size\":null}}}}",
        OID.to_ascii_uppercase()
    );
    let parsed = parse(&body).unwrap();
    assert_eq!(parsed.header, header("s"));
    assert_eq!(
        parsed.operations,
        [
            CommitOperation::File { path: "lead.txt".into(), content: "h\u{e9}".as_bytes().to_vec() },
            CommitOperation::File { path: "empty.txt".into(), content: Vec::new() },
            CommitOperation::LfsFile { path: "x.bin".into(), sha256: OID.into(), size: None },
        ]
    );
    assert_eq!(parse("{\"key\":\"header\",\"value\":{\"summary\":\"only\"}}").unwrap().operations, []);
}

#[test]
fn written_bodies_parse_back() {
    let header = CommitHeader {
        summary: "Add \"files\"\nand more".into(),
        description: "multi\nline".into(),
        parent_commit: Some("b".repeat(40)),
    };
    let operations = vec![
        CommitOperation::File { path: "dir/a b.bin".into(), content: (0..=255).collect() },
        CommitOperation::File { path: "empty".into(), content: Vec::new() },
        CommitOperation::LfsFile { path: "m.safetensors".into(), sha256: OID.into(), size: Some(1 << 40) },
        CommitOperation::LfsFile { path: "copy".into(), sha256: OID.into(), size: None },
        CommitOperation::DeletedFile { path: "gone".into() },
        CommitOperation::DeletedFolder { path: "old/dir".into() },
    ];
    let body = write_commit_body(&header, &operations);
    assert_eq!(body.iter().filter(|&&b| b == b'\n').count(), 7, "one line each, newline-terminated");
    let parsed = parse_commit_body(&body, &CommitLimits::default()).unwrap();
    assert_eq!(parsed, CommitBody { header, operations });
    let mut line = Vec::new();
    CommitOperation::DeletedFolder { path: "f".into() }.write_line(&mut line);
    assert_eq!(line, b"{\"key\":\"deletedFolder\",\"value\":{\"path\":\"f/\"}}\n");
    let mut line = Vec::new();
    CommitOperation::File { path: "a.txt".into(), content: b"hello".to_vec() }.write_line(&mut line);
    assert_eq!(
        line,
        b"{\"key\":\"file\",\"value\":{\"path\":\"a.txt\",\"content\":\"aGVsbG8=\",\"encoding\":\"base64\"}}\n"
    );
}

#[test]
fn bad_bodies_are_typed_errors() {
    let h = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n";
    let line = |key: &str, value: &str| format!("{{\"key\":\"{key}\",\"value\":{value}}}\n");
    let cases: Vec<(String, CommitBodyError)> = vec![
        (String::new(), CommitBodyError::MissingHeader),
        (line("deletedFile", "{\"path\":\"a\"}") + h, CommitBodyError::HeaderNotFirst { line: 1 }),
        (format!("{h}{h}"), CommitBodyError::DuplicateHeader { line: 2 }),
        (line("header", "{\"summary\":\"  \"}"), CommitBodyError::EmptySummary { line: 1 }),
        (line("header", "{}"), CommitBodyError::EmptySummary { line: 1 }),
        (line("header", "{\"summary\":1}"), CommitBodyError::MissingField { line: 1, field: "summary" }),
        (format!("{h}{}", line("rename", "{}")), CommitBodyError::UnknownKey { line: 2, key: "rename".into() }),
        (
            format!("{h}{}", line("file", "{\"content\":\"\"}")),
            CommitBodyError::MissingField { line: 2, field: "path" },
        ),
        (
            format!("{h}{}", line("file", "{\"path\":\"a\",\"content\":\"***\"}")),
            CommitBodyError::InvalidBase64 { line: 2 },
        ),
        (
            format!("{h}{}", line("file", "{\"path\":\"a\",\"content\":\"\",\"encoding\":\"hex\"}")),
            CommitBodyError::UnknownEncoding { line: 2, encoding: "hex".into() },
        ),
        (
            format!("{h}{}", line("lfsFile", "{\"path\":\"a\",\"oid\":\"abc\"}")),
            CommitBodyError::InvalidOid { line: 2 },
        ),
        (
            format!("{h}{}", line("lfsFile", &format!("{{\"path\":\"a\",\"oid\":\"{OID}\",\"algo\":\"md5\"}}"))),
            CommitBodyError::UnsupportedAlgorithm { line: 2, algo: "md5".into() },
        ),
        (
            format!("{h}{}", line("lfsFile", &format!("{{\"path\":\"a\",\"oid\":\"{OID}\",\"size\":-1}}"))),
            CommitBodyError::MissingField { line: 2, field: "size" },
        ),
        (
            format!("{h}{}", line("deletedFile", "{\"path\":\"a/../b\"}")),
            CommitBodyError::InvalidPath { line: 2, path: "a/../b".into(), error: PathError::DotSegment { offset: 2 } },
        ),
        (
            format!("{h}{}", line("deletedFolder", "{\"path\":\".git/\"}")),
            CommitBodyError::InvalidPath {
                line: 2,
                path: ".git/".into(),
                error: PathError::GitDirectory { offset: 0 },
            },
        ),
        (
            format!("{h}{}", line("deletedFolder", "{\"path\":\"/\"}")),
            CommitBodyError::InvalidPath { line: 2, path: "/".into(), error: PathError::Empty },
        ),
    ];
    for (body, error) in cases {
        assert_eq!(parse(&body), Err(error), "{body}");
    }
    assert!(matches!(parse("not json\n"), Err(CommitBodyError::InvalidJson { line: 1, .. })));
    assert!(matches!(parse("{\"value\":{}}\n"), Err(CommitBodyError::InvalidJson { line: 1, .. })));
    assert!(matches!(parse("[1]\n"), Err(CommitBodyError::InvalidJson { line: 1, .. })));
}

#[test]
fn limits_are_enforced() {
    let h = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n";
    let small = CommitLimits { max_body_bytes: 200, max_line_bytes: 100, max_operations: 2, max_file_bytes: 4 };
    let del = "{\"key\":\"deletedFile\",\"value\":{\"path\":\"a\"}}\n";
    assert_eq!(parse_commit_body(format!("{h}{del}{del}").as_bytes(), &small).map(|b| b.operations.len()), Ok(2));
    assert_eq!(
        parse_commit_body(format!("{h}{del}{del}{del}").as_bytes(), &small),
        Err(CommitBodyError::TooManyOperations { limit: 2 })
    );
    assert_eq!(parse_commit_body(&[b' '; 201], &small), Err(CommitBodyError::BodyTooLarge { limit: 200 }));
    let long = format!("{h}{{\"key\":\"deletedFile\",\"value\":{{\"path\":\"{}\"}}}}\n", "a".repeat(80));
    assert_eq!(parse_commit_body(long.as_bytes(), &small), Err(CommitBodyError::LineTooLong { line: 2, limit: 100 }));
    let file = "{\"key\":\"file\",\"value\":{\"path\":\"f\",\"content\":\"aGVsbG8=\"}}\n";
    assert_eq!(
        parse_commit_body(format!("{h}{file}").as_bytes(), &small),
        Err(CommitBodyError::FileTooLarge { line: 2, path: "f".into(), size: 5, limit: 4 })
    );
    // Quoted text in errors stays short.
    let key = "k".repeat(10_000);
    let err = parse(&format!("{h}{{\"key\":\"{key}\"}}\n")).unwrap_err();
    assert_eq!(err, CommitBodyError::UnknownKey { line: 2, key: "k".repeat(64) });
    assert!(format!("{err}").len() < 100);
}
