//! Starts the `localhub` binary for suites and demos that talk to a Hub over HTTP, and stops it
//! (and removes its data folder) when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::shell::exec;
use crate::{root, Result};

/// Opens the localhub's `/admin` routes (faults) for the suites; `peers/conformance_hub.py`
/// sends the same value (its `ADMIN` constant).
pub const ADMIN_TOKEN: &str = "localhub-conformance-admin";

/// A provider key the router accepts (js-tests/scenarios/inference.js sends it as a provider's own key).
pub const PROVIDER_KEY: &str = "localhub-provider-key";

pub struct Localhub {
    child: Child,
    pub url: String,
    pub data: PathBuf,
}

impl Localhub {
    /// Builds localhub (debug: quick, and fast enough for tests) and starts it on free ports in a
    /// fresh data folder, with the extra users the conformance checks need and `/admin` open to
    /// [`ADMIN_TOKEN`]. CORS stays at its default (pages served from loopback origins).
    pub fn start(name: &str) -> Result<Self> {
        exec(Command::new("cargo").args(["build", "--quiet", "--package", "localhub"]).current_dir(root()))?;
        let mut command = Command::new(root().join("target/debug/localhub"));
        // `hub.js` is the CI account of @huggingface/hub's own specs (peers/hubjs-specs).
        command
            .args(["--user", "stranger:hf_stranger_write:write", "--user", "hub.js:hf_hub.js:write"])
            .args(["--admin-token", ADMIN_TOKEN])
            .args(["--provider-key", PROVIDER_KEY]);
        let hub = Self::spawn(command, name)?;
        println!("localhub for {name}: {}", hub.url);
        Ok(hub)
    }
}

impl Localhub {
    /// Starts `command` (a localhub binary with its extra flags) on free ports in a fresh data
    /// folder named after `name`, and waits for its ready line.
    pub fn spawn(mut command: Command, name: &str) -> Result<Self> {
        let data = root().join("target/localhub-runs").join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut child = command
            .args(["--port", "0", "--data"])
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting localhub: {e}"))?;
        let stdout = child.stdout.take().ok_or("localhub stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("localhub ready at ") {
                        break url.trim().to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("localhub exited before printing its ready line".into());
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, url, data })
    }
}

impl Drop for Localhub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
