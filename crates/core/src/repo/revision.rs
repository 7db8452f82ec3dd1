//! Revisions (branch, tag, `refs/pr/N`, `refs/convert/X`, commit sha) and ref names.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

/// Longest branch or tag name accepted: ref names are file names on git servers, and file
/// systems cap a name at 255 bytes.
pub const MAX_REF_NAME_LEN: usize = 255;

/// Why a branch or tag name (or a revision) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefNameError {
    Empty,
    TooLong,
    /// Names are given short (`v1`), not as `refs/…`.
    FullRefName,
    /// Starts with `-` (would read as a command-line option) or `/`, or ends with `/` or `.`.
    BadEdge,
    /// Space, control character, or one of `~ ^ : ? * [ \`, or a non-ASCII byte.
    InvalidCharacter,
    /// `..`, `//`, `@{`, or the name `@`.
    ForbiddenSequence,
    /// A `/`-separated component starts with `.` or ends with `.lock`.
    BadComponent,
    /// A `refs/…` revision other than `refs/heads/X`, `refs/tags/X`, `refs/pr/N`, `refs/convert/X`.
    UnknownRefKind,
    /// `refs/pr/` not followed by a decimal number.
    BadPullRequestNumber,
}

impl fmt::Display for RefNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefNameError::Empty => "the reference name is empty",
            RefNameError::TooLong => "the reference name is longer than 255 bytes",
            RefNameError::FullRefName => "give the branch or tag name without 'refs/'",
            RefNameError::BadEdge => "a reference name cannot start with '-' or '/', nor end with '/' or '.'",
            RefNameError::InvalidCharacter => {
                "a reference name cannot contain spaces, control characters, non-ASCII or any of ~ ^ : ? * [ \\"
            }
            RefNameError::ForbiddenSequence => "a reference name cannot contain '..', '//' or '@{', nor be '@'",
            RefNameError::BadComponent => "no part of a reference name may start with '.' or end with '.lock'",
            RefNameError::UnknownRefKind => {
                "only refs/heads/X, refs/tags/X, refs/pr/N and refs/convert/X are revisions"
            }
            RefNameError::BadPullRequestNumber => "refs/pr/ must be followed by a pull request number",
        })
    }
}

impl core::error::Error for RefNameError {}

/// Checks a branch or tag name as given to the branch/tag endpoints: git's `check-ref-format`
/// rules, plus the Hub's refusal of `refs/…` names (e.g. `refs/pr/5` is not a branch name).
pub fn validate_ref_name(name: &str) -> Result<(), RefNameError> {
    if name.is_empty() {
        return Err(RefNameError::Empty);
    }
    if name.len() > MAX_REF_NAME_LEN {
        return Err(RefNameError::TooLong);
    }
    if name.starts_with("refs/") {
        return Err(RefNameError::FullRefName);
    }
    check_ref_body(name)
}

/// The git rules shared by short names and the name part of full refs.
fn check_ref_body(name: &str) -> Result<(), RefNameError> {
    if !name.bytes().all(|b| b.is_ascii_graphic() && !b"~^:?*[\\".contains(&b)) {
        return Err(RefNameError::InvalidCharacter);
    }
    if name.starts_with(['-', '/']) || name.ends_with(['/', '.']) {
        return Err(RefNameError::BadEdge);
    }
    if name == "@" || name.contains("..") || name.contains("//") || name.contains("@{") {
        return Err(RefNameError::ForbiddenSequence);
    }
    if name.split('/').any(|c| c.starts_with('.') || c.ends_with(".lock")) {
        return Err(RefNameError::BadComponent);
    }
    Ok(())
}

