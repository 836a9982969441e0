//! HTTP semantics of a static file server: from a parsed request to a
//! response plan (method, path, conditionals, ranges), and from a plan to
//! bytes in the connection's output buffer.
//!
//! Planning happens while the request still borrows the input buffer; the
//! plan owns everything it needs (an `Rc` of the cached file, spans), so the
//! response can be written once the request is complete.

use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tern_proto::compose::{Body, ComposeError, PreparedHead, ResponseHead};
use tern_proto::date::RenderedDate;
use tern_proto::{Method, Request, Version};

use crate::files::{FileCache, FileInfo, Resolved};
use crate::path::{self, PathError};
use crate::range::{self, Ranges, Span};

/// The `Allow` value for 405 and OPTIONS.
const ALLOW: &[u8] = b"GET, HEAD, OPTIONS";
/// The `Server` value.
const SERVER: &[u8] = b"tern";
const TEXT_PLAIN: &[u8] = b"text/plain; charset=utf-8";

/// Everything a response needs, owned.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The status code.
    pub(crate) status: u16,
    /// The request's version (the status line echoes it).
    pub(crate) version: Version,
    /// The connection persists after this response.
    pub(crate) keep_alive: bool,
    /// A HEAD request: no body.
    pub(crate) head_request: bool,
    /// What to send.
    pub(crate) kind: Kind,
}

/// The kinds of response.
#[derive(Debug)]
pub(crate) enum Kind {
    /// 200 or 206 with the file (or parts of it).
    File(Rc<FileInfo>, Selection),
    /// 304: validators only.
    NotModified(Rc<FileInfo>),
    /// 416 with `Content-Range: bytes */LEN`.
    Unsatisfiable(u64),
    /// 301 to this location.
    Redirect(Box<[u8]>),
    /// 204 with `Allow`, or 405 with `Allow` and a short body.
    Allow,
    /// A short text body with the status.
    Error,
}

/// Which bytes of a file.
#[derive(Debug, Clone)]
pub(crate) enum Selection {
    /// All of it (200).
    Full,
    /// One range (206).
    Single(Span),
    /// Several ranges (206 `multipart/byteranges`).
    Multi(Vec<Span>),
}

/// The per-thread state planning needs.
#[derive(Debug)]
pub(crate) struct Planner {
    /// The open-file cache.
    pub(crate) files: FileCache,
    /// Serve dot files.
    pub(crate) allow_hidden: bool,
    /// Reused buffer for the decoded path.
    pub(crate) scratch: Vec<u8>,
}

/// The conditional and range header fields of a request.
#[derive(Default)]
struct Conditions<'a> {
    if_match: Option<TagLists<'a>>,
    if_none_match: Option<TagLists<'a>>,
    if_modified_since: Option<&'a [u8]>,
    if_unmodified_since: Option<&'a [u8]>,
    range: Option<&'a [u8]>,
    if_range: Option<&'a [u8]>,
    ranges_seen: u8,
}

