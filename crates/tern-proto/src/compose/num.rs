//! Integer rendering without `core::fmt`: decimal for `Content-Length`
//! (RFC 9110 §8.6, `1*DIGIT`) and hexadecimal for chunk sizes (RFC 9112 §7.1,
//! `1*HEXDIG`). Both write the shortest form: no sign, no leading zeros.

/// The two-digit decimal strings `00` to `99`, so the decimal loop divides
/// once per two digits.
static DEC_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        #[allow(clippy::cast_possible_truncation)]
        let n = i as u8;
        pairs[i] = [b'0' + n / 10, b'0' + n % 10];
        i += 1;
    }
    pairs
};

/// Lower-case hexadecimal digits (HEXDIG is case-insensitive, RFC 5234 §2.3).
static HEX_DIGITS: [u8; 16] = *b"0123456789abcdef";

/// The number of decimal digits of `n` (1 for zero).
#[inline]
pub(crate) const fn dec_len(n: u64) -> usize {
    match n.checked_ilog10() {
        Some(log) => log as usize + 1,
        None => 1,
    }
}

/// Writes `n` in decimal to `out`, which must be exactly [`dec_len(n)`]
/// bytes long.
///
/// [`dec_len(n)`]: dec_len
#[inline]
pub(crate) fn write_dec(mut n: u64, out: &mut [u8]) {
    debug_assert_eq!(out.len(), dec_len(n));
    let mut end = out.len();
    while n >= 100 {
        let pair = DEC_PAIRS[(n % 100) as usize];
        n /= 100;
        out[end - 2..end].copy_from_slice(&pair);
        end -= 2;
    }
    let pair = DEC_PAIRS[n as usize];
    if n >= 10 {
        out[end - 2..end].copy_from_slice(&pair);
    } else {
        out[end - 1] = pair[1];
    }
}

/// The number of hexadecimal digits of `n` (1 for zero).
#[inline]
pub(crate) const fn hex_len(n: u64) -> usize {
    if n == 0 {
        1
    } else {
        (64 - n.leading_zeros() as usize).div_ceil(4)
    }
}

/// Writes `n` in lower-case hexadecimal to `out`, which must be exactly
/// [`hex_len(n)`] bytes long.
///
/// [`hex_len(n)`]: hex_len
#[inline]
pub(crate) fn write_hex(mut n: u64, out: &mut [u8]) {
    debug_assert_eq!(out.len(), hex_len(n));
    for slot in out.iter_mut().rev() {
        *slot = HEX_DIGITS[(n & 0xF) as usize];
        n >>= 4;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;
    use std::{format, vec, vec::Vec};

    fn dec(n: u64) -> Vec<u8> {
        let mut out = vec![0; dec_len(n)];
        write_dec(n, &mut out);
        out
    }

    fn hex(n: u64) -> Vec<u8> {
        let mut out = vec![0; hex_len(n)];
        write_hex(n, &mut out);
        out
    }

    #[test]
    fn edges() {
        for n in [
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(dec(n), format!("{n}").into_bytes());
            assert_eq!(hex(n), format!("{n:x}").into_bytes());
        }
        for shift in 0..64 {
            let n = 1u64 << shift;
            for m in [n - 1, n, n + 1] {
                assert_eq!(dec(m), format!("{m}").into_bytes());
                assert_eq!(hex(m), format!("{m:x}").into_bytes());
            }
        }
    }

    #[test]
    fn powers_of_ten() {
        let mut p = 1u64;
        loop {
            for m in [p - 1, p, p + 1] {
                assert_eq!(dec(m), format!("{m}").into_bytes());
                assert_eq!(dec_len(m), format!("{m}").len());
            }
            match p.checked_mul(10) {
                Some(next) => p = next,
                None => break,
            }
        }
    }

    proptest! {
        #[test]
        fn matches_core_fmt(n: u64) {
            prop_assert_eq!(dec(n), format!("{n}").into_bytes());
            prop_assert_eq!(hex(n), format!("{n:x}").into_bytes());
        }
    }
}
