//! Integration tests of the response composer and the chunked encoder,
//! against independently written expectations and `httparse`.

use proptest::prelude::*;
use proptest::sample::select;
use tern_proto::compose::{
    Body, CHUNK_END, ChunkHeader, ComposeError, Composed, FieldLines, LAST_CHUNK, PreparedHead,
    ResponseHead, chunk_len, encode_chunk, encode_last_chunk, last_chunk_len, reason_phrase,
    status_line,
};
use tern_proto::date::RenderedDate;
use tern_proto::{Field, Framing, Version};

/// The IANA HTTP Status Code Registry's assigned codes, typed in from the
/// registry (RFC 9110 names), independently of the composer's table. `306` and
/// `418` ("(Unused)") and the temporary `104` are deliberately absent.
const REGISTRY: &str = "\
100 Continue
101 Switching Protocols
102 Processing
103 Early Hints
200 OK
201 Created
202 Accepted
203 Non-Authoritative Information
204 No Content
205 Reset Content
206 Partial Content
207 Multi-Status
208 Already Reported
226 IM Used
300 Multiple Choices
301 Moved Permanently
302 Found
303 See Other
304 Not Modified
305 Use Proxy
307 Temporary Redirect
308 Permanent Redirect
400 Bad Request
401 Unauthorized
402 Payment Required
403 Forbidden
404 Not Found
405 Method Not Allowed
406 Not Acceptable
407 Proxy Authentication Required
408 Request Timeout
409 Conflict
410 Gone
411 Length Required
412 Precondition Failed
413 Content Too Large
414 URI Too Long
415 Unsupported Media Type
416 Range Not Satisfiable
417 Expectation Failed
421 Misdirected Request
422 Unprocessable Content
423 Locked
424 Failed Dependency
425 Too Early
426 Upgrade Required
428 Precondition Required
429 Too Many Requests
431 Request Header Fields Too Large
451 Unavailable For Legal Reasons
500 Internal Server Error
501 Not Implemented
502 Bad Gateway
503 Service Unavailable
504 Gateway Timeout
505 HTTP Version Not Supported
506 Variant Also Negotiates
507 Insufficient Storage
508 Loop Detected
510 Not Extended
511 Network Authentication Required
";

fn registry() -> Vec<(u16, &'static str)> {
    REGISTRY
        .lines()
        .map(|line| {
            let (code, reason) = line.split_once(' ').unwrap();
            (code.parse().unwrap(), reason)
        })
        .collect()
}

const DATE: &[u8; 29] = b"Sun, 06 Nov 1994 08:49:37 GMT";

fn version_text(version: Version) -> &'static str {
    match version {
        Version::Http10 => "HTTP/1.0",
        Version::Http11 => "HTTP/1.1",
        _ => unreachable!(),
    }
}

/// Composes into a buffer of exactly `encoded_len` bytes.
fn compose_exact(head: &ResponseHead<'_>) -> Result<(Vec<u8>, Composed), ComposeError> {
    let len = head.encoded_len()?;
    let mut out = vec![0u8; len];
    let composed = head.compose(&mut out)?;
    assert_eq!(composed.len, len, "encoded_len and compose disagree");
    Ok((out, composed))
}

#[test]
fn registry_has_61_assigned_codes() {
    assert_eq!(registry().len(), 61);
}

#[test]
fn every_registered_status_line() {
    for (code, reason) in registry() {
        assert_eq!(reason_phrase(code), Some(reason));
        for version in [Version::Http10, Version::Http11] {
            let expected = format!("{} {code} {reason}\r\n", version_text(version));
            assert_eq!(status_line(version, code), Some(expected.as_bytes()));
            if version == Version::Http10 && code < 200 {
                continue;
            }
            let (out, _) = compose_exact(&ResponseHead::new(code, version)).unwrap();
            assert!(
                out.starts_with(expected.as_bytes()),
                "{}",
                String::from_utf8_lossy(&out)
            );
        }
    }
}

