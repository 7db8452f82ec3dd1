//! Xet storage (spec: docs/protocol/xet-protocol.md): content-defined chunking, hashes, xorbs,
//! shards and file reconstruction.

pub mod chunker;
mod gear_table;
/// Deterministic inputs of the spec's test vectors, for tests and benchmarks here and downstream.
pub mod test_data;

pub use chunker::{
    boundary_candidates, chunk_boundaries, cuts_from_candidates, BoundaryRule, Chunker, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE,
    TARGET_CHUNK_SIZE,
};
pub mod hash;

pub use hash::{
    aggregate_hash, chunk_hash, file_hash, hmac_chunk_hash, is_global_dedup_eligible, verification_hash, xorb_hash,
    ChunkHasher, XetHash,
};
pub mod file_hasher;

pub use file_hasher::{hash_file, FileDigest, FileHasher};
pub mod bg4;
mod le_reader;
pub mod lz4_frame;
pub mod xorb;

pub use xorb::{Xorb, XorbBuilder, XorbError};
pub mod reconstruct;
pub mod shard;

pub use reconstruct::{AssembleOptions, Assembler, Reconstruction, ReconstructionError};
pub mod upload;

pub use upload::{
    ChunkIndex, Feed, NoIndex, PlannedFileInfo, PlannerError, ShardIndex, UploadPlanner, UploadStats, MAX_UNTAKEN_XORBS,
};
