//! Tern's sans-I/O HTTP/1.1 core.
//!
//! # Sans-I/O
//!
//! Nothing in this crate touches a socket, a file or the clock. The server owns
//! every buffer and every syscall; it hands this crate the bytes it read and the
//! time it read, and gets back what the client said and the bytes to send:
//!
//! - **Bytes in.** [`Connection::poll_event`] takes the bytes not consumed so
//!   far and returns how many it consumed and what happened: a [`Request`]
//!   head, a piece of body, the end of a message. The head is a view of offsets
//!   into your buffer: no copy, and no allocation per request once a
//!   connection has seen requests of that size.
//! - **Decisions out.** The parser decides body framing, persistence and
//!   `Expect: 100-continue` itself ([`Request::framing`],
//!   [`Request::keep_alive`], [`Request::expects_continue`]), so a server does
//!   not re-derive them. Errors carry the status to answer
//!   ([`Error::status_hint`]).
//! - **Bytes out, checked.** [`Connection::response`] pre-fills a response
//!   head from the request it answers (HTTP/1.1 status line, no body for
//!   HEAD, persistence); [`Connection::send_head`] writes it into a buffer you
//!   own, in one pass after computing its exact length;
//!   [`Connection::send_data`] and [`Connection::send_end`] frame the body.
//!   The connection holds you to what the head promised: a body for HEAD,
//!   more or fewer bytes than `Content-Length`, a second final response or a
//!   `100 Continue` nobody waits for are refused ([`SendError`]). A head that
//!   repeats (a hot file's `200`) can be prepared once
//!   ([`compose::PreparedHead`], [`Connection::send_prepared`]) and then costs
//!   one copy and the date per response.
//! - **Closing.** After an error or a response that closes,
//!   [`Connection::closing`] says whether to close at once or to linger (half
//!   close, drain, then close) so the response is not lost to a reset.
//! - **Time in.** [`date::DateCache`] renders the `Date` value from the seconds
//!   you pass it, once per second.
//! - **Memory.** [`pool`] hands out fixed-size buffers without the system
//!   allocator on the hot path.
//!
//! Features: `std` (default); `bytes` reads from a `BytesMut` and hands out
//! heads and body data as shared `Bytes` ([`Connection::poll_bytes`]);
//! `http` converts heads to `http::Request` ([`Request::to_http`]) and sends
//! `http::response::Parts` ([`Connection::send_http_head`]). Without `std`
//! the crate needs only `alloc`.
//!
//! In scope: HTTP/1.1 and HTTP/1.0 server-side message parsing (request line,
//! fields, Content-Length and chunked bodies with trailers, pipelining,
//! persistence), response head composition and the checks of what is sent,
//! chunked encoding, the HTTP date, buffers. Out of scope: I/O, TLS, HTTP/2,
//! decoding content or transfer codings other than chunked, routing, protocol
//! upgrades, the client side.
//!
//! # Call order
//!
//! See [`Connection`]: poll with your unconsumed bytes until you see a
//! request; answer it with [`Connection::send_head`], `send_data` and
//! `send_end` (after its end, or earlier); if the state is then
//! [`State::Done`], call [`Connection::start_next_cycle`] and poll again
//! (pipelined bytes are already in your buffer); if it is
//! [`State::MustClose`], close as [`Connection::closing`] says.
//!
//! # Examples
//!
//! Three servers around the same session, each tested end to end, in
//! `examples/`: `blocking_server.rs` (std, a thread per connection),
//! `tokio_server.rs` (tokio over a `BytesMut`) and `event_loop.rs` (epoll).
//! Each takes its listen address as its first argument (default
//! `127.0.0.1:0`) and prints `http://IP:PORT` on its first line.
//!
//! # A whole cycle
//!
//! Two pipelined requests arrive in one read; the first keeps the connection
//! open, the second closes it.
//!
//! ```
//! use tern_proto::compose::Body;
//! use tern_proto::date::DateCache;
//! use tern_proto::{Closing, Config, Connection, Event, Intent, Outcome, State};
//!
//! let received = b"GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n\
//!                  GET /b HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n";
//! let mut conn = Connection::new(Config::default());
//! let date = DateCache::new(784_111_777); // seconds since 1970, from your clock
//! let mut unconsumed: &[u8] = received;
//! let mut sent = Vec::new();
//! let mut out = [0u8; 256];
//!
//! loop {
//!     let step = conn.poll_event(unconsumed).expect("valid requests");
//!     let consumed = step.consumed;
//!     match step.outcome {
//!         Outcome::Event(Event::Request(request)) => {
//!             assert_eq!(request.header(b"host"), Some(&b"example.com"[..]));
//!         }
//!         Outcome::Event(Event::EndOfMessage(_)) => {
//!             let mut head = conn.response(200, Intent::KeepAlive);
//!             head.body = Body::Length(2);
//!             head.date = Some(date.imf_fixdate());
//!             let composed = conn.send_head(&head, &mut out).expect("room enough");
//!             sent.extend_from_slice(&out[..composed.len]);
//!             let frame = conn.send_data(2).expect("as promised");
//!             sent.extend_from_slice(frame.prefix());
//!             sent.extend_from_slice(b"ok");
//!             sent.extend_from_slice(frame.suffix());
//!             let n = conn.send_end(&[], &mut out).expect("all sent");
//!             sent.extend_from_slice(&out[..n]);
//!             if conn.state() != State::Done {
//!                 break;
//!             }
//!             conn.start_next_cycle().unwrap();
//!         }
//!         Outcome::NeedData => unreachable!("both requests are complete"),
//!         _ => {}
//!     }
//!     unconsumed = &unconsumed[consumed..];
//! }
//! assert_eq!(conn.state(), State::MustClose);
//! assert_eq!(conn.closing(), Some(Closing::Now)); // the client asked to close
//! assert!(unconsumed.is_empty());
//! assert_eq!(
//!     sent,
//!     b"HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\r\nok\
//!       HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\
//!       Connection: close\r\n\r\nok"
//! );
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Unsafe code lives in `simd` alone (vector intrinsics), which allows it.
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod chunked;
pub mod compose;
mod config;
mod conn;
pub mod date;
mod error;
mod field;
mod framing;
mod owned;
mod parse;
pub mod pool;
mod request;
mod send;
mod simd;
mod state;
mod sync;
mod tables;
#[doc(hidden)]
pub mod transcript;
mod uri;
mod version;

pub use config::{Config, Leniency, LeniencyKind};
pub use conn::{Connection, Event, Outcome, Step};
#[cfg(feature = "bytes")]
pub use conn::{SharedEvent, SharedOutcome};
pub use error::{Error, ErrorKind, SendError};
pub use field::Field;
pub use framing::Framing;
pub use owned::{OwnedRequest, OwnedTrailers};
pub use request::{Fields, Method, Request, Trailers};
pub use send::{Closing, DataFrame, Intent};
pub use state::{State, StateError};
pub use version::Version;

// The crate README's example is compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
