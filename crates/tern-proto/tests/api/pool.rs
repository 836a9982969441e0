//! The buffer pool against a reference model (proptest-state-machine).
//!
//! The model is a few vectors of buffer ids: one private list per simulated
//! thread, the shared new and old lists, the buffers in use. Random sequences of
//! take, drop, give-on-another-thread, flush, sweep, wrong-size give and thread
//! restart run on both; after each step the pool must agree with the model on
//! every counter, every list length and the identity of every buffer it hands
//! out (each buffer carries its id in its first bytes, written when it was
//! freshly allocated), so a buffer freed too early, kept too long, lost,
//! duplicated or taken from the wrong list shows up as a mismatch. Threads are
//! simulated by several `LocalPool`s driven from the test thread: the private
//! lists have no synchronisation, so which OS thread runs them does not matter to
//! their logic; loom-tests/ covers real concurrency.

use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use tern_proto::pool::{BufferPool, LocalPool, LocalPoolStats, PoolConfig, PooledBuffer};

/// Small buffers keep the test fast; the pool's logic does not depend on size.
const BUFFER_SIZE: usize = 16;

/// Expected values of a `LocalPoolStats` (which is `#[non_exhaustive]`, so the
/// test cannot build one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    private_hits: u64,
    new_hits: u64,
    old_hits: u64,
    system_allocs: u64,
    returned_private: u64,
    returned_new: u64,
    freed_full: u64,
    freed_wrong_size: u64,
}

impl Counts {
    fn of(stats: LocalPoolStats) -> Self {
        Self {
            private_hits: stats.private_hits,
            new_hits: stats.new_hits,
            old_hits: stats.old_hits,
            system_allocs: stats.system_allocs,
            returned_private: stats.returned_private,
            returned_new: stats.returned_new,
            freed_full: stats.freed_full,
            freed_wrong_size: stats.freed_wrong_size,
        }
    }

    fn add(&mut self, other: Self) {
        self.private_hits += other.private_hits;
        self.new_hits += other.new_hits;
        self.old_hits += other.old_hits;
        self.system_allocs += other.system_allocs;
        self.returned_private += other.returned_private;
        self.returned_new += other.returned_new;
        self.freed_full += other.freed_full;
        self.freed_wrong_size += other.freed_wrong_size;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `locals[local].take()`
    Take { local: usize },
    /// Drop the handle `held[index]`: it goes back to the thread that took it.
    Drop { index: usize },
    /// Detach `held[index]` and give it on `locals[local]` (a buffer that moved
    /// to another thread).
    GiveOnOtherThread { index: usize, local: usize },
    /// `locals[local].flush()`
    Flush { local: usize },
    /// `pool.sweep()`
    Sweep,
    /// `locals[local].give(..)` with a buffer of the wrong size.
    GiveWrongSize { local: usize },
    /// Drop `locals[local]` (it holds no buffer) and start a new one in its place,
    /// as when a thread exits and another starts.
    Restart { local: usize },
}

/// Expected values of a `SharedPoolStats` apart from the list lengths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SharedCounts {
    new_hits: u64,
    old_hits: u64,
    returned_new: u64,
    freed_full: u64,
    sweeps: u64,
    swept: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Private,
    New,
    Old,
    System,
}

#[derive(Clone, Debug)]
struct Model {
    private_capacity: usize,
    shared_capacity: usize,
    /// Ids on each thread's private list, bottom to top.
    privates: Vec<Vec<u64>>,
    counts: Vec<Counts>,
    /// Counts of restarted threads, for the global accounting.
    retired: Counts,
    /// Buffers in use: (id, index of the thread that took it).
    held: Vec<(u64, usize)>,
    /// Shared lists: (id, number of sweeps done when it entered the new list).
    new: Vec<(u64, u64)>,
    old: Vec<(u64, u64)>,
    /// Pool-wide counters (`SharedPoolStats`).
    shared: SharedCounts,
    next_id: u64,
    /// Where the last `Take` was served from and the id it must return.
    last_take: Option<(Source, u64)>,
    /// (aged, freed) of the last sweep.
    last_sweep: (usize, usize),
}

impl Model {
    /// Gives `id` on thread `local`: private list, then new list, then freed.
    fn give(&mut self, id: u64, local: usize) {
        if self.privates[local].len() < self.private_capacity {
            self.privates[local].push(id);
            self.counts[local].returned_private += 1;
        } else {
            self.give_to_shared(id, Some(local));
        }
    }

