//! `Link` pagination headers: a `rel="next"` target found is an enclosed slice of the header.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::next_link(data));
