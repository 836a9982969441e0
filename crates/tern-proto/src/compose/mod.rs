//! The response composer: a response head and a chunked body, written into a
//! buffer the caller owns.
//!
//! # How a head is composed
//!
//! Following the header composer of Warp (the Haskell web server, not the
//! Rust crate), [`ResponseHead::compose`] works in two
//! passes over what the caller declared:
//!
//! 1. **Measure.** Validate the status code and every field, decide the
//!    framing and the `Connection` option, and add up the exact length of the
//!    head. Nothing is written yet.
//! 2. **Copy.** If the buffer is large enough, copy each piece into it once.
//!    If it is not, return [`ComposeError::InsufficientSize`] with the length
//!    required, having written nothing.
//!
//! The status line is a `static` byte string for every registered code (see
//! [`status_line`]); the `Date` value comes ready-made from the date cache;
//! numbers (`Content-Length`, chunk sizes) are rendered by a small routine of
//! this module. There is no allocation and no `core::fmt` on this path.
//!
//! The head is laid out in this order:
//!
//! ```text
//! HTTP/1.1 200 OK\r\n                       status line
//! Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n   if `date` is given
//! Server: tern\r\n                          the pre-validated `lines` block, as is
//! Name: value\r\n                           each caller field, in order
//! Content-Length: 1234\r\n                  or Transfer-Encoding: chunked, or nothing
//! Connection: close\r\n                     or keep-alive, upgrade, ..., or nothing
//! \r\n
//! ```
//!
//! # Status lines
//!
//! Every status code assigned in the IANA "HTTP Status Code Registry" has its
//! whole status line, `HTTP/1.x NNN Reason\r\n`, stored as a `static` byte
//! string for both versions (Warp's `Status 200 "200" "OK"`), so composing a
//! response never formats a number or looks up a reason phrase: it copies one
//! slice. The table holds:
//!
//! - every code the registry lists as assigned, with the registry's
//!   description as the reason phrase (the RFC 9110 §15 names, e.g. `413
//!   Content Too Large`, `422 Unprocessable Content`; `510 Not Extended`,
//!   which the registry marks obsoleted, keeps its name);
//! - not `306` and `418`: the registry lists them as "(Unused)", reserved
//!   codes (RFC 9110 §15.4.7, §15.5.19) with no reason phrase to send;
//! - not `104`: its registration is temporary (resumable uploads draft) and
//!   set to expire, so its name may yet change.
//!
//! Any other code in `100..=999` is rendered correctly with an empty reason
//! phrase (`HTTP/1.1 599 \r\n`): RFC 9112 §4 makes the reason phrase optional
//! (`status-line = HTTP-version SP status-code SP [ reason-phrase ]`) and a
//! client SHOULD ignore it. (RFC 9110 §15 calls codes above 599 invalid but
//! lets clients treat them as 5xx; they are accepted here as the three digits
//! RFC 9112 §4 allows.) Codes outside `100..=999` are refused.
//!
//! # Framing (RFC 9112 §6.3, RFC 9110 §8.6)
//!
//! The caller says what it knows about the content ([`Body`]); the composer
//! picks the framing field and reports in [`Composed::framing`] what, if
//! anything, the caller must send after the head:
//!
//! | status / request          | [`Body::None`]      | [`Body::Length`]`(n)` | [`Body::Unknown`]                          |
//! |---------------------------|---------------------|-----------------------|--------------------------------------------|
//! | 1xx, 204, 304             | nothing             | nothing               | nothing                                    |
//! | response to HEAD          | `Content-Length: 0` | `Content-Length: n`   | nothing                                    |
//! | other, HTTP/1.1           | `Content-Length: 0` | `Content-Length: n`   | `Transfer-Encoding: chunked`               |
//! | other, HTTP/1.0           | `Content-Length: 0` | `Content-Length: n`   | nothing: close-delimited, forces a close   |
//!
//! Decisions behind the table:
//!
//! - **1xx, 204, 304 carry no framing field**, whatever the caller declares.
//!   RFC 9110 §8.6 forbids `Content-Length` in 1xx and 204; in 304 it is only
//!   allowed when it equals the length a 200 would have had, and omitting it
//!   is always correct, so it is omitted. The caller's [`Body`] is ignored for
//!   these codes, so a file server may pass the file's length unchanged when
//!   it answers 304.
//! - **A response to HEAD** keeps the `Content-Length` of the content a GET
//!   would have had (RFC 9110 §9.3.2) and has no body. When that length is
//!   unknown no framing field is sent (RFC 9110 §9.3.2 lets a server omit
//!   fields only known while generating content), and the connection need not
//!   close since there is no body to delimit.
//! - **An unknown length on HTTP/1.0** cannot be chunked (RFC 9112 §7.1: a
//!   server MUST NOT send `Transfer-Encoding` unless the request was
//!   HTTP/1.1), so the body ends when the connection closes.
//! - **`Body::None` is `Content-Length: 0`** when the status allows content:
//!   a response with no framing field at all would be read until the
//!   connection closes (RFC 9112 §6.3 rule 8).
//!
//! # Persistence
//!
//! The caller says whether the connection persists after this response
//! ([`ResponseHead::keep_alive`], as decided from the request by the parser
//! or the server). The composer writes `Connection: close` when it does not,
//! and `Connection: keep-alive` only for a persistent HTTP/1.0 response (an
//! HTTP/1.1 connection persists by default, RFC 9112 §9.3). A close-delimited
//! body forces a close whatever the caller asked. [`Composed::must_close`]
//! tells the caller to close after sending the body. Interim (1xx) responses
//! never carry `close`/`keep-alive`: the final response decides.
//!
//! If the caller sends an `Upgrade` field, the composer adds the `upgrade`
//! connection option (RFC 9110 §7.8: a sender of `Upgrade` MUST list it in
//! `Connection`), as in `101 Switching Protocols` and `426 Upgrade Required`.
//!
//! # Caller fields and response splitting
//!
//! Every caller field is checked before anything is written; one bad field
//! fails the whole head and leaves the buffer untouched:
//!
//! - the name must be a `token` (RFC 9110 §5.1, §5.6.2): no CR, LF, NUL,
//!   space, colon or other delimiter can get in;
//! - the value must be a `field-value` (RFC 9110 §5.5): field-vchar (visible
//!   ASCII and obs-text, `0x80..=0xFF`), SP and HTAB only — no CR, LF, NUL or
//!   other control — and it may not begin or end with SP or HTAB, since the
//!   grammar has no room for them and a recipient strips them (the caller is
//!   told rather than having its value silently changed). An empty value is
//!   allowed.
//! - `Content-Length`, `Transfer-Encoding` and `Connection` are written by the
//!   composer from [`Body`] and [`ResponseHead::keep_alive`] and are refused
//!   from the caller ([`ComposeError::ReservedField`]): two framing fields
//!   that disagree are how responses get smuggled. `Date` is refused too when
//!   [`ResponseHead::date`] is set, so it is never sent twice.
//!
//! `Server`, `Content-Type`, `ETag`, `Last-Modified`, `Accept-Ranges`,
//! `Content-Range`, `Location`, `Allow` and any other field are simply caller
//! fields.
//!
//! Validation is most of the cost of composing a head. Fields that repeat
//! from response to response (`Server`, and per file `Content-Type`, `ETag`,
//! `Last-Modified`) can be validated once into a [`FieldLines`] block, which
//! the composer then copies without looking at it again. When the whole head
//! repeats but for the date and persistence (a hot file's `200`),
//! [`ResponseHead::prepare`] renders it once into a [`PreparedHead`], and each
//! response is then one copy and the date (its cost against a bare `memcpy`
//! of the head is measured by the repository's `benches/compose.rs`, with
//! figures in its `benches/README.md`).
//!
//! # Chunked bodies
//!
//! [`ChunkHeader`], [`CHUNK_END`], [`encode_chunk`] and
//! [`encode_last_chunk`] produce the chunked coding of RFC 9112 §7.1, either by
//! copying or as a prefix and suffix around the caller's own slice (for
//! `writev`, or `sendfile` between two sends).
//!
//! # Example
//!
//! ```
//! use tern_proto::{Field, Framing, Version};
//! use tern_proto::compose::{Body, ResponseHead};
//!
//! let date = b"Sun, 06 Nov 1994 08:49:37 GMT";
//! let fields = &[Field::new(b"Content-Type", b"text/html")];
//! let mut head = ResponseHead::new(200, Version::Http11);
//! head.body = Body::Length(1234);
//! head.date = Some(date);
//! head.fields = fields;
//!
//! let mut buf = [0u8; 256];
//! let composed = head.compose(&mut buf)?;
//! assert_eq!(
//!     &buf[..composed.len],
//!     b"HTTP/1.1 200 OK\r\n\
//!       Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
//!       Content-Type: text/html\r\n\
//!       Content-Length: 1234\r\n\
//!       \r\n",
//! );
//! assert_eq!(composed.framing, Framing::Length(1234));
//! assert!(!composed.must_close);
//! # Ok::<(), tern_proto::compose::ComposeError>(())
//! ```

