//! The `http` feature: a parsed head converts into an `http::Request<()>`.
#![cfg(feature = "http")]

use tern_proto::{Config, Connection, Event, Outcome};

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
