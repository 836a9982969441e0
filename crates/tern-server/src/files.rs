//! Files under ROOT: kernel-enforced resolution and a per-thread cache of
//! open descriptors with their metadata.
//!
//! Opening uses `openat2(root, path, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`:
//! the kernel refuses any resolution (through `..` or a symlink) that leaves
//! ROOT. Where `openat2` does not exist (Linux < 5.6, `ENOSYS`), the path is
//! walked one component at a time with `O_NOFOLLOW`, so no symlink is followed
//! at all.
//!
//! The cache (Warp's file-descriptor cache, nginx's `open_file_cache`) keeps
//! each hot file open with its size, validators and content type, and the
//! whole content of small files, so a hot small file costs no syscall but
//! the `send`. Entries are trusted for a short TTL, then revalidated by
//! opening the path again and comparing identity, size and mtime: a changed,
//! replaced or deleted file is noticed within one TTL. The cache is private
//! to its thread (no lock) and bounded in entries and in cached bytes.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rustix::fs::{self, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use tern_proto::compose::PreparedHead;
use tern_proto::date::render_imf_fixdate;

use crate::listing::Listing;
use crate::semantics::conditional::Validators;
use crate::semantics::negotiate::Coding;

/// Files up to this size are kept in memory and copied into the response
/// buffer right after the head (one `send` for the whole response).
pub(crate) const INLINE_MAX: u64 = 8 * 1024;
/// At most this many paths cached per thread.
const MAX_ENTRIES: usize = 4096;
/// At most this many bytes of small-file content cached per thread.
const MAX_CACHED_BYTES: usize = 16 << 20;

/// An open regular file and what responses need to know about it.
#[derive(Debug)]
pub(crate) struct FileInfo {
    /// The open file (read-only), used by `sendfile` and `pread`.
    pub(crate) fd: OwnedFd,
    /// Size in bytes.
    pub(crate) size: u64,
    /// Last modification, whole seconds since the epoch.
    pub(crate) mtime: i64,
    /// The strong entity tag, quotes included: `"inode-size-mtime"` in hex.
    pub(crate) etag: Box<[u8]>,
    /// `Last-Modified` value (IMF-fixdate).
    pub(crate) last_modified: [u8; 29],
    /// `Content-Type` value.
    pub(crate) content_type: Box<[u8]>,
    /// The whole content, for files of at most [`INLINE_MAX`] bytes.
    pub(crate) data: Option<Box<[u8]>>,
    /// The head of a `200` for the whole file to an HTTP/1.1 GET, rendered
    /// by the responder on first use: such a response then costs one copy
    /// and the date.
    pub(crate) full_head: OnceCell<Option<PreparedHead>>,
    /// The content coding of a precompressed sibling (`Content-Encoding`).
    pub(crate) encoding: Option<Coding>,
    /// The request field the choice of this representation depends on
    /// (`Vary`), if there is a choice.
    pub(crate) vary: Option<&'static [u8]>,
    /// The precompressed siblings of this file that may be served in its
    /// place (none older than the file), in the order of [`Coding::ALL`].
    pub(crate) encoded: Box<[Rc<Self>]>,
    /// Without siblings, the compressor may make encoded copies of it
    /// (`--compress` and a compressible type; see `compress`).
    pub(crate) compressible: bool,
    dev: u64,
    ino: u64,
    mtime_nsec: u32,
}

impl FileInfo {
    /// The cache's entry for an open file (or a rendered listing) with this
    /// metadata and, when it is small, its content.
    pub(crate) fn new(
        fd: OwnedFd,
        st: &fs::Stat,
        size: u64,
        etag: String,
        content_type: Box<[u8]>,
        data: Option<Box<[u8]>>,
    ) -> Self {
        let last_modified = render_imf_fixdate(u64::try_from(st.st_mtime).unwrap_or(0));
        let etag = etag.into_bytes().into_boxed_slice();
        Self {
            fd,
            size,
            mtime: st.st_mtime,
            etag,
            last_modified,
            content_type,
            data,
            full_head: OnceCell::new(),
            encoding: None,
            vary: None,
            encoded: Box::new([]),
            compressible: false,
            dev: st.st_dev,
            ino: st.st_ino,
            mtime_nsec: u32::try_from(st.st_mtime_nsec).unwrap_or(0),
        }
    }
}

