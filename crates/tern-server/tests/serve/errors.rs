//! Bad requests: the parser's status, a short body, and a closed connection.

use std::io::Write;
use std::time::Duration;

use crate::common::*;

fn status_and_closed(srv: &Server, raw: &[u8]) -> (u16, bool, Response) {
    let mut s = srv.connect();
    let _ = s.write_all(raw);
    let mut rd = Reader::new(s);
    let r = rd.try_response(false).expect("a response before the close");
    let closed = rd.closed_within(Duration::from_secs(5));
    (r.status, closed, r)
}

#[test]
fn bad_requests_get_a_status_and_a_close() {
    let fx = Fixture::new("bad");
    let srv = Server::start(&fx.root, &[]);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(10_000));
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "b".repeat(20_000)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        (0..200)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: Vec<(&[u8], u16)> = vec![
        (b"garbage\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        (
            b"GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            501,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
            400,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            400,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999\r\n\r\n",
            413,
        ),
        (b"GET / HTTP/1.1\nHost: t\n\n", 400),
        (long_target.as_bytes(), 414),
        (big_header.as_bytes(), 431),
        (many_headers.as_bytes(), 431),
    ];
    for (raw, want) in cases {
        let (status, closed, r) = status_and_closed(&srv, raw);
        let shown = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
        assert_eq!(status, want, "{shown}");
        assert!(closed, "{shown}: not closed");
        assert_eq!(r.header("connection"), Some("close"), "{shown}");
        assert!(!r.body.is_empty() && r.body.len() < 64, "{shown}");
    }
    // still serving
    assert_eq!(srv.get("/index.html", &[]).status, 200);
}

#[test]
fn bytes_after_an_error_are_not_processed() {
    let fx = Fixture::new("afterbad");
    let srv = Server::start(&fx.root, &[]);
    let raw = srv
        .raw(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nBAD\x01\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 ").count(), 2, "{text}");
    assert!(text.contains("HTTP/1.1 400 "));
}

#[test]
fn startup_errors_are_one_line() {
    let bin = env!("CARGO_BIN_EXE_tern");
    let fx = Fixture::new("starterr");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (st, err) = run(&["/definitely/not/here"]);
    assert!(!st.success());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/definitely/not/here"), "{err}");

    let (st, err) = run(&[fx.root.to_str().unwrap(), "--listen", "not-an-address"]);
    assert!(!st.success());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not-an-address"), "{err}");

    let srv = Server::start(&fx.root, &[]);
    let addr = format!("127.0.0.1:{}", srv.port);
    let (st, err) = run(&[fx.root.to_str().unwrap(), "--listen", &addr]);
    assert!(!st.success());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("in use"), "{err}");

    let (st, err) = run(&["--threads", "zero"]);
    assert!(!st.success());
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn help_and_version() {
    let bin = env!("CARGO_BIN_EXE_tern");
    let out = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--listen",
        "--threads",
        "--access-log",
        "--header-timeout",
        "--idle-timeout",
        "--max-connections",
        "--version",
    ] {
        assert!(text.contains(opt), "{opt} missing from --help");
    }
    let out = std::process::Command::new(bin)
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("tern "));
}
