//! One streamed body: a regular file from resolve, or an LFS object from storage.
//!
//! [`BodyCheck`] follows the bytes of a [`FileSpan`] across requests: it names the `Range` of each
//! request (resuming after the last byte delivered when a connection drops), reads the answer's
//! status and `Content-Range` (a 200 to a ranged request is the whole file: the bytes before the
//! resume point are skipped, as Python does), refuses a body longer or shorter than announced, and
//! for a whole file checks its digest before the download counts as complete: the sha256 of an LFS
//! object, the git blob id of a regular file (sha1 of `blob {len}\0` + content, what git and the
//! Hub's `ETag` name it by).

use alloc::format;
use alloc::string::String;
use core::fmt;

use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::span::FileSpan;
use crate::hex;
use crate::http::range::{parse_content_range, ContentRange};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// An answer's status is neither 200 nor 206.
    Status(u16),
    /// A 206 whose `Content-Range` is absent, unreadable, or not the bytes asked for.
    WrongContentRange,
    /// More bytes than the span holds.
    TooLong,
    /// The body ended before the span's last byte.
    Truncated { expected: u64, actual: u64 },
    /// The content does not hash to the LFS oid.
    Sha256Mismatch { expected: String, actual: String },
    /// The expected sha256 is not 64 hex digits.
    BadSha256,
    /// The content does not hash to the git blob id.
    GitBlobMismatch { expected: String, actual: String },
    /// The expected git blob id is not 40 hex digits.
    BadGitBlobId,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Status(s) => write!(f, "the download answered HTTP {s}"),
            BodyError::WrongContentRange => f.write_str("the answer's Content-Range is not the range asked for"),
            BodyError::TooLong => f.write_str("the answer holds more bytes than were asked for"),
            BodyError::Truncated { expected, actual } => {
                write!(f, "the download ended after {actual} of {expected} bytes")
            }
            BodyError::Sha256Mismatch { expected, actual } => {
                write!(f, "the file hashes to sha256 {actual}, not {expected}")
            }
            BodyError::BadSha256 => f.write_str("the expected sha256 is not 64 hex digits"),
            BodyError::GitBlobMismatch { expected, actual } => {
                write!(f, "the file hashes to git blob {actual}, not {expected}")
            }
            BodyError::BadGitBlobId => f.write_str("the expected git blob id is not 40 hex digits"),
        }
    }
}

impl core::error::Error for BodyError {}

impl BodyError {
    /// The bytes are not the file's (as opposed to a protocol or transfer failure).
    pub fn is_integrity(&self) -> bool {
        matches!(self, BodyError::Sha256Mismatch { .. } | BodyError::GitBlobMismatch { .. })
    }
}