impl FileInfo {
    /// A copy of `original` encoded in `coding`, its `bytes` held by `fd`
    /// (an anonymous in-memory file): same validators but a weak entity tag
    /// of its own (another build of the compressor may make other bytes),
    /// same type and modification time.
    pub(crate) fn encoded_copy(
        original: &Self,
        coding: Coding,
        fd: OwnedFd,
        bytes: Vec<u8>,
    ) -> Self {
        let tag = original
            .etag
            .strip_prefix(b"\"")
            .and_then(|t| t.strip_suffix(b"\""))
            .unwrap_or(&original.etag);
        let mut etag = b"W/\"".to_vec();
        etag.extend_from_slice(tag);
        etag.push(b'-');
        etag.extend_from_slice(coding.token().as_bytes());
        etag.push(b'"');
        let size = bytes.len() as u64;
        Self {
            fd,
            size,
            mtime: original.mtime,
            etag: etag.into_boxed_slice(),
            last_modified: original.last_modified,
            content_type: original.content_type.clone(),
            data: (size <= INLINE_MAX).then(|| bytes.into_boxed_slice()),
            full_head: OnceCell::new(),
            encoding: Some(coding),
            vary: Some(b"Accept-Encoding"),
            encoded: Box::new([]),
            compressible: false,
            dev: original.dev,
            ino: original.ino,
            mtime_nsec: original.mtime_nsec,
        }
    }

    /// The codings of the siblings that may be served in this file's place.
    pub(crate) fn codings(&self) -> impl Iterator<Item = Coding> + '_ {
        self.encoded.iter().filter_map(|f| f.encoding)
    }

    /// What conditional requests compare with.
    pub(crate) fn validators(&self) -> Validators<'_> {
        Validators {
            etag: &self.etag,
            last_modified: &self.last_modified,
            modified: self.mtime,
        }
    }
}

/// Modification time in nanoseconds since the epoch.
fn mtime_ns(st: &fs::Stat) -> i128 {
    let nsec = u32::try_from(st.st_mtime_nsec).unwrap_or(0);
    i128::from(st.st_mtime) * 1_000_000_000 + i128::from(nsec)
}

/// What a path resolves to.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// A regular file (for a directory: its `index.html`).
    File(Rc<FileInfo>),
    /// A directory named without its trailing slash: redirect.
    Directory,
    /// A directory without `index.html`, listed (`--list-dirs`).
    Listing(Rc<Listing>),
    /// A directory without `index.html` while listings are off: 404, with
    /// a hint that `--list-dirs` would list it.
    Unlisted,
    /// Nothing servable there (missing, not a regular file, outside ROOT).
    NotFound,
    /// The file exists but cannot be read.
    Forbidden,
    /// The server cannot open it now (out of descriptors or memory): 503,
    /// never cached.
    Unavailable,
}

#[derive(Debug)]
struct Slot {
    resolved: Resolved,
    checked: Instant,
    used: Instant,
}

/// The per-thread open-file cache.
#[derive(Debug)]
pub(crate) struct FileCache {
    root: OwnedFd,
    map: HashMap<Box<[u8]>, Slot>,
    ttl: Duration,
    cached_bytes: usize,
    have_openat2: bool,
    options: FileOptions,
}

impl FileOptions {
    /// The options the command line sets.
    pub(crate) fn new(opts: &crate::cli::Options) -> Self {
        Self {
            ttl: opts.cache_ttl,
            list_dirs: opts.list_dirs,
            allow_hidden: opts.hidden,
            precompressed: opts.precompressed,
            compress: opts.compress,
        }
    }
}

/// What a [`FileCache`] looks for besides the file asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileOptions {
    /// How long an entry is trusted before it is revalidated.
    pub(crate) ttl: Duration,
    /// Answer a directory without `index.html` with a listing.
    pub(crate) list_dirs: bool,
    /// List (and serve) names starting with a dot.
    pub(crate) allow_hidden: bool,
    /// Look for `NAME.br`, `NAME.zst` and `NAME.gz` beside each file.
    pub(crate) precompressed: bool,
    /// Mark files of compressible types without siblings for on-the-fly
    /// compression.
    pub(crate) compress: bool,
}

