//! `parse_chunked`: the chunked body decoder, fed through a connection behind a
//! fixed head (`Transfer-Encoding: chunked`), in arbitrary pieces.
//!
//! Input: a [`CutPlan`] header (pieces and configuration), then the body bytes.
//! Properties:
//!
//! - the decoded length never exceeds the body bytes consumed, at every step,
//!   and every `Data` slice lies in the consumed input;
//! - the trailer section is bounded: at most `max_fields` fields, and the
//!   fields fit in `max_trailer_len` bytes; the body fits in `max_body_len`;
//! - whole and split deliveries give the same body, trailers, end and error;
//! - with the strict configurations, the outcome agrees with [`reference`], an
//!   independent decoder written from RFC 9112 §7.1: the same complete body,
//!   trailers and end offset; and a valid, unfinished body is never refused.

use tern_proto::{Config, Connection, ErrorKind, Event, Outcome};

use super::grammar::{is_tchar, is_token, is_trimmed_value, is_value_byte};
use super::{CutPlan, Limits, OwnedFields, Source, config, is_lenient, limits, show, within};

/// The head every body is sent behind.
pub const HEAD: &[u8] =
    b"POST /upload HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n";

/// Runs the check.
pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let plan = CutPlan::read(&mut source);
    let body = source.rest();
    let config = config(plan.config);
    let limits = limits(plan.config);
    let mut input = HEAD.to_vec();
    input.extend_from_slice(body);
    let cuts: Vec<usize> = plan
        .cuts(body.len())
        .into_iter()
        .map(|c| c + HEAD.len())
        .collect();

    let whole = decode(&config, &limits, &input, &[]);
    let split = decode(&config, &limits, &input, &cuts);
    assert_eq!(
        whole,
        split,
        "whole and split at {cuts:?} differ on {}",
        show(body)
    );

    if !is_lenient(plan.config) {
        assert!(whole.leniencies.is_empty(), "leniency in strict mode");
        let expected = reference(body, &limits);
        match (&expected, &whole) {
            (
                Reference::Complete {
                    end,
                    body,
                    trailers,
                },
                Decoded {
                    end: Some(got_end),
                    body: got_body,
                    trailers: got_trailers,
                    ..
                },
            ) => {
                assert_eq!(got_end, end, "end of the body");
                assert_eq!(got_body, body, "decoded body");
                assert_eq!(got_trailers, trailers, "trailers");
            }
            (Reference::Complete { .. }, _) => {
                panic!("a valid body was not decoded: {whole:?} on {}", show(body))
            }
            (_, Decoded { end: Some(_), .. }) => {
                panic!("an invalid body was decoded ({expected:?}): {}", show(body))
            }
            (Reference::Prefix, Decoded { error: Some(e), .. }) => {
                panic!(
                    "a valid unfinished body was refused with {e:?}: {}",
                    show(body)
                )
            }
            _ => {}
        }
    }
}

/// What the connection made of the body.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    body: Vec<u8>,
    trailers: OwnedFields,
    /// Where the body ended, counted from its first byte.
    end: Option<usize>,
    /// The error, with its offset from the start of the input.
    error: Option<(ErrorKind, usize)>,
    /// The kinds of the leniencies reported with the trailers, in order
    /// (their offsets depend on how the input was cut; their number does not).
    leniencies: Vec<tern_proto::LeniencyKind>,
}

fn decode(config: &Config, limits: &Limits, input: &[u8], cuts: &[usize]) -> Decoded {
    let mut conn = Connection::new(*config);
    let mut decoded = Decoded {
        body: Vec::new(),
        trailers: Vec::new(),
        end: None,
        error: None,
        leniencies: Vec::new(),
    };
    let mut consumed = 0usize;
    let mut head_seen = false;
    let arrivals = cuts.iter().copied().chain([input.len()]);
    'arrivals: for available in arrivals {
        loop {
            let window = &input[consumed..available];
            let step = match conn.poll_event(window) {
                Ok(step) => step,
                Err(error) => {
                    assert!(error.offset() <= window.len());
                    decoded.error = Some((error.kind(), consumed + error.offset()));
                    return decoded;
                }
            };
            assert!(step.consumed <= window.len());
            consumed += step.consumed;
            match step.outcome {
                Outcome::Event(Event::Request(request)) => {
                    assert!(!head_seen);
                    assert_eq!(request.head_len(), HEAD.len());
                    assert_eq!(request.framing(), tern_proto::Framing::Chunked);
                    head_seen = true;
                }
                Outcome::Event(Event::Data(piece)) => {
                    assert!(head_seen && !piece.is_empty());
                    assert!(
                        within(piece, &window[..step.consumed]),
                        "Data outside the input"
                    );
                    decoded.body.extend_from_slice(piece);
                    let body_consumed = consumed - HEAD.len();
                    assert!(
                        decoded.body.len() <= body_consumed,
                        "decoded more than read"
                    );
                    if let Some(max) = limits.max_body_len {
                        assert!(decoded.body.len() as u64 <= max, "body over the limit");
                    }
                }
                Outcome::Event(Event::EndOfMessage(trailers)) => {
                    let fields: Vec<_> = trailers.fields().collect();
                    assert!(fields.len() <= limits.max_fields, "too many trailers");
                    // Each line is at least `name:value` and LF, the section ends in LF.
                    let size: usize = fields
                        .iter()
                        .map(|f| f.name.len() + f.value.len() + 2)
                        .sum();
                    assert!(size < limits.max_trailer_len, "trailers over the limit");
                    for field in &fields {
                        assert!(within(field.name, window) && within(field.value, window));
                        assert!(is_token(field.name));
                    }
                    decoded.trailers = fields
                        .iter()
                        .map(|f| (f.name.to_vec(), f.value.to_vec()))
                        .collect();
                    decoded.leniencies = trailers.leniencies().iter().map(|l| l.kind).collect();
                    decoded.end = Some(consumed - HEAD.len());
                    assert!(decoded.body.len() <= consumed - HEAD.len());
                    return decoded;
                }
                Outcome::NeedData => continue 'arrivals,
                _ => panic!("unexpected outcome while reading a body"),
            }
        }
    }
    decoded
}

