//! The parse ratios measured interleaved: each round times a batch of tern
//! iterations and then a batch of the peer's on the same input, back to back,
//! and the ratio of the two is one sample; the median of many rounds is the
//! figure. Load from other jobs on this shared machine drifts over seconds, so
//! criterion, which measures one side for seconds and then the other, sees
//! ratios swing by 2x between runs; interleaving at sub-millisecond grain
//! lets both sides share the same load.
//!
//! ```sh
//! cargo run --profile bench -p tern-benches --example parse_interleaved [rounds]
//! ```

use std::hint::black_box;
use std::time::Instant;

use tern_benches::{BROWSER, CHUNKED_POST, SHORT, many_fields, pipelined};
use tern_proto::{Config, Connection};

#[path = "../benches/parse_work.rs"]
mod parse_work;
use parse_work::{
    httparse_chunked_message, httparse_head, httparse_pipelined, httparse_trickled, pico_head,
    tern_all, tern_trickled,
};

/// Nanoseconds per call of `f`, over `batch` calls.
fn time(batch: usize, mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut seen = 0;
    for _ in 0..batch {
        seen += f();
    }
    black_box(seen);
    start.elapsed().as_nanos() as f64 / batch as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The median over `rounds` of tern's time / the peer's time.
fn ratio(rounds: usize, mut tern: impl FnMut() -> usize, mut peer: impl FnMut() -> usize) -> f64 {
    // About 100 µs per batch on each side. Each side has its own batch:
    // where one side is 20 times slower (the trickled heads), one shared
    // batch would time a single cold call of the faster side.
    let batch_for = |nanos: f64| ((100_000.0 / nanos.max(1.0)) as usize).max(1);
    let tern_batch = batch_for(time(1000, &mut tern));
    let peer_batch = batch_for(time(1000, &mut peer));
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            // Alternate which side goes first.
            if round % 2 == 0 {
                let t = time(tern_batch, &mut tern);
                t / time(peer_batch, &mut peer)
            } else {
                let p = time(peer_batch, &mut peer);
                time(tern_batch, &mut tern) / p
            }
        })
        .collect();
    median(&mut ratios)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(2001, |n| n.parse().expect("rounds"));
    let many = many_fields();
    let one = b"GET /a HTTP/1.1\r\nHost: tern.example\r\nCookie: sid=4242; theme=dark\r\n\r\n";
    let batch = pipelined(one, 16);
    let mut conn = Connection::new(Config::default());
    for (name, input) in [
        ("browser-720B", BROWSER),
        ("short-68B", SHORT),
        ("fields-48", &many[..]),
    ] {
        let pico = ratio(
            rounds,
            || tern_all(&mut conn, black_box(input)),
            || pico_head(black_box(input)),
        );
        let httparse = ratio(
            rounds,
            || tern_all(&mut conn, black_box(input)),
            || httparse_head(black_box(input)),
        );
        println!("head {name}: tern/pico {pico:.3}, tern/httparse {httparse:.3}");
    }
    let chunked = ratio(
        rounds,
        || tern_all(&mut conn, black_box(CHUNKED_POST)),
        || httparse_chunked_message(black_box(CHUNKED_POST)),
    );
    println!("chunked POST 520B: tern/httparse {chunked:.3}");
    let piped = ratio(
        rounds,
        || tern_all(&mut conn, black_box(&batch)),
        || httparse_pipelined(black_box(&batch)),
    );
    println!("pipelined 16: tern/httparse {piped:.3}");
    for piece in [1, 64] {
        let trickle = ratio(
            rounds / 10 + 1,
            || tern_trickled(&mut conn, black_box(BROWSER), piece),
            || httparse_trickled(black_box(BROWSER), piece),
        );
        println!("trickle browser-720B {piece}-byte pieces: tern/httparse {trickle:.4}");
    }
}
