//! End-to-end tests of the `tern` binary: each test starts the real server on
//! 127.0.0.1 port 0 and talks to it over raw sockets (and curl, when
//! installed). One test binary; the areas are submodules.

#[path = "serve/common.rs"]
mod common;

#[path = "serve/basic.rs"]
mod basic;
#[path = "serve/conditional.rs"]
mod conditional;
#[path = "serve/errors.rs"]
mod errors;
#[path = "serve/fallback.rs"]
mod fallback;
#[path = "serve/faults.rs"]
mod faults;
#[path = "serve/headers.rs"]
mod headers;
#[path = "serve/lifecycle.rs"]
mod lifecycle;
#[path = "serve/listen.rs"]
mod listen;
#[path = "serve/listing.rs"]
mod listing;
#[path = "serve/precompressed.rs"]
mod precompressed;
#[path = "serve/ranges.rs"]
mod ranges;
#[path = "serve/resources.rs"]
mod resources;
#[path = "serve/traversal.rs"]
mod traversal;