impl FileCache {
    /// A cache over `root` (a directory descriptor).
    pub(crate) fn new(root: OwnedFd, options: FileOptions) -> Self {
        Self {
            root,
            map: HashMap::new(),
            ttl: options.ttl,
            cached_bytes: 0,
            have_openat2: true,
            options,
        }
    }

    /// Resolves a normalized path (see `path::normalize`; a trailing `/`
    /// asks for a directory's index).
    pub(crate) fn lookup(&mut self, key: &[u8], now: Instant) -> Resolved {
        if let Some(slot) = self.map.get_mut(key) {
            slot.used = now;
            if now.duration_since(slot.checked) < self.ttl && unchanged_on_disk(&slot.resolved) {
                return slot.resolved.clone();
            }
        }
        let fresh = self.resolve(key);
        if let Resolved::Unavailable = fresh {
            // A passing shortage: the entry we have (if any) is still the
            // best answer, and nothing is cached.
            return self
                .map
                .get(key)
                .map_or(Resolved::Unavailable, |slot| slot.resolved.clone());
        }
        if let Some(slot) = self.map.get_mut(key) {
            // Revalidation: keep the old entry (and its cached content) when
            // the file is the same one, unchanged.
            slot.checked = now;
            if let (Resolved::File(old), Resolved::File(new)) = (&slot.resolved, &fresh)
                && old.same_version(new)
            {
                return slot.resolved.clone();
            }
            self.cached_bytes -= cached_len(&slot.resolved);
            self.cached_bytes += cached_len(&fresh);
            slot.resolved = fresh.clone();
            return fresh;
        }
        if self.map.len() >= MAX_ENTRIES {
            self.evict(now);
        }
        self.cached_bytes += cached_len(&fresh);
        self.map.insert(
            key.into(),
            Slot {
                resolved: fresh.clone(),
                checked: now,
                used: now,
            },
        );
        fresh
    }

    /// Drops entries unused for a while, closing their descriptors (those
    /// still being sent stay open until the transfer ends).
    pub(crate) fn sweep(&mut self, now: Instant) {
        let keep = (self.ttl * 10).max(Duration::from_secs(10));
        let mut freed = 0;
        self.map.retain(|_, s| {
            let live = now.duration_since(s.used) < keep;
            if !live {
                freed += cached_len(&s.resolved);
            }
            live
        });
        self.cached_bytes -= freed;
    }

