//! `cargo fuzz run -s none parse_chunked`: see fuzz/README.md and `tern_fuzz::checks::parse_chunked`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::parse_chunked::check(data));
