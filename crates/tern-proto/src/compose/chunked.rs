//! The chunked transfer coding (RFC 9112 §7.1), for the sending side.
//!
//! ```text
//! chunked-body   = *chunk
//!                  last-chunk
//!                  trailer-section
//!                  CRLF
//! chunk          = chunk-size [ chunk-ext ] CRLF
//!                  chunk-data CRLF
//! chunk-size     = 1*HEXDIG
//! last-chunk     = 1*("0") [ chunk-ext ] CRLF
//! trailer-section = *( field-line CRLF )
//! ```
//!
//! A chunk is framed without touching its data: [`ChunkHeader`] is the
//! `chunk-size CRLF` line that goes before the caller's slice and
//! [`CHUNK_END`] the CRLF that goes after it, so the three can go out in one
//! `writev` (or header, `sendfile`, suffix). [`encode_chunk`] is the copying
//! variant. The body ends with [`LAST_CHUNK`], or [`encode_last_chunk`] when
//! there are trailers. The encoder writes no chunk extensions, and sizes are
//! in lower-case hexadecimal without leading zeros.
//!
//! A chunk of size zero is the last-chunk, so an empty slice of data must not
//! be framed as a chunk: [`ChunkHeader::new`] refuses size zero and
//! [`encode_chunk`] writes nothing for empty data.
//!
//! ```
//! use tern_proto::compose::{CHUNK_END, ChunkHeader, LAST_CHUNK};
//!
//! let data = b"hello, world";
//! let header = ChunkHeader::new(data.len() as u64).expect("not empty");
//! // writev(fd, &[header.as_bytes(), data, CHUNK_END, LAST_CHUNK])
//! let wire = [header.as_bytes(), data, CHUNK_END, LAST_CHUNK].concat();
//! assert_eq!(wire, b"c\r\nhello, world\r\n0\r\n\r\n");
//! ```

use super::{ComposeError, Field, Writer, measure_fields, num, write_fields};

/// The CRLF that ends each chunk's data.
pub const CHUNK_END: &[u8; 2] = b"\r\n";

/// The end of a chunked body without trailers: the last-chunk (`0\r\n`) and
/// the empty line that ends the (empty) trailer section.
pub const LAST_CHUNK: &[u8; 5] = b"0\r\n\r\n";

/// The `chunk-size CRLF` line that goes before a chunk's data, rendered once
/// into a small inline buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct ChunkHeader {
    bytes: [u8; Self::MAX_LEN],
    len: u8,
}

impl ChunkHeader {
    /// The longest header: 16 hexadecimal digits (`u64::MAX`) and CRLF. A
    /// caller that reserves this much in front of its data can always copy
    /// the header in place.
    pub const MAX_LEN: usize = 18;

    /// The header of a chunk of `size` bytes of data, or `None` if `size` is
    /// zero (such a chunk would be the last-chunk).
    pub fn new(size: u64) -> Option<Self> {
        if size == 0 {
            return None;
        }
        let digits = num::hex_len(size);
        let mut bytes = [0u8; Self::MAX_LEN];
        num::write_hex(size, &mut bytes[..digits]);
        bytes[digits..digits + 2].copy_from_slice(b"\r\n");
        #[allow(clippy::cast_possible_truncation)]
        let len = (digits + 2) as u8;
        Some(Self { bytes, len })
    }

