//! Operator header rules: `X-Content-Type-Options: nosniff` by default,
//! `--header` and `--cache-control` on successful responses, CORS.

use crate::common::*;

fn options(srv: &Server, headers: &[&str]) -> Response {
    let mut s = srv.connect();
    std::io::Write::write_all(&mut s, &request("OPTIONS", "/index.html", headers)).unwrap();
    Reader::new(s).response(true)
}

#[test]
fn nosniff_on_every_response() {
    let fx = Fixture::new("hdr-nosniff");
    let srv = Server::start(&fx.root, &[]);
    for target in ["/index.html", "/missing", "/dir", "/4k.bin"] {
        let r = srv.get(target, &[]);
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{target}"
        );
    }
}

#[test]
fn header_rules_go_on_successful_responses_only() {
    let fx = Fixture::new("hdr-rules");
    let srv = Server::start(
        &fx.root,
        &[
            "--header",
            "X-Frame-Options: DENY",
            "--header",
            "Permissions-Policy: camera=()",
            "--cache-control",
            "max-age=60",
        ],
    );
    let etag = fx.etag("4k.bin");
    let inm = format!("If-None-Match: {etag}");
    for (target, headers, status) in [
        ("/4k.bin", &[][..], 200),
        ("/big.bin", &[], 200),
        ("/4k.bin", &["Range: bytes=0-9"], 206),
        ("/4k.bin", &[inm.as_str()], 304),
    ] {
        let r = srv.get(target, headers);
        assert_eq!(r.status, status);
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{status}");
        assert_eq!(r.header("permissions-policy"), Some("camera=()"));
        assert_eq!(r.header("cache-control"), Some("max-age=60"), "{status}");
    }
    for (target, status) in [("/missing", 404), ("/dir", 301), ("/%zz", 400)] {
        let r = srv.get(target, &[]);
        assert_eq!(r.status, status);
        assert_eq!(r.header("cache-control"), None, "{status}");
        assert_eq!(r.header("x-frame-options"), None, "{status}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
}

#[test]
fn bad_header_rules_are_refused_at_start() {
    let fx = Fixture::new("hdr-bad");
    for args in [
        &["--header", "Content-Length: 5"][..],
        &["--header", "ETag: \"x\""],
        &["--header", "No colon"],
        &["--header", "X-A: a\u{7f}b"],
        &["--cors=example.com"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tern"))
            .arg(&fx.root)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn cors_any_origin_and_preflight() {
    let fx = Fixture::new("hdr-cors");
    let srv = Server::start(&fx.root, &["--cors"]);
    for target in ["/index.html", "/missing"] {
        let r = srv.get(target, &["Origin: https://elsewhere.example"]);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(r.header("vary"), None);
    }
    let r = options(
        &srv,
        &[
            "Origin: https://elsewhere.example",
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: x-requested-with, range",
        ],
    );
    assert_eq!(r.status, 204, "{}", r.head_str());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET, HEAD"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("x-requested-with, range")
    );
    assert!(r.header("access-control-max-age").is_some());
    assert_eq!(r.header("content-length"), None);
    // A plain OPTIONS still says what is allowed.
    let r = options(&srv, &[]);
    assert_eq!(r.status, 204);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(r.header("access-control-allow-methods"), None);
}

#[test]
fn cors_one_origin_varies_on_origin_and_off_means_no_cors() {
    let fx = Fixture::new("hdr-cors1");
    let srv = Server::start(&fx.root, &["--cors=https://app.example"]);
    let r = srv.get("/index.html", &["Origin: https://app.example"]);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(r.header("vary"), Some("Origin"));

    let plain = Server::start(&fx.root, &[]);
    let r = plain.get("/index.html", &["Origin: https://app.example"]);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = options(
        &plain,
        &[
            "Origin: https://app.example",
            "Access-Control-Request-Method: GET",
        ],
    );
    assert_eq!(r.header("access-control-allow-methods"), None);
}
