#!/usr/bin/env bash
# The fuzz step of CI (.ci/run calls it): stable toolchain, no nightly.
#
# 1. installs cargo-fuzz 0.13.2 unless that exact version is already there;
# 2. builds every target with `-s none` (no sanitizer: stable rustc);
# 3. runs each target for FUZZ_SECONDS (default 60) on a scratch copy of its
#    committed corpus plus fuzz/regressions/<target>/, with the dictionary;
# 4. fails if any target crashed, timed out or ran out of memory, after
#    running all of them, and prints how to reproduce each crash.
#
# The checkout is left as it was: new corpus entries and artifacts go to a
# temporary directory (kept on failure, and named in the output).
set -euo pipefail
cd "$(dirname "$0")"

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CARGO_FUZZ_VERSION=0.13.2

if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
    cargo install --locked "cargo-fuzz@$CARGO_FUZZ_VERSION"
fi
cargo fuzz --version

cargo fuzz build -s none

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tern-fuzz-ci.XXXXXX")
failed=()
for target in $(cargo fuzz list); do
    dict=()
    case "$target" in pool_ops | date_format) ;; *) dict=(-dict=http.dict) ;; esac
    mkdir -p "$scratch/corpus/$target" "$scratch/artifacts/$target" "regressions/$target"
    echo "--- $target: ${FUZZ_SECONDS}s"
    if cargo fuzz run -s none "$target" "$scratch/corpus/$target" "corpus/$target" "regressions/$target" -- \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$scratch/artifacts/$target/" "${dict[@]}" >"$scratch/$target.log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$scratch/$target.log" || true
    else
        failed+=("$target")
        tail -n 60 "$scratch/$target.log"
        for artifact in "$scratch/artifacts/$target"/*; do
            [ -e "$artifact" ] || continue
            echo "reproduce: cargo fuzz run -s none $target $artifact"
            echo "as a test: minimise it (cargo fuzz tmin -s none $target $artifact), copy it to"
            echo "           fuzz/regressions/$target/ and run cargo test -p tern-proto --test api corpus_replay::"
        done
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: crashes in ${failed[*]} (logs and artifacts in $scratch)" >&2
    exit 1
fi
rm -rf "$scratch"
echo "fuzz: $(cargo fuzz list | wc -l) targets, ${FUZZ_SECONDS}s each, no crash"
