//! The composer's view of the field grammar, on the crate's shared byte-class
//! tables ([`crate::tables`]): a byte the request parser refuses in a name or
//! a value is a byte the composer refuses to write. A field name is checked
//! with [`crate::tables::is_token`], as the parser checks a transfer coding.
//!
//! ```text
//! field-name    = token                                   ; RFC 9110 §5.1
//! token         = 1*tchar                                 ; RFC 9110 §5.6.2
//! field-value   = *field-content                          ; RFC 9110 §5.5
//! field-content = field-vchar
//!                 [ 1*( SP / HTAB / field-vchar ) field-vchar ]
//! field-vchar   = VCHAR / obs-text
//! ```

use crate::tables::{self, FIELD_VALUE};

/// Whether `b` is a `field-vchar`: a field-value byte other than SP and HTAB.
#[inline]
fn is_field_vchar(b: u8) -> bool {
    tables::is(b, FIELD_VALUE) & (b != b' ') & (b != b'\t')
}

/// Whether `value` is a `field-value` (RFC 9110 §5.5): only field-vchar, SP
/// and HTAB — so no CR, LF, NUL or other control — and neither the first nor
/// the last byte is SP or HTAB. The empty value is allowed.
#[inline]
pub(crate) fn is_field_value(value: &[u8]) -> bool {
    match (value.first(), value.last()) {
        (Some(&first), Some(&last)) => {
            is_field_vchar(first)
                & is_field_vchar(last)
                & (tables::skip_field_value(value, 0) == value.len())
        }
        _ => true,
    }
}

/// Whether `date` can be sent as the `Date` field value: visible ASCII and
/// SP only, neither first nor last byte SP. Every IMF-fixdate (RFC 9110
/// §5.6.7) is; obs-text and HTAB, which a field value could hold, never
/// appear in one, so refusing them costs nothing and lets the check run on
/// four overlapping words instead of a byte loop.
#[inline]
pub(crate) fn is_date_value(date: &[u8; 29]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&date[at..at + 8]);
        u64::from_ne_bytes(bytes)
    };
    // Per word, a high bit is set in `bad` iff some byte is below 0x20 (the
    // subtraction borrows into it; a borrow only starts at a byte that is
    // already bad, so the answer as zero/non-zero is exact) or above 0x7E
    // (adding one carries 0x7F into the high bit; bytes from 0x80 have it).
    let bad = |x: u64| (x.wrapping_sub(ONES * 0x20) | x.wrapping_add(ONES) | x) & HIGH;
    let any_bad = bad(word(0)) | bad(word(8)) | bad(word(16)) | bad(word(21));
    (any_bad == 0) & (date[0] != b' ') & (date[28] != b' ')
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::tables::is_token;
    use proptest::prelude::*;

    /// The token delimiters of RFC 9110 §5.6.2, written out independently.
    const DELIMITERS: &[u8] = b"\"(),/:;<=>?@[\\]{}";

    #[test]
    fn names_are_vchar_minus_delimiters() {
        for b in 0..=255u8 {
            let expected = (0x21..=0x7E).contains(&b) && !DELIMITERS.contains(&b);
            assert_eq!(is_token(&[b]), expected, "byte {b:#04x}");
            assert_eq!(is_token(&[b'a', b, b'z']), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn value_bytes_exclude_controls() {
        for b in 0..=255u8 {
            let control = b < 0x20 || b == 0x7F;
            let vchar = !control && b != b' ';
            assert_eq!(is_field_value(&[b]), vchar, "byte {b:#04x}");
            // In the middle of a long value, SP and HTAB are fine too.
            let mut value = *b"abcdefghijklmnopqrstuvwxyz";
            for at in 1..value.len() - 1 {
                value[at] = b;
                assert_eq!(
                    is_field_value(&value),
                    !control || b == b'\t',
                    "byte {b:#04x} at {at}"
                );
                value[at] = b'x';
            }
        }
    }

    proptest! {
        #[test]
        fn value_matches_the_grammar(value: std::vec::Vec<u8>) {
            let content = |b: &u8| !(*b < 0x20 && *b != b'\t' || *b == 0x7F);
            let edge = |b: Option<&u8>| b.is_none_or(|&b| b != b' ' && b != b'\t');
            let expected = value.iter().all(content) && edge(value.first()) && edge(value.last());
            prop_assert_eq!(is_field_value(&value), expected);
        }
    }

    #[test]
    fn values() {
        assert!(is_field_value(b""));
        assert!(is_field_value(b"a"));
        assert!(is_field_value(b"text/html; charset=utf-8"));
        assert!(is_field_value(b"a \t b"));
        assert!(is_field_value(b"\x80\xff"));
        assert!(!is_field_value(b" a"));
        assert!(!is_field_value(b"a\t"));
        assert!(!is_field_value(b" "));
        assert!(!is_field_value(b"a\r\nb"));
        assert!(!is_field_value(b"a\0b"));
        assert!(!is_field_value(b"a\nb"));
        assert!(!is_field_value(b"\x7f"));
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"Content-Type"));
        assert!(is_token(b"x!#$%&'*+-.^_`|~09"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a:"));
        assert!(!is_token(b"a\r"));
    }

    /// The word-at-a-time date check against the byte-by-byte rule.
    fn date_value_model(date: &[u8; 29]) -> bool {
        date.iter().all(|b| (0x20..=0x7E).contains(b)) && date[0] != b' ' && date[28] != b' '
    }

    #[test]
    fn date_value_every_byte_at_every_position() {
        let valid = *b"Sun, 06 Nov 1994 08:49:37 GMT";
        assert!(is_date_value(&valid));
        for at in 0..29 {
            for b in 0..=255u8 {
                let mut date = valid;
                date[at] = b;
                assert_eq!(
                    is_date_value(&date),
                    date_value_model(&date),
                    "byte {b:#04x} at {at}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn date_value_matches_the_model(date in proptest::array::uniform29(any::<u8>())) {
            prop_assert_eq!(is_date_value(&date), date_value_model(&date));
        }

        #[test]
        fn date_value_two_bad_bytes(at in 0..29usize, other in 0..29usize, b in any::<u8>(), c in any::<u8>()) {
            let mut date = *b"Sun, 06 Nov 1994 08:49:37 GMT";
            date[at] = b;
            date[other] = c;
            prop_assert_eq!(is_date_value(&date), date_value_model(&date));
        }
    }
}
