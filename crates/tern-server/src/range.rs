//! `Range: bytes=…` (RFC 9110 §14.1.2, §14.2) and `multipart/byteranges`
//! (RFC 9110 §14.6).
//!
//! Ranges are resolved against the file length, sorted and coalesced when
//! they overlap or lie closer together than the cost of a part header, so a
//! response is never larger than the file plus a few part headers. A list
//! with too many ranges is ignored (the full file is sent instead), as
//! §14.2 allows.

/// Range specs accepted in one header before the header is ignored.
const MAX_SPECS: usize = 100;
/// Parts at most in a multipart response (after coalescing).
const MAX_PARTS: usize = 16;
/// Ranges closer than this are merged (about the size of a part header).
const MERGE_GAP: u64 = 80;

/// A half-open byte interval `[start, end)` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First byte.
    pub(crate) start: u64,
    /// One past the last byte.
    pub(crate) end: u64,
}

impl Span {
    /// Number of bytes.
    pub(crate) fn len(self) -> u64 {
        self.end - self.start
    }
}

/// What a `Range` header asks for, resolved against the representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ranges {
    /// Ignore the header: send the whole representation (200).
    Full,
    /// One range (206 with `Content-Range`).
    Single(Span),
    /// Several ranges (206 `multipart/byteranges`), in ascending order.
    Multi(Vec<Span>),
    /// No range overlaps the representation (416).
    Unsatisfiable,
}

/// Resolves a `Range` field value against a representation of `len` bytes.
pub(crate) fn parse(value: &[u8], len: u64) -> Ranges {
    let value = trim(value);
    let Some(eq) = value.iter().position(|&b| b == b'=') else {
        return Ranges::Full;
    };
    if !trim(&value[..eq]).eq_ignore_ascii_case(b"bytes") {
        return Ranges::Full;
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut specs = 0;
    for spec in value[eq + 1..].split(|&b| b == b',') {
        let spec = trim(spec);
        if spec.is_empty() {
            continue;
        }
        specs += 1;
        if specs > MAX_SPECS {
            return Ranges::Full;
        }
        let Some(dash) = spec.iter().position(|&b| b == b'-') else {
            return Ranges::Full;
        };
        let (first, last) = (&spec[..dash], &spec[dash + 1..]);
        let span = if first.is_empty() {
            let Some(n) = number(last) else {
                return Ranges::Full;
            };
            if n == 0 || len == 0 {
                continue;
            }
            Span {
                start: len - n.min(len),
                end: len,
            }
        } else {
            let Some(a) = number(first) else {
                return Ranges::Full;
            };
            let b = if last.is_empty() {
                u64::MAX
            } else {
                match number(last) {
                    Some(b) if b >= a => b,
                    _ => return Ranges::Full,
                }
            };
            if a >= len {
                continue;
            }
            Span {
                start: a,
                end: b.saturating_add(1).min(len),
            }
        };
        spans.push(span);
    }
    if specs == 0 {
        return Ranges::Full;
    }
    if spans.is_empty() {
        return Ranges::Unsatisfiable;
    }
    if spans.len() == 1 {
        return Ranges::Single(spans[0]);
    }
    spans.sort_unstable_by_key(|s| s.start);
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(m) if s.start <= m.end.saturating_add(MERGE_GAP) => m.end = m.end.max(s.end),
            _ => merged.push(s),
        }
    }
    match merged.len() {
        1 => Ranges::Single(merged[0]),
        n if n > MAX_PARTS => Ranges::Full,
        _ => Ranges::Multi(merged),
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &v[start..end]
}

/// A run of 1 to 19 digits (longer values saturate: they are beyond any file).
fn number(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for &d in v {
        n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
    }
    Some(n)
}

/// Writes the header of one part of a `multipart/byteranges` body:
/// `CRLF --BOUNDARY CRLF Content-Type: … CRLF Content-Range: bytes a-b/len CRLF CRLF`.
pub(crate) fn part_head(
    out: &mut Vec<u8>,
    boundary: &[u8],
    content_type: &[u8],
    span: Span,
    len: u64,
) {
    out.extend_from_slice(b"\r\n--");
    out.extend_from_slice(boundary);
    out.extend_from_slice(b"\r\nContent-Type: ");
    out.extend_from_slice(content_type);
    out.extend_from_slice(b"\r\nContent-Range: bytes ");
    push_u64(out, span.start);
    out.push(b'-');
    push_u64(out, span.end - 1);
    out.push(b'/');
    push_u64(out, len);
    out.extend_from_slice(b"\r\n\r\n");
}

