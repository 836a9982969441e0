//! `--listen` forms, several addresses, the lines that name them, and
//! systemd socket activation. All traffic stays on 127.0.0.1 and [::1].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::*;

/// A `tern` started with exactly the given arguments (and environment);
/// killed on drop.
struct Tern {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Tern {
    fn spawn(mut cmd: Command) -> Self {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn tern");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// `tern ROOT --threads 2 ARGS...`
    fn start(root: &Path, args: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
        cmd.arg(root)
            .args(["--threads", "2"])
            .args(args)
            .stdin(Stdio::null());
        Self::spawn(cmd)
    }

    /// The next `n` lines of standard output (bounded wait).
    fn lines(&mut self, n: usize) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..n {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => out.push(line),
                Err(_) => panic!(
                    "tern printed {out:?}, then nothing; stderr: {}",
                    self.stderr()
                ),
            }
        }
        out
    }

    /// SIGTERM: a graceful stop.
    fn terminate(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM failed");
    }

    /// The lines printed after the ones already read, up to the end of
    /// output (call after the exit).
    fn rest(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            out.push(line);
        }
        out
    }

    /// Waits (bounded) for an exit, then says how and what went to stderr.
    fn exit(&mut self) -> (Option<i32>, String) {
        let ok = eventually(Duration::from_secs(10), || {
            self.child.try_wait().unwrap().is_some()
        });
        assert!(ok, "tern did not exit");
        let code = self.child.wait().unwrap().code();
        (code, self.stderr())
    }

    fn stderr(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        err
    }
}

impl Drop for Tern {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in `tern: serving ROOT on http://ADDR` (checking ROOT).
fn first_addr(line: &str, root: &Path) -> SocketAddr {
    let root = root.canonicalize().unwrap();
    let prefix = format!("tern: serving {} on http://", root.display());
    let addr = line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("first line {line:?}"));
    addr.parse()
        .unwrap_or_else(|_| panic!("no address in {line:?}"))
}

/// The address in `tern: also serving on http://ADDR`.
fn also_addr(line: &str) -> SocketAddr {
    let addr = line
        .strip_prefix("tern: also serving on http://")
        .unwrap_or_else(|| panic!("line {line:?}"));
    addr.parse()
        .unwrap_or_else(|_| panic!("no address in {line:?}"))
}

/// A GET of /index.html at `addr` answers the fixture's page.
fn assert_serves(addr: SocketAddr) {
    let s = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let mut r = Reader::new(s);
    r.stream
        .write_all(&request("GET", "/index.html", &[]))
        .unwrap();
    let resp = r.response(false);
    assert_eq!(resp.status, 200, "{addr}: {}", resp.head_str());
    assert_eq!(resp.body, INDEX, "{addr}");
}

/// Whether this host has IPv6 loopback; the reason when not.
fn ipv6_loopback() -> Result<(), String> {
    TcpListener::bind("[::1]:0")
        .map(drop)
        .map_err(|e| format!("no IPv6 loopback on this host ([::1]:0: {e})"))
}

/// One `--listen` value: the one address it serves, and a GET there works.
fn serves_one(fx: &Fixture, form: &str, want_ip: &str) -> SocketAddr {
    let mut tern = Tern::start(&fx.root, &["--listen", form]);
    let addr = first_addr(&tern.lines(1)[0], &fx.root);
    assert_eq!(addr.ip().to_string(), want_ip, "--listen {form}");
    assert_ne!(addr.port(), 0, "--listen {form}: the real port is printed");
    assert_serves(addr);
    addr
}

#[test]
fn every_ipv4_form_serves_on_the_address_it_names() {
    let fx = Fixture::new("listen-forms");
    // Bare PORT and :PORT stay on loopback (see --help).
    serves_one(&fx, "0", "127.0.0.1");
    serves_one(&fx, ":0", "127.0.0.1");
    serves_one(&fx, "127.0.0.1:0", "127.0.0.1");
    let short = "-l";
    let mut tern = Tern::start(&fx.root, &[short, "127.0.0.1:0"]);
    assert_serves(first_addr(&tern.lines(1)[0], &fx.root));
}

#[test]
fn an_ipv6_address_in_brackets() {
    if let Err(why) = ipv6_loopback() {
        println!("skipped: {why}");
        return;
    }
    let fx = Fixture::new("listen-v6");
    let mut tern = Tern::start(&fx.root, &["--listen", "[::1]:0"]);
    let line = tern.lines(1).remove(0);
    assert!(line.contains("http://[::1]:"), "{line}");
    let addr = first_addr(&line, &fx.root);
    assert_serves(addr);
}

#[test]
fn localhost_binds_both_loopbacks_on_one_port() {
    let fx = Fixture::new("listen-localhost");
    let v6 = ipv6_loopback();
    let mut tern = Tern::start(&fx.root, &["--listen", "localhost:0"]);
    let first = first_addr(&tern.lines(1)[0], &fx.root);
    assert_eq!(first.ip().to_string(), "127.0.0.1");
    assert_serves(first);
    match v6 {
        Ok(()) => {
            let second = also_addr(&tern.lines(1)[0]);
            assert_eq!(second.ip().to_string(), "::1");
            // The port 0 picked for 127.0.0.1 was free on ::1 (the test
            // bound and released [::1]:0 a moment ago; a collision here is
            // possible in theory, then the port differs and this fails).
            assert_eq!(second.port(), first.port());
            assert_serves(second);
        }
        Err(why) => {
            println!("IPv6 part skipped: {why}");
            let (_, err) = tern.exit();
            assert!(err.contains("no IPv6 loopback"), "{err}");
        }
    }
}

