//! tern-proto's integration tests, one binary, a module per behaviour (the
//! pattern of rustls's `tests/api.rs`): one link instead of one per suite.
//! Only `tests/no_alloc.rs` is its own binary, because its counting global
//! allocator must see no other test's allocations.
//!
//! Run one suite with a filter: `cargo test -p tern-proto --test api chunked::`.

// The parser, through `Connection`.
mod chunked;
mod conformance;
mod connection;
mod errors;
mod head;
mod owned;
mod properties;

// The parser held to independent references.
mod corpus_replay;
mod differential;
mod golden_events;
mod simd_scalar;

// The response side.
mod compose;
mod send;
mod send_properties;

// The other parts of the crate.
mod date;
mod http_conversion;
mod pool;

// The examples, served and spoken to over loopback.
mod example_server;

// Requirements to checks, and spec/reports/TRACE.md.
mod trace;

// Helpers.
mod events;
mod support;
