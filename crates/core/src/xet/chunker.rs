//! Content-defined chunking (spec §2): a gear rolling hash over a 64-byte window picks chunk
//! boundaries, so an edit only changes the chunks around it and the rest deduplicate.
//!
//! The chunker only finds boundaries; it never copies or keeps bytes. Feed it the stream in pieces
//! of any size: boundaries never depend on how the input was split.

use super::gear_table::GEAR;

/// Target (mean) chunk size.
pub const TARGET_CHUNK_SIZE: usize = 64 * 1024;
/// No boundary is accepted before a chunk has this many bytes (except at end of input).
pub const MIN_CHUNK_SIZE: usize = TARGET_CHUNK_SIZE / 8;
/// A chunk is cut here regardless of the hash.
pub const MAX_CHUNK_SIZE: usize = TARGET_CHUNK_SIZE * 2;
/// Bytes that influence one gear hash value.
const HASH_WINDOW: usize = 64;
/// The first `MIN - WINDOW - 1` bytes of a chunk can never affect a boundary test, so they are
/// not hashed at all (the hash at the first testable position is the same either way).
const HASH_START: usize = MIN_CHUNK_SIZE - HASH_WINDOW - 1;
/// Boundary when the top 16 bits of the hash are zero: probability 2^-16 per byte.
const MASK: u64 = ((TARGET_CHUNK_SIZE as u64) - 1) << (TARGET_CHUNK_SIZE as u64 - 1).leading_zeros();

/// Which boundary rule to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoundaryRule {
    /// xet-core since September 2025 (PR #487) and hf_xet: a hash match counts only once the chunk
    /// has at least [`MIN_CHUNK_SIZE`] bytes. The default, and what the Hub's own clients use.
    #[default]
    Current,
    /// The earlier rule huggingface.js still uses: a match counts as soon as hashing has started,
    /// so chunks of 8128..8191 bytes can occur. Only for reproducing that client's hashes.
    Legacy,
}

impl BoundaryRule {
    /// Smallest chunk length at which a hash match is accepted.
    const fn first_testable_len(self) -> usize {
        match self {
            BoundaryRule::Current => MIN_CHUNK_SIZE,
            BoundaryRule::Legacy => HASH_START + 1,
        }
    }
}

/// Streaming boundary finder.
#[derive(Clone, Debug, Default)]
pub struct Chunker {
    rule: BoundaryRule,
    /// Gear hash of the current chunk's bytes from [`HASH_START`] on.
    hash: u64,
    /// Bytes of the current (unfinished) chunk seen so far.
    len: usize,
}

impl Chunker {
    pub fn new(rule: BoundaryRule) -> Self {
        Self { rule, hash: 0, len: 0 }
    }

    pub fn rule(&self) -> BoundaryRule {
        self.rule
    }

    /// Bytes of the current chunk consumed so far (they belong to the next boundary's chunk).
    pub fn pending_len(&self) -> usize {
        self.len
    }

    /// Scans `data`, the next bytes of the stream. If the current chunk ends inside it, returns how
    /// many bytes of `data` belong to that chunk and resets for the next one; call again with the
    /// rest. Otherwise consumes all of `data` and returns `None`.
    pub fn next_boundary(&mut self, data: &[u8]) -> Option<usize> {
        let mut pos = 0;

        // 1. Bytes that cannot influence any test: only counted.
        if self.len < HASH_START {
            let n = (HASH_START - self.len).min(data.len());
            pos += n;
            self.len += n;
        }

        // 2. Bytes that are hashed but end at a length where no test is allowed yet.
        let untested = self.rule.first_testable_len() - 1;
        if self.len < untested && pos < data.len() {
            let n = (untested - self.len).min(data.len() - pos);
            let mut h = self.hash;
            for &b in &data[pos..pos + n] {
                h = (h << 1).wrapping_add(GEAR[usize::from(b)]);
            }
            self.hash = h;
            pos += n;
            self.len += n;
        }

        // 3. Hash and test every byte, never past the maximum chunk size.
        let n = (MAX_CHUNK_SIZE - self.len).min(data.len() - pos);
        let (h, first) = gear_scan(self.hash, &data[pos..pos + n], |_| true);
        if let Some(i) = first {
            self.reset();
            return Some(pos + i + 1);
        }
        self.hash = h;
        pos += n;
        self.len += n;

        if self.len == MAX_CHUNK_SIZE {
            self.reset();
            return Some(pos);
        }
        None
    }

    /// Ends the stream. Returns the length of the final, shorter chunk (if any bytes are pending)
    /// and resets for a new stream.
    pub fn finish(&mut self) -> Option<usize> {
        let pending = self.len;
        self.reset();
        (pending > 0).then_some(pending)
    }

