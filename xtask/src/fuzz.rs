//! `cargo xtask fuzz [SECONDS]`: every cargo-fuzz target in fuzz/ for a bounded time each
//! (default 60 s). Installs cargo-fuzz and the nightly toolchain it needs when missing.

use std::process::Command;

use crate::shell::{cargo_bin, exec, read};
use crate::{root, Result};

const TARGETS: &[&str] = &[
    "xorb_decode",
    "lz4_frame",
    "shard_parse",
    "reconstruct_json",
    "range_header",
    "commit_body",
    "repo_path",
    "gitattributes",
    "retry_after",
    "next_link",
    "error_body",
    "sse",
];

pub fn run(args: &[String]) -> Result {
    let seconds: u64 = match args.first() {
        Some(s) => s.parse().map_err(|_| format!("fuzz takes a number of seconds per target, got {s:?}"))?,
        None => 60,
    };
    let toolchains = read(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        exec(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    if read(Command::new(cargo_bin("cargo-fuzz")).arg("--version")).is_none() {
        println!("fuzz: installing cargo-fuzz (a few minutes, once)");
        exec(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    for target in TARGETS {
        println!("\n=== fuzz {target} ({seconds} s) ===");
        // The working corpus grows in fuzz/corpus (ignored by git); fuzz/seeds holds committed
        // starting points for inputs random bytes rarely reach (JSON shapes).
        let corpus = root().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("creating {}: {e}", corpus.display()))?;
        let mut cmd = Command::new("cargo");
        cmd.args(["+nightly", "fuzz", "run", target]).arg(&corpus);
        let seeds = root().join("fuzz/seeds").join(target);
        if seeds.is_dir() {
            cmd.arg(seeds);
        }
        cmd.args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=2048"]);
        exec(cmd.current_dir(root().join("fuzz")))?;
    }
    println!("fuzz: {} targets ran {seconds} s each without a crash", TARGETS.len());
    Ok(())
}
