//! Timeouts, the connection limit, and graceful shutdown.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn header_timeout_closes_slow_clients() {
    let fx = Fixture::new("hdrtimeout");
    let srv = Server::start(&fx.root, &["--header-timeout", "0.5"]);
    // nothing sent at all
    let mut rd = Reader::new(srv.connect());
    assert!(rd.closed_within(Duration::from_secs(5)));
    // slowloris: a byte every 100 ms never extends the deadline
    let mut s = srv.connect();
    let start = Instant::now();
    let mut closed = false;
    for b in b"GET /index.html HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if s.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        if start.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    if !closed {
        let mut rd = Reader::new(s);
        closed = rd.closed_within(Duration::from_secs(3));
    }
    assert!(closed, "slow client not closed");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn idle_timeout_closes_keep_alive_connections() {
    let fx = Fixture::new("idletimeout");
    let srv = Server::start(&fx.root, &["--idle-timeout", "0.5"]);
    let mut rd = Reader::new(srv.connect());
    rd.stream
        .write_all(&request("GET", "/index.html", &[]))
        .unwrap();
    assert_eq!(rd.response(false).status, 200);
    let start = Instant::now();
    assert!(rd.closed_within(Duration::from_secs(5)));
    assert!(start.elapsed() >= Duration::from_millis(400));
}

#[test]
fn send_timeout_closes_clients_that_stop_reading() {
    let fx = Fixture::new("sendtimeout");
    std::fs::write(fx.root.join("huge.bin"), noise(64 << 20, 3)).unwrap();
    let srv = Server::start(&fx.root, &["--send-timeout", "0.5"]);
    let mut s = srv.connect();
    s.write_all(&request("GET", "/huge.bin", &[])).unwrap();
    // read nothing for a while: the server must give up
    std::thread::sleep(Duration::from_secs(3));
    let mut got = 0usize;
    let mut buf = vec![0u8; 1 << 20];
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
        if got > 70 << 20 {
            break;
        }
    }
    assert!(
        got < 64 << 20,
        "whole body arrived ({got} bytes): not closed"
    );
}

#[test]
fn sigterm_closes_idle_connections_and_exits_zero() {
    let fx = Fixture::new("sigterm");
    let mut srv = Server::start(&fx.root, &[]);
    let mut rd = Reader::new(srv.connect());
    rd.stream
        .write_all(&request("GET", "/index.html", &[]))
        .unwrap();
    assert_eq!(rd.response(false).status, 200);
    srv.signal("TERM");
    assert!(rd.closed_within(Duration::from_secs(5)));
    let st = srv.wait_exit(Duration::from_secs(10)).expect("exited");
    assert_eq!(st.code(), Some(0));
}

#[test]
fn sigint_exits_zero() {
    let fx = Fixture::new("sigint");
    let mut srv = Server::start(&fx.root, &[]);
    srv.signal("INT");
    let st = srv.wait_exit(Duration::from_secs(10)).expect("exited");
    assert_eq!(st.code(), Some(0));
}

#[test]
fn shutdown_finishes_a_transfer_in_flight() {
    let fx = Fixture::new("inflight");
    let data = noise(48 << 20, 11);
    std::fs::write(fx.root.join("huge.bin"), &data).unwrap();
    let mut srv = Server::start(&fx.root, &[]);
    let mut s = srv.connect();
    s.write_all(&request("GET", "/huge.bin", &[])).unwrap();
    let mut got = Vec::with_capacity(data.len() + 1024);
    let mut buf = vec![0u8; 64 * 1024];
    let n = s.read(&mut buf).unwrap();
    got.extend_from_slice(&buf[..n]);
    srv.signal("TERM");
    // the listener is gone soon, but this transfer completes
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let head_end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(got[..head_end].starts_with(b"HTTP/1.1 200 OK"));
    assert_eq!(
        got.len() - head_end,
        data.len(),
        "body truncated by shutdown"
    );
    assert!(got[head_end..] == data[..]);
    let st = srv.wait_exit(Duration::from_secs(10)).expect("exited");
    assert_eq!(st.code(), Some(0));
}

/// A client that requests a large file and stops reading.
fn stalled_download(srv: &Server) -> std::net::TcpStream {
    let mut s = srv.connect();
    s.write_all(&request("GET", "/huge.bin", &[])).unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 OK"));
    s
}

#[test]
fn a_shutdown_that_cuts_a_transfer_says_so_and_exits_non_zero() {
    let fx = Fixture::new("cutshutdown");
    std::fs::write(fx.root.join("huge.bin"), noise(64 << 20, 5)).unwrap();
    let mut srv = Server::start(&fx.root, &["--shutdown-timeout", "0.5"]);
    let _stalled = stalled_download(&srv);
    srv.signal("TERM");
    let st = srv.wait_exit(Duration::from_secs(10)).expect("exited");
    assert_eq!(st.code(), Some(1));
    let err = srv.read_stderr();
    assert!(err.contains("tern: shutting down"), "{err}");
    assert!(
        err.contains("cut 1 response(s) short"),
        "no cut reported: {err}"
    );
}

#[test]
fn a_clean_shutdown_prints_its_start_and_end() {
    let fx = Fixture::new("cleanshutdown");
    let mut srv = Server::start(&fx.root, &[]);
    assert_eq!(srv.get("/index.html", &[]).status, 200);
    srv.signal("TERM");
    let st = srv.wait_exit(Duration::from_secs(10)).expect("exited");
    assert_eq!(st.code(), Some(0));
    let err = srv.read_stderr();
    assert!(err.contains("tern: shutting down"), "{err}");
    assert!(err.ends_with("tern: stopped\n"), "{err}");
}

#[test]
fn a_second_signal_exits_at_once() {
    let fx = Fixture::new("secondsignal");
    std::fs::write(fx.root.join("huge.bin"), noise(64 << 20, 6)).unwrap();
    let mut srv = Server::start(&fx.root, &["--shutdown-timeout", "60"]);
    let _stalled = stalled_download(&srv);
    srv.signal("TERM");
    // the graceful shutdown waits for the stalled client...
    assert!(srv.wait_exit(Duration::from_millis(500)).is_none());
    // ...until a second signal
    let start = Instant::now();
    srv.signal("INT");
    let st = srv.wait_exit(Duration::from_secs(5)).expect("exited");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(st.code(), Some(128 + 2));
    assert!(srv.read_stderr().contains("second signal"));
}

#[test]
fn sighup_reopens_the_access_log_and_keeps_serving() {
    let fx = Fixture::new("sighup");
    let log = fx.dir.path().join("access.log");
    let rotated = fx.dir.path().join("access.log.1");
    let mut srv = Server::start(&fx.root, &["--access-log", log.to_str().unwrap()]);
    assert_eq!(srv.get("/index.html", &[]).status, 200);
    assert!(eventually(Duration::from_secs(5), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("GET /index.html"))
    }));
    std::fs::rename(&log, &rotated).unwrap();
    srv.signal("HUP");
    // The reopen happens on the signal thread; a request made before it
    // may still land in the rotated file, so ask until one lands anew.
    assert!(eventually(Duration::from_secs(5), || {
        assert_eq!(srv.get("/notes.txt", &[]).status, 200);
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("GET /notes.txt"))
    }));
    let old = std::fs::read_to_string(&rotated).unwrap();
    assert!(old.contains("GET /index.html"));
    assert!(
        !std::fs::read_to_string(&log)
            .unwrap()
            .contains("GET /index.html")
    );
    srv.signal("TERM");
    let st = srv.wait_exit(Duration::from_secs(10)).expect("exited");
    assert_eq!(st.code(), Some(0));
}
