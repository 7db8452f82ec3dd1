//! hubwasm-core: the pure logic of the Hugging Face Hub protocols.
//!
//! `#![no_std]` + `alloc`, no I/O, no clocks, no randomness: every protocol step is a value in and a
//! value out, so the same code runs in the wasm SDK, in `localhub` and on targets with no std at all.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod api;
pub mod commit;
pub mod download;
#[doc(hidden)]
pub mod fuzzing;
pub mod hex;
pub mod http;
pub mod lfs;
pub mod repo;
pub mod xet;