#[test]
fn every_other_code_renders_with_an_empty_reason() {
    let registered: Vec<u16> = registry().iter().map(|&(code, _)| code).collect();
    for code in 0..=u16::MAX {
        if registered.contains(&code) {
            continue;
        }
        assert_eq!(reason_phrase(code), None, "{code}");
        assert_eq!(status_line(Version::Http11, code), None, "{code}");
        let head = ResponseHead::new(code, Version::Http11);
        if (100..=999).contains(&code) {
            let (out, _) = compose_exact(&head).unwrap();
            let expected = format!("HTTP/1.1 {code} \r\n");
            assert!(out.starts_with(expected.as_bytes()), "{code}");
            // httparse agrees that this is a valid status line.
            let mut headers = [httparse::EMPTY_HEADER; 4];
            let mut response = httparse::Response::new(&mut headers);
            assert_eq!(
                response.parse(&out),
                Ok(httparse::Status::Complete(out.len()))
            );
            assert_eq!(response.code, Some(code));
            assert_eq!(response.reason, Some(""));
        } else {
            assert_eq!(
                head.encoded_len(),
                Err(ComposeError::InvalidStatus { status: code })
            );
            assert_eq!(
                head.compose(&mut [0u8; 64]),
                Err(ComposeError::InvalidStatus { status: code })
            );
        }
    }
}

#[test]
fn reserved_codes_are_not_in_the_table() {
    for code in [104, 306, 418] {
        assert_eq!(reason_phrase(code), None);
        let (out, _) = compose_exact(&ResponseHead::new(code, Version::Http11)).unwrap();
        assert!(out.starts_with(format!("HTTP/1.1 {code} \r\n").as_bytes()));
    }
}

#[test]
fn static_file_server_head() {
    let date = DATE;
    let fields: &[Field<'_>] = &[
        Field::new(b"Server", b"tern"),
        Field::new(b"Content-Type", b"text/css"),
        Field::new(b"ETag", b"\"5f3a-1b2c\""),
        Field::new(b"Last-Modified", b"Sat, 05 Nov 1994 08:49:37 GMT"),
        Field::new(b"Accept-Ranges", b"bytes"),
        Field::new(b"Content-Range", b"bytes 0-99/6956"),
    ];
    let mut head = ResponseHead::new(206, Version::Http11);
    head.body = Body::Length(100);
    head.date = Some(date);
    head.fields = fields;
    let (out, composed) = compose_exact(&head).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "HTTP/1.1 206 Partial Content\r\n\
         Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
         Server: tern\r\n\
         Content-Type: text/css\r\n\
         ETag: \"5f3a-1b2c\"\r\n\
         Last-Modified: Sat, 05 Nov 1994 08:49:37 GMT\r\n\
         Accept-Ranges: bytes\r\n\
         Content-Range: bytes 0-99/6956\r\n\
         Content-Length: 100\r\n\
         \r\n"
    );
    assert_eq!(composed.framing, Framing::Length(100));
    assert!(!composed.must_close);

    let fields: &[Field<'_>] = &[Field::new(b"Allow", b"GET, HEAD")];
    let mut head = ResponseHead::new(405, Version::Http10);
    head.fields = fields;
    head.keep_alive = true;
    let (out, composed) = compose_exact(&head).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "HTTP/1.0 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\
         Connection: keep-alive\r\n\r\n"
    );
    assert_eq!(composed.framing, Framing::Length(0));
}

// ---------------------------------------------------------------------------
// Strategies.

const TCHARS: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn field_content_bytes() -> Vec<u8> {
    (0u8..=255)
        .filter(|&b| b == b'\t' || b == b' ' || (0x21..=0x7E).contains(&b) || b >= 0x80)
        .collect()
}

fn is_reserved(name: &[u8], date_given: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        &lower[..],
        b"content-length" | b"transfer-encoding" | b"connection"
    ) || (date_given && lower == b"date")
}