impl Planner {
    /// Decides the response to `req`. `keep_alive` is the server's choice
    /// (false while shutting down).
    pub(crate) fn plan(&mut self, req: &Request<'_>, keep_alive: bool, now: Instant) -> Plan {
        let version = req.version();
        let mut plan = Plan {
            status: 200,
            version,
            keep_alive: keep_alive && req.keep_alive(),
            head_request: req.method() == Method::Head,
            kind: Kind::Error,
        };
        match req.method() {
            Method::Get | Method::Head => {}
            Method::Options => {
                plan.status = 204;
                plan.kind = Kind::Allow;
                return plan;
            }
            // RFC 9110 §9.1: 501 for a method the server does not recognise,
            // 405 with `Allow` for a known one it does not allow here.
            Method::Extension => {
                plan.status = 501;
                return plan;
            }
            _ => {
                plan.status = 405;
                plan.kind = Kind::Allow;
                return plan;
            }
        }
        let target = req.target();
        let norm = match path::normalize(target, self.allow_hidden, &mut self.scratch) {
            Ok(n) => n,
            Err(PathError::BadRequest) => {
                plan.status = 400;
                plan.keep_alive = false;
                return plan;
            }
            Err(PathError::Hidden) => {
                plan.status = 404;
                return plan;
            }
        };
        let file = match self.files.lookup(&self.scratch, now) {
            Resolved::File(f) => f,
            Resolved::Directory => {
                let loc = path::directory_location(&self.scratch, norm.query);
                plan.status = 301;
                plan.kind = Kind::Redirect(loc.into_boxed_slice());
                return plan;
            }
            Resolved::NotFound => {
                plan.status = 404;
                return plan;
            }
            Resolved::Forbidden => {
                plan.status = 403;
                return plan;
            }
        };
        let cond = conditions(req);
        if let Some(status) = preconditions(&cond, &file) {
            plan.status = status;
            plan.kind = if status == 304 {
                Kind::NotModified(file)
            } else {
                Kind::Error
            };
            return plan;
        }
        let mut selection = Selection::Full;
        if req.method() == Method::Get
            && cond.ranges_seen == 1
            && let Some(value) = cond.range
            && cond.if_range.is_none_or(|v| if_range_holds(v, &file))
        {
            match range::parse(value, file.size) {
                Ranges::Full => {}
                Ranges::Single(s) => selection = Selection::Single(s),
                Ranges::Multi(v) => selection = Selection::Multi(v),
                Ranges::Unsatisfiable => {
                    plan.status = 416;
                    plan.kind = Kind::Unsatisfiable(file.size);
                    return plan;
                }
            }
        }
        plan.status = if matches!(selection, Selection::Full) {
            200
        } else {
            206
        };
        plan.kind = Kind::File(file, selection);
        plan
    }
}

/// A plan for a request the parser refused (or the server cannot take).
pub(crate) fn error_plan(status: u16) -> Plan {
    Plan {
        status,
        version: Version::Http11,
        keep_alive: false,
        head_request: false,
        kind: Kind::Error,
    }
}

fn conditions<'a>(req: &Request<'a>) -> Conditions<'a> {
    let mut c = Conditions::default();
    for f in req.headers() {
        let n = f.name;
        if n.len() < 5 {
            continue;
        }
        if n.eq_ignore_ascii_case(b"range") {
            c.range = Some(f.value);
            c.ranges_seen = c.ranges_seen.saturating_add(1);
        } else if n.eq_ignore_ascii_case(b"if-none-match") {
            c.if_none_match.get_or_insert_default().push(f.value);
        } else if n.eq_ignore_ascii_case(b"if-match") {
            c.if_match.get_or_insert_default().push(f.value);
        } else if n.eq_ignore_ascii_case(b"if-modified-since") {
            c.if_modified_since.get_or_insert(f.value);
        } else if n.eq_ignore_ascii_case(b"if-unmodified-since") {
            c.if_unmodified_since.get_or_insert(f.value);
        } else if n.eq_ignore_ascii_case(b"if-range") {
            c.if_range.get_or_insert(f.value);
        }
    }
    c
}

/// The lines of a list field (`If-Match`, `If-None-Match`), which may be
/// repeated (RFC 9110 §5.3); up to four lines are kept.
#[derive(Default)]
struct TagLists<'a> {
    lines: [&'a [u8]; 4],
    n: usize,
}

impl<'a> TagLists<'a> {
    fn push(&mut self, line: &'a [u8]) {
        if self.n < self.lines.len() {
            self.lines[self.n] = line;
            self.n += 1;
        }
    }

    /// `*`, or a listed tag equal to `etag` under the given comparison.
    fn matches(&self, etag: &[u8], strong: bool) -> bool {
        self.lines[..self.n]
            .iter()
            .any(|l| l.trim_ascii() == b"*" || tag_list_has(l, etag, strong))
    }
}

/// RFC 9110 §13.2.2: the order in which preconditions are evaluated.
/// Returns the status that replaces the normal response, if any.
fn preconditions(c: &Conditions<'_>, file: &FileInfo) -> Option<u16> {
    // 1. If-Match (strong comparison)
    if let Some(v) = &c.if_match {
        if !v.matches(&file.etag, true) {
            return Some(412);
        }
    } else if let Some(v) = c.if_unmodified_since {
        // 2. If-Unmodified-Since (only without If-Match; invalid dates ignored)
        if let Some(t) = http_date(v)
            && file.mtime > t
        {
            return Some(412);
        }
    }
    // 3. If-None-Match (weak comparison) -> 304 for GET/HEAD (the only methods here)
    if let Some(v) = &c.if_none_match {
        if v.matches(&file.etag, false) {
            return Some(304);
        }
    } else if let Some(v) = c.if_modified_since {
        // 4. If-Modified-Since (only without If-None-Match)
        if v == file.last_modified.as_slice() {
            return Some(304);
        }
        if let Some(t) = http_date(v)
            && file.mtime <= t
        {
            return Some(304);
        }
    }
    None
}

