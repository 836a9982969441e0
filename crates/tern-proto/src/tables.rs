//! Byte-class tables for the HTTP grammar, one bit per class in a 256-entry table.
//!
//! The parser and the composer's validation share these tables, so a byte the
//! parser refuses can never be written by the composer.

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///  "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA` (RFC 9110 §5.6.2).
pub(crate) const TCHAR: u8 = 1 << 0;
/// Bytes of a field value: `field-vchar = VCHAR / obs-text`, plus SP and HTAB
/// between them (RFC 9110 §5.5).
pub(crate) const FIELD_VALUE: u8 = 1 << 1;
/// Bytes of a request-target outside `pct-encoded`: `unreserved / sub-delims /
/// ":" / "@" / "/" / "?" / "%"` (RFC 3986 §3.3, §3.4 via RFC 9112 §3.2), plus
/// "[" and "]", which only the host of an authority may hold (`IP-literal`,
/// RFC 3986 §3.2.2): the parser checks where they are once the target is read.
pub(crate) const TARGET: u8 = 1 << 2;
/// `TARGET` bytes but `%`, `[` and `]`, which need a closer look.
pub(crate) const PLAIN_TARGET: u8 = 1 << 6;
/// `reg-name` bytes outside `pct-encoded`: `unreserved / sub-delims` (RFC 3986 §3.2.2).
pub(crate) const REG_NAME: u8 = 1 << 4;
/// `qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text` (RFC 9110 §5.6.4).
pub(crate) const QDTEXT: u8 = 1 << 5;

const fn build() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0usize;
    while byte < 256 {
        let b = byte as u8;
        let alpha = b.is_ascii_alphabetic();
        let digit = b.is_ascii_digit();
        let unreserved = alpha || digit || matches!(b, b'-' | b'.' | b'_' | b'~');
        let sub_delim = matches!(
            b,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        );
        let mut class = 0;
        if alpha
            || digit
            || matches!(
                b,
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
            )
        {
            class |= TCHAR;
        }
        if (b >= 0x20 && b != 0x7f) || b == b'\t' {
            class |= FIELD_VALUE;
        }
        if unreserved || sub_delim || matches!(b, b':' | b'@' | b'/' | b'?' | b'%' | b'[' | b']') {
            class |= TARGET;
        }
        if class & TARGET != 0 && !matches!(b, b'%' | b'[' | b']') {
            class |= PLAIN_TARGET;
        }
        if unreserved || sub_delim {
            class |= REG_NAME;
        }
        if b == b'\t' || b == b' ' || b == 0x21 || (b >= 0x23 && b != b'\\' && b != 0x7f) {
            class |= QDTEXT;
        }
        table[byte] = class;
        byte += 1;
    }
    table
}

/// The class bits of every byte, for building other lookup tables at compile time.
pub(crate) const CLASS_TABLE: [u8; 256] = build();

static CLASSES: [u8; 256] = CLASS_TABLE;

/// Whether `byte` belongs to `class` (one of the constants above).
#[inline(always)]
pub(crate) fn is(byte: u8, class: u8) -> bool {
    CLASSES[byte as usize] & class != 0
}

/// Whether `bytes` equals `lowercase` ignoring ASCII case; `lowercase` holds
/// only lowercase letters, digits and "-". A word at a time, with no branch per
/// byte: a byte may differ from its counterpart only in bit 0x20, and only
/// where the counterpart is a letter (the only bytes of `lowercase` with bit
/// 0x40), so a control byte such as a CR a leniency let through cannot pass
/// for "-" or a digit. Words overlap to cover lengths that are not a multiple
/// of the word.
#[inline]
pub(crate) fn eq_lowercase(bytes: &[u8], lowercase: &[u8]) -> bool {
    debug_assert!(
        lowercase
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    );
    let len = lowercase.len();
    if bytes.len() != len {
        return false;
    }
    let differ = |x: u64, y: u64| (x ^ y) & !((y & 0x4040_4040_4040_4040) >> 1) != 0;
    if len >= 8 {
        let word =
            |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let mut at = 0;
        while at + 8 < len {
            if differ(word(bytes, at), word(lowercase, at)) {
                return false;
            }
            at += 8;
        }
        !differ(word(bytes, len - 8), word(lowercase, len - 8))
    } else if len >= 4 {
        let word = |b: &[u8], at: usize| {
            u64::from(u32::from_le_bytes(
                b[at..at + 4].try_into().expect("4 bytes"),
            ))
        };
        !differ(word(bytes, 0), word(lowercase, 0))
            && !differ(word(bytes, len - 4), word(lowercase, len - 4))
    } else {
        bytes
            .iter()
            .zip(lowercase)
            .all(|(&x, &y)| !differ(u64::from(x), u64::from(y)))
    }
}

