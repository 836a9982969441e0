//! Test harness: a docroot fixture, the real `tern` binary on port 0, and a
//! raw-socket HTTP/1.1 client. Every wait is bounded; every child process is
//! killed when its handle drops.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Socket read timeout for every client read.
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The 100-byte index page of the fixture.
pub(crate) const INDEX: &[u8] = b"<!DOCTYPE html>\n<html><head><title>tern</title></head><body><p>test page</p></body></html>\n        \n";

/// A directory removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("tern-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Deterministic pseudo-random bytes.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The standard docroot, inside `<tmp>/root` (with `<tmp>/outside.txt` next to it).
pub(crate) struct Fixture {
    pub(crate) dir: TempDir,
    pub(crate) root: PathBuf,
}

impl Fixture {
    pub(crate) fn new(tag: &str) -> Self {
        assert_eq!(INDEX.len(), 100);
        let dir = TempDir::new(tag);
        let root = dir.path().join("root");
        let w = |p: &str, data: &[u8]| {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        };
        w("index.html", INDEX);
        w("4k.bin", &noise(4096, 4));
        w("big.bin", &noise(3 << 20, 7));
        w("notes.txt", b"plain text\n");
        w("style.css", b"body{}\n");
        w("dir/a.txt", b"a\n");
        w("withindex/index.html", b"<p>index of withindex</p>\n");
        w(".hidden", b"hidden file\n");
        w("sub/.git/config", b"[core]\n");
        w("a b.txt", b"space\n");
        w("%2e%2e", b"literal percent name\n");
        std::fs::write(dir.path().join("outside.txt"), b"outside secret\n").unwrap();
        std::os::unix::fs::symlink("4k.bin", root.join("link.bin")).unwrap();
        std::os::unix::fs::symlink("../outside.txt", root.join("escape.txt")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("etc-link")).unwrap();
        Self { dir, root }
    }

    /// The strong ETag tern computes for a file.
    pub(crate) fn etag(&self, rel: &str) -> String {
        let m = std::fs::metadata(self.root.join(rel)).unwrap();
        let ns = i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec());
        format!("\"{:x}-{:x}-{:x}\"", m.ino(), m.size(), ns)
    }

    /// The `Last-Modified` value of a file.
    pub(crate) fn last_modified(&self, rel: &str) -> String {
        let m = std::fs::metadata(self.root.join(rel)).unwrap();
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(m.mtime() as u64))
    }
}

/// A running `tern`; killed on drop.
pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) port: u16,
    pub(crate) first_line: String,
    stdout: Option<BufReader<ChildStdout>>,
}

impl Server {
    /// `tern ROOT --listen 127.0.0.1:0 --threads 2 ARGS...`
    pub(crate) fn start(root: &Path, args: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
        cmd.arg(root)
            .args(["--listen", "127.0.0.1:0", "--threads", "2"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn tern");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let _ = tx.send((line, r));
        });
        let Ok((line, reader)) = rx.recv_timeout(Duration::from_secs(20)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tern printed no first line within 20 s");
        };
        let line = line.trim_end().to_owned();
        let Some(port) = line
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|_| line.starts_with("tern: serving "))
        else {
            let _ = child.kill();
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            let _ = child.wait();
            panic!("unexpected first line {line:?}, stderr {err:?}");
        };
        Self {
            child: Some(child),
            port,
            first_line: line,
            stdout: Some(reader),
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    pub(crate) fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        s
    }

    /// Sends `raw` on a new connection, half-closes, and reads until EOF.
    pub(crate) fn raw(&self, raw: &[u8]) -> Vec<u8> {
        let mut s = self.connect();
        s.write_all(raw).unwrap();
        let _ = s.shutdown(Shutdown::Write);
        read_to_end(&mut s)
    }

    /// One GET on a new connection.
    pub(crate) fn get(&self, target: &str, headers: &[&str]) -> Response {
        let mut s = self.connect();
        s.write_all(&request("GET", target, headers)).unwrap();
        let mut r = Reader::new(s);
        r.response(false)
    }

