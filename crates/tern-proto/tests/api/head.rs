//! The request head: the request line and its target, the field lines and
//! their line ends, and the framing fields (Transfer-Encoding), each refusal
//! reported with its kind at the offending byte.

use tern_proto::transcript;
use tern_proto::{Config, Connection, ErrorKind, Event, LeniencyKind, Outcome};

use crate::support::{chunked, error_at, run};

// Found by mutation testing (`scripts/mutants`; these tests were
// tests/mutants.rs): each asserts the exact behaviour a surviving mutant
// changed. Mutants that cannot change behaviour are listed in
// spec/reports/MUTANTS.md.

// spec: FRAME-9, FRAME-12
#[test]
fn an_unsupported_coding_is_refused_whatever_its_parameters() {
    // Parameters of a coding tern does not decode never change the answer:
    // before a final chunked, 501 whatever they are; alone, 400 since chunked
    // is not final (FRAME-10, FRAME-12).
    for coding in [
        "gzip;a=b",
        "gzip;a=\"\\q\"",
        "gzip;a=\"\\\"\"",
        "gzip;a=\"\"",
        "gzip;a=\"x\\",
        "gzip; a = b ;c=\"d\\\te\"",
        "gzip;=b",
        "gzip;a",
        "gzip;a=\"b",
        "gzip;a=b c",
        "gzip ;a=\"\\~\"",
        "x;q=\"\u{80}\", chunked",
    ] {
        // The error (kind, status, offset) and the head's length.
        let refuse = |list: &str| {
            let input = format!("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: {list}\r\n\r\n");
            let error = Connection::new(Config::default())
                .poll_event(input.as_bytes())
                .expect_err(coding);
            (
                (error.kind(), error.status_hint(), error.offset()),
                input.len(),
            )
        };
        if coding.ends_with("chunked") {
            let (got, end) = refuse(coding);
            assert_eq!(
                got,
                (ErrorKind::UnsupportedTransferCoding, 501, end),
                "{coding:?}"
            );
            continue;
        }
        let (got, end) = refuse(&format!("{coding}, chunked"));
        assert_eq!(
            got,
            (ErrorKind::UnsupportedTransferCoding, 501, end),
            "{coding:?}"
        );
        let (got, end) = refuse(coding);
        assert_eq!(
            got,
            (ErrorKind::InvalidTransferEncoding, 400, end),
            "{coding:?}"
        );
    }
}

// spec: MSG-4, LIMIT-3, ERR-3
#[test]
fn a_section_ended_by_a_bare_lf() {
    let head = b"GET / HTTP/1.1\r\nHost: h\r\n\n";
    // Strict: a bare LF, even when the field limit is reached (the empty
    // line is not one more field).
    let config = Config::default().max_fields(1);
    assert_eq!(
        error_at(&config, head),
        Some((ErrorKind::BareLf, head.len() - 1))
    );
    assert_eq!(
        error_at(&Config::default(), head),
        Some((ErrorKind::BareLf, head.len() - 1))
    );
    // Allowed: the LF ends the head, and the trailer section too.
    let mut config = Config::default().allow_bare_lf(true).max_fields(1);
    let t = run(&config, head);
    assert_eq!(t.error, None);
    assert_eq!(t.messages.len(), 1);
    assert_eq!(t.unconsumed, 0);
    let input = chunked("0\r\nA: 1\r\n\n");
    config = config.max_fields(2);
    let t = run(&config, &input);
    assert_eq!(t.error, None);
    assert_eq!(t.messages[0].trailers, [(b"A".to_vec(), b"1".to_vec())]);
    assert_eq!(t.unconsumed, 0);
}

