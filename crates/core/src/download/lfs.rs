//! Where an LFS object's bytes are: the Git LFS batch API's `download` action (git-lfs
//! docs/api/batch.md), a presigned storage URL a client reads from JSON in every runtime, where a
//! browser could not read the `Location` of resolve's 302.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;

/// The body of `POST {repo}.git/info/lfs/objects/batch` asking to download one object.
pub fn download_batch_request(sha256: &str, size: u64) -> String {
    format!(
        r#"{{"operation":"download","transfers":["basic"],"objects":[{{"oid":"{sha256}","size":{size}}}],"hash_algo":"sha256"}}"#
    )
}

/// The request that fetches the object: `GET href` with `headers` (the batch answer's `header`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LfsDownload {
    pub href: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LfsBatchError {
    Json {
        line: usize,
        column: usize,
    },
    /// The answer does not list the object asked for.
    Missing,
    /// The server's per-object error (`404`: the object is not stored).
    Object {
        code: u16,
        message: String,
    },
    /// The object is listed without a download action.
    NoAction,
}

impl fmt::Display for LfsBatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LfsBatchError::Json { line, column } => {
                write!(f, "the LFS batch answer is not the expected JSON (line {line}, column {column})")
            }
            LfsBatchError::Missing => f.write_str("the LFS batch answer does not list the object"),
            LfsBatchError::Object { code, message } => write!(f, "the LFS object is unavailable ({code}): {message}"),
            LfsBatchError::NoAction => f.write_str("the LFS batch answer gives no download action"),
        }
    }
}

impl core::error::Error for LfsBatchError {}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    objects: Vec<Object>,
}

#[derive(Deserialize)]
struct Object {
    oid: String,
    #[serde(default)]
    actions: Option<Actions>,
    #[serde(default)]
    error: Option<ObjectError>,
}

#[derive(Deserialize)]
struct Actions {
    download: Option<Action>,
}

#[derive(Deserialize)]
struct Action {
    href: String,
    #[serde(default)]
    header: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct ObjectError {
    code: u16,
    #[serde(default)]
    message: String,
}

/// Reads the batch answer for object `sha256`.
pub fn parse_download_batch(json: &[u8], sha256: &str) -> Result<LfsDownload, LfsBatchError> {
    let answer: Answer =
        serde_json::from_slice(json).map_err(|e| LfsBatchError::Json { line: e.line(), column: e.column() })?;
    let object =
        answer.objects.into_iter().find(|o| o.oid.eq_ignore_ascii_case(sha256)).ok_or(LfsBatchError::Missing)?;
    if let Some(e) = object.error {
        return Err(LfsBatchError::Object { code: e.code, message: e.message });
    }
    let action = object.actions.and_then(|a| a.download).ok_or(LfsBatchError::NoAction)?;
    Ok(LfsDownload { href: action.href, headers: action.header.into_iter().collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

    #[test]
    fn request_body_is_the_git_lfs_shape() {
        let body = download_batch_request(SHA, 7);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["operation"], "download");
        assert_eq!(v["objects"][0]["oid"], SHA);
        assert_eq!(v["objects"][0]["size"], 7);
    }

    #[test]
    fn answers_of_the_git_lfs_batch_api() {
        // The example answer of git-lfs docs/api/batch.md, download operation.
        let ok = format!(
            r#"{{"transfer":"basic","objects":[{{"oid":"{SHA}","size":123,"authenticated":true,"actions":{{"download":{{"href":"https://some-download.com","header":{{"Key":"value"}},"expires_at":"2016-11-10T15:29:07Z"}}}}}}],"hash_algo":"sha256"}}"#
        );
        let d = parse_download_batch(ok.as_bytes(), &SHA.to_ascii_uppercase()).unwrap();
        assert_eq!(d.href, "https://some-download.com");
        assert_eq!(d.headers, [("Key".into(), "value".into())]);
        let missing = format!(
            r#"{{"objects":[{{"oid":"{SHA}","size":1,"error":{{"code":404,"message":"Object does not exist"}}}}]}}"#
        );
        assert_eq!(
            parse_download_batch(missing.as_bytes(), SHA),
            Err(LfsBatchError::Object { code: 404, message: "Object does not exist".into() })
        );
        let bare = format!(r#"{{"objects":[{{"oid":"{SHA}","size":1}}]}}"#);
        assert_eq!(parse_download_batch(bare.as_bytes(), SHA), Err(LfsBatchError::NoAction));
        assert_eq!(parse_download_batch(br#"{"objects":[]}"#, SHA), Err(LfsBatchError::Missing));
        assert!(matches!(parse_download_batch(b"[", SHA), Err(LfsBatchError::Json { .. })));
    }
}
