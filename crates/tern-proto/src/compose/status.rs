//! Status lines, pre-rendered (the Warp `Status 200 "200" "OK"` idea).
//!
//! Every status code assigned in the IANA "HTTP Status Code Registry" has its
//! whole status line, `HTTP/1.x NNN Reason\r\n`, stored as a `static` byte
//! string for both versions, so composing a response never formats a number
//! or looks up a reason phrase: it copies one slice.
//!
//! Which codes the table holds, and why, is documented in the
//! [parent module](super#status-lines).

use crate::Version;

/// Generates [`reason_phrase`] and the two status-line lookups from one list,
/// so the reason phrase of a code cannot differ between them.
macro_rules! status_table {
    ($($code:literal $reason:literal,)*) => {
        /// The reason phrase of a status code assigned in the IANA HTTP Status
        /// Code Registry, or `None` for any other code (including the reserved
        /// `306` and `418`, see [status lines](super#status-lines)).
        ///
        /// ```
        /// use tern_proto::compose::reason_phrase;
        /// assert_eq!(reason_phrase(404), Some("Not Found"));
        /// assert_eq!(reason_phrase(599), None);
        /// ```
        #[must_use]
        pub const fn reason_phrase(status: u16) -> Option<&'static str> {
            match status {
                $($code => Some($reason),)*
                _ => None,
            }
        }

        const fn line_http11(status: u16) -> Option<&'static [u8]> {
            match status {
                $($code => Some(concat!("HTTP/1.1 ", $code, " ", $reason, "\r\n").as_bytes()),)*
                _ => None,
            }
        }

        const fn line_http10(status: u16) -> Option<&'static [u8]> {
            match status {
                $($code => Some(concat!("HTTP/1.0 ", $code, " ", $reason, "\r\n").as_bytes()),)*
                _ => None,
            }
        }
    };
}

status_table! {
    100 "Continue",
    101 "Switching Protocols",
    102 "Processing",
    103 "Early Hints",
    200 "OK",
    201 "Created",
    202 "Accepted",
    203 "Non-Authoritative Information",
    204 "No Content",
    205 "Reset Content",
    206 "Partial Content",
    207 "Multi-Status",
    208 "Already Reported",
    226 "IM Used",
    300 "Multiple Choices",
    301 "Moved Permanently",
    302 "Found",
    303 "See Other",
    304 "Not Modified",
    305 "Use Proxy",
    307 "Temporary Redirect",
    308 "Permanent Redirect",
    400 "Bad Request",
    401 "Unauthorized",
    402 "Payment Required",
    403 "Forbidden",
    404 "Not Found",
    405 "Method Not Allowed",
    406 "Not Acceptable",
    407 "Proxy Authentication Required",
    408 "Request Timeout",
    409 "Conflict",
    410 "Gone",
    411 "Length Required",
    412 "Precondition Failed",
    413 "Content Too Large",
    414 "URI Too Long",
    415 "Unsupported Media Type",
    416 "Range Not Satisfiable",
    417 "Expectation Failed",
    421 "Misdirected Request",
    422 "Unprocessable Content",
    423 "Locked",
    424 "Failed Dependency",
    425 "Too Early",
    426 "Upgrade Required",
    428 "Precondition Required",
    429 "Too Many Requests",
    431 "Request Header Fields Too Large",
    451 "Unavailable For Legal Reasons",
    500 "Internal Server Error",
    501 "Not Implemented",
    502 "Bad Gateway",
    503 "Service Unavailable",
    504 "Gateway Timeout",
    505 "HTTP Version Not Supported",
    506 "Variant Also Negotiates",
    507 "Insufficient Storage",
    508 "Loop Detected",
    510 "Not Extended",
    511 "Network Authentication Required",
}

/// The pre-rendered status line (`HTTP/1.1 200 OK\r\n`, CRLF included) of a
/// status code assigned in the registry, or `None` for any other code (see
/// [status lines](super#status-lines)).
///
/// ```
/// use tern_proto::{Version, compose::status_line};
/// assert_eq!(status_line(Version::Http11, 200), Some(&b"HTTP/1.1 200 OK\r\n"[..]));
/// assert_eq!(status_line(Version::Http10, 599), None);
/// ```
#[must_use]
#[inline]
pub const fn status_line(version: Version, status: u16) -> Option<&'static [u8]> {
    match version {
        Version::Http11 => line_http11(status),
        Version::Http10 => line_http10(status),
    }
}

/// Length of a status line rendered without a table entry:
/// `HTTP/1.x NNN \r\n`.
pub(super) const GENERIC_LINE_LEN: usize = 15;

/// Renders the status line of a code in `100..=999` that has no table entry,
/// with an empty reason phrase, into `out` (exactly [`GENERIC_LINE_LEN`]
/// bytes).
#[inline]
pub(super) fn write_generic_line(version: Version, status: u16, out: &mut [u8]) {
    debug_assert!((100..=999).contains(&status));
    debug_assert_eq!(out.len(), GENERIC_LINE_LEN);
    out[..8].copy_from_slice(version.as_bytes());
    #[allow(clippy::cast_possible_truncation)]
    let digits = [
        b'0' + (status / 100) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ];
    out[8] = b' ';
    out[9..12].copy_from_slice(&digits);
    out[12..].copy_from_slice(b" \r\n");
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::format;

    #[test]
    fn lines_agree_with_reason_phrase() {
        for status in 0..=u16::MAX {
            let reason = reason_phrase(status);
            for (version, text) in [(Version::Http10, "HTTP/1.0"), (Version::Http11, "HTTP/1.1")] {
                let line = status_line(version, status);
                match reason {
                    Some(reason) => {
                        let expected = format!("{text} {status} {reason}\r\n");
                        assert_eq!(line, Some(expected.as_bytes()));
                    }
                    None => assert_eq!(line, None),
                }
            }
        }
    }

    #[test]
    fn reserved_and_temporary_codes_have_no_entry() {
        for status in [104, 306, 418, 419, 420, 427, 430, 509, 599, 600, 999] {
            assert_eq!(reason_phrase(status), None, "{status}");
        }
    }

    #[test]
    fn generic_line() {
        let mut out = [0u8; GENERIC_LINE_LEN];
        write_generic_line(Version::Http11, 599, &mut out);
        assert_eq!(&out, b"HTTP/1.1 599 \r\n");
        write_generic_line(Version::Http10, 100, &mut out);
        assert_eq!(&out, b"HTTP/1.0 100 \r\n");
        write_generic_line(Version::Http11, 999, &mut out);
        assert_eq!(&out, b"HTTP/1.1 999 \r\n");
    }
}