/// `If-Range` (RFC 9110 §13.1.5): an entity-tag must match strongly, a date
/// must equal the `Last-Modified` exactly.
fn if_range_holds(v: &[u8], file: &FileInfo) -> bool {
    let v = v.trim_ascii();
    if v.starts_with(b"\"") {
        v == &*file.etag
    } else if v.starts_with(b"W/") {
        false
    } else {
        v == file.last_modified.as_slice() || http_date(v).is_some_and(|t| t == file.mtime)
    }
}

/// Whether a comma-separated list of entity-tags contains `etag` (strong: no
/// weak tag matches; weak: the `W/` prefix is ignored).
fn tag_list_has(list: &[u8], etag: &[u8], strong: bool) -> bool {
    list.split(|&b| b == b',').any(|t| {
        let t = t.trim_ascii();
        match t.strip_prefix(b"W/") {
            Some(opaque) => !strong && opaque == etag,
            None => t == etag,
        }
    })
}

/// An HTTP-date (all three formats of RFC 9110 §5.6.7) as seconds.
fn http_date(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v.trim_ascii()).ok()?;
    let t = httpdate::parse_http_date(s).ok()?;
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// Seconds since the epoch now.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Why a response could not be written yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoRoom {
    /// The output buffer must be flushed first.
    Flush,
    /// The head cannot be composed at all (the composer refused a field):
    /// answer with a plain error instead.
    Invalid,
}

/// Where a response goes: the free part of the output buffer, then optionally
/// a file range to `sendfile` after it.
pub(crate) struct Sink<'b> {
    /// The output buffer.
    pub(crate) buf: &'b mut [u8],
    /// Bytes of `buf` already filled.
    pub(crate) len: usize,
}

/// A file body to send after the buffered bytes.
#[derive(Debug)]
pub(crate) struct FileBody {
    /// The file.
    pub(crate) file: Rc<FileInfo>,
    /// Next offset to send.
    pub(crate) offset: u64,
    /// End of the current span.
    pub(crate) end: u64,
    /// Remaining parts of a multipart body (reversed: next part last).
    pub(crate) parts: Vec<Span>,
    /// A multipart body: the parts still need their headers and a closing delimiter.
    pub(crate) multipart: bool,
}

/// What writing a response produced.
#[derive(Debug)]
pub(crate) struct Written {
    /// A body to send from the file after the buffered bytes.
    pub(crate) file: Option<FileBody>,
}

