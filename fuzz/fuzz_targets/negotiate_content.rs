//! `cargo fuzz run -s none negotiate_content`: see fuzz/README.md and `tern_fuzz::semantics::negotiate_content`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::semantics::negotiate_content::check(data));
