//! Conditional requests (RFC 9110 §13): the precondition fields of a request
//! evaluated against a representation's validators, in the order of
//! §13.2.2, with strong and weak entity-tag comparison (§8.8.3.2).

use std::time::UNIX_EPOCH;

use smallvec::SmallVec;

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
/// repeated (RFC 9110 §5.3): every line counts (the parser bounds how many
/// there are); four fit without allocating.
#[derive(Debug, Default)]
struct TagLists<'a> {
    lines: SmallVec<[&'a [u8]; 4]>,
}

impl<'a> TagLists<'a> {
    fn push(&mut self, line: &'a [u8]) {
        self.lines.push(line);
    }

    /// `*`, or a listed tag equal to `etag` under the comparison.
    fn matches(&self, etag: &[u8], comparison: Comparison) -> bool {
        self.lines
            .iter()
            .any(|l| l.trim_ascii() == b"*" || tag_list_has(l, etag, comparison))
    }
}

/// Whether a comma-separated list of entity-tags contains `etag`.
fn tag_list_has(list: &[u8], etag: &[u8], comparison: Comparison) -> bool {
    list.split(|&b| b == b',')
        .any(|t| tags_match(t.trim_ascii(), etag, comparison))
}

/// RFC 9110 §8.8.3.2: strong comparison needs both tags strong and equal;
/// weak comparison ignores the `W/` prefix of either.
fn tags_match(a: &[u8], b: &[u8], comparison: Comparison) -> bool {
    let (a_weak, a_opaque) = split_weak(a);
    let (b_weak, b_opaque) = split_weak(b);
    match comparison {
        Comparison::Strong => !a_weak && !b_weak && a_opaque == b_opaque,
        Comparison::Weak => a_opaque == b_opaque,
    }
}

