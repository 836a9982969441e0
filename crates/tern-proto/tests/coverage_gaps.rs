//! Behaviour that no other suite reached, found by `scripts/coverage`: each
//! test asserts what the code does, not only that it runs. Lines that no input
//! can reach are listed, with the reason, in `spec/COVERAGE.md`.

use tern_proto::transcript;
use tern_proto::{Config, Connection, ErrorKind, Event, Framing, Outcome, State};

/// Every error kind, with its driver name, status hint and message.
const KINDS: &[(ErrorKind, &str, u16, &str)] = &[
    (
        ErrorKind::InvalidMethod,
        "invalid_method",
        400,
        "invalid method",
    ),
    (
        ErrorKind::InvalidRequestLine,
        "invalid_request_line",
        400,
        "malformed request line",
    ),
    (
        ErrorKind::InvalidTarget,
        "invalid_target",
        400,
        "invalid request-target",
    ),
    (
        ErrorKind::TargetTooLong,
        "target_too_long",
        414,
        "request-target too long",
    ),
    (
        ErrorKind::InvalidVersion,
        "invalid_version",
        400,
        "malformed HTTP version",
    ),
    (
        ErrorKind::UnsupportedVersion,
        "unsupported_version",
        505,
        "unsupported HTTP version",
    ),
    (ErrorKind::BareCr, "bare_cr", 400, "CR not followed by LF"),
    (
        ErrorKind::BareLf,
        "bare_lf",
        400,
        "line ends in LF without CR",
    ),
    (
        ErrorKind::InvalidHeaderName,
        "invalid_header_name",
        400,
        "invalid field name",
    ),
    (
        ErrorKind::InvalidHeaderValue,
        "invalid_header_value",
        400,
        "invalid byte in field value",
    ),
    (ErrorKind::ObsFold, "obs_fold", 400, "obsolete line folding"),
    (
        ErrorKind::HeadTooLarge,
        "head_too_large",
        431,
        "request head too large",
    ),
    (
        ErrorKind::TooManyHeaders,
        "too_many_headers",
        431,
        "too many header fields",
    ),
    (ErrorKind::MissingHost, "missing_host", 400, "missing Host"),
    (
        ErrorKind::DuplicateHost,
        "duplicate_host",
        400,
        "more than one Host",
    ),
    (ErrorKind::InvalidHost, "invalid_host", 400, "invalid Host"),
    (
        ErrorKind::InvalidContentLength,
        "invalid_content_length",
        400,
        "invalid Content-Length",
    ),
    (
        ErrorKind::ConflictingContentLength,
        "conflicting_content_length",
        400,
        "conflicting Content-Length values",
    ),
    (
        ErrorKind::TransferEncodingWithContentLength,
        "transfer_encoding_with_content_length",
        400,
        "both Transfer-Encoding and Content-Length",
    ),
    (
        ErrorKind::TransferEncodingHttp10,
        "transfer_encoding_http10",
        400,
        "Transfer-Encoding in an HTTP/1.0 request",
    ),
    (
        ErrorKind::InvalidTransferEncoding,
        "invalid_transfer_encoding",
        400,
        "invalid Transfer-Encoding",
    ),
    (
        ErrorKind::UnsupportedTransferCoding,
        "unsupported_transfer_coding",
        501,
        "unsupported transfer coding",
    ),
    (
        ErrorKind::UnsupportedExpectation,
        "unsupported_expectation",
        417,
        "unsupported expectation",
    ),
    (
        ErrorKind::BodyTooLarge,
        "body_too_large",
        413,
        "request body too large",
    ),
    (
        ErrorKind::InvalidChunkSize,
        "invalid_chunk_size",
        400,
        "invalid chunk size",
    ),
    (
        ErrorKind::InvalidChunkExtension,
        "invalid_chunk_extension",
        400,
        "invalid chunk extension",
    ),
    (
        ErrorKind::ChunkExtensionTooLong,
        "chunk_extension_too_long",
        400,
        "chunk extension too long",
    ),
    (
        ErrorKind::InvalidChunkDataEnd,
        "invalid_chunk_data_end",
        400,
        "chunk data not followed by CRLF",
    ),
    (
        ErrorKind::TrailersTooLarge,
        "trailers_too_large",
        431,
        "trailer section too large",
    ),
    (
        ErrorKind::UnexpectedEof,
        "unexpected_eof",
        400,
        "connection closed in the middle of a request",
    ),
];