    fn reset(&mut self) {
        self.hash = 0;
        self.len = 0;
    }
}

/// Chunk end offsets of a whole in-memory buffer (the last one is `data.len()` unless empty).
pub fn chunk_boundaries(data: &[u8], rule: BoundaryRule) -> alloc::vec::Vec<usize> {
    let mut chunker = Chunker::new(rule);
    let mut ends = alloc::vec::Vec::new();
    let mut start = 0;
    while let Some(n) = chunker.next_boundary(&data[start..]) {
        start += n;
        ends.push(start);
    }
    if chunker.finish().is_some() {
        ends.push(data.len());
    }
    ends
}

/// Runs the gear hash from `h` over `data`, calling `on_match(i)` after each byte `i` whose hash
/// matches the mask; stops at the first match for which it returns true. Returns the hash and
/// that stopping index. Eight bytes per step with one branch: the table loads run ahead of the
/// one-cycle shift-add chain, and a step with a match is replayed byte by byte.
#[inline(always)]
fn gear_scan(mut h: u64, data: &[u8], mut on_match: impl FnMut(usize) -> bool) -> (u64, Option<usize>) {
    let mut done = 0;
    // Blocks as arrays rather than `chunks_exact`: the size-optimised build would call the
    // iterator and bounds-check each byte; an array's constant indices need neither.
    while let Some(Ok(block)) = data.get(done..done + 8).map(<[u8; 8]>::try_from) {
        let step = |g: u64, b: u8| (g << 1).wrapping_add(GEAR[usize::from(b)]);
        let mut g = h;
        let mut hit = false;
        g = step(g, block[0]);
        hit |= g & MASK == 0;
        g = step(g, block[1]);
        hit |= g & MASK == 0;
        g = step(g, block[2]);
        hit |= g & MASK == 0;
        g = step(g, block[3]);
        hit |= g & MASK == 0;
        g = step(g, block[4]);
        hit |= g & MASK == 0;
        g = step(g, block[5]);
        hit |= g & MASK == 0;
        g = step(g, block[6]);
        hit |= g & MASK == 0;
        g = step(g, block[7]);
        hit |= g & MASK == 0;
        if hit {
            for (i, &b) in block.iter().enumerate() {
                h = step(h, b);
                if h & MASK == 0 && on_match(done + i) {
                    return (h, Some(done + i));
                }
            }
        }
        h = g;
        done += 8;
    }
    for (i, &b) in data[done..].iter().enumerate() {
        h = (h << 1).wrapping_add(GEAR[usize::from(b)]);
        if h & MASK == 0 && on_match(done + i) {
            return (h, Some(done + i));
        }
    }
    (h, None)
}

/// Positions `q` in `data[skip..]` whose 64-byte gear window `data[q-63..=q]` matches the
/// boundary mask, in order, appended to `out` as offsets into `data`.
///
/// Under the current rule a chunk ends after byte `q` exactly when `q` is such a position and the
/// chunk has reached [`MIN_CHUNK_SIZE`] bytes (or the chunk reached [`MAX_CHUNK_SIZE`]): the
/// window value does not depend on where chunks start. So a big buffer can be scanned in parallel
/// slices (each handed to this with `skip = 64` bytes of lead-in, or from the buffer start) and
/// turned into the exact serial boundaries by [`cuts_from_candidates`].
pub fn boundary_candidates(data: &[u8], skip: usize, out: &mut alloc::vec::Vec<usize>) {
    let skip = skip.min(data.len());
    let mut h = 0u64;
    for &b in &data[..skip] {
        h = (h << 1).wrapping_add(GEAR[usize::from(b)]);
    }
    gear_scan(h, &data[skip..], |i| {
        out.push(skip + i);
        false
    });
}

