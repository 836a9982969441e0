//! Errors of the request parser, each with the status a server should answer.

use core::fmt;

/// What was wrong with the request. Every kind maps to one response status
/// ([`ErrorKind::status_hint`]) and one stable snake_case name
/// ([`ErrorKind::as_str`], used by the conformance driver).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The method is not a token (RFC 9112 §3.1).
    InvalidMethod,
    /// The request line is not `method SP request-target SP HTTP-version` with
    /// exactly one SP between the parts (RFC 9112 §3).
    InvalidRequestLine,
    /// A byte or form not allowed in the request-target (RFC 9112 §3.2).
    InvalidTarget,
    /// The request-target is longer than the configured limit (RFC 9112 §3 → 414).
    TargetTooLong,
    /// The version is not `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
    InvalidVersion,
    /// A well-formed version with a major version other than 1 (RFC 9110 §15.6.6 → 505).
    UnsupportedVersion,
    /// A CR not immediately followed by LF (RFC 9112 §2.2).
    BareCr,
    /// A line terminated by LF alone (RFC 9112 §2.2; accepted only when configured).
    BareLf,
    /// A field name that is empty, not a token, or followed by whitespace before
    /// the colon, or a field line without a colon (RFC 9112 §5.1).
    InvalidHeaderName,
    /// A control character or DEL in a field value (RFC 9110 §5.5).
    InvalidHeaderValue,
    /// A field line starting with whitespace: obsolete line folding (RFC 9112 §5.2),
    /// or whitespace between the request line and the first field (RFC 9112 §2.2).
    ObsFold,
    /// The request head is larger than the configured limit (→ 431).
    HeadTooLarge,
    /// More field lines than the configured limit (→ 431).
    TooManyHeaders,
    /// An HTTP/1.1 request without Host (RFC 9112 §3.2).
    MissingHost,
    /// More than one Host field line (RFC 9112 §3.2).
    DuplicateHost,
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2).
    InvalidHost,
    /// A Content-Length value that is not `1*DIGIT` or does not fit in 64 bits
    /// (RFC 9110 §8.6, RFC 9112 §6.3).
    InvalidContentLength,
    /// Several Content-Length values that differ (RFC 9110 §8.6).
    ConflictingContentLength,
    /// Both Transfer-Encoding and Content-Length (RFC 9112 §6.1, §6.3).
    TransferEncodingWithContentLength,
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1).
    TransferEncodingHttp10,
    /// A Transfer-Encoding that is empty, malformed, applies chunked more than
    /// once, or does not end in chunked (RFC 9112 §6.1, §6.3).
    InvalidTransferEncoding,
    /// A transfer coding other than chunked, which this parser does not decode
    /// (RFC 9112 §6.1 → 501).
    UnsupportedTransferCoding,
    /// An Expect member other than `100-continue` (RFC 9110 §10.1.1 → 417).
    UnsupportedExpectation,
    /// The body is larger than the configured limit (→ 413).
    BodyTooLarge,
    /// A chunk size that is not 1*HEXDIG or overflows 64 bits (RFC 9112 §7.1).
    InvalidChunkSize,
    /// A chunk extension outside the chunk-ext grammar (RFC 9112 §7.1.1).
    InvalidChunkExtension,
    /// The extensions of one chunk are longer than the configured limit.
    ChunkExtensionTooLong,
    /// Chunk data not followed by exactly CRLF (RFC 9112 §7.1).
    InvalidChunkDataEnd,
    /// The trailer section is larger than the configured limit (→ 431).
    TrailersTooLarge,
    /// The peer closed the connection in the middle of a request (RFC 9112 §8).
    UnexpectedEof,
}

impl ErrorKind {
    /// The status code a server should answer this error with.
    #[must_use]
    pub const fn status_hint(self) -> u16 {
        match self {
            Self::TargetTooLong => 414,
            Self::UnsupportedVersion => 505,
            Self::HeadTooLarge | Self::TooManyHeaders | Self::TrailersTooLarge => 431,
            Self::UnsupportedTransferCoding => 501,
            Self::UnsupportedExpectation => 417,
            Self::BodyTooLarge => 413,
            _ => 400,
        }
    }

