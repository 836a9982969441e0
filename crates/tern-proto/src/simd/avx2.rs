//! AVX2 scans, 32 bytes per step. Every load is `_mm256_loadu_si256` (no
//! alignment needed) of 32 bytes proved inside the slice; the last 1 to 31
//! bytes are read as the block that ends where the slice ends (so only a
//! slice shorter than 32 bytes goes to the scalar scan).

use alloc::vec::Vec;
use core::arch::x86_64::{
    __m256i, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
    _mm256_max_epu8, _mm256_min_epu8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
};

use crate::config::Config;
use crate::parse::{self, ByteScan, FieldSpan, LineLeft, RequestLine};
use crate::tables::{self, CLASS_TABLE, PLAIN_TARGET, REG_NAME, TCHAR};

/// Proof that the CPU running this code has AVX2: only [`Avx2::detect`]
/// makes one, so code holding one may use AVX2 instructions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

impl Avx2 {
    #[inline]
    pub(crate) fn detect() -> Option<Self> {
        // `is_x86_feature_detected!` asks the CPU once and caches the answer.
        #[cfg(feature = "std")]
        let present = std::is_x86_feature_detected!("avx2");
        #[cfg(not(feature = "std"))]
        let present = cfg!(target_feature = "avx2");
        present.then_some(Self(()))
    }
}

impl ByteScan for Avx2 {
    #[inline(always)]
    fn skip_tchar(self, bytes: &[u8], from: usize) -> usize {
        // SAFETY: a value of `Avx2` exists only on a CPU with AVX2 (`detect`).
        unsafe { skip_ascii_class(bytes, from, TCHAR, &TCHAR_NIBBLES) }
    }

    /// The first block gives both the first byte above SP and the first
    /// refused byte, which end a short value's OWS and the value itself.
    /// Written here, outside a `target_feature` function, so that it is
    /// always inlined into its caller (which is one).
    #[inline(always)]
    fn skip_ows_and_field_value(self, bytes: &[u8], from: usize) -> (usize, usize) {
        if from < bytes.len().saturating_sub(31) {
            // SAFETY: a value of `Avx2` exists only on a CPU with AVX2
            // (`detect`); `from < bytes.len() - 31` (a subtraction that did
            // not saturate), so `from + 32 <= bytes.len()`.
            let (refused, visible) = unsafe { value_block(load(bytes, from)) };
            if refused != 0 {
                // Every byte before the first refused one is SP, HTAB or
                // above SP: the first of `visible | refused` ends the OWS.
                let first = from + (visible | refused).trailing_zeros() as usize;
                return (first, from + refused.trailing_zeros() as usize);
            }
            // SAFETY: as above, AVX2 is present.
            let stop = unsafe { skip_field_value(bytes, from + 32) };
            if visible != 0 {
                return (from + visible.trailing_zeros() as usize, stop);
            }
            return (parse::skip_ows(bytes, from, stop), stop);
        }
        // SAFETY: a value of `Avx2` exists only on a CPU with AVX2 (`detect`).
        let stop = unsafe { skip_field_value(bytes, from) };
        (parse::skip_ows(bytes, from, stop), stop)
    }

