//! The chunked body decoder (RFC 9112 §7.1), resumable and zero-copy: chunk data
//! is handed out as ranges of the caller's input. The chunk-extension grammar
//! (§7.1.1) it checks each size line against is here too.

use alloc::vec::Vec;

use crate::config::{Config, Leniency, LeniencyKind};
use crate::error::ErrorKind;
use crate::parse::{Failure, FieldScanner, FieldSpan};
use crate::tables::{self, TCHAR};

/// Where the chunked decoder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChunkState {
    /// In the hex digits of a chunk-size.
    Size,
    /// After the digits, in BWS that must lead to `;`.
    SizeWhitespace,
    /// In chunk extensions, up to CR.
    Extensions,
    /// After the CR of the chunk-size line.
    SizeLf,
    /// In chunk data, this many bytes left.
    Data(u64),
    /// After chunk data, expecting CR.
    DataCr,
    /// After chunk data and CR, expecting LF.
    DataLf,
    /// In the trailer section.
    Trailers,
}

/// One step of the decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkStep {
    /// Body bytes `input[start..end]`; consume through `end`.
    Data { start: usize, end: usize },
    /// Consume `consumed` bytes (framing), then wait for more input.
    NeedData { consumed: usize },
    /// The trailer section `input[trailers_start..end]` ended the body; consume through `end`.
    End { end: usize },
}

/// The state of one chunked body.
#[derive(Clone, Debug)]
pub(crate) struct ChunkedDecoder {
    state: ChunkState,
    /// How far into the unconsumed input the current line has been scanned.
    scanned: usize,
    size: u64,
    digits: usize,
    /// Offset of the first byte after the size digits, in the unconsumed input.
    extensions_start: usize,
    decoded: u64,
    trailers: FieldScanner,
}

/// More hex digits than this in one chunk-size, leading zeros included, is an error.
const MAX_SIZE_DIGITS: usize = 64;

impl ChunkedDecoder {
    pub(crate) const fn new() -> Self {
        Self {
            state: ChunkState::Size,
            scanned: 0,
            size: 0,
            digits: 0,
            extensions_start: 0,
            decoded: 0,
            trailers: FieldScanner::new(),
        }
    }

    /// Decodes from `input`, the bytes not consumed so far. Trailer fields of
    /// the `End` step are pushed to `trailers`, relative to `input`.
    pub(crate) fn poll(
        &mut self,
        input: &[u8],
        config: &Config,
        trailers: &mut Vec<FieldSpan>,
        leniencies: &mut Vec<Leniency>,
    ) -> Result<ChunkStep, Failure> {
        // Bytes before `line_start` are consumed by this call whatever happens.
        let mut line_start = 0;
        let mut p = self.scanned;
        loop {
            if let ChunkState::Data(left) = self.state {
                let available = input.len() - p;
                if available == 0 {
                    self.scanned = 0;
                    return Ok(ChunkStep::NeedData { consumed: p });
                }
                let take = usize::try_from(left).map_or(available, |left| left.min(available));
                self.state = if take as u64 == left {
                    ChunkState::DataCr
                } else {
                    ChunkState::Data(left - take as u64)
                };
                self.scanned = 0;
                return Ok(ChunkStep::Data {
                    start: p,
                    end: p + take,
                });
            }
            if self.state == ChunkState::Trailers {
                return self.poll_trailers(input, line_start, p, config, trailers, leniencies);
            }
            let Some(&byte) = input.get(p) else {
                self.scanned = p - line_start;
                self.extensions_start = self.extensions_start.saturating_sub(line_start);
                return Ok(ChunkStep::NeedData {
                    consumed: line_start,
                });
            };
            match self.state {
                ChunkState::Size => {
                    if let Some(digit) = hex_value(byte) {
                        self.digits += 1;
                        if self.digits > MAX_SIZE_DIGITS || self.size >> 60 != 0 {
                            return Err((ErrorKind::InvalidChunkSize, p));
                        }
                        self.size = self.size << 4 | u64::from(digit);
                        p += 1;
                        continue;
                    }
                    if self.digits == 0 {
                        return Err((ErrorKind::InvalidChunkSize, p));
                    }
                    self.extensions_start = p;
                    match byte {
                        b' ' | b'\t' => self.state = ChunkState::SizeWhitespace,
                        b';' => self.state = ChunkState::Extensions,
                        b'\r' => self.state = ChunkState::SizeLf,
                        b'\n' => {
                            self.lenient_lf(config, leniencies, p)?;
                            self.end_size_line(input, p, config)?;
                            p += 1;
                            line_start = p;
                            continue;
                        }
                        _ => return Err((ErrorKind::InvalidChunkSize, p)),
                    }
                    p += 1;
                }
                ChunkState::SizeWhitespace | ChunkState::Extensions => {
                    let ends_line = matches!(byte, b'\r' | b'\n');
                    if !ends_line && p - self.extensions_start >= config.max_chunk_ext_len {
                        return Err((ErrorKind::ChunkExtensionTooLong, p));
                    }
                    match (self.state, byte) {
                        (ChunkState::SizeWhitespace, b' ' | b'\t') => {}
                        (ChunkState::SizeWhitespace, b';') => self.state = ChunkState::Extensions,
                        (ChunkState::SizeWhitespace, _) => {
                            return Err((ErrorKind::InvalidChunkSize, p));
                        }
                        (_, b'\r') => self.state = ChunkState::SizeLf,
                        (_, b'\n') => {
                            self.lenient_lf(config, leniencies, p)?;
                            self.end_size_line(input, p, config)?;
                            p += 1;
                            line_start = p;
                            continue;
                        }
                        _ => {}
                    }
                    p += 1;
                }
                ChunkState::SizeLf => {
                    if byte != b'\n' {
                        return Err((ErrorKind::BareCr, p - 1));
                    }
                    self.end_size_line(input, p - 1, config)?;
                    p += 1;
                    line_start = p;
                }
                ChunkState::DataCr => match byte {
                    b'\r' => {
                        self.state = ChunkState::DataLf;
                        p += 1;
                    }
                    b'\n' if config.allow_bare_lf => {
                        Leniency::record(leniencies, LeniencyKind::BareLf, p);
                        self.state = ChunkState::Size;
                        p += 1;
                        line_start = p;
                    }
                    _ => return Err((ErrorKind::InvalidChunkDataEnd, p)),
                },
                ChunkState::DataLf => {
                    if byte != b'\n' {
                        return Err((ErrorKind::InvalidChunkDataEnd, p));
                    }
                    self.state = ChunkState::Size;
                    p += 1;
                    line_start = p;
                }
                ChunkState::Data(_) | ChunkState::Trailers => unreachable!("handled above"),
            }
        }
    }

