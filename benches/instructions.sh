#!/usr/bin/env bash
# Instructions per iteration of each parse benchmark (callgrind), the steady
# second opinion beside criterion's times: each side runs LOW and HIGH
# iterations and the difference is divided by HIGH - LOW, so start-up cancels.
# picohttpparser is left out: valgrind 3.19 cannot run its SSE4.2 pcmpestri.
# Run from the repository root; honours CARGO_TARGET_DIR.
set -euo pipefail
LOW=${LOW:-200}
HIGH=${HIGH:-2200}
cargo build -q --profile bench -p tern-benches --example parse_instructions
bin=${CARGO_TARGET_DIR:-target}/release/examples/parse_instructions
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for fixture in short browser fields chunked pipelined trickle1 trickle64; do
    line="$fixture:"
    for who in tern httparse; do
        low=$(count "$who" "$fixture" "$LOW")
        high=$(count "$who" "$fixture" "$HIGH")
        line+=" $who $(((high - low) / (HIGH - LOW)))"
    done
    echo "$line"
done
