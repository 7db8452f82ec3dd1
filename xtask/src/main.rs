//! `cargo xtask <command>`: everything a new machine needs, from the registries only.
//!
//! setup  install the toolchain pieces the repo needs (idempotent, quick when present)
//! build  release wasm build, wasm-bindgen, wasm-opt, then the npm package in dist/npm
//! test   setup + build + every test suite; fails if any suite fails or runs no test
//! demo   build, then the Node tour (examples/node/tour.mjs)
//! bench  side-by-side throughput against the peers (figures, never assertions)
//! fuzz [SECONDS]  every fuzz target for a bounded time (default 60 s each)
//! xet-hash FILE…  native Xet hashes as JSON lines (used by the hf_xet comparison)
//! hub    the seeded localhub the js suites use, kept running until stdin closes (run one suite by hand)

mod bench;
mod build;
mod counts;
mod demo;
mod fuzz;
mod localhub;
mod setup;
mod shell;
mod test;
mod xet_hash;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        // Every verb installs what it needs first, so each one works on a fresh clone.
        Some("build") => setup::for_build().and_then(|()| build::run()).map(|_| ()),
        Some("test") => test::run(),
        Some("demo") => demo::run(),
        Some("bench") => bench::run(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("xet-hash") => xet_hash::run(&args[1..]),
        Some("hub") => setup::run().and_then(|()| test::serve_fixtures()),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | build | test | demo | bench | fuzz [SECONDS] | xet-hash FILE… | hub>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask has a parent").to_path_buf()
}
