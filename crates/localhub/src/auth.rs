//! Who is calling, and what they may do: Hub tokens (`Authorization: Bearer hf_…`) resolve to a
//! user with a read or write role; repos are visible to everyone when public and to their
//! namespace (the user, or members of the org) when private.

use axum::http::{header, HeaderMap};

use crate::http::{HubError, HubResult};
use crate::store::{Repo, Store};

#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// `None` for anonymous requests.
    pub user: Option<String>,
    pub role: Option<String>,
    pub token_name: Option<String>,
    pub token_created: i64,
    /// The raw bearer value when it was not a Hub token (CAS access tokens).
    pub bearer: Option<String>,
}

impl Caller {
    pub fn anonymous(&self) -> bool {
        self.user.is_none()
    }

    pub fn can_write_role(&self) -> bool {
        self.role.as_deref() == Some("write")
    }

    /// Whether the caller acts for `namespace` (is it, or belongs to the org).
    pub fn owns(&self, store: &Store, namespace: &str) -> HubResult<bool> {
        let Some(user) = &self.user else { return Ok(false) };
        if user.eq_ignore_ascii_case(namespace) {
            return Ok(true);
        }
        Ok(store.orgs_of(user)?.iter().any(|o| o.name.eq_ignore_ascii_case(namespace)))
    }

    pub fn can_read(&self, store: &Store, repo: &Repo) -> HubResult<bool> {
        Ok(!repo.private || self.owns(store, &repo.namespace)?)
    }

    /// Fails like the Hub: invisible repos are "not found", visible ones without rights are 403.
    pub fn require_read(&self, store: &Store, repo: &Repo) -> HubResult<()> {
        if self.can_read(store, repo)? {
            Ok(())
        } else {
            Err(HubError::repo_not_found(self.anonymous()))
        }
    }

    pub fn require_write(&self, store: &Store, repo: &Repo) -> HubResult<()> {
        self.require_read(store, repo)?;
        if self.anonymous() {
            return Err(HubError::unauthorized("You must be authenticated to write to this repo"));
        }
        if !self.owns(store, &repo.namespace)? || !self.can_write_role() {
            return Err(HubError::forbidden(format!(
                "You don't have the rights to write to {}: a write token of its owner is required",
                repo.full_name()
            )));
        }
        Ok(())
    }

    /// Gated repos: file content needs an authenticated caller (spec §5.2 `GatedRepo`); the owner
    /// and the members of its org count as approved.
    pub fn require_content_access(&self, store: &Store, repo: &Repo) -> HubResult<()> {
        self.require_read(store, repo)?;
        if repo.gated.is_some() && !self.owns(store, &repo.namespace)? {
            let what = format!("{} {}", repo.kind, repo.full_name());
            return Err(if self.anonymous() {
                HubError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    Some("GatedRepo"),
                    format!("Access to {what} is restricted. You must have access to it and be authenticated to access it. Please log in."),
                )
            } else {
                HubError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    Some("GatedRepo"),
                    format!("Access to {what} is restricted and you are not in the authorized list."),
                )
            });
        }
        Ok(())
    }
}

/// Resolves the `Authorization` header. An unknown `hf_` token is a 401 (like the Hub); other
/// bearer values are kept for the CAS routes, which check their own tokens.
pub fn caller(store: &Store, headers: &HeaderMap) -> HubResult<Caller> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(Caller::default());
    };
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).unwrap_or(value).trim();
    if token.is_empty() {
        return Ok(Caller::default());
    }
    match store.token(token)? {
        Some(t) => Ok(Caller {
            user: Some(t.user),
            role: Some(t.role),
            token_name: Some(t.name),
            token_created: t.created,
            bearer: None,
        }),
        None if token.starts_with("hf_") => Err(HubError::unauthorized("Invalid credentials in Authorization header")),
        None => Ok(Caller { bearer: Some(token.to_string()), ..Caller::default() }),
    }
}
