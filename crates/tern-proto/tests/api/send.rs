//! The send side of the connection: a response pre-filled from its request,
//! and every misuse of the protocol by the server refused as a local error
//! that changes nothing.

use tern_proto::compose::{Body, ResponseHead};
use tern_proto::date::RenderedDate;
use tern_proto::{
    Closing, Config, Connection, ErrorKind, Event, Field, Framing, Intent, Outcome, SendError,
    State, Version,
};

/// A connection that has read `input` up to (and including) the first event
/// after which it waits for the server: the end of a bodiless request, or
/// the head of one with a body. Returns the bytes it consumed.
fn after(input: &[u8]) -> (Connection, usize) {
    let mut conn = Connection::new(Config::default());
    let mut consumed = 0;
    loop {
        let step = conn
            .poll_event(&input[consumed..])
            .expect("a valid request");
        consumed += step.consumed;
        match step.outcome {
            Outcome::Event(Event::Request(request))
                if !matches!(request.framing(), Framing::NoBody | Framing::Length(0)) =>
            {
                return (conn, consumed);
            }
            Outcome::Event(Event::EndOfMessage(_)) | Outcome::Paused | Outcome::NeedData => {
                return (conn, consumed);
            }
            _ => {}
        }
    }
}

fn send(conn: &mut Connection, head: &ResponseHead<'_>) -> Result<(Vec<u8>, Framing), SendError> {
    let mut out = [0u8; 512];
    let composed = conn.send_head(head, &mut out)?;
    Ok((out[..composed.len].to_vec(), composed.framing))
}