    /// The line's first 64 bytes are classified for the name and the value
    /// at once, from two loads at `start`: the value's scan does not wait
    /// for the name's end, which a scan from the colon would (a chain of
    /// load, classes and bit scan per run, the most of a short line's time).
    #[inline(always)]
    fn scan_field_line(self, bytes: &[u8], start: usize) -> (usize, Option<(usize, usize)>) {
        if start < bytes.len().saturating_sub(63) {
            // SAFETY: a value of `Avx2` exists only on a CPU with AVX2
            // (`detect`); `start < bytes.len() - 63` (a subtraction that did
            // not saturate), so `start + 64 <= bytes.len()`.
            let (name_refused, refused, visible) = unsafe { line_blocks(bytes, start) };
            if name_refused != 0 {
                let name_end = start + name_refused.trailing_zeros() as usize;
                if bytes[name_end] != b':' {
                    return (name_end, None);
                }
                // The name's bytes and the colon are no value byte that
                // stops a value, so the first refused byte from the line's
                // start is the value's end: found without waiting for the
                // name's end, which decides only the OWS's.
                if refused != 0 {
                    // The value's bits: those after the colon (at most the
                    // 33rd, so the shift is in range). As in
                    // `skip_ows_and_field_value`, the first of `visible |
                    // refused` there ends the OWS.
                    let after_colon = u64::MAX << (name_end - start + 1);
                    let first =
                        start + ((visible | refused) & after_colon).trailing_zeros() as usize;
                    return (
                        name_end,
                        Some((first, start + refused.trailing_zeros() as usize)),
                    );
                }
                let visible = visible & u64::MAX << (name_end - start + 1);
                // SAFETY: as above, AVX2 is present.
                let stop = unsafe { skip_field_value(bytes, start + 64) };
                // Past the 64 bytes, every value byte was SP or HTAB if
                // none was visible.
                let first = if visible != 0 {
                    start + visible.trailing_zeros() as usize
                } else {
                    parse::skip_ows(bytes, start + 64, stop)
                };
                return (name_end, Some((first, stop)));
            }
        }
        let name_end = self.skip_tchar(bytes, start);
        if bytes.get(name_end) != Some(&b':') {
            return (name_end, None);
        }
        (
            name_end,
            Some(self.skip_ows_and_field_value(bytes, name_end + 1)),
        )
    }

    #[inline(always)]
    fn skip_plain_target(self, bytes: &[u8], from: usize) -> usize {
        // SAFETY: a value of `Avx2` exists only on a CPU with AVX2 (`detect`).
        unsafe { skip_ascii_class(bytes, from, PLAIN_TARGET, &PLAIN_TARGET_NIBBLES) }
    }
}

/// `parse::whole_field_lines` compiled for AVX2, its scans inlined.
#[inline]
pub(crate) fn whole_field_lines(
    token: Avx2,
    window: &[u8],
    start: usize,
    max_fields: usize,
    fields: &mut Vec<FieldSpan>,
) -> (usize, LineLeft) {
    // SAFETY: `token` proves that this CPU has AVX2.
    unsafe { whole_field_lines_avx2(token, window, start, max_fields, fields) }
}

/// `parse::whole_head_lines` compiled for AVX2, its scans inlined.
#[inline]
pub(crate) fn whole_head_lines(
    token: Avx2,
    window: &[u8],
    start: usize,
    config: &Config,
    fields: &mut Vec<FieldSpan>,
) -> Option<(RequestLine, usize)> {
    // SAFETY: `token` proves that this CPU has AVX2.
    unsafe { whole_head_lines_avx2(token, window, start, config, fields) }
}

/// `parse::whole_request_line` compiled for AVX2, its scans inlined.
#[inline]
pub(crate) fn whole_request_line(
    token: Avx2,
    window: &[u8],
    start: usize,
    config: &Config,
) -> Option<(RequestLine, usize)> {
    // SAFETY: `token` proves that this CPU has AVX2.
    unsafe { whole_request_line_avx2(token, window, start, config) }
}

/// `tables::skip_class(bytes, from, REG_NAME)` compiled for AVX2.
#[inline]
pub(crate) fn skip_reg_name(token: Avx2, bytes: &[u8], from: usize) -> usize {
    // SAFETY: `token` proves that this CPU has AVX2.
    unsafe { skip_reg_name_avx2(token, bytes, from) }
}

#[target_feature(enable = "avx2")]
fn skip_reg_name_avx2(_token: Avx2, bytes: &[u8], from: usize) -> usize {
    skip_ascii_class(bytes, from, REG_NAME, &REG_NAME_NIBBLES)
}

