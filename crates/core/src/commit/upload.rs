//! The payloads around a commit's uploads (spec: hub-api.md §7 and §9): the preupload request
//! that asks the Hub which files go inline and which through LFS, and the Git LFS batch request
//! and answer (basic PUT, HF multipart, verify). Writers and parsers only; the caller sends.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::api::{PreuploadAnswer, PreuploadFile as PreuploadVerdict};

/// Bytes of a file's start sent as its preupload `sample`.
pub const PREUPLOAD_SAMPLE_BYTES: usize = 512;
/// Files per preupload request (what `@huggingface/hub` sends; Python sends 256).
pub const PREUPLOAD_BATCH: usize = 100;
/// Objects per LFS batch request (as `@huggingface/hub`).
pub const LFS_BATCH: usize = 100;

/// One file as preupload is told about it.
pub struct PreuploadFile<'a> {
    pub path: &'a str,
    pub size: u64,
    /// The file's first bytes (at most [`PREUPLOAD_SAMPLE_BYTES`] are sent).
    pub sample: &'a [u8],
}

/// The JSON body of `POST /api/{type}s/{id}/preupload/{rev}`. `git_attributes` and `git_ignore`
/// are the contents of a `.gitattributes` and a `.gitignore` committed in the same commit, so
/// their patterns decide too (LFS routing, `shouldIgnore`).
pub fn preupload_body(files: &[PreuploadFile<'_>], git_attributes: Option<&str>, git_ignore: Option<&str>) -> String {
    #[derive(Serialize)]
    struct File<'a> {
        path: &'a str,
        size: u64,
        sample: String,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        files: Vec<File<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        git_attributes: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        git_ignore: Option<&'a str>,
    }
    let files = files
        .iter()
        .map(|f| File {
            path: f.path,
            size: f.size,
            sample: base64::engine::general_purpose::STANDARD
                .encode(&f.sample[..f.sample.len().min(PREUPLOAD_SAMPLE_BYTES)]),
        })
        .collect();
    // Plain strings and numbers: serializing cannot fail.
    serde_json::to_string(&Body { files, git_attributes, git_ignore }).unwrap_or_default()
}

/// Why a preupload or LFS batch answer was not usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadAnswerError {
    /// Not JSON of the expected shape (the parser's message).
    Malformed(String),
    /// A file or object that was asked about has no answer.
    Missing { what: String },
    /// The Hub refused one LFS object (its per-object error).
    Object { oid: String, code: i64, message: String },
    /// A multipart answer whose part URLs do not cover the object.
    BadMultipart { oid: String, reason: String },
}

impl fmt::Display for UploadAnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadAnswerError::Malformed(message) => write!(f, "the answer is not the JSON expected: {message}"),
            UploadAnswerError::Missing { what } => write!(f, "the answer says nothing about {what}"),
            UploadAnswerError::Object { oid, code, message } => {
                write!(f, "LFS object {oid} refused ({code}): {message}")
            }
            UploadAnswerError::BadMultipart { oid, reason } => write!(f, "multipart upload of {oid}: {reason}"),
        }
    }
}

impl core::error::Error for UploadAnswerError {}

/// Reads preupload's answer; the verdicts come back in the order of `paths`, each of which must
/// have been answered. An `uploadMode` other than `regular` and `lfs` is refused, as Python does.
pub fn parse_preupload_answer(body: &[u8], paths: &[&str]) -> Result<Vec<PreuploadVerdict>, UploadAnswerError> {
    let answer: PreuploadAnswer =
        serde_json::from_slice(body).map_err(|e| UploadAnswerError::Malformed(e.to_string()))?;
    let mut by_path: BTreeMap<String, PreuploadVerdict> =
        answer.files.into_iter().map(|f| (f.path.clone(), f)).collect();
    paths
        .iter()
        .map(|p| by_path.remove(*p).ok_or_else(|| UploadAnswerError::Missing { what: format!("file {p:?}") }))
        .collect()
}

/// One object of an LFS batch request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LfsObject {
    /// SHA-256, 64 lowercase hex digits.
    pub oid: String,
    pub size: u64,
}

