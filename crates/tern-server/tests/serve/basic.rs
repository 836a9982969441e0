//! Ordinary requests: exact heads, HEAD, keep-alive, pipelining, HTTP/1.0,
//! directories, methods, 100-continue, large files, curl.

use std::io::Write;
use std::time::Duration;

use crate::common::*;

#[test]
fn first_line_names_root_and_real_port() {
    let fx = Fixture::new("firstline");
    let srv = Server::start(&fx.root, &[]);
    let root = fx.root.canonicalize().unwrap();
    assert_eq!(
        srv.first_line,
        format!(
            "tern: serving {} on http://127.0.0.1:{}",
            root.display(),
            srv.port
        )
    );
    assert_ne!(srv.port, 0);
}

#[test]
fn byte_exact_head_and_body() {
    let fx = Fixture::new("exact");
    let srv = Server::start(&fx.root, &[]);
    let r = srv.get("/index.html", &[]);
    let date = r.header("date").unwrap().to_owned();
    assert_fresh_date(&date);
    let expected = format!(
        "HTTP/1.1 200 OK\r\n\
         Date: {date}\r\n\
         Server: tern\r\n\
         Last-Modified: {}\r\n\
         ETag: {}\r\n\
         Accept-Ranges: bytes\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Content-Length: 100\r\n\
         \r\n",
        fx.last_modified("index.html"),
        fx.etag("index.html"),
    );
    assert_eq!(r.head_str(), expected);
    assert_eq!(r.body, INDEX);
}

#[test]
fn content_types() {
    let fx = Fixture::new("ctype");
    let srv = Server::start(&fx.root, &[]);
    for (path, ct) in [
        ("/notes.txt", "text/plain; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/4k.bin", "application/octet-stream"),
        ("/a%20b.txt", "text/plain; charset=utf-8"),
    ] {
        let r = srv.get(path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ct), "{path}");
    }
}

#[test]
fn head_has_headers_but_no_body_and_keeps_the_connection() {
    let fx = Fixture::new("head");
    let srv = Server::start(&fx.root, &[]);
    let mut s = srv.connect();
    s.write_all(&request("HEAD", "/4k.bin", &[])).unwrap();
    s.write_all(&request("GET", "/notes.txt", &[])).unwrap();
    let mut rd = Reader::new(s);
    let h = rd.response(true);
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-length"), Some("4096"));
    let g = rd.response(false);
    assert_eq!(g.body, b"plain text\n");
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let fx = Fixture::new("keepalive");
    let srv = Server::start(&fx.root, &[]);
    let mut rd = Reader::new(srv.connect());
    for i in 0..50 {
        let path = if i % 2 == 0 { "/index.html" } else { "/4k.bin" };
        rd.stream.write_all(&request("GET", path, &[])).unwrap();
        let r = rd.response(false);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("connection"), None);
        assert_eq!(r.body.len(), if i % 2 == 0 { 100 } else { 4096 });
    }
}

#[test]
fn pipelined_responses_come_in_order() {
    let fx = Fixture::new("pipeline");
    let srv = Server::start(&fx.root, &[]);
    let mut all = Vec::new();
    let paths = [
        "/index.html",
        "/4k.bin",
        "/missing",
        "/big.bin",
        "/notes.txt",
        "/dir",
    ];
    for p in paths {
        all.extend_from_slice(&request("GET", p, &[]));
    }
    all.extend_from_slice(&request("HEAD", "/index.html", &[]));
    for _ in 0..40 {
        all.extend_from_slice(&request("GET", "/index.html", &[]));
    }
    let mut s = srv.connect();
    s.write_all(&all).unwrap();
    let mut rd = Reader::new(s);
    let statuses: Vec<u16> = paths.iter().map(|_| rd.response(false).status).collect();
    assert_eq!(statuses, [200, 200, 404, 200, 200, 301]);
    let h = rd.response(true);
    assert_eq!((h.status, h.body.len()), (200, 0));
    for _ in 0..40 {
        let r = rd.response(false);
        assert_eq!(r.body, INDEX);
    }
}

#[test]
fn pipelined_big_file_body_is_intact() {
    let fx = Fixture::new("pipebig");
    let srv = Server::start(&fx.root, &[]);
    let mut s = srv.connect();
    let mut all = request("GET", "/big.bin", &[]);
    all.extend_from_slice(&request("GET", "/index.html", &[]));
    all.extend_from_slice(&request("GET", "/big.bin", &[]));
    s.write_all(&all).unwrap();
    let mut rd = Reader::new(s);
    let big = std::fs::read(fx.root.join("big.bin")).unwrap();
    assert!(rd.response(false).body == big);
    assert_eq!(rd.response(false).body, INDEX);
    assert!(rd.response(false).body == big);
}

