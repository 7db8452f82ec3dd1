//! Byte grouping by 4 (scheme BG4, spec §4.4): byte `i` goes to group `i % 4`, so the similar
//! bytes of 32-bit values (e.g. float exponents) sit together and compress better.

use alloc::vec::Vec;

/// Sizes of the four groups for `n` bytes: the 1–3 leftover bytes go to groups 0, 1, 2.
fn group_sizes(n: usize) -> [usize; 4] {
    let (q, r) = (n / 4, n % 4);
    [q + usize::from(r > 0), q + usize::from(r > 1), q + usize::from(r > 2), q]
}

pub fn split(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for lane in 0..4 {
        out.extend(data.iter().skip(lane).step_by(4));
    }
    out
}

pub fn join(grouped: &[u8]) -> Vec<u8> {
    let sizes = group_sizes(grouped.len());
    let mut out = alloc::vec![0u8; grouped.len()];
    let mut start = 0;
    for (lane, size) in sizes.into_iter().enumerate() {
        for (k, &b) in grouped[start..start + size].iter().enumerate() {
            out[4 * k + lane] = b;
        }
        start += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_position_mod_4() {
        assert_eq!(split(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [0, 4, 8, 1, 5, 9, 2, 6, 3, 7]);
        assert_eq!(group_sizes(10), [3, 3, 2, 2]);
        assert_eq!(group_sizes(7), [2, 2, 2, 1]);
        for n in 0..40 {
            let data: Vec<u8> = (0..n as u8).collect();
            assert_eq!(join(&split(&data)), data, "n = {n}");
        }
    }
}
