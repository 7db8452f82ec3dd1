//! The LZ4 frame decoder never panics and never returns other than the announced length; frames
//! we write always decode back to their input.
#![no_main]

use hubwasm_core::xet::lz4_frame::{compress, decompress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&len_byte, frame)) = data.split_first() {
        let expected = usize::from(len_byte) * 1024;
        if let Ok(out) = decompress(frame, expected) {
            assert_eq!(out.len(), expected);
        }
    }
    let frame = compress(data);
    assert_eq!(decompress(&frame, data.len()).as_deref(), Ok(data));
});
