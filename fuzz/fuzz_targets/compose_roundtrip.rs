//! `cargo fuzz run -s none compose_roundtrip`: see fuzz/README.md and `tern_fuzz::checks::compose_roundtrip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::compose_roundtrip::check(data));
