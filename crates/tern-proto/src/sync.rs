//! The one place where the crate chooses between real and model-checked
//! synchronisation primitives.
//!
//! Everything concurrent in tern-proto (the shared date cache, the shared half of
//! the buffer pool) imports its atomics, `Arc` and `Mutex` from here and never from
//! `core`/`alloc`/`std` directly. A normal build gets the real types; a build with
//! `RUSTFLAGS="--cfg loom"` gets loom's instrumented ones, so the models in
//! the repository's `loom-tests/` exercise exactly the code that ships.
//!
//! The gate is plain `cfg(loom)` rather than `cfg(all(test, loom))`: the models
//! live in a separate crate, and `cfg(test)` is never set for a dependency.
//!
//! No `UnsafeCell` wrapper is exported: the crate's only `unsafe` is the SIMD
//! scanning module's, so shared bytes are kept in atomic words and shared
//! lists behind a `Mutex`.
//!
//! `Mutex` exists only with the `std` feature (neither `core` nor `alloc` has a
//! lock, and a spin lock that guards data needs `unsafe`), which is why the buffer
//! pool needs `std` while the date cache works in `no_std`.

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[cfg(all(not(loom), feature = "std"))]
pub(crate) use alloc::sync::Arc;
#[cfg(all(not(loom), feature = "std"))]
pub(crate) use core::sync::atomic::AtomicUsize;
#[cfg(all(not(loom), feature = "std"))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(all(loom, feature = "std"))]
pub(crate) use loom::sync::atomic::AtomicUsize;
#[cfg(all(loom, feature = "std"))]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};

/// Locks `mutex`, ignoring poisoning.
///
/// Every critical section in this crate is a single `Vec` push, pop or swap, which
/// cannot leave the data half-updated, so a panic elsewhere while the lock was
/// held does not make the contents wrong.
#[cfg(feature = "std")]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
