//! Heads that outlive the receive buffer, and (with the `bytes` feature)
//! events over a `BytesMut` that share its bytes instead of copying them.

use tern_proto::{Config, Connection, Event, Framing, Method, Outcome};

#[test]
fn an_owned_head_outlives_its_buffer_and_answers_alike() {
    let mut conn = Connection::new(Config::default());
    let owned = {
        let input = b"\r\nPOST /up?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 4\r\n\r\nbody"
            .to_vec();
        let step = conn.poll_event(&input).unwrap();
        let Outcome::Event(Event::Request(request)) = step.outcome else {
            panic!("a request");
        };
        let owned = request.to_owned_request();
        assert_eq!(owned.head_bytes().len(), request.head_len());
        owned
        // `input` is dropped here.
    };
    let request = owned.as_request();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.target(), b"/up?x=1");
    assert_eq!(request.version_bytes(), b"HTTP/1.1");
    assert_eq!(request.framing(), Framing::Length(4));
    assert!(request.keep_alive());
    let fields: Vec<(&[u8], &[u8])> = request.headers().map(|f| (f.name, f.value)).collect();
    assert_eq!(
        fields,
        [
            (&b"Host"[..], &b"h"[..]),
            (b"X-A", b"1"),
            (b"x-a", b"2"),
            (b"Content-Length", b"4")
        ]
    );
    assert_eq!(request.header(b"x-a"), Some(&b"1"[..]));
    // The connection goes on meanwhile.
    let step = conn.poll_event(b"body").unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Data(b"body"))));
}

#[test]
fn a_step_says_where_its_data_starts() {
    let mut conn = Connection::new(Config::default());
    let head = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    let step = conn.poll_event(head).unwrap();
    assert_eq!(step.data_start(), 0);
    let body = b"3;x=y\r\nabc\r\n0\r\n\r\n";
    let step = conn.poll_event(body).unwrap();
    let Outcome::Event(Event::Data(data)) = step.outcome else {
        panic!("data");
    };
    assert_eq!(data, b"abc");
    assert_eq!(step.data_start(), 7, "after `3;x=y\\r\\n`");
    assert_eq!(
        &body[step.data_start()..step.data_start() + data.len()],
        data
    );

    let mut conn = Connection::new(Config::default());
    let input = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi";
    let consumed = conn.poll_event(input).unwrap().consumed;
    let step = conn.poll_event(&input[consumed..]).unwrap();
    assert!(matches!(step.outcome, Outcome::Event(Event::Data(b"hi"))));
    assert_eq!(step.data_start(), 0);
}

#[cfg(feature = "bytes")]
mod shared {
    use bytes::{BufMut, BytesMut};
    use tern_proto::{Config, Connection, Intent, SharedEvent, SharedOutcome, State};

    fn poll(conn: &mut Connection, buf: &mut BytesMut) -> SharedOutcome {
        conn.poll_bytes(buf).unwrap()
    }