#[target_feature(enable = "avx2")]
fn whole_head_lines_avx2(
    token: Avx2,
    window: &[u8],
    start: usize,
    config: &Config,
    fields: &mut Vec<FieldSpan>,
) -> Option<(RequestLine, usize)> {
    // As `parse::whole_head_lines`, the field lines' loop left in its own
    // function, where it compiles tighter.
    let (line, next) = parse::whole_request_line(token, window, start, config)?;
    let end = head_field_lines_avx2(token, window, next, config.max_fields, fields);
    Some((line, end))
}

/// `parse::whole_field_lines` for a whole head: a line left partly read
/// does not matter there, so this instance does not compute how.
#[target_feature(enable = "avx2")]
#[inline(never)]
fn head_field_lines_avx2(
    token: Avx2,
    window: &[u8],
    start: usize,
    max_fields: usize,
    fields: &mut Vec<FieldSpan>,
) -> usize {
    parse::whole_field_lines(token, window, start, max_fields, fields).0
}

#[target_feature(enable = "avx2")]
fn whole_request_line_avx2(
    token: Avx2,
    window: &[u8],
    start: usize,
    config: &Config,
) -> Option<(RequestLine, usize)> {
    parse::whole_request_line(token, window, start, config)
}

#[target_feature(enable = "avx2")]
#[inline(never)]
fn whole_field_lines_avx2(
    token: Avx2,
    window: &[u8],
    start: usize,
    max_fields: usize,
    fields: &mut Vec<FieldSpan>,
) -> (usize, LineLeft) {
    parse::whole_field_lines(token, window, start, max_fields, fields)
}

/// A byte class of ASCII bytes as two 16-entry tables for `vpshufb` (each
/// repeated for both 128-bit lanes): `low[b & 15]` has bit `b >> 4` set for
/// each member `b`; `high[h]` is `1 << h` for `h < 8` and 0 above, so bytes
/// from 0x80 up are never members.
struct Nibbles {
    low: [u8; 32],
    high: [u8; 32],
}

const fn nibbles(class: u8) -> Nibbles {
    let mut low = [0u8; 32];
    let mut high = [0u8; 32];
    let mut byte = 0;
    while byte < 256 {
        if CLASS_TABLE[byte] & class != 0 {
            assert!(byte < 0x80, "only an ASCII class fits the nibble tables");
            low[byte & 15] |= 1 << (byte >> 4);
            low[16 + (byte & 15)] |= 1 << (byte >> 4);
        }
        byte += 1;
    }
    let mut h = 0;
    while h < 8 {
        high[h] = 1 << h;
        high[16 + h] = 1 << h;
        h += 1;
    }
    Nibbles { low, high }
}

const TCHAR_NIBBLES: Nibbles = nibbles(TCHAR);
const PLAIN_TARGET_NIBBLES: Nibbles = nibbles(PLAIN_TARGET);
const REG_NAME_NIBBLES: Nibbles = nibbles(REG_NAME);

/// Loads the 32 bytes of `bytes` at `at`.
///
/// # Safety
///
/// `at + 32 <= bytes.len()`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn load(bytes: &[u8], at: usize) -> __m256i {
    debug_assert!(at + 32 <= bytes.len());
    // SAFETY: the caller guarantees that the 32 bytes at `at` lie inside
    // `bytes`; `_mm256_loadu_si256` needs no alignment.
    unsafe { _mm256_loadu_si256(bytes.as_ptr().add(at).cast()) }
}