/// What a revision names, as far as its text tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevisionKind<'a> {
    /// 40 hex digits.
    CommitSha(&'a str),
    /// `refs/pr/N`.
    PullRequest(u64),
    /// `refs/convert/X` (e.g. `parquet`).
    Convert(&'a str),
    /// `refs/heads/X`.
    Branch(&'a str),
    /// `refs/tags/X`.
    Tag(&'a str),
    /// A short name: a branch or a tag (the Hub looks for a branch first); `HEAD` is the default branch.
    Name(&'a str),
}

/// The shortest abbreviated commit id a revision may be (git's default abbreviation).
pub const MIN_SHORT_COMMIT_LEN: usize = 7;

/// A validated revision, as the Hub's URLs take it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Revision(String);

impl Revision {
    /// Checks `revision`: a commit sha, a short branch or tag name, or one of the full refs
    /// `refs/heads/X`, `refs/tags/X`, `refs/pr/N`, `refs/convert/X`.
    pub fn parse(revision: &str) -> Result<Self, RefNameError> {
        if revision.is_empty() {
            return Err(RefNameError::Empty);
        }
        if revision.len() > MAX_REF_NAME_LEN + "refs/convert/".len() {
            return Err(RefNameError::TooLong);
        }
        match revision.strip_prefix("refs/") {
            None if revision.len() > MAX_REF_NAME_LEN => return Err(RefNameError::TooLong),
            None => check_ref_body(revision)?,
            Some(full) => {
                let (kind, name) = full.split_once('/').ok_or(RefNameError::UnknownRefKind)?;
                match kind {
                    "pr" if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) => {
                        return Err(RefNameError::BadPullRequestNumber)
                    }
                    "pr" => {
                        name.parse::<u64>().map_err(|_| RefNameError::BadPullRequestNumber)?;
                    }
                    "heads" | "tags" | "convert" => validate_ref_name(name)?,
                    _ => return Err(RefNameError::UnknownRefKind),
                }
            }
        }
        Ok(Revision(revision.to_string()))
    }

    /// The default branch of the Hub's repos.
    pub fn main() -> Self {
        Revision("main".into())
    }

    /// `refs/pr/{number}`.
    pub fn pull_request(number: u64) -> Self {
        Revision(format!("refs/pr/{number}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> RevisionKind<'_> {
        let r = self.0.as_str();
        if r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
            return RevisionKind::CommitSha(r);
        }
        match r.strip_prefix("refs/").and_then(|full| full.split_once('/')) {
            // parse() checked the number.
            Some(("pr", n)) => RevisionKind::PullRequest(n.parse().unwrap_or(0)),
            Some(("convert", name)) => RevisionKind::Convert(name),
            Some(("heads", name)) => RevisionKind::Branch(name),
            Some(("tags", name)) => RevisionKind::Tag(name),
            _ => RevisionKind::Name(r),
        }
    }

    /// The revision read as a commit id, whole or abbreviated: 7 (git's default abbreviation) to
    /// 40 hex digits, lowercased. The Hub tries it only after branches and tags of that name, and
    /// a prefix counts only when it names exactly one commit.
    pub fn commit_prefix(&self) -> Option<String> {
        let r = self.0.as_str();
        ((MIN_SHORT_COMMIT_LEN..=40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| r.to_ascii_lowercase())
    }

    /// The revision as one URL path segment: every byte but `A-Z a-z 0-9 - . _ ~` percent-encoded,
    /// so `refs/pr/1` becomes `refs%2Fpr%2F1` (what huggingface_hub sends on every route; the
    /// Hub answers 404 to an unencoded `preupload/refs/pr/10`).
    pub fn url_encoded(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for b in self.0.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(char::from(b));
            } else {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
        out
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for Revision {
    type Err = RefNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Splits a revision off the front of URL path segments (already percent-decoded): one segment,
/// or the raw special refs `refs/{pr,convert,heads,tags}/X` that some clients send unencoded
/// (huggingface.js on `tree/` and `commits/`). No segment means `main`. Returns the revision
/// text (check it with [`Revision::parse`]) and the segments after it.
pub fn split_revision<'a, 'b>(segments: &'a [&'b str]) -> (String, &'a [&'b str]) {
    match segments {
        ["refs", kind @ ("pr" | "convert" | "heads" | "tags"), name, tail @ ..] => {
            (format!("refs/{kind}/{name}"), tail)
        }
        [revision, tail @ ..] => (revision.to_string(), tail),
        [] => ("main".to_string(), segments),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviated_commit_ids_are_7_to_40_hex_digits() {
        let prefix = |r: &str| Revision::parse(r).unwrap().commit_prefix();
        assert_eq!(prefix("ABCDEF0"), Some("abcdef0".into()));
        assert_eq!(prefix("0123456789abcdef0123456789abcdef01234567").map(|p| p.len()), Some(40));
        assert_eq!(prefix("abcdef"), None, "git abbreviates to 7 digits at least");
        assert_eq!(prefix("abcdefg"), None);
        assert_eq!(prefix("refs/heads/abcdef0"), None);
    }

    #[test]
    fn revisions_are_classified() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(Revision::parse(sha).unwrap().kind(), RevisionKind::CommitSha(sha));
        assert_eq!(Revision::parse("refs/pr/12").unwrap().kind(), RevisionKind::PullRequest(12));
        assert_eq!(Revision::parse("refs/convert/parquet").unwrap().kind(), RevisionKind::Convert("parquet"));
        assert_eq!(Revision::parse("refs/heads/dev").unwrap().kind(), RevisionKind::Branch("dev"));
        assert_eq!(Revision::parse("refs/tags/v1.0").unwrap().kind(), RevisionKind::Tag("v1.0"));
        assert_eq!(Revision::parse("HEAD").unwrap().kind(), RevisionKind::Name("HEAD"));
        assert_eq!(Revision::pull_request(3).as_str(), "refs/pr/3");
        assert_eq!(Revision::main().kind(), RevisionKind::Name("main"));
        assert_eq!(Revision::parse("refs/pr/x"), Err(RefNameError::BadPullRequestNumber));
        assert_eq!(Revision::parse("refs/pr/"), Err(RefNameError::BadPullRequestNumber));
        assert_eq!(Revision::parse("refs/pr/99999999999999999999999"), Err(RefNameError::BadPullRequestNumber));
        assert_eq!(Revision::parse("refs/remotes/x"), Err(RefNameError::UnknownRefKind));
        assert_eq!(Revision::parse("refs/heads"), Err(RefNameError::UnknownRefKind));
        assert_eq!(Revision::parse("a b"), Err(RefNameError::InvalidCharacter));
        assert_eq!(Revision::parse(""), Err(RefNameError::Empty));
        assert_eq!(Revision::parse(&"x".repeat(256)), Err(RefNameError::TooLong));
        assert!(Revision::parse(&alloc::format!("refs/heads/{}", "x".repeat(255))).is_ok());
    }

    // huggingface_hub encodes revisions with quote(revision, safe=""): "/" becomes %2F.
    #[test]
    fn revisions_encode_as_one_segment() {
        assert_eq!(Revision::parse("refs/pr/1").unwrap().url_encoded(), "refs%2Fpr%2F1");
        assert_eq!(Revision::parse("v1.0-rc_2").unwrap().url_encoded(), "v1.0-rc_2");
        assert_eq!(Revision::parse("feature/a+b").unwrap().url_encoded(), "feature%2Fa%2Bb");
        assert_eq!(Revision::parse("caf\u{e9}"), Err(RefNameError::InvalidCharacter));
    }

    // git check-ref-format's rules, and the Hub's "Invalid reference for a branch" for refs/pr/5.
    #[test]
    fn ref_names_follow_git() {
        for ok in ["main", "v1.0", "feature/x", "a-b_c", "UPPER", "1234"] {
            assert_eq!(validate_ref_name(ok), Ok(()), "{ok}");
        }
        let cases = [
            ("", RefNameError::Empty),
            ("refs/pr/5", RefNameError::FullRefName),
            ("-x", RefNameError::BadEdge),
            ("/x", RefNameError::BadEdge),
            ("x/", RefNameError::BadEdge),
            ("x.", RefNameError::BadEdge),
            ("a..b", RefNameError::ForbiddenSequence),
            ("a//b", RefNameError::ForbiddenSequence),
            ("a@{b", RefNameError::ForbiddenSequence),
            ("@", RefNameError::ForbiddenSequence),
            ("a/.b", RefNameError::BadComponent),
            (".a", RefNameError::BadComponent),
            ("x.lock", RefNameError::BadComponent),
            ("a/b.lock/c", RefNameError::BadComponent),
            ("a b", RefNameError::InvalidCharacter),
            ("a\tb", RefNameError::InvalidCharacter),
            ("a~1", RefNameError::InvalidCharacter),
            ("a^", RefNameError::InvalidCharacter),
            ("a:b", RefNameError::InvalidCharacter),
            ("a?", RefNameError::InvalidCharacter),
            ("a*", RefNameError::InvalidCharacter),
            ("a[b", RefNameError::InvalidCharacter),
            ("a\\b", RefNameError::InvalidCharacter),
        ];
        for (name, error) in cases {
            assert_eq!(validate_ref_name(name), Err(error), "{name:?}");
        }
        assert_eq!(validate_ref_name(&"x".repeat(256)), Err(RefNameError::TooLong));
    }

    #[test]
    fn revisions_split_off_url_segments() {
        assert_eq!(split_revision(&["main", "a", "b"]), ("main".into(), &["a", "b"][..]));
        assert_eq!(split_revision(&["refs", "pr", "3", "f.txt"]), ("refs/pr/3".into(), &["f.txt"][..]));
        assert_eq!(split_revision(&["refs", "convert", "parquet"]), ("refs/convert/parquet".into(), &[][..]));
        assert_eq!(split_revision(&["refs", "other", "x"]), ("refs".into(), &["other", "x"][..]));
        assert_eq!(split_revision(&[]), ("main".into(), &[][..]));
    }
}