/// A valid field name that is not one the composer reserves (nor `Upgrade`,
/// which changes the `Connection` field and is tested on its own).
fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::collection::vec(select(TCHARS), 1..24),
        1 => select(vec![
            &b"Content-Type"[..], b"ETag", b"Last-Modified", b"Server", b"Location",
            b"Allow", b"Accept-Ranges", b"Content-Range", b"Cache-Control", b"Vary",
        ])
        .prop_map(<[u8]>::to_vec),
    ]
    .prop_filter("reserved name", |name| {
        !is_reserved(name, true) && !name.eq_ignore_ascii_case(b"upgrade")
    })
}

/// A valid field value: field-content bytes, no whitespace at either end.
fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(select(field_content_bytes()), 0..48).prop_map(|mut v| {
        while v.last().is_some_and(|&b| b == b' ' || b == b'\t') {
            v.pop();
        }
        while v.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            v.remove(0);
        }
        v
    })
}

fn fields() -> impl Strategy<Value = Vec<OwnedField>> {
    proptest::collection::vec((name(), value()), 0..12)
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        2 => select(registry().iter().map(|&(code, _)| code).collect::<Vec<_>>()),
        1 => 100u16..=999,
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::None),
        Just(Body::Unknown),
        any::<u64>().prop_map(Body::Length),
        (0u64..100_000).prop_map(Body::Length),
    ]
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![Just(Version::Http10), Just(Version::Http11)]
}

/// A field as generated: owned name and value.
type OwnedField = (Vec<u8>, Vec<u8>);

#[derive(Debug, Clone)]
struct Case {
    status: u16,
    version: Version,
    body: Body,
    keep_alive: bool,
    head_request: bool,
    date: bool,
    fields: Vec<OwnedField>,
    /// How many of `fields` (from the front) go into a pre-validated
    /// `FieldLines` block instead of the per-call list.
    in_block: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        status(),
        version(),
        body(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        fields(),
        any::<proptest::sample::Index>(),
    )
        .prop_map(
            |(status, version, body, keep_alive, head_request, date, fields, split)| Case {
                in_block: split.index(fields.len() + 1),
                // 1xx cannot be sent to HTTP/1.0: tested separately.
                status: if version == Version::Http10 && status < 200 {
                    status + 100
                } else {
                    status
                },
                version,
                body,
                keep_alive,
                head_request,
                date,
                fields,
            },
        )
}

