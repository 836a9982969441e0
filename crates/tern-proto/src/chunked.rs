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
        if p == 0 {
            // At a line's start (or the CRLF after a chunk's data): the common
            // complete forms without the byte-wise states. Anything else is
            // left to them, from the same place, so that they alone decide
            // errors and their offsets.
            match self.state {
                ChunkState::DataCr if input.get(..2) == Some(b"\r\n") => {
                    self.state = ChunkState::Size;
                    p = 2;
                    line_start = 2;
                }
                // Inside a chunk's data: every read of a large chunk after its first.
                ChunkState::Data(left) => return Ok(self.data(input, 0, left)),
                _ => {}
            }
            if matches!(self.state, ChunkState::Size) {
                match self.size_line(input, p, config) {
                    SizeLine::Declined => {}
                    SizeLine::Read(end) => {
                        if let ChunkState::Data(left) = self.state {
                            return Ok(self.data(input, end, left));
                        }
                        p = end;
                        line_start = end;
                    }
                    SizeLine::LastChunk(end) => {
                        self.scanned = 0;
                        return Ok(ChunkStep::End { end });
                    }
                }
            }
        }
        self.poll_bytewise(input, line_start, p, config, trailers, leniencies)
    }

    /// The byte-wise states, the reference that alone decides errors: reads
    /// on from `p` in `input`; the bytes before `line_start` are consumed
    /// whatever happens.
    #[inline]
    fn poll_bytewise(
        &mut self,
        input: &[u8],
        mut line_start: usize,
        mut p: usize,
        config: &Config,
        trailers: &mut Vec<FieldSpan>,
        leniencies: &mut Vec<Leniency>,
    ) -> Result<ChunkStep, Failure> {
        loop {
            if let ChunkState::Data(left) = self.state {
                return Ok(self.data(input, p, left));
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

    /// The chunk data at `start` in `input`, `left` bytes of it still to come.
    #[inline]
    fn data(&mut self, input: &[u8], start: usize, left: u64) -> ChunkStep {
        let available = input.len() - start;
        self.scanned = 0;
        if available == 0 {
            return ChunkStep::NeedData { consumed: start };
        }
        let take = usize::try_from(left).map_or(available, |left| left.min(available));
        self.state = if take as u64 == left {
            ChunkState::DataCr
        } else {
            ChunkState::Data(left - take as u64)
        };
        ChunkStep::Data {
            start,
            end: start + take,
        }
    }

    /// The chunk-size line at `start` if it is complete and in one of the
    /// common forms: 1 to 16 hex digits, then CRLF or extensions the grammar
    /// accepts and then CRLF, within every limit. On `Read`, the state is what
    /// the byte-wise states reach after the line's LF. A last chunk followed
    /// by the empty trailer section is `LastChunk`, the end of the body. On
    /// `Declined` nothing has changed.
    #[inline]
    fn size_line(&mut self, input: &[u8], start: usize, config: &Config) -> SizeLine {
        let mut p = start;
        let mut size: u64 = 0;
        // At most 16 digits: no value overflows, and a longer run (leading
        // zeros, or a size too large) goes to the byte-wise states.
        let digits_end = start.saturating_add(16).min(input.len());
        while p < digits_end {
            let digit = HEX[usize::from(input[p])];
            if digit == NOT_HEX {
                break;
            }
            size = (size << 4) + u64::from(digit);
            p += 1;
        }
        if p == start {
            return SizeLine::Declined;
        }
        let line_end = match input.get(p) {
            Some(b'\r') => p,
            Some(b';') => {
                // Past the limit the line is the byte-wise states' error.
                let limit = p.saturating_add(config.max_chunk_ext_len).saturating_add(1);
                let window = &input[p..input.len().min(limit)];
                let Some(len) = window.iter().position(|&b| b == b'\r' || b == b'\n') else {
                    return SizeLine::Declined;
                };
                // A bare LF ends the line too: the byte-wise states decide it.
                if window[len] != b'\r' || !chunk_extensions_are_valid(&window[..len]) {
                    return SizeLine::Declined;
                }
                p + len
            }
            _ => return SizeLine::Declined,
        };
        if input.get(line_end + 1) != Some(&b'\n') {
            return SizeLine::Declined;
        }
        let Some(decoded) = self.decoded.checked_add(size) else {
            return SizeLine::Declined;
        };
        if config.max_body_len.is_some_and(|max| decoded > max) {
            return SizeLine::Declined;
        }
        let end = line_end + 2;
        self.decoded = decoded;
        if size != 0 {
            self.state = ChunkState::Data(size);
            return SizeLine::Read(end);
        }
        if input.get(end..end + 2) == Some(b"\r\n") {
            return SizeLine::LastChunk(end + 2);
        }
        self.trailers = FieldScanner::new();
        self.state = ChunkState::Trailers;
        SizeLine::Read(end)
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

/// What [`ChunkedDecoder::size_line`] made of a chunk-size line.
enum SizeLine {
    /// Not one of the common complete forms: the byte-wise states read it.
    Declined,
    /// Read through its LF, which ends at this offset.
    Read(usize),
    /// A last chunk and the empty trailer section, the body's end at this offset.
    LastChunk(usize),
}

/// [`HEX`]'s value for a byte that is not a hex digit.
const NOT_HEX: u8 = 0xff;

/// Each byte's value as a hex digit, or [`NOT_HEX`] (the fast path's lookup;
/// the byte-wise states keep [`hex_value`], and a test holds the two alike).
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => b - b'A' + 10,
            _ => NOT_HEX,
        };
        byte += 1;
    }
    table
};

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
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;

    use proptest::prelude::*;

    use super::*;

    /// The configurations every body is decoded with: strict, lenient, and
    /// limits small enough for the bodies below to reach.
    fn configs() -> [Config; 5] {
        [
            Config::default(),
            Config::default().allow_bare_lf(true),
            Config::default().max_chunk_ext_len(4),
            Config::default().max_body_len(Some(20)).allow_bare_lf(true),
            Config::default().max_trailer_len(2).max_chunk_ext_len(0),
        ]
    }

    /// Feeds `body` in two pieces, cut at `cut`, to a decoder polled as the
    /// connection polls it and to one polled through the byte-wise states
    /// alone; they must answer alike after every call: the step or the error
    /// and its offset, the trailers, the leniencies and the state.
    fn assert_paths_agree(body: &[u8], cut: usize, config: &Config) {
        let mut fast = ChunkedDecoder::new();
        let mut reference = ChunkedDecoder::new();
        let (mut fast_trailers, mut reference_trailers) = (Vec::new(), Vec::new());
        let (mut fast_leniencies, mut reference_leniencies) = (Vec::new(), Vec::new());
        let mut base = 0;
        let mut available = cut;
        let context = || format!("{:?} cut at {cut}", String::from_utf8_lossy(body));
        loop {
            let input = &body[base..available];
            let got = fast.poll(input, config, &mut fast_trailers, &mut fast_leniencies);
            let scanned = reference.scanned;
            let want = reference.poll_bytewise(
                input,
                0,
                scanned,
                config,
                &mut reference_trailers,
                &mut reference_leniencies,
            );
            assert_eq!(got, want, "{}", context());
            assert_eq!(fast_trailers, reference_trailers, "{}", context());
            assert_eq!(fast_leniencies, reference_leniencies, "{}", context());
            if let Ok(ChunkStep::End { .. }) = got {
                // The body is over: the connection polls its decoder no more.
                return;
            }
            assert_eq!(
                (
                    fast.state,
                    fast.scanned,
                    fast.decoded,
                    fast.size,
                    fast.digits
                ),
                (
                    reference.state,
                    reference.scanned,
                    reference.decoded,
                    reference.size,
                    reference.digits
                ),
                "{}",
                context()
            );
            match got {
                Err(_) | Ok(ChunkStep::End { .. }) => return,
                Ok(ChunkStep::Data { end, .. }) => base += end,
                Ok(ChunkStep::NeedData { consumed }) => {
                    base += consumed;
                    if available == body.len() {
                        return;
                    }
                    available = body.len();
                }
            }
        }
    }

    fn assert_paths_agree_everywhere(body: &[u8]) {
        for config in &configs() {
            for cut in 0..=body.len() {
                assert_paths_agree(body, cut, config);
            }
        }
    }

    /// The fast path must also take what it is for (declining is always
    /// correct, so the differential tests cannot tell): each line is read
    /// through its LF, to the state the byte-wise states reach.
    #[test]
    fn fast_path_takes_the_common_forms() {
        let at_limits = Config::default()
            .max_chunk_ext_len(4)
            .max_body_len(Some(20));
        for (config, line, state) in [
            (Config::default(), &b"1\r\n"[..], ChunkState::Data(1)),
            (Config::default(), b"Ff\r\n", ChunkState::Data(0xff)),
            (
                Config::default(),
                b"0000000000000001\r\n",
                ChunkState::Data(1),
            ),
            (
                Config::default(),
                b"ffffffffffffffff\r\n",
                ChunkState::Data(u64::MAX),
            ),
            (Config::default(), b"1;a=\"b\";c\r\n", ChunkState::Data(1)),
            (
                Config::default(),
                b"0\r\nx: y\r\n\r\n",
                ChunkState::Trailers,
            ),
            (at_limits, b"14;abc\r\n", ChunkState::Data(20)),
        ] {
            let mut decoder = ChunkedDecoder::new();
            let input = [line, b"data"].concat();
            let end = line.iter().position(|&b| b == b'\n').unwrap() + 1;
            assert!(
                matches!(decoder.size_line(&input, 0, &config), SizeLine::Read(e) if e == end),
                "{line:?}"
            );
            assert_eq!(decoder.state, state, "{line:?}");
        }
        let mut decoder = ChunkedDecoder::new();
        assert!(matches!(
            decoder.size_line(b"0;a\r\n\r\nnext", 0, &Config::default()),
            SizeLine::LastChunk(7)
        ));
    }

    #[test]
    fn hex_table_agrees_with_hex_value() {
        for byte in 0..=u8::MAX {
            let from_table = Some(HEX[usize::from(byte)]).filter(|&digit| digit != NOT_HEX);
            assert_eq!(from_table, hex_value(byte), "{byte:#04x}");
        }
    }

    #[test]
    fn fast_path_agrees_with_the_bytewise_states_on_edge_cases() {
        for body in [
            &b"10\r\n0123456789abcdef\r\n5\r\nhello\r\n0\r\n\r\n"[..],
            b"0\r\n\r\n",
            b"0\r\nx: y\r\n\r\n",
            b"0\r\n\r\r",
            b"0\r\n\n",
            b"0\r\n\r",
            b"0;a=b\r\n\r\n",
            b"0;a=\"q \\\" d\"\r\n\r\n",
            b"1;a\r\nx\r\n0\r\n\r\n",
            b"1;a;bb;ccc\r\nx\r\n0\r\n\r\n",
            b"1;abcd\r\nx\r\n0\r\n\r\n",
            b"1;abcde\r\nx\r\n0\r\n\r\n",
            b"1;\r\nx\r\n0\r\n\r\n",
            b"1;a=\r\nx\r\n0\r\n\r\n",
            b"1;a\nx\r\n0\r\n\r\n",
            b"1;a\n\nx\r\n0\r\n\r\n",
            b"5;n=c\n\nx\r\r\n0\r\n",
            b"1;a\rx\r\n0\r\n\r\n",
            b"1 ;a\r\nx\r\n0\r\n\r\n",
            b"1\t\r\nx\r\n0\r\n\r\n",
            b"1\nx\r\n0\r\n\r\n",
            b"1\rx\r\n0\r\n\r\n",
            b"1\r\nx\n0\r\n\r\n",
            b"1\r\nx\rx0\r\n\r\n",
            b"1\r\nxx\r\n0\r\n\r\n",
            b"1\r\nx\r\r\n",
            b";a\r\n",
            b"\r\n",
            b"g\r\n",
            b"Ff\r\n",
            b"fFfFfFfFfFfFfFfF\r\n",
            b"ffffffffffffffff\r\n",
            b"10000000000000000\r\n",
            b"0fffffffffffffffff\r\n",
            b"00000000000000000000000000000001\r\nx\r\n0\r\n\r\n",
            b"0000000000000000000000000000000000000000000000000000000000000000\r\n\r\n",
            b"00000000000000000000000000000000000000000000000000000000000000001\r\n",
            b"14\r\n01234567890123456789\r\n1\r\nx\r\n0\r\n\r\n",
            b"15\r\n",
            b"10\r\n0123456789abcdef\r\n5\r\nhello\r\n0\r\nTrailer: v\r\n\r\n",
        ] {
            assert_paths_agree_everywhere(body);
        }
    }

    /// A chunk-size line: digits (leading zeros, either case, sizes near
    /// the u64 limit), extensions good and bad, and a line end good or bad.
    fn size_line() -> impl Strategy<Value = (u64, Vec<u8>)> {
        let size = prop_oneof![
            0..24u64,
            Just(u64::MAX),
            Just(u64::MAX >> 4),
            Just(1 << 60),
            Just((1 << 60) - 1),
            any::<u64>(),
        ];
        let listed = prop::sample::select(vec![
            &b""[..],
            b";a",
            b";a=b",
            b" ; a = \"v\"",
            b";",
            b";a b",
            b";abcdefgh",
            b"\t",
            b";a\rb",
            b";a\nb",
            b";a\n",
        ])
        .prop_map(<[u8]>::to_vec);
        // A short mix of the bytes that matter to the line's grammar, most
        // often after the start of a good extension.
        let mixed = (
            prop::sample::select(vec![&b";a"[..], b";", b""]),
            prop::collection::vec(
                prop::sample::select(vec![
                    b';', b'a', b'=', b'"', b'\\', b' ', b'\t', b'\r', b'\n', b'\n', 0x80, 0,
                ]),
                0..6,
            ),
        )
            .prop_map(|(start, rest)| [start, &rest].concat());
        let extension = prop_oneof![2 => listed, 1 => mixed];
        let line_end =
            prop::sample::select(vec![&b"\r\n"[..], b"\r\n", b"\n", b"\r", b"\rx", b"x"]);
        (size, 0..20usize, any::<bool>(), extension, line_end).prop_map(
            |(size, zeros, upper, extension, line_end)| {
                let mut line = vec![b'0'; zeros];
                let digits = if upper {
                    format!("{size:X}")
                } else {
                    format!("{size:x}")
                };
                line.extend_from_slice(digits.as_bytes());
                line.extend_from_slice(&extension);
                line.extend_from_slice(line_end);
                (size, line)
            },
        )
    }

    /// A chunked body of a few chunks, possibly cut short, with one byte
    /// possibly replaced.
    fn chunked_body() -> impl Strategy<Value = Vec<u8>> {
        let data_end = prop::sample::select(vec![&b"\r\n"[..], b"\r\n", b"\n", b"\r", b"", b"xy"]);
        let trailers = prop::sample::select(vec![
            &b"\r\n"[..],
            b"\r\n",
            b"a: b\r\n\r\n",
            b"\n",
            b"\r",
            b"\rx",
            b"",
        ]);
        let noise = prop::sample::select(vec![b'\r', b'\n', b';', b' ', b'0', b'f', b'G', 0, 0x80]);
        (
            prop::collection::vec((size_line(), data_end), 0..4),
            size_line(),
            trailers,
            prop::option::of((any::<prop::sample::Index>(), noise)),
            any::<prop::sample::Index>(),
            any::<bool>(),
        )
            .prop_map(|(chunks, (_, last), trailers, replace, cut, truncate)| {
                let mut body = Vec::new();
                for ((size, line), data_end) in chunks {
                    body.extend_from_slice(&line);
                    let len = usize::try_from(size.min(40)).unwrap_or(40);
                    body.extend((0..len).map(|i| b'a' + (i % 26) as u8));
                    body.extend_from_slice(data_end);
                }
                body.extend_from_slice(&last);
                body.extend_from_slice(trailers);
                if let Some((at, byte)) = replace.filter(|_| !body.is_empty()) {
                    let at = at.index(body.len());
                    body[at] = byte;
                }
                if truncate && !body.is_empty() {
                    body.truncate(cut.index(body.len()));
                }
                body
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn fast_path_agrees_with_the_bytewise_states(body in chunked_body()) {
            assert_paths_agree_everywhere(&body);
        }
    }

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
