//! Shared by localhub's integration tests: a server on free ports in a fresh data folder, and a
//! small blocking HTTP client that returns every status instead of failing on 4xx/5xx.
#![allow(dead_code)]

use std::path::PathBuf;

pub use hubwasm_core::xet::test_data::splitmix64_bytes as splitmix;

pub const WRITE: &str = localhub::DEMO_WRITE_TOKEN;
pub const READ: &str = localhub::DEMO_READ_TOKEN;

pub struct Running {
    pub url: String,
    pub data: PathBuf,
    runtime: Option<tokio::runtime::Runtime>,
    keep_data: bool,
}

impl Running {
    /// Stops the server and removes its data folder.
    pub fn stop(self) {}

    /// Stops the server (drops its runtime), keeping the data folder for a server started on it
    /// next (which removes it in turn).
    pub fn stop_keeping_data(mut self) -> PathBuf {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        self.keep_data = true;
        self.data.clone()
    }
}

impl Drop for Running {
    // Each test's data folder goes with its server: left behind, a full run leaves about 40 MB
    // per test in the temp folder.
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        if !self.keep_data {
            let _ = std::fs::remove_dir_all(&self.data);
        }
    }
}

pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("localhub-test-{name}-{}-{}", std::process::id(), rand_suffix()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000_007
}

pub fn start(data: PathBuf) -> Running {
    start_with(data, |_| {})
}

/// The token that opens `/admin` on servers started by [`start_with_admin`].
pub const ADMIN: &str = "localhub-test-admin";

/// A server whose `/admin` routes take [`ADMIN`].
pub fn start_with_admin(data: PathBuf) -> Running {
    start_with(data, |c| c.admin_token = Some(ADMIN.into()))
}

/// A server with the test accounts, configured further by `configure`.
pub fn start_with(data: PathBuf, configure: impl FnOnce(&mut localhub::Config)) -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut config = localhub::Config::new(data.clone());
    config.users = vec![
        ("stranger".into(), "hf_stranger_write".into(), "write".into()),
        ("colleague".into(), "hf_colleague_write".into(), "write".into()),
    ];
    config.orgs = vec![("team".into(), vec!["colleague".into(), "demo".into()])];
    configure(&mut config);
    let server = runtime.block_on(localhub::start(config)).map_err(|e| e.message).unwrap();
    Running { url: server.url.clone(), data, runtime: Some(runtime), keep_data: false }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

fn finish(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.expect("request reached the server");
    let headers = r.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let status = r.status().as_u16();
    let body = r.body_mut().with_config().limit(1 << 30).read_to_vec().unwrap_or_default();
    Reply { status, headers, body }
}

pub fn get(url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Reply {
    let mut req = agent().get(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    finish(req.call())
}

pub fn send(method: &str, url: &str, token: Option<&str>, content_type: &str, body: &[u8]) -> Reply {
    let a = agent();
    let mut req = match method {
        "POST" => a.post(url),
        "PUT" => a.put(url),
        "DELETE" => a.delete(url).force_send_body(),
        other => panic!("method {other}"),
    };
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    finish(req.header("Content-Type", content_type).send(body))
}

pub fn post_json(url: &str, token: Option<&str>, body: &serde_json::Value) -> Reply {
    send("POST", url, token, "application/json", body.to_string().as_bytes())
}

pub fn create_repo(url: &str, name: &str, private: bool) {
    let r = post_json(
        &format!("{url}/api/repos/create"),
        Some(WRITE),
        &serde_json::json!({ "name": name, "organization": "demo", "private": private }),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// A write token for the CAS of `demo/{repo}`: (casUrl, accessToken, exp).
pub fn xet_write_token(url: &str, repo: &str) -> (String, String, i64) {
    let r = get(&format!("{url}/api/models/demo/{repo}/xet-write-token/main"), Some(WRITE), &[]);
    assert_eq!(r.status, 200);
    let v = r.json();
    (v["casUrl"].as_str().unwrap().into(), v["accessToken"].as_str().unwrap().into(), v["exp"].as_i64().unwrap())
}

/// Plans `files` with hubwasm-core's upload planner and uploads the xorbs and the shard to the
/// CAS of `demo/{repo}`; returns each file's identity.
pub fn upload_with_planner(url: &str, repo: &str, files: &[&[u8]]) -> Vec<hubwasm_core::xet::PlannedFileInfo> {
    upload_with_planner_in_xorbs_of(url, repo, files, hubwasm_core::xet::xorb::MAX_XORB_BYTES)
}

/// [`upload_with_planner`] with xorbs of at most `max_xorb_bytes` (several xorbs from a small file).
pub fn upload_with_planner_in_xorbs_of(
    url: &str,
    repo: &str,
    files: &[&[u8]],
    max_xorb_bytes: usize,
) -> Vec<hubwasm_core::xet::PlannedFileInfo> {
    use hubwasm_core::xet::{BoundaryRule, UploadPlanner};
    let (cas, token, _) = xet_write_token(url, repo);
    let mut planner = UploadPlanner::new(BoundaryRule::Current).with_max_xorb_bytes(max_xorb_bytes);
    let mut infos = Vec::new();
    let push_xorbs = |p: &mut UploadPlanner| {
        while let Some(x) = p.take_xorb() {
            let r = send(
                "POST",
                &format!("{cas}/v1/xorbs/default/{}", x.hash),
                Some(&token),
                "application/octet-stream",
                &x.bytes,
            );
            assert_eq!(r.status, 200, "xorb upload: {}", String::from_utf8_lossy(&r.body));
        }
    };
    for data in files {
        for piece in data.chunks(1 << 20) {
            planner.update(piece).expect("an open planner");
            push_xorbs(&mut planner);
        }
        infos.push(planner.finish_file().expect("an open planner"));
    }
    let shard = planner.finish().expect("an open planner").expect("files with content");
    push_xorbs(&mut planner);
    let r = send("POST", &format!("{cas}/v1/shards"), Some(&token), "application/octet-stream", &shard);
    assert_eq!(r.status, 200, "shard upload: {}", String::from_utf8_lossy(&r.body));
    infos
}

/// Commits `paths` as LFS files (by sha256) to `demo/{repo}` main.
pub fn commit_lfs(url: &str, repo: &str, files: &[(&str, &hubwasm_core::xet::PlannedFileInfo)]) -> String {
    let mut body = serde_json::json!({ "key": "header", "value": { "summary": "add files" } }).to_string();
    for (path, info) in files {
        let line = serde_json::json!({ "key": "lfsFile", "value": { "path": path, "algo": "sha256", "oid": hex::encode(info.sha256), "size": info.size } });
        body.push('\n');
        body.push_str(&line.to_string());
    }
    let r = send(
        "POST",
        &format!("{url}/api/models/demo/{repo}/commit/main"),
        Some(WRITE),
        "application/x-ndjson",
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "commit: {}", String::from_utf8_lossy(&r.body));
    r.json()["commitOid"].as_str().unwrap().to_string()
}
