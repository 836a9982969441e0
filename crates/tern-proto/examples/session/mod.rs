//! The part of every example that involves no I/O: one connection's session,
//! from the bytes a client sent to the bytes to send back and what to do with
//! the socket next. The examples differ only in how they move bytes (blocking
//! std, tokio, an epoll loop); this is what they share, and what a server
//! author replaces with their own application.
//!
//! What it answers:
//!
//! - `GET`/`HEAD` of any target: `200` with `METHOD TARGET\n` (no body for
//!   `HEAD`, the same `Content-Length`);
//! - `GET /chunked`: the same text in two pieces of unknown length (chunked
//!   for HTTP/1.1, close-delimited for HTTP/1.0);
//! - a request with a body: `200` with `received N bytes\n`, after sending
//!   `100 Continue` if the client waits for it;
//! - a declared body over [`MAX_BODY`]: `413` at once, without reading it;
//! - `/early` with a body: `202` at once; the body is then read and
//!   discarded and the connection goes on;
//! - an invalid request: the status the parser suggests, then a lingering
//!   close.

use tern_proto::compose::{Body, FieldLines, ResponseHead};
use tern_proto::date::DateCache;
use tern_proto::{Closing, Config, Connection, Event, Framing, Intent, Method, Outcome, State};

/// The largest request body this server reads.
pub(crate) const MAX_BODY: u64 = 1 << 20;

/// What the I/O layer does after sending the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Read more from the socket and call [`Session::handle_input`] again.
    Read,
    /// Send what is in the output, then close as said.
    Close(Closing),
}

/// One connection's state, with no I/O.
pub(crate) struct Session {
    conn: Connection,
    date: DateCache,
    /// The fields every response has, validated once rather than on every
    /// response.
    lines: FieldLines<'static>,
    /// The answer to the current request, decided at its head.
    answer: Answer,
    received: u64,
}

enum Answer {
    /// No request yet.
    None,
    /// Echo the method and target, in one piece or two.
    Text { text: Vec<u8>, pieces: bool },
    /// Count the body and say how much arrived.
    Count,
    /// Already answered (early); the rest of the request is discarded.
    Sent,
}

impl Session {
    /// A session for a newly accepted connection; `now` is the Unix time
    /// in seconds.
    pub(crate) fn new(now: u64) -> Self {
        Self {
            conn: Connection::new(Config::default()),
            date: DateCache::new(now),
            lines: FieldLines::new(b"Content-Type: text/plain\r\n").expect("a valid field line"),
            answer: Answer::None,
            received: 0,
        }
    }

    /// The peer shut down its side.
    pub(crate) fn handle_eof(&mut self) {
        self.conn.handle_eof();
    }

