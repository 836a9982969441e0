//! Conditional requests (RFC 9110 §13): the precondition fields of a request
//! evaluated against a representation's validators, in the order of
//! §13.2.2, with strong and weak entity-tag comparison (§8.8.3.2).

use std::time::UNIX_EPOCH;

/// What a representation can be compared with.
#[derive(Debug, Clone, Copy)]
pub struct Validators<'a> {
    /// The strong entity-tag, quotes included.
    pub etag: &'a [u8],
    /// The `Last-Modified` value as sent (an IMF-fixdate).
    pub last_modified: &'a [u8],
    /// The modification time in whole seconds since the epoch.
    pub modified: i64,
}

/// The outcome of evaluating the preconditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// None failed: answer normally.
    Proceed,
    /// `304 Not Modified` (a GET or HEAD whose cached copy is current).
    NotModified,
    /// `412 Precondition Failed`.
    Failed,
}

/// The precondition and range fields of one request.
#[derive(Debug, Default)]
pub struct Conditions<'a> {
    if_match: Option<TagLists<'a>>,
    if_none_match: Option<TagLists<'a>>,
    if_modified_since: Option<&'a [u8]>,
    if_unmodified_since: Option<&'a [u8]>,
    range: Option<&'a [u8]>,
    if_range: Option<&'a [u8]>,
    ranges_seen: u8,
}

