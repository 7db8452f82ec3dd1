//! hubwasm-core: the pure logic of the Hugging Face Hub protocols.
//!
//! `#![no_std]` + `alloc`, no I/O, no clocks, no randomness: every protocol step is a value in and a
//! value out, so the same code runs in the wasm SDK, in `localhub` and on targets with no std at all.
//!
//! - [`repo`]: repo types and ids, revisions, branch/tag names, in-repo path validation.
//! - [`lfs`]: SHA-256, LFS pointer files, `.gitattributes` LFS routing.
//! - [`commit`]: the NDJSON commit body, parsed and written.
//! - [`http`]: `Range` / `Content-Range`, `multipart/byteranges`, the retry policy, `Link` pagination.
//! - [`api`]: the Hub's JSON answers and the error-answer mapping.
//! - [`xet`]: Xet chunking, hashes, xorbs, shards, reconstruction and the upload planner.
//! - [`hex`]: lowercase hex of digests.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod api;
pub mod cache;
pub mod commit;
pub mod download;
#[doc(hidden)]
pub mod fuzzing;
pub mod hex;
pub mod http;
pub mod inference;
pub mod lfs;
pub mod repo;
pub mod sse;
pub mod xet;
