//! `cargo fuzz run -s none simd_scalar`: see fuzz/README.md and `tern_fuzz::checks::simd_scalar`.
#![no_main]
// spec: RESULT-5

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::simd_scalar::check(data));