    /// Gives `id` to the shared lists on behalf of thread `local` (`None`: a
    /// thread that is exiting, whose counters can no longer be read).
    fn give_to_shared(&mut self, id: u64, local: Option<usize>) {
        if self.new.len() + self.old.len() < self.shared_capacity {
            self.new.push((id, self.shared.sweeps));
            self.shared.returned_new += 1;
            if let Some(local) = local {
                self.counts[local].returned_new += 1;
            }
        } else {
            self.shared.freed_full += 1;
            if let Some(local) = local {
                self.counts[local].freed_full += 1;
            }
        }
    }

    fn flush(&mut self, local: usize, exiting: bool) {
        for id in std::mem::take(&mut self.privates[local]) {
            self.give_to_shared(id, (!exiting).then_some(local));
        }
    }

    fn retained(&self) -> usize {
        self.privates.iter().map(Vec::len).sum::<usize>() + self.new.len() + self.old.len()
    }
}

struct PoolModel;

impl ReferenceStateMachine for PoolModel {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        (0_usize..=3, 0_usize..=4, 1_usize..=3)
            .prop_map(|(private_capacity, shared_capacity, threads)| Model {
                private_capacity,
                shared_capacity,
                privates: vec![Vec::new(); threads],
                counts: vec![Counts::default(); threads],
                retired: Counts::default(),
                held: Vec::new(),
                new: Vec::new(),
                old: Vec::new(),
                shared: SharedCounts::default(),
                next_id: 1,
                last_take: None,
                last_sweep: (0, 0),
            })
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Op> {
        // Only valid operations are generated (rejecting invalid ones in
        // `preconditions` makes long runs abort); `preconditions` is for shrinking.
        let threads = state.privates.len();
        let held = state.held.len();
        let mut choices: Vec<(u32, BoxedStrategy<Op>)> = vec![
            (4, (0..threads).prop_map(|local| Op::Take { local }).boxed()),
            (2, Just(Op::Sweep).boxed()),
            (
                1,
                (0..threads).prop_map(|local| Op::Flush { local }).boxed(),
            ),
            (
                1,
                (0..threads)
                    .prop_map(|local| Op::GiveWrongSize { local })
                    .boxed(),
            ),
        ];
        if held > 0 {
            choices.push((4, (0..held).prop_map(|index| Op::Drop { index }).boxed()));
            choices.push((
                1,
                (0..held, 0..threads)
                    .prop_map(|(index, local)| Op::GiveOnOtherThread { index, local })
                    .boxed(),
            ));
        }
        let idle: Vec<usize> = (0..threads)
            .filter(|&local| state.held.iter().all(|&(_, home)| home != local))
            .collect();
        if !idle.is_empty() {
            choices.push((
                1,
                proptest::sample::select(idle)
                    .prop_map(|local| Op::Restart { local })
                    .boxed(),
            ));
        }
        proptest::strategy::Union::new_weighted(choices).boxed()
    }

    fn preconditions(state: &Model, op: &Op) -> bool {
        let threads = state.privates.len();
        match *op {
            Op::Take { local } | Op::Flush { local } | Op::GiveWrongSize { local } => {
                local < threads
            }
            Op::Drop { index } => index < state.held.len(),
            Op::GiveOnOtherThread { index, local } => index < state.held.len() && local < threads,
            Op::Sweep => true,
            Op::Restart { local } => {
                local < threads && state.held.iter().all(|&(_, home)| home != local)
            }
        }
    }

    fn apply(mut state: Model, op: &Op) -> Model {
        state.last_take = None;
        match *op {
            Op::Take { local } => {
                let (source, id) = if let Some(id) = state.privates[local].pop() {
                    state.counts[local].private_hits += 1;
                    (Source::Private, id)
                } else if let Some((id, _)) = state.new.pop() {
                    state.counts[local].new_hits += 1;
                    state.shared.new_hits += 1;
                    (Source::New, id)
                } else if let Some((id, _)) = state.old.pop() {
                    state.counts[local].old_hits += 1;
                    state.shared.old_hits += 1;
                    (Source::Old, id)
                } else {
                    state.counts[local].system_allocs += 1;
                    let id = state.next_id;
                    state.next_id += 1;
                    (Source::System, id)
                };
                state.held.push((id, local));
                state.last_take = Some((source, id));
            }
            Op::Drop { index } => {
                let (id, home) = state.held.remove(index);
                state.give(id, home);
            }
            Op::GiveOnOtherThread { index, local } => {
                let (id, _) = state.held.remove(index);
                state.give(id, local);
            }
            Op::Flush { local } => state.flush(local, false),
            Op::Sweep => {
                // The timing rule, stated on the model: whatever is freed now
                // entered the new list during the interval before the previous
                // sweep, so it has been unused for that whole last interval and
                // part of the one before: at least one, less than two.
                for &(_, entered) in &state.old {
                    assert_eq!(state.shared.sweeps, entered + 1);
                }
                let aged = std::mem::take(&mut state.new);
                let freed = std::mem::replace(&mut state.old, aged);
                state.shared.sweeps += 1;
                state.shared.swept += freed.len() as u64;
                state.last_sweep = (state.old.len(), freed.len());
            }
            Op::GiveWrongSize { local } => state.counts[local].freed_wrong_size += 1,
            Op::Restart { local } => {
                // The counters are read before the thread's pool is dropped; what
                // the drop does shows only in the shared counters.
                let counts = std::mem::take(&mut state.counts[local]);
                state.retired.add(counts);
                state.flush(local, true);
            }
        }
        state
    }
}

