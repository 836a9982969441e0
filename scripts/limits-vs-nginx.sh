#!/usr/bin/env bash
# Memory and descriptor limits of tern and nginx, measured the same way for both
# with scripts/memprobe.py (one worker each: `tern --threads 1`, nginx with the
# rig's configuration, worker_processes 1; nginx's RSS is master + worker).
#
# Usage: scripts/limits-vs-nginx.sh TERN_BINARY [N] [ROUNDS]
#   N connections per crowd (default 2000), ROUNDS crowds of incomplete heads
#   (default 3). Then 2 crowds of idle keep-alive connections, then the server's
#   descriptor limit is lowered to 256 (prlimit on every process of the server)
#   and 250 idle keep-alive holders + 200 new clients are counted.
# SKIP_NGINX=1: tern only. Loopback only; every process started here is stopped here.
set -euo pipefail
tern=$1 n=${2:-2000} rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
rig=${RIG:-/work/shared/rig}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
head -c 100 /dev/zero | tr '\0' a > "$root/index.html"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

probe() { python3 "$here/memprobe.py" "$@"; }

wait_port() {
    for _ in $(seq 50); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1)).close()" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "port $1 never opened" >&2
    return 1
}

measure() { # NAME PORT PID...
    local name=$1 port=$2
    shift 2
    echo "== $name (pids $*)"
    probe "$port" "$n" head "$@" --rounds "$rounds"
    probe "$port" "$n" idle "$@" --rounds 2
    for pid in "$@"; do prlimit --nofile=256:256 --pid "$pid"; done
    probe "$port" 200 fdlimit 250
}

port=$((20000 + RANDOM % 20000))
"$tern" "$root" --listen "127.0.0.1:$port" --threads 1 > "$work/tern.log" 2>&1 &
tpid=$!
wait_port "$port"
measure "tern $("$tern" --version 2>/dev/null || true)" "$port" "$tpid"
kill "$tpid"
wait "$tpid" || true

[ "${SKIP_NGINX:-}" ] && exit 0
port=$((port + 1))
"$rig/run-nginx.sh" "$root" "$port" "$work/nginx" > "$work/nginx.log" 2>&1 &
npid=$!
wait_port "$port"
wpid=$(pgrep -P "$npid" | head -1)
measure "nginx $(nginx -v 2>&1 | sed 's/.*\///')" "$port" "$npid" "$wpid"
kill "$npid"
wait "$npid" || true
