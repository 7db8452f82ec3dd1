//! The LZ4 frame format around lz4_flex's block codec (lz4_flex's own frame support needs std).
//! Xorb chunks with scheme LZ4 or BG4 hold one frame (spec §4.4). The decoder accepts any valid
//! frame — independent or linked blocks, optional content size, block and content checksums — and
//! never produces more than the caller's expected length.

use alloc::vec::Vec;

use super::le_reader::LeReader;

const MAGIC: u32 = 0x184D_2204;
/// Version 01, independent blocks, no checksums, no content size.
const FLG_WRITTEN: u8 = 0b0110_0000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lz4FrameError {
    Truncated,
    BadMagic,
    UnsupportedVersion,
    /// A dictionary id is set: such frames cannot be decoded without the dictionary.
    DictionaryRequired,
    BadHeaderChecksum,
    BadBlockChecksum,
    BadContentChecksum,
    /// A block is corrupt or decodes to more than the expected length.
    BadBlock,
    /// The frame decodes to a different length than expected.
    LengthMismatch,
}

impl core::fmt::Display for Lz4FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Lz4FrameError::Truncated => "LZ4 frame cut short",
            Lz4FrameError::BadMagic => "not an LZ4 frame (bad magic number)",
            Lz4FrameError::UnsupportedVersion => "unsupported LZ4 frame version",
            Lz4FrameError::DictionaryRequired => "the LZ4 frame needs a dictionary",
            Lz4FrameError::BadHeaderChecksum => "LZ4 frame header checksum mismatch",
            Lz4FrameError::BadBlockChecksum => "LZ4 block checksum mismatch",
            Lz4FrameError::BadContentChecksum => "LZ4 content checksum mismatch",
            Lz4FrameError::BadBlock => "corrupt LZ4 block, or one larger than announced",
            Lz4FrameError::LengthMismatch => "the LZ4 frame does not decode to the expected length",
        })
    }
}

impl core::error::Error for Lz4FrameError {}

