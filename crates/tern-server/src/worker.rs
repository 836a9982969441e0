//! One worker thread: its own epoll instance, its own `SO_REUSEPORT`
//! listener, its own slab of connections, file cache, date cache and buffer
//! lists. Nothing here is shared with other workers except the connection
//! counter (touched on accept and close only) and the pool's shared list.
//!
//! The loop: `epoll_wait` (edge-triggered, so each connection is registered
//! once with `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET` and never modified),
//! one clock read per wake-up (which also refreshes the date cache), drive
//! each ready connection, then the connections that yielded, then timers.

use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rustix::buffer::spare_capacity;
use rustix::event::epoll::{self, CreateFlags, EventData, EventFlags};
use rustix::io::Errno;
use rustix::net::{self, SendFlags, SocketFlags, sockopt};
use tern_proto::date::DateCache;
use tern_proto::pool::{BufferPool, LocalPool};

use crate::cli::Options;
use crate::conn::{Conn, Next, Phase};
use crate::files::FileCache;
use crate::http::{self, Planner};
use crate::log::{Entry, LogFile, LogSink};

const LISTENER: u64 = u64::MAX;
const SIGNAL: u64 = u64::MAX - 1;
/// Events taken per `epoll_wait`.
const EVENTS: usize = 1024;
/// Connections accepted per listener wake-up before others get a turn.
const ACCEPT_BATCH: usize = 128;
/// Parser states kept for reuse per thread.
const PROTO_LOOKASIDE: usize = 1024;
/// While busy polling, the pause between two empty polls (spent in user
/// space: at most `busy_poll / BUSY_POLL_GAP` extra `epoll_wait` calls per
/// idle spell).
const BUSY_POLL_GAP: Duration = Duration::from_micros(10);
/// How often worker 0 sweeps the shared buffer lists.
const POOL_SWEEP: Duration = Duration::from_secs(10);

/// State shared by all workers.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The command line.
    pub(crate) opts: Options,
    /// Connections open now, over all workers.
    pub(crate) open: AtomicUsize,
    /// The buffer pool (per-thread private lists, one shared list).
    pub(crate) pool: BufferPool,
    /// The access log, if any.
    pub(crate) log: Option<Arc<LogFile>>,
}

/// Timeouts, copied from the options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// For a complete request head.
    pub(crate) header: Duration,
    /// For an idle keep-alive connection.
    pub(crate) idle: Duration,
    /// For a client that does not read.
    pub(crate) send: Duration,
    /// For draining a closing connection.
    pub(crate) linger: Duration,
}

/// The per-thread context a connection works with.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Path → response plan.
    pub(crate) planner: Planner,
    /// `Date` and log timestamps.
    pub(crate) date: DateCache,
    /// The thread's front end of the buffer pool.
    pub(crate) pool: LocalPool,
    /// The clock, read once per loop turn.
    pub(crate) now: Instant,
    /// Timeouts.
    pub(crate) timeouts: Timeouts,
    /// Shutdown has begun: no new keep-alive.
    pub(crate) shutting_down: bool,
    /// The access log.
    pub(crate) log: Option<LogSink>,
    // Boxed on purpose: a connection holds `Option<Box<_>>` (one word while
    // idle), and moving a parser between it and this list moves a pointer.
    #[expect(
        clippy::vec_box,
        reason = "the boxes move between connections and this list"
    )]
    protos: Vec<Box<tern_proto::Connection>>,
    proto_config: tern_proto::Config,
}

impl Ctx {
    /// A parser state for a connection that has input, from the lookaside
    /// list when one is there.
    pub(crate) fn take_proto(&mut self) -> Box<tern_proto::Connection> {
        self.protos
            .pop()
            .unwrap_or_else(|| Box::new(tern_proto::Connection::new(self.proto_config.clone())))
    }

    /// Returns a parser state; only one waiting for a fresh request is kept.
    pub(crate) fn give_proto(&mut self, p: Box<tern_proto::Connection>) {
        if p.state() == tern_proto::State::Idle
            && !p.head_started()
            && self.protos.len() < PROTO_LOOKASIDE
        {
            self.protos.push(p);
        }
    }

