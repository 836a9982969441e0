#!/usr/bin/env python3
"""Memory of a server at its connection limits, measured the same way for any server.

Usage:
  memprobe.py PORT N MODE PID [PID...]
    MODE head: N connections each send part of a request head and stop;
    MODE idle: N connections each make one complete keep-alive request, read the
               response, and stay open.
    Prints RSS (summed over every PID given: pass nginx's master AND worker) at the
    baseline (after a warm-up), with the N connections open, and after they all
    closed; the per-connection figure is (during - baseline) / N.
    --rounds R: repeat the crowd R times (RSS after each close), default 1.
    --smaps: after the last close, print the PIDs' mappings whose RSS grew since
             the baseline (where the memory stays).
  memprobe.py PORT N fdlimit HOLD
    Under whatever descriptor limit the caller set on the server
    (prlimit --nofile=256:256 --pid PID): HOLD clients make one keep-alive
    request each and stay idle, then N new clients connect at once, each
    sending a request with `Connection: close`; counts for each group how many
    got a 200, a 503, a reset or nothing (within 5 s for the holders, 10 s for
    the new clients).

Loopback only. RSS is VmRSS from /proc/PID/status; "settled" means unchanged for
0.1 s (at most 3 s of waiting); "after close" is read 3 s after the last close.
""" 
import socket
import sys
import time

HEAD_PART = b"GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Agent: probe\r\n"
FULL = b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
CLOSE = b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


AFTER_CLOSE = 3.0


def rss_kb(pids):
    total = 0
    for pid in pids:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def settle(pids):
    last = rss_kb(pids)
    for _ in range(30):
        time.sleep(0.1)
        now = rss_kb(pids)
        if now == last:
            break
        last = now
    return last


def smaps(pid):
    """{mapping name: Rss KB}, anonymous mappings keyed by their address range."""
    out, key = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and not fields[0].endswith(":"):
            name = fields[5] if len(fields) > 5 else "[anon]"
            key = f"{fields[0]} {name}"
        elif fields[0] == "Rss:":
            out[key] = int(fields[1])
    return out


def warm_up(port):
    for _ in range(3):
        w = socket.create_connection(("127.0.0.1", port))
        w.sendall(CLOSE)
        while w.recv(65536):
            pass
        w.close()
    p = socket.create_connection(("127.0.0.1", port))
    p.sendall(HEAD_PART)
    time.sleep(0.2)
    p.close()


def crowd(port, n, mode, pids):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(FULL if mode == "idle" else HEAD_PART)
        socks.append(s)
    if mode == "idle":
        for s in socks:
            s.settimeout(5)
            d = b""
            while b"\r\n\r\n" not in d:
                d += s.recv(4096)
    during = settle(pids)
    for s in socks:
        s.close()
    # Longer than a server's periodic sweep (tern's runs at least every
    # second), so memory it gives back on a timer is counted.
    time.sleep(AFTER_CLOSE)
    return during, settle(pids)


def memory(port, n, mode, pids, rounds, show_smaps):
    warm_up(port)
    base = settle(pids)
    before = {pid: smaps(pid) for pid in pids} if show_smaps else None
    for r in range(rounds):
        during, after = crowd(port, n, mode, pids)
        print(
            f"{mode} round {r + 1}: baseline {base} KB, during {during} KB "
            f"({(during - base) * 1024 / n:.0f} B/conn), after close {after} KB "
            f"({100 * (after - base) / base:+.0f} %)",
            flush=True,
        )
    if show_smaps:
        for pid in pids:
            now = smaps(pid)
            for k, v in now.items():
                grew = v - before[pid].get(k, 0)
                if grew > 0:
                    print(f"  pid {pid} +{grew} KB (now {v} KB) {k}")


def read_response(s, deadline):
    """'200', '503', 'other', 'reset' or 'silent' for what `s` received by `deadline`."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            s.settimeout(max(0.05, deadline - time.time()))
            d = s.recv(65536)
            if not d:
                break
            data += d
    except socket.timeout:
        pass
    except ConnectionResetError:
        return "reset"
    if data.startswith(b"HTTP/1.1 200"):
        return "200"
    if data.startswith(b"HTTP/1.1 503"):
        return "503"
    return "other" if data else "silent"


def fdlimit(port, n, hold):
    """`hold` keep-alive clients make one request each and stay (idle), then
    `n` new clients each send a request at once; how each group fared."""
    def connect_all(count, request):
        socks, refused = [], 0
        for _ in range(count):
            s = socket.socket()
            s.settimeout(5)
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(request)
                socks.append(s)
            except OSError:
                refused += 1
                s.close()
        return socks, refused

    def tally(socks, refused, wait):
        outcome = {"200": 0, "503": 0, "other": 0, "reset": 0, "silent": 0, "refused": refused}
        deadline = time.time() + wait
        for s in socks:
            outcome[read_response(s, deadline)] += 1
        return ", ".join(f"{k} {v}" for k, v in outcome.items() if v)

    holders, refused = connect_all(hold, FULL)
    print(f"fdlimit: {hold} idle keep-alive holders: {tally(holders, refused, 5)}", flush=True)
    new, refused = connect_all(n, CLOSE)
    print(f"fdlimit: then {n} new clients at once: {tally(new, refused, 10)}", flush=True)
    for s in holders + new:
        s.close()


def main():
    args = sys.argv[1:]
    rounds = 1
    show_smaps = "--smaps" in args
    if show_smaps:
        args.remove("--smaps")
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i : i + 2]
    port, n, mode = int(args[0]), int(args[1]), args[2]
    pids = [int(p) for p in args[3:]]
    if mode == "fdlimit":
        fdlimit(port, n, int(args[3]))
    elif mode in ("head", "idle"):
        memory(port, n, mode, pids, rounds, show_smaps)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
