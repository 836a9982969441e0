//! Command-line parsing.
//!
//! Hand-rolled on top of `lexopt` (a tiny, dependency-free tokenizer): the
//! option set is small and fixed, and every error is one line.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::listen;

/// Everything the operator can set on the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Directory whose files are served.
    pub(crate) root: PathBuf,
    /// The `--listen` values in order; empty: socket activation, or else
    /// the default 127.0.0.1:8080.
    pub(crate) listen: Vec<listen::Spec>,
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
    /// Serve `NAME.br`, `NAME.zst` or `NAME.gz` for `NAME` when the client
    /// accepts that coding.
    pub(crate) precompressed: bool,
    /// Compress files of text types that have no precompressed sibling,
    /// once per version, and keep the result in memory.
    pub(crate) compress: bool,
    /// Fields added to every successful response (`--header`, then
    /// `--cache-control`), validated by the composer.
    pub(crate) success_fields: Vec<OwnedField>,
    /// Cross-origin access, if allowed.
    pub(crate) cors: Option<Cors>,
    /// Served (200) for a GET/HEAD of an extension-less path that names
    /// nothing, to a client that accepts HTML.
    pub(crate) fallback: Option<PathBuf>,
    /// Served as the body of every 404 to a GET.
    pub(crate) not_found: Option<PathBuf>,
}

/// A response field given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnedField {
    /// The name, a token.
    pub(crate) name: Box<[u8]>,
    /// The value, a field-value without leading or trailing whitespace.
    pub(crate) value: Box<[u8]>,
}

/// Who may read responses cross-origin (`--cors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cors {
    /// Any origin: `Access-Control-Allow-Origin: *`.
    AnyOrigin,
    /// One serialized origin (`scheme://host[:port]`).
    Origin(Box<[u8]>),
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
  -l, --listen ADDR         listen on ADDR; repeat for more (default: 127.0.0.1:8080).
                            ADDR: PORT or :PORT (on 127.0.0.1: loopback, unlike python's
                            http.server, so no directory is published unasked),
                            IPv4:PORT, [IPv6]:PORT, HOST:PORT (every address of HOST;
                            localhost is 127.0.0.1 and ::1). Every interface:
                            0.0.0.0:PORT and [::]:PORT ([::] is IPv6 only).
                            Port 0 picks a free port, one for all addresses where it can.
                            Under systemd socket activation (LISTEN_PID, LISTEN_FDS)
                            tern serves the sockets it is given, and --listen beside
                            them is an error; LISTEN_* is not passed on (tern starts
                            no programs)
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
      --no-precompressed    do not serve NAME.br, NAME.zst or NAME.gz in place of NAME to
                            clients that accept that coding (default: served, with
                            Content-Encoding and Vary: Accept-Encoding, when not older
                            than NAME and smaller than it)
      --compress            compress text files (HTML, CSS, JS, JSON, SVG, ...) of 256 B to
                            2 MiB that have no precompressed sibling, once per version of the
                            file (Brotli or gzip, as the client accepts), kept in memory
                            (32 MiB per thread); the first request waits for it (default: off)
      --header 'NAME: VALUE'
                            add a field to every successful response (2xx, 304); repeatable
      --cache-control VALUE add Cache-Control: VALUE to every successful response
                            (e.g. max-age=3600; default: none)
      --cors[=ORIGIN]       allow cross-origin reads: from any origin, or from ORIGIN only
                            (e.g. --cors=https://app.example); answers CORS preflights
      --fallback FILE       serve FILE (200) for a GET or HEAD of a path without an
                            extension that names nothing, to clients that accept HTML
                            (single-page apps: --fallback ROOT/index.html)
      --not-found FILE      send FILE as the body of 404 responses
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
    let mut builder = Builder::default();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        // The name is copied out: the option's value comes from the parser.
        let name = match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Value(root) => {
                builder.set_root(root)?;
                continue;
            }
            Short(c) => format!("-{c}"),
            Long(name) => format!("--{name}"),
        };
        builder.apply(&name, &mut parser)?;
    }
    Ok(Command::Serve(Box::new(builder.finish())))
}

impl Default for Options {
    fn default() -> Self {
        Self {
            root: PathBuf::from("."),
            listen: Vec::new(),
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            access_log: None,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            hidden: false,
            list_dirs: false,
            cache_ttl: Duration::from_secs(1),
            busy_poll: Duration::from_micros(50),
            local_sndbuf: 256 * 1024,
            precompressed: true,
            compress: false,
            success_fields: Vec::new(),
            cors: None,
            fallback: None,
            not_found: None,
        }
    }
}

