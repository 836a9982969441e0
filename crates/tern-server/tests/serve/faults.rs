//! Faults from outside: files changing under the server, clients that vanish.

use std::io::Write;
use std::os::unix::fs::MetadataExt;

use crate::common::*;

/// A file rewritten in place (same inode, new length or new bytes) is never
/// sent with the old length: with a cache TTL far longer than the test, every
/// GET returns exactly the bytes on disk, with a matching `Content-Length`.
#[test]
fn a_file_rewritten_in_place_is_never_sent_with_a_stale_length() {
    let fx = Fixture::new("inplace");
    let path = fx.root.join("grow.bin");
    std::fs::write(&path, noise(50_000, 1)).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    let srv = Server::start(&fx.root, &["--cache-ttl", "600", "--threads", "1"]);
    let mut rd = Reader::new(srv.connect());
    let mut etags = std::collections::HashSet::new();
    for i in 0..40u64 {
        // lengths up and down, above the in-memory limit; every 5th the same length
        let len = if i % 5 == 4 {
            50_000
        } else {
            20_000 + (i * 7919) % 150_000
        } as usize;
        let data = noise(len, i + 2);
        std::fs::write(&path, &data).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().ino(),
            inode,
            "not in place"
        );
        rd.stream
            .write_all(&request("GET", "/grow.bin", &[]))
            .unwrap();
        let r = rd.response(false);
        assert_eq!(r.status, 200, "round {i}");
        assert_eq!(
            r.header("content-length"),
            Some(len.to_string().as_str()),
            "round {i}"
        );
        assert!(r.body == data, "round {i}: stale bytes");
        etags.insert(r.header("etag").unwrap().to_owned());
    }
    // every version had its own validator
    assert_eq!(etags.len(), 40);
}
