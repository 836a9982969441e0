//! The hand-written peer: a blocking `std::net` server, one thread per
//! connection, parsing with httparse and answering as tern-proto's examples
//! do (`METHOD TARGET\n`, `Date`, `Content-Type`, keep-alive, pipelining),
//! with none of their checks. Same contract: address as first argument,
//! `http://IP:PORT` first.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{SystemTime, UNIX_EPOCH};

fn main() -> io::Result<()> {
    let address = std::env::args().nth(1);
    let listener = TcpListener::bind(address.as_deref().unwrap_or("127.0.0.1:0"))?;
    println!("http://{}", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let _ = serve(stream);
        });
    }
    Ok(())
}

/// The `Date` value, rendered once per second.
struct Date {
    second: u64,
    text: String,
}

impl Date {
    fn now(&mut self) -> &str {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if now != self.second {
            self.second = now;
            self.text = httpdate::fmt_http_date(SystemTime::now());
        }
        &self.text
    }
}

fn serve(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut date = Date {
        second: 0,
        text: String::new(),
    };
    let mut buf = vec![0u8; 8192];
    let mut filled = 0;
    let mut out = Vec::with_capacity(1024);
    loop {
        let mut start = 0;
        let mut close = false;
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut request = httparse::Request::new(&mut headers);
            let len = match request.parse(&buf[start..filled]) {
                Ok(httparse::Status::Complete(len)) => len,
                Ok(httparse::Status::Partial) => break,
                Err(_) => return Ok(()),
            };
            let body = format!(
                "{} {}\n",
                request.method.unwrap_or(""),
                request.path.unwrap_or("")
            );
            let wants_close = request.version == Some(0)
                || request.headers.iter().any(|h| {
                    h.name.eq_ignore_ascii_case("connection")
                        && h.value.eq_ignore_ascii_case(b"close")
                });
            let head_request = request.method == Some("HEAD");
            out.extend_from_slice(b"HTTP/1.1 200 OK\r\nDate: ");
            out.extend_from_slice(date.now().as_bytes());
            out.extend_from_slice(b"\r\nContent-Type: text/plain\r\nContent-Length: ");
            out.extend_from_slice(body.len().to_string().as_bytes());
            out.extend_from_slice(if wants_close {
                &b"\r\nConnection: close\r\n\r\n"[..]
            } else {
                b"\r\n\r\n"
            });
            if !head_request {
                out.extend_from_slice(body.as_bytes());
            }
            start += len;
            if wants_close {
                close = true;
                break;
            }
        }
        stream.write_all(&out)?;
        out.clear();
        if close {
            return Ok(());
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        if filled == buf.len() {
            return Ok(());
        }
        let n = stream.read(&mut buf[filled..])?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
    }
}
