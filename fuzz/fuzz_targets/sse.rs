//! The Server-Sent Events parser: split input gives the same events as whole input, within limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::sse(data));
