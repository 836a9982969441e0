//! A lookaside pool of fixed-size buffers, after Jeff Darcy's *High-Performance
//! Server Architecture* ("Memory Allocation").
//!
//! Connections need a buffer only while a request is being read or a response
//! head composed; taking it from the system allocator and giving it back each time
//! costs more than the work done with it. The pool keeps recently freed buffers on
//! lookaside lists instead and hands them out again.
//!
//! # Structure
//!
//! ```text
//!   thread 1                 thread 2
//!   LocalPool                LocalPool           each: private list, no locking
//!   [private]                [private]
//!        \                      /
//!         \   BufferPool (shared by clones)
//!          +-> [ new ] --sweep--> [ old ] --sweep--> freed
//!              (lock)             (lock)
//! ```
//!
//! - [`LocalPool::take`] tries the thread's private list, then the shared *new*
//!   list, then the shared *old* list, and only then the system allocator.
//! - Dropping a [`PooledBuffer`] (or [`LocalPool::give`]) puts the buffer on the
//!   private list if it has room, else on the shared new list if the shared lists
//!   have room, else frees it.
//! - [`BufferPool::sweep`], called by the owner on a timer (the core reads no
//!   clock), frees everything on the old list and makes the new list the old
//!   one. A buffer that reaches the shared lists is therefore freed only after it
//!   has stayed unused for at least one full sweep interval and less than two; one
//!   that is taken again in between starts over. The sweep holds the two list locks
//!   only to swap the lists, never while freeing.
//!
//! # Bounds
//!
//! The pool never retains more than `shared_capacity` buffers on the shared lists
//! (new and old together) plus `private_capacity` on each live [`LocalPool`], so
//! with one `LocalPool` per thread the total is fixed by the configuration. Buffers
//! in use are not retained and not counted: they are bounded by whatever bounds
//! their users (the connection limit). List storage is allocated once, at the
//! configured capacity, so neither taking nor giving ever grows a list.
//!
//! # Ownership
//!
//! A buffer is a `Box<[u8]>` moved between the lists and the handle that uses
//! it, so the type system already guarantees it is never in two places at once
//! and never freed while in use; the model tests count them anyway. A
//! [`PooledBuffer`] belongs to the thread whose `LocalPool` handed it out (it is
//! not `Send`); to move a buffer to another thread, detach it with
//! [`PooledBuffer::into_boxed_slice`] and [`LocalPool::give`] it there.
//!
//! Reused buffers are not cleared: a user must track how much of a buffer it has
//! filled, as it must anyway for partial reads.
//!
//! # Why this needs `std`
//!
//! The shared lists are behind `std::sync::Mutex` (loom's under `cfg(loom)`): with
//! `unsafe` forbidden there is no way to build a lock-free list of owned boxes or a
//! spin lock that guards data, and `core`/`alloc` have no lock. So this module is
//! compiled only with the `std` feature; the rest of the crate stays `no_std`.
//!
//! ```
//! use tern_proto::pool::{BufferPool, PoolConfig};
//!
//! let pool = BufferPool::new(PoolConfig::new().with_buffer_size(4096));
//! let local = pool.local(); // one per thread
//! let mut buffer = local.take(); // from the system allocator: the pool is empty
//! buffer[..5].copy_from_slice(b"hello");
//! drop(buffer); // back onto the private list
//! let again = local.take(); // from the private list, no allocation
//! assert_eq!(&again[..5], b"hello"); // not cleared
//! assert_eq!(local.stats().private_hits, 1);
//! assert_eq!(local.stats().system_allocs, 1);
//! ```
#![cfg(feature = "std")]

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::mem;
use core::ops::{Deref, DerefMut};

use crate::sync::{Arc, AtomicUsize, Mutex, Ordering, lock};

/// Default buffer size: 16 KiB, room for a request head of up to 8 KiB (the
/// common ceiling browsers and proxies stay under) plus the response head composed
/// into the same buffer. A connection reading into such buffers should lower
/// [`Config::max_head_len`](crate::Config::max_head_len) (64 KiB by default)
/// to what its buffer holds, so that a longer head is refused with 431.
pub const DEFAULT_BUFFER_SIZE: usize = 16 * 1024;

/// Default number of buffers each [`LocalPool`] keeps privately.
pub const DEFAULT_PRIVATE_CAPACITY: usize = 16;

/// Default number of buffers the shared lists (new and old together) keep.
pub const DEFAULT_SHARED_CAPACITY: usize = 128;