/// The body of `POST /{prefix}{id}.git/info/lfs/objects/batch` for an upload. `transfers` are the
/// adapters offered (`basic`, `multipart`, and `xet` when the client can speak it); `branch` is
/// the ref the objects are for, omitted for pull requests (as the official clients do).
pub fn lfs_batch_body(objects: &[LfsObject], transfers: &[&str], branch: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Object<'a> {
        oid: &'a str,
        size: u64,
    }
    #[derive(Serialize)]
    struct Ref<'a> {
        name: &'a str,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        operation: &'static str,
        transfers: &'a [&'a str],
        hash_algo: &'static str,
        objects: Vec<Object<'a>>,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<Ref<'a>>,
    }
    let body = Body {
        operation: "upload",
        transfers,
        hash_algo: "sha256",
        objects: objects.iter().map(|o| Object { oid: &o.oid, size: o.size }).collect(),
        reference: branch.map(|name| Ref { name }),
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// What to do for one object of a batch answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LfsAction {
    /// The Hub has the content already: nothing to send.
    Present,
    /// One `PUT` of the whole content to `href` (with the answer's headers).
    Basic { href: String, headers: Vec<(String, String)>, verify: Option<String> },
    /// HF multipart: part *i* (1-based) is bytes `[(i-1)*chunk_size, i*chunk_size)`, `PUT` to
    /// `parts[i-1]`; then `POST` [`multipart_complete_body`] to `complete_href`.
    Multipart { complete_href: String, chunk_size: u64, parts: Vec<String>, verify: Option<String> },
    /// The Hub chose the Xet transfer: the content goes to the CAS (the `upload.header` carries
    /// the CAS URL and token).
    Xet { headers: Vec<(String, String)> },
}

/// A batch answer: the adapter the Hub chose and an action per object, in the order asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LfsBatchAnswer {
    pub transfer: String,
    pub actions: Vec<LfsAction>,
}

/// Reads an LFS batch answer to `objects` (each must be answered; a per-object error refuses it).
pub fn parse_lfs_batch_answer(body: &[u8], objects: &[LfsObject]) -> Result<LfsBatchAnswer, UploadAnswerError> {
    #[derive(Deserialize)]
    struct Link {
        href: String,
        #[serde(default)]
        header: BTreeMap<String, String>,
    }
    #[derive(Deserialize)]
    struct Actions {
        upload: Option<Link>,
        verify: Option<Link>,
    }
    #[derive(Deserialize)]
    struct ObjectError {
        code: i64,
        #[serde(default)]
        message: String,
    }
    #[derive(Deserialize)]
    struct Object {
        oid: String,
        size: u64,
        actions: Option<Actions>,
        error: Option<ObjectError>,
    }
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        transfer: Option<String>,
        objects: Vec<Object>,
    }
    let answer: Answer = serde_json::from_slice(body).map_err(|e| UploadAnswerError::Malformed(e.to_string()))?;
    let transfer = answer.transfer.unwrap_or_else(|| "basic".into());
    let mut by_oid: BTreeMap<(String, u64), Object> = BTreeMap::new();
    for o in answer.objects {
        by_oid.insert((o.oid.to_ascii_lowercase(), o.size), o);
    }
    let mut actions = Vec::with_capacity(objects.len());
    for asked in objects {
        let object = by_oid
            .remove(&(asked.oid.clone(), asked.size))
            .ok_or_else(|| UploadAnswerError::Missing { what: format!("LFS object {}", asked.oid) })?;
        if let Some(e) = object.error {
            return Err(UploadAnswerError::Object { oid: asked.oid.clone(), code: e.code, message: e.message });
        }
        let Some(Actions { upload: Some(upload), verify }) = object.actions else {
            actions.push(LfsAction::Present);
            continue;
        };
        let verify = verify.map(|v| v.href);
        if transfer == "xet" {
            actions.push(LfsAction::Xet { headers: upload.header.into_iter().collect() });
        } else if let Some(chunk_size) = upload.header.get("chunk_size") {
            actions.push(multipart(asked, upload.href, chunk_size, &upload.header, verify)?);
        } else {
            actions.push(LfsAction::Basic { href: upload.href, headers: upload.header.into_iter().collect(), verify });
        }
    }
    Ok(LfsBatchAnswer { transfer, actions })
}

