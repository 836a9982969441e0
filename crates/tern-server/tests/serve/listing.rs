//! Directory listings (`--list-dirs`): the HTML page and its JSON twin,
//! escaping, order, what is hidden, validators, and the 404 hint when
//! listings are off.

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::common::*;

/// A ROOT without `index.html`, with `<tmp>/outside.txt` next to it:
///
/// ```text
/// root/  zdir/ Adir/ b.txt(2 B) B.txt(1 B) <b>&.txt .hidden
///        link-in -> b.txt   link-dir -> zdir   link-out -> ../outside.txt
///        link-abs -> /etc/hostname   link-etc -> /etc   dangling -> nowhere
///        fifo   link-fifo -> fifo
///        zdir/ inner.txt  up-and-out -> ../../outside.txt  up-and-in -> ../b.txt
/// ```
struct Tree {
    _dir: TempDir,
    root: PathBuf,
}

impl Tree {
    fn new(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let root = dir.path().join("root");
        let w = |p: &str, data: &[u8]| std::fs::write(root.join(p), data).unwrap();
        std::fs::create_dir_all(root.join("zdir")).unwrap();
        std::fs::create_dir_all(root.join("Adir")).unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"outside secret\n").unwrap();
        w("b.txt", b"bb");
        w("B.txt", b"B");
        w("<b>&.txt", b"markup");
        w(".hidden", b"hidden");
        w("zdir/inner.txt", b"inner");
        symlink("b.txt", root.join("link-in")).unwrap();
        symlink("zdir", root.join("link-dir")).unwrap();
        symlink("../outside.txt", root.join("link-out")).unwrap();
        symlink("/etc/hostname", root.join("link-abs")).unwrap();
        symlink("nowhere", root.join("dangling")).unwrap();
        symlink("/etc", root.join("link-etc")).unwrap();
        symlink("fifo", root.join("link-fifo")).unwrap();
        symlink("../../outside.txt", root.join("zdir/up-and-out")).unwrap();
        symlink("../b.txt", root.join("zdir/up-and-in")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(root.join("fifo"))
            .status()
            .unwrap();
        assert!(fifo.success());
        Self { _dir: dir, root }
    }

    fn path(&self) -> &Path {
        &self.root
    }
}

