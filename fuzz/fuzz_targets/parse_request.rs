//! `cargo fuzz run -s none parse_request`: see fuzz/README.md and `tern_fuzz::checks::parse_request`.
#![no_main]
// spec: RESULT-1, RESULT-2, ERR-1, ERR-2, REQ-LINE-3, REQ-LINE-4, REQ-LINE-5, TARGET-1
// spec: TARGET-2, TARGET-3, TARGET-4, TARGET-5, TARGET-6, TARGET-7, TARGET-8, FIELD-1, FIELD-4
// spec: FIELD-5, FIELD-9, HOST-1, HOST-2, HOST-3, FRAME-1, FRAME-2, FRAME-3, FRAME-6, FRAME-7
// spec: FRAME-13, CONN-1, CONN-2, CONN-3, CONN-6, EXPECT-1, EXPECT-2, EXPECT-3, LIMIT-1
// spec: LIMIT-2, LIMIT-3, LIMIT-6, SMUGGLE-1, SMUGGLE-4

libfuzzer_sys::fuzz_target!(|data: &[u8]| tern_fuzz::checks::parse_request::check(data));