/// Sizes and bounds of a [`BufferPool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    buffer_size: usize,
    private_capacity: usize,
    shared_capacity: usize,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl PoolConfig {
    /// The defaults: [`DEFAULT_BUFFER_SIZE`], [`DEFAULT_PRIVATE_CAPACITY`],
    /// [`DEFAULT_SHARED_CAPACITY`].
    #[must_use]
    pub const fn new() -> Self {
        Self {
            buffer_size: DEFAULT_BUFFER_SIZE,
            private_capacity: DEFAULT_PRIVATE_CAPACITY,
            shared_capacity: DEFAULT_SHARED_CAPACITY,
        }
    }

    /// Sets the size in bytes of every buffer (at least 1: a zero-length buffer
    /// cannot be told apart from a detached one). Buffers of any other size given
    /// to the pool are freed instead of kept.
    #[must_use]
    pub const fn with_buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = if bytes == 0 { 1 } else { bytes };
        self
    }

    /// Sets how many free buffers each [`LocalPool`] keeps on its private list.
    #[must_use]
    pub const fn with_private_capacity(mut self, buffers: usize) -> Self {
        self.private_capacity = buffers;
        self
    }

    /// Sets how many free buffers the shared new and old lists keep together.
    #[must_use]
    pub const fn with_shared_capacity(mut self, buffers: usize) -> Self {
        self.shared_capacity = buffers;
        self
    }

    /// The size in bytes of every buffer.
    #[must_use]
    pub const fn buffer_size(&self) -> usize {
        self.buffer_size
    }

    /// How many free buffers each [`LocalPool`] keeps on its private list.
    #[must_use]
    pub const fn private_capacity(&self) -> usize {
        self.private_capacity
    }

    /// How many free buffers the shared new and old lists keep together.
    #[must_use]
    pub const fn shared_capacity(&self) -> usize {
        self.shared_capacity
    }
}

/// What one [`BufferPool::sweep`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SweepReport {
    /// Buffers moved from the new list to the old list (they will be freed by
    /// the next sweep unless taken first).
    pub aged: usize,
    /// Buffers freed: everything that was on the old list.
    pub freed: usize,
}

/// The state of the shared lists and what passed through them, from all threads
/// (including threads whose [`LocalPool`] is gone).
///
/// Every buffer the pool allocated (the sum of [`LocalPoolStats::system_allocs`])
/// is in use, detached, on a private or shared list, or was freed and counted here
/// in `freed_full` or `swept`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedPoolStats {
    /// Free buffers on the new list now.
    pub retained_new: usize,
    /// Free buffers on the old list now.
    pub retained_old: usize,
    /// Takes served from the new list.
    pub new_hits: u64,
    /// Takes served from the old list.
    pub old_hits: u64,
    /// Buffers given to the new list.
    pub returned_new: u64,
    /// Buffers freed because the shared lists were full when they were given.
    pub freed_full: u64,
    /// Sweeps done so far.
    pub sweeps: u64,
    /// Buffers freed by sweeps so far.
    pub swept: u64,
}

/// What one [`LocalPool`] has done so far. Counted without any synchronisation;
/// read it with [`LocalPool::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalPoolStats {
    /// Takes served from this thread's private list.
    pub private_hits: u64,
    /// Takes served from the shared new list.
    pub new_hits: u64,
    /// Takes served from the shared old list.
    pub old_hits: u64,
    /// Takes that went to the system allocator because every list was empty.
    pub system_allocs: u64,
    /// Buffers given back onto the private list.
    pub returned_private: u64,
    /// Buffers given back onto the shared new list (private list full, or flushed).
    pub returned_new: u64,
    /// Buffers this thread gave that were freed because its private list and the
    /// shared lists were full (also counted in [`SharedPoolStats::freed_full`]).
    pub freed_full: u64,
    /// Buffers freed because they were not of the configured size.
    pub freed_wrong_size: u64,
}

/// The shared part of the pool: configuration and the new and old lists.
///
/// Cloning is cheap and gives another handle to the same pool. Create one
/// [`LocalPool`] per thread with [`local`](Self::local) and call
/// [`sweep`](Self::sweep) from a timer.
#[derive(Clone)]
pub struct BufferPool {
    shared: Arc<Shared>,
}

