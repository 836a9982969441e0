//! One client connection: socket bytes → tern-proto → response plan →
//! head (+ small body) in the output buffer → `send`, then `sendfile`.
//!
//! tern-proto's `Connection` is the source of truth for the request
//! lifecycle; this module adds what only the server knows, as enums: the
//! [`Phase`] (what the connection waits for, hence its timeout), what
//! `epoll` said about the socket ([`Readiness`]), and the response planned
//! for the request being read ([`Response`]).
//!
//! # Buffers
//!
//! A connection holds memory only while it has work. Input is read into the
//! worker's scratch buffer and parsed there. A connection with a request in
//! progress borrows a parser from the worker's slab (see `context`); only
//! bytes a request leaves unconsumed (part of a head, a pipelined request
//! that must wait) are copied into that parser's input buffer, as small as
//! they are, grown up to the head limit while a head trickles in. The output
//! buffer comes from the thread's lookaside pool when a response is written
//! and goes back when it has been sent; the parser goes back to the slab
//! between requests. An idle keep-alive connection is just its socket and a
//! few words.
//!
//! # Syscalls per response
//!
//! A small keep-alive request costs one `recv` and one `send` (head and the
//! cached body together); `epoll_wait` is shared by every connection ready at
//! once. A short `recv` means the socket is drained, so no `recv` is made
//! just to see `EAGAIN`: edge-triggered epoll reports the next request. A
//! large file is `send(MSG_MORE)` of the head and `sendfile` of the body, so
//! head and first body bytes leave in one segment. Pipelined requests are
//! answered in one batch: all responses that fit go out in one `send`.

use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::time::Instant;

use rustix::io::Errno;
use tern_proto::pool::PooledBuffer;
use tern_proto::{Event, Framing, Intent, Outcome, State};

use crate::context::{Ctx, INPUT_MIN, ParserId};
use crate::log::{Entry, PendingEntry};
use crate::plan::Plan;
use crate::respond::{self, FileBody, NoRoom, Output};
use crate::socket::Socket;

/// Rounds of flush/parse/read one `drive` call makes before letting other
/// connections run (Warp's `yield`).
const MAX_ROUNDS: usize = 8;
/// Largest single `sendfile` call.
const SENDFILE_MAX: u64 = 0x7fff_f000;
/// A file body at least this long is sent with a larger send buffer.
const LARGE_BODY: u64 = 8 << 20;
/// How many times `--local-sndbuf` a loopback client's send buffer is while a
/// large body is sent (2 MiB at the default).
const LARGE_BODY_SNDBUF_FACTOR: usize = 8;
/// Reads made while lingering before other connections get a turn.
const LINGER_READS: usize = 16;

/// What the connection is waiting for (decides its timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Between requests: idle timeout. Holds no buffer and no parser.
    Idle,
    /// New, or part of a request head has arrived: header timeout (not
    /// extended by trickling bytes).
    Head,
    /// A request is being read or answered: idle timeout renewed on
    /// progress, send timeout while the socket is full.
    Active,
    /// The last response is queued; then the connection closes, lingering
    /// first if the client may still be sending (`linger`).
    Closing {
        /// Shut down our side and drain before closing.
        linger: bool,
    },
    /// Our side is shut down; draining what the client still sends.
    Lingering,
}

/// What epoll has said about the socket's receiving side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// The last read drained the socket: wait for the next edge.
    Drained,
    /// Bytes may be waiting.
    Readable,
    /// The peer hung up: read until end of stream, even after a short read,
    /// since no further edge will come.
    HungUp,
    /// End of stream was read.
    Eof,
}

/// The response to the request being read.
#[derive(Debug)]
enum Response {
    /// No request in progress.
    None,
    /// Planned from the head; written once the request's body has been read.
    AfterBody(Plan),
    /// To be written now.
    Due(Plan),
}

/// What the event loop should do with a connection after `drive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait for epoll.
    Wait,
    /// More work is ready: drive again after the other ready connections.
    Yield,
    /// Close it.
    Close,
}

