//! `cargo fuzz run -s none drive_connection`: see fuzz/README.md and `tern_fuzz::checks::drive_connection`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::drive_connection::check(data));