#[test]
fn http10_closes_unless_keep_alive() {
    let fx = Fixture::new("http10");
    let srv = Server::start(&fx.root, &[]);
    let raw = srv.raw(b"GET /index.html HTTP/1.0\r\n\r\n");
    // RFC 9110 §6.2: the server's own version, also to HTTP/1.0 clients.
    assert!(
        raw.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    assert!(raw.ends_with(INDEX));
    assert!(String::from_utf8_lossy(&raw).contains("Connection: close\r\n"));

    let mut rd = Reader::new(srv.connect());
    rd.stream
        .write_all(b"GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let r = rd.response(false);
    assert_eq!(r.header("connection"), Some("keep-alive"));
    assert!(r.head.starts_with(b"HTTP/1.1 200 OK\r\n"));
    rd.stream
        .write_all(b"GET /notes.txt HTTP/1.0\r\n\r\n")
        .unwrap();
    let r = rd.response(false);
    assert_eq!(r.body, b"plain text\n");
    assert!(rd.closed_within(Duration::from_secs(5)));
}

#[test]
fn connection_close_is_honoured() {
    let fx = Fixture::new("close");
    let srv = Server::start(&fx.root, &[]);
    let mut rd = Reader::new(srv.connect());
    rd.stream
        .write_all(&request("GET", "/index.html", &["Connection: close"]))
        .unwrap();
    let r = rd.response(false);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(rd.closed_within(Duration::from_secs(5)));
}

#[test]
fn directories_redirect_serve_index_or_404() {
    let fx = Fixture::new("dirs");
    let srv = Server::start(&fx.root, &[]);
    let r = srv.get("/dir", &[]);
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/dir/"));
    let r = srv.get("/withindex?x=1", &[]);
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/withindex/?x=1"));
    assert_eq!(srv.get("/dir/", &[]).status, 404);
    let r = srv.get("/withindex/", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"<p>index of withindex</p>\n");
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let r = srv.get("/", &[]);
    assert_eq!(r.body, INDEX);
    assert_eq!(srv.get("/index.html/", &[]).status, 404);
}

#[test]
fn methods_405_and_options() {
    let fx = Fixture::new("methods");
    let srv = Server::start(&fx.root, &[]);
    // Known methods not allowed here: 405 with Allow. A method the server
    // does not recognise: 501 (RFC 9110 §9.1).
    for (m, status) in [
        ("POST", 405),
        ("PUT", 405),
        ("DELETE", 405),
        ("PATCH", 405),
        ("TRACE", 405),
        ("BREW", 501),
        ("get", 501),
    ] {
        let mut rd = Reader::new(srv.connect());
        rd.stream
            .write_all(&request(m, "/index.html", &["Content-Length: 0"]))
            .unwrap();
        let r = rd.response(false);
        assert_eq!(r.status, status, "{m}");
        let allow = (status == 405).then_some("GET, HEAD, OPTIONS");
        assert_eq!(r.header("allow"), allow, "{m}");
        // the connection stays usable
        rd.stream
            .write_all(&request("GET", "/notes.txt", &[]))
            .unwrap();
        assert_eq!(rd.response(false).status, 200);
    }
    let mut rd = Reader::new(srv.connect());
    rd.stream.write_all(&request("OPTIONS", "*", &[])).unwrap();
    let r = rd.response(false);
    assert_eq!(r.status, 204);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(r.header("content-length"), None);
}

#[test]
fn request_body_is_discarded_and_the_next_request_served() {
    let fx = Fixture::new("body");
    let srv = Server::start(&fx.root, &[]);
    let mut rd = Reader::new(srv.connect());
    let mut req = b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789".to_vec();
    req.extend_from_slice(b"GET /notes.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    rd.stream.write_all(&req).unwrap();
    assert_eq!(rd.response(false).status, 405);
    assert_eq!(rd.response(false).body, b"plain text\n");
}

/// A static server's answer never depends on a request body, so a request
/// that expects `100 Continue` gets its final status at once (no interim
/// response inviting the upload), with `Connection: close`; a body sent
/// anyway is drained, so the response is not lost to a reset.
#[test]
fn expect_100_continue_gets_the_final_status_at_once() {
    let fx = Fixture::new("continue");
    let srv = Server::start(&fx.root, &[]);
    for (req, status) in [
        (
            &b"PUT /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"[..],
            405,
        ),
        (
            b"POST /index.html HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
            405,
        ),
        (
            b"GET /notes.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
            200,
        ),
    ] {
        let mut rd = Reader::new(srv.connect());
        rd.stream.write_all(req).unwrap();
        let r = rd.response(false);
        assert_eq!(r.status, status);
        assert_eq!(r.header("connection"), Some("close"));
        // the client sends the body anyway: it is drained, then the server closes
        let _ = rd.stream.write_all(b"hello");
        assert!(rd.closed_within(Duration::from_secs(5)));
    }
    // Without a body there is nothing to wait for: the connection persists.
    let mut rd = Reader::new(srv.connect());
    rd.stream
        .write_all(b"GET /notes.txt HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n")
        .unwrap();
    let r = rd.response(false);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), None);
}

#[test]
fn large_file_is_sent_whole() {
    let fx = Fixture::new("large");
    let srv = Server::start(&fx.root, &[]);
    let r = srv.get("/big.bin", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("3145728"));
    assert!(r.body == std::fs::read(fx.root.join("big.bin")).unwrap());
}

#[test]
fn curl_agrees_when_installed() {
    let Ok(out) = std::process::Command::new("curl").arg("--version").output() else {
        eprintln!("curl not installed: skipped");
        return;
    };
    if !out.status.success() {
        return;
    }
    let fx = Fixture::new("curl");
    let srv = Server::start(&fx.root, &[]);
    let dest = fx.dir.path().join("big.out");
    let st = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o"])
        .arg(&dest)
        .arg(format!("http://127.0.0.1:{}/big.bin", srv.port))
        .status()
        .unwrap();
    assert!(st.success());
    assert!(std::fs::read(&dest).unwrap() == std::fs::read(fx.root.join("big.bin")).unwrap());
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "20", "-r", "0-9,100-109", "-i"])
        .arg(format!("http://127.0.0.1:{}/4k.bin", srv.port))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("HTTP/1.1 206 Partial Content"));
}

