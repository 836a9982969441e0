//! The field line as name and value: what the parser hands out and the
//! composer takes, so a received field can be sent on as it is.

/// One field line (RFC 9110 §5): its name and its value, without the colon,
/// the whitespace around the value or the line end.
///
/// The parser yields these from [`Request::headers`](crate::Request::headers)
/// and [`Trailers`](crate::Trailers): the name as received (any case), the
/// value trimmed of SP and HTAB at both ends. The composer takes them in
/// [`ResponseHead::fields`](crate::compose::ResponseHead::fields),
/// [`FieldLines::compose`](crate::compose::FieldLines::compose) and
/// [`encode_last_chunk`](crate::compose::encode_last_chunk), and checks them
/// before it writes them.
///
/// ```
/// use tern_proto::Field;
///
/// const SERVER: Field<'static> = Field::new(b"Server", b"tern");
/// assert_eq!(Field::from((&b"Server"[..], &b"tern"[..])), SERVER);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field<'a> {
    /// The field name.
    pub name: &'a [u8],
    /// The field value.
    pub value: &'a [u8],
}

impl<'a> Field<'a> {
    /// The field `name: value`.
    #[must_use]
    pub const fn new(name: &'a [u8], value: &'a [u8]) -> Self {
        Self { name, value }
    }
}

impl<'a> From<(&'a [u8], &'a [u8])> for Field<'a> {
    fn from((name, value): (&'a [u8], &'a [u8])) -> Self {
        Self { name, value }
    }
}
