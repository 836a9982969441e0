//! Tern's sans-I/O HTTP/1.1 core.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod body;
pub mod compose;
mod config;
mod conn;
pub mod date;
mod error;
mod framing;
mod parse;
pub mod pool;
mod request;
mod state;
mod sync;
mod tables;
pub mod transcript;
mod version;

pub use config::{Config, Leniency, LeniencyKind};
pub use conn::{Connection, Event, Outcome, Step};
pub use error::{Error, ErrorKind};
pub use framing::Framing;
pub use request::{Field, Fields, Method, Request, Trailers};
pub use state::{State, StateError};
pub use version::Version;
