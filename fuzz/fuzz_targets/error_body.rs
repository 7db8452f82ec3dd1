//! Hub error bodies: messages found are non-empty, bounded and taken from the body's text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::error_body(data));
