#!/usr/bin/env bash
# Shrinks the corpus of the given targets (default: all) to a small set with
# the same coverage (libFuzzer's -set_cover_merge): every feature, hit-count
# buckets included, if that takes at most MAX_FILES files (default 300),
# otherwise every coverage edge. Then restores the `seed-*` names of surviving
# seeds so their origin stays visible. Run it before committing a corpus a
# campaign has grown; don't run it on a target being fuzzed.
#
#   fuzz/minimize.sh                 # every target
#   fuzz/minimize.sh parse_request   # one
set -euo pipefail
cd "$(dirname "$0")"

host=$(rustc -vV | sed -n 's/^host: //p')
MAX_FILES=${MAX_FILES:-300}
cargo fuzz build -s none
targets=("$@")
if ((${#targets[@]} == 0)); then
    read -r -a targets <<<"$(cargo fuzz list | tr '\n' ' ')"
fi
for target in "${targets[@]}"; do
    out=$(mktemp -d "${TMPDIR:-/tmp}/tern-fuzz-min.XXXXXX")
    before=$(find "corpus/$target" -type f | wc -l)
    "target/$host/release/$target" -set_cover_merge=1 \
        "$out" "corpus/$target" >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
    if (($(find "$out" -type f | wc -l) > MAX_FILES)); then
        rm -rf "$out" && mkdir "$out"
        "target/$host/release/$target" -set_cover_merge=1 -use_counters=0 \
            "$out" "corpus/$target" >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
    fi
    for seed in "corpus/$target"/seed-*; do
        [ -e "$seed" ] || continue
        sha=$(sha1sum "$seed" | cut -d' ' -f1)
        if [ -e "$out/$sha" ]; then mv "$out/$sha" "$out/$(basename "$seed")"; fi
    done
    rm -rf "corpus/$target" "$out.log"
    mv "$out" "corpus/$target"
    chmod 755 "corpus/$target"
    echo "$target: $before -> $(find "corpus/$target" -type f | wc -l) files"
done
