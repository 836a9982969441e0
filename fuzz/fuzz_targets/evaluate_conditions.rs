//! `cargo fuzz run -s none evaluate_conditions`: see fuzz/README.md and `tern_fuzz::semantics::evaluate_conditions`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::semantics::evaluate_conditions::check(data));
