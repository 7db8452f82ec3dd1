//! Any bytes given to the shard parser yield a shard or a typed error, and a parsed upload-form
//! shard written back parses to the same value.
#![no_main]

use hubwasm_core::xet::shard::{parse, write_upload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(shard) = parse(data) {
        if shard.footer.is_none() {
            let again = parse(&write_upload(&shard.files, &shard.xorbs)).expect("our own output parses");
            assert_eq!(again.files, shard.files);
            assert_eq!(again.xorbs, shard.xorbs);
        }
    }
});
