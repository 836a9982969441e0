//! `cargo fuzz run -s none pool_ops`: see fuzz/README.md and `tern_fuzz::checks::pool_ops`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::pool_ops::check(data));
