//! loom models of `tern_proto::pool`: two threads take and give buffers while a
//! third sweeps.
//!
//! Each model checks, on every interleaving:
//! - nothing lost: every buffer allocated is afterwards retained or counted as
//!   freed (`system_allocs == retained + freed_full + swept`);
//! - nothing freed or shared while in use: each thread stamps the buffer it holds
//!   with its own mark and finds the mark intact after the other threads have
//!   had their chance to run;
//! - none handed out twice: the marks would collide;
//! - the bound: the shared lists never hold more than their capacity.
//!
//! Private lists are unsynchronised by design (one thread each), so the models
//! give them little or no room, to force traffic through the shared lists where
//! the locks and the `old_len` bound live.
#![cfg(loom)]

use loom::thread;
use tern_proto::pool::{BufferPool, LocalPoolStats, PoolConfig};

const BUFFER_SIZE: usize = 8;

fn pool(private_capacity: usize, shared_capacity: usize) -> BufferPool {
    BufferPool::new(
        PoolConfig::new()
            .with_buffer_size(BUFFER_SIZE)
            .with_private_capacity(private_capacity)
            .with_shared_capacity(shared_capacity),
    )
}

/// A worker thread: take a buffer, stamp it, let others run, check the stamp,
/// give it back; `rounds` times. Returns its counters, read before its
/// `LocalPool` is dropped.
fn worker(pool: BufferPool, mark: u8, rounds: usize) -> thread::JoinHandle<LocalPoolStats> {
    thread::spawn(move || {
        let local = pool.local();
        for _ in 0..rounds {
            let mut buffer = local.take();
            assert_eq!(buffer.len(), BUFFER_SIZE);
            buffer.fill(mark);
            thread::yield_now();
            assert!(
                buffer.iter().all(|&byte| byte == mark),
                "buffer changed while in use: freed or handed out twice"
            );
        }
        local.stats()
    })
}

fn assert_bound(pool: &BufferPool) {
    let stats = pool.stats();
    assert!(
        stats.retained_new + stats.retained_old <= pool.config().shared_capacity(),
        "shared bound exceeded: {stats:?}"
    );
}

fn assert_books_balance(pool: &BufferPool, workers: &[LocalPoolStats]) {
    let stats = pool.stats();
    let allocated: u64 = workers.iter().map(|worker| worker.system_allocs).sum();
    let retained = (stats.retained_new + stats.retained_old) as u64;
    assert_eq!(
        allocated,
        retained + stats.freed_full + stats.swept,
        "buffers lost or invented: {stats:?}, {workers:?}"
    );
}

/// No private lists, one shared slot: every give and take goes through the
/// shared lists and competes for the single slot while the sweeper ages and
/// frees it.
#[test]
fn two_takers_and_a_sweeper_share_one_slot() {
    loom::model(|| {
        let pool = pool(0, 1);
        let a = worker(pool.clone(), 0xA, 1);
        let b = worker(pool.clone(), 0xB, 1);
        let _ = pool.sweep();
        assert_bound(&pool);
        let _ = pool.sweep();
        assert_bound(&pool);
        let stats = [a.join().unwrap(), b.join().unwrap()];
        assert_books_balance(&pool, &stats);
    });
}

/// The largest model: two rounds per thread, two sweeps, one shared slot.
#[test]
fn two_rounds_each_against_two_sweeps() {
    loom::model(|| {
        let pool = pool(0, 1);
        let a = worker(pool.clone(), 0xA, 2);
        let b = worker(pool.clone(), 0xB, 2);
        for _ in 0..2 {
            let _ = pool.sweep();
            assert_bound(&pool);
        }
        let stats = [a.join().unwrap(), b.join().unwrap()];
        assert_books_balance(&pool, &stats);
    });
}

/// Each thread takes twice, so the second take can be served by the buffer the
/// other thread gave to the new list, or by one the sweeper just aged into the
/// old list.
#[test]
fn buffers_move_between_threads_through_new_and_old() {
    loom::model(|| {
        let pool = pool(0, 2);
        let a = worker(pool.clone(), 0xA, 2);
        let b = worker(pool.clone(), 0xB, 2);
        let report = pool.sweep();
        assert!(report.aged <= 2 && report.freed == 0, "nothing was old yet");
        assert_bound(&pool);
        let stats = [a.join().unwrap(), b.join().unwrap()];
        assert_books_balance(&pool, &stats);
        // Everything given back is now on the shared lists (the threads' private
        // lists have no room), and a final pair of sweeps frees all of it.
        let _ = pool.sweep();
        let _ = pool.sweep();
        let stats_after = pool.stats();
        assert_eq!(stats_after.retained_new + stats_after.retained_old, 0);
        assert_books_balance(&pool, &stats);
    });
}

/// With a private list, a thread that exits hands its private buffer to the
/// shared lists, racing the other thread's gives and the sweeper.
#[test]
fn exiting_threads_flush_private_buffers_safely() {
    loom::model(|| {
        let pool = pool(1, 1);
        let a = worker(pool.clone(), 0xA, 1);
        let b = worker(pool.clone(), 0xB, 1);
        let _ = pool.sweep();
        assert_bound(&pool);
        let stats = [a.join().unwrap(), b.join().unwrap()];
        assert_books_balance(&pool, &stats);
    });
}

/// A buffer taken on one thread and given back on another (detached, sent over
/// a channel), racing the other thread's own traffic and a sweep.
#[test]
fn a_buffer_given_back_on_another_thread_is_accounted_for() {
    loom::model(|| {
        let pool = pool(1, 1);
        let (outbox, inbox) = loom::sync::mpsc::channel::<Box<[u8]>>();
        let sender = {
            let pool = pool.clone();
            thread::spawn(move || {
                let local = pool.local();
                let mut buffer = local.take();
                buffer.fill(0xA);
                outbox.send(buffer.into_boxed_slice()).unwrap();
                local.stats()
            })
        };
        let receiver = {
            let pool = pool.clone();
            thread::spawn(move || {
                let local = pool.local();
                let mut own = local.take();
                own.fill(0xB);
                let moved = inbox.recv().unwrap();
                assert!(
                    moved.iter().all(|&byte| byte == 0xA),
                    "moved buffer changed"
                );
                assert!(own.iter().all(|&byte| byte == 0xB), "own buffer changed");
                local.give(moved);
                drop(own);
                local.stats()
            })
        };
        let _ = pool.sweep();
        assert_bound(&pool);
        let stats = [sender.join().unwrap(), receiver.join().unwrap()];
        assert_books_balance(&pool, &stats);
    });
}
