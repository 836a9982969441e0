//! `differential_httparse`: the same request head through tern-proto (strict
//! default configuration) and httparse 1.10.1 (default configuration, 128
//! header slots). Where both accept, method, target, version, every field and
//! the head length agree exactly. Every other outcome must be one of the
//! intended differences of `spec/DIFFERENCES-httparse.md`, and each is checked
//! against its cause rather than waved through:
//!
//! | rule | tern | httparse | what must hold |
//! |------|------|----------|----------------|
//! | D1 semantics (§1) | `missing_host`, `duplicate_host`, `invalid_host`, `invalid_content_length`, `conflicting_content_length`, `transfer_encoding_with_content_length`, `transfer_encoding_http10`, `invalid_transfer_encoding`, `unsupported_transfer_coding`, `unsupported_expectation` | accepts | httparse reads the same head (length = tern's error offset), and [`semantics`] applied to httparse's fields finds that very violation first (Content-Length: either of its two kinds that applies) |
//! | D1' semantics accepted | accepts | accepts | [`semantics`] finds no violation |
//! | D2 bare LF (§2) | `bare_lf` | anything | the byte at the error offset is LF not preceded by CR |
//! | D3 target (§2) | `invalid_target` | anything | the byte at the offset is not a target byte (RFC 3986), or the complete target fails [`grammar::target_ok`] (%-encoding, form per method) |
//! | D4 limits (§3) | `too_many_headers`, `target_too_long`, `head_too_large` | anything but a head within the limit | over 100 fields / a target of 8 KiB / a 64 KiB head |
//! | D5 versions (§4) | accepts `HTTP/1.2`…`HTTP/1.9` as 1.1 | `Error::Version` | httparse accepts the same head with `HTTP/1.1`, and the rest agrees |
//! | D6 syntax both refuse | any other error (`invalid_method`, `invalid_request_line`, `invalid_version`, `unsupported_version`, `bare_cr`, `invalid_header_name`, `invalid_header_value`, `obs_fold`) | rejects, or partial | httparse does not accept the head |
//! | D7 timing (§5) | partial | anything but accepted | httparse did not accept a head tern is still waiting for |
//!
//! httparse 1.10.1 trims trailing SP/HTAB from values like tern-proto, so
//! values are compared as they are.

use tern_proto::{Config, Connection, ErrorKind, Event, Outcome};

use super::grammar::{self, is_target_byte, is_token, list_members};
use super::{OwnedFields, show};

/// httparse's header slots: more than tern's default 100 fields.
const SLOTS: usize = 128;
/// tern-proto's default limits (see `Config`).
const MAX_FIELDS: usize = 100;
const MAX_TARGET_LEN: usize = 8 * 1024;
const MAX_HEAD_LEN: usize = 64 * 1024;

/// A parsed head, owned.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    method: Vec<u8>,
    target: Vec<u8>,
    /// The minor version digit.
    minor: u8,
    headers: OwnedFields,
    len: usize,
}

#[derive(Debug)]
enum Tern {
    Accepted(Head),
    Rejected(ErrorKind, usize),
    Partial,
}

#[derive(Debug)]
enum Peer {
    Accepted(Head),
    Rejected(httparse::Error),
    Partial,
}

fn tern(data: &[u8]) -> Tern {
    let mut conn = Connection::new(Config::default());
    match conn.poll_event(data) {
        Err(error) => Tern::Rejected(error.kind(), error.offset()),
        Ok(step) => match step.outcome {
            Outcome::Event(Event::Request(request)) => Tern::Accepted(Head {
                method: request.method_bytes().to_vec(),
                target: request.target().to_vec(),
                minor: request.version_bytes()[7] - b'0',
                headers: request
                    .headers()
                    .map(|f| (f.name.to_vec(), f.value.to_vec()))
                    .collect(),
                len: request.head_len(),
            }),
            Outcome::NeedData => Tern::Partial,
            _ => panic!("a first poll gave neither a head, an error nor NeedData"),
        },
    }
}

fn peer(data: &[u8]) -> Peer {
    let mut headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(data) {
        Ok(httparse::Status::Complete(len)) => Peer::Accepted(Head {
            method: request.method.unwrap_or_default().as_bytes().to_vec(),
            target: request.path.unwrap_or_default().as_bytes().to_vec(),
            minor: request.version.unwrap_or_default(),
            headers: request
                .headers
                .iter()
                .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
                .collect(),
            len,
        }),
        Ok(httparse::Status::Partial) => Peer::Partial,
        Err(error) => Peer::Rejected(error),
    }
}

