//! What a complete request head means for the connection: how its body is
//! delimited, whether the connection persists, what the client expects.
//!
//! This is one function of the head, written as a table over RFC 9112 §6.1,
//! §6.3, §9.3, §9.6 and §3.2, so that servers receive the decision instead of
//! re-deriving it (where most request-smuggling bugs live):
//!
//! ```text
//! check, in order                               outcome
//! ------------------------------------------    -----------------------------------
//! more than one Host line                       reject 400 duplicate_host
//! HTTP/1.1 and no Host                          reject 400 missing_host
//! Host not uri-host [":" port]                  reject 400 invalid_host
//! Transfer-Encoding and HTTP/1.0                reject 400 transfer_encoding_http10
//! Transfer-Encoding and Content-Length          reject 400 transfer_encoding_with_content_length
//! Transfer-Encoding malformed / not exactly     reject 400 invalid_transfer_encoding
//!   one chunked, last
//! Transfer-Encoding names a coding ≠ chunked    reject 501 unsupported_transfer_coding
//!   before the final chunked
//! Transfer-Encoding: chunked                    body chunked
//! Content-Length not 1*DIGIT / overflows        reject 400 invalid_content_length
//! Content-Length values differ                  reject 400 conflicting_content_length
//! Content-Length: N (all values identical)      body length N
//! neither                                       no body (RFC 9112 §6.3 rule 7)
//! declared length over the body limit           reject 413 body_too_large
//! HTTP/1.1 Expect member ≠ 100-continue         reject 417 unsupported_expectation
//! HTTP/1.1 Expect: 100-continue                 expects_continue
//! HTTP/1.1                                      persistent unless Connection: close
//! HTTP/1.0                                      persistent only with Connection: keep-alive
//!                                                 (and no close)
//! Upgrade field and Connection: upgrade         upgrade requested (reported only)
//! ```

use crate::config::Config;
use crate::error::ErrorKind;
use crate::parse::{Failure, FieldSpan};
use crate::simd;
use crate::tables;
use crate::uri;
use crate::version::Version;

/// How a message body is delimited (RFC 9112 §6.3), in either direction:
/// what a request head says of the body that follows
/// ([`Request::framing`](crate::Request::framing)), and what the caller must
/// send after a composed response head
/// ([`Composed::framing`](crate::compose::Composed::framing)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Framing {
    /// Nothing follows the head. A request without Content-Length or
    /// Transfer-Encoding (RFC 9112 §6.3 rule 7); a response that cannot
    /// carry content: interim (1xx), 204, 304, or an answer to HEAD. The
    /// next message may follow at once.
    NoBody,
    /// Exactly this many bytes (Content-Length), possibly zero.
    Length(u64),
    /// The chunked transfer coding: decoded by the connection on receipt;
    /// sent with [`encode_chunk`](crate::compose::encode_chunk) and ended by
    /// [`encode_last_chunk`](crate::compose::encode_last_chunk).
    Chunked,
    /// Responses only: the body is sent as is and ends when the connection
    /// closes (an HTTP/1.0 response of unknown length). A request body is
    /// never close-delimited (RFC 9112 §6.3 rule 7).
    CloseDelimited,
}

/// The decision for one request head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) framing: Framing,
    pub(crate) keep_alive: bool,
    pub(crate) expects_continue: bool,
    pub(crate) upgrade: bool,
}

/// Field names with a meaning for framing or the connection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    Expect,
    Upgrade,
}

/// Bit `n` is set when a known name is `n` bytes long: 4, 6, 7, 10, 14 and
/// 17 (a test derives it from the names).
const KNOWN_LENGTHS: u64 = 0x2_44d0;