mod chars;
mod chunked;
mod lines;
mod num;
mod prepared;
mod status;

use core::fmt;

use crate::Version;
use crate::field::Field;
use crate::framing::Framing;
use crate::tables;

pub use chunked::{
    CHUNK_END, ChunkHeader, LAST_CHUNK, chunk_len, encode_chunk, encode_last_chunk, last_chunk_len,
};
pub use lines::FieldLines;
pub use prepared::PreparedHead;
pub use status::{reason_phrase, status_line};

/// The `100 Continue` interim response (RFC 9110 §15.2.1), complete with the
/// empty line that ends its head.
///
/// Send it when a request carried `Expect: 100-continue` and the server has
/// decided to read the body (RFC 9110 §10.1.1). It is HTTP/1.1 only: a server
/// MUST ignore that expectation in an HTTP/1.0 request and MUST NOT send it a
/// 1xx response (RFC 9110 §10.1.1, §15.2).
pub const CONTINUE: &[u8; 25] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// Writes [`CONTINUE`] to the start of `out`, returning its length.
///
/// # Errors
///
/// [`ComposeError::InsufficientSize`] if `out` is shorter than
/// [`CONTINUE`]; nothing is written then.
#[inline]
pub fn compose_continue(out: &mut [u8]) -> Result<usize, ComposeError> {
    match out.get_mut(..CONTINUE.len()) {
        Some(dst) => {
            dst.copy_from_slice(CONTINUE);
            Ok(CONTINUE.len())
        }
        None => Err(ComposeError::InsufficientSize {
            required: CONTINUE.len(),
        }),
    }
}

