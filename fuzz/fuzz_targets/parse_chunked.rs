//! `cargo fuzz run -s none parse_chunked`: see fuzz/README.md and `tern_fuzz::checks::parse_chunked`.
#![no_main]
// spec: CHUNK-1, CHUNK-2, CHUNK-3, CHUNK-4, CHUNK-5, CHUNK-6, CHUNK-7, CHUNK-8, CHUNK-9
// spec: CHUNK-10, LIMIT-3, LIMIT-4, LIMIT-5, LIMIT-6

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::parse_chunked::check(data));
