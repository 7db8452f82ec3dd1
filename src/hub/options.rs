//! Reading the option objects of HubClient's methods: every wrong type or shape is an
//! `InvalidInputError` that names the option, never a default taken silently.

use hubwasm_core::repo::{validate_path, RepoId, RepoType, Revision};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::error::Error;
use crate::js::source::describe;

#[wasm_bindgen(module = "/src/hub/options.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_name = arrayLength)]
    fn array_length(value: &JsValue) -> Result<f64, JsValue>;
}

/// A method's options: `undefined` and `null` read as `{}`.
pub(crate) struct Options {
    object: Option<JsValue>,
    /// The method, for messages (`listFiles`).
    method: &'static str,
}

impl Options {
    pub(crate) fn new(value: JsValue, method: &'static str) -> Result<Self, Error> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options { object: None, method });
        }
        let array = is_array(&value).map_err(|_| {
            Error::invalid_input(format!("{method}() options cannot be inspected (a revoked Proxy or a throwing trap)"))
        })?;
        if !value.is_object() || value.is_function() || array {
            return Err(Error::invalid_input(format!("{method}() takes an options object, got {}", describe(&value))));
        }
        Ok(Options { object: Some(value), method })
    }

    fn get(&self, name: &str) -> Result<JsValue, Error> {
        let Some(object) = &self.object else { return Ok(JsValue::UNDEFINED) };
        Reflect::get(object, &JsValue::from_str(name)).map_err(|_| {
            Error::invalid_input(format!("reading {}() option {name} threw (a getter or a Proxy trap)", self.method))
        })
    }

    fn wrong(&self, name: &str, expected: &str, value: &JsValue) -> Error {
        Error::invalid_input(format!("{}() option {name} must be {expected}, got {}", self.method, describe(value)))
    }

    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, Error> {
        match self.get(name)? {
            v if v.is_undefined() => Ok(None),
            v => v.as_string().map(Some).ok_or_else(|| self.wrong(name, "a string", &v)),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.get(name)? {
            v if v.is_undefined() => Ok(None),
            v => v.as_bool().map(Some).ok_or_else(|| self.wrong(name, "a boolean", &v)),
        }
    }

    /// A whole number in `0..=max`.
    pub(crate) fn count(&self, name: &str, max: u32) -> Result<Option<u32>, Error> {
        match self.get(name)? {
            v if v.is_undefined() => Ok(None),
            v => match v.as_f64() {
                Some(n) if n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n) => Ok(Some(n as u32)),
                _ => Err(self.wrong(name, &format!("a whole number from 0 to {max}"), &v)),
            },
        }
    }

    pub(crate) fn function(&self, name: &str) -> Result<Option<Function>, Error> {
        match self.get(name)? {
            v if v.is_undefined() => Ok(None),
            v => v.dyn_into::<Function>().map(Some).map_err(|v| self.wrong(name, "a function", &v)),
        }
    }

    /// An array of strings.
    pub(crate) fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        let value = self.get(name)?;
        if value.is_undefined() {
            return Ok(None);
        }
        let unreadable = || Error::invalid_input(format!("{}() option {name} cannot be read", self.method));
        if !is_array(&value).map_err(|_| unreadable())? {
            return Err(self.wrong(name, "an array of strings", &value));
        }
        let length = array_length(&value).map_err(|_| unreadable())?;
        if !(0.0..=100_000.0).contains(&length) || length.fract() != 0.0 {
            return Err(self.wrong(name, "an array of at most 100000 strings", &value));
        }
        let length = length as u32;
        let mut out = Vec::with_capacity(length.min(10_000) as usize);
        for i in 0..length {
            let item = Reflect::get_u32(&value, i)
                .map_err(|_| Error::invalid_input(format!("reading {}() option {name}[{i}] threw", self.method)))?;
            out.push(item.as_string().ok_or_else(|| self.wrong(&format!("{name}[{i}]"), "a string", &item))?);
        }
        Ok(Some(out))
    }

    /// `abortSignal`: an `AbortSignal`.
    pub(crate) fn signal(&self) -> Result<Option<AbortSignal>, Error> {
        match self.get("abortSignal")? {
            v if v.is_undefined() => Ok(None),
            v => v.dyn_into::<AbortSignal>().map(Some).map_err(|v| self.wrong("abortSignal", "an AbortSignal", &v)),
        }
    }

    /// `repo`: `"org/name"`, `"datasets/org/name"`, `"spaces/org/name"` or `{ type, name }`. With
    /// `of_type`, an id without prefix is of that type and another type is refused.
    pub(crate) fn repo(&self, of_type: Option<RepoType>) -> Result<RepoId, Error> {
        let value = self.get("repo")?;
        let bad =
            |e: hubwasm_core::repo::RepoIdError| Error::invalid_input(format!("{}() option repo: {e}", self.method));
        let repo = if let Some(designation) = value.as_string() {
            match (RepoId::parse(&designation).map_err(bad)?, of_type) {
                (id, Some(wanted)) if id.repo_type() == RepoType::Model && !designation.starts_with("models/") => {
                    RepoId::new(wanted, id.as_str()).map_err(bad)?
                }
                (id, _) => id,
            }
        } else if value.is_object() && !value.is_function() {
            let fields = Options { object: Some(value.clone()), method: self.method };
            let kind =
                fields.string("type")?.ok_or_else(|| self.wrong("repo.type", "a string", &JsValue::UNDEFINED))?;
            let name =
                fields.string("name")?.ok_or_else(|| self.wrong("repo.name", "a string", &JsValue::UNDEFINED))?;
            RepoId::new(kind.parse().map_err(bad)?, &name).map_err(bad)?
        } else {
            return Err(self.wrong("repo", "a repo id string or { type, name }", &value));
        };
        match of_type {
            Some(wanted) if repo.repo_type() != wanted => Err(Error::invalid_input(format!(
                "{}() takes a {} repo, got the {} {}",
                self.method,
                wanted.as_str(),
                repo.repo_type().as_str(),
                repo.as_str()
            ))),
            _ => Ok(repo),
        }
    }

    /// `revision`, checked by hubwasm-core's rules.
    pub(crate) fn revision(&self) -> Result<Option<Revision>, Error> {
        let Some(revision) = self.string("revision")? else { return Ok(None) };
        Revision::parse(&revision)
            .map(Some)
            .map_err(|e| Error::invalid_input(format!("{}() option revision {revision:?}: {e}", self.method)))
    }

    /// A path inside the repo (`name` is the option's), checked by hubwasm-core's rules.
    pub(crate) fn repo_path(&self, name: &str) -> Result<Option<String>, Error> {
        let Some(path) = self.string(name)? else { return Ok(None) };
        validate_path(&path)
            .map_err(|e| Error::invalid_input(format!("{}() option {name} {path:?}: {e}", self.method)))?;
        Ok(Some(path))
    }

    pub(crate) fn required<T>(&self, name: &str, value: Option<T>) -> Result<T, Error> {
        value.ok_or_else(|| Error::invalid_input(format!("{}() needs the option {name}", self.method)))
    }

    /// An option's raw value (`undefined` when absent), for values read by their own rules.
    pub(crate) fn value(&self, name: &str) -> Result<JsValue, Error> {
        self.get(name)
    }

    /// An array of at most `max` values, read item by item.
    pub(crate) fn array(&self, name: &str, max: u32) -> Result<Option<Vec<JsValue>>, Error> {
        let value = self.get(name)?;
        if value.is_undefined() {
            return Ok(None);
        }
        let unreadable = || Error::invalid_input(format!("{}() option {name} cannot be read", self.method));
        if !is_array(&value).map_err(|_| unreadable())? {
            return Err(self.wrong(name, "an array", &value));
        }
        let length = array_length(&value).map_err(|_| unreadable())?;
        if !(0.0..=f64::from(max)).contains(&length) || length.fract() != 0.0 {
            return Err(self.wrong(name, &format!("an array of at most {max} items"), &value));
        }
        (0..length as u32)
            .map(|i| {
                Reflect::get_u32(&value, i)
                    .map_err(|_| Error::invalid_input(format!("reading {}() option {name}[{i}] threw", self.method)))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// The method these options are for, for messages.
    pub(crate) fn method(&self) -> &'static str {
        self.method
    }
}

/// HubClient's cache options: `cache`, `cacheDir`, `offline`, `onWarning`, `cacheSizeLimit` (src/cache/).
pub(crate) fn cache_from(options: &JsValue) -> Result<Option<std::rc::Rc<crate::cache::Cache>>, Error> {
    let o = Options::new(options.clone(), "HubClient")?;
    let cache = o.get("cache")?;
    let offline = o.bool("offline")?.unwrap_or(false);
    let limit = match o.get("cacheSizeLimit")? {
        v if v.is_undefined() => None,
        v => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => Some(n as u64),
            _ => return Err(o.wrong("cacheSizeLimit", "a whole number of bytes", &v)),
        },
    };
    crate::cache::Cache::from_options(cache, o.string("cacheDir")?, offline, o.function("onWarning")?, limit)
}