/// One client connection.
#[derive(Debug)]
pub(crate) struct Conn<S = OwnedFd> {
    sock: S,
    phase: Phase,
    /// When the current phase times out.
    pub(crate) deadline: Instant,
    readiness: Readiness,
    /// The parser lent while a request is in progress, with the input
    /// received and not consumed yet.
    parser: Option<ParserId>,
    response: Response,
    out: Option<PooledBuffer>,
    out_pos: usize,
    out_end: usize,
    body: Option<FileBody>,
    peer: Option<IpAddr>,
    /// The bounded send buffer of a loopback client (`--local-sndbuf`), or 0.
    bounded_sndbuf: usize,
    /// The send buffer is raised for a large body.
    sndbuf_raised: bool,
    /// The access-log line of the response in progress and its body length.
    log: Option<Box<(PendingEntry, u64)>>,
}

/// What parsing the input produced.
enum Progress {
    /// Output was produced (or is pending): flush.
    Output,
    /// Everything is consumed: read.
    NeedData,
    /// Close now.
    Close,
}

/// What flushing achieved.
enum Flushed {
    /// Everything is sent.
    All,
    /// The socket is full.
    Blocked,
}

impl<S: Socket> Conn<S> {
    /// A freshly accepted connection. `bounded_sndbuf` is the send buffer
    /// set on a loopback client's socket (0 when the kernel's autotuning is
    /// left alone).
    pub(crate) fn new(sock: S, peer: Option<IpAddr>, bounded_sndbuf: usize, ctx: &Ctx) -> Self {
        Self {
            sock,
            phase: Phase::Head,
            deadline: ctx.now + ctx.timeouts.header,
            readiness: Readiness::Drained,
            parser: None,
            response: Response::None,
            out: None,
            out_pos: 0,
            out_end: 0,
            body: None,
            peer,
            bounded_sndbuf,
            sndbuf_raised: false,
            log: None,
        }
    }

    /// A connection over the limit: it is answered `503` with
    /// `Connection: close`, then lingers (reads and discards what the client
    /// sent) for a bounded time, so the refusal is not lost to a reset.
    pub(crate) fn refusing(sock: S, ctx: &Ctx) -> Self {
        let mut conn = Self::new(sock, None, 0, ctx);
        conn.response = Response::Due(Plan::error(503));
        conn.phase = Phase::Closing { linger: true };
        conn.deadline = ctx.now + ctx.timeouts.linger;
        conn
    }

    /// epoll reported the socket readable (`hangup`: the peer closed its
    /// side, or an error).
    pub(crate) fn handle_readable(&mut self, hangup: bool) {
        self.readiness = match self.readiness {
            Readiness::Eof => Readiness::Eof,
            Readiness::HungUp => Readiness::HungUp,
            _ if hangup => Readiness::HungUp,
            _ => Readiness::Readable,
        };
    }

