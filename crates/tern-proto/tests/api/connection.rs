//! Scenario tests of the connection: limits with small configurations,
//! leniencies, end of file, the response side of the state machine.

use tern_proto::transcript;
use tern_proto::{
    Config, Connection, ErrorKind, Event, Framing, Intent, LeniencyKind, Method, Outcome, State,
    Version,
};

use crate::support::{lenient, run};

fn error_of(config: &Config, input: &[u8]) -> Option<ErrorKind> {
    run(config, input).error.map(|e| e.kind())
}

fn request_with_target(len: usize) -> Vec<u8> {
    let mut input = b"GET /".to_vec();
    input.resize(4 + len, b'a');
    input.extend_from_slice(b" HTTP/1.1\r\nHost: h\r\n\r\n");
    input
}

// spec: LIMIT-1, ERR-2
#[test]
fn target_limit_is_exact() {
    let config = Config::default().max_target_len(16);
    assert_eq!(error_of(&config, &request_with_target(16)), None);
    assert_eq!(
        error_of(&config, &request_with_target(17)),
        Some(ErrorKind::TargetTooLong)
    );
    assert_eq!(ErrorKind::TargetTooLong.status_hint(), 414);
    // The default: 8 KiB.
    let config = Config::default();
    assert_eq!(error_of(&config, &request_with_target(8192)), None);
    assert_eq!(
        error_of(&config, &request_with_target(8193)),
        Some(ErrorKind::TargetTooLong)
    );
}

// spec: LIMIT-2, MSG-2
#[test]
fn head_limit_is_exact() {
    let head = b"GET / HTTP/1.1\r\nHost: h\r\nX: 1234\r\n\r\n";
    let mut config = Config::default().max_head_len(head.len());
    assert_eq!(error_of(&config, head), None);
    config = config.max_head_len(head.len() - 1);
    assert_eq!(error_of(&config, head), Some(ErrorKind::HeadTooLarge));
    // An incomplete head at the limit waits; one byte more fails.
    let partial = &head[..head.len() - 1];
    let t = transcript::run(&config, partial, &[]);
    assert!(t.incomplete && t.error.is_none());
    // Leading empty lines are bounded by the same limit.
    let config = Config::default().max_head_len(64);
    assert_eq!(
        error_of(&config, &b"\r\n".repeat(40)),
        Some(ErrorKind::HeadTooLarge)
    );
    assert_eq!(error_of(&config, &b"\r\n".repeat(32)), None);
}

