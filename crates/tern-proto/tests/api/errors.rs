//! What errors say: every error kind's stable name, status hint and
//! message, and how a parse error and a state error display.

use std::error::Error as _;

use tern_proto::compose::ComposeError;
use tern_proto::{Config, Connection, ErrorKind, SendError, State};

// Found by coverage (`scripts/coverage`; these tests were
// tests/coverage_gaps.rs): behaviour no other test reached. Lines no input
// can reach are listed in spec/reports/COVERAGE.md.

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

#[test]
fn a_state_error_names_the_state() {
    let mut conn = Connection::new(Config::default());
    let error = conn.start_next_cycle().unwrap_err();
    assert_eq!(error.state, State::Idle);
    assert_eq!(
        error.to_string(),
        "call not allowed in connection state Idle"
    );
    assert_eq!(error.status_hint(), 500, "the server's own error");
    // Refused calls change nothing.
    assert_eq!(conn.state(), State::Idle);
}

// Found by mutation testing (`scripts/mutants error`, 2026-12-03): no test
// read how a send error displays.
#[test]
fn every_send_error_says_what_was_refused() {
    let compose = ComposeError::InsufficientSize { required: 3 };
    let cases = [
        (SendError::NoRequest, "no request to answer"),
        (
            SendError::AlreadyResponded,
            "a final response was already sent",
        ),
        (SendError::NoHead, "body before the response head"),
        (
            SendError::ResponseComplete,
            "the response is already complete",
        ),
        (
            SendError::UnexpectedContinue,
            "100 Continue the client is not waiting for",
        ),
        (
            SendError::SwitchingProtocols,
            "101 Switching Protocols is not supported",
        ),
        (
            SendError::NotFinal,
            "an interim status where a final response is due",
        ),
        (
            SendError::BodyNotAllowed,
            "body in a response that has none",
        ),
        (
            SendError::BodyTooLong {
                promised: 5,
                sent: 7,
            },
            "body of 7 bytes exceeds Content-Length 5",
        ),
        (
            SendError::BodyTooShort {
                promised: 5,
                sent: 2,
            },
            "body ended at 2 of Content-Length 5 bytes",
        ),
        (
            SendError::TrailersNotChunked,
            "trailers for a body that is not chunked",
        ),
        (
            SendError::PreparedMismatch,
            "prepared head for another request version or method",
        ),
        (
            SendError::Compose(compose),
            "output buffer too small: 3 bytes required",
        ),
    ];
    assert_eq!(SendError::from(compose), SendError::Compose(compose));
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
        // Our own misuse, never the client's: always 500.
        assert_eq!(error.status_hint(), 500, "{message}");
        let source = error.source().map(ToString::to_string);
        let expected = matches!(error, SendError::Compose(_)).then(|| compose.to_string());
        assert_eq!(source, expected, "{message}");
    }
}
