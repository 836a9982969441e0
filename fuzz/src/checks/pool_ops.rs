//! `pool_ops`: a sequence of buffer-pool operations decoded from the input,
//! run against `tern_proto::pool` and against a reference model of the lists
//! the module docs describe.
//!
//! The model knows, for every buffer, where it is: in use (and by which
//! `LocalPool` home), on a home's private list, on the shared new or old list,
//! or freed. Each buffer carries its id in its first eight bytes (written when
//! it is handed out fresh, zeroed, by the allocator), so after every operation
//! the check compares the identity of each buffer taken, every counter of
//! every live `LocalPool`, the shared counters and list lengths, each sweep's
//! report and each flush's count. A buffer kept too long, freed too early,
//! duplicated, lost or taken from the wrong list shows up as a mismatch, and
//! the pool never holds more than its bounds.
//!
//! A `LocalPool` can be dropped while buffers it handed out are still in use;
//! its private list then moves to the shared lists when the last of them
//! comes back (the model tracks such retired homes).

use tern_proto::pool::{BufferPool, LocalPool, LocalPoolStats, PoolConfig, PooledBuffer};

use super::Source;

/// Counters of one home, as `LocalPoolStats` reports them.
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
}

/// One `LocalPool`'s state in the model.
#[derive(Debug, Default)]
struct Home {
    private: Vec<u64>,
    counts: Counts,
    /// Buffers handed out by this home and not detached, still in use.
    outstanding: usize,
    /// Its `LocalPool` was dropped.
    retired: bool,
}

#[derive(Debug, Default)]
struct Model {
    buffer_size: usize,
    private_capacity: usize,
    shared_capacity: usize,
    homes: Vec<Home>,
    new: Vec<u64>,
    old: Vec<u64>,
    new_hits: u64,
    old_hits: u64,
    returned_new: u64,
    freed_full: u64,
    sweeps: u64,
    swept: u64,
    next_id: u64,
}

impl Model {
    fn give(&mut self, home: usize, id: u64) {
        if self.homes[home].private.len() < self.private_capacity {
            self.homes[home].private.push(id);
            self.homes[home].counts.returned_private += 1;
        } else {
            self.give_shared(Some(home), id);
        }
    }

    fn give_shared(&mut self, home: Option<usize>, id: u64) {
        if self.new.len() + self.old.len() < self.shared_capacity {
            self.new.push(id);
            self.returned_new += 1;
            if let Some(home) = home {
                self.homes[home].counts.returned_new += 1;
            }
        } else {
            self.freed_full += 1;
            if let Some(home) = home {
                self.homes[home].counts.freed_full += 1;
            }
        }
    }

    /// A home whose `LocalPool` and buffers are all gone gives its private
    /// list to the shared lists.
    fn maybe_drop_home(&mut self, home: usize) {
        if self.homes[home].retired && self.homes[home].outstanding == 0 {
            for id in std::mem::take(&mut self.homes[home].private) {
                self.give_shared(Some(home), id);
            }
        }
    }
}

/// A buffer in use: the handle (`None` once detached) and the model's view.
struct Held {
    buffer: Option<PooledBuffer>,
    detached: Option<Box<[u8]>>,
    id: u64,
    home: usize,
}

