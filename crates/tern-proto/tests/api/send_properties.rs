//! Properties of the send side over generated call sequences: every call is
//! accepted or refused exactly as a model of what the request allows and
//! what the head promised says; refused calls change nothing; and the bytes
//! of the accepted calls, read back as a client would (httparse), are
//! well-formed HTTP/1.1 responses whose bodies match what the heads promised.

use proptest::collection::vec;
use proptest::prelude::*;
use tern_proto::compose::Body;
use tern_proto::{Config, Connection, Event, Field, Framing, Intent, Outcome, SendError, State};

#[derive(Clone, Debug)]
struct Request {
    head: bool,
    http10: bool,
    connection: Option<&'static str>,
    expect: bool,
    body: Option<RequestBody>,
}

#[derive(Clone, Copy, Debug)]
enum RequestBody {
    Length(usize),
    Chunked(usize),
}

impl Request {
    fn bytes(&self) -> Vec<u8> {
        let method = match (self.head, self.body) {
            (true, _) => "HEAD",
            (false, None) => "GET",
            (false, Some(_)) => "POST",
        };
        let version = if self.http10 { "1.0" } else { "1.1" };
        let mut text = format!("{method} / HTTP/{version}\r\nHost: h\r\n");
        if let Some(option) = self.connection {
            text.push_str(&format!("Connection: {option}\r\n"));
        }
        if self.expect {
            text.push_str("Expect: 100-continue\r\n");
        }
        let mut body = String::new();
        match self.body {
            None => {}
            Some(RequestBody::Length(n)) => {
                text.push_str(&format!("Content-Length: {n}\r\n"));
                body = "b".repeat(n);
            }
            Some(RequestBody::Chunked(n)) if !self.http10 => {
                text.push_str("Transfer-Encoding: chunked\r\n");
                if n > 0 {
                    body = format!("{n:x}\r\n{}\r\n", "c".repeat(n));
                }
                body.push_str("0\r\n\r\n");
            }
            Some(RequestBody::Chunked(n)) => {
                text.push_str(&format!("Content-Length: {n}\r\n"));
                body = "b".repeat(n);
            }
        }
        text.push_str("\r\n");
        text.push_str(&body);
        text.into_bytes()
    }

    fn has_body(&self) -> bool {
        match self.body {
            None => false,
            Some(RequestBody::Length(n)) => n > 0,
            Some(RequestBody::Chunked(n)) => !self.http10 || n > 0,
        }
    }

    fn keep_alive(&self) -> bool {
        match self.connection {
            Some("close") => false,
            Some("keep-alive") => true,
            _ => !self.http10,
        }
    }
}

fn request() -> impl Strategy<Value = Request> {
    (
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(None), Just(Some("close")), Just(Some("keep-alive"))],
        any::<bool>(),
        proptest::option::of(prop_oneof![
            (0usize..20).prop_map(RequestBody::Length),
            (0usize..20).prop_map(RequestBody::Chunked),
        ]),
    )
        .prop_map(|(head, http10, connection, expect, body)| Request {
            head,
            http10,
            connection,
            expect,
            body: if head { None } else { body },
        })
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Head {
        status: u16,
        body: Body,
        keep_alive: bool,
    },
    Continue,
    Data(u64),
    End {
        trailers: bool,
    },
    ReadBody,
    /// `send_response` with a body of this many bytes.
    Whole {
        status: u16,
        len: u64,
        keep_alive: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            prop_oneof![Just(200u16), Just(204), Just(304), Just(404), Just(413), Just(103), Just(101), Just(100)],
            prop_oneof![Just(Body::None), (0u64..12).prop_map(Body::Length), Just(Body::Unknown)],
            any::<bool>(),
        )
            .prop_map(|(status, body, keep_alive)| Op::Head { status, body, keep_alive }),
        1 => Just(Op::Continue),
        4 => (0u64..8).prop_map(Op::Data),
        3 => any::<bool>().prop_map(|trailers| Op::End { trailers }),
        2 => Just(Op::ReadBody),
        2 => (
            prop_oneof![Just(200u16), Just(204), Just(304), Just(404), Just(103), Just(101)],
            0u64..6,
            any::<bool>(),
        )
            .prop_map(|(status, len, keep_alive)| Op::Whole { status, len, keep_alive }),
    ]
}

/// What the request allows and the head promised, kept independently of the
/// connection.
#[derive(Clone, Debug)]
struct Model {
    request: Request,
    body_read: bool,
    continue_sent: bool,
    /// The final head's promise, once sent.
    promise: Option<Promise>,
    persistent: bool,
    complete: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Promise {
    NoBody,
    Length { promised: u64, sent: u64 },
    Chunked,
    Close,
}

impl Model {
    fn awaits_continue(&self) -> bool {
        self.request.expect
            && !self.request.http10
            && self.request.has_body()
            && !self.body_read
            && !self.continue_sent
            && self.promise.is_none()
    }