/// Sends the pre-filled head of `status` for a server that keeps connections open.
fn respond(conn: &mut Connection, status: u16) -> Result<(Vec<u8>, Framing), SendError> {
    let head = conn.response(status, Intent::KeepAlive);
    send(conn, &head)
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";

#[test]
fn a_response_is_prefilled_from_its_request() {
    let (conn, _) = after(b"HEAD /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let head = conn.response(200, Intent::KeepAlive);
    assert_eq!(head.version, Version::Http10, "framing follows the request");
    assert_eq!(head.line_version, Version::Http11, "RFC 9110 §6.2");
    assert!(head.head_request);
    assert!(head.keep_alive);
    let head = conn.response(200, Intent::Close);
    assert!(!head.keep_alive);

    let (conn, _) = after(b"GET / HTTP/1.0\r\n\r\n");
    assert!(!conn.response(200, Intent::KeepAlive).keep_alive);
}

#[test]
fn the_status_line_is_http11_also_for_http10_clients() {
    let (mut conn, _) = after(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let mut head = conn.response(200, Intent::KeepAlive);
    head.body = Body::Length(2);
    let (bytes, framing) = send(&mut conn, &head).unwrap();
    assert_eq!(
        bytes,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n"
    );
    assert_eq!(framing, Framing::Length(2));
    // Even a head that claims otherwise is answered as the request decides.
    let (mut conn, _) = after(b"GET / HTTP/1.0\r\n\r\n");
    let mut head = ResponseHead::new(200, Version::Http11);
    head.body = Body::Unknown;
    let (bytes, framing) = send(&mut conn, &head).unwrap();
    assert_eq!(bytes, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    assert_eq!(framing, Framing::CloseDelimited, "no chunked to HTTP/1.0");
}

#[test]
fn a_whole_exchange_with_a_chunked_body_and_trailers() {
    let input = [GET, GET].concat();
    let (mut conn, consumed) = after(&input);
    let mut head = conn.response(200, Intent::KeepAlive);
    head.body = Body::Unknown;
    let (bytes, framing) = send(&mut conn, &head).unwrap();
    assert_eq!(
        bytes,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    assert_eq!(framing, Framing::Chunked);
    assert_eq!(conn.state(), State::SendBody);
    let frame = conn.send_data(5).unwrap();
    assert_eq!(
        (frame.prefix(), frame.suffix()),
        (&b"5\r\n"[..], &b"\r\n"[..])
    );
    let frame = conn.send_data(0).unwrap();
    assert!(frame.prefix().is_empty() && frame.suffix().is_empty());
    let mut out = [0u8; 64];
    let n = conn
        .send_end(&[Field::new(b"Digest", b"x")], &mut out)
        .expect("trailers on chunked");
    assert_eq!(&out[..n], b"0\r\nDigest: x\r\n\r\n");
    assert_eq!(conn.state(), State::Done);
    assert_eq!(conn.closing(), None);
    conn.start_next_cycle().unwrap();
    let step = conn.poll_event(&input[consumed..]).unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Request(_))));
}

#[test]
fn a_body_for_head_is_refused() {
    let (mut conn, _) = after(b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
    let mut head = conn.response(200, Intent::KeepAlive);
    head.body = Body::Length(10);
    // Clearing the flag does not make a body legal: the request decides.
    head.head_request = false;
    let (bytes, framing) = send(&mut conn, &head).unwrap();
    assert_eq!(bytes, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    assert_eq!(framing, Framing::NoBody);
    assert_eq!(conn.send_data(10), Err(SendError::BodyNotAllowed));
    assert_eq!(conn.send_data(0).map(|f| f.prefix().len()), Ok(0));
    assert_eq!(conn.send_end(&[], &mut []), Ok(0));
    assert_eq!(conn.state(), State::Done);
}

#[test]
fn bodies_of_204_and_304_are_refused() {
    for status in [204, 304] {
        let (mut conn, _) = after(GET);
        let mut head = conn.response(status, Intent::KeepAlive);
        head.body = Body::Length(3);
        let (_, framing) = send(&mut conn, &head).unwrap();
        assert_eq!(framing, Framing::NoBody);
        assert_eq!(
            conn.send_data(1),
            Err(SendError::BodyNotAllowed),
            "{status}"
        );
    }
}

#[test]
fn more_bytes_than_the_content_length_are_refused() {
    let (mut conn, _) = after(GET);
    let mut head = conn.response(200, Intent::KeepAlive);
    head.body = Body::Length(4);
    send(&mut conn, &head).unwrap();
    assert!(conn.send_data(3).is_ok());
    assert_eq!(
        conn.send_data(2),
        Err(SendError::BodyTooLong {
            promised: 4,
            sent: 5
        })
    );
    // The refused call counted nothing: one more byte still fits.
    assert!(conn.send_data(1).is_ok());
    assert_eq!(conn.send_end(&[], &mut []), Ok(0));
}

#[test]
fn ending_before_the_content_length_is_refused() {
    let (mut conn, _) = after(GET);
    let mut head = conn.response(200, Intent::KeepAlive);
    head.body = Body::Length(4);
    send(&mut conn, &head).unwrap();
    assert!(conn.send_data(3).is_ok());
    assert_eq!(
        conn.send_end(&[], &mut []),
        Err(SendError::BodyTooShort {
            promised: 4,
            sent: 3
        })
    );
    assert_eq!(conn.state(), State::SendBody, "nothing changed");
    assert_eq!(
        conn.send_end(&[Field::new(b"A", b"b")], &mut []),
        Err(SendError::BodyTooShort {
            promised: 4,
            sent: 3
        })
    );
    assert!(conn.send_data(1).is_ok());
    assert_eq!(
        conn.send_end(&[Field::new(b"A", b"b")], &mut []),
        Err(SendError::TrailersNotChunked)
    );
    assert_eq!(conn.send_end(&[], &mut []), Ok(0));
}

#[test]
fn a_second_final_response_is_refused() {
    let (mut conn, _) = after(GET);
    let head = conn.response(200, Intent::KeepAlive);
    send(&mut conn, &head).unwrap();
    let mut out = [0xAAu8; 128];
    assert_eq!(
        conn.send_head(&head, &mut out),
        Err(SendError::AlreadyResponded)
    );
    assert!(out.iter().all(|&b| b == 0xAA), "nothing written");
    assert_eq!(conn.send_end(&[], &mut []), Ok(0));
    assert_eq!(
        conn.send_head(&head, &mut out),
        Err(SendError::AlreadyResponded)
    );
    assert_eq!(conn.send_data(1), Err(SendError::ResponseComplete));
    assert_eq!(
        conn.send_end(&[], &mut []),
        Err(SendError::ResponseComplete)
    );
    assert_eq!(
        conn.send_continue(&mut out),
        Err(SendError::AlreadyResponded)
    );
}

#[test]
fn sends_without_a_request_or_before_the_head_are_refused() {
    let mut conn = Connection::new(Config::default());
    let head = conn.response(200, Intent::KeepAlive);
    let mut out = [0u8; 128];
    assert_eq!(conn.send_head(&head, &mut out), Err(SendError::NoRequest));
    assert_eq!(conn.send_data(1), Err(SendError::NoRequest));
    assert_eq!(conn.send_end(&[], &mut out), Err(SendError::NoRequest));
    assert_eq!(conn.state(), State::Idle);

    let (mut conn, _) = after(GET);
    assert_eq!(conn.send_data(1), Err(SendError::NoHead));
    assert_eq!(conn.send_end(&[], &mut out), Err(SendError::NoHead));
    // A closed connection has nothing to answer either.
    let mut conn = Connection::new(Config::default());
    conn.handle_eof();
    let _ = conn.poll_event(b"").unwrap();
    assert_eq!(conn.state(), State::Closed);
    assert_eq!(conn.send_head(&head, &mut out), Err(SendError::NoRequest));
    assert_eq!(conn.closing(), Some(Closing::Now));
}

#[test]
fn interim_responses_come_before_the_final_one_and_not_to_http10() {
    let (mut conn, _) = after(GET);
    let early_hints = conn.response(103, Intent::KeepAlive);
    let (bytes, framing) = send(&mut conn, &early_hints).unwrap();
    assert_eq!(bytes, b"HTTP/1.1 103 Early Hints\r\n\r\n");
    assert_eq!(framing, Framing::NoBody);
    assert_eq!(conn.state(), State::SendResponse);
    assert_eq!(respond(&mut conn, 101), Err(SendError::SwitchingProtocols));
    respond(&mut conn, 200).unwrap();

    let (mut conn, _) = after(b"GET / HTTP/1.0\r\n\r\n");
    assert!(matches!(
        respond(&mut conn, 103),
        Err(SendError::Compose(_))
    ));
}

// spec: EXPECT-1
#[test]
fn continue_is_sent_once_and_only_when_awaited() {
    let put = b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi";
    let (mut conn, consumed) = after(put);
    assert!(conn.awaits_continue());
    let mut out = [0u8; 64];
    let n = conn.send_continue(&mut out).unwrap();
    assert_eq!(&out[..n], b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(!conn.awaits_continue());
    assert_eq!(
        conn.send_continue(&mut out),
        Err(SendError::UnexpectedContinue)
    );
    // The body arrives, then the final response; the connection persists.
    let step = conn.poll_event(&put[consumed..]).unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Data(b"hi"))));
    let step = conn.poll_event(b"").unwrap();
    assert!(matches!(
        step.outcome,
        Outcome::Event(Event::EndOfMessage(_))
    ));
    respond(&mut conn, 204).unwrap();
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::Done);

    // Not expected: no Expect, no body, or HTTP/1.0.
    for request in [
        GET,
        b"GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
        b"PUT / HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n",
    ] {
        let (mut conn, _) = after(request);
        assert!(!conn.awaits_continue());
        assert!(conn.send_continue(&mut out).is_err());
    }
}

// spec: EXPECT-1, FRAME-2
#[test]
fn a_final_response_instead_of_continue_closes() {
    let put = b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n";
    let (mut conn, _) = after(put);
    assert!(conn.awaits_continue());
    let head = conn.response(413, Intent::KeepAlive);
    assert!(!head.keep_alive, "the client may or may not send the body");
    let (bytes, _) = send(&mut conn, &head).unwrap();
    assert_eq!(
        bytes,
        b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::MustClose);
    assert_eq!(conn.closing(), Some(Closing::Linger));
    // Even a head built by hand cannot keep it open.
    let (mut conn, _) = after(put);
    let head = ResponseHead::new(413, Version::Http11);
    assert!(head.keep_alive);
    send(&mut conn, &head).unwrap();
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::MustClose);
}