/// Compresses `data` into one frame.
pub fn compress(data: &[u8]) -> Vec<u8> {
    // BD: largest block 64 KiB, or 256 KiB for longer input, so every chunk is one block.
    let bd: u8 = if data.len() <= 64 * 1024 { 0x40 } else { 0x50 };
    let mut out = Vec::with_capacity(data.len() + 19);
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.push(FLG_WRITTEN);
    out.push(bd);
    out.push((xxh32(&[FLG_WRITTEN, bd], 0) >> 8) as u8);
    if !data.is_empty() {
        let block = lz4_flex::block::compress(data);
        if block.len() < data.len() {
            out.extend_from_slice(&(block.len() as u32).to_le_bytes());
            out.extend_from_slice(&block);
        } else {
            out.extend_from_slice(&(data.len() as u32 | 0x8000_0000).to_le_bytes());
            out.extend_from_slice(data);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// Decodes one frame that must expand to exactly `expected_len` bytes.
pub fn decompress(frame: &[u8], expected_len: usize) -> Result<Vec<u8>, Lz4FrameError> {
    let mut r = LeReader::new(frame, Lz4FrameError::Truncated);
    if r.u32()? != MAGIC {
        return Err(Lz4FrameError::BadMagic);
    }
    let descriptor_start = r.pos();
    let flg = r.u8()?;
    let bd = r.u8()?;
    if flg >> 6 != 0b01 {
        return Err(Lz4FrameError::UnsupportedVersion);
    }
    let independent = flg & 0x20 != 0;
    let block_checksums = flg & 0x10 != 0;
    let content_size = flg & 0x08 != 0;
    let content_checksum = flg & 0x04 != 0;
    if flg & 0x01 != 0 {
        return Err(Lz4FrameError::DictionaryRequired);
    }
    let max_block = match (bd >> 4) & 0x7 {
        4 => 64 << 10,
        5 => 256 << 10,
        6 => 1 << 20,
        7 => 4 << 20,
        _ => return Err(Lz4FrameError::BadBlock),
    };
    if content_size {
        let declared = r.u64()?;
        if declared != expected_len as u64 {
            return Err(Lz4FrameError::LengthMismatch);
        }
    }
    let descriptor = &frame[descriptor_start..r.pos()];
    if r.u8()? != (xxh32(descriptor, 0) >> 8) as u8 {
        return Err(Lz4FrameError::BadHeaderChecksum);
    }

    let mut out: Vec<u8> = Vec::with_capacity(expected_len);
    loop {
        let header = r.u32()?;
        if header == 0 {
            break;
        }
        let stored = header & 0x8000_0000 != 0;
        let size = (header & 0x7FFF_FFFF) as usize;
        if size > max_block {
            return Err(Lz4FrameError::BadBlock);
        }
        let block = r.take(size)?;
        if block_checksums && r.u32()? != xxh32(block, 0) {
            return Err(Lz4FrameError::BadBlockChecksum);
        }
        let room = expected_len - out.len();
        if stored {
            if size > room {
                return Err(Lz4FrameError::LengthMismatch);
            }
            out.extend_from_slice(block);
        } else {
            let start = out.len();
            let capacity = room.min(max_block);
            out.resize(start + capacity, 0);
            let (before, target) = out.split_at_mut(start);
            // Linked blocks may refer to the previous 64 KiB of output.
            let written = if independent {
                lz4_flex::block::decompress_into(block, target)
            } else {
                let dict = &before[before.len().saturating_sub(64 << 10)..];
                lz4_flex::block::decompress_into_with_dict(block, target, dict)
            }
            .map_err(|e| match e {
                // More output than the chunk header announced.
                lz4_flex::block::DecompressError::OutputTooSmall { .. } if capacity == room => {
                    Lz4FrameError::LengthMismatch
                }
                _ => Lz4FrameError::BadBlock,
            })?;
            out.truncate(start + written);
        }
    }
    if content_checksum && r.u32()? != xxh32(&out, 0) {
        return Err(Lz4FrameError::BadContentChecksum);
    }
    if out.len() != expected_len {
        return Err(Lz4FrameError::LengthMismatch);
    }
    Ok(out)
}

/// xxHash32, the checksum of LZ4 frame headers, blocks and content.
pub fn xxh32(data: &[u8], seed: u32) -> u32 {
    const P1: u32 = 0x9E37_79B1;
    const P2: u32 = 0x85EB_CA77;
    const P3: u32 = 0xC2B2_AE3D;
    const P4: u32 = 0x27D4_EB2F;
    const P5: u32 = 0x1656_67B1;
    let round = |acc: u32, lane: u32| acc.wrapping_add(lane.wrapping_mul(P2)).rotate_left(13).wrapping_mul(P1);
    let word = |b: &[u8]| u32::from_le_bytes(b[..4].try_into().expect("4 bytes"));

    let mut rest = data;
    let mut h = if data.len() >= 16 {
        let mut v = [seed.wrapping_add(P1).wrapping_add(P2), seed.wrapping_add(P2), seed, seed.wrapping_sub(P1)];
        while rest.len() >= 16 {
            for (i, acc) in v.iter_mut().enumerate() {
                *acc = round(*acc, word(&rest[4 * i..]));
            }
            rest = &rest[16..];
        }
        v[0].rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18))
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(data.len() as u32);
    while rest.len() >= 4 {
        h = h.wrapping_add(word(rest).wrapping_mul(P3)).rotate_left(17).wrapping_mul(P4);
        rest = &rest[4..];
    }
    for &b in rest {
        h = h.wrapping_add(u32::from(b).wrapping_mul(P5)).rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 15;
    h = h.wrapping_mul(P2);
    h ^= h >> 13;
    h = h.wrapping_mul(P3);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::test_data::splitmix64_bytes;

    // Reference values of XXH32 with seed 0 (xxHash's documented sanity values).
    #[test]
    fn xxh32_known_values() {
        assert_eq!(xxh32(b"", 0), 0x02CC_5D05);
        assert_eq!(xxh32(b"a", 0), 0x550D_7456);
        assert_eq!(xxh32(b"abc", 0), 0x32D1_53FF);
    }

    #[test]
    fn round_trips_compressible_random_and_empty_data() {
        let text: Vec<u8> = b"xet chunk ".iter().copied().cycle().take(100_000).collect();
        let random = splitmix64_bytes(9, 131_072);
        for data in [&text[..], &random[..], &[][..], &[7u8][..]] {
            let frame = compress(data);
            assert_eq!(decompress(&frame, data.len()).unwrap(), data);
        }
        assert!(compress(&text).len() < 2_000, "repetitive text compresses");
        assert!(compress(&random).len() <= random.len() + 19, "random data is stored, not expanded");
    }

    #[test]
    fn rejects_tampering_and_wrong_lengths() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let frame = compress(&data);
        assert_eq!(decompress(&frame, data.len() - 1), Err(Lz4FrameError::LengthMismatch));
        assert_eq!(decompress(&frame, data.len() + 1), Err(Lz4FrameError::LengthMismatch));
        assert_eq!(decompress(&frame[..frame.len() - 3], data.len()), Err(Lz4FrameError::Truncated));
        let mut bad = frame.clone();
        bad[6] ^= 1;
        assert_eq!(decompress(&bad, data.len()), Err(Lz4FrameError::BadHeaderChecksum));
        let mut bad = frame.clone();
        bad[0] ^= 1;
        assert_eq!(decompress(&bad, data.len()), Err(Lz4FrameError::BadMagic));
    }
}
