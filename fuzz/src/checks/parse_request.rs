//! `parse_request`: arbitrary bytes through a server connection, driven the
//! way a server drives it (answer every request, keep the connection open while
//! both sides want it, end of file when the bytes run out).
//!
//! Properties, checked at every step:
//!
//! - no panic, and no view (method, target, version, field, body piece) that
//!   lies outside the bytes passed in, or a body piece outside the consumed part;
//! - `consumed <= input.len()`, and every call either consumes, changes state
//!   or produces an event (no busy loop);
//! - a request head is well-formed (token method, target bytes, `HTTP/1.d`,
//!   token names, trimmed values; with the strict configuration no CR, LF or
//!   NUL in a value and no leniency recorded) and respects the limits;
//! - the framing, persistence and Expect decisions follow from the fields
//!   (one Host for HTTP/1.1, never Transfer-Encoding with Content-Length, a
//!   Content-Length body is exactly as long as declared, ...);
//! - errors are terminal: the same error on every later call, whatever the
//!   input, and the response-side calls are refused; the status hint is one of
//!   the documented ones;
//! - after end of file, the connection closes cleanly only between requests,
//!   with nothing but empty lines left over;
//! - the messages agree with `tern_proto::transcript::run` on the same bytes.
//!
//! Each input runs under the strict default configuration and under every
//! leniency with tight limits.

use tern_proto::transcript::{self, Message};
use tern_proto::{
    Config, Connection, Error, ErrorKind, Event, Framing, Intent, Method, Outcome, State,
};

use super::grammar::{self, has_token, is_token, is_trimmed_value};
use super::{Limits, OwnedFields, config, is_lenient, limits, show, within};

/// Runs the check.
pub fn check(data: &[u8]) {
    for index in [0, 3] {
        drive(data, index);
    }
}

/// How the connection run ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// A protocol error, with its offset from the start of `data`.
    Error(ErrorKind, usize),
    /// Clean close at end of file between requests.
    Closed,
    /// The response closed the connection.
    MustClose,
}

/// The owned gist of one step (the step borrows the connection).
enum Seen {
    Request(Message),
    Data(usize),
    End(OwnedFields),
    NeedData,
    Closed,
    Paused,
}

