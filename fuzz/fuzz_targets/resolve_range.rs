//! `cargo fuzz run -s none resolve_range`: see fuzz/README.md and `tern_fuzz::semantics::resolve_range`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::semantics::resolve_range::check(data));
