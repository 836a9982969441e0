//! Precompressed siblings (`NAME.br`, `NAME.zst`, `NAME.gz`): negotiation
//! by `Accept-Encoding`, `Vary`, a representation's own ETag, ranges,
//! conditionals and HEAD on the chosen one, stale siblings ignored.

use std::time::{Duration, SystemTime};

use crate::common::*;

/// A docroot with `app.js` and its three siblings (their bytes say which
/// they are: the server never decodes them), a large `big.js` with a
/// Brotli sibling (sent with `sendfile`), and `stale.css` whose gzip
/// sibling is older than it.
fn site(tag: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new(tag);
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let w = |p: &str, data: &[u8]| std::fs::write(root.join(p), data).unwrap();
    w("app.js", b"console.log('identity bytes of app.js');\n");
    w("app.js.br", b"BR-BYTES");
    w("app.js.zst", b"ZSTD-BYTES!");
    w("app.js.gz", b"GZIP-BYTES-OF-APP");
    w("only-gz.txt", b"text with a gzip sibling only\n");
    w("only-gz.txt.gz", b"GZ");
    w("big.js", &noise(300 << 10, 3));
    w("big.js.br", &noise(100 << 10, 5));
    w("stale.css", b"body{color:red}\n");
    w("stale.css.gz", b"OLD-GZ");
    w("tiny.txt", b"tiny\n");
    w("tiny.txt.gz", b"LARGER THAN TINY");
    let old = SystemTime::now() - Duration::from_secs(3600);
    let f = std::fs::File::options()
        .write(true)
        .open(root.join("stale.css.gz"))
        .unwrap();
    f.set_modified(old).unwrap();
    (dir, root)
}

#[test]
fn the_best_accepted_coding_is_served_with_vary_and_its_own_etag() {
    let (_dir, root) = site("pc-choose");
    let srv = Server::start(&root, &[]);
    let identity = srv.get("/app.js", &[]);
    assert_eq!(identity.status, 200);
    assert_eq!(identity.body, b"console.log('identity bytes of app.js');\n");
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.header("vary"), Some("Accept-Encoding"));
    assert_eq!(
        identity.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let mut etags = vec![identity.header("etag").unwrap().to_owned()];
    for (accept, body, coding) in [
        ("gzip, deflate, br, zstd", &b"BR-BYTES"[..], "br"),
        ("gzip;q=1, br;q=0.5", b"GZIP-BYTES-OF-APP", "gzip"),
        ("br;q=0, *", b"ZSTD-BYTES!", "zstd"),
        ("x-gzip", b"GZIP-BYTES-OF-APP", "gzip"),
        ("ZSTD;Q=0.9, identity;q=0.1", b"ZSTD-BYTES!", "zstd"),
    ] {
        let r = srv.get("/app.js", &[&format!("Accept-Encoding: {accept}")]);
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(r.body, body, "{accept}");
        assert_eq!(r.header("content-encoding"), Some(coding), "{accept}");
        assert_eq!(r.header("vary"), Some("Accept-Encoding"), "{accept}");
        assert_eq!(
            r.header("content-type"),
            Some("text/javascript; charset=utf-8"),
            "{accept}"
        );
        assert_eq!(
            r.header("content-length"),
            Some(body.len().to_string().as_str())
        );
        etags.push(r.header("etag").unwrap().to_owned());
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 4, "one ETag per representation: {etags:?}");

    // Identity wins when it is preferred or nothing else is acceptable.
    for accept in [
        "",
        "identity",
        "gzip;q=0.5, identity",
        "deflate",
        "br;q=0, zstd;q=0, gzip;q=0",
    ] {
        let r = srv.get("/app.js", &[&format!("Accept-Encoding: {accept}")]);
        assert_eq!(r.status, 200, "{accept:?}");
        assert_eq!(r.header("content-encoding"), None, "{accept:?}");
        assert_eq!(r.body, identity.body, "{accept:?}");
    }
}

