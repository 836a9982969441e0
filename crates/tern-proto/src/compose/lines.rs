//! Field lines validated once and copied many times.

use super::{
    ComposeError, Field, NameClass, Writer, chars, classify, measure_fields, write_fields,
};
use crate::tables;

/// A block of complete field lines (`Name: value\r\n` …), validated once when
/// it is made and then copied into any number of heads without looking at its
/// bytes again.
///
/// Most of a static file server's head does not change between responses
/// for the same file: `Server`, `Content-Type`, `ETag`, `Last-Modified`,
/// `Accept-Ranges`. Render them once (with [`FieldLines::compose`], into the
/// file cache's entry, say, or with [`FieldLines::new`] from a literal) and put
/// the block in [`ResponseHead::lines`](super::ResponseHead::lines): each
/// response then pays a copy instead of a validation pass (Warp's "compose
/// once" applied to fields).
///
/// A block obeys the same rules as [`ResponseHead::fields`](super::ResponseHead::fields),
/// plus one: it never holds `Date`, which goes stale if a block is reused
/// and comes from the date cache instead. Each line is exactly `token ": "
/// field-value CRLF`.
///
/// ```
/// use tern_proto::compose::FieldLines;
///
/// let server = FieldLines::new(b"Server: tern\r\nAccept-Ranges: bytes\r\n")?;
/// assert_eq!(server.as_bytes().len(), 36);
/// assert!(FieldLines::new(b"Server: tern\r\nX: a\nInjected: 1\r\n").is_err());
/// # Ok::<(), tern_proto::compose::ComposeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FieldLines<'a> {
    bytes: &'a [u8],
    upgrade: bool,
}

impl<'a> FieldLines<'a> {
    /// The empty block.
    pub const EMPTY: Self = Self {
        bytes: b"",
        upgrade: false,
    };

    /// Validates `bytes` as a block of field lines, each exactly
    /// `token ": " field-value CRLF`.
    ///
    /// # Errors
    ///
    /// With `index` the number of the offending line (0-based):
    /// [`ComposeError::InvalidFieldName`] for a name that is not a token,
    /// [`ComposeError::InvalidFieldValue`] for a line that is not `": "`,
    /// a field-value and CRLF (including a truncated last line), and
    /// [`ComposeError::ReservedField`] for `Content-Length`,
    /// `Transfer-Encoding`, `Connection` or `Date`.
    pub fn new(bytes: &'a [u8]) -> Result<Self, ComposeError> {
        let mut upgrade = false;
        let mut rest = bytes;
        let mut index = 0;
        while !rest.is_empty() {
            let Some(colon) = rest.iter().position(|&b| b == b':') else {
                return Err(ComposeError::InvalidFieldName { index });
            };
            let name = &rest[..colon];
            if !tables::is_token(name) {
                return Err(ComposeError::InvalidFieldName { index });
            }
            match classify(name) {
                NameClass::Framing | NameClass::Date => {
                    return Err(ComposeError::ReservedField { index });
                }
                NameClass::Upgrade => upgrade = true,
                NameClass::Other => {}
            }
            // `: ` then the value, which cannot hold CR or LF, so the first
            // LF after it must be the line's end and preceded by CR.
            let after = &rest[colon + 1..];
            let Some(b' ') = after.first() else {
                return Err(ComposeError::InvalidFieldValue { index });
            };
            let Some(lf) = memchr::memchr(b'\n', after) else {
                return Err(ComposeError::InvalidFieldValue { index });
            };
            let Some(value) = after[1..lf].strip_suffix(b"\r") else {
                return Err(ComposeError::InvalidFieldValue { index });
            };
            if !chars::is_field_value(value) {
                return Err(ComposeError::InvalidFieldValue { index });
            }
            rest = &after[lf + 1..];
            index += 1;
        }
        Ok(Self { bytes, upgrade })
    }

