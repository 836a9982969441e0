//! A blocking `std::net` server on tern-proto: one thread per connection,
//! the whole HTTP/1.1 cycle (keep-alive, pipelining, HEAD, HTTP/1.0,
//! `Expect: 100-continue`, both body framings, early responses, errors
//! delivered with a lingering close). What it answers is in
//! `session/mod.rs`, shared by every example.
//!
//! ```text
//! cargo run -p tern-proto --example blocking_server -- 127.0.0.1:8080
//! ```
//!
//! The first argument is the address to listen on (default `127.0.0.1:0`, a
//! free port); the first line printed is `http://IP:PORT`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tern_proto::Closing;

#[path = "session/mod.rs"]
mod session;

use session::{Next, Session};

/// How long a lingering close waits for the client to stop sending.
const LINGER: Duration = Duration::from_secs(2);

fn main() -> io::Result<()> {
    run(std::env::args().nth(1), &mut io::stdout())
}

/// Listens on `address` (default `127.0.0.1:0`), writes `http://IP:PORT` and
/// a newline to `announce`, and serves forever.
pub fn run(address: Option<String>, announce: &mut dyn Write) -> io::Result<()> {
    let listener = TcpListener::bind(address.as_deref().unwrap_or("127.0.0.1:0"))?;
    writeln!(announce, "http://{}", listener.local_addr()?)?;
    announce.flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let _ = serve(stream);
        });
    }
    Ok(())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Serves one connection until it closes.
fn serve(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = Session::new(now());
    // buf[start..end] is received and not consumed yet.
    let mut buf = vec![0u8; 16 * 1024];
    let (mut start, mut end) = (0, 0);
    let mut out = Vec::with_capacity(1024);
    loop {
        let (consumed, next) = session.handle_input(&buf[start..end], now(), &mut out);
        start += consumed;
        // Everything answered so far leaves in one write.
        stream.write_all(&out)?;
        out.clear();
        match next {
            Next::Read => {}
            Next::Close(Closing::Now) => return Ok(()),
            Next::Close(_) => return linger(stream),
        }
        // Make room after the unconsumed bytes: move them to the front, and
        // grow only for a head larger than the buffer (the parser's limits
        // bound it).
        buf.copy_within(start..end, 0);
        end -= start;
        start = 0;
        if end == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = stream.read(&mut buf[end..])?;
        end += n;
        if n == 0 {
            session.handle_eof();
        }
    }
}

/// Half-closes, then reads and drops what the client still sends until it
/// closes or [`LINGER`] passes, so that the response is not destroyed by a
/// reset (RFC 9112 §9.6).
fn linger(mut stream: TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    Ok(())
}