    fn lenient_lf(
        &self,
        config: &Config,
        leniencies: &mut Vec<Leniency>,
        at: usize,
    ) -> Result<(), Failure> {
        if !config.allow_bare_lf {
            return Err((ErrorKind::BareLf, at));
        }
        Leniency::record(leniencies, LeniencyKind::BareLf, at);
        Ok(())
    }

    /// The chunk-size line ends at `line_end` (its CR or bare LF): check the
    /// extensions and the body limit, and move to data or trailers.
    fn end_size_line(
        &mut self,
        input: &[u8],
        line_end: usize,
        config: &Config,
    ) -> Result<(), Failure> {
        let extensions = &input[self.extensions_start..line_end];
        if !chunk_extensions_are_valid(extensions) {
            return Err((ErrorKind::InvalidChunkExtension, self.extensions_start));
        }
        self.decoded = self
            .decoded
            .checked_add(self.size)
            .ok_or((ErrorKind::BodyTooLarge, line_end))?;
        if config.max_body_len.is_some_and(|max| self.decoded > max) {
            return Err((ErrorKind::BodyTooLarge, line_end));
        }
        self.state = if self.size == 0 {
            self.trailers = FieldScanner::new();
            ChunkState::Trailers
        } else {
            ChunkState::Data(self.size)
        };
        self.size = 0;
        self.digits = 0;
        Ok(())
    }

    /// Scans the trailer section, which starts at `start` in `input`. If it is
    /// not complete and `start > 0`, the framing before it is consumed and the
    /// section is scanned again from its start on the next call (once per body).
    fn poll_trailers(
        &mut self,
        input: &[u8],
        start: usize,
        mut p: usize,
        config: &Config,
        trailers: &mut Vec<FieldSpan>,
        leniencies: &mut Vec<Leniency>,
    ) -> Result<ChunkStep, Failure> {
        let limit = start.saturating_add(config.max_trailer_len);
        let end = input.len().min(limit);
        let leniencies_before = leniencies.len();
        if self
            .trailers
            .scan(input, &mut p, end, config, trailers, leniencies)?
        {
            self.scanned = 0;
            return Ok(ChunkStep::End { end: p });
        }
        if end < input.len() {
            return Err((ErrorKind::TrailersTooLarge, p));
        }
        if start > 0 {
            // Scanned again from its start next time: forget what this pass found.
            trailers.clear();
            leniencies.truncate(leniencies_before);
            self.trailers = FieldScanner::new();
            self.scanned = 0;
        } else {
            self.scanned = p;
        }
        Ok(ChunkStep::NeedData { consumed: start })
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Validates the extensions of a chunk-size line (everything after the size
/// digits, before CRLF): `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`
/// with `ext-val = token / quoted-string` (RFC 9112 §7.1.1).
fn chunk_extensions_are_valid(ext: &[u8]) -> bool {
    let skip_bws = |bytes: &[u8], mut i: usize| {
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    while i < ext.len() {
        i = skip_bws(ext, i);
        if ext.get(i) != Some(&b';') {
            return false;
        }
        i = skip_bws(ext, i + 1);
        let name_end = tables::skip_class(ext, i, TCHAR);
        if name_end == i {
            return false;
        }
        i = name_end;
        let after_ws = skip_bws(ext, i);
        if ext.get(after_ws) == Some(&b'=') {
            i = skip_bws(ext, after_ws + 1);
            if ext.get(i) == Some(&b'"') {
                let Some(len) = quoted_string_len(&ext[i..]) else {
                    return false;
                };
                i += len;
            } else {
                let end = tables::skip_class(ext, i, TCHAR);
                if end == i {
                    return false;
                }
                i = end;
            }
        }
    }
    true
}

/// The length of the quoted-string at the start of `bytes`, if there is one.
fn quoted_string_len(bytes: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                let b = *bytes.get(i + 1)?;
                if !(b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80) {
                    return None;
                }
                i += 2;
            }
            b if tables::is(b, tables::QDTEXT) => i += 1,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_extension_grammar() {
        for good in [
            &b""[..],
            b";a",
            b";a=b",
            b" ; a = b",
            b";a=\"q \\\" d\";b",
            b"\t;name=value;x",
        ] {
            assert!(chunk_extensions_are_valid(good), "{good:?}");
        }
        for bad in [
            &b" "[..],
            b";",
            b";=b",
            b";a=",
            b";a=\"open",
            b"a",
            b";a b",
            b";a=b ",
        ] {
            assert!(!chunk_extensions_are_valid(bad), "{bad:?}");
        }
    }
}
