//! `Retry-After` and HTTP-dates (three RFC 9110 forms): dates read back from their IMF-fixdate form.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::retry_after(data));