    /// Appends an access-log line (when logging).
    pub(crate) fn log_line(&mut self, e: Entry<'_>) {
        if let Some(log) = self.log.as_mut() {
            log.line(self.date.clf_timestamp(), &e);
        }
    }
}

/// The `multipart/byteranges` boundary of this process.
pub(crate) fn boundary() -> &'static [u8] {
    static B: OnceLock<String> = OnceLock::new();
    B.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("tern-{:016x}{:08x}", t as u64, std::process::id())
    })
    .as_bytes()
}

/// Responses a shutdown ended before they were sent whole.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cut {
    /// How many.
    pub(crate) transfers: usize,
    /// Their bytes not sent.
    pub(crate) bytes_left: u64,
}

struct Slot {
    generation: u32,
    conn: Option<Conn>,
}

/// One event loop.
pub(crate) struct Worker {
    id: usize,
    epoll: OwnedFd,
    listener: Option<OwnedFd>,
    signal: Option<OwnedFd>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    again: Vec<u64>,
    accept_again: bool,
    shutdown_deadline: Option<Instant>,
    ctx: Ctx,
    shared: Arc<Shared>,
    tick: Duration,
    last_sweep: Instant,
    last_pool_sweep: Instant,
}

impl Worker {
    /// A worker serving `listener`, stopping when `signal` becomes readable.
    pub(crate) fn new(
        id: usize,
        shared: Arc<Shared>,
        listener: OwnedFd,
        signal: OwnedFd,
        root: OwnedFd,
    ) -> std::io::Result<Self> {
        let epoll = epoll::create(CreateFlags::CLOEXEC)?;
        epoll::add(
            &epoll,
            &listener,
            EventData::new_u64(LISTENER),
            EventFlags::IN | EventFlags::ET,
        )?;
        // Level-triggered: every worker sees it, none consumes it.
        epoll::add(&epoll, &signal, EventData::new_u64(SIGNAL), EventFlags::IN)?;
        let opts = &shared.opts;
        let timeouts = Timeouts {
            header: opts.header_timeout,
            idle: opts.idle_timeout,
            send: opts.send_timeout,
            linger: Duration::from_secs(2).min(opts.idle_timeout),
        };
        let tick = [timeouts.header, timeouts.idle, timeouts.send]
            .into_iter()
            .min()
            .unwrap_or(Duration::from_secs(1))
            .div_f64(4.0)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        let mut proto_config = tern_proto::Config::default();
        proto_config
            .max_head_len(shared.pool.config().buffer_size() - 1)
            .max_body_len(Some(1 << 20));
        let now = Instant::now();
        let ctx = Ctx {
            planner: Planner {
                files: FileCache::new(root, opts.cache_ttl, opts.list_dirs, opts.hidden),
                allow_hidden: opts.hidden,
                scratch: Vec::with_capacity(256),
            },
            date: DateCache::new(http::unix_now()),
            pool: shared.pool.local(),
            now,
            timeouts,
            shutting_down: false,
            log: shared.log.as_ref().map(|fd| LogSink::new(Arc::clone(fd))),
            protos: Vec::new(),
            proto_config,
        };
        Ok(Self {
            id,
            epoll,
            listener: Some(listener),
            signal: Some(signal),
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            again: Vec::new(),
            accept_again: false,
            shutdown_deadline: None,
            ctx,
            shared,
            tick,
            last_sweep: now,
            last_pool_sweep: now,
        })
    }

