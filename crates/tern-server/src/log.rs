//! The access log, in Combined Log Format.
//!
//! Each worker thread appends lines to its own buffer and writes the buffer
//! once per event-loop turn (one `write` for many requests, no lock); the
//! file is opened with `O_APPEND`, so lines from different threads never
//! interleave within a write. The timestamp comes from the thread's date
//! cache. Bytes from the request (target, `Referer`, `User-Agent`) are
//! escaped so a client cannot forge log lines.

use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Flush the buffer early when it grows past this.
const FLUSH_AT: usize = 64 * 1024;

/// The log's open file, shared by the workers, replaced on `SIGHUP` (after
/// logrotate has renamed it) without stopping them.
///
/// Workers read `generation` (one atomic load per flush, no lock) and take
/// the new descriptor under the lock only when it changed. A worker that
/// has not yet seen the change writes once more to the renamed file, which
/// loses nothing; the old file is closed when its last holder drops it.
#[derive(Debug)]
pub(crate) struct LogFile {
    /// Where to reopen; `None` for standard output (never reopened).
    path: Option<PathBuf>,
    generation: AtomicU64,
    current: Mutex<Arc<OwnedFd>>,
}

impl LogFile {
    /// Opens (creating, appending) the log at `path`, or uses stdout.
    pub(crate) fn open(path: Option<PathBuf>) -> std::io::Result<Self> {
        let fd = match &path {
            Some(p) => open_append(p)?,
            None => {
                use std::os::fd::AsFd;
                std::io::stdout().as_fd().try_clone_to_owned()?
            }
        };
        Ok(Self {
            path,
            generation: AtomicU64::new(0),
            current: Mutex::new(Arc::new(fd)),
        })
    }

    /// Opens the log's path again (after a rotation). Standard output is
    /// left as it is.
    pub(crate) fn reopen(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let fd = Arc::new(open_append(path)?);
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = fd;
        self.generation.fetch_add(1, Ordering::Release);
        Ok(())
    }

    fn current(&self) -> (u64, Arc<OwnedFd>) {
        let generation = self.generation.load(Ordering::Acquire);
        let fd = Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner));
        (generation, fd)
    }
}

fn open_append(path: &std::path::Path) -> std::io::Result<OwnedFd> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    Ok(OwnedFd::from(f))
}

/// A thread's access-log writer.
#[derive(Debug)]
pub(crate) struct LogSink {
    file: Arc<LogFile>,
    fd: Arc<OwnedFd>,
    generation: u64,
    buf: Vec<u8>,
}

/// What one log line says about a request.
pub(crate) struct Entry<'a> {
    /// Client address.
    pub(crate) peer: Option<IpAddr>,
    /// Method, target and version as received (`None`: no request line).
    pub(crate) request: Option<(&'a [u8], &'a [u8], &'a [u8])>,
    /// Response status.
    pub(crate) status: u16,
    /// Body bytes of the response.
    pub(crate) bytes: u64,
    /// `Referer` field.
    pub(crate) referer: Option<&'a [u8]>,
    /// `User-Agent` field.
    pub(crate) user_agent: Option<&'a [u8]>,
}

/// The line of a response still being sent: its fields owned, so the line
/// can be written once the bytes actually sent are known (a download cut at
/// 20 MB is logged with 20 MB, as nginx's `$body_bytes_sent`).
#[derive(Debug)]
pub(crate) struct PendingEntry {
    peer: Option<IpAddr>,
    /// Method, target and version, concatenated, with the two split points.
    request: Box<[u8]>,
    splits: (usize, usize),
    status: u16,
    referer: Option<Box<[u8]>>,
    user_agent: Option<Box<[u8]>>,
}

impl PendingEntry {
    /// Copies what `e` borrows from the request.
    pub(crate) fn new(e: &Entry<'_>) -> Self {
        let (request, splits) = match e.request {
            Some((m, t, v)) => ([m, t, v].concat().into(), (m.len(), m.len() + t.len())),
            None => (Box::default(), (0, 0)),
        };
        Self {
            peer: e.peer,
            request,
            splits,
            status: e.status,
            referer: e.referer.map(Into::into),
            user_agent: e.user_agent.map(Into::into),
        }
    }

    /// The entry with `bytes` of body sent.
    pub(crate) fn entry(&self, bytes: u64) -> Entry<'_> {
        let (a, b) = self.splits;
        let request = (!self.request.is_empty())
            .then(|| (&self.request[..a], &self.request[a..b], &self.request[b..]));
        Entry {
            peer: self.peer,
            request,
            status: self.status,
            bytes,
            referer: self.referer.as_deref(),
            user_agent: self.user_agent.as_deref(),
        }
    }
}

impl LogSink {
    /// A sink writing to `file`.
    pub(crate) fn new(file: Arc<LogFile>) -> Self {
        let (generation, fd) = file.current();
        Self {
            file,
            fd,
            generation,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// Appends one line; `time` is `dd/Mon/yyyy:hh:mm:ss +0000`.
    pub(crate) fn line(&mut self, time: &[u8], e: &Entry<'_>) {
        let b = &mut self.buf;
        match e.peer {
            Some(ip) => {
                use std::io::Write;
                let _ = write!(b, "{ip}");
            }
            None => b.push(b'-'),
        }
        b.extend_from_slice(b" - - [");
        b.extend_from_slice(time);
        b.extend_from_slice(b"] \"");
        match e.request {
            Some((m, t, v)) => {
                escape(b, m);
                b.push(b' ');
                escape(b, t);
                b.push(b' ');
                escape(b, v);
            }
            None => b.push(b'-'),
        }
        b.extend_from_slice(b"\" ");
        {
            use std::io::Write;
            let _ = write!(b, "{} ", e.status);
            if e.bytes == 0 {
                b.push(b'-');
            } else {
                let _ = write!(b, "{}", e.bytes);
            }
        }
        b.extend_from_slice(b" \"");
        escape(b, e.referer.unwrap_or(b"-"));
        b.extend_from_slice(b"\" \"");
        escape(b, e.user_agent.unwrap_or(b"-"));
        b.extend_from_slice(b"\"\n");
        if self.buf.len() >= FLUSH_AT {
            self.flush();
        }
    }

    /// Writes out what is buffered.
    pub(crate) fn flush(&mut self) {
        if self.file.generation.load(Ordering::Relaxed) != self.generation {
            (self.generation, self.fd) = self.file.current();
        }
        let mut off = 0;
        while off < self.buf.len() {
            match rustix::io::write(&*self.fd, &self.buf[off..]) {
                Ok(0) => break,
                Ok(n) => off += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => break,
            }
        }
        self.buf.clear();
    }

    /// Whether lines are waiting to be written.
    pub(crate) fn pending(&self) -> bool {
        !self.buf.is_empty()
    }
}

/// Copies `v`, escaping `"`, `\` and bytes outside printable ASCII as `\xHH`.
fn escape(out: &mut Vec<u8>, v: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &c in v {
        if c == b'"' || c == b'\\' || !(0x20..0x7f).contains(&c) {
            out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 15)],
            ]);
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_hostile_bytes() {
        let mut v = Vec::new();
        escape(&mut v, b"a\"b\\c\nd\xff");
        assert_eq!(v, b"a\\x22b\\x5cc\\x0ad\\xff");
    }
}