/// What a whole file must hash to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentDigest<'a> {
    /// An LFS object's oid (64 hex).
    Sha256(&'a str),
    /// A regular file's git blob id (40 hex), the `ETag` resolve gives it.
    GitBlob(&'a str),
}

enum Hasher {
    Sha256(Sha256, [u8; 32]),
    GitBlob(Sha1, [u8; 20]),
}

/// See the module docs.
pub struct BodyCheck {
    span: FileSpan,
    /// Bytes of the span delivered so far: the resume point.
    delivered: u64,
    /// Bytes of the current answer to drop before the resume point.
    skip: u64,
    /// The current answer is a 200 with the whole file, which may run past the span's end.
    answer_is_whole_file: bool,
    digest: Option<Hasher>,
}

impl BodyCheck {
    /// `digest` is checked only when the span is the whole file (a range has nothing to check
    /// against).
    pub fn new(span: FileSpan, digest: Option<ContentDigest<'_>>) -> Result<Self, BodyError> {
        let digest = match digest.filter(|_| span.is_whole_file()) {
            Some(ContentDigest::Sha256(h)) => {
                let mut expected = [0u8; 32];
                if h.len() != 64 || hex::decode_into(h, &mut expected).is_err() {
                    return Err(BodyError::BadSha256);
                }
                Some(Hasher::Sha256(Sha256::new(), expected))
            }
            Some(ContentDigest::GitBlob(h)) => {
                let mut expected = [0u8; 20];
                if h.len() != 40 || hex::decode_into(h, &mut expected).is_err() {
                    return Err(BodyError::BadGitBlobId);
                }
                let mut hasher = Sha1::new();
                hasher.update(format!("blob {}\0", span.file_size).as_bytes());
                Some(Hasher::GitBlob(hasher, expected))
            }
            None => None,
        };
        Ok(Self { span, delivered: 0, skip: 0, answer_is_whole_file: false, digest })
    }

    /// Bytes delivered so far (all of them checked against the announced range).
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    pub fn is_complete(&self) -> bool {
        self.delivered == self.span.len
    }

    /// The `Range` header of the next request (`None`: ask for the whole file).
    pub fn range_header(&self) -> Option<String> {
        self.span.range_header_from(self.span.start + self.delivered)
    }

    /// Reads a new answer's status and `Content-Range`, before its body.
    pub fn start_answer(&mut self, status: u16, content_range: Option<&str>) -> Result<(), BodyError> {
        let offset = self.span.start + self.delivered;
        match status {
            200 => {
                // The whole resource: drop what precedes the resume point.
                self.skip = offset;
                self.answer_is_whole_file = true;
                Ok(())
            }
            206 => {
                let cr = content_range.ok_or(BodyError::WrongContentRange)?;
                match parse_content_range(cr) {
                    Ok(ContentRange::Bytes { span, size })
                        if span.start == offset
                            && span.end < self.span.end_exclusive()
                            && size.is_none_or(|s| s == self.span.file_size) =>
                    {
                        self.skip = 0;
                        self.answer_is_whole_file = false;
                        Ok(())
                    }
                    _ => Err(BodyError::WrongContentRange),
                }
            }
            s => Err(BodyError::Status(s)),
        }
    }

    /// Checks a piece of the current answer's body and returns the part to deliver.
    pub fn accept<'a>(&mut self, mut piece: &'a [u8]) -> Result<&'a [u8], BodyError> {
        let skip = self.skip.min(piece.len() as u64) as usize;
        self.skip -= skip as u64;
        piece = &piece[skip..];
        let left = self.span.len - self.delivered;
        if piece.len() as u64 > left {
            // A 200 to a ranged request carries the rest of the file: cut it at the span's end.
            if self.answer_is_whole_file && self.span.end_exclusive() < self.span.file_size {
                piece = &piece[..left as usize];
            } else {
                return Err(BodyError::TooLong);
            }
        }
        match &mut self.digest {
            Some(Hasher::Sha256(hasher, _)) => hasher.update(piece),
            Some(Hasher::GitBlob(hasher, _)) => hasher.update(piece),
            None => {}
        }
        self.delivered += piece.len() as u64;
        Ok(piece)
    }

    /// The last answer ended: everything must have arrived, and a whole LFS file must hash right.
    pub fn finish(self) -> Result<(), BodyError> {
        if !self.is_complete() {
            return Err(BodyError::Truncated { expected: self.span.len, actual: self.delivered });
        }
        match self.digest {
            Some(Hasher::Sha256(hasher, expected)) => {
                let actual: [u8; 32] = hasher.finalize().into();
                if actual != expected {
                    return Err(BodyError::Sha256Mismatch {
                        expected: hex::encode(&expected),
                        actual: hex::encode(&actual),
                    });
                }
            }
            Some(Hasher::GitBlob(hasher, expected)) => {
                let actual: [u8; 20] = hasher.finalize().into();
                if actual != expected {
                    return Err(BodyError::GitBlobMismatch {
                        expected: hex::encode(&expected),
                        actual: hex::encode(&actual),
                    });
                }
            }
            None => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::test_data::splitmix64_bytes;
    use alloc::vec::Vec;

    fn sha_hex(data: &[u8]) -> String {
        hex::encode(&Sha256::digest(data))
    }

    #[test]
    fn whole_file_in_one_answer_is_hashed() {
        let data = splitmix64_bytes(1, 10_000);
        let span = FileSpan::new(None, data.len() as u64).unwrap();
        let mut c = BodyCheck::new(span, Some(ContentDigest::Sha256(&sha_hex(&data)))).unwrap();
        assert_eq!(c.range_header(), None);
        c.start_answer(200, None).unwrap();
        let mut out = Vec::new();
        for piece in data.chunks(999) {
            out.extend_from_slice(c.accept(piece).unwrap());
        }
        c.finish().unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn a_changed_byte_fails_the_lfs_sha256() {
        let data = splitmix64_bytes(2, 4096);
        let mut bad = data.clone();
        bad[100] ^= 1;
        let mut c =
            BodyCheck::new(FileSpan::new(None, 4096).unwrap(), Some(ContentDigest::Sha256(&sha_hex(&data)))).unwrap();
        c.start_answer(200, None).unwrap();
        c.accept(&bad).unwrap();
        let err = c.finish().unwrap_err();
        assert!(err.is_integrity(), "{err}");
        assert!(BodyCheck::new(FileSpan::new(None, 1).unwrap(), Some(ContentDigest::Sha256("abc"))).is_err());
    }

    /// Git blob ids from git itself (`git hash-object`), not from this code: the empty blob and
    /// `hello world\n` are the two ids every git user can reproduce.
    const EMPTY_BLOB: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    const HELLO_WORLD_BLOB: &str = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";

    #[test]
    fn a_regular_file_is_checked_against_its_git_blob_id() {
        let hello = b"hello world\n";
        let span = FileSpan::new(None, hello.len() as u64).unwrap();
        let mut c = BodyCheck::new(span, Some(ContentDigest::GitBlob(HELLO_WORLD_BLOB))).unwrap();
        c.start_answer(200, None).unwrap();
        for piece in hello.chunks(5) {
            c.accept(piece).unwrap();
        }
        c.finish().unwrap();

        let empty = BodyCheck::new(FileSpan::new(None, 0).unwrap(), Some(ContentDigest::GitBlob(EMPTY_BLOB))).unwrap();
        empty.finish().unwrap();

        let mut c = BodyCheck::new(span, Some(ContentDigest::GitBlob(HELLO_WORLD_BLOB))).unwrap();
        c.start_answer(200, None).unwrap();
        c.accept(b"hello World\n").unwrap();
        let err = c.finish().unwrap_err();
        assert!(err.is_integrity(), "{err}");
        assert!(matches!(err, BodyError::GitBlobMismatch { .. }));
        let bad = BodyCheck::new(span, Some(ContentDigest::GitBlob("xyz")));
        assert!(matches!(bad, Err(BodyError::BadGitBlobId)));
    }

    #[test]
    fn a_range_has_no_digest_to_check() {
        // Bytes 0..5 of "hello world\n" under the whole file's id: nothing to check, no error.
        let span = FileSpan::new(Some([0, 4]), 12).unwrap();
        let mut c = BodyCheck::new(span, Some(ContentDigest::GitBlob(HELLO_WORLD_BLOB))).unwrap();
        c.start_answer(206, Some("bytes 0-4/12")).unwrap();
        c.accept(b"hello").unwrap();
        c.finish().unwrap();
    }

    #[test]
    fn a_dropped_connection_resumes_after_the_last_byte_delivered() {
        let data = splitmix64_bytes(3, 5000);
        let span = FileSpan::new(Some([1000, 3999]), 5000).unwrap();
        let mut c = BodyCheck::new(span, None).unwrap();
        assert_eq!(c.range_header().as_deref(), Some("bytes=1000-3999"));
        c.start_answer(206, Some("bytes 1000-3999/5000")).unwrap();
        let mut out = c.accept(&data[1000..1700]).unwrap().to_vec();
        // The connection drops; the next request starts at byte 1700.
        assert_eq!(c.range_header().as_deref(), Some("bytes=1700-3999"));
        assert_eq!(c.start_answer(206, Some("bytes 1000-3999/5000")), Err(BodyError::WrongContentRange));
        c.start_answer(206, Some("bytes 1700-3999/5000")).unwrap();
        out.extend_from_slice(c.accept(&data[1700..2500]).unwrap());
        // It drops again and this time the server ignores Range: 200 with the whole file.
        c.start_answer(200, None).unwrap();
        for piece in data.chunks(333) {
            out.extend_from_slice(c.accept(piece).unwrap());
        }
        c.finish().unwrap();
        assert_eq!(out, &data[1000..4000]);
    }

    #[test]
    fn short_long_and_failed_answers_are_typed_errors() {
        let span = FileSpan::new(None, 10).unwrap();
        let mut c = BodyCheck::new(span, None).unwrap();
        assert_eq!(c.start_answer(500, None), Err(BodyError::Status(500)));
        assert_eq!(c.start_answer(206, None), Err(BodyError::WrongContentRange));
        assert_eq!(c.start_answer(206, Some("bytes 0-9/11")), Err(BodyError::WrongContentRange));
        c.start_answer(200, None).unwrap();
        c.accept(&[0; 6]).unwrap();
        assert_eq!(c.accept(&[0; 5]), Err(BodyError::TooLong));
        let mut c = BodyCheck::new(span, None).unwrap();
        c.start_answer(200, None).unwrap();
        c.accept(&[0; 6]).unwrap();
        assert_eq!(c.finish(), Err(BodyError::Truncated { expected: 10, actual: 6 }));
    }
}