    #[test]
    fn events_share_the_receive_buffer() {
        let mut conn = Connection::new(Config::default());
        let mut buf = BytesMut::with_capacity(256);
        buf.put_slice(
            b"PUT /f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n",
        );
        let start = buf.as_ptr() as usize;
        let SharedOutcome::Event(SharedEvent::Request(request)) = poll(&mut conn, &mut buf) else {
            panic!("a request");
        };
        assert_eq!(
            request.head_bytes().as_ptr() as usize,
            start,
            "the head is not copied"
        );
        assert_eq!(request.target_shared(), "/f");
        assert_eq!(request.header_shared(b"host").unwrap(), "h");
        assert_eq!(request.header_shared(b"missing"), None);
        let SharedOutcome::Event(SharedEvent::Data(data)) = poll(&mut conn, &mut buf) else {
            panic!("data");
        };
        assert_eq!(data, "hello");
        let offset = data.as_ptr() as usize - start;
        assert_eq!(
            &request.head_bytes()[..],
            &b"PUT /f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"[..]
        );
        assert_eq!(
            offset,
            request.head_bytes().len() + b"5;e=1\r\n".len(),
            "the data is not copied"
        );
        assert!(matches!(poll(&mut conn, &mut buf), SharedOutcome::NeedData));
        buf.put_slice(b"0\r\nDigest: x\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        let SharedOutcome::Event(SharedEvent::EndOfMessage(trailers)) = poll(&mut conn, &mut buf)
        else {
            panic!("end");
        };
        assert!(!trailers.is_empty());
        let fields: Vec<(&[u8], &[u8])> = trailers.fields().map(|f| (f.name, f.value)).collect();
        assert_eq!(fields, [(&b"Digest"[..], &b"x"[..])]);
        // The owned pieces stay valid while the buffer moves on.
        assert!(matches!(poll(&mut conn, &mut buf), SharedOutcome::Paused));
        let head = conn.response(204, Intent::KeepAlive);
        let mut out = [0u8; 64];
        let _ = conn.send_head(&head, &mut out).unwrap();
        conn.send_end(&[], &mut out).unwrap();
        conn.start_next_cycle().unwrap();
        let SharedOutcome::Event(SharedEvent::Request(next)) = poll(&mut conn, &mut buf) else {
            panic!("the pipelined request");
        };
        assert_eq!(next.target_shared(), "/");
        assert!(buf.is_empty());
        assert_eq!(data, "hello");
        assert!(matches!(
            poll(&mut conn, &mut buf),
            SharedOutcome::Event(SharedEvent::EndOfMessage(_))
        ));
        assert_eq!(conn.state(), State::SendResponse);
        conn.handle_eof();
        assert!(conn.poll_bytes(&mut buf).is_ok());
    }

    #[test]
    fn a_length_body_is_shared_and_errors_split_nothing() {
        let mut conn = Connection::new(Config::default());
        let mut buf =
            BytesMut::from(&b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nab"[..]);
        assert!(matches!(
            poll(&mut conn, &mut buf),
            SharedOutcome::Event(SharedEvent::Request(_))
        ));
        let SharedOutcome::Event(SharedEvent::Data(data)) = poll(&mut conn, &mut buf) else {
            panic!("data");
        };
        assert_eq!(data, "ab");
        assert!(matches!(poll(&mut conn, &mut buf), SharedOutcome::NeedData));
        conn.handle_eof();
        assert!(conn.poll_bytes(&mut buf).is_err());

        let mut conn = Connection::new(Config::default());
        let mut buf = BytesMut::from(&b"GET / HTTP/9.9\r\n\r\n"[..]);
        let error = conn.poll_bytes(&mut buf).unwrap_err();
        assert_eq!(error.status_hint(), 505);
        assert_eq!(buf.len(), 18, "nothing split off");
        let mut closed = Connection::new(Config::default());
        closed.handle_eof();
        assert!(matches!(
            closed.poll_bytes(&mut BytesMut::new()).unwrap(),
            SharedOutcome::Event(SharedEvent::ConnectionClosed)
        ));
    }
}

#[test]
fn owned_trailers_outlive_their_buffer() {
    let mut conn = Connection::new(Config::default());
    let input = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n".to_vec();
    let step = conn.poll_event(&input).unwrap();
    let rest = input[step.consumed..].to_vec();
    drop(input);
    let owned = {
        let step = conn.poll_event(&rest).unwrap();
        let Outcome::Event(Event::EndOfMessage(trailers)) = step.outcome else {
            panic!("the end");
        };
        trailers.to_owned_trailers()
    };
    drop(rest);
    let fields: Vec<(&[u8], &[u8])> = owned.fields().map(|f| (f.name, f.value)).collect();
    assert_eq!(fields, [(&b"A"[..], &b"1"[..]), (b"B", b"2")]);
    assert!(!owned.is_empty());

    let mut conn = Connection::new(Config::default());
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let consumed = conn.poll_event(input).unwrap().consumed;
    let step = conn.poll_event(&input[consumed..]).unwrap();
    let Outcome::Event(Event::EndOfMessage(trailers)) = step.outcome else {
        panic!("the end");
    };
    assert!(trailers.to_owned_trailers().is_empty());
}
