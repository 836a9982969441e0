//! No descriptor leaks: after many requests and many aborted connections the
//! server holds as many descriptors as before.

use std::io::Write;
use std::net::Shutdown;
use std::time::Duration;

use crate::common::*;

/// The descriptor count once it stops changing (closes are asynchronous).
fn stable_count(srv: &Server) -> usize {
    let mut last = srv.fd_count();
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        let now = srv.fd_count();
        if now == last {
            break;
        }
        last = now;
    }
    last
}

/// Waits (bounded) until the count is back to at most `baseline`.
fn settle(srv: &Server, baseline: usize) -> usize {
    let mut last = srv.fd_count();
    eventually(Duration::from_secs(10), || {
        last = srv.fd_count();
        last <= baseline
    });
    last
}

#[test]
fn descriptors_unchanged_after_10000_requests() {
    let fx = Fixture::new("fds10k");
    let srv = Server::start(&fx.root, &["--cache-ttl", "60", "--threads", "1"]);
    let paths = [
        "/index.html",
        "/4k.bin",
        "/missing",
        "/dir",
        "/withindex/",
        "/notes.txt",
    ];
    // warm the caches of both workers
    for _ in 0..20 {
        for p in paths {
            let _ = srv.get(p, &[]);
        }
    }
    let baseline = stable_count(&srv);
    let mut done = 0;
    for c in 0..100 {
        let mut rd = Reader::new(srv.connect());
        let mut batch = Vec::new();
        for i in 0..100 {
            batch.extend_from_slice(&request("GET", paths[(c + i) % paths.len()], &[]));
        }
        rd.stream.write_all(&batch).unwrap();
        for _ in 0..100 {
            let r = rd.response(false);
            assert!(matches!(r.status, 200 | 301 | 404));
            done += 1;
        }
    }
    assert_eq!(done, 10_000);
    assert!(settle(&srv, baseline) <= baseline);
}

#[test]
fn descriptors_unchanged_after_1000_aborted_connections() {
    let fx = Fixture::new("fdsabort");
    let srv = Server::start(
        &fx.root,
        &[
            "--cache-ttl",
            "60",
            "--header-timeout",
            "2",
            "--threads",
            "1",
        ],
    );
    let _ = srv.get("/big.bin", &["Range: bytes=0-0"]);
    let _ = srv.get("/index.html", &[]);
    let _ = srv.get("/big.bin", &["Range: bytes=0-0"]);
    let _ = srv.get("/index.html", &[]);
    let baseline = stable_count(&srv);
    for i in 0..1000 {
        let mut s = srv.connect();
        match i % 5 {
            0 => {}
            1 => {
                let _ = s.write_all(b"GET /index.html HTTP/1.1\r\nHo");
            }
            2 => {
                // asks for 3 MiB and leaves without reading
                let _ = s.write_all(&request("GET", "/big.bin", &[]));
                std::thread::sleep(Duration::from_millis(1));
            }
            3 => {
                let _ =
                    s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc");
            }
            _ => {
                let _ = s.write_all(&request("GET", "/index.html", &[]));
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        drop(s);
    }
    assert!(settle(&srv, baseline) <= baseline);
    assert_eq!(srv.get("/index.html", &[]).status, 200);
}