/// The index of the first byte in `bytes[from..]` that `refused` flags
/// (bit i of its mask for byte i of the 32 it is given), or `bytes.len()`;
/// `from` itself when it is past the end, as the scalar scans do. Slices
/// shorter than one block go to `scalar`.
#[target_feature(enable = "avx2")]
#[inline]
fn first_refused(
    bytes: &[u8],
    mut from: usize,
    refused: impl Fn(__m256i) -> u32,
    scalar: impl Fn(&[u8], usize) -> usize,
) -> usize {
    // `from < blocks_end` exactly when `from + 32 <= bytes.len()`; one
    // compare per step, and the bound is the same for every scan of a slice.
    let blocks_end = bytes.len().saturating_sub(31);
    while from < blocks_end {
        // SAFETY: `from < bytes.len() - 31` (a subtraction that did not
        // saturate, as `blocks_end > 0`), so `from + 32 <= bytes.len()`.
        let mask = refused(unsafe { load(bytes, from) });
        if mask != 0 {
            return from + mask.trailing_zeros() as usize;
        }
        from += 32;
    }
    if from >= bytes.len() {
        return from;
    }
    if bytes.len() < 32 {
        return scalar(bytes, from);
    }
    // The last 1 to 31 bytes: the block that ends where the slice ends, with
    // the bytes before `from` shifted out of its mask (1 to 31 of them).
    let base = bytes.len() - 32;
    // SAFETY: `base + 32 == bytes.len()`.
    let mask = refused(unsafe { load(bytes, base) }) >> (from - base);
    if mask != 0 {
        from + mask.trailing_zeros() as usize
    } else {
        bytes.len()
    }
}

/// `tables::skip_class(bytes, from, class)` for an ASCII class whose nibble
/// tables are `table`.
#[target_feature(enable = "avx2")]
#[inline]
fn skip_ascii_class(bytes: &[u8], from: usize, class: u8, table: &Nibbles) -> usize {
    // SAFETY: both arrays are 32 bytes long.
    let (low_table, high_table) = unsafe { (load(&table.low, 0), load(&table.high, 0)) };
    let outside = |v: __m256i| outside_class(v, low_table, high_table);
    first_refused(bytes, from, outside, |bytes, from| {
        tables::skip_class(bytes, from, class)
    })
}

/// The mask of the 32 bytes of `v` outside the class whose nibble tables
/// are loaded in `low_table` and `high_table`.
#[target_feature(enable = "avx2")]
#[inline]
fn outside_class(v: __m256i, low_table: __m256i, high_table: __m256i) -> u32 {
    let nibble = _mm256_set1_epi8(0x0f);
    let low = _mm256_shuffle_epi8(low_table, _mm256_and_si256(v, nibble));
    let high = _mm256_shuffle_epi8(
        high_table,
        _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble),
    );
    let outside = _mm256_cmpeq_epi8(_mm256_and_si256(low, high), _mm256_setzero_si256());
    _mm256_movemask_epi8(outside) as u32
}

/// The bytes `tables::skip_field_value` stops at: below 0x20 other than
/// HTAB, or DEL.
#[target_feature(enable = "avx2")]
#[inline]
fn value_refused(v: __m256i) -> u32 {
    let last_control = _mm256_set1_epi8(0x1f);
    // Unsigned v <= 0x1f exactly when min(v, 0x1f) == v.
    let control = _mm256_cmpeq_epi8(_mm256_min_epu8(v, last_control), v);
    let refused = _mm256_or_si256(
        _mm256_andnot_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8)), control),
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f)),
    );
    _mm256_movemask_epi8(refused) as u32
}

/// For the 32 bytes of `v`: the mask of the bytes `value_refused` flags, and
/// that of the bytes above SP.
#[target_feature(enable = "avx2")]
#[inline]
fn value_block(v: __m256i) -> (u32, u32) {
    // Unsigned v >= 0x21 exactly when max(v, 0x21) == v.
    let above_space = _mm256_cmpeq_epi8(_mm256_max_epu8(v, _mm256_set1_epi8(0x21)), v);
    (value_refused(v), _mm256_movemask_epi8(above_space) as u32)
}

