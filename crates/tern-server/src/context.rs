//! The per-thread context every connection of a worker works with: the
//! planner and its file cache, the date cache, the buffer pool's front end,
//! the clock read once per loop turn, the access log, and the parsers of the
//! connections that have a request in progress. Nothing in it is shared with
//! other threads (the pool's shared list and the log file aside, each behind
//! its own API).
//!
//! # Why the parsers live in one slab
//!
//! A parser is needed only while a request is read, so a connection borrows
//! one (with the input it has not consumed) from the worker's [`Parsers`]. A
//! crowd of incomplete heads needs as many at once; had each been a `Box` and
//! a `Vec` of its own, thousands of small blocks would be scattered over the
//! heap, and once they are freed glibc's malloc keeps the last few of each
//! size in its per-thread cache: those sit at the top of the heap and pin
//! every free byte below it (malloc returns memory only from the top of a
//! heap). Measured: RSS stayed 46 % above its baseline after 2,000 incomplete
//! heads closed (BENCHMARK.md). In one slab, a crowd's parsers are one block,
//! given back by shrinking it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tern_proto::date::DateCache;
use tern_proto::pool::{BufferPool, LocalPool};

use crate::cli::Options;
use crate::compress::Compressor;
use crate::files::{FileCache, FileOptions, NamedFile};
use crate::log::{Entry, LogFile, LogSink};
use crate::plan::Planner;
use crate::rules::HeaderRules;

/// Parsers a worker keeps however few connections it has.
const PARSERS_KEPT: usize = 64;
/// A parser's input buffer kept for its next connection when it is no
/// larger than this; a larger one (a long head trickled in) is freed.
const INPUT_KEPT: usize = 1024;
/// The first capacity of a parser's input buffer. At least 121 bytes, so
/// that glibc's malloc does not keep it in a "fast bin" once freed: a fast
/// bin's blocks are not merged with their free neighbours, and a crowd's
/// worth of them would keep its memory from the top of the heap.
pub(crate) const INPUT_MIN: usize = 128;

/// Timeouts, copied from the options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// For a complete request head.
    pub(crate) header: Duration,
    /// For an idle keep-alive connection.
    pub(crate) idle: Duration,
    /// For a client that does not read.
    pub(crate) send: Duration,
    /// For draining a closing connection.
    pub(crate) linger: Duration,
}

impl Timeouts {
    /// The timeouts of `opts`.
    pub(crate) fn new(opts: &Options) -> Self {
        Self {
            header: opts.header_timeout,
            idle: opts.idle_timeout,
            send: opts.send_timeout,
            linger: Duration::from_secs(2).min(opts.idle_timeout),
        }
    }
}

fn named_file(path: Option<&std::path::Path>, opts: &Options) -> Option<NamedFile> {
    NamedFile::open(path?, FileOptions::new(opts)).ok()
}

/// The per-thread context a connection works with.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Path → response plan.
    pub(crate) planner: Planner,
    /// The operator's response fields.
    pub(crate) rules: HeaderRules,
    /// `Date` and log timestamps.
    pub(crate) date: DateCache,
    /// The thread's front end of the buffer pool.
    pub(crate) pool: LocalPool,
    /// The clock, read once per loop turn.
    pub(crate) now: Instant,
    /// Timeouts.
    pub(crate) timeouts: Timeouts,
    /// Shutdown has begun: no new keep-alive.
    pub(crate) shutting_down: bool,
    /// The access log.
    pub(crate) log: Option<LogSink>,
    /// Where a connection without a partial request reads into: the bytes a
    /// request leaves unconsumed are copied out to the connection, so an
    /// idle or trickling client holds no full-size buffer.
    pub(crate) read_scratch: Vec<u8>,
    /// The parsers of connections with a request in progress.
    pub(crate) parsers: Parsers,
}

/// A parser lent to a connection: the index of its slab entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParserId(u32);

/// A connection's request parser and the input it has not consumed yet.
#[derive(Debug)]
pub(crate) struct Parser {
    /// tern-proto's connection state.
    pub(crate) proto: tern_proto::Connection,
    /// Bytes received and not consumed (part of a head, a pipelined request
    /// that must wait); empty most of the time.
    pub(crate) input: Vec<u8>,
    /// Lent to a connection, or the next free entry.
    lending: Lending,
}

