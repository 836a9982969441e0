//! Command-line parsing.
//!
//! Hand-rolled on top of `lexopt` (a tiny, dependency-free tokenizer): the
//! option set is small and fixed, and every error is one line.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the operator can set on the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Directory whose files are served.
    pub(crate) root: PathBuf,
    /// Address every worker's listening socket binds to.
    pub(crate) listen: SocketAddr,
    /// Number of worker threads (one epoll loop each).
    pub(crate) threads: usize,
    /// `None`: no access log; `Some(None)`: standard output; `Some(Some(path))`: a file.
    pub(crate) access_log: Option<Option<PathBuf>>,
    /// Time a client has to send a complete request head.
    pub(crate) header_timeout: Duration,
    /// Time an idle keep-alive connection is kept open.
    pub(crate) idle_timeout: Duration,
    /// Time a client that stops reading is given before it is closed.
    pub(crate) send_timeout: Duration,
    /// Upper bound on how long shutdown waits for responses in flight.
    pub(crate) shutdown_timeout: Duration,
    /// Connections open at once, over all threads.
    pub(crate) max_connections: usize,
    /// Serve files and directories whose name starts with a dot.
    pub(crate) hidden: bool,
    /// List directories that have no `index.html`.
    pub(crate) list_dirs: bool,
    /// How long an open-file cache entry is trusted before it is revalidated.
    pub(crate) cache_ttl: Duration,
    /// How long the event loop keeps polling without sleeping after an event.
    pub(crate) busy_poll: Duration,
    /// `SO_SNDBUF` for loopback clients (0: kernel autotuning).
    pub(crate) local_sndbuf: usize,
}

/// What the command line asks for.
#[derive(Debug)]
pub(crate) enum Command {
    /// Serve files.
    Serve(Box<Options>),
    /// Print the usage text and exit 0.
    Help,
    /// Print the version and exit 0.
    Version,
}

/// The `--help` text.
pub(crate) const USAGE: &str = "\
tern: a static file server (epoll + sendfile, one event loop per core)

Usage: tern [ROOT] [OPTIONS]

Arguments:
  [ROOT]                    directory to serve (default: .)

Options:
      --root DIR            directory to serve (same as ROOT)
  -l, --listen ADDR         address to listen on (default: 127.0.0.1:8080; port 0 picks a free port)
  -t, --threads N           worker threads, one epoll loop each (default: available cores)
      --access-log PATH|-   write a Combined Log Format access log to PATH or stdout (default: off)
      --header-timeout SECS close clients that do not send a complete request head in time (default: 10)
      --idle-timeout SECS   close keep-alive connections idle this long (default: 60)
      --send-timeout SECS   close clients that stop reading for this long (default: 30)
      --shutdown-timeout SECS
                            on SIGTERM/SIGINT, wait at most this long for responses in flight (default: 30)
      --max-connections N   refuse connections beyond N open at once (default: 10000)
      --hidden              serve files whose name starts with a dot (default: refused)
      --list-dirs           list directories that have no index.html: an HTML page, or JSON
                            for Accept: application/json (default: 404 that says so)
      --cache-ttl SECS      revalidate cached open files after this long (default: 1)
      --busy-poll USECS     after an event, poll this long before sleeping in epoll_wait;
                            0 never spins (default: 50)
      --local-sndbuf BYTES  send buffer for clients on this host (loopback peers), where
                            autotuned multi-MiB buffers only move work to the client
                            (8x while a body of 8 MiB or more is sent);
                            0 keeps kernel autotuning (default: 262144)
  -h, --help                print this help
  -V, --version             print the version

Signals:
  SIGTERM, SIGINT           graceful shutdown: stop accepting, finish responses in flight
                            (at most --shutdown-timeout), exit 0; exit 1 if the timeout cut
                            responses short; a second signal exits at once (128 + signal)
  SIGHUP                    reopen the access log (after logrotate renamed it), keep serving
";

