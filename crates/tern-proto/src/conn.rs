//! The server side of one HTTP/1.1 connection: bytes in, events out.

use alloc::vec::Vec;

use crate::body::{ChunkStep, ChunkedDecoder};
use crate::config::{Config, Leniency};
use crate::error::{Error, ErrorKind};
use crate::framing::{self, Framing};
use crate::parse::{Failure, FieldSpan, HeadScanner};
use crate::request::{Method, Request, Trailers};
use crate::state::{self, Input, State, StateError};
use crate::version::Version;

/// What one call to [`Connection::poll_event`] did: how many bytes of the input
/// it consumed (the caller drops them before the next call), and what happened.
#[derive(Debug)]
#[must_use]
pub struct Step<'a> {
    /// Bytes at the start of the input that the caller must now discard.
    pub consumed: usize,
    /// What happened.
    pub outcome: Outcome<'a>,
}

/// The outcome of a step.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// Something happened.
    Event(Event<'a>),
    /// More input is needed: read from the socket, append, call again.
    NeedData,
    /// A complete request is being answered; input is left alone until the
    /// response is complete ([`Connection::finish_response`]) and the next
    /// cycle starts ([`Connection::start_next_cycle`]).
    Paused,
}

/// Something the client said.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A request head. Its body, if any, follows as `Data` events.
    Request(Request<'a>),
    /// A piece of the request body (de-chunked), a slice of the input.
    Data(&'a [u8]),
    /// The request is complete; for a chunked body, with its trailers.
    EndOfMessage(Trailers<'a>),
    /// The client closed the connection cleanly between requests.
    ConnectionClosed,
}

/// How the body of the current request is being read.
#[derive(Clone, Debug)]
enum Body {
    Length(u64),
    Chunked(ChunkedDecoder),
}

/// The server side of one connection, as a state machine with no I/O.
///
/// # Call order
///
/// 1. Append bytes from the socket to a buffer you own; call
///    [`poll_event`](Self::poll_event) with the bytes not yet consumed; drop
///    [`Step::consumed`] bytes from the front of your buffer; repeat while it
///    returns events.
/// 2. On [`Outcome::NeedData`], read more and go to 1. Pass the same
///    unconsumed bytes again, extended: the parser resumes where it stopped and
///    never scans a byte twice.
/// 3. After [`Event::EndOfMessage`], send the response, then call
///    [`finish_response`](Self::finish_response). If [`state`](Self::state) is
///    then [`State::Done`], call [`start_next_cycle`](Self::start_next_cycle)
///    and go to 1 (pipelined bytes are already in your buffer); otherwise close.
/// 4. When the socket reports end of file, call [`handle_eof`](Self::handle_eof)
///    and poll once more: a clean close yields [`Event::ConnectionClosed`].
///
/// A [`Request`] borrows the input and the connection: extract what you need
/// before the next call. After an error, every call returns the same error;
/// answer with [`Error::status_hint`] and close.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    state: State,
    head: HeadScanner,
    fields: Vec<FieldSpan>,
    trailers: Vec<FieldSpan>,
    leniencies: Vec<Leniency>,
    /// How many of `leniencies` belong to the head; the rest to the body.
    head_leniencies: usize,
    body: Body,
    end_pending: bool,
    keep_alive: bool,
    expects_continue: bool,
    eof: bool,
    error: Option<Error>,
}

impl Connection {
    /// A new connection waiting for its first request.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            state: State::Idle,
            head: HeadScanner::new(),
            fields: Vec::new(),
            trailers: Vec::new(),
            leniencies: Vec::new(),
            head_leniencies: 0,
            body: Body::Length(0),
            end_pending: false,
            keep_alive: false,
            expects_continue: false,
            eof: false,
            error: None,
        }
    }

    /// Makes this connection new again, for another peer, with the same
    /// configuration. The capacity of its internal lists is kept, so a server
    /// that recycles connection states allocates nothing per connection either.
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.head = HeadScanner::new();
        self.fields.clear();
        self.trailers.clear();
        self.leniencies.clear();
        self.head_leniencies = 0;
        self.body = Body::Length(0);
        self.end_pending = false;
        self.keep_alive = false;
        self.expects_continue = false;
        self.eof = false;
        self.error = None;
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the current request asked for the connection to persist.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Whether the current request sent `Expect: 100-continue`: answer
    /// `100 Continue` before reading its body, or a final status instead.
    pub fn expects_continue(&self) -> bool {
        self.expects_continue
    }

    /// Whether bytes of a next request head have been seen (the connection is
    /// not idle between requests): a server's header timeout applies then.
    pub fn head_started(&self) -> bool {
        self.state == State::Idle && self.head.started()
    }

    /// The peer closed its sending side. Poll once more to learn whether that
    /// was clean ([`Event::ConnectionClosed`]) or cut a request short (an error).
    pub fn handle_eof(&mut self) {
        self.eof = true;
    }

    /// Reads the next event from `input`, the bytes not consumed so far.
    pub fn poll_event<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        match self.state {
            State::Idle => self.poll_head(input),
            State::RecvBody => self.poll_body(input),
            State::SendResponse if self.end_pending => {
                self.end_pending = false;
                Ok(step(
                    0,
                    Outcome::Event(Event::EndOfMessage(Trailers {
                        input,
                        fields: &[],
                        leniencies: &[],
                    })),
                ))
            }
            State::Closed => Ok(step(0, Outcome::Event(Event::ConnectionClosed))),
            _ => Ok(step(0, Outcome::Paused)),
        }
    }

    /// The server has sent its whole response to the current request.
    /// `keep_alive` is false if the server closes the connection anyway (it
    /// sent `Connection: close`, or an error status).
    pub fn finish_response(&mut self, keep_alive: bool) -> Result<(), StateError> {
        let persistent = keep_alive && self.keep_alive && self.state == State::SendResponse;
        self.apply(Input::ResponseComplete { persistent })
    }

    /// Starts reading the next request; only in [`State::Done`].
    pub fn start_next_cycle(&mut self) -> Result<(), StateError> {
        self.apply(Input::StartNextCycle)?;
        self.fields.clear();
        self.trailers.clear();
        self.leniencies.clear();
        self.keep_alive = false;
        self.expects_continue = false;
        Ok(())
    }

    fn apply(&mut self, input: Input) -> Result<(), StateError> {
        self.state = state::transition(self.state, input)?;
        Ok(())
    }

    fn fail(&mut self, (kind, offset): Failure) -> Error {
        let error = Error::new(kind, offset);
        self.error = Some(error);
        self.state = state::transition(self.state, Input::ProtocolError)
            .expect("a protocol error is legal in every state");
        error
    }

    fn poll_head<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        let scanned = self
            .head
            .scan(input, &self.config, &mut self.fields, &mut self.leniencies);
        let (line, head_len) = match scanned {
            Err(failure) => return Err(self.fail(failure)),
            Ok(None) if self.eof => {
                if self.head.started() {
                    return Err(self.fail((ErrorKind::UnexpectedEof, input.len())));
                }
                self.state = state::transition(self.state, Input::Eof)
                    .expect("end of file is legal in Idle");
                return Ok(step(0, Outcome::Event(Event::ConnectionClosed)));
            }
            Ok(None) => return Ok(step(0, Outcome::NeedData)),
            Ok(Some(done)) => done,
        };
        self.head = HeadScanner::new();
        let version = if input[line.version_start + 7] == b'0' {
            Version::Http10
        } else {
            Version::Http11
        };
        let decision = match framing::decide(input, version, &self.fields, &self.config, head_len) {
            Ok(decision) => decision,
            Err(failure) => return Err(self.fail(failure)),
        };
        let has_body = match decision.framing {
            Framing::None | Framing::Length(0) => false,
            Framing::Length(n) => {
                self.body = Body::Length(n);
                true
            }
            Framing::Chunked => {
                self.body = Body::Chunked(ChunkedDecoder::new());
                true
            }
        };
        self.end_pending = !has_body;
        self.head_leniencies = self.leniencies.len();
        self.keep_alive = decision.keep_alive;
        self.expects_continue = decision.expects_continue;
        self.state = state::transition(self.state, Input::RequestHead { has_body })
            .expect("a head is legal in Idle");
        let method = Method::from_bytes(&input[line.method_start..line.method_end]);
        Ok(step(
            head_len,
            Outcome::Event(Event::Request(Request {
                input,
                line,
                fields: &self.fields,
                leniencies: &self.leniencies,
                method,
                version,
                framing: decision.framing,
                keep_alive: decision.keep_alive,
                expects_continue: decision.expects_continue,
                upgrade: decision.upgrade,
                head_len,
            })),
        ))
    }

    fn poll_body<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        match &mut self.body {
            Body::Length(0) => {
                self.state = state::transition(self.state, Input::EndOfRequest)
                    .expect("end of body is legal in RecvBody");
                Ok(step(
                    0,
                    Outcome::Event(Event::EndOfMessage(Trailers {
                        input,
                        fields: &[],
                        leniencies: &[],
                    })),
                ))
            }
            Body::Length(left) => {
                if input.is_empty() {
                    if self.eof {
                        return Err(self.fail((ErrorKind::UnexpectedEof, 0)));
                    }
                    return Ok(step(0, Outcome::NeedData));
                }
                let take = usize::try_from(*left).map_or(input.len(), |left| left.min(input.len()));
                *left -= take as u64;
                Ok(step(take, Outcome::Event(Event::Data(&input[..take]))))
            }
            Body::Chunked(decoder) => {
                let polled = decoder.poll(
                    input,
                    &self.config,
                    &mut self.trailers,
                    &mut self.leniencies,
                );
                match polled {
                    Err(failure) => Err(self.fail(failure)),
                    Ok(ChunkStep::Data { start, end }) => {
                        Ok(step(end, Outcome::Event(Event::Data(&input[start..end]))))
                    }
                    Ok(ChunkStep::NeedData { consumed }) => {
                        if self.eof {
                            return Err(self.fail((ErrorKind::UnexpectedEof, input.len())));
                        }
                        Ok(step(consumed, Outcome::NeedData))
                    }
                    Ok(ChunkStep::End { end }) => {
                        self.state = state::transition(self.state, Input::EndOfRequest)
                            .expect("end of body is legal in RecvBody");
                        Ok(step(
                            end,
                            Outcome::Event(Event::EndOfMessage(Trailers {
                                input,
                                fields: &self.trailers,
                                leniencies: &self.leniencies[self.head_leniencies..],
                            })),
                        ))
                    }
                }
            }
        }
    }
}

fn step(consumed: usize, outcome: Outcome<'_>) -> Step<'_> {
    Step { consumed, outcome }
}
