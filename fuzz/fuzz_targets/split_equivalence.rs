//! `cargo fuzz run -s none split_equivalence`: see fuzz/README.md and `tern_fuzz::checks::split_equivalence`.
#![no_main]
// spec: RESULT-4, ERR-1

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::split_equivalence::check(data));
