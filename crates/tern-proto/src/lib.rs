//! Tern's sans-I/O HTTP/1.1 core.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod compose;
pub mod date;
pub mod pool;
mod sync;
mod version;

pub use version::Version;