/// The known name of `field`, if it has one.
#[inline(always)]
fn known(input: &[u8], field: &FieldSpan) -> Option<Known> {
    // One bit test rules out most names by their length alone, before the
    // name is read (a length of 64 or more is tested as its remainder, and
    // then compared in full); most of the rest (Accept, Cookie, User-Agent)
    // differ from the known name of their length in the first byte.
    let len = field.name_end.wrapping_sub(field.name_start);
    if KNOWN_LENGTHS >> (len % 64) & 1 == 0 {
        return None;
    }
    let name = &input[field.name_start..field.name_end];
    let is = |lowercase: &[u8]| {
        name.first().map(|&byte| byte | 0x20) == lowercase.first().copied()
            && tables::eq_lowercase(name, lowercase)
    };
    match len {
        4 if is(b"host") => Some(Known::Host),
        6 if is(b"expect") => Some(Known::Expect),
        7 if is(b"upgrade") => Some(Known::Upgrade),
        10 if is(b"connection") => Some(Known::Connection),
        14 if is(b"content-length") => Some(Known::ContentLength),
        17 if is(b"transfer-encoding") => Some(Known::TransferEncoding),
        _ => None,
    }
}

/// Splits a list-valued field (RFC 9110 §5.6.1) into its non-empty members,
/// each trimmed of OWS.
pub(crate) fn list_members(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(|member| member.trim_ascii())
        .filter(|member| !member.is_empty())
}

/// What the Transfer-Encoding lines read so far add up to, as the codings
/// they list arrive in order (RFC 9112 §6.1, §6.3 item 4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum TransferCodings {
    /// No Transfer-Encoding line.
    #[default]
    Absent,
    /// Codings Tern does not decode, and no chunked yet.
    Unchunked,
    /// One chunked, last, and nothing before it.
    Chunked,
    /// One chunked, last, after codings Tern does not decode.
    ChunkedAfterOthers,
    /// A framing that cannot be sound whatever follows: a malformed or empty
    /// list, chunked twice, or a coding after chunked.
    Unsound,
}

impl TransferCodings {
    fn add_line(&mut self, value: &[u8]) {
        // The common value, a list of one `chunked`, needs no split.
        if tables::eq_lowercase(value, b"chunked") {
            *self = self.then_chunked();
            return;
        }
        // A line that names no coding at all says nothing a sender would mean;
        // refusing it leaves no room for two readings (spec FRAME rules).
        if list_members(value).next().is_none() {
            *self = Self::Unsound;
            return;
        }
        for member in list_members(value) {
            // transfer-coding = token *( OWS ";" OWS transfer-parameter ) (RFC 9112 §7).
            let (name, params) = match memchr::memchr(b';', member) {
                Some(i) => (member[..i].trim_ascii_end(), Some(&member[i..])),
                None => (member, None),
            };
            *self = if !tables::is_token(name) {
                Self::Unsound
            } else if tables::eq_lowercase(name, b"chunked") {
                // chunked defines no parameters.
                if params.is_some() {
                    Self::Unsound
                } else {
                    self.then_chunked()
                }
            } else {
                // Its parameters do not matter: the coding is refused (501
                // when the list is otherwise sound).
                self.then_other()
            };
        }
    }

    /// After one more `chunked`: a second one, or one after a sound
    /// chunked, can never be sound.
    fn then_chunked(self) -> Self {
        match self {
            Self::Absent => Self::Chunked,
            Self::Unchunked => Self::ChunkedAfterOthers,
            Self::Chunked | Self::ChunkedAfterOthers | Self::Unsound => Self::Unsound,
        }
    }

    /// After one more coding other than chunked: chunked is then no longer
    /// last, and a second chunked could not make it sound again.
    fn then_other(self) -> Self {
        match self {
            Self::Absent | Self::Unchunked => Self::Unchunked,
            Self::Chunked | Self::ChunkedAfterOthers | Self::Unsound => Self::Unsound,
        }
    }

    /// A list whose framing is unsound is a 400 even when it also names a
    /// coding Tern does not decode: when chunked is not the final coding the
    /// server MUST answer 400 (RFC 9112 §6.3 item 4), where 501 for an
    /// unknown coding is a SHOULD (§6.1). Only a sound list ending in one
    /// chunked gets 501 for the codings before it.
    fn check(self) -> Result<(), ErrorKind> {
        match self {
            Self::Chunked => Ok(()),
            Self::ChunkedAfterOthers => Err(ErrorKind::UnsupportedTransferCoding),
            Self::Absent | Self::Unchunked | Self::Unsound => {
                Err(ErrorKind::InvalidTransferEncoding)
            }
        }
    }
}

