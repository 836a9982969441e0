//! `tern`: a static file server on tern-proto.
//!
//! One worker thread per core, each with its own epoll instance and its own
//! `SO_REUSEPORT` listening socket per address, so the kernel spreads
//! connections and no connection ever moves between threads (sockets handed
//! over by systemd are shared, see `listen`). Responses are a head composed into
//! the connection's buffer plus either the cached content of a small file
//! (one `send`) or `sendfile` of a large one (head with `MSG_MORE`, so both
//! leave in one segment). See `worker` for the loop and `conn` for one
//! connection.
//!
//! ```text
//! tern [ROOT] [--listen ADDR] [--threads N] [--access-log PATH|-] ...
//! ```
//!
//! The first line on standard output is `tern: serving ROOT on http://ADDR`
//! with the real address (port 0 picks a free port); each further address
//! follows on a line `tern: also serving on http://ADDR`.
#![forbid(unsafe_code)]

mod beneath;
mod cli;
mod compress;
mod conn;
mod context;
mod entry;
mod files;
mod listen;
mod listing;
mod log;
mod multipart;
mod plan;
mod respond;
mod rules;
pub mod semantics;
mod slab;
mod socket;
mod sys;
mod worker;

use std::io::Write;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use tern_proto::pool::{BufferPool, PoolConfig};

use crate::cli::{Command, Options};
use crate::log::LogFile;
use crate::worker::{Cut, Shared, Worker};