fn drive(data: &[u8], index: u8) {
    let config = config(index);
    let strict = !is_lenient(index);
    let limits = limits(index);
    let mut conn = Connection::new(config);
    let mut pos = 0usize;
    let mut eof = false;
    let mut messages: Vec<Message> = Vec::new();
    let mut current: Option<Message> = None;
    let mut body_consumed = 0usize;
    // Every byte is consumed at most once, and each request produces a
    // bounded number of events without consuming anything.
    let mut budget = 8 * data.len() + 64;
    let end = loop {
        budget = budget
            .checked_sub(1)
            .unwrap_or_else(|| panic!("no progress on {}", show(data)));
        let input = &data[pos..];
        let state = conn.state();
        let (consumed, seen) = match conn.poll_event(input) {
            Err(error) => {
                check_error(&mut conn, input, error, eof);
                break End::Error(error.kind(), pos + error.offset());
            }
            Ok(step) => {
                assert!(step.consumed <= input.len(), "consumed past the input");
                let consumed = step.consumed;
                let seen = match step.outcome {
                    Outcome::Event(Event::Request(request)) => {
                        assert_eq!(state, State::Idle, "a head outside Idle");
                        assert_eq!(request.head_len(), consumed, "head length");
                        check_request(&request, input, strict, &limits);
                        Seen::Request(Message::from_head(&request))
                    }
                    Outcome::Event(Event::Data(piece)) => {
                        assert!(!piece.is_empty(), "empty Data event");
                        assert!(
                            within(piece, &input[..consumed]),
                            "Data outside the consumed input"
                        );
                        let message = current.as_mut().expect("Data without a request");
                        message.body.extend_from_slice(piece);
                        Seen::Data(consumed)
                    }
                    Outcome::Event(Event::EndOfMessage(trailers)) => {
                        let fields: Vec<_> = trailers.fields().collect();
                        assert!(fields.len() <= limits.max_fields, "too many trailers");
                        if strict {
                            assert!(trailers.leniencies().is_empty(), "leniency in strict mode");
                        }
                        for field in &fields {
                            assert!(within(field.name, input) && within(field.value, input));
                            assert!(is_token(field.name), "trailer name");
                            if strict {
                                assert!(is_trimmed_value(field.value), "trailer value");
                            }
                        }
                        Seen::End(transcript::owned_fields(fields.into_iter()))
                    }
                    Outcome::Event(Event::ConnectionClosed) => Seen::Closed,
                    Outcome::NeedData => Seen::NeedData,
                    Outcome::Paused => Seen::Paused,
                    _ => panic!("an outcome this check does not know: update it"),
                };
                (consumed, seen)
            }
        };
        pos += consumed;
        match seen {
            Seen::Request(message) => {
                let expects_body = matches!(message.framing, Framing::Chunked)
                    || matches!(message.framing, Framing::Length(n) if n > 0);
                let expected = if expects_body {
                    State::RecvBody
                } else {
                    State::SendResponse
                };
                assert_eq!(conn.state(), expected);
                assert_eq!(conn.keep_alive(), message.keep_alive);
                assert_eq!(conn.expects_continue(), message.expects_continue);
                assert!(!conn.head_started());
                body_consumed = 0;
                current = Some(message);
            }
            Seen::Data(consumed) => {
                body_consumed += consumed;
                let message = current.as_ref().expect("checked above");
                // Decoding never makes bytes up.
                assert!(
                    message.body.len() <= body_consumed,
                    "decoded more than read"
                );
                if let Framing::Length(n) = message.framing {
                    assert!(message.body.len() as u64 <= n, "body longer than declared");
                    assert_eq!(message.body.len(), body_consumed);
                }
                if let Some(max) = limits.max_body_len {
                    assert!(message.body.len() as u64 <= max, "body over the limit");
                }
                assert_eq!(conn.state(), State::RecvBody);
            }
            Seen::End(trailers) => {
                let mut message = current.take().expect("EndOfMessage without a request");
                match message.framing {
                    Framing::Length(n) => assert_eq!(message.body.len() as u64, n),
                    Framing::Chunked => {}
                    _ => assert!(message.body.is_empty()),
                }
                if !matches!(message.framing, Framing::Chunked) {
                    assert!(trailers.is_empty(), "trailers without chunked");
                }
                message.trailers = trailers;
                let keep_alive = message.keep_alive;
                messages.push(message);
                assert_eq!(conn.state(), State::SendResponse);
                conn.finish_response(Intent::KeepAlive)
                    .expect("response complete");
                if !keep_alive {
                    assert_eq!(conn.state(), State::MustClose);
                    let again = conn.poll_event(&data[pos..]).expect("no error after close");
                    assert_eq!(again.consumed, 0);
                    assert!(matches!(again.outcome, Outcome::Paused));
                    assert!(conn.start_next_cycle().is_err());
                    break End::MustClose;
                }
                assert_eq!(conn.state(), State::Done);
                conn.start_next_cycle().expect("next cycle");
                assert_eq!(conn.state(), State::Idle);
            }
            Seen::NeedData => {
                assert!(!eof, "NeedData after end of file");
                if conn.state() == State::RecvBody {
                    body_consumed += consumed;
                } else {
                    assert_eq!(consumed, 0, "a partial head is never consumed");
                }
                conn.handle_eof();
                eof = true;
            }
            Seen::Closed => {
                assert!(eof, "closed without end of file");
                assert_eq!(conn.state(), State::Closed);
                assert!(current.is_none());
                // Only empty lines can be left: a request line had started otherwise.
                let rest = &data[pos..];
                let empty_lines = if strict {
                    // CRLF pairs, perhaps with the CR of one more.
                    let whole = rest.strip_suffix(b"\r").filter(|r| r.len() % 2 == 0);
                    whole.unwrap_or(rest).chunks(2).all(|line| line == b"\r\n")
                } else {
                    rest.iter().all(|&b| b == b'\r' || b == b'\n')
                };
                assert!(empty_lines, "closed with a request pending: {}", show(rest));
                break End::Closed;
            }
            Seen::Paused => panic!("paused although every response was finished"),
        }
    };
    compare_with_transcript(data, &config, &messages, &end);
}

