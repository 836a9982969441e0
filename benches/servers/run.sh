#!/usr/bin/env bash
# End-to-end benchmark of tern-proto's three examples against a hand-written
# httparse server and hyper 1's http1 server, in one run on this machine:
# wrk (keep-alive, 32 connections) and h2load --h1 -m16 (16 pipelined
# requests per connection). ROUNDS rounds, servers interleaved in each; the
# median requests/s of each server and its ratio to the peers are printed.
#
#   benches/servers/run.sh            (ROUNDS=3 SECONDS_EACH=5 by default)
#
# Every server answers GET / with `GET /\n`, Date, Content-Type and
# Content-Length. The tokio servers run single-threaded; the blocking ones
# use a thread per connection; the event loop is one thread.
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
target=${CARGO_TARGET_DIR:-../../target}

(cd ../.. && cargo build --release -q -p tern-proto --examples)
cargo build --release -q --target-dir "$target/bench-servers"
servers=(
    "tern-blocking:$target/release/examples/blocking_server"
    "tern-tokio:$target/release/examples/tokio_server"
    "tern-epoll:$target/release/examples/event_loop"
    "httparse:$target/bench-servers/release/httparse_server"
    "hyper:$target/bench-servers/release/hyper_server"
)
results=$(mktemp)
for round in $(seq "$ROUNDS"); do
    for entry in "${servers[@]}"; do
        name=${entry%%:*}
        binary=${entry#*:}
        out=$(mktemp)
        "$binary" 127.0.0.1:0 >"$out" &
        pid=$!
        while [ ! -s "$out" ]; do sleep 0.05; done
        url=$(head -n1 "$out")/
        wrk_rps=$(wrk -t1 -c32 -d"${SECONDS_EACH}s" "$url" | awk '/^Requests\/sec/ {print $2}')
        h2_rps=$(h2load --h1 -m16 -c32 -D "$SECONDS_EACH" "$url" 2>/dev/null |
            awk '/^finished in/ {gsub(",", "", $4); print $4}')
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        rm -f "$out"
        echo "$round $name $wrk_rps $h2_rps" | tee -a "$results"
    done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
names = list(dict.fromkeys(r[1] for r in rows))
med = {n: [statistics.median(float(r[i]) for r in rows if r[1] == n) for i in (2, 3)] for n in names}
print(f"\nmedian of {len(rows) // len(names)} rounds, requests/s (ratio to httparse, to hyper)")
for tool, i in (("wrk keep-alive -c32", 0), ("h2load --h1 -m16 -c32", 1)):
    print(f"\n{tool}")
    for n in names:
        v = med[n][i]
        print(f"  {n:14} {v:12.0f}   {v / med['httparse'][i]:5.2f}x httparse   {v / med['hyper'][i]:5.2f}x hyper")
PY
rm -f "$results"
