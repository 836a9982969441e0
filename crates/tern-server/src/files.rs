//! The per-thread cache of open files (Warp's file-descriptor cache,
//! nginx's `open_file_cache`): each hot file kept open with its size,
//! validators and content type, and the whole content of small files, so a
//! hot small file costs no syscall but the `send`. Entries are trusted for a
//! short TTL, then revalidated by opening the path again and comparing
//! identity, size and mtime: a changed, replaced or deleted file is noticed
//! within one TTL. The cache is private to its thread (no lock) and bounded
//! in entries and in cached bytes. Paths are opened beneath ROOT only (see
//! `beneath`).

use std::collections::HashMap;
use std::io;
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rustix::fs::{self, FileType};
use rustix::io::Errno;

use crate::beneath::{open_root, openat2_or_walk};
use crate::entry::{self, FileInfo, INLINE_MAX, content_type, mtime_ns, read_all};
use crate::listing::Listing;
use crate::semantics::negotiate::Coding;

/// At most this many paths cached per thread.
const MAX_ENTRIES: usize = 4096;
/// At most this many bytes of small-file content cached per thread.
const MAX_CACHED_BYTES: usize = 16 << 20;

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
    /// `MAX_CACHED_BYTES`, smaller in tests.
    budget: usize,
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
            budget: MAX_CACHED_BYTES,
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
            let old_len = cached_len(&slot.resolved);
            self.cached_bytes -= old_len;
            if !fits(&fresh, self.cached_bytes, self.budget) {
                self.map.remove(key);
                return fresh;
            }
            self.cached_bytes += cached_len(&fresh);
            slot.resolved = fresh.clone();
            return fresh;
        }
        if self.map.len() >= MAX_ENTRIES {
            self.evict(now);
        }
        if !fits(&fresh, self.cached_bytes, self.budget) {
            return fresh;
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
            && entry::compressible(&file.content_type, file.size)
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
        let data = if size <= INLINE_MAX && self.cached_bytes < self.budget {
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

/// Whether `fresh` may be cached within the byte budget. Only a listing
/// can be refused: a file's content is read into memory only while the
/// budget has room (`file_info`), so a file entry always fits. A listing
/// that does not fit is served once, uncached, and read again next time:
/// without this, every large directory asked for would stay in memory
/// (up to `MAX_ENTRIES` listings of a few MB each, per thread).
fn fits(fresh: &Resolved, cached_bytes: usize, budget: usize) -> bool {
    !matches!(fresh, Resolved::Listing(_)) || cached_bytes + cached_len(fresh) <= budget
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A docroot with two directories of 20 files each and no index.html,
    /// and one small file. Removed on drop.
    struct Tree(std::path::PathBuf);

    impl Tree {
        fn new(tag: &str) -> Self {
            let root =
                std::env::temp_dir().join(format!("tern-cache-{}-{tag}", std::process::id()));
            for dir in ["a", "b"] {
                std::fs::create_dir_all(root.join(dir)).unwrap();
                for i in 0..20 {
                    std::fs::write(root.join(format!("{dir}/file-{i:02}.txt")), b"x").unwrap();
                }
            }
            std::fs::write(root.join("small.txt"), b"small").unwrap();
            Self(root)
        }

        fn cache(&self) -> FileCache {
            let options = FileOptions {
                ttl: Duration::from_secs(60),
                list_dirs: true,
                allow_hidden: false,
                precompressed: false,
                compress: false,
            };
            FileCache::new(open_root(&self.0).unwrap(), options)
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn listing_len(resolved: &Resolved) -> usize {
        match resolved {
            Resolved::Listing(listing) => listing.cached_len(),
            other => panic!("expected a listing, got {other:?}"),
        }
    }

    #[test]
    fn listings_are_cached_while_the_budget_has_room() {
        let tree = Tree::new("room");
        let mut cache = tree.cache();
        let now = Instant::now();
        let a = listing_len(&cache.lookup(b"a/", now));
        let b = listing_len(&cache.lookup(b"b/", now));
        assert!(a > 0 && b > 0);
        assert_eq!(cache.map.len(), 2);
        assert_eq!(cache.cached_bytes, a + b);
    }

    #[test]
    fn a_listing_past_the_budget_is_served_but_not_kept() {
        let tree = Tree::new("full");
        let mut cache = tree.cache();
        let now = Instant::now();
        let a = listing_len(&cache.lookup(b"a/", now));
        // Room for the first listing only.
        cache.budget = a + a / 2;
        for _ in 0..3 {
            assert!(listing_len(&cache.lookup(b"b/", now)) > 0);
            assert!(!cache.map.contains_key(&b"b/"[..]));
            assert_eq!(cache.cached_bytes, a);
        }
        // Files still go in (without their bytes once the budget is spent).
        cache.budget = a;
        assert!(matches!(cache.lookup(b"small.txt", now), Resolved::File(f) if f.data.is_none()));
        assert_eq!(cache.map.len(), 2);
        assert_eq!(cache.cached_bytes, a);
    }

    #[test]
    fn a_cached_listing_that_grows_past_the_budget_is_dropped() {
        let tree = Tree::new("grow");
        let mut cache = tree.cache();
        let start = Instant::now();
        let a = listing_len(&cache.lookup(b"a/", start));
        cache.budget = a + 8;
        for i in 20..40 {
            std::fs::write(tree.0.join(format!("a/file-{i:02}.txt")), b"x").unwrap();
        }
        // Past the TTL the entry is read again: twice as long, over budget.
        let later = start + Duration::from_secs(61);
        assert!(listing_len(&cache.lookup(b"a/", later)) > a);
        assert!(cache.map.is_empty());
        assert_eq!(cache.cached_bytes, 0);
    }
}