/// Writes the closing delimiter of a `multipart/byteranges` body.
pub(crate) fn closing(out: &mut Vec<u8>, boundary: &[u8]) {
    out.extend_from_slice(b"\r\n--");
    out.extend_from_slice(boundary);
    out.extend_from_slice(b"--\r\n");
}

/// The exact `Content-Length` of a multipart body.
pub(crate) fn multipart_len(boundary: &[u8], content_type: &[u8], spans: &[Span], len: u64) -> u64 {
    let mut scratch = Vec::with_capacity(160);
    let mut total = 0u64;
    for &s in spans {
        scratch.clear();
        part_head(&mut scratch, boundary, content_type, s, len);
        total += scratch.len() as u64 + s.len();
    }
    scratch.clear();
    closing(&mut scratch, boundary);
    total + scratch.len() as u64
}

/// Appends the decimal form of `n`.
pub(crate) fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let mut n = n;
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: u64, end: u64) -> Span {
        Span { start, end }
    }

    #[test]
    fn single_ranges() {
        assert_eq!(parse(b"bytes=0-9", 100), Ranges::Single(sp(0, 10)));
        assert_eq!(parse(b"bytes=90-", 100), Ranges::Single(sp(90, 100)));
        assert_eq!(parse(b"bytes=-10", 100), Ranges::Single(sp(90, 100)));
        assert_eq!(parse(b"bytes=-1000", 100), Ranges::Single(sp(0, 100)));
        assert_eq!(parse(b"bytes=50-1000", 100), Ranges::Single(sp(50, 100)));
        assert_eq!(parse(b"Bytes = 0-0", 100), Ranges::Single(sp(0, 1)));
        assert_eq!(
            parse(b"bytes=0-99999999999999999999999", 100),
            Ranges::Single(sp(0, 100))
        );
    }

    #[test]
    fn unsatisfiable_and_ignored() {
        assert_eq!(parse(b"bytes=100-", 100), Ranges::Unsatisfiable);
        assert_eq!(parse(b"bytes=-0", 100), Ranges::Unsatisfiable);
        assert_eq!(parse(b"bytes=0-1", 0), Ranges::Unsatisfiable);
        assert_eq!(parse(b"bytes=5-1", 100), Ranges::Full);
        assert_eq!(parse(b"items=0-1", 100), Ranges::Full);
        assert_eq!(parse(b"bytes=abc", 100), Ranges::Full);
        assert_eq!(parse(b"bytes=", 100), Ranges::Full);
        assert_eq!(parse(b"bytes=1-2-3", 100), Ranges::Full);
    }

    #[test]
    fn multi_and_coalescing() {
        assert_eq!(
            parse(b"bytes=0-9, 3000-3009", 4096),
            Ranges::Multi(vec![sp(0, 10), sp(3000, 3010)])
        );
        // overlapping and close ranges merge; order becomes ascending
        assert_eq!(parse(b"bytes=0-9,20-29", 4096), Ranges::Single(sp(0, 30)));
        assert_eq!(
            parse(b"bytes=3000-3009,0-9,5-500", 4096),
            Ranges::Multi(vec![sp(0, 501), sp(3000, 3010)])
        );
        // many overlapping copies of the whole file do not amplify
        let many = format!("bytes={}", vec!["0-"; 50].join(","));
        assert_eq!(parse(many.as_bytes(), 4096), Ranges::Single(sp(0, 4096)));
        // too many distinct parts: ignored
        let spread: Vec<String> = (0..40)
            .map(|i| format!("{}-{}", i * 1000, i * 1000))
            .collect();
        assert_eq!(
            parse(format!("bytes={}", spread.join(",")).as_bytes(), 100_000),
            Ranges::Full
        );
        let lots = format!("bytes={}", vec!["1-1"; 101].join(","));
        assert_eq!(parse(lots.as_bytes(), 10), Ranges::Full);
    }

    #[test]
    fn multipart_length_is_exact() {
        let spans = [sp(0, 10), sp(3000, 3010)];
        let mut body = Vec::new();
        for s in spans {
            part_head(&mut body, b"B", b"text/plain", s, 4096);
            body.extend(std::iter::repeat_n(b'x', s.len() as usize));
        }
        closing(&mut body, b"B");
        assert_eq!(
            multipart_len(b"B", b"text/plain", &spans, 4096),
            body.len() as u64
        );
    }
}
