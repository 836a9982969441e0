//! Conditional requests (RFC 9110 §13): validators, 304, 412, precedence.

use crate::common::*;

#[test]
fn if_none_match_gives_304_with_validators() {
    let fx = Fixture::new("inm");
    let srv = Server::start(&fx.root, &[]);
    let etag = fx.etag("index.html");
    let r = srv.get("/index.html", &[&format!("If-None-Match: {etag}")]);
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert_eq!(r.header("content-length"), None);
    let lm = fx.last_modified("index.html");
    assert_eq!(r.header("last-modified"), Some(lm.as_str()));
    // weak comparison, lists, star
    for v in [
        format!("W/{etag}"),
        format!("\"nope\", {etag}"),
        "*".to_owned(),
    ] {
        assert_eq!(
            srv.get("/index.html", &[&format!("If-None-Match: {v}")])
                .status,
            304,
            "{v}"
        );
    }
    assert_eq!(
        srv.get("/index.html", &["If-None-Match: \"other\""]).status,
        200
    );
    // HEAD too
    let mut rd = Reader::new(srv.connect());
    use std::io::Write;
    rd.stream
        .write_all(&request(
            "HEAD",
            "/index.html",
            &[&format!("If-None-Match: {etag}")],
        ))
        .unwrap();
    assert_eq!(rd.response(true).status, 304);
}

#[test]
fn if_modified_since() {
    let fx = Fixture::new("ims");
    let srv = Server::start(&fx.root, &[]);
    let lm = fx.last_modified("index.html");
    assert_eq!(
        srv.get("/index.html", &[&format!("If-Modified-Since: {lm}")])
            .status,
        304
    );
    assert_eq!(
        srv.get(
            "/index.html",
            &["If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT"]
        )
        .status,
        200
    );
    assert_eq!(
        srv.get(
            "/index.html",
            &["If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"]
        )
        .status,
        304
    );
    assert_eq!(
        srv.get("/index.html", &["If-Modified-Since: garbage"])
            .status,
        200
    );
    // If-None-Match takes precedence: a non-matching tag means 200 even if the date matches.
    let r = srv.get(
        "/index.html",
        &[
            "If-None-Match: \"other\"",
            &format!("If-Modified-Since: {lm}"),
        ],
    );
    assert_eq!(r.status, 200);
}

#[test]
fn if_match_and_if_unmodified_since_give_412() {
    let fx = Fixture::new("im");
    let srv = Server::start(&fx.root, &[]);
    let etag = fx.etag("index.html");
    assert_eq!(srv.get("/index.html", &["If-Match: \"other\""]).status, 412);
    // strong comparison: a weak tag never matches
    assert_eq!(
        srv.get("/index.html", &[&format!("If-Match: W/{etag}")])
            .status,
        412
    );
    assert_eq!(
        srv.get("/index.html", &[&format!("If-Match: {etag}")])
            .status,
        200
    );
    assert_eq!(srv.get("/index.html", &["If-Match: *"]).status, 200);
    assert_eq!(
        srv.get(
            "/index.html",
            &["If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT"]
        )
        .status,
        412
    );
    let lm = fx.last_modified("index.html");
    assert_eq!(
        srv.get("/index.html", &[&format!("If-Unmodified-Since: {lm}")])
            .status,
        200
    );
    // If-Match is evaluated first; If-Unmodified-Since is then ignored.
    assert_eq!(
        srv.get(
            "/index.html",
            &[
                &format!("If-Match: {etag}"),
                "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT"
            ]
        )
        .status,
        200
    );
    // 412 wins over 304
    assert_eq!(
        srv.get(
            "/index.html",
            &["If-Match: \"x\"", &format!("If-None-Match: {etag}")]
        )
        .status,
        412
    );
}

#[test]
fn a_changed_file_gets_a_new_etag_within_the_cache_ttl() {
    let fx = Fixture::new("change");
    let srv = Server::start(&fx.root, &["--cache-ttl", "0.2"]);
    let old = srv.get("/notes.txt", &[]);
    std::thread::sleep(std::time::Duration::from_millis(50));
    std::fs::write(fx.root.join("notes.txt"), b"changed content\n").unwrap();
    let ok = eventually(std::time::Duration::from_secs(5), || {
        let r = srv.get("/notes.txt", &[]);
        r.body == b"changed content\n" && r.header("etag") != old.header("etag")
    });
    assert!(ok, "change not noticed");
    std::fs::remove_file(fx.root.join("notes.txt")).unwrap();
    assert!(eventually(std::time::Duration::from_secs(5), || srv
        .get("/notes.txt", &[])
        .status
        == 404));
}
