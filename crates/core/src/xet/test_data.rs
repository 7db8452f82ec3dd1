//! Input generators from the spec's test vectors (§9), shared by the Xet tests, the benchmarks,
//! the wasm tests and localhub's tests (compiled away when unused).

use alloc::vec::Vec;

/// The SplitMix64 generator of spec §9.2: deterministic pseudo-random numbers for tests.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    #[allow(clippy::should_implement_trait)] // an infinite generator, not an Iterator
    pub fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// SplitMix64 output bytes, little-endian, truncated to `len` (spec §9.2).
pub fn splitmix64_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Spec §9.3: a 128-byte pattern followed by `zeros` zero bytes, repeated to 65 536 bytes.
pub fn trigger_pattern(zeros: usize) -> Vec<u8> {
    #[rustfmt::skip]
    const PATTERN: [u8; 128] = [
        154,52,42,34,159,75,126,224,70,236,12,196,79,236,178,124,127,50,99,178,44,176,174,126,250,235,205,174,252,122,35,10,
        20,101,214,69,193,8,115,105,158,228,120,111,136,162,198,251,211,183,253,252,164,147,63,16,186,162,117,23,170,36,205,187,
        174,76,210,174,211,175,12,173,145,59,2,70,222,181,159,227,182,156,189,51,226,106,24,50,183,157,140,10,8,23,212,70,
        10,234,23,33,219,254,39,236,70,49,191,116,9,115,15,101,26,159,165,220,15,170,56,125,92,163,94,235,38,40,49,81,
    ];
    let mut block = PATTERN.to_vec();
    block.resize(128 + zeros, 0);
    block.iter().copied().cycle().take(65_536).collect()
}