/// Parses the process arguments (without the program name).
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(args);
    let mut root: Option<PathBuf> = None;
    let mut listen = "127.0.0.1:8080".to_owned();
    let mut threads = None;
    let mut access_log = None;
    let mut header_timeout = Duration::from_secs(10);
    let mut idle_timeout = Duration::from_secs(60);
    let mut send_timeout = Duration::from_secs(30);
    let mut shutdown_timeout = Duration::from_secs(30);
    let mut max_connections = 10_000usize;
    let mut hidden = false;
    let mut list_dirs = false;
    let mut cache_ttl = Duration::from_secs(1);
    let mut busy_poll = Duration::from_micros(50);
    let mut local_sndbuf = 256 * 1024usize;

    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("root") => set_root(&mut root, parser.value().map_err(|e| e.to_string())?)?,
            Value(v) => set_root(&mut root, v)?,
            Short('l') | Long("listen") => listen = string_value(&mut parser, "--listen")?,
            Short('t') | Long("threads") => {
                let n: usize = number(&mut parser, "--threads")?;
                if n == 0 || n > 1024 {
                    return Err("--threads must be between 1 and 1024".to_owned());
                }
                threads = Some(n);
            }
            Long("access-log") => {
                let v = parser.value().map_err(|e| e.to_string())?;
                access_log = Some(if v == "-" {
                    None
                } else {
                    Some(PathBuf::from(v))
                });
            }
            Long("header-timeout") => header_timeout = seconds(&mut parser, "--header-timeout")?,
            Long("idle-timeout") => idle_timeout = seconds(&mut parser, "--idle-timeout")?,
            Long("send-timeout") => send_timeout = seconds(&mut parser, "--send-timeout")?,
            Long("shutdown-timeout") => {
                shutdown_timeout = seconds(&mut parser, "--shutdown-timeout")?;
            }
            Long("max-connections") => {
                max_connections = number(&mut parser, "--max-connections")?;
                if max_connections == 0 {
                    return Err("--max-connections must be at least 1".to_owned());
                }
            }
            Long("hidden") => hidden = true,
            Long("list-dirs") => list_dirs = true,
            Long("cache-ttl") => cache_ttl = seconds(&mut parser, "--cache-ttl")?,
            Long("local-sndbuf") => {
                local_sndbuf = number(&mut parser, "--local-sndbuf")?;
                if local_sndbuf > 1 << 30 {
                    return Err("--local-sndbuf must be at most 1073741824".to_owned());
                }
            }
            Long("busy-poll") => {
                let us: u64 = number(&mut parser, "--busy-poll")?;
                if us > 1_000_000 {
                    return Err("--busy-poll must be at most 1000000 microseconds".to_owned());
                }
                busy_poll = Duration::from_micros(us);
            }
            _ => return Err(arg.unexpected().to_string()),
        }
    }

    let listen: SocketAddr = listen.parse().map_err(|_| {
        format!("bad address {listen:?} for --listen (expected IP:PORT, e.g. 127.0.0.1:8080)")
    })?;
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    Ok(Command::Serve(Box::new(Options {
        root: root.unwrap_or_else(|| PathBuf::from(".")),
        listen,
        threads,
        access_log,
        header_timeout,
        idle_timeout,
        send_timeout,
        shutdown_timeout,
        max_connections,
        hidden,
        list_dirs,
        cache_ttl,
        busy_poll,
        local_sndbuf,
    })))
}

fn set_root(root: &mut Option<PathBuf>, value: OsString) -> Result<(), String> {
    if root.is_some() {
        return Err("more than one ROOT given".to_owned());
    }
    *root = Some(PathBuf::from(value));
    Ok(())
}

fn string_value(parser: &mut lexopt::Parser, name: &str) -> Result<String, String> {
    let v = parser.value().map_err(|e| e.to_string())?;
    v.into_string()
        .map_err(|v| format!("invalid value {v:?} for {name}"))
}

fn number<T: std::str::FromStr>(parser: &mut lexopt::Parser, name: &str) -> Result<T, String> {
    let v = string_value(parser, name)?;
    v.parse()
        .map_err(|_| format!("invalid value {v:?} for {name} (expected a whole number)"))
}

fn seconds(parser: &mut lexopt::Parser, name: &str) -> Result<Duration, String> {
    let v = string_value(parser, name)?;
    match v.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 1e6 => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "invalid value {v:?} for {name} (expected seconds, e.g. 10 or 0.5)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<OsString> {
        s.iter().map(OsString::from).collect()
    }

    #[test]
    fn defaults_and_positional_root() {
        let Command::Serve(o) = parse(args(&["/srv"])).unwrap() else {
            panic!("expected serve")
        };
        assert_eq!(o.root, PathBuf::from("/srv"));
        assert_eq!(o.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(o.access_log.is_none());
    }

    #[test]
    fn errors_are_one_line() {
        for bad in [
            &["--listen", "nope"][..],
            &["--threads", "0"],
            &["--bogus"],
            &["a", "b"],
            &["--idle-timeout", "-1"],
        ] {
            let e = parse(args(bad)).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn access_log_dash_is_stdout() {
        let Command::Serve(o) = parse(args(&["--access-log", "-", "--root", "x"])).unwrap() else {
            panic!()
        };
        assert!(matches!(o.access_log, Some(None)));
        assert_eq!(o.root, PathBuf::from("x"));
    }
}
