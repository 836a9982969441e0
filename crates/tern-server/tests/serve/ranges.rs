//! Range requests (RFC 9110 §14).

use std::io::Write;

use crate::common::*;

fn four_k(fx: &Fixture) -> Vec<u8> {
    std::fs::read(fx.root.join("4k.bin")).unwrap()
}

#[test]
fn single_ranges() {
    let fx = Fixture::new("range1");
    let srv = Server::start(&fx.root, &[]);
    let data = four_k(&fx);
    for (spec, start, end) in [
        ("0-9", 0, 10),
        ("-10", 4086, 4096),
        ("4090-", 4090, 4096),
        ("100-99999", 100, 4096),
    ] {
        let r = srv.get("/4k.bin", &[&format!("Range: bytes={spec}")]);
        assert_eq!(r.status, 206, "{spec}");
        assert_eq!(
            r.header("content-range"),
            Some(format!("bytes {}-{}/4096", start, end - 1).as_str())
        );
        assert_eq!(r.body, &data[start..end]);
    }
    // big file, served with sendfile from an offset
    let big = std::fs::read(fx.root.join("big.bin")).unwrap();
    let r = srv.get("/big.bin", &["Range: bytes=1000000-1999999"]);
    assert_eq!(r.status, 206);
    assert!(r.body == big[1_000_000..2_000_000]);
}

#[test]
fn unsatisfiable_is_416() {
    let fx = Fixture::new("range416");
    let srv = Server::start(&fx.root, &[]);
    let r = srv.get("/4k.bin", &["Range: bytes=5000-6000"]);
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range"), Some("bytes */4096"));
    // invalid syntax is ignored: whole file
    let r = srv.get("/4k.bin", &["Range: bytes=9-1"]);
    assert_eq!((r.status, r.body.len()), (200, 4096));
    let r = srv.get("/4k.bin", &["Range: lines=1-2"]);
    assert_eq!(r.status, 200);
}

fn parse_multipart(r: &Response) -> Vec<(String, Vec<u8>)> {
    let ct = r.header("content-type").unwrap();
    let boundary = ct
        .strip_prefix("multipart/byteranges; boundary=")
        .expect(ct);
    let delim = format!("\r\n--{boundary}");
    let body = &r.body;
    let mut parts = Vec::new();
    let mut pos = 0;
    loop {
        assert_eq!(&body[pos..pos + delim.len()], delim.as_bytes());
        pos += delim.len();
        if &body[pos..pos + 2] == b"--" {
            assert_eq!(&body[pos..], b"--\r\n");
            break;
        }
        let head_end = pos
            + body[pos..]
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap()
            + 4;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let cr = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Range: bytes "))
            .unwrap()
            .to_owned();
        let (a, rest) = cr.split_once('-').unwrap();
        let (b, _) = rest.split_once('/').unwrap();
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        parts.push((cr.clone(), body[head_end..head_end + (b - a + 1)].to_vec()));
        pos = head_end + (b - a + 1);
    }
    parts
}

#[test]
fn several_ranges_are_multipart() {
    let fx = Fixture::new("rangemulti");
    let srv = Server::start(&fx.root, &[]);
    let data = four_k(&fx);
    let r = srv.get("/4k.bin", &["Range: bytes=0-9,3000-3009"]);
    assert_eq!(r.status, 206);
    assert_eq!(
        r.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        r.body.len()
    );
    let parts = parse_multipart(&r);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0], ("0-9/4096".to_owned(), data[0..10].to_vec()));
    assert_eq!(
        parts[1],
        ("3000-3009/4096".to_owned(), data[3000..3010].to_vec())
    );
    // a large file, parts sent with sendfile
    let big = std::fs::read(fx.root.join("big.bin")).unwrap();
    let r = srv.get("/big.bin", &["Range: bytes=-5, 0-99999, 2000000-2100000"]);
    let parts = parse_multipart(&r);
    assert_eq!(parts.len(), 3);
    assert!(parts[0].1 == big[0..100_000]);
    assert!(parts[1].1 == big[2_000_000..2_100_001]);
    assert!(parts[2].1 == big[big.len() - 5..]);
}

#[test]
fn overlapping_ranges_are_coalesced_not_amplified() {
    let fx = Fixture::new("rangecoal");
    let srv = Server::start(&fx.root, &[]);
    let many = vec!["0-"; 50].join(",");
    let r = srv.get("/4k.bin", &[&format!("Range: bytes={many}")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body.len(), 4096);
    let r = srv.get("/4k.bin", &["Range: bytes=0-9,5-20,15-30"]);
    assert_eq!(r.header("content-range"), Some("bytes 0-30/4096"));
    let spread: Vec<String> = (0..40)
        .map(|i| format!("{}-{}", i * 100, i * 100))
        .collect();
    let r = srv.get("/4k.bin", &[&format!("Range: bytes={}", spread.join(","))]);
    assert_eq!((r.status, r.body.len()), (200, 4096));
}

#[test]
fn if_range() {
    let fx = Fixture::new("ifrange");
    let srv = Server::start(&fx.root, &[]);
    let etag = fx.etag("4k.bin");
    let lm = fx.last_modified("4k.bin");
    let get = |h: &str| srv.get("/4k.bin", &["Range: bytes=0-9", h]).status;
    assert_eq!(get(&format!("If-Range: {etag}")), 206);
    assert_eq!(get(&format!("If-Range: {lm}")), 206);
    assert_eq!(get("If-Range: \"other\""), 200);
    assert_eq!(get(&format!("If-Range: W/{etag}")), 200);
    assert_eq!(get("If-Range: Mon, 01 Jan 2001 00:00:00 GMT"), 200);
}

#[test]
fn range_is_ignored_for_head() {
    let fx = Fixture::new("rangehead");
    let srv = Server::start(&fx.root, &[]);
    let mut rd = Reader::new(srv.connect());
    rd.stream
        .write_all(&request("HEAD", "/4k.bin", &["Range: bytes=0-9"]))
        .unwrap();
    let r = rd.response(true);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("4096"));
}
