//! Zero-copy views of a parsed request head and of a trailer section.

use crate::config::Leniency;
use crate::field::Field;
use crate::framing::{Decision, Framing};
use crate::parse::{FieldSpan, RequestLine};
use crate::uri;
use crate::version::Version;

/// A request method (RFC 9110 §9). The common ones are recognised; any other
/// token is an [`Method::Extension`] (methods are case-sensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH` (RFC 5789)
    Patch,
    /// Any other token; see [`Request::method_bytes`].
    Extension,
}

impl Method {
    #[inline(always)]
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        // Most requests are GETs: one comparison where the method is read,
        // the length switch out of line (inlined, the compiler merged both).
        if bytes == b"GET" {
            return Self::Get;
        }
        Self::from_other_bytes(bytes)
    }

    #[inline(never)]
    fn from_other_bytes(bytes: &[u8]) -> Self {
        match bytes {
            b"GET" => Self::Get,
            b"HEAD" => Self::Head,
            b"POST" => Self::Post,
            b"PUT" => Self::Put,
            b"DELETE" => Self::Delete,
            b"CONNECT" => Self::Connect,
            b"OPTIONS" => Self::Options,
            b"TRACE" => Self::Trace,
            b"PATCH" => Self::Patch,
            _ => Self::Extension,
        }
    }
}

/// The field lines of a head or trailer section, in order, duplicates kept.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    input: &'a [u8],
    spans: core::slice::Iter<'a, FieldSpan>,
}

