//! One client connection: socket bytes → tern-proto → response plan →
//! head (+ small body) in the output buffer → `send`, then `sendfile`.
//!
//! # Buffers
//!
//! A connection holds an input and an output buffer from the thread's
//! lookaside pool only while it has work: when a response has been written
//! and no input is waiting, both go back to the pool, and so does the
//! parser state (to a per-thread lookaside list of `Connection`s). An idle
//! keep-alive connection is just its socket and a few words of bookkeeping.
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
use rustix::net::{self, RecvFlags, SendFlags, Shutdown};
use tern_proto::pool::PooledBuffer;
use tern_proto::{Event, Framing, Outcome, State};

use crate::http::{self, FileBody, Kind, NoRoom, Plan, Selection, Sink};
use crate::log::{Entry, PendingEntry};
use crate::range;
use crate::worker::Ctx;

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

/// What the connection is waiting for (decides its timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Between requests: idle timeout.
    Idle,
    /// Part of a request head has arrived: header timeout (not extended by
    /// trickling bytes).
    Head,
    /// Reading a request body: idle timeout, renewed on progress.
    Body,
    /// A response is blocked on a full socket: send timeout, renewed on progress.
    Send,
    /// Closing: our side is shut down, draining what the client still sends.
    Linger,
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
pub(crate) struct Conn {
    sock: OwnedFd,
    proto: Option<Box<tern_proto::Connection>>,
    rbuf: Option<PooledBuffer>,
    rpos: usize,
    rend: usize,
    wbuf: Option<PooledBuffer>,
    wpos: usize,
    wend: usize,
    body: Option<FileBody>,
    plan: Option<Plan>,
    /// `EndOfMessage` was seen for `plan`: it can be written.
    ready: bool,
    /// The deadline of the current phase.
    pub(crate) deadline: Instant,
    /// The current phase.
    pub(crate) phase: Phase,
    /// The last read may not have drained the socket.
    pub(crate) readable: bool,
    /// epoll reported the peer's FIN (or an error): read until EOF even after
    /// a short read, since no further edge will come.
    pub(crate) hangup: bool,
    eof: bool,
    close_after: bool,
    linger: bool,
    peer: Option<IpAddr>,
    /// The bounded send buffer of a loopback client (`--local-sndbuf`), or 0.
    bounded_sndbuf: usize,
    /// The send buffer is raised for a large body.
    sndbuf_raised: bool,
    /// The access-log line of the response in progress and its body length.
    log: Option<Box<(PendingEntry, u64)>>,
}

enum Read {
    Data,
    WouldBlock,
    Eof,
    Full,
}

enum Progress {
    /// Output was produced (or is pending): flush.
    Output,
    /// Everything buffered is consumed: read.
    NeedData,
    /// Close now.
    Close,
}

impl Conn {
    /// A freshly accepted connection.
    /// `bounded_sndbuf` is the send buffer set on a loopback client's socket
    /// (0 when the kernel's autotuning is left alone).
    pub(crate) fn new(
        sock: OwnedFd,
        peer: Option<IpAddr>,
        bounded_sndbuf: usize,
        now: Instant,
        ctx: &Ctx,
    ) -> Self {
        Self {
            sock,
            proto: None,
            rbuf: None,
            rpos: 0,
            rend: 0,
            wbuf: None,
            wpos: 0,
            wend: 0,
            body: None,
            plan: None,
            ready: false,
            deadline: now + ctx.timeouts.header,
            phase: Phase::Head,
            readable: false,
            hangup: false,
            eof: false,
            close_after: false,
            linger: false,
            peer,
            bounded_sndbuf,
            sndbuf_raised: false,
            log: None,
        }
    }