/// What the caller knows about the content of a response.
///
/// See the [module docs](self#framing-rfc-9112-63-rfc-9110-86) for the
/// framing each choice leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Body {
    /// No content: framed as `Content-Length: 0` when the status allows
    /// content.
    None,
    /// Exactly this many bytes of content (for a HEAD request: the length a
    /// GET would have had).
    Length(u64),
    /// Content whose length is not known in advance: chunked on HTTP/1.1,
    /// close-delimited on HTTP/1.0.
    Unknown,
}

/// The outcome of a successful [`ResponseHead::compose`].
#[must_use = "the head is only in the buffer's first `len` bytes, and `framing`/`must_close` say what to send next"]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Composed {
    /// The number of bytes written at the start of the buffer: the whole
    /// head, up to and including the empty line.
    pub len: usize,
    /// What must follow the head.
    pub framing: Framing,
    /// The connection must be closed once this response (head and body) has
    /// been sent: the caller did not keep it alive, or the body is
    /// close-delimited. Always `false` for interim (1xx) responses.
    pub must_close: bool,
}

/// A response head to compose: the status line, the caller's fields, and what
/// the composer needs to add the framing and `Connection` fields itself.
///
/// Build one with [`ResponseHead::new`] and set the public fields; then call
/// [`compose`](Self::compose), or [`encoded_len`](Self::encoded_len) first if
/// the buffer is to be sized exactly.
///
/// Through a [`Connection`](crate::Connection) (a head from
/// [`Connection::response`](crate::Connection::response), sent with
/// [`send_head`](crate::Connection::send_head) or
/// [`send_response`](crate::Connection::send_response)), the request
/// decides `version`, `line_version` and `head_request`, whatever they were
/// set to, and `keep_alive` can only be lowered: set `status`, `body`,
/// `date` and the fields.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ResponseHead<'a> {
    /// The status code, `100..=999`. Registered codes get their reason phrase
    /// from a static table; others are sent with an empty reason phrase.
    pub status: u16,
    /// The version of the request being answered. It decides the framing
    /// (chunked needs HTTP/1.1) and how persistence is said.
    pub version: Version,
    /// The version written in the status line. [`ResponseHead::new`] sets
    /// it to `version`; a head from [`Connection::response`] says HTTP/1.1,
    /// as RFC 9110 §6.2 asks of a server ("a server SHOULD send a response
    /// version equal to the highest version to which the server is
    /// conformant"), also to HTTP/1.0 clients.
    ///
    /// [`Connection::response`]: crate::Connection::response
    pub line_version: Version,
    /// What the caller knows about the content.
    pub body: Body,
    /// Whether the connection stays open after this response, as determined
    /// from the request (RFC 9112 §9.3). [`ResponseHead::new`] sets the
    /// version's default: `true` for HTTP/1.1, `false` for HTTP/1.0.
    pub keep_alive: bool,
    /// This answers a HEAD request: framing fields describe the content a GET
    /// would have had, but no body follows.
    pub head_request: bool,
    /// The `Date` field value, an IMF-fixdate straight from the date cache,
    /// written without any formatting. `None` omits the field (RFC 9110
    /// §6.6.1 allows that for a server without a clock).
    pub date: Option<&'a [u8; 29]>,
    /// Pre-validated field lines, copied as they are after `Date` (see
    /// [`FieldLines`]). Empty by default.
    pub lines: FieldLines<'a>,
    /// The caller's fields, written in this order after `Date` and
    /// [`lines`](Self::lines), and validated on every call. See the
    /// [module docs](self#caller-fields-and-response-splitting) for the rules.
    pub fields: &'a [Field<'a>],
}

impl<'a> ResponseHead<'a> {
    /// A head with the given status and version, no content
    /// ([`Body::None`]), the version's default persistence, not for HEAD, no
    /// `Date` and no fields.
    #[must_use]
    pub const fn new(status: u16, version: Version) -> Self {
        Self {
            status,
            version,
            line_version: version,
            body: Body::None,
            keep_alive: matches!(version, Version::Http11),
            head_request: false,
            date: None,
            lines: FieldLines::EMPTY,
            fields: &[],
        }
    }

