//! Where tern listens: the `--listen` forms, their resolution to socket
//! addresses, the listening sockets of every worker, and systemd socket
//! activation.
//!
//! Forms: `PORT` and `:PORT` (loopback, 127.0.0.1), `IPv4:PORT`,
//! `[IPv6]:PORT`, `HOST:PORT`. A host name binds every address it resolves
//! to; `localhost` and `*.localhost` are 127.0.0.1 and ::1 without asking the
//! resolver (RFC 6761 §6.3, as browsers do), ::1 only where the host has IPv6
//! loopback. Port 0 picks a free port: the first such bind picks it, later
//! port-0 addresses take the same port where it is free.
//!
//! Bare `PORT` stays on loopback although python's http.server, miniserve and
//! static-web-server listen on every interface by default (and `:PORT` means
//! every interface to Go, Caddy and nginx): tern's default is loopback, and a
//! short form that silently published the served directory to the network
//! would undo it. A server that cannot be reached says so at once; one that
//! can be reached by everyone does not. Every interface is `0.0.0.0:PORT`
//! and/or `[::]:PORT`, written out.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::OwnedFd;

use crate::sys;

/// At most this many listening sockets per worker (a bit each in the
/// worker's accept mask).
pub(crate) const MAX_LISTENERS: usize = 64;

/// The default when neither `--listen` nor socket activation says otherwise.
const DEFAULT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// One `--listen` value, checked but not resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// As the operator wrote it (for messages).
    text: String,
    host: Host,
    port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    /// An IP address, or loopback for the bare `PORT` and `:PORT` forms.
    Ip(IpAddr),
    /// `localhost` or a name under it: both loopback addresses.
    Localhost,
    /// Any other name, resolved when the server starts.
    Name(String),
}

/// One address to bind, with where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target<'a> {
    addr: SocketAddr,
    spec: &'a Spec,
    /// ::1 of `localhost`: skipped on a host without IPv6 loopback.
    optional: bool,
}

/// The listening sockets, ready for the workers.
#[derive(Debug)]
pub(crate) struct Listening {
    /// The addresses served, in order (the first is printed first).
    pub(crate) addrs: Vec<SocketAddr>,
    /// Every worker's sockets, one per address.
    pub(crate) per_worker: Vec<Vec<OwnedFd>>,
    /// All workers share the same sockets (socket activation): each must
    /// register them with `EPOLLEXCLUSIVE` so one connection wakes one worker.
    pub(crate) shared: bool,
}

impl Spec {
    /// Parses one `--listen` value; a one-line error says what was expected.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("bad address {text:?} for --listen: {why}");
        let port = |p: &str| {
            p.parse::<u16>()
                .map_err(|_| bad("the port must be a number from 0 to 65535"))
        };
        let spec = |host, port| Self {
            text: text.to_owned(),
            host,
            port,
        };
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(spec(Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)), port(text)?));
        }
        if let Some(rest) = text.strip_prefix('[') {
            let Some((ip, p)) = rest.split_once("]:") else {
                return Err(bad("expected [IPv6]:PORT, e.g. [::1]:8080"));
            };
            let ip: Ipv6Addr = ip
                .parse()
                .map_err(|_| bad("not an IPv6 address in the brackets"))?;
            return Ok(spec(Host::Ip(IpAddr::V6(ip)), port(p)?));
        }
        let Some((host, p)) = text.rsplit_once(':') else {
            return Err(bad("expected PORT, :PORT, HOST:PORT or [IPv6]:PORT"));
        };
        if host.contains(':') {
            return Err(bad("an IPv6 address goes in brackets, e.g. [::1]:8080"));
        }
        let port = port(p)?;
        let host = if host.is_empty() {
            Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
        } else if host == "*" {
            return Err(bad("every interface is 0.0.0.0:PORT and/or [::]:PORT"));
        } else if let Ok(ip) = host.parse::<Ipv4Addr>() {
            Host::Ip(IpAddr::V4(ip))
        } else if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            // Not left to the resolver, which reads `1.2.3` as 1.2.0.3.
            return Err(bad("not an IPv4 address"));
        } else if is_localhost(host) {
            Host::Localhost
        } else if host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            Host::Name(host.to_owned())
        } else {
            return Err(bad("not a host name or IPv4 address"));
        };
        Ok(spec(host, port))
    }

    /// The addresses this spec stands for.
    fn resolve(&self) -> Result<Vec<Target<'_>>, String> {
        let target = |ip: IpAddr, optional| Target {
            addr: SocketAddr::new(ip, self.port),
            spec: self,
            optional,
        };
        match &self.host {
            Host::Ip(ip) => Ok(vec![target(*ip, false)]),
            Host::Localhost => Ok(vec![
                target(IpAddr::V4(Ipv4Addr::LOCALHOST), false),
                target(IpAddr::V6(Ipv6Addr::LOCALHOST), true),
            ]),
            Host::Name(name) => {
                let found = (name.as_str(), self.port)
                    .to_socket_addrs()
                    .map_err(|e| format!("cannot resolve {name} (--listen {}): {e}", self.text))?;
                let mut out: Vec<Target<'_>> = Vec::new();
                for addr in found {
                    // A resolver may list an address twice (/etc/hosts and DNS).
                    if !out.iter().any(|t| t.addr == addr) {
                        out.push(Target {
                            addr,
                            spec: self,
                            optional: false,
                        });
                    }
                }
                if out.is_empty() {
                    return Err(format!(
                        "{name} resolves to no address (--listen {})",
                        self.text
                    ));
                }
                Ok(out)
            }
        }
    }
}

