//! Criterion benchmarks of every hot loop in hubwasm-core's Xet and LFS code, native, one thread.
//! `cargo xtask bench` runs them (`cargo bench -p hubwasm-core --features std`) and prints MB/s.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hubwasm_core::lfs::Sha256;
use hubwasm_core::xet::test_data::splitmix64_bytes;
use hubwasm_core::xet::{chunk_boundaries, chunk_hash, xorb, BoundaryRule, FileHasher, UploadPlanner, XorbBuilder};

/// Deterministic incompressible bytes, like the random files of the hf_xet referee.
fn random_bytes(len: usize) -> Vec<u8> {
    splitmix64_bytes(0x1234_5678, len)
}

const MIB: usize = 1 << 20;

fn bench_hashing(c: &mut Criterion) {
    let big = random_bytes(256 * MIB);
    let mut g = c.benchmark_group("xet");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("chunk boundaries (256 MiB)", |b| {
        b.iter(|| chunk_boundaries(black_box(&big), BoundaryRule::Current))
    });
    g.bench_function("chunk + hash = Xet file hash (256 MiB)", |b| {
        b.iter(|| {
            let mut h = FileHasher::with_sha256(BoundaryRule::Current, false);
            h.update(black_box(&big));
            h.finish().hash
        })
    });
    g.bench_function("chunk + hash + SHA-256 (256 MiB)", |b| {
        b.iter(|| {
            let mut h = FileHasher::with_sha256(BoundaryRule::Current, true);
            h.update(black_box(&big));
            h.finish().hash
        })
    });
    g.bench_function("SHA-256 (256 MiB)", |b| {
        b.iter(|| {
            let mut h = Sha256::new();
            h.update(black_box(&big));
            h.finalize()
        })
    });
    let ends = chunk_boundaries(&big, BoundaryRule::Current);
    g.bench_function("BLAKE3 chunk hashes only (256 MiB)", |b| {
        b.iter(|| {
            let mut start = 0;
            for &end in &ends {
                black_box(chunk_hash(&big[start..end]));
                start = end;
            }
        })
    });
    g.finish();

    // The planner compresses every new chunk three ways: a smaller input keeps the run short.
    let mid = random_bytes(64 * MIB);
    let mut g = c.benchmark_group("xet upload");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(mid.len() as u64));
    g.bench_function(BenchmarkId::new("planner: sha256 + chunk + hash + compress + xorbs", "64 MiB random"), |b| {
        b.iter(|| {
            let mut p = UploadPlanner::new(BoundaryRule::Current);
            for piece in mid.chunks(4 * MIB) {
                p.update(piece).expect("an open planner");
                while let Some(x) = p.take_xorb() {
                    black_box(x.hash);
                }
            }
            p.finish_file().expect("an open planner");
            black_box(p.finish().expect("an open planner"))
        })
    });
    let mut builder = XorbBuilder::new();
    let mut start = 0;
    for end in chunk_boundaries(&mid, BoundaryRule::Current) {
        if !builder.fits(end - start) {
            break;
        }
        builder.push(chunk_hash(&mid[start..end]), &mid[start..end]);
        start = end;
    }
    let xorb = builder.finish();
    g.throughput(Throughput::Bytes(xorb.chunks.iter().map(|c| c.1).sum()));
    g.bench_function(BenchmarkId::new("xorb decode + verify", "one full xorb"), |b| {
        b.iter(|| xorb::decode_and_verify(black_box(&xorb.bytes), &xorb.hash).unwrap().len())
    });
    g.finish();
}

criterion_group!(benches, bench_hashing);
criterion_main!(benches);