    /// Feeds the bytes received and not consumed yet; appends what to send
    /// to `out`; returns how many input bytes to drop and what to do next.
    pub(crate) fn handle_input(
        &mut self,
        input: &[u8],
        now: u64,
        out: &mut Vec<u8>,
    ) -> (usize, Next) {
        self.date.update(now);
        let mut consumed = 0;
        loop {
            let step = match self.conn.poll_event(&input[consumed..]) {
                Ok(step) => step,
                Err(error) => {
                    // Answered if a response can still start (not after an
                    // early one), then closed as the connection says. The
                    // client gets the kind's message; the offset is for logs.
                    if self.conn.can_send_head() {
                        let text = format!("{}\n", error.kind());
                        self.respond(error.status_hint(), Intent::Close, text.as_bytes(), out);
                    }
                    return (consumed, self.close());
                }
            };
            consumed += step.consumed;
            match step.outcome {
                Outcome::Event(Event::Request(request)) => {
                    // The echo, as bytes: no formatting, no UTF-8 check.
                    let text = [request.method_bytes(), b" ", request.target(), b"\n"].concat();
                    let declared = match request.framing() {
                        Framing::Length(n) => Some(n),
                        _ => None,
                    };
                    let has_body =
                        !matches!(request.framing(), Framing::NoBody | Framing::Length(0));
                    let pieces = request.target() == b"/chunked" && request.method() == Method::Get;
                    let early = request.target() == b"/early";
                    self.received = 0;
                    self.answer = if has_body {
                        Answer::Count
                    } else {
                        Answer::Text { text, pieces }
                    };
                    if declared.is_some_and(|n| n > MAX_BODY) {
                        // Refuse at once; a client waiting for 100 never
                        // sends the body, and the connection closes.
                        self.respond(413, Intent::Close, b"body too large\n", out);
                        self.answer = Answer::Sent;
                    } else if has_body && early {
                        self.respond(202, Intent::KeepAlive, b"not reading your body\n", out);
                        self.answer = Answer::Sent;
                    } else if self.conn.awaits_continue() {
                        let at = out.len();
                        out.resize(at + 32, 0);
                        let n = self.conn.send_continue(&mut out[at..]).expect("awaited");
                        out.truncate(at + n);
                    }
                }
                Outcome::Event(Event::Data(data)) => self.received += data.len() as u64,
                Outcome::Event(Event::EndOfMessage(_)) => {
                    match std::mem::replace(&mut self.answer, Answer::None) {
                        Answer::Text { text, pieces: true } => self.respond_in_pieces(&text, out),
                        Answer::Text {
                            text,
                            pieces: false,
                        } => {
                            self.respond(200, Intent::KeepAlive, &text, out);
                        }
                        Answer::Count => {
                            let text = format!("received {} bytes\n", self.received);
                            self.respond(200, Intent::KeepAlive, text.as_bytes(), out);
                        }
                        Answer::Sent | Answer::None => {}
                    }
                }
                Outcome::Event(Event::ConnectionClosed) => {
                    return (consumed, Next::Close(Closing::Now));
                }
                Outcome::NeedData => return (consumed, Next::Read),
                // Paused: this session answers every request at its end, so
                // nothing is left to wait for.
                _ => return (consumed, self.close()),
            }
            match self.conn.state() {
                State::Done => self.conn.start_next_cycle().expect("done"),
                State::MustClose => return (consumed, self.close()),
                _ => {}
            }
        }
    }

    fn close(&self) -> Next {
        Next::Close(self.conn.closing().unwrap_or(Closing::Linger))
    }

    /// A whole response with a body in memory (none sent to HEAD). Refused
    /// only if a response is already under way (an early one).
    fn respond(&mut self, status: u16, intent: Intent, body: &[u8], out: &mut Vec<u8>) {
        let mut head = self.conn.response(status, intent);
        head.date = Some(self.date.imf_fixdate());
        head.lines = self.lines;
        let _ = self.conn.send_response(&head, body, out);
    }

    /// A response of unknown length, sent in two pieces.
    fn respond_in_pieces(&mut self, body: &[u8], out: &mut Vec<u8>) {
        let mut head = self.conn.response(200, Intent::KeepAlive);
        head.body = Body::Unknown;
        head.date = Some(self.date.imf_fixdate());
        if !send_head(&mut self.conn, &head, out) {
            return;
        }
        for piece in [&body[..body.len() / 2], &body[body.len() / 2..]] {
            let frame = self
                .conn
                .send_data(piece.len() as u64)
                .expect("a body of any length");
            out.extend_from_slice(frame.prefix());
            out.extend_from_slice(piece);
            out.extend_from_slice(frame.suffix());
        }
        let at = out.len();
        out.resize(at + 16, 0);
        let n = self
            .conn
            .send_end(&[], &mut out[at..])
            .expect("room for the last chunk");
        out.truncate(at + n);
    }
}

/// Composes a head at the end of `out`; false if the connection refused it.
fn send_head(conn: &mut Connection, head: &ResponseHead<'_>, out: &mut Vec<u8>) -> bool {
    let Ok(len) = head.encoded_len() else {
        return false;
    };
    let at = out.len();
    out.resize(at + len, 0);
    match conn.send_head(head, &mut out[at..]) {
        Ok(composed) => {
            out.truncate(at + composed.len);
            true
        }
        Err(_) => {
            out.truncate(at);
            false
        }
    }
}
