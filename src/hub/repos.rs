//! Repo management (hub-api.md §6): create, delete, move, settings, branches and tags. Names and
//! options follow `@huggingface/hub`, plus Python's `existOk` / `missingOk`.

use hubwasm_core::api::ApiErrorKind;
use hubwasm_core::repo::{validate_ref_name, RepoId, RepoType, Revision};
use js_sys::Promise;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::options::Options;
use super::upload::post;
use super::{encode, repo_info, spawn, HubClient};
use crate::error::Error;
use crate::http::{Request, Transport};
use crate::js::convert::to_js;

#[wasm_bindgen(typescript_custom_section)]
const REPO_TYPES: &str = r#"
export interface CreateRepoOptions {
  repo: RepoDesignation;
  /** Default: the namespace's default (public). */
  private?: boolean;
  visibility?: "public" | "private" | "protected";
  /** For spaces (default `static`). */
  sdk?: "gradio" | "streamlit" | "docker" | "static";
  license?: string;
  /** An existing repo is not an error (it is answered as created). */
  existOk?: boolean;
  abortSignal?: AbortSignal;
}

export interface DeleteRepoOptions {
  repo: RepoDesignation;
  /** A repo that does not exist is not an error. */
  missingOk?: boolean;
  abortSignal?: AbortSignal;
}

export interface MoveRepoOptions {
  /** The repo as it is named now. */
  fromRepo: RepoDesignation;
  /** Its new name (same type). */
  toRepo: RepoDesignation;
  abortSignal?: AbortSignal;
}

export interface UpdateRepoSettingsOptions {
  repo: RepoDesignation;
  private?: boolean;
  gated?: false | "auto" | "manual";
  description?: string;
  discussionsDisabled?: boolean;
  xetEnabled?: boolean;
  abortSignal?: AbortSignal;
}

export interface CreateBranchOptions {
  repo: RepoDesignation;
  branch: string;
  /** Where the branch starts (default the default branch's head). */
  revision?: string;
  /** A branch with no files and no history. */
  empty?: boolean;
  /** Move an existing branch instead of failing. */
  overwrite?: boolean;
  abortSignal?: AbortSignal;
}

export interface DeleteBranchOptions {
  repo: RepoDesignation;
  branch: string;
  abortSignal?: AbortSignal;
}

export interface CreateTagOptions {
  repo: RepoDesignation;
  tag: string;
  /** What to tag (default `main`). */
  revision?: string;
  message?: string;
  /** An existing tag is not an error. */
  existOk?: boolean;
  abortSignal?: AbortSignal;
}

export interface DeleteTagOptions {
  repo: RepoDesignation;
  tag: string;
  abortSignal?: AbortSignal;
}