    /// The expected outcome of `op`, applying it if accepted.
    fn apply(&mut self, op: Op) -> Result<(), SendError> {
        match op {
            Op::Head { status: 101, .. } => Err(SendError::SwitchingProtocols),
            Op::Head { status: 100, .. } | Op::Continue => {
                if self.promise.is_some() {
                    Err(SendError::AlreadyResponded)
                } else if self.awaits_continue() {
                    self.continue_sent = true;
                    Ok(())
                } else {
                    Err(SendError::UnexpectedContinue)
                }
            }
            Op::Head { status, .. } if status < 200 => {
                if self.promise.is_some() {
                    Err(SendError::AlreadyResponded)
                } else if self.request.http10 {
                    Err(SendError::Compose(
                        tern_proto::compose::ComposeError::InformationalToHttp10 { status },
                    ))
                } else {
                    Ok(())
                }
            }
            Op::Head {
                status,
                body,
                keep_alive,
            } => {
                if self.promise.is_some() {
                    return Err(SendError::AlreadyResponded);
                }
                let promise = if self.request.head || status == 204 || status == 304 {
                    Promise::NoBody
                } else {
                    match body {
                        Body::Length(n) => Promise::Length {
                            promised: n,
                            sent: 0,
                        },
                        Body::Unknown if self.request.http10 => Promise::Close,
                        Body::Unknown => Promise::Chunked,
                        _ => Promise::Length {
                            promised: 0,
                            sent: 0,
                        },
                    }
                };
                self.persistent = keep_alive
                    && self.request.keep_alive()
                    && !self.awaits_continue()
                    && promise != Promise::Close;
                self.promise = Some(promise);
                Ok(())
            }
            Op::Data(n) => {
                let promise = self.sendable()?;
                match promise {
                    Promise::NoBody if n > 0 => Err(SendError::BodyNotAllowed),
                    Promise::Length { promised, sent } if sent + n > promised => {
                        Err(SendError::BodyTooLong {
                            promised,
                            sent: sent + n,
                        })
                    }
                    Promise::Length { promised, sent } => {
                        self.promise = Some(Promise::Length {
                            promised,
                            sent: sent + n,
                        });
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            Op::End { trailers } => {
                let promise = self.sendable()?;
                match promise {
                    Promise::Length { promised, sent } if sent < promised => {
                        Err(SendError::BodyTooShort { promised, sent })
                    }
                    Promise::Chunked => {
                        self.complete = true;
                        Ok(())
                    }
                    _ if trailers => Err(SendError::TrailersNotChunked),
                    _ => {
                        self.complete = true;
                        Ok(())
                    }
                }
            }
            Op::ReadBody => Ok(()),
            Op::Whole { status, .. } if status < 200 => Err(SendError::NotFinal),
            Op::Whole {
                status,
                len,
                keep_alive,
            } => {
                // The head, then the body unless it has none, then its end:
                // after an accepted head neither can be refused.
                self.apply(Op::Head {
                    status,
                    body: Body::Length(len),
                    keep_alive,
                })?;
                if self.promise != Some(Promise::NoBody) {
                    self.apply(Op::Data(len)).expect("the promised length");
                }
                self.apply(Op::End { trailers: false })
                    .expect("after the promised length");
                Ok(())
            }
        }
    }

    fn sendable(&self) -> Result<Promise, SendError> {
        match self.promise {
            None => Err(SendError::NoHead),
            Some(_) if self.complete => Err(SendError::ResponseComplete),
            Some(promise) => Ok(promise),
        }
    }

    fn state(&self) -> State {
        if self.complete && !self.persistent {
            State::MustClose
        } else if !self.body_read {
            if self.complete {
                State::DiscardBody
            } else {
                State::RecvBody
            }
        } else if self.complete {
            State::Done
        } else if self.promise.is_some() {
            State::SendBody
        } else {
            State::SendResponse
        }
    }
}

/// Polls until the request ends (or the connection pauses); returns the new
/// offset and whether the end was reached.
fn read(conn: &mut Connection, input: &[u8], mut at: usize) -> (usize, bool) {
    loop {
        let step = conn.poll_event(&input[at..]).expect("valid request");
        at += step.consumed;
        match step.outcome {
            Outcome::Event(Event::EndOfMessage(_)) => return (at, true),
            Outcome::Event(_) => {}
            _ => return (at, false),
        }
    }
}

/// Polls up to the request head; returns the offset after it.
fn read_head(conn: &mut Connection, input: &[u8]) -> usize {
    let step = conn.poll_event(input).expect("valid request");
    assert!(matches!(step.outcome, Outcome::Event(Event::Request(_))));
    step.consumed
}

/// Reads `wire` back as a client would and checks it against the request.
fn read_back(wire: &[u8], request: &Request, expect_close_delimited: bool) {
    let mut at = 0;
    let mut finals = 0;
    while at < wire.len() {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut response = httparse::Response::new(&mut headers);
        let status = response.parse(&wire[at..]).expect("a well-formed head");
        let httparse::Status::Complete(len) = status else {
            panic!("a whole head");
        };
        assert_eq!(response.version, Some(1), "HTTP/1.1 status line");
        let code = response.code.unwrap();
        let field = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| std::str::from_utf8(h.value).unwrap().to_owned())
        };
        let content_length = field("content-length");
        let chunked = field("transfer-encoding").is_some();
        at += len;
        if code < 200 {
            assert!(content_length.is_none() && !chunked);
            continue;
        }
        finals += 1;
        if request.head || code == 204 || code == 304 {
            continue;
        }
        if chunked {
            assert!(!request.http10, "chunked to HTTP/1.0");
            loop {
                let line_end = at + wire[at..].windows(2).position(|w| w == b"\r\n").unwrap();
                let size =
                    usize::from_str_radix(std::str::from_utf8(&wire[at..line_end]).unwrap(), 16)
                        .unwrap();
                at = line_end + 2;
                if size == 0 {
                    // Trailer lines, then the empty line.
                    loop {
                        let end = at + wire[at..].windows(2).position(|w| w == b"\r\n").unwrap();
                        let empty = end == at;
                        at = end + 2;
                        if empty {
                            break;
                        }
                    }
                    break;
                }
                assert!(wire[at..at + size].iter().all(|&b| b == b'x'));
                at += size;
                assert_eq!(&wire[at..at + 2], b"\r\n");
                at += 2;
            }
        } else if let Some(n) = content_length {
            at += n.parse::<usize>().unwrap();
        } else {
            assert!(expect_close_delimited, "no framing without a close");
            at = wire.len();
        }
        assert!(at <= wire.len(), "body shorter than framed");
    }
    assert_eq!(at, wire.len(), "bytes after the last response");
    assert!(finals <= 1, "one final response per request");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn sends_follow_the_model_of_promised_and_sent(request in request(), ops in vec(op(), 0..12)) {
        let input = request.bytes();
        let mut conn = Connection::new(Config::default());
        let mut at = read_head(&mut conn, &input);
        let mut body_read = false;
        if !request.has_body() {
            let (next, ended) = read(&mut conn, &input, at);
            at = next;
            body_read = ended;
        }
        let mut model = Model {
            request: request.clone(),
            body_read,
            continue_sent: false,
            promise: None,
            persistent: false,
            complete: false,
        };
        let mut wire = Vec::new();
        let mut out = [0u8; 256];
        for op in ops {
            let before = conn.state();
            let expected = model.clone().apply(op);
            let actual = match op {
                Op::Head { status, body, keep_alive } => {
                    let intent = if keep_alive { Intent::KeepAlive } else { Intent::Close };
                    let mut head = conn.response(status, intent);
                    head.body = body;
                    conn.send_head(&head, &mut out).map(|composed| {
                        wire.extend_from_slice(&out[..composed.len]);
                        if status >= 200 {
                            let close = matches!(composed.framing, Framing::CloseDelimited);
                            assert!(!close || composed.must_close);
                        }
                    })
                }
                Op::Continue => conn.send_continue(&mut out).map(|n| wire.extend_from_slice(&out[..n])),
                Op::Data(n) => conn.send_data(n).map(|frame| {
                    wire.extend_from_slice(frame.prefix());
                    wire.extend(std::iter::repeat_n(b'x', n as usize));
                    wire.extend_from_slice(frame.suffix());
                }),
                Op::End { trailers } => {
                    let fields: &[Field<'_>] = if trailers {
                        &[Field::new(b"T", b"v")]
                    } else {
                        &[]
                    };
                    conn.send_end(fields, &mut out).map(|n| wire.extend_from_slice(&out[..n]))
                }
                Op::Whole { status, len, keep_alive } => {
                    let intent = if keep_alive { Intent::KeepAlive } else { Intent::Close };
                    let head = conn.response(status, intent);
                    let body = vec![b'x'; len as usize];
                    let before = wire.len();
                    let sent = conn.send_response(&head, &body, &mut wire).map(|_| ());
                    if sent.is_err() {
                        prop_assert_eq!(wire.len(), before, "a refusal wrote nothing");
                    }
                    sent
                }
                Op::ReadBody => {
                    if !model.body_read && conn.state() != State::MustClose {
                        let (next, ended) = read(&mut conn, &input, at);
                        at = next;
                        model.body_read = ended;
                    }
                    Ok(())
                }
            };
            prop_assert_eq!(&actual, &expected, "{:?} in {:?}", op, before);
            match expected {
                Ok(()) => { model.apply(op).unwrap(); }
                Err(_) => prop_assert_eq!(conn.state(), before, "a refusal changed the state"),
            }
            prop_assert_eq!(conn.state(), model.state(), "after {:?}", op);
            prop_assert_eq!(conn.awaits_continue(), model.awaits_continue());
            prop_assert_eq!(conn.can_send_head(), model.promise.is_none());
        }
        if model.complete {
            read_back(&wire, &request, model.promise == Some(Promise::Close));
            prop_assert_eq!(conn.closing().is_none(), model.persistent);
        }
    }
}
