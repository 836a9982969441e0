//! The examples, each started as its `main` starts it (listen address as the
//! first argument, `http://IP:PORT` on the first line of output) and spoken
//! to over loopback with raw sockets: keep-alive and pipelining, HEAD,
//! HTTP/1.0 with and without keep-alive, `Expect: 100-continue` both ways,
//! both request body framings, both response framings, an early response
//! with the body discarded, and errors delivered whole (lingering close).
// Each example includes the shared `session` module itself, as it is built
// alone; here all three are in one crate.
#![allow(clippy::duplicate_mod)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/blocking_server.rs"]
mod blocking_server;
#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/event_loop.rs"]
mod event_loop;
#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/tokio_server.rs"]
mod tokio_server;

type Run = fn(Option<String>, &mut dyn Write) -> io::Result<()>;

/// Starts a server as its `main` would, with `address` as its argument;
/// returns the address it announced on its first line.
fn start_with(run: Run, address: Option<String>) -> SocketAddr {
    let (reader, mut writer) = io::pipe().unwrap();
    // The server thread ends with the test process.
    std::thread::spawn(move || run(address, &mut writer));
    let mut line = String::new();
    BufReader::new(reader).read_line(&mut line).unwrap();
    let address = line
        .strip_suffix('\n')
        .and_then(|line| line.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("first line is not http://IP:PORT: {line:?}"));
    address.parse().unwrap()
}

fn start(run: Run) -> SocketAddr {
    let address = start_with(run, None);
    assert!(address.ip().is_loopback(), "the default is 127.0.0.1:0");
    assert_ne!(address.port(), 0);
    address
}

/// One response as a client reads it.
#[derive(Debug)]
struct Response {
    status: u16,
    /// The status line's version, `HTTP/1.x`.
    version: u8,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn connect(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Reads more; false at end of file.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        let n = self
            .stream
            .read(&mut chunk)
            .expect("read (a reset or a stall fails here)");
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    /// Reads one response (interim ones too) to a request of the given method.
    fn response(&mut self, head_request: bool) -> Response {
        let (status, version, headers, len) = loop {
            let mut fields = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut fields);
            match response.parse(&self.buf).unwrap() {
                httparse::Status::Complete(len) => {
                    let headers = response
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_owned(),
                                String::from_utf8(h.value.to_vec()).unwrap(),
                            )
                        })
                        .collect::<Vec<_>>();
                    break (
                        response.code.unwrap(),
                        response.version.unwrap(),
                        headers,
                        len,
                    );
                }
                httparse::Status::Partial => assert!(self.fill(), "closed inside a head"),
            }
        };
        self.buf.drain(..len);
        let mut response = Response {
            status,
            version,
            headers,
            body: Vec::new(),
        };
        if head_request || status < 200 || status == 204 || status == 304 {
            return response;
        }
        if let Some(length) = response.header("content-length") {
            let length: usize = length.parse().unwrap();
            while self.buf.len() < length {
                assert!(self.fill(), "closed inside a body");
            }
            response.body = self.buf.drain(..length).collect();
        } else if response.header("transfer-encoding") == Some("chunked") {
            loop {
                let line = self.line();
                let size = usize::from_str_radix(&line, 16).unwrap();
                if size == 0 {
                    assert_eq!(self.line(), "", "no trailers");
                    break;
                }
                while self.buf.len() < size + 2 {
                    assert!(self.fill());
                }
                response.body.extend(self.buf.drain(..size));
                assert_eq!(self.buf.drain(..2).collect::<Vec<_>>(), b"\r\n");
            }
        } else {
            // Close-delimited.
            while self.fill() {}
            response.body = std::mem::take(&mut self.buf);
        }
        response
    }

    fn line(&mut self) -> String {
        loop {
            if let Some(at) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8(self.buf[..at].to_vec()).unwrap();
                self.buf.drain(..at + 2);
                return line;
            }
            assert!(self.fill(), "closed inside a line");
        }
    }

    /// The server closed the connection, with nothing more to read.
    fn assert_closed(&mut self) {
        assert!(self.buf.is_empty(), "unread bytes: {:?}", self.buf);
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte) {
            Ok(0) => {}
            other => panic!("expected end of file, got {other:?}"),
        }
    }
}

