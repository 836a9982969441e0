//! Plan → bytes: the response head composed into the connection's output
//! buffer, then the body: copied right after the head when it is short or
//! cached (one `send` for the whole response), or described as a
//! [`FileBody`] the connection sends with `sendfile`.
//!
//! One compose path: every response starts with `Server`, adds the fields
//! of its kind, and a response with a status text adds its `Content-Type`.
//! A whole file to an HTTP/1.1 GET uses the head prepared once per cached
//! file (one copy and the date).

use std::rc::Rc;

use tern_proto::compose::{Body, ComposeError, PreparedHead, ResponseHead};
use tern_proto::date::RenderedDate;
use tern_proto::{Field, Version};

use crate::entry::FileInfo;
use crate::multipart::{self, Parts};
use crate::plan::{Kind, Plan, Selection};
use crate::rules::{self, HeaderRules};
use crate::semantics::range::Span;

/// The `Allow` value for 405 and OPTIONS.
const ALLOW: &[u8] = b"GET, HEAD, OPTIONS";
/// The methods a CORS preflight is told about.
const CORS_METHODS: &[u8] = b"GET, HEAD";
/// How long a browser may cache a preflight's answer (a day; browsers cap
/// it lower).
const CORS_MAX_AGE: &[u8] = b"86400";
/// The `Server` value.
const SERVER: &[u8] = b"tern";
const TEXT_PLAIN: &[u8] = b"text/plain; charset=utf-8";

/// Why a response could not be written yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoRoom {
    /// The output buffer must be flushed first.
    Flush,
    /// The head cannot be composed at all (the composer refused a field):
    /// answer with a plain error instead.
    Invalid,
}

/// The free part of the output buffer.
pub(crate) struct Output<'b> {
    /// The output buffer.
    pub(crate) buf: &'b mut [u8],
    /// Bytes of `buf` already filled.
    pub(crate) len: usize,
}