// spec: ERR-2
#[test]
fn every_error_kind_has_its_name_status_and_message() {
    let mut names = std::collections::HashSet::new();
    let mut messages = std::collections::HashSet::new();
    for &(kind, name, status, message) in KINDS {
        assert_eq!(kind.as_str(), name);
        assert_eq!(kind.status_hint(), status, "{name}");
        assert_eq!(kind.to_string(), message, "{name}");
        assert!(names.insert(name), "{name} twice");
        assert!(messages.insert(message), "{message:?} twice");
    }
}

#[test]
fn an_error_displays_its_kind_and_offset() {
    let error = Connection::new(Config::default())
        .poll_event(b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConflictingContentLength);
    assert_eq!(
        error.to_string(),
        "conflicting Content-Length values at byte 65"
    );
}

// spec: TARGET-3, TARGET-8
#[test]
fn connect_with_an_unclosed_ip_literal_is_an_invalid_target() {
    let input = b"CONNECT [::1:443 HTTP/1.1\r\nHost: h\r\n\r\n";
    let error = Connection::new(Config::default())
        .poll_event(input)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidTarget);
    // Reported at the start of the target, when the SP after it arrives.
    assert_eq!(error.offset(), 8);
    // The same target with its bracket closed is an authority.
    let t = transcript::run(
        &Config::default(),
        b"CONNECT [::1]:443 HTTP/1.1\r\nHost: h\r\n\r\n",
        &[],
    );
    assert_eq!(t.error, None);
    assert_eq!(t.messages[0].target, b"[::1]:443");
}

#[test]
fn a_closed_connection_stays_closed() {
    let mut conn = Connection::new(Config::default());
    conn.handle_eof();
    let step = conn.poll_event(b"").unwrap();
    assert!(matches!(
        step.outcome,
        Outcome::Event(Event::ConnectionClosed)
    ));
    assert_eq!(conn.state(), State::Closed);
    // Once closed, bytes are never read again.
    for _ in 0..2 {
        let step = conn
            .poll_event(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            .unwrap();
        assert_eq!(step.consumed, 0);
        assert!(matches!(
            step.outcome,
            Outcome::Event(Event::ConnectionClosed)
        ));
        assert_eq!(conn.state(), State::Closed);
    }
    // The response side has nothing to finish and no next cycle.
    assert_eq!(conn.finish_response(true).unwrap_err().state, State::Closed);
    assert_eq!(conn.start_next_cycle().unwrap_err().state, State::Closed);
}

#[test]
fn a_state_error_names_the_state() {
    let mut conn = Connection::new(Config::default());
    let error = conn.start_next_cycle().unwrap_err();
    assert_eq!(error.state, State::Idle);
    assert_eq!(
        error.to_string(),
        "call not allowed in connection state Idle"
    );
    // Refused calls change nothing.
    assert_eq!(conn.state(), State::Idle);
}

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
                break;
            }
            rest = &rest[consumed..];
        }
    }
}

// spec: RESULT-4
#[test]
fn cuts_out_of_order_are_skipped_and_change_nothing() {
    let input = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let whole = transcript::run(&Config::default(), input, &[]);
    assert_eq!(whole.messages.len(), 2);
    for cuts in [&[60, 10][..], &[70, 69, 5], &[1000, 3]] {
        assert_eq!(transcript::run(&Config::default(), input, cuts), whole);
    }
    assert_eq!(whole.messages[0].framing, Framing::Length(3));
}
