//! The per-thread context every connection of a worker works with: the
//! planner and its file cache, the date cache, the buffer pool's front end,
//! the clock read once per loop turn, the access log, and lookaside lists.
//! Nothing in it is shared with other threads (the pool's shared list and
//! the log file aside, each behind its own API).

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

/// Parser states kept for reuse per thread.
const PROTO_LOOKASIDE: usize = 64;

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
    // Boxed on purpose: a connection holds `Option<Box<_>>` (one word while
    // idle), and moving a parser between it and this list moves a pointer.
    #[expect(
        clippy::vec_box,
        reason = "the boxes move between connections and this list"
    )]
    protos: Vec<Box<tern_proto::Connection>>,
    proto_config: tern_proto::Config,
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
        let mut proto_config = tern_proto::Config::default();
        proto_config
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
            protos: Vec::new(),
            proto_config,
        }
    }

    /// The most input a connection ever keeps: a head up to the parser's
    /// limit.
    pub(crate) fn max_input(&self) -> usize {
        self.read_scratch.len()
    }

    /// A parser state for a connection that has input, from the lookaside
    /// list when one is there.
    pub(crate) fn take_proto(&mut self) -> Box<tern_proto::Connection> {
        self.protos
            .pop()
            .unwrap_or_else(|| Box::new(tern_proto::Connection::new(self.proto_config.clone())))
    }

    /// Returns a parser state; only one waiting for a fresh request is kept.
    pub(crate) fn give_proto(&mut self, p: Box<tern_proto::Connection>) {
        if p.state() == tern_proto::State::Idle
            && !p.head_started()
            && self.protos.len() < PROTO_LOOKASIDE
        {
            self.protos.push(p);
        }
    }

    /// Appends an access-log line (when logging).
    pub(crate) fn log_line(&mut self, e: Entry<'_>) {
        if let Some(log) = self.log.as_mut() {
            log.line(self.date.clf_timestamp(), &e);
        }
    }
}
