//! The HTTP version of a message.

/// An HTTP/1.x protocol version (RFC 9112 §2.3).
///
/// A request whose version is `HTTP/1.x` with x > 1 is treated as HTTP/1.1
/// (RFC 9110 §6.2), but the request line is still reported exactly as received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Version {
    /// `HTTP/1.0`
    Http10,
    /// `HTTP/1.1`
    Http11,
}

impl Version {
    /// The version as it appears in a start line, e.g. `HTTP/1.1`.
    #[must_use]
    pub const fn as_bytes(self) -> &'static [u8; 8] {
        match self {
            Self::Http10 => b"HTTP/1.0",
            Self::Http11 => b"HTTP/1.1",
        }
    }
}