/// Writes the response for `plan` into `sink` (head, and the body when it is
/// small and cached), or says the buffer must be flushed first (nothing
/// written then).
pub(crate) fn write_response(
    plan: &Plan,
    sink: &mut Sink<'_>,
    date: &RenderedDate,
    boundary: &[u8],
) -> Result<Written, NoRoom> {
    if let Kind::File(file, Selection::Full) = &plan.kind
        && plan.status == 200
        && plan.version == Version::Http11
        && !plan.head_request
        && let Some(prepared) = &file.full_head
    {
        return write_full_file(plan.keep_alive, file, prepared, sink, date);
    }
    let mut cr_buf = [0u8; 64];
    let mut ct_buf = [0u8; 128];
    let mut fields = FieldList::default();
    let mut body = Body::None;
    let mut inline: &[&[u8]] = &[];
    let inline_parts: [&[u8]; 1];
    let mut file_body = None;
    let status = plan.status;
    match &plan.kind {
        Kind::File(file, sel) => {
            fields.push((b"Server", SERVER));
            fields.push((b"Last-Modified", &file.last_modified));
            fields.push((b"ETag", &file.etag));
            fields.push((b"Accept-Ranges", b"bytes"));
            match sel {
                Selection::Full | Selection::Single(_) => {
                    let span = match sel {
                        Selection::Single(s) => {
                            let len = content_range(&mut cr_buf, *s, file.size);
                            fields.push((b"Content-Range", &cr_buf[..len]));
                            *s
                        }
                        _ => Span {
                            start: 0,
                            end: file.size,
                        },
                    };
                    fields.push((b"Content-Type", &file.content_type));
                    body = Body::Length(span.len());
                    if !plan.head_request && span.len() > 0 {
                        file_body = Some(FileBody {
                            file: Rc::clone(file),
                            offset: span.start,
                            end: span.end,
                            parts: Vec::new(),
                            multipart: false,
                        });
                    }
                }
                Selection::Multi(spans) => {
                    let prefix = b"multipart/byteranges; boundary=";
                    ct_buf[..prefix.len()].copy_from_slice(prefix);
                    ct_buf[prefix.len()..prefix.len() + boundary.len()].copy_from_slice(boundary);
                    fields.push((b"Content-Type", &ct_buf[..prefix.len() + boundary.len()]));
                    let total =
                        range::multipart_len(boundary, &file.content_type, spans, file.size);
                    body = Body::Length(total);
                    if !plan.head_request {
                        let mut parts = spans.clone();
                        parts.reverse();
                        file_body = Some(FileBody {
                            file: Rc::clone(file),
                            offset: 0,
                            end: 0,
                            parts,
                            multipart: true,
                        });
                    }
                }
            }
        }
        Kind::NotModified(file) => {
            fields.push((b"Server", SERVER));
            fields.push((b"Last-Modified", &file.last_modified));
            fields.push((b"ETag", &file.etag));
        }
        Kind::Unsatisfiable(len) => {
            let l = {
                let mut v = Vec::with_capacity(32);
                v.extend_from_slice(b"bytes */");
                range::push_u64(&mut v, *len);
                cr_buf[..v.len()].copy_from_slice(&v);
                v.len()
            };
            fields.push((b"Server", SERVER));
            fields.push((b"Content-Range", &cr_buf[..l]));
            fields.push((b"Content-Type", TEXT_PLAIN));
            let text = error_text(status);
            body = Body::Length(text.len() as u64);
            inline_parts = [text];
            if !plan.head_request {
                inline = &inline_parts;
            }
        }
        Kind::Redirect(location) => {
            fields.push((b"Server", SERVER));
            fields.push((b"Location", location));
            fields.push((b"Content-Type", TEXT_PLAIN));
            let text = error_text(status);
            body = Body::Length(text.len() as u64);
            inline_parts = [text];
            if !plan.head_request {
                inline = &inline_parts;
            }
        }
        Kind::Allow => {
            fields.push((b"Server", SERVER));
            fields.push((b"Allow", ALLOW));
            if status != 204 {
                fields.push((b"Content-Type", TEXT_PLAIN));
                let text = error_text(status);
                body = Body::Length(text.len() as u64);
                inline_parts = [text];
                if !plan.head_request {
                    inline = &inline_parts;
                }
            }
        }
        Kind::Error => {
            fields.push((b"Server", SERVER));
            fields.push((b"Content-Type", TEXT_PLAIN));
            let text = error_text(status);
            body = Body::Length(text.len() as u64);
            inline_parts = [text];
            if !plan.head_request {
                inline = &inline_parts;
            }
        }
    }
    let mut head = ResponseHead::new(status, plan.version);
    head.body = body;
    head.keep_alive = plan.keep_alive;
    head.head_request = plan.head_request;
    head.date = Some(date.imf_fixdate());
    head.fields = fields.as_slice();
    let head_len = head.encoded_len().map_err(|e| match e {
        ComposeError::InsufficientSize { .. } => NoRoom::Flush,
        _ => NoRoom::Invalid,
    })?;
    let free = sink.buf.len() - sink.len;
    // A cached body small enough goes into the buffer right after the head
    // (one send); anything else is sent after it, from memory or by sendfile.
    let cached_file = match &file_body {
        Some(fb) if !fb.multipart && fb.file.data.is_some() => {
            Some((Rc::clone(&fb.file), fb.offset as usize, fb.end as usize))
        }
        _ => None,
    };
    let mut cached: &[u8] = &[];
    if let Some((file, start, end)) = &cached_file
        && let Some(data) = &file.data
        && head_len + (end - start) <= free
    {
        cached = &data[*start..*end];
    }
    let inline_len: usize = inline.iter().map(|p| p.len()).sum::<usize>() + cached.len();
    if head_len + inline_len > free {
        return Err(NoRoom::Flush);
    }
    let cached_parts: [&[u8]; 1];
    if !cached.is_empty() {
        file_body = None;
        cached_parts = [cached];
        inline = &cached_parts;
    }
    // A multipart body over cached content that fits goes out with the head too.
    let multi_len = match (&file_body, body) {
        (Some(fb), Body::Length(total)) if fb.multipart && fb.file.data.is_some() => {
            Some(total as usize).filter(|t| head_len + t <= free)
        }
        _ => None,
    };
    let composed = head
        .compose(&mut sink.buf[sink.len..])
        .map_err(|_| NoRoom::Flush)?;
    sink.len += composed.len;
    for part in inline {
        sink.buf[sink.len..sink.len + part.len()].copy_from_slice(part);
        sink.len += part.len();
    }
    if let Some(total) = multi_len
        && let Some(fb) = file_body.take()
    {
        let start = sink.len;
        let data = fb.file.data.as_deref().unwrap_or_default();
        let mut part = Vec::with_capacity(160);
        for span in fb.parts.iter().rev() {
            part.clear();
            range::part_head(
                &mut part,
                boundary,
                &fb.file.content_type,
                *span,
                fb.file.size,
            );
            part.extend_from_slice(&data[span.start as usize..span.end as usize]);
            sink.buf[sink.len..sink.len + part.len()].copy_from_slice(&part);
            sink.len += part.len();
        }
        part.clear();
        range::closing(&mut part, boundary);
        sink.buf[sink.len..sink.len + part.len()].copy_from_slice(&part);
        sink.len += part.len();
        debug_assert_eq!(sink.len - start, total);
    }
    Ok(Written { file: file_body })
}