/// Whether `bytes` is a non-empty `token` (RFC 9110 §5.6.2): a transfer
/// coding's name for the parser, a field name for the composer.
///
/// One table load per byte, folded without an early exit so the loop has no
/// data-dependent branch.
#[inline]
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().fold(true, |ok, &b| ok & is(b, TCHAR))
}

/// The index of the first byte in `bytes[from..]` outside `FIELD_VALUE`, or
/// `bytes.len()`. Eight bytes at a time: in each word, the lowest byte below
/// 0x20 or equal to 0x7F is found exactly with borrow arithmetic (higher bytes
/// may be flagged falsely, the lowest never is). HTAB, the one control a value
/// may hold, is stepped over.
#[inline]
pub(crate) fn skip_field_value(bytes: &[u8], mut from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(from..from + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let del = word ^ (ONES * 0x7f);
        let is_del = del.wrapping_sub(ONES) & !del & HIGHS;
        let flagged = below_space | is_del;
        if flagged == 0 {
            from += 8;
            continue;
        }
        let stop = from + (flagged.trailing_zeros() / 8) as usize;
        if bytes[stop] != b'\t' {
            return stop;
        }
        from = stop + 1;
    }
    while let Some(&b) = bytes.get(from) {
        if !is(b, FIELD_VALUE) {
            return from;
        }
        from += 1;
    }
    from
}

/// The index of the first byte in `bytes[from..]` outside `class`, or
/// `bytes.len()`. Four lookups per step, combined before one branch.
#[inline]
pub(crate) fn skip_class(bytes: &[u8], mut from: usize, class: u8) -> usize {
    while let Some(&[a, b, c, d]) = bytes.get(from..from + 4) {
        let all =
            CLASSES[a as usize] & CLASSES[b as usize] & CLASSES[c as usize] & CLASSES[d as usize];
        if all & class == 0 {
            break;
        }
        from += 4;
    }
    while let Some(&b) = bytes.get(from) {
        if !is(b, class) {
            return from;
        }
        from += 1;
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_matches_the_abnf() {
        let specials = b"!#$%&'*+-.^_`|~";
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || specials.contains(&b);
            assert_eq!(is(b, TCHAR), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn field_value_excludes_controls_but_htab() {
        for b in 0..=255u8 {
            let expected = b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80;
            assert_eq!(is(b, FIELD_VALUE), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn lowercase_comparison_matches_eq_ignore_ascii_case_on_every_byte() {
        // Every length up to three words, to cover the byte loop, the
        // overlapping tails of the 4- and 8-byte words and the word loop.
        let words: [&[u8]; 18] = [
            b"a",
            b"te",
            b"gzi",
            b"host",
            b"close",
            b"expect",
            b"upgrade",
            b"0123456-",
            b"chunked-9",
            b"keep-alive",
            b"abcdefghijk",
            b"100-continue",
            b"abcdefghijklm",
            b"content-length",
            b"abcdefghijklmno",
            b"abcdefghijklmnop",
            b"transfer-encoding",
            b"abcdefghijklmnopqrstuvwx-",
        ];
        for word in words {
            for b in 0..=255u8 {
                for at in 0..word.len() {
                    let mut candidate = word.to_vec();
                    candidate[at] = b;
                    assert_eq!(
                        eq_lowercase(&candidate, word),
                        candidate.eq_ignore_ascii_case(word),
                        "{candidate:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn plain_target_is_target_without_pct_and_brackets() {
        for b in 0..=255u8 {
            let expected = is(b, TARGET) && !matches!(b, b'%' | b'[' | b']');
            assert_eq!(is(b, PLAIN_TARGET), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn four_byte_skip_agrees_with_byte_loop() {
        let bytes = b"GET /a/b?c=d%20e HTTP/1.1";
        for from in 0..bytes.len() {
            for class in [TCHAR, TARGET, PLAIN_TARGET, FIELD_VALUE] {
                let expected = (from..bytes.len())
                    .find(|&i| !is(bytes[i], class))
                    .unwrap_or(bytes.len());
                assert_eq!(skip_class(bytes, from, class), expected);
            }
        }
    }

    #[test]
    fn word_skip_agrees_with_byte_loop() {
        for bad in [0u8, 1, 0x0a, 0x0d, 0x1f, 0x7f] {
            for pos in 0..20 {
                let mut bytes = [b'a'; 24];
                bytes[3] = 0x80;
                bytes[5] = 0xff;
                bytes[7] = b'\t';
                if pos != 7 {
                    bytes[pos] = bad;
                }
                let expected = skip_class(&bytes, 0, FIELD_VALUE);
                assert_eq!(skip_field_value(&bytes, 0), expected);
            }
        }
        assert_eq!(skip_field_value(&[b'x'; 30], 0), 30);
    }
}