    fn evict(&mut self, now: Instant) {
        let ttl = self.ttl;
        let mut freed = 0;
        self.map.retain(|_, s| {
            let live = now.duration_since(s.used) < ttl;
            if !live {
                freed += cached_len(&s.resolved);
            }
            live
        });
        self.cached_bytes -= freed;
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
            self.cached_bytes = 0;
        }
    }

    fn resolve(&mut self, key: &[u8]) -> Resolved {
        let path: &[u8] = if key.is_empty() { b"." } else { key };
        let fd = match self.open_beneath(path) {
            Ok(fd) => fd,
            Err(e) => return error_result(e),
        };
        let Ok(st) = fs::fstat(&fd) else {
            return Resolved::NotFound;
        };
        match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile => self.file(fd, &st, key),
            FileType::Directory => {
                if !(key.is_empty() || key.ends_with(b"/")) {
                    return Resolved::Directory;
                }
                let index = match openat2_or_walk(&fd, b"index.html", &mut self.have_openat2) {
                    Ok(fd) => fd,
                    Err(Errno::NOENT) if self.options.list_dirs => {
                        return self.listing(fd, &st, key);
                    }
                    Err(Errno::NOENT) => return Resolved::Unlisted,
                    Err(e) => return error_result(e),
                };
                let Ok(st) = fs::fstat(&index) else {
                    return Resolved::NotFound;
                };
                if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile {
                    let mut path = key.to_vec();
                    path.extend_from_slice(b"index.html");
                    self.file(index, &st, &path)
                } else {
                    Resolved::NotFound
                }
            }
            _ => Resolved::NotFound,
        }
    }

    fn open_beneath(&mut self, path: &[u8]) -> Result<OwnedFd, Errno> {
        openat2_or_walk(&self.root, path, &mut self.have_openat2)
    }

    /// The entry of the regular file `fd` at `path`, with its precompressed
    /// siblings when they are on.
    fn file(&mut self, fd: OwnedFd, st: &fs::Stat, path: &[u8]) -> Resolved {
        let content_type: Box<[u8]> = content_type(path).into_boxed_slice();
        let Some(mut file) = self.file_info(fd, st, content_type.clone()) else {
            return Resolved::Forbidden;
        };
        if self.options.precompressed {
            let siblings = self.siblings(path, st, &content_type);
            if !siblings.is_empty() {
                file.vary = Some(b"Accept-Encoding");
                file.encoded = siblings.into_boxed_slice();
            }
        }
        if self.options.compress
            && file.encoded.is_empty()
            && crate::compress::worthwhile(&file.content_type, file.size)
        {
            file.vary = Some(b"Accept-Encoding");
            file.compressible = true;
        }
        Resolved::File(Rc::new(file))
    }

    /// The siblings `PATH.br`, `PATH.zst`, `PATH.gz` that are regular files
    /// at least as new as the original (an older one may hold stale bytes)
    /// and smaller than it (a larger one only costs bytes, as for tiny
    /// files), each described with the original's content type.
    fn siblings(
        &mut self,
        path: &[u8],
        original: &fs::Stat,
        content_type: &[u8],
    ) -> Vec<Rc<FileInfo>> {
        let mut found = Vec::new();
        let mut name = path.to_vec();
        for coding in Coding::ALL {
            name.truncate(path.len());
            name.extend_from_slice(coding.suffix().as_bytes());
            let Ok(fd) = self.open_beneath(&name) else {
                continue;
            };
            let Ok(st) = fs::fstat(&fd) else {
                continue;
            };
            if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile
                || mtime_ns(&st) < mtime_ns(original)
                || st.st_size >= original.st_size
            {
                continue;
            }
            if let Some(mut sibling) = self.file_info(fd, &st, content_type.into()) {
                sibling.encoding = Some(coding);
                sibling.vary = Some(b"Accept-Encoding");
                found.push(Rc::new(sibling));
            }
        }
        found
    }

    /// An entry for the open regular file `fd`, its content read when it is
    /// small; `None` if it cannot be read.
    fn file_info(&self, fd: OwnedFd, st: &fs::Stat, content_type: Box<[u8]>) -> Option<FileInfo> {
        let size = u64::try_from(st.st_size).unwrap_or(0);
        let etag = format!("\"{:x}-{:x}-{:x}\"", st.st_ino, size, mtime_ns(st).max(0));
        let data = if size <= INLINE_MAX && self.cached_bytes < MAX_CACHED_BYTES {
            Some(read_all(&fd, size).ok()?)
        } else {
            None
        };
        Some(FileInfo::new(fd, st, size, etag, content_type, data))
    }
}

impl FileCache {
    /// The listing of a directory without `index.html` (see `listing`).
    fn listing(&mut self, fd: OwnedFd, st: &fs::Stat, key: &[u8]) -> Resolved {
        let read = Listing::read(
            &self.root,
            fd,
            st,
            key,
            self.options.allow_hidden,
            &mut self.have_openat2,
        );
        match read {
            Ok(listing) => Resolved::Listing(Rc::new(listing)),
            Err(e) => error_result(e),
        }
    }
}

impl FileInfo {
    /// Whether `st` (of this entry's open file) still has the size and
    /// modification time the entry was made with.
    fn describes(&self, st: &fs::Stat) -> bool {
        u64::try_from(st.st_size).is_ok_and(|size| size == self.size)
            && st.st_mtime == self.mtime
            && u32::try_from(st.st_mtime_nsec).is_ok_and(|ns| ns == self.mtime_nsec)
    }

    fn same_version(&self, other: &Self) -> bool {
        self.dev == other.dev
            && self.ino == other.ino
            && self.size == other.size
            && self.mtime == other.mtime
            && self.mtime_nsec == other.mtime_nsec
            && self.encoded.len() == other.encoded.len()
            && self
                .encoded
                .iter()
                .zip(&other.encoded[..])
                .all(|(a, b)| a.encoding == b.encoding && a.same_version(b))
    }
}