    /// The exact number of bytes [`compose`](Self::compose) will write.
    ///
    /// This runs the whole validation pass, as `compose` does. There is no
    /// need to call it before `compose`, which reports the size it needs in
    /// [`ComposeError::InsufficientSize`] and writes nothing then; use it to
    /// size a buffer ahead of time.
    ///
    /// # Errors
    ///
    /// The same as [`compose`](Self::compose), except
    /// [`ComposeError::InsufficientSize`]: the head is checked in full.
    #[inline]
    pub fn encoded_len(&self) -> Result<usize, ComposeError> {
        self.plan().map(|plan| plan.len)
    }

    /// Writes the head to the start of `out` and says what must follow it.
    ///
    /// # Errors
    ///
    /// Nothing is written when any of these is returned:
    ///
    /// - [`ComposeError::InvalidStatus`]: the status is outside `100..=999`;
    /// - [`ComposeError::InformationalToHttp10`]: a 1xx status for an
    ///   HTTP/1.0 request;
    /// - [`ComposeError::InvalidFieldName`], [`ComposeError::InvalidFieldValue`],
    ///   [`ComposeError::ReservedField`]: a caller field breaks the rules of
    ///   the [module docs](self#caller-fields-and-response-splitting);
    /// - [`ComposeError::InvalidDate`]: the date holds a byte other than
    ///   visible ASCII and SP, or begins or ends with SP;
    /// - [`ComposeError::InsufficientSize`]: `out` is shorter than the head.
    pub fn compose(&self, out: &mut [u8]) -> Result<Composed, ComposeError> {
        let plan = self.plan()?;
        let Some(out) = out.get_mut(..plan.len) else {
            return Err(ComposeError::InsufficientSize { required: plan.len });
        };
        let mut w = Writer { out, pos: 0 };
        match plan.line {
            Some(line) => w.put(line),
            None => {
                status::write_generic_line(
                    self.line_version,
                    self.status,
                    w.take(status::GENERIC_LINE_LEN),
                );
            }
        }
        if let Some(date) = self.date {
            w.put(b"Date: ");
            w.put(date);
            w.put(b"\r\n");
        }
        w.put(self.lines.as_bytes());
        write_fields(&mut w, self.fields);
        match plan.field {
            FramingField::None => {}
            FramingField::ContentLength { value, digits } => {
                w.put(CONTENT_LENGTH);
                num::write_dec(value, w.take(digits));
                w.put(b"\r\n");
            }
            FramingField::Chunked => w.put(TRANSFER_ENCODING_CHUNKED),
        }
        w.put(plan.connection);
        w.put(b"\r\n");
        debug_assert_eq!(w.pos, plan.len);
        Ok(Composed {
            len: plan.len,
            framing: plan.framing,
            must_close: plan.must_close,
        })
    }

    /// The measuring pass: validates everything and decides every field, so
    /// that the copying pass cannot fail.
    #[inline]
    fn plan(&self) -> Result<Plan, ComposeError> {
        let status = self.status;
        if !(100..=999).contains(&status) {
            return Err(ComposeError::InvalidStatus { status });
        }
        let interim = status < 200;
        if interim && self.version == Version::Http10 {
            return Err(ComposeError::InformationalToHttp10 { status });
        }

        let line = status_line(self.line_version, status);
        let mut len = match line {
            Some(line) => line.len(),
            None => status::GENERIC_LINE_LEN,
        };

        if let Some(date) = self.date {
            if !chars::is_date_value(date) {
                return Err(ComposeError::InvalidDate);
            }
            len += DATE_LINE_LEN;
        }

        let (fields_len, upgrade) = measure_fields(self.fields, self.date.is_some())?;
        let upgrade = upgrade || self.lines.has_upgrade();
        len = len
            .saturating_add(self.lines.as_bytes().len())
            .saturating_add(fields_len);

        let (field, framing) = if interim || status == 204 || status == 304 {
            (FramingField::None, Framing::NoBody)
        } else {
            match (self.body, self.head_request, self.version) {
                (Body::None, true, _) => (FramingField::content_length(0), Framing::NoBody),
                (Body::None, false, _) => (FramingField::content_length(0), Framing::Length(0)),
                (Body::Length(n), true, _) => (FramingField::content_length(n), Framing::NoBody),
                (Body::Length(n), false, _) => {
                    (FramingField::content_length(n), Framing::Length(n))
                }
                (Body::Unknown, true, _) => (FramingField::None, Framing::NoBody),
                (Body::Unknown, false, Version::Http11) => {
                    (FramingField::Chunked, Framing::Chunked)
                }
                (Body::Unknown, false, Version::Http10) => {
                    (FramingField::None, Framing::CloseDelimited)
                }
            }
        };
        len = len.saturating_add(match field {
            FramingField::None => 0,
            FramingField::ContentLength { digits, .. } => CONTENT_LENGTH.len() + digits + 2,
            FramingField::Chunked => TRANSFER_ENCODING_CHUNKED.len(),
        });

        let must_close =
            !interim && (!self.keep_alive || matches!(framing, Framing::CloseDelimited));
        let option = if interim {
            ConnectionOption::None
        } else if must_close {
            ConnectionOption::Close
        } else if self.version == Version::Http10 {
            ConnectionOption::KeepAlive
        } else {
            ConnectionOption::None
        };
        let connection = connection_line(upgrade, option);
        len = len.saturating_add(connection.len() + 2);
        Ok(Plan {
            len,
            line,
            field,
            connection,
            framing,
            must_close,
        })
    }
}

