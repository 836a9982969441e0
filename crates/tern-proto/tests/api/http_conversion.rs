//! The `http` feature: a parsed head converts into an `http::Request<()>`,
//! and the head of an `http::Response` is sent through the connection.
#![cfg(feature = "http")]

use tern_proto::compose::{Body, ComposeError};
use tern_proto::{Config, Connection, Event, Framing, Outcome, SendError, State};

#[test]
fn a_head_converts_with_every_field_in_order() {
    let input = b"PATCH /items/7?x=1 HTTP/1.0\r\nHost: a.example\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n";
    let mut conn = Connection::new(Config::default());
    let step = conn.poll_event(input).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!("expected a request");
    };
    let converted = request.to_http().unwrap();
    assert_eq!(converted.method(), http::Method::PATCH);
    assert_eq!(converted.uri(), "/items/7?x=1");
    assert_eq!(converted.version(), http::Version::HTTP_10);
    assert_eq!(converted.headers()["host"], "a.example");
    let dups: Vec<_> = converted.headers().get_all("x-dup").iter().collect();
    assert_eq!(dups, ["1", "2"]);
}

#[test]
fn extension_methods_and_absolute_targets_convert() {
    let input = b"PURGE http://a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n";
    let mut conn = Connection::new(Config::default());
    let step = conn.poll_event(input).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!("expected a request");
    };
    let converted = request.to_http().unwrap();
    assert_eq!(converted.method().as_str(), "PURGE");
    assert_eq!(converted.uri().host(), Some("a.example"));
}

#[test]
fn a_response_head_comes_from_http_parts() {
    let input = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    let mut conn = Connection::new(Config::default());
    let _ = conn.poll_event(input).unwrap();
    let _ = conn.poll_event(b"").unwrap();
    let (parts, ()) = http::Response::builder()
        .status(404)
        .version(http::Version::HTTP_2)
        .header("Content-Type", "text/plain")
        .header("X-Dup", "1")
        .header("x-dup", "2")
        .body(())
        .unwrap()
        .into_parts();
    let mut out = [0u8; 256];
    let composed = conn
        .send_http_head(&parts, Body::Length(3), None, &mut out)
        .unwrap();
    assert_eq!(
        &out[..composed.len],
        b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\nx-dup: 1\r\nx-dup: 2\r\n\
          Content-Length: 3\r\nConnection: keep-alive\r\n\r\n"
    );
    assert_eq!(composed.framing, Framing::Length(3));
}

#[test]
fn connection_close_in_http_parts_is_the_intent_and_framing_fields_are_refused() {
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let mut conn = Connection::new(Config::default());
    let _ = conn.poll_event(input).unwrap();
    let _ = conn.poll_event(b"").unwrap();
    let mut out = [0u8; 256];
    let (parts, ()) = http::Response::builder()
        .status(200)
        .header("Content-Length", "3")
        .body(())
        .unwrap()
        .into_parts();
    assert_eq!(
        conn.send_http_head(&parts, Body::Length(3), None, &mut out),
        Err(SendError::Compose(ComposeError::ReservedField { index: 0 }))
    );
    // The index is the field's position in the map, Connection counted.
    let (parts, ()) = http::Response::builder()
        .status(200)
        .header("Connection", "keep-alive")
        .header("X-A", "1")
        .header("Transfer-Encoding", "chunked")
        .body(())
        .unwrap()
        .into_parts();
    assert_eq!(
        conn.send_http_head(&parts, Body::Length(3), None, &mut out),
        Err(SendError::Compose(ComposeError::ReservedField { index: 2 }))
    );
    let (parts, ()) = http::Response::builder()
        .status(200)
        .header("Connection", "keep-alive")
        .header("X-A", "1")
        .header("X-B", "trailing space ")
        .body(())
        .unwrap()
        .into_parts();
    assert_eq!(
        conn.send_http_head(&parts, Body::Length(3), None, &mut out),
        Err(SendError::Compose(ComposeError::InvalidFieldValue {
            index: 2
        }))
    );
    let (parts, ()) = http::Response::builder()
        .status(200)
        .header("Connection", "Keep-Alive, Close")
        .body(())
        .unwrap()
        .into_parts();
    let composed = conn
        .send_http_head(&parts, Body::None, None, &mut out)
        .unwrap();
    assert!(composed.must_close);
    assert_eq!(
        &out[..composed.len],
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    conn.send_end(&[], &mut []).unwrap();
    assert_eq!(conn.state(), State::MustClose);
}

#[test]
fn an_owned_head_converts_too() {
    let input = b"GET /o HTTP/1.1\r\nHost: a.example\r\n\r\n";
    let mut conn = Connection::new(Config::default());
    let step = conn.poll_event(input).unwrap();
    let Outcome::Event(Event::Request(request)) = step.outcome else {
        panic!("expected a request");
    };
    let owned = request.to_owned_request();
    let converted = owned.as_request().to_http().unwrap();
    assert_eq!(converted.uri(), "/o");
}
