//! Little-endian reads over a byte slice, shared by the LZ4 frame, xorb footer and shard parsers.
//! Each parser hands in the error that running out of bytes means in its format.

use super::hash::XetHash;

pub(crate) struct LeReader<'a, E: Copy> {
    bytes: &'a [u8],
    pos: usize,
    /// Returned by every read that would go past the end.
    short: E,
}

impl<'a, E: Copy> LeReader<'a, E> {
    pub fn new(bytes: &'a [u8], short: E) -> Self {
        Self { bytes, pos: 0, short }
    }

    /// A reader positioned at `pos` (clamped to the end).
    pub fn at(bytes: &'a [u8], pos: usize, short: E) -> Self {
        Self { bytes, pos: pos.min(bytes.len()), short }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], E> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or(self.short)?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    pub fn skip(&mut self, n: usize) -> Result<(), E> {
        self.take(n).map(|_| ())
    }

    pub fn u8(&mut self) -> Result<u8, E> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32, E> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub fn u64(&mut self) -> Result<u64, E> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    /// 32 raw hash bytes.
    pub fn hash(&mut self) -> Result<XetHash, E> {
        Ok(XetHash(self.take(32)?.try_into().expect("32 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_stops_at_the_end() {
        let bytes = [1u8, 2, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9];
        let mut r = LeReader::new(&bytes, "short");
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u32(), Ok(2));
        assert_eq!(r.u64(), Ok(0x0909_0909_0909_0909));
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.u8(), Err("short"));
        assert_eq!(LeReader::at(&bytes, 100, ()).take(1), Err(()));
        assert_eq!(LeReader::at(&bytes, 1, ()).take(usize::MAX), Err(()));
    }
}