#[test]
fn refusing_identity_and_every_sibling_is_406() {
    let (_dir, root) = site("pc-406");
    let srv = Server::start(&root, &[]);
    let r = srv.get("/only-gz.txt", &["Accept-Encoding: br, identity;q=0"]);
    assert_eq!(r.status, 406, "{}", r.head_str());
    let r = srv.get("/only-gz.txt", &["Accept-Encoding: *;q=0"]);
    assert_eq!(r.status, 406);
    let r = srv.get("/only-gz.txt", &["Accept-Encoding: gzip, identity;q=0"]);
    assert_eq!((r.status, &r.body[..]), (200, &b"GZ"[..]));
}

#[test]
fn a_sibling_older_than_its_original_is_never_served() {
    let (_dir, root) = site("pc-stale");
    let srv = Server::start(&root, &[]);
    let r = srv.get("/stale.css", &["Accept-Encoding: gzip"]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"body{color:red}\n");
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("vary"), None);
}

#[test]
fn a_sibling_not_smaller_than_its_original_is_never_served() {
    let (_dir, root) = site("pc-larger");
    let srv = Server::start(&root, &[]);
    let r = srv.get("/tiny.txt", &["Accept-Encoding: gzip"]);
    assert_eq!(r.body, b"tiny\n");
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("vary"), None);
}

#[test]
fn ranges_conditionals_and_head_apply_to_the_chosen_representation() {
    let (_dir, root) = site("pc-range");
    let srv = Server::start(&root, &[]);
    let gz = ["Accept-Encoding: gzip"];
    let r = srv.get("/app.js", &["Accept-Encoding: gzip", "Range: bytes=0-3"]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, b"GZIP");
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.header("content-range"), Some("bytes 0-3/17"));
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));

    // Several ranges of an encoded representation: the whole of it (the
    // parts of a multipart body could not name the coding).
    let r = srv.get(
        "/big.js",
        &["Accept-Encoding: br", "Range: bytes=0-9,50000-50009"],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(r.body, noise(100 << 10, 5));
    // The identity representation still gets its multipart answer.
    let r = srv.get("/big.js", &["Range: bytes=0-9,50000-50009"]);
    assert_eq!(r.status, 206);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("multipart/byteranges")
    );

    // A range beyond the encoded representation: 416 with its length, and Vary.
    let r = srv.get("/app.js", &["Accept-Encoding: gzip", "Range: bytes=30-40"]);
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range"), Some("bytes */17"));
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));

    let etag = srv.get("/app.js", &gz).header("etag").unwrap().to_owned();
    let inm = format!("If-None-Match: {etag}");
    let r = srv.get("/app.js", &["Accept-Encoding: gzip", &inm]);
    assert_eq!(r.status, 304);
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));
    // The gzip ETag does not match the identity representation.
    let r = srv.get("/app.js", &[&inm]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), None);

    let mut s = srv.connect();
    std::io::Write::write_all(&mut s, &request("HEAD", "/app.js", &gz)).unwrap();
    let r = Reader::new(s).response(true);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.header("content-length"), Some("17"));
}

#[test]
fn large_siblings_are_sent_whole_and_off_turns_it_off() {
    let (_dir, root) = site("pc-big");
    let srv = Server::start(&root, &[]);
    let r = srv.get("/big.js", &["Accept-Encoding: br"]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(r.body, noise(100 << 10, 5));
    let r = srv.get("/big.js", &[]);
    assert_eq!(r.body, noise(300 << 10, 3));

    let off = Server::start(&root, &["--no-precompressed"]);
    let r = off.get("/app.js", &["Accept-Encoding: gzip, br, zstd"]);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("vary"), None);
    assert_eq!(r.body, b"console.log('identity bytes of app.js');\n");
    // A sibling asked for by name is an ordinary file.
    let r = srv.get("/app.js.gz", &["Accept-Encoding: gzip"]);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("content-type"), Some("application/gzip"));
}

