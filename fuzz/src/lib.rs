//! The checks behind tern-proto's fuzz targets.
//!
//! Each target in `fuzz_targets/` is one line that calls `checks::<target>::check`
//! on the bytes libFuzzer hands it. The same module is compiled into
//! `crates/tern-proto/tests/api/corpus_replay.rs`, which replays every committed
//! corpus and regression file through the same functions under a plain
//! `cargo test` on stable, without libFuzzer.

pub mod checks;
