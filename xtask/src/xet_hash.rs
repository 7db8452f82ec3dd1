//! `cargo xtask xet-hash FILE…`: Xet hashes computed natively by hubwasm-core, one JSON object
//! per line (`path`, `hash`, `size`, `sha256`, `seconds`) — the native side of the hf_xet comparison.
//! `--no-sha256` skips the SHA-256 (hf_xet.hash_files does not compute it either).
//!
//! hubwasm-core is single-threaded and sans-I/O; this host spreads its work over two threads, like
//! hf_xet uses its cores: each 16 MiB segment's boundary candidates are found in two halves at
//! once (exact: see `boundary_candidates`), the cuts follow in one cheap pass, and the chunks are
//! hashed (BLAKE3) in two halves; a third thread computes the SHA-256. Results are identical to
//! `FileHasher`, which the tests check.

use std::fs::File;
use std::io::Read;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use hubwasm_core::lfs::Sha256;
use hubwasm_core::xet::{boundary_candidates, chunk_hash, cuts_from_candidates, file_hash, XetHash, MAX_CHUNK_SIZE};

use crate::Result;

/// Segments in flight to the SHA-256 worker: bounds memory whatever the file size.
const QUEUE: usize = 2;
/// Bytes of lead-in a gear window needs.
const WINDOW: usize = 64;

pub fn run(args: &[String]) -> Result {
    let with_sha256 = !args.iter().any(|a| a == "--no-sha256");
    for path in args.iter().filter(|a| *a != "--no-sha256") {
        let started = std::time::Instant::now();
        let (hash, size, sha256) = hash_path(path, with_sha256)?;
        // From opening the file to the hash: comparable with the in-process time of hf_xet.
        let seconds = started.elapsed().as_secs_f64();
        let sha256 = sha256.map(|d| hubwasm_core::hex::encode(&d)).unwrap_or_default();
        println!(
            "{{\"path\":{path:?},\"hash\":\"{hash}\",\"size\":{size},\"sha256\":\"{sha256}\",\"seconds\":{seconds}}}"
        );
    }
    Ok(())
}

/// Bytes read per step; the unfinished chunk at its end is carried into the next step.
const SEGMENT: usize = 16 << 20;

fn hash_path(path: &str, with_sha256: bool) -> Result<(XetHash, u64, Option<[u8; 32]>)> {
    let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let sha_worker = with_sha256.then(|| {
        let (tx, rx) = mpsc::sync_channel::<Arc<Vec<u8>>>(QUEUE);
        let handle = thread::spawn(move || {
            let mut sha = Sha256::new();
            for block in rx {
                sha.update(&block);
            }
            sha.finalize()
        });
        (tx, handle)
    });
    let mut buf = vec![0u8; MAX_CHUNK_SIZE + SEGMENT];
    let mut carried = 0; // bytes of the unfinished chunk at the start of `buf`
    let mut chunks: Vec<(XetHash, u64)> = Vec::new();
    let mut size = 0u64;
    loop {
        let mut len = carried;
        while len < buf.len() {
            let n = file.read(&mut buf[len..]).map_err(|e| format!("{path}: {e}"))?;
            if n == 0 {
                break;
            }
            len += n;
        }
        let last = len < buf.len();
        size += (len - carried) as u64;
        if let Some((tx, _)) = &sha_worker {
            tx.send(Arc::new(buf[carried..len].to_vec())).map_err(|_| "SHA-256 worker stopped")?;
        }
        let data = &buf[..len];
        let cuts = cuts_from_candidates(&candidates_in_parallel(data), len, last);
        chunks.extend(hash_chunks_in_parallel(data, &cuts));
        let consumed = cuts.last().copied().unwrap_or(0);
        buf.copy_within(consumed..len, 0);
        carried = len - consumed;
        if last {
            break;
        }
    }
    let sha256 = match sha_worker {
        Some((tx, handle)) => {
            drop(tx);
            Some(handle.join().map_err(|_| "SHA-256 worker panicked")?)
        }
        None => None,
    };
    Ok((file_hash(&chunks), size, sha256))
}

/// Boundary candidates of `data`, the two halves scanned at once (the second with a window of
/// lead-in): the gear window does not depend on where chunks start, so this is exact.
fn candidates_in_parallel(data: &[u8]) -> Vec<usize> {
    let mid = data.len() / 2;
    let lead = mid.min(WINDOW);
    thread::scope(|s| {
        let second = s.spawn(|| {
            let mut out = Vec::new();
            boundary_candidates(&data[mid - lead..], lead, &mut out);
            out
        });
        let mut all = Vec::new();
        boundary_candidates(&data[..mid], 0, &mut all);
        all.extend(second.join().expect("candidate scan").into_iter().map(|q| q + mid - lead));
        all
    })
}

/// BLAKE3 chunk hashes of the chunks ending at `cuts`, half of them on another thread.
fn hash_chunks_in_parallel(data: &[u8], cuts: &[usize]) -> Vec<(XetHash, u64)> {
    let spans: Vec<(usize, usize)> =
        cuts.iter().scan(0, |start, &end| Some((std::mem::replace(start, end), end))).collect();
    let hash = |spans: &[(usize, usize)]| -> Vec<(XetHash, u64)> {
        spans.iter().map(|&(a, b)| (chunk_hash(&data[a..b]), (b - a) as u64)).collect()
    };
    let (first, second) = spans.split_at(spans.len() / 2);
    thread::scope(|s| {
        let later = s.spawn(|| hash(second));
        let mut out = hash(first);
        out.extend(later.join().expect("chunk hashing"));
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubwasm_core::xet::{hash_file, BoundaryRule};

    #[test]
    fn pipeline_equals_the_one_thread_hasher() {
        // Sizes around the block size so that chunks straddle blocks and the last block is short.
        for len in [0usize, 1, 100_000, SEGMENT - 1, SEGMENT + 70_000, 2 * SEGMENT + MAX_CHUNK_SIZE + 3] {
            let mut data = vec![0u8; len];
            let mut state = len as u64;
            for b in data.iter_mut() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *b = (state >> 56) as u8;
            }
            let path = std::env::temp_dir().join(format!("xet-hash-pipeline-{len}-{}", std::process::id()));
            std::fs::write(&path, &data).unwrap();
            let (hash, size, sha) = hash_path(path.to_str().unwrap(), true).unwrap();
            let expected = hash_file(&data, BoundaryRule::Current);
            assert_eq!((hash, size, sha), (expected.hash, expected.size, expected.sha256), "len {len}");
            std::fs::remove_file(path).unwrap();
        }
    }
}
