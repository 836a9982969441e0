//! The HTTP semantics of a static server that involve no I/O: pure functions
//! of bytes, tested with properties and fuzzed (`fuzz/`), like the core.
//!
//! - [`target`]: request-target → a relative path that cannot leave ROOT.
//! - [`conditional`]: preconditions in the order of RFC 9110 §13.2.2.
//! - [`range`]: `Range` resolved, sorted and coalesced (RFC 9110 §14).
//! - [`negotiate`]: `Accept-Encoding` and `Accept` (RFC 9110 §12.5).

pub mod conditional;
pub mod negotiate;
pub mod range;
pub mod target;
