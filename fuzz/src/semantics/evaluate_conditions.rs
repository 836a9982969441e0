//! `evaluate_conditions`: four bytes of modification time, then field
//! lines, one per `\n`, each a byte choosing the name and the value.
//!
//! Properties of `Conditions::evaluate` and `Conditions::range` against
//! RFC 9110 §13.2.2 and §13.1.5 written here with their own entity-tag
//! comparison (§8.8.3.2): the outcome is the RFC's; `If-Unmodified-Since`
//! changes nothing when `If-Match` is present, nor `If-Modified-Since` when
//! `If-None-Match` is; a failed `If-Match` alone means 412 with every field;
//! `*` never fails `If-Match`; `range` is the one `Range` value, only when
//! there is exactly one and `If-Range` holds; and a date is read only when
//! it is one of the three forms of RFC 9110 §5.6.7 for the second returned.

use std::time::{Duration, UNIX_EPOCH};

use tern_server::semantics::conditional::{Conditions, Precondition, Validators, http_date};

use super::lines;

const NAMES: [&str; 8] = [
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "Range",
    "If-Range",
    "if-none-match",
    "Accept",
];

const ETAG: &[u8] = b"\"tern-1\"";

/// Panics when a property does not hold.
pub fn check(data: &[u8]) {
    let (time, rest) = data.split_at(data.len().min(4));
    let mut raw = [0u8; 4];
    raw[..time.len()].copy_from_slice(time);
    let modified = i64::from(u32::from_le_bytes(raw));
    let last_modified = date(modified);
    let v = Validators {
        etag: ETAG,
        last_modified: last_modified.as_bytes(),
        modified,
    };
    let fields: Vec<(&[u8], &[u8])> = lines(rest)
        .filter_map(|line| {
            let (&name, value) = line.split_first()?;
            Some((NAMES[usize::from(name) % NAMES.len()].as_bytes(), value))
        })
        .collect();
    let named = |name: &str| -> Vec<&[u8]> {
        fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| f.1)
            .collect()
    };
    let without = |name: &str| -> Vec<(&[u8], &[u8])> {
        fields
            .iter()
            .copied()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(name.as_bytes()))
            .collect()
    };
    let evaluate = |fields: Vec<(&[u8], &[u8])>| Conditions::from_fields(fields).evaluate(&v);

    let conditions = Conditions::from_fields(fields.iter().copied());
    let got = conditions.evaluate(&v);
    let (if_match, if_none_match) = (named("If-Match"), named("If-None-Match"));
    let (ims, ius) = (named("If-Modified-Since"), named("If-Unmodified-Since"));
    assert_eq!(
        got,
        expected(&v, &if_match, ius.first(), &if_none_match, ims.first()),
        "{fields:?}"
    );

    if !if_match.is_empty() {
        assert_eq!(
            evaluate(without("If-Unmodified-Since")),
            got,
            "IUS counted under If-Match"
        );
        let alone: Vec<_> = if_match
            .iter()
            .map(|&value| (&b"If-Match"[..], value))
            .collect();
        if evaluate(alone) == Precondition::Failed {
            assert_eq!(got, Precondition::Failed, "a failed If-Match outvoted");
        }
        if if_match.iter().any(|l| trim(l) == b"*") {
            assert_ne!(got, Precondition::Failed, "If-Match: * failed");
        }
    }
    if !if_none_match.is_empty() {
        assert_eq!(
            evaluate(without("If-Modified-Since")),
            got,
            "IMS counted under If-None-Match"
        );
    }

    let ranges = named("Range");
    let if_range = named("If-Range");
    let expected_range = match (ranges.as_slice(), if_range.first()) {
        ([one], None) => Some(*one),
        ([one], Some(condition)) if if_range_expected(condition, &v) => Some(*one),
        _ => None,
    };
    assert_eq!(conditions.range(&v), expected_range, "{fields:?}");

    for value in ims.iter().chain(&ius).chain(&if_range) {
        if let Some(t) = http_date(value) {
            let forms = three_forms(t);
            let trimmed = value.trim_ascii();
            assert!(
                forms.iter().any(|f| f.as_bytes() == trimmed),
                "{value:?} read as {}",
                forms[0]
            );
        }
    }
}

/// §13.2.2 for GET and HEAD: step 1 (If-Match) else step 2 (IUS), then
/// step 3 (If-None-Match) else step 4 (IMS). Only the first date field of
/// each name counts.
fn expected(
    v: &Validators<'_>,
    if_match: &[&[u8]],
    ius: Option<&&[u8]>,
    if_none_match: &[&[u8]],
    ims: Option<&&[u8]>,
) -> Precondition {
    let failed = if if_match.is_empty() {
        ius.and_then(|d| http_date(d))
            .is_some_and(|t| v.modified > t)
    } else {
        !if_match.iter().any(|line| lists(line, v.etag, true))
    };
    if failed {
        return Precondition::Failed;
    }
    let unchanged = if if_none_match.is_empty() {
        ims.is_some_and(|d| *d == v.last_modified || http_date(d).is_some_and(|t| v.modified <= t))
    } else {
        if_none_match.iter().any(|line| lists(line, v.etag, false))
    };
    if unchanged {
        Precondition::NotModified
    } else {
        Precondition::Proceed
    }
}

/// Whether a line is `*` or lists `etag` (strong: the listed tag must not be
/// weak; weak: the `W/` is ignored).
fn lists(line: &[u8], etag: &[u8], strong: bool) -> bool {
    trim(line) == b"*"
        || line.split(|&b| b == b',').any(|tag| {
            let tag = trim(tag);
            match tag {
                [b'W', b'/', opaque @ ..] => !strong && opaque == etag,
                _ => tag == etag,
            }
        })
}

/// §13.1.5: a strong tag equal to the current one, or the exact date.
fn if_range_expected(condition: &[u8], v: &Validators<'_>) -> bool {
    let condition = trim(condition);
    match condition.first() {
        Some(b'"') => condition == v.etag,
        Some(b'W') if condition.starts_with(b"W/") => false,
        _ => condition == v.last_modified || http_date(condition) == Some(v.modified),
    }
}

fn trim(v: &[u8]) -> &[u8] {
    v.trim_ascii()
}

fn date(t: i64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(t.unsigned_abs()))
}

/// The three forms of an HTTP-date for `t` (RFC 9110 §5.6.7): IMF-fixdate,
/// RFC 850 and asctime (its day space-padded or with a leading zero).
fn three_forms(t: i64) -> [String; 4] {
    let imf = date(t);
    let (wday, day, mon, year, time) = (
        &imf[..3],
        &imf[5..7],
        &imf[8..11],
        &imf[12..16],
        &imf[17..25],
    );
    let weekday = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .into_iter()
    .find(|w| w.starts_with(wday))
    .expect("httpdate writes an English weekday");
    let rfc850 = format!("{weekday}, {day}-{mon}-{} {time} GMT", &year[2..]);
    let padded = match day.strip_prefix('0') {
        Some(digit) => format!(" {digit}"),
        None => day.to_owned(),
    };
    let asctime = format!("{wday} {mon} {padded} {time} {year}");
    let asctime_zero = format!("{wday} {mon} {day} {time} {year}");
    [imf, rfc850, asctime, asctime_zero]
}
