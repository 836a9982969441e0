//! Helpers shared by the integration tests.
#![allow(unreachable_pub)]

pub mod vectors;

use tern_proto::transcript::{self, Transcript};
use tern_proto::{Config, ErrorKind};

/// Applies `edits` to `bytes` in order, each `(at, byte, op)`: at `at` taken
/// modulo the length plus one, op 0 replaces the byte there with `byte`, op 1
/// inserts `byte`, any other op removes the byte there (replacing and
/// removing past the end do nothing). The mutations of the property tests.
pub fn mutate(bytes: &mut Vec<u8>, edits: &[(usize, u8, u8)]) {
    for &(at, byte, op) in edits {
        let at = at % (bytes.len() + 1);
        match op {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
}

/// The head of a chunked request, for the tests of chunked bodies.
pub const CHUNKED_HEAD: &str = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

/// A chunked request: [`CHUNKED_HEAD`] followed by `body`.
pub fn chunked(body: &str) -> Vec<u8> {
    format!("{CHUNKED_HEAD}{body}").into_bytes()
}

/// The transcript of `input`, delivered whole; asserts that delivering it
/// byte by byte gives the same.
pub fn run(config: &Config, input: &[u8]) -> Transcript {
    let whole = transcript::run(config, input, &[]);
    let bytewise = transcript::run(config, input, &(1..input.len()).collect::<Vec<_>>());
    assert_eq!(whole, bytewise, "split changed the result");
    whole
}

/// The error `input` ends in (whole and byte by byte alike), with its offset.
pub fn error_at(config: &Config, input: &[u8]) -> Option<(ErrorKind, usize)> {
    run(config, input).error.map(|e| (e.kind(), e.offset()))
}

/// The configuration with every leniency on.
pub fn lenient() -> Config {
    Config::default()
        .allow_bare_lf(true)
        .allow_obs_fold(true)
        .allow_bare_cr_in_value(true)
        .allow_nul_in_value(true)
}