struct PoolUnderTest {
    pool: BufferPool,
    locals: Vec<LocalPool>,
    /// Parallel to `Model::held`.
    held: Vec<PooledBuffer>,
    retired: Counts,
}

fn id_of(buffer: &[u8]) -> u64 {
    u64::from_le_bytes(
        buffer[..8]
            .try_into()
            .expect("buffers hold at least 8 bytes"),
    )
}

struct PoolTest;

impl StateMachineTest for PoolTest {
    type SystemUnderTest = PoolUnderTest;
    type Reference = PoolModel;

    fn init_test(model: &Model) -> PoolUnderTest {
        let config = PoolConfig::new()
            .with_buffer_size(BUFFER_SIZE)
            .with_private_capacity(model.private_capacity)
            .with_shared_capacity(model.shared_capacity);
        let pool = BufferPool::new(config);
        let locals = (0..model.privates.len()).map(|_| pool.local()).collect();
        PoolUnderTest {
            pool,
            locals,
            held: Vec::new(),
            retired: Counts::default(),
        }
    }

    fn apply(mut sut: PoolUnderTest, model: &Model, op: Op) -> PoolUnderTest {
        match op {
            Op::Take { local } => {
                let mut buffer = sut.locals[local].take();
                assert_eq!(buffer.len(), BUFFER_SIZE);
                let (source, id) = model.last_take.expect("the model recorded the take");
                if source == Source::System {
                    assert!(
                        buffer.iter().all(|&byte| byte == 0),
                        "fresh buffers are zeroed"
                    );
                    buffer[..8].copy_from_slice(&id.to_le_bytes());
                } else {
                    assert_eq!(
                        id_of(&buffer),
                        id,
                        "take from {source:?} returned the wrong buffer"
                    );
                }
                sut.held.push(buffer);
            }
            Op::Drop { index } => drop(sut.held.remove(index)),
            Op::GiveOnOtherThread { index, local } => {
                let raw = sut.held.remove(index).into_boxed_slice();
                assert_eq!(raw.len(), BUFFER_SIZE);
                sut.locals[local].give(raw);
            }
            Op::Flush { local } => {
                let before = sut.locals[local].private_len();
                assert_eq!(sut.locals[local].flush(), before);
            }
            Op::Sweep => {
                let report = sut.pool.sweep();
                assert_eq!((report.aged, report.freed), model.last_sweep);
            }
            Op::GiveWrongSize { local } => {
                sut.locals[local].give(vec![0; BUFFER_SIZE + 1].into_boxed_slice());
            }
            Op::Restart { local } => {
                let fresh = sut.pool.local();
                let old = std::mem::replace(&mut sut.locals[local], fresh);
                sut.retired.add(Counts::of(old.stats()));
                drop(old);
            }
        }
        sut
    }

    fn check_invariants(sut: &PoolUnderTest, model: &Model) {
        for (local, pool) in sut.locals.iter().enumerate() {
            assert_eq!(
                Counts::of(pool.stats()),
                model.counts[local],
                "thread {local}"
            );
            assert_eq!(pool.private_len(), model.privates[local].len());
            assert!(
                pool.private_len() <= model.private_capacity,
                "private bound"
            );
        }
        let shared = sut.pool.stats();
        assert_eq!(shared.retained_new, model.new.len());
        assert_eq!(shared.retained_old, model.old.len());
        assert!(
            shared.retained_new + shared.retained_old <= model.shared_capacity,
            "shared bound"
        );
        assert_eq!(
            SharedCounts {
                new_hits: shared.new_hits,
                old_hits: shared.old_hits,
                returned_new: shared.returned_new,
                freed_full: shared.freed_full,
                sweeps: shared.sweeps,
                swept: shared.swept,
            },
            model.shared
        );
        assert_eq!(sut.retired, model.retired);

        // Every buffer in use is the one the model says, and no two handles
        // share a buffer.
        let held: Vec<u64> = sut.held.iter().map(|buffer| id_of(buffer)).collect();
        let expected: Vec<u64> = model.held.iter().map(|&(id, _)| id).collect();
        assert_eq!(held, expected);
        let mut distinct = held.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), held.len(), "a buffer handed out twice");

        // Nothing lost: every buffer ever allocated is in use, retained, or was
        // freed by a full give or a sweep.
        let mut total = sut.retired;
        for pool in &sut.locals {
            total.add(Counts::of(pool.stats()));
        }
        let freed = shared.freed_full + shared.swept;
        assert_eq!(
            total.system_allocs,
            sut.held.len() as u64 + model.retained() as u64 + freed,
            "buffers lost or invented"
        );
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        // Sequences are replayed deterministically from the seed on failure; the
        // shrunk case is printed, so no regression files are written.
        failure_persistence: None,
        ..Config::default()
    })]
    #[test]
    fn pool_matches_the_reference_model(sequential 1..80 => PoolTest);
}

