//! `tern`: a static file server on tern-proto.
//!
//! One worker thread per core, each with its own epoll instance and its own
//! `SO_REUSEPORT` listening socket, so the kernel spreads connections and no
//! connection ever moves between threads. Responses are a head composed into
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
//! with the real address (port 0 picks a free port).
#![forbid(unsafe_code)]

mod cli;
mod conn;
mod files;
mod http;
mod log;
mod path;
mod range;
mod sys;
mod worker;

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tern_proto::pool::{BufferPool, PoolConfig};

use crate::cli::{Command, Options};
use crate::worker::{Shared, Worker};

fn main() -> ExitCode {
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
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tern: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn serve(opts: Options) -> Result<(), String> {
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| format!("cannot serve {}: {}", opts.root.display(), short(&e)))?;
    if !root.is_dir() {
        return Err(format!("cannot serve {}: not a directory", root.display()));
    }
    let root_fd = files::open_root(&root)
        .map_err(|e| format!("cannot open {}: {}", root.display(), short(&e)))?;

    sys::raise_nofile_limit();
    let (listeners, addr) = sys::listeners(opts.listen, opts.threads).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("cannot listen on {}: address already in use", opts.listen)
        } else {
            format!("cannot listen on {}: {}", opts.listen, short(&e))
        }
    })?;

    let log = match &opts.access_log {
        None => None,
        Some(None) => Some(Arc::new(
            std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .map_err(|e| format!("cannot use stdout for the access log: {e}"))?,
        )),
        Some(Some(path)) => {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot open access log {}: {}", path.display(), short(&e)))?;
            Some(Arc::new(OwnedFd::from(f)))
        }
    };

    // SIGTERM / SIGINT write a byte to this socket pair; every worker's epoll
    // watches the other end and starts a graceful shutdown.
    let (sig_read, sig_write) =
        UnixStream::pair().map_err(|e| format!("cannot set up signals: {e}"))?;
    sig_write
        .set_nonblocking(true)
        .map_err(|e| format!("cannot set up signals: {e}"))?;
    let sig_write2 = sig_write
        .try_clone()
        .map_err(|e| format!("cannot set up signals: {e}"))?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGTERM, sig_write)
        .map_err(|e| format!("cannot set up signals: {e}"))?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, sig_write2)
        .map_err(|e| format!("cannot set up signals: {e}"))?;

    let mut pool_config = PoolConfig::new();
    pool_config
        .set_private_capacity(64)
        .set_shared_capacity(256);
    let shared = Arc::new(Shared {
        opts: opts.clone(),
        open: AtomicUsize::new(0),
        pool: BufferPool::new(pool_config),
        log,
    });

    let mut setups = Vec::with_capacity(listeners.len());
    for listener in listeners {
        let signal = OwnedFd::from(
            sig_read
                .try_clone()
                .map_err(|e| format!("cannot set up signals: {e}"))?,
        );
        let root = root_fd
            .try_clone()
            .map_err(|e| format!("cannot open root: {e}"))?;
        setups.push((listener, signal, root));
    }

    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "tern: serving {} on http://{addr}", root.display());
        let _ = out.flush();
    }

    // Each worker is built on its own thread: its pool front end and caches
    // are thread-local by construction.
    let handles: Vec<_> = setups
        .into_iter()
        .enumerate()
        .map(|(id, (listener, signal, root))| {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("tern-worker-{id}"))
                .spawn(move || Worker::new(id, shared, listener, signal, root)?.run())
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot start worker thread: {e}"))?;
    let mut failed = None;
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failed = Some(format!("worker failed: {e}")),
            Err(_) => failed = Some("worker panicked".to_owned()),
        }
    }
    failed.map_or(Ok(()), Err)
}

/// An I/O error without the "(os error N)" suffix.
fn short(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}
