//! The SIMD scans against the scalar reference (`Config::scalar_only`): on the
//! same bytes, a connection must produce the same event log either way
//! (events, spans, leniencies, errors and their offsets), in the strict and
//! the lenient configuration, whole, at every two-way split, byte by byte,
//! and from every start offset within a larger buffer (so the 32-byte blocks
//! fall at every alignment and the scalar tail takes every length).
//!
//! On a CPU without AVX2, or built with `--cfg tern_disable_simd`, both runs
//! take the scalar path and agree trivially; this machine and CI's have AVX2.

use proptest::prelude::*;
use tern_proto::Config;

use crate::events::{event_log, event_log_split};
use crate::support::lenient;

fn configs() -> [(Config, Config); 2] {
    let pair = |config: Config| {
        let scalar = config.scalar_only(true);
        (config, scalar)
    };
    [pair(Config::default()), pair(lenient())]
}

/// Bytes that steer the scanner: line ends, separators, bytes a token or a
/// value refuses, obs-text.
const SPECIAL: &[u8] = b"\r\n \t:\"\x00\x7f\x80\xff\x01\x1f,;=/@[";

/// Checks every delivery of `input`; the scalar whole run is the reference
/// for the whole runs, the scalar split run for each split.
fn check_all_deliveries(input: &[u8]) -> Result<(), TestCaseError> {
    for (simd, scalar) in configs() {
        let reference = event_log(&scalar, input, usize::MAX);
        let mut buffer = vec![b'x'; input.len() + 64 + 64];
        for offset in 0..64 {
            buffer[offset..offset + input.len()].copy_from_slice(input);
            let shifted = &buffer[offset..offset + input.len()];
            prop_assert_eq!(
                &event_log(&simd, shifted, usize::MAX),
                &reference,
                "offset {}",
                offset
            );
            buffer[offset] = b'x';
        }
        for split in 0..=input.len() {
            prop_assert_eq!(
                event_log_split(&simd, input, split),
                event_log_split(&scalar, input, split),
                "split at {}",
                split
            );
        }
        prop_assert_eq!(event_log(&simd, input, 1), event_log(&scalar, input, 1));
    }
    Ok(())
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"Host".to_vec()),
        Just(b"Content-Length".to_vec()),
        Just(b"Transfer-Encoding".to_vec()),
        proptest::collection::vec(
            prop_oneof![
                12 => Just(b'a'),
                2 => Just(b'Z'),
                2 => Just(b'-'),
                1 => Just(b'!'),
                1 => Just(b'~'),
                1 => Just(b'7'),
                1 => any::<u8>(),
            ],
            1..80
        ),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"tern.example".to_vec()),
        Just(b"5".to_vec()),
        Just(b"chunked".to_vec()),
        proptest::collection::vec(
            prop_oneof![
                20 => Just(b'v'),
                3 => Just(b' '),
                3 => Just(b'\t'),
                2 => Just(b'"'),
                2 => Just(0xe9u8),
                2 => Just(b':'),
                1 => prop::sample::select(SPECIAL),
            ],
            0..120
        ),
    ]
}

fn line() -> impl Strategy<Value = Vec<u8>> {
    let sep = prop_oneof![Just(&b":"[..]), Just(&b": "[..]), Just(&b":\t "[..])];
    let end = prop_oneof![
        6 => Just(&b"\r\n"[..]),
        1 => Just(&b"\n"[..]),
        1 => Just(&b"\r"[..]),
        1 => Just(&b" \r\n"[..]),
        1 => Just(&b"\r\n "[..])
    ];
    (name(), sep, value(), end)
        .prop_map(|(name, sep, value, end)| [name.as_slice(), sep, value.as_slice(), end].concat())
}

