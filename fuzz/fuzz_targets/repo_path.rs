//! Repo ids, revisions, ref names, in-repo paths and LFS pointers: accepted values keep their
//! validators' promises and read back from their written forms.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hubwasm_core::fuzzing::repo_path(data));
