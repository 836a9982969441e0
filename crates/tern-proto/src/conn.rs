//! The server side of one HTTP/1.1 connection: bytes in, events out.

use alloc::vec::Vec;

use crate::chunked::{ChunkStep, ChunkedDecoder};
use crate::compose::{self, Composed, PreparedHead, ResponseHead};
use crate::config::{Config, Leniency};
use crate::date::RenderedDate;
use crate::error::{Error, ErrorKind, SendError};
use crate::field::Field;
use crate::framing::{self, Framing};
use crate::parse::{Failure, FieldSpan, HeadScanner};
use crate::request::{HeadFacts, Method, Request, Trailers};
use crate::send::{Closing, DataFrame, Intent, Outgoing};
use crate::state::{
    self, Continue, Input, Ours, Parts, Peer, Refusal, Sides, State, StateError, Stream,
};
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
    /// Where an [`Event::Data`] starts in the input (after a chunk-size line).
    data_start: usize,
}

impl Step<'_> {
    /// Where the data of an [`Event::Data`] starts in the input passed to
    /// the call (0 unless a chunk-size line came first), so that a caller
    /// holding the input in a shared buffer can hand the data out without
    /// copying: it is `input[data_start..data_start + data.len()]`.
    #[must_use]
    pub fn data_start(&self) -> usize {
        self.data_start
    }
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
/// It tracks both halves of the exchange, as h11 does: what the client sends
/// (parsed by [`poll_event`](Self::poll_event)) and what the server sends
/// back (checked by the `send_*` calls against what the request allows and
/// what the response head promised). Refused calls are errors of the server
/// ([`SendError`]); they change nothing.
///
/// # Call order
///
/// 1. Append bytes from the socket to a buffer you own; call
///    [`poll_event`](Self::poll_event) with all the bytes not yet consumed
///    (not only those of the latest read); drop [`Step::consumed`] bytes
///    from the front of your buffer; repeat while it returns events. The
///    buffer must hold a whole head: size it above
///    [`Config::max_head_len`], or lower that limit to fit it, or a long
///    head waits for bytes that cannot arrive instead of failing with 431.
/// 2. On [`Outcome::NeedData`], read more and go to 1. Pass the same
///    unconsumed bytes again, extended: the parser resumes where it stopped and
///    never scans a byte twice. If the request sent `Expect: 100-continue`
///    and you want its body, send `100 Continue` first
///    ([`send_continue`](Self::send_continue)): until then the client waits.
/// 3. Answer the request: [`response`](Self::response) gives a head
///    pre-filled from the request (set its `date`: an origin server with a
///    clock sends one, RFC 9110 §6.6.1); [`send_head`](Self::send_head) (or
///    [`send_prepared`](Self::send_prepared)) composes it;
///    [`send_data`](Self::send_data) announces each piece of body and says
///    what frames it; [`send_end`](Self::send_end) ends the response. When
///    the composed head's [`framing`](crate::compose::Composed::framing) is
///    [`Framing::NoBody`] (a response to HEAD, 1xx, 204, 304) send no body:
///    go straight to `send_end`, as `send_data` refuses. A
///    response may start before the request body is read (an early 413): the
///    connection then says whether the rest of the body is discarded
///    ([`State::DiscardBody`]: keep polling) or the connection closes.
/// 4. When the response and the request are both complete,
///    [`state`](Self::state) is [`State::Done`]: call
///    [`start_next_cycle`](Self::start_next_cycle) and go to 1 (pipelined
///    bytes are already in your buffer). If it is [`State::MustClose`],
///    close as [`closing`](Self::closing) says.
/// 5. When the socket reports end of file, call [`handle_eof`](Self::handle_eof)
///    and poll once more: a clean close yields [`Event::ConnectionClosed`].
///
/// A [`Request`] borrows the input and the connection: extract what you need
/// before any other call on the connection.
///
/// # Errors of the peer
///
/// After a protocol error, every poll returns the same error. If
/// [`can_send_head`](Self::can_send_head) is true, answer it with
/// [`Error::status_hint`] (a head from [`response`](Self::response) closes
/// the connection); if it is false, a response was already under way (an
/// early response to a request whose body then failed) and nothing more can
/// be sent. Either way, close as [`closing`](Self::closing) says. An
/// [`ErrorKind::UnexpectedEof`] means the client stopped sending mid-request:
/// an answer is allowed but usually unread.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    sides: Sides,
    head: HeadScanner,
    fields: Vec<FieldSpan>,
    trailers: Vec<FieldSpan>,
    leniencies: Vec<Leniency>,
    /// How many of `leniencies` belong to the head; the rest to the body.
    head_leniencies: usize,
    body: Body,
    answering: Answering,
    outgoing: Outgoing,
    error: Option<Error>,
}

