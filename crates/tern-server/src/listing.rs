//! Directory listings (`--list-dirs`): a directory under ROOT without
//! `index.html` read once and rendered twice, as an HTML page and as JSON,
//! both cached by the file cache like small files.
//!
//! What is listed: directories, regular files, and symlinks to either whose
//! target stays beneath ROOT (resolved with the same kernel-enforced
//! `openat2(RESOLVE_BENEATH)` as every request, from ROOT, so a link the
//! server would refuse to follow is not shown). Not listed: `.` and `..`,
//! hidden names (a leading dot) unless `--hidden`, dangling links, links
//! that leave ROOT, and anything else (FIFOs, sockets, devices). At most
//! [`MAX_ENTRIES`] entries, the first ones `readdir` returns, with a note
//! when there were more.
//!
//! Order: directories first, then files, each sorted by the bytes of their
//! names (bytewise, so `B` before `a`, and no locale).
//!
//! Names are bytes and need not be UTF-8. Every `href` is the exact name
//! percent-encoded (all but RFC 3986 unreserved bytes), so any name links
//! to itself. Displayed text is the name decoded as UTF-8 with each invalid
//! sequence shown as U+FFFD, control characters shown as their Unicode
//! control pictures (U+2400 block) and other characters HTML forbids as
//! U+FFFD, then HTML-escaped. JSON carries the same lossy decoding as a
//! JSON string (controls escaped), plus an `href` member with the exact
//! bytes percent-encoded.
//!
//! Validators: the entity tag is a hash of the rendered bytes (each
//! representation its own), since a file growing changes the page but not
//! the directory's mtime; `Last-Modified` is the newest mtime among the
//! directory and its listed entries. Both responses carry `Vary: Accept`.

use std::fmt::Write as _;
use std::os::fd::OwnedFd;
use std::rc::Rc;

use rustix::fs::{self, AtFlags, FileType};
use rustix::io::Errno;

use crate::beneath::openat2_or_walk;
use crate::entry::FileInfo;

/// At most this many entries per listing.
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// What a request for a directory without `index.html` gets after its
/// status text when listings are off. No filesystem path in it.
pub(crate) const UNLISTED_HINT: &[u8] =
    b"This directory has no index.html; tern lists such directories with --list-dirs.\n";

/// The `Vary` value of both representations of a listing.
const VARY: &[u8] = b"Accept";
const TEXT_HTML: &[u8] = b"text/html; charset=utf-8";
const APPLICATION_JSON: &[u8] = b"application/json";

/// A directory's two representations, rendered from one read.
#[derive(Debug)]
pub(crate) struct Listing {
    /// The HTML page.
    pub(crate) html: Rc<FileInfo>,
    /// The same entries as JSON.
    pub(crate) json: Rc<FileInfo>,
}

impl Listing {
    /// Reads `dir` (open, at the normalized path `key` under `root`: empty
    /// for ROOT, else ending in `/`) and renders it. Fails only when the
    /// directory cannot be read at all, or for want of descriptors or
    /// memory (the caller maps the error to a status).
    pub(crate) fn read(
        root: &OwnedFd,
        dir: OwnedFd,
        dir_stat: &fs::Stat,
        key: &[u8],
        allow_hidden: bool,
        have_openat2: &mut bool,
    ) -> Result<Self, Errno> {
        let (mut entries, truncated) = read_entries(root, &dir, key, allow_hidden, have_openat2)?;
        sort(&mut entries);
        // The newest change the page shows: an entry added, removed or
        // renamed (the directory's mtime), or one modified (its own).
        let mut stat = *dir_stat;
        if let Some(newest) = entries.iter().map(|e| e.mtime).max()
            && newest > stat.st_mtime
        {
            stat.st_mtime = newest;
            stat.st_mtime_nsec = 0;
        }
        let mut html = Vec::with_capacity(2048 + entries.len() * 200);
        render_html(key, &entries, truncated, &mut html);
        let mut json = Vec::with_capacity(64 + entries.len() * 120);
        render_json(key, &entries, truncated, &mut json);
        let json_fd = rustix::io::fcntl_dupfd_cloexec(&dir, 0)?;
        Ok(Self {
            html: representation(dir, &stat, 'h', TEXT_HTML, html),
            json: representation(json_fd, &stat, 'j', APPLICATION_JSON, json),
        })
    }

    /// Bytes held in memory (for the cache's budget).
    pub(crate) fn cached_len(&self) -> usize {
        [&self.html, &self.json]
            .iter()
            .map(|f| f.data.as_ref().map_or(0, |d| d.len()))
            .sum()
    }
}