/// After an error: the state, the hint, and that the error sticks.
fn check_error(conn: &mut Connection, input: &[u8], error: Error, eof: bool) {
    assert!(error.offset() <= input.len(), "error offset past the input");
    assert_eq!(error.status_hint(), error.kind().status_hint());
    assert!(
        [400, 413, 414, 417, 431, 501, 505].contains(&error.status_hint()),
        "status hint {}",
        error.status_hint()
    );
    assert!(!error.to_string().is_empty());
    assert!(!error.kind().as_str().is_empty());
    if error.kind() == ErrorKind::UnexpectedEof {
        assert!(eof, "unexpected eof before end of file");
    }
    assert_eq!(conn.state(), State::Error);
    for other in [input, &[][..], b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"] {
        assert_eq!(
            conn.poll_event(other).err(),
            Some(error),
            "error not terminal"
        );
    }
    conn.handle_eof();
    assert_eq!(conn.poll_event(input).err(), Some(error));
    assert!(conn.finish_response(Intent::KeepAlive).is_err());
    assert!(conn.start_next_cycle().is_err());
    assert_eq!(conn.state(), State::Error);
}

/// The head's views, grammar, limits and decisions.
fn check_request(request: &tern_proto::Request<'_>, input: &[u8], strict: bool, limits: &Limits) {
    let head = &input[..request.head_len()];
    let method = request.method_bytes();
    let target = request.target();
    let version = request.version_bytes();
    for part in [method, target, version] {
        assert!(within(part, head), "request line outside the head");
    }
    assert!(is_token(method), "method {}", show(method));
    let expected_method = match method {
        b"GET" => Method::Get,
        b"HEAD" => Method::Head,
        b"POST" => Method::Post,
        b"PUT" => Method::Put,
        b"DELETE" => Method::Delete,
        b"CONNECT" => Method::Connect,
        b"OPTIONS" => Method::Options,
        b"TRACE" => Method::Trace,
        b"PATCH" => Method::Patch,
        _ => Method::Extension,
    };
    assert_eq!(request.method(), expected_method);
    assert!(
        target.len() <= limits.max_target_len,
        "target over the limit"
    );
    assert!(
        grammar::target_ok(method, target),
        "accepted target {} for {}",
        show(target),
        show(method)
    );
    assert_eq!(
        (request.path(), request.query()),
        grammar::path_and_query(method, target),
        "path and query of {}",
        show(target)
    );
    for part in [request.path()].into_iter().chain(request.query()) {
        // Slices of the target, or the `/` of an empty path after an
        // authority, or empty.
        assert!(
            part.is_empty() || part == b"/" || within(part, target),
            "path or query outside the target"
        );
    }
    assert!(
        version.len() == 8 && version.starts_with(b"HTTP/1.") && version[7].is_ascii_digit(),
        "version {}",
        show(version)
    );
    let http11 = version[7] != b'0';
    assert_eq!(request.version() == tern_proto::Version::Http11, http11);
    // The head is bounded; leading empty lines by the same number again.
    assert!(
        request.head_len() <= 2 * limits.max_head_len,
        "head over the limit"
    );

    let fields: Vec<_> = request.headers().collect();
    assert_eq!(fields.len(), request.headers().len());
    assert!(fields.len() <= limits.max_fields, "too many fields");
    for field in &fields {
        assert!(within(field.name, head) && within(field.value, head));
        assert!(is_token(field.name), "field name {}", show(field.name));
        if strict {
            assert!(
                is_trimmed_value(field.value),
                "field value {}",
                show(field.value)
            );
        } else {
            assert!(
                !field
                    .value
                    .first()
                    .is_some_and(|&b| b == b' ' || b == b'\t')
            );
        }
    }
    for field in &fields {
        let first = fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(field.name))
            .map(|f| f.value);
        assert_eq!(request.header(field.name), first);
    }
    check_leniencies(request, head, strict);

    let named = |name: &[u8]| -> Vec<&[u8]> {
        fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value)
            .collect()
    };
    let hosts = named(b"host").len();
    assert!(hosts <= 1, "several Host fields accepted");
    if http11 {
        assert_eq!(hosts, 1, "HTTP/1.1 without Host accepted");
    }
    for host in named(b"host") {
        assert!(grammar::host_port_ok(host), "Host {}", show(host));
    }
    let te = !named(b"transfer-encoding").is_empty();
    let cl = named(b"content-length");
    assert!(
        !te || cl.is_empty(),
        "Transfer-Encoding with Content-Length accepted"
    );
    match request.framing() {
        Framing::Chunked => {
            assert!(
                te && http11,
                "chunked without Transfer-Encoding: chunked in 1.1"
            );
            let codings = named(b"transfer-encoding");
            let last = codings.iter().flat_map(|v| grammar::list_members(v)).last();
            assert!(last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked")));
        }
        Framing::Length(n) => {
            assert!(!cl.is_empty() && !te);
            for line in &cl {
                for member in line.split(|&b| b == b',') {
                    let member = member.trim_ascii();
                    assert!(!member.is_empty() && member.iter().all(u8::is_ascii_digit));
                    let value = std::str::from_utf8(member)
                        .ok()
                        .and_then(|s| s.parse().ok());
                    assert_eq!(value, Some(n), "Content-Length {}", show(line));
                }
            }
            if let Some(max) = limits.max_body_len {
                assert!(n <= max, "declared body over the limit");
            }
        }
        Framing::NoBody => assert!(!te && cl.is_empty(), "framing fields ignored"),
        _ => panic!("a framing this check does not know: update it"),
    }
    let connection = |token: &[u8]| named(b"connection").iter().any(|v| has_token(v, token));
    let close = connection(b"close");
    let expected_keep_alive = !close && (http11 || connection(b"keep-alive"));
    assert_eq!(request.keep_alive(), expected_keep_alive, "persistence");
    let expect_fields = named(b"expect");
    let expect: Vec<&[u8]> = expect_fields
        .iter()
        .flat_map(|v| grammar::list_members(v))
        .collect();
    if http11 {
        assert!(
            expect
                .iter()
                .all(|m| m.eq_ignore_ascii_case(b"100-continue")),
            "unsupported expectation accepted"
        );
        assert_eq!(request.expects_continue(), !expect.is_empty());
    } else {
        assert!(!request.expects_continue());
    }
    let upgrade = http11 && !named(b"upgrade").is_empty() && connection(b"upgrade");
    assert_eq!(request.upgrade(), upgrade, "upgrade");
}

