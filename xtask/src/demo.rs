//! `cargo xtask demo`: build the package, then run the Node tour of what the SDK can do.

use std::process::Command;

use crate::shell::exec;
use crate::{build, setup, Result};

pub fn run() -> Result {
    setup::for_build()?;
    let built = build::run()?;
    let tour = crate::root().join("examples/node/tour.mjs");
    println!("demo: running {} against {}", tour.display(), built.package_dir.display());
    exec(Command::new("node").arg(&tour).current_dir(crate::root().join("examples/node")))
}


