//! `compose_roundtrip`: a response head decoded from the input (status,
//! version, body, persistence, HEAD, date, a pre-validated block, caller
//! fields) is composed into a buffer of a decoded size, then parsed back with
//! httparse's response parser.
//!
//! - A head the rules of `tern_proto::compose` refuse is refused with the
//!   error [`expected_error`] names (status, 1xx to HTTP/1.0, date, and per
//!   field: name, reserved name, value; first one wins), and nothing is written.
//! - A buffer one byte too small gets `InsufficientSize` with the exact length,
//!   and nothing is written; `encoded_len` agrees with what `compose` writes.
//! - What is written parses back completely: the status line with the reason
//!   phrase of the table, then exactly the expected fields in order: `Date`,
//!   the block, the caller's fields, the framing field of the documented table,
//!   and the `Connection` options; `framing` and `must_close` are the table's.
//! - `FieldLines::new` accepts a block exactly when every line is
//!   `token ": " value CRLF` with an allowed name.
//! - Chunks encoded with `encode_chunk`/`ChunkHeader` and ended by
//!   `encode_last_chunk` (trailers checked by the same rules) decode through
//!   tern-proto's own request parser to the same data and trailers.

use tern_proto::compose::{
    self, Body, CHUNK_END, ChunkHeader, ComposeError, FieldLines, ResponseHead,
};
use tern_proto::transcript;
use tern_proto::{Field, Framing, Version};

use super::grammar::{is_token, is_trimmed_value};
use super::{OwnedFields, Source, show};

/// Status codes worth more than their share of inputs.
const STATUSES: &[u16] = &[
    0, 99, 100, 101, 102, 103, 104, 199, 200, 201, 204, 205, 206, 226, 299, 301, 304, 306, 399,
    400, 404, 413, 418, 421, 499, 500, 505, 599, 600, 999, 1000, 65535,
];

/// Field names worth more than their share of inputs, reserved ones included.
const NAMES: &[&[u8]] = &[
    b"Content-Type",
    b"Server",
    b"Upgrade",
    b"Date",
    b"Content-Length",
    b"transfer-encoding",
    b"CONNECTION",
    b"ETag",
];

/// Sentinel the output buffer is filled with, to see whether anything was written.
const UNTOUCHED: u8 = 0xA5;

