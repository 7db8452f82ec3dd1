//! `Range` header parsing: served spans are merged, bounded and inside the resource; written
//! `Content-Range` values read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::range_header(data));