/// Why a head, a chunk or a trailer section could not be composed.
///
/// Every error leaves the output buffer untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ComposeError {
    /// The buffer is too small; `required` bytes are needed. (A head whose
    /// length does not fit in `usize` reports `usize::MAX`.)
    InsufficientSize {
        /// The exact length of the output.
        required: usize,
    },
    /// The status code is outside `100..=999` (RFC 9112 §4: `status-code =
    /// 3DIGIT`).
    InvalidStatus {
        /// The offending code.
        status: u16,
    },
    /// A 1xx status for an HTTP/1.0 request: RFC 9110 §15.2 says a server
    /// MUST NOT send one.
    InformationalToHttp10 {
        /// The offending code.
        status: u16,
    },
    /// The field (or trailer, or line of a [`FieldLines`] block) at `index`
    /// has a name that is not a token (RFC 9110 §5.1): empty, or holding a
    /// delimiter, whitespace or control.
    InvalidFieldName {
        /// Position of the field in the caller's list (0-based).
        index: usize,
    },
    /// The field (or trailer, or line of a [`FieldLines`] block) at `index`
    /// has a value that is not a field-value (RFC 9110 §5.5): it holds CR, LF,
    /// NUL or another control, or begins or ends with whitespace. (For a
    /// block, also a line not of the form `name: value\r\n`.)
    InvalidFieldValue {
        /// Position of the field in the caller's list (0-based).
        index: usize,
    },
    /// The field (or trailer, or line of a [`FieldLines`] block) at `index`
    /// is one the composer writes itself: `Content-Length`,
    /// `Transfer-Encoding`, `Connection`, or `Date` when a date is supplied
    /// separately (always, in a block).
    ReservedField {
        /// Position of the field in the caller's list (0-based).
        index: usize,
    },
    /// The supplied date holds a byte other than visible ASCII and SP, or
    /// begins or ends with SP: it is not an IMF-fixdate (RFC 9110 §5.6.7) and
    /// could carry a line break into the head.
    InvalidDate,
}

impl ComposeError {
    /// The status a server would answer with if it reported this error to
    /// its client. Composition errors are the server's own: always 500.
    #[must_use]
    pub const fn status_hint(&self) -> u16 {
        500
    }
}

impl fmt::Display for ComposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::InsufficientSize { required } => {
                write!(f, "output buffer too small: {required} bytes required")
            }
            Self::InvalidStatus { status } => {
                write!(f, "status code {status} is outside 100..=999")
            }
            Self::InformationalToHttp10 { status } => {
                write!(
                    f,
                    "a {status} (1xx) response cannot be sent to an HTTP/1.0 client"
                )
            }
            Self::InvalidFieldName { index } => {
                write!(f, "field {index}: name is not an RFC 9110 token")
            }
            Self::InvalidFieldValue { index } => write!(
                f,
                "field {index}: value holds CR, LF, NUL or another control, or leading/trailing whitespace"
            ),
            Self::ReservedField { index } => write!(
                f,
                "field {index}: Content-Length, Transfer-Encoding, Connection (and Date when given separately) are written by the composer"
            ),
            Self::InvalidDate => f.write_str(
                "date holds a byte other than visible ASCII and SP, or begins or ends with SP",
            ),
        }
    }
}

impl core::error::Error for ComposeError {}

// ---------------------------------------------------------------------------
// Internals shared with `chunked`.

/// `Content-Length: ` (the digits and CRLF follow).
const CONTENT_LENGTH: &[u8] = b"Content-Length: ";
/// The whole `Transfer-Encoding` line for a chunked body.
const TRANSFER_ENCODING_CHUNKED: &[u8] = b"Transfer-Encoding: chunked\r\n";
/// `Date: ` + 29-byte IMF-fixdate + CRLF.
const DATE_LINE_LEN: usize = 6 + 29 + 2;

/// The framing field the composer writes.
#[derive(Clone, Copy)]
enum FramingField {
    None,
    ContentLength {
        /// The length.
        value: u64,
        /// Its number of decimal digits.
        digits: usize,
    },
    Chunked,
}

