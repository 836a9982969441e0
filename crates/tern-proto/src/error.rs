//! Errors of the request parser, each with the status a server should answer.

use core::fmt;

/// Generates [`ErrorKind`] with its status hint, its stable name and its
/// message from one table, so no kind can miss a row of any of them.
macro_rules! error_kinds {
    ($($(#[$doc:meta])* $kind:ident => $status:literal, $name:literal, $message:literal;)*) => {
        /// What was wrong with the request. Every kind maps to one response status
        /// ([`ErrorKind::status_hint`]) and one stable snake_case name
        /// ([`ErrorKind::as_str`], used by the conformance driver).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $kind,)*
        }

        impl ErrorKind {
            /// The status code a server should answer this error with.
            #[must_use]
            pub const fn status_hint(self) -> u16 {
                match self {
                    $(Self::$kind => $status,)*
                }
            }

            /// A stable snake_case name, as the conformance driver reports it.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$kind => $name,)*
                }
            }

            /// What was wrong, in a few words (the `Display` text).
            const fn message(self) -> &'static str {
                match self {
                    $(Self::$kind => $message,)*
                }
            }
        }
    };
}

// kind => status hint, stable name, message.
error_kinds! {
    /// The method is not a token (RFC 9112 §3.1).
    InvalidMethod => 400, "invalid_method", "invalid method";
    /// The request line is not `method SP request-target SP HTTP-version` with
    /// exactly one SP between the parts (RFC 9112 §3).
    InvalidRequestLine => 400, "invalid_request_line", "malformed request line";
    /// A byte or form not allowed in the request-target (RFC 9112 §3.2).
    InvalidTarget => 400, "invalid_target", "invalid request-target";
    /// The request-target is longer than the configured limit (RFC 9112 §3 → 414).
    TargetTooLong => 414, "target_too_long", "request-target too long";
    /// The version is not `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
    InvalidVersion => 400, "invalid_version", "malformed HTTP version";
    /// A well-formed version with a major version other than 1 (RFC 9110 §15.6.6 → 505).
    UnsupportedVersion => 505, "unsupported_version", "unsupported HTTP version";
    /// A CR not immediately followed by LF (RFC 9112 §2.2).
    BareCr => 400, "bare_cr", "CR not followed by LF";
    /// A line terminated by LF alone (RFC 9112 §2.2; accepted only when configured).
    BareLf => 400, "bare_lf", "line ends in LF without CR";
    /// A field name that is empty, not a token, or followed by whitespace before
    /// the colon, or a field line without a colon (RFC 9112 §5.1).
    InvalidHeaderName => 400, "invalid_header_name", "invalid field name";
    /// A control character or DEL in a field value (RFC 9110 §5.5).
    InvalidHeaderValue => 400, "invalid_header_value", "invalid byte in field value";
    /// A field line starting with whitespace: obsolete line folding (RFC 9112 §5.2),
    /// or whitespace between the request line and the first field (RFC 9112 §2.2).
    ObsFold => 400, "obs_fold", "obsolete line folding";
    /// The request head is larger than the configured limit (→ 431).
    HeadTooLarge => 431, "head_too_large", "request head too large";
    /// More field lines than the configured limit (→ 431).
    TooManyHeaders => 431, "too_many_headers", "too many header fields";
    /// An HTTP/1.1 request without Host (RFC 9112 §3.2).
    MissingHost => 400, "missing_host", "missing Host";
    /// More than one Host field line (RFC 9112 §3.2).
    DuplicateHost => 400, "duplicate_host", "more than one Host";
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2).
    InvalidHost => 400, "invalid_host", "invalid Host";
    /// A Content-Length value that is not `1*DIGIT` or does not fit in 64 bits
    /// (RFC 9110 §8.6, RFC 9112 §6.3).
    InvalidContentLength => 400, "invalid_content_length", "invalid Content-Length";
    /// Several Content-Length values that differ (RFC 9110 §8.6).
    ConflictingContentLength => 400, "conflicting_content_length",
        "conflicting Content-Length values";
    /// Both Transfer-Encoding and Content-Length (RFC 9112 §6.1, §6.3).
    TransferEncodingWithContentLength => 400, "transfer_encoding_with_content_length",
        "both Transfer-Encoding and Content-Length";
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1).
    TransferEncodingHttp10 => 400, "transfer_encoding_http10",
        "Transfer-Encoding in an HTTP/1.0 request";
    /// A Transfer-Encoding that is empty, malformed, applies chunked more than
    /// once, or does not end in chunked (RFC 9112 §6.1, §6.3).
    InvalidTransferEncoding => 400, "invalid_transfer_encoding", "invalid Transfer-Encoding";
    /// A transfer coding other than chunked, which this parser does not decode
    /// (RFC 9112 §6.1 → 501).
    UnsupportedTransferCoding => 501, "unsupported_transfer_coding", "unsupported transfer coding";
    /// An Expect member other than `100-continue` (RFC 9110 §10.1.1 → 417).
    UnsupportedExpectation => 417, "unsupported_expectation", "unsupported expectation";
    /// The body is larger than the configured limit (→ 413).
    BodyTooLarge => 413, "body_too_large", "request body too large";
    /// A chunk size that is not 1*HEXDIG or overflows 64 bits (RFC 9112 §7.1).
    InvalidChunkSize => 400, "invalid_chunk_size", "invalid chunk size";
    /// A chunk extension outside the chunk-ext grammar (RFC 9112 §7.1.1).
    InvalidChunkExtension => 400, "invalid_chunk_extension", "invalid chunk extension";
    /// The extensions of one chunk are longer than the configured limit.
    ChunkExtensionTooLong => 400, "chunk_extension_too_long", "chunk extension too long";
    /// Chunk data not followed by exactly CRLF (RFC 9112 §7.1).
    InvalidChunkDataEnd => 400, "invalid_chunk_data_end", "chunk data not followed by CRLF";
    /// The trailer section is larger than the configured limit (→ 431).
    TrailersTooLarge => 431, "trailers_too_large", "trailer section too large";
    /// The peer closed the connection in the middle of a request (RFC 9112 §8).
    UnexpectedEof => 400, "unexpected_eof", "connection closed in the middle of a request";
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A request the parser refused: what was wrong, and where.
///
/// After an error the connection is in its terminal `Error` state; the server
/// should answer with [`Error::status_hint`] if it still can
/// ([`Connection::can_send_head`](crate::Connection::can_send_head)) and
/// close. `Display` names the byte offset, for logs; a response body for
/// the client is better served by [`ErrorKind`]'s message (`kind()`'s
/// `Display`), which carries no offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