/// Parses one Content-Length line: `1*DIGIT`, or a list of identical ones
/// (RFC 9110 §8.6 lets a recipient accept `42, 42`).
fn content_length_line(value: &[u8]) -> Result<u64, ErrorKind> {
    let mut length = None;
    for member in value.split(|&b| b == b',') {
        let member = member.trim_ascii();
        if member.is_empty() || !member.iter().all(u8::is_ascii_digit) {
            return Err(ErrorKind::InvalidContentLength);
        }
        let mut n: u64 = 0;
        for &digit in member {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(digit - b'0')))
                .ok_or(ErrorKind::InvalidContentLength)?;
        }
        match length {
            Some(previous) if previous != n => return Err(ErrorKind::ConflictingContentLength),
            _ => length = Some(n),
        }
    }
    length.ok_or(ErrorKind::InvalidContentLength)
}

/// `uri::host_is_valid(value)` for the Host value that starts at `start` in
/// `input`. Its usual form, a plain reg-name, is recognised by scanning
/// `input` from there, which a vector scan reads in whole blocks: what
/// follows the value (OWS, CR) is no reg-name byte, so the scan stops inside
/// the value or at its end. Anything else is `uri::host_is_valid`'s to judge.
#[inline(always)]
fn host_is_valid(input: &[u8], start: usize, value: &[u8], scalar_only: bool) -> bool {
    value.is_empty()
        || simd::skip_reg_name(input, start, scalar_only) - start >= value.len()
        || uri::host_is_valid(value)
}

/// The Host lines seen so far: how many, and where the last one's value is.
#[derive(Clone, Copy)]
struct HostLines {
    count: usize,
    value_start: usize,
    value_end: usize,
}

impl HostLines {
    const NONE: Self = Self {
        count: 0,
        value_start: 0,
        value_end: 0,
    };

    fn add(&mut self, field: &FieldSpan) {
        self.count += 1;
        self.value_start = field.value_start;
        self.value_end = field.value_end;
    }

    /// The first three checks of the module table.
    #[inline(always)]
    fn check(&self, input: &[u8], http11: bool, config: &Config) -> Result<(), ErrorKind> {
        if self.count > 1 {
            return Err(ErrorKind::DuplicateHost);
        }
        if self.count == 0 && http11 {
            return Err(ErrorKind::MissingHost);
        }
        let value = &input[self.value_start..self.value_end];
        if !host_is_valid(input, self.value_start, value, config.scalar_only) {
            return Err(ErrorKind::InvalidHost);
        }
        Ok(())
    }
}

/// What the Connection lines read so far say, while each is one option
/// (`keep-alive` or `close`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Persistence {
    Unsaid,
    KeepAlive,
    Close,
}

impl Persistence {
    /// Adds a Connection line's value if it is one option of these; false
    /// (nothing added) for anything else. The parser trimmed its OWS.
    #[inline(always)]
    fn add_option(&mut self, value: &[u8]) -> bool {
        if tables::eq_lowercase(value, b"keep-alive") {
            if *self == Self::Unsaid {
                *self = Self::KeepAlive;
            }
        } else if tables::eq_lowercase(value, b"close") {
            *self = Self::Close;
        } else {
            return false;
        }
        true
    }

    /// Whether the connection persists (RFC 9112 §9.3).
    fn keep_alive(self, http11: bool) -> bool {
        match self {
            Self::Unsaid => http11,
            Self::KeepAlive => true,
            Self::Close => false,
        }
    }
}

/// Decides framing and persistence for a complete head (see the module table).
/// `head_end` is where errors found here are reported.
#[inline]
pub(crate) fn decide(
    input: &[u8],
    version: Version,
    fields: &[FieldSpan],
    config: &Config,
    head_end: usize,
) -> Result<Decision, Failure> {
    // Most heads name no known field but Host, and Connection with one
    // option: this pass tracks those alone, and the whole table takes over
    // at the first other known line, so that the common head carries none
    // of its state.
    let mut host = HostLines::NONE;
    let mut persistence = Persistence::Unsaid;
    let mut rest = fields.iter();
    while let Some(field) = rest.next() {
        match known(input, field) {
            None => {}
            Some(Known::Host) => host.add(field),
            Some(Known::Connection)
                if persistence.add_option(&input[field.value_start..field.value_end]) => {}
            Some(_) => {
                let from = fields.len() - rest.len() - 1;
                return decide_all(
                    input,
                    version,
                    &fields[from..],
                    (host, persistence),
                    config,
                    head_end,
                );
            }
        }
    }
    let http11 = version == Version::Http11;
    host.check(input, http11, config)
        .map_err(|kind| (kind, head_end))?;
    Ok(Decision {
        framing: Framing::NoBody,
        keep_alive: persistence.keep_alive(http11),
        expects_continue: false,
        upgrade: false,
    })
}

