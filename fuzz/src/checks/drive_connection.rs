//! `drive_connection`: both sides of one connection driven by an arbitrary
//! sequence of calls — client bytes arriving, polls, end of file, and every
//! send of the server, in any order.
//!
//! Properties:
//!
//! - nothing panics; every call either follows the protocol or is refused;
//! - a refused send changes nothing (the state is the same after it);
//! - `closing()` says how to close exactly when the state is terminal
//!   (`MustClose`, `Closed`, `Error`);
//! - every accepted head, read back by httparse as a client would, has an
//!   HTTP/1.1 status line; and what the server may send after it follows
//!   from those bytes alone: no body after a head without one (HEAD, 1xx,
//!   204, 304), never more than its `Content-Length`, and the end accepted
//!   only once exactly that many bytes were announced;
//! - an interim response is never accepted after the final one, nor two
//!   final responses for one request.

use tern_proto::compose::{Body, ResponseHead};
use tern_proto::date::RenderedDate;
use tern_proto::{Closing, Connection, Event, Field, Intent, Outcome, SendError, State, Version};

use super::{Source, config};

/// What the final head's bytes promise, read back from the wire.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Promise {
    NoBody,
    Length { promised: u64, sent: u64 },
    Open,
}

/// Reads a composed head back as a client would; its status and promise.
fn read_back(head: &[u8], head_request: bool) -> (u16, Promise) {
    let mut fields = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut fields);
    let parsed = response.parse(head).expect("a composed head parses");
    assert_eq!(
        parsed,
        httparse::Status::Complete(head.len()),
        "one whole head"
    );
    assert_eq!(response.version, Some(1), "status line is HTTP/1.1");
    let status = response.code.expect("a status");
    let value = |name: &str| {
        response
            .headers
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
            .map(|field| field.value)
    };
    let promise = if status < 200 || status == 204 || status == 304 || head_request {
        Promise::NoBody
    } else if let Some(length) = value("content-length") {
        let promised = std::str::from_utf8(length).unwrap().parse().unwrap();
        Promise::Length { promised, sent: 0 }
    } else {
        Promise::Open
    };
    (status, promise)
}

pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let mut conn = Connection::new(config(source.byte() & 3));
    let mut input: Vec<u8> = Vec::new();
    let mut consumed = 0;
    let mut out = vec![0u8; 512];
    let date = RenderedDate::new(784_111_777);
    let mut head_request = false;
    // The promise of the final head of the current response, once accepted
    // (None also while the response went through `finish_response`).
    let mut promise: Option<Promise> = None;
    let mut ended = false;
    let mut steps = 0;
    while !source.is_empty() && steps < 256 {
        steps += 1;
        let before = conn.state();
        let refused = match source.below(11) {
            0 => {
                let len = source.below(64);
                input.extend_from_slice(source.bytes(len));
                None
            }
            1 => {
                match conn.poll_event(&input[consumed..]) {
                    Ok(step) => {
                        consumed += step.consumed;
                        if let Outcome::Event(Event::Request(request)) = step.outcome {
                            head_request = request.method() == tern_proto::Method::Head;
                            promise = None;
                            ended = false;
                        }
                    }
                    Err(_) => assert_eq!(conn.state(), State::Error),
                }
                None
            }
            2 => {
                conn.handle_eof();
                None
            }
            3 => {
                const STATUSES: [u16; 10] = [100, 101, 103, 200, 204, 304, 400, 413, 500, 599];
                let status = STATUSES[source.below(STATUSES.len())];
                let intent = intent(&mut source);
                let mut head = if source.bool() {
                    conn.response(status, intent)
                } else {
                    // A head built by hand, claiming anything.
                    let mut head = ResponseHead::new(
                        status,
                        if source.bool() {
                            Version::Http10
                        } else {
                            Version::Http11
                        },
                    );
                    head.head_request = source.bool();
                    head.keep_alive = source.bool();
                    head
                };
                head.body = match source.below(3) {
                    0 => Body::None,
                    1 => Body::Length(u64::from(source.byte() % 16)),
                    _ => Body::Unknown,
                };
                match conn.send_head(&head, &mut out) {
                    Ok(composed) => {
                        let (line_status, read) = read_back(&out[..composed.len], head_request);
                        assert_eq!(line_status, status);
                        if status >= 200 {
                            assert!(promise.is_none() && !ended, "a second final response");
                            promise = Some(read);
                        } else {
                            assert!(promise.is_none(), "an interim after the final response");
                        }
                        None
                    }
                    Err(error) => Some(error),
                }
            }
            4 => match conn.send_continue(&mut out) {
                Ok(n) => {
                    assert_eq!(&out[..n], tern_proto::compose::CONTINUE);
                    assert!(promise.is_none(), "100 after the final response");
                    None
                }
                Err(error) => Some(error),
            },
            5 => {
                let len = u64::from(source.byte() % 8);
                match conn.send_data(len) {
                    Ok(_) => {
                        match promise.as_mut() {
                            Some(Promise::NoBody) => assert_eq!(len, 0, "a body after none"),
                            Some(Promise::Length { promised, sent }) => {
                                *sent += len;
                                assert!(*sent <= *promised, "past Content-Length");
                            }
                            Some(Promise::Open) => {}
                            None => panic!("data accepted without a final head"),
                        }
                        assert!(!ended, "data after the end");
                        None
                    }
                    Err(error) => Some(error),
                }
            }
            6 => {
                let trailers: &[Field<'_>] = if source.bool() {
                    &[Field::new(b"T", b"v")]
                } else {
                    &[]
                };
                match conn.send_end(trailers, &mut out) {
                    Ok(_) => {
                        match promise {
                            Some(Promise::Length { promised, sent }) => {
                                assert_eq!(sent, promised, "ended short of Content-Length");
                            }
                            Some(_) => {}
                            None => panic!("end accepted without a final head"),
                        }
                        assert!(!ended, "two ends");
                        ended = true;
                        None
                    }
                    Err(error) => Some(error),
                }
            }
            7 => {
                if conn.finish_response(intent(&mut source)).is_ok() {
                    promise = None;
                    ended = true;
                }
                None
            }
            8 => {
                if conn.start_next_cycle().is_ok() {
                    assert_eq!(before, State::Done);
                    // What follows answers the next request (or an error
                    // before one), not this one.
                    head_request = false;
                    promise = None;
                    ended = false;
                }
                None
            }
            9 => {
                const STATUSES: [u16; 5] = [200, 204, 304, 404, 103];
                let status = STATUSES[source.below(STATUSES.len())];
                let len = source.below(8);
                let intent = intent(&mut source);
                let could = conn.can_send_head();
                let head = conn.response(status, intent);
                let mut wire = b"before".to_vec();
                match conn.send_response(&head, &b"xxxxxxxx"[..len], &mut wire) {
                    Ok(composed) => {
                        assert!(could, "a head went out where none could");
                        let sent = &wire[6..];
                        let (line_status, read) = read_back(&sent[..composed.len], head_request);
                        assert_eq!(line_status, status);
                        assert!(promise.is_none() && !ended, "a second final response");
                        // All of it on the wire: the body unless it has none.
                        let body = &sent[composed.len..];
                        match read {
                            Promise::NoBody => assert!(body.is_empty(), "a body after none"),
                            Promise::Length { promised, .. } => {
                                assert_eq!(body.len() as u64, promised);
                            }
                            Promise::Open => panic!("an unframed whole response"),
                        }
                        promise = Some(Promise::NoBody);
                        ended = true;
                        None
                    }
                    Err(error) => {
                        assert_eq!(wire, b"before", "refused ({error}) but wrote");
                        if status < 200 {
                            assert_eq!(error, SendError::NotFinal);
                        } else {
                            assert!(!could, "refused ({error}) where a head could go");
                        }
                        Some(error)
                    }
                }
            }
            _ => {
                let mut head = ResponseHead::new(200, Version::Http11);
                head.body = Body::Length(3);
                head.head_request = source.bool();
                let prepared = head.prepare().expect("a valid head");
                match conn.send_prepared(&prepared, &date, Intent::KeepAlive, &mut out) {
                    Ok(composed) => {
                        let (_, read) = read_back(&out[..composed.len], head_request);
                        assert!(promise.is_none() && !ended, "a second final response");
                        promise = Some(read);
                        None
                    }
                    Err(error) => Some(error),
                }
            }
        };
        if let Some(error) = refused {
            assert_eq!(conn.state(), before, "refused ({error}) but changed");
            assert_eq!(error.status_hint(), 500);
        }
        let state = conn.state();
        let terminal = matches!(state, State::MustClose | State::Closed | State::Error);
        assert_eq!(conn.closing().is_some(), terminal, "{state:?}");
        if matches!(state, State::Closed) {
            assert_eq!(conn.closing(), Some(Closing::Now));
        }
        if consumed > 4096 {
            input.drain(..consumed);
            consumed = 0;
        }
    }
}

fn intent(source: &mut Source<'_>) -> Intent {
    if source.bool() {
        Intent::KeepAlive
    } else {
        Intent::Close
    }
}