    /// Renders `fields` as a block into the start of `out` and returns it,
    /// borrowing `out`.
    ///
    /// # Errors
    ///
    /// As for [`ResponseHead::fields`](super::ResponseHead::fields), with
    /// `Date` refused too; [`ComposeError::InsufficientSize`] if `out` is too
    /// small. Nothing is written on error.
    pub fn compose(fields: &[Field<'_>], out: &'a mut [u8]) -> Result<Self, ComposeError> {
        let (required, upgrade) = measure_fields(fields, true)?;
        let Some(out) = out.get_mut(..required) else {
            return Err(ComposeError::InsufficientSize { required });
        };
        let mut w = Writer { out, pos: 0 };
        write_fields(&mut w, fields);
        Ok(Self {
            bytes: w.out,
            upgrade,
        })
    }

    /// The lines, CRLFs included.
    #[must_use]
    #[inline]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether the block holds an `Upgrade` field (the head then lists the
    /// `upgrade` connection option).
    #[inline]
    pub(super) const fn has_upgrade(&self) -> bool {
        self.upgrade
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_blocks() {
        assert_eq!(FieldLines::new(b"").unwrap(), FieldLines::EMPTY);
        let block = b"Server: tern\r\nX-Empty: \r\nETag: \"a b\"\r\n";
        let lines = FieldLines::new(block).unwrap();
        assert_eq!(lines.as_bytes(), block);
        assert!(!lines.has_upgrade());
        assert!(FieldLines::new(b"upgrade: h2c\r\n").unwrap().has_upgrade());
    }

    #[test]
    fn refuses_malformed_blocks() {
        use ComposeError::{InvalidFieldName, InvalidFieldValue, ReservedField};
        let cases: [(&[u8], ComposeError); 15] = [
            (b"Server", InvalidFieldName { index: 0 }),
            (b": x\r\n", InvalidFieldName { index: 0 }),
            (b"A b: x\r\n", InvalidFieldName { index: 0 }),
            (b"A: x\r\n\r\n", InvalidFieldName { index: 1 }),
            (b"A:x\r\n", InvalidFieldValue { index: 0 }),
            (b"A:  x\r\n", InvalidFieldValue { index: 0 }),
            (b"A: x \r\n", InvalidFieldValue { index: 0 }),
            (b"A: x", InvalidFieldValue { index: 0 }),
            (b"A: x\r", InvalidFieldValue { index: 0 }),
            (b"A: x\n", InvalidFieldValue { index: 0 }),
            (b"A: x\rB: y\r\n", InvalidFieldValue { index: 0 }),
            (b"A: x\0y\r\n", InvalidFieldValue { index: 0 }),
            (b"A: x\r\nContent-Length: 1\r\n", ReservedField { index: 1 }),
            (b"connection: close\r\n", ReservedField { index: 0 }),
            (b"A: x\r\nDate: now\r\n", ReservedField { index: 1 }),
        ];
        for (block, error) in cases {
            assert_eq!(FieldLines::new(block), Err(error), "{block:?}");
        }
    }

    #[test]
    fn compose_round_trips() {
        let fields: &[Field<'_>] = &[
            Field::new(b"Server", b"tern"),
            Field::new(b"Upgrade", b"h2c"),
            Field::new(b"E", b""),
        ];
        let mut out = [0u8; 64];
        let lines = FieldLines::compose(fields, &mut out).unwrap();
        assert_eq!(lines.as_bytes(), b"Server: tern\r\nUpgrade: h2c\r\nE: \r\n");
        assert!(lines.has_upgrade());
        assert_eq!(FieldLines::new(lines.as_bytes()), Ok(lines));
        let mut short = [0u8; 8];
        assert_eq!(
            FieldLines::compose(fields, &mut short),
            Err(ComposeError::InsufficientSize { required: 33 })
        );
        let dated: &[Field<'_>] = &[Field::new(b"date", b"x")];
        assert_eq!(
            FieldLines::compose(dated, &mut out),
            Err(ComposeError::ReservedField { index: 0 })
        );
    }
}
