//! The checks behind the fuzz targets.
//!
//! Each target in `fuzz_targets/` is one line that calls `checks::<target>::check`
//! (tern-proto) or `semantics::<target>::check` (tern-server's HTTP semantics)
//! on the bytes libFuzzer hands it. The same modules are compiled into
//! `crates/tern-proto/tests/api/corpus_replay.rs` and
//! `crates/tern-server/tests/semantics_corpus.rs`, which replay every committed
//! corpus and regression file through the same functions under a plain
//! `cargo test` on stable, without libFuzzer.

pub mod checks;
pub mod semantics;
