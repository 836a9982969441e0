//! Byte classes of the field grammar, as 256-entry `static` tables.
//!
//! Each table answers "may this byte appear here?" with one load. They are
//! built at compile time by [`byte_class!`] from a pattern that spells the
//! ABNF directly, so the grammar quoted in each doc comment and the code that
//! enforces it are one and the same text.

/// Builds a `[bool; 256]` whose entry `b` is `true` exactly when `b` matches
/// the given byte pattern.
macro_rules! byte_class {
    ($($pat:pat_param)|+) => {{
        let mut table = [false; 256];
        let mut i = 0;
        while i < 256 {
            #[allow(clippy::cast_possible_truncation)]
            let byte = i as u8;
            table[i] = matches!(byte, $($pat)|+);
            i += 1;
        }
        table
    }};
}

/// `tchar`, the bytes of a token such as a field name (RFC 9110 §5.6.2):
///
/// ```text
/// token = 1*tchar
/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*"
///       / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///       / DIGIT / ALPHA
///       ; any VCHAR, except delimiters
/// ```
pub(crate) static TCHAR: [bool; 256] = byte_class!(
    b'!' | b'#'
        | b'$'
        | b'%'
        | b'&'
        | b'\''
        | b'*'
        | b'+'
        | b'-'
        | b'.'
        | b'^'
        | b'_'
        | b'`'
        | b'|'
        | b'~'
        | b'0'..=b'9'
        | b'A'..=b'Z'
        | b'a'..=b'z'
);

/// `field-vchar`, a visible byte of a field value (RFC 9110 §5.5):
///
/// ```text
/// field-vchar = VCHAR / obs-text
/// VCHAR       = %x21-7E
/// obs-text    = %x80-FF
/// ```
pub(crate) static FIELD_VCHAR: [bool; 256] = byte_class!(0x21..=0x7E | 0x80..=0xFF);

/// The bytes allowed anywhere inside a field value (RFC 9110 §5.5):
///
/// ```text
/// field-value   = *field-content
/// field-content = field-vchar
///                 [ 1*( SP / HTAB / field-vchar ) field-vchar ]
/// ```
///
/// That is `field-vchar`, SP and HTAB. Everything else, above all CR, LF and
/// NUL (RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters are
/// invalid and dangerous"), is refused.
pub(crate) static FIELD_CONTENT: [bool; 256] =
    byte_class!(b'\t' | b' ' | 0x21..=0x7E | 0x80..=0xFF);

/// Whether `name` is a `token` (RFC 9110 §5.1: `field-name = token`).
///
/// One table load per byte, folded without an early exit so the loop has no
/// data-dependent branch.
#[inline]
pub(crate) fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().fold(true, |ok, &b| ok & TCHAR[usize::from(b)])
}

/// Whether `value` is a `field-value` (RFC 9110 §5.5): only field-vchar, SP
/// and HTAB, and neither first nor last byte is SP or HTAB. The empty value
/// is allowed.
#[inline]
pub(crate) fn is_field_value(value: &[u8]) -> bool {
    match (value.first(), value.last()) {
        (Some(&first), Some(&last)) => {
            FIELD_VCHAR[usize::from(first)]
                & FIELD_VCHAR[usize::from(last)]
                & is_field_content(value)
        }
        _ => true,
    }
}

/// `0x01` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Nonzero if some byte of `word` is a control (`0x00..=0x1F` or `0x7F`),
/// zero otherwise. HTAB counts as a control here; callers sort it out.
///
/// `x - 0x20` per byte borrows into the high bit exactly when the byte is
/// below `0x20`, unless its own high bit was set (hence `& !word`); a byte
/// equal to `0x7F` becomes zero after `^ 0x7F` and is found the same way.
/// Borrows can make a byte above a genuine hit look like one too, but never
/// produce a hit in a word that has none, so the word-level answer is exact.
#[inline]
const fn control_bits(word: u64) -> u64 {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let del = word ^ (ONES * 0x7F);
    let is_del = del.wrapping_sub(ONES) & !del;
    (below_space | is_del) & HIGHS
}

/// Whether every byte of `bytes` is in [`FIELD_CONTENT`]. Eight bytes at a
/// time: words with no control at all (the usual case) are accepted without
/// looking at their bytes; only if some word holds a control (HTAB or a
/// forbidden one) does the byte table decide. The last word overlaps the one
/// before it rather than being copied into a padded buffer. Slices shorter
/// than a word go straight to the table.
#[inline]
pub(crate) fn is_field_content(bytes: &[u8]) -> bool {
    let by_table = |bytes: &[u8]| {
        bytes
            .iter()
            .fold(true, |ok, &b| ok & FIELD_CONTENT[usize::from(b)])
    };
    let Some(last) = bytes.last_chunk::<8>() else {
        return by_table(bytes);
    };
    let mut controls = control_bits(u64::from_le_bytes(*last));
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        controls |= control_bits(u64::from_le_bytes(word));
    }
    controls == 0 || by_table(bytes)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    /// The token delimiters of RFC 9110 §5.6.2, written out independently.
    const DELIMITERS: &[u8] = b"\"(),/:;<=>?@[\\]{}";

    #[test]
    fn tchar_is_vchar_minus_delimiters() {
        for b in 0..=255u8 {
            let expected = (0x21..=0x7E).contains(&b) && !DELIMITERS.contains(&b);
            assert_eq!(TCHAR[usize::from(b)], expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn field_content_excludes_controls() {
        for b in 0..=255u8 {
            let control = b < 0x20 || b == 0x7F;
            assert_eq!(
                FIELD_CONTENT[usize::from(b)],
                !control || b == b'\t',
                "byte {b:#04x}"
            );
            assert_eq!(
                FIELD_VCHAR[usize::from(b)],
                !control && b != b' ',
                "byte {b:#04x}"
            );
        }
    }

    #[test]
    fn control_bits_per_word() {
        use proptest::prelude::*;
        // Exhaustive over one byte in every position of an otherwise clean word.
        for position in 0..8 {
            for b in 0..=255u8 {
                let mut word = *b"abcdefgh";
                word[position] = b;
                let control = b < 0x20 || b == 0x7F;
                assert_eq!(
                    control_bits(u64::from_le_bytes(word)) != 0,
                    control,
                    "byte {b:#04x} at {position}"
                );
            }
        }
        proptest!(|(word: [u8; 8])| {
            let control = word.iter().any(|&b| b < 0x20 || b == 0x7F);
            prop_assert_eq!(control_bits(u64::from_le_bytes(word)) != 0, control);
        });
        proptest!(|(bytes: std::vec::Vec<u8>)| {
            let expected = bytes.iter().all(|&b| FIELD_CONTENT[usize::from(b)]);
            prop_assert_eq!(is_field_content(&bytes), expected);
        });
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
