//! One worker thread: its own epoll instance, its own `SO_REUSEPORT`
//! listener per address (or, under socket activation, the sockets every
//! worker shares, registered `EPOLLEXCLUSIVE`), its own slab of connections
//! and per-thread context (see `context`). Nothing here is shared with other
//! workers except the connection counter (touched on accept and close only),
//! the pool's shared list and the log file.
//!
//! The loop: `epoll_wait` (edge-triggered, so each connection is registered
//! once with `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET` and never modified),
//! one clock read per wake-up (which also refreshes the date cache), drive
//! each ready connection, then the connections that yielded, then timers.
//!
//! At the connection limit, or when the process runs out of descriptors, the
//! oldest idle keep-alive connection is closed to make room for a new client
//! (an idle client reconnects at no loss; a new one would otherwise wait or
//! be reset). With none idle, the new client is refused at once with a `503`
//! that it receives whole.

use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustix::buffer::spare_capacity;
use rustix::event::epoll::{self, CreateFlags, EventData, EventFlags};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::net::{self, RecvFlags, SendFlags, Shutdown, SocketFlags, sockopt};

use tern_proto::pool::BufferPool;

use crate::cli::Options;
use crate::conn::{Conn, Next};
use crate::context::Ctx;
use crate::listen::MAX_LISTENERS;
use crate::log::LogFile;
use crate::slab::{self, Slab};

const STOP: u64 = u64::MAX;
/// Listener `i` has the token `LISTENER_TOP - i` (connection tokens are a
/// slot index below 2^32 and a generation, so they never come this high).
const LISTENER_TOP: u64 = u64::MAX - 1;
const LISTENER_BOTTOM: u64 = LISTENER_TOP - (MAX_LISTENERS as u64 - 1);
/// Events taken per `epoll_wait`.
const EVENTS: usize = 1024;
/// Connections accepted per listener wake-up before others get a turn.
const ACCEPT_BATCH: usize = 128;
/// Refused connections that may linger (to deliver their `503` whole) beyond
/// the connection limit, over all workers; past that, refusals close at once.
const REFUSALS_LINGERING: usize = 64;
/// While busy polling, the pause between two empty polls (spent in user
/// space: at most `busy_poll / BUSY_POLL_GAP` extra `epoll_wait` calls per
/// idle spell).
const BUSY_POLL_GAP: Duration = Duration::from_micros(10);
/// How often worker 0 sweeps the shared buffer lists.
const POOL_SWEEP: Duration = Duration::from_secs(10);
/// The refusal of a client that cannot even be given a descriptor's worth of
/// lingering (the process is out of descriptors).
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\nConnection: close\r\n\r\n503 Service Unavailable\n";

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

/// Responses a shutdown ended before they were sent whole.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cut {
    /// How many.
    pub(crate) transfers: usize,
    /// Their bytes not sent.
    pub(crate) bytes_left: u64,
}

/// One event loop.
pub(crate) struct Worker {
    id: usize,
    epoll: OwnedFd,
    /// Empty once shutting down.
    listeners: Vec<OwnedFd>,
    stop: Option<OwnedFd>,
    conns: Slab<Conn>,
    again: Vec<u64>,
    /// Listeners (a bit each) that may have connections queued that no
    /// edge will announce.
    accept_again: u64,
    /// A descriptor held in reserve: given up to accept (and refuse) a
    /// client when the process has no descriptor left.
    reserve: Option<OwnedFd>,
    shutdown_deadline: Option<Instant>,
    ctx: Ctx,
    shared: Arc<Shared>,
    tick: Duration,
    last_sweep: Instant,
    last_pool_sweep: Instant,
}