impl<'a> Conditions<'a> {
    /// Collects the fields that matter from a request's field lines
    /// (names compared case-insensitively; list fields may be repeated).
    pub fn from_fields(fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Self {
        let mut c = Self::default();
        for (name, value) in fields {
            if !matches!(name.first(), Some(b'r' | b'R' | b'i' | b'I')) {
                continue;
            }
            if name.eq_ignore_ascii_case(b"range") {
                c.range = Some(value);
                c.ranges_seen = c.ranges_seen.saturating_add(1);
            } else if name.eq_ignore_ascii_case(b"if-none-match") {
                c.if_none_match.get_or_insert_default().push(value);
            } else if name.eq_ignore_ascii_case(b"if-match") {
                c.if_match.get_or_insert_default().push(value);
            } else if name.eq_ignore_ascii_case(b"if-modified-since") {
                c.if_modified_since.get_or_insert(value);
            } else if name.eq_ignore_ascii_case(b"if-unmodified-since") {
                c.if_unmodified_since.get_or_insert(value);
            } else if name.eq_ignore_ascii_case(b"if-range") {
                c.if_range.get_or_insert(value);
            }
        }
        c
    }

    /// RFC 9110 §13.2.2: `If-Match`, else `If-Unmodified-Since`; then
    /// `If-None-Match`, else `If-Modified-Since` (for GET and HEAD, the only
    /// methods a static server answers with a representation).
    pub fn evaluate(&self, v: &Validators<'_>) -> Precondition {
        if let Some(tags) = &self.if_match {
            if !tags.matches(v.etag, Comparison::Strong) {
                return Precondition::Failed;
            }
        } else if let Some(t) = self.if_unmodified_since.and_then(http_date)
            && v.modified > t
        {
            return Precondition::Failed;
        }
        if let Some(tags) = &self.if_none_match {
            if tags.matches(v.etag, Comparison::Weak) {
                return Precondition::NotModified;
            }
        } else if let Some(value) = self.if_modified_since
            && (value == v.last_modified || http_date(value).is_some_and(|t| v.modified <= t))
        {
            return Precondition::NotModified;
        }
        Precondition::Proceed
    }

    /// The `Range` value to honour, if any: exactly one `Range` field (two
    /// are ambiguous and ignored), and an `If-Range` that holds when present.
    pub fn range(&self, v: &Validators<'_>) -> Option<&'a [u8]> {
        if self.ranges_seen != 1 {
            return None;
        }
        match self.if_range {
            Some(condition) if !if_range_holds(condition, v) => None,
            _ => self.range,
        }
    }
}

/// `If-Range` (RFC 9110 §13.1.5): an entity-tag must match strongly (a weak
/// one never does), a date must equal `Last-Modified` exactly.
pub fn if_range_holds(value: &[u8], v: &Validators<'_>) -> bool {
    let value = value.trim_ascii();
    if value.starts_with(b"\"") {
        value == v.etag
    } else if value.starts_with(b"W/") {
        false
    } else {
        value == v.last_modified || http_date(value).is_some_and(|t| t == v.modified)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Strong,
    Weak,
}

/// The lines of a list field (`If-Match`, `If-None-Match`), which may be
/// repeated (RFC 9110 §5.3); up to four lines are kept.
#[derive(Debug, Default)]
struct TagLists<'a> {
    lines: [&'a [u8]; 4],
    n: usize,
}

impl<'a> TagLists<'a> {
    fn push(&mut self, line: &'a [u8]) {
        if self.n < self.lines.len() {
            self.lines[self.n] = line;
            self.n += 1;
        }
    }

    /// `*`, or a listed tag equal to `etag` under the comparison.
    fn matches(&self, etag: &[u8], comparison: Comparison) -> bool {
        self.lines[..self.n]
            .iter()
            .any(|l| l.trim_ascii() == b"*" || tag_list_has(l, etag, comparison))
    }
}

/// Whether a comma-separated list of entity-tags contains `etag` (RFC 9110
/// §8.8.3.2: strong comparison needs both tags strong and equal; weak
/// comparison ignores the `W/` prefix on either side). `etag` is the
/// server's own tag, weak for an encoded copy made on the fly.
fn tag_list_has(list: &[u8], etag: &[u8], comparison: Comparison) -> bool {
    let (ours_weak, ours) = split_weak(etag);
    list.split(|&b| b == b',').any(|t| {
        let (weak, opaque) = split_weak(t.trim_ascii());
        opaque == ours && (comparison == Comparison::Weak || !(weak || ours_weak))
    })
}

/// An entity-tag as (weak, opaque-tag).
fn split_weak(tag: &[u8]) -> (bool, &[u8]) {
    match tag.strip_prefix(b"W/") {
        Some(opaque) => (true, opaque),
        None => (false, tag),
    }
}

/// An HTTP-date (any of the three formats of RFC 9110 §5.6.7) as seconds
/// since the epoch; `None` when invalid (an invalid date is ignored).
pub fn http_date(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v.trim_ascii()).ok()?;
    let t = httpdate::parse_http_date(s).ok()?;
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &[u8] = b"\"abc\"";
    const LM: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const V: Validators<'static> = Validators {
        etag: TAG,
        last_modified: LM.as_bytes(),
        modified: 784_111_777,
    };

    fn eval(fields: &[(&str, &str)]) -> Precondition {
        Conditions::from_fields(fields.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
            .evaluate(&V)
    }

    #[test]
    fn tag_lists() {
        assert!(tag_list_has(b"\"x\", \"abc\"", TAG, Comparison::Strong));
        assert!(tag_list_has(b"W/\"abc\"", TAG, Comparison::Weak));
        assert!(!tag_list_has(b"W/\"abc\"", TAG, Comparison::Strong));
        // A weak tag of the server's own matches only weakly.
        let weak = b"W/\"abc\"";
        assert!(tag_list_has(b"\"abc\"", weak, Comparison::Weak));
        assert!(tag_list_has(b"W/\"abc\"", weak, Comparison::Weak));
        assert!(!tag_list_has(b"\"abc\"", weak, Comparison::Strong));
        assert!(!tag_list_has(b"W/\"abc\"", weak, Comparison::Strong));
        assert!(!tag_list_has(b"W/\"abd\"", weak, Comparison::Weak));
        assert!(!tag_list_has(b"\"abcd\"", TAG, Comparison::Weak));
    }

    #[test]
    fn the_order_of_section_13_2_2() {
        use Precondition::*;
        assert_eq!(eval(&[]), Proceed);
        assert_eq!(eval(&[("If-Match", "\"x\"")]), Failed);
        assert_eq!(eval(&[("if-match", "*")]), Proceed);
        assert_eq!(eval(&[("If-Match", "W/\"abc\"")]), Failed);
        // If-Unmodified-Since only without If-Match
        let earlier = "Sat, 05 Nov 1994 08:49:37 GMT";
        assert_eq!(eval(&[("If-Unmodified-Since", earlier)]), Failed);
        assert_eq!(
            eval(&[("If-Match", "\"abc\""), ("If-Unmodified-Since", earlier)]),
            Proceed
        );
        assert_eq!(eval(&[("If-Unmodified-Since", "not a date")]), Proceed);
        // If-None-Match (weak) beats If-Modified-Since
        assert_eq!(eval(&[("If-None-Match", "W/\"abc\"")]), NotModified);
        assert_eq!(
            eval(&[("If-None-Match", "\"x\""), ("If-Modified-Since", LM)]),
            Proceed
        );
        assert_eq!(eval(&[("If-Modified-Since", LM)]), NotModified);
        assert_eq!(eval(&[("If-Modified-Since", earlier)]), Proceed);
        // a failed If-Match wins over a matching If-None-Match
        assert_eq!(
            eval(&[("If-None-Match", "*"), ("If-Match", "\"nope\"")]),
            Failed
        );
        // repeated list lines are all consulted
        assert_eq!(
            eval(&[("If-None-Match", "\"a\""), ("If-None-Match", "\"abc\"")]),
            NotModified
        );
    }

    #[test]
    fn range_and_if_range() {
        let c = |f: &[(&'static str, &'static str)]| {
            Conditions::from_fields(f.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
        };
        assert_eq!(
            c(&[("Range", "bytes=0-1")]).range(&V),
            Some(&b"bytes=0-1"[..])
        );
        assert_eq!(
            c(&[("Range", "bytes=0-1"), ("Range", "bytes=2-3")]).range(&V),
            None
        );
        assert!(
            c(&[("Range", "bytes=0-1"), ("If-Range", "\"abc\"")])
                .range(&V)
                .is_some()
        );
        assert!(
            c(&[("Range", "bytes=0-1"), ("If-Range", "W/\"abc\"")])
                .range(&V)
                .is_none()
        );
        assert!(
            c(&[("Range", "bytes=0-1"), ("If-Range", LM)])
                .range(&V)
                .is_some()
        );
        assert!(
            c(&[
                ("Range", "bytes=0-1"),
                ("If-Range", "Sat, 05 Nov 1994 08:49:37 GMT")
            ])
            .range(&V)
            .is_none()
        );
    }

    #[test]
    fn dates() {
        assert_eq!(http_date(LM.as_bytes()), Some(784_111_777));
        assert_eq!(
            http_date(b"Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(http_date(b"Sun Nov  6 08:49:37 1994"), Some(784_111_777));
        assert_eq!(http_date(b"yesterday"), None);
    }
}
