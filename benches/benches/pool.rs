//! The lookaside buffer pool side by side with the system allocator, in one run.
//!
//! Every variant takes one buffer of the pool's default size (16 KiB), touches
//! one byte of it (so nothing can be optimised away) and gives it back.
//!
//! Group `pool/1_thread`:
//!
//! - `tern_private`: [`LocalPool::take`] + drop, served by the thread's private
//!   list (the hot path);
//! - `tern_shared`: the same with no private list, so every take and give goes
//!   through the shared new list's lock (uncontended);
//! - `box_zeroed`: `vec![0; n].into_boxed_slice()` + drop, a fresh zeroed
//!   `Box<[u8]>` as a connection would allocate without a pool;
//! - `box_uninit`: `Vec::with_capacity(n)` + drop, the allocator's cheapest
//!   path (no zeroing), for reference.
//!
//! Group `pool/2_threads`: the same on two threads at once (time per take+give
//! per thread). `tern_private` has nothing to contend for by design;
//! `tern_shared` has both threads on the one new-list lock; `box_*` exercise
//! the allocator's own per-thread caches.
//!
//! Before measuring, the statistics confirm each pool variant takes the path it
//! claims. Run: `cargo bench -p tern-benches --bench pool -- --quick`.

use std::hint::black_box;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tern_proto::pool::{BufferPool, DEFAULT_BUFFER_SIZE, LocalPool, PoolConfig};

const SIZE: usize = DEFAULT_BUFFER_SIZE;

fn private_pool() -> BufferPool {
    BufferPool::new(PoolConfig::new())
}

fn shared_only_pool() -> BufferPool {
    BufferPool::new(PoolConfig::new().with_private_capacity(0))
}

fn take_give(local: &LocalPool) {
    let mut buffer = local.take();
    buffer[0] = 1;
    black_box(&buffer);
}

fn box_zeroed() {
    let mut buffer = vec![0_u8; SIZE].into_boxed_slice();
    buffer[0] = 1;
    black_box(&buffer);
}

fn box_uninit() {
    let mut buffer = Vec::<u8>::with_capacity(SIZE);
    buffer.push(1);
    black_box(&buffer);
}

/// Checks that each pool configuration serves from the list it is named after.
fn check_paths() {
    let private = private_pool();
    let local = private.local();
    for _ in 0..10 {
        take_give(&local);
    }
    assert_eq!(
        (local.stats().system_allocs, local.stats().private_hits),
        (1, 9)
    );

    let shared = shared_only_pool();
    let local = shared.local();
    for _ in 0..10 {
        take_give(&local);
    }
    assert_eq!(
        (local.stats().system_allocs, local.stats().new_hits),
        (1, 9)
    );
}

fn one_thread(c: &mut Criterion) {
    check_paths();
    let mut group = c.benchmark_group("pool/1_thread");

    let pool = private_pool();
    let local = pool.local();
    group.bench_function("tern_private", |b| b.iter(|| take_give(&local)));

    let pool = shared_only_pool();
    let local = pool.local();
    group.bench_function("tern_shared", |b| b.iter(|| take_give(&local)));

    group.bench_function("box_zeroed", |b| b.iter(box_zeroed));
    group.bench_function("box_uninit", |b| b.iter(box_uninit));
    group.finish();
}

/// Runs `iters` iterations of `work` on each of two threads at once and returns
/// the longer of the two threads' times. Each thread builds its own state with
/// `setup` before the start line, so thread start-up is not measured.
fn on_two_threads<S>(
    iters: u64,
    setup: impl Fn() -> S + Sync,
    work: impl Fn(&S) + Sync,
) -> Duration {
    let start_line = Barrier::new(2);
    thread::scope(|scope| {
        let runners: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let state = setup();
                    start_line.wait();
                    let started = Instant::now();
                    for _ in 0..iters {
                        work(&state);
                    }
                    started.elapsed()
                })
            })
            .collect();
        runners
            .into_iter()
            .map(|runner| runner.join().expect("bench thread panicked"))
            .max()
            .unwrap_or_default()
    })
}

fn two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("pool/2_threads");

    let pool = private_pool();
    group.bench_function("tern_private", |b| {
        b.iter_custom(|iters| on_two_threads(iters, || pool.local(), take_give));
    });

    let pool = shared_only_pool();
    group.bench_function("tern_shared", |b| {
        b.iter_custom(|iters| on_two_threads(iters, || pool.local(), take_give));
    });

    group.bench_function("box_zeroed", |b| {
        b.iter_custom(|iters| on_two_threads(iters, || (), |()| box_zeroed()));
    });
    group.bench_function("box_uninit", |b| {
        b.iter_custom(|iters| on_two_threads(iters, || (), |()| box_uninit()));
    });
    group.finish();
}

criterion_group!(benches, one_thread, two_threads);
criterion_main!(benches);