/// The `href` values of a page's entry rows, in order (the breadcrumbs in
/// the heading are left out).
fn hrefs(html: &str) -> Vec<String> {
    let rows = &html[html.find("<tbody>").expect("a table")..];
    rows.split("<a href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

fn text(r: &Response) -> String {
    String::from_utf8(r.body.clone()).expect("a UTF-8 page")
}

/// The symlink-following entries appear only where the kernel has
/// `openat2` (Linux 5.6+); before it, tern follows no symlink at all.
fn follows_symlinks(srv: &Server) -> bool {
    srv.get("/link-in", &[]).status == 200
}

#[test]
fn the_page_lists_directories_first_escapes_names_and_hides_what_it_must() {
    let tree = Tree::new("lst-html");
    let srv = Server::start(tree.path(), &["--list-dirs"]);
    let r = srv.get("/", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("vary"), Some("Accept"));
    let html = text(&r);
    assert!(html.starts_with("<!DOCTYPE html>\n"), "{html}");
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(!html.contains("<script"));
    // `<b>&.txt` is shown as text and linked by its encoded bytes
    assert!(
        html.contains("<a href=\"%3Cb%3E%26.txt\">&lt;b&gt;&amp;.txt</a>"),
        "{html}"
    );
    assert!(!html.contains("<b>"), "{html}");
    // order: directories first, then files, each bytewise; no `../` at ROOT
    let want: Vec<&str> = if follows_symlinks(&srv) {
        vec![
            "Adir/",
            "link-dir/",
            "zdir/",
            "%3Cb%3E%26.txt",
            "B.txt",
            "b.txt",
            "link-in",
        ]
    } else {
        vec!["Adir/", "zdir/", "%3Cb%3E%26.txt", "B.txt", "b.txt"]
    };
    assert_eq!(hrefs(&html), want, "{html}");
    // not listed: hidden, links that leave ROOT, dangling links, a FIFO
    let absent = [
        ".hidden",
        "link-out",
        "link-abs",
        "link-etc",
        "dangling",
        "fifo",
        "link-fifo",
    ];
    for absent in absent {
        assert!(!html.contains(absent), "{absent} listed: {html}");
    }
    // sizes (exact bytes in an attribute) and UTC times
    assert!(
        html.contains("<td class=\"size\" data-bytes=\"2\" title=\"2 bytes\">2 B</td>"),
        "{html}"
    );
    assert!(html.contains("<time datetime=\"20"), "{html}");

    let sub = text(&srv.get("/zdir/", &[]));
    let want: Vec<&str> = if follows_symlinks(&srv) {
        vec!["../", "inner.txt", "up-and-in"]
    } else {
        vec!["../", "inner.txt"]
    };
    assert_eq!(hrefs(&sub), want, "{sub}");
    assert!(sub.contains("<title>Index of /zdir/</title>"), "{sub}");
    assert!(
        sub.contains("<h1>Index of <a href=\"../\">/</a><a href=\"./\">zdir</a>/</h1>"),
        "{sub}"
    );

    // every link of the page works
    for href in hrefs(&html) {
        let status = srv.get(&format!("/{href}"), &[]).status;
        assert_eq!(status, 200, "{href}");
    }
    assert_eq!(srv.get("/%3Cb%3E%26.txt", &[]).body, b"markup");
}

#[test]
fn awkward_names_link_to_themselves() {
    let tree = Tree::new("lst-names");
    let names: [&[u8]; 7] = [
        b"100% sure.txt",
        b"a#b.txt",
        b"what?.txt",
        b"two  spaces.txt",
        b"caf\xc3\xa9.txt",
        b"latin1-\xe9\xff.bin",
        b"new\nline.txt",
    ];
    for (i, name) in names.iter().enumerate() {
        let path = tree.root.join(OsStr::from_bytes(name));
        std::fs::write(path, format!("file {i}")).unwrap();
    }
    let srv = Server::start(tree.path(), &["--list-dirs"]);
    let html = text(&srv.get("/", &[]));
    assert!(html.contains(">caf\u{e9}.txt</a>"), "{html}");
    assert!(html.contains(">latin1-\u{fffd}\u{fffd}.bin</a>"), "{html}");
    assert!(html.contains(">new\u{240a}line.txt</a>"), "{html}");
    let links = hrefs(&html);
    for (i, name) in names.iter().enumerate() {
        let href = links
            .iter()
            .find(|h| decode(h) == *name)
            .unwrap_or_else(|| panic!("no link to {}", String::from_utf8_lossy(name)));
        let r = srv.get(&format!("/{href}"), &[]);
        assert_eq!(r.status, 200, "{href}");
        assert_eq!(r.body, format!("file {i}").as_bytes(), "{href}");
    }
}

fn decode(href: &str) -> Vec<u8> {
    let b = href.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap(),
            );
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn hidden_entries_are_listed_with_hidden() {
    let tree = Tree::new("lst-hidden");
    let srv = Server::start(tree.path(), &["--list-dirs", "--hidden"]);
    let html = text(&srv.get("/", &[]));
    assert!(hrefs(&html).contains(&".hidden".to_owned()), "{html}");
    assert_eq!(srv.get("/.hidden", &[]).body, b"hidden");
}

#[test]
fn json_when_the_client_prefers_it() {
    let tree = Tree::new("lst-json");
    let odd: &[u8] = b"q\"uote\\back\x01\xff.txt";
    std::fs::write(tree.root.join(OsStr::from_bytes(odd)), b"odd").unwrap();
    let srv = Server::start(tree.path(), &["--list-dirs"]);
    let html = srv.get("/", &[]);
    for accept in [
        "application/json",
        "application/json, text/html;q=0.9",
        "text/html;q=0.1, application/*",
    ] {
        let r = srv.get("/", &[&format!("Accept: {accept}")]);
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{accept}"
        );
        assert_eq!(r.header("vary"), Some("Accept"), "{accept}");
        assert_ne!(r.header("etag"), html.header("etag"), "{accept}");
        assert_eq!(r.header("last-modified"), html.header("last-modified"));
    }
    for accept in [
        "text/html",
        "*/*",
        "text/html, application/json",
        "application/json;q=0",
    ] {
        let r = srv.get("/", &[&format!("Accept: {accept}")]);
        assert_eq!(
            r.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{accept}"
        );
        assert_eq!(r.body, html.body, "{accept}");
    }
    let r = srv.get("/", &["Accept: application/json"]);
    let doc: serde_json::Value = serde_json::from_slice(&r.body).expect("valid JSON");
    assert_eq!(doc["path"], "/");
    assert_eq!(doc["truncated"], false);
    let entries = doc["entries"].as_array().unwrap();
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    let followed = follows_symlinks(&srv);
    let mut want = vec![
        "Adir", "link-dir", "zdir", "<b>&.txt", "B.txt", "b.txt", "link-in",
    ];
    want.push("q\"uote\\back\u{1}\u{fffd}.txt");
    if !followed {
        want.retain(|n| !n.starts_with("link"));
    }
    assert_eq!(names, want);
    let b = entries.iter().find(|e| e["name"] == "b.txt").unwrap();
    assert_eq!(b["type"], "file");
    assert_eq!(b["size"], 2);
    assert_eq!(b["symlink"], false);
    assert_eq!(b["href"], "b.txt");
    let modified = b["modified"].as_str().unwrap();
    let mtime = std::fs::metadata(tree.root.join("b.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let secs = mtime
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // "2026-12-03T10:40:00Z" against "Thu, 03 Dec 2026 10:40:00 GMT"
    let http =
        httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
    assert_eq!(&modified[8..10], &http[5..7], "{modified} {http}");
    assert_eq!(&modified[11..19], &http[17..25], "{modified} {http}");
    assert!(modified.ends_with('Z') && modified[..4] == http[12..16]);
    let adir = &entries[0];
    assert_eq!(adir["type"], "directory");
    assert_eq!(adir["href"], "Adir/");
    assert!(adir.get("size").is_none());
    if followed {
        let link = entries.iter().find(|e| e["name"] == "link-in").unwrap();
        assert_eq!(link["symlink"], true);
        assert_eq!(link["size"], 2);
    }
    // the href holds the exact bytes of a name JSON can only show lossily
    let odd_entry = entries
        .iter()
        .find(|e| e["name"].as_str().unwrap().starts_with("q\""))
        .unwrap();
    let href = odd_entry["href"].as_str().unwrap();
    assert_eq!(decode(href), odd);
    assert_eq!(srv.get(&format!("/{href}"), &[]).body, b"odd");
    let sub = srv.get("/zdir/", &["Accept: application/json"]);
    let sub: serde_json::Value = serde_json::from_slice(&sub.body).unwrap();
    assert_eq!(sub["path"], "/zdir/");
}

#[test]
fn validators_head_and_ranges_work_on_each_representation() {
    let tree = Tree::new("lst-cond");
    let srv = Server::start(tree.path(), &["--list-dirs"]);
    for accept in ["text/html", "application/json"] {
        let accept = format!("Accept: {accept}");
        let full = srv.get("/zdir/", &[&accept]);
        assert_eq!(full.status, 200);
        let etag = full.header("etag").unwrap().to_owned();
        let r = srv.get("/zdir/", &[&accept, &format!("If-None-Match: {etag}")]);
        assert_eq!(r.status, 304, "{accept}");
        assert_eq!(r.header("etag"), Some(etag.as_str()));
        assert_eq!(r.header("vary"), Some("Accept"), "{accept}");
        // the other representation's tag does not match this one
        let other = if accept.contains("json") {
            "text/html"
        } else {
            "application/json"
        };
        let r = srv.get(
            "/zdir/",
            &[
                &format!("Accept: {other}"),
                &format!("If-None-Match: {etag}"),
            ],
        );
        assert_eq!(r.status, 200, "{accept}");
        // HEAD: the same head, no body
        let mut rd = Reader::new(srv.connect());
        rd.stream
            .write_all(&request("HEAD", "/zdir/", &[&accept]))
            .unwrap();
        let head = rd.response(true);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        for name in [
            "content-type",
            "content-length",
            "etag",
            "vary",
            "last-modified",
        ] {
            assert_eq!(head.header(name), full.header(name), "{accept} {name}");
        }
        // a range of the chosen representation
        let r = srv.get("/zdir/", &[&accept, "Range: bytes=-10"]);
        assert_eq!(r.status, 206, "{accept}");
        assert_eq!(r.body, full.body[full.body.len() - 10..], "{accept}");
        assert_eq!(r.header("vary"), Some("Accept"));
        // a file in a listed directory varies on nothing
        assert_eq!(srv.get("/zdir/inner.txt", &[&accept]).header("vary"), None);
    }
}

/// `Last-Modified` is the newest mtime of the directory and its entries:
/// an entry modified later makes `If-Modified-Since` with the old value
/// fail, though the directory itself did not change.
#[test]
fn last_modified_follows_the_newest_entry() {
    use std::time::{Duration, SystemTime};
    let tree = Tree::new("lst-ims");
    let set_mtime = |rel: &str, t: SystemTime| {
        let f = std::fs::File::open(tree.root.join(rel)).unwrap();
        f.set_modified(t).unwrap();
    };
    let whole_seconds = |t: SystemTime| {
        let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    };
    let two_hours_ago = whole_seconds(SystemTime::now() - Duration::from_secs(7200));
    let one_hour_ago = two_hours_ago + Duration::from_secs(3600);
    // zdir/ lists inner.txt and up-and-in (a link to b.txt)
    for rel in ["zdir/inner.txt", "b.txt", "zdir"] {
        set_mtime(rel, two_hours_ago);
    }
    let srv = Server::start(tree.path(), &["--list-dirs", "--cache-ttl", "0.1"]);
    let r = srv.get("/zdir/", &[]);
    let lm = r.header("last-modified").unwrap().to_owned();
    assert_eq!(lm, httpdate::fmt_http_date(two_hours_ago));
    let ims = format!("If-Modified-Since: {lm}");
    assert_eq!(srv.get("/zdir/", &[&ims]).status, 304);
    // the entry changes, the directory does not
    set_mtime("zdir/inner.txt", one_hour_ago);
    set_mtime("zdir", two_hours_ago);
    let want = httpdate::fmt_http_date(one_hour_ago);
    // each worker thread has its own cache, revalidated after the TTL
    let newer = eventually(Duration::from_secs(5), || {
        let r = srv.get("/zdir/", &[&ims]);
        r.status == 200 && r.header("last-modified") == Some(want.as_str())
    });
    assert!(newer, "Last-Modified did not follow the entry");
}

#[test]
fn a_listing_larger_than_the_connection_buffer_and_one_that_changes() {
    let tree = Tree::new("lst-many");
    let many = tree.root.join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..400 {
        std::fs::write(
            many.join(format!("file-with-a-rather-long-name-{i:04}.txt")),
            b"1",
        )
        .unwrap();
    }
    let srv = Server::start(tree.path(), &["--list-dirs", "--cache-ttl", "0.1"]);
    let r = srv.get("/many/", &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.len() > 64 * 1024, "{}", r.body.len());
    let html = text(&r);
    assert!(html.ends_with("</html>\n"));
    assert_eq!(hrefs(&html).len(), 401);
    // a file that grows changes the page, and its tag, though neither the
    // directory nor the page's length changed
    let etag = r.header("etag").unwrap().to_owned();
    let length = r.body.len();
    // one append, so no listing can see the file empty in between
    std::fs::OpenOptions::new()
        .append(true)
        .open(many.join("file-with-a-rather-long-name-0000.txt"))
        .unwrap()
        .write_all(b"2")
        .unwrap();
    // polled on one keep-alive connection: one worker thread and its cache,
    // revalidated after the TTL
    let mut rd = Reader::new(srv.connect());
    let mut ask = |headers: &[&str]| {
        rd.stream
            .write_all(&request("GET", "/many/", headers))
            .unwrap();
        rd.response(false)
    };
    let if_none_match = format!("If-None-Match: {etag}");
    let changed = eventually(std::time::Duration::from_secs(5), || {
        ask(&[&if_none_match]).status == 200
    });
    assert!(changed, "the listing kept its tag after a file grew");
    let page = ask(&[]);
    assert!(text(&page).contains("data-bytes=\"2\""));
    assert_eq!(page.body.len(), length);
}

#[test]
fn without_list_dirs_a_directory_says_how_to_list_it() {
    let tree = Tree::new("lst-off");
    let srv = Server::start(tree.path(), &[]);
    for target in ["/", "/zdir/"] {
        let r = srv.get(target, &[]);
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
        let body = String::from_utf8(r.body.clone()).unwrap();
        assert!(body.starts_with("404 Not Found\n"), "{body}");
        assert!(body.contains("--list-dirs"), "{body}");
        assert!(
            !body.contains(tree.root.to_str().unwrap()) && !body.contains("zdir"),
            "{body}"
        );
        assert_eq!(r.header("vary"), None);
        assert_eq!(
            r.header("content-length")
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            body.len()
        );
        let mut rd = Reader::new(srv.connect());
        rd.stream.write_all(&request("HEAD", target, &[])).unwrap();
        let head = rd.response(true);
        assert_eq!(head.status, 404);
        assert_eq!(head.header("content-length"), r.header("content-length"));
    }
    // a missing path is a plain 404
    let r = srv.get("/missing/", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.body, b"404 Not Found\n");
    assert_eq!(srv.get("/zdir/inner.txt", &[]).body, b"inner");
    // a directory with an index.html serves it, listings on or off
    std::fs::write(tree.root.join("Adir/index.html"), b"<p>index</p>\n").unwrap();
    let srv = Server::start(tree.path(), &["--list-dirs"]);
    assert_eq!(srv.get("/Adir/", &[]).body, b"<p>index</p>\n");
}

#[test]
fn with_a_not_found_page_an_unlisted_directory_gets_it() {
    let tree = Tree::new("lst-404page");
    let page = tree.root.join("zdir/404.html");
    std::fs::write(&page, b"<p>gone</p>\n").unwrap();
    let srv = Server::start(tree.path(), &["--not-found", page.to_str().unwrap()]);
    let r = srv.get("/Adir/", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.body, b"<p>gone</p>\n");
}
