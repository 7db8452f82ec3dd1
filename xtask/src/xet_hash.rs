//! `cargo xtask xet-hash FILE…`: Xet hashes computed natively by hubwasm-core, one JSON object
//! per line (`path`, `hash`, `size`, `sha256`, `seconds`) — the native side of the hf_xet comparison.
//! `--no-sha256` skips the SHA-256 (hf_xet.hash_files does not compute it either).
//!
//! hubwasm-core is single-threaded and sans-I/O; this host drives it as a pipeline, like hf_xet
//! uses its cores: the main thread reads blocks and finds chunk boundaries, one thread hashes the
//! chunks (BLAKE3), another computes the SHA-256. Results are identical to `FileHasher`.

use std::fs::File;
use std::io::Read;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use hubwasm_core::lfs::Sha256;
use hubwasm_core::xet::{file_hash, BoundaryRule, ChunkHasher, Chunker, XetHash};

use crate::Result;

const BLOCK: usize = 8 << 20;
/// Blocks in flight per worker: bounds memory to a few blocks whatever the file size.
const QUEUE: usize = 4;

pub fn run(args: &[String]) -> Result {
    let with_sha256 = !args.iter().any(|a| a == "--no-sha256");
    for path in args.iter().filter(|a| *a != "--no-sha256") {
        let started = std::time::Instant::now();
        let (hash, size, sha256) = hash_path(path, with_sha256)?;
        // From opening the file to the hash: comparable with the in-process time of hf_xet.
        let seconds = started.elapsed().as_secs_f64();
        let sha256 = sha256.map(|d| hubwasm_core::hex::encode(&d)).unwrap_or_default();
        println!("{{\"path\":{path:?},\"hash\":\"{hash}\",\"size\":{size},\"sha256\":\"{sha256}\",\"seconds\":{seconds}}}");
    }
    Ok(())
}

/// A block of the file (the first `len` bytes of a reusable buffer) and the chunk cuts found in
/// it (offsets within the block).
struct Block {
    bytes: Arc<Vec<u8>>,
    len: usize,
    cuts: Vec<usize>,
}

fn hash_path(path: &str, with_sha256: bool) -> Result<(XetHash, u64, Option<[u8; 32]>)> {
    let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Block>(QUEUE);
    // Blocks come back for reuse: fresh 8 MiB buffers would cost a page fault per 4 KiB.
    let (recycle_tx, recycle_rx) = mpsc::channel::<Arc<Vec<u8>>>();
    let chunk_worker = thread::spawn(move || {
        let mut hasher = ChunkHasher::new();
        let mut pending = 0u64;
        let mut chunks = Vec::new();
        for block in chunk_rx {
            let mut start = 0;
            for &cut in &block.cuts {
                hasher.update(&block.bytes[start..cut]);
                chunks.push((hasher.finish_and_reset(), pending + (cut - start) as u64));
                pending = 0;
                start = cut;
            }
            hasher.update(&block.bytes[start..block.len]);
            pending += (block.len - start) as u64;
            let _ = recycle_tx.send(block.bytes);
        }
        if pending > 0 {
            chunks.push((hasher.finish_and_reset(), pending));
        }
        file_hash(&chunks)
    });
    let sha_worker = with_sha256.then(|| {
        let (tx, rx) = mpsc::sync_channel::<(Arc<Vec<u8>>, usize)>(QUEUE);
        let handle = thread::spawn(move || {
            let mut sha = Sha256::new();
            for (block, len) in rx {
                sha.update(&block[..len]);
            }
            sha.finalize()
        });
        (tx, handle)
    });

    let mut chunker = Chunker::new(BoundaryRule::Current);
    let mut size = 0u64;
    loop {
        let mut bytes =
            recycle_rx.try_recv().ok().and_then(|arc| Arc::try_unwrap(arc).ok()).unwrap_or_else(|| vec![0u8; BLOCK]);
        let mut filled = 0;
        while filled < BLOCK {
            let n = file.read(&mut bytes[filled..]).map_err(|e| format!("{path}: {e}"))?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        size += filled as u64;
        let mut cuts = Vec::new();
        let mut pos = 0;
        while let Some(n) = chunker.next_boundary(&bytes[pos..filled]) {
            pos += n;
            cuts.push(pos);
        }
        let bytes = Arc::new(bytes);
        if let Some((tx, _)) = &sha_worker {
            tx.send((bytes.clone(), filled)).map_err(|_| "SHA-256 worker stopped")?;
        }
        chunk_tx.send(Block { bytes, len: filled, cuts }).map_err(|_| "chunk worker stopped")?;
    }
    drop(chunk_tx);
    let hash = chunk_worker.join().map_err(|_| "chunk worker panicked")?;
    let sha256 = match sha_worker {
        Some((tx, handle)) => {
            drop(tx);
            Some(handle.join().map_err(|_| "SHA-256 worker panicked")?)
        }
        None => None,
    };
    Ok((hash, size, sha256))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubwasm_core::xet::hash_file;

    #[test]
    fn pipeline_equals_the_one_thread_hasher() {
        // Sizes around the block size so that chunks straddle blocks and the last block is short.
        for len in [0usize, 1, 100_000, BLOCK - 1, BLOCK + 70_000, 2 * BLOCK + 3] {
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