/// Runs the check.
pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let status = match source.byte() {
        c if usize::from(c) < 2 * STATUSES.len() => STATUSES[usize::from(c) % STATUSES.len()],
        _ => source.u16() % 1100,
    };
    let version = if source.bool() {
        Version::Http11
    } else {
        Version::Http10
    };
    let body = match source.byte() % 3 {
        0 => Body::None,
        1 => Body::Length(match source.byte() % 4 {
            0 => source.u64(),
            _ => u64::from(source.u16()),
        }),
        _ => Body::Unknown,
    };
    let keep_alive = source.bool();
    let head_request = source.bool();
    let date_bytes: [u8; 29] = match source.byte() % 4 {
        3 => {
            let raw = source.bytes(29);
            let mut date = [b'x'; 29];
            date[..raw.len()].copy_from_slice(raw);
            date
        }
        _ => tern_proto::date::render_imf_fixdate(source.u64() % 260_000_000_000),
    };
    let with_date = !source.byte().is_multiple_of(4);
    let date = with_date.then_some(&date_bytes);

    // The pre-validated block.
    let mut block_buf = [0u8; 512];
    let block_fields = fields(&mut source, 3);
    let block_borrowed = borrow(&block_fields);
    let raw_block = source.string(64);
    let lines = match source.byte() % 3 {
        0 => FieldLines::EMPTY,
        1 => match FieldLines::compose(&block_borrowed, &mut block_buf) {
            Ok(lines) => {
                assert!(
                    block_ok(&block_fields),
                    "FieldLines::compose accepted bad fields"
                );
                let expected: Vec<u8> = block_fields
                    .iter()
                    .flat_map(|(n, v)| [&n[..], b": ", v, b"\r\n"].concat())
                    .collect();
                assert_eq!(lines.as_bytes(), expected.as_slice());
                lines
            }
            Err(error) => {
                assert!(
                    !block_ok(&block_fields),
                    "FieldLines::compose refused: {error:?}"
                );
                FieldLines::EMPTY
            }
        },
        _ => {
            let parsed = FieldLines::new(raw_block);
            assert_eq!(
                parsed.is_ok(),
                raw_block_ok(raw_block),
                "FieldLines::new on {}",
                show(raw_block)
            );
            parsed.unwrap_or(FieldLines::EMPTY)
        }
    };

    let caller_fields = fields(&mut source, 5);
    let caller = borrow(&caller_fields);
    let mut head = ResponseHead::new(status, version);
    head.body = body;
    head.keep_alive = keep_alive;
    head.head_request = head_request;
    head.date = date;
    head.lines = lines;
    head.fields = &caller;

    let expected = expected_error(&head, &caller_fields);
    let len = head.encoded_len();
    match (&expected, len) {
        (Some(error), Err(got)) => assert_eq!(&got, error, "encoded_len error"),
        (None, Ok(_)) => {}
        (_, got) => panic!("encoded_len gave {got:?}, expected {expected:?}"),
    }
    let slack = source.byte();
    let size = match (len, slack) {
        (Ok(len), 0) => len.saturating_sub(1),
        (Ok(len), s) => len + usize::from(s % 8) - 1,
        (Err(_), s) => usize::from(s) * 2,
    };
    let mut out = vec![UNTOUCHED; size];
    let result = head.compose(&mut out);
    match (result, len) {
        (Err(ComposeError::InsufficientSize { required }), Ok(len)) => {
            assert_eq!(required, len);
            assert!(size < len);
            assert!(
                out.iter().all(|&b| b == UNTOUCHED),
                "written although too small"
            );
        }
        (Err(error), _) => {
            assert_eq!(Some(error), expected, "compose error");
            assert!(
                out.iter().all(|&b| b == UNTOUCHED),
                "written although refused"
            );
        }
        (Ok(composed), Ok(len)) => {
            assert_eq!(composed.len, len, "encoded_len and compose differ");
            assert!(
                out[len..].iter().all(|&b| b == UNTOUCHED),
                "written past the head"
            );
            let mut expected_fields = Vec::new();
            if let Some(date) = date {
                expected_fields.push((b"Date".to_vec(), date.to_vec()));
            }
            expected_fields.extend(parse_block(lines.as_bytes()));
            expected_fields.extend(caller_fields.iter().cloned());
            let (field, framing, must_close, connection) =
                expected_framing(&head, &expected_fields);
            assert_eq!(composed.framing, framing, "framing");
            assert_eq!(composed.must_close, must_close, "must_close");
            expected_fields.extend(field);
            expected_fields.extend(connection);
            parse_back(&head, &out[..len], &expected_fields);
            if date.is_some() {
                // The same head prepared once writes the same bytes for a
                // date the date module rendered.
                let rendered = tern_proto::date::RenderedDate::new(u64::from(source.byte()) << 24);
                let mut fresh = head;
                fresh.date = Some(rendered.imf_fixdate());
                let mut expected = vec![UNTOUCHED; len];
                let expected_composed = fresh.compose(&mut expected).expect("composes again");
                let prepared = head.prepare().expect("a head that composes prepares");
                let mut again = vec![UNTOUCHED; len];
                let from_prepared = prepared
                    .compose(&rendered, keep_alive, &mut again)
                    .expect("a prepared head composes");
                assert_eq!(from_prepared, expected_composed, "prepared head outcome");
                assert_eq!(again, expected, "prepared head bytes");
            }
        }
        (Ok(_), Err(error)) => panic!("composed although encoded_len said {error:?}"),
    }

    check_continue();
    check_chunked(&mut source);
}

/// Up to `max` fields from the input: names from [`NAMES`] or raw, values
/// printable, raw or empty.
fn fields(source: &mut Source<'_>, max: usize) -> OwnedFields {
    let count = source.below(max + 1);
    (0..count)
        .map(|_| {
            let kind = source.byte();
            let name = if usize::from(kind) % 16 < NAMES.len() {
                NAMES[usize::from(kind) % NAMES.len()].to_vec()
            } else {
                source.string(12).to_vec()
            };
            let value = match source.byte() % 4 {
                0 => source.string(16).to_vec(),
                1 => Vec::new(),
                _ => source
                    .string(24)
                    .iter()
                    .map(|&b| match b % 16 {
                        0 => b' ',
                        1 => 0x80 | b,
                        _ => 0x21 + b % 94,
                    })
                    .collect(),
            };
            (name, value)
        })
        .collect()
}

fn borrow(fields: &OwnedFields) -> Vec<Field<'_>> {
    fields.iter().map(|(n, v)| Field::new(n, v)).collect()
}

/// Names the composer writes itself.
fn is_framing_name(name: &[u8]) -> bool {
    [&b"content-length"[..], b"transfer-encoding", b"connection"]
        .iter()
        .any(|r| name.eq_ignore_ascii_case(r))
}