impl Error {
    pub(crate) const fn new(kind: ErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The offset of the byte where the error was detected, counted from the
    /// start of the input passed to the call that failed.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The status code a server should answer with (400, 413, 414, 417, 431, 501, 505).
    pub const fn status_hint(&self) -> u16 {
        self.kind.status_hint()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl core::error::Error for Error {}

/// A response the connection refused to send: our own misuse of the
/// protocol, not the peer's. Nothing was written and nothing changed; the
/// connection is as it was before the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use]
pub enum SendError {
    /// There is no request to answer (none has arrived, or the peer closed).
    NoRequest,
    /// A second final response: the head of this one was already sent.
    AlreadyResponded,
    /// Body data or its end before the final response head.
    NoHead,
    /// Body data or its end after the response was complete.
    ResponseComplete,
    /// A `100 Continue` the client is not waiting for: it did not send
    /// `Expect: 100-continue` (or has no body), it was already sent, or the
    /// body has already arrived (RFC 9110 §10.1.1).
    UnexpectedContinue,
    /// `101 Switching Protocols`: this connection speaks HTTP/1.1 only.
    SwitchingProtocols,
    /// An interim (1xx) status where only a final response will do
    /// ([`crate::Connection::send_response`]).
    NotFinal,
    /// Body data for a response that has none: to a HEAD request, or a 1xx,
    /// 204 or 304 (RFC 9112 §6.3, item 1).
    BodyNotAllowed,
    /// More body bytes than the head's `Content-Length` promised.
    BodyTooLong {
        /// The length the head promised.
        promised: u64,
        /// What the body would have reached with this call.
        sent: u64,
    },
    /// The end of a body shorter than the head's `Content-Length`: the
    /// client would wait for the missing bytes.
    BodyTooShort {
        /// The length the head promised.
        promised: u64,
        /// What was sent.
        sent: u64,
    },
    /// Trailers for a body that is not chunked: only the chunked coding can
    /// carry them (RFC 9112 §7.1.2).
    TrailersNotChunked,
    /// A prepared head was prepared for another request version or method
    /// than the request being answered.
    PreparedMismatch,
    /// The head or trailers could not be composed.
    Compose(crate::compose::ComposeError),
}

impl SendError {
    /// The status a server would answer with if it reported this error to its
    /// client: these are the server's own errors, so always 500.
    #[must_use]
    pub const fn status_hint(&self) -> u16 {
        500
    }
}

impl From<crate::compose::ComposeError> for SendError {
    fn from(error: crate::compose::ComposeError) -> Self {
        Self::Compose(error)
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoRequest => f.write_str("no request to answer"),
            Self::AlreadyResponded => f.write_str("a final response was already sent"),
            Self::NoHead => f.write_str("body before the response head"),
            Self::ResponseComplete => f.write_str("the response is already complete"),
            Self::UnexpectedContinue => f.write_str("100 Continue the client is not waiting for"),
            Self::SwitchingProtocols => f.write_str("101 Switching Protocols is not supported"),
            Self::NotFinal => f.write_str("an interim status where a final response is due"),
            Self::BodyNotAllowed => f.write_str("body in a response that has none"),
            Self::BodyTooLong { promised, sent } => {
                write!(f, "body of {sent} bytes exceeds Content-Length {promised}")
            }
            Self::BodyTooShort { promised, sent } => {
                write!(f, "body ended at {sent} of Content-Length {promised} bytes")
            }
            Self::TrailersNotChunked => f.write_str("trailers for a body that is not chunked"),
            Self::PreparedMismatch => {
                f.write_str("prepared head for another request version or method")
            }
            Self::Compose(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for SendError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Compose(error) => Some(error),
            _ => None,
        }
    }
}
