//! On-the-fly compression (`--compress`): a file of a compressible type
//! that has no precompressed sibling is encoded once per version (Brotli or
//! gzip, as the client accepts) into an anonymous in-memory file, sealed,
//! and served from there like a sibling: `sendfile`, ranges, conditionals
//! and HEAD work unchanged. Each worker keeps its copies in a cache bounded
//! in bytes and entries, keyed by the original's entity tag (which changes
//! with the file), so a changed file is encoded again and the old copy ages
//! out.
//!
//! The encoding runs on the worker's thread when the first client asks for
//! it: at most [`COMPRESS_MAX`](crate::entry::COMPRESS_MAX) bytes at a moderate level, a few tens of
//! milliseconds in the worst case, once per file version and coding.

use std::collections::HashMap;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rustix::fs::{MemfdFlags, SealFlags};

use crate::entry::{FileInfo, read_all};
use crate::semantics::negotiate::Coding;

/// Encoded bytes kept per worker.
const MAX_BYTES: usize = 32 << 20;
/// Encoded copies kept per worker (each holds a descriptor).
const MAX_ENTRIES: usize = 1024;
/// Copies unused this long are dropped by [`Compressor::sweep`].
const UNUSED: Duration = Duration::from_secs(60);
/// Brotli quality (0–11): 5 encodes at tens of MB/s and still beats gzip -9.
const BROTLI_QUALITY: u32 = 5;
/// Brotli window (log2 bytes).
const BROTLI_WINDOW: u32 = 22;
/// gzip level (0–9).
const GZIP_LEVEL: u32 = 6;

/// The codings made on the fly, smallest output first.
pub(crate) const CODINGS: [Coding; 2] = [Coding::Br, Coding::Gzip];

/// A worker's encoded copies.
#[derive(Debug, Default)]
pub(crate) struct Compressor {
    copies: HashMap<(Box<[u8]>, Coding), Copy>,
    bytes: usize,
}

#[derive(Debug)]
struct Copy {
    /// `None`: encoding did not make it smaller (or failed): serve the
    /// original, and do not try again for this version.
    file: Option<Rc<FileInfo>>,
    used: Instant,
}

impl Compressor {
    /// `file` encoded in `coding`, made now if it is not cached; `None` when
    /// the encoding is no smaller than the file or cannot be made (out of
    /// descriptors or memory): the caller serves the original.
    pub(crate) fn copy(
        &mut self,
        file: &FileInfo,
        coding: Coding,
        now: Instant,
    ) -> Option<Rc<FileInfo>> {
        let key = (file.etag.clone(), coding);
        if let Some(copy) = self.copies.get_mut(&key) {
            copy.used = now;
            return copy.file.clone();
        }
        let made = encode(file, coding).ok().flatten().map(Rc::new);
        let len = made.as_ref().map_or(0, |f| f.size as usize);
        if self.copies.len() >= MAX_ENTRIES || self.bytes + len > MAX_BYTES {
            self.evict(now);
        }
        self.bytes += len;
        self.copies.insert(
            key,
            Copy {
                file: made.clone(),
                used: now,
            },
        );
        made
    }

    /// Drops copies unused for a while (one being sent stays open until the
    /// transfer ends: the connection holds its own reference).
    pub(crate) fn sweep(&mut self, now: Instant) {
        self.retain_used_within(now, UNUSED);
    }

    fn evict(&mut self, now: Instant) {
        self.retain_used_within(now, Duration::from_secs(1));
        if self.copies.len() >= MAX_ENTRIES || self.bytes > MAX_BYTES / 2 {
            self.copies.clear();
            self.bytes = 0;
        }
    }

    fn retain_used_within(&mut self, now: Instant, age: Duration) {
        let mut freed = 0;
        self.copies.retain(|_, c| {
            let keep = now.duration_since(c.used) < age;
            if !keep {
                freed += c.file.as_ref().map_or(0, |f| f.size as usize);
            }
            keep
        });
        self.bytes -= freed;
    }
}

/// Encodes the whole of `file`; `Ok(None)` if the result is not smaller.
fn encode(file: &FileInfo, coding: Coding) -> io::Result<Option<FileInfo>> {
    let read;
    let source: &[u8] = match &file.data {
        Some(data) => data,
        // A file shrunk since it was opened fails here; the next
        // revalidation sees it.
        None => {
            read = read_all(&file.fd, file.size)?;
            &read
        }
    };
    let bytes = match coding {
        Coding::Br => {
            let mut out = Vec::with_capacity(source.len() / 3);
            {
                let mut w =
                    brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, BROTLI_WINDOW);
                w.write_all(source)?;
            }
            out
        }
        Coding::Gzip => {
            let mut w = flate2::write::GzEncoder::new(
                Vec::with_capacity(source.len() / 3),
                flate2::Compression::new(GZIP_LEVEL),
            );
            w.write_all(source)?;
            w.finish()?
        }
        Coding::Zstd => return Ok(None),
    };
    if bytes.len() >= source.len() {
        return Ok(None);
    }
    let fd = sealed_memfd(&bytes)?;
    Ok(Some(FileInfo::encoded_copy(file, coding, fd, bytes)))
}

/// An anonymous in-memory file holding `bytes`, sealed against any change.
fn sealed_memfd(bytes: &[u8]) -> io::Result<OwnedFd> {
    let fd = rustix::fs::memfd_create(
        "tern-encoded",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes)?;
    let fd = OwnedFd::from(file);
    rustix::fs::fcntl_add_seals(
        &fd,
        SealFlags::SEAL | SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE,
    )?;
    Ok(fd)
}