/// One cached representation: its bytes in memory (the descriptor is the
/// directory's and is never read), a strong tag from the bytes.
fn representation(
    fd: OwnedFd,
    stat: &fs::Stat,
    tag: char,
    content_type: &[u8],
    body: Vec<u8>,
) -> Rc<FileInfo> {
    let size = body.len() as u64;
    let etag = format!(
        "\"{tag}{:x}-{size:x}-{:016x}\"",
        stat.st_ino,
        fnv1a_64(&body)
    );
    let mut info = FileInfo::new(
        fd,
        stat,
        size,
        etag,
        content_type.into(),
        Some(body.into_boxed_slice()),
    );
    info.vary = Some(VARY);
    Rc::new(info)
}

/// FNV-1a, 64 bits: a stable hash of the rendered bytes for the entity tag
/// (not for security: the bytes are ours).
fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What an entry is, or what its symlink leads to. Directories sort first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Directory,
    File,
}

/// One listed entry.
#[derive(Debug, Clone)]
struct Entry {
    name: Vec<u8>,
    kind: Kind,
    /// Listed through a symlink (kind, size and mtime are its target's).
    symlink: bool,
    size: u64,
    /// Seconds since the epoch.
    mtime: i64,
}

/// The listable entries of `dir`, at most [`MAX_ENTRIES`], and whether
/// there were more.
fn read_entries(
    root: &OwnedFd,
    dir: &OwnedFd,
    key: &[u8],
    allow_hidden: bool,
    have_openat2: &mut bool,
) -> Result<(Vec<Entry>, bool), Errno> {
    let mut entries = Vec::new();
    let mut path = key.to_vec();
    for entry in fs::Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." || (name.starts_with(b".") && !allow_hidden) {
            continue;
        }
        let stat = match fs::statat(dir, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(e) if is_shortage(e) => return Err(e),
            // Gone since readdir, or not ours to look at: not listed.
            Err(_) => continue,
        };
        let (kind, symlink, stat) = match FileType::from_raw_mode(stat.st_mode) {
            FileType::Directory => (Kind::Directory, false, stat),
            FileType::RegularFile => (Kind::File, false, stat),
            FileType::Symlink => {
                path.truncate(key.len());
                path.extend_from_slice(name);
                let target = match openat2_or_walk(root, &path, have_openat2) {
                    Ok(fd) => fs::fstat(&fd)?,
                    Err(e) if is_shortage(e) => return Err(e),
                    // Dangling, looping, or leaving ROOT (EXDEV).
                    Err(_) => continue,
                };
                match FileType::from_raw_mode(target.st_mode) {
                    FileType::Directory => (Kind::Directory, true, target),
                    FileType::RegularFile => (Kind::File, true, target),
                    _ => continue,
                }
            }
            _ => continue,
        };
        if entries.len() == MAX_ENTRIES {
            return Ok((entries, true));
        }
        entries.push(Entry {
            name: name.to_vec(),
            kind,
            symlink,
            size: u64::try_from(stat.st_size).unwrap_or(0),
            mtime: stat.st_mtime,
        });
    }
    Ok((entries, false))
}

/// Directories first, then files, each by the bytes of their names.
fn sort(entries: &mut [Entry]) {
    entries.sort_unstable_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
}

/// A failure that says nothing about the entry, only that the server is
/// short of descriptors or memory now: the listing is not made (nor cached).
fn is_shortage(e: Errno) -> bool {
    e == Errno::MFILE || e == Errno::NFILE || e == Errno::NOMEM
}