    /// Nothing in flight: no request being read or answered.
    pub(crate) fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Idle | Phase::Head)
            && !self.has_output()
            && matches!(self.response, Response::None)
    }

    /// When an idle keep-alive connection times out (the oldest idle one
    /// has the earliest), or `None` if it is not idle between requests.
    pub(crate) fn idle_deadline(&self) -> Option<Instant> {
        (self.phase == Phase::Idle && self.is_idle()).then_some(self.deadline)
    }

    /// The bytes of the response in progress not yet sent, or `None` when no
    /// response is in progress.
    pub(crate) fn unsent_bytes(&self) -> Option<u64> {
        if !self.has_output() && matches!(self.response, Response::None) {
            return None;
        }
        let buffered = (self.out_end - self.out_pos) as u64;
        Some(buffered + self.body.as_ref().map_or(0, FileBody::bytes_left))
    }

    /// Gives the buffers and parser back to the thread's lookaside lists
    /// before the connection is dropped.
    pub(crate) fn release(&mut self, ctx: &mut Ctx) {
        self.log_sent(ctx, false);
        self.out = None;
        self.body = None;
        self.return_parser(ctx);
    }

    /// Does all the work that can be done without blocking.
    pub(crate) fn drive(&mut self, ctx: &mut Ctx) -> Next {
        for _ in 0..MAX_ROUNDS {
            if self.phase == Phase::Lingering {
                return self.drain(ctx);
            }
            if self.has_output() {
                match self.flush() {
                    Err(_) => return Next::Close,
                    Ok(Flushed::Blocked) => {
                        self.deadline = ctx.now + ctx.timeouts.send;
                        return Next::Wait;
                    }
                    Ok(Flushed::All) => {
                        self.log_sent(ctx, true);
                        if let Phase::Closing { linger } = self.phase {
                            return self.close(ctx, linger);
                        }
                    }
                }
            }
            let input = self.take_input(ctx);
            let (consumed, progress) = self.process(ctx, &input);
            self.put_back_input(ctx, input, consumed);
            match progress {
                Progress::Output => continue,
                Progress::Close => return Next::Close,
                Progress::NeedData => {}
            }
            match self.readiness {
                Readiness::Eof => return Next::Close,
                Readiness::Drained => {
                    self.settle(ctx);
                    return Next::Wait;
                }
                Readiness::Readable | Readiness::HungUp => {}
            }
            if let Some(next) = self.read(ctx) {
                return next;
            }
        }
        Next::Yield
    }

    fn has_output(&self) -> bool {
        self.out_end > self.out_pos || self.body.is_some()
    }

    /// The parser lent to this connection, lending one if it has none.
    fn lend_parser(&mut self, ctx: &mut Ctx) -> ParserId {
        *self.parser.get_or_insert_with(|| ctx.parsers.take())
    }

    /// Gives the parser (and the input it holds) back to the slab.
    fn return_parser(&mut self, ctx: &mut Ctx) {
        if let Some(id) = self.parser.take() {
            ctx.parsers.give(id);
        }
    }

    /// How many received bytes wait to be consumed.
    fn kept_input(&self, ctx: &Ctx) -> usize {
        self.parser.map_or(0, |id| ctx.parsers.get(id).input.len())
    }

    /// The kept input, taken out of the parser so that it can be parsed
    /// while the parser is borrowed (a move, no copy).
    fn take_input(&self, ctx: &mut Ctx) -> Vec<u8> {
        self.parser
            .map(|id| std::mem::take(&mut ctx.parsers.get_mut(id).input))
            .unwrap_or_default()
    }

    /// Puts back what `take_input` took, less the `consumed` bytes.
    fn put_back_input(&self, ctx: &mut Ctx, mut input: Vec<u8>, consumed: usize) {
        input.drain(..consumed);
        if let Some(id) = self.parser {
            ctx.parsers.get_mut(id).input = input;
        }
    }

    /// Reads what has arrived. With nothing kept from before, it reads into
    /// the worker's scratch buffer and parses there, keeping only what is
    /// not consumed; otherwise it appends to the input the parser keeps.
    /// `Some`: what the loop should do now.
    fn read(&mut self, ctx: &mut Ctx) -> Option<Next> {
        if self.kept_input(ctx) == 0 {
            self.read_into_scratch(ctx)
        } else {
            self.read_after_kept(ctx)
        }
    }

    fn read_into_scratch(&mut self, ctx: &mut Ctx) -> Option<Next> {
        let mut scratch = std::mem::take(&mut ctx.read_scratch);
        let next = match self.recv(&mut scratch) {
            Ok(0) => self.handle_eof(ctx),
            Ok(n) => {
                self.note_received(ctx);
                let (consumed, progress) = self.process(ctx, &scratch[..n]);
                if consumed < n {
                    let id = self.lend_parser(ctx);
                    let input = &mut ctx.parsers.get_mut(id).input;
                    input.reserve((n - consumed).max(INPUT_MIN));
                    input.extend_from_slice(&scratch[consumed..n]);
                }
                match progress {
                    Progress::Close => Some(Next::Close),
                    Progress::Output | Progress::NeedData => None,
                }
            }
            Err(next) => Some(next),
        };
        ctx.read_scratch = scratch;
        next
    }

    /// Reads into the scratch buffer, then appends what arrived to the
    /// kept input: the input grows by what is received, never ahead of it
    /// (a connection closing with part of a head kept allocates nothing).
    fn read_after_kept(&mut self, ctx: &mut Ctx) -> Option<Next> {
        let kept = self.kept_input(ctx);
        let max = ctx.max_input();
        if kept >= max {
            // Only reachable if the parser's head limit were larger than
            // the buffer: refuse as the parser would.
            self.fail(ctx, 431);
            return None;
        }
        let mut scratch = std::mem::take(&mut ctx.read_scratch);
        let received = self.recv(&mut scratch[..max - kept]);
        if let (Ok(n), Some(id)) = (received, self.parser) {
            let input = &mut ctx.parsers.get_mut(id).input;
            input.extend_from_slice(&scratch[..n]);
        }
        ctx.read_scratch = scratch;
        match received {
            Ok(0) => self.handle_eof(ctx),
            Ok(_) => {
                self.note_received(ctx);
                None
            }
            Err(next) => Some(next),
        }
    }

    /// One `recv` into `buf`: `Ok(n)`, 0 at end of stream (noted); `Err`
    /// when the loop should stop.
    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Next> {
        loop {
            match self.sock.recv(buf) {
                Ok(0) => {
                    self.readiness = Readiness::Eof;
                    return Ok(0);
                }
                Ok(n) => {
                    if n < buf.len() && self.readiness != Readiness::HungUp {
                        // A short read drained the socket: epoll (edge
                        // triggered) reports the next bytes.
                        self.readiness = Readiness::Drained;
                    }
                    return Ok(n);
                }
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => {
                    self.readiness = Readiness::Drained;
                    return Err(Next::Wait);
                }
                Err(_) => return Err(Next::Close),
            }
        }
    }

    /// The peer's end of stream was read: a request in progress learns it
    /// (the next parse says whether it was cut short); with none, close.
    fn handle_eof(&mut self, ctx: &mut Ctx) -> Option<Next> {
        match self.parser {
            Some(id) => {
                ctx.parsers.get_mut(id).proto.handle_eof();
                None
            }
            None => Some(Next::Close),
        }
    }

    /// Bytes arrived: a connection idle between requests now has a head
    /// arriving, under the header timeout.
    fn note_received(&mut self, ctx: &Ctx) {
        if self.phase == Phase::Idle {
            self.phase = Phase::Head;
            self.deadline = ctx.now + ctx.timeouts.header;
        }
    }

    /// Sends buffered bytes, then the file body.
    fn flush(&mut self) -> Result<Flushed, Errno> {
        loop {
            if self.out_pos < self.out_end {
                let buf = self.out.as_ref().ok_or(Errno::INVAL)?;
                let more = self.body.is_some();
                match self.sock.send(&buf[self.out_pos..self.out_end], more) {
                    Ok(n) => self.out_pos += n,
                    Err(Errno::AGAIN) => return Ok(Flushed::Blocked),
                    Err(Errno::INTR) => {}
                    Err(e) => return Err(e),
                }
                continue;
            }
            self.out_pos = 0;
            self.out_end = 0;
            let Some(body) = self.body.as_mut() else {
                return Ok(Flushed::All);
            };
            if body.offset < body.end {
                let more = body.parts.is_some();
                let sent = match &body.file.data {
                    // Cached content too large for the buffer (or a part of
                    // it): sent straight from memory.
                    Some(data) => self
                        .sock
                        .send(&data[body.offset as usize..body.end as usize], more)
                        .inspect(|&n| body.offset += n as u64),
                    None => {
                        let count = (body.end - body.offset).min(SENDFILE_MAX) as usize;
                        self.sock.sendfile(&body.file.fd, &mut body.offset, count)
                    }
                };
                match sent {
                    // The file shrank under us: the promised length cannot be met.
                    Ok(0) => return Err(Errno::IO),
                    Ok(_) | Err(Errno::INTR) => {}
                    Err(Errno::AGAIN) => return Ok(Flushed::Blocked),
                    Err(e) => return Err(e),
                }
                continue;
            }
            let Some(parts) = body.parts.as_mut() else {
                self.body = None;
                continue;
            };
            // The next part's header (or the closing delimiter) into the buffer.
            let mut next = Vec::with_capacity(160);
            if let Some(span) = parts.advance(&body.file.content_type, body.file.size, &mut next) {
                body.offset = span.start;
                body.end = span.end;
            }
            if parts.finished() {
                self.body = None;
            }
            let buf = self.out.as_mut().ok_or(Errno::INVAL)?;
            buf[..next.len()].copy_from_slice(&next);
            self.out_end = next.len();
        }
    }

    /// Everything is sent and the connection ends. If the client may still be
    /// sending (an unread body, pipelined bytes after an error, a refusal),
    /// closing now could reset the connection before the client has read the
    /// response: shut down our side and drain first (lingering close).
    fn close(&mut self, ctx: &mut Ctx, linger: bool) -> Next {
        if self.readiness == Readiness::Eof || (!linger && self.kept_input(ctx) == 0) {
            return Next::Close;
        }
        self.sock.shutdown_write();
        self.phase = Phase::Lingering;
        self.deadline = ctx.now + ctx.timeouts.linger;
        self.out = None;
        // What it holds is discarded (the slab resets a parser in its error
        // state or mid-body).
        self.return_parser(ctx);
        self.drain(ctx)
    }

    fn drain(&mut self, ctx: &mut Ctx) -> Next {
        let mut scratch = std::mem::take(&mut ctx.read_scratch);
        let mut next = Next::Yield;
        for _ in 0..LINGER_READS {
            match self.sock.recv(&mut scratch) {
                Ok(0) => next = Next::Close,
                Ok(_) | Err(Errno::INTR) => continue,
                Err(Errno::AGAIN) => {
                    self.readiness = Readiness::Drained;
                    next = Next::Wait;
                }
                Err(_) => next = Next::Close,
            }
            break;
        }
        ctx.read_scratch = scratch;
        next
    }

    /// No more work: the phase and its deadline, and back to the pool what
    /// an idle connection does not need.
    fn settle(&mut self, ctx: &mut Ctx) {
        if self.has_output() || !matches!(self.response, Response::None) {
            return;
        }
        self.out = None;
        let started = self.parser.is_some_and(|id| {
            let parser = ctx.parsers.get(id);
            !parser.input.is_empty()
                || parser.proto.state() != State::Idle
                || parser.proto.head_started()
        });
        if started {
            return;
        }
        self.return_parser(ctx);
        // A response just completed: idle timeout. (A fresh connection that
        // has sent nothing yet stays under its header timeout.)
        if self.phase == Phase::Active {
            self.phase = Phase::Idle;
            self.deadline = ctx.now + ctx.timeouts.idle;
        }
    }

    /// Parses `input` and writes responses until it is consumed or the
    /// output must be flushed. Returns how much of `input` was consumed.
    fn process(&mut self, ctx: &mut Ctx, input: &[u8]) -> (usize, Progress) {
        let mut consumed = 0;
        let mut produced = false;
        loop {
            if self.body.is_some() {
                return (consumed, Progress::Output);
            }
            if matches!(self.response, Response::Due(_)) {
                match self.emit(ctx) {
                    Ok(()) => produced = true,
                    Err(NoRoom::Flush) => return (consumed, Progress::Output),
                    Err(NoRoom::Invalid) => self.replace_with_500(),
                }
                if matches!(self.phase, Phase::Closing { .. }) {
                    return (consumed, Progress::Output);
                }
                continue;
            }
            let (parsed, stop) = self.parse_next(ctx, &input[consumed..], produced);
            consumed += parsed;
            if let Some(progress) = stop {
                return (consumed, progress);
            }
        }
    }

    /// Polls the parser once over `rest` and acts on what it found. Returns
    /// how much of `rest` was consumed, and `Some` when `process` should
    /// stop with that progress (`produced`: it has output already).
    fn parse_next(
        &mut self,
        ctx: &mut Ctx,
        rest: &[u8],
        produced: bool,
    ) -> (usize, Option<Progress>) {
        let id = match self.parser {
            Some(id) => id,
            None if rest.is_empty() => return (0, Some(Self::needs(produced))),
            None => self.lend_parser(ctx),
        };
        let step = match ctx.parsers.get_mut(id).proto.poll_event(rest) {
            Ok(step) => step,
            Err(_) if self.readiness == Readiness::Eof => {
                // The client left mid-request: nobody reads an answer.
                let progress = if produced {
                    Progress::Output
                } else {
                    Progress::Close
                };
                return (0, Some(progress));
            }
            Err(e) => {
                self.fail(ctx, e.status_hint());
                return (rest.len(), None);
            }
        };
        let consumed = step.consumed;
        let stop = match step.outcome {
            Outcome::Event(Event::Request(req)) => {
                let plan = ctx.planner.plan(&req, !ctx.shutting_down, ctx.now);
                if ctx.log.is_some() {
                    self.log = Some(pending_log(self.peer, &req, &plan));
                }
                // The answer of a static server never depends on the body:
                // to a client waiting for `100 Continue` before it sends
                // one, the final status goes out at once (RFC 9110 §10.1.1),
                // and the connection closes after it.
                let answer_now = req.expects_continue() && req.framing() != Framing::NoBody;
                self.begin_response(ctx, plan, answer_now);
                None
            }
            Outcome::Event(Event::Data(_)) => {
                self.deadline = ctx.now + ctx.timeouts.idle;
                None
            }
            Outcome::Event(Event::EndOfMessage(_)) => {
                if let Response::AfterBody(plan) =
                    std::mem::replace(&mut self.response, Response::None)
                {
                    self.response = Response::Due(plan);
                }
                None
            }
            Outcome::Event(Event::ConnectionClosed) => Some(self.handle_peer_done(produced)),
            Outcome::NeedData => Some(Self::needs(produced)),
            // Not expected: a complete request is always answered before
            // polling again.
            _ => Some(Progress::Close),
        };
        (consumed, stop)
    }

    /// A request head was read and `plan` made for it: the response is due
    /// after the request's body, or at once (`answer_now`, closing after).
    fn begin_response(&mut self, ctx: &Ctx, plan: Plan, answer_now: bool) {
        self.response = if answer_now {
            Response::Due(Plan {
                keep_alive: false,
                ..plan
            })
        } else {
            Response::AfterBody(plan)
        };
        self.phase = Phase::Active;
        self.deadline = ctx.now + ctx.timeouts.idle;
    }

    /// The peer ended its side cleanly between requests: close once what
    /// is pending is sent.
    fn handle_peer_done(&mut self, produced: bool) -> Progress {
        if !(produced || self.has_output()) {
            return Progress::Close;
        }
        self.phase = Phase::Closing { linger: false };
        Progress::Output
    }

    fn needs(produced: bool) -> Progress {
        if produced {
            Progress::Output
        } else {
            Progress::NeedData
        }
    }

    /// Answers with `status` and closes (after a parser error or a refusal).
    fn fail(&mut self, ctx: &mut Ctx, status: u16) {
        let plan = Plan::error(status);
        ctx.log_line(Entry {
            peer: self.peer,
            request: None,
            status,
            bytes: plan.body_len(),
            referer: None,
            user_agent: None,
        });
        self.response = Response::Due(plan);
    }

    /// The composer refused a head (never expected: every field the server
    /// writes is valid): answer 500 rather than loop.
    fn replace_with_500(&mut self) {
        let mut plan = Plan::error(500);
        if let Response::Due(old) | Response::AfterBody(old) = &self.response {
            plan.version = old.version;
        }
        self.response = Response::Due(plan);
    }

    /// Writes the due response into the output buffer.
    fn emit(&mut self, ctx: &mut Ctx) -> Result<(), NoRoom> {
        let Response::Due(plan) = &self.response else {
            return Ok(());
        };
        let buf = self.out.get_or_insert_with(|| ctx.pool.take());
        let mut out = Output {
            buf: &mut buf[..],
            len: self.out_end,
        };
        self.body = respond::write_response(plan, &mut out, ctx.date.rendered(), &ctx.rules)?;
        self.out_end = out.len;
        let intent = if plan.keep_alive {
            Intent::KeepAlive
        } else {
            Intent::Close
        };
        self.response = Response::None;
        self.fit_send_buffer();
        if self.body.is_none() {
            // Written whole into the buffer: logged as sent.
            self.log_sent(ctx, true);
        }
        // The client may still be sending what we did not read: linger.
        let linger = match self.parser {
            Some(id) => {
                let p = &mut ctx.parsers.get_mut(id).proto;
                let unread = matches!(p.state(), State::RecvBody | State::Error);
                if !unread {
                    let _ = p.finish_response(intent);
                    // Done only if both sides keep the connection.
                    if p.state() == State::Done && p.start_next_cycle().is_ok() {
                        return Ok(());
                    }
                }
                unread
            }
            None => true,
        };
        if !matches!(self.phase, Phase::Closing { .. }) || linger {
            self.phase = Phase::Closing { linger };
        }
        Ok(())
    }

    /// Writes the access-log line of the response in progress, with all of
    /// its body bytes when `whole`, else those sent before the connection
    /// was cut.
    fn log_sent(&mut self, ctx: &mut Ctx, whole: bool) {
        let Some(pending) = self.log.take() else {
            return;
        };
        let (entry, body_len) = &*pending;
        let unsent = if whole {
            0
        } else {
            self.unsent_bytes().unwrap_or(0)
        };
        ctx.log_line(entry.entry(body_len.saturating_sub(unsent)));
    }

    /// Sizes a loopback client's send buffer for the body about to be sent.
    /// The bounded buffer of `--local-sndbuf` keeps the transmit work of small
    /// and medium files on the server's CPU; for a body of many MiB it costs
    /// more wake-ups and `sendfile` calls than it saves (figures in
    /// BENCHMARK.md). One `setsockopt` when the size changes, none per
    /// response otherwise.
    fn fit_send_buffer(&mut self) {
        if self.bounded_sndbuf == 0 {
            return;
        }
        let large = self
            .body
            .as_ref()
            .is_some_and(|b| b.bytes_left() >= LARGE_BODY);
        if large != self.sndbuf_raised {
            let size = if large {
                self.bounded_sndbuf.saturating_mul(LARGE_BODY_SNDBUF_FACTOR)
            } else {
                self.bounded_sndbuf
            };
            self.sock.set_send_buffer(size);
            self.sndbuf_raised = large;
        }
    }
}

