//! `cargo fuzz run -s none differential_httparse`: see fuzz/README.md and `tern_fuzz::checks::differential_httparse`.
#![no_main]
// spec: RESULT-1, MSG-4, REQ-LINE-7, TARGET-5, FIELD-1, FIELD-4, HOST-1, HOST-2, HOST-3
// spec: FRAME-3, FRAME-5, FRAME-6, FRAME-8, FRAME-9, FRAME-10, EXPECT-2, LIMIT-3

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::differential_httparse::check(data));