struct Shared {
    config: PoolConfig,
    new: Mutex<NewList>,
    old: Mutex<OldList>,
    /// Upper bound on `old.len()`, readable without the old lock so that a give
    /// (which holds only the new lock) can enforce the shared capacity.
    ///
    /// Written only while holding the old lock: set by `sweep` (which also holds
    /// the new lock), decremented by a take from the old list. Between sweeps the
    /// old list only shrinks, so the value a giver reads under the new lock is
    /// never below the true length.
    old_len: AtomicUsize,
    /// Empty list storage the sweeper reuses for the next new list, so sweeping
    /// allocates nothing in steady state.
    sweep_spare: Mutex<Vec<Box<[u8]>>>,
}

/// The new list and the counters of what happens under its lock (counted there
/// so that statistics cost no extra synchronisation).
struct NewList {
    buffers: Vec<Box<[u8]>>,
    hits: u64,
    returned: u64,
    freed_full: u64,
    sweeps: u64,
    swept: u64,
}

struct OldList {
    buffers: Vec<Box<[u8]>>,
    hits: u64,
}

impl BufferPool {
    /// An empty pool: no buffer is allocated until one is taken. The shared lists'
    /// storage is allocated now, at `config.shared_capacity()`.
    #[must_use]
    pub fn new(config: PoolConfig) -> Self {
        let capacity = config.shared_capacity;
        Self {
            shared: Arc::new(Shared {
                config,
                new: Mutex::new(NewList {
                    buffers: Vec::with_capacity(capacity),
                    hits: 0,
                    returned: 0,
                    freed_full: 0,
                    sweeps: 0,
                    swept: 0,
                }),
                old: Mutex::new(OldList {
                    buffers: Vec::with_capacity(capacity),
                    hits: 0,
                }),
                old_len: AtomicUsize::new(0),
                sweep_spare: Mutex::new(Vec::with_capacity(capacity)),
            }),
        }
    }

    /// The configuration the pool was created with.
    #[must_use]
    pub fn config(&self) -> PoolConfig {
        self.shared.config
    }

    /// A new per-thread front end with an empty private list.
    ///
    /// Create one per thread and keep it for the thread's lifetime: its private
    /// list is part of the pool's bound, and when it is dropped (after the last
    /// buffer it handed out) its private buffers move to the shared lists.
    #[must_use]
    pub fn local(&self) -> LocalPool {
        LocalPool {
            home: Rc::new(Home {
                pool: self.clone(),
                private: RefCell::new(Vec::with_capacity(self.shared.config.private_capacity)),
                stats: LocalCounters::default(),
            }),
        }
    }

    /// Frees every buffer on the old list and turns the new list into the old one.
    ///
    /// Call it from one place on a fixed timer; the interval is the unit of the
    /// rule "freed after at least one and less than two intervals unused". Locks
    /// both lists only for the swap; freeing happens after both are released.
    pub fn sweep(&self) -> SweepReport {
        let shared = &*self.shared;
        // Reuse the storage freed by the previous sweep; if another sweep is
        // running at the same moment it holds it, so allocate (outside any lock).
        let mut next_new = mem::take(&mut *lock(&shared.sweep_spare));
        next_new.reserve_exact(shared.config.shared_capacity);
        let (mut doomed, aged) = {
            let mut new = lock(&shared.new);
            let mut old = lock(&shared.old);
            let aged = mem::replace(&mut new.buffers, next_new);
            let doomed = mem::replace(&mut old.buffers, aged);
            shared.old_len.store(old.buffers.len(), Ordering::Relaxed);
            new.sweeps += 1;
            new.swept += doomed.len() as u64;
            (doomed, old.buffers.len())
        };
        let freed = doomed.len();
        // The actual frees, with no lock held.
        doomed.clear();
        // Keep the emptied storage for the next sweep. Whatever was there (only if
        // sweeps overlapped) is dropped after the lock is released.
        let displaced = mem::replace(&mut *lock(&shared.sweep_spare), doomed);
        drop(displaced);
        SweepReport { aged, freed }
    }

    /// The current lengths of the shared lists and the sweep counters. Locks each
    /// list briefly; meant for monitoring and benchmarks, not the hot path.
    #[must_use]
    pub fn stats(&self) -> SharedPoolStats {
        let mut stats = {
            let new = lock(&self.shared.new);
            SharedPoolStats {
                retained_new: new.buffers.len(),
                new_hits: new.hits,
                returned_new: new.returned,
                freed_full: new.freed_full,
                sweeps: new.sweeps,
                swept: new.swept,
                ..SharedPoolStats::default()
            }
        };
        let old = lock(&self.shared.old);
        stats.retained_old = old.buffers.len();
        stats.old_hits = old.hits;
        stats
    }

