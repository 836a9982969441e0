//! `cargo fuzz run -s none normalize_target`: see fuzz/README.md and `tern_fuzz::semantics::normalize_target`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::semantics::normalize_target::check(data));