export interface CreateRepoOutput {
  repoUrl: string;
  id: string;
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateRepoOutput {
    repo_url: String,
    id: String,
}

#[wasm_bindgen]
impl HubClient {
    #[wasm_bindgen(js_name = createRepo, unchecked_return_type = "Promise<CreateRepoOutput>")]
    pub fn create_repo(&self, #[wasm_bindgen(unchecked_param_type = "CreateRepoOptions")] options: JsValue) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "createRepo")?;
            let (repo, signal) = (o.repo(None)?, o.signal()?);
            let namespace = namespace_of(&repo, "createRepo")?;
            let visibility = match (o.string("visibility")?, o.bool("private")?) {
                (Some(v), _) if ["public", "private", "protected"].contains(&v.as_str()) => Some(v),
                (Some(v), _) => {
                    return Err(Error::invalid_input(format!(
                        "createRepo() option visibility must be public, private or protected, got {v:?}"
                    )))
                }
                (None, Some(private)) => Some(if private { "private" } else { "public" }.to_string()),
                (None, None) => None,
            };
            let mut body = json!({ "name": repo.name(), "organization": namespace, "type": repo.repo_type().as_str() });
            if let Some(visibility) = &visibility {
                body["visibility"] = json!(visibility);
                // Older servers (and hf-hub) read `private`.
                body["private"] = json!(visibility == "private");
            }
            if repo.repo_type() == RepoType::Space {
                body["sdk"] = json!(o.string("sdk")?.unwrap_or_else(|| "static".into()));
            }
            if let Some(license) = o.string("license")? {
                body["license"] = json!(license);
            }
            let exist_ok = o.bool("existOk")?.unwrap_or(false);
            let url = format!("{}/api/repos/create", t.hub_url());
            match t.send_and_read(post(url, body.to_string(), "application/json", signal.as_ref())).await {
                Ok(read) => {
                    #[derive(Deserialize)]
                    struct Created {
                        url: String,
                        #[serde(default)]
                        id: String,
                    }
                    let created: Created = read.json()?;
                    to_js(&CreateRepoOutput { repo_url: created.url, id: created.id })
                }
                Err(Error::Api(f)) if exist_ok && f.kind == ApiErrorKind::Conflict => {
                    #[derive(Deserialize)]
                    struct Existing {
                        #[serde(rename = "_id", default)]
                        id: String,
                    }
                    let existing: Existing = repo_info(&t, &repo, None, &[], signal.as_ref()).await?.json()?;
                    to_js(&CreateRepoOutput {
                        repo_url: format!("{}/{}", t.hub_url(), repo.web_path()),
                        id: existing.id,
                    })
                }
                Err(other) => Err(other),
            }
        })
    }

    #[wasm_bindgen(js_name = deleteRepo, unchecked_return_type = "Promise<void>")]
    pub fn delete_repo(&self, #[wasm_bindgen(unchecked_param_type = "DeleteRepoOptions")] options: JsValue) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "deleteRepo")?;
            let (repo, signal) = (o.repo(None)?, o.signal()?);
            let namespace = namespace_of(&repo, "deleteRepo")?;
            let missing_ok = o.bool("missingOk")?.unwrap_or(false);
            let body = json!({ "name": repo.name(), "organization": namespace, "type": repo.repo_type().as_str() });
            let url = format!("{}/api/repos/delete", t.hub_url());
            match send_json(&t, "DELETE", url, &body, signal.as_ref(), false).await {
                Err(Error::Api(f)) if missing_ok && f.kind == ApiErrorKind::RepoNotFound => Ok(JsValue::UNDEFINED),
                other => other.map(|_| JsValue::UNDEFINED),
            }
        })
    }

    #[wasm_bindgen(js_name = moveRepo, unchecked_return_type = "Promise<void>")]
    pub fn move_repo(&self, #[wasm_bindgen(unchecked_param_type = "MoveRepoOptions")] options: JsValue) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "moveRepo")?;
            let signal = o.signal()?;
            let from = repo_option(&o, "fromRepo")?;
            let to = repo_option(&o, "toRepo")?;
            namespace_of(&from, "moveRepo")?;
            namespace_of(&to, "moveRepo")?;
            if from.repo_type() != to.repo_type() {
                return Err(Error::invalid_input("moveRepo() cannot change a repo's type"));
            }
            let body = json!({ "fromRepo": from.as_str(), "toRepo": to.as_str(), "type": from.repo_type().as_str() });
            let url = format!("{}/api/repos/move", t.hub_url());
            send_json(&t, "POST", url, &body, signal.as_ref(), false).await.map(|_| JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = updateRepoSettings, unchecked_return_type = "Promise<void>")]
    pub fn update_repo_settings(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateRepoSettingsOptions")] options: JsValue,
    ) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "updateRepoSettings")?;
            let (repo, signal) = (o.repo(None)?, o.signal()?);
            let mut body = Map::new();
            if let Some(private) = o.bool("private")? {
                body.insert("private".into(), json!(private));
                body.insert("visibility".into(), json!(if private { "private" } else { "public" }));
            }
            match o.value("gated")? {
                v if v.is_undefined() => {}
                v if v.as_bool() == Some(false) => {
                    body.insert("gated".into(), json!(false));
                }
                v => match v.as_string().as_deref() {
                    Some(mode @ ("auto" | "manual")) => {
                        body.insert("gated".into(), json!(mode));
                    }
                    _ => {
                        return Err(Error::invalid_input(
                            "updateRepoSettings() option gated must be false, \"auto\" or \"manual\"",
                        ))
                    }
                },
            }
            if let Some(description) = o.string("description")? {
                body.insert("description".into(), json!(description));
            }
            for flag in ["discussionsDisabled", "xetEnabled"] {
                if let Some(value) = o.bool(flag)? {
                    body.insert(flag.into(), json!(value));
                }
            }
            if body.is_empty() {
                return Err(Error::invalid_input("updateRepoSettings() needs at least one setting to change"));
            }
            let url = format!("{}{}/settings", t.hub_url(), repo.api_path());
            send_json(&t, "PUT", url, &Value::Object(body), signal.as_ref(), true).await.map(|_| JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = createBranch, unchecked_return_type = "Promise<void>")]
    pub fn create_branch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateBranchOptions")] options: JsValue,
    ) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "createBranch")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            let branch = ref_name(&o, "branch")?;
            let mut body = Map::new();
            if let Some(revision) = revision {
                body.insert("startingPoint".into(), json!(revision.as_str()));
            }
            if o.bool("empty")? == Some(true) {
                body.insert("emptyBranch".into(), json!(true));
            }
            if o.bool("overwrite")? == Some(true) {
                body.insert("overwrite".into(), json!(true));
            }
            let url = format!("{}{}/branch/{}", t.hub_url(), repo.api_path(), encode(&branch));
            send_json(&t, "POST", url, &Value::Object(body), signal.as_ref(), true).await.map(|_| JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = deleteBranch, unchecked_return_type = "Promise<void>")]
    pub fn delete_branch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteBranchOptions")] options: JsValue,
    ) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "deleteBranch")?;
            let (repo, signal) = (o.repo(None)?, o.signal()?);
            let branch = ref_name(&o, "branch")?;
            let url = format!("{}{}/branch/{}", t.hub_url(), repo.api_path(), encode(&branch));
            let mut request = Request::get(url, signal.as_ref()).repo_route();
            request.method = "DELETE";
            t.send_and_read(request).await.map(|_| JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = createTag, unchecked_return_type = "Promise<void>")]
    pub fn create_tag(&self, #[wasm_bindgen(unchecked_param_type = "CreateTagOptions")] options: JsValue) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "createTag")?;
            let (repo, revision, signal) = (o.repo(None)?, o.revision()?, o.signal()?);
            let tag = ref_name(&o, "tag")?;
            let exist_ok = o.bool("existOk")?.unwrap_or(false);
            let mut body = json!({ "tag": tag });
            if let Some(message) = o.string("message")? {
                body["message"] = json!(message);
            }
            let revision = revision.unwrap_or_else(Revision::main);
            let url = format!("{}{}/tag/{}", t.hub_url(), repo.api_path(), revision.url_encoded());
            match send_json(&t, "POST", url, &body, signal.as_ref(), true).await {
                Err(Error::Api(f)) if exist_ok && f.kind == ApiErrorKind::Conflict => Ok(JsValue::UNDEFINED),
                other => other.map(|_| JsValue::UNDEFINED),
            }
        })
    }

    #[wasm_bindgen(js_name = deleteTag, unchecked_return_type = "Promise<void>")]
    pub fn delete_tag(&self, #[wasm_bindgen(unchecked_param_type = "DeleteTagOptions")] options: JsValue) -> Promise {
        let t = self.transport().clone();
        spawn(async move {
            let o = Options::new(options, "deleteTag")?;
            let (repo, signal) = (o.repo(None)?, o.signal()?);
            let tag = ref_name(&o, "tag")?;
            let url = format!("{}{}/tag/{}", t.hub_url(), repo.api_path(), encode(&tag));
            let mut request = Request::get(url, signal.as_ref()).repo_route();
            request.method = "DELETE";
            t.send_and_read(request).await.map(|_| JsValue::UNDEFINED)
        })
    }
}

