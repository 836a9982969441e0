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
/// for IPv6 `setsockopt(IPV6_V6ONLY)`, `bind`, `listen`: a non-blocking
/// listening socket.
///
/// With `reuseport`, several sockets (one per worker thread) share the
/// address and the kernel spreads incoming connections over them. An IPv6
/// socket takes IPv6 only (as nginx's `ipv6only=on`), whatever
/// `net.ipv6.bindv6only` says: `[::]:80` next to `0.0.0.0:80` works, and an
/// address means that address alone.
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
    if addr.is_ipv6() {
        sockopt::set_ipv6_v6only(&fd, true)?;
    }
    net::bind(&fd, &addr)?;
    net::listen(&fd, BACKLOG)?;
    Ok(fd)
}

/// `getsockname(fd)`: the address a socket is bound to (the real port after
/// binding port 0).
///
/// # References
///  - [`getsockname(2)`](https://man7.org/linux/man-pages/man2/getsockname.2.html)
#[doc(alias = "getsockname")]
pub(crate) fn local_addr(fd: &OwnedFd) -> io::Result<SocketAddr> {
    let any = net::getsockname(fd)?;
    SocketAddr::try_from(any).map_err(|_| io::Error::other("not an IP socket"))
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

/// `pidfd_open(getpid(), 0)`: a descriptor of this process, to take
/// inherited descriptors with [`inherited_listener`].
///
/// # References
///  - [`pidfd_open(2)`](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
#[doc(alias = "pidfd_open")]
pub(crate) fn own_pidfd() -> io::Result<OwnedFd> {
    use rustix::process::{PidfdFlags, getpid, pidfd_open};
    Ok(pidfd_open(getpid(), PidfdFlags::empty())?)
}

/// `pidfd_getfd(pidfd, fd, 0)` (a duplicate, close-on-exec),
/// `getsockopt(SO_TYPE)`, `getsockopt(SO_ACCEPTCONN)`, `ioctl(FIONBIO)`: a
/// descriptor this process inherited (systemd socket activation), checked
/// to be a listening stream socket and made non-blocking.
///
/// `pidfd_getfd` on the process itself is the one way to own a descriptor
/// by number without `unsafe` (`OwnedFd::from_raw_fd`). The inherited
/// number stays open, unused, beside its duplicate; tern executes nothing, so
/// it leaks nowhere. Linux 5.6 or later.
///
/// # References
///  - [`pidfd_getfd(2)`](https://man7.org/linux/man-pages/man2/pidfd_getfd.2.html)
///  - [`sd_listen_fds(3)`](https://man7.org/linux/man-pages/man3/sd_listen_fds.3.html)
#[doc(alias = "pidfd_getfd")]
pub(crate) fn inherited_listener(pidfd: &OwnedFd, fd: usize) -> io::Result<OwnedFd> {
    use rustix::io::{Errno, FdFlags, fcntl_setfd, ioctl_fionbio};
    use rustix::process::{PidfdGetfdFlags, pidfd_getfd};
    let number = i32::try_from(fd).map_err(|_| io::Error::other("out of range"))?;
    let fd = match pidfd_getfd(pidfd, number, PidfdGetfdFlags::empty()) {
        Ok(fd) => fd,
        Err(Errno::BADF) => return Err(io::Error::other("not open")),
        Err(Errno::NOSYS) => {
            return Err(io::Error::other(
                "cannot be taken on this kernel (pidfd_getfd needs Linux 5.6)",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    match sockopt::socket_type(&fd) {
        Ok(SocketType::STREAM) => {}
        Ok(_) => return Err(io::Error::other("not a stream socket")),
        Err(Errno::NOTSOCK) => return Err(io::Error::other("not a socket")),
        Err(e) => return Err(e.into()),
    }
    if !sockopt::socket_acceptconn(&fd)? {
        return Err(io::Error::other("a socket that is not listening"));
    }
    // pidfd_getfd sets close-on-exec already; said again so the state does
    // not hang on a man page.
    fcntl_setfd(&fd, FdFlags::CLOEXEC)?;
    ioctl_fionbio(&fd, true)?;
    Ok(fd)
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

/// An I/O error without the "(os error N)" suffix.
pub(crate) fn short(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_listener_takes_ipv6_only() {
        let v6 = match listener("[::1]:0".parse().unwrap(), false) {
            Ok(fd) => fd,
            // No IPv6 loopback on this host: nothing to check.
            Err(e) => return println!("skipped: [::1]:0: {e}"),
        };
        assert!(sockopt::ipv6_v6only(&v6).unwrap());
        let v4 = listener("127.0.0.1:0".parse().unwrap(), true).unwrap();
        assert!(sockopt::socket_reuseport(&v4).unwrap());
        assert!(sockopt::socket_acceptconn(&v4).unwrap());
    }
}