impl FramingField {
    /// `Content-Length: value`, its digits counted once.
    #[inline]
    const fn content_length(value: u64) -> Self {
        Self::ContentLength {
            value,
            digits: num::dec_len(value),
        }
    }
}

/// The persistence option of the `Connection` field.
#[derive(Clone, Copy)]
enum ConnectionOption {
    None,
    Close,
    KeepAlive,
}

/// Everything the copying pass needs, decided by the measuring pass.
struct Plan {
    len: usize,
    line: Option<&'static [u8]>,
    field: FramingField,
    connection: &'static [u8],
    framing: Framing,
    must_close: bool,
}

/// The whole `Connection` line (or nothing) for the given options.
const fn connection_line(upgrade: bool, option: ConnectionOption) -> &'static [u8] {
    match (upgrade, option) {
        (false, ConnectionOption::None) => b"",
        (false, ConnectionOption::Close) => b"Connection: close\r\n",
        (false, ConnectionOption::KeepAlive) => b"Connection: keep-alive\r\n",
        (true, ConnectionOption::None) => b"Connection: upgrade\r\n",
        (true, ConnectionOption::Close) => b"Connection: upgrade, close\r\n",
        (true, ConnectionOption::KeepAlive) => b"Connection: upgrade, keep-alive\r\n",
    }
}

/// What a field name means to the composer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameClass {
    /// Written by the composer; never accepted from the caller.
    Framing,
    /// `Date`: reserved only when the date is supplied separately.
    Date,
    /// `Upgrade`: adds the `upgrade` connection option.
    Upgrade,
    /// Any other field.
    Other,
}

/// Classifies a field name, case-insensitively (RFC 9110 §5.1).
#[inline]
fn classify(name: &[u8]) -> NameClass {
    let is = |expected: &[u8]| name.eq_ignore_ascii_case(expected);
    match name.len() {
        4 if is(b"date") => NameClass::Date,
        7 if is(b"upgrade") => NameClass::Upgrade,
        10 if is(b"connection") => NameClass::Framing,
        14 if is(b"content-length") => NameClass::Framing,
        17 if is(b"transfer-encoding") => NameClass::Framing,
        _ => NameClass::Other,
    }
}

/// Validates a field (or trailer) list and returns the length of its lines
/// (`name: value\r\n` each, saturating) and whether an `Upgrade` field is
/// among them.
#[inline]
fn measure_fields(fields: &[Field<'_>], date_given: bool) -> Result<(usize, bool), ComposeError> {
    let mut len = 0usize;
    let mut upgrade = false;
    for (index, &Field { name, value }) in fields.iter().enumerate() {
        if !tables::is_token(name) {
            return Err(ComposeError::InvalidFieldName { index });
        }
        match classify(name) {
            NameClass::Framing => return Err(ComposeError::ReservedField { index }),
            NameClass::Date if date_given => return Err(ComposeError::ReservedField { index }),
            NameClass::Upgrade => upgrade = true,
            NameClass::Date | NameClass::Other => {}
        }
        if !chars::is_field_value(value) {
            return Err(ComposeError::InvalidFieldValue { index });
        }
        len = len.saturating_add(name.len() + value.len() + 4);
    }
    Ok((len, upgrade))
}

/// Writes `fields` as `name: value\r\n` lines. They must have been validated.
#[inline]
fn write_fields(w: &mut Writer<'_>, fields: &[Field<'_>]) {
    for &Field { name, value } in fields {
        w.put(name);
        w.put(b": ");
        w.put(value);
        w.put(b"\r\n");
    }
}

/// A cursor over an output slice sized exactly by the measuring pass.
struct Writer<'b> {
    out: &'b mut [u8],
    pos: usize,
}

