//! A head composed once and sent many times with a fresh date.

use alloc::boxed::Box;
use alloc::vec;

use super::{ComposeError, Composed, ResponseHead, status_line};
use crate::date::RenderedDate;
use crate::version::Version;

/// What [`PreparedHead`] puts in the `Date` slot until a response fills it.
const DATE_PLACEHOLDER: &[u8; 29] = b"Thu, 01 Jan 1970 00:00:00 GMT";

/// A response head validated and rendered once, then copied for every
/// response that shares it, with that response's `Date` and persistence.
///
/// A static file server answers a hot file with the same head again and
/// again: only the `Date` value and the `Connection` line change. Preparing
/// the head (with [`ResponseHead::prepare`]) does all the work of
/// [`ResponseHead::compose`] except those two once, when the file enters the
/// cache; [`compose`](Self::compose) is then one copy of the stored bytes, the
/// 29 date bytes over their slot. The date is a [`RenderedDate`], which only
/// the date module renders: it cannot hold a byte that would split the
/// response, so it needs no check per call.
///
/// ```
/// use tern_proto::{Field, Framing, Version};
/// use tern_proto::compose::{Body, ResponseHead};
/// use tern_proto::date::RenderedDate;
///
/// let fields = &[Field::new(b"Content-Type", b"text/html")];
/// let mut head = ResponseHead::new(200, Version::Http11);
/// head.body = Body::Length(1234);
/// head.fields = fields;
/// let prepared = head.prepare()?;
///
/// let mut buf = [0u8; 256];
/// let date = RenderedDate::new(784_111_777);
/// let composed = prepared.compose(&date, false, &mut buf)?;
/// assert_eq!(
///     &buf[..composed.len],
///     b"HTTP/1.1 200 OK\r\n\
///       Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
///       Content-Type: text/html\r\n\
///       Content-Length: 1234\r\n\
///       Connection: close\r\n\
///       \r\n",
/// );
/// assert_eq!(composed.framing, Framing::Length(1234));
/// assert!(composed.must_close);
/// # Ok::<(), tern_proto::compose::ComposeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PreparedHead {
    /// Two whole heads with a placeholder date: the one for a persistent
    /// connection, then the one for a connection that closes after it. They
    /// differ only in the `Connection` line, so both are kept rendered and a
    /// response is a single copy.
    bytes: Box<[u8]>,
    /// Where the second head starts.
    split: usize,
    /// Where the 29 date bytes go, in either head (the status line and
    /// `Date: ` come first in both).
    date_at: usize,
    /// The outcome of composing each head.
    keep_alive: Composed,
    close: Composed,
    /// What the head was prepared for, so that a connection can check it
    /// against the request it answers.
    status: u16,
    version: Version,
    head_request: bool,
}

impl ResponseHead<'_> {
    /// Validates and renders this head once, for many responses that differ
    /// only in their `Date` value and persistence.
    ///
    /// The prepared head always has a `Date` field, filled on each
    /// [`PreparedHead::compose`]: [`date`](Self::date) and
    /// [`keep_alive`](Self::keep_alive) are ignored here, and a caller field
    /// named `Date` is refused. Everything else is as `compose` would write
    /// it, including the framing, which depends on
    /// [`head_request`](Self::head_request): prepare a separate head for HEAD
    /// requests when the body's length is unknown.
    ///
    /// # Errors
    ///
    /// As [`compose`](Self::compose), except
    /// [`InsufficientSize`](ComposeError::InsufficientSize) and
    /// [`InvalidDate`](ComposeError::InvalidDate), which cannot happen here.
    pub fn prepare(&self) -> Result<PreparedHead, ComposeError> {
        let mut head = *self;
        head.date = Some(DATE_PLACEHOLDER);
        head.keep_alive = true;
        let split = head.encoded_len()?;
        head.keep_alive = false;
        let close_len = head.encoded_len()?;
        let mut bytes = vec![0u8; split + close_len].into_boxed_slice();
        let (first, second) = bytes.split_at_mut(split);
        let close = head.compose(second)?;
        head.keep_alive = true;
        let keep_alive = head.compose(first)?;
        let status_line_len = status_line(self.line_version, self.status)
            .map_or(super::status::GENERIC_LINE_LEN, <[u8]>::len);
        Ok(PreparedHead {
            bytes,
            split,
            date_at: status_line_len + b"Date: ".len(),
            keep_alive,
            close,
            status: self.status,
            version: self.version,
            head_request: self.head_request,
        })
    }
}

impl PreparedHead {
    /// Writes the head to the start of `out` with `date` as its `Date` value
    /// (the IMF-fixdate of [`RenderedDate::imf_fixdate`]),
    /// for a connection that persists after this response when `keep_alive`
    /// is true, and says what must follow it — exactly what
    /// [`ResponseHead::compose`] writes for the same head with that date and
    /// persistence.
    ///
    /// # Errors
    ///
    /// [`ComposeError::InsufficientSize`] when `out` is shorter than the head
    /// ([`encoded_len`](Self::encoded_len)); nothing is written then.
    #[inline]
    pub fn compose(
        &self,
        date: &RenderedDate,
        keep_alive: bool,
        out: &mut [u8],
    ) -> Result<Composed, ComposeError> {
        let (head, composed) = self.head(keep_alive);
        let Some(out) = out.get_mut(..head.len()) else {
            return Err(ComposeError::InsufficientSize {
                required: head.len(),
            });
        };
        out.copy_from_slice(head);
        out[self.date_at..self.date_at + 29].copy_from_slice(date.imf_fixdate());
        Ok(composed)
    }

    /// The length [`compose`](Self::compose) writes for this persistence.
    #[must_use]
    #[inline]
    pub fn encoded_len(&self, keep_alive: bool) -> usize {
        self.head(keep_alive).0.len()
    }

    /// The status code of the head.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The request version the head was prepared for.
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// Whether the head was prepared for a HEAD request.
    #[must_use]
    pub fn head_request(&self) -> bool {
        self.head_request
    }

    /// The stored head for this persistence, and its outcome.
    #[inline]
    fn head(&self, keep_alive: bool) -> (&[u8], Composed) {
        if keep_alive {
            (&self.bytes[..self.split], self.keep_alive)
        } else {
            (&self.bytes[self.split..], self.close)
        }
    }
}