fn keep_alive_and_pipelining(run: Run) {
    let mut client = Client::connect(start(run));
    client.send(
        b"GET /one HTTP/1.1\r\nHost: h\r\n\r\n\
          POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc\
          GET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    );
    let texts: Vec<String> = (0..3)
        .map(|_| {
            let response = client.response(false);
            assert_eq!((response.status, response.version), (200, 1));
            assert!(response.header("date").is_some());
            response.text().to_owned()
        })
        .collect();
    assert_eq!(texts, ["GET /one\n", "received 3 bytes\n", "GET /three\n"]);
    client.assert_closed();
}

fn head_has_no_body(run: Run) {
    let mut client = Client::connect(start(run));
    client.send(b"HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n");
    let head = client.response(true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("8"), "as GET /h would");
    // Had a body followed, it would be read as the next response.
    let get = client.response(false);
    assert_eq!(get.text(), "GET /g\n");
}

fn http10_with_and_without_keep_alive(run: Run) {
    let address = start(run);
    let mut client = Client::connect(address);
    client.send(b"GET /a HTTP/1.0\r\n\r\n");
    let response = client.response(false);
    assert_eq!(
        (response.status, response.version),
        (200, 1),
        "HTTP/1.1 status line"
    );
    assert_eq!(response.header("connection"), Some("close"));
    assert_eq!(response.text(), "GET /a\n");
    client.assert_closed();

    let mut client = Client::connect(address);
    client.send(b"GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.header("connection"), Some("keep-alive"));
    client.send(b"GET /chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let response = client.response(false);
    assert_eq!(
        response.header("transfer-encoding"),
        None,
        "no chunked to HTTP/1.0"
    );
    assert_eq!(response.header("connection"), Some("close"));
    assert_eq!(response.text(), "GET /chunked\n", "close-delimited");
}

fn chunked_both_ways(run: Run) {
    let mut client = Client::connect(start(run));
    client.send(b"GET /chunked HTTP/1.1\r\nHost: h\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert_eq!(response.text(), "GET /chunked\n");
    client.send(
        b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\
          3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n",
    );
    assert_eq!(client.response(false).text(), "received 5 bytes\n");
}

fn expect_continue_both_ways(run: Run) {
    let address = start(run);
    let mut client = Client::connect(address);
    client
        .send(b"PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    // The interim response comes before any body byte is sent.
    let interim = client.response(false);
    assert_eq!(interim.status, 100);
    client.send(b"hello");
    assert_eq!(client.response(false).text(), "received 5 bytes\n");

    // Too large: a final status without waiting for the body, and a close.
    let mut client = Client::connect(address);
    client.send(
        b"PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 9999999\r\n\r\n",
    );
    let response = client.response(false);
    assert_eq!(response.status, 413);
    assert_eq!(response.header("connection"), Some("close"));
    client.assert_closed();
}

fn early_response_discards_the_body(run: Run) {
    let mut client = Client::connect(start(run));
    client.send(b"POST /early HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
    // Answered before the body is sent.
    let response = client.response(false);
    assert_eq!(response.status, 202);
    assert_eq!(
        response.header("connection"),
        None,
        "the connection goes on"
    );
    client.send(b"0123456789GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(client.response(false).text(), "GET /after\n");
}

fn errors_are_delivered_whole(run: Run) {
    let address = start(run);
    // A head over the 64 KiB limit, and the client still sending: without a
    // lingering close the unread bytes would turn the close into a reset.
    let mut client = Client::connect(address);
    let mut writer = client.stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut request = b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: ".to_vec();
        request.resize(1 << 20, b'a');
        let _ = writer.write_all(&request);
        let _ = writer.shutdown(std::net::Shutdown::Write);
    });
    // Read only once the server has had time to close: a reset would have
    // discarded the response by then.
    sender.join().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let response = client.response(false);
    assert_eq!(response.status, 431);
    assert_eq!(response.header("connection"), Some("close"));
    assert!(!response.body.is_empty());
    client.assert_closed();

    let mut client = Client::connect(address);
    client.send(b"GET / HTTP/2.0\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.status, 505);
    client.stream.shutdown(std::net::Shutdown::Write).unwrap();
    client.assert_closed();
}

fn listens_on_its_first_argument(run: Run) {
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let address = start_with(run, Some(free.to_string()));
    assert_eq!(address, free);
    let mut client = Client::connect(address);
    client.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(client.response(false).text(), "GET /\n");
}

macro_rules! suite {
    ($($suite:ident => $server:ident),*) => {
        $(
            mod $suite {
                use super::*;

                const RUN: Run = super::$server::run;

                #[test]
                fn keep_alive_and_pipelining() {
                    super::keep_alive_and_pipelining(RUN);
                }

                #[test]
                fn head_has_no_body() {
                    super::head_has_no_body(RUN);
                }

                #[test]
                fn http10_with_and_without_keep_alive() {
                    super::http10_with_and_without_keep_alive(RUN);
                }

                #[test]
                fn chunked_both_ways() {
                    super::chunked_both_ways(RUN);
                }

                #[test]
                fn expect_continue_both_ways() {
                    super::expect_continue_both_ways(RUN);
                }

                #[test]
                fn early_response_discards_the_body() {
                    super::early_response_discards_the_body(RUN);
                }

                #[test]
                fn errors_are_delivered_whole() {
                    super::errors_are_delivered_whole(RUN);
                }

                #[test]
                fn listens_on_its_first_argument() {
                    super::listens_on_its_first_argument(RUN);
                }
            }
        )*
    };
}

suite!(blocking => blocking_server, with_tokio => tokio_server, epoll => event_loop);