/// The options as the arguments set them, one at a time.
#[derive(Default)]
struct Builder {
    opts: Options,
    root_given: bool,
    cache_control: Option<OwnedField>,
}

impl Builder {
    /// Applies one argument (and takes its value from `parser`).
    fn apply(&mut self, name: &str, parser: &mut lexopt::Parser) -> Result<(), String> {
        let o = &mut self.opts;
        match name {
            "--root" => self.set_root(parser.value().map_err(|e| e.to_string())?)?,
            "-l" | "--listen" => {
                let value = string_value(parser, "--listen")?;
                o.listen.push(listen::Spec::parse(&value)?);
            }
            "-t" | "--threads" => {
                o.threads = number(parser, "--threads")?;
                if o.threads == 0 || o.threads > 1024 {
                    return Err("--threads must be between 1 and 1024".to_owned());
                }
            }
            "--access-log" => {
                let v = parser.value().map_err(|e| e.to_string())?;
                o.access_log = Some((v != "-").then(|| PathBuf::from(v)));
            }
            "--header-timeout" => o.header_timeout = seconds(parser, "--header-timeout")?,
            "--idle-timeout" => o.idle_timeout = seconds(parser, "--idle-timeout")?,
            "--send-timeout" => o.send_timeout = seconds(parser, "--send-timeout")?,
            "--shutdown-timeout" => o.shutdown_timeout = seconds(parser, "--shutdown-timeout")?,
            "--max-connections" => {
                o.max_connections = number(parser, "--max-connections")?;
                if o.max_connections == 0 {
                    return Err("--max-connections must be at least 1".to_owned());
                }
            }
            "--cache-ttl" => o.cache_ttl = seconds(parser, "--cache-ttl")?,
            "--local-sndbuf" => {
                o.local_sndbuf = number(parser, "--local-sndbuf")?;
                if o.local_sndbuf > 1 << 30 {
                    return Err("--local-sndbuf must be at most 1073741824".to_owned());
                }
            }
            "--busy-poll" => {
                let us: u64 = number(parser, "--busy-poll")?;
                if us > 1_000_000 {
                    return Err("--busy-poll must be at most 1000000 microseconds".to_owned());
                }
                o.busy_poll = Duration::from_micros(us);
            }
            _ => self.apply_content(name, parser)?,
        }
        Ok(())
    }

    /// The options about what is served and with which fields.
    fn apply_content(&mut self, name: &str, parser: &mut lexopt::Parser) -> Result<(), String> {
        let o = &mut self.opts;
        match name {
            "--hidden" => o.hidden = true,
            "--list-dirs" => o.list_dirs = true,
            "--no-precompressed" => o.precompressed = false,
            "--compress" => o.compress = true,
            "--header" => {
                if o.success_fields.len() == MAX_HEADERS {
                    return Err(format!("at most {MAX_HEADERS} --header options"));
                }
                o.success_fields
                    .push(header(&string_value(parser, "--header")?)?);
            }
            "--cache-control" => {
                let v = string_value(parser, "--cache-control")?;
                self.cache_control = Some(field(b"Cache-Control", v.trim(), "--cache-control")?);
            }
            "--cors" => o.cors = Some(cors_value(parser.optional_value())?),
            "--fallback" => o.fallback = Some(path_value(parser)?),
            "--not-found" => o.not_found = Some(path_value(parser)?),
            _ => return Err(format!("invalid option '{name}'")),
        }
        Ok(())
    }

    fn set_root(&mut self, value: OsString) -> Result<(), String> {
        if self.root_given {
            return Err("more than one ROOT given".to_owned());
        }
        self.root_given = true;
        self.opts.root = PathBuf::from(value);
        Ok(())
    }

    fn finish(mut self) -> Options {
        self.opts.success_fields.extend(self.cache_control);
        self.opts
    }
}

/// At most this many `--header` options (room in the responder's field
/// list).
const MAX_HEADERS: usize = 16;

/// Fields tern writes itself (besides the framing fields and `Date`, which
/// the composer refuses): a second copy from `--header` would contradict
/// them.
const SERVER_FIELDS: [&str; 12] = [
    "server",
    "content-type",
    "content-encoding",
    "content-range",
    "etag",
    "last-modified",
    "accept-ranges",
    "vary",
    "location",
    "allow",
    "x-content-type-options",
    "access-control-allow-origin",
];

/// `--header "Name: value"`.
fn header(v: &str) -> Result<OwnedField, String> {
    let Some((name, value)) = v.split_once(':') else {
        return Err(format!("invalid --header {v:?} (expected \"Name: value\")"));
    };
    if SERVER_FIELDS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!("--header cannot set {name}: tern sets it itself"));
    }
    field(name.as_bytes(), value.trim(), "--header")
}

