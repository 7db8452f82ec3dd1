//! Repo types and ids.
//!
//! Names follow huggingface_hub's `validate_repo_id`: letters, digits, `-`, `_`, `.`; no leading
//! or trailing `-`/`.`; no `--` or `..`; at most 96 characters; not ending in `.git`. The prefix
//! forms follow `@huggingface/hub`'s `toRepoId`: `datasets/…` and `spaces/…` name the type,
//! `models/…` and the singular forms are refused, and spaces need a namespace. A bare `name`
//! (no namespace) is allowed for models and datasets only: the Hub's old canonical repos
//! (`gpt2`, `squad`).

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

/// The longest repo name (and namespace) the Hub accepts.
pub const MAX_REPO_NAME_LEN: usize = 96;

/// The three kinds of repo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RepoType {
    Model,
    Dataset,
    Space,
}

impl RepoType {
    pub const ALL: [RepoType; 3] = [RepoType::Model, RepoType::Dataset, RepoType::Space];

    /// `model`, `dataset`, `space`: the `type` field of JSON bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
            RepoType::Space => "space",
        }
    }

    /// `models`, `datasets`, `spaces`: the segment of `/api/{plural}/…` URLs.
    pub fn plural(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
            RepoType::Space => "spaces",
        }
    }

    /// What goes before `namespace/name` in web URLs (`resolve`, `.git`): empty for models.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
            RepoType::Space => "spaces/",
        }
    }

    /// The type named by a URL plural (`models` → model); `None` for anything else.
    pub fn from_plural(plural: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.plural() == plural)
    }
}

impl fmt::Display for RepoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RepoType {
    type Err = RepoIdError;

    /// The singular names of JSON bodies (`model`, `dataset`, `space`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or(RepoIdError::UnknownType)
    }
}

/// Why a repo id or name was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepoIdError {
    Empty,
    /// More `/` than `namespace/name` (after an optional type prefix).
    TooManySlashes,
    /// `models/…`, `model/…`, `dataset/…`, `space/…`: the only prefixes are `datasets/` and `spaces/`.
    BadTypePrefix,
    /// A type name other than model, dataset, space.
    UnknownType,
    /// A space id without namespace.
    MissingNamespace,
    /// An empty namespace or name segment (`/name`, `org/`).
    EmptySegment,
    TooLong,
    /// A character other than letters, digits, `-`, `_`, `.`.
    InvalidCharacter,
    /// Starts or ends with `-` or `.`.
    BadEdge,
    /// Contains `--` or `..`.
    DoubledSeparator,
    EndsWithGit,
}

impl fmt::Display for RepoIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RepoIdError::Empty => "the repo id is empty",
            RepoIdError::TooManySlashes => "a repo id is 'name' or 'namespace/name', with at most one '/'",
            RepoIdError::BadTypePrefix => {
                "a repo id may only be prefixed with 'datasets/' or 'spaces/' (models take no prefix)"
            }
            RepoIdError::UnknownType => "the repo type must be model, dataset or space",
            RepoIdError::MissingNamespace => "a space id must include a namespace: 'namespace/name'",
            RepoIdError::EmptySegment => "the namespace and the name of a repo id must not be empty",
            RepoIdError::TooLong => "a repo name or namespace is at most 96 characters",
            RepoIdError::InvalidCharacter => "a repo id may only use letters, digits, '-', '_' and '.'",
            RepoIdError::BadEdge => "a repo name or namespace cannot start or end with '-' or '.'",
            RepoIdError::DoubledSeparator => "a repo id cannot contain '--' or '..'",
            RepoIdError::EndsWithGit => "a repo id cannot end with '.git'",
        })
    }
}

impl core::error::Error for RepoIdError {}