impl Writer<'_> {
    /// Appends `bytes`.
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.take(bytes.len()).copy_from_slice(bytes);
    }

    /// Reserves the next `n` bytes for the caller to fill.
    #[inline]
    fn take(&mut self, n: usize) -> &mut [u8] {
        let start = self.pos;
        self.pos += n;
        &mut self.out[start..self.pos]
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::{string::String, vec, vec::Vec};

    const DATE: &[u8; 29] = b"Sun, 06 Nov 1994 08:49:37 GMT";

    /// Composes into an exactly sized buffer, checking `encoded_len` agrees.
    fn compose(head: &ResponseHead<'_>) -> (String, Composed) {
        let len = head.encoded_len().unwrap();
        let mut out = vec![0u8; len];
        let composed = head.compose(&mut out).unwrap();
        assert_eq!(composed.len, len);
        (String::from_utf8(out).unwrap(), composed)
    }

    fn head(status: u16, version: Version, body: Body) -> ResponseHead<'static> {
        let mut head = ResponseHead::new(status, version);
        head.body = body;
        head
    }

    #[test]
    fn defaults_follow_the_version() {
        assert!(ResponseHead::new(200, Version::Http11).keep_alive);
        assert!(!ResponseHead::new(200, Version::Http10).keep_alive);
        let (text, composed) = compose(&ResponseHead::new(200, Version::Http11));
        assert_eq!(text, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(composed.framing, Framing::Length(0));
        assert!(!composed.must_close);
        let (text, composed) = compose(&ResponseHead::new(200, Version::Http10));
        assert_eq!(
            text,
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        assert!(composed.must_close);
    }

    #[test]
    fn full_head() {
        let fields: &[Field<'_>] = &[
            Field::new(b"Server", b"tern"),
            Field::new(b"Content-Type", b"text/plain; charset=utf-8"),
            Field::new(b"ETag", b"\"abc\""),
        ];
        let mut h = head(200, Version::Http11, Body::Length(1_234_567));
        h.date = Some(DATE);
        h.fields = fields;
        let (text, composed) = compose(&h);
        assert_eq!(
            text,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: tern\r\n\
             Content-Type: text/plain; charset=utf-8\r\nETag: \"abc\"\r\n\
             Content-Length: 1234567\r\n\r\n"
        );
        assert_eq!(composed.framing, Framing::Length(1_234_567));
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn framing_table() {
        use Body::{Length, Unknown};
        use Version::{Http10, Http11};
        // (status, version, body, HEAD, keep-alive) -> (framing line, connection line, framing, close)
        #[rustfmt::skip]
        let cases: &[(u16, Version, Body, bool, bool, &str, &str, Framing, bool)] = &[
            (200, Http11, Length(5), false, true, "Content-Length: 5\r\n", "", Framing::Length(5), false),
            (200, Http11, Unknown, false, true, "Transfer-Encoding: chunked\r\n", "", Framing::Chunked, false),
            (200, Http11, Unknown, false, false, "Transfer-Encoding: chunked\r\n", "Connection: close\r\n", Framing::Chunked, true),
            (200, Http10, Unknown, false, true, "", "Connection: close\r\n", Framing::CloseDelimited, true),
            (200, Http10, Length(5), false, true, "Content-Length: 5\r\n", "Connection: keep-alive\r\n", Framing::Length(5), false),
            (200, Http11, Length(5), true, true, "Content-Length: 5\r\n", "", Framing::NoBody, false),
            (200, Http11, Unknown, true, true, "", "", Framing::NoBody, false),
            (200, Http10, Unknown, true, true, "", "Connection: keep-alive\r\n", Framing::NoBody, false),
            (200, Http10, Body::None, true, false, "Content-Length: 0\r\n", "Connection: close\r\n", Framing::NoBody, true),
            (204, Http11, Length(5), false, true, "", "", Framing::NoBody, false),
            (204, Http11, Unknown, false, false, "", "Connection: close\r\n", Framing::NoBody, true),
            (304, Http11, Length(5), false, true, "", "", Framing::NoBody, false),
            (304, Http10, Unknown, false, true, "", "Connection: keep-alive\r\n", Framing::NoBody, false),
            (103, Http11, Length(5), false, false, "", "", Framing::NoBody, false),
            (199, Http11, Unknown, false, false, "", "", Framing::NoBody, false),
            (205, Http11, Body::None, false, true, "Content-Length: 0\r\n", "", Framing::Length(0), false),
            (599, Http11, Length(0), false, true, "Content-Length: 0\r\n", "", Framing::Length(0), false),
        ];
        for &(status, version, body, head_request, keep_alive, field, connection, framing, close) in
            cases
        {
            let mut h = head(status, version, body);
            h.head_request = head_request;
            h.keep_alive = keep_alive;
            let (text, composed) = compose(&h);
            let line = match status_line(version, status) {
                Some(line) => String::from_utf8(line.to_vec()).unwrap(),
                None => std::format!(
                    "{} {status} \r\n",
                    core::str::from_utf8(version.as_bytes()).unwrap()
                ),
            };
            assert_eq!(
                text,
                std::format!("{line}{field}{connection}\r\n"),
                "{status} {version:?} {body:?}"
            );
            assert_eq!(composed.framing, framing, "{status} {version:?} {body:?}");
            assert_eq!(composed.must_close, close, "{status} {version:?} {body:?}");
        }
    }

    #[test]
    fn upgrade_adds_the_connection_option() {
        let fields: &[Field<'_>] = &[Field::new(b"Upgrade", b"websocket")];
        let mut h = head(101, Version::Http11, Body::None);
        h.fields = fields;
        let (text, composed) = compose(&h);
        assert_eq!(
            text,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"
        );
        assert_eq!(composed.framing, Framing::NoBody);
        let fields: &[Field<'_>] = &[Field::new(b"upgrade", b"h2c")];
        let mut h = head(426, Version::Http11, Body::None);
        h.fields = fields;
        h.keep_alive = false;
        let (text, _) = compose(&h);
        assert!(
            text.ends_with("Connection: upgrade, close\r\n\r\n"),
            "{text}"
        );
        h.keep_alive = true;
        h.version = Version::Http10;
        let (text, _) = compose(&h);
        assert!(
            text.ends_with("Connection: upgrade, keep-alive\r\n\r\n"),
            "{text}"
        );
    }

    #[test]
    fn status_errors() {
        for status in [0, 1, 99, 1000, u16::MAX] {
            let h = ResponseHead::new(status, Version::Http11);
            assert_eq!(h.encoded_len(), Err(ComposeError::InvalidStatus { status }));
        }
        for status in [100, 101, 150, 199] {
            let h = ResponseHead::new(status, Version::Http10);
            assert_eq!(
                h.encoded_len(),
                Err(ComposeError::InformationalToHttp10 { status })
            );
        }
        for status in [100, 999] {
            assert!(
                ResponseHead::new(status, Version::Http11)
                    .encoded_len()
                    .is_ok()
            );
        }
    }

    #[test]
    fn reserved_fields() {
        let names: [&[u8]; 7] = [
            b"Content-Length",
            b"content-length",
            b"TRANSFER-ENCODING",
            b"Transfer-Encoding",
            b"Connection",
            b"connection",
            b"CoNnEcTiOn",
        ];
        for name in names {
            let fields: &[Field<'_>] = &[Field::new(b"A", b"b"), Field::new(name, b"x")];
            let mut h = ResponseHead::new(200, Version::Http11);
            h.fields = fields;
            assert_eq!(
                h.encoded_len(),
                Err(ComposeError::ReservedField { index: 1 })
            );
        }
        let fields: &[Field<'_>] = &[Field::new(b"date", DATE)];
        let mut h = ResponseHead::new(200, Version::Http11);
        h.fields = fields;
        assert!(
            h.encoded_len().is_ok(),
            "Date is a caller field without `date`"
        );
        h.date = Some(DATE);
        assert_eq!(
            h.encoded_len(),
            Err(ComposeError::ReservedField { index: 0 })
        );
        // Near misses are ordinary fields.
        for name in [
            &b"Content-Lengths"[..],
            b"Connectio",
            b"Keep-Alive",
            b"Content-Type",
        ] {
            let fields: &[Field<'_>] = &[Field::new(name, b"x")];
            let mut h = ResponseHead::new(200, Version::Http11);
            h.fields = fields;
            assert!(h.encoded_len().is_ok());
        }
    }

    #[test]
    fn invalid_date() {
        let mut date = *DATE;
        date[3] = b'\n';
        let mut h = ResponseHead::new(200, Version::Http11);
        h.date = Some(&date);
        assert_eq!(h.encoded_len(), Err(ComposeError::InvalidDate));
        let mut out = [0xAAu8; 128];
        assert_eq!(h.compose(&mut out), Err(ComposeError::InvalidDate));
        assert!(out.iter().all(|&b| b == 0xAA));
    }

    #[test]
    fn insufficient_size_writes_nothing() {
        let fields: &[Field<'_>] = &[Field::new(b"Content-Type", b"text/html")];
        let mut h = head(404, Version::Http10, Body::Unknown);
        h.date = Some(DATE);
        h.fields = fields;
        let required = h.encoded_len().unwrap();
        for size in 0..required {
            let mut out = vec![0xAAu8; size];
            assert_eq!(
                h.compose(&mut out),
                Err(ComposeError::InsufficientSize { required })
            );
            assert!(out.iter().all(|&b| b == 0xAA));
        }
        let mut out = vec![0u8; required + 10];
        let composed = h.compose(&mut out).unwrap();
        assert_eq!(composed.len, required);
        assert!(out[required..].iter().all(|&b| b == 0));
    }

    #[test]
    fn continue_helper() {
        let mut out = [0u8; 32];
        assert_eq!(compose_continue(&mut out), Ok(25));
        assert_eq!(&out[..25], b"HTTP/1.1 100 Continue\r\n\r\n");
        let h = ResponseHead::new(100, Version::Http11);
        let (text, composed) = compose(&h);
        assert_eq!(text.as_bytes(), CONTINUE);
        assert_eq!(composed.framing, Framing::NoBody);
        let mut short = [0u8; 24];
        assert_eq!(
            compose_continue(&mut short),
            Err(ComposeError::InsufficientSize { required: 25 })
        );
        assert_eq!(short, [0; 24]);
    }

    #[test]
    fn errors_display_and_hint() {
        let errors = [
            ComposeError::InsufficientSize { required: 7 },
            ComposeError::InvalidStatus { status: 42 },
            ComposeError::InformationalToHttp10 { status: 100 },
            ComposeError::InvalidFieldName { index: 1 },
            ComposeError::InvalidFieldValue { index: 2 },
            ComposeError::ReservedField { index: 3 },
            ComposeError::InvalidDate,
        ];
        let messages: Vec<String> = errors
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        for (error, message) in errors.iter().zip(&messages) {
            assert!(!message.is_empty());
            assert_eq!(error.status_hint(), 500);
        }
        assert!(messages[0].contains('7'));
        assert!(messages[1].contains("42"));
    }
}
