//! `Range: bytes=…` (RFC 9110 §14.1.2, §14.2) resolved against a
//! representation's length.
//!
//! Ranges are resolved against the file length, sorted and coalesced when
//! they overlap or lie closer together than the cost of a part header, so a
//! response is never larger than the file plus a few part headers. A list
//! with too many ranges is ignored (the full file is sent instead), as
//! §14.2 allows.

/// Range specs accepted in one header before the header is ignored.
pub const MAX_SPECS: usize = 100;
/// Parts at most in a multipart response (after coalescing).
pub const MAX_PARTS: usize = 16;
/// Ranges closer than this are merged (about the size of a part header).
pub const MERGE_GAP: u64 = 80;

/// A half-open byte interval `[start, end)` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl Span {
    /// Number of bytes.
    pub fn len(self) -> u64 {
        self.end - self.start
    }

    /// Whether it holds no byte (never for a span [`parse`] returns).
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// What a `Range` header asks for, resolved against the representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ranges {
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
pub fn parse(value: &[u8], len: u64) -> Ranges {
    let value = <[u8]>::trim_ascii(value);
    let Some(eq) = value.iter().position(|&b| b == b'=') else {
        return Ranges::Full;
    };
    if !<[u8]>::trim_ascii(&value[..eq]).eq_ignore_ascii_case(b"bytes") {
        return Ranges::Full;
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut specs = 0;
    for spec in value[eq + 1..].split(|&b| b == b',') {
        let spec = <[u8]>::trim_ascii(spec);
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

    proptest::proptest! {
        /// Whatever the header says: every span lies inside the
        /// representation and is not empty; several are ascending, apart by
        /// more than the merge gap, and at most `MAX_PARTS`; every byte a
        /// well-formed spec asks for is covered when the answer is ranges.
        #[test]
        fn resolved_ranges_are_sound(
            specs in proptest::collection::vec((proptest::option::of(0u64..5000), proptest::option::of(0u64..5000)), 0..12),
            len in 0u64..4096,
        ) {
            let text: Vec<String> = specs
                .iter()
                .map(|(a, b)| format!("{}-{}", a.map(|a| a.to_string()).unwrap_or_default(), b.map(|b| b.to_string()).unwrap_or_default()))
                .collect();
            let value = format!("bytes={}", text.join(","));
            let spans = match parse(value.as_bytes(), len) {
                Ranges::Single(s) => vec![s],
                Ranges::Multi(v) => {
                    proptest::prop_assert!(v.len() >= 2 && v.len() <= MAX_PARTS);
                    v
                }
                Ranges::Full | Ranges::Unsatisfiable => return Ok(()),
            };
            for s in &spans {
                proptest::prop_assert!(s.start < s.end && s.end <= len);
            }
            for w in spans.windows(2) {
                proptest::prop_assert!(w[0].end.saturating_add(MERGE_GAP) < w[1].start);
            }
            for (a, b) in &specs {
                let wanted = match (a, b) {
                    (Some(a), Some(b)) if a <= b && *a < len => *a..(*b + 1).min(len),
                    (Some(a), None) if *a < len => *a..len,
                    (None, Some(n)) if *n > 0 => len - (*n).min(len)..len,
                    _ => continue,
                };
                for byte in [wanted.start, wanted.end - 1] {
                    proptest::prop_assert!(spans.iter().any(|s| s.start <= byte && byte < s.end), "{value}: byte {byte}");
                }
            }
        }
    }
}