/// Checks one repo name (or namespace) segment by the Hub's rules.
pub fn validate_repo_name(name: &str) -> Result<(), RepoIdError> {
    if name.is_empty() {
        return Err(RepoIdError::EmptySegment);
    }
    if name.len() > MAX_REPO_NAME_LEN {
        return Err(RepoIdError::TooLong);
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
        return Err(RepoIdError::InvalidCharacter);
    }
    if name.starts_with(['-', '.']) || name.ends_with(['-', '.']) {
        return Err(RepoIdError::BadEdge);
    }
    if name.contains("--") || name.contains("..") {
        return Err(RepoIdError::DoubledSeparator);
    }
    if name.ends_with(".git") {
        return Err(RepoIdError::EndsWithGit);
    }
    Ok(())
}

/// A validated repo: its type, optional namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoId {
    repo_type: RepoType,
    /// Byte length of the namespace in `id` (0 when there is none).
    namespace_len: usize,
    /// `namespace/name` or `name`.
    id: String,
}

impl RepoId {
    /// Parses a designation as users write it: `org/name` (a model), `datasets/org/name`,
    /// `spaces/org/name`, or a bare `name` for models and datasets.
    pub fn parse(designation: &str) -> Result<Self, RepoIdError> {
        if designation.is_empty() {
            return Err(RepoIdError::Empty);
        }
        if ["models/", "model/", "dataset/", "space/"].iter().any(|p| designation.starts_with(p)) {
            return Err(RepoIdError::BadTypePrefix);
        }
        let (repo_type, id) = if let Some(rest) = designation.strip_prefix("datasets/") {
            (RepoType::Dataset, rest)
        } else if let Some(rest) = designation.strip_prefix("spaces/") {
            (RepoType::Space, rest)
        } else {
            (RepoType::Model, designation)
        };
        Self::new(repo_type, id)
    }

    /// A repo of `repo_type` named `namespace/name` (or a bare `name`, models and datasets).
    pub fn new(repo_type: RepoType, id: &str) -> Result<Self, RepoIdError> {
        if id.is_empty() {
            return Err(RepoIdError::Empty);
        }
        let (namespace, name) = match id.split_once('/') {
            Some((_, name)) if name.contains('/') => return Err(RepoIdError::TooManySlashes),
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, id),
        };
        match namespace {
            Some(namespace) => validate_repo_name(namespace)?,
            None if repo_type == RepoType::Space => return Err(RepoIdError::MissingNamespace),
            None => {}
        }
        validate_repo_name(name)?;
        Ok(RepoId { repo_type, namespace_len: namespace.map_or(0, str::len), id: id.into() })
    }

    /// A repo from its two parts, as URLs and JSON bodies carry them.
    pub fn from_parts(repo_type: RepoType, namespace: &str, name: &str) -> Result<Self, RepoIdError> {
        validate_repo_name(namespace)?;
        validate_repo_name(name)?;
        let mut id = String::with_capacity(namespace.len() + 1 + name.len());
        id.push_str(namespace);
        id.push('/');
        id.push_str(name);
        Ok(RepoId { repo_type, namespace_len: namespace.len(), id })
    }

    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    pub fn namespace(&self) -> Option<&str> {
        (self.namespace_len > 0).then(|| &self.id[..self.namespace_len])
    }

    pub fn name(&self) -> &str {
        match self.namespace_len {
            0 => &self.id,
            n => &self.id[n + 1..],
        }
    }

    /// `namespace/name` (or `name`), unescaped as URLs carry it.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// `/api/{plural}/{id}`, the JSON API root of this repo.
    pub fn api_path(&self) -> String {
        let mut out = String::from("/api/");
        out.push_str(self.repo_type.plural());
        out.push('/');
        out.push_str(&self.id);
        out
    }

    /// `{prefix}{id}` of web URLs (`resolve`, `.git`), e.g. `datasets/org/name`.
    pub fn web_path(&self) -> String {
        let mut out = String::from(self.repo_type.url_prefix());
        out.push_str(&self.id);
        out
    }
}

impl fmt::Display for RepoId {
    /// The designation [`RepoId::parse`] reads back: `datasets/org/name` for a dataset.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.repo_type.url_prefix(), self.id)
    }
}