// spec: LIMIT-3, ERR-2
#[test]
fn field_count_limit_is_exact() {
    let build = |n: usize| {
        let mut input = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
        for i in 1..n {
            input.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        input.extend_from_slice(b"\r\n");
        input
    };
    let config = Config::default();
    assert_eq!(error_of(&config, &build(100)), None);
    assert_eq!(
        error_of(&config, &build(101)),
        Some(ErrorKind::TooManyHeaders)
    );
    assert_eq!(ErrorKind::TooManyHeaders.status_hint(), 431);
}

// spec: LIMIT-4, LIMIT-5
#[test]
fn chunk_and_trailer_limits() {
    let config = Config::default().max_chunk_ext_len(8).max_trailer_len(16);
    let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    let with = |rest: &str| format!("{head}{rest}").into_bytes();
    // Eight bytes of extensions, from the byte after the size to the CR.
    assert_eq!(
        error_of(&config, &with("1;abcdefg\r\nx\r\n0\r\n\r\n")),
        None
    );
    assert_eq!(
        error_of(&config, &with("1;abcdefgh\r\nx\r\n0\r\n\r\n")),
        Some(ErrorKind::ChunkExtensionTooLong)
    );
    assert_eq!(error_of(&config, &with("0\r\nA: 123456789\r\n\r\n")), None);
    assert_eq!(
        error_of(&config, &with("0\r\nA: 1234567890\r\n\r\n")),
        Some(ErrorKind::TrailersTooLarge)
    );
}

// spec: LIMIT-5
#[test]
fn the_trailer_limit_always_admits_the_empty_section() {
    // The empty trailer section is its CRLF: a smaller limit is taken as 2,
    // so a body without trailers stays readable and any field is too large.
    let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    let with = |rest: &str| format!("{head}{rest}").into_bytes();
    for limit in [0, 1, 2] {
        let config = Config::default().max_trailer_len(limit);
        assert_eq!(
            error_of(&config, &with("1\r\nx\r\n0\r\n\r\n")),
            None,
            "{limit}"
        );
        assert_eq!(
            error_of(&config, &with("0\r\nA: 1\r\n\r\n")),
            Some(ErrorKind::TrailersTooLarge),
            "{limit}"
        );
    }
}

// spec: LIMIT-6, ERR-2
#[test]
fn body_limit_applies_to_declared_and_decoded_lengths() {
    let config = Config::default().max_body_len(Some(4));
    let cl = |n: usize| {
        format!(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {n}\r\n\r\n{}",
            "x".repeat(n)
        )
    };
    assert_eq!(error_of(&config, cl(4).as_bytes()), None);
    assert_eq!(
        error_of(&config, cl(5).as_bytes()),
        Some(ErrorKind::BodyTooLarge)
    );
    let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\
                   2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n";
    assert_eq!(
        error_of(&config, chunked.as_bytes()),
        Some(ErrorKind::BodyTooLarge)
    );
    assert_eq!(ErrorKind::BodyTooLarge.status_hint(), 413);
}

// spec: SMUGGLE-4, MSG-4
#[test]
fn leniencies_are_off_by_default_and_recorded_when_on() {
    let input = b"GET / HTTP/1.1\nHost: h\nX: a\n b\r\nY: c\rd\r\nZ: \0\r\n\r\n";
    assert_eq!(error_of(&Config::default(), input), Some(ErrorKind::BareLf));
    let mut conn = Connection::new(lenient());
    let step = conn.poll_event(input).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!("expected a request");
    };
    let kinds: Vec<LeniencyKind> = request.leniencies().iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LeniencyKind::BareLf,
            LeniencyKind::BareLf,
            LeniencyKind::BareLf,
            LeniencyKind::ObsFold,
            LeniencyKind::BareCrInValue,
            LeniencyKind::NulInValue,
        ]
    );
    let x = request.header(b"x").unwrap();
    assert_eq!(x, b"a\n b");
    for leniency in request.leniencies() {
        let byte = input[leniency.offset];
        match leniency.kind {
            LeniencyKind::BareLf => assert_eq!(byte, b'\n'),
            LeniencyKind::ObsFold => assert_eq!(byte, b' '),
            LeniencyKind::BareCrInValue => assert_eq!(byte, b'\r'),
            LeniencyKind::NulInValue => assert_eq!(byte, 0),
            _ => unreachable!(),
        }
    }
}

// spec: PIPE-1, CONN-2, CONN-4
#[test]
fn a_whole_cycle_with_pipelining() {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    let mut conn = Connection::new(Config::default());
    let mut buf: &[u8] = input;

    let step = conn.poll_event(buf).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!()
    };
    assert_eq!(
        (request.method(), request.target()),
        (Method::Get, &b"/a"[..])
    );
    assert_eq!(request.version(), Version::Http11);
    assert!(request.keep_alive());
    buf = &buf[step.consumed..];
    let step = conn.poll_event(buf).unwrap();
    assert!(matches!(
        step.outcome,
        Outcome::Event(Event::EndOfMessage(_))
    ));
    assert_eq!(conn.state(), State::SendResponse);
    // Pipelined bytes wait until the response is done.
    let step = conn.poll_event(buf).unwrap();
    assert!(matches!(step.outcome, Outcome::Paused) && step.consumed == 0);
    conn.finish_response(Intent::KeepAlive).unwrap();
    assert_eq!(conn.state(), State::Done);
    assert!(matches!(
        conn.poll_event(buf).unwrap().outcome,
        Outcome::Paused
    ));
    conn.start_next_cycle().unwrap();

    let step = conn.poll_event(buf).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!()
    };
    assert_eq!(request.method(), Method::Head);
    assert!(!request.keep_alive());
    buf = &buf[step.consumed..];
    assert!(buf.is_empty());
    let _ = conn.poll_event(buf).unwrap();
    conn.finish_response(Intent::KeepAlive).unwrap();
    assert_eq!(conn.state(), State::MustClose);
    assert!(conn.start_next_cycle().is_err());
    conn.handle_eof();
    assert!(matches!(
        conn.poll_event(buf).unwrap().outcome,
        Outcome::Paused
    ));
}