#[test]
fn an_early_response_discards_the_rest_of_a_delimited_body() {
    let post = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabcdefGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let (mut conn, mut consumed) = after(post);
    let mut head = conn.response(413, Intent::KeepAlive);
    head.body = Body::Length(3);
    send(&mut conn, &head).unwrap();
    assert!(conn.send_data(3).unwrap().prefix().is_empty());
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::DiscardBody);
    assert_eq!(conn.closing(), None);
    let mut discarded = 0;
    loop {
        let step = conn.poll_event(&post[consumed..]).unwrap();
        consumed += step.consumed;
        match step.outcome {
            Outcome::Event(Event::Data(data)) => discarded += data.len(),
            Outcome::Event(Event::EndOfMessage(_)) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(discarded, 6);
    assert_eq!(conn.state(), State::Done);
    conn.start_next_cycle().unwrap();
    let step = conn.poll_event(&post[consumed..]).unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Request(_))));
}

#[test]
fn a_close_intent_closes_and_says_how() {
    let (mut conn, _) = after(GET);
    let head = conn.response(200, Intent::Close);
    let (bytes, _) = send(&mut conn, &head).unwrap();
    assert!(bytes.ends_with(b"Connection: close\r\n\r\n"));
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::MustClose);
    assert_eq!(
        conn.closing(),
        Some(Closing::Linger),
        "the client may have pipelined more"
    );
    conn.handle_eof();
    assert_eq!(conn.closing(), Some(Closing::Now));
    // A client that asked to close has nothing more in flight.
    let (mut conn, _) = after(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    respond(&mut conn, 200).unwrap();
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.closing(), Some(Closing::Now));
}

