//! What the server knows about one file it serves: the open descriptor, its
//! validators, its type, its cached content and its other representations
//! (precompressed siblings, or on-the-fly copies), and the `Content-Type`
//! table.

use std::cell::OnceCell;
use std::os::fd::OwnedFd;
use std::rc::Rc;

use rustix::fs;
use rustix::io::Errno;
use tern_proto::compose::PreparedHead;
use tern_proto::date::render_imf_fixdate;

use crate::semantics::conditional::Validators;
use crate::semantics::negotiate::Coding;

/// Smaller files gain too little from `--compress` to pay for a
/// `Content-Encoding` field.
pub(crate) const COMPRESS_MIN: u64 = 256;
/// Larger files are not encoded on the fly (the event loop would stall too
/// long).
pub(crate) const COMPRESS_MAX: u64 = 2 << 20;

/// Files up to this size are kept in memory and copied into the response
/// buffer right after the head (one `send` for the whole response).
pub(crate) const INLINE_MAX: u64 = 8 * 1024;

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
pub(crate) fn mtime_ns(st: &fs::Stat) -> i128 {
    let nsec = u32::try_from(st.st_mtime_nsec).unwrap_or(0);
    i128::from(st.st_mtime) * 1_000_000_000 + i128::from(nsec)
}

impl FileInfo {
    /// Whether `st` (of this entry's open file) still has the size and
    /// modification time the entry was made with.
    pub(crate) fn describes(&self, st: &fs::Stat) -> bool {
        u64::try_from(st.st_size).is_ok_and(|size| size == self.size)
            && st.st_mtime == self.mtime
            && u32::try_from(st.st_mtime_nsec).is_ok_and(|ns| ns == self.mtime_nsec)
    }

    pub(crate) fn same_version(&self, other: &Self) -> bool {
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

pub(crate) fn read_all(fd: &OwnedFd, size: u64) -> Result<Box<[u8]>, Errno> {
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

/// Whether a file of this type and size is worth encoding: text, and the
/// structured text types browsers fetch (scripts, JSON, XML, SVG, wasm).
pub(crate) fn compressible(content_type: &[u8], size: u64) -> bool {
    let mime = content_type
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    let textual = mime.starts_with(b"text/")
        || mime.ends_with(b"+json")
        || mime.ends_with(b"+xml")
        || [
            &b"application/javascript"[..],
            b"application/json",
            b"application/xml",
            b"application/wasm",
        ]
        .contains(&mime);
    textual && (COMPRESS_MIN..=COMPRESS_MAX).contains(&size)
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

    #[test]
    fn compressible_types_and_sizes() {
        for ct in [
            &b"text/html; charset=utf-8"[..],
            b"text/css; charset=utf-8",
            b"text/javascript; charset=utf-8",
            b"application/json",
            b"image/svg+xml",
            b"application/manifest+json",
            b"application/wasm",
        ] {
            assert!(compressible(ct, 1000), "{}", String::from_utf8_lossy(ct));
            assert!(!compressible(ct, COMPRESS_MIN - 1));
            assert!(!compressible(ct, COMPRESS_MAX + 1));
        }
        for ct in [
            &b"image/png"[..],
            b"application/gzip",
            b"video/mp4",
            b"application/octet-stream",
        ] {
            assert!(!compressible(ct, 1000), "{}", String::from_utf8_lossy(ct));
        }
    }
}