/// What [`reference`] concludes about a body.
#[derive(Debug, PartialEq, Eq)]
pub enum Reference {
    /// A complete, valid chunked body within the limits.
    Complete {
        end: usize,
        body: Vec<u8>,
        trailers: OwnedFields,
    },
    /// A valid beginning of a body, within the limits so far.
    Prefix,
    /// Not a chunked body (RFC 9112 §7.1), strictly read.
    Invalid,
    /// Valid so far, but over one of the limits.
    OverLimit,
}

/// An independent strict decoder for `chunked-body` (RFC 9112 §7.1):
///
/// ```text
/// chunked-body = *chunk last-chunk trailer-section CRLF
/// chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// chunk-size   = 1*HEXDIG              ; at most 64 digits, value < 2^64
/// last-chunk   = 1*("0") [ chunk-ext ] CRLF
/// chunk-ext    = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
/// ext-val      = token / quoted-string
/// trailer-section = *( field-line CRLF )
/// ```
///
/// with tern-proto's limits: extension content at most `max_chunk_ext_len`
/// bytes per line, the trailer section (final CRLF included) at most
/// `max_trailer_len`, at most `max_fields` trailers, the total size at most
/// `max_body_len`.
pub fn reference(body: &[u8], limits: &Limits) -> Reference {
    let mut p = 0;
    let mut decoded = Vec::new();
    let mut total: u64 = 0;
    loop {
        // chunk-size
        let start = p;
        while p < body.len() && body[p].is_ascii_hexdigit() {
            p += 1;
        }
        let digits = &body[start..p];
        let significant = digits.iter().skip_while(|&&d| d == b'0').count();
        if digits.len() > 64 || significant > 16 {
            return Reference::Invalid;
        }
        if p == body.len() {
            return Reference::Prefix;
        }
        if digits.is_empty() {
            return Reference::Invalid;
        }
        let size = digits.iter().fold(0u64, |n, &d| {
            n << 4 | u64::from(char::from(d).to_digit(16).unwrap_or(0))
        });
        // chunk-ext, up to the line end
        let ext_start = p;
        let line_end = body[p..].iter().position(|&b| b == b'\r' || b == b'\n');
        let ext = &body[ext_start..line_end.map_or(body.len(), |e| ext_start + e)];
        if ext.len() > limits.max_chunk_ext_len.max(1) {
            return Reference::OverLimit;
        }
        let Some(ext_ok) = extensions(ext) else {
            return Reference::Invalid;
        };
        let Some(line_end) = line_end else {
            return Reference::Prefix;
        };
        if !ext_ok {
            return Reference::Invalid;
        }
        p = ext_start + line_end;
        match (body[p], body.get(p + 1)) {
            (b'\r', Some(b'\n')) => p += 2,
            (b'\r', None) => return Reference::Prefix,
            _ => return Reference::Invalid,
        }
        let Some(new_total) = total.checked_add(size) else {
            return Reference::OverLimit;
        };
        total = new_total;
        if limits.max_body_len.is_some_and(|max| total > max) {
            return Reference::OverLimit;
        }
        if size == 0 {
            break;
        }
        // chunk-data CRLF
        let Some(data_end) = usize::try_from(size).ok().and_then(|s| p.checked_add(s)) else {
            return Reference::Prefix;
        };
        if data_end > body.len() {
            return Reference::Prefix;
        }
        decoded.extend_from_slice(&body[p..data_end]);
        p = data_end;
        match (body.get(p), body.get(p + 1)) {
            (Some(b'\r'), Some(b'\n')) => p += 2,
            (None, _) | (Some(b'\r'), None) => return Reference::Prefix,
            _ => return Reference::Invalid,
        }
    }
    match trailer_section(&body[p..], limits) {
        Ok((len, trailers)) => Reference::Complete {
            end: p + len,
            body: decoded,
            trailers,
        },
        Err(outcome) => outcome,
    }
}

