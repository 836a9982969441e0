//! Runs one side of one parse benchmark `iterations` times, for counting
//! instructions under callgrind, the steady second opinion beside criterion's
//! times on this shared machine:
//!
//! ```sh
//! cargo build --profile bench -p tern-benches --example parse_instructions
//! valgrind --tool=callgrind target/release/examples/parse_instructions tern browser 100000
//! ```
//!
//! Instructions per iteration: the difference of two runs with different
//! `iterations`, divided by the difference (start-up cancels out).

use std::hint::black_box;

use tern_benches::{BROWSER, CHUNKED_POST, SHORT, many_fields, pipelined};
use tern_proto::{Config, Connection};

#[path = "../benches/parse_work.rs"]
mod parse_work;
use parse_work::{
    httparse_chunked_message, httparse_head, httparse_pipelined, httparse_trickled, pico_head,
    tern_all, tern_trickled,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: parse_instructions tern|httparse|pico short|browser|fields|chunked|pipelined|trickle1|trickle64 ITERATIONS";
    let [_, who, fixture, iterations] = &args[..] else {
        panic!("{usage}");
    };
    let iterations: usize = iterations.parse().expect(usage);
    let one = b"GET /a HTTP/1.1\r\nHost: tern.example\r\nCookie: sid=4242; theme=dark\r\n\r\n";
    let batch = pipelined(one, 16);
    let many = many_fields();
    let input: &[u8] = match fixture.as_str() {
        "short" => SHORT,
        "browser" | "trickle1" | "trickle64" => BROWSER,
        "fields" => &many,
        "chunked" => CHUNKED_POST,
        "pipelined" => &batch,
        _ => panic!("{usage}"),
    };
    let mut conn = Connection::new(Config::default());
    let mut seen = 0;
    for _ in 0..iterations {
        seen += match (who.as_str(), fixture.as_str()) {
            ("tern", "trickle1") => tern_trickled(&mut conn, black_box(input), 1),
            ("tern", "trickle64") => tern_trickled(&mut conn, black_box(input), 64),
            ("tern", _) => tern_all(&mut conn, black_box(input)),
            ("httparse", "trickle1") => httparse_trickled(black_box(input), 1),
            ("httparse", "trickle64") => httparse_trickled(black_box(input), 64),
            ("httparse", "chunked") => httparse_chunked_message(black_box(input)),
            ("httparse", "pipelined") => httparse_pipelined(black_box(input)),
            ("httparse", _) => httparse_head(black_box(input)),
            ("pico", _) => pico_head(black_box(input)),
            _ => panic!("{usage}"),
        };
    }
    println!("{seen}");
}
