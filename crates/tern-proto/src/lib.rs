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
//! - **Bytes out.** [`compose::ResponseHead`] writes a response head into a
//!   buffer you own, in one pass after computing its exact length, or says how
//!   much room it needs. A head that repeats (a hot file's `200`) can be
//!   prepared once ([`compose::PreparedHead`]) and then costs one copy and the
//!   date per response.
//! - **Time in.** [`date::DateCache`] renders the `Date` value from the seconds
//!   you pass it, once per second.
//! - **Memory.** [`pool`] hands out fixed-size buffers without the system
//!   allocator on the hot path.
//!
//! In scope: HTTP/1.1 and HTTP/1.0 server-side message parsing (request line,
//! fields, Content-Length and chunked bodies with trailers, pipelining,
//! persistence), response head composition, chunked encoding, the HTTP date,
//! buffers. Out of scope: I/O, TLS, HTTP/2, decoding content or transfer codings
//! other than chunked, routing, the client side.
//!
//! # Call order
//!
//! See [`Connection`]: poll with your unconsumed bytes until you see the end of
//! a request; answer it; call [`Connection::finish_response`]; if the state is
//! then [`State::Done`], call [`Connection::start_next_cycle`] and poll again
//! (pipelined bytes are already in your buffer); otherwise close.
//!
//! # A whole cycle
//!
//! Two pipelined requests arrive in one read; the first keeps the connection
//! open, the second closes it.
//!
//! ```
//! use tern_proto::compose::{Body, ResponseHead};
//! use tern_proto::date::DateCache;
//! use tern_proto::{Config, Connection, Event, Outcome, State};
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
//!             let mut head = ResponseHead::new(200, tern_proto::Version::Http11);
//!             head.body = Body::Length(2);
//!             head.keep_alive = conn.keep_alive();
//!             head.date = Some(date.imf_fixdate());
//!             let composed = head.compose(&mut out).expect("room enough");
//!             sent.extend_from_slice(&out[..composed.len]);
//!             sent.extend_from_slice(b"ok");
//!             conn.finish_response(!composed.must_close).unwrap();
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

mod body;
pub mod compose;
mod config;
mod conn;
pub mod date;
mod error;
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
pub mod transcript;
mod uri;
mod version;

pub use config::{Config, Leniency, LeniencyKind};
pub use conn::{Connection, Event, Outcome, Step};
#[cfg(feature = "bytes")]
pub use conn::{SharedEvent, SharedOutcome};
pub use error::{Error, ErrorKind, SendError};
pub use framing::Framing;
pub use owned::{OwnedRequest, OwnedTrailers};
pub use request::{Field, Fields, Method, Request, Trailers};
pub use send::{Closing, DataFrame, Intent};
pub use state::{State, StateError};
pub use version::Version;