impl Output<'_> {
    fn free(&self) -> usize {
        self.buf.len() - self.len
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// A file body the connection sends after the buffered bytes.
#[derive(Debug)]
pub(crate) struct FileBody {
    /// The file.
    pub(crate) file: Rc<FileInfo>,
    /// Next offset to send.
    pub(crate) offset: u64,
    /// End of the current span.
    pub(crate) end: u64,
    /// The parts of a multipart body (their headers come from here).
    pub(crate) parts: Option<Parts>,
}

impl FileBody {
    /// File bytes still to send (part headers not counted).
    pub(crate) fn bytes_left(&self) -> u64 {
        (self.end - self.offset) + self.parts.as_ref().map_or(0, Parts::bytes_left)
    }
}

/// Writes the response for `plan` into `out` (head, and the body when it
/// fits and is in memory), or says the buffer must be flushed first
/// (nothing written then). Returns the file body still to send, if any.
pub(crate) fn write_response(
    plan: &Plan,
    out: &mut Output<'_>,
    date: &RenderedDate,
    rules: &HeaderRules,
) -> Result<Option<FileBody>, NoRoom> {
    if let Kind::File(file, Selection::Full) = &plan.kind
        && plan.status == 200
        && plan.version == Version::Http11
        && !plan.head_request
        && let Some(prepared) = file
            .full_head
            .get_or_init(|| prepare_full_head(file, rules))
    {
        return write_full_file(plan.keep_alive, file, prepared, out, date);
    }
    let mut scratch = Scratch::default();
    let mut fields = FieldList::default();
    fields.push(b"Server", SERVER);
    let content = kind_fields(plan, &mut fields, &mut scratch);
    let text = plan.text_body();
    let body = match &content {
        Content::None => Body::None,
        Content::Text => {
            fields.push(b"Content-Type", TEXT_PLAIN);
            Body::Length(text.iter().map(|p| p.len() as u64).sum())
        }
        Content::File(_, span) => Body::Length(span.len()),
        Content::Multipart(file, parts) => {
            Body::Length(parts.body_len(&file.content_type, file.size))
        }
    };
    for (name, value) in rules.fields(plan.status) {
        fields.push(name, value);
    }
    let mut head = ResponseHead::new(plan.status, plan.version);
    // RFC 9110 §6.2: a server sends its own version, HTTP/1.1, also to an
    // HTTP/1.0 client (whose version still decides framing and persistence).
    head.line_version = Version::Http11;
    head.body = body;
    head.keep_alive = plan.keep_alive;
    head.head_request = plan.head_request;
    head.date = Some(date.imf_fixdate());
    head.fields = fields.as_slice();
    let head_len = head.encoded_len().map_err(|e| match e {
        ComposeError::InsufficientSize { .. } => NoRoom::Flush,
        _ => NoRoom::Invalid,
    })?;
    if plan.head_request {
        write_head(&head, head_len, out)?;
        return Ok(None);
    }
    write_head_and_body(&head, head_len, content, &text, out)
}

/// Buffers the fields of one response are formatted into.
struct Scratch {
    /// `Content-Range`.
    numbers: [u8; 64],
    /// `multipart/byteranges; boundary=...`.
    multipart_type: [u8; 64],
}

impl Default for Scratch {
    fn default() -> Self {
        Self {
            numbers: [0; 64],
            multipart_type: [0; 64],
        }
    }
}

/// The fields of the response's kind (after `Server`, before the operator's
/// fields), and what its body is.
fn kind_fields<'p>(
    plan: &'p Plan,
    fields: &mut FieldList<'p>,
    scratch: &'p mut Scratch,
) -> Content<'p> {
    let Scratch {
        numbers,
        multipart_type,
    } = scratch;
    match &plan.kind {
        Kind::File(file, selection) => {
            fields.push(b"Last-Modified", &file.last_modified);
            fields.push(b"ETag", &file.etag);
            fields.push(b"Accept-Ranges", b"bytes");
            push_coding(fields, file);
            match selection {
                Selection::Full => {
                    fields.push(b"Content-Type", &file.content_type);
                    Content::File(file, whole(file))
                }
                Selection::Single(span) => {
                    let len = write_into(
                        numbers,
                        format_args!("bytes {}-{}/{}", span.start, span.end - 1, file.size),
                    );
                    fields.push(b"Content-Range", &numbers[..len]);
                    fields.push(b"Content-Type", &file.content_type);
                    Content::File(file, *span)
                }
                Selection::Multi(spans) => {
                    let len = multipart::content_type(multipart_type);
                    fields.push(b"Content-Type", &multipart_type[..len]);
                    Content::Multipart(file, Parts::new(spans.clone()))
                }
            }
        }
        Kind::NotModified(file) => {
            fields.push(b"Last-Modified", &file.last_modified);
            fields.push(b"ETag", &file.etag);
            // RFC 9110 §15.4.5: a 304 carries the Vary a 200 would.
            if let Some(vary) = file.vary {
                fields.push(b"Vary", vary);
            }
            Content::None
        }
        Kind::NotFoundPage(file) => {
            push_coding(fields, file);
            fields.push(b"Content-Type", &file.content_type);
            Content::File(file, whole(file))
        }
        Kind::Preflight(asked) => {
            fields.push(b"Access-Control-Allow-Methods", CORS_METHODS);
            if let Some(asked) = asked {
                fields.push(b"Access-Control-Allow-Headers", asked);
            }
            fields.push(b"Access-Control-Max-Age", CORS_MAX_AGE);
            Content::None
        }
        Kind::Unsatisfiable(file) => {
            let len = write_into(numbers, format_args!("bytes */{}", file.size));
            fields.push(b"Content-Range", &numbers[..len]);
            // The range was judged against the representation negotiated.
            if let Some(vary) = file.vary {
                fields.push(b"Vary", vary);
            }
            Content::Text
        }
        Kind::Redirect(location) => {
            fields.push(b"Location", location);
            Content::Text
        }
        Kind::Allow => {
            fields.push(b"Allow", ALLOW);
            if plan.status == 204 {
                Content::None
            } else {
                Content::Text
            }
        }
        Kind::Error | Kind::Unlisted => Content::Text,
    }
}