#[test]
fn an_error_is_answered_once_and_lingers() {
    let config = Config::default().max_head_len(32);
    let mut conn = Connection::new(config);
    let error = conn
        .poll_event(b"GET / HTTP/1.1\r\nHost: h\r\nX-Long: 0123456789\r\n\r\n")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::HeadTooLarge);
    assert_eq!(conn.closing(), Some(Closing::Linger));
    let head = conn.response(error.status_hint(), Intent::KeepAlive);
    assert!(!head.keep_alive);
    let (bytes, _) = send(&mut conn, &head).unwrap();
    assert_eq!(
        bytes,
        b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::Error);
    assert_eq!(send(&mut conn, &head), Err(SendError::AlreadyResponded));
    conn.handle_eof();
    assert_eq!(conn.closing(), Some(Closing::Now));
}

#[test]
fn a_prepared_head_is_checked_against_the_request() {
    let (mut conn, _) = after(GET);
    let mut head = ResponseHead::new(200, Version::Http11);
    head.body = Body::Length(2);
    let prepared = head.prepare().unwrap();
    let date = RenderedDate::new(784_111_777);
    let mut out = [0u8; 256];
    let composed = conn
        .send_prepared(&prepared, &date, Intent::KeepAlive, &mut out)
        .unwrap();
    assert!(!composed.must_close);
    assert_eq!(
        conn.send_prepared(&prepared, &date, Intent::KeepAlive, &mut out),
        Err(SendError::AlreadyResponded)
    );
    assert!(conn.send_data(2).unwrap().suffix().is_empty());
    conn.send_end(&[], &mut out).unwrap();
    assert_eq!(conn.state(), State::Done);

    let (mut conn, _) = after(b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(
        conn.send_prepared(&prepared, &date, Intent::KeepAlive, &mut out),
        Err(SendError::PreparedMismatch)
    );
}

#[test]
fn refusals_say_what_went_wrong_and_hint_500() {
    let errors = [
        SendError::NoRequest,
        SendError::AlreadyResponded,
        SendError::NoHead,
        SendError::ResponseComplete,
        SendError::UnexpectedContinue,
        SendError::SwitchingProtocols,
        SendError::BodyNotAllowed,
        SendError::BodyTooLong {
            promised: 1,
            sent: 2,
        },
        SendError::BodyTooShort {
            promised: 2,
            sent: 1,
        },
        SendError::TrailersNotChunked,
        SendError::PreparedMismatch,
    ];
    let mut messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for error in errors {
        assert_eq!(error.status_hint(), 500);
        assert!(std::error::Error::source(&error).is_none());
    }
    messages.sort();
    messages.dedup();
    assert_eq!(messages.len(), errors.len(), "each message is distinct");
    let compose = SendError::from(tern_proto::compose::ComposeError::InvalidDate);
    assert!(std::error::Error::source(&compose).is_some());
}

#[test]
fn a_whole_response_in_one_call() {
    let date: &[u8; 29] = b"Sun, 06 Nov 1994 08:49:37 GMT";
    let fields = [Field::new(b"Content-Type", b"text/plain")];
    let whole = |request: &[u8], status: u16| {
        let (mut conn, _) = after(request);
        let mut head = conn.response(status, Intent::KeepAlive);
        head.date = Some(date);
        head.fields = &fields;
        let mut out = b"before|".to_vec();
        let composed = conn.send_response(&head, b"hello", &mut out).unwrap();
        (conn, out, composed.framing)
    };
    let (conn, out, framing) = whole(GET, 200);
    assert_eq!(
        out,
        b"before|HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
          Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
    );
    assert_eq!(framing, Framing::Length(5));
    assert_eq!(conn.state(), State::Done);
    // HEAD: the length a GET would get, no body.
    let (conn, out, framing) = whole(b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", 200);
    assert!(out.ends_with(b"Content-Length: 5\r\n\r\n"), "{out:?}");
    assert_eq!(framing, Framing::NoBody);
    assert_eq!(conn.state(), State::Done);
    // 304: no body either; an HTTP/1.0 client without keep-alive: closes.
    let (_, out, framing) = whole(GET, 304);
    assert!(out.ends_with(b"text/plain\r\n\r\n"), "{out:?}");
    assert_eq!(framing, Framing::NoBody);
    let (conn, out, _) = whole(b"GET / HTTP/1.0\r\n\r\n", 200);
    assert!(out.ends_with(b"Connection: close\r\n\r\nhello"), "{out:?}");
    assert_eq!(conn.state(), State::MustClose);
}

#[test]
fn a_whole_response_refused_writes_nothing() {
    let (mut conn, _) = after(GET);
    let mut out = b"kept".to_vec();
    let head = conn.response(103, Intent::KeepAlive);
    assert_eq!(
        conn.send_response(&head, b"", &mut out),
        Err(SendError::NotFinal)
    );
    let mut head = conn.response(200, Intent::KeepAlive);
    let bad = [Field::new(b"Bad Name", b"x")];
    head.fields = &bad;
    assert!(matches!(
        conn.send_response(&head, b"x", &mut out),
        Err(SendError::Compose(_))
    ));
    assert_eq!(out, b"kept");
    assert_eq!(conn.state(), State::SendResponse, "nothing changed");
    let head = conn.response(200, Intent::KeepAlive);
    let _ = conn.send_response(&head, b"x", &mut out).unwrap();
    let len = out.len();
    assert_eq!(
        conn.send_response(&head, b"x", &mut out),
        Err(SendError::AlreadyResponded)
    );
    assert_eq!(out.len(), len);
    // Before any request.
    let mut idle = Connection::new(Config::default());
    assert_eq!(
        idle.send_response(&head, b"x", &mut out),
        Err(SendError::NoRequest)
    );
}

#[test]
fn after_an_error_a_head_can_be_sent_unless_one_went_out() {
    // The error of a request no response has started for: answer it.
    let mut conn = Connection::new(Config::default());
    assert!(!conn.can_send_head(), "no request yet");
    let error = conn.poll_event(b"GET / HTTP/1.1\r\n\r\n").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingHost);
    assert!(conn.can_send_head());
    let head = conn.response(error.status_hint(), Intent::KeepAlive);
    let mut out = Vec::new();
    let _ = conn.send_response(&head, b"", &mut out).unwrap();
    assert!(!conn.can_send_head());
    assert_eq!(conn.closing(), Some(Closing::Linger));

    // An early response, then the body is cut short: nothing more to send.
    let (mut conn, consumed) = after(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
    assert!(consumed > 0 && conn.can_send_head());
    let head = conn.response(405, Intent::KeepAlive);
    let _ = conn.send_response(&head, b"", &mut out).unwrap();
    assert_eq!(conn.state(), State::DiscardBody);
    assert!(!conn.can_send_head());
    let step = conn.poll_event(b"abc").unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Data(b"abc"))));
    conn.handle_eof();
    let error = conn.poll_event(b"").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(conn.state(), State::Error);
    assert!(!conn.can_send_head(), "a response already went out");
    let head = conn.response(400, Intent::Close);
    assert_eq!(
        conn.send_head(&head, &mut [0; 256]),
        Err(SendError::AlreadyResponded)
    );
    assert!(conn.closing().is_some());
}

