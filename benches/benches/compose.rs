//! The response composer side by side with its peers, in one run:
//!
//! - `tern`: [`ResponseHead::compose`] into a reused buffer, date from a
//!   cache, every field validated on every call;
//! - `tern_lines`: the same, with the fields validated once into a
//!   [`FieldLines`] block (as a file cache would keep them);
//! - `tern_prepared`: the whole head prepared once ([`ResponseHead::prepare`],
//!   as a file cache would keep it), then [`PreparedHead::compose`] per
//!   response with the date (a [`RenderedDate`] from the cache) and
//!   persistence of that response;
//! - `write`: a `write!`-based composer of the same head into a reused
//!   `Vec<u8>` (no allocation once warm), same cached date;
//! - `write_extend`: `write!` only for the two numbers, `extend_from_slice`
//!   for the rest: the strongest naive peer;
//! - `format`: a `format!`-based composer that allocates a `String` per head,
//!   same cached date;
//! - `write_httpdate`: `write_extend` with the date formatted per call
//!   by `httpdate::fmt_http_date(SystemTime::now())`, as a naive server does;
//! - `memcpy`: copying the finished head's bytes, the lower bound.
//!
//! Every variant produces byte-identical output (checked before measuring,
//! except for the date of `write_httpdate`). Throughput is the head's length.
//! Run: `cargo bench -p tern-benches --bench compose -- --quick`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tern_proto::compose::{
    Body, ChunkHeader, FieldLines, PreparedHead, ResponseHead, reason_phrase,
};
use tern_proto::date::RenderedDate;
use tern_proto::{Field, Version};

const DATE: &[u8; 29] = b"Sun, 06 Nov 1994 08:49:37 GMT";

/// The head a static file server sends for a small HTML file.
const FIELDS: &[Field<'static>] = &[
    Field::new(b"Server", b"tern"),
    Field::new(b"Content-Type", b"text/html; charset=utf-8"),
    Field::new(b"Last-Modified", b"Sat, 05 Nov 1994 08:49:37 GMT"),
    Field::new(b"ETag", b"\"5f3a1c2b-1b2c\""),
    Field::new(b"Accept-Ranges", b"bytes"),
];
const STATUS: u16 = 200;
const CONTENT_LENGTH: u64 = 6956;

fn tern_head() -> ResponseHead<'static> {
    let mut head = ResponseHead::new(STATUS, Version::Http11);
    head.body = Body::Length(CONTENT_LENGTH);
    head.date = Some(DATE);
    head.fields = FIELDS;
    head
}

/// The same head with `write!` for every line, into a reused buffer.
/// (It validates nothing; the composer does.)
fn write_head(
    out: &mut Vec<u8>,
    status: u16,
    date: &str,
    fields: &[(&str, &str)],
    content_length: u64,
) {
    out.clear();
    let reason = reason_phrase(status).unwrap_or("");
    write!(out, "HTTP/1.1 {status} {reason}\r\nDate: {date}\r\n").unwrap();
    for (name, value) in fields {
        write!(out, "{name}: {value}\r\n").unwrap();
    }
    write!(out, "Content-Length: {content_length}\r\n\r\n").unwrap();
}