/// Every byte of a file.
fn whole(file: &FileInfo) -> Span {
    Span {
        start: 0,
        end: file.size,
    }
}

/// Writes the head, then as much of the body as goes with it: the text, or
/// the file's cached bytes when they fit in this buffer; a file body that
/// does not fit (or is not in memory) is returned to be sent afterwards.
fn write_head_and_body(
    head: &ResponseHead<'_>,
    head_len: usize,
    content: Content<'_>,
    text: &[&[u8]],
    out: &mut Output<'_>,
) -> Result<Option<FileBody>, NoRoom> {
    let body_len = match head.body {
        Body::Length(len) => len,
        _ => 0,
    };
    let fits = head_len as u64 + body_len <= out.free() as u64;
    match content {
        Content::None => write_head(head, head_len, out).map(|()| None),
        Content::Text => {
            if !fits {
                return Err(NoRoom::Flush);
            }
            write_head(head, head_len, out)?;
            text.iter().for_each(|part| out.push(part));
            Ok(None)
        }
        Content::File(file, span) => {
            write_head(head, head_len, out)?;
            match &file.data {
                Some(data) if fits => {
                    out.push(&data[span.start as usize..span.end as usize]);
                    Ok(None)
                }
                _ => Ok((!span.is_empty()).then(|| FileBody {
                    file: Rc::clone(file),
                    offset: span.start,
                    end: span.end,
                    parts: None,
                })),
            }
        }
        Content::Multipart(file, parts) => {
            write_head(head, head_len, out)?;
            match file.data.as_deref().filter(|_| fits) {
                Some(data) => {
                    write_parts(&file.content_type, data, parts, out);
                    Ok(None)
                }
                None => Ok(Some(FileBody {
                    file: Rc::clone(file),
                    offset: 0,
                    end: 0,
                    parts: Some(parts),
                })),
            }
        }
    }
}

/// A whole `multipart/byteranges` body of a cached file, into `out`.
fn write_parts(content_type: &[u8], data: &[u8], mut parts: Parts, out: &mut Output<'_>) {
    let mut part = Vec::with_capacity(160);
    while let Some(span) = parts.advance(content_type, data.len() as u64, &mut part) {
        part.extend_from_slice(&data[span.start as usize..span.end as usize]);
        out.push(&part);
        part.clear();
    }
    out.push(&part);
}

/// What follows a head.
enum Content<'p> {
    /// Nothing (204, 304).
    None,
    /// The status text.
    Text,
    /// A span of a file.
    File(&'p Rc<FileInfo>, Span),
    /// Several spans of a file, as `multipart/byteranges`.
    Multipart(&'p Rc<FileInfo>, Parts),
}

fn write_head(
    head: &ResponseHead<'_>,
    head_len: usize,
    out: &mut Output<'_>,
) -> Result<(), NoRoom> {
    if head_len > out.free() {
        return Err(NoRoom::Flush);
    }
    let composed = head
        .compose(&mut out.buf[out.len..])
        .map_err(|_| NoRoom::Flush)?;
    out.len += composed.len;
    Ok(())
}

/// Formats `args` into `buf`, returning the length (the values written here
/// are a few numbers: always shorter than the buffer).
fn write_into(buf: &mut [u8; 64], args: std::fmt::Arguments<'_>) -> usize {
    use std::io::Write;
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = cursor.write_fmt(args);
    cursor.position() as usize
}

/// The head of a `200` with a whole file for an HTTP/1.1 GET: the fields
/// [`write_response`] sends for [`Selection::Full`], in its order, rendered
/// once per cached file. `None` if the fields cannot be sent (never for the
/// values the file cache makes).
fn prepare_full_head(file: &FileInfo, rules: &HeaderRules) -> Option<PreparedHead> {
    let mut fields = FieldList::default();
    fields.push(b"Server", SERVER);
    fields.push(b"Last-Modified", &file.last_modified);
    fields.push(b"ETag", &file.etag);
    fields.push(b"Accept-Ranges", b"bytes");
    push_coding(&mut fields, file);
    fields.push(b"Content-Type", &file.content_type);
    for (name, value) in rules.fields(200) {
        fields.push(name, value);
    }
    let mut head = ResponseHead::new(200, Version::Http11);
    head.body = Body::Length(file.size);
    head.fields = fields.as_slice();
    head.prepare().ok()
}

/// `Content-Encoding` of a precompressed representation, and `Vary` when
/// the path has several.
fn push_coding<'a>(fields: &mut FieldList<'a>, file: &'a FileInfo) {
    if let Some(coding) = file.encoding {
        fields.push(b"Content-Encoding", coding.token().as_bytes());
    }
    if let Some(vary) = file.vary {
        fields.push(b"Vary", vary);
    }
}

