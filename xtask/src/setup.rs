//! `cargo xtask setup`: install what the repo needs, from the package registries only.
//! Every step checks first and does nothing when its tool is already there.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::shell::{cargo_bin, exec, read};
use crate::{root, Result};

/// Rust targets: the wasm build and a target with no std at all (proves hubwasm-core is no_std).
const TARGETS: &[&str] = &["wasm32-unknown-unknown", "thumbv7em-none-eabihf"];
const WASM_PACK_VERSION: &str = "0.15.1";

/// Everything: what the build needs plus the test tools (wasm-pack, Chromium, the peers).
pub fn run() -> Result {
    for_build()?;
    rust_components()?;
    wasm_pack()?;
    chromium()?;
    peers_venv()?;
    npm_packages(&root().join("peers/hubjs-specs"))?;
    println!("setup: everything is in place");
    Ok(())
}

/// What `cargo xtask build` needs: Rust targets, the pinned wasm-bindgen CLI, npm packages (binaryen).
pub fn for_build() -> Result {
    rust_targets()?;
    wasm_bindgen_cli()?;
    npm_packages(&root().join("js-tests"))
}

/// What `cargo xtask bench` needs on top of the build: the peers' npm packages and the venv.
pub fn for_bench() -> Result {
    for_build()?;
    npm_packages(&root().join("bench"))?;
    peers_venv()
}

/// rustfmt and clippy run in the lint gate of `cargo xtask test`.
fn rust_components() -> Result {
    let installed = read(Command::new("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(&format!("{c}-"))))
        .collect();
    if !missing.is_empty() {
        println!("setup: adding Rust components {missing:?}");
        exec(Command::new("rustup").arg("component").arg("add").args(&missing))?;
    }
    Ok(())
}

fn rust_targets() -> Result {
    let installed = read(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    let missing: Vec<&str> = TARGETS.iter().copied().filter(|t| !installed.lines().any(|l| l == *t)).collect();
    if !missing.is_empty() {
        println!("setup: adding Rust targets {missing:?}");
        exec(Command::new("rustup").arg("target").arg("add").args(&missing))?;
    }
    Ok(())
}

/// The wasm-bindgen version pinned in the root Cargo.toml (`wasm-bindgen = "=X.Y.Z"`).
pub fn pinned_wasm_bindgen() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm-bindgen = \"="))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
        .ok_or_else(|| "Cargo.toml must pin wasm-bindgen as `wasm-bindgen = \"=X.Y.Z\"`".into())
}

fn wasm_bindgen_cli() -> Result {
    let want = pinned_wasm_bindgen()?;
    let have = read(Command::new(cargo_bin("wasm-bindgen")).arg("--version")).unwrap_or_default();
    if have != format!("wasm-bindgen {want}") {
        println!("setup: installing wasm-bindgen-cli {want} (a few minutes, once)");
        exec(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--force", "--version", &want]))?;
    }
    Ok(())
}

fn wasm_pack() -> Result {
    let have = read(Command::new(cargo_bin("wasm-pack")).arg("--version")).unwrap_or_default();
    if have != format!("wasm-pack {WASM_PACK_VERSION}") {
        println!("setup: installing wasm-pack {WASM_PACK_VERSION} (a few minutes, once)");
        exec(Command::new("cargo").args([
            "install",
            "wasm-pack",
            "--locked",
            "--force",
            "--version",
            WASM_PACK_VERSION,
        ]))?;
    }
    Ok(())
}

/// Installs a folder's npm packages at the committed lockfile's versions, skipped while
/// node_modules matches it. Not `npm ci`: the registry mirror lacks some other platforms'
/// optional binaries (e.g. `@deno/darwin-arm64`), which `npm ci` refuses as an out-of-sync lock.
fn npm_packages(dir: &Path) -> Result {
    let lock =
        fs::read(dir.join("package-lock.json")).map_err(|e| format!("{}/package-lock.json: {e}", dir.display()))?;
    let stamp_path = dir.join("node_modules/.hubwasm-lock-stamp");
    let stamp = format!("{:016x}", fnv1a(&lock));
    if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    println!("setup: npm install in {} (lockfile versions)", dir.display());
    exec(Command::new("npm").args(["install", "--no-save", "--no-audit", "--no-fund"]).current_dir(dir))?;
    fs::write(&stamp_path, stamp).map_err(|e| e.to_string())
}

fn chromium() -> Result {
    let present = |p: &str| Path::new(p).exists();
    if present("/usr/bin/chromium") && present("/usr/bin/chromedriver") {
        return Ok(());
    }
    let is_root = read(Command::new("id").arg("-u")).as_deref() == Some("0");
    if !is_root {
        return Err("Chromium is missing: run `sudo apt-get install -y chromium chromium-driver`, then again".into());
    }
    println!("setup: installing chromium and chromium-driver from apt");
    exec(Command::new("apt-get").arg("update").arg("-qq"))?;
    exec(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// The Python venv with the official clients (peers/requirements.txt), used as referees.
pub fn peers_python() -> std::path::PathBuf {
    root().join("target/peers-venv/bin/python")
}

fn peers_venv() -> Result {
    let requirements = root().join("peers/requirements.txt");
    let wanted = fs::read(&requirements).map_err(|e| format!("peers/requirements.txt: {e}"))?;
    let venv = root().join("target/peers-venv");
    let stamp_path = venv.join(".hubwasm-requirements-stamp");
    let stamp = format!("{:016x}", fnv1a(&wanted));
    if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    println!("setup: creating the peers venv (huggingface_hub, hf_xet)");
    if !peers_python().exists() {
        exec(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    exec(
        Command::new(peers_python())
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
    )?;
    fs::write(&stamp_path, stamp).map_err(|e| e.to_string())
}

/// A small stable hash, enough to notice that a lockfile changed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
