//! Nothing outside ROOT, nothing hidden.

use crate::common::*;

#[test]
fn traversal_attempts_never_leave_root() {
    let fx = Fixture::new("traversal");
    let srv = Server::start(&fx.root, &[]);
    let attempts = [
        "/../outside.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/outside.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2foutside.txt",
        "/dir/..%2f..%2foutside.txt",
        "/%252e%252e/outside.txt",
        "/%25%32%65%25%32%65/outside.txt",
        "/..\\outside.txt",
        "/dir\\..\\..\\outside.txt",
        "/%c0%ae%c0%ae/outside.txt",
        "/%c0%af..%c0%afoutside.txt",
        "/%e0%80%ae%e0%80%ae/outside.txt",
        "/dir/%00/../../outside.txt",
        "/index.html%00.txt",
        "/escape.txt",
        "/etc-link/passwd",
        "/etc-link/",
        "/./../outside.txt",
        "//../outside.txt",
        "http://evil/../outside.txt",
    ];
    for t in attempts {
        let r = srv.get(t, &[]);
        assert!(matches!(r.status, 400 | 404), "{t}: {}", r.status);
        let body = String::from_utf8_lossy(&r.body);
        assert!(
            !body.contains("outside secret") && !body.contains("root:"),
            "{t} leaked"
        );
    }
    // Raw bytes the parser itself refuses.
    let raw = srv.raw(b"GET /a\x00b HTTP/1.1\r\nHost: t\r\n\r\n");
    assert!(raw.starts_with(b"HTTP/1.1 400 "));
}

#[test]
fn dot_segments_inside_root_resolve() {
    let fx = Fixture::new("dots");
    let srv = Server::start(&fx.root, &[]);
    assert_eq!(srv.get("/dir/../index.html", &[]).body, INDEX);
    assert_eq!(srv.get("/dir/./a.txt", &[]).body, b"a\n");
    // a name that merely looks encoded is a name
    assert_eq!(srv.get("/%252e%252e", &[]).body, b"literal percent name\n");
}

#[test]
fn symlinks_inside_root_are_followed_outside_refused() {
    let fx = Fixture::new("symlinks");
    let srv = Server::start(&fx.root, &[]);
    let r = srv.get("/link.bin", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 4096);
    assert_eq!(srv.get("/escape.txt", &[]).status, 404);
}

#[test]
fn hidden_files_are_not_served_unless_allowed() {
    let fx = Fixture::new("hidden");
    let srv = Server::start(&fx.root, &[]);
    for t in ["/.hidden", "/sub/.git/config", "/%2ehidden", "/sub/.git/"] {
        assert_eq!(srv.get(t, &[]).status, 404, "{t}");
    }
    drop(srv);
    let srv = Server::start(&fx.root, &["--hidden"]);
    assert_eq!(srv.get("/.hidden", &[]).body, b"hidden file\n");
    assert_eq!(srv.get("/sub/.git/config", &[]).status, 200);
}

/// The trailing-slash redirect of a directory never points at another host:
/// `Location` is built from the normalized path, not copied from the target.
#[test]
fn directory_redirect_is_not_an_open_redirect() {
    let fx = Fixture::new("redirect");
    std::fs::create_dir_all(fx.root.join("evil.example")).unwrap();
    std::fs::create_dir_all(fx.root.join("x")).unwrap();
    let srv = Server::start(&fx.root, &[]);
    let cases = [
        ("//evil.example", "/evil.example/"),
        ("//evil.example?next=1", "/evil.example/?next=1"),
        ("//attacker.test/../sub", "/sub/"),
        ("///x", "/x/"),
        ("/%2e/x", "/x/"),
        ("//attacker.test/%2e%2E/x", "/x/"),
        ("/dir/%2e%2e/sub", "/sub/"),
        ("http://other.test//evil.example", "/evil.example/"),
        ("http://other.test/sub?q=1", "/sub/?q=1"),
        ("HTTP://other.test//evil.example?a", "/evil.example/?a"),
        ("/sub", "/sub/"),
        ("/sub?a=1&b", "/sub/?a=1&b"),
    ];
    for (target, want) in cases {
        let r = srv.get(target, &[]);
        assert_eq!(r.status, 301, "{target}");
        let loc = r.header("location").unwrap_or_default();
        assert_eq!(loc, want, "{target}");
        assert!(
            !loc.starts_with("//") && !loc.starts_with("/\\"),
            "{target}: {loc}"
        );
    }
}