/// Chunk ends (current rule) of a buffer of `len` bytes that starts at a chunk boundary, from its
/// [`boundary_candidates`]. When `last` is false the tail after the final complete chunk is left
/// out (it continues in the next buffer); when true it ends the stream.
pub fn cuts_from_candidates(candidates: &[usize], len: usize, last: bool) -> alloc::vec::Vec<usize> {
    let mut ends = alloc::vec::Vec::new();
    let mut start = 0;
    let mut next = candidates.iter().peekable();
    loop {
        let earliest = start + MIN_CHUNK_SIZE - 1; // the chunk's last byte is at least here
        while next.next_if(|&&q| q < earliest).is_some() {}
        let end = match next.peek() {
            Some(&&q) if q + 1 - start <= MAX_CHUNK_SIZE => q + 1,
            _ => start + MAX_CHUNK_SIZE,
        };
        if end > len {
            break;
        }
        ends.push(end);
        start = end;
    }
    if last && start < len {
        ends.push(len);
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::test_data::{splitmix64_bytes, trigger_pattern};
    use alloc::vec::Vec;

    #[test]
    fn mask_is_the_top_16_bits() {
        assert_eq!(MASK, 0xFFFF_0000_0000_0000);
        assert_eq!(HASH_START, 8127);
    }

    // Spec §9.1: the gear table and update rule alone, with a test mask and no size rules.
    #[test]
    fn gear_hash_records_match_the_reference() {
        let mut data = Vec::with_capacity(100_002);
        let mut state: u32 = 0xbecd17f & 0xffffff;
        while data.len() < 100_000 {
            state = (state.wrapping_mul(1111).wrapping_add(12345)) & 0xffffff;
            data.extend_from_slice(&[state as u8, (state >> 8) as u8, (state >> 16) as u8]);
        }
        data.truncate(100_000);
        let mask = 0x0000_d900_0353_0000u64;
        let mut records = Vec::new();
        let (mut h, mut start) = (0u64, 0usize);
        for (i, &b) in data.iter().enumerate() {
            h = (h << 1).wrapping_add(GEAR[usize::from(b)]);
            if h & mask == 0 {
                records.push((start, i + 1 - start, h));
                start = i + 1;
                h = 0;
            }
        }
        assert_eq!(records.len(), 44, "44 matches plus the unmatched tail");
        let expected_head = [
            (0, 3598, 0x033220f080ac5f77),
            (3598, 3995, 0xd06b22f324ac5f28),
            (7593, 4708, 0xa3a324f81808429c),
            (12301, 484, 0x12a5006aa4a4425b),
            (12785, 1484, 0x0b240413a4a4d5a2),
            (14269, 563, 0xc646022fbc848bc6),
            (14832, 6663, 0x7c7a2296e4a4c325),
            (21495, 1220, 0xbe1f2468f0841b68),
        ];
        assert_eq!(&records[..8], &expected_head);
        assert_eq!(records[42], (91088, 6279, 0x5a3d0443f0a0d81a));
        assert_eq!(records[43], (97367, 969, 0x7770042d140c7472));
        assert_eq!((start, data.len() - start), (98336, 1664));
    }

    // Spec §9.2(a): identical under both rules.
    #[test]
    fn one_megabyte_of_splitmix64_data() {
        let data = splitmix64_bytes(0, 1_000_000);
        assert_eq!((data[0], data[127], data[111_111]), (175, 132, 118));
        let expected = [
            84493, 134421, 144853, 243318, 271793, 336457, 467529, 494581, 582000, 596735, 616815, 653164, 678202,
            724510, 815591, 827760, 958832, 991092, 1000000,
        ];
        assert_eq!(chunk_boundaries(&data, BoundaryRule::Current), expected);
        assert_eq!(chunk_boundaries(&data, BoundaryRule::Legacy), expected);
    }

    // Spec §9.2(c).
    #[test]
    fn constant_data_is_cut_at_the_maximum() {
        let data = alloc::vec![59u8; 1_000_000];
        let expected = [131072, 262144, 393216, 524288, 655360, 786432, 917504, 1000000];
        assert_eq!(chunk_boundaries(&data, BoundaryRule::Current), expected);
    }

    // Spec §9.3: the cases where the two rules differ, and agreement on all others.
    #[test]
    fn trigger_pattern_distinguishes_the_rules() {
        #[rustfmt::skip]
        let differing: [(usize, [usize; 7], [usize; 7]); 13] = [
            (1, [8320, 16576, 24832, 33088, 41344, 49600, 57856], [8191, 16447, 24703, 32959, 41215, 49471, 57727]),
            (12, [8324, 16584, 24844, 33104, 41364, 49624, 57884], [8324, 16452, 24704, 32832, 41084, 49212, 57464]),
            (17, [8329, 16594, 24859, 33124, 41389, 49654, 57919], [8329, 16457, 24714, 32842, 41099, 49227, 57484]),
            (24, [8272, 16480, 24688, 32896, 41104, 49312, 57520], [8128, 16328, 24536, 32744, 40952, 49160, 57368]),
            (29, [8228, 16549, 24870, 33191, 41512, 49833, 58154], [8128, 16392, 24713, 33034, 41355, 49676, 57997]),
            (53, [8209, 16535, 24861, 33187, 41513, 49839, 58165], [8209, 16337, 24680, 32808, 41151, 49279, 57622]),
            (61, [8380, 16696, 25012, 33328, 41644, 49960, 58276], [8191, 16507, 24823, 33139, 41455, 49771, 58087]),
            (75, [8387, 16710, 25033, 33356, 41679, 50002, 58325], [8387, 16515, 24830, 32958, 41273, 49401, 57716]),
            (78, [8304, 16544, 24784, 33024, 41264, 49504, 57744], [8128, 16338, 24578, 32818, 41058, 49298, 57538]),
            (84, [8332, 16600, 24868, 33136, 41404, 49672, 57940], [8128, 16388, 24656, 32924, 41192, 49460, 57728]),
            (86, [8196, 16542, 24888, 33234, 41580, 49926, 58272], [8196, 16324, 24674, 32802, 41152, 49280, 57630]),
            (89, [8310, 16556, 24802, 33048, 41294, 49540, 57786], [8128, 16339, 24585, 32831, 41077, 49323, 57569]),
            (104, [8416, 16768, 25120, 33472, 41824, 50176, 58528], [8416, 16544, 24888, 33016, 41360, 49488, 57832]),
        ];
        let with_end = |b: &[usize; 7]| b.iter().copied().chain([65536]).collect::<Vec<_>>();
        for i in 0..128 {
            let data = trigger_pattern(i);
            if i < 3 {
                assert_eq!(data[11111], [236, 50, 36][i], "sanity byte of case {i}");
            }
            let current = chunk_boundaries(&data, BoundaryRule::Current);
            let legacy = chunk_boundaries(&data, BoundaryRule::Legacy);
            match differing.iter().find(|(case, _, _)| *case == i) {
                Some((_, cur, leg)) => {
                    assert_eq!(current, with_end(cur), "current rule, case {i}");
                    assert_eq!(legacy, with_end(leg), "legacy rule, case {i}");
                }
                None => assert_eq!(current, legacy, "case {i} must agree"),
            }
            if i == 0 {
                assert_eq!(current, [8256, 16448, 24640, 32832, 41024, 49216, 57408, 65536]);
            }
        }
    }

    // Spec §9.2(b): boundaries do not depend on how the input is split.
    #[test]
    fn boundaries_do_not_depend_on_piece_size() {
        let data = splitmix64_bytes(1, 256_000);
        for rule in [BoundaryRule::Current, BoundaryRule::Legacy] {
            let whole = chunk_boundaries(&data, rule);
            for piece in [1usize, 37, 255, 8191, 70_000] {
                let mut chunker = Chunker::new(rule);
                let mut ends = Vec::new();
                let mut offset = 0;
                for part in data.chunks(piece) {
                    let mut rest = part;
                    while let Some(n) = chunker.next_boundary(rest) {
                        offset += n;
                        ends.push(offset);
                        rest = &rest[n..];
                    }
                    offset += rest.len();
                }
                if chunker.finish().is_some() {
                    ends.push(offset);
                }
                assert_eq!(ends, whole, "rule {rule:?}, piece {piece}");
            }
        }
    }

    #[test]
    fn short_and_empty_inputs() {
        assert!(chunk_boundaries(&[], BoundaryRule::Current).is_empty());
        assert_eq!(chunk_boundaries(&[7; 8191], BoundaryRule::Current), [8191]);
        assert_eq!(chunk_boundaries(&[7; 131073], BoundaryRule::Current), [131072, 131073]);
    }

    #[test]
    fn candidates_give_the_serial_boundaries_whatever_the_slicing() {
        let mut inputs: Vec<Vec<u8>> = alloc::vec![
            splitmix64_bytes(21, 3_000_000),
            alloc::vec![0u8; 700_000],
            alloc::vec![7u8; 8191],
            Vec::new(),
        ];
        for zeros in [1usize, 5, 63, 64, 65, 100] {
            inputs.push(trigger_pattern(zeros).repeat(4));
        }
        for data in &inputs {
            let serial = chunk_boundaries(data, BoundaryRule::Current);
            for parts in [1usize, 2, 3, 7] {
                let mut candidates = Vec::new();
                let step = data.len().div_ceil(parts).max(1);
                for start in (0..data.len()).step_by(step) {
                    let lead = start.min(HASH_WINDOW);
                    let mut local = Vec::new();
                    boundary_candidates(&data[start - lead..(start + step).min(data.len())], lead, &mut local);
                    candidates.extend(local.into_iter().map(|q| q + start - lead));
                }
                assert_eq!(
                    cuts_from_candidates(&candidates, data.len(), true),
                    serial,
                    "{} bytes in {parts}",
                    data.len()
                );
            }
        }
    }

    #[test]
    fn an_unfinished_buffer_leaves_its_tail_out() {
        let data = splitmix64_bytes(22, 500_000);
        let serial = chunk_boundaries(&data, BoundaryRule::Current);
        let mut candidates = Vec::new();
        boundary_candidates(&data, 0, &mut candidates);
        let partial = cuts_from_candidates(&candidates, data.len(), false);
        assert_eq!(partial, serial[..serial.len() - 1]);
    }
}
