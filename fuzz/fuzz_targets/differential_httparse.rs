//! `cargo fuzz run -s none differential_httparse`: see fuzz/README.md and `tern_fuzz::checks::differential_httparse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::differential_httparse::check(data));