fn multipart(
    asked: &LfsObject,
    complete_href: String,
    chunk_size: &str,
    header: &BTreeMap<String, String>,
    verify: Option<String>,
) -> Result<LfsAction, UploadAnswerError> {
    let bad = |reason: String| UploadAnswerError::BadMultipart { oid: asked.oid.clone(), reason };
    let chunk_size: u64 =
        chunk_size.parse().ok().filter(|&c| c > 0).ok_or_else(|| bad(format!("chunk_size {chunk_size:?}")))?;
    // Part numbers are the all-digit keys (zero-padded); sorted by value, as Python does.
    let mut numbered: Vec<(u64, &String)> = header
        .iter()
        .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
        .map(|(k, v)| (k.parse().unwrap_or(u64::MAX), v))
        .collect();
    numbered.sort_by_key(|(n, _)| *n);
    let expected = asked.size.div_ceil(chunk_size);
    if numbered.len() as u64 != expected {
        return Err(bad(format!("{} part URLs for {expected} parts of {chunk_size} bytes", numbered.len())));
    }
    if numbered.iter().enumerate().any(|(i, (n, _))| *n != i as u64 + 1) {
        return Err(bad("the part numbers are not 1..N".into()));
    }
    let parts = numbered.into_iter().map(|(_, url)| url.clone()).collect();
    Ok(LfsAction::Multipart { complete_href, chunk_size, parts, verify })
}

/// The body that completes a multipart upload: the parts' `ETag`s, verbatim, in order.
pub fn multipart_complete_body(oid: &str, etags: &[String]) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Part<'a> {
        part_number: usize,
        etag: &'a str,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        oid: &'a str,
        parts: Vec<Part<'a>>,
    }
    let parts = etags.iter().enumerate().map(|(i, etag)| Part { part_number: i + 1, etag }).collect();
    serde_json::to_string(&Body { oid, parts }).unwrap_or_default()
}

