//! `cargo xtask demo`: build the package, start a localhub, then run the Node tour of what the SDK
//! can do.

use std::process::Command;

use crate::shell::exec;
use crate::{build, setup, Result};

pub fn run() -> Result {
    setup::for_build()?;
    let built = build::run()?;
    let tour = crate::root().join("examples/node/tour.mjs");
    // The tour's upload section talks to a local Hub; it stops (and its data goes) with the demo.
    let hub = crate::localhub::Localhub::start("demo")?;
    println!("demo: running {} against {}", tour.display(), built.package_dir.display());
    exec(Command::new("node").arg(&tour).env("LOCALHUB_URL", &hub.url).current_dir(crate::root().join("examples/node")))
}
