//! The few socket set-up calls the server makes, wrapped with rustix.
//!
//! Every call on the hot path (`recv`, `send`, `sendfile`, `epoll_wait`) is
//! made directly through rustix where it happens; this module holds the
//! set-up sequences, documented in rustix's style: the C calls first, then
//! the man pages.

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;

use rustix::net::{self, AddressFamily, SocketFlags, SocketType, sockopt};

/// Listen backlog: long enough for bursts of connects (the kernel caps it at
/// `net.core.somaxconn`).
const BACKLOG: i32 = 4096;

/// `socket(AF_INET*, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC)`,
/// `setsockopt(SO_REUSEADDR)`, optionally `setsockopt(SO_REUSEPORT)`,
/// `bind`, `listen`: a non-blocking listening socket.
///
/// With `reuseport`, several sockets (one per worker thread) share the
/// address and the kernel spreads incoming connections over them.
///
/// # References
///  - [`socket(7)`](https://man7.org/linux/man-pages/man7/socket.7.html) (`SO_REUSEPORT`)
///  - [`listen(2)`](https://man7.org/linux/man-pages/man2/listen.2.html)
#[doc(alias = "SO_REUSEPORT")]
pub(crate) fn listener(addr: SocketAddr, reuseport: bool) -> io::Result<OwnedFd> {
    let family = match addr {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    };
    let fd = net::socket_with(
        family,
        SocketType::STREAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    sockopt::set_socket_reuseaddr(&fd, true)?;
    if reuseport {
        sockopt::set_socket_reuseport(&fd, true)?;
    }
    net::bind(&fd, &addr)?;
    net::listen(&fd, BACKLOG)?;
    Ok(fd)
}

/// `getsockname(fd)`: the address a socket is bound to (the real port after
/// binding port 0).
#[doc(alias = "getsockname")]
pub(crate) fn local_addr(fd: &OwnedFd) -> io::Result<SocketAddr> {
    let any = net::getsockname(fd)?;
    SocketAddr::try_from(any).map_err(|_| io::Error::other("listener has a non-IP address"))
}

/// Binds the listening sockets for `threads` workers on `addr`.
///
/// A port already in use is reported as such even when the other listener
/// also set `SO_REUSEPORT` (another `tern` on the same port would otherwise
/// silently share its connections): a probe socket without `SO_REUSEPORT`
/// binds first.
pub(crate) fn listeners(
    addr: SocketAddr,
    threads: usize,
) -> io::Result<(Vec<OwnedFd>, SocketAddr)> {
    let mut addr = addr;
    if addr.port() != 0 {
        drop(listener(addr, false)?);
    }
    let first = listener(addr, true)?;
    addr = local_addr(&first)?;
    let mut all = Vec::with_capacity(threads);
    all.push(first);
    for _ in 1..threads {
        all.push(listener(addr, true)?);
    }
    Ok((all, addr))
}

/// `setrlimit(RLIMIT_NOFILE, { hard, hard })`: lets the process open as many
/// descriptors as its hard limit allows (10,000 connections need more than
/// the usual soft limit of 1,024).
#[doc(alias = "setrlimit")]
pub(crate) fn raise_nofile_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut lim = getrlimit(Resource::Nofile);
    if lim.current != lim.maximum {
        lim.current = lim.maximum;
        // Best effort: keeping the soft limit is not an error.
        let _ = setrlimit(Resource::Nofile, lim);
    }
}