/// Runs the check.
pub fn check(data: &[u8]) {
    let mut source = Source::new(data);
    let buffer_size = 8 + source.below(57);
    let private_capacity = source.below(5);
    let shared_capacity = source.below(7);
    let threads = 1 + source.below(3);
    let config = PoolConfig::new()
        .with_buffer_size(buffer_size)
        .with_private_capacity(private_capacity)
        .with_shared_capacity(shared_capacity);
    let pool = BufferPool::new(config);
    assert_eq!(pool.config(), config);
    let mut model = Model {
        buffer_size,
        private_capacity,
        shared_capacity,
        next_id: 1,
        ..Model::default()
    };
    // locals[i] is the live LocalPool of thread i and its home in the model.
    let mut locals: Vec<(LocalPool, usize)> = (0..threads)
        .map(|i| {
            model.homes.push(Home::default());
            (pool.local(), i)
        })
        .collect();
    let mut held: Vec<Held> = Vec::new();

    let mut steps = 0;
    while !source.is_empty() && steps < 256 {
        steps += 1;
        let op = source.byte() % 9;
        match op {
            0 | 1 => {
                let local = source.below(threads);
                let (pool_local, home) = (&locals[local].0, locals[local].1);
                let mut buffer = pool_local.take();
                assert_eq!(buffer.len(), model.buffer_size);
                let h = &mut model.homes[home];
                let expected = if let Some(id) = h.private.pop() {
                    h.counts.private_hits += 1;
                    Some(id)
                } else if let Some(id) = model.new.pop() {
                    h.counts.new_hits += 1;
                    model.new_hits += 1;
                    Some(id)
                } else if let Some(id) = model.old.pop() {
                    h.counts.old_hits += 1;
                    model.old_hits += 1;
                    Some(id)
                } else {
                    h.counts.system_allocs += 1;
                    None
                };
                let id = match expected {
                    Some(id) => {
                        assert_eq!(read_id(&buffer), id, "took the wrong buffer");
                        id
                    }
                    None => {
                        assert!(buffer.iter().all(|&b| b == 0), "fresh buffer not zeroed");
                        let id = model.next_id;
                        model.next_id += 1;
                        buffer[..8].copy_from_slice(&id.to_le_bytes());
                        id
                    }
                };
                model.homes[home].outstanding += 1;
                held.push(Held {
                    buffer: Some(buffer),
                    detached: None,
                    id,
                    home,
                });
            }
            2 | 3 if held.is_empty() => {}
            2 => {
                // Drop a handle: back to the home that handed it out.
                let index = source.below(held.len());
                let entry = held.swap_remove(index);
                match (entry.buffer, entry.detached) {
                    (Some(buffer), _) => {
                        drop(buffer);
                        model.homes[entry.home].outstanding -= 1;
                        model.give(entry.home, entry.id);
                        model.maybe_drop_home(entry.home);
                    }
                    (None, Some(detached)) => {
                        // A detached buffer given back on some thread.
                        let local = source.below(threads);
                        let home = locals[local].1;
                        locals[local].0.give(detached);
                        model.give(home, entry.id);
                    }
                    (None, None) => unreachable!("a held buffer is in one of the two"),
                }
            }
            3 => {
                // Detach a handle from the pool.
                let index = source.below(held.len());
                let entry = &mut held[index];
                if let Some(buffer) = entry.buffer.take() {
                    entry.detached = Some(buffer.into_boxed_slice());
                    model.homes[entry.home].outstanding -= 1;
                    let home = entry.home;
                    model.maybe_drop_home(home);
                }
            }
            4 => {
                let local = source.below(threads);
                let home = locals[local].1;
                let flushed = locals[local].0.flush();
                let ids = std::mem::take(&mut model.homes[home].private);
                assert_eq!(flushed, ids.len(), "flush count");
                for id in ids {
                    model.give_shared(Some(home), id);
                }
            }
            5 => {
                let report = pool.sweep();
                let doomed = std::mem::replace(&mut model.old, std::mem::take(&mut model.new));
                model.sweeps += 1;
                model.swept += doomed.len() as u64;
                assert_eq!((report.aged, report.freed), (model.old.len(), doomed.len()));
            }
            6 => {
                // A buffer of the wrong size is freed, never kept.
                let local = source.below(threads);
                let size = if source.bool() {
                    buffer_size + 1
                } else {
                    buffer_size - 1
                };
                locals[local].0.give(vec![0xEE; size].into_boxed_slice());
                let home = locals[local].1;
                model.homes[home].counts.freed_wrong_size += 1;
            }
            7 => {
                // A buffer from elsewhere, of the right size, is kept like any other.
                let local = source.below(threads);
                let id = model.next_id;
                model.next_id += 1;
                let mut buffer = vec![0u8; buffer_size].into_boxed_slice();
                buffer[..8].copy_from_slice(&id.to_le_bytes());
                locals[local].0.give(buffer);
                let home = locals[local].1;
                model.give(home, id);
            }
            _ => {
                // The thread exits and another starts: drop its LocalPool.
                let local = source.below(threads);
                let home = model.homes.len();
                model.homes.push(Home::default());
                let (old_local, old_home) =
                    std::mem::replace(&mut locals[local], (pool.local(), home));
                drop(old_local);
                model.homes[old_home].retired = true;
                model.maybe_drop_home(old_home);
            }
        }
        compare(&pool, &locals, &model);
    }
    // Everything back: the bounds still hold.
    let homes: Vec<usize> = held.iter().map(|h| h.home).collect();
    for (entry, home) in held.into_iter().zip(homes) {
        if let Some(buffer) = entry.buffer {
            drop(buffer);

            model.homes[home].outstanding -= 1;
            model.give(home, entry.id);
            model.maybe_drop_home(home);
        }
    }
    compare(&pool, &locals, &model);
}

fn read_id(buffer: &[u8]) -> u64 {
    let mut id = [0u8; 8];
    id.copy_from_slice(&buffer[..8]);
    u64::from_le_bytes(id)
}

fn compare(pool: &BufferPool, locals: &[(LocalPool, usize)], model: &Model) {
    for (local, home) in locals {
        let h = &model.homes[*home];
        assert_eq!(
            Counts::of(local.stats()),
            h.counts,
            "counters of home {home}"
        );
        assert_eq!(
            local.private_len(),
            h.private.len(),
            "private list of home {home}"
        );
        assert!(local.private_len() <= model.private_capacity);
    }
    let stats = pool.stats();
    assert_eq!(
        (stats.retained_new, stats.retained_old),
        (model.new.len(), model.old.len()),
        "shared lists"
    );
    assert!(stats.retained_new + stats.retained_old <= model.shared_capacity);
    assert_eq!(
        (
            stats.new_hits,
            stats.old_hits,
            stats.returned_new,
            stats.freed_full,
            stats.sweeps,
            stats.swept
        ),
        (
            model.new_hits,
            model.old_hits,
            model.returned_new,
            model.freed_full,
            model.sweeps,
            model.swept
        ),
        "shared counters"
    );
}
