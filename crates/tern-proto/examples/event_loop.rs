//! A single-threaded event-loop server on tern-proto: non-blocking sockets,
//! level-triggered epoll (through rustix), one loop for every connection,
//! lingering closes timed by the loop. What it answers is in
//! `session/mod.rs`, shared by every example.
//!
//! ```text
//! cargo run -p tern-proto --example event_loop -- 127.0.0.1:8080
//! ```
//!
//! The first argument is the address to listen on (default `127.0.0.1:0`, a
//! free port); the first line printed is `http://IP:PORT`.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustix::buffer::spare_capacity;
use rustix::event::epoll::{self, EventData, EventFlags};
use rustix::fd::OwnedFd;
use tern_proto::Closing;

#[path = "session/mod.rs"]
mod session;

use session::{Next, Session};

/// How long a lingering close waits for the client to stop sending.
const LINGER: Duration = Duration::from_secs(2);
/// The listener's token; a client's is its slot plus one.
const LISTENER: u64 = 0;

fn main() -> io::Result<()> {
    run(std::env::args().nth(1), &mut io::stdout())
}

/// Listens on `address` (default `127.0.0.1:0`), writes `http://IP:PORT` and
/// a newline to `announce`, and serves forever.
pub fn run(address: Option<String>, announce: &mut dyn Write) -> io::Result<()> {
    let listener = TcpListener::bind(address.as_deref().unwrap_or("127.0.0.1:0"))?;
    listener.set_nonblocking(true)?;
    writeln!(announce, "http://{}", listener.local_addr()?)?;
    announce.flush()?;
    let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    epoll::add(
        &epoll,
        &listener,
        EventData::new_u64(LISTENER),
        EventFlags::IN,
    )?;
    let mut clients: Vec<Option<Client>> = Vec::new();
    let mut events: Vec<epoll::Event> = Vec::with_capacity(64);
    let tick = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 100_000_000,
    };
    loop {
        match epoll::wait(&epoll, spare_capacity(&mut events), Some(&tick)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        for event in events.drain(..) {
            match event.data.u64() {
                LISTENER => accept(&epoll, &listener, &mut clients)?,
                token => {
                    let slot = (token - 1) as usize;
                    let Some(client) = clients[slot].as_mut() else {
                        continue;
                    };
                    if !client.ready(&epoll, token) {
                        let _ = epoll::delete(&epoll, &client.stream);
                        clients[slot] = None;
                    }
                }
            }
        }
        // Lingering closes end when their time is up.
        let now = Instant::now();
        for slot in &mut clients {
            let expired = slot
                .as_ref()
                .is_some_and(|c| c.linger_until.is_some_and(|t| t <= now));
            if expired && let Some(client) = slot.take() {
                let _ = epoll::delete(&epoll, &client.stream);
            }
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Accepts every waiting connection.
fn accept(
    epoll: &OwnedFd,
    listener: &TcpListener,
    clients: &mut Vec<Option<Client>>,
) -> io::Result<()> {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // A connection that failed before it was accepted.
            Err(_) => continue,
        };
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        let slot = match clients.iter().position(Option::is_none) {
            Some(slot) => slot,
            None => {
                clients.push(None);
                clients.len() - 1
            }
        };
        epoll::add(
            epoll,
            &stream,
            EventData::new_u64(slot as u64 + 1),
            EventFlags::IN,
        )?;
        clients[slot] = Some(Client {
            stream,
            session: Session::new(unix_now()),
            input: Vec::with_capacity(8192),
            output: Vec::with_capacity(1024),
            written: 0,
            next: Next::Read,
            interest: EventFlags::IN,
            linger_until: None,
        });
    }
}

/// One connection and what is pending on it.
struct Client {
    stream: TcpStream,
    session: Session,
    /// Bytes received and not consumed yet.
    input: Vec<u8>,
    /// Bytes to send; `output[..written]` already went out.
    output: Vec<u8>,
    written: usize,
    next: Next,
    /// What epoll waits for on this socket.
    interest: EventFlags,
    /// Set once the response is out and the client is being drained.
    linger_until: Option<Instant>,
}

impl Client {
    /// Handles readiness; false when the connection is to be dropped.
    fn ready(&mut self, epoll: &OwnedFd, token: u64) -> bool {
        if self.linger_until.is_some() {
            return self.drain();
        }
        if self.next == Next::Read && !self.receive() {
            return false;
        }
        if !self.flush() {
            return false;
        }
        let pending = self.written < self.output.len();
        match self.next {
            // Wait until the socket takes more; stop reading meanwhile.
            _ if pending => self.interest(epoll, token, EventFlags::OUT),
            Next::Read => self.interest(epoll, token, EventFlags::IN),
            Next::Close(Closing::Now) => false,
            Next::Close(_) => {
                let _ = self.stream.shutdown(Shutdown::Write);
                self.linger_until = Some(Instant::now() + LINGER);
                self.interest(epoll, token, EventFlags::IN) && self.drain()
            }
        }
    }

    /// Waits for `flags` from now on, asking the kernel only on a change.
    fn interest(&mut self, epoll: &OwnedFd, token: u64, flags: EventFlags) -> bool {
        if self.interest != flags {
            if epoll::modify(epoll, &self.stream, EventData::new_u64(token), flags).is_err() {
                return false;
            }
            self.interest = flags;
        }
        true
    }

    /// Reads what is there and runs the session over it; false on a
    /// socket error.
    fn receive(&mut self) -> bool {
        // One read per readiness: level-triggered epoll says again if more
        // is waiting, which saves the read that would only say EAGAIN.
        let filled = self.input.len();
        self.input.resize(filled + 8192, 0);
        let read = self.stream.read(&mut self.input[filled..]);
        self.input.truncate(filled + *read.as_ref().unwrap_or(&0));
        match read {
            Ok(0) => self.session.handle_eof(),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                return true;
            }
            Err(_) => return false,
        }
        let (consumed, next) = self
            .session
            .handle_input(&self.input, unix_now(), &mut self.output);
        self.input.drain(..consumed);
        self.next = next;
        true
    }

    /// Writes what the socket takes; false on a socket error.
    fn flush(&mut self) -> bool {
        while self.written < self.output.len() {
            match self.stream.write(&self.output[self.written..]) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        self.output.clear();
        self.written = 0;
        true
    }

    /// Reads and drops what a lingering client sends; false once it closed.
    fn drain(&mut self) -> bool {
        let mut sink = [0u8; 4096];
        loop {
            match self.stream.read(&mut sink) {
                Ok(0) => return false,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
    }
}