/// Whether a cached entry still describes its file. A file whose bytes are
/// cached is always sent as cached, so its length and content agree
/// whatever happens on disk (and the TTL bounds how stale it can be). A file
/// sent with `sendfile` is read at send time: if it was rewritten in place
/// (same inode, new length), the cached `Content-Length` would no longer
/// match the bytes sent, so its metadata is checked with one `fstat` per
/// response (see BENCHMARK.md for what it costs).
fn unchanged_on_disk(r: &Resolved) -> bool {
    let sent_from_disk =
        |f: &FileInfo| f.data.is_some() || fs::fstat(&f.fd).is_ok_and(|st| f.describes(&st));
    match r {
        Resolved::File(f) => sent_from_disk(f) && f.encoded.iter().all(|s| sent_from_disk(s)),
        _ => true,
    }
}

fn cached_len(r: &Resolved) -> usize {
    let len = |f: &FileInfo| f.data.as_ref().map_or(0, |d| d.len());
    match r {
        Resolved::File(f) => len(f) + f.encoded.iter().map(|s| len(s)).sum::<usize>(),
        Resolved::Listing(listing) => listing.cached_len(),
        _ => 0,
    }
}

fn error_result(e: Errno) -> Resolved {
    if e == Errno::ACCESS || e == Errno::PERM {
        Resolved::Forbidden
    } else if e == Errno::MFILE || e == Errno::NFILE || e == Errno::NOMEM {
        Resolved::Unavailable
    } else {
        // NOENT, NOTDIR, LOOP (a symlink where none may be), XDEV (an
        // escape from ROOT), NAMETOOLONG, ...: nothing to serve there.
        Resolved::NotFound
    }
}

const OPEN_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOCTTY)
    // never block opening a FIFO or a device; only regular files are served
    .union(OFlags::NONBLOCK);

/// `openat2(dir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
/// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`, or where the kernel lacks
/// `openat2` (`ENOSYS`), a component-by-component walk with `O_NOFOLLOW`.
///
/// # References
///  - [`openat2(2)`](https://man7.org/linux/man-pages/man2/openat2.2.html)
#[doc(alias = "openat2")]
#[doc(alias = "RESOLVE_BENEATH")]
pub(crate) fn openat2_or_walk(
    dir: &OwnedFd,
    path: &[u8],
    have_openat2: &mut bool,
) -> Result<OwnedFd, Errno> {
    if *have_openat2 {
        match fs::openat2(
            dir,
            path,
            OPEN_FLAGS,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        ) {
            Err(Errno::NOSYS) => *have_openat2 = false,
            r => return r,
        }
    }
    walk_nofollow(dir, path)
}

/// The `openat2` fallback: `openat(dir, component, O_NOFOLLOW)` for each
/// component, refusing `..` and every symlink.
fn walk_nofollow(dir: &OwnedFd, path: &[u8]) -> Result<OwnedFd, Errno> {
    let want_dir = path.ends_with(b"/");
    let comps: Vec<&[u8]> = path
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect();
    if comps.contains(&&b".."[..]) {
        return Err(Errno::XDEV);
    }
    let mut cur: Option<OwnedFd> = None;
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let mut flags = OPEN_FLAGS | OFlags::NOFOLLOW;
        if !last || want_dir {
            flags |= OFlags::DIRECTORY;
        }
        let base = cur.as_ref().map_or(dir.as_fd(), AsFd::as_fd);
        cur = Some(fs::openat(base, *comp, flags, Mode::empty())?);
    }
    match cur {
        Some(fd) => Ok(fd),
        None => fs::openat(dir, ".", OPEN_FLAGS | OFlags::DIRECTORY, Mode::empty()),
    }
}

/// A file named on the command line (`--fallback`, `--not-found`), kept
/// open and revalidated like any other through a cache over its directory
/// (which may lie outside ROOT: the operator named it).
#[derive(Debug)]
pub(crate) struct NamedFile {
    cache: FileCache,
    name: Box<[u8]>,
}

impl NamedFile {
    /// The file at `path` (checked to be a regular file now; if it goes
    /// away later, lookups find nothing).
    pub(crate) fn open(path: &std::path::Path, options: FileOptions) -> io::Result<Self> {
        use std::os::unix::ffi::OsStrExt;
        if !std::fs::metadata(path)?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        Ok(Self {
            cache: FileCache::new(
                open_root(dir)?,
                FileOptions {
                    list_dirs: false,
                    allow_hidden: true,
                    ..options
                },
            ),
            name: name.as_bytes().into(),
        })
    }