    /// Sizes a loopback client's send buffer for the body about to be sent.
    /// The bounded buffer of `--local-sndbuf` keeps the transmit work of small
    /// and medium files on the server's CPU; for a body of many MiB it costs
    /// more wake-ups and `sendfile` calls than it saves (rig, 100 MiB file:
    /// 1,243 MiB/s at 256 KiB, 1,440 at 2 MiB, with the server's CPU from 42 %
    /// to 17 %; 1 MiB files fastest and steadiest at 256 KiB). One
    /// `setsockopt` when the size changes, none per response otherwise.
    fn fit_send_buffer(&mut self) {
        if self.bounded_sndbuf == 0 {
            return;
        }
        let large = self
            .body
            .as_ref()
            .is_some_and(|body| body.end - body.offset >= LARGE_BODY);
        if large != self.sndbuf_raised {
            let size = if large {
                self.bounded_sndbuf.saturating_mul(LARGE_BODY_SNDBUF_FACTOR)
            } else {
                self.bounded_sndbuf
            };
            let _ = net::sockopt::set_socket_send_buffer_size(&self.sock, size);
            self.sndbuf_raised = large;
        }
    }

    /// Nothing in flight: no request being read or answered.
    pub(crate) fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Idle | Phase::Head | Phase::Linger)
            && self.wend == self.wpos
            && self.body.is_none()
            && self.plan.is_none()
    }

    /// The bytes of the response in progress not yet sent, or `None` when no
    /// response is in progress.
    pub(crate) fn unsent_bytes(&self) -> Option<u64> {
        if !self.has_output() && self.plan.is_none() {
            return None;
        }
        let buffered = (self.wend - self.wpos) as u64;
        let body = self.body.as_ref().map_or(0, |b| {
            (b.end - b.offset) + b.parts.iter().map(|p| p.len()).sum::<u64>()
        });
        Some(buffered + body)
    }

    /// Gives the buffers and parser back to the thread's lookaside lists
    /// before the connection is dropped.
    pub(crate) fn release(&mut self, ctx: &mut Ctx) {
        self.log_sent(ctx, false);
        self.rbuf = None;
        self.wbuf = None;
        self.body = None;
        if let Some(p) = self.proto.take() {
            ctx.give_proto(p);
        }
    }

    /// Does all the work that can be done without blocking.
    pub(crate) fn drive(&mut self, ctx: &mut Ctx) -> Next {
        for _ in 0..MAX_ROUNDS {
            if self.linger {
                return self.drain_linger(ctx);
            }
            if self.has_output() {
                match self.flush() {
                    Ok(true) => {
                        self.log_sent(ctx, true);
                        if let Some(next) = self.after_flush(ctx) {
                            return next;
                        }
                    }
                    Ok(false) => {
                        if self.phase != Phase::Send {
                            self.phase = Phase::Send;
                        }
                        self.deadline = ctx.now + ctx.timeouts.send;
                        return Next::Wait;
                    }
                    Err(_) => return Next::Close,
                }
            }
            match self.process(ctx) {
                Progress::Output => continue,
                Progress::Close => return Next::Close,
                Progress::NeedData => {}
            }
            if self.eof {
                return Next::Close;
            }
            if !self.readable {
                self.settle(ctx);
                return Next::Wait;
            }
            match self.read(ctx) {
                Read::Data => {}
                Read::WouldBlock => {
                    self.settle(ctx);
                    return Next::Wait;
                }
                Read::Eof => {
                    self.eof = true;
                    match self.proto.as_mut() {
                        Some(p) => p.handle_eof(),
                        None => return Next::Close,
                    }
                }
                Read::Full => {
                    // Only reachable if the parser's head limit were larger
                    // than the buffer: refuse like the parser would.
                    self.fail(ctx, 431);
                }
            }
        }
        Next::Yield
    }

    fn has_output(&self) -> bool {
        self.wend > self.wpos || self.body.is_some()
    }

    /// Sends buffered bytes, then the file body. `Ok(true)`: all sent.
    fn flush(&mut self) -> Result<bool, Errno> {
        loop {
            if self.wpos < self.wend {
                let Some(buf) = self.wbuf.as_ref() else {
                    return Err(Errno::INVAL);
                };
                let mut flags = SendFlags::NOSIGNAL;
                if self.body.is_some() {
                    flags |= SendFlags::MORE;
                }
                match net::send(&self.sock, &buf[self.wpos..self.wend], flags) {
                    Ok(n) => {
                        self.wpos += n;
                        continue;
                    }
                    Err(Errno::AGAIN) => return Ok(false),
                    Err(Errno::INTR) => continue,
                    Err(e) => return Err(e),
                }
            }
            self.wpos = 0;
            self.wend = 0;
            let Some(body) = self.body.as_mut() else {
                return Ok(true);
            };
            if body.offset < body.end {
                if let Some(data) = &body.file.data {
                    // Cached content too large for the buffer (or a
                    // multipart part of it): send it straight from memory.
                    let mut flags = SendFlags::NOSIGNAL;
                    if body.multipart {
                        flags |= SendFlags::MORE;
                    }
                    let chunk = &data[body.offset as usize..body.end as usize];
                    match net::send(&self.sock, chunk, flags) {
                        Ok(n) => {
                            body.offset += n as u64;
                            continue;
                        }
                        Err(Errno::AGAIN) => return Ok(false),
                        Err(Errno::INTR) => continue,
                        Err(e) => return Err(e),
                    }
                }
                let count = (body.end - body.offset).min(SENDFILE_MAX) as usize;
                match rustix::fs::sendfile(&self.sock, &body.file.fd, Some(&mut body.offset), count)
                {
                    // The file shrank under us: the promised length cannot be met.
                    Ok(0) => return Err(Errno::IO),
                    Ok(_) => continue,
                    Err(Errno::AGAIN) => return Ok(false),
                    Err(Errno::INTR) => continue,
                    Err(e) => return Err(e),
                }
            }
            if !body.multipart {
                self.body = None;
                continue;
            }
            // Next part of a multipart body: its header into the buffer.
            let boundary = crate::worker::boundary();
            let mut head = Vec::with_capacity(160);
            match body.parts.pop() {
                Some(span) => {
                    range::part_head(
                        &mut head,
                        boundary,
                        &body.file.content_type,
                        span,
                        body.file.size,
                    );
                    body.offset = span.start;
                    body.end = span.end;
                }
                None => {
                    range::closing(&mut head, boundary);
                    self.body = None;
                }
            }
            let buf = self.wbuf.as_mut().ok_or(Errno::INVAL)?;
            buf[..head.len()].copy_from_slice(&head);
            self.wend = head.len();
        }
    }

    /// Everything written. `Some`: what the loop should do now.
    fn after_flush(&mut self, ctx: &mut Ctx) -> Option<Next> {
        if self.close_after && self.plan.is_none() {
            // Input may still be arriving (an unread body, pipelined bytes
            // after an error): closing now could reset the connection before
            // the client has read the response. Shut down our side and drain.
            let body_unread = matches!(
                self.proto.as_ref().map(|p| p.state()),
                Some(State::Error | State::MustClose | State::RecvBody)
            );
            if self.rend > self.rpos || body_unread {
                let _ = net::shutdown(&self.sock, Shutdown::Write);
                self.linger = true;
                self.phase = Phase::Linger;
                self.deadline = ctx.now + ctx.timeouts.linger;
                self.wbuf = None;
                return Some(self.drain_linger(ctx));
            }
            return Some(Next::Close);
        }
        if self.phase == Phase::Send {
            self.phase = Phase::Body;
        }
        None
    }

    /// No more work: set the phase and its deadline, and give back what an
    /// idle connection does not need.
    fn settle(&mut self, ctx: &mut Ctx) {
        if self.has_output() || self.plan.is_some() {
            return;
        }
        if self.wbuf.is_some() {
            self.wbuf = None;
        }
        let started = self.rend > self.rpos
            || self
                .proto
                .as_ref()
                .is_some_and(|p| p.state() != State::Idle || p.head_started());
        if started {
            if self.phase == Phase::Idle {
                self.phase = Phase::Head;
                self.deadline = ctx.now + ctx.timeouts.header;
            }
            return;
        }
        self.rbuf = None;
        self.rpos = 0;
        self.rend = 0;
        if let Some(p) = self.proto.take() {
            ctx.give_proto(p);
        }
        // A response just completed: idle timeout. (A fresh connection that
        // has sent nothing yet stays under its header timeout.)
        if matches!(self.phase, Phase::Body | Phase::Send) {
            self.phase = Phase::Idle;
            self.deadline = ctx.now + ctx.timeouts.idle;
        }
        if ctx.shutting_down {
            self.close_after = true;
        }
    }

    fn read(&mut self, ctx: &mut Ctx) -> Read {
        let buf = self.rbuf.get_or_insert_with(|| ctx.pool.take());
        if self.rpos == self.rend {
            self.rpos = 0;
            self.rend = 0;
        } else if self.rpos > 0 && self.rend == buf.len() {
            buf.copy_within(self.rpos..self.rend, 0);
            self.rend -= self.rpos;
            self.rpos = 0;
        }
        if self.rend == buf.len() {
            return Read::Full;
        }
        loop {
            match net::recv(&self.sock, &mut buf[self.rend..], RecvFlags::empty()) {
                Ok((0, _)) => {
                    self.readable = false;
                    return Read::Eof;
                }
                Ok((n, _)) => {
                    if self.rend + n < buf.len() && !self.hangup {
                        // A short read drained the socket: epoll (edge
                        // triggered) reports the next bytes.
                        self.readable = false;
                    }
                    self.rend += n;
                    if self.phase == Phase::Idle {
                        self.phase = Phase::Head;
                        self.deadline = ctx.now + ctx.timeouts.header;
                    }
                    return Read::Data;
                }
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => {
                    self.readable = false;
                    return Read::WouldBlock;
                }
                Err(_) => {
                    self.readable = false;
                    return Read::Eof;
                }
            }
        }
    }

    fn drain_linger(&mut self, ctx: &mut Ctx) -> Next {
        let mut scratch = [0u8; 4096];
        for _ in 0..16 {
            match net::recv(&self.sock, &mut scratch[..], RecvFlags::empty()) {
                Ok((0, _)) => return Next::Close,
                Ok(_) => {}
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => {
                    self.readable = false;
                    self.rbuf = None;
                    if let Some(p) = self.proto.take() {
                        drop(p); // in its error state: not reusable
                    }
                    let _ = ctx;
                    return Next::Wait;
                }
                Err(_) => return Next::Close,
            }
        }
        Next::Yield
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

    /// Answers with `status` and closes (after a parser error or a refusal).
    fn fail(&mut self, ctx: &mut Ctx, status: u16) {
        self.rpos = self.rend;
        self.plan = Some(http::error_plan(status));
        self.ready = true;
        self.close_after = true;
        ctx.log_line(Entry {
            peer: self.peer,
            request: None,
            status,
            bytes: http::error_text(status).len() as u64,
            referer: None,
            user_agent: None,
        });
    }

    /// Parses buffered input and writes responses until the buffer is
    /// consumed or the output must be flushed.
    fn process(&mut self, ctx: &mut Ctx) -> Progress {
        let mut produced = false;
        loop {
            if self.body.is_some() {
                return Progress::Output;
            }
            if self.ready {
                match self.emit(ctx) {
                    Ok(()) => produced = true,
                    Err(NoRoom::Flush) => return Progress::Output,
                    Err(NoRoom::Invalid) => {
                        // Never expected (every field the server writes is
                        // valid); answer 500 rather than loop.
                        let mut plan = http::error_plan(500);
                        if let Some(old) = &self.plan {
                            plan.version = old.version;
                        }
                        self.plan = Some(plan);
                        self.close_after = true;
                    }
                }
                if self.close_after {
                    return Progress::Output;
                }
                continue;
            }
            let Some(proto) = self.proto.as_mut() else {
                if self.rend == self.rpos {
                    return Progress::NeedData;
                }
                self.proto = Some(ctx.take_proto());
                continue;
            };
            let input: &[u8] = match &self.rbuf {
                Some(b) => &b[self.rpos..self.rend],
                None => &[],
            };
            let step = match proto.poll_event(input) {
                Ok(step) => step,
                Err(e) => {
                    if self.eof {
                        return if produced {
                            Progress::Output
                        } else {
                            Progress::Close
                        };
                    }
                    let status = e.status_hint();
                    self.fail(ctx, status);
                    continue;
                }
            };
            self.rpos += step.consumed;
            match step.outcome {
                Outcome::Event(Event::Request(req)) => {
                    let plan = ctx.planner.plan(&req, !ctx.shutting_down, ctx.now);
                    if ctx.log.is_some() {
                        let entry = Entry {
                            peer: self.peer,
                            request: Some((req.method_bytes(), req.target(), req.version_bytes())),
                            status: plan.status,
                            bytes: 0,
                            referer: req.header(b"referer"),
                            user_agent: req.header(b"user-agent"),
                        };
                        self.log = Some(Box::new((PendingEntry::new(&entry), log_bytes(&plan))));
                    }
                    // The answer of a static server never depends on the
                    // body: to a client waiting for `100 Continue` before it
                    // sends one, the final status goes out at once (RFC 9110
                    // §10.1.1), and the connection closes after it.
                    let answer_now = req.expects_continue() && req.framing() != Framing::None;
                    let mut plan = plan;
                    if answer_now {
                        plan.keep_alive = false;
                        self.ready = true;
                    }
                    self.plan = Some(plan);
                    self.phase = Phase::Body;
                    self.deadline = ctx.now + ctx.timeouts.idle;
                }
                Outcome::Event(Event::Data(_)) => {
                    self.deadline = ctx.now + ctx.timeouts.idle;
                }
                Outcome::Event(Event::EndOfMessage(_)) => {
                    self.ready = true;
                }
                Outcome::Event(Event::ConnectionClosed) => {
                    return if produced || self.has_output() {
                        self.close_after = true;
                        Progress::Output
                    } else {
                        Progress::Close
                    };
                }
                Outcome::NeedData => {
                    return if produced {
                        Progress::Output
                    } else {
                        Progress::NeedData
                    };
                }
                _ => {
                    // Not expected: a complete request is always answered
                    // before polling again.
                    return Progress::Close;
                }
            }
        }
    }

    /// Writes the ready plan's response into the output buffer.
    fn emit(&mut self, ctx: &mut Ctx) -> Result<(), NoRoom> {
        let Some(plan) = self.plan.as_ref() else {
            self.ready = false;
            return Ok(());
        };
        let buf = self.wbuf.get_or_insert_with(|| ctx.pool.take());
        let mut sink = Sink {
            buf: &mut buf[..],
            len: self.wend,
        };
        let written = http::write_response(
            plan,
            &mut sink,
            ctx.date.rendered(),
            crate::worker::boundary(),
        )?;
        self.wend = sink.len;
        self.body = written.file;
        let keep_alive = plan.keep_alive && !self.close_after;
        self.plan = None;
        if self.body.is_none() {
            // Written whole into the buffer: logged as sent.
            self.log_sent(ctx, true);
        }
        self.fit_send_buffer();
        self.ready = false;
        match self.proto.as_mut() {
            Some(p) if p.state() != State::Error => {
                let _ = p.finish_response(keep_alive);
                if p.state() == State::Done && keep_alive {
                    let _ = p.start_next_cycle();
                } else {
                    self.close_after = true;
                }
            }
            _ => self.close_after = true,
        }
        if !keep_alive {
            self.close_after = true;
        }
        Ok(())
    }
}

/// Body bytes a plan sends, for the access log.
fn log_bytes(plan: &Plan) -> u64 {
    if plan.head_request {
        return 0;
    }
    match &plan.kind {
        Kind::File(f, Selection::Full) => f.size,
        Kind::File(_, Selection::Single(s)) => s.len(),
        Kind::File(f, Selection::Multi(spans)) => {
            range::multipart_len(crate::worker::boundary(), &f.content_type, spans, f.size)
        }
        Kind::NotModified(_) => 0,
        Kind::Allow if plan.status == 204 => 0,
        _ => http::error_text(plan.status).len() as u64,
    }
}
