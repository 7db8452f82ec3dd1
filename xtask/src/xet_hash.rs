//! `cargo xtask xet-hash FILE…`: Xet hashes computed natively by hubwasm-core, one JSON object
//! per line (`path`, `hash`, `size`, `sha256`) — the native side of the hf_xet comparison.
//! `--no-sha256` skips the SHA-256 (hf_xet.hash_files does not compute it either).

use std::fs::File;
use std::io::Read;

use hubwasm_core::xet::{BoundaryRule, FileHasher};

use crate::Result;

pub fn run(args: &[String]) -> Result {
    let with_sha256 = !args.iter().any(|a| a == "--no-sha256");
    let paths: Vec<&String> = args.iter().filter(|a| *a != "--no-sha256").collect();
    let mut buf = vec![0u8; 8 << 20];
    for path in paths {
        let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
        let mut hasher = FileHasher::with_sha256(BoundaryRule::Current, with_sha256);
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
            digest.sha256.map(|d| hubwasm_core::hex::encode(&d)).unwrap_or_default()
        );
    }
    Ok(())
}
