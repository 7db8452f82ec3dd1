//! `cargo xtask xet-hash FILE…`: Xet hashes computed natively by hubwasm-core, one JSON object
//! per line (`path`, `hash`, `size`, `sha256`) — the native side of the hf_xet comparison.

use std::fs::File;
use std::io::Read;

use hubwasm_core::xet::{BoundaryRule, FileHasher};

use crate::Result;

pub fn run(paths: &[String]) -> Result {
    let mut buf = vec![0u8; 8 << 20];
    for path in paths {
        let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
        let mut hasher = FileHasher::new(BoundaryRule::Current);
        loop {
            let n = file.read(&mut buf).map_err(|e| format!("{path}: {e}"))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let digest = hasher.finish();
        println!(
            "{{\"path\":{path:?},\"hash\":\"{}\",\"size\":{},\"sha256\":\"{}\"}}",
            digest.hash,
            digest.size,
            hubwasm_core::hex::encode(&digest.sha256)
        );
    }
    Ok(())
}
