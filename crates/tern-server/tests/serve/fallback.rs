//! `--fallback FILE` (single-page apps) and `--not-found FILE`.

use crate::common::*;

const HTML: &str = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";

fn head(srv: &Server, target: &str, headers: &[&str]) -> Response {
    let mut s = srv.connect();
    std::io::Write::write_all(&mut s, &request("HEAD", target, headers)).unwrap();
    Reader::new(s).response(true)
}

#[test]
fn fallback_serves_routes_but_not_missing_assets() {
    let fx = Fixture::new("fallback");
    let index = fx.root.join("index.html");
    let srv = Server::start(&fx.root, &["--fallback", index.to_str().unwrap()]);
    for route in ["/settings", "/users/42/profile", "/deep/route/"] {
        let r = srv.get(route, &[HTML]);
        assert_eq!(r.status, 200, "{route}");
        assert_eq!(r.body, INDEX, "{route}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    }
    // No Accept at all: a browser navigation always sends one, but a
    // client that states nothing accepts anything.
    assert_eq!(srv.get("/settings", &[]).status, 200);
    let r = head(&srv, "/settings", &[HTML]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("100"));
    // Missing assets and clients that do not take HTML get 404.
    for (route, accept) in [
        ("/app.js", HTML),
        ("/img/logo.png", HTML),
        ("/settings", "Accept: application/json"),
        ("/settings", "Accept: text/html;q=0, */*"),
    ] {
        let r = srv.get(route, &[accept]);
        assert_eq!(r.status, 404, "{route} {accept}");
    }
    // Files that exist are still themselves.
    assert_eq!(srv.get("/notes.txt", &[HTML]).body, b"plain text\n");
    // Other methods are not served the page.
    let r = srv.raw(b"DELETE /settings HTTP/1.1\r\nHost: t\r\n\r\n");
    assert!(r.starts_with(b"HTTP/1.1 405"));
}

#[test]
fn not_found_page_is_the_body_of_404() {
    let fx = Fixture::new("notfound");
    let page = fx.dir.path().join("404.html");
    std::fs::write(&page, b"<h1>Nothing here</h1>\n").unwrap();
    let srv = Server::start(&fx.root, &["--not-found", page.to_str().unwrap()]);
    let r = srv.get("/missing.txt", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.body, b"<h1>Nothing here</h1>\n");
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("etag"), None);
    let r = srv.get("/.hidden", &[]);
    assert_eq!(
        (r.status, &r.body[..]),
        (404, &b"<h1>Nothing here</h1>\n"[..])
    );
    let r = head(&srv, "/missing.txt", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-length"), Some("22"));
    // The connection stays usable after a 404 page.
    let mut s = srv.connect();
    std::io::Write::write_all(
        &mut s,
        &[
            request("GET", "/nope", &[]),
            request("GET", "/notes.txt", &[]),
        ]
        .concat(),
    )
    .unwrap();
    let mut rd = Reader::new(s);
    assert_eq!(rd.response(false).status, 404);
    assert_eq!(rd.response(false).body, b"plain text\n");

    // With a fallback too: routes get the app, assets the 404 page.
    let index = fx.root.join("index.html");
    let both = Server::start(
        &fx.root,
        &[
            "--fallback",
            index.to_str().unwrap(),
            "--not-found",
            page.to_str().unwrap(),
        ],
    );
    assert_eq!(both.get("/route", &[HTML]).body, INDEX);
    assert_eq!(
        both.get("/gone.css", &[HTML]).body,
        b"<h1>Nothing here</h1>\n"
    );
}

#[test]
fn a_missing_page_file_is_refused_at_start() {
    let fx = Fixture::new("fallback-bad");
    for option in ["--fallback", "--not-found"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tern"))
            .arg(&fx.root)
            .args([option, "/definitely/not/here.html"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{option}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(option), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
