//! loom models of the concurrent parts of tern-proto.
//!
//! [loom](https://docs.rs/loom) runs a test body over and over, each time under a
//! different interleaving of its threads and a different choice of which store
//! each atomic load observes that the C++/Rust memory model allows, so a model
//! passes only if it holds on every such execution (up to the preemption bound).
//!
//! # Running
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 \
//!     cargo test -p loom-tests --release --target-dir target/loom
//! ```
//!
//! - `--cfg loom` switches tern-proto's private `sync` shim from `core`/`std`
//!   atomics, `Arc` and `Mutex` to loom's, so the models check the code that
//!   ships. It is a cfg rather than a feature so that a normal
//!   `cargo test --workspace` never unifies loom into other builds; there the
//!   test files (which start with `#![cfg(loom)]`) compile to nothing.
//! - `--target-dir target/loom` keeps the loom build (every crate is rebuilt with
//!   the different `RUSTFLAGS`) from evicting the normal build cache.
//! - `LOOM_MAX_PREEMPTIONS=2` bounds how many times a thread may be preempted
//!   in one execution. Without a bound, even these small models run for hours;
//!   two is enough to find the bugs these designs could have (loom's own
//!   guidance is 2 or 3). Every model runs at bound 2 except
//!   `two_readers_and_a_lapping_updater_at_one_preemption`, which sets bound 1
//!   itself (at 2 it needs about 470 000 executions, over a minute here); its two
//!   halves are covered at bound 2 by the models before it.
//!
//! Measured on the shared 2-core development machine while other builds and a
//! fuzzer were running: cold build about 15 s; the models themselves 6 s to 30 s
//! depending on that load. Almost all of it is
//! `a_lapped_reader_retries_and_never_goes_back` (about 43 000 executions); the
//! bound-1 three-thread date model takes about 42 000, the pool models at most
//! about 1 800 each (under 2 s together).
//!
//! To lint the loom build too:
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo clippy -p tern-proto -p loom-tests --tests \
//!     --target-dir target/loom -- -D warnings
//! ```
//!
//! # What the models cover
//!
//! `tests/date.rs`, [`SharedDateCache`](tern_proto::date::SharedDateCache):
//!
//! - one updater and two readers: every read returns one whole rendering (never
//!   bytes of two seconds), and a reader's second read is never older than its
//!   first, through each read path (`read`, `imf_fixdate`, `clf_timestamp`);
//! - two updates, so the updater rewrites the slot a slow reader may be copying:
//!   the reader notices, retries, and still never goes back in time;
//! - both of the above together at bound 1;
//! - two racing updaters (outside the design, which has one) never corrupt it.
//!
//! `tests/pool.rs`, [`BufferPool`](tern_proto::pool::BufferPool): two threads take
//! and give buffers while a third sweeps, with private lists of zero or one
//! buffer so that the traffic goes through the shared new and old lists, and one
//! model moving a buffer between threads over a channel. Each checks that no
//! buffer is lost (allocations equal retained plus freed), none changes while in
//! use (so none was freed or handed out twice), and the shared lists never exceed
//! their capacity.
//!
//! Checked to catch real bugs: with the reader's second stamp check removed, or
//! the updater's word stores or the readers' word loads weakened to `Relaxed`,
//! the lapping models report a torn read; accepting any even stamp instead of
//! exactly `2g` makes the lapped reader go back in time; a give that ignores the
//! old list's length breaks the pool's bound.
