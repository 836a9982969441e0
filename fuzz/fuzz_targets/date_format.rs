//! `cargo fuzz run -s none date_format`: see fuzz/README.md and `tern_fuzz::checks::date_format`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::date_format::check(data));
