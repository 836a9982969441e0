//! Runs a whole client transcript through a [`Connection`] and collects owned
//! messages: the reference loop that the conformance driver, the conformance
//! tests and the fuzz targets share.
//!
//! Not part of the public API: hidden from the documentation and outside the
//! semver promise; it changes with the tests that use it.
//!
//! The transcript plays a server that answers every request at once and keeps
//! the connection open while both sides want it. Bytes arrive in pieces ending
//! at the given cut points, the way a socket would deliver them.

use alloc::vec::Vec;

use crate::config::Config;
use crate::conn::{Connection, Event, Outcome};
use crate::error::Error;
use crate::field::Field;
use crate::framing::Framing;
use crate::request::Request;
use crate::send::Intent;
use crate::state::State;

/// One complete request, with owned copies of its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The method as received.
    pub method: Vec<u8>,
    /// The request-target as received.
    pub target: Vec<u8>,
    /// The target's path ([`Request::path`]).
    pub path: Vec<u8>,
    /// The target's query ([`Request::query`]).
    pub query: Option<Vec<u8>>,
    /// The version as received.
    pub version: Vec<u8>,
    /// Field lines, in order.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body after de-chunking.
    pub body: Vec<u8>,
    /// Trailer field lines, in order.
    pub trailers: Vec<(Vec<u8>, Vec<u8>)>,
    /// How the body was delimited.
    pub framing: Framing,
    /// Whether the client asked to keep the connection open.
    pub keep_alive: bool,
    /// Whether the client sent `Expect: 100-continue`.
    pub expects_continue: bool,
    /// Whether the client asked for a protocol upgrade.
    pub upgrade: bool,
}

impl Message {
    /// The parts of `request`'s head, copied; no body and no trailers yet.
    pub fn from_head(request: &Request<'_>) -> Self {
        Self {
            method: request.method_bytes().to_vec(),
            target: request.target().to_vec(),
            path: request.path().to_vec(),
            query: request.query().map(<[u8]>::to_vec),
            version: request.version_bytes().to_vec(),
            headers: owned_fields(request.headers()),
            body: Vec::new(),
            trailers: Vec::new(),
            framing: request.framing(),
            keep_alive: request.keep_alive(),
            expects_continue: request.expects_continue(),
            upgrade: request.upgrade(),
        }
    }
}

/// What a transcript amounted to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// Every complete request, in order.
    pub messages: Vec<Message>,
    /// The error that stopped parsing, if any, with its offset counted from
    /// the start of the transcript.
    pub error: Option<Error>,
    /// Whether the input ended inside a message (never with an error).
    pub incomplete: bool,
    /// Bytes after the end of the last complete message.
    pub unconsumed: usize,
}

/// Runs `input` through a fresh connection, delivering it in pieces that end
/// at each of `cuts` (ascending offsets into `input`) and then at its end.
pub fn run(config: &Config, input: &[u8], cuts: &[usize]) -> Transcript {
    let mut conn = Connection::new(*config);
    let mut transcript = Transcript {
        messages: Vec::new(),
        error: None,
        incomplete: false,
        unconsumed: input.len(),
    };
    let mut current: Option<Message> = None;
    let mut consumed = 0;
    let arrivals = cuts
        .iter()
        .copied()
        .filter(|&cut| cut <= input.len())
        .chain([input.len()]);
    'arrivals: for available in arrivals {
        if available < consumed {
            continue;
        }
        loop {
            let step = match conn.poll_event(&input[consumed..available]) {
                Ok(step) => step,
                Err(error) => {
                    // Offsets count from the start of the whole transcript.
                    transcript.error = Some(Error::new(error.kind(), consumed + error.offset()));
                    return transcript;
                }
            };
            consumed += step.consumed;
            match step.outcome {
                Outcome::Event(Event::Request(request)) => {
                    current = Some(Message::from_head(&request));
                }
                Outcome::Event(Event::Data(data)) => {
                    if let Some(message) = current.as_mut() {
                        message.body.extend_from_slice(data);
                    }
                }
                Outcome::Event(Event::EndOfMessage(trailers)) => {
                    let trailers = owned_fields(trailers.fields());
                    if let Some(mut message) = current.take() {
                        message.trailers = trailers;
                        transcript.messages.push(message);
                    }
                    transcript.unconsumed = input.len() - consumed;
                    let _ = conn.finish_response(Intent::KeepAlive);
                    if conn.state() != State::Done {
                        return transcript;
                    }
                    let _ = conn.start_next_cycle();
                }
                Outcome::NeedData => continue 'arrivals,
                Outcome::Paused | Outcome::Event(Event::ConnectionClosed) => return transcript,
            }
        }
    }
    transcript.incomplete = conn.state() == State::RecvBody || conn.head_started();
    transcript
}

/// Owned copies of field lines: `(name, value)` in order.
pub fn owned_fields<'a>(fields: impl Iterator<Item = Field<'a>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    fields
        .map(|field| (field.name.to_vec(), field.value.to_vec()))
        .collect()
}