/// Whether a slab entry is lent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lending {
    Lent,
    /// Free; the next free entry (`NONE` ends the list).
    Free {
        next: u32,
    },
}

/// The end of the free list.
const NONE: u32 = u32::MAX;

/// The worker's parsers, in one slab: lent to connections while they read
/// a request, returned between requests, reused in place (a parser's lists
/// and a small input buffer keep their capacity). The free entries form a
/// list through the slab itself: a separate list would be one more block,
/// grown while a crowd leaves, that could pin the heap's top.
#[derive(Debug)]
pub(crate) struct Parsers {
    entries: Vec<Parser>,
    /// The free entry lent next (the last one returned), or `NONE`.
    first_free: u32,
    config: tern_proto::Config,
}

impl Parsers {
    fn new(config: tern_proto::Config) -> Self {
        Self {
            entries: Vec::new(),
            first_free: NONE,
            config,
        }
    }

    /// Lends a parser waiting for a fresh request, with no input.
    pub(crate) fn take(&mut self) -> ParserId {
        let id = self.first_free;
        if let Some(parser) = self.entries.get_mut(id as usize)
            && let Lending::Free { next } = parser.lending
        {
            self.first_free = next;
            parser.lending = Lending::Lent;
            return ParserId(id);
        }
        self.entries.push(Parser {
            proto: tern_proto::Connection::new(self.config),
            input: Vec::new(),
            lending: Lending::Lent,
        });
        ParserId((self.entries.len() - 1) as u32)
    }

    /// Takes a parser back, made new for its next connection.
    pub(crate) fn give(&mut self, id: ParserId) {
        let parser = &mut self.entries[id.0 as usize];
        if parser.proto.state() != tern_proto::State::Idle || parser.proto.head_started() {
            parser.proto.reset();
        }
        if parser.input.capacity() > INPUT_KEPT {
            parser.input = Vec::new();
        } else {
            parser.input.clear();
        }
        parser.lending = Lending::Free {
            next: self.first_free,
        };
        self.first_free = id.0;
    }

    /// The parser lent as `id`.
    pub(crate) fn get(&self, id: ParserId) -> &Parser {
        &self.entries[id.0 as usize]
    }

    /// The parser lent as `id`.
    pub(crate) fn get_mut(&mut self, id: ParserId) -> &mut Parser {
        &mut self.entries[id.0 as usize]
    }

    /// After a crowd: when at most a quarter of the parsers are lent, the
    /// free ones at the end of the slab are dropped and the slab is shrunk
    /// in place, which returns its tail.
    pub(crate) fn shrink(&mut self) {
        let len = self.entries.len();
        if len <= PARSERS_KEPT {
            return;
        }
        let lent = self
            .entries
            .iter()
            .filter(|p| p.lending == Lending::Lent)
            .count();
        if lent * 4 > len {
            return;
        }
        let keep = self
            .entries
            .iter()
            .rposition(|p| p.lending == Lending::Lent)
            .map_or(0, |i| i + 1)
            .max(PARSERS_KEPT);
        // Dropped lowest first: glibc's malloc caches the first few blocks
        // of each size it is given back, and those are then the oldest of
        // the crowd, low in the heap; the rest coalesce up to its top.
        self.entries.truncate(keep);
        self.entries.shrink_to(PARSERS_KEPT);
        // The free list again, lowest entries first.
        self.first_free = NONE;
        for (i, parser) in self.entries.iter_mut().enumerate().rev() {
            if parser.lending != Lending::Lent {
                parser.lending = Lending::Free {
                    next: self.first_free,
                };
                self.first_free = i as u32;
            }
        }
    }
}

