//! The seam between a connection and its socket: the handful of calls a
//! connection makes, so that it can be driven in unit tests by a scripted
//! socket (and a clock the test sets) instead of the kernel.

use std::os::fd::OwnedFd;

use rustix::io::Errno;
use rustix::net::{self, RecvFlags, SendFlags, Shutdown};

/// What a connection does with its socket.
pub(crate) trait Socket {
    /// `recv`: bytes into `buf`; `Ok(0)` at the peer's end of stream.
    fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno>;
    /// `send`; `more`: further bytes follow at once (`MSG_MORE`).
    fn send(&self, buf: &[u8], more: bool) -> Result<usize, Errno>;
    /// `sendfile` of up to `count` bytes of `file` from `*offset`, which it
    /// advances.
    fn sendfile(&self, file: &OwnedFd, offset: &mut u64, count: usize) -> Result<usize, Errno>;
    /// Shuts down our sending side (the peer reads end of stream).
    fn shutdown_write(&self);
    /// Sets the socket's send buffer size.
    fn set_send_buffer(&self, bytes: usize);
}

impl Socket for OwnedFd {
    fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        net::recv(self, buf, RecvFlags::empty()).map(|(n, _)| n)
    }

    fn send(&self, buf: &[u8], more: bool) -> Result<usize, Errno> {
        let mut flags = SendFlags::NOSIGNAL;
        if more {
            flags |= SendFlags::MORE;
        }
        net::send(self, buf, flags)
    }

    fn sendfile(&self, file: &OwnedFd, offset: &mut u64, count: usize) -> Result<usize, Errno> {
        rustix::fs::sendfile(self, file, Some(offset), count)
    }

    fn shutdown_write(&self) {
        let _ = net::shutdown(self, Shutdown::Write);
    }

    fn set_send_buffer(&self, bytes: usize) {
        let _ = net::sockopt::set_socket_send_buffer_size(self, bytes);
    }
}
