//! hf_xet as referee for the binary formats: files uploaded by the official client into a
//! `local://` store must decode with hubwasm-core — every xorb verifies, every shard parses, and
//! every file reconstructs byte for byte with the hashes hf_xet reported.
//!
//! Needs the peers venv, so it is `#[ignore]`d in a plain `cargo test`; `cargo xtask test` runs it
//! with `--ignored` and `HUBWASM_PEERS_PYTHON` set, and it fails if that is missing.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use hubwasm_core::xet::shard;
use hubwasm_core::xet::xorb::{decode_with_hashes, parse_footer};
use hubwasm_core::xet::{chunk_hash, file_hash, hash_file, verification_hash, xorb_hash, BoundaryRule, XetHash};

fn xorshift_bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn test_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let random = xorshift_bytes(3_000_000, 7);
    let floats: Vec<u8> = (0..400_000u32).flat_map(|i| (1.0f32 + i as f32 * 1e-4).to_le_bytes()).collect();
    let text: Vec<u8> =
        b"the quick brown fox jumps over the lazy dog\n".iter().copied().cycle().take(2_000_000).collect();
    // Shares most chunks with `random`: exercises dedup and multi-term files.
    let mut edited = random.clone();
    edited[1_500_000..1_500_100].fill(0);
    edited.extend_from_slice(&xorshift_bytes(200_000, 9));
    let tiny = b"hello xet".to_vec();
    [("random.bin", random), ("floats.bin", floats), ("text.txt", text), ("edited.bin", edited), ("tiny.txt", tiny)]
        .into_iter()
        .map(|(name, data)| {
            let path = dir.join(name);
            fs::write(&path, &data).unwrap();
            (path, data)
        })
        .collect()
}

#[test]
#[ignore = "needs the peers venv: run through `cargo xtask test`"]
fn files_uploaded_by_hf_xet_decode_and_reconstruct() {
    let python = std::env::var("HUBWASM_PEERS_PYTHON").expect("HUBWASM_PEERS_PYTHON must name the peers venv python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../peers/hf_xet_local_upload.py");
    let dir = std::env::temp_dir().join(format!("hubwasm-hf-xet-store-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let files = test_files(&dir);
    let store = dir.join("store");

    let out = Command::new(&python).arg(&script).arg(&store).args(files.iter().map(|f| &f.0)).output().unwrap();
    assert!(out.status.success(), "hf_xet upload failed: {}", String::from_utf8_lossy(&out.stderr));
    let reported: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split("\"hash\": \"").nth(1).unwrap()[..64].to_string())
        .collect();
    assert_eq!(reported.len(), files.len());

    // Our own hashing agrees with what hf_xet reported.
    for ((path, data), hash) in files.iter().zip(&reported) {
        assert_eq!(&hash_file(data, BoundaryRule::Current).hash.to_hex(), hash, "{}", path.display());
    }

    // Every stored xorb: footer parses, chunks decode against the footer's hashes, hashes match the name.
    let mut xorbs: HashMap<XetHash, Vec<Vec<u8>>> = HashMap::new();
    for entry in fs::read_dir(store.join("xet/xorbs/xorbs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(hex) = name.strip_prefix("default.").filter(|h| h.len() == 64) else { continue };
        let bytes = fs::read(&path).unwrap();
        let (footer, footer_start) = parse_footer(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let expected = XetHash::from_hex(hex).unwrap();
        assert_eq!(footer.hash, expected);
        let chunks = decode_with_hashes(&bytes[..footer_start], &footer.chunk_hashes)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let list: Vec<(XetHash, u64)> = chunks.iter().map(|c| (chunk_hash(c), c.len() as u64)).collect();
        assert_eq!(xorb_hash(&list), expected, "{name}");
        xorbs.insert(expected, chunks);
    }
    assert!(!xorbs.is_empty(), "hf_xet wrote no xorbs");

    // Every shard: parses; each file reconstructs exactly, with matching hashes.
    let mut reconstructed = 0;
    for entry in fs::read_dir(store.join("xet/xorbs/shards")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "mdb") {
            continue;
        }
        let parsed = shard::parse(&fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(parsed.footer.is_some(), "stored shards carry a footer");
        for xorb in &parsed.xorbs {
            let chunks = &xorbs[&xorb.hash];
            assert_eq!(xorb.chunks.len(), chunks.len());
            assert_eq!(xorb.raw_len as usize, chunks.iter().map(Vec::len).sum::<usize>());
        }
        for file in &parsed.files {
            let mut bytes = Vec::new();
            let mut chunk_list = Vec::new();
            for (i, term) in file.terms.iter().enumerate() {
                let chunks = &xorbs[&term.xorb][term.chunk_start as usize..term.chunk_end as usize];
                let hashes: Vec<XetHash> = chunks.iter().map(|c| chunk_hash(c)).collect();
                if let Some(v) = &file.verification {
                    assert_eq!(v[i], verification_hash(hashes.iter().copied()), "verification hash of term {i}");
                }
                assert_eq!(term.raw_len as usize, chunks.iter().map(Vec::len).sum::<usize>());
                for (c, h) in chunks.iter().zip(hashes) {
                    chunk_list.push((h, c.len() as u64));
                    bytes.extend_from_slice(c);
                }
            }
            assert_eq!(file_hash(&chunk_list), file.hash);
            let (path, data) = files
                .iter()
                .zip(&reported)
                .find(|(_, h)| **h == file.hash.to_hex())
                .map(|(f, _)| f)
                .expect("every file in the shard is one we uploaded");
            assert_eq!(&bytes, data, "{} reconstructs byte for byte", path.display());
            if let Some(sha) = file.sha256 {
                assert_eq!(sha, hubwasm_core::lfs::Sha256::digest(data));
            }
            reconstructed += 1;
        }
    }
    assert_eq!(reconstructed, files.len(), "every uploaded file is in a shard");
    let _ = fs::remove_dir_all(&dir);
}
