//! The chunked body: chunk sizes, extensions and the line ends around chunk
//! data, the body limit on decoded bytes, and the trailer section.

use tern_proto::{Config, Connection, ErrorKind, Event, Framing, LeniencyKind, Outcome};

use crate::support::{CHUNKED_HEAD, chunked, error_at, run};

/// The body and the leniencies of a single chunked request, read through a
/// connection in one piece.
fn body_and_leniencies(config: &Config, input: &[u8]) -> (Vec<u8>, Vec<LeniencyKind>) {
    let mut conn = Connection::new(*config);
    let mut rest = input;
    let mut body = Vec::new();
    let mut kinds = Vec::new();
    loop {
        let step = conn.poll_event(rest).expect("a valid request");
        let consumed = step.consumed;
        match step.outcome {
            Outcome::Event(Event::Request(request)) => {
                kinds.extend(request.leniencies().iter().map(|l| l.kind));
            }
            Outcome::Event(Event::Data(data)) => body.extend_from_slice(data),
            Outcome::Event(Event::EndOfMessage(trailers)) => {
                kinds.extend(trailers.leniencies().iter().map(|l| l.kind));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
        rest = &rest[consumed..];
    }
    (body, kinds)
}

// Found by mutation testing (`scripts/mutants`; these tests were
// tests/mutants.rs): each asserts the exact behaviour a surviving mutant
// changed. Mutants that cannot change behaviour are listed in
// spec/reports/MUTANTS.md.

// spec: CHUNK-2, CHUNK-3
#[test]
fn a_chunk_size_of_64_digits_with_leading_zeros_is_accepted() {
    let size = format!("{}5", "0".repeat(63));
    assert_eq!(size.len(), 64);
    let t = run(
        &Config::default(),
        &chunked(&format!("{size}\r\nhello\r\n0\r\n\r\n")),
    );
    assert_eq!(t.error, None);
    assert_eq!(t.messages[0].body, b"hello");
    // Sixteen significant digits are the most a size can have.
    let t = run(&Config::default(), &chunked("0ffffffffffffffff\r\n"));
    assert_eq!(t.error, None);
    assert!(t.incomplete);
    let input = chunked("10000000000000000\r\n");
    assert_eq!(
        error_at(&Config::default(), &input),
        Some((ErrorKind::InvalidChunkSize, CHUNKED_HEAD.len() + 16))
    );
}

// spec: CHUNK-2, MSG-4
#[test]
fn a_chunk_size_line_ended_by_a_bare_lf_is_read_when_allowed() {
    let config = Config::default().allow_bare_lf(true);
    let input = chunked("5\nhello\r\n3;x\nabc\r\n0\r\n\r\n");
    let (body, kinds) = body_and_leniencies(&config, &input);
    assert_eq!(body, b"helloabc");
    assert_eq!(kinds, [LeniencyKind::BareLf, LeniencyKind::BareLf]);
    let t = run(&config, &input);
    assert_eq!(t.messages[0].body, b"helloabc");
    assert_eq!(t.messages[0].framing, Framing::Chunked);
    assert_eq!(t.unconsumed, 0);
    // Strict, the same bytes are a bare LF at the end of the first size line.
    assert_eq!(
        error_at(&Config::default(), &input),
        Some((ErrorKind::BareLf, CHUNKED_HEAD.len() + 1))
    );
}

// spec: MSG-3, ERR-3
#[test]
fn a_bare_cr_in_a_chunk_size_line_is_reported_at_the_cr() {
    let start = CHUNKED_HEAD.len();
    for (body, offset) in [
        ("5\rX", start + 1),
        ("5;a\rX", start + 3),
        ("5 ;a=b\r\r\n", start + 6),
    ] {
        assert_eq!(
            error_at(&Config::default(), &chunked(body)),
            Some((ErrorKind::BareCr, offset)),
            "{body:?}"
        );
    }
}

// spec: CHUNK-6, MSG-4
#[test]
fn chunk_data_ended_by_a_bare_lf_is_read_when_allowed() {
    let config = Config::default().allow_bare_lf(true);
    let input = chunked("5\r\nhello\n3\r\nabc\n0\r\n\r\n");
    let (body, kinds) = body_and_leniencies(&config, &input);
    assert_eq!(body, b"helloabc");
    assert_eq!(kinds, [LeniencyKind::BareLf, LeniencyKind::BareLf]);
    assert_eq!(run(&config, &input).messages[0].body, b"helloabc");
    // Strict, LF alone after chunk data is not the CRLF the data needs.
    assert_eq!(
        error_at(&Config::default(), &input),
        Some((ErrorKind::InvalidChunkDataEnd, CHUNKED_HEAD.len() + 8))
    );
}

// spec: LIMIT-6
#[test]
fn a_chunked_body_exactly_at_the_body_limit_is_accepted() {
    let config = Config::default().max_body_len(Some(8));
    let t = run(&config, &chunked("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"));
    assert_eq!(t.error, None);
    assert_eq!(t.messages[0].body, b"helloabc");
    // One byte more is refused at the end of the size line that exceeds it.
    let input = chunked("5\r\nhello\r\n4\r\nabcd\r\n0\r\n\r\n");
    assert_eq!(
        error_at(&config, &input),
        Some((ErrorKind::BodyTooLarge, CHUNKED_HEAD.len() + 11))
    );
}

// spec: CHUNK-5
#[test]
fn quoted_pairs_in_chunk_extensions() {
    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) (RFC 9110 §5.6.4).
    for ext in [
        ";a=\"\\\"q\"",
        ";a=\"x\\ y\"",
        ";a=\"x\\\ty\"",
        ";a=\"x\\\\\";b",
        ";a=\"\\\"\\\"\"",
    ] {
        let t = run(
            &Config::default(),
            &chunked(&format!("1{ext}\r\nx\r\n0\r\n\r\n")),
        );
        assert_eq!(t.error, None, "{ext:?}");
        assert_eq!(t.messages[0].body, b"x", "{ext:?}");
    }
    let mut input = chunked("1;a=\"x\\");
    input.extend_from_slice(b"\x80\"\r\nx\r\n0\r\n\r\n");
    assert_eq!(run(&Config::default(), &input).error, None);
    // A backslash before a control byte, or at the end, is no quoted-pair.
    for ext in [";a=\"x\\\x01\"", ";a=\"x\\\""] {
        let input = chunked(&format!("1{ext}\r\nx\r\n0\r\n\r\n"));
        assert_eq!(
            error_at(&Config::default(), &input),
            Some((ErrorKind::InvalidChunkExtension, CHUNKED_HEAD.len() + 1)),
            "{ext:?}"
        );
    }
}

// Found by coverage (`scripts/coverage`; these tests were
// tests/coverage_gaps.rs): behaviour no other test reached. Lines no input
// can reach are listed in spec/reports/COVERAGE.md.

// spec: CHUNK-8
#[test]
fn trailers_are_empty_unless_a_chunked_body_has_some() {
    let cases: [(&[u8], bool); 3] = [
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\n\r\n",
            false,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            true,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx",
            true,
        ),
    ];
    for (input, empty) in cases {
        let mut conn = Connection::new(Config::default());
        let mut rest: &[u8] = input;
        loop {
            let step = conn.poll_event(rest).unwrap();
            let consumed = step.consumed;
            if let Outcome::Event(Event::EndOfMessage(trailers)) = step.outcome {
                assert_eq!(trailers.is_empty(), empty);
                assert_eq!(trailers.fields().len(), usize::from(!empty));
                let a = if empty { None } else { Some(&b"1"[..]) };
                assert_eq!(trailers.field(b"a"), a, "case-insensitive");
                assert_eq!(trailers.to_owned_trailers().field(b"A"), a);
                assert_eq!(trailers.field(b"b"), None);
                break;
            }
            rest = &rest[consumed..];
        }
    }
}
