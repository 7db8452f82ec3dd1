//! The NDJSON commit body parser: typed errors or a commit that writes back to the same commit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::commit_body(data));