    /// Takes a buffer from the new list, else the old list. Returns it with the
    /// list it came from.
    fn take_shared(&self) -> Option<(Box<[u8]>, SharedList)> {
        let shared = &*self.shared;
        {
            let mut new = lock(&shared.new);
            if let Some(buffer) = new.buffers.pop() {
                new.hits += 1;
                return Some((buffer, SharedList::New));
            }
        }
        // Skip the old lock when the old list is empty (the usual state of a pool
        // that is growing). A stale non-zero value only costs the lock; a stale
        // zero only means allocating a buffer that could have been reused.
        if shared.old_len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut old = lock(&shared.old);
        let buffer = old.buffers.pop()?;
        old.hits += 1;
        shared.old_len.fetch_sub(1, Ordering::Relaxed);
        Some((buffer, SharedList::Old))
    }

    /// Puts `buffer` on the new list if the shared lists have room; otherwise
    /// hands it back so the caller frees it after the lock is released.
    fn give_shared(&self, buffer: Box<[u8]>) -> Result<(), Box<[u8]>> {
        let shared = &*self.shared;
        let mut new = lock(&shared.new);
        let retained = new.buffers.len() + shared.old_len.load(Ordering::Relaxed);
        if retained < shared.config.shared_capacity {
            new.buffers.push(buffer);
            new.returned += 1;
            Ok(())
        } else {
            new.freed_full += 1;
            Err(buffer)
        }
    }
}

impl fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferPool")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

enum SharedList {
    New,
    Old,
}

/// A thread's front end to a [`BufferPool`], with the thread's private list.
///
/// Not `Send` or `Sync`: the private list is used without any synchronisation,
/// which is only sound because exactly one thread ever touches it. Create it on
/// the thread that uses it, with [`BufferPool::local`].
pub struct LocalPool {
    home: Rc<Home>,
}

/// The state a `LocalPool` shares with the buffers it handed out, so that a
/// dropped buffer can find its way back to the private list.
struct Home {
    pool: BufferPool,
    private: RefCell<Vec<Box<[u8]>>>,
    stats: LocalCounters,
}

impl LocalPool {
    /// A buffer of the configured size, from the private list, else the shared
    /// new list, else the shared old list, else the system allocator (zeroed).
    ///
    /// A reused buffer holds whatever its previous user left in it.
    #[must_use]
    pub fn take(&self) -> PooledBuffer {
        // Bind first so the `RefCell` borrow ends before the slow path.
        let private = self.home.private.borrow_mut().pop();
        let bytes = match private {
            Some(buffer) => {
                bump(&self.home.stats.private_hits);
                buffer
            }
            None => self.home.take_slow(),
        };
        PooledBuffer {
            bytes,
            home: Rc::clone(&self.home),
        }
    }

    /// Gives a buffer to the pool: the private list if it has room, else the
    /// shared new list if the shared lists have room, else it is freed. A buffer
    /// whose length is not the configured size is freed.
    ///
    /// Dropping a [`PooledBuffer`] does this already; `give` is for a buffer
    /// detached with [`PooledBuffer::into_boxed_slice`], e.g. one that moved here
    /// from another thread.
    pub fn give(&self, buffer: Box<[u8]>) {
        self.home.give(buffer);
    }

    /// Moves every buffer on the private list to the shared new list (freeing
    /// those it has no room for), so that the sweeper can free them if this thread
    /// stays idle. Returns how many were moved or freed.
    pub fn flush(&self) -> usize {
        let private = mem::take(&mut *self.home.private.borrow_mut());
        let flushed = private.len();
        let mut storage = self.home.flush_into_shared(private);
        // Keep the private list's storage so later gives do not allocate.
        mem::swap(&mut *self.home.private.borrow_mut(), &mut storage);
        flushed
    }

    /// Buffers on this thread's private list now.
    #[must_use]
    pub fn private_len(&self) -> usize {
        self.home.private.borrow().len()
    }

    /// What this front end has done so far.
    #[must_use]
    pub fn stats(&self) -> LocalPoolStats {
        self.home.stats.snapshot()
    }

    /// The shared pool this front end belongs to.
    #[must_use]
    pub fn pool(&self) -> &BufferPool {
        &self.home.pool
    }
}

