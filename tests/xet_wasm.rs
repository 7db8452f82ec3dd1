//! hubwasm-core's Xet code run as WebAssembly (Node and headless Chromium through wasm-pack):
//! the spec's chunking vectors, and a planner → shard → reconstruction → assembler round trip,
//! so that the wasm build is shown to compute what the native tests check.
#![cfg(target_arch = "wasm32")]

use hubwasm_core::xet::reconstruct::{ByteRange, ChunkRange, FetchRange, ReconstructionTerm, XorbFetch};
use hubwasm_core::xet::test_data::splitmix64_bytes as splitmix64;
use hubwasm_core::xet::{
    chunk_boundaries, shard, xorb, AssembleOptions, Assembler, BoundaryRule, Reconstruction, UploadPlanner, XetHash,
};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn spec_chunk_boundaries_in_wasm() {
    // §9.2: boundaries of 1 000 000 SplitMix64 bytes (seed 0).
    let ends = chunk_boundaries(&splitmix64(0, 1_000_000), BoundaryRule::Current);
    assert_eq!(
        ends,
        [
            84493, 134421, 144853, 243318, 271793, 336457, 467529, 494581, 582000, 596735, 616815, 653164, 678202,
            724510, 815591, 827760, 958832, 991092, 1000000
        ]
    );
}

#[wasm_bindgen_test]
fn planner_shard_and_assembler_round_trip_in_wasm() {
    let a = splitmix64(3, 2_000_000);
    let mut b = a.clone();
    b[1_000_000..1_000_050].fill(0);
    let mut planner = UploadPlanner::new(BoundaryRule::Current);
    let mut xorbs = Vec::new();
    let mut files = Vec::new();
    for data in [&a, &b] {
        for piece in data.chunks(333_333) {
            planner.update(piece).unwrap();
        }
        files.push(planner.finish_file().unwrap());
    }
    let shard = shard::parse(&planner.finish().unwrap().unwrap()).unwrap();
    while let Some(x) = planner.take_xorb() {
        xorb::decode_and_verify(&x.bytes, &x.hash).unwrap();
        xorbs.push(x);
    }
    for (info, expected) in files.iter().zip([&a, &b]) {
        let entry = shard.files.iter().find(|f| f.hash == info.hash).unwrap();
        let terms: Vec<ReconstructionTerm> = entry
            .terms
            .iter()
            .map(|t| ReconstructionTerm {
                xorb: t.xorb,
                unpacked_length: t.raw_len,
                chunks: ChunkRange { start: t.chunk_start, end: t.chunk_end },
            })
            .collect();
        // One fetch per term, the way a server that does not merge ranges would answer.
        let fetches: Vec<XorbFetch> = entry
            .terms
            .iter()
            .map(|t| {
                let x = xorbs.iter().find(|x| x.hash == t.xorb).unwrap();
                let bytes = ByteRange {
                    start: u64::from(x.offsets[t.chunk_start as usize]),
                    end: u64::from(x.offsets[t.chunk_end as usize]) - 1,
                };
                let chunks = ChunkRange { start: t.chunk_start, end: t.chunk_end };
                XorbFetch { xorb: t.xorb, url: String::new(), ranges: vec![FetchRange { chunks, bytes }] }
            })
            .collect();
        let rec = Reconstruction { offset_into_first_range: 0, terms, fetches };
        let mut assembler =
            Assembler::new(rec, AssembleOptions { length: None, verify_file: Some(info.hash) }).unwrap();
        let mut out = Vec::new();
        for fi in assembler.needed_fetches() {
            let f = assembler.reconstruction().fetches[fi].clone();
            let x = xorbs.iter().find(|x| x.hash == f.xorb).unwrap();
            let r = f.ranges[0].bytes;
            assembler.accept(fi, 0, &x.bytes[r.start as usize..=r.end as usize]).unwrap();
            while let Some(piece) = assembler.next_piece().unwrap() {
                out.extend_from_slice(&piece);
            }
        }
        assembler.finish().unwrap();
        assert!(out == *expected);
        assert_ne!(info.hash, XetHash::ZERO);
    }
}
