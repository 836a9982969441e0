//! A tokio server on tern-proto: one task per connection, reading into a
//! `BytesMut` and dropping what the connection consumed with
//! `Buf::advance`, so the bytes never move while a request is parsed. What
//! it answers is in `session/mod.rs`, shared by every example.
//!
//! ```text
//! cargo run -p tern-proto --example tokio_server -- 127.0.0.1:8080
//! ```
//!
//! The first argument is the address to listen on (default `127.0.0.1:0`, a
//! free port); the first line printed is `http://IP:PORT`.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Buf, BytesMut};
use tern_proto::Closing;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[path = "session/mod.rs"]
mod session;

use session::{Next, Session};

/// How long a lingering close waits for the client to stop sending.
const LINGER: Duration = Duration::from_secs(2);

fn main() -> io::Result<()> {
    run(std::env::args().nth(1), &mut io::stdout())
}

/// Listens on `address` (default `127.0.0.1:0`), writes `http://IP:PORT` and
/// a newline to `announce`, and serves forever on a single-threaded runtime.
pub fn run(address: Option<String>, announce: &mut dyn Write) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(address.as_deref().unwrap_or("127.0.0.1:0")).await?;
        writeln!(announce, "http://{}", listener.local_addr()?)?;
        announce.flush()?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let _ = serve(stream).await;
            });
        }
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Serves one connection until it closes.
async fn serve(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = Session::new(now());
    let mut buf = BytesMut::with_capacity(8192);
    let mut out = Vec::with_capacity(1024);
    loop {
        let (consumed, next) = session.handle_input(&buf, now(), &mut out);
        buf.advance(consumed);
        stream.write_all(&out).await?;
        out.clear();
        match next {
            Next::Read => {}
            Next::Close(Closing::Now) => return Ok(()),
            Next::Close(_) => return linger(stream).await,
        }
        buf.reserve(8192);
        if stream.read_buf(&mut buf).await? == 0 {
            session.handle_eof();
        }
    }
}

/// Half-closes, then reads and drops what the client still sends until it
/// closes or [`LINGER`] passes, so that the response is not destroyed by a
/// reset (RFC 9112 §9.6).
async fn linger(mut stream: TcpStream) -> io::Result<()> {
    stream.shutdown().await?;
    let mut sink = [0u8; 4096];
    let drain = async { while let Ok(1..) = stream.read(&mut sink).await {} };
    let _ = tokio::time::timeout(LINGER, drain).await;
    Ok(())
}