#[test]
fn access_log_in_combined_format() {
    let fx = Fixture::new("log");
    let mut srv = Server::start(&fx.root, &["--access-log", "-"]);
    let mut s = srv.connect();
    s.write_all(b"GET /index.html?q=x HTTP/1.1\r\nHost: t\r\nUser-Agent: t \"1\"\r\nReferer: http://r/\r\n\r\n")
        .unwrap();
    let mut rd = Reader::new(s);
    assert_eq!(rd.response(false).status, 200);
    drop(rd);
    let _ = srv.get("/missing", &[]);
    let out = srv.stop_and_read_stdout();
    // Two workers flush their own lines: order across threads is not fixed.
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_by_key(|l| l.contains("/missing"));
    assert_eq!(lines.len(), 2, "{out}");
    let l = lines[0];
    assert!(l.starts_with("127.0.0.1 - - ["), "{l}");
    assert!(
        l.ends_with("] \"GET /index.html?q=x HTTP/1.1\" 200 100 \"http://r/\" \"t \\x221\\x22\""),
        "{l}"
    );
    assert!(
        lines[1].contains("\"GET /missing HTTP/1.1\" 404 14 \"-\" \"-\""),
        "{}",
        lines[1]
    );
}

/// A download the client aborts is logged with the body bytes actually sent,
/// not the file's length; one sent whole, with all of them.
#[test]
fn access_log_counts_the_bytes_of_an_aborted_download() {
    let fx = Fixture::new("logabort");
    const LEN: usize = 64 << 20;
    std::fs::write(fx.root.join("huge.bin"), noise(LEN, 9)).unwrap();
    let log = fx.dir.path().join("access.log");
    let srv = Server::start(
        &fx.root,
        &["--access-log", log.to_str().unwrap(), "--threads", "1"],
    );
    let mut s = srv.connect();
    s.write_all(&request("GET", "/huge.bin", &[])).unwrap();
    let mut got = 0usize;
    let mut buf = vec![0u8; 256 * 1024];
    while got < 2 << 20 {
        let n = std::io::Read::read(&mut s, &mut buf).unwrap();
        assert!(n > 0);
        got += n;
    }
    drop(s); // unread data: the close is a reset
    let r = srv.get("/big.bin", &[]);
    assert_eq!(r.body.len(), 3 << 20);
    let mut lines = String::new();
    assert!(eventually(Duration::from_secs(10), || {
        lines = std::fs::read_to_string(&log).unwrap_or_default();
        lines.lines().count() == 2
    }));
    let bytes_of = |path: &str| -> u64 {
        let line = lines.lines().find(|l| l.contains(path)).unwrap();
        let after = line.split("\" 200 ").nth(1).unwrap();
        after.split(' ').next().unwrap().parse().unwrap()
    };
    let cut = bytes_of("/huge.bin");
    assert!(
        cut > 0 && cut < LEN as u64,
        "aborted download logged as {cut}"
    );
    assert_eq!(bytes_of("/big.bin"), 3 << 20);
}

/// A body above the large-body threshold (8 MiB, sent with a raised send
/// buffer) between small ones on one keep-alive connection: every byte of
/// each arrives, in order.
#[test]
fn a_large_body_between_small_ones_on_one_connection() {
    let fx = Fixture::new("largebody");
    let large = noise(9 << 20, 11);
    std::fs::write(fx.root.join("large.bin"), &large).unwrap();
    let srv = Server::start(&fx.root, &[]);
    let mut rd = Reader::new(srv.connect());
    for path in [
        "/4k.bin",
        "/large.bin",
        "/index.html",
        "/large.bin",
        "/4k.bin",
    ] {
        rd.stream.write_all(&request("GET", path, &[])).unwrap();
        let r = rd.response(false);
        assert_eq!(r.status, 200, "{path}");
        match path {
            "/large.bin" => assert!(r.body == large, "{path}: body differs"),
            "/4k.bin" => assert_eq!(r.body.len(), 4096),
            _ => assert_eq!(r.body.len(), 100),
        }
    }
}
