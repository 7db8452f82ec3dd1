//! `cargo xtask bench`: criterion benchmarks of hubwasm-core's hot loops, then hubwasm beside its
//! peers on the same bytes in one run (bench/*.mjs): hashing, the web figures (a `File` in Chromium,
//! uploads from a page, workerd cold start), then downloading and uploading large Xet files against
//! a localhub (release build, so the server is not what is measured).
//! Machines here are noisy: read the ratios, not the absolute figures.

use std::process::{Command, Stdio};

use crate::localhub::Localhub;
use crate::shell::exec;
use crate::{build, root, setup, Result};

pub fn run() -> Result {
    // BENCH_ONLY=download or upload: the package and that bench alone.
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("download") => {
            setup::for_bench()?;
            build::run()?;
            return download();
        }
        Ok("upload") => {
            setup::for_bench()?;
            build::run()?;
            return upload();
        }
        _ => {}
    }
    setup::for_bench()?;
    // Native hot loops, one thread (criterion prints time and throughput per benchmark).
    exec(
        Command::new("cargo")
            .args(["bench", "--package", "hubwasm-core", "--features", "std", "--bench", "xet"])
            .current_dir(root()),
    )?;
    build::run()?;
    // The native side runs through this xtask binary (`xet-hash`), already built by cargo.
    exec(Command::new("node").arg("xet-hash.mjs").current_dir(root().join("bench")))?;
    web()?;
    cache_browser()?;
    download()?;
    upload()?;
    cache()
}

/// The release localhub the network benches talk to, in a fresh data folder named after `name`.
fn release_localhub(name: &str) -> Result<Localhub> {
    exec(Command::new("cargo").args(["build", "--quiet", "--release", "--package", "localhub"]).current_dir(root()))?;
    Localhub::spawn(Command::new(root().join("target/release/localhub")), name)
}

/// Chromium (a File beside the same bytes, main-thread tasks, uploads from one page beside
/// @huggingface/hub) and workerd cold start. BENCH_WEB_MIB (default 200) sets the file size.
fn web() -> Result {
    let hub = release_localhub("bench-web")?;
    exec(Command::new("node").arg("web.mjs").arg(&hub.url).current_dir(root().join("bench")))
}

/// Chromium: first vs cached download of a BENCH_CACHE_MIB (default 200) MiB file, OPFS and
/// IndexedDB, beside a download with no cache.
fn cache_browser() -> Result {
    let hub = release_localhub("bench-cache-browser")?;
    exec(Command::new("node").arg("cache-browser.mjs").arg(&hub.url).current_dir(root().join("bench")))
}

/// BENCH_MIB (default 1024) MiB uploaded once by hf_xet, then downloaded by each client in turn.
fn download() -> Result {
    let hub = release_localhub("bench")?;
    println!("\n=== download bench: seeding with the Python client ===");
    let seed_path = seed(&hub, None)?;
    exec(
        Command::new("node")
            .arg("download.mjs")
            .arg(&hub.url)
            .arg(&seed_path)
            .env("BENCH_PYTHON", setup::peers_python())
            .current_dir(root().join("bench")),
    )
}

/// One fresh random file uploaded by hf_xet (bench/seed_download.py; `mib` overrides BENCH_MIB):
/// the path of the JSON that names it, kept in the localhub's data folder.
fn seed(hub: &Localhub, mib: Option<&str>) -> Result<std::path::PathBuf> {
    let mut command = Command::new(setup::peers_python());
    command.arg("seed_download.py").arg(&hub.url).current_dir(root().join("bench")).stderr(Stdio::inherit());
    if let Some(mib) = mib {
        command.env("BENCH_MIB", mib);
    }
    let seed = command.output().map_err(|e| format!("running seed_download.py: {e}"))?;
    if !seed.status.success() {
        return Err(format!("seed_download.py failed ({})", seed.status));
    }
    let seed_path = hub.data.join("bench-seed.json");
    std::fs::write(&seed_path, &seed.stdout).map_err(|e| format!("{}: {e}", seed_path.display()))?;
    Ok(seed_path)
}

/// BENCH_UPLOAD_MIB (default 1024) MiB of fresh random bytes uploaded by each client in turn to a
/// fresh localhub (release build, like the download bench); BENCH_UPLOAD_CLIENTS (a comma list
/// of bench/upload.mjs's client names) runs some of them only.
fn upload() -> Result {
    let hub = release_localhub("bench-upload")?;
    println!("\n=== upload bench ===");
    exec(
        Command::new("node")
            .arg("upload.mjs")
            .arg(&hub.url)
            .env("BENCH_PYTHON", setup::peers_python())
            .current_dir(root().join("bench")),
    )
}

/// BENCH_CACHE_MIB (default 200) MiB uploaded once by hf_xet, then downloaded twice per cache
/// backend (the HF folder in Node and Deno, memory, the Cache API in workerd): first vs cached MB/s.
fn cache() -> Result {
    let hub = release_localhub("bench-cache")?;
    println!("\n=== cache bench: seeding with the Python client ===");
    let mib = std::env::var("BENCH_CACHE_MIB").unwrap_or_else(|_| "200".into());
    let seed_path = seed(&hub, Some(&mib))?;
    exec(Command::new("node").arg("cache.mjs").arg(&hub.url).arg(&seed_path).current_dir(root().join("bench")))
}
