//! The other direction of the Xet referee: xorbs and a shard written by hubwasm-core's upload
//! planner, stored by localhub, are restored byte for byte by the official hf_xet (its own CAS
//! client, straight from the reconstruction API) and by huggingface_hub's `hf_hub_download`.
//! Needs the peers venv (`cargo xtask test` sets HUBWASM_PEERS_PYTHON).

mod common;

use std::process::Command;

use common::*;

#[test]
#[ignore = "needs the peers venv: run through `cargo xtask test`"]
fn hf_xet_restores_files_uploaded_by_hubwasm_core() {
    let python = std::env::var("HUBWASM_PEERS_PYTHON").expect("HUBWASM_PEERS_PYTHON");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../peers/hf_xet_restore.py");
    let server = start(fresh_dir("restore"));
    create_repo(&server.url, "restore", false);
    let a = splitmix(1, 5_000_000);
    let mut b = a.clone(); // an edited copy: shares most chunks with `a`
    b[2_500_000..2_500_064].fill(7);
    let c = b"tiny file, one chunk".to_vec();
    let constant = vec![0x5au8; 1_000_000];
    let files: Vec<(&str, &[u8])> = vec![("a.bin", &a), ("b.bin", &b), ("c.bin", &c), ("constant.bin", &constant)];
    let infos = upload_with_planner(&server.url, "restore", &files.iter().map(|f| f.1).collect::<Vec<_>>());
    commit_lfs(&server.url, "restore", &files.iter().zip(&infos).map(|(f, i)| (f.0, i)).collect::<Vec<_>>());

    let dir = fresh_dir("restore-out");
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = vec![server.url.clone(), WRITE.to_string(), "demo/restore".into(), dir.display().to_string()];
    for ((path, _), info) in files.iter().zip(&infos) {
        args.push(format!("{path}:{}:{}", info.hash, info.size));
    }
    let out = Command::new(&python)
        .arg(script)
        .args(&args)
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("HF_XET_TELEMETRY_ENABLED", "false")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hf_xet_restore.py failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for (path, data) in &files {
        for how in ["hf_xet", "hf_hub_download"] {
            let got = std::fs::read(dir.join(how).join(path)).unwrap();
            assert!(got == *data, "{how} restored {path} differently ({} vs {} bytes)", got.len(), data.len());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    server.stop();
}
