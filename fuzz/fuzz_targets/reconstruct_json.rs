//! Any bytes given to the V1/V2 reconstruction parsers, and then to the assembler as fetched
//! ranges, yield a typed error or assembled bytes — never a panic or a runaway allocation.
#![no_main]

use hubwasm_core::xet::reconstruct::{split_byteranges, AssembleOptions, Assembler, Reconstruction};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = split_byteranges(data, "B");
    for parsed in [Reconstruction::parse_v2(data), Reconstruction::parse_v1(data)] {
        let Ok(rec) = parsed else { continue };
        let Ok(mut assembler) = Assembler::new(rec, AssembleOptions { length: Some(1 << 20), verify_file: None })
        else {
            continue;
        };
        // Feed every needed range with bytes cut from the input itself (mostly invalid chunks).
        for fetch in assembler.needed_fetches() {
            let lens: Vec<u64> =
                assembler.reconstruction().fetches[fetch].ranges.iter().map(|r| r.bytes.len()).collect();
            for (range, len) in lens.into_iter().enumerate() {
                let bytes = &data[..(len as usize).min(data.len())];
                if assembler.accept(fetch, range, bytes).is_err() {
                    return;
                }
            }
            while let Ok(Some(piece)) = assembler.next_piece() {
                assert!(!piece.is_empty());
            }
        }
        let _ = assembler.finish();
    }
});