    /// The header bytes: the size in hexadecimal, then CRLF.
    #[must_use]
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// The framed length of a chunk holding `data_len` bytes: header, data and
/// CRLF, or 0 for no data (saturating at `usize::MAX`).
#[must_use]
#[inline]
pub const fn chunk_len(data_len: usize) -> usize {
    if data_len == 0 {
        0
    } else {
        num::hex_len(data_len as u64)
            .saturating_add(4)
            .saturating_add(data_len)
    }
}

/// Copies `data` as one chunk (header, data, CRLF) to the start of `out`,
/// returning the bytes written, [`chunk_len`]`(data.len())`. Empty data writes
/// nothing and returns 0.
///
/// # Errors
///
/// [`ComposeError::InsufficientSize`] if `out` is too small; nothing is
/// written then.
pub fn encode_chunk(data: &[u8], out: &mut [u8]) -> Result<usize, ComposeError> {
    let required = chunk_len(data.len());
    let Some(header) = ChunkHeader::new(data.len() as u64) else {
        return Ok(0);
    };
    let Some(out) = out.get_mut(..required) else {
        return Err(ComposeError::InsufficientSize { required });
    };
    let mut w = Writer { out, pos: 0 };
    w.put(header.as_bytes());
    w.put(data);
    w.put(CHUNK_END);
    Ok(required)
}

/// The length of the end of a chunked body with these trailers:
/// `0\r\n`, one line per trailer, and the final CRLF.
///
/// # Errors
///
/// As [`encode_last_chunk`], except [`ComposeError::InsufficientSize`].
pub fn last_chunk_len(trailers: &[Field<'_>]) -> Result<usize, ComposeError> {
    let (fields_len, _upgrade) = measure_fields(trailers, false)?;
    Ok(fields_len.saturating_add(LAST_CHUNK.len()))
}

/// Writes the end of a chunked body to the start of `out`: the last-chunk,
/// the trailer fields (validated like header fields), and the final CRLF.
/// Returns the bytes written. With no trailers this is [`LAST_CHUNK`].
///
/// Trailers are refused under the same rules as head fields (see the
/// [module docs](super#caller-fields-and-response-splitting)): framing
/// fields (`Content-Length`, `Transfer-Encoding`, `Connection`) can never be
/// trailers (RFC 9110 §6.5.1).
///
/// # Errors
///
/// [`ComposeError::InvalidFieldName`], [`ComposeError::InvalidFieldValue`] or
/// [`ComposeError::ReservedField`] with the index of the offending trailer,
/// or [`ComposeError::InsufficientSize`]; nothing is written then.
pub fn encode_last_chunk(trailers: &[Field<'_>], out: &mut [u8]) -> Result<usize, ComposeError> {
    let required = last_chunk_len(trailers)?;
    let Some(out) = out.get_mut(..required) else {
        return Err(ComposeError::InsufficientSize { required });
    };
    let mut w = Writer { out, pos: 0 };
    w.put(b"0\r\n");
    write_fields(&mut w, trailers);
    w.put(b"\r\n");
    Ok(required)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::{format, vec};

    #[test]
    fn headers() {
        assert_eq!(ChunkHeader::new(0), None);
        assert_eq!(ChunkHeader::new(1).unwrap().as_bytes(), b"1\r\n");
        assert_eq!(ChunkHeader::new(15).unwrap().as_bytes(), b"f\r\n");
        assert_eq!(ChunkHeader::new(16).unwrap().as_bytes(), b"10\r\n");
        assert_eq!(ChunkHeader::new(4096).unwrap().as_bytes(), b"1000\r\n");
        assert_eq!(
            ChunkHeader::new(u64::MAX).unwrap().as_bytes(),
            b"ffffffffffffffff\r\n"
        );
        for size in [1u64, 0x1f, 0xabc, 1 << 40] {
            let expected = format!("{size:x}\r\n");
            assert_eq!(
                ChunkHeader::new(size).unwrap().as_bytes(),
                expected.as_bytes()
            );
        }
    }

    #[test]
    fn chunk() {
        let mut out = vec![0u8; 64];
        let n = encode_chunk(b"hello", &mut out).unwrap();
        assert_eq!(&out[..n], b"5\r\nhello\r\n");
        assert_eq!(n, chunk_len(5));
        assert_eq!(encode_chunk(b"", &mut out), Ok(0));
        assert_eq!(encode_chunk(b"", &mut []), Ok(0));
        assert_eq!(chunk_len(0), 0);
    }

    #[test]
    fn chunk_insufficient_writes_nothing() {
        let data = [b'x'; 300];
        let required = chunk_len(data.len());
        assert_eq!(required, 3 + 2 + 300 + 2);
        for size in 0..required {
            let mut out = vec![0xAAu8; size];
            assert_eq!(
                encode_chunk(&data, &mut out),
                Err(ComposeError::InsufficientSize { required })
            );
            assert!(out.iter().all(|&b| b == 0xAA));
        }
        let mut out = vec![0u8; required];
        assert_eq!(encode_chunk(&data, &mut out), Ok(required));
    }

    #[test]
    fn last_chunk() {
        let mut out = vec![0u8; 64];
        assert_eq!(encode_last_chunk(&[], &mut out), Ok(5));
        assert_eq!(&out[..5], LAST_CHUNK);
        let trailers: &[Field<'_>] = &[
            Field::new(b"Digest", b"sha-256=abc"),
            Field::new(b"X-T", b""),
        ];
        let n = encode_last_chunk(trailers, &mut out).unwrap();
        assert_eq!(&out[..n], b"0\r\nDigest: sha-256=abc\r\nX-T: \r\n\r\n");
        assert_eq!(last_chunk_len(trailers), Ok(n));
    }

    #[test]
    fn bad_trailers_refused() {
        let mut out = vec![0xAAu8; 64];
        let cases: [(&[Field<'_>], ComposeError); 4] = [
            (
                &[Field::new(b"a b", b"x")],
                ComposeError::InvalidFieldName { index: 0 },
            ),
            (
                &[Field::new(b"ok", b"x"), Field::new(b"x", b"a\r\nb")],
                ComposeError::InvalidFieldValue { index: 1 },
            ),
            (
                &[Field::new(b"Content-Length", b"3")],
                ComposeError::ReservedField { index: 0 },
            ),
            (
                &[Field::new(b"transfer-encoding", b"gzip")],
                ComposeError::ReservedField { index: 0 },
            ),
        ];
        for (trailers, error) in cases {
            assert_eq!(encode_last_chunk(trailers, &mut out), Err(error));
            assert_eq!(last_chunk_len(trailers), Err(error));
            assert!(out.iter().all(|&b| b == 0xAA));
        }
    }
}