/// The body of an LFS verify call: `{oid, size}`.
pub fn verify_body(object: &LfsObject) -> String {
    format!("{{\"oid\":\"{}\",\"size\":{}}}", object.oid, object.size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    #[test]
    fn preupload_body_carries_a_base64_sample_of_512_bytes_at_most() {
        let long = [7u8; 600];
        let body = preupload_body(
            &[
                PreuploadFile { path: "a.txt", size: 5, sample: b"hello" },
                PreuploadFile { path: "b.bin", size: 600, sample: &long },
            ],
            None,
            None,
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["files"][0]["sample"], "aGVsbG8=");
        assert_eq!(v["files"][0]["size"], 5);
        let sample = base64::engine::general_purpose::STANDARD.decode(v["files"][1]["sample"].as_str().unwrap());
        assert_eq!(sample.unwrap().len(), 512);
        assert!(v.get("gitAttributes").is_none());
        let with = preupload_body(&[], Some("*.bin filter=lfs"), Some("*.log"));
        assert!(with.contains("\"gitAttributes\":\"*.bin filter=lfs\""), "{with}");
        assert!(with.contains("\"gitIgnore\":\"*.log\""), "{with}");
    }

    // The recorded answer of hub-api.md §7.
    #[test]
    fn preupload_answer_from_the_spec() {
        let body = br#"{"files": [{"path": "app.py", "uploadMode": "regular", "shouldIgnore": false, "oid": "1a42034"},
            {"path": "w.bin", "uploadMode": "lfs", "shouldIgnore": false}], "commitOid": "abc"}"#;
        let verdicts = parse_preupload_answer(body, &["w.bin", "app.py"]).unwrap();
        assert_eq!(verdicts[0].upload_mode, crate::api::UploadMode::Lfs);
        assert_eq!(verdicts[0].oid, None);
        assert_eq!(verdicts[1].oid.as_deref(), Some("1a42034"));
        assert!(matches!(parse_preupload_answer(body, &["other"]), Err(UploadAnswerError::Missing { .. })));
        let odd = br#"{"files": [{"path": "a", "uploadMode": "xet"}]}"#;
        assert!(matches!(parse_preupload_answer(odd, &["a"]), Err(UploadAnswerError::Malformed(_))));
    }

    #[test]
    fn batch_body_names_the_branch_except_for_pull_requests() {
        let objects = [LfsObject { oid: OID.into(), size: 3 }];
        let v: serde_json::Value =
            serde_json::from_str(&lfs_batch_body(&objects, &["basic", "multipart"], Some("main"))).unwrap();
        assert_eq!(v["operation"], "upload");
        assert_eq!(v["ref"]["name"], "main");
        assert_eq!(v["objects"][0]["oid"], OID);
        assert_eq!(v["transfers"][1], "multipart");
        let pr: serde_json::Value = serde_json::from_str(&lfs_batch_body(&objects, &["basic"], None)).unwrap();
        assert!(pr.get("ref").is_none());
    }

    // hub-api.md §9.1–9.3: present objects have no actions; multipart is signalled by
    // `chunk_size`, its parts are the all-digit header keys and must cover the object.
    #[test]
    fn batch_answers_basic_multipart_present_and_errors() {
        let objects = [
            LfsObject { oid: "a".repeat(64), size: 10 },
            LfsObject { oid: "b".repeat(64), size: 25 },
            LfsObject { oid: "c".repeat(64), size: 4 },
        ];
        let body = format!(
            r#"{{"transfer":"multipart","objects":[
              {{"oid":"{a}","size":10,"actions":{{"upload":{{"href":"https://s/put"}},"verify":{{"href":"https://s/v"}}}}}},
              {{"oid":"{b}","size":25,"actions":{{"upload":{{"href":"https://s/done","header":{{"chunk_size":"10",
                 "00002":"https://s/2","00001":"https://s/1","00003":"https://s/3"}}}}}}}},
              {{"oid":"{c}","size":4}}]}}"#,
            a = "a".repeat(64),
            b = "b".repeat(64),
            c = "c".repeat(64)
        );
        let answer = parse_lfs_batch_answer(body.as_bytes(), &objects).unwrap();
        assert_eq!(
            answer.actions[0],
            LfsAction::Basic { href: "https://s/put".into(), headers: vec![], verify: Some("https://s/v".into()) }
        );
        assert_eq!(
            answer.actions[1],
            LfsAction::Multipart {
                complete_href: "https://s/done".into(),
                chunk_size: 10,
                parts: vec!["https://s/1".into(), "https://s/2".into(), "https://s/3".into()],
                verify: None
            }
        );
        assert_eq!(answer.actions[2], LfsAction::Present);
        let short = body.replace(",\"00003\":\"https://s/3\"", "");
        assert!(matches!(
            parse_lfs_batch_answer(short.as_bytes(), &objects),
            Err(UploadAnswerError::BadMultipart { .. })
        ));
        let refused = format!(
            r#"{{"objects":[{{"oid":"{}","size":10,"error":{{"code":422,"message":"no"}}}}]}}"#,
            "a".repeat(64)
        );
        assert!(matches!(
            parse_lfs_batch_answer(refused.as_bytes(), &objects[..1]),
            Err(UploadAnswerError::Object { code: 422, .. })
        ));
    }

    #[test]
    fn complete_body_lists_parts_from_one_with_etags_verbatim() {
        let body = multipart_complete_body(OID, &["\"e1\"".into(), "\"e2\"".into()]);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["oid"], OID);
        assert_eq!(v["parts"][0]["partNumber"], 1);
        assert_eq!(v["parts"][1]["etag"], "\"e2\"");
        let verify: serde_json::Value =
            serde_json::from_str(&verify_body(&LfsObject { oid: OID.into(), size: 9 })).unwrap();
        assert_eq!(verify["size"], 9);
    }
}
