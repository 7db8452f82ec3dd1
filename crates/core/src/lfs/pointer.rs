//! Git LFS pointer files (git-lfs docs/spec.md): the small text git stores in place of content.
//!
//! ```text
//! version https://git-lfs.github.com/spec/v1
//! oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
//! size 12345
//! ```
//!
//! Each line is `key value\n`; `version` comes first, the other keys follow in ascending order;
//! git-lfs only reads blobs under 1024 bytes as pointers. Extension lines (`ext-0-name
//! sha256:…`) are accepted and skipped; any other key is refused.

use alloc::format;
use alloc::string::String;
use core::fmt;

/// The version line's value for every pointer git-lfs writes.
pub const POINTER_VERSION: &str = "https://git-lfs.github.com/spec/v1";
/// The pre-release name of the same version, which git-lfs still reads.
const LEGACY_VERSION: &str = "https://hawser.github.com/spec/v1";
/// git-lfs does not read larger blobs as pointers.
pub const MAX_POINTER_LEN: usize = 1024;

/// What a pointer file names: the SHA-256 of the content and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LfsPointer {
    pub sha256: [u8; 32],
    pub size: u64,
}

/// Why a blob is not a valid pointer file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointerError {
    TooLong {
        len: usize,
    },
    NotUtf8,
    /// The text does not end with a newline.
    MissingFinalNewline,
    /// A line without `key value` form, or with an empty key or value (1-based line number).
    MalformedLine {
        line: usize,
    },
    /// The first line is not `version https://git-lfs.github.com/spec/v1`.
    UnknownVersion,
    /// Keys after `version` out of ascending order, or repeated.
    KeysOutOfOrder {
        line: usize,
    },
    UnknownKey {
        line: usize,
    },
    MissingOid,
    MissingSize,
    /// The oid is not `sha256:` and 64 lowercase hex digits.
    BadOid,
    /// The size is not a decimal number (no sign, no leading zeros) within `i64`.
    BadSize,
}

impl fmt::Display for PointerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PointerError::TooLong { len } => write!(f, "an LFS pointer is under 1024 bytes, this blob has {len}"),
            PointerError::NotUtf8 => f.write_str("an LFS pointer is text, this blob is not UTF-8"),
            PointerError::MissingFinalNewline => f.write_str("an LFS pointer ends with a newline"),
            PointerError::MalformedLine { line } => write!(f, "LFS pointer line {line} is not 'key value'"),
            PointerError::UnknownVersion => {
                write!(f, "the LFS pointer does not start with 'version {POINTER_VERSION}'")
            }
            PointerError::KeysOutOfOrder { line } => {
                write!(f, "LFS pointer line {line}: keys must be sorted and unique")
            }
            PointerError::UnknownKey { line } => write!(f, "LFS pointer line {line} has an unknown key"),
            PointerError::MissingOid => f.write_str("the LFS pointer has no oid line"),
            PointerError::MissingSize => f.write_str("the LFS pointer has no size line"),
            PointerError::BadOid => f.write_str("the LFS pointer's oid is not 'sha256:' and 64 lowercase hex digits"),
            PointerError::BadSize => f.write_str("the LFS pointer's size is not a non-negative decimal number"),
        }
    }
}

impl core::error::Error for PointerError {}

impl LfsPointer {
    /// The canonical pointer text, as git-lfs writes it (what the Hub commits for LFS files).
    pub fn to_text(&self) -> String {
        format!("version {POINTER_VERSION}\noid sha256:{}\nsize {}\n", crate::hex::encode(&self.sha256), self.size)
    }

    /// Reads a pointer file.
    pub fn parse(blob: &[u8]) -> Result<Self, PointerError> {
        if blob.len() >= MAX_POINTER_LEN {
            return Err(PointerError::TooLong { len: blob.len() });
        }
        let text = core::str::from_utf8(blob).map_err(|_| PointerError::NotUtf8)?;
        let body = text.strip_suffix('\n').ok_or(PointerError::MissingFinalNewline)?;
        let mut sha256 = None;
        let mut size = None;
        let mut previous_key = "";
        for (index, line) in body.split('\n').enumerate() {
            let number = index + 1;
            let (key, value) = line.split_once(' ').ok_or(PointerError::MalformedLine { line: number })?;
            if key.is_empty() || value.is_empty() {
                return Err(PointerError::MalformedLine { line: number });
            }
            if index == 0 {
                if key != "version" || (value != POINTER_VERSION && value != LEGACY_VERSION) {
                    return Err(PointerError::UnknownVersion);
                }
                continue;
            }
            if key <= previous_key {
                return Err(PointerError::KeysOutOfOrder { line: number });
            }
            previous_key = key;
            match key {
                "oid" => sha256 = Some(parse_oid(value)?),
                "size" => size = Some(parse_size(value)?),
                k if is_extension_key(k) => {}
                _ => return Err(PointerError::UnknownKey { line: number }),
            }
        }
        Ok(LfsPointer { sha256: sha256.ok_or(PointerError::MissingOid)?, size: size.ok_or(PointerError::MissingSize)? })
    }
}