/// What the request being answered says about its response.
#[derive(Clone, Copy, Debug)]
struct Answering {
    version: Version,
    head_request: bool,
    keep_alive: bool,
    expects_continue: bool,
}

impl Answering {
    /// No request (yet, or an unreadable one): an HTTP/1.1 answer that closes.
    const NONE: Self = Self {
        version: Version::Http11,
        head_request: false,
        keep_alive: false,
        expects_continue: false,
    };
}

impl Connection {
    /// A new connection waiting for its first request.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            sides: Sides::NEW,
            head: HeadScanner::new(),
            fields: Vec::new(),
            trailers: Vec::new(),
            leniencies: Vec::new(),
            head_leniencies: 0,
            body: Body::Length(0),
            answering: Answering::NONE,
            outgoing: Outgoing::NoBody,
            error: None,
        }
    }

    /// Makes this connection new again, for another peer, with the same
    /// configuration. The capacity of its internal lists is kept, so a server
    /// that recycles connection states allocates nothing per connection either.
    pub fn reset(&mut self) {
        self.sides = Sides::NEW;
        self.head = HeadScanner::new();
        self.fields.clear();
        self.trailers.clear();
        self.leniencies.clear();
        self.head_leniencies = 0;
        self.body = Body::Length(0);
        self.answering = Answering::NONE;
        self.outgoing = Outgoing::NoBody;
        self.error = None;
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.sides.summary()
    }

    /// Whether the current request asked for the connection to persist.
    pub fn keep_alive(&self) -> bool {
        self.answering.keep_alive
    }

    /// Whether the current request sent `Expect: 100-continue`: answer
    /// `100 Continue` before reading its body, or a final status instead.
    pub fn expects_continue(&self) -> bool {
        self.answering.expects_continue
    }

    /// Whether the client is waiting for `100 Continue` before it sends its
    /// body: it sent `Expect: 100-continue` with a body, and neither the
    /// interim response nor a final one has been sent.
    pub fn awaits_continue(&self) -> bool {
        self.sides.peer() == Peer::Body && self.sides.ours() == Ours::Respond(Continue::Expected)
    }

    /// Whether a final response head may be sent now: a request, or a
    /// protocol error of the peer, is to be answered and no final head has
    /// gone out. [`send_head`](Self::send_head) and
    /// [`send_prepared`](Self::send_prepared) refuse otherwise; after a
    /// protocol error this says whether to answer it.
    pub fn can_send_head(&self) -> bool {
        matches!(self.sides.ours(), Ours::Respond(_))
    }

    /// Whether bytes of a next request head have been seen (the connection is
    /// not idle between requests): a server's header timeout applies then.
    pub fn head_started(&self) -> bool {
        self.state() == State::Idle && self.head.started()
    }

    /// The peer closed its sending side. Poll once more to learn whether that
    /// was clean ([`Event::ConnectionClosed`]) or cut a request short (an error).
    pub fn handle_eof(&mut self) {
        self.sides =
            state::transition(self.sides, Input::Eof).expect("end of file is always legal");
    }

    /// How to close the connection, once it must close: `Some` exactly when
    /// [`state`](Self::state) is [`State::MustClose`], [`State::Error`] or
    /// [`State::Closed`]; `None` while it may persist (or before the response
    /// decides). See [`Closing`].
    ///
    /// ```
    /// use tern_proto::{Config, Connection, State};
    ///
    /// let mut conn = Connection::new(Config::default());
    /// assert!(conn.poll_event(b"GET / HTTP/1.1\r\n\r\n").is_err()); // no Host
    /// assert_eq!(conn.state(), State::Error);
    /// assert!(conn.can_send_head()); // answer the 400, then close:
    /// assert!(conn.closing().is_some());
    /// ```
    pub fn closing(&self) -> Option<Closing> {
        let must_close = match self.sides.peer() {
            Peer::Error | Peer::Closed => true,
            _ => self.sides.ours() == Ours::MustClose,
        };
        if !must_close {
            return None;
        }
        let quiet = self.sides.stream() == Stream::Ended
            || self.sides.peer() == Peer::Closed
            || (self.sides.peer() == Peer::Complete && !self.answering.keep_alive);
        Some(if quiet { Closing::Now } else { Closing::Linger })
    }

    /// Reads the next event from `input`, the bytes not consumed so far.
    #[inline]
    pub fn poll_event<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        // The end of a body-less request, polled for right after its head:
        // one compare, without the frame of the rest (an error leaves the
        // sides elsewhere).
        if self.sides == Sides::END_PENDING {
            return Ok(self.end_without_trailers(input));
        }
        // A head trickled in a few bytes at a time is most often resumed
        // inside a target, a name or a value that goes on past the input:
        // nothing to report, found without the frame of the rest.
        if self.sides == Sides::NEW
            && let Some(run) = self.head.run()
            && self.head.resume_run(run, input, &self.config)
        {
            return Ok(step(0, Outcome::NeedData));
        }
        self.poll_next(input)
    }

    /// `poll_event` in every other state.
    #[inline(never)]
    fn poll_next<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        // Both sides idle with the stream open, one value of `Sides` (never
        // after an error), is where a head is read: one compare, then
        // straight to the head.
        if self.sides != Sides::NEW {
            if let Some(error) = self.error {
                return Err(error);
            }
            let Parts { peer, ours, .. } = self.sides.parts();
            match (peer, ours) {
                (_, Ours::MustClose) => return Ok(step(0, Outcome::Paused)),
                // Between requests with the stream ended: a head as usual.
                (Peer::Idle, Ours::Idle) => {}
                (Peer::Body, _) => return self.poll_body(input),
                (Peer::EndPending, _) => return Ok(self.end_without_trailers(input)),
                (Peer::Closed, _) => return Ok(step(0, Outcome::Event(Event::ConnectionClosed))),
                _ => return Ok(step(0, Outcome::Paused)),
            }
        }
        self.poll_head(input)
    }

    /// A response head answering the current request, pre-filled from it:
    /// the status line says HTTP/1.1 (RFC 9110 §6.2), the framing follows
    /// the request's version, there is no body for HEAD, and the connection
    /// persists if the client, the server's `intent` and the state all allow
    /// it. Set [`body`](ResponseHead::body), [`date`](ResponseHead::date) and
    /// the fields, then pass it to [`send_head`](Self::send_head).
    ///
    /// After a protocol error (or before any request) the head answers an
    /// unknown request: HTTP/1.1, no HEAD, and the connection closes.
    #[must_use]
    pub fn response(&self, status: u16, intent: Intent) -> ResponseHead<'static> {
        let answering = self.answering;
        let mut head = ResponseHead::new(status, answering.version);
        head.line_version = Version::Http11;
        head.head_request = answering.head_request;
        head.keep_alive = self.may_keep_alive(intent == Intent::KeepAlive);
        head
    }

    /// Composes `head` into the start of `out` as the next response to the
    /// current request: an interim (1xx) response, or the final one. What the
    /// request decides is enforced whatever the head says: its version (for
    /// framing), HEAD (no body), the HTTP/1.1 status line; persistence is
    /// kept only if the request and the state allow it. Nothing is written
    /// when an error is returned.
    ///
    /// For a final response, what [`Composed::framing`] says must follow:
    /// [`send_data`](Self::send_data) for each piece of body, then
    /// [`send_end`](Self::send_end), also when there is no body.
    ///
    /// # Errors
    ///
    /// - [`SendError::NoRequest`]: no request to answer;
    /// - [`SendError::AlreadyResponded`]: the final response was sent;
    /// - [`SendError::UnexpectedContinue`]: a `100` nobody waits for;
    /// - [`SendError::SwitchingProtocols`]: a `101`;
    /// - [`SendError::Compose`]: the head is invalid or `out` too small.
    pub fn send_head(
        &mut self,
        head: &ResponseHead<'_>,
        out: &mut [u8],
    ) -> Result<Composed, SendError> {
        let head = self.enforced(head);
        let input = self.head_input(head.status)?;
        let composed = head.compose(out)?;
        self.record_head(input, composed);
        Ok(composed)
    }

    /// Sends a whole final response whose body is in memory, appended to
    /// `out`: the head, its [`body`](ResponseHead::body) set to `body`'s
    /// length; then `body`, unless the response carries none (an answer to
    /// HEAD, 204, 304: the head still says the length a GET would get); then
    /// its end. [`state`](Self::state) then says what comes next, as after
    /// [`send_end`](Self::send_end). `out` grows by exactly what is sent, and
    /// not at all when an error is returned.
    ///
    /// ```
    /// use tern_proto::{Config, Connection, Field, Intent, State};
    ///
    /// let mut conn = Connection::new(Config::default());
    /// conn.poll_event(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")?;
    /// conn.poll_event(b"")?; // the end of the body-less request
    /// let mut head = conn.response(200, Intent::KeepAlive);
    /// head.date = Some(b"Sun, 06 Nov 1994 08:49:37 GMT");
    /// const FIELDS: &[Field<'_>] = &[Field::new(b"Content-Type", b"text/plain")];
    /// head.fields = FIELDS;
    /// let mut out = Vec::new();
    /// conn.send_response(&head, b"hello", &mut out)?;
    /// assert!(out.ends_with(b"Content-Length: 5\r\n\r\n")); // no body for HEAD
    /// assert_eq!(conn.state(), State::Done);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SendError::NotFinal`] for an interim (1xx) status; the others of
    /// [`send_head`](Self::send_head) but `InsufficientSize`.
    pub fn send_response(
        &mut self,
        head: &ResponseHead<'_>,
        body: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Composed, SendError> {
        if head.status < 200 {
            return Err(SendError::NotFinal);
        }
        let mut head = self.enforced(head);
        head.body = compose::Body::Length(body.len() as u64);
        let input = self.head_input(head.status)?;
        let at = out.len();
        out.resize(at + head.encoded_len()?, 0);
        let composed = head
            .compose(&mut out[at..])
            .inspect_err(|_| out.truncate(at))?;
        self.record_head(input, composed);
        if composed.framing != Framing::NoBody && !body.is_empty() {
            // Exactly the promised length: no frame around it, no refusal.
            let _frame = self.send_data(body.len() as u64)?;
            out.extend_from_slice(body);
        }
        self.send_end(&[], &mut [])?;
        Ok(composed)
    }

    /// `head` with what the request decides enforced: its version (for
    /// framing), HEAD (no body), the HTTP/1.1 status line; persistence only
    /// if the request and the state allow it.
    fn enforced<'h>(&self, head: &ResponseHead<'h>) -> ResponseHead<'h> {
        let mut head = *head;
        head.version = self.answering.version;
        head.line_version = Version::Http11;
        head.head_request = self.answering.head_request;
        head.keep_alive = self.may_keep_alive(head.keep_alive);
        head
    }

    /// As [`send_head`](Self::send_head), for a head prepared once
    /// ([`ResponseHead::prepare`]) and composed with `date`. The head must
    /// have been prepared for the request's version and method.
    ///
    /// # Errors
    ///
    /// As [`send_head`](Self::send_head); a head prepared for another
    /// version or method is [`SendError::PreparedMismatch`].
    pub fn send_prepared(
        &mut self,
        head: &PreparedHead,
        date: &RenderedDate,
        intent: Intent,
        out: &mut [u8],
    ) -> Result<Composed, SendError> {
        if head.version() != self.answering.version
            || head.head_request() != self.answering.head_request
        {
            return Err(SendError::PreparedMismatch);
        }
        let input = self.head_input(head.status())?;
        let keep_alive = self.may_keep_alive(intent == Intent::KeepAlive);
        let composed = head.compose(date, keep_alive, out)?;
        self.record_head(input, composed);
        Ok(composed)
    }

    /// As [`send_head`](Self::send_head), for the head of an
    /// `http::Response`: its status and fields (in the map's order, repeated
    /// names kept), with `body` saying what follows and `date` the `Date`
    /// value. The version in `parts` is ignored (the status line is always
    /// HTTP/1.1). A `Connection` field in the map is the server's intent:
    /// with a `close` option it closes, otherwise it keeps the connection if
    /// it may; `Content-Length` and `Transfer-Encoding` in the map are
    /// refused, since `body` decides them.
    ///
    /// # Errors
    ///
    /// As [`send_head`](Self::send_head); the index in an error about a
    /// field is its position in the map's iteration order.
    #[cfg(feature = "http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn send_http_head(
        &mut self,
        parts: &http::response::Parts,
        body: compose::Body,
        date: Option<&[u8; 29]>,
        out: &mut [u8],
    ) -> Result<Composed, SendError> {
        let mut intent = Intent::KeepAlive;
        let mut fields: Vec<Field<'_>> = Vec::with_capacity(parts.headers.len());
        // Where each field is in the map, for errors that name a field.
        let mut positions: Vec<usize> = Vec::with_capacity(parts.headers.len());
        for (position, (name, value)) in parts.headers.iter().enumerate() {
            if name == http::header::CONNECTION {
                let close = value
                    .as_bytes()
                    .split(|&b| b == b',')
                    .any(|option| option.trim_ascii().eq_ignore_ascii_case(b"close"));
                if close {
                    intent = Intent::Close;
                }
                continue;
            }
            fields.push(Field::new(name.as_str().as_bytes(), value.as_bytes()));
            positions.push(position);
        }
        let mut head = self.response(parts.status.as_u16(), intent);
        head.body = body;
        head.date = date;
        head.fields = &fields;
        self.send_head(&head, out).map_err(|error| match error {
            SendError::Compose(compose) => {
                SendError::Compose(with_field_index(compose, |index| positions[index]))
            }
            other => other,
        })
    }

    /// Writes `100 Continue` to the start of `out`: the client may now send
    /// the body it announced with `Expect: 100-continue`.
    ///
    /// # Errors
    ///
    /// [`SendError::UnexpectedContinue`] unless the client waits for it
    /// ([`awaits_continue`](Self::awaits_continue)); the others of
    /// [`send_head`](Self::send_head).
    pub fn send_continue(&mut self, out: &mut [u8]) -> Result<usize, SendError> {
        let head = ResponseHead::new(100, Version::Http11);
        self.send_head(&head, out).map(|composed| composed.len)
    }

    /// Announces `len` more bytes of the response body and says what frames
    /// them on the wire; the data itself is sent by the caller (copied,
    /// `writev`, `sendfile`).
    ///
    /// # Errors
    ///
    /// [`SendError::BodyNotAllowed`] (HEAD, 1xx, 204, 304),
    /// [`SendError::BodyTooLong`] (past the `Content-Length`),
    /// [`SendError::NoHead`], [`SendError::ResponseComplete`],
    /// [`SendError::NoRequest`].
    pub fn send_data(&mut self, len: u64) -> Result<DataFrame, SendError> {
        let next = self.check_send(Input::SendData)?;
        let (outgoing, frame) = self.outgoing.data(len)?;
        self.outgoing = outgoing;
        self.sides = next;
        Ok(frame)
    }

    /// Ends the response body, writing what ends it to the start of `out`
    /// (the last chunk and `trailers` for a chunked body; nothing otherwise)
    /// and returning its length. The response is then complete:
    /// [`state`](Self::state) says what comes next.
    ///
    /// Only a chunked body carries trailers: check the head's
    /// [`framing`](crate::compose::Composed::framing) first. A body of unknown
    /// length to an HTTP/1.0 client is close-delimited, so its trailers (and
    /// a `Trailer` field announcing them) have nowhere to go.
    ///
    /// # Errors
    ///
    /// [`SendError::BodyTooShort`] (before the `Content-Length`),
    /// [`SendError::TrailersNotChunked`], [`SendError::NoHead`],
    /// [`SendError::ResponseComplete`], [`SendError::NoRequest`],
    /// [`SendError::Compose`] (a bad trailer, or `out` too small).
    pub fn send_end(&mut self, trailers: &[Field<'_>], out: &mut [u8]) -> Result<usize, SendError> {
        let next = self.check_send(Input::SendEnd)?;
        self.outgoing.end(!trailers.is_empty())?;
        let written = match self.outgoing {
            Outgoing::Chunked => compose::encode_last_chunk(trailers, out)?,
            _ => 0,
        };
        self.sides = next;
        Ok(written)
    }

    /// The server has sent its whole response to the current request, without
    /// the connection seeing it. `intent` is [`Intent::Close`] if the server
    /// closes the connection anyway (it sent `Connection: close`, or an error
    /// status); [`Intent::KeepAlive`] keeps it open only if the request allows.
    ///
    /// Prefer [`send_head`](Self::send_head), [`send_data`](Self::send_data)
    /// and [`send_end`](Self::send_end), which check the response; this
    /// records its end only. A response finished while the request body is
    /// unread closes the connection.
    pub fn finish_response(&mut self, intent: Intent) -> Result<(), StateError> {
        let persistent = intent == Intent::KeepAlive && self.answering.keep_alive;
        self.apply(Input::ResponseComplete { persistent })
    }

    /// Starts reading the next request; only in [`State::Done`].
    pub fn start_next_cycle(&mut self) -> Result<(), StateError> {
        self.apply(Input::StartNextCycle)?;
        self.fields.clear();
        self.trailers.clear();
        self.leniencies.clear();
        self.answering = Answering::NONE;
        self.outgoing = Outgoing::NoBody;
        Ok(())
    }

    // Inlined so that the input's column in the table is a constant.
    #[inline(always)]
    fn apply(&mut self, input: Input) -> Result<(), StateError> {
        match state::transition(self.sides, input) {
            Ok(next) => {
                self.sides = next;
                Ok(())
            }
            Err(_) => Err(StateError {
                state: self.state(),
            }),
        }
    }

    /// A transition of the peer's side that the parser has made legal.
    #[inline(always)]
    fn apply_peer(&mut self, input: Input) {
        self.sides = state::transition(self.sides, input).expect("the parser follows the table");
    }

    /// Whether a final response may persist, given what the server wants.
    fn may_keep_alive(&self, wanted: bool) -> bool {
        wanted && self.answering.keep_alive && state::may_persist(self.sides)
    }

    /// The table's answer to a send, as the caller's error if refused.
    #[inline(always)]
    fn check_send(&self, input: Input) -> Result<Sides, SendError> {
        state::transition(self.sides, input).map_err(|refusal| match refusal {
            Refusal::NoRequest => SendError::NoRequest,
            Refusal::AlreadyResponded => SendError::AlreadyResponded,
            Refusal::NoHead => SendError::NoHead,
            Refusal::ResponseComplete => SendError::ResponseComplete,
            Refusal::UnexpectedContinue => SendError::UnexpectedContinue,
            Refusal::NotNow => unreachable!("the table names the refusal of every send"),
        })
    }

    /// Which input a head of this status is, checked against the table
    /// before anything is composed. The head's body and persistence are not
    /// known yet; they do not change what is legal.
    fn head_input(&self, status: u16) -> Result<Input, SendError> {
        let input = match status {
            100 => Input::SendContinue,
            101 => return Err(SendError::SwitchingProtocols),
            102..=199 => Input::SendInterim,
            _ => Input::SendHead { persistent: false },
        };
        self.check_send(input)?;
        Ok(input)
    }

    /// Records a composed head: its promise, and the transition.
    fn record_head(&mut self, input: Input, composed: Composed) {
        let input = match input {
            Input::SendHead { .. } => {
                self.outgoing = Outgoing::promised_by(composed.framing);
                Input::SendHead {
                    persistent: !composed.must_close,
                }
            }
            other => other,
        };
        self.sides = state::transition(self.sides, input).expect("checked before composing");
    }

    fn fail(&mut self, (kind, offset): Failure) -> Error {
        let error = Error::new(kind, offset);
        self.error = Some(error);
        self.apply_peer(Input::ProtocolError);
        error
    }

    #[inline(always)]
    fn poll_head<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        let scanned = self
            .head
            .scan(input, &self.config, &mut self.fields, &mut self.leniencies);
        let (line, head_len) = match scanned {
            Err(failure) => return Err(self.fail(failure)),
            Ok(None) if self.sides.stream() == Stream::Ended => {
                if self.head.started() {
                    return Err(self.fail((ErrorKind::UnexpectedEof, input.len())));
                }
                self.apply_peer(Input::CleanClose);
                return Ok(step(0, Outcome::Event(Event::ConnectionClosed)));
            }
            Ok(None) => return Ok(step(0, Outcome::NeedData)),
            Ok(Some(done)) => done,
        };
        self.head.restart();
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
            // `decide` never says close-delimited: a request body never is.
            Framing::NoBody | Framing::Length(0) | Framing::CloseDelimited => false,
            Framing::Length(n) => {
                self.body = Body::Length(n);
                true
            }
            Framing::Chunked => {
                self.body = Body::Chunked(ChunkedDecoder::new());
                true
            }
        };
        self.head_leniencies = self.leniencies.len();
        let method = Method::from_bytes(&input[line.method_start..line.method_end]);
        self.answering = Answering {
            version,
            head_request: method == Method::Head,
            keep_alive: decision.keep_alive,
            expects_continue: decision.expects_continue,
        };
        self.apply_peer(Input::RequestHead {
            has_body,
            expects_continue: decision.expects_continue,
        });
        Ok(step(
            head_len,
            Outcome::Event(Event::Request(Request {
                input,
                fields: &self.fields,
                leniencies: &self.leniencies,
                facts: HeadFacts {
                    line,
                    method,
                    version,
                    decision,
                    head_len,
                },
            })),
        ))
    }

    /// The end of a request whose body is not chunked: no trailer section.
    fn end_without_trailers<'a>(&mut self, input: &'a [u8]) -> Step<'a> {
        self.apply_peer(Input::EndOfRequest);
        let trailers = Trailers {
            input,
            fields: &[],
            leniencies: &[],
        };
        step(0, Outcome::Event(Event::EndOfMessage(trailers)))
    }

    fn poll_body<'a>(&'a mut self, input: &'a [u8]) -> Result<Step<'a>, Error> {
        match &mut self.body {
            Body::Length(0) => Ok(self.end_without_trailers(input)),
            Body::Length(left) => {
                if input.is_empty() {
                    if self.sides.stream() == Stream::Ended {
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
                    Ok(ChunkStep::Data { start, end }) => Ok(Step {
                        consumed: end,
                        outcome: Outcome::Event(Event::Data(&input[start..end])),
                        data_start: start,
                    }),
                    Ok(ChunkStep::NeedData { consumed }) => {
                        if self.sides.stream() == Stream::Ended {
                            return Err(self.fail((ErrorKind::UnexpectedEof, input.len())));
                        }
                        Ok(step(consumed, Outcome::NeedData))
                    }
                    Ok(ChunkStep::End { end }) => {
                        self.apply_peer(Input::EndOfRequest);
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
    Step {
        consumed,
        outcome,
        data_start: 0,
    }
}

#[cfg(feature = "bytes")]
mod with_bytes {
    use bytes::{Bytes, BytesMut};

    use super::{Connection, Event, Outcome};
    use crate::error::Error;
    use crate::owned::{OwnedRequest, OwnedTrailers};

    /// Something the client said, owning its bytes as shared [`Bytes`].
    #[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
    #[derive(Debug)]
    #[non_exhaustive]
    pub enum SharedEvent {
        /// A request head.
        Request(OwnedRequest<Bytes>),
        /// A piece of the request body (de-chunked).
        Data(Bytes),
        /// The request is complete; for a chunked body, with its trailers.
        EndOfMessage(OwnedTrailers<Bytes>),
        /// The client closed the connection cleanly between requests.
        ConnectionClosed,
    }

    /// The outcome of [`Connection::poll_bytes`].
    #[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
    #[derive(Debug)]
    #[non_exhaustive]
    pub enum SharedOutcome {
        /// Something happened.
        Event(SharedEvent),
        /// More input is needed: read into the buffer and call again.
        NeedData,
        /// Input is left alone until the response is complete and the next
        /// cycle starts (see [`Outcome::Paused`]).
        Paused,
    }

    /// What a step amounted to, once the borrow of the buffer ends.
    enum Seen {
        Request(OwnedRequest<()>),
        Data { start: usize, len: usize },
        End(alloc::vec::Vec<crate::parse::FieldSpan>),
        Closed,
        NeedData,
        Paused,
    }

    impl Connection {
        /// As [`poll_event`](Self::poll_event) over a `BytesMut` receive
        /// buffer: the consumed bytes are split off the front of `buf`, and
        /// the event owns them as shared [`Bytes`] — the head, and each piece
        /// of body, without copying. Read more into the same `buf` (its
        /// unconsumed bytes stay where they are) on [`SharedOutcome::NeedData`].
        ///
        /// # Errors
        ///
        /// As [`poll_event`](Self::poll_event); nothing is split off then.
        #[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
        pub fn poll_bytes(&mut self, buf: &mut BytesMut) -> Result<SharedOutcome, Error> {
            let (consumed, seen) = {
                let step = self.poll_event(buf)?;
                let seen = match step.outcome {
                    Outcome::Event(Event::Request(request)) => {
                        Seen::Request(request.owned_with(()))
                    }
                    Outcome::Event(Event::Data(data)) => Seen::Data {
                        start: step.data_start,
                        len: data.len(),
                    },
                    Outcome::Event(Event::EndOfMessage(trailers)) => {
                        Seen::End(trailers.fields.to_vec())
                    }
                    Outcome::Event(Event::ConnectionClosed) => Seen::Closed,
                    Outcome::NeedData => Seen::NeedData,
                    Outcome::Paused => Seen::Paused,
                };
                (step.consumed, seen)
            };
            let taken = buf.split_to(consumed).freeze();
            Ok(match seen {
                Seen::Request(request) => {
                    SharedOutcome::Event(SharedEvent::Request(request.with_storage(taken)))
                }
                Seen::Data { start, len } => {
                    SharedOutcome::Event(SharedEvent::Data(taken.slice(start..start + len)))
                }
                Seen::End(fields) => SharedOutcome::Event(SharedEvent::EndOfMessage(
                    OwnedTrailers::new(taken, fields),
                )),
                Seen::Closed => SharedOutcome::Event(SharedEvent::ConnectionClosed),
                Seen::NeedData => SharedOutcome::NeedData,
                Seen::Paused => SharedOutcome::Paused,
            })
        }
    }
}

#[cfg(feature = "bytes")]
pub use with_bytes::{SharedEvent, SharedOutcome};

/// `error` with the index of the field it names mapped.
#[cfg(feature = "http")]
fn with_field_index(
    error: compose::ComposeError,
    map: impl FnOnce(usize) -> usize,
) -> compose::ComposeError {
    use compose::ComposeError::{InvalidFieldName, InvalidFieldValue, ReservedField};
    match error {
        InvalidFieldName { index } => InvalidFieldName { index: map(index) },
        InvalidFieldValue { index } => InvalidFieldValue { index: map(index) },
        ReservedField { index } => ReservedField { index: map(index) },
        other => other,
    }
}