/// Leniencies: none in strict mode; otherwise each points at what it names.
fn check_leniencies(request: &tern_proto::Request<'_>, head: &[u8], strict: bool) {
    if strict {
        assert!(request.leniencies().is_empty(), "leniency in strict mode");
        return;
    }
    for leniency in request.leniencies() {
        let at = leniency.offset;
        assert!(at < head.len(), "leniency offset past the head");
        let byte = head[at];
        match leniency.kind {
            tern_proto::LeniencyKind::BareLf => {
                assert!(
                    byte == b'\n' && (at == 0 || head[at - 1] != b'\r'),
                    "bare LF at {at}"
                );
            }
            tern_proto::LeniencyKind::BareCrInValue => {
                assert!(
                    byte == b'\r' && head.get(at + 1) != Some(&b'\n'),
                    "bare CR at {at}"
                );
            }
            tern_proto::LeniencyKind::NulInValue => assert_eq!(byte, 0, "NUL at {at}"),
            tern_proto::LeniencyKind::ObsFold => {
                // The fold: its line break, or the whitespace that starts the
                // continuation line.
                assert!(
                    matches!(byte, b'\r' | b'\n' | b' ' | b'\t'),
                    "obs-fold at {at}: {}",
                    show(&[byte])
                );
            }
            _ => {}
        }
    }
}

/// The same bytes through the reference loop (which sends no end of file).
fn compare_with_transcript(data: &[u8], config: &Config, messages: &[Message], end: &End) {
    let reference = transcript::run(config, data, &[]);
    match end {
        End::Error(kind, offset) if *kind != ErrorKind::UnexpectedEof => {
            assert_eq!(
                reference.messages, messages,
                "messages differ from the transcript"
            );
            let theirs = reference.error.expect("the transcript saw no error");
            assert_eq!(
                (theirs.kind(), theirs.offset()),
                (*kind, *offset),
                "error differs"
            );
        }
        End::Error(..) => {
            // Cut short by end of file: the transcript waits for more instead.
            assert_eq!(reference.messages, messages);
            assert!(reference.error.is_none() && reference.incomplete);
        }
        End::Closed | End::MustClose => {
            assert_eq!(reference.messages, messages);
            assert!(reference.error.is_none() && !reference.incomplete);
        }
    }
}