/// `decide` from the first field with a known name other than Host on,
/// given the Host lines before it.
#[inline]
fn decide_all(
    input: &[u8],
    version: Version,
    fields: &[FieldSpan],
    (mut host, persistence): (HostLines, Persistence),
    config: &Config,
    head_end: usize,
) -> Result<Decision, Failure> {
    let http11 = version == Version::Http11;
    let mut content_length: Option<Result<u64, ErrorKind>> = None;
    let mut codings = TransferCodings::default();
    let mut close = persistence == Persistence::Close;
    let mut keep_alive_token = persistence == Persistence::KeepAlive;
    let mut upgrade_token = false;
    let mut upgrade_field = false;
    let mut expects_continue = false;
    let mut unsupported_expectation = false;

    for field in fields {
        let Some(kind) = known(input, field) else {
            continue;
        };
        let value = &input[field.value_start..field.value_end];
        match kind {
            Known::Host => host.add(field),
            Known::ContentLength => {
                let line = content_length_line(value);
                content_length = Some(match (content_length, line) {
                    (Some(Err(e)), _) | (_, Err(e)) => Err(e),
                    (Some(Ok(a)), Ok(b)) if a != b => Err(ErrorKind::ConflictingContentLength),
                    (_, Ok(b)) => Ok(b),
                });
            }
            Known::TransferEncoding => codings.add_line(value),
            // Most values are one option: compared whole (the parser
            // trimmed their OWS), they need no split.
            Known::Connection if tables::eq_lowercase(value, b"keep-alive") => {
                keep_alive_token = true;
            }
            Known::Connection if tables::eq_lowercase(value, b"close") => close = true,
            Known::Connection => {
                for token in list_members(value) {
                    close |= tables::eq_lowercase(token, b"close");
                    keep_alive_token |= tables::eq_lowercase(token, b"keep-alive");
                    upgrade_token |= tables::eq_lowercase(token, b"upgrade");
                }
            }
            Known::Expect => {
                for member in list_members(value) {
                    if tables::eq_lowercase(member, b"100-continue") {
                        expects_continue = true;
                    } else {
                        unsupported_expectation = true;
                    }
                }
            }
            Known::Upgrade => upgrade_field = true,
        }
    }

    let fail = |kind| Err((kind, head_end));
    if let Err(kind) = host.check(input, http11, config) {
        return fail(kind);
    }
    let framing = if codings != TransferCodings::Absent {
        if !http11 {
            return fail(ErrorKind::TransferEncodingHttp10);
        }
        if content_length.is_some() {
            return fail(ErrorKind::TransferEncodingWithContentLength);
        }
        if let Err(kind) = codings.check() {
            return fail(kind);
        }
        Framing::Chunked
    } else {
        match content_length {
            None => Framing::NoBody,
            Some(Ok(n)) => Framing::Length(n),
            Some(Err(kind)) => return fail(kind),
        }
    };
    if let (Framing::Length(n), Some(max)) = (framing, config.max_body_len)
        && n > max
    {
        return fail(ErrorKind::BodyTooLarge);
    }
    if http11 && unsupported_expectation {
        return fail(ErrorKind::UnsupportedExpectation);
    }
    Ok(Decision {
        framing,
        keep_alive: !close && (http11 || keep_alive_token),
        expects_continue: http11 && expects_continue,
        // RFC 9110 §7.8: a server MUST ignore Upgrade in an HTTP/1.0 request.
        upgrade: http11 && upgrade_field && upgrade_token,
    })
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    /// `decide` over field lines given as `name: value` strings.
    fn decide_lines(version: Version, lines: &[&str]) -> Result<Decision, ErrorKind> {
        let mut input = Vec::new();
        let mut fields = Vec::new();
        for line in lines {
            let (name, value) = line.split_once(": ").expect("name: value");
            let name_start = input.len();
            input.extend_from_slice(name.as_bytes());
            let name_end = input.len();
            input.extend_from_slice(b": ");
            let value_start = input.len();
            input.extend_from_slice(value.as_bytes());
            fields.push(FieldSpan {
                name_start,
                name_end,
                value_start,
                value_end: input.len(),
            });
            input.extend_from_slice(b"\r\n");
        }
        decide(&input, version, &fields, &Config::default(), 7).map_err(|(kind, at)| {
            assert_eq!(at, 7);
            kind
        })
    }

    #[test]
    fn known_lengths_are_those_of_the_known_names() {
        let names: [&[u8]; 6] = [
            b"host",
            b"expect",
            b"upgrade",
            b"connection",
            b"content-length",
            b"transfer-encoding",
        ];
        let bits = names.iter().fold(0u64, |bits, name| bits | 1 << name.len());
        assert_eq!(KNOWN_LENGTHS, bits);
    }

    // The first pass reads Host and one-option Connection lines alone and
    // hands the rest to the whole table: the same head must get the same
    // decision whichever pass reads each line.
    #[test]
    fn the_first_pass_and_the_whole_table_agree() {
        use Version::{Http10, Http11};
        let keep_alive =
            |version, lines: &[&str]| decide_lines(version, lines).map(|d| d.keep_alive);
        // Before and after a line that hands over (Content-Length).
        for after in [false, true] {
            let with = |lines: &[&'static str]| {
                let mut all: Vec<&str> = alloc::vec!["Host: a"];
                if !after {
                    all.push("Content-Length: 0");
                }
                all.extend_from_slice(lines);
                if after {
                    all.push("Content-Length: 0");
                }
                all
            };
            assert_eq!(keep_alive(Http11, &with(&[])), Ok(true));
            assert_eq!(keep_alive(Http10, &with(&[])), Ok(false));
            assert_eq!(
                keep_alive(Http10, &with(&["Connection: Keep-Alive"])),
                Ok(true)
            );
            assert_eq!(keep_alive(Http11, &with(&["Connection: close"])), Ok(false));
            for lines in [
                &["Connection: keep-alive", "Connection: CLOSE"][..],
                &["Connection: close", "Connection: keep-alive"],
                &["Connection: keep-alive, close"],
            ] {
                assert_eq!(keep_alive(Http10, &with(lines)), Ok(false), "{lines:?}");
                assert_eq!(keep_alive(Http11, &with(lines)), Ok(false), "{lines:?}");
            }
            // Duplicate and missing Host lines, on either side of the hand-over.
            assert_eq!(
                decide_lines(Http11, &with(&["Host: b"])),
                Err(ErrorKind::DuplicateHost)
            );
        }
        assert_eq!(
            decide_lines(Http11, &["Connection: close"]),
            Err(ErrorKind::MissingHost)
        );
        assert_eq!(
            decide_lines(Http11, &["Host: a b"]),
            Err(ErrorKind::InvalidHost)
        );
        let upgrade = decide_lines(
            Http11,
            &[
                "Host: a",
                "Connection: keep-alive",
                "Connection: upgrade",
                "Upgrade: x",
            ],
        );
        assert_eq!(upgrade.map(|d| (d.upgrade, d.keep_alive)), Ok((true, true)));
        // An Upgrade field is needed, not any name of its length.
        let no_upgrade = decide_lines(Http11, &["Host: a", "Connection: upgrade", "Referer: x"]);
        assert_eq!(no_upgrade.map(|d| d.upgrade), Ok(false));
        // Names that only look like known ones: same length, same first
        // byte, or a length that is a known one's plus 64.
        let x64 = "x".repeat(64);
        for name in [
            "Hose",
            "Connexion",
            "User-Agent",
            "Connectiox",
            "Referer",
            "Content-Lengths",
            "Cookie",
            &alloc::format!("Host{x64}"),
        ] {
            let line = alloc::format!("{name}: close");
            assert_eq!(
                decide_lines(Http11, &["Host: a", &line]),
                Ok(Decision {
                    framing: Framing::NoBody,
                    keep_alive: true,
                    expects_continue: false,
                    upgrade: false,
                }),
                "{name}"
            );
        }
        assert_eq!(
            decide_lines(Http11, &["HOST: a", "CONNECTION: close"]).map(|d| d.keep_alive),
            Ok(false)
        );
    }

    #[test]
    fn content_length_lists() {
        assert_eq!(content_length_line(b"42"), Ok(42));
        assert_eq!(content_length_line(b"042"), Ok(42));
        assert_eq!(content_length_line(b"42, 42"), Ok(42));
        assert_eq!(
            content_length_line(b"42, 43"),
            Err(ErrorKind::ConflictingContentLength)
        );
        for bad in [
            &b""[..],
            b"+1",
            b"-1",
            b"1 2",
            b"0x10",
            b"42,",
            b"18446744073709551616",
        ] {
            assert_eq!(
                content_length_line(bad),
                Err(ErrorKind::InvalidContentLength)
            );
        }
        assert_eq!(content_length_line(b"18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn transfer_coding_table() {
        let check = |lines: &[&[u8]]| {
            let mut codings = TransferCodings::default();
            for line in lines {
                codings.add_line(line);
            }
            codings.check()
        };
        assert_eq!(check(&[b"chunked"]), Ok(()));
        assert_eq!(check(&[b"CHUNKED"]), Ok(()));
        assert_eq!(check(&[b", chunked,"]), Ok(()));
        assert_eq!(
            check(&[b"gzip, chunked"]),
            Err(ErrorKind::UnsupportedTransferCoding)
        );
        assert_eq!(
            check(&[b"identity", b"chunked"]),
            Err(ErrorKind::UnsupportedTransferCoding)
        );
        // chunked not final: 400 even though the other coding is unsupported.
        assert_eq!(
            check(&[b"chunked", b"identity"]),
            Err(ErrorKind::InvalidTransferEncoding)
        );
        assert_eq!(check(&[b"gzip"]), Err(ErrorKind::InvalidTransferEncoding));
        assert_eq!(
            check(&[b"gzip;level=9", b"Chunked"]),
            Err(ErrorKind::UnsupportedTransferCoding)
        );
        assert_eq!(check(&[]), Err(ErrorKind::InvalidTransferEncoding));
        // Once unsound, nothing that follows makes the list sound again.
        for bad in [
            &[&b"chunked, chunked"[..]][..],
            &[b"chunked", b"chunked"],
            &[b"gzip, chunked, chunked"],
            &[b"gzip", b"chunked", b"gzip"],
            &[b"chunked", b"gzip", b"chunked"],
            &[b""],
            &[b"chunked", b""],
            &[b"chunked;a=b"],
            &[b"chun ked"],
            &[b"chun ked", b"chunked"],
        ] {
            assert_eq!(
                check(bad),
                Err(ErrorKind::InvalidTransferEncoding),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn host_check_over_the_input_agrees_with_the_value_alone() {
        let values: [&[u8]; 10] = [
            b"",
            b"example.com",
            b"a-long-host-name.with.many.labels.example.com",
            b"example.com:8080",
            b"example.com:80x",
            b"[::1]:443",
            b"ex%41mple.com",
            b"ex%4",
            b"exa mple.com",
            b"user@example.com",
        ];
        for value in values {
            for after in [&b"\r\n\r\n"[..], b" \r\n\r\n", b"\t\r\n"] {
                let input = [&b"Host: "[..], value, after].concat();
                for scalar_only in [false, true] {
                    assert_eq!(
                        host_is_valid(&input, 6, value, scalar_only),
                        uri::host_is_valid(value),
                        "{value:?} {scalar_only}"
                    );
                }
            }
        }
    }

    #[test]
    fn list_members_skip_empty_elements() {
        let members: Vec<&[u8]> = list_members(b" , a ,, b\t, ").collect();
        assert_eq!(members, [&b"a"[..], b"b"]);
    }
}