/// The access-log line of a response to `req`, waiting for its byte count,
/// with the length of the planned body.
fn pending_log(
    peer: Option<IpAddr>,
    req: &tern_proto::Request<'_>,
    plan: &Plan,
) -> Box<(PendingEntry, u64)> {
    let entry = Entry {
        peer,
        request: Some((req.method_bytes(), req.target(), req.version_bytes())),
        status: plan.status,
        bytes: 0,
        referer: req.header(b"referer"),
        user_agent: req.header(b"user-agent"),
    };
    Box::new((PendingEntry::new(&entry), plan.body_len()))
}

/// A connection driven without the kernel: a scripted socket and a clock the
/// test moves, so timeouts are tested without sleeping.
#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::time::Duration;

    use tern_proto::pool::{BufferPool, PoolConfig};

    use super::*;
    use crate::cli::{self, Command};

    /// What the peer sent (chunks, then `None` for end of stream) and what
    /// the connection sent back.
    #[derive(Default)]
    struct FakeSocket {
        incoming: RefCell<VecDeque<Option<Vec<u8>>>>,
        sent: RefCell<Vec<u8>>,
        shut_down: RefCell<bool>,
    }

    impl Socket for FakeSocket {
        fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno> {
            let mut incoming = self.incoming.borrow_mut();
            match incoming.pop_front() {
                None => Err(Errno::AGAIN),
                Some(None) => {
                    incoming.push_front(None);
                    Ok(0)
                }
                Some(Some(mut chunk)) => {
                    let n = chunk.len().min(buf.len());
                    buf[..n].copy_from_slice(&chunk[..n]);
                    if n < chunk.len() {
                        incoming.push_front(Some(chunk.split_off(n)));
                    }
                    Ok(n)
                }
            }
        }

        fn send(&self, buf: &[u8], _more: bool) -> Result<usize, Errno> {
            self.sent.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn sendfile(&self, _: &OwnedFd, _: &mut u64, _: usize) -> Result<usize, Errno> {
            Err(Errno::NOSYS)
        }

        fn shutdown_write(&self) {
            *self.shut_down.borrow_mut() = true;
        }

        fn set_send_buffer(&self, _: usize) {}
    }

    struct Rig {
        ctx: Ctx,
        conn: Conn<FakeSocket>,
        _root: std::path::PathBuf,
    }

    impl Drop for Rig {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self._root);
        }
    }

    impl Rig {
        fn new(args: &[&str]) -> Self {
            // One directory per rig: tests run in parallel, and two with
            // the same arguments must not remove each other's root.
            static RIGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = RIGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let root =
                std::env::temp_dir().join(format!("tern-conn-unit-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&root).unwrap();
            std::fs::write(root.join("index.html"), b"hello\n").unwrap();
            let mut argv: Vec<std::ffi::OsString> = vec![root.clone().into()];
            argv.extend(args.iter().map(Into::into));
            let Ok(Command::Serve(opts)) = cli::parse(argv) else {
                panic!("options");
            };
            let root_fd = crate::beneath::open_root(&root).unwrap();
            let pool = BufferPool::new(PoolConfig::new());
            let ctx = Ctx::new(&opts, root_fd, &pool, None, 784_111_777);
            let conn = Conn::new(FakeSocket::default(), None, 0, &ctx);
            Self {
                ctx,
                conn,
                _root: root,
            }
        }

        fn peer_sends(&mut self, bytes: &[u8]) {
            self.conn
                .sock
                .incoming
                .borrow_mut()
                .push_back(Some(bytes.to_vec()));
            self.conn.handle_readable(false);
        }

        fn peer_closes(&mut self) {
            self.conn.sock.incoming.borrow_mut().push_back(None);
            self.conn.handle_readable(true);
        }

        fn sent(&self) -> String {
            String::from_utf8_lossy(&self.conn.sock.sent.borrow()).into_owned()
        }

        fn advance(&mut self, by: Duration) {
            self.ctx.now += by;
        }
    }

    #[test]
    fn a_keep_alive_request_is_answered_and_the_connection_idles_without_buffers() {
        let mut rig = Rig::new(&["--idle-timeout", "7"]);
        rig.peer_sends(b"GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Wait);
        let sent = rig.sent();
        assert!(sent.starts_with("HTTP/1.1 200 OK\r\n"), "{sent}");
        assert!(sent.ends_with("\r\n\r\nhello\n"), "{sent}");
        assert_eq!(rig.conn.phase, Phase::Idle);
        assert!(rig.conn.out.is_none() && rig.conn.parser.is_none());
        assert_eq!(rig.conn.deadline, rig.ctx.now + Duration::from_secs(7));
        assert_eq!(rig.conn.idle_deadline(), Some(rig.conn.deadline));
    }

    #[test]
    fn a_trickled_head_keeps_its_header_deadline_and_only_its_own_bytes() {
        let mut rig = Rig::new(&["--header-timeout", "3"]);
        let start = rig.ctx.now;
        for piece in [&b"GET /index"[..], b".html HTTP/1.1\r\n", b"Host: t\r\n"] {
            rig.advance(Duration::from_secs(1));
            rig.peer_sends(piece);
            assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Wait);
            assert_eq!(rig.conn.phase, Phase::Head);
            // trickling does not extend the deadline
            assert_eq!(rig.conn.deadline, start + Duration::from_secs(3));
            // the kept bytes grow with what arrives, not ahead of it
            let parser = rig.ctx.parsers.get(rig.conn.parser.unwrap());
            assert!(parser.input.capacity() <= INPUT_MIN);
        }
        assert!(rig.sent().is_empty());
        rig.peer_sends(b"\r\n");
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Wait);
        assert!(rig.sent().starts_with("HTTP/1.1 200 OK\r\n"));
    }

    #[test]
    fn a_bad_request_is_answered_then_the_connection_lingers() {
        let mut rig = Rig::new(&[]);
        rig.peer_sends(b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\nmore bytes");
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Wait);
        assert!(
            rig.sent().starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{}",
            rig.sent()
        );
        assert!(rig.sent().contains("Connection: close\r\n"));
        assert_eq!(rig.conn.phase, Phase::Lingering);
        assert!(*rig.conn.sock.shut_down.borrow());
        assert_eq!(rig.conn.deadline, rig.ctx.now + rig.ctx.timeouts.linger);
        rig.peer_closes();
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Close);
    }

    #[test]
    fn a_refusal_is_sent_whole_then_drained() {
        let mut rig = Rig::new(&[]);
        let ctx = &mut rig.ctx;
        let mut conn = Conn::refusing(FakeSocket::default(), ctx);
        conn.sock
            .incoming
            .borrow_mut()
            .push_back(Some(b"GET / HTTP/1.1\r\n".to_vec()));
        assert_eq!(conn.drive(ctx), Next::Wait);
        let sent = String::from_utf8_lossy(&conn.sock.sent.borrow()).into_owned();
        assert!(
            sent.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{sent}"
        );
        assert!(sent.ends_with("503 Service Unavailable\n"));
        assert!(*conn.sock.shut_down.borrow());
        assert!(
            conn.sock.incoming.borrow().is_empty(),
            "what the client sent was read"
        );
        assert_eq!(conn.phase, Phase::Lingering);
    }

    #[test]
    fn a_peer_that_leaves_between_requests_is_closed() {
        let mut rig = Rig::new(&[]);
        rig.peer_sends(b"GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Wait);
        rig.peer_closes();
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Close);
    }

    #[test]
    fn a_peer_leaving_mid_head_is_closed_without_growing_its_input_and_the_parser_returns() {
        let mut rig = Rig::new(&[]);
        rig.peer_sends(b"GET /index.html HTTP/1.1\r\nHost: t\r\n");
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Wait);
        let id = rig.conn.parser.expect("a parser holds the partial head");
        rig.peer_closes();
        assert_eq!(rig.conn.drive(&mut rig.ctx), Next::Close);
        assert!(rig.ctx.parsers.get(id).input.capacity() <= INPUT_MIN);
        assert!(rig.sent().is_empty());
        rig.conn.release(&mut rig.ctx);
        assert!(rig.conn.parser.is_none());
        // The slab lends it again, made new.
        assert_eq!(rig.ctx.parsers.take(), id);
        let parser = rig.ctx.parsers.get(id);
        assert!(parser.input.is_empty() && !parser.proto.head_started());
    }
}