// spec: EXPECT-1, FRAME-2
#[test]
fn an_early_response_to_an_unread_body_closes() {
    let mut conn = Connection::new(Config::default());
    let input = b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n";
    let step = conn.poll_event(input).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!()
    };
    assert!(request.expects_continue());
    assert_eq!(request.framing(), Framing::Length(100));
    assert!(conn.expects_continue());
    assert_eq!(conn.state(), State::RecvBody);
    conn.finish_response(Intent::KeepAlive).unwrap();
    assert_eq!(conn.state(), State::MustClose);
}

#[test]
fn the_server_can_close_a_persistent_connection() {
    let mut conn = Connection::new(Config::default());
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let step = conn.poll_event(input).unwrap();
    let consumed = step.consumed;
    let _ = conn.poll_event(&input[consumed..]).unwrap();
    conn.finish_response(Intent::Close).unwrap();
    assert_eq!(conn.state(), State::MustClose);
}

// spec: RESULT-2, FRAME-13
#[test]
fn end_of_file_between_requests_is_clean_and_inside_one_is_an_error() {
    let mut conn = Connection::new(Config::default());
    conn.handle_eof();
    assert!(matches!(
        conn.poll_event(b"\r\n").unwrap().outcome,
        Outcome::Event(Event::ConnectionClosed)
    ));
    assert_eq!(conn.state(), State::Closed);

    let mut conn = Connection::new(Config::default());
    assert!(matches!(
        conn.poll_event(b"GET / HT").unwrap().outcome,
        Outcome::NeedData
    ));
    conn.handle_eof();
    assert_eq!(
        conn.poll_event(b"GET / HT").unwrap_err().kind(),
        ErrorKind::UnexpectedEof
    );

    let mut conn = Connection::new(Config::default());
    let input = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab";
    let step = conn.poll_event(input).unwrap();
    let rest = &input[step.consumed..];
    let step = conn.poll_event(rest).unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Data(b"ab"))));
    let rest = &rest[step.consumed..];
    conn.handle_eof();
    assert_eq!(
        conn.poll_event(rest).unwrap_err().kind(),
        ErrorKind::UnexpectedEof
    );
}

// spec: ERR-1, ERR-2, REQ-LINE-6
#[test]
fn errors_are_terminal() {
    let mut conn = Connection::new(Config::default());
    let error = conn.poll_event(b"GET / HTTP/2.0\r\n").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnsupportedVersion);
    assert_eq!(error.status_hint(), 505);
    assert_eq!(conn.state(), State::Error);
    assert_eq!(
        conn.poll_event(b"GET / HTTP/1.1\r\n\r\n").unwrap_err(),
        error
    );
    assert!(conn.finish_response(Intent::KeepAlive).is_err());
    assert!(conn.start_next_cycle().is_err());
}