    /// The file's entry, if it is still a readable regular file.
    pub(crate) fn lookup(&mut self, now: Instant) -> Option<Rc<FileInfo>> {
        match self.cache.lookup(&self.name, now) {
            Resolved::File(f) => Some(f),
            _ => None,
        }
    }

    /// Drops the entry when unused for a while (see [`FileCache::sweep`]).
    pub(crate) fn sweep(&mut self, now: Instant) {
        self.cache.sweep(now);
    }
}

/// Opens ROOT itself (a directory), for [`FileCache::new`].
pub(crate) fn open_root(path: &std::path::Path) -> io::Result<OwnedFd> {
    let fd = fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(fd)
}

fn read_all(fd: &OwnedFd, size: u64) -> Result<Box<[u8]>, Errno> {
    let size = usize::try_from(size).map_err(|_| Errno::FBIG)?;
    let mut data = vec![0u8; size];
    let mut off = 0;
    while off < size {
        let n = rustix::io::pread(fd, &mut data[off..], off as u64)?;
        if n == 0 {
            // Shrunk while being read: serve what the next revalidation sees.
            return Err(Errno::AGAIN);
        }
        off += n;
    }
    Ok(data.into_boxed_slice())
}

/// Where mime_guess's table differs from what browsers expect.
const MIME_OVERRIDES: [(&str, &str); 7] = [
    // RFC 9239 §6: JavaScript is text/javascript, modules included; a
    // module script with another type is refused by browsers.
    ("mjs", "text/javascript"),
    // Source maps are JSON (ECMA-426); browsers' devtools fetch them.
    ("map", "application/json"),
    // RFC 8081: the font/ top-level type.
    ("woff", "font/woff"),
    ("otf", "font/otf"),
    // MPEG transport stream segments (HLS), as nginx's table has it.
    ("ts", "video/mp2t"),
    ("m3u8", "application/vnd.apple.mpegurl"),
    // RFC 8878 §7.1.
    ("zst", "application/zstd"),
];

