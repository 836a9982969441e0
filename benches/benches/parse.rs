//! Request parsing: tern-proto side by side with httparse and picohttpparser on
//! the same fixtures in the same run. tern-proto's figure includes what the
//! peers leave to their caller: the framing and persistence decision, and for
//! the chunked POST, decoding the body.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tern_benches::{BROWSER, CHUNKED_POST, SHORT, many_fields, pipelined};
use tern_proto::{Config, Connection};

mod parse_work;
use parse_work::{
    httparse_chunked_message, httparse_head, httparse_pipelined, httparse_trickled, pico_head,
    tern_all, tern_trickled,
};

fn heads(c: &mut Criterion) {
    let many = many_fields();
    let fixtures: [(&str, &[u8]); 3] = [
        ("short-68B", SHORT),
        ("browser-720B", BROWSER),
        ("fields-48", &many),
    ];
    let mut group = c.benchmark_group("head");
    for (name, input) in fixtures {
        group.throughput(Throughput::Bytes(input.len() as u64));
        let mut conn = Connection::new(Config::default());
        group.bench_with_input(BenchmarkId::new("tern", name), input, |b, input| {
            b.iter(|| tern_all(&mut conn, black_box(input)));
        });
        group.bench_with_input(BenchmarkId::new("httparse", name), input, |b, input| {
            b.iter(|| httparse_head(black_box(input)));
        });
        group.bench_with_input(
            BenchmarkId::new("picohttpparser", name),
            input,
            |b, input| {
                b.iter(|| pico_head(black_box(input)));
            },
        );
    }
    group.finish();
}

fn chunked_message(c: &mut Criterion) {
    let mut group = c.benchmark_group("message");
    group.throughput(Throughput::Bytes(CHUNKED_POST.len() as u64));
    let mut conn = Connection::new(Config::default());
    group.bench_function(BenchmarkId::new("tern", "chunked-post-520B"), |b| {
        b.iter(|| tern_all(&mut conn, black_box(CHUNKED_POST)));
    });
    group.bench_function(BenchmarkId::new("httparse", "chunked-post-520B"), |b| {
        b.iter(|| httparse_chunked_message(black_box(CHUNKED_POST)));
    });
    group.finish();
}

fn trickled(c: &mut Criterion) {
    // Two heads of different sizes: linear work shows as the same time per byte.
    let many = many_fields();
    let heads: [(&str, &[u8]); 2] = [("browser-720B", BROWSER), ("fields-48-2044B", &many)];
    let mut group = c.benchmark_group("trickle");
    for (name, head) in heads {
        group.throughput(Throughput::Bytes(head.len() as u64));
        for piece in [1usize, 64] {
            let id = format!("{name}/{piece}");
            let mut conn = Connection::new(Config::default());
            group.bench_with_input(BenchmarkId::new("tern", &id), &piece, |b, &piece| {
                b.iter(|| tern_trickled(&mut conn, black_box(head), piece));
            });
            group.bench_with_input(BenchmarkId::new("httparse", &id), &piece, |b, &piece| {
                b.iter(|| httparse_trickled(black_box(head), piece));
            });
        }
    }
    group.finish();
}

fn pipelining(c: &mut Criterion) {
    let one = b"GET /a HTTP/1.1\r\nHost: tern.example\r\nCookie: sid=4242; theme=dark\r\n\r\n";
    let batch = pipelined(one, 16);
    let mut group = c.benchmark_group("pipelined");
    group.throughput(Throughput::Bytes(batch.len() as u64));
    let mut conn = Connection::new(Config::default());
    group.bench_function("tern/16", |b| {
        b.iter(|| tern_all(&mut conn, black_box(&batch)))
    });
    group.bench_function("httparse/16", |b| {
        b.iter(|| httparse_pipelined(black_box(&batch)))
    });
    group.finish();
}

criterion_group!(benches, heads, chunked_message, trickled, pipelining);
criterion_main!(benches);