// spec: ERR-3, FIELD-2, FIELD-5, TARGET-5, MSG-3
#[test]
fn error_offsets_point_at_the_offending_byte() {
    let cases: [(&[u8], usize); 4] = [
        (b"GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n", 28),
        (b"GET /a<b HTTP/1.1\r\n", 6),
        (b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n", 23),
        (b"GET / HTTP/1.1\rX", 14),
    ];
    for (input, offset) in cases {
        let error = Connection::new(Config::default())
            .poll_event(input)
            .unwrap_err();
        assert_eq!(
            error.offset(),
            offset,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

// spec: CONN-2, CONN-3, CONN-4, CONN-6, EXPECT-3, FIELD-11
#[test]
fn http10_persistence_and_expect() {
    let run = |input: &[u8]| transcript::run(&Config::default(), input, &[]);
    let t = run(b"GET / HTTP/1.0\r\n\r\nGET /ignored HTTP/1.0\r\n\r\n");
    assert_eq!(t.messages.len(), 1);
    assert!(!t.messages[0].keep_alive);
    let t = run(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nExpect: 100-continue\r\n\r\nGET /2 HTTP/1.0\r\n\r\n");
    assert_eq!(t.messages.len(), 2);
    assert!(t.messages[0].keep_alive && !t.messages[0].expects_continue);
    let t = run(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, CLOSE\r\n\r\n");
    assert!(!t.messages[0].keep_alive);
    let t = run(b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    assert!(t.messages[0].upgrade);
}

#[test]
fn body_leniencies_are_reported_once_however_the_trailers_arrive() {
    let head = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    let body = b"1\r\nx\r\n0\r\nA: 1\nB: 2\r\n\r\n";
    let config = Config::default().allow_bare_lf(true);
    for cut in 1..body.len() {
        let mut conn = Connection::new(config);
        let step = conn.poll_event(head).unwrap();
        assert_eq!(step.consumed, head.len());
        let mut start = 0;
        let mut found = None;
        'arrivals: for available in [cut, body.len()] {
            loop {
                let step = conn.poll_event(&body[start..available]).unwrap();
                start += step.consumed;
                match step.outcome {
                    Outcome::Event(Event::EndOfMessage(trailers)) => {
                        let kinds: Vec<_> = trailers.leniencies().iter().map(|l| l.kind).collect();
                        let names: Vec<_> = trailers.fields().map(|f| f.name.to_vec()).collect();
                        found = Some((kinds, names));
                        break 'arrivals;
                    }
                    Outcome::NeedData => continue 'arrivals,
                    _ => {}
                }
            }
        }
        let (kinds, names) = found.expect("the message ends");
        assert_eq!(kinds, [LeniencyKind::BareLf], "cut at {cut}");
        assert_eq!(names, [b"A".to_vec(), b"B".to_vec()], "cut at {cut}");
    }
}

#[test]
fn a_reset_connection_behaves_like_a_new_one() {
    let inputs: [&[u8]; 4] = [
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        b"GET / HTTP/2.0\r\n",
        b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
        b"GET / HT",
    ];
    for first in inputs {
        for second in inputs {
            let mut reused = Connection::new(Config::default());
            let _ = reused.poll_event(first);
            reused.handle_eof();
            let _ = reused.poll_event(first);
            reused.reset();
            assert_eq!(reused.state(), State::Idle);
            let mut fresh = Connection::new(Config::default());
            let a = format!(
                "{:?}",
                reused
                    .poll_event(second)
                    .map(|s| (s.consumed, format!("{:?}", s.outcome)))
            );
            let b = format!(
                "{:?}",
                fresh
                    .poll_event(second)
                    .map(|s| (s.consumed, format!("{:?}", s.outcome)))
            );
            assert_eq!(a, b);
        }
    }
}

// Found by coverage (`scripts/coverage`; these tests were
// tests/coverage_gaps.rs): behaviour no other test reached. Lines no input
// can reach are listed in spec/reports/COVERAGE.md.

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
    assert_eq!(
        conn.finish_response(Intent::KeepAlive).unwrap_err().state,
        State::Closed
    );
    assert_eq!(conn.start_next_cycle().unwrap_err().state, State::Closed);
}

// A body-less request's end is answered from one state before the rest of a
// poll (the end asked for right after the head); these reach it from the
// others: the response head already sent, or the stream already ended.
#[test]
fn a_body_less_request_ends_after_an_early_response_or_end_of_file() {
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let request_then = |conn: &mut Connection| {
        let step = conn.poll_event(input).unwrap();
        assert!(matches!(step.outcome, Outcome::Event(Event::Request(_))));
        assert_eq!(step.consumed, input.len());
    };
    let ends = |conn: &mut Connection| {
        let step = conn.poll_event(b"").unwrap();
        assert!(matches!(
            step.outcome,
            Outcome::Event(Event::EndOfMessage(_))
        ));
    };

    let mut conn = Connection::new(Config::default());
    request_then(&mut conn);
    let mut head = conn.response(200, Intent::KeepAlive);
    head.date = Some(b"Sun, 06 Nov 1994 08:49:37 GMT");
    let mut out = [0u8; 256];
    let composed = conn.send_head(&head, &mut out).unwrap();
    assert!(out[..composed.len].starts_with(b"HTTP/1.1 200 "));
    assert_eq!(conn.state(), State::SendBody);
    ends(&mut conn);
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::Done);

    let mut conn = Connection::new(Config::default());
    request_then(&mut conn);
    conn.handle_eof();
    ends(&mut conn);
    assert_eq!(conn.state(), State::SendResponse);
}