const STYLE: &str = "\
body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#1d1d1f;background:#fff;max-width:64em;margin:0 auto;padding:1.5em 1em}
h1{font-size:1.25em;font-weight:600;margin:0 0 1em;overflow-wrap:anywhere}
h1 a{color:inherit}
table{border-collapse:collapse;width:100%}
th,td{padding:.35em .7em;text-align:left;white-space:nowrap;vertical-align:top}
th{font-weight:600;border-bottom:2px solid #d2d2d7}
tbody tr:nth-child(even){background:#f5f5f7}
tbody tr:hover{background:#e8f0fe}
td.name{white-space:normal;overflow-wrap:anywhere;width:100%}
.size{text-align:right;font-variant-numeric:tabular-nums}
td.time{font-variant-numeric:tabular-nums;color:#555}
a{color:#0058c4;text-decoration:none}
a:hover{text-decoration:underline}
a.link{font-style:italic}
p.note{margin:1em .7em;color:#a14600}
footer{margin:1.5em .7em 0;color:#888;font-size:.85em}
@media (prefers-color-scheme:dark){body{color:#e8e8ed;background:#161618}th{border-color:#3a3a3c}tbody tr:nth-child(even){background:#1f1f22}tbody tr:hover{background:#23304a}td.time{color:#aaa}a{color:#6aa9ff}p.note{color:#f0a050}}
";

/// The HTML page: valid HTML5, UTF-8, an inline style, no script and no
/// external resource.
fn render_html(key: &[u8], entries: &[Entry], truncated: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(
        b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
          <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Index of /",
    );
    push_html_text(out, key);
    out.extend_from_slice(b"</title>\n<style>\n");
    out.extend_from_slice(STYLE.as_bytes());
    out.extend_from_slice(b"</style>\n</head>\n<body>\n<h1>Index of ");
    push_breadcrumbs(out, key);
    out.extend_from_slice(
        b"</h1>\n<table>\n<thead><tr><th>Name</th><th class=\"size\">Size</th>\
          <th>Modified (UTC)</th></tr></thead>\n<tbody>\n",
    );
    if !key.is_empty() {
        out.extend_from_slice(
            b"<tr><td class=\"name\"><a href=\"../\">../</a></td>\
              <td class=\"size\"></td><td class=\"time\"></td></tr>\n",
        );
    }
    let mut scratch = String::new();
    for entry in entries {
        out.extend_from_slice(b"<tr><td class=\"name\"><a href=\"");
        push_href(out, entry);
        out.push(b'"');
        if entry.symlink {
            out.extend_from_slice(b" class=\"link\" title=\"symbolic link\"");
        }
        out.push(b'>');
        push_html_text(out, &entry.name);
        if entry.kind == Kind::Directory {
            out.push(b'/');
        }
        out.extend_from_slice(b"</a></td>");
        scratch.clear();
        match entry.kind {
            Kind::Directory => scratch.push_str("<td class=\"size\">-</td>"),
            Kind::File => {
                let size = entry.size;
                let _ = write!(
                    scratch,
                    "<td class=\"size\" data-bytes=\"{size}\" title=\"{size} bytes\">{}</td>",
                    HumanSize(size)
                );
            }
        }
        let time = CivilTime::from_unix(entry.mtime);
        let _ = writeln!(
            scratch,
            "<td class=\"time\"><time datetime=\"{}\">{}</time></td></tr>",
            time.rfc3339(),
            time.minutes()
        );
        out.extend_from_slice(scratch.as_bytes());
    }
    out.extend_from_slice(b"</tbody>\n</table>\n");
    if truncated {
        scratch.clear();
        let _ = writeln!(
            scratch,
            "<p class=\"note\">Only the first {MAX_ENTRIES} entries are listed; this directory has more.</p>"
        );
        out.extend_from_slice(scratch.as_bytes());
    }
    out.extend_from_slice(b"<footer>tern</footer>\n</body>\n</html>\n");
}

/// `/` then each segment of `key`, each linked to its directory by a
/// relative path (`../` per level up, `./` for this one), so the links hold
/// also behind a proxy that serves ROOT under a prefix.
fn push_breadcrumbs(out: &mut Vec<u8>, key: &[u8]) {
    let segments: Vec<&[u8]> = key
        .split(|&b| b == b'/')
        .filter(|s| !s.is_empty())
        .collect();
    let push_link = |out: &mut Vec<u8>, levels_up: usize| {
        out.extend_from_slice(b"<a href=\"");
        if levels_up == 0 {
            out.extend_from_slice(b"./");
        }
        for _ in 0..levels_up {
            out.extend_from_slice(b"../");
        }
        out.extend_from_slice(b"\">");
    };
    push_link(out, segments.len());
    out.extend_from_slice(b"/</a>");
    for (i, segment) in segments.iter().enumerate() {
        push_link(out, segments.len() - 1 - i);
        push_html_text(out, segment);
        out.extend_from_slice(b"</a>/");
    }
}

/// The entry's relative link: its name percent-encoded, `/` after a directory.
fn push_href(out: &mut Vec<u8>, entry: &Entry) {
    push_percent_encoded(out, &entry.name);
    if entry.kind == Kind::Directory {
        out.push(b'/');
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Every byte but RFC 3986 unreserved ones (`ALPHA / DIGIT / "-" / "." /
/// "_" / "~"`) as `%XX`: safe in a path segment and in an HTML attribute,
/// and exact for any bytes.
fn push_percent_encoded(out: &mut Vec<u8>, name: &[u8]) {
    for &b in name {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 15)],
            ]);
        }
    }
}

/// How a name's character is shown on the page: control characters (which
/// HTML forbids in text) as their control pictures, C1 controls and
/// noncharacters (also forbidden) as U+FFFD, the rest as itself.
fn displayed(c: char) -> char {
    match u32::from(c) {
        n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        0x80..=0x9f | 0xfdd0..=0xfdef => '\u{fffd}',
        n if n & 0xfffe == 0xfffe => '\u{fffd}',
        _ => c,
    }
}

/// Appends `name` as HTML text (also safe in a quoted attribute): decoded
/// as UTF-8 (U+FFFD for invalid bytes), each character [`displayed`], and
/// `&`, `<`, `>`, `"`, `'` escaped.
fn push_html_text(out: &mut Vec<u8>, name: &[u8]) {
    let mut utf8 = [0u8; 4];
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match displayed(c) {
                '&' => out.extend_from_slice(b"&amp;"),
                '<' => out.extend_from_slice(b"&lt;"),
                '>' => out.extend_from_slice(b"&gt;"),
                '"' => out.extend_from_slice(b"&quot;"),
                '\'' => out.extend_from_slice(b"&#39;"),
                c => out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes()),
            }
        }
        if !chunk.invalid().is_empty() {
            out.extend_from_slice("\u{fffd}".as_bytes());
        }
    }
}

/// The JSON document: `{"path":…,"entries":[…],"truncated":…}`, entries as
/// `{"name","href","type","symlink","size"(files only),"modified"}`. `type`
/// is `"directory"` or `"file"` (nginx's and static-web-server's words).
fn render_json(key: &[u8], entries: &[Entry], truncated: bool, out: &mut Vec<u8>) {
    let mut path = Vec::with_capacity(key.len() + 1);
    path.push(b'/');
    path.extend_from_slice(key);
    out.extend_from_slice(b"{\"path\":");
    push_json_string(out, &path);
    out.extend_from_slice(b",\"entries\":[");
    let mut scratch = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n{\"name\":");
        push_json_string(out, &entry.name);
        // The href is percent-encoded: ASCII with no `"` or `\`.
        out.extend_from_slice(b",\"href\":\"");
        push_href(out, entry);
        scratch.clear();
        let _ = match entry.kind {
            Kind::Directory => write!(scratch, "\",\"type\":\"directory\""),
            Kind::File => write!(scratch, "\",\"type\":\"file\",\"size\":{}", entry.size),
        };
        let _ = write!(
            scratch,
            ",\"symlink\":{},\"modified\":\"{}\"}}",
            entry.symlink,
            CivilTime::from_unix(entry.mtime).rfc3339()
        );
        out.extend_from_slice(scratch.as_bytes());
    }
    out.extend_from_slice(if truncated {
        b"],\"truncated\":true}\n"
    } else {
        b"],\"truncated\":false}\n"
    });
}

/// Appends `name` as a JSON string (RFC 8259 §7): decoded as UTF-8 with
/// U+FFFD for invalid bytes, `"` and `\` escaped, control characters as
/// `\u00XX` (or their short escapes).
fn push_json_string(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'"');
    for chunk in name.utf8_chunks() {
        for &b in chunk.valid().as_bytes() {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..=0x1f => out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX_UPPER[usize::from(b >> 4)],
                    HEX_UPPER[usize::from(b & 15)],
                ]),
                _ => out.push(b),
            }
        }
        if !chunk.invalid().is_empty() {
            out.extend_from_slice("\u{fffd}".as_bytes());
        }
    }
    out.push(b'"');
}

