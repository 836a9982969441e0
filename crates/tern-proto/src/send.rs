//! The values of the send side: what the server means to do with the
//! connection, what goes around a piece of body, how to close, and the
//! record of what a response head promised.

use crate::compose::{CHUNK_END, ChunkHeader};
use crate::error::SendError;
use crate::framing::Framing;

/// What the server means to do with the connection after a response.
///
/// The connection persists only if the client wants it too (its request's
/// version and `Connection` field), and if nothing forces a close (a
/// protocol error, a close-delimited body, a client left waiting for a
/// `100 Continue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Intent {
    /// Keep the connection open for the next request if the client agrees.
    KeepAlive,
    /// Close the connection after this response (`Connection: close`).
    Close,
}

/// What goes on the wire around `len` bytes of body data announced with
/// [`crate::Connection::send_data`]: send [`prefix`](Self::prefix), the data,
/// then [`suffix`](Self::suffix), for instance in one `writev`. Both are
/// empty unless the body is chunked, so the data itself can go out with
/// `sendfile` between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct DataFrame {
    chunk: Option<ChunkHeader>,
}

impl DataFrame {
    /// The bytes before the data: a chunk-size line, or nothing.
    #[must_use]
    pub fn prefix(&self) -> &[u8] {
        self.chunk.as_ref().map_or(&[], ChunkHeader::as_bytes)
    }

    /// The bytes after the data: the CRLF ending a chunk, or nothing.
    #[must_use]
    pub fn suffix(&self) -> &'static [u8] {
        if self.chunk.is_some() { CHUNK_END } else { &[] }
    }
}

/// How to close a connection that must close.
///
/// More ways may be added; a variant this code does not know is safest
/// handled as [`Closing::Linger`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Closing {
    /// Close once the response is sent: the peer has nothing more in flight
    /// (it shut down its side, or it asked to close after a request that was
    /// read whole).
    Now,
    /// Send the response, shut down the write side (`shutdown(SHUT_WR)`),
    /// then read and discard what arrives until end of file or a bounded
    /// time (a few seconds), and only then close. The peer may still be
    /// sending: closing a socket with unread bytes makes the kernel answer
    /// with a reset, which can destroy the response before the client reads
    /// it (RFC 9112 §9.6, "lingering close"). The bytes and the timer are
    /// the caller's.
    Linger,
}

/// What the final response head promised about the body, and what was sent
/// against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// No body may follow.
    NoBody,
    /// Exactly `promised` bytes.
    Length { promised: u64, sent: u64 },
    /// Chunked: any number of bytes, then the last chunk.
    Chunked,
    /// Any number of bytes, ended by closing the connection.
    CloseDelimited,
}

impl Outgoing {
    /// The promise of a composed head.
    pub(crate) fn promised_by(framing: Framing) -> Self {
        match framing {
            Framing::Length(promised) => Self::Length { promised, sent: 0 },
            Framing::Chunked => Self::Chunked,
            Framing::CloseDelimited => Self::CloseDelimited,
            Framing::NoBody => Self::NoBody,
        }
    }

    /// Checks `len` more bytes against the promise; the frame around them.
    pub(crate) fn data(&self, len: u64) -> Result<(Self, DataFrame), SendError> {
        let plain = DataFrame { chunk: None };
        match *self {
            Self::NoBody if len > 0 => Err(SendError::BodyNotAllowed),
            Self::NoBody => Ok((*self, plain)),
            Self::Length { promised, sent } => match sent.checked_add(len) {
                Some(total) if total <= promised => Ok((
                    Self::Length {
                        promised,
                        sent: total,
                    },
                    plain,
                )),
                total => Err(SendError::BodyTooLong {
                    promised,
                    sent: total.unwrap_or(u64::MAX),
                }),
            },
            Self::Chunked => Ok((
                *self,
                DataFrame {
                    chunk: ChunkHeader::new(len),
                },
            )),
            Self::CloseDelimited => Ok((*self, plain)),
        }
    }

    /// Checks that the body may end here, with or without trailers.
    pub(crate) fn end(&self, has_trailers: bool) -> Result<(), SendError> {
        match *self {
            Self::Length { promised, sent } if sent < promised => {
                Err(SendError::BodyTooShort { promised, sent })
            }
            Self::Chunked => Ok(()),
            _ if has_trailers => Err(SendError::TrailersNotChunked),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_is_a_promise_both_ways() {
        let promise = Outgoing::promised_by(Framing::Length(5));
        let (promise, frame) = promise.data(3).unwrap();
        assert!(frame.prefix().is_empty() && frame.suffix().is_empty());
        assert_eq!(
            promise.end(false),
            Err(SendError::BodyTooShort {
                promised: 5,
                sent: 3
            })
        );
        assert_eq!(
            promise.data(3),
            Err(SendError::BodyTooLong {
                promised: 5,
                sent: 6
            })
        );
        assert_eq!(
            promise.data(u64::MAX),
            Err(SendError::BodyTooLong {
                promised: 5,
                sent: u64::MAX
            })
        );
        let (promise, _) = promise.data(2).unwrap();
        assert_eq!(promise.end(false), Ok(()));
        assert_eq!(promise.end(true), Err(SendError::TrailersNotChunked));
    }

    #[test]
    fn chunks_are_framed_and_empty_data_is_not() {
        let promise = Outgoing::promised_by(Framing::Chunked);
        let (_, frame) = promise.data(10).unwrap();
        assert_eq!(frame.prefix(), b"a\r\n");
        assert_eq!(frame.suffix(), b"\r\n");
        let (_, frame) = promise.data(0).unwrap();
        assert!(frame.prefix().is_empty() && frame.suffix().is_empty());
        assert_eq!(promise.end(true), Ok(()));
    }

    #[test]
    fn no_body_means_none() {
        let promise = Outgoing::promised_by(Framing::NoBody);
        assert_eq!(promise.data(1), Err(SendError::BodyNotAllowed));
        assert!(promise.data(0).is_ok());
        assert_eq!(promise.end(true), Err(SendError::TrailersNotChunked));
        let close = Outgoing::promised_by(Framing::CloseDelimited);
        assert!(close.data(1 << 40).is_ok());
        assert_eq!(close.end(false), Ok(()));
    }
}
