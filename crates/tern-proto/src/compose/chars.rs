//! The composer's view of the field grammar, on the crate's shared byte-class
//! tables ([`crate::tables`]): a byte the request parser refuses in a name or
//! a value is a byte the composer refuses to write.
//!
//! ```text
//! field-name    = token                                   ; RFC 9110 §5.1
//! token         = 1*tchar                                 ; RFC 9110 §5.6.2
//! field-value   = *field-content                          ; RFC 9110 §5.5
//! field-content = field-vchar
//!                 [ 1*( SP / HTAB / field-vchar ) field-vchar ]
//! field-vchar   = VCHAR / obs-text
//! ```

use crate::tables::{self, FIELD_VALUE, TCHAR};

/// Whether `name` is a `token` (RFC 9110 §5.1: `field-name = token`).
///
/// One table load per byte, folded without an early exit so the loop has no
/// data-dependent branch.
#[inline]
pub(crate) fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().fold(true, |ok, &b| ok & tables::is(b, TCHAR))
}

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

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
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
}