impl Ctx {
    /// The context of a worker serving `root` with `opts`.
    pub(crate) fn new(
        opts: &Options,
        root: std::os::fd::OwnedFd,
        pool: &BufferPool,
        log: Option<&Arc<LogFile>>,
        unix_now: u64,
    ) -> Self {
        let buffer_size = pool.config().buffer_size();
        let proto_config = tern_proto::Config::default()
            .max_head_len(buffer_size - 1)
            .max_body_len(Some(1 << 20));
        Self {
            planner: Planner {
                files: FileCache::new(root, FileOptions::new(opts)),
                allow_hidden: opts.hidden,
                scratch: Vec::with_capacity(256),
                cors: opts.cors.is_some(),
                // Checked when the server started (see `serve`); a file
                // that vanished since is served as missing.
                fallback: named_file(opts.fallback.as_deref(), opts),
                not_found_page: named_file(opts.not_found.as_deref(), opts),
                compressor: opts.compress.then(Compressor::default),
            },
            rules: HeaderRules::new(opts),
            date: DateCache::new(unix_now),
            pool: pool.local(),
            now: Instant::now(),
            timeouts: Timeouts::new(opts),
            shutting_down: false,
            log: log.map(|file| LogSink::new(Arc::clone(file))),
            read_scratch: vec![0; buffer_size],
            parsers: Parsers::new(proto_config),
        }
    }

    /// The most input a connection ever keeps: a head up to the parser's
    /// limit.
    pub(crate) fn max_input(&self) -> usize {
        self.read_scratch.len()
    }

    /// Appends an access-log line (when logging).
    pub(crate) fn log_line(&mut self, e: Entry<'_>) {
        if let Some(log) = self.log.as_mut() {
            log.line(self.date.clf_timestamp(), &e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsers() -> Parsers {
        Parsers::new(tern_proto::Config::default())
    }

    #[test]
    fn a_returned_parser_is_lent_again_made_new_and_with_its_small_buffer() {
        let mut p = parsers();
        let a = p.take();
        let b = p.take();
        assert_ne!(a, b);
        let parser = p.get_mut(a);
        assert!(parser.proto.poll_event(b"GET / HTTP/1.1\r\nHo").is_ok());
        assert!(parser.proto.head_started());
        parser.input.extend_from_slice(&[b'x'; 100]);
        let capacity = parser.input.capacity();
        p.give(a);
        let again = p.take();
        assert_eq!(again, a, "the last returned is lent first");
        let parser = p.get(again);
        assert!(!parser.proto.head_started());
        assert_eq!(parser.proto.state(), tern_proto::State::Idle);
        assert!(parser.input.is_empty());
        assert_eq!(parser.input.capacity(), capacity);
    }

    #[test]
    fn a_large_input_buffer_is_freed_on_return() {
        let mut p = parsers();
        let a = p.take();
        p.get_mut(a)
            .input
            .extend_from_slice(&[b'x'; INPUT_KEPT + 1]);
        p.give(a);
        let again = p.take();
        assert_eq!(p.get(again).input.capacity(), 0);
    }

    #[test]
    fn after_a_crowd_the_slab_shrinks_to_its_last_lent_parser() {
        let mut p = parsers();
        let ids: Vec<_> = (0..1000).map(|_| p.take()).collect();
        // Still mostly lent: nothing moves.
        for &id in &ids[..600] {
            p.give(id);
        }
        p.shrink();
        assert_eq!(p.entries.len(), 1000);
        // One parser high in the slab stays lent.
        for &id in &ids[600..] {
            if id != ids[650] && id != ids[700] {
                p.give(id);
            }
        }
        p.shrink();
        assert_eq!(p.entries.len(), 701);
        assert!(p.entries.capacity() < 1000);
        assert_eq!(p.get(ids[700]).lending, Lending::Lent);
        // Every free entry is lent once, lowest first, before the slab grows.
        let mut lent: Vec<_> = (0..699).map(|_| p.take().0).collect();
        assert_eq!(lent[..3], [0, 1, 2]);
        lent.sort_unstable();
        lent.dedup();
        assert_eq!(lent.len(), 699);
        assert!(!lent.contains(&ids[650].0) && !lent.contains(&ids[700].0));
        assert_eq!(p.take().0, 701);
    }

    #[test]
    fn a_small_slab_is_kept() {
        let mut p = parsers();
        let ids: Vec<_> = (0..PARSERS_KEPT + 10).map(|_| p.take()).collect();
        for id in ids {
            p.give(id);
        }
        p.shrink();
        assert_eq!(p.entries.len(), PARSERS_KEPT);
        p.shrink();
        assert_eq!(p.entries.len(), PARSERS_KEPT);
    }
}