#[test]
fn take_order_is_private_new_old_system() {
    let pool = BufferPool::new(
        PoolConfig::new()
            .with_buffer_size(64)
            .with_private_capacity(1)
            .with_shared_capacity(4),
    );
    let local = pool.local();
    let (a, b, c) = (local.take(), local.take(), local.take());
    assert_eq!(local.stats().system_allocs, 3);
    drop(a); // private (1 of 1)
    drop(b); // private full: new
    assert_eq!(pool.stats().retained_new, 1);
    let _ = pool.sweep(); // b: new -> old
    drop(c); // new
    let stats = pool.stats();
    assert_eq!((stats.retained_new, stats.retained_old), (1, 1));

    let _first = local.take();
    let _second = local.take();
    let _third = local.take();
    let _fourth = local.take();
    let stats = local.stats();
    assert_eq!(
        (
            stats.private_hits,
            stats.new_hits,
            stats.old_hits,
            stats.system_allocs
        ),
        (1, 1, 1, 4)
    );
}

#[test]
fn a_buffer_is_freed_by_the_second_sweep_after_its_return() {
    let pool = BufferPool::new(
        PoolConfig::new()
            .with_buffer_size(64)
            .with_private_capacity(0)
            .with_shared_capacity(8),
    );
    let local = pool.local();
    drop(local.take()); // onto the new list
    let first = pool.sweep();
    assert_eq!((first.aged, first.freed), (1, 0), "one interval: kept");
    let second = pool.sweep();
    assert_eq!((second.aged, second.freed), (0, 1), "freed at the second");

    // Taking it back in between restarts its clock.
    drop(local.take());
    let _ = pool.sweep();
    drop(local.take()); // old hit, then back onto new
    assert_eq!(local.stats().old_hits, 1);
    assert_eq!(pool.sweep().freed, 0);
    assert_eq!(pool.sweep().freed, 1);
}

#[test]
fn shared_lists_never_exceed_their_capacity() {
    let pool = BufferPool::new(
        PoolConfig::new()
            .with_buffer_size(32)
            .with_private_capacity(0)
            .with_shared_capacity(3),
    );
    let local = pool.local();
    let buffers: Vec<_> = (0..10).map(|_| local.take()).collect();
    drop(buffers);
    assert_eq!(pool.stats().retained_new, 3);
    assert_eq!(local.stats().freed_full, 7);
    let _ = pool.sweep();
    let buffers: Vec<_> = (0..5).map(|_| local.take()).collect();
    assert_eq!(local.stats().old_hits, 3);
    drop(buffers);
    let stats = pool.stats();
    assert_eq!((stats.retained_new, stats.retained_old), (3, 0));
}

#[test]
fn a_thread_exit_hands_its_private_buffers_to_the_shared_lists() {
    let pool = BufferPool::new(PoolConfig::new().with_buffer_size(32));
    let local = pool.local();
    let buffer = local.take();
    drop(local); // the buffer keeps the thread's state alive
    drop(buffer); // back to the private list, then the state goes: shared
    assert_eq!(pool.stats().retained_new, 1);
}