#[test]
fn two_listen_flags_both_answer_and_both_are_printed() {
    let fx = Fixture::new("listen-two");
    // 127.0.0.0/8 is all loopback on Linux.
    let mut tern = Tern::start(&fx.root, &["--listen", "127.0.0.1:0", "-l", "127.0.0.2:0"]);
    let lines = tern.lines(2);
    let a = first_addr(&lines[0], &fx.root);
    let b = also_addr(&lines[1]);
    assert_eq!(a.ip().to_string(), "127.0.0.1");
    assert_eq!(b.ip().to_string(), "127.0.0.2");
    // Port 0 twice: the first bind picks the port, the second takes it too
    // (free on 127.0.0.2 unless another program took it in between).
    assert_eq!(a.port(), b.port());
    assert_serves(a);
    assert_serves(b);
    tern.terminate();
    let (code, err) = tern.exit();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(tern.rest(), Vec::<String>::new(), "only the two lines");
}

#[test]
fn duplicate_and_overlapping_addresses_are_one_line_errors() {
    let fx = Fixture::new("listen-dup");
    for (args, want) in [
        (
            &["-l", "127.0.0.1:0", "-l", ":0"][..],
            "tern: --listen: 127.0.0.1:0 given twice (by 127.0.0.1:0 and :0)",
        ),
        (
            &["-l", "localhost:0", "-l", "127.0.0.1:0"],
            "tern: --listen: 127.0.0.1:0 given twice (by localhost:0 and 127.0.0.1:0)",
        ),
        (
            &["-l", "0.0.0.0:0", "-l", "127.0.0.1:0"],
            "tern: --listen: 0.0.0.0:0 already covers 127.0.0.1:0 (by 0.0.0.0:0 and 127.0.0.1:0)",
        ),
    ] {
        let mut tern = Tern::start(&fx.root, args);
        let (code, err) = tern.exit();
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert_eq!(err, format!("{want}\n"), "{args:?}");
    }
    let mut tern = Tern::start(&fx.root, &["-l", "[::1]"]);
    let (code, err) = tern.exit();
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("expected [IPv6]:PORT"), "{err}");
}

#[test]
fn a_port_in_use_is_named() {
    let fx = Fixture::new("listen-busy");
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let arg = format!("localhost:{port}");
    let mut tern = Tern::start(&fx.root, &["-l", &arg]);
    let (code, err) = tern.exit();
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        format!(
            "tern: cannot listen on 127.0.0.1:{port} (--listen {arg}): address already in use\n"
        )
    );
}

/// `tern ROOT --threads 2 ARGS` as systemd would start it: `socket` at
/// descriptor 3, `LISTEN_FDS=1`, `LISTEN_PID` its own pid. The socket goes
/// in as the child's stdin (no `unsafe` pre-exec hook needed); a shell moves
/// it to 3, sets the variables with its own pid and becomes tern.
fn activated(socket: OwnedFd, root: &Path, args: &[&str], pid_offset: &str) -> Tern {
    let script = format!(
        "exec 3<&0 0</dev/null; LISTEN_PID=$(($$ + {pid_offset})) LISTEN_FDS=1; \
         export LISTEN_PID LISTEN_FDS; exec \"$0\" \"$@\""
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script, env!("CARGO_BIN_EXE_tern")])
        .arg(root)
        .args(["--threads", "2"])
        .args(args)
        .stdin(Stdio::from(socket));
    Tern::spawn(cmd)
}

#[test]
fn socket_activation_serves_the_socket_it_is_given() {
    let fx = Fixture::new("listen-activated");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut tern = activated(OwnedFd::from(listener), &fx.root, &[], "0");
    let lines = tern.lines(1);
    assert_eq!(first_addr(&lines[0], &fx.root), addr);
    // Both workers take connections from the one socket; several in a row
    // all succeed whichever worker wakes.
    for _ in 0..8 {
        assert_serves(addr);
    }
    // Shutdown is as usual.
    tern.terminate();
    let (code, err) = tern.exit();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn socket_activation_for_another_process_is_ignored() {
    let fx = Fixture::new("listen-notours");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let theirs = listener.local_addr().unwrap();
    // LISTEN_PID names another process: tern binds --listen as usual.
    let mut tern = activated(
        OwnedFd::from(listener),
        &fx.root,
        &["-l", "127.0.0.1:0"],
        "1",
    );
    let ours = first_addr(&tern.lines(1)[0], &fx.root);
    assert_ne!(ours, theirs);
    assert_serves(ours);
}

#[test]
fn socket_activation_refuses_listen_and_bad_descriptors() {
    let fx = Fixture::new("listen-activation-errors");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut tern = activated(OwnedFd::from(listener), &fx.root, &["-l", ":0"], "0");
    let (code, err) = tern.exit();
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        "tern: --listen and socket activation (LISTEN_FDS=1) both name sockets: \
         drop --listen or the socket unit\n"
    );
    // A socket that is not listening.
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let connected = TcpStream::connect(peer.local_addr().unwrap()).unwrap();
    let mut tern = activated(OwnedFd::from(connected), &fx.root, &[], "0");
    let (code, err) = tern.exit();
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        "tern: socket activation: descriptor 3: a socket that is not listening\n"
    );
    // Not a socket at all.
    let file = std::fs::File::open(fx.root.join("index.html")).unwrap();
    let mut tern = activated(OwnedFd::from(file), &fx.root, &[], "0");
    let (code, err) = tern.exit();
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err, "tern: socket activation: descriptor 3: not a socket\n");
}