/// Whether the tag is weak, and its opaque part (quotes included).
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
    // httpdate trims Unicode whitespace (a vertical tab, U+00A0), which is
    // not OWS, and reads any byte between an RFC 850 date and its time:
    // neither is a date (both found by fuzz/evaluate_conditions).
    if s.trim().len() != s.len()
        || (s.ends_with(" GMT") && s.len() >= 13 && s.as_bytes()[s.len() - 13] != b' ')
    {
        return None;
    }
    let t = httpdate::parse_http_date(s).ok()?;
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

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
    fn every_line_of_a_repeated_list_field_counts() {
        // RFC 9110 §5.3: repeated lines are one list. The tag that matches
        // comes on the sixth line, past the four kept without allocating.
        let lines = |name, last| {
            let mut fields = vec![(name, "\"a\""); 5];
            fields.push((name, last));
            fields
        };
        assert_eq!(
            eval(&lines("If-None-Match", "\"abc\"")),
            Precondition::NotModified
        );
        assert_eq!(
            eval(&lines("If-None-Match", "\"b\"")),
            Precondition::Proceed
        );
        assert_eq!(eval(&lines("If-Match", "\"abc\"")), Precondition::Proceed);
        assert_eq!(eval(&lines("If-Match", "*")), Precondition::Proceed);
        assert_eq!(eval(&lines("If-Match", "\"b\"")), Precondition::Failed);
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
        assert_eq!(http_date(format!(" {LM}\t").as_bytes()), Some(784_111_777));
        assert_eq!(http_date(format!("{LM}\x0b").as_bytes()), None);
        assert_eq!(http_date(format!("\u{a0}{LM}").as_bytes()), None);
        assert_eq!(http_date(b"Sunday, 06-Nov-94.08:49:37 GMT"), None);
    }

    /// The three forms of RFC 9110 §5.6.7 for `t` seconds since the epoch,
    /// cut out of httpdate's IMF-fixdate (the asctime day both space-padded
    /// and with a leading zero, as `date3` allows either).
    fn three_forms(t: u64) -> [String; 4] {
        let imf = httpdate::fmt_http_date(UNIX_EPOCH + std::time::Duration::from_secs(t));
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
        .unwrap();
        let rfc850 = format!("{weekday}, {day}-{mon}-{} {time} GMT", &year[2..]);
        let padded_day = day.replacen('0', " ", usize::from(day.starts_with('0')));
        let asctime = format!("{wday} {mon} {padded_day} {time} {year}");
        let asctime_zero = format!("{wday} {mon} {day} {time} {year}");
        [imf, rfc850, asctime, asctime_zero]
    }

    /// The last second httpdate formats (9999-12-31T23:59:59Z).
    const LAST_SECOND: u64 = 253_402_300_799;

    /// The precondition fields of a generated request.
    #[derive(Debug, Clone)]
    struct Request {
        if_match: Option<Vec<String>>,
        if_unmodified_since: Option<String>,
        if_none_match: Option<Vec<String>>,
        if_modified_since: Option<String>,
    }

    impl Request {
        fn evaluate(&self) -> Precondition {
            let mut fields: Vec<(&[u8], &[u8])> = Vec::new();
            for (name, lines) in [
                ("If-Match", &self.if_match),
                ("if-none-match", &self.if_none_match),
            ] {
                for line in lines.iter().flatten() {
                    fields.push((name.as_bytes(), line.as_bytes()));
                }
            }
            for (name, value) in [
                ("If-Unmodified-Since", &self.if_unmodified_since),
                ("IF-MODIFIED-SINCE", &self.if_modified_since),
            ] {
                if let Some(v) = value {
                    fields.push((name.as_bytes(), v.as_bytes()));
                }
            }
            Conditions::from_fields(fields).evaluate(&V)
        }
    }

    /// §13.2.2 written as the RFC's steps, with the comparisons of §8.8.3.2
    /// spelt out on strings (the representation's tag is strong).
    fn model(r: &Request) -> Precondition {
        let listed = |lines: &Vec<String>, strong: bool| {
            lines.iter().any(|line| {
                line.trim() == "*"
                    || line
                        .split(',')
                        .map(str::trim)
                        .any(|t| match t.strip_prefix("W/") {
                            Some(opaque) => !strong && opaque.as_bytes() == TAG,
                            None => t.as_bytes() == TAG,
                        })
            })
        };
        let date = |v: &String| http_date(v.as_bytes());
        // Step 1, else step 2.
        let failed = match &r.if_match {
            Some(lines) => !listed(lines, true),
            None => r
                .if_unmodified_since
                .as_ref()
                .and_then(date)
                .is_some_and(|t| V.modified > t),
        };
        if failed {
            return Precondition::Failed;
        }
        // Step 3, else step 4 (GET/HEAD: the only methods evaluated).
        let current = match &r.if_none_match {
            Some(lines) => listed(lines, false),
            None => r.if_modified_since.as_ref().is_some_and(|v| {
                v.as_bytes() == V.last_modified || date(v).is_some_and(|t| V.modified <= t)
            }),
        };
        if current {
            Precondition::NotModified
        } else {
            Precondition::Proceed
        }
    }

    fn tag() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![
            "\"abc\"",
            "W/\"abc\"",
            "\"x\"",
            "W/\"x\"",
            "\"\"",
            "\"ABC\"",
            "abc",
        ])
        .prop_map(str::to_owned)
    }

    fn tag_lines() -> impl Strategy<Value = Option<Vec<String>>> {
        let line = prop_oneof![
            1 => Just("*".to_owned()),
            1 => Just(" * ".to_owned()),
            6 => proptest::collection::vec(tag(), 1..4).prop_map(|tags| tags.join(", ")),
        ];
        proptest::option::of(proptest::collection::vec(line, 1..3))
    }

    /// A date around the representation's modification time, in any of the
    /// three forms, or `Last-Modified` verbatim, or garbage.
    fn date_field() -> impl Strategy<Value = Option<String>> {
        let around = (-3i64..=3, 0usize..4).prop_map(|(delta, form)| {
            let t = V.modified + delta * 1000;
            three_forms(u64::try_from(t).unwrap())[form].clone()
        });
        proptest::option::of(prop_oneof![
            6 => around,
            1 => Just(LM.to_owned()),
            1 => Just("not a date".to_owned()),
        ])
    }

    fn without_w(tag: &[u8]) -> &[u8] {
        tag.strip_prefix(b"W/").unwrap_or(tag)
    }

    /// The bytes dates are made of, to edit a date into a near miss.
    fn date_byte() -> impl Strategy<Value = u8> {
        proptest::sample::select(b"0123456789 ,-:GMTSunMonday\tNovJan".to_vec())
    }

    fn request() -> impl Strategy<Value = Request> {
        (tag_lines(), date_field(), tag_lines(), date_field()).prop_map(|(im, ius, inm, ims)| {
            Request {
                if_match: im,
                if_unmodified_since: ius,
                if_none_match: inm,
                if_modified_since: ims,
            }
        })
    }

    proptest! {
        /// The evaluation is §13.2.2's, and its precedences hold on their own:
        /// `If-Unmodified-Since` is ignored when `If-Match` is present,
        /// `If-Modified-Since` when `If-None-Match` is, and a failed
        /// `If-Match` is 412 whatever the other fields say.
        #[test]
        fn evaluation_follows_section_13_2_2(r in request()) {
            let got = r.evaluate();
            prop_assert_eq!(got, model(&r));
            if r.if_match.is_some() {
                let without = Request { if_unmodified_since: None, ..r.clone() };
                prop_assert_eq!(without.evaluate(), got);
                let alone = Request { if_none_match: None, if_modified_since: None, ..r.clone() };
                if alone.evaluate() == Precondition::Failed {
                    prop_assert_eq!(got, Precondition::Failed);
                }
            }
            if r.if_none_match.is_some() {
                let without = Request { if_modified_since: None, ..r.clone() };
                prop_assert_eq!(without.evaluate(), got);
            }
            let star =
                |lines: &Option<Vec<String>>| lines.iter().flatten().any(|l| l.trim() == "*");
            if star(&r.if_match) {
                prop_assert_ne!(got, Precondition::Failed);
            }
            if star(&r.if_none_match) && got != Precondition::Failed {
                prop_assert_eq!(got, Precondition::NotModified);
            }
        }

        /// Weak comparison is symmetric and implied by strong comparison;
        /// strong comparison never matches a weak tag; weak comparison is
        /// equality of the opaque parts.
        #[test]
        fn entity_tag_comparison(a in "(W/)?\"[ab]{0,2}\"", b in "(W/)?\"[ab]{0,2}\"") {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            let weak = tags_match(a, b, Comparison::Weak);
            let strong = tags_match(a, b, Comparison::Strong);
            prop_assert_eq!(weak, tags_match(b, a, Comparison::Weak));
            prop_assert_eq!(strong, tags_match(b, a, Comparison::Strong));
            prop_assert!(!strong || weak);
            if a.starts_with(b"W/") || b.starts_with(b"W/") {
                prop_assert!(!strong);
            } else {
                prop_assert_eq!(strong, a == b);
            }
            prop_assert_eq!(weak, without_w(a) == without_w(b));
        }

        /// Every second httpdate can format is read back from each of the
        /// three forms (RFC 850 only where its two-digit year is read as
        /// this one: 1970 to 2069), with optional whitespace around.
        #[test]
        fn http_date_reads_the_three_forms(t in 0..=LAST_SECOND, pad in "[ \t]{0,2}") {
            let forms = three_forms(t);
            let year: u64 = forms[0][12..16].parse().unwrap();
            for (i, form) in forms.iter().enumerate() {
                if i == 1 && year >= 2070 {
                    continue;
                }
                let padded = format!("{pad}{form}{pad}");
                let expected = Some(i64::try_from(t).unwrap());
                prop_assert_eq!(http_date(padded.as_bytes()), expected, "{}", form);
            }
        }

        /// http_date accepts nothing else: whatever it accepts, once
        /// trimmed, is one of the three forms of the second it returns.
        #[test]
        fn http_date_accepts_only_the_three_forms(
            t in 0..=LAST_SECOND,
            form in 0usize..4,
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0u8..3, date_byte()), 1..3),
        ) {
            let mut s = three_forms(t)[form].clone().into_bytes();
            for (at, kind, byte) in edits {
                let i = at.index(s.len() + 1);
                match kind {
                    0 if i < s.len() => s[i] = byte,
                    1 if i < s.len() => { s.remove(i); }
                    _ => s.insert(i, byte),
                }
            }
            if let Some(got) = http_date(&s) {
                let trimmed = std::str::from_utf8(s.trim_ascii()).unwrap();
                let forms = three_forms(u64::try_from(got).unwrap());
                prop_assert!(forms.contains(&trimmed.to_owned()), "{:?} read as {}", trimmed, forms[0]);
            }
        }
    }
}