/// The strongest naive peer: `write!` only where a number is formatted,
/// `extend_from_slice` for the fields. (It validates nothing.)
fn write_extend_head(
    out: &mut Vec<u8>,
    status: u16,
    date: &str,
    fields: &[Field<'_>],
    content_length: u64,
) {
    out.clear();
    let reason = reason_phrase(status).unwrap_or("");
    write!(out, "HTTP/1.1 {status} {reason}\r\nDate: {date}\r\n").unwrap();
    for &Field { name, value } in fields {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    write!(out, "Content-Length: {content_length}\r\n\r\n").unwrap();
}

/// The same head with `format!`/`String`, allocating per response.
fn format_head(status: u16, date: &str, fields: &[(&str, &str)], content_length: u64) -> String {
    let reason = reason_phrase(status).unwrap_or("");
    let mut out = format!("HTTP/1.1 {status} {reason}\r\nDate: {date}\r\n");
    for (name, value) in fields {
        write!(out, "{name}: {value}\r\n").unwrap();
    }
    write!(out, "Content-Length: {content_length}\r\n\r\n").unwrap();
    out
}

fn str_fields() -> Vec<(&'static str, &'static str)> {
    FIELDS
        .iter()
        .map(|field| {
            (
                std::str::from_utf8(field.name).unwrap(),
                std::str::from_utf8(field.value).unwrap(),
            )
        })
        .collect()
}

fn bench_head(c: &mut Criterion) {
    let head = tern_head();
    let len = head.encoded_len().unwrap();
    let date = std::str::from_utf8(DATE).unwrap();
    let str_fields = str_fields();

    // All variants agree before anything is measured.
    let mut buf = vec![0u8; 1024];
    let composed = head.compose(&mut buf).unwrap();
    let expected = buf[..composed.len].to_vec();
    let mut written = Vec::with_capacity(1024);
    write_head(&mut written, STATUS, date, &str_fields, CONTENT_LENGTH);
    assert_eq!(written, expected);
    write_extend_head(&mut written, STATUS, date, FIELDS, CONTENT_LENGTH);
    assert_eq!(written, expected);
    // The same fields validated once into a block, as a file cache would.
    let mut block = vec![0u8; 512];
    let mut lines_head = tern_head();
    lines_head.fields = &[];
    lines_head.lines = FieldLines::compose(FIELDS, &mut block).unwrap();
    let n = lines_head.compose(&mut buf).unwrap().len;
    assert_eq!(buf[..n], expected[..]);
    let prepared: PreparedHead = head.prepare().unwrap();
    let rendered = RenderedDate::new(784_111_777);
    assert_eq!(rendered.imf_fixdate(), DATE);
    let n = prepared.compose(&rendered, true, &mut buf).unwrap().len;
    assert_eq!(buf[..n], expected[..]);
    assert_eq!(
        format_head(STATUS, date, &str_fields, CONTENT_LENGTH).as_bytes(),
        &expected[..]
    );

    let mut group = c.benchmark_group("compose_head");
    group.throughput(Throughput::Bytes(len as u64));

    group.bench_function("tern", |b| {
        b.iter(|| {
            let head = black_box(&head);
            head.compose(black_box(&mut buf[..])).unwrap().len
        });
    });
    group.bench_function("tern_lines", |b| {
        b.iter(|| {
            let head = black_box(&lines_head);
            head.compose(black_box(&mut buf[..])).unwrap().len
        });
    });
    group.bench_function("tern_prepared", |b| {
        b.iter(|| {
            let prepared = black_box(&prepared);
            prepared
                .compose(
                    black_box(&rendered),
                    black_box(true),
                    black_box(&mut buf[..]),
                )
                .unwrap()
                .len
        });
    });
    group.bench_function("write", |b| {
        b.iter(|| {
            write_head(
                &mut written,
                black_box(STATUS),
                black_box(date),
                black_box(&str_fields),
                black_box(CONTENT_LENGTH),
            );
            written.len()
        });
    });
    group.bench_function("write_extend", |b| {
        b.iter(|| {
            write_extend_head(
                &mut written,
                black_box(STATUS),
                black_box(date),
                black_box(FIELDS),
                black_box(CONTENT_LENGTH),
            );
            written.len()
        });
    });
    group.bench_function("format", |b| {
        b.iter(|| {
            format_head(
                black_box(STATUS),
                black_box(date),
                black_box(&str_fields),
                black_box(CONTENT_LENGTH),
            )
        });
    });
    group.bench_function("write_httpdate", |b| {
        b.iter(|| {
            let date = httpdate::fmt_http_date(SystemTime::now());
            write_extend_head(
                &mut written,
                black_box(STATUS),
                &date,
                black_box(FIELDS),
                black_box(CONTENT_LENGTH),
            );
            written.len()
        });
    });
    group.bench_function("memcpy", |b| {
        b.iter(|| {
            let src = black_box(&expected[..]);
            buf[..src.len()].copy_from_slice(src);
            black_box(&buf);
        });
    });
    group.finish();
}

fn bench_chunk_header(c: &mut Criterion) {
    let mut group = c.benchmark_group("chunk_header");
    group.throughput(Throughput::Elements(1));
    let mut out = Vec::with_capacity(32);
    group.bench_function("tern", |b| {
        b.iter(|| ChunkHeader::new(black_box(16_384)).map(|h| h.as_bytes().len()));
    });
    group.bench_function("write", |b| {
        b.iter(|| {
            out.clear();
            write!(out, "{:x}\r\n", black_box(16_384u64)).unwrap();
            out.len()
        });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_head, bench_chunk_header
}
criterion_main!(benches);