/// Whether a block of these fields is allowed (no Date either).
fn block_ok(fields: &OwnedFields) -> bool {
    fields.iter().all(|(n, v)| {
        is_token(n)
            && !is_framing_name(n)
            && !n.eq_ignore_ascii_case(b"date")
            && is_trimmed_value(v)
    })
}

/// Whether raw bytes are a block: lines of `token ": " value CRLF`.
fn raw_block_ok(mut raw: &[u8]) -> bool {
    while !raw.is_empty() {
        let Some(lf) = raw.iter().position(|&b| b == b'\n') else {
            return false;
        };
        let line = &raw[..=lf];
        raw = &raw[lf + 1..];
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let name = &line[..colon];
        let Some(value) = line[colon + 1..]
            .strip_prefix(b" ")
            .and_then(|v| v.strip_suffix(b"\r\n"))
        else {
            return false;
        };
        let value_ok = is_trimmed_value(value);
        let name_ok =
            is_token(name) && !is_framing_name(name) && !name.eq_ignore_ascii_case(b"date");
        if !(name_ok && value_ok) {
            return false;
        }
    }
    true
}

fn parse_block(mut raw: &[u8]) -> OwnedFields {
    let mut fields = Vec::new();
    while let Some(lf) = raw.iter().position(|&b| b == b'\n') {
        let line = &raw[..lf - 1];
        let colon = line.iter().position(|&b| b == b':').unwrap_or(0);
        fields.push((line[..colon].to_vec(), line[colon + 2..].to_vec()));
        raw = &raw[lf + 1..];
    }
    fields
}

/// A date the composer sends: visible ASCII and SP, no SP at either end.
fn is_date_value(date: &[u8; 29]) -> bool {
    date.iter().all(|b| (0x20..=0x7E).contains(b)) && date[0] != b' ' && date[28] != b' '
}

/// The first rule the head breaks, in the documented order.
fn expected_error(head: &ResponseHead<'_>, caller: &OwnedFields) -> Option<ComposeError> {
    let status = head.status;
    if !(100..=999).contains(&status) {
        return Some(ComposeError::InvalidStatus { status });
    }
    if status < 200 && head.version == Version::Http10 {
        return Some(ComposeError::InformationalToHttp10 { status });
    }
    if head.date.is_some_and(|d| !is_date_value(d)) {
        return Some(ComposeError::InvalidDate);
    }
    for (index, (name, value)) in caller.iter().enumerate() {
        if !is_token(name) {
            return Some(ComposeError::InvalidFieldName { index });
        }
        if is_framing_name(name) || (head.date.is_some() && name.eq_ignore_ascii_case(b"date")) {
            return Some(ComposeError::ReservedField { index });
        }
        if !is_trimmed_value(value) {
            return Some(ComposeError::InvalidFieldValue { index });
        }
    }
    None
}

/// The framing field, `framing`, `must_close` and `Connection` field of the
/// module docs' table.
fn expected_framing(
    head: &ResponseHead<'_>,
    fields: &OwnedFields,
) -> (OwnedFields, Framing, bool, OwnedFields) {
    let status = head.status;
    let interim = status < 200;
    let length = |n: u64| vec![(b"Content-Length".to_vec(), n.to_string().into_bytes())];
    let chunked = vec![(b"Transfer-Encoding".to_vec(), b"chunked".to_vec())];
    let (field, framing) = if interim || status == 204 || status == 304 {
        (Vec::new(), Framing::NoBody)
    } else {
        match (head.body, head.head_request, head.version) {
            (Body::None, true, _) => (length(0), Framing::NoBody),
            (Body::None, false, _) => (length(0), Framing::Length(0)),
            (Body::Length(n), true, _) => (length(n), Framing::NoBody),
            (Body::Length(n), false, _) => (length(n), Framing::Length(n)),
            (Body::Unknown, true, _) => (Vec::new(), Framing::NoBody),
            (Body::Unknown, false, Version::Http11) => (chunked, Framing::Chunked),
            (Body::Unknown, false, _) => (Vec::new(), Framing::CloseDelimited),
            _ => panic!("a body this check does not know: update it"),
        }
    };
    let must_close = !interim && (!head.keep_alive || framing == Framing::CloseDelimited);
    let upgrade = fields
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(b"upgrade"));
    let option: &[u8] = if interim {
        b""
    } else if must_close {
        b"close"
    } else if head.version == Version::Http10 {
        b"keep-alive"
    } else {
        b""
    };
    let value = match (upgrade, option.is_empty()) {
        (false, true) => None,
        (false, false) => Some(option.to_vec()),
        (true, true) => Some(b"upgrade".to_vec()),
        (true, false) => Some([&b"upgrade, "[..], option].concat()),
    };
    let connection = value
        .map(|v| vec![(b"Connection".to_vec(), v)])
        .unwrap_or_default();
    (field, framing, must_close, connection)
}

