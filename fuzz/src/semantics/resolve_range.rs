//! `resolve_range`: one byte choosing the representation length's scale,
//! up to eight bytes of length, then a `Range` field value.
//!
//! Properties of `range::parse(value, len)` against a reading of RFC 9110
//! §14.1.1 written here: a value that is not `bytes=` and a list of
//! well-formed specs is ignored (`Full`); more than `MAX_SPECS` specs are
//! ignored; no satisfiable spec is `Unsatisfiable`; otherwise the spans are
//! non-empty, inside the representation, ascending, apart by more than
//! `MERGE_GAP`, at most `MAX_PARTS` (or `Full` when coalescing leaves more),
//! each wanted interval lies inside one span, and every span starts where a
//! wanted interval starts and ends where one ends (nothing is invented).

use tern_server::semantics::range::{self, MAX_PARTS, MAX_SPECS, MERGE_GAP, Ranges, Span};

/// Panics when a property does not hold.
pub fn check(data: &[u8]) {
    let (&scale, rest) = data.split_first().unwrap_or((&0, &[]));
    let (len_bytes, value) = rest.split_at(rest.len().min(8));
    let mut raw = [0u8; 8];
    raw[..len_bytes.len()].copy_from_slice(len_bytes);
    let raw = u64::from_le_bytes(raw);
    let len = match scale % 4 {
        0 => raw % 256,
        1 => raw % 10_000,
        2 => raw,
        _ => u64::MAX - raw % 256,
    };
    let got = range::parse(value, len);
    let Some(specs) = reference_specs(value) else {
        assert_eq!(got, Ranges::Full, "malformed {value:?} must be ignored");
        return;
    };
    if specs.len() > MAX_SPECS {
        assert_eq!(got, Ranges::Full, "too many specs");
        return;
    }
    let wanted: Vec<Span> = specs
        .iter()
        .filter_map(|&spec| satisfiable(spec, len))
        .collect();
    if wanted.is_empty() {
        assert_eq!(got, Ranges::Unsatisfiable, "{value:?} against {len}");
        return;
    }
    let spans = match got {
        Ranges::Single(span) => vec![span],
        Ranges::Multi(spans) => {
            assert!(
                (2..=MAX_PARTS).contains(&spans.len()),
                "{} parts",
                spans.len()
            );
            spans
        }
        // Allowed only when coalescing leaves too many parts.
        Ranges::Full => {
            assert!(wanted.len() > MAX_PARTS, "{value:?} against {len} ignored");
            return;
        }
        Ranges::Unsatisfiable => panic!("{value:?} against {len}: satisfiable, refused"),
    };
    for s in &spans {
        assert!(s.start < s.end && s.end <= len, "{s:?} outside {len}");
        assert!(
            wanted.iter().any(|w| w.start == s.start),
            "{s:?} starts nowhere asked"
        );
        assert!(
            wanted.iter().any(|w| w.end == s.end),
            "{s:?} ends nowhere asked"
        );
    }
    for pair in spans.windows(2) {
        assert!(
            pair[0].end.saturating_add(MERGE_GAP) < pair[1].start,
            "{pair:?}"
        );
    }
    for w in &wanted {
        assert!(
            spans.iter().any(|s| s.start <= w.start && w.end <= s.end),
            "{w:?} not covered by {spans:?}"
        );
    }
}

/// A spec: `first-pos "-" [ last-pos ]` or `"-" suffix-length`.
#[derive(Clone, Copy, Debug)]
enum Spec {
    From(u64, Option<u64>),
    Suffix(u64),
}

/// The specs of `bytes=range-set`, or `None` when the value is anything
/// else. Leniencies the implementation documents are mirrored: the unit is
/// case-insensitive with whitespace around it, empty list members are
/// skipped, and digits beyond u64 saturate.
fn reference_specs(value: &[u8]) -> Option<Vec<Spec>> {
    let value = value.trim_ascii();
    let eq = value.iter().position(|&b| b == b'=')?;
    if !value[..eq].trim_ascii().eq_ignore_ascii_case(b"bytes") {
        return None;
    }
    let mut specs = Vec::new();
    for member in value[eq + 1..].split(|&b| b == b',') {
        let member = member.trim_ascii();
        if member.is_empty() {
            continue;
        }
        let (first, last) = member.split_at(member.iter().position(|&b| b == b'-')?);
        let last = &last[1..];
        specs.push(match (digits(first), digits(last)) {
            (None, Some(n)) if first.is_empty() => Spec::Suffix(n),
            (Some(a), None) if last.is_empty() => Spec::From(a, None),
            (Some(a), Some(b)) if a <= b => Spec::From(a, Some(b)),
            _ => return None,
        });
        // A list longer than MAX_SPECS is ignored as a whole, whatever
        // follows; stop reading it.
        if specs.len() > MAX_SPECS {
            break;
        }
    }
    (!specs.is_empty()).then_some(specs)
}

fn digits(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// The bytes a spec asks for in a representation of `len` bytes (RFC 9110
/// §14.1.2), if any.
fn satisfiable(spec: Spec, len: u64) -> Option<Span> {
    match spec {
        Spec::From(a, _) if a >= len => None,
        Spec::From(a, last) => Some(Span {
            start: a,
            end: last.map_or(len, |b| b.saturating_add(1).min(len)),
        }),
        Spec::Suffix(0) => None,
        Spec::Suffix(_) if len == 0 => None,
        Spec::Suffix(n) => Some(Span {
            start: len - n.min(len),
            end: len,
        }),
    }
}