/// The request line as far as it goes: offsets of the method, target and
/// version, found by spaces after the leading empty lines.
struct Line {
    method: (usize, usize),
    target_start: usize,
    target_end: Option<usize>,
}

fn split_line(data: &[u8]) -> Option<Line> {
    let mut p = 0;
    loop {
        if data[p..].starts_with(b"\r\n") {
            p += 2;
        } else if data[p..].starts_with(b"\n") {
            p += 1;
        } else {
            break;
        }
    }
    let method_end = p + data[p..].iter().position(|&b| b == b' ')?;
    let target_start = method_end + 1;
    let target_end = data[target_start..]
        .iter()
        .position(|&b| b == b' ')
        .map(|i| target_start + i);
    Some(Line {
        method: (p, method_end),
        target_start,
        target_end,
    })
}

/// D5: `data` with `HTTP/1.[2-9]` rewritten to `HTTP/1.1`, if it has one.
fn with_minor_one(data: &[u8], line: Option<&Line>) -> Option<Vec<u8>> {
    let version = line?.target_end? + 1;
    let bytes = data.get(version..version + 9)?;
    let ends = bytes[8] == b'\r' || bytes[8] == b'\n';
    if bytes.starts_with(b"HTTP/1.") && (b'2'..=b'9').contains(&bytes[7]) && ends {
        let mut patched = data.to_vec();
        patched[version + 7] = b'1';
        Some(patched)
    } else {
        None
    }
}

/// Runs the check.
pub fn check(data: &[u8]) {
    let line = split_line(data);
    let ours = tern(data);
    let patched = with_minor_one(data, line.as_ref());
    let theirs = match &patched {
        Some(patched) => {
            // D5: httparse knows only 1.0 and 1.1.
            if matches!(ours, Tern::Accepted(_)) {
                assert!(
                    matches!(peer(data), Peer::Rejected(httparse::Error::Version)),
                    "httparse accepted a minor version above 1: {}",
                    show(data)
                );
            }
            peer(patched)
        }
        None => peer(data),
    };
    let fail = |rule: &str| -> ! {
        panic!(
            "{rule}: tern {ours:?} vs httparse {theirs:?} on {}",
            show(data)
        )
    };
    match &ours {
        Tern::Accepted(head) => {
            let Peer::Accepted(other) = &theirs else {
                fail("tern accepts what httparse refuses")
            };
            let minor = if patched.is_some() { 1 } else { head.minor };
            if (
                head.method.as_slice(),
                head.target.as_slice(),
                minor,
                &head.headers,
                head.len,
            ) != (
                other.method.as_slice(),
                other.target.as_slice(),
                other.minor,
                &other.headers,
                other.len,
            ) {
                fail("the parsed heads differ");
            }
            if let Err(kinds) = semantics(head.minor, &other.headers) {
                fail(&format!("D1': accepted a head that violates {kinds:?}"));
            }
        }
        Tern::Rejected(kind, offset) if is_semantic(*kind) => {
            let Peer::Accepted(other) = &theirs else {
                fail("D1: a semantic error on a head httparse does not accept")
            };
            if other.len != *offset {
                fail("D1: the head ends elsewhere");
            }
            let minor = line
                .as_ref()
                .and_then(|line| data.get(line.target_end? + 8))
                .map_or(1, |digit| digit - b'0');
            match semantics(minor, &other.headers) {
                Err(kinds) if kinds.contains(kind) => {}
                found => fail(&format!("D1: the fields give {found:?}")),
            }
        }
        Tern::Rejected(ErrorKind::BareLf, offset) => {
            let at = *offset;
            if !(data.get(at) == Some(&b'\n') && (at == 0 || data[at - 1] != b'\r')) {
                fail("D2: no bare LF at the offset");
            }
        }
        Tern::Rejected(ErrorKind::InvalidTarget, offset) => {
            let Some(line) = &line else {
                fail("D3: no request line")
            };
            let end = line.target_end.unwrap_or(data.len());
            let in_target = (line.target_start..end).contains(offset);
            let bad_byte = in_target && !is_target_byte(data[*offset]);
            let bad_form = *offset == line.target_start
                && line.target_end.is_some()
                && !grammar::target_ok(
                    &data[line.method.0..line.method.1],
                    &data[line.target_start..end],
                );
            if !(bad_byte || bad_form) {
                fail("D3: the target is valid");
            }
        }
        Tern::Rejected(ErrorKind::TooManyHeaders, _) => {
            if matches!(&theirs, Peer::Accepted(other) if other.headers.len() <= MAX_FIELDS) {
                fail("D4: too many fields within the limit");
            }
        }
        Tern::Rejected(ErrorKind::TargetTooLong, offset) => {
            if line
                .as_ref()
                .is_none_or(|line| offset.saturating_sub(line.target_start) < MAX_TARGET_LEN)
            {
                fail("D4: a short target is too long");
            }
        }
        Tern::Rejected(ErrorKind::HeadTooLarge, offset) => {
            if *offset < MAX_HEAD_LEN {
                fail("D4: a small head is too large");
            }
        }
        Tern::Rejected(..) | Tern::Partial => {
            // D6, D7: both refuse, or httparse waits too.
            if matches!(theirs, Peer::Accepted(_)) {
                fail("D6/D7: httparse accepts");
            }
        }
    }
}