/// [`write_response`] for a whole file with its prepared head: one copy of
/// the head, then the content when it is cached and fits, else a file body.
fn write_full_file(
    keep_alive: bool,
    file: &Rc<FileInfo>,
    prepared: &PreparedHead,
    out: &mut Output<'_>,
    date: &RenderedDate,
) -> Result<Option<FileBody>, NoRoom> {
    let head_len = prepared.encoded_len(keep_alive);
    let inline = file
        .data
        .as_deref()
        .filter(|data| head_len + data.len() <= out.free());
    let composed = prepared
        .compose(date, keep_alive, &mut out.buf[out.len..])
        .map_err(|_| NoRoom::Flush)?;
    out.len += composed.len;
    if let Some(data) = inline {
        out.push(data);
        return Ok(None);
    }
    Ok((file.size > 0).then(|| FileBody {
        file: Rc::clone(file),
        offset: 0,
        end: file.size,
        parts: None,
    }))
}

/// Fields a response sets itself, at most.
const OWN_FIELDS: usize = 8;

/// The fields of one response head, on the stack.
struct FieldList<'a> {
    items: [Field<'a>; OWN_FIELDS + rules::MAX_FIELDS],
    len: usize,
}

impl Default for FieldList<'_> {
    fn default() -> Self {
        Self {
            items: [Field::new(&[], &[]); OWN_FIELDS + rules::MAX_FIELDS],
            len: 0,
        }
    }
}

impl<'a> FieldList<'a> {
    fn push(&mut self, name: &'a [u8], value: &'a [u8]) {
        self.items[self.len] = Field::new(name, value);
        self.len += 1;
    }

    fn as_slice(&self) -> &[Field<'a>] {
        &self.items[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use std::cell::OnceCell;

    use super::*;

    const TEXT_HTML: &[u8] = b"text/html; charset=utf-8";

    /// The prepared head of a whole file writes what the general path
    /// writes, for a cached and an uncached file, kept alive or not, with
    /// and without a `Vary` value.
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
        for (cached, vary) in [(false, None), (true, None), (true, Some(&b"Accept"[..]))] {
            for keep_alive in [false, true] {
                let mut outputs = Vec::new();
                for prepared in [true, false] {
                    let (fd, st) = open();
                    let data = cached.then(|| b"<p>hello</p>\n".to_vec().into_boxed_slice());
                    let etag = String::from("\"1-d-2\"");
                    let mut file = FileInfo::new(fd, &st, 13, etag, TEXT_HTML.into(), data);
                    file.vary = vary;
                    if !prepared {
                        file.full_head = OnceCell::from(None);
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
                    let mut out = Output {
                        buf: &mut buf,
                        len: 0,
                    };
                    let body =
                        write_response(&plan, &mut out, &date, &HeaderRules::default()).unwrap();
                    let len = out.len;
                    assert_eq!(file.full_head.get().unwrap().is_some(), prepared);
                    let body = body.map(|b| (b.offset, b.end, b.parts.is_some()));
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
                assert_eq!(head.contains("\r\nVary: Accept\r\n"), vary.is_some());
                assert_eq!(outputs[0].1.is_none(), cached);
            }
        }
        std::fs::remove_file(&path).unwrap();
    }
}
