//! `.gitattributes` matching terminates and agrees with a dynamic-programming reference.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::gitattributes(data));
