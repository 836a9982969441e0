//! Request parsing: tern-proto side by side with httparse and picohttpparser on
//! the same fixtures in the same run. tern-proto's figure includes what the
//! peers leave to their caller: the framing and persistence decision, and for
//! the chunked POST, decoding the body.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tern_benches::{BROWSER, CHUNKED_POST, SHORT, many_fields, pipelined};
use tern_proto::{Config, Connection, Event, Outcome};

/// Parses every request in `input` (delivered at once) with one connection;
/// returns the number of fields and body bytes seen.
fn tern_all(conn: &mut Connection, input: &[u8]) -> usize {
    let mut start = 0;
    let mut seen = 0;
    loop {
        let step = conn.poll_event(&input[start..]).expect("valid fixture");
        start += step.consumed;
        match step.outcome {
            Outcome::Event(Event::Request(request)) => seen += request.headers().len(),
            Outcome::Event(Event::Data(data)) => seen += data.len(),
            Outcome::Event(Event::EndOfMessage(_)) => {
                conn.finish_response(true).unwrap();
                conn.start_next_cycle().unwrap();
                if start == input.len() {
                    return seen;
                }
            }
            _ => unreachable!("fixtures are complete"),
        }
    }
}

/// Parses one request delivered in `piece`-byte arrivals; tern resumes.
fn tern_trickled(conn: &mut Connection, input: &[u8], piece: usize) -> usize {
    let mut start = 0;
    let mut available = 0;
    loop {
        available = (available + piece).min(input.len());
        loop {
            let step = conn.poll_event(&input[start..available]).expect("valid");
            start += step.consumed;
            match step.outcome {
                Outcome::Event(Event::EndOfMessage(_)) => {
                    conn.finish_response(true).unwrap();
                    conn.start_next_cycle().unwrap();
                    return start;
                }
                Outcome::NeedData => break,
                _ => {}
            }
        }
    }
}

fn httparse_head(input: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(input).expect("valid fixture") {
        httparse::Status::Complete(len) => len + request.headers.len(),
        httparse::Status::Partial => 0,
    }
}

/// httparse's user re-parses the head from the start each time bytes arrive.
fn httparse_trickled(input: &[u8], piece: usize) -> usize {
    let mut available = 0;
    loop {
        available = (available + piece).min(input.len());
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        if let httparse::Status::Complete(len) = request.parse(&input[..available]).expect("valid")
        {
            return len;
        }
    }
}

/// httparse's head parser plus its chunk-size parser for the body.
fn httparse_chunked_message(input: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(mut at) = request.parse(input).expect("valid") else {
        return 0;
    };
    let mut body = 0;
    loop {
        let httparse::Status::Complete((used, size)) =
            httparse::parse_chunk_size(&input[at..]).expect("valid chunk")
        else {
            return 0;
        };
        at += used;
        if size == 0 {
            // Empty trailer section.
            return body + at + 2;
        }
        body += size as usize;
        at += size as usize + 2;
    }
}

fn pico_head(input: &[u8]) -> usize {
    let mut method = std::ptr::null();
    let mut method_len = 0;
    let mut path = std::ptr::null();
    let mut path_len = 0;
    let mut minor = 0;
    let mut headers = [picohttpparser_sys::phr_header::default(); 64];
    let mut num_headers = headers.len();
    // SAFETY: every pointer refers to a live local or to `input`, whose length
    // is passed with it; picohttpparser writes at most `num_headers` headers.
    let result = unsafe {
        picohttpparser_sys::phr_parse_request(
            input.as_ptr().cast(),
            input.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor,
            headers.as_mut_ptr(),
            &mut num_headers,
            0,
        )
    };
    assert!(result > 0, "picohttpparser refused a fixture");
    result as usize + num_headers
}

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
        b.iter(|| {
            let mut at = 0;
            let mut seen = 0;
            while at < batch.len() {
                let mut headers = [httparse::EMPTY_HEADER; 16];
                let mut request = httparse::Request::new(&mut headers);
                let httparse::Status::Complete(len) = request.parse(&batch[at..]).unwrap() else {
                    unreachable!()
                };
                seen += request.headers.len();
                at += len;
            }
            seen
        });
    });
    group.finish();
}

criterion_group!(benches, heads, chunked_message, trickled, pipelining);
criterion_main!(benches);
