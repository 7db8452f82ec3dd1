//! Any bytes given to the xorb decoders yield chunks or a typed error: no panic, no allocation
//! beyond the limits the chunk headers allow.
#![no_main]

use hubwasm_core::xet::xorb::{decode_and_verify, decode_with_hashes, parse_footer, ChunkReader};
use hubwasm_core::xet::XetHash;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for chunk in ChunkReader::new(data) {
        if chunk.is_err() {
            break;
        }
    }
    let _ = decode_and_verify(data, &XetHash::ZERO);
    let _ = decode_with_hashes(data, &[XetHash::ZERO; 2]);
    if let Ok((footer, start)) = parse_footer(data) {
        assert!(start <= data.len());
        assert_eq!(footer.chunk_hashes.len(), footer.chunk_ends.len());
    }
});