    /// Sends a signal with kill(1).
    pub(crate) fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{sig} failed");
    }

    /// Waits (bounded) for the process to exit.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        let child = self.child.as_mut()?;
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                return Some(st);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server wrote to stderr (call after it exited, or the read
    /// waits for the exit).
    pub(crate) fn read_stderr(&mut self) -> String {
        let mut err = String::new();
        if let Some(mut e) = self.child.as_mut().and_then(|c| c.stderr.take()) {
            let _ = e.read_to_string(&mut err);
        }
        err
    }

    /// Open descriptors of the server process.
    pub(crate) fn fd_count(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Lines the server wrote to stdout after the first one (stops the
    /// server first so the pipe ends).
    pub(crate) fn stop_and_read_stdout(&mut self) -> String {
        self.signal("TERM");
        let _ = self.wait_exit(Duration::from_secs(10));
        let mut out = String::new();
        if let Some(mut r) = self.stdout.take() {
            let _ = r.read_to_string(&mut out);
        }
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A request with `Host` and the given extra header lines.
pub(crate) fn request(method: &str, target: &str, headers: &[&str]) -> Vec<u8> {
    let mut r = format!("{method} {target} HTTP/1.1\r\nHost: test\r\n");
    for h in headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}

/// Reads until EOF (or error/timeout), bounded at 256 MiB.
pub(crate) fn read_to_end(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    while out.len() < 256 << 20 {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

/// A parsed response.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// The head, exactly as received (status line through the empty line).
    pub(crate) head: Vec<u8>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn head_str(&self) -> String {
        String::from_utf8_lossy(&self.head).into_owned()
    }
}

/// Reads responses from a stream.
pub(crate) struct Reader {
    pub(crate) stream: TcpStream,
    pub(crate) buf: Vec<u8>,
}

impl Reader {
    pub(crate) fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    fn fill(&mut self) -> bool {
        let mut tmp = [0u8; 65536];
        match self.stream.read(&mut tmp) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&tmp[..n]);
                true
            }
        }
    }

    /// Reads one response; `head_only` for responses to HEAD.
    pub(crate) fn response(&mut self, head_only: bool) -> Response {
        self.try_response(head_only).expect("a complete response")
    }

    /// Reads one response, `None` on EOF before a complete head.
    pub(crate) fn try_response(&mut self, head_only: bool) -> Option<Response> {
        let end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if !self.fill() {
                return None;
            }
        };
        let head: Vec<u8> = self.buf.drain(..end).collect();
        let text = String::from_utf8_lossy(&head).into_owned();
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap();
        let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.to_owned(), v.trim().to_owned())
            })
            .collect();
        let mut r = Response {
            status,
            head,
            headers,
            body: Vec::new(),
        };
        if head_only || status == 304 || status == 204 || status / 100 == 1 {
            return Some(r);
        }
        let len: usize = r
            .header("content-length")
            .expect("responses carry Content-Length")
            .parse()
            .unwrap();
        while self.buf.len() < len {
            if !self.fill() {
                break;
            }
        }
        let n = len.min(self.buf.len());
        r.body = self.buf.drain(..n).collect();
        Some(r)
    }

    /// True if the server closed the connection (EOF or reset) within the timeout.
    pub(crate) fn closed_within(&mut self, limit: Duration) -> bool {
        self.stream.set_read_timeout(Some(limit)).unwrap();
        let mut tmp = [0u8; 4096];
        let deadline = Instant::now() + limit;
        loop {
            match self.stream.read(&mut tmp) {
                Ok(0) => return true,
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    return false;
                }
                Err(_) => return true,
            }
            if Instant::now() >= deadline {
                return false;
            }
        }
    }
}

/// Checks a `Date` value looks like a current IMF-fixdate.
pub(crate) fn assert_fresh_date(v: &str) {
    assert_eq!(v.len(), 29, "{v}");
    let t = httpdate::parse_http_date(v).expect("IMF-fixdate");
    let now = SystemTime::now();
    let diff = now.duration_since(t).unwrap_or_else(|e| e.duration());
    assert!(diff < Duration::from_secs(5), "Date {v} is off by {diff:?}");
}

/// Polls `f` every 20 ms until it returns true or `limit` passes.
pub(crate) fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