    /// A stable snake_case name, as the conformance driver reports it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidMethod => "invalid_method",
            Self::InvalidRequestLine => "invalid_request_line",
            Self::InvalidTarget => "invalid_target",
            Self::TargetTooLong => "target_too_long",
            Self::InvalidVersion => "invalid_version",
            Self::UnsupportedVersion => "unsupported_version",
            Self::BareCr => "bare_cr",
            Self::BareLf => "bare_lf",
            Self::InvalidHeaderName => "invalid_header_name",
            Self::InvalidHeaderValue => "invalid_header_value",
            Self::ObsFold => "obs_fold",
            Self::HeadTooLarge => "head_too_large",
            Self::TooManyHeaders => "too_many_headers",
            Self::MissingHost => "missing_host",
            Self::DuplicateHost => "duplicate_host",
            Self::InvalidHost => "invalid_host",
            Self::InvalidContentLength => "invalid_content_length",
            Self::ConflictingContentLength => "conflicting_content_length",
            Self::TransferEncodingWithContentLength => "transfer_encoding_with_content_length",
            Self::TransferEncodingHttp10 => "transfer_encoding_http10",
            Self::InvalidTransferEncoding => "invalid_transfer_encoding",
            Self::UnsupportedTransferCoding => "unsupported_transfer_coding",
            Self::UnsupportedExpectation => "unsupported_expectation",
            Self::BodyTooLarge => "body_too_large",
            Self::InvalidChunkSize => "invalid_chunk_size",
            Self::InvalidChunkExtension => "invalid_chunk_extension",
            Self::ChunkExtensionTooLong => "chunk_extension_too_long",
            Self::InvalidChunkDataEnd => "invalid_chunk_data_end",
            Self::TrailersTooLarge => "trailers_too_large",
            Self::UnexpectedEof => "unexpected_eof",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidMethod => "invalid method",
            Self::InvalidRequestLine => "malformed request line",
            Self::InvalidTarget => "invalid request-target",
            Self::TargetTooLong => "request-target too long",
            Self::InvalidVersion => "malformed HTTP version",
            Self::UnsupportedVersion => "unsupported HTTP version",
            Self::BareCr => "CR not followed by LF",
            Self::BareLf => "line ends in LF without CR",
            Self::InvalidHeaderName => "invalid field name",
            Self::InvalidHeaderValue => "invalid byte in field value",
            Self::ObsFold => "obsolete line folding",
            Self::HeadTooLarge => "request head too large",
            Self::TooManyHeaders => "too many header fields",
            Self::MissingHost => "missing Host",
            Self::DuplicateHost => "more than one Host",
            Self::InvalidHost => "invalid Host",
            Self::InvalidContentLength => "invalid Content-Length",
            Self::ConflictingContentLength => "conflicting Content-Length values",
            Self::TransferEncodingWithContentLength => "both Transfer-Encoding and Content-Length",
            Self::TransferEncodingHttp10 => "Transfer-Encoding in an HTTP/1.0 request",
            Self::InvalidTransferEncoding => "invalid Transfer-Encoding",
            Self::UnsupportedTransferCoding => "unsupported transfer coding",
            Self::UnsupportedExpectation => "unsupported expectation",
            Self::BodyTooLarge => "request body too large",
            Self::InvalidChunkSize => "invalid chunk size",
            Self::InvalidChunkExtension => "invalid chunk extension",
            Self::ChunkExtensionTooLong => "chunk extension too long",
            Self::InvalidChunkDataEnd => "chunk data not followed by CRLF",
            Self::TrailersTooLarge => "trailer section too large",
            Self::UnexpectedEof => "connection closed in the middle of a request",
        })
    }
}

/// A request the parser refused: what was wrong, and where.
///
/// After an error the connection is in its terminal `Error` state; the server
/// should answer with [`Error::status_hint`] and close.
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
