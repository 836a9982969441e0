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
#[inline]
pub(crate) fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| TCHAR[usize::from(b)])
}

/// Whether `value` is a `field-value` (RFC 9110 §5.5): only field-vchar, SP
/// and HTAB, and neither first nor last byte is SP or HTAB. The empty value
/// is allowed.
#[inline]
pub(crate) fn is_field_value(value: &[u8]) -> bool {
    match (value.first(), value.last()) {
        (Some(&first), Some(&last)) => {
            FIELD_VCHAR[usize::from(first)]
                && FIELD_VCHAR[usize::from(last)]
                && value.iter().all(|&b| FIELD_CONTENT[usize::from(b)])
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
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