/// A field the composer accepts (a token name, a field-value without
/// controls, not a framing field).
fn field(name: &[u8], value: &str, option: &str) -> Result<OwnedField, String> {
    use tern_proto::compose::{ComposeError, ResponseHead};
    let fields = [tern_proto::Field::new(name, value.as_bytes())];
    let mut head = ResponseHead::new(200, tern_proto::Version::Http11);
    head.fields = &fields;
    head.date = Some(b"Sun, 06 Nov 1994 08:49:37 GMT");
    let name_text = String::from_utf8_lossy(name);
    match head.encoded_len() {
        Ok(_) if !value.is_empty() => Ok(OwnedField {
            name: name.into(),
            value: value.as_bytes().into(),
        }),
        Ok(_) => Err(format!("{option}: {name_text} needs a value")),
        Err(ComposeError::InvalidFieldName { .. }) => {
            Err(format!("{option}: {name_text:?} is not a field name"))
        }
        Err(ComposeError::ReservedField { .. }) => Err(format!(
            "{option} cannot set {name_text}: tern sets it itself"
        )),
        Err(_) => Err(format!("{option}: invalid value {value:?} for {name_text}")),
    }
}

/// `--cors` (any origin) or `--cors=ORIGIN`.
fn cors_value(v: Option<OsString>) -> Result<Cors, String> {
    let Some(v) = v else {
        return Ok(Cors::AnyOrigin);
    };
    let v = v
        .into_string()
        .map_err(|v| format!("invalid value {v:?} for --cors"))?;
    if v == "*" {
        return Ok(Cors::AnyOrigin);
    }
    // RFC 6454 §6.2: scheme "://" host [":" port], nothing after.
    let host = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let valid = host.is_some_and(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    });
    if !valid {
        return Err(format!(
            "invalid origin {v:?} for --cors (expected scheme://host[:port], e.g. https://app.example)"
        ));
    }
    Ok(Cors::Origin(v.into_bytes().into_boxed_slice()))
}

fn path_value(parser: &mut lexopt::Parser) -> Result<PathBuf, String> {
    Ok(PathBuf::from(parser.value().map_err(|e| e.to_string())?))
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
        assert!(o.listen.is_empty());
        assert!(o.access_log.is_none());
    }

    #[test]
    fn errors_are_one_line() {
        for bad in [
            &["--listen", "nope"][..],
            &["--listen", "::1:80"],
            &["--listen", "[::1]"],
            &["--listen", "1.2.3.4:99999"],
            &["--threads", "0"],
            &["--bogus"],
            &["a", "b"],
            &["--idle-timeout", "-1"],
            &["--header", "X-Ok"],
            &["--header", "Bad Name: 1"],
            &["--header", "Content-Length: 1"],
            &["--header", "content-type: text/plain"],
            &["--header", "X-Empty: "],
            &["--cache-control", "a\u{1}b"],
            &["--cors=evil.example"],
            &["--cors=https://app.example/path"],
        ] {
            let e = parse(args(bad)).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn listen_is_repeatable_in_order() {
        let Command::Serve(o) = parse(args(&["-l", "8080", "--listen", "[::1]:0"])).unwrap() else {
            panic!()
        };
        let want = [
            listen::Spec::parse("8080").unwrap(),
            listen::Spec::parse("[::1]:0").unwrap(),
        ];
        assert_eq!(o.listen, want);
    }

    #[test]
    fn header_rules_and_cors() {
        let Command::Serve(o) = parse(args(&[
            "--header",
            "X-Frame-Options:  DENY ",
            "--cache-control",
            "max-age=60",
            "--cors=https://app.example:8443",
        ]))
        .unwrap() else {
            panic!()
        };
        let fields: Vec<(&[u8], &[u8])> = o
            .success_fields
            .iter()
            .map(|f| (&*f.name, &*f.value))
            .collect();
        assert_eq!(
            fields,
            [
                (&b"X-Frame-Options"[..], &b"DENY"[..]),
                (b"Cache-Control", b"max-age=60")
            ]
        );
        assert_eq!(
            o.cors,
            Some(Cors::Origin(b"https://app.example:8443"[..].into()))
        );
        assert!(o.precompressed);
        let Command::Serve(o) = parse(args(&["--cors", "--no-precompressed"])).unwrap() else {
            panic!()
        };
        assert_eq!(o.cors, Some(Cors::AnyOrigin));
        assert!(!o.precompressed);
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