impl<'a> Fields<'a> {
    /// The value of the first field named `name` (ASCII case-insensitive).
    pub(crate) fn value_of(mut self, name: &[u8]) -> Option<&'a [u8]> {
        self.find(|field| field.name.eq_ignore_ascii_case(name))
            .map(|field| field.value)
    }

    pub(crate) fn new(input: &'a [u8], spans: &'a [FieldSpan]) -> Self {
        Self {
            input,
            spans: spans.iter(),
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let span = self.spans.next()?;
        Some(Field {
            name: &self.input[span.name_start..span.name_end],
            value: &self.input[span.value_start..span.value_end],
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for Fields<'_> {}

/// A parsed request head: a view into the caller's buffer plus the parser's
/// decision on framing and persistence.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) fields: &'a [FieldSpan],
    pub(crate) leniencies: &'a [Leniency],
    pub(crate) facts: HeadFacts,
}

/// What a request head is apart from its bytes and its field and leniency
/// lists: where the request line's parts are and what the parser decided.
/// The borrowed [`Request`] and the owned heads carry the same value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeadFacts {
    pub(crate) line: RequestLine,
    pub(crate) method: Method,
    pub(crate) version: Version,
    pub(crate) decision: Decision,
    pub(crate) head_len: usize,
}

impl<'a> Request<'a> {
    /// The method.
    pub fn method(&self) -> Method {
        self.facts.method
    }

    /// The method exactly as received.
    pub fn method_bytes(&self) -> &'a [u8] {
        &self.input[self.facts.line.method_start..self.facts.line.method_end]
    }

    /// The request-target exactly as received.
    pub fn target(&self) -> &'a [u8] {
        &self.input[self.facts.line.target_start..self.facts.line.target_end]
    }

    /// The path of the request-target, as received (not decoded or
    /// normalised), a slice of it:
    ///
    /// - origin-form (`/a/b?q`): the bytes before the first `?`;
    /// - absolute-form (`http://example.com/a/b?q`): the path after the
    ///   authority; `/` when that is empty (`http://example.com`,
    ///   `http://example.com?q`), as RFC 9110 §4.2.3 makes an empty http(s)
    ///   path; without an authority (`urn:x?q`), what follows the scheme;
    /// - asterisk-form (`*`) and authority-form (CONNECT's `host:port`):
    ///   empty, they have no path.
    ///
    /// ```
    /// # use tern_proto::{Config, Connection, Event, Outcome};
    /// let mut conn = Connection::new(Config::default());
    /// let step = conn.poll_event(b"GET http://example.com/a%20b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")?;
    /// let Outcome::Event(Event::Request(request)) = step.outcome else { unreachable!() };
    /// assert_eq!(request.path(), b"/a%20b");
    /// assert_eq!(request.query(), Some(&b"x=1"[..]));
    /// # Ok::<(), tern_proto::Error>(())
    /// ```
    pub fn path(&self) -> &'a [u8] {
        uri::path_and_query(self.method_bytes(), self.target()).0
    }

    /// The query of the request-target, without its `?`, as received: the
    /// bytes after the first `?` of an origin-form target or of the path of
    /// an absolute-form one. `None` when there is no `?` (and always for the
    /// asterisk- and authority-forms); `Some(b"")` for a `?` with nothing after
    /// it.
    pub fn query(&self) -> Option<&'a [u8]> {
        uri::path_and_query(self.method_bytes(), self.target()).1
    }

    /// The protocol version (`HTTP/1.2`…`HTTP/1.9` count as HTTP/1.1, RFC 9110 §6.2).
    pub fn version(&self) -> Version {
        self.facts.version
    }

    /// The version exactly as received, e.g. `HTTP/1.1`.
    pub fn version_bytes(&self) -> &'a [u8] {
        &self.input[self.facts.line.version_start..self.facts.line.version_start + 8]
    }

    /// The field lines, in order.
    pub fn headers(&self) -> Fields<'a> {
        Fields::new(self.input, self.fields)
    }

    /// The value of the first field named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.headers().value_of(name)
    }

    /// How the body is delimited.
    pub fn framing(&self) -> Framing {
        self.facts.decision.framing
    }

    /// Whether the client wants the connection to persist after this exchange.
    pub fn keep_alive(&self) -> bool {
        self.facts.decision.keep_alive
    }

    /// Whether the client sent `Expect: 100-continue` (HTTP/1.1 only).
    pub fn expects_continue(&self) -> bool {
        self.facts.decision.expects_continue
    }

    /// Whether the client asked for a protocol upgrade (an `Upgrade` field and
    /// `Connection: upgrade`). The parser only reports it.
    pub fn upgrade(&self) -> bool {
        self.facts.decision.upgrade
    }

    /// The length of the head in the input, leading empty lines included.
    pub fn head_len(&self) -> usize {
        self.facts.head_len
    }

    /// The leniencies that fired while parsing this head (always empty with
    /// the default configuration). Offsets are relative to the same input as
    /// the spans.
    pub fn leniencies(&self) -> &'a [Leniency] {
        self.leniencies
    }

    /// The head as an `http::Request<()>`.
    #[cfg(feature = "http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn to_http(&self) -> Result<http::Request<()>, http::Error> {
        let mut builder = http::Request::builder()
            .method(http::Method::from_bytes(self.method_bytes())?)
            .uri(http::Uri::try_from(self.target())?)
            .version(match self.facts.version {
                Version::Http10 => http::Version::HTTP_10,
                Version::Http11 => http::Version::HTTP_11,
            });
        for field in self.headers() {
            builder = builder.header(
                http::HeaderName::from_bytes(field.name)?,
                http::HeaderValue::from_bytes(field.value)?,
            );
        }
        builder.body(())
    }
}

/// The trailer section of a chunked body; empty for other bodies.
#[derive(Clone, Copy, Debug)]
pub struct Trailers<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) fields: &'a [FieldSpan],
    pub(crate) leniencies: &'a [Leniency],
}

impl<'a> Trailers<'a> {
    /// The trailer field lines, in order.
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.input, self.fields)
    }

    /// The value of the first trailer field named `name` (ASCII
    /// case-insensitive), as [`Request::header`] for the head.
    pub fn field(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.fields().value_of(name)
    }

    /// Whether there are no trailer fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The leniencies that fired in the body's chunk lines and trailer section
    /// (always empty with the default configuration). Each offset counts from
    /// the start of the input passed to the call that read that byte.
    pub fn leniencies(&self) -> &'a [Leniency] {
        self.leniencies
    }
}