/// Parses the composed head with httparse and compares it with what was asked.
fn parse_back(head: &ResponseHead<'_>, wire: &[u8], expected: &OwnedFields) {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let parsed = response.parse(wire);
    assert_eq!(
        parsed,
        Ok(httparse::Status::Complete(wire.len())),
        "httparse on {}",
        show(wire)
    );
    let minor = u8::from(head.version == Version::Http11);
    assert_eq!(response.version, Some(minor));
    assert_eq!(response.code, Some(head.status));
    let reason = compose::reason_phrase(head.status).unwrap_or("");
    assert_eq!(response.reason, Some(reason), "reason phrase");
    let got: OwnedFields = response
        .headers
        .iter()
        .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
        .collect();
    assert_eq!(&got, expected, "fields of {}", show(wire));
}

fn check_continue() {
    let mut out = [0u8; 32];
    assert_eq!(compose::compose_continue(&mut out[..24]).ok(), None);
    let n = compose::compose_continue(&mut out).expect("room for 100 Continue");
    let mut headers = [httparse::EMPTY_HEADER; 1];
    let mut response = httparse::Response::new(&mut headers);
    assert_eq!(response.parse(&out[..n]), Ok(httparse::Status::Complete(n)));
    assert_eq!((response.code, response.version), (Some(100), Some(1)));
}

/// Chunks and trailers from the input, encoded, then decoded by the parser.
fn check_chunked(source: &mut Source<'_>) {
    let chunks: Vec<&[u8]> = (0..source.below(5)).map(|_| source.string(40)).collect();
    let trailers = fields(source, 3);
    let mut wire = b"POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let head_len = wire.len();
    for chunk in &chunks {
        let mut out = vec![UNTOUCHED; compose::chunk_len(chunk.len()) + 3];
        let n = compose::encode_chunk(chunk, &mut out).expect("room for the chunk");
        assert_eq!(n, compose::chunk_len(chunk.len()));
        if chunk.is_empty() {
            assert_eq!(n, 0);
            assert!(ChunkHeader::new(0).is_none());
            continue;
        }
        let header = ChunkHeader::new(chunk.len() as u64).expect("non-empty chunk");
        assert_eq!(out[..n], [header.as_bytes(), chunk, CHUNK_END].concat());
        assert_eq!(
            compose::encode_chunk(chunk, &mut out[..n - 1]),
            Err(ComposeError::InsufficientSize { required: n })
        );
        wire.extend_from_slice(&out[..n]);
    }
    let borrowed = borrow(&trailers);
    let invalid = trailers.iter().enumerate().find_map(|(index, (n, v))| {
        if !is_token(n) {
            Some(ComposeError::InvalidFieldName { index })
        } else if is_framing_name(n) {
            Some(ComposeError::ReservedField { index })
        } else if !is_trimmed_value(v) {
            Some(ComposeError::InvalidFieldValue { index })
        } else {
            None
        }
    });
    let mut out = vec![UNTOUCHED; 512];
    match compose::encode_last_chunk(&borrowed, &mut out) {
        Err(error) => {
            assert_eq!(Some(error), invalid, "encode_last_chunk error");
            assert_eq!(compose::last_chunk_len(&borrowed), Err(error));
            assert!(
                out.iter().all(|&b| b == UNTOUCHED),
                "written although refused"
            );
            return;
        }
        Ok(n) => {
            assert_eq!(invalid, None, "encode_last_chunk accepted bad trailers");
            assert_eq!(compose::last_chunk_len(&borrowed), Ok(n));
            wire.extend_from_slice(&out[..n]);
        }
    }
    let run = transcript::run(&tern_proto::Config::default(), &wire, &[]);
    assert!(
        run.error.is_none() && !run.incomplete,
        "{run:?} on {}",
        show(&wire[head_len..])
    );
    assert_eq!(run.messages.len(), 1);
    assert_eq!(run.unconsumed, 0);
    assert_eq!(run.messages[0].body, chunks.concat());
    assert_eq!(run.messages[0].trailers, trailers);
}