/// The `tern` command: parses the process arguments, serves until a signal
/// stops it, and says how it ended.
pub fn main() -> ExitCode {
    let command = match cli::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tern: {e} (see tern --help)");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("tern {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Serve(opts) => match serve(*opts) {
            Ok(cut) if cut.transfers == 0 => {
                eprintln!("tern: stopped");
                ExitCode::SUCCESS
            }
            // A supervisor can tell a cut stop from a clean one.
            Ok(cut) => {
                eprintln!(
                    "tern: stopped; the shutdown timeout cut {} response(s) short, {} byte(s) unsent",
                    cut.transfers, cut.bytes_left
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("tern: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn serve(opts: Options) -> Result<Cut, String> {
    let (root, root_fd) = open_root(&opts)?;
    sys::raise_nofile_limit();
    let listening = listen::open(&opts.listen, opts.threads)?;
    let exclusive = listening.shared;
    let log = open_log(&opts)?;

    // The signal thread writes a byte to this socket pair on the first
    // SIGTERM/SIGINT; every worker's epoll watches the other end and starts
    // a graceful shutdown.
    let (stop_read, stop_write) =
        UnixStream::pair().map_err(|e| format!("cannot set up signals: {e}"))?;
    let signals = Signals::new([SIGTERM, SIGINT, SIGHUP])
        .map_err(|e| format!("cannot set up signals: {e}"))?;

    let pool_config = PoolConfig::new()
        .with_private_capacity(64)
        .with_shared_capacity(256);
    let shared = Arc::new(Shared {
        opts: opts.clone(),
        open: AtomicUsize::new(0),
        pool: BufferPool::new(pool_config),
        log,
    });

    let mut setups = Vec::with_capacity(listening.per_worker.len());
    for listeners in listening.per_worker {
        let stop = OwnedFd::from(
            stop_read
                .try_clone()
                .map_err(|e| format!("cannot set up signals: {e}"))?,
        );
        let root = root_fd
            .try_clone()
            .map_err(|e| format!("cannot open root: {e}"))?;
        setups.push((listeners, stop, root));
    }
    announce(&root, &listening.addrs);

    // Each worker is built on its own thread: its pool front end and caches
    // are thread-local by construction.
    let handles: Vec<_> = setups
        .into_iter()
        .enumerate()
        .map(|(id, (listeners, stop, root))| {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("tern-worker-{id}"))
                .spawn(move || Worker::new(id, shared, listeners, exclusive, stop, root)?.run())
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot start worker thread: {e}"))?;
    watch_signals(
        signals,
        stop_write,
        shared.log.clone(),
        opts.shutdown_timeout,
    )?;
    join_workers(handles)
}

/// ROOT, canonical, and a descriptor of it; the files the options name are
/// checked too, so a typo fails at start rather than at the first 404.
fn open_root(opts: &Options) -> Result<(std::path::PathBuf, OwnedFd), String> {
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| format!("cannot serve {}: {}", opts.root.display(), sys::short(&e)))?;
    if !root.is_dir() {
        return Err(format!("cannot serve {}: not a directory", root.display()));
    }
    let root_fd = beneath::open_root(&root)
        .map_err(|e| format!("cannot open {}: {}", root.display(), sys::short(&e)))?;
    for (option, path) in [
        ("--fallback", &opts.fallback),
        ("--not-found", &opts.not_found),
    ] {
        if let Some(path) = path {
            files::NamedFile::open(path, files::FileOptions::new(opts)).map_err(|e| {
                format!("cannot use {option} {}: {}", path.display(), sys::short(&e))
            })?;
        }
    }
    Ok((root, root_fd))
}

fn open_log(opts: &Options) -> Result<Option<Arc<LogFile>>, String> {
    let Some(path) = &opts.access_log else {
        return Ok(None);
    };
    let log = LogFile::open(path.clone()).map_err(|e| {
        let name = path
            .as_ref()
            .map_or("stdout".into(), |p| p.display().to_string());
        format!("cannot open access log {name}: {}", sys::short(&e))
    })?;
    Ok(Some(Arc::new(log)))
}

/// The first line of output is a contract: scripts and tests read the
/// address from it. Further addresses follow, one per line.
fn announce(root: &std::path::Path, addrs: &[std::net::SocketAddr]) {
    let mut out = std::io::stdout().lock();
    let mut addrs = addrs.iter();
    if let Some(first) = addrs.next() {
        let _ = writeln!(out, "tern: serving {} on http://{first}", root.display());
    }
    for addr in addrs {
        let _ = writeln!(out, "tern: also serving on http://{addr}");
    }
    let _ = out.flush();
}

/// Waits for every worker; sums what a cut shutdown left unsent.
fn join_workers(
    handles: Vec<std::thread::JoinHandle<std::io::Result<Cut>>>,
) -> Result<Cut, String> {
    let mut cut = Cut::default();
    let mut failed = None;
    for h in handles {
        match h.join() {
            Ok(Ok(c)) => {
                cut.transfers += c.transfers;
                cut.bytes_left += c.bytes_left;
            }
            Ok(Err(e)) => failed = Some(format!("worker failed: {e}")),
            Err(_) => failed = Some("worker panicked".to_owned()),
        }
    }
    failed.map_or(Ok(cut), Err)
}

/// The signal thread. `SIGHUP` reopens the access log (after logrotate
/// renamed it) and the server keeps serving. The first `SIGTERM`/`SIGINT`
/// starts a graceful shutdown (workers stop accepting, finish what is in
/// flight, bounded by `--shutdown-timeout`); a second one exits at once.
fn watch_signals(
    mut signals: Signals,
    stop: UnixStream,
    log: Option<Arc<LogFile>>,
    grace: Duration,
) -> Result<(), String> {
    let watch = move || {
        let mut stopping = false;
        for signal in signals.forever() {
            if signal == SIGHUP {
                if let Some(log) = &log
                    && let Err(e) = log.reopen()
                {
                    eprintln!(
                        "tern: SIGHUP: cannot reopen the access log: {}",
                        sys::short(&e)
                    );
                }
                continue;
            }
            if stopping {
                eprintln!("tern: second signal: exiting now, responses in flight are cut");
                std::process::exit(128 + signal);
            }
            stopping = true;
            eprintln!(
                "tern: shutting down: no new connections; waiting up to {:.1} s for responses in flight",
                grace.as_secs_f64()
            );
            let _ = (&stop).write_all(&[1]);
        }
    };
    std::thread::Builder::new()
        .name("tern-signals".to_owned())
        .spawn(watch)
        .map(drop)
        .map_err(|e| format!("cannot start the signal thread: {e}"))
}