#[test]
fn nothing_more_is_read_once_the_connection_must_close() {
    // An early response that closes: the unread body is the lingering
    // close's to drain, not the parser's to report.
    let (mut conn, _) = after(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n");
    let head = conn.response(413, Intent::Close);
    let _ = conn.send_response(&head, b"", &mut Vec::new()).unwrap();
    assert_eq!(conn.state(), State::MustClose);
    for input in [&b"body"[..], b"", b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"] {
        let step = conn.poll_event(input).unwrap();
        assert_eq!(step.consumed, 0);
        assert!(
            matches!(step.outcome, Outcome::Paused),
            "{:?}",
            step.outcome
        );
    }
    assert_eq!(conn.closing(), Some(Closing::Linger));
    // Also when the body-less request's end is still to be reported.
    let mut conn = Connection::new(Config::default());
    let step = conn.poll_event(GET).unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Request(_))));
    let consumed = step.consumed;
    let head = conn.response(200, Intent::Close);
    let _ = conn.send_response(&head, b"", &mut Vec::new()).unwrap();
    assert_eq!(conn.state(), State::MustClose);
    let step = conn.poll_event(&GET[consumed..]).unwrap();
    assert!(
        matches!(step.outcome, Outcome::Paused),
        "{:?}",
        step.outcome
    );
}
