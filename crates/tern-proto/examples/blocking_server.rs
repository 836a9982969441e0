//! A blocking `std::net` server on tern-proto's public API: what a server
//! author writes around the core. One thread per connection; every request is
//! answered with a short text naming its method and target.
//!
//! ```text
//! cargo run -p tern-proto --example blocking_server -- 127.0.0.1:8080
//! ```

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{SystemTime, UNIX_EPOCH};

use tern_proto::compose::{self, Body, ResponseHead};
use tern_proto::date::DateCache;
use tern_proto::{Config, Connection, Event, Outcome, State};

fn main() -> io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = TcpListener::bind(address)?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener)
}

/// Accepts connections forever, one thread each.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let _ = handle(stream);
        });
    }
    Ok(())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Serves one connection until either side closes it.
fn handle(mut stream: TcpStream) -> io::Result<()> {
    let mut conn = Connection::new(Config::default());
    let mut date = DateCache::new(now());
    let mut buf = Vec::with_capacity(8192);
    let mut start = 0; // buf[..start] is consumed
    let mut out = [0u8; 1024];
    let mut body = String::new();
    loop {
        let step = match conn.poll_event(&buf[start..]) {
            Ok(step) => step,
            Err(error) => {
                // Answer with the status the parser suggests, then close.
                let mut head = ResponseHead::new(error.status_hint(), tern_proto::Version::Http11);
                head.keep_alive = false;
                let message = format!("{error}\n");
                head.body = Body::Length(message.len() as u64);
                let composed = head.compose(&mut out).expect("a short head fits");
                stream.write_all(&out[..composed.len])?;
                return stream.write_all(message.as_bytes());
            }
        };
        start += step.consumed;
        match step.outcome {
            Outcome::Event(Event::Request(request)) => {
                body = format!(
                    "{} {}\n",
                    String::from_utf8_lossy(request.method_bytes()),
                    String::from_utf8_lossy(request.target())
                );
                if request.expects_continue() {
                    let n = compose::compose_continue(&mut out).expect("fits");
                    stream.write_all(&out[..n])?;
                }
            }
            Outcome::Event(Event::Data(_)) => {} // this server ignores bodies
            Outcome::Event(Event::EndOfMessage(_)) => {
                date.update(now());
                let mut head = ResponseHead::new(200, tern_proto::Version::Http11);
                head.keep_alive = conn.keep_alive();
                head.date = Some(date.imf_fixdate());
                head.body = Body::Length(body.len() as u64);
                let fields = [(&b"Content-Type"[..], &b"text/plain"[..])];
                head.fields = &fields;
                let composed = head.compose(&mut out).expect("a short head fits");
                // Head and body leave in one write.
                let mut response = out[..composed.len].to_vec();
                response.extend_from_slice(body.as_bytes());
                stream.write_all(&response)?;
                conn.finish_response(!composed.must_close)
                    .expect("after a request");
                if conn.state() != State::Done {
                    return Ok(());
                }
                conn.start_next_cycle().expect("done");
            }
            Outcome::Event(Event::ConnectionClosed) => return Ok(()),
            Outcome::NeedData => {
                // Keep only what is unconsumed, then read more after it.
                buf.drain(..start);
                start = 0;
                let filled = buf.len();
                buf.resize(filled + 4096, 0);
                let n = stream.read(&mut buf[filled..])?;
                buf.truncate(filled + n);
                if n == 0 {
                    conn.handle_eof();
                }
            }
            _ => return Ok(()),
        }
    }
}