/// A size for people: bytes below 1 KiB, else one decimal in the largest
/// binary unit that keeps the value at least 1.
struct HumanSize(u64);

impl std::fmt::Display for HumanSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if self.0 < 1024 {
            return write!(f, "{} B", self.0);
        }
        let mut unit = 0;
        let mut scaled = 1024u64;
        while unit + 1 < UNITS.len() && self.0 / scaled >= 1024 {
            scaled *= 1024;
            unit += 1;
        }
        // Tenths, rounded half up, in integers (exact for any u64).
        let tenths = (u128::from(self.0) * 10 + u128::from(scaled) / 2) / u128::from(scaled);
        write!(f, "{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}

/// A UTC calendar time to the second, proleptic Gregorian, years 0 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CivilTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl CivilTime {
    /// From seconds since the epoch, clamped to years 0 to 9999.
    fn from_unix(secs: i64) -> Self {
        const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
        const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
        let secs = secs.clamp(MIN, MAX);
        let days = secs.div_euclid(86_400);
        let in_day = secs.rem_euclid(86_400) as u32;
        // Days to civil date: eras of 400 years counted from 0000-03-01
        // (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self {
            year,
            month,
            day,
            hour: in_day / 3600,
            minute: in_day / 60 % 60,
            second: in_day % 60,
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339).
    fn rfc3339(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `YYYY-MM-DD HH:MM`.
    fn minutes(self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use proptest::prelude::*;

    use super::*;
    use crate::beneath::open_root;

    fn html_text(name: &[u8]) -> String {
        let mut out = Vec::new();
        push_html_text(&mut out, name);
        String::from_utf8(out).expect("HTML text is UTF-8")
    }

    fn json_string(name: &[u8]) -> String {
        let mut out = Vec::new();
        push_json_string(&mut out, name);
        String::from_utf8(out).expect("a JSON string is UTF-8")
    }

    fn percent_encoded(name: &[u8]) -> String {
        let mut out = Vec::new();
        push_percent_encoded(&mut out, name);
        String::from_utf8(out).expect("percent-encoding is ASCII")
    }

    /// The five references `push_html_text` writes, decoded (test-only:
    /// an HTML parser would decode them the same way).
    fn html_unescape(text: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let (c, len) = [
                ('&', "&amp;"),
                ('<', "&lt;"),
                ('>', "&gt;"),
                ('"', "&quot;"),
                ('\'', "&#39;"),
            ]
            .into_iter()
            .find(|(_, r)| rest.starts_with(r))
            .map(|(c, r)| (c, r.len()))?;
            out.push(c);
            rest = &rest[len..];
        }
        out.push_str(rest);
        Some(out)
    }

    fn percent_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn a_name_with_markup_is_text() {
        assert_eq!(html_text(b"<b>&.txt"), "&lt;b&gt;&amp;.txt");
        assert_eq!(html_text(b"a\"b'c"), "a&quot;b&#39;c");
        assert_eq!(percent_encoded(b"<b>&.txt"), "%3Cb%3E%26.txt");
        assert_eq!(json_string(b"<b>&.txt"), "\"<b>&.txt\"");
    }

    #[test]
    fn awkward_names_link_exactly_and_show_readably() {
        assert_eq!(percent_encoded(b"a b%c#d?e"), "a%20b%25c%23d%3Fe");
        assert_eq!(percent_encoded(b"caf\xc3\xa9"), "caf%C3%A9");
        assert_eq!(percent_encoded(b"\xff\xfe.bin"), "%FF%FE.bin");
        assert_eq!(percent_encoded(b"A-z_0.9~"), "A-z_0.9~");
        assert_eq!(html_text(b"caf\xc3\xa9"), "caf\u{e9}");
        assert_eq!(html_text(b"\xff\xfe.bin"), "\u{fffd}\u{fffd}.bin");
        assert_eq!(html_text(b"tab\there\n"), "tab\u{2409}here\u{240a}");
        assert_eq!(html_text(b"del\x7f"), "del\u{2421}");
        assert_eq!(
            html_text("c1\u{85}nc\u{fdd0}\u{ffff}".as_bytes()),
            "c1\u{fffd}nc\u{fffd}\u{fffd}"
        );
        assert_eq!(
            json_string(b"q\"b\\n\n\x01\x7f"),
            "\"q\\\"b\\\\n\\n\\u0001\x7f\""
        );
        assert_eq!(json_string(b"\xff.bin"), "\"\u{fffd}.bin\"");
    }

    proptest! {
        /// Any name becomes HTML text that no parser can read as markup
        /// (no `<`, `>`, quote, and every `&` starts one of our references),
        /// with no character HTML forbids, that decodes to the name as shown.
        #[test]
        fn any_name_survives_html_escaping_as_text(name in proptest::collection::vec(any::<u8>(), 0..64)) {
            let text = html_text(&name);
            prop_assert!(!text.contains(['<', '>', '"', '\'']), "{text:?}");
            let decoded = html_unescape(&text);
            prop_assert!(decoded.is_some(), "stray & in {text:?}");
            let shown: String = String::from_utf8_lossy(&name).chars().map(displayed).collect();
            prop_assert_eq!(decoded.unwrap(), shown);
            for c in text.chars() {
                let n = u32::from(c);
                prop_assert!(n >= 0x20 && n != 0x7f && !(0x80..=0x9f).contains(&n), "{c:?}");
                prop_assert!(!(0xfdd0..=0xfdef).contains(&n) && n & 0xfffe != 0xfffe, "{c:?}");
            }
        }

        /// Any name becomes one valid JSON string (read back by serde_json,
        /// an independent parser) holding the name decoded lossily.
        #[test]
        fn any_name_survives_json_escaping(name in proptest::collection::vec(any::<u8>(), 0..64)) {
            let json = json_string(&name);
            let back: String = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{json:?}: {e}")))?;
            prop_assert_eq!(back, String::from_utf8_lossy(&name).into_owned());
        }

        /// Any name's href holds only unreserved bytes and `%XX`, and
        /// decodes to exactly the name.
        #[test]
        fn any_name_links_to_its_exact_bytes(name in proptest::collection::vec(any::<u8>(), 0..64)) {
            let href = percent_encoded(&name);
            prop_assert!(href.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)), "{href}");
            prop_assert_eq!(percent_decode(&href), name);
        }

        /// A whole JSON document of arbitrary entries parses, with every
        /// member as rendered.
        #[test]
        fn any_listing_renders_valid_json(
            names in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..24), 0..8),
            truncated in any::<bool>(),
            key in proptest::collection::vec(any::<u8>(), 0..16),
        ) {
            let entries: Vec<Entry> = names
                .iter()
                .enumerate()
                .map(|(i, name)| Entry {
                    name: name.clone(),
                    kind: if i % 2 == 0 { Kind::File } else { Kind::Directory },
                    symlink: i % 3 == 0,
                    size: (i as u64) << 40,
                    mtime: (i as i64 - 4) * 1_000_000_007,
                })
                .collect();
            let mut out = Vec::new();
            render_json(&key, &entries, truncated, &mut out);
            let doc: serde_json::Value = serde_json::from_slice(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&doc["truncated"], &serde_json::Value::Bool(truncated));
            let path = format!("/{}", String::from_utf8_lossy(&key));
            prop_assert_eq!(doc["path"].as_str(), Some(path.as_str()));
            let listed = doc["entries"].as_array().unwrap();
            prop_assert_eq!(listed.len(), entries.len());
            for (e, j) in entries.iter().zip(listed) {
                let name = String::from_utf8_lossy(&e.name);
                prop_assert_eq!(j["name"].as_str(), Some(&*name));
                let href = j["href"].as_str().unwrap();
                let want_type = if e.kind == Kind::File { "file" } else { "directory" };
                prop_assert_eq!(j["type"].as_str(), Some(want_type));
                let exact = percent_decode(href.strip_suffix('/').unwrap_or(href));
                prop_assert_eq!(&exact, &e.name);
                prop_assert_eq!(j["symlink"].as_bool(), Some(e.symlink));
                prop_assert_eq!(j["size"].as_u64(), (e.kind == Kind::File).then_some(e.size));
                let modified = CivilTime::from_unix(e.mtime).rfc3339();
                prop_assert_eq!(j["modified"].as_str(), Some(modified.as_str()));
            }
        }

        /// The calendar arithmetic agrees with httpdate on every second from
        /// 1970 to 9999.
        #[test]
        fn civil_time_agrees_with_httpdate(secs in 0i64..=253_402_300_799) {
            let t = CivilTime::from_unix(secs);
            let http = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs as u64));
            // "Sun, 06 Nov 1994 08:49:37 GMT"
            const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            let want = format!(
                "{:02} {} {:04} {:02}:{:02}:{:02}",
                t.day, MONTHS[t.month as usize - 1], t.year, t.hour, t.minute, t.second
            );
            prop_assert_eq!(&http[5..25], want.as_str());
        }
    }

    #[test]
    fn times_print_as_utc_minutes_and_rfc3339() {
        let t = CivilTime::from_unix(1_796_294_400);
        assert_eq!(t.minutes(), "2026-12-03 10:40");
        assert_eq!(t.rfc3339(), "2026-12-03T10:40:00Z");
        assert_eq!(CivilTime::from_unix(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(CivilTime::from_unix(-1).rfc3339(), "1969-12-31T23:59:59Z");
        assert_eq!(
            CivilTime::from_unix(951_782_400).minutes(),
            "2000-02-29 00:00"
        );
        assert_eq!(
            CivilTime::from_unix(-2_208_988_800).minutes(),
            "1900-01-01 00:00"
        );
        assert_eq!(
            CivilTime::from_unix(i64::MIN).rfc3339(),
            "0000-01-01T00:00:00Z"
        );
        assert_eq!(
            CivilTime::from_unix(i64::MAX).rfc3339(),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn sizes_print_for_people() {
        let s = |n| HumanSize(n).to_string();
        assert_eq!(s(0), "0 B");
        assert_eq!(s(1023), "1023 B");
        assert_eq!(s(1024), "1.0 KiB");
        assert_eq!(s(1536), "1.5 KiB");
        assert_eq!(s(10 * 1024 * 1024 - 1), "10.0 MiB");
        assert_eq!(s(3 << 30), "3.0 GiB");
        assert_eq!(s(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn json_only_when_preferred_to_html() {
        // The listing's choice, through the negotiation it uses.
        let prefers = |values: &[&str]| {
            crate::semantics::negotiate::prefers_json(values.iter().map(|v| v.as_bytes()))
        };
        assert!(!prefers(&[]));
        assert!(prefers(&["application/json"]));
        assert!(prefers(&["APPLICATION/JSON"]));
        assert!(prefers(&["application/*"]));
        assert!(prefers(&["application/json, text/html;q=0.9"]));
        assert!(prefers(&["text/html;q=0.5", "application/json"]));
        // A range with parameters names only representations with them
        // (RFC 9110 §12.5.1); the listing's JSON has none.
        assert!(!prefers(&[
            "application/json;charset=utf-8;q=0.8, */*;q=0.1"
        ]));
        assert!(prefers(&["application/json, text/*;q=0.5"]));
        assert!(prefers(&["*/*;q=0.2, application/json"]));
        // browsers: HTML named, JSON only through */*
        assert!(!prefers(&[
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ]));
        assert!(!prefers(&["*/*"]));
        assert!(!prefers(&["text/html, application/json"]));
        assert!(!prefers(&["application/json;q=0"]));
        assert!(!prefers(&["application/json;q=0.5, text/html"]));
        assert!(!prefers(&["application/jsonx, text/plain"]));
        // the most specific range decides, not the highest value
        assert!(!prefers(&[
            "application/*;q=1, application/json;q=0, text/html;q=0.1"
        ]));
        // a malformed q drops its range
        assert!(!prefers(&["application/json;q=2"]));
        assert!(!prefers(&["application/json;q=0.1234"]));
    }

    /// A directory under a ROOT, with what a listing shows and hides.
    struct Tree(std::path::PathBuf);

    impl Tree {
        fn new(tag: &str) -> Self {
            use std::os::unix::fs::symlink;
            let base =
                std::env::temp_dir().join(format!("tern-listing-{}-{tag}", std::process::id()));
            let _ = std::fs::remove_dir_all(&base);
            let dir = base.join("root/d");
            std::fs::create_dir_all(dir.join("zsub")).unwrap();
            std::fs::create_dir_all(dir.join("Asub")).unwrap();
            std::fs::write(base.join("outside.txt"), b"secret").unwrap();
            std::fs::write(base.join("root/top.txt"), b"top").unwrap();
            std::fs::write(dir.join("b.txt"), b"bb").unwrap();
            std::fs::write(dir.join("B.txt"), b"B").unwrap();
            std::fs::write(dir.join(".hidden"), b"h").unwrap();
            symlink("../top.txt", dir.join("link-in")).unwrap();
            symlink("zsub", dir.join("link-dir")).unwrap();
            symlink("../../outside.txt", dir.join("link-out")).unwrap();
            symlink(base.join("outside.txt"), dir.join("link-abs")).unwrap();
            symlink("missing", dir.join("dangling")).unwrap();
            fs::mknodat(
                fs::CWD,
                dir.join("fifo"),
                FileType::Fifo,
                fs::Mode::from_raw_mode(0o600),
                0,
            )
            .unwrap();
            let _ = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
            Self(base)
        }

        fn read(&self, allow_hidden: bool) -> (Vec<Entry>, bool, bool) {
            let root = open_root(&self.0.join("root")).unwrap();
            let dir = open_root(&self.0.join("root/d")).unwrap();
            let mut have_openat2 = true;
            let (mut entries, truncated) =
                read_entries(&root, &dir, b"d/", allow_hidden, &mut have_openat2).unwrap();
            sort(&mut entries);
            (entries, truncated, have_openat2)
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn names(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.name).into_owned())
            .collect()
    }

    #[test]
    fn directories_first_then_files_bytewise_and_only_what_stays_beneath_root() {
        let tree = Tree::new("order");
        let (entries, truncated, have_openat2) = tree.read(false);
        assert!(!truncated);
        if !have_openat2 {
            // Before Linux 5.6 no symlink is followed, so none is listed.
            assert_eq!(names(&entries), ["Asub", "zsub", "B.txt", "b.txt"]);
            return;
        }
        assert_eq!(
            names(&entries),
            ["Asub", "link-dir", "zsub", "B.txt", "b.txt", "link-in"]
        );
        let link_in = &entries[5];
        assert!(link_in.symlink && link_in.kind == Kind::File && link_in.size == 3);
        assert!(entries[1].symlink && entries[1].kind == Kind::Directory);
        assert!(!entries[4].symlink && entries[4].size == 2);
        let (entries, _, _) = tree.read(true);
        assert_eq!(names(&entries)[3], ".hidden");
    }

    #[test]
    fn at_most_max_entries_and_a_note_when_there_are_more() {
        let tree = Tree::new("many");
        let dir = tree.0.join("root/d");
        // 6 entries already listable; make it MAX_ENTRIES + 1 in all.
        for i in 0..MAX_ENTRIES - 5 {
            std::fs::write(dir.join(format!("f{i:05}")), b"").unwrap();
        }
        let (entries, truncated, _) = tree.read(false);
        assert_eq!(entries.len(), MAX_ENTRIES);
        assert!(truncated);
        let mut html = Vec::new();
        render_html(b"d/", &entries, truncated, &mut html);
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("Only the first 10000 entries are listed"));
        let mut json = Vec::new();
        render_json(b"d/", &entries, truncated, &mut json);
        assert!(json.ends_with(b"],\"truncated\":true}\n"));
    }

    #[test]
    fn the_page_has_a_parent_link_columns_and_no_script() {
        let entries = [
            Entry {
                name: b"sub".to_vec(),
                kind: Kind::Directory,
                symlink: false,
                size: 4096,
                mtime: 1_796_294_400,
            },
            Entry {
                name: b"<b>&.txt".to_vec(),
                kind: Kind::File,
                symlink: true,
                size: 1536,
                mtime: 0,
            },
        ];
        let mut html = Vec::new();
        render_html(b"a b/\xff/", &entries, false, &mut html);
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.starts_with(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
            )
        );
        assert!(
            html.contains("<title>Index of /a b/\u{fffd}/</title>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<h1>Index of <a href=\"../../\">/</a><a href=\"../\">a b</a>/\
                 <a href=\"./\">\u{fffd}</a>/</h1>"
            ),
            "{html}"
        );
        assert!(html.contains("<a href=\"../\">../</a>"));
        assert!(html.contains("<a href=\"sub/\">sub/</a></td><td class=\"size\">-</td><td class=\"time\"><time datetime=\"2026-12-03T10:40:00Z\">2026-12-03 10:40</time>"), "{html}");
        assert!(html.contains("<a href=\"%3Cb%3E%26.txt\" class=\"link\" title=\"symbolic link\">&lt;b&gt;&amp;.txt</a></td><td class=\"size\" data-bytes=\"1536\" title=\"1536 bytes\">1.5 KiB</td>"), "{html}");
        assert!(!html.contains("Only the first"));
        assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("url("));
        assert!(html.find("sub/").unwrap() < html.find("&lt;b&gt;").unwrap());
        let mut root = Vec::new();
        render_html(b"", &entries, false, &mut root);
        let root = String::from_utf8(root).unwrap();
        assert!(!root.contains("href=\"../\""));
        assert!(root.contains("<title>Index of /</title>"));
        assert!(root.contains("<h1>Index of <a href=\"./\">/</a></h1>"));
    }

    #[test]
    fn representations_differ_in_tag_and_type_and_vary_on_accept() {
        let tree = Tree::new("reps");
        let root = open_root(&tree.0.join("root")).unwrap();
        let dir = open_root(&tree.0.join("root/d")).unwrap();
        let st = fs::fstat(&dir).unwrap();
        let mut have_openat2 = true;
        let listing = Listing::read(&root, dir, &st, b"d/", false, &mut have_openat2).unwrap();
        assert_eq!(&*listing.html.content_type, TEXT_HTML);
        assert_eq!(&*listing.json.content_type, APPLICATION_JSON);
        assert_ne!(listing.html.etag, listing.json.etag);
        assert_eq!(listing.html.vary, Some(&b"Accept"[..]));
        assert_eq!(listing.json.vary, Some(&b"Accept"[..]));
        assert_eq!(
            listing.cached_len() as u64,
            listing.html.size + listing.json.size
        );
        // Last-Modified: the newest of the directory and what it lists.
        let newest = std::fs::metadata(tree.0.join("root/d/b.txt"))
            .unwrap()
            .modified()
            .unwrap();
        let newest = newest.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!(listing.html.mtime >= newest.max(st.st_mtime));
        // Same bytes, same tag; a file growing changes it.
        let again = |have: &mut bool| {
            let dir = open_root(&tree.0.join("root/d")).unwrap();
            let st = fs::fstat(&dir).unwrap();
            Listing::read(&root, dir, &st, b"d/", false, have).unwrap()
        };
        assert_eq!(again(&mut have_openat2).html.etag, listing.html.etag);
        std::fs::write(tree.0.join("root/d/b.txt"), b"grown").unwrap();
        let grown = again(&mut have_openat2);
        assert_ne!(grown.html.etag, listing.html.etag);
        assert_ne!(grown.json.etag, listing.json.etag);
    }
}
