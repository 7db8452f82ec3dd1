//! `cargo xtask bench`: criterion benchmarks of hubwasm-core's hot loops, then hubwasm beside its
//! peers on the same bytes in one run (bench/*.mjs).
//! Machines here are noisy: read the ratios, not the absolute figures.

use std::process::Command;

use crate::shell::exec;
use crate::{build, root, setup, Result};

pub fn run() -> Result {
    setup::for_bench()?;
    // Native hot loops, one thread (criterion prints time and throughput per benchmark).
    exec(
        Command::new("cargo")
            .args(["bench", "--package", "hubwasm-core", "--features", "std", "--bench", "xet"])
            .current_dir(root()),
    )?;
    build::run()?;
    // The native side runs through this xtask binary (`xet-hash`), already built by cargo.
    exec(Command::new("node").arg("xet-hash.mjs").current_dir(root().join("bench")))
}