/// The head of a `200` with a whole file for an HTTP/1.1 GET: the fields
/// [`write_response`] sends for [`Selection::Full`], in its order, prepared
/// once when the file enters the cache. `None` if the fields cannot be sent
/// (never for the values the file cache makes).
pub(crate) fn prepare_full_head(
    size: u64,
    last_modified: &[u8; 29],
    etag: &[u8],
    content_type: &[u8],
) -> Option<PreparedHead> {
    let fields: [(&[u8], &[u8]); 5] = [
        (b"Server", SERVER),
        (b"Last-Modified", last_modified),
        (b"ETag", etag),
        (b"Accept-Ranges", b"bytes"),
        (b"Content-Type", content_type),
    ];
    let mut head = ResponseHead::new(200, Version::Http11);
    head.body = Body::Length(size);
    head.fields = &fields;
    head.prepare().ok()
}

/// [`write_response`] for a whole file with its prepared head: one copy of
/// the head, then the content when it is cached and fits, else a file body.
fn write_full_file(
    keep_alive: bool,
    file: &Rc<FileInfo>,
    prepared: &PreparedHead,
    sink: &mut Sink<'_>,
    date: &RenderedDate,
) -> Result<Written, NoRoom> {
    let out = &mut sink.buf[sink.len..];
    let head_len = prepared.encoded_len(keep_alive);
    let inline = file
        .data
        .as_deref()
        .filter(|data| head_len + data.len() <= out.len());
    let composed = prepared
        .compose(date, keep_alive, out)
        .map_err(|_| NoRoom::Flush)?;
    sink.len += composed.len;
    if let Some(data) = inline {
        sink.buf[sink.len..sink.len + data.len()].copy_from_slice(data);
        sink.len += data.len();
        return Ok(Written { file: None });
    }
    let body = (file.size > 0).then(|| FileBody {
        file: Rc::clone(file),
        offset: 0,
        end: file.size,
        parts: Vec::new(),
        multipart: false,
    });
    Ok(Written { file: body })
}

/// `bytes A-B/LEN` into `out`, returning its length.
fn content_range(out: &mut [u8; 64], s: Span, len: u64) -> usize {
    let mut v = Vec::with_capacity(64);
    v.extend_from_slice(b"bytes ");
    range::push_u64(&mut v, s.start);
    v.push(b'-');
    range::push_u64(&mut v, s.end - 1);
    v.push(b'/');
    range::push_u64(&mut v, len);
    out[..v.len()].copy_from_slice(&v);
    v.len()
}