/// `localhost`, `LOCALHOST.`, `app.localhost`: loopback by RFC 6761 §6.3.
fn is_localhost(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// What the environment says about socket activation: how many descriptors
/// systemd passed (from 3 on), or `None` when they are not for this process.
///
/// As `sd_listen_fds(3)`: `LISTEN_PID` must name this process (a variable
/// inherited from an activated parent names the parent); `LISTEN_FDS` unset
/// or 0 means none.
fn activation(pid: Option<&str>, fds: Option<&str>, own_pid: u32) -> Result<Option<usize>, String> {
    let Some(pid) = pid else {
        return Ok(None);
    };
    let pid: u32 = pid
        .trim()
        .parse()
        .map_err(|_| format!("socket activation: LISTEN_PID={pid:?} is not a process id"))?;
    if pid != own_pid {
        return Ok(None);
    }
    let Some(fds) = fds else {
        return Ok(None);
    };
    match fds.trim().parse::<usize>() {
        Ok(0) => Ok(None),
        Ok(n) if n <= MAX_LISTENERS => Ok(Some(n)),
        Ok(n) => Err(format!(
            "socket activation: LISTEN_FDS={n}, at most {MAX_LISTENERS} sockets"
        )),
        Err(_) => Err(format!(
            "socket activation: LISTEN_FDS={fds:?} is not a number"
        )),
    }
}

/// Opens the listening sockets of `threads` workers: the ones systemd passed
/// when the process is socket-activated (then `--listen` must not be given),
/// else a `SO_REUSEPORT` group per address of `specs` (the default when
/// empty), one socket per worker.
pub(crate) fn open(specs: &[Spec], threads: usize) -> Result<Listening, String> {
    let env = |name| std::env::var(name).ok();
    let activated = activation(
        env("LISTEN_PID").as_deref(),
        env("LISTEN_FDS").as_deref(),
        std::process::id(),
    )?;
    if let Some(n) = activated {
        if !specs.is_empty() {
            return Err(format!(
                "--listen and socket activation (LISTEN_FDS={n}) both name sockets: \
                 drop --listen or the socket unit"
            ));
        }
        return inherit(n, threads);
    }
    let default;
    let specs = if specs.is_empty() {
        default = [Spec {
            text: DEFAULT.to_string(),
            host: Host::Ip(DEFAULT.ip()),
            port: DEFAULT.port(),
        }];
        &default[..]
    } else {
        specs
    };
    let mut targets = Vec::new();
    for spec in specs {
        targets.extend(spec.resolve()?);
    }
    check_distinct(&targets)?;
    if targets.len() > MAX_LISTENERS {
        return Err(format!(
            "--listen: {} addresses, at most {MAX_LISTENERS}",
            targets.len()
        ));
    }
    bind_all(&targets, threads)
}

/// Two targets that would take the same socket are an error: the same
/// address twice, or a wildcard and an address it covers (IPv6 sockets are
/// `IPV6_V6ONLY`, so `0.0.0.0` and `[::]` do not overlap).
fn check_distinct(targets: &[Target<'_>]) -> Result<(), String> {
    for (i, a) in targets.iter().enumerate() {
        for b in &targets[..i] {
            let (x, y) = (b.addr, a.addr);
            if x.port() != y.port() || x.is_ipv4() != y.is_ipv4() {
                continue;
            }
            let by = if a.spec.text == b.spec.text {
                String::new()
            } else {
                format!(" (by {} and {})", b.spec.text, a.spec.text)
            };
            if x.ip() == y.ip() {
                return Err(format!("--listen: {x} given twice{by}"));
            }
            if x.ip().is_unspecified() || y.ip().is_unspecified() {
                let (wide, narrow) = if x.ip().is_unspecified() {
                    (x, y)
                } else {
                    (y, x)
                };
                return Err(format!("--listen: {wide} already covers {narrow}{by}"));
            }
        }
    }
    Ok(())
}

/// Binds every target for every worker. Port 0: the first bind picks the
/// port, later port-0 targets take the same port where it is free.
fn bind_all(targets: &[Target<'_>], threads: usize) -> Result<Listening, String> {
    let mut addrs = Vec::with_capacity(targets.len());
    let mut per_worker: Vec<Vec<OwnedFd>> = (0..threads)
        .map(|_| Vec::with_capacity(targets.len()))
        .collect();
    let mut picked: Option<u16> = None;
    for target in targets {
        let (group, addr) = match bind_target(target, picked, threads) {
            Ok(bound) => bound,
            Err(e) if target.optional && no_such_address(&e) => {
                eprintln!(
                    "tern: no IPv6 loopback on this host: {} is served on 127.0.0.1 only",
                    target.spec.text
                );
                continue;
            }
            Err(e) => return Err(bind_error(target, &e)),
        };
        if target.addr.port() == 0 {
            picked.get_or_insert(addr.port());
        }
        addrs.push(addr);
        for (sockets, fd) in per_worker.iter_mut().zip(group) {
            sockets.push(fd);
        }
    }
    Ok(Listening {
        addrs,
        per_worker,
        shared: false,
    })
}

/// One target's `SO_REUSEPORT` group and its real address.
fn bind_target(
    target: &Target<'_>,
    picked: Option<u16>,
    threads: usize,
) -> io::Result<(Vec<OwnedFd>, SocketAddr)> {
    if target.addr.port() == 0
        && let Some(port) = picked
    {
        match sys::listeners(SocketAddr::new(target.addr.ip(), port), threads) {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {}
            bound => return bound,
        }
    }
    sys::listeners(target.addr, threads)
}

/// The host has no such address (or no such address family).
fn no_such_address(e: &io::Error) -> bool {
    use rustix::io::Errno;
    matches!(
        Errno::from_io_error(e),
        Some(Errno::ADDRNOTAVAIL | Errno::AFNOSUPPORT)
    )
}

fn bind_error(target: &Target<'_>, e: &io::Error) -> String {
    let addr = target.addr;
    let given = if target.spec.text == addr.to_string() {
        String::new()
    } else {
        format!(" (--listen {})", target.spec.text)
    };
    if e.kind() == io::ErrorKind::AddrInUse {
        format!("cannot listen on {addr}{given}: address already in use")
    } else {
        format!("cannot listen on {addr}{given}: {}", sys::short(e))
    }
}

/// Takes the `n` sockets systemd passed (descriptors 3, 4, ...): every
/// worker gets a duplicate of each.
fn inherit(n: usize, threads: usize) -> Result<Listening, String> {
    let fail =
        |fd: usize, e: &io::Error| format!("socket activation: descriptor {fd}: {}", sys::short(e));
    let pidfd = sys::own_pidfd().map_err(|e| format!("socket activation: {}", sys::short(&e)))?;
    let mut addrs = Vec::with_capacity(n);
    let mut per_worker: Vec<Vec<OwnedFd>> = (0..threads).map(|_| Vec::with_capacity(n)).collect();
    for fd in 3..3 + n {
        let socket = sys::inherited_listener(&pidfd, fd).map_err(|e| fail(fd, &e))?;
        addrs.push(sys::local_addr(&socket).map_err(|e| fail(fd, &e))?);
        for sockets in &mut per_worker[1..] {
            sockets.push(socket.try_clone().map_err(|e| fail(fd, &e))?);
        }
        per_worker[0].push(socket);
    }
    Ok(Listening {
        addrs,
        per_worker,
        shared: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(text: &str) -> Vec<SocketAddr> {
        let spec = Spec::parse(text).unwrap();
        spec.resolve().unwrap().iter().map(|t| t.addr).collect()
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_names_its_addresses() {
        assert_eq!(addrs("8080"), [sa("127.0.0.1:8080")]);
        assert_eq!(addrs("0"), [sa("127.0.0.1:0")]);
        assert_eq!(addrs(":9"), [sa("127.0.0.1:9")]);
        assert_eq!(addrs("0.0.0.0:80"), [sa("0.0.0.0:80")]);
        assert_eq!(addrs("10.1.2.3:65535"), [sa("10.1.2.3:65535")]);
        assert_eq!(addrs("[::1]:0"), [sa("[::1]:0")]);
        assert_eq!(addrs("[::]:443"), [sa("[::]:443")]);
        let loopback = [sa("127.0.0.1:7"), sa("[::1]:7")];
        assert_eq!(addrs("localhost:7"), loopback);
        assert_eq!(addrs("LocalHost.:7"), loopback);
        assert_eq!(addrs("app.localhost:7"), loopback);
        let localhost = Spec::parse("localhost:7").unwrap();
        let optional: Vec<bool> = localhost
            .resolve()
            .unwrap()
            .iter()
            .map(|t| t.optional)
            .collect();
        assert_eq!(optional, [false, true]);
    }

    #[test]
    fn bad_forms_are_one_line_errors() {
        for bad in [
            "",
            ":",
            "x",
            "65536",
            "1.2.3.4",
            "1.2.3.4:",
            "1.2.3.4:x",
            "::1:80",
            "[::1]",
            "[::1]80",
            "[127.0.0.1]:80",
            "[::1]:70000",
            "*:80",
            "a b:80",
            "host:-1",
            "1.2.3:80",
            "256.1.1.1:80",
        ] {
            let e = Spec::parse(bad).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
            assert!(e.contains("--listen"), "{e}");
        }
    }

    #[test]
    fn a_name_resolves_through_the_resolver() {
        // Every /etc/hosts gives "localhost" 127.0.0.1: asked through the
        // resolver (not the RFC 6761 shortcut), no query leaves the host.
        let spec = Spec {
            text: "x".to_owned(),
            host: Host::Name("localhost".to_owned()),
            port: 5,
        };
        let found: Vec<SocketAddr> = spec.resolve().unwrap().iter().map(|t| t.addr).collect();
        assert!(found.contains(&sa("127.0.0.1:5")), "{found:?}");
    }

    #[test]
    fn duplicates_and_overlaps_are_errors() {
        let check = |texts: &[&str]| {
            let specs: Vec<Spec> = texts.iter().map(|t| Spec::parse(t).unwrap()).collect();
            let targets: Vec<Target<'_>> =
                specs.iter().flat_map(|s| s.resolve().unwrap()).collect();
            check_distinct(&targets)
        };
        assert_eq!(
            check(&["8080", "127.0.0.1:8080"]).unwrap_err(),
            "--listen: 127.0.0.1:8080 given twice (by 8080 and 127.0.0.1:8080)"
        );
        assert_eq!(
            check(&[":0", ":0"]).unwrap_err(),
            "--listen: 127.0.0.1:0 given twice"
        );
        assert_eq!(
            check(&["localhost:80", "[::1]:80"]).unwrap_err(),
            "--listen: [::1]:80 given twice (by localhost:80 and [::1]:80)"
        );
        assert_eq!(
            check(&["127.0.0.1:80", "0.0.0.0:80"]).unwrap_err(),
            "--listen: 0.0.0.0:80 already covers 127.0.0.1:80 (by 127.0.0.1:80 and 0.0.0.0:80)"
        );
        assert!(check(&["0.0.0.0:80", "[::]:80"]).is_ok());
        assert!(check(&["127.0.0.1:80", "127.0.0.1:81", "[::1]:80"]).is_ok());
        assert!(check(&["localhost:0", "10.0.0.1:0"]).is_ok());
    }

    #[test]
    fn activation_follows_sd_listen_fds() {
        assert_eq!(activation(None, Some("2"), 7), Ok(None));
        assert_eq!(activation(Some("8"), Some("2"), 7), Ok(None));
        assert_eq!(activation(Some("7"), None, 7), Ok(None));
        assert_eq!(activation(Some("7"), Some("0"), 7), Ok(None));
        assert_eq!(activation(Some("7"), Some("2"), 7), Ok(Some(2)));
        assert_eq!(activation(Some("7"), Some("64"), 7), Ok(Some(64)));
        for (pid, fds) in [("x", "1"), ("7", "-1"), ("7", "two"), ("7", "65")] {
            let e = activation(Some(pid), Some(fds), 7).unwrap_err();
            assert!(e.starts_with("socket activation: "), "{e}");
        }
    }
}