impl fmt::Debug for LocalPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalPool")
            .field("private_len", &self.private_len())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Home {
    fn take_slow(&self) -> Box<[u8]> {
        match self.pool.take_shared() {
            Some((buffer, SharedList::New)) => {
                bump(&self.stats.new_hits);
                buffer
            }
            Some((buffer, SharedList::Old)) => {
                bump(&self.stats.old_hits);
                buffer
            }
            None => {
                bump(&self.stats.system_allocs);
                vec![0; self.pool.shared.config.buffer_size].into_boxed_slice()
            }
        }
    }

    fn give(&self, buffer: Box<[u8]>) {
        let config = &self.pool.shared.config;
        if buffer.len() != config.buffer_size {
            bump(&self.stats.freed_wrong_size);
            return;
        }
        {
            let mut private = self.private.borrow_mut();
            if private.len() < config.private_capacity {
                private.push(buffer);
                drop(private);
                bump(&self.stats.returned_private);
                return;
            }
        }
        self.give_to_shared(buffer);
    }

    fn give_to_shared(&self, buffer: Box<[u8]>) {
        match self.pool.give_shared(buffer) {
            Ok(()) => bump(&self.stats.returned_new),
            Err(buffer) => {
                drop(buffer);
                bump(&self.stats.freed_full);
            }
        }
    }

    /// Gives every buffer of `buffers` to the shared lists; returns the emptied
    /// vector so its storage can be reused.
    fn flush_into_shared(&self, mut buffers: Vec<Box<[u8]>>) -> Vec<Box<[u8]>> {
        for buffer in buffers.drain(..) {
            self.give_to_shared(buffer);
        }
        buffers
    }
}

impl Drop for Home {
    /// The last of the `LocalPool` and its buffers is gone: offer the private
    /// buffers to the shared lists rather than freeing them, so a thread that
    /// exits does not throw away warm buffers other threads could use.
    fn drop(&mut self) {
        let private = mem::take(self.private.get_mut());
        drop(self.flush_into_shared(private));
    }
}

/// The counters behind [`LocalPoolStats`], one `Cell` each so that counting an
/// event is a single increment.
#[derive(Default)]
struct LocalCounters {
    private_hits: Cell<u64>,
    new_hits: Cell<u64>,
    old_hits: Cell<u64>,
    system_allocs: Cell<u64>,
    returned_private: Cell<u64>,
    returned_new: Cell<u64>,
    freed_full: Cell<u64>,
    freed_wrong_size: Cell<u64>,
}

impl LocalCounters {
    fn snapshot(&self) -> LocalPoolStats {
        LocalPoolStats {
            private_hits: self.private_hits.get(),
            new_hits: self.new_hits.get(),
            old_hits: self.old_hits.get(),
            system_allocs: self.system_allocs.get(),
            returned_private: self.returned_private.get(),
            returned_new: self.returned_new.get(),
            freed_full: self.freed_full.get(),
            freed_wrong_size: self.freed_wrong_size.get(),
        }
    }
}

fn bump(counter: &Cell<u64>) {
    counter.set(counter.get() + 1);
}

/// A buffer taken from a [`LocalPool`]; dropping it gives it back.
///
/// Dereferences to the whole buffer (`[u8]` of the configured size). Not `Send`:
/// it goes back to the private list of the thread that took it. Use
/// [`into_boxed_slice`](Self::into_boxed_slice) to take it out of the pool.
pub struct PooledBuffer {
    bytes: Box<[u8]>,
    home: Rc<Home>,
}

impl PooledBuffer {
    /// Detaches the buffer from the pool: it will not come back on drop. Hand it
    /// to [`LocalPool::give`] (on any thread) to return it.
    #[must_use]
    pub fn into_boxed_slice(mut self) -> Box<[u8]> {
        // Leaves an empty box (no allocation) for `drop`, which ignores it.
        mem::take(&mut self.bytes)
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        let bytes = mem::take(&mut self.bytes);
        // An empty box means the buffer was detached with `into_boxed_slice`
        // (configured buffers are never empty).
        if !bytes.is_empty() {
            self.home.give(bytes);
        }
    }
}

impl Deref for PooledBuffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl DerefMut for PooledBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl AsRef<[u8]> for PooledBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl AsMut<[u8]> for PooledBuffer {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl fmt::Debug for PooledBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The contents are a connection's data: do not dump them into logs.
        f.debug_struct("PooledBuffer")
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}