#[test]
fn a_sibling_added_later_is_found_at_the_next_revalidation() {
    let (_dir, root) = site("pc-later");
    let srv = Server::start(&root, &["--cache-ttl", "0.2"]);
    let r = srv.get("/stale.css", &["Accept-Encoding: br"]);
    assert_eq!(r.header("content-encoding"), None);
    std::fs::write(root.join("stale.css.br"), b"NEW-BR").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = srv.get("/stale.css", &["Accept-Encoding: br"]);
        if r.header("content-encoding") == Some("br") {
            assert_eq!(r.body, b"NEW-BR");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "sibling never found");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Text that compresses well (and differs from line to line).
fn prose(lines: usize) -> Vec<u8> {
    (0..lines)
        .map(|i| format!("<p>Line {i}: tern serves files; text like this compresses well.</p>\n"))
        .collect::<String>()
        .into_bytes()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(data), &mut out).unwrap();
    out
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut brotli::Decompressor::new(data, 4096), &mut out).unwrap();
    out
}

#[test]
fn compress_encodes_text_once_and_serves_it_like_a_sibling() {
    let (_dir, root) = site("pc-compress");
    let page = prose(80);
    let big = prose(4000);
    std::fs::write(root.join("page.html"), &page).unwrap();
    std::fs::write(root.join("big.txt"), &big).unwrap();
    std::fs::write(root.join("logo.png"), noise(5000, 9)).unwrap();
    let srv = Server::start(&root, &["--compress"]);

    let r = srv.get("/page.html", &["Accept-Encoding: gzip, br"]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));
    assert!(r.body.len() < page.len() / 4, "{} bytes", r.body.len());
    assert_eq!(unbrotli(&r.body), page);
    let etag = r.header("etag").unwrap().to_owned();
    assert!(
        etag.starts_with("W/\"") && etag.ends_with("-br\""),
        "{etag}"
    );

    let r = srv.get("/page.html", &["Accept-Encoding: gzip"]);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&r.body), page);

    // The identity response varies too, and has the strong tag.
    let r = srv.get("/page.html", &[]);
    assert_eq!(r.body, page);
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));
    assert!(r.header("etag").unwrap().starts_with('"'));

    // Revalidation of the encoded copy (weak comparison), HEAD, a range.
    let inm = format!("If-None-Match: {etag}");
    let r = srv.get("/page.html", &["Accept-Encoding: br", &inm]);
    assert_eq!(r.status, 304);
    let encoded = srv.get("/page.html", &["Accept-Encoding: br"]).body;
    let r = srv.get("/page.html", &["Accept-Encoding: br", "Range: bytes=0-9"]);
    assert_eq!((r.status, &r.body[..]), (206, &encoded[..10]));
    let mut s = srv.connect();
    std::io::Write::write_all(
        &mut s,
        &request("HEAD", "/page.html", &["Accept-Encoding: br"]),
    )
    .unwrap();
    let r = Reader::new(s).response(true);
    assert_eq!(
        r.header("content-length"),
        Some(encoded.len().to_string().as_str())
    );

    // A copy larger than the inline limit is sent from its in-memory file.
    let r = srv.get("/big.txt", &["Accept-Encoding: gzip"]);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() > 8192);
    assert_eq!(gunzip(&r.body), big);

    // Binary types and files with a sibling are left alone.
    let r = srv.get("/logo.png", &["Accept-Encoding: gzip, br"]);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("vary"), None);
    let r = srv.get("/app.js", &["Accept-Encoding: gzip"]);
    assert_eq!(r.body, b"GZIP-BYTES-OF-APP");

    // Off by default.
    let plain = Server::start(&root, &[]);
    let r = plain.get("/page.html", &["Accept-Encoding: gzip, br"]);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("vary"), None);
}

#[test]
fn compress_follows_a_changed_file() {
    let (_dir, root) = site("pc-compress-change");
    std::fs::write(root.join("page.html"), prose(50)).unwrap();
    let srv = Server::start(&root, &["--compress", "--cache-ttl", "0.2"]);
    let r = srv.get("/page.html", &["Accept-Encoding: br"]);
    assert_eq!(unbrotli(&r.body), prose(50));
    std::fs::write(root.join("page.html"), prose(60)).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = srv.get("/page.html", &["Accept-Encoding: br"]);
        if unbrotli(&r.body) == prose(60) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "old bytes still served"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