    /// Runs until shutdown completes; says what the shutdown bound cut.
    pub(crate) fn run(mut self) -> std::io::Result<Cut> {
        let mut events: Vec<epoll::Event> = Vec::with_capacity(EVENTS);
        let mut again: Vec<u64> = Vec::new();
        // Busy polling: for a short while after the last event, poll the
        // ready list without sleeping. A sleeping loop must be woken for the
        // next request, and the wakeup is paid by whoever delivers that
        // request (on loopback, the client's CPU): under load, staying awake
        // between bursts serves more requests per second for the same work.
        let spin = self.shared.opts.busy_poll;
        let mut last_event = Instant::now();
        loop {
            let spinning = !spin.is_zero() && self.ctx.now.duration_since(last_event) < spin;
            if spinning && self.again.is_empty() && last_event < self.ctx.now {
                // Between two empty polls, wait a little in user space (a
                // clock read is no syscall) so spinning costs few syscalls.
                let until = Instant::now() + BUSY_POLL_GAP;
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
            }
            let timeout = if self.again.is_empty() && !spinning {
                rustix::time::Timespec {
                    tv_sec: self.tick.as_secs() as i64,
                    tv_nsec: i64::from(self.tick.subsec_nanos()),
                }
            } else {
                rustix::time::Timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                }
            };
            match epoll::wait(&self.epoll, spare_capacity(&mut events), Some(&timeout)) {
                Ok(_) | Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
            self.ctx.now = Instant::now();
            if !events.is_empty() {
                last_event = self.ctx.now;
            }
            self.ctx.date.update(http::unix_now());
            for ev in events.drain(..) {
                let token = ev.data.u64();
                match token {
                    LISTENER => self.accept(),
                    SIGNAL => self.begin_shutdown(),
                    _ => {
                        let flags = ev.flags;
                        if let Some(conn) = self.conn_mut(token) {
                            if flags.intersects(
                                EventFlags::IN
                                    | EventFlags::HUP
                                    | EventFlags::ERR
                                    | EventFlags::RDHUP,
                            ) {
                                conn.readable = true;
                            }
                            if flags
                                .intersects(EventFlags::HUP | EventFlags::ERR | EventFlags::RDHUP)
                            {
                                conn.hangup = true;
                            }
                            self.drive(token);
                        }
                    }
                }
            }
            // Connections that yielded get their next turn after everyone else.
            std::mem::swap(&mut again, &mut self.again);
            for token in again.drain(..) {
                self.drive(token);
            }
            if self.accept_again && self.listener.is_some() {
                self.accept_again = false;
                self.accept();
            }
            if let Some(log) = self.ctx.log.as_mut()
                && log.pending()
            {
                log.flush();
            }
            if self.ctx.now.duration_since(self.last_sweep) >= self.tick {
                self.sweep();
            }
            if let Some(deadline) = self.shutdown_deadline
                && (self.live == 0 || self.ctx.now >= deadline)
            {
                break;
            }
        }
        // Whatever is still open past the shutdown bound is closed here.
        let mut cut = Cut::default();
        for i in 0..self.slots.len() {
            if let Some(mut conn) = self.slots[i].conn.take() {
                if let Some(left) = conn.unsent_bytes() {
                    cut.transfers += 1;
                    cut.bytes_left += left;
                }
                conn.release(&mut self.ctx);
                self.shared.open.fetch_sub(1, Ordering::Relaxed);
            }
        }
        if let Some(log) = self.ctx.log.as_mut() {
            log.flush();
        }
        Ok(cut)
    }

    fn conn_mut(&mut self, token: u64) -> Option<&mut Conn> {
        let idx = (token & 0xffff_ffff) as usize;
        let generation = (token >> 32) as u32;
        let slot = self.slots.get_mut(idx)?;
        if slot.generation != generation {
            return None;
        }
        slot.conn.as_mut()
    }

    fn drive(&mut self, token: u64) {
        let idx = (token & 0xffff_ffff) as usize;
        let generation = (token >> 32) as u32;
        let Some(slot) = self.slots.get_mut(idx) else {
            return;
        };
        if slot.generation != generation {
            return;
        }
        let Some(conn) = slot.conn.as_mut() else {
            return;
        };
        match conn.drive(&mut self.ctx) {
            Next::Wait => {}
            Next::Yield => self.again.push(token),
            Next::Close => self.close(idx),
        }
    }