impl FromStr for RepoId {
    type Err = RepoIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn types_have_their_url_forms() {
        assert_eq!(RepoType::from_plural("datasets"), Some(RepoType::Dataset));
        assert_eq!(RepoType::from_plural("dataset"), None);
        assert_eq!("space".parse::<RepoType>(), Ok(RepoType::Space));
        assert_eq!("kernel".parse::<RepoType>(), Err(RepoIdError::UnknownType));
        assert_eq!(RepoType::Model.url_prefix(), "");
    }

    // Designations and their outcome as @huggingface/hub's toRepoId and huggingface_hub's
    // validate_repo_id decide them.
    #[test]
    fn designations_parse_like_the_official_clients() {
        let id = RepoId::parse("datasets/org/name").unwrap();
        assert_eq!((id.repo_type(), id.namespace(), id.name()), (RepoType::Dataset, Some("org"), "name"));
        assert_eq!(id.to_string(), "datasets/org/name");
        assert_eq!(id.api_path(), "/api/datasets/org/name");
        assert_eq!(id.web_path(), "datasets/org/name");
        let id = RepoId::parse("spaces/org/app").unwrap();
        assert_eq!(id.repo_type(), RepoType::Space);
        let id = RepoId::parse("gpt2").unwrap();
        assert_eq!((id.repo_type(), id.namespace(), id.name()), (RepoType::Model, None, "gpt2"));
        assert_eq!(RepoId::parse("datasets/squad").unwrap().name(), "squad");
        assert_eq!(RepoId::parse("openai-community/gpt2").unwrap().as_str(), "openai-community/gpt2");

        assert_eq!(RepoId::parse("spaces/app"), Err(RepoIdError::MissingNamespace));
        assert_eq!(RepoId::parse("models/org/name"), Err(RepoIdError::BadTypePrefix));
        assert_eq!(RepoId::parse("space/org/name"), Err(RepoIdError::BadTypePrefix));
        assert_eq!(RepoId::parse("dataset/org/name"), Err(RepoIdError::BadTypePrefix));
        assert_eq!(RepoId::parse("a/b/c"), Err(RepoIdError::TooManySlashes));
        assert_eq!(RepoId::parse("datasets/a/b/c"), Err(RepoIdError::TooManySlashes));
        assert_eq!(RepoId::parse(""), Err(RepoIdError::Empty));
        assert_eq!(RepoId::parse("org/"), Err(RepoIdError::EmptySegment));
        assert_eq!(RepoId::parse("/name"), Err(RepoIdError::EmptySegment));
    }

    // huggingface_hub's validate_repo_id cases (its tests: "--" and ".." and ".git" refused,
    // word boundaries at both ends, 96 characters at most).
    #[test]
    fn names_follow_validate_repo_id() {
        for ok in ["a", "gpt2", "my-model_v1.0", "A.B-C_D", &"x".repeat(96)] {
            assert_eq!(validate_repo_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(validate_repo_name(&"x".repeat(97)), Err(RepoIdError::TooLong));
        assert_eq!(validate_repo_name("has space"), Err(RepoIdError::InvalidCharacter));
        assert_eq!(validate_repo_name("ümlaut"), Err(RepoIdError::InvalidCharacter));
        assert_eq!(validate_repo_name("-lead"), Err(RepoIdError::BadEdge));
        assert_eq!(validate_repo_name("trail."), Err(RepoIdError::BadEdge));
        assert_eq!(validate_repo_name("a--b"), Err(RepoIdError::DoubledSeparator));
        assert_eq!(validate_repo_name("a..b"), Err(RepoIdError::DoubledSeparator));
        assert_eq!(validate_repo_name("repo.git"), Err(RepoIdError::EndsWithGit));
        assert_eq!(RepoId::parse("bad--org/name"), Err(RepoIdError::DoubledSeparator));
        assert_eq!(RepoId::from_parts(RepoType::Model, "org", "na me"), Err(RepoIdError::InvalidCharacter));
        assert_eq!(RepoId::from_parts(RepoType::Space, "org", "app").unwrap().to_string(), "spaces/org/app");
    }
}