fn parse_oid(value: &str) -> Result<[u8; 32], PointerError> {
    let hex = value.strip_prefix("sha256:").ok_or(PointerError::BadOid)?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(PointerError::BadOid);
    }
    let mut out = [0u8; 32];
    crate::hex::decode_into(hex, &mut out).map_err(|_| PointerError::BadOid)?;
    Ok(out)
}

fn parse_size(value: &str) -> Result<u64, PointerError> {
    let canonical = value.bytes().all(|b| b.is_ascii_digit()) && (value == "0" || !value.starts_with('0'));
    match value.parse::<u64>() {
        Ok(size) if canonical && size <= i64::MAX as u64 => Ok(size),
        _ => Err(PointerError::BadSize),
    }
}

/// `ext-{digit}-{name}`: the extension lines of the spec.
fn is_extension_key(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("ext-") else { return false };
    let mut parts = rest.splitn(2, '-');
    let priority = parts.next().unwrap_or("");
    let name = parts.next().unwrap_or("");
    priority.len() == 1 && priority.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    fn spec_pointer() -> LfsPointer {
        let mut sha256 = [0; 32];
        crate::hex::decode_into(SPEC_OID, &mut sha256).unwrap();
        LfsPointer { sha256, size: 12345 }
    }

    // The example of git-lfs's docs/spec.md, byte for byte.
    #[test]
    fn spec_example_round_trips() {
        let text = "version https://git-lfs.github.com/spec/v1\n\
                    oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n\
                    size 12345\n";
        assert_eq!(spec_pointer().to_text(), text);
        assert_eq!(LfsPointer::parse(text.as_bytes()), Ok(spec_pointer()));
    }

    // hub-api.md §2: bert-base-uncased's tf_model.h5, size 536063208, has "pointerSize": 134.
    #[test]
    fn pointer_size_matches_the_hub() {
        let p = LfsPointer { sha256: [0xa7; 32], size: 536_063_208 };
        assert_eq!(p.to_text().len(), 134);
    }

    #[test]
    fn extensions_and_the_legacy_version_are_read() {
        let text = format!(
            "version https://hawser.github.com/spec/v1\next-0-foo sha256:{}\noid sha256:{SPEC_OID}\nsize 12345\n",
            "0".repeat(64)
        );
        assert_eq!(LfsPointer::parse(text.as_bytes()), Ok(spec_pointer()));
    }

    #[test]
    fn malformed_pointers_are_typed_errors() {
        let good = spec_pointer().to_text();
        let v = "version https://git-lfs.github.com/spec/v1\n";
        let oid = format!("oid sha256:{SPEC_OID}\n");
        let cases: [(String, PointerError); 14] = [
            (good.trim_end().into(), PointerError::MissingFinalNewline),
            (good.replace("spec/v1", "spec/v2"), PointerError::UnknownVersion),
            (format!("{oid}{v}size 1\n"), PointerError::UnknownVersion),
            (format!("{v}size 1\n{oid}"), PointerError::KeysOutOfOrder { line: 3 }),
            (format!("{v}{oid}{oid}size 1\n"), PointerError::KeysOutOfOrder { line: 3 }),
            (format!("{v}{oid}"), PointerError::MissingSize),
            (format!("{v}size 1\n"), PointerError::MissingOid),
            (format!("{v}{oid}size -1\n"), PointerError::BadSize),
            (format!("{v}{oid}size 01\n"), PointerError::BadSize),
            (format!("{v}{oid}size 9223372036854775808\n"), PointerError::BadSize),
            (good.replace("sha256:4d", "sha1:4d"), PointerError::BadOid),
            (good.replace("4d7a", "4D7A"), PointerError::BadOid),
            (format!("{v}{oid}sizes 1\n"), PointerError::UnknownKey { line: 3 }),
            (format!("{v}\n{oid}"), PointerError::MalformedLine { line: 2 }),
        ];
        for (text, error) in cases {
            assert_eq!(LfsPointer::parse(text.as_bytes()), Err(error), "{text:?}");
        }
        assert_eq!(LfsPointer::parse(&[b'x'; 1024]), Err(PointerError::TooLong { len: 1024 }));
        assert_eq!(LfsPointer::parse(b"\xff\n"), Err(PointerError::NotUtf8));
    }
}
