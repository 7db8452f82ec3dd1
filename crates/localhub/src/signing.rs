//! Presigned storage URLs: a signature over the method, the route, the object and every query
//! parameter (repo, size, part count, ranges, expiry), so a URL grants exactly one operation on
//! one object and nothing else.

use std::path::Path;

use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use sha2::{Digest, Sha256};

use crate::ctx::Ctx;
use crate::http::{now_unix, HubError, HubResult};

/// Lifetime of presigned storage URLs.
pub const URL_LIFETIME_SECS: i64 = 3600;

/// Characters escaped in query values (the ones with a meaning in a query string).
const QUERY_VALUE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'&').add(b'+').add(b'=');

pub struct Signer {
    key: [u8; 32],
}

impl Signer {
    /// The key is created once per data folder so that URLs survive restarts.
    pub fn load_or_create(root: &Path) -> HubResult<Self> {
        let path = root.join("signing.key");
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
                return Ok(Self { key });
            }
        }
        let key: [u8; 32] = rand::random();
        write_private(&path, &key)?;
        Ok(Self { key })
    }

    /// A key derived for another purpose (`label`, `data`), so the signing key itself never leaves.
    pub fn derive(&self, label: &str, data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(label.as_bytes());
        h.update([0]);
        h.update(data);
        h.finalize().into()
    }

    /// The query string presigning `method` on `path` (decoded, e.g. `/lfs-cdn/{oid}`) with
    /// these parameters; `exp` and `sig` are appended.
    pub fn sign(&self, method: &str, path: &str, params: &[(&str, String)]) -> String {
        let exp = (now_unix() + URL_LIFETIME_SECS).to_string();
        let mut all: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("exp", &exp));
        let sig = self.signature(method, path, &all);
        let mut query: Vec<String> =
            all.iter().map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE))).collect();
        query.push(format!("sig={sig}"));
        query.join("&")
    }

    /// Checks that the request is the one its URL was signed for and has not expired. HEAD
    /// counts as GET.
    pub fn check(&self, ctx: &Ctx) -> HubResult<()> {
        let refused = || HubError::forbidden("Request has expired or its signature does not match");
        let exp: i64 = ctx.query("exp").and_then(|e| e.parse().ok()).ok_or_else(refused)?;
        let sig = ctx.query("sig").ok_or_else(refused)?;
        if exp < now_unix() || ctx.query.iter().filter(|(k, _)| k == "sig").count() != 1 {
            return Err(refused());
        }
        let method = if ctx.is_head() { "GET" } else { ctx.method.as_str() };
        let path = format!("/{}", ctx.segments.join("/"));
        let params: Vec<(&str, &str)> =
            ctx.query.iter().filter(|(k, _)| k != "sig").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if !constant_time_eq(self.signature(method, &path, &params).as_bytes(), sig.as_bytes()) {
            return Err(refused());
        }
        Ok(())
    }

    fn signature(&self, method: &str, path: &str, params: &[(&str, &str)]) -> String {
        let mut sorted = params.to_vec();
        sorted.sort_unstable();
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        // Length-prefixed fields: no two different requests share a signed text.
        for field in [method, path].into_iter().chain(sorted.iter().flat_map(|(k, v)| [*k, *v])) {
            mac.update(&(field.len() as u64).to_le_bytes());
            mac.update(field.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Writes a secret readable by its owner only (0600 where the platform has modes).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