/// The errors of `framing::decide`'s table: semantics httparse, which parses
/// syntax only, does not check at all (DIFFERENCES-httparse.md §1).
pub fn is_semantic(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::MissingHost
            | ErrorKind::DuplicateHost
            | ErrorKind::InvalidHost
            | ErrorKind::InvalidContentLength
            | ErrorKind::ConflictingContentLength
            | ErrorKind::TransferEncodingWithContentLength
            | ErrorKind::TransferEncodingHttp10
            | ErrorKind::InvalidTransferEncoding
            | ErrorKind::UnsupportedTransferCoding
            | ErrorKind::UnsupportedExpectation
    )
}

/// The semantic rules of a request head (RFC 9112 §3.2, §6.1, §6.3; RFC 9110
/// §8.6, §10.1.1), in the order tern-proto documents: `Ok` if none is
/// violated, else the error kinds the first violated rule may be reported as.
fn semantics(minor: u8, headers: &OwnedFields) -> Result<(), Vec<ErrorKind>> {
    let http11 = minor != 0;
    let named = |name: &[u8]| -> Vec<&[u8]> {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    };
    let one = |kind| Err(vec![kind]);
    let hosts = named(b"host");
    if hosts.len() > 1 {
        return one(ErrorKind::DuplicateHost);
    }
    if hosts.is_empty() && http11 {
        return one(ErrorKind::MissingHost);
    }
    if hosts.first().is_some_and(|h| !grammar::host_port_ok(h)) {
        return one(ErrorKind::InvalidHost);
    }
    let codings = named(b"transfer-encoding");
    let lengths = named(b"content-length");
    if !codings.is_empty() {
        if !http11 {
            return one(ErrorKind::TransferEncodingHttp10);
        }
        if !lengths.is_empty() {
            return one(ErrorKind::TransferEncodingWithContentLength);
        }
        let mut unsupported = false;
        let mut malformed = false;
        let mut chunked = 0;
        let mut last_chunked = false;
        for line in &codings {
            malformed |= list_members(line).next().is_none();
            for member in list_members(line) {
                let (name, params) = match member.iter().position(|&b| b == b';') {
                    Some(i) => (member[..i].trim_ascii_end(), true),
                    None => (member, false),
                };
                let is_chunked = name.eq_ignore_ascii_case(b"chunked");
                if !is_token(name) {
                    malformed = true;
                } else if is_chunked {
                    chunked += 1;
                    malformed |= params;
                } else {
                    unsupported = true;
                }
                last_chunked = is_token(name) && is_chunked;
            }
        }
        if malformed || chunked != 1 || !last_chunked {
            return one(ErrorKind::InvalidTransferEncoding);
        }
        if unsupported {
            return one(ErrorKind::UnsupportedTransferCoding);
        }
    } else if !lengths.is_empty() {
        let mut invalid = false;
        let mut values = Vec::new();
        for line in &lengths {
            for member in line.split(|&b| b == b',') {
                let member = member.trim_ascii();
                let value = (!member.is_empty() && member.iter().all(u8::is_ascii_digit))
                    .then(|| std::str::from_utf8(member).ok()?.parse::<u64>().ok())
                    .flatten();
                match value {
                    Some(n) if !values.contains(&n) => values.push(n),
                    Some(_) => {}
                    None => invalid = true,
                }
            }
        }
        let mut kinds = Vec::new();
        if invalid {
            kinds.push(ErrorKind::InvalidContentLength);
        }
        if values.len() > 1 {
            kinds.push(ErrorKind::ConflictingContentLength);
        }
        if !kinds.is_empty() {
            return Err(kinds);
        }
    }
    let expectations = named(b"expect");
    let unsupported = expectations
        .iter()
        .flat_map(|v| list_members(v))
        .any(|m| !m.eq_ignore_ascii_case(b"100-continue"));
    if http11 && unsupported {
        return one(ErrorKind::UnsupportedExpectation);
    }
    Ok(())
}