/// A head (mostly well-formed lines), maybe a body, then a few bytes
/// replaced by `SPECIAL` ones and maybe cut short.
fn head() -> impl Strategy<Value = Vec<u8>> {
    let start = prop_oneof![
        Just(&b"GET / HTTP/1.1\r\n"[..]),
        Just(&b"POST /upload?x=1 HTTP/1.1\r\n"[..]),
        Just(&b"GET /a/long/path/with/enough/bytes/for/a/block/or/two.html HTTP/1.0\r\n"[..]),
        Just(&b"GET /a/long/path/with/%20/pct/escapes/%41%42/and?query=x&y=[z] HTTP/1.1\r\n"[..]),
        Just(&b"GET http://[::1]:8080/a/long/absolute/form/path/past/one/block HTTP/1.1\r\n"[..]),
        Just(&b"OPTIONS * HTTP/1.1\r\n"[..]),
    ];
    let mutations = proptest::collection::vec(
        (any::<prop::sample::Index>(), prop::sample::select(SPECIAL)),
        0..3,
    );
    (
        start,
        proptest::collection::vec(line(), 0..12),
        prop_oneof![
            Just(&b"\r\n"[..]),
            Just(&b"\r\n0\r\n\r\n"[..]),
            Just(&b""[..])
        ],
        mutations,
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(start, lines, end, mutations, cut, cut_short)| {
            let mut bytes = [start, &lines.concat(), end].concat();
            for (at, byte) in mutations {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            if cut_short {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    // spec: RESULT-5
    #[test]
    fn simd_and_scalar_agree_on_every_delivery(input in head()) {
        check_all_deliveries(&input)?;
    }
}

/// Every string up to `MAX_LEN` bytes over `ALPHABET`, placed where a 32-byte
/// block of the name scan or the value scan meets it at each of several
/// offsets, including across a block boundary and in the scalar tail.
const ALPHABET: &[u8] = b"\r\n \t:a\"\x80\x00\x7f%";
const MAX_LEN: usize = 5;

fn templates(s: &[u8]) -> [Vec<u8>; 8] {
    let pad = |c: u8, n: usize| vec![c; n];
    let line = |parts: &[&[u8]]| {
        [
            &b"GET / HTTP/1.1\r\nHost: h\r\n"[..],
            &parts.concat(),
            b"\r\nX: y\r\n\r\n",
        ]
        .concat()
    };
    [
        // At the start of a name, with a long name after it.
        line(&[s, &pad(b'n', 40), b": v"]),
        // Across the first block boundary of a name scan.
        line(&[&pad(b'n', 29), s, &pad(b'n', 10), b": v"]),
        // At the start of a value, and across its first block boundary.
        line(&[b"N: ", s, &pad(b'v', 40)]),
        line(&[b"N: ", &pad(b'v', 29), s, &pad(b'v', 10)]),
        // After OWS that goes on past the value scan's first block.
        line(&[b"N:", &pad(b' ', 30), s, &pad(b'v', 10)]),
        // In the last bytes of the input (scalar tail of the last line).
        [&b"GET / HTTP/1.1\r\nHost: h\r\nN: "[..], &pad(b'v', 33), s].concat(),
        // In a request-target, across its first block boundary, and in a method.
        [
            &b"GET /"[..],
            &pad(b'p', 28),
            s,
            &pad(b'p', 10),
            b" HTTP/1.1\r\nHost: h\r\n\r\n",
        ]
        .concat(),
        [
            s,
            &pad(b'M', 40),
            b" /",
            &pad(b'p', 40),
            b" HTTP/1.1\r\nHost: h\r\n\r\n",
        ]
        .concat(),
    ]
}

// spec: RESULT-5
#[test]
fn simd_and_scalar_agree_on_every_short_string() {
    let mut count = 0usize;
    let mut s = Vec::with_capacity(MAX_LEN);
    for len in 0..=MAX_LEN {
        let mut digits = [0usize; MAX_LEN];
        loop {
            s.clear();
            s.extend(digits[..len].iter().map(|&d| ALPHABET[d]));
            for input in templates(&s) {
                for (simd, scalar) in configs() {
                    assert_eq!(
                        event_log(&simd, &input, usize::MAX),
                        event_log(&scalar, &input, usize::MAX),
                        "{input:?}"
                    );
                }
                count += 1;
            }
            // The next string of this length, as a number in base |ALPHABET|.
            let Some(i) = digits[..len].iter().position(|&d| d + 1 < ALPHABET.len()) else {
                break;
            };
            digits[i] += 1;
            digits[..i].fill(0);
        }
    }
    let strings: usize = (0..=MAX_LEN).map(|n| ALPHABET.len().pow(n as u32)).sum();
    assert_eq!(count, strings * 8);
}