    fn close(&mut self, idx: usize) {
        let slot = &mut self.slots[idx];
        if let Some(mut conn) = slot.conn.take() {
            conn.release(&mut self.ctx);
            // Dropping the socket closes it, which also removes it from epoll.
            drop(conn);
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(idx as u32);
            self.live -= 1;
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn accept(&mut self) {
        let Some(listener) = self.listener.take() else {
            return;
        };
        self.accept_from(&listener);
        self.listener = Some(listener);
    }

    fn accept_from(&mut self, listener: &OwnedFd) {
        let want_peer = self.ctx.log.is_some() || self.shared.opts.local_sndbuf > 0;
        for _ in 0..ACCEPT_BATCH {
            let accepted = if want_peer {
                net::acceptfrom_with(listener, SocketFlags::NONBLOCK | SocketFlags::CLOEXEC).map(
                    |(fd, addr)| {
                        (
                            fd,
                            addr.and_then(|a| std::net::SocketAddr::try_from(a).ok())
                                .map(|a| a.ip()),
                        )
                    },
                )
            } else {
                net::accept_with(listener, SocketFlags::NONBLOCK | SocketFlags::CLOEXEC)
                    .map(|fd| (fd, None))
            };
            match accepted {
                Ok((fd, peer)) => self.admit(fd, peer),
                Err(Errno::AGAIN) => return,
                Err(Errno::INTR | Errno::CONNABORTED) => {}
                Err(_) => {
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: the pending connections
                    // stay queued; try again on the next turn.
                    self.accept_again = true;
                    return;
                }
            }
        }
        // More may be queued; edge-triggered epoll will not say so again.
        self.accept_again = true;
    }

    fn admit(&mut self, fd: OwnedFd, peer: Option<IpAddr>) {
        let max = self.shared.opts.max_connections;
        if self.shared.open.fetch_add(1, Ordering::Relaxed) >= max {
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
            refuse(&fd);
            return;
        }
        let _ = sockopt::set_tcp_nodelay(&fd, true);
        let mut bounded_sndbuf = 0;
        let local_sndbuf = self.shared.opts.local_sndbuf;
        if local_sndbuf > 0 && peer.is_some_and(|ip| ip.is_loopback()) {
            // A client on this host: its RTT is microseconds, so an autotuned
            // multi-MiB send queue buys nothing, and a deep queue is drained by
            // the client's ACKs, i.e. transmitted on the client's CPU. A
            // bounded buffer keeps that work here (see --local-sndbuf).
            let _ = sockopt::set_socket_send_buffer_size(&fd, local_sndbuf);
            bounded_sndbuf = local_sndbuf;
        }
        let idx = match self.free.pop() {
            Some(i) => i as usize,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    conn: None,
                });
                self.slots.len() - 1
            }
        };
        let token = (u64::from(self.slots[idx].generation) << 32) | idx as u64;
        let flags = EventFlags::IN | EventFlags::OUT | EventFlags::RDHUP | EventFlags::ET;
        if epoll::add(&self.epoll, &fd, EventData::new_u64(token), flags).is_err() {
            self.free.push(idx as u32);
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        self.slots[idx].conn = Some(Conn::new(fd, peer, bounded_sndbuf, self.ctx.now, &self.ctx));
        self.live += 1;
    }

    fn begin_shutdown(&mut self) {
        if self.shutdown_deadline.is_some() {
            return;
        }
        self.shutdown_deadline = Some(self.ctx.now + self.shared.opts.shutdown_timeout);
        self.ctx.shutting_down = true;
        if let Some(l) = self.listener.take() {
            let _ = epoll::delete(&self.epoll, &l);
        }
        if let Some(s) = self.signal.take() {
            let _ = epoll::delete(&self.epoll, &s);
        }
        for i in 0..self.slots.len() {
            if self.slots[i].conn.as_ref().is_some_and(Conn::is_idle) {
                self.close(i);
            }
        }
    }

    /// Closes connections past their deadline; ages the file cache.
    fn sweep(&mut self) {
        let now = self.ctx.now;
        self.last_sweep = now;
        for i in 0..self.slots.len() {
            let expired = self.slots[i].conn.as_ref().is_some_and(|c| {
                c.deadline <= now
                    || (self.ctx.shutting_down && c.is_idle() && c.phase != Phase::Linger)
            });
            if expired {
                self.close(i);
            }
        }
        self.ctx.planner.files.sweep(now);
        if self.id == 0 && now.duration_since(self.last_pool_sweep) >= POOL_SWEEP {
            self.last_pool_sweep = now;
            let _ = self.shared.pool.sweep();
        }
    }
}

/// Over the connection limit: a best-effort 503 and close.
fn refuse(fd: &OwnedFd) {
    const BODY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\nConnection: close\r\n\r\n503 Service Unavailable\n";
    let _ = net::send(fd, BODY, SendFlags::NOSIGNAL | SendFlags::DONTWAIT);
}