/// For the 64 bytes at `start`: the mask of the first 32 that are not
/// `tchar`s, and the 64-bit masks of `value_block`.
///
/// # Safety
///
/// `start + 64 <= bytes.len()`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn line_blocks(bytes: &[u8], start: usize) -> (u32, u64, u64) {
    // SAFETY: the caller guarantees `start + 64 <= bytes.len()`, so both
    // 32-byte loads lie inside `bytes`; the tables are 32 bytes long.
    let (first, second, low_table, high_table) = unsafe {
        (
            load(bytes, start),
            load(bytes, start + 32),
            load(&TCHAR_NIBBLES.low, 0),
            load(&TCHAR_NIBBLES.high, 0),
        )
    };
    let name_refused = outside_class(first, low_table, high_table);
    let (refused_low, visible_low) = value_block(first);
    let (refused_high, visible_high) = value_block(second);
    let join = |low: u32, high: u32| u64::from(low) | u64::from(high) << 32;
    (
        name_refused,
        join(refused_low, refused_high),
        join(visible_low, visible_high),
    )
}

/// `tables::skip_field_value`: the first byte below 0x20 other than HTAB, or
/// DEL.
#[target_feature(enable = "avx2")]
#[inline]
fn skip_field_value(bytes: &[u8], from: usize) -> usize {
    first_refused(bytes, from, |v| value_refused(v), tables::skip_field_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Scalar;

    /// Calls `check` with `line`, its byte at `at` replaced by `bad` (none
    /// when `at` is its length), from every start 0 to 2.
    fn with_byte_at(line: &[u8], at: usize, bad: u8, mut check: impl FnMut(&[u8], usize)) {
        let mut bytes = line.to_vec();
        if let Some(byte) = bytes.get_mut(at) {
            *byte = bad;
        }
        for from in 0..=bytes.len().min(2) {
            check(&bytes, from);
        }
    }

    /// Scans over buffers of every length up to 80, each with one refused
    /// byte at every position (or none), from starts 0 to 2: every distance
    /// to the stop and every remaining length (what decides the blocks and
    /// the tail). The AVX2 and scalar scans agree, and under Miri every load
    /// stays inside the slice.
    #[test]
    fn scans_agree_with_scalar_at_every_start_length_and_stop() {
        let Some(avx2) = Avx2::detect() else {
            #[cfg(feature = "std")]
            assert!(
                !std::is_x86_feature_detected!("avx2"),
                "AVX2 present, not detected"
            );
            return;
        };
        let fill = [b'a', b'v', b'/'];
        let refused = [
            b'\r', b'\n', b' ', b'\t', b':', b'%', 0x00, 0x7f, 0x80, 0xff,
        ];
        let lengths: &[usize] = if cfg!(miri) {
            &[0, 31, 32, 33, 64, 65]
        } else {
            &[]
        };
        let all: Vec<usize> = (0..=80).collect();
        let lengths = if lengths.is_empty() {
            &all[..]
        } else {
            lengths
        };
        for &len in lengths {
            for &base in &fill {
                for &bad in &refused {
                    let line = alloc::vec![base; len];
                    for at in 0..=len {
                        with_byte_at(&line, at, bad, |bytes, from| {
                            assert_eq!(
                                avx2.skip_tchar(bytes, from),
                                Scalar.skip_tchar(bytes, from)
                            );
                            assert_eq!(
                                avx2.skip_ows_and_field_value(bytes, from),
                                Scalar.skip_ows_and_field_value(bytes, from)
                            );
                            assert_eq!(
                                avx2.skip_plain_target(bytes, from),
                                Scalar.skip_plain_target(bytes, from)
                            );
                            assert_eq!(
                                skip_reg_name(avx2, bytes, from),
                                tables::skip_class(bytes, from, REG_NAME)
                            );
                        });
                    }
                }
            }
        }
    }

    /// The value scan's OWS end against the scalar reference: buffers of
    /// every length up to 80 whose first `ows` bytes are SP and HTAB (the
    /// rest visible), with a refused byte at every position (or none), from
    /// starts 0 to 2: the OWS ending inside the first block, at its end,
    /// past it, or not before the refused byte, and the refused byte in the
    /// first block, a later one or the last bytes.
    #[test]
    fn ows_and_value_scan_agrees_with_scalar_at_every_length_ows_and_stop() {
        let Some(avx2) = Avx2::detect() else {
            return;
        };
        let positions = |len: usize| -> Vec<usize> {
            if cfg!(miri) {
                let mut some = alloc::vec![0, 1, 30, 31, 32, 33, len / 2, len - len.min(1), len];
                some.retain(|&p| p <= len);
                some
            } else {
                (0..=len).collect()
            }
        };
        let lengths: Vec<usize> = if cfg!(miri) {
            alloc::vec![0, 31, 32, 33, 64, 65]
        } else {
            (0..=80).collect()
        };
        for &len in &lengths {
            for ows in positions(len) {
                let line: Vec<u8> = (0..len)
                    .map(|i| match i {
                        i if i >= ows => b'v',
                        i if i % 3 == 1 => b'\t',
                        _ => b' ',
                    })
                    .collect();
                for at in positions(len) {
                    for bad in [b'\r', b'\n', 0x00, 0x7f] {
                        with_byte_at(&line, at, bad, |bytes, from| {
                            assert_eq!(
                                avx2.skip_ows_and_field_value(bytes, from),
                                Scalar.skip_ows_and_field_value(bytes, from),
                                "{bytes:?} from {from}"
                            );
                        });
                    }
                }
            }
        }
    }

    /// The whole-line scan against the scalar reference: a name, a colon,
    /// OWS and a value, of lengths that put the name's end, the OWS's end
    /// and the value's end in the first block, at the block edges, in the
    /// second block or past the 64 bytes, with a refused byte at every
    /// position (or none), from starts 0 to 2.
    #[test]
    fn field_line_scan_agrees_with_scalar_at_every_length_and_stop() {
        let Some(avx2) = Avx2::detect() else {
            return;
        };
        let (names, spaces, lengths): (&[usize], &[usize], usize) = if cfg!(miri) {
            (&[0, 31, 33], &[0, 35], 70)
        } else {
            (&[0, 1, 7, 30, 31, 32, 33], &[0, 1, 3, 32, 35], 100)
        };
        for &name in names {
            for &ows in spaces {
                for len in [lengths / 2, lengths - 31, lengths] {
                    let line: Vec<u8> = (0..len)
                        .map(|i| match i {
                            i if i < name => b'n',
                            i if i == name => b':',
                            i if i <= name + ows && i % 2 == 0 => b'\t',
                            i if i <= name + ows => b' ',
                            _ => b'v',
                        })
                        .collect();
                    for at in 0..=len {
                        for bad in [b'\r', b':', b' ', 0x00, 0x7f, 0x80] {
                            with_byte_at(&line, at, bad, |bytes, from| {
                                assert_eq!(
                                    avx2.scan_field_line(bytes, from),
                                    Scalar.scan_field_line(bytes, from),
                                    "{bytes:?} from {from}"
                                );
                            });
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn nibble_tables_decide_their_class_for_every_byte() {
        for (table, class) in [
            (&TCHAR_NIBBLES, TCHAR),
            (&PLAIN_TARGET_NIBBLES, PLAIN_TARGET),
            (&REG_NAME_NIBBLES, REG_NAME),
        ] {
            for b in 0..=255u8 {
                let low = table.low[usize::from(b & 15)];
                let high = table.high[usize::from(b >> 4)];
                assert_eq!(low & high != 0, tables::is(b, class), "byte {b:#04x}");
            }
            // Both lanes of the vector hold the same table.
            assert_eq!(table.low[..16], table.low[16..]);
            assert_eq!(table.high[..16], table.high[16..]);
        }
    }
}