/// Matches `chunk-ext`. `Some(true)`: valid; `Some(false)`: a valid beginning
/// that cannot end here; `None`: invalid.
fn extensions(ext: &[u8]) -> Option<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Start,
        NeedSemicolon,
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Token,
        Quoted,
        Escaped,
        AfterQuoted,
    }
    let ws = |b: u8| b == b' ' || b == b'\t';
    let qdtext = |b: u8| {
        b == b'\t'
            || b == b' '
            || b == 0x21
            || ((0x23..=0x7e).contains(&b) && b != b'\\')
            || b >= 0x80
    };
    let mut s = S::Start;
    for &b in ext {
        s = match (s, b) {
            (
                S::Start | S::NeedSemicolon | S::Name | S::AfterName | S::Token | S::AfterQuoted,
                b';',
            ) => S::BeforeName,
            (S::Start | S::NeedSemicolon | S::Token | S::AfterQuoted, b) if ws(b) => {
                S::NeedSemicolon
            }
            (S::BeforeName, b) if ws(b) => S::BeforeName,
            (S::BeforeName | S::Name, b) if is_tchar(b) => S::Name,
            (S::Name | S::AfterName, b) if ws(b) => S::AfterName,
            (S::Name | S::AfterName, b'=') => S::BeforeValue,
            (S::BeforeValue, b) if ws(b) => S::BeforeValue,
            (S::BeforeValue, b'"') => S::Quoted,
            (S::BeforeValue | S::Token, b) if is_tchar(b) => S::Token,
            (S::Quoted, b'"') => S::AfterQuoted,
            (S::Quoted, b'\\') => S::Escaped,
            (S::Quoted, b) if qdtext(b) => S::Quoted,
            (S::Escaped, b)
                if b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80 =>
            {
                S::Quoted
            }
            _ => return None,
        };
    }
    Some(matches!(s, S::Start | S::Name | S::Token | S::AfterQuoted))
}

/// Reads `trailer-section CRLF`: its length and fields, or why not.
fn trailer_section(bytes: &[u8], limits: &Limits) -> Result<(usize, OwnedFields), Reference> {
    let mut p = 0;
    let mut fields = Vec::new();
    let over = |len: usize| len > limits.max_trailer_len;
    // An unfinished section is refused as soon as more bytes of it are there
    // than the limit allows.
    let unfinished = || {
        if over(bytes.len()) {
            Reference::OverLimit
        } else {
            Reference::Prefix
        }
    };
    loop {
        // Each check sees only the bytes the limit allows.
        match bytes.get(p) {
            None => {
                return Err(unfinished());
            }
            Some(b'\r') => {
                return match bytes.get(p + 1) {
                    Some(b'\n') if !over(p + 2) => Ok((p + 2, fields)),
                    Some(b'\n') => Err(Reference::OverLimit),
                    None => Err(unfinished()),
                    Some(_) => Err(Reference::Invalid),
                };
            }
            Some(b'\n' | b' ' | b'\t') => return Err(Reference::Invalid),
            Some(_) => {}
        }
        if fields.len() >= limits.max_fields {
            return Err(Reference::OverLimit);
        }
        let name_start = p;
        while p < bytes.len() && is_tchar(bytes[p]) {
            p += 1;
        }
        match bytes.get(p) {
            None => {
                return Err(unfinished());
            }
            Some(b':') if p > name_start => {}
            Some(_) => return Err(Reference::Invalid),
        }
        let name = bytes[name_start..p].to_vec();
        p += 1;
        while p < bytes.len() && (bytes[p] == b' ' || bytes[p] == b'\t') {
            p += 1;
        }
        let value_start = p;
        while p < bytes.len() && is_value_byte(bytes[p]) {
            p += 1;
        }
        let mut value = &bytes[value_start..p];
        while let [rest @ .., b' ' | b'\t'] = value {
            value = rest;
        }
        match (bytes.get(p), bytes.get(p + 1)) {
            (Some(b'\r'), Some(b'\n')) => p += 2,
            (None, _) | (Some(b'\r'), None) => {
                return Err(unfinished());
            }
            _ => return Err(Reference::Invalid),
        }
        debug_assert!(is_trimmed_value(value));
        fields.push((name, value.to_vec()));
    }
}