fn with_head<R>(case: &Case, f: impl FnOnce(&ResponseHead<'_>) -> R) -> R {
    let fields: Vec<Field<'_>> = case.fields.iter().map(|(n, v)| Field::new(n, v)).collect();
    let (block, fields) = fields.split_at(case.in_block);
    let mut storage = vec![0u8; 4096];
    let lines = FieldLines::compose(block, &mut storage).unwrap();
    assert_eq!(FieldLines::new(lines.as_bytes()), Ok(lines));
    let mut head = ResponseHead::new(case.status, case.version);
    head.lines = lines;
    head.body = case.body;
    head.keep_alive = case.keep_alive;
    head.head_request = case.head_request;
    head.date = case.date.then_some(DATE);
    head.fields = fields;
    f(&head)
}

/// The framing field, `Connection` value, framing and close flag that the
/// rules of RFC 9110/9112 (as decided in the module docs) call for, stated
/// independently of the composer.
fn expected_framing(
    case: &Case,
) -> (
    Option<(&'static str, String)>,
    Option<&'static str>,
    Framing,
    bool,
) {
    let informational = (100..200).contains(&case.status);
    let no_content_status = informational || case.status == 204 || case.status == 304;
    let http11 = case.version == Version::Http11;
    let (field, framing) = if no_content_status {
        (None, Framing::NoBody)
    } else {
        let length = match case.body {
            Body::None => Some(0),
            Body::Length(n) => Some(n),
            _ => None,
        };
        match (length, case.head_request) {
            (Some(n), true) => (Some(("Content-Length", n.to_string())), Framing::NoBody),
            (Some(n), false) => (Some(("Content-Length", n.to_string())), Framing::Length(n)),
            (None, true) => (None, Framing::NoBody),
            (None, false) if http11 => (
                Some(("Transfer-Encoding", "chunked".to_string())),
                Framing::Chunked,
            ),
            (None, false) => (None, Framing::CloseDelimited),
        }
    };
    let close = !informational && (!case.keep_alive || framing == Framing::CloseDelimited);
    let connection = if informational {
        None
    } else if close {
        Some("close")
    } else if !http11 {
        Some("keep-alive")
    } else {
        None
    };
    (field, connection, framing, close)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Compose, parse back with httparse, and compare everything.
    #[test]
    fn round_trip_through_httparse(case in case()) {
        let (out, composed) = with_head(&case, compose_exact).unwrap();
        let mut headers = vec![httparse::EMPTY_HEADER; case.fields.len() + 4];
        let mut response = httparse::Response::new(&mut headers);
        let parsed = response.parse(&out);
        prop_assert_eq!(parsed, Ok(httparse::Status::Complete(out.len())), "{}", String::from_utf8_lossy(&out));
        prop_assert_eq!(response.version, Some(if case.version == Version::Http11 { 1 } else { 0 }));
        prop_assert_eq!(response.code, Some(case.status));
        prop_assert_eq!(response.reason, Some(reason_phrase(case.status).unwrap_or("")));

        let (field, connection, framing, close) = expected_framing(&case);
        let mut expected: Vec<(String, Vec<u8>)> = Vec::new();
        if case.date {
            expected.push(("Date".into(), DATE.to_vec()));
        }
        for (name, value) in &case.fields {
            expected.push((String::from_utf8(name.clone()).unwrap(), value.clone()));
        }
        if let Some((name, value)) = field {
            expected.push((name.into(), value.into_bytes()));
        }
        if let Some(value) = connection {
            expected.push(("Connection".into(), value.as_bytes().to_vec()));
        }
        let got: Vec<(String, Vec<u8>)> = response
            .headers
            .iter()
            .map(|h| (h.name.to_string(), h.value.to_vec()))
            .collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(composed.framing, framing);
        prop_assert_eq!(composed.must_close, close);
    }

    /// Every buffer shorter than the head fails with the exact size and is
    /// left untouched; the exact size succeeds.
    #[test]
    fn insufficient_size_below_required(case in case()) {
        with_head(&case, |head| {
            let required = head.encoded_len().unwrap();
            let mut out = vec![0x5Au8; required];
            for size in 0..required {
                prop_assert_eq!(
                    head.compose(&mut out[..size]),
                    Err(ComposeError::InsufficientSize { required })
                );
            }
            prop_assert!(out.iter().all(|&b| b == 0x5A));
            let composed = head.compose(&mut out).unwrap();
            prop_assert_eq!(composed.len, required);
            Ok(())
        })?;
    }

    /// A CR, LF, NUL, SP, HTAB, colon or other delimiter or control injected
    /// anywhere in a name is refused, naming the field, with nothing written.
    #[test]
    fn injected_name_bytes_refused(
        case in case(),
        bad in select(b"\r\n\0 \t:;,\"()/<=>?@[\\]{}\x7f\x01\x80\xff".to_vec()),
        at in any::<proptest::sample::Index>(),
        pos in any::<proptest::sample::Index>(),
    ) {
        let mut case = case;
        case.in_block = 0; // error indices count per-call fields
        case.fields.push((b"X-Valid".to_vec(), b"v".to_vec()));
        let index = at.index(case.fields.len());
        let name = &mut case.fields[index].0;
        name.insert(pos.index(name.len() + 1), bad);
        assert_refused(&case, ComposeError::InvalidFieldName { index })?;
    }

    /// A CR, LF, NUL or other control injected anywhere in a value is
    /// refused, naming the field, with nothing written.
    #[test]
    fn injected_value_bytes_refused(
        case in case(),
        bad in select((0u8..0x20).filter(|&b| b != b'\t').chain([0x7F]).collect::<Vec<_>>()),
        at in any::<proptest::sample::Index>(),
        pos in any::<proptest::sample::Index>(),
    ) {
        let mut case = case;
        case.in_block = 0; // error indices count per-call fields
        case.fields.push((b"X-Valid".to_vec(), b"v".to_vec()));
        let index = at.index(case.fields.len());
        let value = &mut case.fields[index].1;
        value.insert(pos.index(value.len() + 1), bad);
        assert_refused(&case, ComposeError::InvalidFieldValue { index })?;
    }

    /// Leading or trailing whitespace in a value is refused.
    #[test]
    fn edge_whitespace_refused(
        case in case(),
        ws in select(b" \t".to_vec()),
        at_end in any::<bool>(),
        at in any::<proptest::sample::Index>(),
    ) {
        let mut case = case;
        case.in_block = 0; // error indices count per-call fields
        case.fields.push((b"X-Valid".to_vec(), b"v".to_vec()));
        let index = at.index(case.fields.len());
        let value = &mut case.fields[index].1;
        if at_end { value.push(ws) } else { value.insert(0, ws) }
        assert_refused(&case, ComposeError::InvalidFieldValue { index })?;
    }

    /// Framing fields from the caller are refused, in any letter case.
    #[test]
    fn reserved_names_refused(
        case in case(),
        name in select(vec!["content-length", "transfer-encoding", "connection"]),
        upper in proptest::collection::vec(any::<bool>(), 17),
        at in any::<proptest::sample::Index>(),
    ) {
        let mut case = case;
        case.in_block = 0; // error indices count per-call fields
        let name: Vec<u8> = name
            .bytes()
            .zip(&upper)
            .map(|(b, &up)| if up { b.to_ascii_uppercase() } else { b })
            .collect();
        let index = at.index(case.fields.len() + 1);
        case.fields.insert(index, (name, b"1".to_vec()));
        assert_refused(&case, ComposeError::ReservedField { index })?;
    }

    /// A CR, LF or NUL injected anywhere in a valid block of field lines is
    /// refused.
    #[test]
    fn injected_block_bytes_refused(
        fields in proptest::collection::vec((name(), value()), 1..6),
        bad in select(b"\r\n\0".to_vec()),
        pos in any::<proptest::sample::Index>(),
    ) {
        let refs: Vec<Field<'_>> = fields.iter().map(|(n, v)| Field::new(n, v)).collect();
        let mut storage = vec![0u8; 4096];
        let mut block = FieldLines::compose(&refs, &mut storage).unwrap().as_bytes().to_vec();
        block.insert(pos.index(block.len() + 1), bad);
        prop_assert!(FieldLines::new(&block).is_err(), "{:?}", String::from_utf8_lossy(&block));
    }

    /// 1xx statuses are never composed for HTTP/1.0.
    #[test]
    fn informational_for_http10_refused(case in case(), status in 100u16..200) {
        let mut case = case;
        case.in_block = 0; // error indices count per-call fields
        case.status = status;
        case.version = Version::Http10;
        assert_refused(&case, ComposeError::InformationalToHttp10 { status })?;
    }
}

/// `case` fails with `error` from both entry points, and `compose` leaves a
/// large buffer untouched.
fn assert_refused(case: &Case, error: ComposeError) -> Result<(), TestCaseError> {
    with_head(case, |head| {
        prop_assert_eq!(head.encoded_len(), Err(error));
        let mut out = vec![0x5Au8; 4096];
        prop_assert_eq!(head.compose(&mut out), Err(error));
        prop_assert!(out.iter().all(|&b| b == 0x5A));
        // With a date, preparing validates exactly what composing does.
        if case.date {
            prop_assert_eq!(head.prepare().err(), Some(error));
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Prepared heads.

/// Composes `prepared` into a buffer of exactly the reported size.
fn compose_prepared(
    prepared: &PreparedHead,
    date: &RenderedDate,
    keep_alive: bool,
) -> Result<(Vec<u8>, Composed), ComposeError> {
    let mut out = vec![0u8; prepared.encoded_len(keep_alive)];
    let composed = prepared.compose(date, keep_alive, &mut out)?;
    assert_eq!(composed.len, out.len());
    Ok((out, composed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// A prepared head writes, for any date and persistence, exactly what
    /// composing the same head from scratch writes, and reports the same
    /// framing and close flag.
    #[test]
    fn prepared_head_equals_composing(
        case in case(),
        seconds in 0..=tern_proto::date::MAX_UNIX_SECONDS,
        keep_alive in any::<bool>(),
    ) {
        let date = RenderedDate::new(seconds);
        let mut case = case;
        case.date = true;
        let prepared = with_head(&case, |head| head.prepare()).unwrap();
        let (got, got_composed) = compose_prepared(&prepared, &date, keep_alive).unwrap();
        let (expected, expected_composed) = with_head(&case, |head| {
            let mut head = *head;
            head.date = Some(date.imf_fixdate());
            head.keep_alive = keep_alive;
            compose_exact(&head)
        })
        .unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&expected));
        prop_assert_eq!(got_composed, expected_composed);
    }

    /// Every buffer shorter than the prepared head fails with the exact size
    /// and is left untouched.
    #[test]
    fn prepared_head_insufficient_size(case in case(), keep_alive in any::<bool>()) {
        let prepared = with_head(&case, |head| head.prepare()).unwrap();
        let required = prepared.encoded_len(keep_alive);
        let date = RenderedDate::new(784_111_777);
        let mut out = vec![0x5Au8; required];
        for size in 0..required {
            prop_assert_eq!(
                prepared.compose(&date, keep_alive, &mut out[..size]),
                Err(ComposeError::InsufficientSize { required })
            );
        }
        prop_assert!(out.iter().all(|&b| b == 0x5A));
    }

    /// A date with any byte outside visible ASCII and SP (or an SP at either
    /// end) is refused, and nothing is written.
    #[test]
    fn bad_dates_refused(case in case(), at in 0..29usize, byte in any::<u8>()) {
        let mut date = *DATE;
        date[at] = byte;
        let valid = (0x20..=0x7E).contains(&byte) && !(byte == b' ' && (at == 0 || at == 28));
        let mut out = vec![0x5Au8; 4096];
        let (len, composed) = with_head(&case, |head| {
            let mut head = *head;
            head.date = Some(&date);
            (head.encoded_len(), head.compose(&mut out).map(|c| c.len))
        });
        prop_assert_eq!(len, composed);
        if valid {
            prop_assert!(len.is_ok());
        } else {
            prop_assert_eq!(len, Err(ComposeError::InvalidDate));
            prop_assert!(out.iter().all(|&b| b == 0x5A));
        }
    }
}

#[test]
fn prepared_head_refuses_a_date_field() {
    let fields: &[Field<'_>] = &[Field::new(b"date", b"Sun, 06 Nov 1994 08:49:37 GMT")];
    let mut head = ResponseHead::new(200, Version::Http11);
    head.fields = fields;
    assert!(head.encoded_len().is_ok());
    assert_eq!(
        head.prepare(),
        Err(ComposeError::ReservedField { index: 0 })
    );
}

// ---------------------------------------------------------------------------
// Chunked encoder.

/// An independent de-chunker (RFC 9112 §7.1.3's decoding algorithm, minus
/// extensions, which the encoder never writes). Returns the content, the
/// trailers and the number of bytes consumed; panics on malformed input.
fn dechunk(wire: &[u8]) -> (Vec<u8>, Vec<OwnedField>, usize) {
    fn line(wire: &[u8], at: &mut usize) -> Vec<u8> {
        let rest = &wire[*at..];
        let end = rest.windows(2).position(|w| w == b"\r\n").expect("CRLF");
        *at += end + 2;
        rest[..end].to_vec()
    }
    let mut at = 0;
    let mut content = Vec::new();
    loop {
        let size_line = line(wire, &mut at);
        assert!(!size_line.is_empty());
        assert!(
            size_line.iter().all(u8::is_ascii_hexdigit),
            "size line {size_line:?}"
        );
        assert!(
            size_line == b"0" || size_line[0] != b'0',
            "leading zero in {size_line:?}"
        );
        let size = usize::from_str_radix(std::str::from_utf8(&size_line).unwrap(), 16).unwrap();
        if size == 0 {
            break;
        }
        content.extend_from_slice(&wire[at..at + size]);
        at += size;
        assert_eq!(
            &wire[at..at + 2],
            b"\r\n",
            "chunk data not followed by CRLF"
        );
        at += 2;
    }
    let mut trailers = Vec::new();
    loop {
        let field = line(wire, &mut at);
        if field.is_empty() {
            break;
        }
        let colon = field.iter().position(|&b| b == b':').unwrap();
        let value = field[colon + 1..].strip_prefix(b" ").unwrap();
        trailers.push((field[..colon].to_vec(), value.to_vec()));
    }
    (content, trailers, at)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn chunked_round_trip(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 0..12),
        trailers in proptest::collection::vec((name(), value()), 0..4),
        copying in any::<bool>(),
    ) {
        let trailer_refs: Vec<Field<'_>> =
            trailers.iter().map(|(n, v)| Field::new(n, v)).collect();
        let mut wire = Vec::new();
        for chunk in &chunks {
            if copying {
                let mut out = vec![0u8; chunk_len(chunk.len())];
                let n = encode_chunk(chunk, &mut out).unwrap();
                prop_assert_eq!(n, out.len());
                wire.extend_from_slice(&out);
            } else if let Some(header) = ChunkHeader::new(chunk.len() as u64) {
                // As a writev would send it: prefix, the caller's slice, suffix.
                prop_assert!(header.as_bytes().len() <= ChunkHeader::MAX_LEN);
                for part in [header.as_bytes(), chunk, CHUNK_END] {
                    wire.extend_from_slice(part);
                }
            } else {
                prop_assert!(chunk.is_empty());
            }
        }
        let end_len = last_chunk_len(&trailer_refs).unwrap();
        let mut end = vec![0u8; end_len];
        prop_assert_eq!(encode_last_chunk(&trailer_refs, &mut end), Ok(end_len));
        if trailers.is_empty() {
            prop_assert_eq!(&end[..], &LAST_CHUNK[..]);
        }
        wire.extend_from_slice(&end);
        wire.extend_from_slice(b"NEXT");

        let (content, got_trailers, consumed) = dechunk(&wire);
        prop_assert_eq!(content, chunks.concat());
        prop_assert_eq!(got_trailers, trailers);
        prop_assert_eq!(&wire[consumed..], b"NEXT");
    }

    #[test]
    fn chunk_header_is_minimal_hex(size in 1u64..) {
        let header = ChunkHeader::new(size).unwrap();
        let expected = format!("{size:x}\r\n");
        prop_assert_eq!(header.as_bytes(), expected.as_bytes());
    }

    #[test]
    fn last_chunk_insufficient_size(trailers in proptest::collection::vec((name(), value()), 0..4)) {
        let trailer_refs: Vec<Field<'_>> =
            trailers.iter().map(|(n, v)| Field::new(n, v)).collect();
        let required = last_chunk_len(&trailer_refs).unwrap();
        let mut out = vec![0x5Au8; required];
        for size in 0..required {
            prop_assert_eq!(
                encode_last_chunk(&trailer_refs, &mut out[..size]),
                Err(ComposeError::InsufficientSize { required })
            );
        }
        prop_assert!(out.iter().all(|&b| b == 0x5A));
        prop_assert_eq!(encode_last_chunk(&trailer_refs, &mut out), Ok(required));
    }
}

#[test]
fn zero_sized_chunk_is_never_framed() {
    assert_eq!(ChunkHeader::new(0), None);
    assert_eq!(encode_chunk(b"", &mut []), Ok(0));
}