/// Real threads hammer one pool with takes, gives, cross-thread gives and
/// sweeps; at the end the books must balance.
#[test]
fn real_threads_keep_the_books_balanced() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    let pool = BufferPool::new(
        PoolConfig::new()
            .with_buffer_size(128)
            .with_private_capacity(2)
            .with_shared_capacity(6),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let sweeper = {
        let (pool, stop) = (pool.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = pool.sweep();
                assert!(pool.stats().retained_new + pool.stats().retained_old <= 6);
                std::thread::yield_now();
            }
        })
    };
    let (to_b, from_a) = mpsc::channel::<Box<[u8]>>();
    let worker = |pool: BufferPool,
                  seed: u8,
                  outbox: Option<mpsc::Sender<Box<[u8]>>>,
                  inbox: Option<mpsc::Receiver<Box<[u8]>>>| {
        std::thread::spawn(move || {
            let local = pool.local();
            let mut held = Vec::new();
            for round in 0..20_000_u32 {
                let mut buffer = local.take();
                buffer.fill(seed);
                held.push(buffer);
                if held.len() > 4 || round % 3 == 0 {
                    let buffer = held.remove(0);
                    assert!(
                        buffer.iter().all(|&byte| byte == seed),
                        "shared while in use"
                    );
                    match (&outbox, round % 5) {
                        (Some(outbox), 0) => outbox.send(buffer.into_boxed_slice()).unwrap(),
                        _ => drop(buffer),
                    }
                }
                if let Some(inbox) = &inbox {
                    while let Ok(raw) = inbox.try_recv() {
                        local.give(raw);
                    }
                }
            }
            drop(held);
            if let Some(inbox) = inbox {
                for raw in inbox {
                    local.give(raw);
                }
            }
            let stats = local.stats();
            drop(local);
            stats
        })
    };
    let a = worker(pool.clone(), 0xA1, Some(to_b), None);
    let b = worker(pool.clone(), 0xB2, None, Some(from_a));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    stop.store(true, Ordering::Relaxed);
    sweeper.join().unwrap();
    let shared = pool.stats();
    let allocated = a.system_allocs + b.system_allocs;
    let freed = shared.freed_full + shared.swept;
    let retained = (shared.retained_new + shared.retained_old) as u64;
    assert_eq!(allocated, freed + retained, "every buffer accounted for");
    assert!(retained <= 6);
}

/// The documented defaults, and the setters seen through the getters and
/// through the buffers a pool hands out.
#[test]
fn config_defaults_and_setters() {
    let defaults = PoolConfig::default();
    assert_eq!(defaults, PoolConfig::new());
    assert_eq!(defaults.buffer_size(), 16 * 1024);
    assert_eq!(defaults.private_capacity(), 16);
    assert_eq!(defaults.shared_capacity(), 128);
    assert_eq!(BufferPool::new(defaults).local().take().len(), 16 * 1024);

    let config = PoolConfig::new()
        .with_buffer_size(100)
        .with_private_capacity(3)
        .with_shared_capacity(7);
    assert_eq!(config.buffer_size(), 100);
    assert_eq!(config.private_capacity(), 3);
    assert_eq!(config.shared_capacity(), 7);
    assert_eq!(BufferPool::new(config).local().take().len(), 100);
    // Zero would make a buffer look detached: it becomes one byte.
    let config = config.with_buffer_size(0);
    assert_eq!(config.buffer_size(), 1);

    let debug = format!("{:?}", BufferPool::new(config));
    assert!(debug.starts_with("BufferPool"), "{debug}");
    assert!(debug.contains("buffer_size: 1"), "{debug}");
}

/// `AsRef`/`AsMut` reach the buffer's bytes as `Deref` does; `Debug` shows
/// lengths and counters, never the contents (a connection's data).
#[test]
fn buffer_views_and_debug() {
    let config = PoolConfig::new().with_buffer_size(8);
    let pool = BufferPool::new(config);
    let local = pool.local();
    let mut buffer = local.take();
    AsMut::<[u8]>::as_mut(&mut buffer).copy_from_slice(b"secret!!");
    assert_eq!(AsRef::<[u8]>::as_ref(&buffer), b"secret!!");
    assert_eq!(&buffer[..], b"secret!!");
    let debug = format!("{buffer:?}");
    assert_eq!(debug, "PooledBuffer { len: 8, .. }");
    drop(buffer);
    let debug = format!("{local:?}");
    assert!(
        debug.starts_with("LocalPool { private_len: 1, stats: "),
        "{debug}"
    );
    assert!(!debug.contains("secret"), "{debug}");
}

/// A local front end leads back to the pool it was made from: the same
/// configuration and the same shared lists.
#[test]
fn a_local_pool_knows_its_pool() {
    let config = PoolConfig::new()
        .with_buffer_size(8)
        .with_private_capacity(0);
    let pool = BufferPool::new(config);
    let local = pool.local();
    assert_eq!(local.pool().config(), config);
    // With no private list, a returned buffer goes to the shared new list,
    // which both handles see.
    drop(local.take());
    assert_eq!(local.pool().stats(), pool.stats());
    assert_eq!(pool.stats().retained_new, 1);
}
