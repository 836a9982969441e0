//! The blocking example server, started on port 0 and spoken to over loopback.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/blocking_server.rs"]
mod blocking_server;

fn start() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    // The accept thread ends with the test process.
    std::thread::spawn(move || blocking_server::serve(listener));
    address
}

fn exchange(address: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let _ = stream.shutdown(Shutdown::Both);
    String::from_utf8(response).unwrap()
}

#[test]
fn pipelined_requests_then_close() {
    let address = start();
    let response = exchange(
        address,
        b"GET /one HTTP/1.1\r\nHost: h\r\n\r\nPOST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    );
    let bodies: Vec<&str> = response
        .split("\r\n\r\n")
        .skip(1)
        .map(|rest| rest.split("HTTP/1.1").next().unwrap())
        .collect();
    assert_eq!(bodies, ["GET /one\n", "POST /two\n", "GET /three\n"]);
    assert_eq!(response.matches("HTTP/1.1 200 OK\r\n").count(), 3);
    assert_eq!(response.matches("Connection: close\r\n").count(), 1);
}

#[test]
fn a_bad_request_gets_the_hinted_status_and_a_close() {
    let address = start();
    let response = exchange(
        address,
        b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    assert!(
        response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{response}"
    );
    assert!(response.contains("Connection: close\r\n"));
    let response = exchange(address, b"GET / HTTP/2.0\r\n\r\n");
    assert!(response.starts_with("HTTP/1.1 505 "), "{response}");
}

#[test]
fn expect_continue_gets_an_interim_response() {
    let address = start();
    let response = exchange(
        address,
        b"PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    );
    assert!(
        response.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{response}"
    );
}