// spec: MSG-3, MSG-5, FIELD-3, ERR-3
#[test]
fn line_ending_errors_in_field_lines_point_at_the_byte() {
    let head = "GET / HTTP/1.1\r\nHost: h\r\n";
    let at = head.len();
    let cases: [(&str, ErrorKind, usize); 7] = [
        // A CR in a value, not followed by LF.
        ("X: a\rb\r\n\r\n", ErrorKind::BareCr, at + 4),
        ("X: a\r\r\n\r\n", ErrorKind::BareCr, at + 4),
        // A CR where the empty line may start, not followed by LF.
        ("\rX", ErrorKind::BareCr, at),
        // A name ended by CRLF: a line without a colon.
        ("Foo\r\n\r\n", ErrorKind::InvalidHeaderName, at + 3),
        // A name ended by CR and something else: a bare CR.
        ("Foo\rX", ErrorKind::BareCr, at + 3),
        ("Foo\nX: y\r\n\r\n", ErrorKind::BareLf, at + 3),
        ("Foo bar: y\r\n\r\n", ErrorKind::InvalidHeaderName, at + 3),
    ];
    for (rest, kind, offset) in cases {
        let input = format!("{head}{rest}");
        assert_eq!(
            error_at(&Config::default(), input.as_bytes()),
            Some((kind, offset)),
            "{rest:?}"
        );
    }
    // With LF alone allowed, a name ended by LF is still a line without a colon.
    let config = Config::default().allow_bare_lf(true);
    let input = format!("{head}Foo\n\r\n");
    assert_eq!(
        error_at(&config, input.as_bytes()),
        Some((ErrorKind::InvalidHeaderName, at + 3))
    );
}

// spec: REQ-LINE-1, REQ-LINE-5, ERR-3
#[test]
fn request_lines_the_fast_path_must_leave_to_the_scanner() {
    // A request line that starts with SP has no method.
    for input in [
        &b" / HTTP/1.1\r\nHost: h\r\n\r\n"[..],
        b" GET / HTTP/1.1\r\n",
    ] {
        assert_eq!(
            error_at(&Config::default(), input),
            Some((ErrorKind::InvalidRequestLine, 0))
        );
    }
    // An empty target between two SPs.
    assert_eq!(
        error_at(&Config::default(), b"GET  HTTP/1.1\r\nHost: h\r\n\r\n"),
        Some((ErrorKind::InvalidRequestLine, 4))
    );
    // Bytes after the version, and a CRLF further on: the version is still
    // wrong at its ninth byte, whatever follows.
    let mut input = b"GET / HTTP/1.1ab".to_vec();
    input.resize(58, b'X');
    input.extend_from_slice(b"\r\nHost: h\r\n\r\n");
    assert_eq!(
        error_at(&Config::default(), &input),
        Some((ErrorKind::InvalidVersion, 14))
    );
}

// spec: MSG-2, MSG-3, MSG-4
#[test]
fn empty_lines_before_a_request() {
    let request = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    // A CR there must be followed by LF; the error points at the CR.
    for (prefix, offset) in [("\r", 0), ("\r\n\r", 2), ("\r\n\r\n\r", 4)] {
        let input = format!("{prefix}{request}");
        assert_eq!(
            error_at(&Config::default(), input.as_bytes()),
            Some((ErrorKind::BareCr, offset)),
            "{prefix:?}"
        );
    }
    // LF alone: refused, or skipped and recorded when allowed.
    let input = format!("\n\r\n{request}");
    assert_eq!(
        error_at(&Config::default(), input.as_bytes()),
        Some((ErrorKind::BareLf, 0))
    );
    let config = Config::default().allow_bare_lf(true);
    let t = run(&config, input.as_bytes());
    assert_eq!(t.error, None);
    assert_eq!(t.messages.len(), 1);
    let mut conn = Connection::new(config);
    let step = conn.poll_event(input.as_bytes()).unwrap();
    assert_eq!(step.consumed, input.len());
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!("a request");
    };
    let leniencies: Vec<_> = request
        .leniencies()
        .iter()
        .map(|l| (l.kind, l.offset))
        .collect();
    assert_eq!(leniencies, [(LeniencyKind::BareLf, 0)]);
}