impl Worker {
    /// A worker serving `listeners` (at most [`MAX_LISTENERS`]), stopping
    /// when `stop` becomes readable. `exclusive`: the listeners are shared
    /// with the other workers, and a connection should wake one of them.
    pub(crate) fn new(
        id: usize,
        shared: Arc<Shared>,
        listeners: Vec<OwnedFd>,
        exclusive: bool,
        stop: OwnedFd,
        root: OwnedFd,
    ) -> std::io::Result<Self> {
        assert!(listeners.len() <= MAX_LISTENERS);
        let epoll = epoll::create(CreateFlags::CLOEXEC)?;
        let mut flags = EventFlags::IN | EventFlags::ET;
        if exclusive {
            flags |= EventFlags::EXCLUSIVE;
        }
        for (i, listener) in listeners.iter().enumerate() {
            let token = LISTENER_TOP - i as u64;
            epoll::add(&epoll, listener, EventData::new_u64(token), flags)?;
        }
        // Level-triggered: every worker sees it, none consumes it.
        epoll::add(&epoll, &stop, EventData::new_u64(STOP), EventFlags::IN)?;
        let opts = &shared.opts;
        let ctx = Ctx::new(opts, root, &shared.pool, shared.log.as_ref(), unix_now());
        let tick = [ctx.timeouts.header, ctx.timeouts.idle, ctx.timeouts.send]
            .into_iter()
            .min()
            .unwrap_or(Duration::from_secs(1))
            .div_f64(4.0)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        let now = ctx.now;
        Ok(Self {
            id,
            epoll,
            listeners,
            stop: Some(stop),
            conns: Slab::new(),
            again: Vec::new(),
            accept_again: 0,
            reserve: open_reserve(),
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
        let mut last_event = Instant::now();
        loop {
            self.wait(&mut events, last_event)?;
            if !events.is_empty() {
                last_event = self.ctx.now;
            }
            for ev in events.drain(..) {
                self.dispatch(ev);
            }
            // Connections that yielded get their next turn after everyone else.
            std::mem::swap(&mut again, &mut self.again);
            for token in again.drain(..) {
                self.drive(token);
            }
            if self.accept_again != 0 {
                let mut pending = std::mem::take(&mut self.accept_again);
                while pending != 0 {
                    self.accept(pending.trailing_zeros() as usize);
                    pending &= pending - 1;
                }
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
                && (self.conns.live() == 0 || self.ctx.now >= deadline)
            {
                return Ok(self.finish());
            }
        }
    }

    /// `epoll_wait`, then one clock read. Busy polling: for a short while
    /// after the last event, the ready list is polled without sleeping. A
    /// sleeping loop must be woken for the next request, and the wakeup is
    /// paid by whoever delivers that request (on loopback, the client's
    /// CPU): under load, staying awake between bursts serves more requests
    /// per second for the same work.
    fn wait(&mut self, events: &mut Vec<epoll::Event>, last_event: Instant) -> std::io::Result<()> {
        let spin = self.shared.opts.busy_poll;
        let spinning = !spin.is_zero() && self.ctx.now.duration_since(last_event) < spin;
        if spinning && self.again.is_empty() && last_event < self.ctx.now {
            // Between two empty polls, wait a little in user space (a clock
            // read is no syscall) so spinning costs few syscalls.
            let until = Instant::now() + BUSY_POLL_GAP;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
        }
        let timeout = if self.again.is_empty() && !spinning {
            self.tick
        } else {
            Duration::ZERO
        };
        let timeout = rustix::time::Timespec {
            tv_sec: timeout.as_secs() as i64,
            tv_nsec: i64::from(timeout.subsec_nanos()),
        };
        match epoll::wait(&self.epoll, spare_capacity(events), Some(&timeout)) {
            Ok(_) | Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        self.ctx.now = Instant::now();
        self.ctx.date.update(unix_now());
        Ok(())
    }

    fn dispatch(&mut self, ev: epoll::Event) {
        match ev.data.u64() {
            STOP => self.begin_shutdown(),
            token @ LISTENER_BOTTOM..=LISTENER_TOP => {
                self.accept((LISTENER_TOP - token) as usize);
            }
            token => {
                let flags = ev.flags;
                let hangup =
                    flags.intersects(EventFlags::HUP | EventFlags::ERR | EventFlags::RDHUP);
                if let Some(conn) = self.conns.get_mut(token) {
                    if hangup || flags.contains(EventFlags::IN) {
                        conn.handle_readable(hangup);
                    }
                    self.drive(token);
                }
            }
        }
    }

    /// Whatever is still open past the shutdown bound is closed here.
    fn finish(&mut self) -> Cut {
        let mut cut = Cut::default();
        for i in 0..self.conns.slot_count() {
            if let Some(mut conn) = self.conns.remove_at(i) {
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
        cut
    }

    fn drive(&mut self, token: u64) {
        let Some(conn) = self.conns.get_mut(token) else {
            return;
        };
        match conn.drive(&mut self.ctx) {
            Next::Wait => {}
            Next::Yield => self.again.push(token),
            Next::Close => self.close(slab::index(token)),
        }
    }

    fn close(&mut self, idx: usize) {
        if let Some(mut conn) = self.conns.remove_at(idx) {
            conn.release(&mut self.ctx);
            // Dropping the socket closes it, which also removes it from epoll.
            drop(conn);
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Closes the idle keep-alive connection that has waited longest, if
    /// there is one (a scan: this runs only at the limits).
    fn evict_idle(&mut self) -> bool {
        let oldest = self
            .conns
            .iter()
            .filter_map(|(i, conn)| Some((conn.idle_deadline()?, i)))
            .min();
        match oldest {
            Some((_, idx)) => {
                self.close(idx);
                true
            }
            None => false,
        }
    }

    /// Accepts from listener `i` (none once shutting down).
    fn accept(&mut self, i: usize) {
        let listeners = std::mem::take(&mut self.listeners);
        if let Some(listener) = listeners.get(i) {
            self.accept_from(i, listener);
        }
        self.listeners = listeners;
    }

    fn accept_from(&mut self, i: usize, listener: &OwnedFd) {
        let want_peer = self.ctx.log.is_some() || self.shared.opts.local_sndbuf > 0;
        for _ in 0..ACCEPT_BATCH {
            match accept(listener, want_peer) {
                Ok((fd, peer)) => self.admit(fd, peer),
                Err(Errno::AGAIN) => return,
                Err(Errno::INTR | Errno::CONNABORTED) => {}
                Err(Errno::MFILE | Errno::NFILE) => {
                    // Out of descriptors (accept says so even when no client
                    // waits): make room by closing an idle connection, or
                    // refuse the waiting client with the reserve descriptor.
                    if self.evict_idle() {
                        continue;
                    }
                    match self.refuse_with_reserve(listener) {
                        Some(true) => continue,
                        // Nobody waits: the next connection's event retries.
                        Some(false) => return,
                        None => {
                            self.accept_again |= 1 << i;
                            return;
                        }
                    }
                }
                Err(_) => {
                    // ENOBUFS, ENOMEM: the pending connections stay queued;
                    // try again on the next turn.
                    self.accept_again |= 1 << i;
                    return;
                }
            }
        }
        // More may be queued; edge-triggered epoll will not say so again.
        self.accept_again |= 1 << i;
    }

    /// Gives up the reserve descriptor to accept one client and refuse it at
    /// once, then takes the reserve back. Whether a client was refused, or
    /// `None` without a reserve.
    fn refuse_with_reserve(&mut self, listener: &OwnedFd) -> Option<bool> {
        self.reserve.take()?;
        let refused = match accept(listener, false) {
            Ok((fd, _)) => {
                refuse_at_once(&fd);
                true
            }
            Err(_) => false,
        };
        self.reserve = open_reserve();
        Some(refused)
    }

    fn admit(&mut self, fd: OwnedFd, peer: Option<IpAddr>) {
        let max = self.shared.opts.max_connections;
        let open = self.shared.open.fetch_add(1, Ordering::Relaxed);
        if open >= max && !self.evict_idle() {
            if open >= max + REFUSALS_LINGERING {
                self.shared.open.fetch_sub(1, Ordering::Relaxed);
                refuse_at_once(&fd);
            } else if let Some(token) = self.insert(fd, Conn::refusing) {
                self.drive(token);
            }
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
        let _ = self.insert(fd, |fd, ctx| Conn::new(fd, peer, bounded_sndbuf, ctx));
    }

    /// Registers a new connection (already counted in `open`) with epoll and
    /// gives it a slot; its token, or `None` (uncounted again) on failure.
    fn insert(&mut self, fd: OwnedFd, make: impl FnOnce(OwnedFd, &Ctx) -> Conn) -> Option<u64> {
        let token = self.conns.next_token();
        let flags = EventFlags::IN | EventFlags::OUT | EventFlags::RDHUP | EventFlags::ET;
        if epoll::add(&self.epoll, &fd, EventData::new_u64(token), flags).is_err() {
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let inserted = self.conns.insert(make(fd, &self.ctx));
        debug_assert_eq!(inserted, token);
        Some(token)
    }

    fn begin_shutdown(&mut self) {
        if self.shutdown_deadline.is_some() {
            return;
        }
        self.shutdown_deadline = Some(self.ctx.now + self.shared.opts.shutdown_timeout);
        self.ctx.shutting_down = true;
        for listener in self.listeners.drain(..) {
            let _ = epoll::delete(&self.epoll, &listener);
        }
        if let Some(s) = self.stop.take() {
            let _ = epoll::delete(&self.epoll, &s);
        }
        for i in 0..self.conns.slot_count() {
            if self.conns.get_at(i).is_some_and(Conn::is_idle) {
                self.close(i);
            }
        }
    }

    /// Closes connections past their deadline (and idle ones while shutting
    /// down); ages the file cache; returns unused memory.
    fn sweep(&mut self) {
        let now = self.ctx.now;
        self.last_sweep = now;
        let shutting_down = self.ctx.shutting_down;
        for i in 0..self.conns.slot_count() {
            let expired = self
                .conns
                .get_at(i)
                .is_some_and(|c| c.deadline <= now || (shutting_down && c.is_idle()));
            if expired {
                self.close(i);
            }
        }
        self.conns.shrink();
        self.ctx.parsers.shrink();
        if self.reserve.is_none() {
            self.reserve = open_reserve();
        }
        self.ctx.planner.sweep(now);
        if self.id == 0 && now.duration_since(self.last_pool_sweep) >= POOL_SWEEP {
            self.last_pool_sweep = now;
            let _ = self.shared.pool.sweep();
        }
    }
}

/// `accept4(NONBLOCK | CLOEXEC)`, with the peer's address when wanted.
fn accept(listener: &OwnedFd, want_peer: bool) -> Result<(OwnedFd, Option<IpAddr>), Errno> {
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    if !want_peer {
        return net::accept_with(listener, flags).map(|fd| (fd, None));
    }
    net::acceptfrom_with(listener, flags).map(|(fd, addr)| {
        let ip = addr
            .and_then(|a| std::net::SocketAddr::try_from(a).ok())
            .map(|a| a.ip());
        (fd, ip)
    })
}

/// Refuses a client with no lingering (no descriptor or slot can be spared):
/// what it already sent is read first so the close is not a reset when it
/// sent its request at once, then the `503` and the end of our side.
fn refuse_at_once(fd: &OwnedFd) {
    let mut scratch = [0u8; 1024];
    let _ = net::recv(fd, &mut scratch[..], RecvFlags::DONTWAIT);
    let _ = net::send(fd, REFUSAL, SendFlags::NOSIGNAL | SendFlags::DONTWAIT);
    let _ = net::shutdown(fd, Shutdown::Write);
}

/// The reserve descriptor (`/dev/null`).
fn open_reserve() -> Option<OwnedFd> {
    rustix::fs::open("/dev/null", OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).ok()
}

/// Seconds since the epoch now.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
