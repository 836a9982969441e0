//! `cargo fuzz run -s none parse_request`: see fuzz/README.md and `tern_fuzz::checks::parse_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::parse_request::check(data));