/// The short body of an error (or redirect) response.
pub(crate) fn error_text(status: u16) -> &'static [u8] {
    match status {
        301 => b"301 Moved Permanently\n",
        400 => b"400 Bad Request\n",
        403 => b"403 Forbidden\n",
        404 => b"404 Not Found\n",
        405 => b"405 Method Not Allowed\n",
        408 => b"408 Request Timeout\n",
        412 => b"412 Precondition Failed\n",
        413 => b"413 Content Too Large\n",
        414 => b"414 URI Too Long\n",
        416 => b"416 Range Not Satisfiable\n",
        417 => b"417 Expectation Failed\n",
        431 => b"431 Request Header Fields Too Large\n",
        501 => b"501 Not Implemented\n",
        503 => b"503 Service Unavailable\n",
        505 => b"505 HTTP Version Not Supported\n",
        _ => b"500 Internal Server Error\n",
    }
}

/// The fields of one response head, at most eight, on the stack.
#[derive(Default)]
struct FieldList<'a> {
    items: [(&'a [u8], &'a [u8]); 8],
    len: usize,
}

impl<'a> FieldList<'a> {
    fn push(&mut self, field: (&'a [u8], &'a [u8])) {
        self.items[self.len] = field;
        self.len += 1;
    }

    fn as_slice(&self) -> &[(&'a [u8], &'a [u8])] {
        &self.items[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists() {
        let tag = b"\"abc\"";
        assert!(tag_list_has(b"\"x\", \"abc\"", tag, true));
        assert!(tag_list_has(b"W/\"abc\"", tag, false));
        assert!(!tag_list_has(b"W/\"abc\"", tag, true));
        assert!(!tag_list_has(b"\"abcd\"", tag, false));
    }

    /// The prepared head of a whole file writes what the general path
    /// writes, for a cached and an uncached file, kept alive or not.
    #[test]
    fn prepared_full_head_equals_the_general_path() {
        let path = std::env::temp_dir().join(format!("tern-unit-{}.html", std::process::id()));
        std::fs::write(&path, b"<p>hello</p>\n").unwrap();
        let open = || {
            let fd = rustix::fs::open(&path, rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty())
                .unwrap();
            let st = rustix::fs::fstat(&fd).unwrap();
            (fd, st)
        };
        let date = RenderedDate::new(784_111_777);
        for cached in [false, true] {
            for keep_alive in [false, true] {
                let mut outputs = Vec::new();
                for prepared in [true, false] {
                    let (fd, st) = open();
                    let data = cached.then(|| b"<p>hello</p>\n".to_vec().into_boxed_slice());
                    let etag = String::from("\"1-d-2\"");
                    let mut file = FileInfo::new(fd, &st, 13, etag, TEXT_HTML.into(), data);
                    assert!(file.full_head.is_some());
                    if !prepared {
                        file.full_head = None;
                    }
                    let file = Rc::new(file);
                    let plan = Plan {
                        status: 200,
                        version: Version::Http11,
                        keep_alive,
                        head_request: false,
                        kind: Kind::File(Rc::clone(&file), Selection::Full),
                    };
                    let mut buf = vec![0u8; 4096];
                    let mut sink = Sink {
                        buf: &mut buf,
                        len: 0,
                    };
                    let written = write_response(&plan, &mut sink, &date, b"b").unwrap();
                    let len = sink.len;
                    let body = written.file.map(|b| (b.offset, b.end, b.multipart));
                    outputs.push((buf[..len].to_vec(), body));
                }
                assert_eq!(
                    outputs[0], outputs[1],
                    "cached {cached}, keep-alive {keep_alive}"
                );
                let head = String::from_utf8_lossy(&outputs[0].0);
                assert!(
                    head.starts_with("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
                );
                assert_eq!(head.contains("Connection: close\r\n"), !keep_alive);
                assert_eq!(outputs[0].1.is_none(), cached);
            }
        }
        std::fs::remove_file(&path).unwrap();
    }

    const TEXT_HTML: &[u8] = b"text/html; charset=utf-8";

    #[test]
    fn dates() {
        assert_eq!(
            http_date(b"Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date(b"Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(http_date(b"Sun Nov  6 08:49:37 1994"), Some(784_111_777));
        assert_eq!(http_date(b"yesterday"), None);
    }
}