/// `Content-Type` for a file name, from its extension (mime_guess's table,
/// corrected by [`MIME_OVERRIDES`]), with `charset=utf-8` for text.
pub(crate) fn content_type(name: &[u8]) -> Vec<u8> {
    let file = name.rsplit(|&b| b == b'/').next().unwrap_or(name);
    let ext = match file.iter().rposition(|&b| b == b'.') {
        Some(i) if i > 0 => &file[i + 1..],
        _ => b"",
    };
    let mime = std::str::from_utf8(ext)
        .ok()
        .and_then(|e| {
            MIME_OVERRIDES
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(e))
                .map(|&(_, mime)| mime)
                .or_else(|| mime_guess::from_ext(e).first_raw())
        })
        .unwrap_or("application/octet-stream");
    let mut v = mime.as_bytes().to_vec();
    if mime.starts_with("text/") || mime == "application/javascript" {
        v.extend_from_slice(b"; charset=utf-8");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(content_type(b"index.html"), b"text/html; charset=utf-8");
        assert_eq!(content_type(b"a/b.css"), b"text/css; charset=utf-8");
        assert_eq!(content_type(b"x.png"), b"image/png");
        assert_eq!(content_type(b"x.PNG"), b"image/png");
        assert_eq!(content_type(b"x.bin"), b"application/octet-stream");
        assert_eq!(content_type(b"noext"), b"application/octet-stream");
        assert_eq!(content_type(b".hidden"), b"application/octet-stream");
        for (name, mime) in [
            ("app.js", "text/javascript; charset=utf-8"),
            ("app.mjs", "text/javascript; charset=utf-8"),
            ("APP.MJS", "text/javascript; charset=utf-8"),
            ("app.js.map", "application/json"),
            ("data.json", "application/json"),
            ("m.wasm", "application/wasm"),
            ("f.woff2", "font/woff2"),
            ("f.woff", "font/woff"),
            ("f.ttf", "font/ttf"),
            ("f.otf", "font/otf"),
            ("i.avif", "image/avif"),
            ("i.webp", "image/webp"),
            ("i.svg", "image/svg+xml"),
            ("i.jpg", "image/jpeg"),
            ("v.mp4", "video/mp4"),
            ("v.webm", "video/webm"),
            ("s.ts", "video/mp2t"),
            ("a.mp3", "audio/mpeg"),
            ("app.webmanifest", "application/manifest+json"),
            ("x.zst", "application/zstd"),
            ("x.gz", "application/gzip"),
        ] {
            assert_eq!(
                String::from_utf8(content_type(name.as_bytes())).unwrap(),
                mime,
                "{name}"
            );
        }
    }

    /// A docroot with a file, a subdirectory, and symlinks inside and out,
    /// next to a file outside it. Removed on drop.
    struct Tree(std::path::PathBuf);

    impl Tree {
        fn new(tag: &str) -> Self {
            use std::os::unix::fs::symlink;
            let base =
                std::env::temp_dir().join(format!("tern-files-{}-{tag}", std::process::id()));
            let root = base.join("root");
            std::fs::create_dir_all(root.join("sub")).unwrap();
            std::fs::write(base.join("outside.txt"), b"secret").unwrap();
            std::fs::write(root.join("a.txt"), b"a").unwrap();
            std::fs::write(root.join("sub/b.txt"), b"b").unwrap();
            symlink("a.txt", root.join("link_in")).unwrap();
            symlink("../outside.txt", root.join("link_out")).unwrap();
            symlink(base.join("outside.txt"), root.join("link_abs")).unwrap();
            symlink("..", root.join("sub/up")).unwrap();
            Self(base)
        }

        fn root(&self) -> OwnedFd {
            open_root(&self.0.join("root")).unwrap()
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn read(fd: &OwnedFd) -> Vec<u8> {
        read_all(fd, fs::fstat(fd).unwrap().st_size as u64)
            .unwrap()
            .into_vec()
    }

    /// Paths that must never open, by either route: they leave ROOT.
    const ESCAPES: &[&[u8]] = &[
        b"../outside.txt",
        b"sub/../../outside.txt",
        b"link_out",
        b"link_abs",
        b"sub/up/../outside.txt",
    ];

    #[test]
    fn the_fallback_walk_opens_plain_paths_and_refuses_every_symlink_and_dotdot() {
        let tree = Tree::new("walk");
        let root = tree.root();
        assert_eq!(read(&walk_nofollow(&root, b"a.txt").unwrap()), b"a");
        assert_eq!(read(&walk_nofollow(&root, b"sub/b.txt").unwrap()), b"b");
        assert_eq!(read(&walk_nofollow(&root, b"./sub//b.txt").unwrap()), b"b");
        let dir = walk_nofollow(&root, b"sub/").unwrap();
        assert_eq!(
            FileType::from_raw_mode(fs::fstat(&dir).unwrap().st_mode),
            FileType::Directory
        );
        assert!(walk_nofollow(&root, b"").is_ok());
        assert_eq!(walk_nofollow(&root, b"a.txt/").err(), Some(Errno::NOTDIR));
        for path in ESCAPES {
            assert!(
                walk_nofollow(&root, path).is_err(),
                "{}",
                String::from_utf8_lossy(path)
            );
        }
        // Stricter than openat2: no symlink is followed, even one inside ROOT.
        assert_eq!(walk_nofollow(&root, b"link_in").err(), Some(Errno::LOOP));
        assert!(walk_nofollow(&root, b"sub/up/a.txt").is_err());
        assert_eq!(
            walk_nofollow(&root, b"sub/../a.txt").err(),
            Some(Errno::XDEV)
        );
    }

    #[test]
    fn openat2_refuses_escapes_and_follows_symlinks_beneath_root() {
        let tree = Tree::new("openat2");
        let root = tree.root();
        let mut have_openat2 = true;
        let probe = openat2_or_walk(&root, b"a.txt", &mut have_openat2);
        assert_eq!(read(&probe.unwrap()), b"a");
        if !have_openat2 {
            // Kernel before 5.6: the walk above was the fallback, tested on its own.
            return;
        }
        for path in ESCAPES {
            let result = openat2_or_walk(&root, path, &mut have_openat2);
            assert_eq!(
                result.err(),
                Some(Errno::XDEV),
                "{}",
                String::from_utf8_lossy(path)
            );
        }
        assert_eq!(
            read(&openat2_or_walk(&root, b"link_in", &mut have_openat2).unwrap()),
            b"a"
        );
        let through_up = openat2_or_walk(&root, b"sub/up/a.txt", &mut have_openat2);
        assert_eq!(read(&through_up.unwrap()), b"a");
        assert!(have_openat2);
    }
}