// spec: REQ-LINE-2, MSG-3, MSG-5, ERR-3
#[test]
fn a_request_line_cut_short_by_a_cr_is_reported_at_the_cr() {
    let cases: [(&[u8], ErrorKind, usize); 6] = [
        (b"GET\r\n", ErrorKind::InvalidRequestLine, 3),
        (b"GET /\r\n", ErrorKind::InvalidRequestLine, 5),
        (b"GET / \r\n", ErrorKind::InvalidRequestLine, 6),
        (b"GET / HT\r\n", ErrorKind::InvalidVersion, 8),
        (b"GET /\rX", ErrorKind::BareCr, 5),
        (b"GET / HTTP\rX", ErrorKind::BareCr, 10),
    ];
    for (input, kind, offset) in cases {
        assert_eq!(
            error_at(&Config::default(), input),
            Some((kind, offset)),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

// spec: TARGET-2, TARGET-8
#[test]
fn an_http_or_https_target_needs_a_host_and_other_schemes_do_not() {
    // RFC 9110 §4.2.1, §4.2.2: an http(s) URI with an empty host is invalid.
    for target in [
        "http:///x",
        "https:///",
        "http://:80/x",
        "HTTPS://:443",
        "http://?q",
    ] {
        let input = format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!(
            error_at(&Config::default(), input.as_bytes()),
            Some((ErrorKind::InvalidTarget, 4)),
            "{target}"
        );
    }
    // Other schemes may have an empty authority; IP literals are hosts.
    for target in [
        "file:///etc/hosts",
        "foo://:1/x",
        "http://h:80/x",
        "http://[::1]/x",
        "http://[::1]:8080",
        "https://h:/",
    ] {
        let input = format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        let t = run(&Config::default(), input.as_bytes());
        assert_eq!(t.error, None, "{target}");
        assert_eq!(t.messages[0].target, target.as_bytes());
    }
}

// Found by coverage (`scripts/coverage`; these tests were
// tests/coverage_gaps.rs): behaviour no other test reached. Lines no input
// can reach are listed in spec/reports/COVERAGE.md.

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

/// The path and the query of a request, read through a connection, from its
/// head and from its owned copy.
fn path_and_query(input: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut conn = Connection::new(Config::default());
    let step = conn.poll_event(input).expect("a valid request");
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!("a request head");
    };
    let owned = request.to_owned_request();
    assert_eq!(owned.as_request().path(), request.path());
    assert_eq!(owned.as_request().query(), request.query());
    (request.path().to_vec(), request.query().map(<[u8]>::to_vec))
}

// spec: TARGET-9
#[test]
fn the_path_and_query_of_every_target_form() {
    let cases: [(&str, &str, Option<&str>); 12] = [
        // origin-form
        ("GET /index.html HTTP/1.1", "/index.html", None),
        (
            "GET /search?q=tern&page=2 HTTP/1.1",
            "/search",
            Some("q=tern&page=2"),
        ),
        ("GET /a%3Fb?c?d HTTP/1.1", "/a%3Fb", Some("c?d")),
        ("GET /? HTTP/1.1", "/", Some("")),
        // absolute-form
        ("GET http://example.com/a/b?x HTTP/1.1", "/a/b", Some("x")),
        ("GET http://example.com HTTP/1.1", "/", None),
        (
            "GET https://example.com:8443?x=1 HTTP/1.1",
            "/",
            Some("x=1"),
        ),
        ("GET http://[::1]:8080/p/ HTTP/1.1", "/p/", None),
        (
            "GET http://user-info-free.example/?a/b HTTP/1.1",
            "/",
            Some("a/b"),
        ),
        // asterisk-form, authority-form: no path and no query
        ("OPTIONS * HTTP/1.1", "", None),
        ("CONNECT example.com:443 HTTP/1.1", "", None),
        ("CONNECT [::1]:443 HTTP/1.1", "", None),
    ];
    for (line, path, query) in cases {
        let input = format!("{line}\r\nHost: example.com\r\n\r\n");
        assert_eq!(
            path_and_query(input.as_bytes()),
            (
                path.as_bytes().to_vec(),
                query.map(|q| q.as_bytes().to_vec())
            ),
            "{line}"
        );
    }
}