/// Creating, deleting and moving name the namespace explicitly.
fn namespace_of<'a>(repo: &'a RepoId, method: &str) -> Result<&'a str, Error> {
    repo.namespace().ok_or_else(|| {
        Error::invalid_input(format!(
            "{method}() needs a repo id with its namespace (\"org/name\"), got {:?}",
            repo.as_str()
        ))
    })
}

/// A repo option other than `repo` (`fromRepo`, `toRepo`).
fn repo_option(o: &Options, name: &str) -> Result<RepoId, Error> {
    let value = o.value(name)?;
    if value.is_undefined() {
        return Err(Error::invalid_input(format!("{}() needs the option {name}", o.method())));
    }
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &JsValue::from_str("repo"), &value)
        .map_err(|_| Error::Internal("setting a property of a fresh object failed".into()))?;
    Options::new(object.into(), o.method())?.repo(None).map_err(|e| match e {
        Error::InvalidInput(m) => Error::invalid_input(m.replacen("option repo", &format!("option {name}"), 1)),
        other => other,
    })
}

/// A branch or tag name: required, a short name by git's rules.
fn ref_name(o: &Options, name: &str) -> Result<String, Error> {
    let value = o.required(name, o.string(name)?)?;
    validate_ref_name(&value)
        .map_err(|e| Error::invalid_input(format!("{}() option {name} {value:?}: {e}", o.method())))?;
    Ok(value)
}

/// A JSON request whose answer's body only needs reading.
async fn send_json(
    t: &Transport,
    method: &'static str,
    url: String,
    body: &Value,
    signal: Option<&AbortSignal>,
    repo_route: bool,
) -> Result<(), Error> {
    let mut request = post(url, body.to_string(), "application/json", signal);
    request.method = method;
    request.repo_route = repo_route;
    t.send_and_read(request).await.map(drop)
}
